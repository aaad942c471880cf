// Load: ingest (1 KiB multipart uploads) and verify (digest lookups) at 50 concurrent connections
// for 60 s each (autocannon), with zero errors required, beside a bare Express app answering the
// same requests in the same run. The platform runs as `npm start` does; its rate limits are raised
// for the run, since all the load comes from one client address and one token.
import path from "node:path";
import fs from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { BenchFailure, childEnv, fmt, fmtInt, freePort, startService, type BenchContext, type Service, type SummaryRow } from "./common";

interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
  latency: { p50: number; p99: number };
  requests: { average: number; total: number };
}
// autocannon ships no type declarations; this is the part of its programmatic API used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require("autocannon") as (opts: Record<string, unknown>) => Promise<AutocannonResult>;

const CONNECTIONS = 50;
const ADMIN = { email: "load-admin@example.com", password: "load-admin-password-1" };

interface Measured {
  reqPerSec: number;
  p50: number;
  p99: number;
  total: number;
}

async function run(label: string, url: string, headers: Record<string, string>, body: Buffer, seconds: number, expected: number): Promise<Measured> {
  const r = await autocannon({ url, method: "POST", connections: CONNECTIONS, duration: seconds, timeout: 30, headers, body });
  const codes = Object.entries(r.statusCodeStats).map(([c, s]) => `${c}: ${s.count}`).join(", ");
  const onlyExpected = Object.keys(r.statusCodeStats).every((c) => Number(c) === expected);
  if (r.errors !== 0 || r.timeouts !== 0 || !onlyExpected || r.requests.total === 0) {
    throw new BenchFailure(`${label}: errors ${r.errors}, timeouts ${r.timeouts}, status codes ${codes || "none"} (expected only ${expected})`);
  }
  return { reqPerSec: r.requests.total / seconds, p50: r.latency.p50, p99: r.latency.p99, total: r.requests.total };
}

function multipart(): { body: Buffer; contentType: string } {
  const boundary = `----evidence-load-${randomBytes(8).toString("hex")}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="e.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    randomBytes(1024),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

export async function loadBench(ctx: BenchContext): Promise<SummaryRow[]> {
  const seconds = ctx.quick ? 10 : 60;
  const dir = fs.mkdtempSync(path.join(ctx.scratch, "load-"));
  const upload = multipart();
  let service: Service | null = null;
  const rows: SummaryRow[] = [];
  try {
    const basePort = await freePort();
    service = await startService(path.join(__dirname, "http-baseline-server.ts"), basePort, { ...childEnv(), PORT: String(basePort) }, "/health");
    const baseIngest = await run("baseline ingest", `${service.url}/upload`, { "content-type": upload.contentType }, upload.body, seconds, 201);
    const verifyBody = Buffer.from(JSON.stringify({ sha256: "0x" + createHash("sha256").update("load").digest("hex") }));
    const baseVerify = await run("baseline verify", `${service.url}/verify`, { "content-type": "application/json" }, verifyBody, seconds, 200);
    await service.stop();
    service = null;

    const port = await freePort();
    service = await startService(
      "dist/server/main.js",
      port,
      {
        ...childEnv(),
        PORT: String(port),
        HOST: "127.0.0.1",
        DATA_DIR: path.join(dir, "platform"),
        LOG_LEVEL: "silent",
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        RATE_LIMIT_PER_IP_PER_MIN: "100000000",
        RATE_LIMIT_PER_TOKEN_PER_MIN: "100000000",
      },
      "/api/health",
    );
    const login = await fetch(`${service.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) });
    const token = ((await login.json()) as { token: string }).token;
    // One anchored item, so that verification does real work (record, path, signature, timestamp, chain).
    const first = await fetch(`${service.url}/api/evidence`, { method: "POST", headers: { "content-type": upload.contentType, authorization: `Bearer ${token}` }, body: new Uint8Array(upload.body) });
    if (first.status !== 201) throw new BenchFailure(`upload refused: ${first.status}`);
    const { id, sha256 } = (await first.json()) as { id: string; sha256: string };
    for (let i = 0; ; i++) {
      const p = await fetch(`${service.url}/api/evidence/${id}/proof`, { headers: { authorization: `Bearer ${token}` } });
      if (p.status === 200) break;
      if (i > 300) throw new BenchFailure("the first item was not anchored within 60 s");
      await new Promise((r) => setTimeout(r, 200));
    }
    const verify = await run("platform verify", `${service.url}/api/verify`, { "content-type": "application/json" }, Buffer.from(JSON.stringify({ sha256 })), seconds, 200);
    const ingest = await run("platform ingest", `${service.url}/api/evidence`, { "content-type": upload.contentType, authorization: `Bearer ${token}` }, upload.body, seconds, 201);
    ctx.log(`ingest ${fmt(ingest.reqPerSec, 1)} req/s p99 ${ingest.p99} ms; verify ${fmt(verify.reqPerSec, 1)} req/s p99 ${verify.p99} ms`);
    const row = (what: string, m: Measured, base: Measured | null): SummaryRow => ({
      bench: "load",
      case: `${what}, ${CONNECTIONS} connections x ${seconds} s`,
      result: `${fmt(m.reqPerSec, 1)} req/s, p99 ${m.p99} ms, ${fmtInt(m.total)} requests, 0 errors`,
      ratio: base ? m.reqPerSec / base.reqPerSec : 1,
    });
    rows.push(
      row("bare Express POST /upload (baseline)", baseIngest, null),
      row("platform POST /api/evidence (1 KiB multipart)", ingest, baseIngest),
      row("bare Express POST /verify (baseline)", baseVerify, null),
      row("platform POST /api/verify (anchored digest)", verify, baseVerify),
    );
    return rows;
  } finally {
    await service?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
