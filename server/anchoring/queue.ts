// The anchoring queue: a leaf row per record to anchor. Callers add leaves inside their own
// transaction, so a record and its place in the queue are committed together or not at all.
import type { Tx, Db } from "../db/client";
import { leafOf } from "../core/evidence-record";

/** evidence: an evidence item's record; audit-head: the audit log's head; delivery-receipt: a served document's first opening. */
export type LeafKind = "evidence" | "audit-head" | "delivery-receipt";

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
  return leaf ? statusOfBatch(leaf.batch) : null;
}

/** A leaf's status from its batch (null: not batched yet). */
export function statusOfBatch(batch: { status: string } | null): LeafStatus {
  if (!batch) return "queued";
  return batch.status === "closed" ? "batched" : (batch.status as LeafStatus);
}

export async function queuedCount(db: Db): Promise<number> {
  return db.leaf.count({ where: { batchId: null } });
}
