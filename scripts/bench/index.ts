// `npm run bench [-- ingest|http|anchor ...] [--quick]`: the platform's benchmarks, each against a
// baseline measured in the same run, printed as ratios (speed relative to the baseline). Not a
// test: slow results do not fail the run, except a row whose target is a required budget (the
// statistics queries); a broken benchmark (a wrong digest, a refused request, a proof that does not
// verify) or a missed budget makes it exit 1. Scratch data lives in a temporary folder that is
// removed at the end.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BenchFailure, ROOT, fmtRatio, killChildren, now, seconds, fmt, table, type Benchmark, type SummaryRow } from "./common";
import { ingestBench } from "./ingest";
import { httpBench } from "./http";
import { anchorBench } from "./anchor";
import { pkiBench } from "./pki";
import { loadBench } from "./load";
import { contractsBench } from "./contracts";
import { statisticsBench } from "./statistics";
import { verifyBench } from "./verify";

const BENCHMARKS: Record<string, Benchmark> = { ingest: ingestBench, http: httpBench, anchor: anchorBench, pki: pkiBench, load: loadBench, contracts: contractsBench, statistics: statisticsBench, verify: verifyBench };

const USAGE = `usage: npm run bench [-- [ingest] [http] [anchor] [pki] [contracts] [load] [statistics] [verify] [--quick]]
  ingest   ContentStore.put of a 1 GiB file (--quick: 64 MiB) vs sha256sum
  http     10,000 (--quick: 2,000) 1 KiB multipart uploads at 32 connections vs bare Express
  anchor   100,000 (--quick: 10,000) queued leaves anchored vs in-memory Merkle trees
  pki      CMS signatures on a 1 MB file and RFC 3161 tokens vs openssl cms -sign / openssl ts -reply
  load     ingest and verify at 50 connections for 60 s (--quick: 10 s), zero errors, vs bare Express
  contracts  sign a 100-page (--quick: 20-page) contract, and a three-signer flow on it, vs pdf-lib load + save
  statistics  the dashboard's queries on 100,000 cases and 1,000,000 services (--quick: a tenth), SQLite and
           PostgreSQL (BENCH_POSTGRES_URL or TEST_POSTGRES_URL), vs SELECT count(*) on the same tables
  verify   POST /api/verify of an anchored digest at 50 connections for 20 s (--quick: 5 s), every verdict
           checked, vs bare Express doing one indexed read of the same database
  (default: all)`;

function parseArgs(argv: string[]): { names: string[]; quick: boolean } {
  let quick = false;
  const names: string[] = [];
  for (const a of argv) {
    if (a === "--quick") quick = true;
    else if (a === "-h" || a === "--help") {
      console.log(USAGE);
      process.exit(0);
    } else {
      // "ingest|http" is accepted too, as written in the usage line.
      for (const name of a.split(/[|,]/).filter(Boolean)) {
        if (!(name in BENCHMARKS)) {
          console.error(`unknown benchmark '${name}'\n${USAGE}`);
          process.exit(2);
        }
        if (!names.includes(name)) names.push(name);
      }
    }
  }
  return { names: names.length ? names : Object.keys(BENCHMARKS), quick };
}

/** The code measured: commit and whether the working tree differs (others may be editing it). */
function codeState(): string {
  const git = (...args: string[]) => spawnSync("git", args, { cwd: ROOT, encoding: "utf8" });
  const head = git("rev-parse", "--short", "HEAD");
  if (head.status !== 0) return "not a git checkout";
  const dirty = git("status", "--porcelain", "--untracked-files=no").stdout.split("\n").filter(Boolean).length;
  return `git ${head.stdout.trim()}${dirty ? ` + ${dirty} modified file${dirty === 1 ? "" : "s"}` : ""}`;
}

const loadavg = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");

async function main(): Promise<number> {
  const { names, quick } = parseArgs(process.argv.slice(2));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "evidence-bench-"));
  const cleanup = () => {
    killChildren();
    fs.rmSync(scratch, { recursive: true, force: true });
  };
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, () => {
      console.error(`\n${sig}: stopping`);
      cleanup();
      process.exit(130);
    });
  }

  console.log(
    `benchmarks: ${names.join(", ")}${quick ? " (--quick)" : ""}; node ${process.version}, ${os.cpus().length} cores, ` +
      `load average ${loadavg()}; ${codeState()}; scratch ${scratch}`,
  );
  // The server as `npm start` runs it: compiled to JavaScript, from the sources as they are now.
  spawnSync(process.execPath, [path.join(ROOT, "scripts/build-server.js")], { stdio: "inherit" });
  const summary: SummaryRow[] = [];
  const failures: { name: string; error: unknown }[] = [];
  const started = now();
  try {
    for (const name of names) {
      console.log(`\n=== ${name}`);
      const t0 = now();
      try {
        summary.push(
          ...(await BENCHMARKS[name]({
            quick,
            scratch,
            log: (m) => console.log(`  [${name}] ${m}`),
          })),
        );
        console.log(`(${name}: ${fmt(seconds(t0), 1)} s; load average now ${loadavg()})`);
      } catch (error) {
        failures.push({ name, error });
        console.error(`\n${name}: BROKEN: ${error instanceof BenchFailure ? error.message : error instanceof Error ? error.stack : error}`);
        killChildren();
      }
    }
  } finally {
    cleanup();
  }

  console.log(`\n=== summary (${quick ? "--quick, " : ""}${fmt(seconds(started), 0)} s; ratio = speed relative to the baseline of the same run, higher is faster)`);
  console.log(
    table(
      ["bench", "case", "result", "ratio", "target", "met"],
      summary.map((r) => [r.bench, r.case, r.result, fmtRatio(r.ratio), r.target ?? "", r.met === undefined ? "" : r.met ? "yes" : r.required ? "no: FAIL" : "no"]),
    ),
  );
  for (const f of failures) console.log(`${f.name}: BROKEN (${f.error instanceof Error ? f.error.message.split("\n")[0] : String(f.error)})`);
  const over = summary.filter((r) => r.required && r.met === false);
  for (const r of over) console.log(`${r.bench}: FAIL: ${r.case}: ${r.result}, over its budget (${r.target})`);
  return failures.length || over.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.stack : e);
    killChildren();
    process.exit(1);
  },
);
