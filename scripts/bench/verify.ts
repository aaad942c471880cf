// Verify: POST /api/verify of an anchored item's SHA-256 at 50 connections (autocannon), every
// verdict recomputed by the platform (record, Merkle path, log proofs, signature, timestamp, CRL,
// the chain), beside a bare Express handler doing one indexed read of the same database for the
// same digest (the baseline), measured in the same run. Every answer is checked: the platform's
// must say the item is anchored and verified with no failed check.
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { BenchFailure, childEnv, fmt, fmtInt, fmtRatio, freePort, sleep, startService, table, type BenchContext, type Service, type SummaryRow } from "./common";

interface AutocannonResult {
  errors: number;
  timeouts: number;
  mismatches: number;
  statusCodeStats: Record<string, { count: number }>;
  latency: { p50: number; p99: number };
  requests: { total: number };
}
// autocannon ships no type declarations; this is the part of its programmatic API used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require("autocannon") as (opts: Record<string, unknown>) => Promise<AutocannonResult>;

const CONNECTIONS = 50;
const ADMIN = { email: "verify-admin@example.com", password: "verify-admin-password-1" };

interface Measured {
  reqPerSec: number;
  p50: number;
  p99: number;
  total: number;
}

async function measure(label: string, url: string, sha256: string, seconds: number, verifyBody: (body: string) => boolean): Promise<Measured> {
  const r = await autocannon({
    url,
    method: "POST",
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 30,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sha256 }),
    verifyBody,
  });
  const codes = Object.entries(r.statusCodeStats).map(([c, s]) => `${c}: ${s.count}`).join(", ");
  if (r.errors || r.timeouts || r.mismatches || Object.keys(r.statusCodeStats).some((c) => c !== "200") || !r.requests.total) {
    throw new BenchFailure(`${label}: errors ${r.errors}, timeouts ${r.timeouts}, wrong answers ${r.mismatches}, status codes ${codes || "none"}`);
  }
  return { reqPerSec: r.requests.total / seconds, p50: r.latency.p50, p99: r.latency.p99, total: r.requests.total };
}

/** The verdict of an anchored, verified item, with no failed check (a cheap test on every answer). */
function isVerifiedVerdict(sha256: string, evidenceId: string): (body: string) => boolean {
  const head = `{"sha256":"${sha256}","anchored":true,"matches":[{"evidenceId":"${evidenceId}","status":"anchored","verified":true,`;
  return (body) => body.startsWith(head) && !body.includes('"ok":false');
}

export async function verifyBench(ctx: BenchContext): Promise<SummaryRow[]> {
  const seconds = ctx.quick ? 5 : 20;
  const dir = fs.mkdtempSync(path.join(ctx.scratch, "verify-"));
  const dataDir = path.join(dir, "platform");
  let platform: Service | null = null;
  let baseline: Service | null = null;
  try {
    const port = await freePort();
    platform = await startService(
      "dist/server/main.js",
      port,
      {
        ...childEnv(),
        PORT: String(port),
        HOST: "127.0.0.1",
        DATA_DIR: dataDir,
        LOG_LEVEL: "silent",
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        RATE_LIMIT_PER_IP_PER_MIN: "100000000",
        RATE_LIMIT_PER_TOKEN_PER_MIN: "100000000",
      },
      "/api/health",
    );
    const login = await fetch(`${platform.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) });
    const token = ((await login.json()) as { token: string }).token;
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(randomBytes(1024))]), "e.bin");
    const up = await fetch(`${platform.url}/api/evidence`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
    if (up.status !== 201) throw new BenchFailure(`upload refused: ${up.status} ${await up.text()}`);
    const { id, sha256 } = (await up.json()) as { id: string; sha256: string };
    for (let i = 0; ; i++) {
      const p = await fetch(`${platform.url}/api/evidence/${id}/proof`, { headers: { authorization: `Bearer ${token}` } });
      if (p.status === 200) break;
      if (i > 300) throw new BenchFailure("the item was not anchored within 60 s");
      await sleep(200);
    }
    const isVerified = isVerifiedVerdict(sha256, id);
    const first = await (await fetch(`${platform.url}/api/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ sha256 }) })).text();
    if (!isVerified(first)) throw new BenchFailure(`the verdict is not a verified anchor: ${first.slice(0, 2000)}`);
    const checks = (JSON.parse(first) as { matches: { checks: { name: string }[] }[] }).matches[0].checks.map((c) => c.name);
    ctx.log(`item ${id} anchored; its verdict passes ${checks.length} checks (${checks.join(", ")})`);

    const basePort = await freePort();
    baseline = await startService(path.join(__dirname, "verify-baseline-server.ts"), basePort, { ...childEnv(), PORT: String(basePort), DATA_DIR: dataDir }, "/health");
    const baseHead = `{"sha256":"${sha256}","anchored":true,"matches":[{"id":"${id}",`;
    const base = await measure("baseline verify", `${baseline.url}/verify`, sha256, seconds, (b) => b.startsWith(baseHead));
    await baseline.stop();
    baseline = null;

    const verify = await measure("platform verify", `${platform.url}/api/verify`, sha256, seconds, isVerified);
    const ratio = verify.reqPerSec / base.reqPerSec;
    const rows = [
      ["bare Express + one indexed read (baseline)", fmt(base.reqPerSec, 1), String(base.p50), String(base.p99), fmtInt(base.total), ""],
      ["platform POST /api/verify (anchored digest)", fmt(verify.reqPerSec, 1), String(verify.p50), String(verify.p99), fmtInt(verify.total), fmtRatio(ratio)],
    ];
    console.log(`\nverify: ${CONNECTIONS} connections x ${seconds} s each, every answer checked; ratio = platform req/s / baseline req/s`);
    console.log(table(["case", "req/s", "p50 ms", "p99 ms", "requests", "ratio"], rows));
    const result = (m: Measured) => `${fmt(m.reqPerSec, 1)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, ${fmtInt(m.total)} requests, 0 errors`;
    return [
      { bench: "verify", case: `bare Express + one indexed read (baseline), ${CONNECTIONS} connections`, result: result(base), ratio: 1 },
      { bench: "verify", case: `POST /api/verify (anchored digest, verdict recomputed), ${CONNECTIONS} connections`, result: result(verify), ratio, target: ">= 0.3x", met: ratio >= 0.3 },
    ];
  } finally {
    await baseline?.stop();
    await platform?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
