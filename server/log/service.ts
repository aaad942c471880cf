// The platform's one append-only log: every anchored leaf, in acceptance order, in a single RFC 6962
// tree. Each append signs a C2SP checkpoint and publishes it with a compare-and-swap on the one head
// row (WHERE treeSize = the size read): of several instances appending at once, one wins, the others'
// transactions roll back with nothing written, so two checkpoints of one size never both exist.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import type { Db, Tx } from "../db/client";
import type { KeyVault } from "../pki/key-vault";
import { rootFromLeafHashes } from "../core/merkle";
import { EMPTY_RANGE, compactRange, extendRange, rootOfRange, type CompactRange } from "../core/compact-range";
import { rawEd25519PublicKey, signCheckpoint } from "../core/checkpoint";
import { fromHex, toHex } from "../core/hex";
import { HEAD_ID, LogReader, leafHashesOf } from "./reader";

/** The key vault context the log's private key is sealed under. */
export const KEY_CONTEXT = "transparency-log:1";

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

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === "P2002" || /Unique constraint/i.test(String((e as Error)?.message));

export class TransparencyLog extends LogReader {
  private keys: { origin: string; privateKey: KeyObject; publicKey: KeyObject } | null = null;

  constructor(
    db: Db,
    private readonly vault: KeyVault,
    private readonly defaultOrigin: string,
  ) {
    super(db);
  }

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
              compactRange: rangeText(EMPTY_RANGE),
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

  /**
   * Appends leaf hashes inside the caller's transaction and signs the new checkpoint. Throws
   * LogConflict when another instance moved the head since it was read.
   */
  async append(tx: Tx, leafHashes: Buffer[]): Promise<Appended> {
    if (leafHashes.length === 0) throw new Error("nothing to append");
    const head = await tx.logHead.findUniqueOrThrow({ where: { id: HEAD_ID }, select: { treeSize: true, root: true, compactRange: true } });
    const old = head.treeSize;
    const before = await this.rangeOf(tx, head);
    const { root, paths, range } = extendRange(before, leafHashes);
    const treeSize = range.size;
    const note = signCheckpoint({ origin: this.k.origin, treeSize, root }, this.k.origin, this.k.privateKey, this.k.publicKey);
    // The compare-and-swap first: a concurrent appender waits on the row, then finds the size changed.
    const { count } = await tx.logHead.updateMany({
      where: { id: HEAD_ID, treeSize: old },
      data: { treeSize, root: toHex(root), note, compactRange: rangeText(range), updatedAt: new Date() },
    });
    if (count !== 1) throw new LogConflict(`the log grew past ${old} meanwhile`);
    try {
      await tx.logEntry.createMany({ data: leafHashes.map((h, i) => ({ index: old + i, leafHash: toHex(h) })) });
      await tx.logCheckpoint.create({ data: { treeSize, root: toHex(root), note } });
    } catch (e) {
      if (isUniqueViolation(e)) throw new LogConflict(`log entries from ${old} were written meanwhile`);
      throw e;
    }
    return { firstIndex: old, treeSize, root: toHex(root), note, paths: paths.map((p) => p.map(toHex)) };
  }

  /**
   * The head's compact range, checked against its root; computed from the leaves for a head that has
   * none yet (a log written before it was kept), or whose range does not give its root.
   */
  private async rangeOf(tx: Tx, head: { treeSize: number; root: string; compactRange: string | null }): Promise<CompactRange> {
    if (head.compactRange !== null) {
      const range = parseRange(head.treeSize, head.compactRange);
      if (range && toHex(rootOfRange(range)) === head.root) return range;
    }
    const leaves = await leafHashesOf(tx, head.treeSize);
    if (toHex(rootFromLeafHashes(leaves)) !== head.root) throw new Error(`the log's ${head.treeSize} entries do not give its head's root`);
    // the range of the leaves is what appending them all to an empty range leaves
    return extendRange(EMPTY_RANGE, leaves).range;
  }
}

function rangeText(range: CompactRange): string {
  return JSON.stringify(range.nodes.map(toHex));
}

function parseRange(size: number, text: string): CompactRange | null {
  try {
    const nodes = JSON.parse(text);
    if (!Array.isArray(nodes) || !nodes.every((n) => typeof n === "string" && /^0x[0-9a-f]{64}$/.test(n))) return null;
    return compactRange(size, nodes.map((n: string) => fromHex(n)));
  } catch {
    return null;
  }
}
