-- Bulk sending: a template and a CSV, one contract per row, and what became of each row.
CREATE TABLE "BulkSend" (
    "id" TEXT NOT NULL,
    "senderId" TEXT NOT NULL,
    "idempotencyKey" TEXT,
    "templateId" TEXT NOT NULL,
    "requestSha256" TEXT NOT NULL,
    "rowCount" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "BulkSend_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "BulkSend_senderId_idempotencyKey_key" ON "BulkSend"("senderId", "idempotencyKey");
CREATE INDEX "BulkSend_senderId_createdAt_idx" ON "BulkSend"("senderId", "createdAt");
CREATE TABLE "BulkSendRow" (
    "bulkSendId" TEXT NOT NULL,
    "row" INTEGER NOT NULL,
    "line" INTEGER NOT NULL,
    "contractId" TEXT,
    "refusal" TEXT,

    CONSTRAINT "BulkSendRow_pkey" PRIMARY KEY ("bulkSendId","row")
);
ALTER TABLE "BulkSendRow" ADD CONSTRAINT "BulkSendRow_bulkSendId_fkey" FOREIGN KEY ("bulkSendId") REFERENCES "BulkSend"("id") ON DELETE CASCADE ON UPDATE CASCADE;
