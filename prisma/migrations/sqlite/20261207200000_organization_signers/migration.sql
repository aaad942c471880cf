-- An organisation as a contract signer: ContractSigner.userId becomes nullable (SQLite rebuilds the
-- table for that), who actually signed is recorded, and each invitation names the person it was
-- sent to (for an organisation signer, one per member holding a live grant of the seal wanted).
-- The rebuild drops and recreates a table that ContractInvitation references: the migrator runs a
-- migration that turns foreign keys off with them off, and checks them (foreign_key_check) before
-- it commits.
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ContractSigner" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contractId" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "userId" TEXT,
    "name" TEXT NOT NULL,
    "organization" TEXT,
    "role" TEXT,
    "field" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "signedAt" DATETIME,
    "signedSha256" TEXT,
    "certId" TEXT,
    "codeDelivery" TEXT NOT NULL DEFAULT 'email',
    "sealOrganizationId" TEXT,
    "sealKind" TEXT,
    "sealCrossPage" BOOLEAN NOT NULL DEFAULT false,
    "signedByUserId" TEXT,
    CONSTRAINT "ContractSigner_contractId_fkey" FOREIGN KEY ("contractId") REFERENCES "Contract" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_ContractSigner" ("id", "contractId", "step", "position", "userId", "name", "organization", "role", "field", "status", "signedAt", "signedSha256", "certId", "codeDelivery", "sealOrganizationId", "sealKind", "sealCrossPage", "signedByUserId")
SELECT "id", "contractId", "step", "position", "userId", "name", "organization", "role", "field", "status", "signedAt", "signedSha256", "certId", "codeDelivery", "sealOrganizationId", "sealKind", "sealCrossPage", CASE WHEN "status" = 'signed' THEN "userId" ELSE NULL END FROM "ContractSigner";
DROP TABLE "ContractSigner";
ALTER TABLE "new_ContractSigner" RENAME TO "ContractSigner";
CREATE UNIQUE INDEX "ContractSigner_contractId_userId_key" ON "ContractSigner"("contractId", "userId");
CREATE UNIQUE INDEX "ContractSigner_contractId_step_position_key" ON "ContractSigner"("contractId", "step", "position");
CREATE INDEX "ContractSigner_userId_idx" ON "ContractSigner"("userId");
ALTER TABLE "ContractInvitation" ADD COLUMN "userId" TEXT;
UPDATE "ContractInvitation" SET "userId" = (SELECT "userId" FROM "ContractSigner" WHERE "ContractSigner"."id" = "ContractInvitation"."signerId");
CREATE INDEX "ContractInvitation_userId_idx" ON "ContractInvitation"("userId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
