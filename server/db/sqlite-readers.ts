// A few threads, each with its own read-only connection to the SQLite file (sqlite-reader-worker.js):
// the statistics' statements run there, side by side on the machine's cores, instead of one after the
// other on the event loop, where a second-long aggregate would stall every request meanwhile. Each
// statement reads a consistent snapshot (WAL); statements of one figure may see different commits,
// as on PostgreSQL's pool. A thread that dies fails the statements it held and is started again for
// the next one; an idle thread does not keep the process alive.
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { RawReader, RawValue } from "./raw-reader";

interface Pending {
  resolve(rows: unknown[]): void;
  reject(error: Error): void;
}

interface Reader {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** A statement's failure in a reader thread, with SQLite's error code. */
export class SqliteReadError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = "SqliteReadError";
  }
}

export class SqliteReaders implements RawReader {
  private readonly readers: (Reader | null)[];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly opts: { threads?: number; busyTimeoutMs?: number } = {},
  ) {
    this.readers = new Array(Math.max(1, opts.threads ?? Math.min(4, os.availableParallelism()))).fill(null);
  }

  query<T>(text: string, values: readonly RawValue[]): Promise<T[]> {
    if (this.closed) return Promise.reject(new Error("the SQLite readers are closed"));
    const reader = this.leastBusy();
    const id = this.nextId++;
    return new Promise<T[]>((resolve, reject) => {
      reader.pending.set(id, { resolve: resolve as (rows: unknown[]) => void, reject });
      reader.worker.ref();
      reader.worker.postMessage({ id, text, values });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const running = this.readers.filter((r): r is Reader => r !== null);
    this.readers.fill(null);
    await Promise.all(running.map((r) => r.worker.terminate()));
  }

  private leastBusy(): Reader {
    let best = -1;
    for (let i = 0; i < this.readers.length; i++) {
      const r = this.readers[i];
      if (!r) {
        // a thread not started yet (or gone) is idle by definition
        best = i;
        break;
      }
      if (best < 0 || r.pending.size < (this.readers[best] as Reader).pending.size) best = i;
    }
    return this.readers[best] ?? this.start(best);
  }

  private start(slot: number): Reader {
    // execArgv: [] so that the thread does not inherit `-r ts-node/register`
    const worker = new Worker(path.join(__dirname, "sqlite-reader-worker.js"), { execArgv: [], workerData: { file: this.file, busyTimeoutMs: this.opts.busyTimeoutMs ?? 10_000 } });
    const reader: Reader = { worker, pending: new Map() };
    worker.on("message", (m: { id: number; rows?: unknown[]; error?: { message: string; code?: string } }) => {
      const p = reader.pending.get(m.id);
      if (!p) return;
      reader.pending.delete(m.id);
      if (reader.pending.size === 0) worker.unref();
      if (m.error) p.reject(new SqliteReadError(m.error.message, m.error.code));
      else p.resolve(m.rows ?? []);
    });
    const fail = (error: Error) => {
      if (this.readers[slot] === reader) this.readers[slot] = null;
      const waiting = [...reader.pending.values()];
      reader.pending.clear();
      for (const p of waiting) p.reject(error);
    };
    // an error thrown in the thread arrives cloned, not always as an Error (better-sqlite3's own
    // errors come as plain objects with their code, e.g. SQLITE_CANTOPEN)
    worker.on("error", (e: unknown) => {
      const x = e as { message?: unknown; code?: unknown } | null;
      fail(e instanceof Error ? e : new SqliteReadError(String(x?.message ?? "an SQLite reader thread failed"), x?.code ? String(x.code) : undefined));
    });
    worker.on("exit", (code) => fail(new Error(`an SQLite reader thread exited (${code})`)));
    worker.unref();
    this.readers[slot] = reader;
    return reader;
  }
}
