// Contracts: the time and peak memory to sign a 100-page contract (--quick: 20 pages) for one signer
// (a PAdES B-T signature with a visible stamp, appended as an incremental update), and to run a whole
// three-signer flow through the HTTP API on that document (upload, send, a one-time code and a
// signature per signer, two of them in parallel, the completion certificate and the evidence
// intake). Baseline, in the same run and on the same document: pdf-lib's PDFDocument.load + save
// (once for the signature, three times for the flow). Each measurement runs in its own process
// (contracts-runner.ts), so that its peak RSS is its own; the signed results are verified.
import fs from "node:fs";
import path from "node:path";
import { BenchFailure, fmt, fmtRatio, median, run, table, tsNodeArgs, type BenchContext, type SummaryRow } from "./common";

interface RunnerOutput {
  seconds: number;
  rssBeforeKiB: number;
  maxRssKiB: number;
  size: number;
  pages?: number;
  clauses?: number;
  ok?: boolean;
  problems?: string[];
  laps?: Record<string, number>;
}

const MB = (kib: number) => (kib * 1024) / 1e6;

export async function contractsBench(ctx: BenchContext): Promise<SummaryRow[]> {
  const pages = ctx.quick ? 20 : 100;
  const reps = ctx.quick ? 2 : 3;
  const flowReps = ctx.quick ? 1 : 2;
  const dir = fs.mkdtempSync(path.join(ctx.scratch, "contracts-"));
  const runner = path.join(__dirname, "contracts-runner.ts");
  const runOne = async (...args: string[]): Promise<RunnerOutput> => {
    const r = await run(process.execPath, tsNodeArgs(runner, ...args));
    if (r.code !== 0) throw new BenchFailure(`contracts runner ${args[0]} failed (${r.code ?? r.signal}):\n${r.stderr.slice(-3000)}`);
    try {
      return JSON.parse(r.stdout.trim().split("\n").pop()!) as RunnerOutput;
    } catch {
      throw new BenchFailure(`contracts runner ${args[0]} printed no result:\n${r.stdout.slice(-1000)}\n${r.stderr.slice(-1000)}`);
    }
  };

  try {
    const contract = path.join(dir, "contract.pdf");
    const rendered = await runOne("render", contract, String(pages));
    ctx.log(
      `rendered a ${rendered.pages}-page contract from the service-agreement template (${rendered.clauses} clauses, ${fmt(rendered.size / 1e6, 2)} MB) ` +
        `in ${fmt(rendered.seconds, 2)} s, peak RSS ${fmt(MB(rendered.maxRssKiB), 0)} MB`,
    );
    if ((rendered.pages ?? 0) < pages) throw new BenchFailure(`the rendered contract has ${rendered.pages} pages, not ${pages}`);

    const base: RunnerOutput[] = [];
    const signs: RunnerOutput[] = [];
    for (let rep = 1; rep <= reps; rep++) {
      const b = await runOne("baseline", contract);
      const s = await runOne("sign", contract, path.join(dir, `signed-${rep}.pdf`));
      if (!s.ok) throw new BenchFailure(`the signed contract does not verify: ${(s.problems ?? []).join("; ")}`);
      base.push(b);
      signs.push(s);
      ctx.log(
        `round ${rep}/${reps}: load+save ${fmt(b.seconds, 3)} s; signature ${fmt(s.seconds, 3)} s (+${fmt(MB(s.maxRssKiB - s.rssBeforeKiB), 1)} MB peak over ` +
          `${fmt(MB(s.rssBeforeKiB), 0)} MB, ${s.size - rendered.size} bytes appended); the signature verifies`,
      );
    }
    const flows: RunnerOutput[] = [];
    for (let rep = 1; rep <= flowReps; rep++) {
      const f = await runOne("flow", contract, path.join(dir, `flow-${rep}`));
      if (!f.ok) throw new BenchFailure("the three-signer flow's final PDF does not verify");
      flows.push(f);
      fs.rmSync(path.join(dir, `flow-${rep}`), { recursive: true, force: true });
      const laps = Object.entries(f.laps ?? {}).map(([k, v]) => `${k} ${fmt(v, 2)} s`).join(", ");
      ctx.log(`flow ${rep}/${flowReps}: ${fmt(f.seconds, 2)} s (${laps}); peak RSS ${fmt(MB(f.maxRssKiB), 0)} MB; the final PDF's three signatures verify`);
    }

    const baseS = median(base.map((b) => b.seconds));
    const signS = median(signs.map((s) => s.seconds));
    const flowS = median(flows.map((f) => f.seconds));
    const signPeak = Math.max(...signs.map((s) => MB(s.maxRssKiB)));
    const signGrowth = Math.max(...signs.map((s) => MB(s.maxRssKiB - s.rssBeforeKiB)));
    const basePeak = Math.max(...base.map((b) => MB(b.maxRssKiB)));
    const baseGrowth = Math.max(...base.map((b) => MB(b.maxRssKiB - b.rssBeforeKiB)));
    const flowPeak = Math.max(...flows.map((f) => MB(f.maxRssKiB)));
    const flowGrowth = Math.max(...flows.map((f) => MB(f.maxRssKiB - f.rssBeforeKiB)));
    const n = rendered.pages;
    console.log(`\ncontracts: a ${n}-page contract (${fmt(rendered.size / 1e6, 2)} MB); median of ${reps} (flow: ${flowReps}); ratio = baseline time / time`);
    console.log(
      table(
        ["case", "s", "ratio", "peak RSS MB", "growth MB", ""],
        [
          ["pdf-lib load + save (baseline)", fmt(baseS, 3), fmtRatio(1), fmt(basePeak, 0), fmt(baseGrowth, 1), ""],
          ["PAdES B-T signature + stamp, one signer", fmt(signS, 3), fmtRatio(baseS / signS), fmt(signPeak, 0), fmt(signGrowth, 1), "incremental update, TSA token, CJK subset"],
          ["whole three-signer flow over HTTP", fmt(flowS, 2), fmtRatio((3 * baseS) / flowS), fmt(flowPeak, 0), fmt(flowGrowth, 1), "baseline: 3 x load + save"],
          ["render from the template (not compared)", fmt(rendered.seconds, 2), "", fmt(MB(rendered.maxRssKiB), 0), "", `${rendered.clauses} clauses`],
        ],
      ),
    );
    console.log(
      "  peak RSS is the runner process's (Node, ts-node and the platform's modules are about 200 MB before any PDF; the parsed CJK font about 20 MB more); growth is its peak above the RSS just before the measured step." +
        " The flow runs the whole platform (SQLite, embedded chain) in its process; certificates exist beforehand (no key generation timed).",
    );
    return [
      { bench: "contracts", case: `pdf-lib load + save of a ${n}-page contract (baseline)`, result: `${fmt(baseS, 3)} s, peak RSS ${fmt(basePeak, 0)} MB`, ratio: 1 },
      {
        bench: "contracts",
        case: `sign a ${n}-page contract, one signer (PAdES B-T + stamp)`,
        result: `${fmt(signS, 3)} s, peak RSS ${fmt(signPeak, 0)} MB (+${fmt(signGrowth, 1)} MB)`,
        ratio: baseS / signS,
      },
      {
        bench: "contracts",
        case: `three-signer flow on it (HTTP, 2 steps, certificate, intake)`,
        result: `${fmt(flowS, 2)} s, peak RSS ${fmt(flowPeak, 0)} MB (+${fmt(flowGrowth, 1)} MB)`,
        ratio: (3 * baseS) / flowS,
      },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
