-- AlterTable
ALTER TABLE "Batch" ADD COLUMN     "timestampToken" TEXT;

-- AlterTable
ALTER TABLE "EvidenceItem" ADD COLUMN     "signatureCms" TEXT,
ADD COLUMN     "signerCertId" TEXT;

-- CreateTable
CREATE TABLE "Certificate" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "serialHex" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "certPem" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "sealedKey" TEXT,
    "userId" TEXT,
    "organizationId" TEXT,
    "notBefore" TIMESTAMP(3) NOT NULL,
    "notAfter" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "revocationReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Certificate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RevocationList" (
    "number" INTEGER NOT NULL,
    "der" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RevocationList_pkey" PRIMARY KEY ("number")
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
