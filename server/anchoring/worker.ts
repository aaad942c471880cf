// The anchoring worker. Each cycle: hold the lease, close due batches (appending them to the log;
// should two instances both believe they hold the lease, the log's compare-and-swap lets one win),
// then move every open batch forward: closed -> sent -> anchored. Checkpoints go on chain in the order of their sizes, which the registry
// insists on. Its state lives in the database and on chain, never only in
// memory, so a crash at any point is recovered by the next cycle of any instance:
//  - a root already on chain is recognised (anchoredAt) and its transaction found in the logs;
//  - a recorded transaction still known to the chain is waited for, not sent again;
//  - otherwise the anchor is sent (again), and the registry itself refuses a second anchor.
import type { Logger } from "pino";
import type { Failpoint } from "../config";
import type { Db, Tx } from "../db/client";
import type { RegistryClient } from "../chain/registry-client";
import { closeDueBatches, type BatchPolicy } from "./batcher";
import { Lease } from "./lease";
import type { AuditEvent } from "../audit/service";

export interface WorkerOptions extends BatchPolicy {
  pollMs: number;
  confirmations: number;
  leaseMs: number;
  instanceId: string;
  failpoint?: Failpoint;
  /** An RFC 3161 token over a batch root, stored with the batch. */
  timestamp?: (root: Buffer) => Buffer;
  /** Written in the transaction that records a batch as anchored (the webhook outbox's events). */
  onAnchored?: (tx: Tx, batchId: number) => Promise<void>;
}

interface OpenBatch {
  id: number;
  root: string;
  treeSize: number;
  status: string;
  txHash: string | null;
  inLog: boolean;
}

// Short enough that a chain back from an outage is used within seconds; a failed RPC call costs little.
const MAX_BACKOFF_MS = 10_000;

export class AnchorWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** Set by stop(): the cycle in flight ends after its current batch, and no new cycle starts. */
  private stopping = false;
  private failures = 0;
  private readonly lease: Lease;
  lastError: string | null = null;

  constructor(
    private readonly db: Db,
    private readonly registry: RegistryClient,
    private readonly opts: WorkerOptions,
    private readonly log: Logger,
    private readonly audit?: (event: AuditEvent) => Promise<void>,
  ) {
    this.lease = new Lease(db, "anchoring", opts.instanceId, opts.leaseMs);
  }

  start(): void {
    this.stopping = false;
    this.schedule(0);
  }

  /** Stops after the cycle in flight; its batch is left in a state the next start resumes. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.lease.release().catch(() => undefined);
  }

  private schedule(delay: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.running = this.cycle().then(
        () => {
          this.failures = 0;
          this.lastError = null;
          this.schedule(this.opts.pollMs);
        },
        (err: unknown) => {
          this.failures++;
          this.lastError = err instanceof Error ? err.message : String(err);
          const backoff = Math.min(MAX_BACKOFF_MS, this.opts.pollMs * 2 ** this.failures);
          this.log.warn({ err: this.lastError, retryInMs: backoff }, "anchoring cycle failed");
          this.schedule(backoff);
        },
      );
    }, delay);
  }

  /** One pass of the worker; public so tests and benchmarks can drive it step by step. */
  async cycle(): Promise<void> {
    if (!(await this.lease.acquire())) return;
    const closed = await closeDueBatches(this.db, this.opts);
    if (closed.length) {
      this.log.info({ batches: closed }, "batches closed");
      if (this.opts.failpoint === "after-batch-closed") this.crash();
    }
    const open = await this.db.batch.findMany({
      where: { status: { in: ["closed", "sent"] } },
      orderBy: { id: "asc" },
      select: { id: true, root: true, treeSize: true, status: true, txHash: true, inLog: true },
    });
    for (const batch of open) {
      if (this.stopping) return;
      // A later checkpoint mined before an earlier one would leave the earlier one refused for good.
      if (!(await this.advance(batch)) && batch.inLog) return;
    }
  }

  /** Moves the batch on; true when its root is on chain (confirmed or not). */
  private async advance(batch: OpenBatch): Promise<boolean> {
    if (await this.recordIfAnchored(batch)) return true;
    if (batch.status === "sent" && batch.txHash && (await this.registry.isKnown(batch.txHash))) {
      const receipt = await this.registry.receipt(batch.txHash);
      if (!receipt) return false; // pending: wait for it
      if (receipt.status === 1) return true; // mined, root visible once confirmed
      this.log.warn({ batch: batch.id, txHash: batch.txHash }, "anchor transaction reverted; sending again");
    }
    const { raw, hash } = await this.registry.signAnchor(batch.root, batch.treeSize, batch.inLog ? await this.opts.log.logId() : undefined);
    await this.db.batch.update({
      where: { id: batch.id },
      data: {
        status: "sent",
        txHash: hash,
        sentAt: new Date(),
        attempts: { increment: 1 },
        chainId: String(await this.registry.getChainId()),
        registry: this.registry.address,
      },
    });
    await this.registry.broadcast(raw);
    this.log.info({ batch: batch.id, txHash: hash, treeSize: batch.treeSize }, "anchor transaction sent");
    if (this.opts.failpoint === "after-anchor-sent") this.crash();
    return this.recordIfAnchored(batch);
  }

  /** When the root is on chain with enough confirmations, records where; true if so. */
  private async recordIfAnchored(batch: OpenBatch): Promise<boolean> {
    const at = await this.registry.anchoredAt(batch.root);
    if (at.blockNumber === 0) return false;
    const head = await this.registry.blockNumber();
    if (head - at.blockNumber + 1 < this.opts.confirmations) return true; // on chain, not yet final
    const tx = await this.registry.findAnchorTx(batch.root, at.blockNumber);
    if (!tx) throw new Error(`root ${batch.root} is anchored but its event was not found`);
    const chainId = String(await this.registry.getChainId());
    // Conditional, so that what is written with the change (the webhook events) is written once.
    await this.db.$transaction(async (dbTx) => {
      const { count } = await dbTx.batch.updateMany({
        where: { id: batch.id, status: { in: ["closed", "sent"] } },
        data: {
          status: "anchored",
          txHash: tx.txHash,
          blockNumber: BigInt(at.blockNumber),
          blockTimestamp: BigInt(at.timestamp),
          chainId,
          registry: this.registry.address,
          anchoredAt: new Date(),
          lastError: null,
        },
      });
      if (count === 1) await this.opts.onAnchored?.(dbTx, batch.id);
    });
    await this.audit?.({ actorId: null, action: "batch.anchored", subject: String(batch.id), details: { root: batch.root, txHash: tx.txHash, blockNumber: at.blockNumber } });
    this.log.info({ batch: batch.id, txHash: tx.txHash, block: at.blockNumber }, "batch anchored");
    return true;
  }

  private crash(): never {
    this.log.fatal({ failpoint: this.opts.failpoint }, "failpoint reached: killing the process");
    process.kill(process.pid, "SIGKILL");
    throw new Error("unreachable");
  }
}
