-- CreateTable
CREATE TABLE "StatisticsReport" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "courtId" TEXT,
    "judgeId" TEXT,
    "period" TEXT NOT NULL,
    "fromLabel" TEXT NOT NULL,
    "toLabel" TEXT NOT NULL,
    "causeOfAction" TEXT,
    "title" TEXT NOT NULL,
    "evidenceId" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "recordEvidenceId" TEXT NOT NULL,
    "recordSha256" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "StatisticsReport_evidenceId_key" ON "StatisticsReport"("evidenceId");

-- CreateIndex
CREATE UNIQUE INDEX "StatisticsReport_recordEvidenceId_key" ON "StatisticsReport"("recordEvidenceId");

-- CreateIndex
CREATE INDEX "StatisticsReport_courtId_createdAt_idx" ON "StatisticsReport"("courtId", "createdAt");
