-- The court's front door: online filing with its versions, attachments and events; hearings with
-- slots, answers and summonses; pre-litigation mediation, messages and court orders; service address
-- confirmations; case file exports. Courts get a case number format; a case knows its filing and court.

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN "caseNumberFormat" TEXT;

-- AlterTable
ALTER TABLE "CourtCase" ADD COLUMN "filingId" TEXT;
ALTER TABLE "CourtCase" ADD COLUMN "courtId" TEXT;

-- CreateTable
CREATE TABLE "Filing" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "courtId" TEXT NOT NULL,
    "filerId" TEXT NOT NULL,
    "filerOrgId" TEXT,
    "status" TEXT NOT NULL,
    "draft" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "firstSubmittedAt" DATETIME,
    "lastSubmittedAt" DATETIME,
    "correctionReason" TEXT,
    "correctionDeadline" DATETIME,
    "decidedAt" DATETIME,
    "decidedById" TEXT,
    "decisionReason" TEXT,
    "caseId" TEXT,
    "mediationRequested" BOOLEAN NOT NULL DEFAULT false
);

-- CreateTable
CREATE TABLE "FilingVersion" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "filingId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "content" TEXT NOT NULL,
    "recordEvidenceId" TEXT NOT NULL,
    "complaintEvidenceId" TEXT,
    "submittedById" TEXT NOT NULL,
    "submittedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "FilingAttachment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "filingId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "evidenceId" TEXT NOT NULL,
    "addedById" TEXT NOT NULL,
    "addedAt" DATETIME NOT NULL,
    "removedAt" DATETIME
);

-- CreateTable
CREATE TABLE "FilingEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "filingId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "at" DATETIME NOT NULL,
    "action" TEXT NOT NULL,
    "actorId" TEXT,
    "fromStatus" TEXT,
    "toStatus" TEXT NOT NULL,
    "details" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "Hearing" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "judgeId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "startsAt" DATETIME,
    "endsAt" DATETIME,
    "room" TEXT,
    "onlineUrl" TEXT,
    "notes" TEXT,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "recordEvidenceId" TEXT
);

-- CreateTable
CREATE TABLE "HearingSlot" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hearingId" TEXT NOT NULL,
    "startsAt" DATETIME NOT NULL,
    "endsAt" DATETIME NOT NULL,
    "chosenById" TEXT,
    "chosenAt" DATETIME
);

-- CreateTable
CREATE TABLE "HearingResponse" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hearingId" TEXT NOT NULL,
    "partyId" TEXT NOT NULL,
    "response" TEXT NOT NULL,
    "reason" TEXT,
    "respondedById" TEXT NOT NULL,
    "respondedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "HearingSummons" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hearingId" TEXT NOT NULL,
    "servedDocumentId" TEXT NOT NULL,
    "partyId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Mediation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "filingId" TEXT NOT NULL,
    "courtId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "mediatorId" TEXT,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "agreementContractId" TEXT,
    "confirmationOrderId" TEXT,
    "endedAt" DATETIME,
    "endReason" TEXT
);

-- CreateTable
CREATE TABLE "Message" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "thread" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "CourtOrder" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT,
    "mediationId" TEXT,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "evidenceId" TEXT NOT NULL,
    "issuedById" TEXT NOT NULL,
    "issuedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ServiceAddressConfirmation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "partyId" TEXT NOT NULL,
    "addresses" TEXT NOT NULL,
    "consent" BOOLEAN NOT NULL,
    "evidenceId" TEXT NOT NULL,
    "confirmedById" TEXT NOT NULL,
    "confirmedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "CaseFileExport" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "evidenceId" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "entries" INTEGER NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "CourtCase_filingId_key" ON "CourtCase"("filingId");
CREATE UNIQUE INDEX "Filing_caseId_key" ON "Filing"("caseId");
CREATE INDEX "Filing_courtId_status_idx" ON "Filing"("courtId", "status");
CREATE INDEX "Filing_filerId_idx" ON "Filing"("filerId");
CREATE UNIQUE INDEX "FilingVersion_recordEvidenceId_key" ON "FilingVersion"("recordEvidenceId");
CREATE UNIQUE INDEX "FilingVersion_complaintEvidenceId_key" ON "FilingVersion"("complaintEvidenceId");
CREATE UNIQUE INDEX "FilingVersion_filingId_version_key" ON "FilingVersion"("filingId", "version");
CREATE UNIQUE INDEX "FilingAttachment_evidenceId_key" ON "FilingAttachment"("evidenceId");
CREATE INDEX "FilingAttachment_filingId_idx" ON "FilingAttachment"("filingId");
CREATE UNIQUE INDEX "FilingEvent_filingId_seq_key" ON "FilingEvent"("filingId", "seq");
CREATE UNIQUE INDEX "Hearing_recordEvidenceId_key" ON "Hearing"("recordEvidenceId");
CREATE INDEX "Hearing_caseId_idx" ON "Hearing"("caseId");
CREATE INDEX "Hearing_judgeId_startsAt_idx" ON "Hearing"("judgeId", "startsAt");
CREATE INDEX "Hearing_room_startsAt_idx" ON "Hearing"("room", "startsAt");
CREATE INDEX "HearingSlot_hearingId_idx" ON "HearingSlot"("hearingId");
CREATE UNIQUE INDEX "HearingResponse_hearingId_partyId_key" ON "HearingResponse"("hearingId", "partyId");
CREATE UNIQUE INDEX "HearingSummons_servedDocumentId_key" ON "HearingSummons"("servedDocumentId");
CREATE INDEX "HearingSummons_hearingId_idx" ON "HearingSummons"("hearingId");
CREATE UNIQUE INDEX "Mediation_filingId_key" ON "Mediation"("filingId");
CREATE UNIQUE INDEX "Mediation_agreementContractId_key" ON "Mediation"("agreementContractId");
CREATE UNIQUE INDEX "Mediation_confirmationOrderId_key" ON "Mediation"("confirmationOrderId");
CREATE INDEX "Mediation_courtId_status_idx" ON "Mediation"("courtId", "status");
CREATE INDEX "Mediation_mediatorId_idx" ON "Mediation"("mediatorId");
CREATE INDEX "Message_thread_at_idx" ON "Message"("thread", "at");
CREATE UNIQUE INDEX "CourtOrder_evidenceId_key" ON "CourtOrder"("evidenceId");
CREATE INDEX "CourtOrder_caseId_idx" ON "CourtOrder"("caseId");
CREATE INDEX "CourtOrder_mediationId_idx" ON "CourtOrder"("mediationId");
CREATE UNIQUE INDEX "ServiceAddressConfirmation_evidenceId_key" ON "ServiceAddressConfirmation"("evidenceId");
CREATE INDEX "ServiceAddressConfirmation_caseId_partyId_idx" ON "ServiceAddressConfirmation"("caseId", "partyId");
CREATE UNIQUE INDEX "CaseFileExport_evidenceId_key" ON "CaseFileExport"("evidenceId");
CREATE UNIQUE INDEX "CaseFileExport_caseId_version_key" ON "CaseFileExport"("caseId", "version");
