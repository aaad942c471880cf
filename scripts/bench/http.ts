// HTTP intake: many small multipart uploads at 32 concurrent connections (autocannon, in this
// process) against the platform (`dist/server/main.js`, as `npm start` runs it, in a child process, defaults: SQLite, embedded
// chain, anchoring running during the load) and against a bare Express 5 app in another child
// process (the baseline) that only reads the body and answers 201.
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import {
  BenchFailure,
  PatternGenerator,
  childEnv,
  fmt,
  fmtInt,
  fmtRatio,
  freePort,
  now,
  seconds,
  sleep,
  startService,
  table,
  type BenchContext,
  type Service,
  type SummaryRow,
} from "./common";

interface Histogram {
  average: number;
  p50: number;
  p99: number;
  max: number;
  total: number;
}

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
  statusCodeStats: Record<string, { count: number }>;
  latency: Histogram;
  requests: Histogram & { sent: number };
}

interface AutocannonOptions {
  url: string;
  method: "POST";
  connections: number;
  amount: number;
  timeout: number;
  headers: Record<string, string>;
  body: Buffer;
}

// autocannon ships no type declarations; this is the part of its programmatic API used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require("autocannon") as (opts: AutocannonOptions) => Promise<AutocannonResult>;

const CONNECTIONS = 32;
const ADMIN = { email: "bench-admin@example.com", password: "bench-admin-password-1" };

/** A fixed multipart/form-data body with one ~1 KiB file part named "file". */
function multipartBody(fileBytes: number): { body: Buffer; contentType: string } {
  const boundary = `----evidence-bench-${randomBytes(8).toString("hex")}`;
  const content = new PatternGenerator(0x1234567).fill(Buffer.alloc(fileBytes));
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\n` +
        `Content-Disposition: form-data; name="file"; filename="evidence.bin"\r\n` +
        `Content-Type: application/octet-stream\r\n\r\n`,
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

interface Measured {
  reqPerSec: number;
  p50: number;
  p99: number;
  seconds: number;
  completed: number;
}

async function load(url: string, headers: Record<string, string>, body: Buffer, amount: number, label: string): Promise<Measured> {
  const t0 = now();
  const r = await autocannon({ url, method: "POST", connections: CONNECTIONS, amount, timeout: 60, headers, body });
  const wall = seconds(t0);
  const codes = Object.entries(r.statusCodeStats)
    .map(([code, s]) => `${code}: ${s.count}`)
    .join(", ");
  const completed = r.requests.total;
  const only201 = Object.keys(r.statusCodeStats).every((c) => c === "201");
  if (r.errors !== 0 || r.timeouts !== 0 || r.non2xx !== 0 || !only201 || completed !== amount) {
    throw new BenchFailure(
      `${label}: ${completed}/${amount} responses, errors ${r.errors}, timeouts ${r.timeouts}, non-2xx ${r.non2xx} (status codes ${codes || "none"})`,
    );
  }
  return { reqPerSec: completed / wall, p50: r.latency.p50, p99: r.latency.p99, seconds: wall, completed };
}

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body };
}

export async function httpBench(ctx: BenchContext): Promise<SummaryRow[]> {
  const amount = ctx.quick ? 2_000 : 10_000;
  const warmup = ctx.quick ? 200 : 500;
  const { body, contentType } = multipartBody(1024);
  const dir = fs.mkdtempSync(path.join(ctx.scratch, "http-"));
  let service: Service | null = null;
  try {
    // Baseline: bare Express, same body, same client settings.
    const basePort = await freePort();
    service = await startService(path.join(__dirname, "http-baseline-server.ts"), basePort, { ...childEnv(), PORT: String(basePort) }, "/health");
    const baseHeaders = { "content-type": contentType };
    await load(`${service.url}/upload`, baseHeaders, body, warmup, "baseline warm-up");
    const base = await load(`${service.url}/upload`, baseHeaders, body, amount, "baseline");
    ctx.log(`baseline: ${fmtInt(base.reqPerSec)} req/s, p50 ${base.p50} ms, p99 ${base.p99} ms`);
    await service.stop();
    service = null;

    // The platform, as `npm start` runs it, with default batching and anchoring.
    const port = await freePort();
    const dataDir = path.join(dir, "platform");
    service = await startService(
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
      },
      "/api/health",
    );
    const login = await getJson(`${service.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ADMIN),
    });
    if (login.status !== 200 || typeof login.body?.token !== "string") {
      throw new BenchFailure(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
    }
    const headers = { "content-type": contentType, authorization: `Bearer ${login.body.token}` };
    const url = `${service.url}/api/evidence`;

    // One request by hand first: a clear error message if the route refuses the body.
    const probe = await getJson(url, { method: "POST", headers, body: new Uint8Array(body) });
    if (probe.status !== 201 || probe.body?.size !== 1024) throw new BenchFailure(`upload refused: ${probe.status} ${JSON.stringify(probe.body)}`);

    await load(url, headers, body, warmup, "platform warm-up");
    const plat = await load(url, headers, body, amount, "platform");
    ctx.log(`platform: ${fmtInt(plat.reqPerSec)} req/s, p50 ${plat.p50} ms, p99 ${plat.p99} ms`);

    // Anchoring ran during the load; see whether it keeps up (informative, never fails the run).
    const health = await getJson(`${service.url}/api/health`);
    const queuedAfter = Number(health.body?.queued ?? NaN);
    const t0 = now();
    let drained: number | null = null;
    for (let h = health; ; h = await getJson(`${service.url}/api/health`)) {
      if (h.body?.queued === 0) {
        drained = seconds(t0);
        break;
      }
      if (seconds(t0) > 60) break;
      await sleep(200);
    }
    const anchoringError = health.body?.anchoring ?? null;
    const items = amount + warmup + 1;
    const note =
      `${fmtInt(queuedAfter)} of ${fmtInt(items)} items still unbatched right after the load` +
      (drained === null ? ", not drained within 60 s" : `, all batched ${fmt(drained, 1)} s later`) +
      (anchoringError ? `; anchoring error: ${anchoringError}` : "");
    ctx.log(note);

    const ratio = plat.reqPerSec / base.reqPerSec;
    console.log(`\nhttp: ${fmtInt(amount)} uploads of 1 KiB (multipart), ${CONNECTIONS} connections, after ${warmup} warm-up requests; ratio = req/s / baseline req/s`);
    console.log(
      table(
        ["case", "req/s", "p50 ms", "p99 ms", "wall s", "ratio"],
        [
          ["bare Express, reads body (baseline)", fmtInt(base.reqPerSec), fmt(base.p50, 0), fmt(base.p99, 0), fmt(base.seconds), fmtRatio(1)],
          ["platform POST /api/evidence", fmtInt(plat.reqPerSec), fmt(plat.p50, 0), fmt(plat.p99, 0), fmt(plat.seconds), fmtRatio(ratio)],
        ],
      ),
    );
    console.log(`  ${note}`);
    return [
      {
        bench: "http",
        case: `bare Express reading the body (baseline), ${fmtInt(amount)} x 1 KiB`,
        result: `${fmtInt(base.reqPerSec)} req/s, p50 ${base.p50} ms, p99 ${base.p99} ms`,
        ratio: 1,
      },
      {
        bench: "http",
        case: `platform POST /api/evidence, ${fmtInt(amount)} x 1 KiB`,
        result: `${fmtInt(plat.reqPerSec)} req/s, p50 ${plat.p50} ms, p99 ${plat.p99} ms`,
        ratio,
        target: ">= 0.5x",
        met: ratio >= 0.5,
      },
    ];
  } finally {
    await service?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
