-- An organisation as a contract signer: ContractSigner.userId becomes nullable, who actually
-- signed is recorded, and each invitation names the person it was sent to (for an organisation
-- signer, one per member holding a live grant of the seal wanted).
ALTER TABLE "ContractSigner" ALTER COLUMN "userId" DROP NOT NULL;
ALTER TABLE "ContractSigner" ADD COLUMN "signedByUserId" TEXT;
UPDATE "ContractSigner" SET "signedByUserId" = "userId" WHERE "status" = 'signed';
ALTER TABLE "ContractInvitation" ADD COLUMN "userId" TEXT;
UPDATE "ContractInvitation" SET "userId" = s."userId" FROM "ContractSigner" s WHERE s."id" = "ContractInvitation"."signerId";
CREATE INDEX "ContractInvitation_userId_idx" ON "ContractInvitation"("userId");
