// The main-thread side of digest-worker.js: one worker per hash algorithm and process, jobs (one
// per upload) multiplexed by id. A chunk is a region of shared memory; its promise settles once the
// worker has hashed it, so the caller knows when it may reuse the memory. A worker that dies fails
// every pending call (an upload then fails instead of waiting forever) and is started again for the
// next one.
import path from "node:path";
import { Worker } from "node:worker_threads";

export type HashAlgorithm = "sha256" | "sm3";

interface Waiter {
  resolve(value: string | null): void;
  reject(error: Error): void;
}

interface JobState {
  /** One per chunk sent and not yet acknowledged, in order (a worker answers in order). */
  acks: Waiter[];
  digest?: Waiter;
}

let nextJob = 1;

export class HashWorker {
  private worker: Worker | null = null;
  private readonly jobs = new Map<number, JobState>();

  constructor(private readonly algorithm: HashAlgorithm) {}

  /** Starts the worker ahead of the first large upload (it takes tens of milliseconds to start). */
  warm(): void {
    this.get();
  }

  start(): number {
    const job = nextJob++;
    this.jobs.set(job, { acks: [] });
    const w = this.get();
    // A busy worker keeps the process alive; an idle one does not (see end and abort).
    w.ref();
    w.postMessage({ job, kind: "start" });
    return job;
  }

  /** Hashes `length` bytes at the start of `data`; resolves once the worker is done reading them. */
  chunk(job: number, data: SharedArrayBuffer, length: number): Promise<void> {
    const state = this.jobs.get(job);
    if (!state || !this.worker) return Promise.reject(new Error(`${this.algorithm} job ${job} is not running`));
    return new Promise<void>((resolve, reject) => {
      state.acks.push({ resolve: () => resolve(), reject });
      this.worker!.postMessage({ job, kind: "chunk", data, length });
    });
  }

  end(job: number): Promise<string> {
    const state = this.jobs.get(job);
    if (!state || !this.worker) return Promise.reject(new Error(`${this.algorithm} job ${job} is not running`));
    return new Promise<string>((resolve, reject) => {
      state.digest = { resolve: (hex) => (hex ? resolve(hex) : reject(new Error(`${this.algorithm} job ${job} was unknown to its worker`))), reject };
      this.worker!.postMessage({ job, kind: "end" });
    });
  }

  /** Forgets a job; call it once its chunks have settled. */
  abort(job: number): void {
    if (!this.jobs.delete(job)) return;
    this.worker?.postMessage({ job, kind: "abort" });
    this.unrefIfIdle();
  }

  private get(): Worker {
    if (this.worker) return this.worker;
    // Plain JavaScript: without execArgv: [] the worker would inherit `-r ts-node/register` and load
    // a TypeScript compiler of its own (tens of MB) for nothing.
    const w = new Worker(path.join(__dirname, "digest-worker.js"), { execArgv: [], workerData: { algorithm: this.algorithm } });
    w.on("message", (m: { job: number; kind: "ack" | "digest"; hex?: string | null }) => {
      const state = this.jobs.get(m.job);
      if (!state) return;
      if (m.kind === "ack") state.acks.shift()?.resolve(null);
      else {
        this.jobs.delete(m.job);
        this.unrefIfIdle();
        state.digest?.resolve(m.hex ?? null);
      }
    });
    const fail = (error: Error) => {
      if (this.worker !== w) return;
      this.worker = null;
      const states = [...this.jobs.values()];
      this.jobs.clear();
      for (const s of states) for (const waiter of [...s.acks.splice(0), ...(s.digest ? [s.digest] : [])]) waiter.reject(error);
    };
    w.on("error", fail);
    w.on("exit", (code) => fail(new Error(`the ${this.algorithm} worker exited (${code})`)));
    w.unref();
    this.worker = w;
    return w;
  }

  private unrefIfIdle(): void {
    if (this.jobs.size === 0) this.worker?.unref();
  }
}
