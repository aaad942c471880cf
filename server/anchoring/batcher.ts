// Closes queued leaves into batches: each batch appends its leaves to the one log, and records the
// log's new checkpoint (size, root) as the batch's root with every leaf's log index and audit path,
// in one transaction, so a batch is either whole or absent.
import type { Db, Tx } from "../db/client";
import type { DbProvider } from "../db/url";
import { fromHex } from "../core/hex";
import { leafOf } from "../core/evidence-record";
import { LogConflict, type TransparencyLog } from "../log/service";

export interface BatchPolicy {
  /** The SQL dialect for the one-statement assignment of leaves to a batch. */
  dialect: DbProvider;
  maxItems: number;
  maxAgeMs: number;
  /** An RFC 3161 token over the root, stored with the batch. */
  timestamp?: (root: Buffer) => Buffer;
  /** The log every batch is appended to. */
  log: TransparencyLog;
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
    try {
      closed.push(await closeBatch(db, policy, queued));
    } catch (e) {
      // Another instance appended (these leaves, or others) first: nothing was written here.
      if (e instanceof LogConflict) break;
      throw e;
    }
    if (!full) break;
  }
  return closed;
}

/**
 * One batch: the queued leaves, then a leaf for the audit log's head, so that every batch anchors
 * the audit log as it stood when the batch closed.
 */
async function closeBatch(db: Db, policy: BatchPolicy, queued: { seq: number; leafHash: string }[]): Promise<number> {
  const head = await db.auditEntry.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true, at: true } });
  const headLeaf = head ? leafOf({ type: "audit-head", seq: head.seq, hash: head.hash, at: head.at.toISOString() }) : null;
  const hashes = [...queued.map((l) => fromHex(l.leafHash)), ...(headLeaf ? [fromHex(headLeaf.hash)] : [])];
  return db.$transaction(
    async (tx) => {
      const appended = await policy.log.append(tx, hashes);
      const token = policy.timestamp ? policy.timestamp(fromHex(appended.root)).toString("base64") : null;
      const batch = await tx.batch.create({
        data: { root: appended.root, treeSize: appended.treeSize, status: "closed", timestampToken: token, inLog: true },
      });
      if (headLeaf) {
        await tx.leaf.create({
          data: {
            kind: "audit-head",
            record: headLeaf.input.toString("utf8"),
            leafHash: headLeaf.hash,
            batchId: batch.id,
            leafIndex: appended.firstIndex + queued.length,
            auditPath: JSON.stringify(appended.paths[queued.length]),
          },
        });
      }
      const rows = queued.map((l, i) => ({ seq: l.seq, index: appended.firstIndex + i, path: JSON.stringify(appended.paths[i]) }));
      const count = await assignLeaves(tx, policy.dialect, batch.id, rows);
      if (count !== queued.length) throw new LogConflict(`${queued.length - count} queued leaves were batched concurrently`);
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
