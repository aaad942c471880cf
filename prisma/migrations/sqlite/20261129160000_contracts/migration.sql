-- CreateTable
CREATE TABLE "Contract" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "title" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "origin" TEXT NOT NULL,
    "templateId" TEXT,
    "fieldValues" TEXT,
    "senderId" TEXT NOT NULL,
    "originalSha256" TEXT NOT NULL,
    "currentSha256" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "sentAt" DATETIME,
    "expiresAt" DATETIME,
    "endedAt" DATETIME,
    "endReason" TEXT,
    "certificateSha256" TEXT,
    "finalEvidenceId" TEXT,
    "certificateEvidenceId" TEXT
);

-- CreateTable
CREATE TABLE "ContractSigner" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contractId" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "organization" TEXT,
    "role" TEXT,
    "field" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "signedAt" DATETIME,
    "signedSha256" TEXT,
    "certId" TEXT,
    CONSTRAINT "ContractSigner_contractId_fkey" FOREIGN KEY ("contractId") REFERENCES "Contract" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ContractInvitation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "signerId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "openedAt" DATETIME,
    "usedAt" DATETIME,
    "revokedAt" DATETIME,
    "codeHash" TEXT,
    "codeExpiresAt" DATETIME,
    "codeAttempts" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "ContractInvitation_signerId_fkey" FOREIGN KEY ("signerId") REFERENCES "ContractSigner" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ContractEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contractId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "at" DATETIME NOT NULL,
    "action" TEXT NOT NULL,
    "actorId" TEXT,
    "signerId" TEXT,
    "fromStatus" TEXT,
    "toStatus" TEXT NOT NULL,
    "documentSha256" TEXT NOT NULL,
    "ip" TEXT,
    "userAgent" TEXT,
    "details" TEXT NOT NULL,
    CONSTRAINT "ContractEvent_contractId_fkey" FOREIGN KEY ("contractId") REFERENCES "Contract" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Contract_senderId_idx" ON "Contract"("senderId");

-- CreateIndex
CREATE UNIQUE INDEX "ContractSigner_contractId_userId_key" ON "ContractSigner"("contractId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "ContractSigner_contractId_step_position_key" ON "ContractSigner"("contractId", "step", "position");

-- CreateIndex
CREATE INDEX "ContractSigner_userId_idx" ON "ContractSigner"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "ContractInvitation_tokenHash_key" ON "ContractInvitation"("tokenHash");

-- CreateIndex
CREATE INDEX "ContractInvitation_signerId_idx" ON "ContractInvitation"("signerId");

-- CreateIndex
CREATE UNIQUE INDEX "ContractEvent_contractId_seq_key" ON "ContractEvent"("contractId", "seq");
