// The log's tree as this process has read it, per database client: entries are appended and never
// change, so each read asks only for the entries added since the last one, and proofs come from the
// kept subtree hashes (core/merkle-nodes.ts) in O(log n) instead of reading and hashing every leaf.
// Another writer (a second instance) only appends too; a tree that does not end in the head's root
// (a database restored or replaced under a running process) is read again from the start, and a
// second mismatch is an error, never a proof.
import type { Db } from "../db/client";
import { MerkleNodes } from "../core/merkle-nodes";
import { fromHex, toHex } from "../core/hex";

const READ_PAGE = 50_000;

export class KnownTree {
  private tree = new MerkleNodes();
  private reading: Promise<void> = Promise.resolve();

  constructor(private readonly db: Db) {}

  /**
   * The tree with at least `size` leaves, checked against `root` (the head's, or a checkpoint's, at
   * that size). Concurrent callers share one read.
   */
  async upTo(size: number, root: string): Promise<MerkleNodes> {
    const run = this.reading.then(() => this.extend(size, root));
    this.reading = run.catch(() => undefined);
    await run;
    return this.tree;
  }

  private async extend(size: number, root: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await this.readTo(size);
      if (size === 0) return;
      if (toHex(this.tree.root(size)) === root.toLowerCase()) return;
      if (attempt > 0) throw new Error(`the log's entries below ${size} do not hash to its root ${root}`);
      this.tree = new MerkleNodes();
    }
  }

  private async readTo(size: number): Promise<void> {
    while (this.tree.size < size) {
      const from = this.tree.size;
      const to = Math.min(size, from + READ_PAGE);
      const rows = await this.db.logEntry.findMany({ where: { index: { gte: from, lt: to } }, orderBy: { index: "asc" }, select: { index: true, leafHash: true } });
      if (rows.length !== to - from || rows.some((r, i) => r.index !== from + i)) throw new Error(`the log's entries from ${from} to ${to} are not contiguous`);
      for (const r of rows) this.tree.append(fromHex(r.leafHash));
    }
  }
}

const trees = new WeakMap<Db, KnownTree>();

/** The tree kept for this database client. */
export function knownTree(db: Db): KnownTree {
  let t = trees.get(db);
  if (!t) trees.set(db, (t = new KnownTree(db)));
  return t;
}
