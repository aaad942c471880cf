-- Organisation seals and the members authorised to apply them.
CREATE TABLE "Seal" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "organizationId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "code" TEXT,
    "form" TEXT NOT NULL,
    "image" BLOB,
    "imageType" TEXT,
    "certificateId" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retiredAt" DATETIME,
    "retiredBy" TEXT,
    CONSTRAINT "Seal_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "Seal_organizationId_idx" ON "Seal"("organizationId");
CREATE TABLE "SealGrant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sealId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "grantedBy" TEXT NOT NULL,
    "grantedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" DATETIME,
    "revokedBy" TEXT,
    CONSTRAINT "SealGrant_sealId_fkey" FOREIGN KEY ("sealId") REFERENCES "Seal" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "SealGrant_sealId_userId_idx" ON "SealGrant"("sealId", "userId");
-- A contract signer acting for an organisation, with the kind of seal wanted.
ALTER TABLE "ContractSigner" ADD COLUMN "sealOrganizationId" TEXT;
ALTER TABLE "ContractSigner" ADD COLUMN "sealKind" TEXT;
ALTER TABLE "ContractSigner" ADD COLUMN "sealCrossPage" BOOLEAN NOT NULL DEFAULT false;
