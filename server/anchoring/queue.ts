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
