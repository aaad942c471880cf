// The platform in this process, on a temporary DATA_DIR and a fresh database, listening on a free
// port; with helpers to log in and call the API.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { loadConfig, type Config } from "../../server/config";
import { startPlatform, type Platform } from "../../server/platform";
import { createHttpServer } from "../../server/http/server";
import { databaseForTest } from "./database";

export const ADMIN = { email: "admin@example.com", password: "admin-password-1" };

export interface TestPlatform {
  url: string;
  dataDir: string;
  config: Config;
  platform: Platform;
  adminToken: string;
  api(method: string, route: string, opts?: { token?: string; json?: unknown; body?: BodyInit; headers?: Record<string, string> }): Promise<Response>;
  login(email: string, password: string): Promise<string>;
  createUser(role: string, opts?: { organizationId?: string; email?: string }): Promise<{ id: string; email: string; token: string }>;
  upload(token: string, content: Buffer | string, fields?: Record<string, string>): Promise<Response>;
  waitAnchored(token: string, id: string, timeoutMs?: number): Promise<any>;
  stop(): Promise<void>;
}

let userCounter = 0;

export async function startTestPlatform(env: Record<string, string> = {}, opts: { dataDir?: string; databaseUrl?: string } = {}): Promise<TestPlatform> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "evidence-test-"));
  const database = opts.databaseUrl ? { databaseUrl: opts.databaseUrl, drop: async () => undefined } : await databaseForTest();
  const settings: Record<string, string> = {
    DATA_DIR: dataDir,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    BATCH_MAX_AGE_MS: "200",
    ANCHOR_POLL_MS: "50",
    MAIL_POLL_MS: "50",
    LOG_LEVEL: "silent",
    LOGIN_RATE_LIMIT_PER_MIN: "100000",
    LINK_RATE_LIMIT_PER_MIN: "100000",
    INVITATION_RATE_LIMIT_PER_MIN: "100000",
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
  };
  // The server listens before the platform starts, so that PUBLIC_URL is its own address: the URLs
  // the platform writes into certificates (OCSP responder, CRL, issuer) then answer, as they do in a
  // deployment, and a validator that follows them (pdfsig asks the OCSP responder) reaches this
  // process. Until the platform is up, requests get a 503. A test may still set PUBLIC_URL itself.
  let handler: http.RequestListener = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createHttpServer((req, res) => handler(req, res), { idleTimeoutMs: loadConfig({ ...settings, ...env }).IDLE_TIMEOUT_MS });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const config = loadConfig({ ...settings, PUBLIC_URL: url, ...env });
  let platform: Platform;
  try {
    platform = await startPlatform(config, pino({ level: "silent" }));
  } catch (err) {
    server.close();
    throw err;
  }
  handler = platform.app;

  const api: TestPlatform["api"] = (method, route, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body = o.body;
    if (o.json !== undefined) {
      headers["content-type"] ??= "application/json";
      body = typeof o.json === "string" ? o.json : JSON.stringify(o.json);
    }
    return fetch(url + route, { method, headers, body });
  };
  const login = async (email: string, password: string) => {
    const res = await api("POST", "/api/auth/login", { json: { email, password } });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  };
  const adminToken = await login(ADMIN.email, ADMIN.password);

  const tp: TestPlatform = {
    url,
    dataDir,
    config,
    platform,
    adminToken,
    api,
    login,
    async createUser(role, o = {}) {
      const email = o.email ?? `${role}${++userCounter}-${process.pid}@example.com`;
      const password = "user-password-1";
      const res = await api("POST", "/api/users", {
        token: adminToken,
        json: { email, name: `${role} ${userCounter}`, password, role, ...(o.organizationId ? { organizationId: o.organizationId } : {}) },
      });
      if (res.status !== 201) throw new Error(`create user failed: ${res.status} ${await res.text()}`);
      const user = (await res.json()) as { id: string };
      return { id: user.id, email, token: await login(email, password) };
    },
    upload(token, content, fields = {}) {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      form.append("file", new Blob([typeof content === "string" ? content : new Uint8Array(content)]), "evidence.bin");
      return api("POST", "/api/evidence", { token, body: form });
    },
    async waitAnchored(token, id, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const res = await api("GET", `/api/evidence/${id}/proof`, { token });
        if (res.status === 200) return res.json();
        if (res.status !== 202) throw new Error(`proof: ${res.status} ${await res.text()}`);
        if (Date.now() > until) throw new Error(`item ${id} not anchored within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await platform.close();
      await database.drop();
    },
  };
  return tp;
}
