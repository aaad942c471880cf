-- One append-only log: the log's head (identity, key, latest checkpoint), its leaves, its checkpoints.
ALTER TABLE "Batch" ADD COLUMN "inLog" BOOLEAN NOT NULL DEFAULT false;
CREATE TABLE "LogHead" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "origin" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "sealedKey" TEXT NOT NULL,
    "treeSize" INTEGER NOT NULL,
    "root" TEXT NOT NULL,
    "note" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE "LogEntry" (
    "index" INTEGER NOT NULL PRIMARY KEY,
    "leafHash" TEXT NOT NULL
);
CREATE INDEX "LogEntry_leafHash_idx" ON "LogEntry"("leafHash");
CREATE TABLE "LogCheckpoint" (
    "treeSize" INTEGER NOT NULL PRIMARY KEY,
    "root" TEXT NOT NULL,
    "note" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
