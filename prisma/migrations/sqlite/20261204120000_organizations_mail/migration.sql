-- Organisations with a kind and their own administrators; invited (pending) accounts; single-use
-- account links; the mail outbox; contract reminders and the one-time code's channel.

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'enterprise';

-- AlterTable
ALTER TABLE "User" ADD COLUMN "status" TEXT NOT NULL DEFAULT 'active';
ALTER TABLE "User" ADD COLUMN "orgAdmin" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Contract" ADD COLUMN "reminderIntervalHours" INTEGER;

-- AlterTable
ALTER TABLE "ContractSigner" ADD COLUMN "codeDelivery" TEXT NOT NULL DEFAULT 'email';

-- AlterTable
ALTER TABLE "ContractInvitation" ADD COLUMN "notifiedAt" DATETIME;
ALTER TABLE "ContractInvitation" ADD COLUMN "remindersSent" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "ContractInvitation" ADD COLUMN "lastRemindedAt" DATETIME;
ALTER TABLE "ContractInvitation" ADD COLUMN "expiryWarnedAt" DATETIME;

-- CreateTable
CREATE TABLE "AccountLink" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "usedAt" DATETIME,
    "revokedAt" DATETIME,
    "landing" TEXT NOT NULL,
    CONSTRAINT "AccountLink_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MailMessage" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "messageId" TEXT NOT NULL,
    "dedupeKey" TEXT,
    "template" TEXT NOT NULL,
    "params" TEXT NOT NULL,
    "toAddress" TEXT NOT NULL,
    "recipientId" TEXT,
    "topic" TEXT,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL,
    "lockedUntil" DATETIME,
    "lastError" TEXT,
    "reply" TEXT,
    "createdAt" DATETIME NOT NULL,
    "sentAt" DATETIME
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
