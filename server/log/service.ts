// The platform's one append-only log: every anchored leaf, in acceptance order, in a single RFC 6962
// tree. Each append signs a C2SP checkpoint and publishes it with a compare-and-swap on the one head
// row (WHERE treeSize = the size read): of several instances appending at once, one wins, the others'
// transactions roll back with nothing written, so two checkpoints of one size never both exist.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import type { Db, Tx } from "../db/client";
import type { KeyVault } from "../pki/key-vault";
import { allAuditPaths, auditPath, rootFromLeafHashes } from "../core/merkle";
import { consistencyProof } from "../core/consistency";
import { rawEd25519PublicKey, signCheckpoint, verifierKey } from "../core/checkpoint";
import { fromHex, toHex } from "../core/hex";

const HEAD_ID = 1;
const KEY_CONTEXT = "transparency-log:1";

/** Another instance appended first: this append wrote nothing and may be tried again. */
export class LogConflict extends Error {}

export interface Appended {
  /** Log index of the first leaf appended. */
  firstIndex: number;
  treeSize: number;
  root: string;
  note: string;
  /** Audit path of each appended leaf in the tree of `treeSize`. */
  paths: string[][];
}

export interface LogHeadView {
  origin: string;
  treeSize: number;
  root: string;
  checkpoint: string;
  verifierKey: string;
}

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === "P2002" || /Unique constraint/i.test(String((e as Error)?.message));

export class TransparencyLog {
  private keys: { origin: string; privateKey: KeyObject; publicKey: KeyObject } | null = null;

  constructor(
    private readonly db: Db,
    private readonly vault: KeyVault,
    private readonly defaultOrigin: string,
  ) {}

  /**
   * Opens the log, creating it (its Ed25519 key, sealed by the vault, and the empty tree's checkpoint)
   * on first start. The first instance to create it decides the origin; the others read it.
   */
  async init(): Promise<void> {
    let head = await this.db.logHead.findUnique({ where: { id: HEAD_ID } });
    if (!head) {
      const { privateKey, publicKey } = generateKeyPairSync("ed25519");
      const origin = this.defaultOrigin;
      const root = rootFromLeafHashes([]);
      try {
        await this.db.$transaction(async (tx) => {
          const note = signCheckpoint({ origin, treeSize: 0, root }, origin, privateKey, publicKey);
          await tx.logHead.create({
            data: {
              id: HEAD_ID,
              origin,
              publicKey: rawEd25519PublicKey(publicKey).toString("base64"),
              sealedKey: this.vault.seal(privateKey.export({ format: "der", type: "pkcs8" }), KEY_CONTEXT),
              treeSize: 0,
              root: toHex(root),
              note,
            },
          });
          await tx.logCheckpoint.create({ data: { treeSize: 0, root: toHex(root), note } });
        });
      } catch (e) {
        if (!isUniqueViolation(e)) throw e; // another instance created the log first: use its key
      }
      head = await this.db.logHead.findUniqueOrThrow({ where: { id: HEAD_ID } });
    }
    const privateKey = createPrivateKey({ key: this.vault.unseal(head.sealedKey, KEY_CONTEXT), format: "der", type: "pkcs8" });
    const publicKey = createPublicKey(privateKey);
    if (rawEd25519PublicKey(publicKey).toString("base64") !== head.publicKey) throw new Error("the log's sealed key does not match its public key");
    this.keys = { origin: head.origin, privateKey, publicKey };
  }

  private get k() {
    if (!this.keys) throw new Error("the transparency log is not open (init)");
    return this.keys;
  }

  get origin(): string {
    return this.k.origin;
  }

  /** The note verifier key: "<name>+<key ID>+<base64 key>". */
  verifierKey(): string {
    return verifierKey(this.k.origin, this.k.publicKey);
  }

  /**
   * Appends leaf hashes inside the caller's transaction and signs the new checkpoint. Throws
   * LogConflict when another instance moved the head since it was read.
   */
  async append(tx: Tx, leafHashes: Buffer[]): Promise<Appended> {
    if (leafHashes.length === 0) throw new Error("nothing to append");
    const head = await tx.logHead.findUniqueOrThrow({ where: { id: HEAD_ID }, select: { treeSize: true } });
    const old = head.treeSize;
    const existing = await this.leafHashes(tx, old);
    const all = [...existing, ...leafHashes];
    const { root, paths } = allAuditPaths(all);
    const treeSize = all.length;
    const note = signCheckpoint({ origin: this.k.origin, treeSize, root }, this.k.origin, this.k.privateKey, this.k.publicKey);
    // The compare-and-swap first: a concurrent appender waits on the row, then finds the size changed.
    const { count } = await tx.logHead.updateMany({
      where: { id: HEAD_ID, treeSize: old },
      data: { treeSize, root: toHex(root), note, updatedAt: new Date() },
    });
    if (count !== 1) throw new LogConflict(`the log grew past ${old} meanwhile`);
    try {
      await tx.logEntry.createMany({ data: leafHashes.map((h, i) => ({ index: old + i, leafHash: toHex(h) })) });
      await tx.logCheckpoint.create({ data: { treeSize, root: toHex(root), note } });
    } catch (e) {
      if (isUniqueViolation(e)) throw new LogConflict(`log entries from ${old} were written meanwhile`);
      throw e;
    }
    return { firstIndex: old, treeSize, root: toHex(root), note, paths: paths.slice(old).map((p) => p.map(toHex)) };
  }

  /** The first `size` leaf hashes, in log order (checked to be contiguous). */
  private async leafHashes(db: Db | Tx, size: number): Promise<Buffer[]> {
    const rows = await db.logEntry.findMany({ where: { index: { lt: size } }, orderBy: { index: "asc" }, select: { index: true, leafHash: true } });
    if (rows.length !== size || rows.some((r, i) => r.index !== i)) throw new Error(`the log's entries below ${size} are not contiguous`);
    return rows.map((r) => fromHex(r.leafHash));
  }

  async head(): Promise<LogHeadView> {
    const h = await this.db.logHead.findUniqueOrThrow({ where: { id: HEAD_ID } });
    return { origin: h.origin, treeSize: h.treeSize, root: h.root, checkpoint: h.note, verifierKey: this.verifierKey() };
  }

  /** The signed checkpoint at `treeSize`, if the log signed one at that size. */
  async checkpointAt(treeSize: number): Promise<{ treeSize: number; root: string; note: string } | null> {
    return this.db.logCheckpoint.findUnique({ where: { treeSize }, select: { treeSize: true, root: true, note: true } });
  }

  /** Every checkpoint signed, smallest first (for monitors and tests). */
  async checkpoints(after = -1, limit = 100): Promise<{ treeSize: number; root: string; note: string }[]> {
    return this.db.logCheckpoint.findMany({ where: { treeSize: { gt: after } }, orderBy: { treeSize: "asc" }, take: limit, select: { treeSize: true, root: true, note: true } });
  }

  async currentSize(): Promise<number> {
    return (await this.db.logHead.findUniqueOrThrow({ where: { id: HEAD_ID }, select: { treeSize: true } })).treeSize;
  }

  /** Index of the first entry with this leaf hash, or null. */
  async indexOf(leafHash: string): Promise<number | null> {
    const row = await this.db.logEntry.findFirst({ where: { leafHash }, orderBy: { index: "asc" }, select: { index: true } });
    return row?.index ?? null;
  }

  /** PATH(index, D[treeSize]) with the root at that size; null when out of range. */
  async inclusionProof(index: number, treeSize: number): Promise<{ leafIndex: number; treeSize: number; leafHash: string; auditPath: string[]; root: string } | null> {
    if (index < 0 || index >= treeSize || treeSize > (await this.currentSize())) return null;
    const leaves = await this.leafHashes(this.db, treeSize);
    return { leafIndex: index, treeSize, leafHash: toHex(leaves[index]), auditPath: auditPath(leaves, index).map(toHex), root: toHex(rootFromLeafHashes(leaves)) };
  }

  /** PROOF(first, D[second]) with both roots; null when out of range. */
  async consistencyProof(first: number, second: number): Promise<{ first: number; second: number; firstRoot: string; secondRoot: string; proof: string[] } | null> {
    if (first < 1 || first > second || second > (await this.currentSize())) return null;
    const leaves = await this.leafHashes(this.db, second);
    return {
      first,
      second,
      firstRoot: toHex(rootFromLeafHashes(leaves.slice(0, first))),
      secondRoot: toHex(rootFromLeafHashes(leaves)),
      proof: consistencyProof(leaves, first, second).map(toHex),
    };
  }
}
