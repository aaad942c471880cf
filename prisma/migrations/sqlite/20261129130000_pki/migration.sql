-- AlterTable
ALTER TABLE "Batch" ADD COLUMN "timestampToken" TEXT;

-- AlterTable
ALTER TABLE "EvidenceItem" ADD COLUMN "signatureCms" TEXT;
ALTER TABLE "EvidenceItem" ADD COLUMN "signerCertId" TEXT;

-- CreateTable
CREATE TABLE "Certificate" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "serialHex" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "certPem" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "sealedKey" TEXT,
    "userId" TEXT,
    "organizationId" TEXT,
    "notBefore" DATETIME NOT NULL,
    "notAfter" DATETIME NOT NULL,
    "revokedAt" DATETIME,
    "revocationReason" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "RevocationList" (
    "number" INTEGER NOT NULL PRIMARY KEY,
    "der" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "Certificate_serialHex_key" ON "Certificate"("serialHex");

-- CreateIndex
CREATE UNIQUE INDEX "Certificate_fingerprint_key" ON "Certificate"("fingerprint");

-- CreateIndex
CREATE INDEX "Certificate_userId_idx" ON "Certificate"("userId");

-- CreateIndex
CREATE INDEX "Certificate_organizationId_idx" ON "Certificate"("organizationId");

-- CreateIndex
CREATE INDEX "Certificate_kind_idx" ON "Certificate"("kind");
