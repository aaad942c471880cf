// Closes queued leaves into batches: a Merkle tree per batch, its root and every leaf's audit path
// written in one transaction, so a batch is either whole or absent.
import type { Db } from "../db/client";
import { allAuditPaths } from "../core/merkle";
import { fromHex, toHex } from "../core/hex";
import { leafOf } from "../core/evidence-record";

export interface BatchPolicy {
  maxItems: number;
  maxAgeMs: number;
  /** An RFC 3161 token over the root, stored with the batch. */
  timestamp?: (root: Buffer) => Buffer;
}

/** Closes every batch that is due; returns the ids of the batches closed. */
export async function closeDueBatches(db: Db, policy: BatchPolicy, now = Date.now()): Promise<number[]> {
  const closed: number[] = [];
  for (;;) {
    const queued = await db.leaf.findMany({
      where: { batchId: null },
      orderBy: { seq: "asc" },
      take: policy.maxItems,
      select: { seq: true, leafHash: true, createdAt: true },
    });
    if (queued.length === 0) break;
    const full = queued.length >= policy.maxItems;
    if (!full && now - queued[0].createdAt.getTime() < policy.maxAgeMs) break;
    closed.push(await closeBatch(db, queued, policy.timestamp));
    if (!full) break;
  }
  return closed;
}

/**
 * One batch: the queued leaves, then a leaf for the audit log's head, so that every batch anchors
 * the audit log as it stood when the batch closed.
 */
async function closeBatch(db: Db, queued: { seq: number; leafHash: string }[], timestamp?: (root: Buffer) => Buffer): Promise<number> {
  const head = await db.auditEntry.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true, at: true } });
  const headLeaf = head ? leafOf({ type: "audit-head", seq: head.seq, hash: head.hash, at: head.at.toISOString() }) : null;
  const hashes = [...queued.map((l) => fromHex(l.leafHash)), ...(headLeaf ? [fromHex(headLeaf.hash)] : [])];
  const { root, paths } = allAuditPaths(hashes);
  const token = timestamp ? timestamp(root).toString("base64") : null;
  const leaves = queued;
  return db.$transaction(
    async (tx) => {
      const batch = await tx.batch.create({ data: { root: toHex(root), treeSize: hashes.length, status: "closed", timestampToken: token } });
      if (headLeaf) {
        await tx.leaf.create({
          data: {
            kind: "audit-head",
            record: headLeaf.input.toString("utf8"),
            leafHash: headLeaf.hash,
            batchId: batch.id,
            leafIndex: queued.length,
            auditPath: JSON.stringify(paths[queued.length].map(toHex)),
          },
        });
      }
      for (let i = 0; i < leaves.length; i++) {
        const { count } = await tx.leaf.updateMany({
          where: { seq: leaves[i].seq, batchId: null },
          data: { batchId: batch.id, leafIndex: i, auditPath: JSON.stringify(paths[i].map(toHex)) },
        });
        if (count !== 1) throw new Error(`leaf ${leaves[i].seq} was batched concurrently`);
      }
      return batch.id;
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}
