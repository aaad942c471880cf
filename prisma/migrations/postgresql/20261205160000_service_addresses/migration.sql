-- Service to the addresses a party confirmed: per served document which confirmation counted and
-- whether the party consented; one row per confirmed address a document went to; text messages
-- kept for a person to read (no SMS gateway).

-- CreateTable
CREATE TABLE "AddressService" (
    "documentId" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "partyId" TEXT NOT NULL,
    "confirmationId" TEXT,
    "consent" BOOLEAN NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AddressService_pkey" PRIMARY KEY ("documentId")
);

-- CreateTable
CREATE TABLE "AddressDelivery" (
    "id" TEXT NOT NULL,
    "documentId" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "linkHash" TEXT,
    "mailId" TEXT,
    "textMessageId" TEXT,
    "sentAt" TIMESTAMP(3) NOT NULL,
    "openedAt" TIMESTAMP(3),
    "openedIp" TEXT,
    "openedUserAgent" TEXT,
    "receiptLeafSeq" INTEGER,

    CONSTRAINT "AddressDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TextMessage" (
    "id" TEXT NOT NULL,
    "toNumber" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "topic" TEXT,
    "status" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TextMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AddressService_caseId_idx" ON "AddressService"("caseId");

-- CreateIndex
CREATE UNIQUE INDEX "AddressDelivery_linkHash_key" ON "AddressDelivery"("linkHash");

-- CreateIndex
CREATE UNIQUE INDEX "AddressDelivery_receiptLeafSeq_key" ON "AddressDelivery"("receiptLeafSeq");

-- CreateIndex
CREATE UNIQUE INDEX "AddressDelivery_documentId_channel_address_key" ON "AddressDelivery"("documentId", "channel", "address");

-- CreateIndex
CREATE INDEX "TextMessage_topic_idx" ON "TextMessage"("topic");
