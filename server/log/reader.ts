// Reading the transparency log: its checkpoints, verifier key and proofs, from the database alone
// (no signing key), so that anything assembling a proof bundle can ask for the log's part of it.
// Proofs come from the tree this process keeps of the log's entries (known-tree.ts).
import { createPublicKey } from "node:crypto";
import type { Db, Tx } from "../db/client";
import type { MerkleNodes } from "../core/merkle-nodes";
import { knownTree } from "./known-tree";
import { logIdOf, parseVerifierKey, verifierKey } from "../core/checkpoint";
import { fromHex, toHex } from "../core/hex";

export const HEAD_ID = 1;
const SPKI_ED25519 = Buffer.from("302a300506032b6570032100", "hex");

export interface LogHeadView {
  origin: string;
  treeSize: number;
  root: string;
  checkpoint: string;
  verifierKey: string;
}

export interface InclusionProof {
  leafIndex: number;
  treeSize: number;
  leafHash: string;
  auditPath: string[];
  root: string;
}

export interface ConsistencyProof {
  first: number;
  second: number;
  firstRoot: string;
  secondRoot: string;
  proof: string[];
}

/** The first `size` leaf hashes, in log order (checked to be contiguous). */
export async function leafHashesOf(db: Db | Tx, size: number): Promise<Buffer[]> {
  const rows = await db.logEntry.findMany({ where: { index: { lt: size } }, orderBy: { index: "asc" }, select: { index: true, leafHash: true } });
  if (rows.length !== size || rows.some((r, i) => r.index !== i)) throw new Error(`the log's entries below ${size} are not contiguous`);
  return rows.map((r) => fromHex(r.leafHash));
}

const verifierKeys = new Map<string, string>();

export class LogReader {
  constructor(protected readonly db: Db) {}

  async head(): Promise<LogHeadView> {
    const h = await this.db.logHead.findUniqueOrThrow({ where: { id: HEAD_ID } });
    return { origin: h.origin, treeSize: h.treeSize, root: h.root, checkpoint: h.note, verifierKey: this.keyOf(h) };
  }

  /** The note verifier key: "<name>+<key ID>+<base64(0x01 || key)>". */
  async verifierKey(): Promise<string> {
    return this.keyOf(await this.db.logHead.findUniqueOrThrow({ where: { id: HEAD_ID } }));
  }

  /** The log's id in the registry (SHA-256 of its checkpoint key). */
  async logId(): Promise<string> {
    return logIdOf(parseVerifierKey(await this.verifierKey()));
  }

  /** The verifier key of a head row read by the caller. */
  keyOf(h: { origin: string; publicKey: string }): string {
    // A pure function of the stored key, asked for on every verification: computed once per key.
    const memoKey = `${h.origin}\n${h.publicKey}`;
    const known = verifierKeys.get(memoKey);
    if (known) return known;
    if (verifierKeys.size >= 100) verifierKeys.clear();
    const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, Buffer.from(h.publicKey, "base64")]), format: "der", type: "spki" });
    const text = verifierKey(h.origin, key);
    verifierKeys.set(memoKey, text);
    return text;
  }

  /** The signed checkpoint at `treeSize`, if the log signed one at that size. */
  async checkpointAt(treeSize: number): Promise<{ treeSize: number; root: string; note: string } | null> {
    return this.db.logCheckpoint.findUnique({ where: { treeSize }, select: { treeSize: true, root: true, note: true } });
  }

  /** Checkpoints signed, smallest first, after `after`. */
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
  async inclusionProof(index: number, treeSize: number): Promise<InclusionProof | null> {
    const head = await this.headRow();
    if (index < 0 || index >= treeSize || treeSize > head.treeSize) return null;
    const tree = await knownTree(this.db).upTo(head.treeSize, head.root);
    return inclusionIn(tree, index, treeSize);
  }

  /**
   * The head with PATH(index, D[head]) and PROOF(first, D[head]) (what a proof bundle's log section
   * needs); a proof is null when out of range. `headRow` is the head when the caller read it already.
   */
  async headWithProofs(index: number, first: number, headRow?: HeadRow): Promise<{ head: LogHeadView; inclusion: InclusionProof | null; consistency: ConsistencyProof | null }> {
    const h = headRow ?? (await this.headRow());
    const size = h.treeSize;
    const tree = await knownTree(this.db).upTo(size, h.root);
    const head = { origin: h.origin, treeSize: size, root: h.root, checkpoint: h.note, verifierKey: this.keyOf(h) };
    const inclusion = index >= 0 && index < size ? inclusionIn(tree, index, size) : null;
    const consistency = first >= 1 && first <= size ? consistencyIn(tree, first, size) : null;
    return { head, inclusion, consistency };
  }

  /** PROOF(first, D[second]) with both roots; null when out of range. */
  async consistencyProof(first: number, second: number): Promise<ConsistencyProof | null> {
    const head = await this.headRow();
    if (first < 1 || first > second || second > head.treeSize) return null;
    const tree = await knownTree(this.db).upTo(head.treeSize, head.root);
    return consistencyIn(tree, first, second);
  }

  private headRow(): Promise<HeadRow> {
    return this.db.logHead.findUniqueOrThrow({ where: { id: HEAD_ID }, select: { origin: true, publicKey: true, treeSize: true, root: true, note: true } });
  }
}

/** What of the log's head a proof needs. */
export interface HeadRow {
  origin: string;
  publicKey: string;
  treeSize: number;
  root: string;
  note: string;
}

function inclusionIn(tree: MerkleNodes, index: number, size: number): InclusionProof {
  return { leafIndex: index, treeSize: size, leafHash: toHex(tree.leaf(index)), auditPath: tree.inclusionPath(index, size).map(toHex), root: toHex(tree.root(size)) };
}

function consistencyIn(tree: MerkleNodes, first: number, second: number): ConsistencyProof {
  return { first, second, firstRoot: toHex(tree.root(first)), secondRoot: toHex(tree.root(second)), proof: tree.consistencyProof(first, second).map(toHex) };
}
