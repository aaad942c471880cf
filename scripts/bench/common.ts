// Shared pieces of the benchmarks: options, timing, child processes, formatting, the summary rows.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");

/** A benchmark that broke (wrong digest, failed request, failed proof): the run exits non-zero. */
export class BenchFailure extends Error {}

export interface BenchContext {
  quick: boolean;
  /** A scratch folder of this run (under os.tmpdir()), removed at the end. */
  scratch: string;
  log(message: string): void;
}

/** One line of the final summary. `ratio` is speed relative to the baseline of the same run. */
export interface SummaryRow {
  bench: string;
  case: string;
  result: string;
  ratio: number | null;
  target?: string;
  /** Whether the target is met (informative only, unless `required`). */
  met?: boolean;
  /** The target is a budget the code must meet: a row that misses it fails the run. */
  required?: boolean;
}

export type Benchmark = (ctx: BenchContext) => Promise<SummaryRow[]>;

export const seconds = (startNs: bigint): number => Number(process.hrtime.bigint() - startNs) / 1e9;
export const now = (): bigint => process.hrtime.bigint();

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const fmt = (n: number, digits = 2): string =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const fmtInt = (n: number): string => Math.round(n).toLocaleString("en-US");
export const fmtRatio = (r: number | null): string => (r === null ? "" : `${r >= 0.1 ? fmt(r, 2) : r.toPrecision(2)}x`);

/** A plain text table; numbers-looking cells are right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const numeric = (s: string) => /^[-+]?[\d,.]+(x| s| ms|%)?$/.test(s);
  const line = (cells: string[]) =>
    cells.map((c, i) => (numeric(c) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

// ---- child processes -------------------------------------------------------------------------

const children = new Set<ChildProcess>();

/** Kills the children still running (on failure or interruption), each by its own pid. */
export function killChildren(): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  }
  children.clear();
}

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Runs a command to completion; `seconds` is its wall time (process start included). */
export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const child = track(spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] }));
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, seconds: seconds(t0) }));
  });
}

/** Like run, but fails the benchmark unless the command exits 0. */
export async function runOk(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RunResult> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    throw new BenchFailure(`${cmd} ${args.join(" ")} exited with ${r.code ?? r.signal}:\n${r.stderr.slice(-2000)}`);
  }
  return r;
}

/** node -r ts-node/register/transpile-only <script> */
export const tsNodeArgs = (script: string, ...args: string[]): string[] => ["-r", "ts-node/register/transpile-only", script, ...args];

export interface Service {
  child: ChildProcess;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** A .js script runs as it is (the compiled server); a .ts one through ts-node. */
export const nodeArgs = (script: string, ...args: string[]): string[] => (script.endsWith(".js") ? [script, ...args] : tsNodeArgs(script, ...args));

/**
 * Starts a long-running node process (see nodeArgs) and waits until `readyPath`
 * answers 200 on the given port.
 */
export async function startService(script: string, port: number, env: NodeJS.ProcessEnv, readyPath: string, timeoutMs = 120_000): Promise<Service> {
  // BENCH_CPU_PROF=<dir>: each service writes a V8 CPU profile there when it stops (what a commit
  // that acts on a benchmark shows; NODE_OPTIONS does not take --cpu-prof).
  const prof = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = track(spawn(process.execPath, [...prof, ...nodeArgs(script)], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] }));
  let out = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (out = (out + d).slice(-20_000)));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (out = (out + d).slice(-20_000)));
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new BenchFailure(`${script} exited during start:\n${out}`);
    try {
      if ((await fetch(url + readyPath)).status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new BenchFailure(`${script} did not become ready within ${timeoutMs} ms:\n${out}`);
    }
    await sleep(100);
  }
  return {
    child,
    url,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A port free right now on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Environment for a child server: only what a process needs to run (PATH, HOME, locale, temp
 * folder, NODE_* and TS_NODE_* settings), so that no platform setting of this shell leaks in and the
 * platform runs on its defaults. (Its rate limits stay well above what 32 connections from one
 * address with one token send at the sizes used here.)
 */
export function childEnv(): NodeJS.ProcessEnv {
  const keep = /^(PATH|HOME|USER|LOGNAME|SHELL|TMPDIR|TMP|TEMP|LANG|LC_[A-Z]+|TZ|UV_THREADPOOL_SIZE|NODE_[A-Z_]+|TS_NODE_[A-Z_]+)$/;
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => keep.test(k)));
}

/** Deterministic non-trivial bytes (xorshift32), fast enough to write a GiB in about a second. */
export class PatternGenerator {
  private state: number;
  constructor(seed = 0x9e3779b9) {
    this.state = seed >>> 0 || 1;
  }

  fill(buf: Buffer): Buffer {
    if (buf.byteOffset % 4 !== 0 || buf.byteLength % 4 !== 0) throw new Error("buffer must be 4-byte aligned");
    const words = new Uint32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    let x = this.state;
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x;
    }
    this.state = x >>> 0;
    return buf;
  }
}
