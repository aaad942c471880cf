// The webhook delivery worker: sends what the outbox holds (WebhookDelivery rows), as the mail
// worker does for mail, with the same durability:
//  - a row is claimed with a conditional update (status and attempt count as read) that takes a
//    lease, so two instances on one database never send the same delivery at once, and a sender
//    that dies mid-send leaves the row to whoever comes after the lease expires;
//  - each attempt is recorded when claimed and finished with its outcome, so the attempts are
//    visible, including one whose sender died;
//  - a failed attempt is retried with exponential backoff and jitter until maxAttempts, then failed;
//  - deliveries with one ordering key (one contract) go out in sequence order: a later one waits
//    while an earlier one is pending or being sent.
// Delivery is at least once: a sender dying between the receiver's 2xx and the record re-sends
// after the lease, with the same Webhook-Id, which receivers use to recognise a duplicate.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import type { Logger } from "pino";
import type { Failpoint } from "../config";
import type { Db } from "../db/client";
import { signatureHeader } from "../core/webhook-signature";
import type { AddressPolicy } from "./address-policy";
import { retryDelayMs, type RetryPolicy } from "./retry";
import { postWebhook, type PostOutcome, type PostRequest } from "./transport";
import { PollLoop } from "../background/poll-loop";

export interface WebhookWorkerOptions {
  pollMs: number;
  leaseMs: number;
  timeoutMs: number;
  maxAttempts: number;
  concurrency: number;
  retry: RetryPolicy;
  policy: AddressPolicy;
  /** crash tests only: the process kills itself before or after the POST */
  failpoint?: Failpoint;
}

type Row = Awaited<ReturnType<Db["webhookDelivery"]["findUniqueOrThrow"]>> & { endpoint: { url: string; sealedSecret: string; enabled: boolean } };
interface Claimed {
  row: Row;
  attempts: number;
  attemptId: string;
}

const PAGE = 100;
const MAX_CYCLE_BACKOFF_MS = 10_000;
const describe = (e: unknown) => String((e as Error)?.message ?? e).slice(0, 1000);

export class WebhookWorker {
  private readonly loop: PollLoop;
  /** The last pass found a full page and sent something: more may be due now. */
  private backlog = false;

  constructor(
    private readonly db: Db,
    /** the endpoint's signing secret, unsealed */
    private readonly secretOf: (endpointId: string, sealed: string) => string,
    private readonly opts: WebhookWorkerOptions,
    private readonly log: Logger,
    private readonly post: (req: PostRequest, policy: AddressPolicy) => Promise<PostOutcome> = postWebhook,
  ) {
    this.loop = new PollLoop(() => this.runOnce().then(() => this.backlog), { name: "webhook", pollMs: opts.pollMs, maxBackoffMs: MAX_CYCLE_BACKOFF_MS, log });
  }

  /** Why the last cycle failed (the database, usually), or null. */
  get lastError(): string | null {
    return this.loop.lastError;
  }

  start(): void {
    this.loop.start();
  }

  /** Stops after the deliveries in flight. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass: the due deliveries at the head of their order, sent concurrently. Returns how many were due. */
  async runOnce(): Promise<number> {
    const now = new Date();
    const due = (await this.db.webhookDelivery.findMany({
      where: {
        endpoint: { enabled: true },
        OR: [{ status: "pending", nextAttemptAt: { lte: now } }, { status: "sending", leaseUntil: { lt: now } }],
      },
      include: { endpoint: { select: { url: true, sealedSecret: true, enabled: true } } },
      orderBy: [{ nextAttemptAt: "asc" }, { sequence: "asc" }],
      take: PAGE,
    })) as Row[];
    const ready: Row[] = [];
    for (const row of due) if (!(await this.waitsForEarlier(row, now))) ready.push(row);
    this.backlog = due.length === PAGE && ready.length > 0;
    let next = 0;
    const lane = async () => {
      while (next < ready.length && !this.loop.stopping) {
        const row = ready[next++];
        const claimed = await this.claim(row, new Date());
        if (claimed) await this.deliver(claimed);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency, ready.length) }, lane));
    return due.length;
  }

  /**
   * An earlier delivery with the same ordering key is still pending or being sent. A row waiting
   * behind one that waits for its next attempt is moved to that time: otherwise rows that cannot go
   * would stay due, fill every page, and keep other contracts' deliveries from being looked at.
   */
  private async waitsForEarlier(row: Row, now: Date): Promise<boolean> {
    const earlier = await this.db.webhookDelivery.findFirst({
      where: { endpointId: row.endpointId, orderingKey: row.orderingKey, sequence: { lt: row.sequence }, status: { in: ["pending", "sending"] } },
      orderBy: { sequence: "asc" },
      select: { status: true, nextAttemptAt: true },
    });
    if (!earlier) return false;
    if (row.status === "pending" && earlier.status === "pending" && earlier.nextAttemptAt > now) {
      await this.db.webhookDelivery.updateMany({ where: { id: row.id, status: "pending", attempts: row.attempts }, data: { nextAttemptAt: earlier.nextAttemptAt } });
    }
    return true;
  }

  /** Takes the row for one lease and opens its attempt record, unless someone changed it since it was read. */
  private async claim(row: Row, now: Date): Promise<Claimed | null> {
    const attempts = row.attempts + 1;
    const attemptId = randomUUID();
    const ok = await this.db.$transaction(async (tx) => {
      const { count } = await tx.webhookDelivery.updateMany({
        where: { id: row.id, status: row.status, attempts: row.attempts, ...(row.status === "sending" ? { leaseUntil: { lt: now } } : {}) },
        data: { status: "sending", leaseUntil: new Date(now.getTime() + this.opts.leaseMs), attempts, updatedAt: now },
      });
      if (count !== 1) return false;
      if (row.status === "sending") {
        await tx.webhookAttempt.updateMany({ where: { deliveryId: row.id, finishedAt: null }, data: { finishedAt: now, error: "no outcome recorded: the sender's lease ran out (it stopped or died)" } });
      }
      await tx.webhookAttempt.create({ data: { id: attemptId, deliveryId: row.id, number: attempts, startedAt: now } });
      return true;
    });
    if (!ok) return null;
    if (row.status === "sending") this.log.warn({ delivery: row.id, attempts: row.attempts }, "webhook lease expired (sender died?): sending again");
    return { row, attempts, attemptId };
  }

  private async deliver(c: Claimed): Promise<void> {
    const { row } = c;
    // Only a lease taken over gets here with its attempts used up: a sender dying on every one of
    // them must not be retried forever.
    if (c.attempts > this.opts.maxAttempts) {
      await this.finish(c, { statusCode: null, error: row.lastError ?? "every attempt ended without an outcome (the sender died)", durationMs: 0, refused: true });
      return;
    }
    if (this.opts.failpoint === "before-webhook-send") this.crash();
    let outcome: PostOutcome;
    try {
      const secret = this.secretOf(row.endpointId, row.endpoint.sealedSecret);
      const timestamp = Math.floor(Date.now() / 1000);
      outcome = await this.post(
        {
          url: row.endpoint.url,
          body: row.payload,
          timeoutMs: this.opts.timeoutMs,
          headers: {
            "user-agent": "evidence-platform-webhooks/1",
            "webhook-id": row.eventId,
            "webhook-timestamp": String(timestamp),
            "webhook-signature": signatureHeader(secret, timestamp, row.payload),
            "webhook-event": row.event,
          },
        },
        this.opts.policy,
      );
    } catch (err) {
      outcome = { statusCode: null, error: describe(err), durationMs: 0 };
    }
    if (this.opts.failpoint === "after-webhook-sent") this.crash();
    await this.finish(c, outcome);
  }

  private crash(): never {
    this.log.fatal({ failpoint: this.opts.failpoint }, "failpoint reached: killing the process");
    try {
      // pino writes asynchronously: the line could die with the process
      fs.writeSync(2, `failpoint reached (${this.opts.failpoint}): killing the process\n`);
    } catch {
      /* a closed stderr must not keep the process alive */
    }
    process.kill(process.pid, "SIGKILL");
    throw new Error("unreachable");
  }

  /** Records this claim's outcome only: a row re-claimed after our lease ran out is not ours. */
  private async finish(c: Claimed, o: PostOutcome): Promise<void> {
    const now = new Date();
    const delivered = o.error === null;
    const final = delivered || o.refused || c.attempts >= this.opts.maxAttempts;
    const data = delivered
      ? { status: "delivered", deliveredAt: now, leaseUntil: null, lastStatusCode: o.statusCode, lastError: null, updatedAt: now }
      : final
        ? { status: "failed", leaseUntil: null, lastStatusCode: o.statusCode, lastError: o.error, updatedAt: now }
        : { status: "pending", leaseUntil: null, nextAttemptAt: new Date(now.getTime() + retryDelayMs(c.attempts, this.opts.retry)), lastStatusCode: o.statusCode, lastError: o.error, updatedAt: now };
    const ours = await this.db.$transaction(async (tx) => {
      const { count } = await tx.webhookDelivery.updateMany({ where: { id: c.row.id, status: "sending", attempts: c.attempts }, data });
      await tx.webhookAttempt.updateMany({ where: { id: c.attemptId }, data: { finishedAt: now, statusCode: o.statusCode, error: o.error, durationMs: o.durationMs } });
      return count === 1;
    });
    if (!ours) this.log.warn({ delivery: c.row.id }, "webhook lease lost before its outcome was recorded");
    else if (delivered) this.log.info({ delivery: c.row.id, event: c.row.event, attempts: c.attempts }, "webhook delivered");
    else this.log.warn({ delivery: c.row.id, attempts: c.attempts, status: data.status, err: o.error }, final ? "webhook failed for good" : "webhook not delivered; will retry");
  }
}
