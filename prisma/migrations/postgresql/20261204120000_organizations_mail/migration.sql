-- Organisations with a kind and their own administrators; invited (pending) accounts; single-use
-- account links; the mail outbox; contract reminders and the one-time code's channel.

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'enterprise';

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "orgAdmin" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'active';

-- AlterTable
ALTER TABLE "Contract" ADD COLUMN "reminderIntervalHours" INTEGER;

-- AlterTable
ALTER TABLE "ContractSigner" ADD COLUMN "codeDelivery" TEXT NOT NULL DEFAULT 'email';

-- AlterTable
ALTER TABLE "ContractInvitation" ADD COLUMN "notifiedAt" TIMESTAMP(3);
ALTER TABLE "ContractInvitation" ADD COLUMN "remindersSent" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "ContractInvitation" ADD COLUMN "lastRemindedAt" TIMESTAMP(3);
ALTER TABLE "ContractInvitation" ADD COLUMN "expiryWarnedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "AccountLink" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "landing" TEXT NOT NULL,

    CONSTRAINT "AccountLink_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MailMessage" (
    "id" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "dedupeKey" TEXT,
    "template" TEXT NOT NULL,
    "params" TEXT NOT NULL,
    "toAddress" TEXT NOT NULL,
    "recipientId" TEXT,
    "topic" TEXT,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL,
    "lockedUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "reply" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "MailMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AccountLink_tokenHash_key" ON "AccountLink"("tokenHash");

-- CreateIndex
CREATE INDEX "AccountLink_userId_idx" ON "AccountLink"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "MailMessage_messageId_key" ON "MailMessage"("messageId");

-- CreateIndex
CREATE UNIQUE INDEX "MailMessage_dedupeKey_key" ON "MailMessage"("dedupeKey");

-- CreateIndex
CREATE INDEX "MailMessage_status_nextAttemptAt_idx" ON "MailMessage"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "MailMessage_recipientId_idx" ON "MailMessage"("recipientId");

-- CreateIndex
CREATE INDEX "MailMessage_topic_idx" ON "MailMessage"("topic");

-- AddForeignKey
ALTER TABLE "AccountLink" ADD CONSTRAINT "AccountLink_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
