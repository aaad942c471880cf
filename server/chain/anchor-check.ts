// The on-chain half of verifying a proof bundle, against any EVM JSON-RPC endpoint: the chain is
// the one named, the transaction is a successful call that emitted Anchored(root) in the named
// block, and the registry's anchoredAt(root) names that block and its timestamp; for a bundle of the
// log (version 2), the registry's checkpointRoot(treeSize) is that root too.
import type { Provider } from "ethers";
import type { Check, ProofBundle } from "../core/proof-bundle";
import { logIdOf, parseVerifierKey } from "../core/checkpoint";
import { ProviderChainReader, REGISTRY_VERIFIER_ABI, registryInterface, type ChainReader } from "./chain-reader";

/** The registry interface third-party verifiers rely on; nothing else of the contract is needed. */
export { REGISTRY_VERIFIER_ABI };

/** @param chain a provider, or a reader that may keep confirmed answers (chain-reader.ts) */
export async function verifyAnchorOnChain(chain: Provider | ChainReader, bundle: ProofBundle, opts: { logKey?: string } = {}): Promise<Check[]> {
  const reader: ChainReader = "receipt" in chain ? chain : new ProviderChainReader(chain);
  const checks: Check[] = [];
  const { chainId, registry, txHash, blockNumber, blockTimestamp } = bundle.anchor;
  const root = bundle.merkle.root;

  const actualChain = await reader.chainId();
  const sameChain = actualChain === chainId;
  checks.push({
    name: "chain-id",
    ok: sameChain,
    detail: sameChain ? `chain ${chainId}` : `the endpoint serves chain ${actualChain}, the bundle names chain ${chainId}`,
  });
  if (!sameChain) return checks;

  const receipt = await reader.receipt(txHash);
  const event = registryInterface.getEvent("Anchored")!;
  const anchoredHere = receipt?.logs.some(
    (l) =>
      l.address.toLowerCase() === registry.toLowerCase() &&
      l.topics[0] === event.topicHash &&
      l.topics[1]?.toLowerCase() === root,
  );
  const txOk = !!receipt && receipt.status === 1 && receipt.blockNumber === blockNumber && !!anchoredHere;
  checks.push({
    name: "transaction",
    ok: txOk,
    detail: !receipt
      ? `transaction ${txHash} not found on this chain`
      : txOk
        ? `transaction ${txHash} in block ${blockNumber} emitted Anchored(${root})`
        : `transaction ${txHash} (block ${receipt.blockNumber}, status ${receipt.status}) does not anchor this root in block ${blockNumber}`,
  });
  if (!txOk) return checks;

  const [atBlock, atTime] = await reader.anchoredAt(registry, root);
  const blockTime = await reader.blockTimestamp(blockNumber);
  const rootOk = Number(atBlock) === blockNumber && Number(atTime) === blockTimestamp && blockTime === blockTimestamp;
  checks.push({
    name: "root-on-chain",
    ok: rootOk,
    detail:
      atBlock === 0n
        ? `registry ${registry} has no anchor for root ${root}`
        : rootOk
          ? `anchoredAt(root) = block ${blockNumber}, time ${new Date(blockTimestamp * 1000).toISOString()}`
          : `anchoredAt(root) = block ${atBlock}, time ${atTime}; the bundle says block ${blockNumber}, time ${blockTimestamp}`,
  });
  if (!rootOk || bundle.version !== 2) return checks;

  const treeSize = bundle.merkle.treeSize;
  // The log named by the key the offline checks verified the checkpoints with.
  const logId = logIdOf(parseVerifierKey(opts.logKey ?? bundle.log!.verifierKey));
  let onChain: string | null = null;
  let latest: [bigint, string] | null = null;
  try {
    onChain = await reader.checkpointRoot(registry, logId, treeSize);
    latest = await reader.latestCheckpoint(registry, logId);
  } catch {
    // a registry deployed before checkpoints: onChain stays null
  }
  const cpOk = onChain === root;
  checks.push({
    name: "checkpoint-on-chain",
    ok: cpOk,
    detail:
      onChain === null
        ? `registry ${registry} records no checkpoints (deployed before them)`
        : cpOk
          ? `checkpointRoot(log, ${treeSize}) = ${root}; the log's latest checkpoint on chain is of size ${latest![0]}`
          : `checkpointRoot(log ${logId}, ${treeSize}) = ${onChain}, not the bundle's root ${root}`,
  });
  return checks;
}
