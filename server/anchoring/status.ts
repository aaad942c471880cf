// The anchoring pipeline as an operator sees it: how many leaves wait, the recent batches with
// their transaction and confirmations, the chain's health and the worker's last error.
import type { Db } from "../db/client";
import type { RegistryClient } from "../chain/registry-client";
import { queuedCount } from "./queue";

export async function anchoringStatus(db: Db, registry: RegistryClient, lastError: () => string | null, limit = 20) {
  const [queued, batches] = await Promise.all([queuedCount(db), db.batch.findMany({ orderBy: { id: "desc" }, take: limit })]);
  let chain: { ok: true; chainId: number; blockNumber: number; registry: string } | { ok: false; error: string };
  try {
    chain = { ok: true, chainId: await registry.getChainId(), blockNumber: await registry.blockNumber(), registry: registry.address };
  } catch (e) {
    chain = { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  const head = chain.ok ? chain.blockNumber : null;
  return {
    queued,
    chain,
    lastError: lastError(),
    batches: batches.map((b) => ({
      id: b.id,
      root: b.root,
      treeSize: b.treeSize,
      status: b.status,
      createdAt: b.createdAt.toISOString(),
      txHash: b.txHash,
      blockNumber: b.blockNumber === null ? null : Number(b.blockNumber),
      confirmations: b.blockNumber !== null && head !== null ? Math.max(0, head - Number(b.blockNumber) + 1) : null,
      anchoredAt: b.anchoredAt?.toISOString() ?? null,
      attempts: b.attempts,
      lastError: b.lastError,
    })),
  };
}
