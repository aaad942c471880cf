-- Organisation seals and the members authorised to apply them.
CREATE TABLE "Seal" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "code" TEXT,
    "form" TEXT NOT NULL,
    "image" BYTEA,
    "imageType" TEXT,
    "certificateId" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retiredAt" TIMESTAMP(3),
    "retiredBy" TEXT,

    CONSTRAINT "Seal_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "Seal_organizationId_idx" ON "Seal"("organizationId");
ALTER TABLE "Seal" ADD CONSTRAINT "Seal_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
CREATE TABLE "SealGrant" (
    "id" TEXT NOT NULL,
    "sealId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "grantedBy" TEXT NOT NULL,
    "grantedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),
    "revokedBy" TEXT,

    CONSTRAINT "SealGrant_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "SealGrant_sealId_userId_idx" ON "SealGrant"("sealId", "userId");
ALTER TABLE "SealGrant" ADD CONSTRAINT "SealGrant_sealId_fkey" FOREIGN KEY ("sealId") REFERENCES "Seal"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
-- A contract signer acting for an organisation, with the kind of seal wanted.
ALTER TABLE "ContractSigner" ADD COLUMN "sealOrganizationId" TEXT;
ALTER TABLE "ContractSigner" ADD COLUMN "sealKind" TEXT;
ALTER TABLE "ContractSigner" ADD COLUMN "sealCrossPage" BOOLEAN NOT NULL DEFAULT false;
