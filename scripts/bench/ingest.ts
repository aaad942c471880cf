// Ingest hashing: the platform's ContentStore.put (SHA-256 + SM3 + write + fsync + rename) of a
// large file, in its own process, against `sha256sum` of the same file (the baseline), with
// `openssl dgst -sha256` and `openssl dgst -sm3` for reference. The page cache is warm for all.
import fs from "node:fs";
import path from "node:path";
import {
  BenchFailure,
  PatternGenerator,
  fmt,
  fmtRatio,
  median,
  now,
  run,
  runOk,
  seconds,
  table,
  type BenchContext,
  type SummaryRow,
} from "./common";

const MiB = 1 << 20;

interface RunnerOutput {
  seconds: number;
  sha256: string;
  sm3: string;
  size: number;
  storedAt: string;
  rssBeforeKiB: number;
  maxRssKiB: number;
}

function writePatternFile(file: string, bytes: number): void {
  const gen = new PatternGenerator();
  const chunk = Buffer.alloc(MiB);
  const fd = fs.openSync(file, "w", 0o600);
  try {
    for (let off = 0; off < bytes; off += MiB) {
      const n = Math.min(MiB, bytes - off);
      gen.fill(chunk);
      let w = 0;
      while (w < n) w += fs.writeSync(fd, chunk, w, n - w);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function readWhole(file: string): void {
  const buf = Buffer.allocUnsafe(4 * MiB);
  const fd = fs.openSync(file, "r");
  try {
    while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    fs.closeSync(fd);
  }
}

/** The hex digest printed by `openssl dgst` ("SM3(file)= <hex>") or `sha256sum` ("<hex>  file"). */
function digestFrom(output: string, tool: string): string {
  const m = /(?:=\s*|^)([0-9a-f]{64})\b/m.exec(output.trim());
  if (!m) throw new BenchFailure(`cannot read a digest from ${tool}: ${output.slice(0, 200)}`);
  return m[1];
}

export async function ingestBench(ctx: BenchContext): Promise<SummaryRow[]> {
  const size = (ctx.quick ? 64 : 1024) * MiB;
  const reps = ctx.quick ? 2 : 3;
  const dir = fs.mkdtempSync(path.join(ctx.scratch, "ingest-"));
  const file = path.join(dir, "input.bin");

  let t = now();
  writePatternFile(file, size);
  ctx.log(`wrote ${size / MiB} MiB of xorshift32 pattern in ${fmt(seconds(t))} s`);
  t = now();
  readWhole(file);
  ctx.log(`page cache warmed (read once in ${fmt(seconds(t))} s)`);

  const times: Record<string, number[]> = { sha256sum: [], "openssl-sha256": [], "openssl-sm3": [], ingest: [] };
  const digests: Record<string, string> = {};
  const runnerOutputs: RunnerOutput[] = [];
  const runner = path.join(__dirname, "ingest-runner.js");

  // Rounds interleave the tools, so that a change of machine load touches all of them alike.
  for (let rep = 1; rep <= reps; rep++) {
    const a = await runOk("sha256sum", [file]);
    times.sha256sum.push(a.seconds);
    digests.sha256sum = digestFrom(a.stdout, "sha256sum");

    const b = await runOk("openssl", ["dgst", "-sha256", file]);
    times["openssl-sha256"].push(b.seconds);
    digests.opensslSha256 = digestFrom(b.stdout, "openssl dgst -sha256");

    const c = await runOk("openssl", ["dgst", "-sm3", file]);
    times["openssl-sm3"].push(c.seconds);
    digests.opensslSm3 = digestFrom(c.stdout, "openssl dgst -sm3");

    const dataDir = path.join(dir, `store-${rep}`);
    const r = await run(process.execPath, [runner, dataDir, file]);
    if (r.code !== 0) throw new BenchFailure(`ingest runner failed (${r.code ?? r.signal}):\n${r.stderr.slice(-3000)}`);
    let out: RunnerOutput;
    try {
      out = JSON.parse(r.stdout.trim().split("\n").pop()!) as RunnerOutput;
    } catch {
      throw new BenchFailure(`ingest runner printed no result:\n${r.stdout.slice(-1000)}\n${r.stderr.slice(-1000)}`);
    }
    times.ingest.push(out.seconds);
    runnerOutputs.push(out);
    // The stored copy must be the file, byte for byte in size at least; then free its space.
    const storedSize = fs.statSync(out.storedAt).size;
    fs.rmSync(dataDir, { recursive: true, force: true });

    const problems: string[] = [];
    if (digests.sha256sum !== digests.opensslSha256) problems.push(`sha256sum ${digests.sha256sum} != openssl ${digests.opensslSha256}`);
    if (out.sha256 !== "0x" + digests.opensslSha256) problems.push(`ingest SHA-256 ${out.sha256} != openssl 0x${digests.opensslSha256}`);
    if (out.sm3 !== "0x" + digests.opensslSm3) problems.push(`ingest SM3 ${out.sm3} != openssl 0x${digests.opensslSm3}`);
    if (out.size !== size) problems.push(`ingest size ${out.size} != ${size}`);
    if (storedSize !== size) problems.push(`stored object has ${storedSize} bytes, not ${size}`);
    if (problems.length) throw new BenchFailure(`ingest round ${rep}: ${problems.join("; ")}`);
    ctx.log(
      `round ${rep}/${reps}: sha256sum ${fmt(a.seconds)} s, openssl sha256 ${fmt(b.seconds)} s, sm3 ${fmt(c.seconds)} s, ` +
        `ingest ${fmt(out.seconds)} s (${fmtRatio(c.seconds / out.seconds)} of sm3, peak RSS ${fmt((out.maxRssKiB * 1024) / 1e6, 1)} MB); digests match`,
    );
  }
  fs.rmSync(dir, { recursive: true, force: true });

  const mib = size / MiB;
  const base = median(times.sha256sum);
  const peakRssMB = Math.max(...runnerOutputs.map((o) => (o.maxRssKiB * 1024) / 1e6));
  const startRssMB = median(runnerOutputs.map((o) => (o.rssBeforeKiB * 1024) / 1e6));
  const cases: { key: string; label: string; extra?: string }[] = [
    { key: "sha256sum", label: "sha256sum (baseline)" },
    { key: "openssl-sha256", label: "openssl dgst -sha256" },
    { key: "openssl-sm3", label: "openssl dgst -sm3" },
    {
      key: "ingest",
      label: "ContentStore.put (SHA-256+SM3, write, fsync)",
      extra: `peak RSS ${fmt(peakRssMB, 1)} MB (${fmt(startRssMB, 1)} MB before the put)`,
    },
  ];
  // SM3 has no hardware help, so `openssl dgst -sm3` alone bounds the ingest: its target is a share of that.
  const sm3Time = median(times["openssl-sm3"]);
  const rows: string[][] = [];
  const summary: SummaryRow[] = [];
  for (const c of cases) {
    const s = median(times[c.key]);
    const ratio = base / s;
    const ofSm3 = sm3Time / s;
    rows.push([c.label, fmt(s, 3), fmt(Math.min(...times[c.key]), 3), fmt(mib / s, 0), fmtRatio(ratio), fmtRatio(ofSm3), c.extra ?? ""]);
    const isIngest = c.key === "ingest";
    summary.push({
      bench: "ingest",
      case: `${c.label}, ${mib} MiB`,
      result: `${fmt(s, 2)} s, ${fmt(mib / s, 0)} MiB/s, ${fmtRatio(ofSm3)} of openssl dgst -sm3${c.extra ? ", " + c.extra : ""}`,
      ratio,
      ...(isIngest ? { target: ">= 0.85x of openssl dgst -sm3, RSS < 150 MB", met: ofSm3 >= 0.85 && peakRssMB < 150 } : {}),
    });
  }
  console.log(`\ningest: ${mib} MiB file, median of ${reps} rounds, page cache warm; ratio = sha256sum time / time, "of sm3" = openssl dgst -sm3 time / time`);
  console.log(table(["case", "median s", "best s", "MiB/s", "ratio", "of sm3", ""], rows));
  return summary;
}
