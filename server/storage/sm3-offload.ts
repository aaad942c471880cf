// The main-thread side of sm3-worker.js: one worker per process, jobs multiplexed by id, chunk
// buffers recycled between the threads (memory stays flat however large the file), and
// backpressure: a caller waits while too many of its bytes are still queued for the worker.
import path from "node:path";
import { Worker } from "node:worker_threads";

const CHUNK_BYTES = 1024 * 1024;
const MAX_IN_FLIGHT = 8; // chunks per job

interface Job {
  inFlight: number;
  waiters: (() => void)[];
  done?: (hex: string) => void;
}

let worker: Worker | null = null;
const jobs = new Map<number, Job>();
const pool: ArrayBuffer[] = [];
let nextJob = 1;

function getWorker(): Worker {
  if (worker) return worker;
  // Plain JavaScript: without execArgv: [] the worker would inherit `-r ts-node/register` and load
  // a TypeScript compiler of its own (tens of MB) for nothing.
  const w = new Worker(path.join(__dirname, "sm3-worker.js"), { execArgv: [] });
  w.on("message", (m: { job: number; kind: string; data?: ArrayBuffer; hex?: string }) => {
    if (m.kind === "ack" && m.data && m.data.byteLength === CHUNK_BYTES && pool.length < 64) pool.push(m.data);
    const job = jobs.get(m.job);
    if (!job) return;
    if (m.kind === "ack") {
      job.inFlight--;
      if (job.inFlight < MAX_IN_FLIGHT) job.waiters.splice(0).forEach((f) => f());
    } else if (m.kind === "digest") {
      release(m.job);
      job.done?.(m.hex!);
    }
  });
  w.on("error", () => {
    worker = null;
  });
  // An idle worker must not keep the process alive; a busy one must (see release()).
  w.unref();
  worker = w;
  return w;
}

function release(id: number): void {
  jobs.delete(id);
  if (jobs.size === 0) worker?.unref();
}

/** Starts the worker ahead of the first large upload (it takes tens of milliseconds to start). */
export function startSm3Worker(): void {
  getWorker();
}

export class Sm3Offload {
  private readonly id = nextJob++;
  private readonly job: Job = { inFlight: 0, waiters: [] };
  private readonly w = getWorker();

  constructor() {
    jobs.set(this.id, this.job);
    this.w.ref();
    this.w.postMessage({ job: this.id, kind: "start" });
  }

  /** Queues the chunk (copied into a recycled buffer); resolves once the worker's backlog is small. */
  async update(chunk: Uint8Array): Promise<void> {
    for (let off = 0; off < chunk.length; off += CHUNK_BYTES) {
      const part = chunk.subarray(off, Math.min(chunk.length, off + CHUNK_BYTES));
      const buf = pool.pop() ?? new ArrayBuffer(CHUNK_BYTES);
      new Uint8Array(buf).set(part);
      this.job.inFlight++;
      this.w.postMessage({ job: this.id, kind: "chunk", data: buf, length: part.length }, [buf]);
      if (this.job.inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => this.job.waiters.push(r));
    }
  }

  digest(): Promise<string> {
    return new Promise((resolve) => {
      this.job.done = resolve;
      this.w.postMessage({ job: this.id, kind: "end" });
    });
  }

  abort(): void {
    release(this.id);
    this.w.postMessage({ job: this.id, kind: "abort" });
  }
}
