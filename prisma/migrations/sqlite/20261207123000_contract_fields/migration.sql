-- Text and date fields placed on a contract's document for a signer to fill before signing.
CREATE TABLE "ContractField" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contractId" TEXT NOT NULL,
    "signerId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "box" TEXT NOT NULL,
    "label" TEXT,
    "required" BOOLEAN NOT NULL DEFAULT true,
    "maxLength" INTEGER,
    "value" TEXT,
    "filledAt" DATETIME
);
CREATE INDEX "ContractField_contractId_idx" ON "ContractField"("contractId");
