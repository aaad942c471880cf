-- Hearings scheduled, rescheduled and cancelled (server/hearings): the court a room belongs to, the
-- sequence each reschedule bumps, the cancellation, and which sequence an answer or a summons was for.
ALTER TABLE "Hearing" ADD COLUMN "courtId" TEXT;
ALTER TABLE "Hearing" ADD COLUMN "sequence" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Hearing" ADD COLUMN "cancelledAt" TIMESTAMP(3);
ALTER TABLE "Hearing" ADD COLUMN "cancelReason" TEXT;
ALTER TABLE "HearingResponse" ADD COLUMN "sequence" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "HearingSummons" ADD COLUMN "sequence" INTEGER NOT NULL DEFAULT 0;
