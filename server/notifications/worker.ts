// The mail worker: sends what features queued in the outbox (MailMessage rows). Each row is claimed
// with a conditional update before it is sent, so two instances on one database never send the
// same row at once; the claim is a lease, so a sender that dies mid-send leaves the row to whoever
// comes after the lease expires.
//
// The guarantee: a crash after the queuing transaction committed loses nothing (the row waits,
// queued or leased). A crash between the SMTP server's acceptance and the mark "sent" re-sends the
// message once after the lease expires, with the same Message-ID, so the receiver sees an
// idempotent duplicate it can recognise. SMTP gives no way to ask whether a message was accepted,
// so "at least once, same Message-ID" is the best a sender can promise.
import fs from "node:fs";
import type { Logger } from "pino";
import type { Failpoint } from "../config";
import type { Db } from "../db/client";
import type { LinkSecrets } from "../core/link-token";
import { renderMail, type MailTemplate, type RenderedMail } from "./templates";
import type { MailTransport } from "./transport";
import { PollLoop } from "../background/poll-loop";

export type MailRow = Awaited<ReturnType<Db["mailMessage"]["findUniqueOrThrow"]>>;

export interface MailWorkerOptions {
  pollMs: number;
  leaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  failpoint?: Failpoint;
  instanceId: string;
}

// Rows looked at per cycle; a full page starts the next cycle at once.
const PAGE = 50;
const MAX_CYCLE_BACKOFF_MS = 10_000;

interface SendError {
  code?: string;
  responseCode?: number;
  permanent?: boolean;
  message?: string;
}

// A 5xx reply refuses the message for good, except 503 ("bad sequence of commands": the session's
// state was refused, not the message). `permanent` is also set by the transport on an address it
// will not send to, and by nodemailer with the same reading of the reply codes.
const isPermanent = (e: SendError) =>
  e.permanent === true || (typeof e.responseCode === "number" && e.responseCode >= 500 && e.responseCode < 600 && e.responseCode !== 503);

// The server is not there at all: the next rows would fail the same way, so the cycle ends.
const isUnreachable = (e: SendError) => e.responseCode === 421 || ["ECONNECTION", "ESOCKET", "ETIMEDOUT", "EDNS"].includes(e.code ?? "");

const describeError = (e: unknown) => String((e as SendError)?.message ?? e).slice(0, 1000);

export class MailWorker {
  private readonly loop: PollLoop;
  private sendError: string | null = null;
  /** The last pass stopped at a full page with the server reachable: more rows are due now. */
  private backlog = false;

  constructor(
    private readonly db: Db,
    private readonly transport: MailTransport,
    private readonly render: (row: MailRow) => RenderedMail,
    private readonly opts: MailWorkerOptions,
    private readonly log: Logger,
  ) {
    this.loop = new PollLoop(() => this.runOnce().then(() => this.backlog), {
      name: "mail",
      pollMs: opts.pollMs,
      maxBackoffMs: MAX_CYCLE_BACKOFF_MS,
      log,
      describe: describeError,
    });
  }

  /** Why mail is not going out right now (the database, or the last delivery attempt), or null. */
  get lastError(): string | null {
    return this.loop.lastError ?? this.sendError;
  }

  start(): void {
    this.log.info({ transport: this.transport.describe() }, "mail worker started");
    this.loop.start();
  }

  /** Stops after the message in flight; a claimed row not yet sent waits for its lease to expire. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass over the due rows; returns how many were looked at. Public for tests. */
  async runOnce(): Promise<number> {
    const now = new Date();
    const due = await this.db.mailMessage.findMany({
      where: { OR: [{ status: "queued", nextAttemptAt: { lte: now } }, { status: "sending", lockedUntil: { lt: now } }] },
      orderBy: { nextAttemptAt: "asc" },
      take: PAGE,
    });
    this.backlog = due.length === PAGE;
    for (const row of due) {
      if (this.loop.stopping) break;
      const claimed = await this.claim(row);
      if (claimed && !(await this.deliver(claimed))) {
        this.backlog = false;
        break;
      }
    }
    return due.length;
  }

  /** Takes the row for one lease, unless someone else changed it since it was read. */
  private async claim(row: MailRow): Promise<MailRow | null> {
    const now = new Date();
    const lockedUntil = new Date(now.getTime() + this.opts.leaseMs);
    const { count } = await this.db.mailMessage.updateMany({
      where: { id: row.id, status: row.status, attempts: row.attempts, ...(row.status === "sending" ? { lockedUntil: { lt: now } } : {}) },
      data: { status: "sending", lockedUntil, attempts: { increment: 1 } },
    });
    if (count !== 1) return null;
    if (row.status === "sending") this.log.warn({ mail: row.id, attempts: row.attempts }, "mail lease expired (sender crashed?): sending again");
    return { ...row, status: "sending", lockedUntil, attempts: row.attempts + 1 };
  }

  /** Sends a claimed row and records the outcome; false when the server is unreachable. */
  private async deliver(row: MailRow): Promise<boolean> {
    // Only a lease taken over can get here with its attempts used up: a sender that died on every
    // one of them (a message that crashes it, say) must not be tried forever.
    if (row.attempts > this.opts.maxAttempts) {
      await this.finish(row, { status: "failed", lockedUntil: null, lastError: row.lastError ?? "every attempt ended without an outcome (the sender died)" });
      return true;
    }
    if (this.opts.failpoint === "before-mail-send") this.crash();
    let reply: string;
    try {
      const { subject, text } = this.renderRow(row);
      ({ reply } = await this.transport.send({ messageId: row.messageId, to: row.toAddress, subject, text }));
    } catch (err) {
      return this.failed(row, err);
    }
    if (this.opts.failpoint === "after-mail-sent") this.crash();
    await this.finish(row, { status: "sent", reply: reply.slice(0, 1000), sentAt: new Date(), lockedUntil: null, lastError: null });
    this.sendError = null;
    this.log.info({ mail: row.id, template: row.template, attempts: row.attempts }, "mail sent");
    return true;
  }

  private renderRow(row: MailRow): RenderedMail {
    try {
      return this.render(row);
    } catch (err) {
      // A row that cannot be rendered never will be by retrying; an admin may retry after a fix.
      throw Object.assign(new Error(`cannot render '${row.template}': ${describeError(err)}`), { permanent: true });
    }
  }

  private async failed(row: MailRow, err: unknown): Promise<boolean> {
    const e = (err ?? {}) as SendError;
    const lastError = describeError(err);
    if (isPermanent(e) || row.attempts >= this.opts.maxAttempts) {
      await this.finish(row, { status: "failed", lockedUntil: null, lastError });
      this.log.warn({ mail: row.id, attempts: row.attempts, err: lastError }, "mail failed for good");
      return true;
    }
    const delay = Math.min(this.opts.retryMaxMs, 1000 * 2 ** (row.attempts - 1));
    await this.finish(row, { status: "queued", nextAttemptAt: new Date(Date.now() + delay), lockedUntil: null, lastError });
    this.sendError = lastError;
    this.log.warn({ mail: row.id, attempts: row.attempts, retryInMs: delay, err: lastError }, "mail not sent; will retry");
    return !isUnreachable(e);
  }

  /** Records the outcome of this claim only: a row re-claimed after our lease ran out is not ours. */
  private async finish(row: MailRow, data: Parameters<Db["mailMessage"]["updateMany"]>[0]["data"]): Promise<void> {
    const { count } = await this.db.mailMessage.updateMany({ where: { id: row.id, status: "sending", attempts: row.attempts }, data });
    if (count !== 1) this.log.warn({ mail: row.id }, "mail lease lost before its outcome was recorded");
  }

  private crash(): never {
    this.log.fatal({ failpoint: this.opts.failpoint }, "failpoint reached: killing the process");
    // pino's writes to stdout are asynchronous (and its flush does not wait for them): the line
    // could die with the process, so it also goes to stderr, synchronously.
    try {
      fs.writeSync(2, `failpoint reached (${this.opts.failpoint}): killing the process\n`);
    } catch {
      /* a full or closed stderr must not keep the process alive */
    }
    process.kill(process.pid, "SIGKILL");
    throw new Error("unreachable");
  }
}

/** Renders a row as it is sent: links and codes derived now, from the ids its parameters name. */
export function mailRenderer(publicUrl: string, secrets: LinkSecrets): (row: MailRow) => RenderedMail {
  return (row) => renderMail(row.template as MailTemplate, JSON.parse(row.params), { publicUrl, secrets });
}
