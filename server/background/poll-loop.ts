// The loop the outbox workers share: run a cycle, then the next one at once when the cycle says more
// is due, after the poll interval when not, and after a growing pause (capped) when the cycle
// failed, which is nearly always the database being away. stop() lets the cycle in flight finish.
import type { Logger } from "pino";

export interface PollLoopOptions {
  /** what the warnings call the loop: "mail", "webhook" */
  name: string;
  pollMs: number;
  /** the longest pause after failed cycles in a row */
  maxBackoffMs: number;
  log: Logger;
  /** how a failed cycle's error is shown in lastError and the log */
  describe?: (err: unknown) => string;
}

const describeDefault = (e: unknown) => String((e as Error)?.message ?? e).slice(0, 1000);

export class PollLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopRequested = false;
  private failures = 0;
  private error: string | null = null;

  /** cycle resolves true when more work is due now (a full page was taken). */
  constructor(
    private readonly cycle: () => Promise<boolean>,
    private readonly opts: PollLoopOptions,
  ) {}

  /** Why the last cycle failed, or null once one has succeeded. */
  get lastError(): string | null {
    return this.error;
  }

  /** Set by stop(): a cycle checks it between rows so that it ends soon. */
  get stopping(): boolean {
    return this.stopRequested;
  }

  start(): void {
    this.stopRequested = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopRequested = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delay: number): void {
    if (this.stopRequested) return;
    this.timer = setTimeout(() => {
      this.running = this.cycle().then(
        (more) => {
          this.failures = 0;
          this.error = null;
          this.schedule(more ? 0 : this.opts.pollMs);
        },
        (err: unknown) => {
          this.failures++;
          this.error = (this.opts.describe ?? describeDefault)(err);
          const backoff = Math.min(this.opts.maxBackoffMs, this.opts.pollMs * 2 ** this.failures);
          this.opts.log.warn({ err: this.error, retryInMs: backoff }, `${this.opts.name} cycle failed`);
          this.schedule(backoff);
        },
      );
    }, delay);
  }
}
