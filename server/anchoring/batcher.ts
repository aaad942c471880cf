// Closes queued leaves into batches: a Merkle tree per batch, its root and every leaf's audit path
// written in one transaction, so a batch is either whole or absent.
import type { Db, Tx } from "../db/client";
import type { DbProvider } from "../db/url";
import { allAuditPaths } from "../core/merkle";
import { fromHex, toHex } from "../core/hex";
import { leafOf } from "../core/evidence-record";

export interface BatchPolicy {
  /** The SQL dialect for the one-statement assignment of leaves to a batch. */
  dialect: DbProvider;
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
    closed.push(await closeBatch(db, policy.dialect, queued, policy.timestamp));
    if (!full) break;
  }
  return closed;
}

/**
 * One batch: the queued leaves, then a leaf for the audit log's head, so that every batch anchors
 * the audit log as it stood when the batch closed.
 */
async function closeBatch(
  db: Db,
  dialect: DbProvider,
  queued: { seq: number; leafHash: string }[],
  timestamp?: (root: Buffer) => Buffer,
): Promise<number> {
  const head = await db.auditEntry.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true, at: true } });
  const headLeaf = head ? leafOf({ type: "audit-head", seq: head.seq, hash: head.hash, at: head.at.toISOString() }) : null;
  const hashes = [...queued.map((l) => fromHex(l.leafHash)), ...(headLeaf ? [fromHex(headLeaf.hash)] : [])];
  const { root, paths } = allAuditPaths(hashes);
  const token = timestamp ? timestamp(root).toString("base64") : null;
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
      const rows = queued.map((l, i) => ({ seq: l.seq, index: i, path: JSON.stringify(paths[i].map(toHex)) }));
      const count = await assignLeaves(tx, dialect, batch.id, rows);
      if (count !== queued.length) throw new Error(`${queued.length - count} queued leaves were batched concurrently`);
      return batch.id;
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}

/**
 * Puts every queued leaf into the batch with its index and audit path in one statement (one per
 * leaf costs a round trip each, and holds SQLite's write lock that much longer). Only leaves still
 * without a batch are taken; the count tells whether all were.
 */
async function assignLeaves(tx: Tx, dialect: DbProvider, batchId: number, rows: { seq: number; index: number; path: string }[]): Promise<number> {
  if (dialect === "postgresql") {
    return tx.$executeRawUnsafe(
      `UPDATE "Leaf" AS l SET "batchId" = $1, "leafIndex" = u.idx, "auditPath" = u.path
         FROM unnest($2::int[], $3::int[], $4::text[]) AS u(seq, idx, path)
        WHERE l."seq" = u.seq AND l."batchId" IS NULL`,
      batchId,
      rows.map((r) => r.seq),
      rows.map((r) => r.index),
      rows.map((r) => r.path),
    );
  }
  // MATERIALIZED: without it SQLite re-evaluates json_each for every row it updates.
  return tx.$executeRawUnsafe(
    `WITH j AS MATERIALIZED (SELECT value ->> 's' AS seq, value ->> 'i' AS idx, value ->> 'p' AS path FROM json_each(?))
     UPDATE "Leaf" SET "batchId" = ?, "leafIndex" = j.idx, "auditPath" = j.path
       FROM j WHERE "Leaf"."seq" = j.seq AND "Leaf"."batchId" IS NULL`,
    JSON.stringify(rows.map((r) => ({ s: r.seq, i: r.index, p: r.path }))),
    batchId,
  );
}
