// What verifying an anchor reads from the chain, behind one interface: straight from a provider
// (ProviderChainReader), or through ConfirmedChainReader, which keeps the answers that can no
// longer change: a transaction, a block's time, a root's anchoredAt and a log's checkpoint root once
// their block has the platform's confirmations. A verdict is still recomputed from them every time;
// only the chain's latest checkpoint (which moves) is read again, at most a second old.
import { Contract, Interface, type Provider } from "ethers";

export const REGISTRY_VERIFIER_ABI = [
  "function anchoredAt(bytes32 root) view returns (uint256 blockNumber, uint256 timestamp)",
  "event Anchored(bytes32 indexed root, uint256 treeSize, address indexed anchorer)",
  "function checkpointRoot(bytes32 logId, uint256 treeSize) view returns (bytes32 root)",
  "function latestCheckpoint(bytes32 logId) view returns (uint256 treeSize, bytes32 root)",
];
export const registryInterface = new Interface(REGISTRY_VERIFIER_ABI);

export interface ReceiptFacts {
  status: number | null;
  blockNumber: number;
  logs: readonly { address: string; topics: readonly string[] }[];
}

export interface ChainReader {
  chainId(): Promise<number>;
  receipt(txHash: string): Promise<ReceiptFacts | null>;
  /** The registry's anchoredAt(root): [blockNumber, timestamp], [0, 0] when never anchored. */
  anchoredAt(registry: string, root: string): Promise<[bigint, bigint]>;
  blockTimestamp(blockNumber: number): Promise<number | null>;
  /** checkpointRoot(logId, treeSize), lower case; throws on a registry without checkpoints. */
  checkpointRoot(registry: string, logId: string, treeSize: number): Promise<string>;
  latestCheckpoint(registry: string, logId: string): Promise<[bigint, string]>;
}

export class ProviderChainReader implements ChainReader {
  constructor(protected readonly provider: Provider) {}

  async chainId(): Promise<number> {
    return Number((await this.provider.getNetwork()).chainId);
  }

  async receipt(txHash: string): Promise<ReceiptFacts | null> {
    const r = await this.provider.getTransactionReceipt(txHash);
    return r ? { status: r.status, blockNumber: r.blockNumber, logs: r.logs.map((l) => ({ address: l.address, topics: l.topics })) } : null;
  }

  async anchoredAt(registry: string, root: string): Promise<[bigint, bigint]> {
    const [atBlock, atTime] = (await this.contract(registry).anchoredAt(root)) as [bigint, bigint];
    return [atBlock, atTime];
  }

  async blockTimestamp(blockNumber: number): Promise<number | null> {
    return (await this.provider.getBlock(blockNumber))?.timestamp ?? null;
  }

  async checkpointRoot(registry: string, logId: string, treeSize: number): Promise<string> {
    return ((await this.contract(registry).checkpointRoot(logId, treeSize)) as string).toLowerCase();
  }

  async latestCheckpoint(registry: string, logId: string): Promise<[bigint, string]> {
    const [size, root] = (await this.contract(registry).latestCheckpoint(logId)) as [bigint, string];
    return [size, root];
  }

  private readonly contracts = new Map<string, Contract>();

  private contract(registry: string): Contract {
    let c = this.contracts.get(registry);
    if (!c) {
      if (this.contracts.size >= 16) this.contracts.clear();
      this.contracts.set(registry, (c = new Contract(registry, registryInterface, this.provider)));
    }
    return c;
  }
}

const ZERO_ROOT = "0x" + "0".repeat(64);
/** Entries kept per kind; past it the oldest are forgotten (read again when asked for). */
const MAX_ENTRIES = 10_000;
const LATEST_MAX_AGE_MS = 1_000;

export class ConfirmedChainReader extends ProviderChainReader {
  private network: Promise<number> | null = null;
  private readonly receipts = new Map<string, ReceiptFacts>();
  private readonly times = new Map<number, number>();
  private readonly anchors = new Map<string, [bigint, bigint]>();
  private readonly checkpoints = new Map<string, string>();
  private readonly latest = new Map<string, { at: number; value: [bigint, string] }>();

  constructor(provider: Provider, private readonly confirmations: number) {
    super(provider);
  }

  /** The endpoint serves one chain; a failed read is tried again next time. */
  chainId(): Promise<number> {
    this.network ??= super.chainId().catch((e) => {
      this.network = null;
      throw e;
    });
    return this.network;
  }

  async receipt(txHash: string): Promise<ReceiptFacts | null> {
    const key = txHash.toLowerCase();
    const hit = this.receipts.get(key);
    if (hit) return hit;
    const r = await super.receipt(txHash);
    if (r && (await this.confirmed(r.blockNumber))) remember(this.receipts, key, r);
    return r;
  }

  async anchoredAt(registry: string, root: string): Promise<[bigint, bigint]> {
    const key = `${registry.toLowerCase()} ${root.toLowerCase()}`;
    const hit = this.anchors.get(key);
    if (hit) return hit;
    const at = await super.anchoredAt(registry, root);
    if (at[0] !== 0n && (await this.confirmed(Number(at[0])))) remember(this.anchors, key, at);
    return at;
  }

  async blockTimestamp(blockNumber: number): Promise<number | null> {
    const hit = this.times.get(blockNumber);
    if (hit !== undefined) return hit;
    const t = await super.blockTimestamp(blockNumber);
    if (t !== null && (await this.confirmed(blockNumber))) remember(this.times, blockNumber, t);
    return t;
  }

  async checkpointRoot(registry: string, logId: string, treeSize: number): Promise<string> {
    const key = `${registry.toLowerCase()} ${logId.toLowerCase()} ${treeSize}`;
    const hit = this.checkpoints.get(key);
    if (hit) return hit;
    const root = await super.checkpointRoot(registry, logId, treeSize);
    // A checkpoint is recorded with its root's anchor: final once that anchor is.
    if (root !== ZERO_ROOT && this.anchors.has(`${registry.toLowerCase()} ${root}`)) remember(this.checkpoints, key, root);
    return root;
  }

  /**
   * The chain's latest checkpoint moves, and a verdict does not rest on it (it is told beside the
   * checkpoint-on-chain check): an answer is reused for up to LATEST_MAX_AGE_MS, so that a burst of
   * verifications does not ask the chain the same question once each.
   */
  async latestCheckpoint(registry: string, logId: string): Promise<[bigint, string]> {
    const key = `${registry.toLowerCase()} ${logId.toLowerCase()}`;
    const hit = this.latest.get(key);
    if (hit && Date.now() - hit.at < LATEST_MAX_AGE_MS) return hit.value;
    const value = await super.latestCheckpoint(registry, logId);
    remember(this.latest, key, { at: Date.now(), value });
    return value;
  }

  private async confirmed(blockNumber: number): Promise<boolean> {
    return (await this.provider.getBlockNumber()) - blockNumber + 1 >= this.confirmations;
  }
}

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value as K);
  map.set(key, value);
}
