// Proof bundles for anchored leaves, assembled from the stored leaf, its batch and its audit path.
import type { Db } from "../db/client";
import { BUNDLE_VERSION, type ProofBundle } from "../core/proof-bundle";
import { MERKLE_ALGORITHM } from "../core/merkle";

export async function bundleForLeaf(db: Db, seq: number): Promise<ProofBundle | null> {
  const leaf = await db.leaf.findUnique({ where: { seq }, include: { batch: true } });
  const b = leaf?.batch;
  if (!leaf || !b || b.status !== "anchored" || leaf.leafIndex === null || leaf.auditPath === null) return null;
  return {
    version: BUNDLE_VERSION,
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
      registry: b.registry!,
      txHash: b.txHash!,
      blockNumber: Number(b.blockNumber),
      blockTimestamp: Number(b.blockTimestamp),
    },
    ...(b.timestampToken ? { timestamp: { format: "RFC3161", of: "merkle.root", token: b.timestampToken } } : {}),
  };
}
