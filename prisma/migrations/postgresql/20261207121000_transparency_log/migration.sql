-- One append-only log: the log's head (identity, key, latest checkpoint), its leaves, its checkpoints.
ALTER TABLE "Batch" ADD COLUMN "inLog" BOOLEAN NOT NULL DEFAULT false;
CREATE TABLE "LogHead" (
    "id" INTEGER NOT NULL,
    "origin" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "sealedKey" TEXT NOT NULL,
    "treeSize" INTEGER NOT NULL,
    "root" TEXT NOT NULL,
    "note" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LogHead_pkey" PRIMARY KEY ("id")
);
CREATE TABLE "LogEntry" (
    "index" INTEGER NOT NULL,
    "leafHash" TEXT NOT NULL,

    CONSTRAINT "LogEntry_pkey" PRIMARY KEY ("index")
);
CREATE INDEX "LogEntry_leafHash_idx" ON "LogEntry"("leafHash");
CREATE TABLE "LogCheckpoint" (
    "treeSize" INTEGER NOT NULL,
    "root" TEXT NOT NULL,
    "note" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LogCheckpoint_pkey" PRIMARY KEY ("treeSize")
);
