-- The log's compact range (the hashes of the complete subtrees covering its leaves, JSON), kept with
-- the head it belongs to so that an append reads O(log n) hashes instead of every leaf. Null for a
-- log written before: the first append computes it from the leaves once.
ALTER TABLE "LogHead" ADD COLUMN "compactRange" TEXT;
