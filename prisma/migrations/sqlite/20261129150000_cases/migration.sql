-- AlterTable
ALTER TABLE "EvidenceItem" ADD COLUMN "restricted" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "CourtCase" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "number" TEXT NOT NULL,
    "court" TEXT NOT NULL,
    "causeOfAction" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "openedById" TEXT NOT NULL,
    "openedAt" DATETIME NOT NULL,
    "closedById" TEXT,
    "closedAt" DATETIME
);

-- CreateTable
CREATE TABLE "CaseJudge" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "addedById" TEXT NOT NULL,
    "addedAt" DATETIME NOT NULL,
    CONSTRAINT "CaseJudge_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "CourtCase" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "CaseJudge_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CaseParty" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "organizationId" TEXT,
    CONSTRAINT "CaseParty_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "CourtCase" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "CaseParty_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CasePartyMember" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "partyId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "addedById" TEXT NOT NULL,
    "addedAt" DATETIME NOT NULL,
    CONSTRAINT "CasePartyMember_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "CourtCase" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "CasePartyMember_partyId_fkey" FOREIGN KEY ("partyId") REFERENCES "CaseParty" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "CasePartyMember_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CaseEvidence" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "partyId" TEXT NOT NULL,
    "evidenceId" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "submittedById" TEXT NOT NULL,
    "submittedAt" DATETIME NOT NULL,
    "finalisedById" TEXT,
    "finalisedAt" DATETIME,
    CONSTRAINT "CaseEvidence_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "CourtCase" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "CaseEvidence_partyId_fkey" FOREIGN KEY ("partyId") REFERENCES "CaseParty" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "CaseEvidence_evidenceId_fkey" FOREIGN KEY ("evidenceId") REFERENCES "EvidenceItem" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CaseOpinion" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseEvidenceId" TEXT NOT NULL,
    "partyId" TEXT NOT NULL,
    "authenticity" TEXT NOT NULL,
    "authenticityComment" TEXT,
    "legality" TEXT NOT NULL,
    "legalityComment" TEXT,
    "relevance" TEXT NOT NULL,
    "relevanceComment" TEXT,
    "authorId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "CaseOpinion_caseEvidenceId_fkey" FOREIGN KEY ("caseEvidenceId") REFERENCES "CaseEvidence" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "CaseOpinion_partyId_fkey" FOREIGN KEY ("partyId") REFERENCES "CaseParty" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ServedDocument" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "partyId" TEXT NOT NULL,
    "evidenceId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "servedById" TEXT NOT NULL,
    "servedAt" DATETIME NOT NULL,
    CONSTRAINT "ServedDocument_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "CourtCase" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "ServedDocument_partyId_fkey" FOREIGN KEY ("partyId") REFERENCES "CaseParty" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "ServedDocument_evidenceId_fkey" FOREIGN KEY ("evidenceId") REFERENCES "EvidenceItem" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DocumentDelivery" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "documentId" TEXT NOT NULL,
    "recipientId" TEXT NOT NULL,
    "openedAt" DATETIME,
    "openedIp" TEXT,
    "openedUserAgent" TEXT,
    "receiptLeafSeq" INTEGER,
    CONSTRAINT "DocumentDelivery_documentId_fkey" FOREIGN KEY ("documentId") REFERENCES "ServedDocument" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "DocumentDelivery_recipientId_fkey" FOREIGN KEY ("recipientId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "DocumentDelivery_receiptLeafSeq_fkey" FOREIGN KEY ("receiptLeafSeq") REFERENCES "Leaf" ("seq") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "CourtCase_number_key" ON "CourtCase"("number");

-- CreateIndex
CREATE UNIQUE INDEX "CaseJudge_caseId_userId_key" ON "CaseJudge"("caseId", "userId");

-- CreateIndex
CREATE INDEX "CaseJudge_userId_idx" ON "CaseJudge"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "CaseParty_caseId_position_key" ON "CaseParty"("caseId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "CasePartyMember_caseId_userId_key" ON "CasePartyMember"("caseId", "userId");

-- CreateIndex
CREATE INDEX "CasePartyMember_partyId_idx" ON "CasePartyMember"("partyId");

-- CreateIndex
CREATE INDEX "CasePartyMember_userId_idx" ON "CasePartyMember"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "CaseEvidence_evidenceId_key" ON "CaseEvidence"("evidenceId");

-- CreateIndex
CREATE INDEX "CaseEvidence_caseId_partyId_idx" ON "CaseEvidence"("caseId", "partyId");

-- CreateIndex
CREATE UNIQUE INDEX "CaseOpinion_caseEvidenceId_partyId_key" ON "CaseOpinion"("caseEvidenceId", "partyId");

-- CreateIndex
CREATE INDEX "CaseOpinion_partyId_idx" ON "CaseOpinion"("partyId");

-- CreateIndex
CREATE UNIQUE INDEX "ServedDocument_evidenceId_key" ON "ServedDocument"("evidenceId");

-- CreateIndex
CREATE INDEX "ServedDocument_caseId_idx" ON "ServedDocument"("caseId");

-- CreateIndex
CREATE INDEX "ServedDocument_partyId_idx" ON "ServedDocument"("partyId");

-- CreateIndex
CREATE UNIQUE INDEX "DocumentDelivery_receiptLeafSeq_key" ON "DocumentDelivery"("receiptLeafSeq");

-- CreateIndex
CREATE UNIQUE INDEX "DocumentDelivery_documentId_recipientId_key" ON "DocumentDelivery"("documentId", "recipientId");

-- CreateIndex
CREATE INDEX "DocumentDelivery_recipientId_idx" ON "DocumentDelivery"("recipientId");
