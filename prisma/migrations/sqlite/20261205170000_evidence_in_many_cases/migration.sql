-- One anchored evidence item may be evidence in several cases, once per case.
DROP INDEX "CaseEvidence_evidenceId_key";

-- CreateIndex
CREATE UNIQUE INDEX "CaseEvidence_caseId_evidenceId_key" ON "CaseEvidence"("caseId", "evidenceId");
