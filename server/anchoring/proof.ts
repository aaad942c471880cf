// Proof bundles for anchored leaves, assembled from the stored leaf, its batch and its audit path.
// A batch of the log gives a version 2 bundle, with the log's part: the anchored checkpoint, the
// latest one, and the proofs between the leaf, the two checkpoints.
import type { Db } from "../db/client";
import { BUNDLE_VERSION, BUNDLE_VERSION_LOG, type ProofBundle } from "../core/proof-bundle";
import { MERKLE_ALGORITHM } from "../core/merkle";
import type { LogSection } from "../core/log-bundle";
import { LogReader, type HeadRow } from "../log/reader";

/** What of a leaf and its batch a bundle is made of (a Prisma row or a raw one converted). */
export interface AnchoredLeaf {
  record: string;
  leafHash: string;
  leafIndex: number;
  auditPath: string;
  batch: {
    root: string;
    treeSize: number;
    inLog: boolean;
    chainId: string | number;
    registry: string;
    txHash: string;
    blockNumber: number | bigint;
    blockTimestamp: number | bigint;
    timestampToken: string | null;
  };
}

export async function bundleForLeaf(db: Db, seq: number): Promise<ProofBundle | null> {
  const leaf = await db.leaf.findUnique({ where: { seq }, include: { batch: true } });
  const b = leaf?.batch;
  if (!leaf || !b || b.status !== "anchored" || leaf.leafIndex === null || leaf.auditPath === null) return null;
  const log = b.inLog ? await logSection(new LogReader(db), leaf.leafIndex, b.treeSize) : undefined;
  return bundleOf({ ...leaf, leafIndex: leaf.leafIndex, auditPath: leaf.auditPath, batch: { ...b, chainId: b.chainId!, registry: b.registry!, txHash: b.txHash!, blockNumber: b.blockNumber!, blockTimestamp: b.blockTimestamp! } }, log);
}

/** The bundle of an anchored leaf, with the log's part when its batch is of the log. */
export function bundleOf(leaf: AnchoredLeaf, log: LogSection | undefined): ProofBundle {
  const b = leaf.batch;
  return {
    version: log ? BUNDLE_VERSION_LOG : BUNDLE_VERSION,
    record: JSON.parse(leaf.record),
    merkle: {
      algorithm: MERKLE_ALGORITHM,
      leafHash: leaf.leafHash,
      leafIndex: leaf.leafIndex,
      treeSize: b.treeSize,
      auditPath: JSON.parse(leaf.auditPath),
      root: b.root,
    },
    anchor: {
      chainId: Number(b.chainId),
      registry: b.registry,
      txHash: b.txHash,
      blockNumber: Number(b.blockNumber),
      blockTimestamp: Number(b.blockTimestamp),
    },
    ...(log ? { log } : {}),
    ...(b.timestampToken ? { timestamp: { format: "RFC3161", of: "merkle.root", token: b.timestampToken } } : {}),
  };
}

/**
 * The log's part of a bundle of leaf `leafIndex` anchored at `anchoredSize`. `known` is what the
 * caller read already: the anchored checkpoint's note and the log's head.
 */
export async function logSection(reader: LogReader, leafIndex: number, anchoredSize: number, known: { anchoredNote?: string | null; head?: HeadRow } = {}): Promise<LogSection> {
  const anchoredNote = known.anchoredNote ?? (await reader.checkpointAt(anchoredSize))?.note;
  if (!anchoredNote) throw new Error(`the log has no checkpoint of size ${anchoredSize}, which a batch anchored`);
  const { head, inclusion, consistency } = await reader.headWithProofs(leafIndex, anchoredSize, known.head);
  if (!inclusion || !consistency) throw new Error(`the log at ${head.treeSize} has no proofs for leaf ${leafIndex} of ${anchoredSize}`);
  return {
    origin: head.origin,
    verifierKey: head.verifierKey,
    anchoredCheckpoint: anchoredNote,
    checkpoint: head.checkpoint,
    inclusion: { treeSize: inclusion.treeSize, auditPath: inclusion.auditPath },
    consistency: { from: consistency.first, to: consistency.second, proof: consistency.proof },
  };
}
