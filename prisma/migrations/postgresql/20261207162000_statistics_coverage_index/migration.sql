-- The statistics' electronic service coverage: each case's served documents with their ids read from
-- the index alone (each then looked up in the delivery index), in place of the index on caseId alone,
-- which this one also serves.
DROP INDEX "ServedDocument_caseId_idx";
CREATE INDEX "ServedDocument_caseId_id_idx" ON "ServedDocument"("caseId", "id");
