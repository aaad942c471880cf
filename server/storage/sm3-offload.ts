// The main-thread side of sm3-worker: one worker per process, jobs multiplexed by id, and
// backpressure (a caller waits while too many of its bytes are still queued for the worker).
import path from "node:path";
import { Worker } from "node:worker_threads";

const MAX_IN_FLIGHT_BYTES = 8 * 1024 * 1024;

interface Job {
  inFlight: number;
  waiters: (() => void)[];
  done?: (hex: string) => void;
}

let worker: Worker | null = null;
const jobs = new Map<number, Job>();
let nextJob = 1;

function getWorker(): Worker {
  if (worker) return worker;
  const file = path.join(__dirname, "sm3-worker.ts");
  // The worker is TypeScript like the rest of the server: register ts-node inside it.
  const w = new Worker(`require("ts-node").register({ transpileOnly: true }); require(${JSON.stringify(file)});`, { eval: true });
  w.unref();
  w.on("message", (m: { job: number; kind: string; bytes?: number; hex?: string }) => {
    const job = jobs.get(m.job);
    if (!job) return;
    if (m.kind === "ack") {
      job.inFlight -= m.bytes ?? 0;
      if (job.inFlight <= MAX_IN_FLIGHT_BYTES) job.waiters.splice(0).forEach((f) => f());
    } else if (m.kind === "digest") {
      jobs.delete(m.job);
      job.done?.(m.hex!);
    }
  });
  w.on("error", () => {
    worker = null;
  });
  worker = w;
  return w;
}

export class Sm3Offload {
  private readonly id = nextJob++;
  private readonly job: Job = { inFlight: 0, waiters: [] };
  private readonly w = getWorker();

  constructor() {
    jobs.set(this.id, this.job);
    this.w.postMessage({ job: this.id, kind: "start" });
  }

  /** Queues a copy of the chunk; resolves once the worker's backlog is small enough. */
  async update(chunk: Uint8Array): Promise<void> {
    const copy = new Uint8Array(chunk);
    this.job.inFlight += copy.byteLength;
    this.w.postMessage({ job: this.id, kind: "chunk", data: copy }, [copy.buffer]);
    if (this.job.inFlight > MAX_IN_FLIGHT_BYTES) await new Promise<void>((r) => this.job.waiters.push(r));
  }

  digest(): Promise<string> {
    return new Promise((resolve) => {
      this.job.done = resolve;
      this.w.postMessage({ job: this.id, kind: "end" });
    });
  }

  abort(): void {
    jobs.delete(this.id);
    this.w.postMessage({ job: this.id, kind: "abort" });
  }
}
