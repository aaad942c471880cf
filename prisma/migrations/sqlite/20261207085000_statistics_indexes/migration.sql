-- The court statistics' ranges (server/statistics): cases opened or closed in a period, of one court
-- or of all; documents served in a period; each served document's deliveries and first receipt read
-- from the index alone, in document order.
CREATE INDEX "CourtCase_openedAt_idx" ON "CourtCase"("openedAt");
CREATE INDEX "CourtCase_courtId_openedAt_idx" ON "CourtCase"("courtId", "openedAt");
CREATE INDEX "CourtCase_closedAt_idx" ON "CourtCase"("closedAt");
CREATE INDEX "ServedDocument_servedAt_idx" ON "ServedDocument"("servedAt");
CREATE INDEX "ServedDocument_id_servedAt_caseId_idx" ON "ServedDocument"("id", "servedAt", "caseId");
CREATE INDEX "DocumentDelivery_documentId_openedAt_idx" ON "DocumentDelivery"("documentId", "openedAt");
