// The anchoring queue: a leaf row per record to anchor. Callers add leaves inside their own
// transaction, so a record and its place in the queue are committed together or not at all.
import type { Tx, Db } from "../db/client";
import { leafOf } from "../core/evidence-record";

export type LeafKind = "evidence" | "audit-head";

export async function enqueueLeaf(tx: Tx, kind: LeafKind, record: object): Promise<number> {
  const leaf = leafOf(record);
  const row = await tx.leaf.create({
    data: { kind, record: leaf.input.toString("utf8"), leafHash: leaf.hash },
    select: { seq: true },
  });
  return row.seq;
}

/** Adds several leaves in one statement; returns their sequence numbers in the order given. */
export async function enqueueLeaves(tx: Tx, kind: LeafKind, records: object[]): Promise<number[]> {
  const leaves = records.map((r) => leafOf(r));
  const rows = await tx.leaf.createManyAndReturn({
    data: leaves.map((l) => ({ kind, record: l.input.toString("utf8"), leafHash: l.hash })),
    select: { seq: true, leafHash: true },
  });
  // Matched by leaf hash (unique: every record carries its own id), not by the order of RETURNING.
  const seqByHash = new Map(rows.map((r) => [r.leafHash, r.seq]));
  return leaves.map((l) => {
    const seq = seqByHash.get(l.hash);
    if (seq === undefined) throw new Error("a queued leaf was not returned by the database");
    return seq;
  });
}

export type LeafStatus = "queued" | "batched" | "sent" | "anchored";

export async function leafStatus(db: Db, seq: number): Promise<LeafStatus | null> {
  const leaf = await db.leaf.findUnique({ where: { seq }, select: { batch: { select: { status: true } } } });
  if (!leaf) return null;
  if (!leaf.batch) return "queued";
  return leaf.batch.status === "closed" ? "batched" : (leaf.batch.status as LeafStatus);
}

export async function queuedCount(db: Db): Promise<number> {
  return db.leaf.count({ where: { batchId: null } });
}
