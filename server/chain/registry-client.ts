// The anchor registry as the anchoring worker sees it: read where a root was anchored, find the
// transaction that anchored it, sign and broadcast an anchor transaction in separate steps (so the
// transaction's hash is recorded before it can reach the chain).
import { Contract, Interface, Transaction, type AbstractProvider, type TransactionReceipt, type Wallet } from "ethers";
import { registryArtifact } from "./registry-artifact";

export interface AnchorLocation {
  blockNumber: number;
  timestamp: number;
}

export interface AnchorTx {
  txHash: string;
  blockNumber: number;
}

export class RegistryClient {
  readonly iface: Interface;
  private readonly contract: Contract;

  private chainId: number | null;

  /** @param chainId null: read from the chain on first use (it may be unreachable at start). */
  constructor(
    readonly provider: AbstractProvider,
    readonly signer: Wallet,
    readonly address: string,
    chainId: number | null,
    private readonly deployBlock: number,
  ) {
    this.chainId = chainId;
    this.iface = new Interface(registryArtifact().abi);
    this.contract = new Contract(address, this.iface, provider);
  }

  async getChainId(): Promise<number> {
    this.chainId ??= Number((await this.provider.getNetwork()).chainId);
    return this.chainId;
  }

  /** The chain id if it is known yet. */
  get knownChainId(): number | null {
    return this.chainId;
  }

  async anchoredAt(root: string): Promise<AnchorLocation> {
    const [blockNumber, timestamp] = (await this.contract.anchoredAt(root)) as [bigint, bigint];
    return { blockNumber: Number(blockNumber), timestamp: Number(timestamp) };
  }

  /** The transaction whose Anchored event carries `root`, found through the event logs. */
  async findAnchorTx(root: string, atBlock: number): Promise<AnchorTx | null> {
    const topic = this.iface.getEvent("Anchored")!.topicHash;
    const logs = await this.provider.getLogs({
      address: this.address,
      topics: [topic, root],
      fromBlock: atBlock || this.deployBlock,
      toBlock: atBlock || "latest",
    });
    const log = logs.find((l) => !l.removed);
    return log ? { txHash: log.transactionHash, blockNumber: log.blockNumber } : null;
  }

  /** `logId`: the root is that log's at `treeSize` (anchorCheckpoint); otherwise a batch's own tree. */
  async signAnchor(root: string, treeSize: number, logId?: string): Promise<{ raw: string; hash: string }> {
    const data =
      logId && (await this.recordsCheckpoints())
        ? this.iface.encodeFunctionData("anchorCheckpoint", [logId, root, treeSize])
        : this.iface.encodeFunctionData("anchor", [root, treeSize]);
    const request = await this.signer.populateTransaction({
      to: this.address,
      data,
      nonce: await this.provider.getTransactionCount(this.signer.address, "pending"),
      chainId: await this.getChainId(),
    });
    const raw = await this.signer.signTransaction(request);
    return { raw, hash: Transaction.from(raw).hash! };
  }

  private checkpoints: boolean | null = null;

  /**
   * Whether the deployed registry has anchorCheckpoint (one deployed before it did not: its roots
   * are then anchored with anchor, and verifiers find no on-chain checkpoint for them).
   */
  async recordsCheckpoints(): Promise<boolean> {
    if (this.checkpoints === null) {
      try {
        await this.contract.latestCheckpoint("0x" + "00".repeat(32));
        this.checkpoints = true;
      } catch (e) {
        if ((e as { code?: string }).code !== "CALL_EXCEPTION" && (e as { code?: string }).code !== "BAD_DATA") throw e;
        this.checkpoints = false;
      }
    }
    return this.checkpoints;
  }

  async broadcast(raw: string): Promise<void> {
    await this.provider.broadcastTransaction(raw);
  }

  receipt(txHash: string): Promise<TransactionReceipt | null> {
    return this.provider.getTransactionReceipt(txHash);
  }

  async isKnown(txHash: string): Promise<boolean> {
    return (await this.provider.getTransaction(txHash)) !== null;
  }

  blockNumber(): Promise<number> {
    return this.provider.getBlockNumber();
  }

  async blockTimestamp(blockNumber: number): Promise<number> {
    const block = await this.provider.getBlock(blockNumber);
    if (!block) throw new Error(`block ${blockNumber} not found`);
    return block.timestamp;
  }
}
