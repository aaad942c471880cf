// The server process killed with SIGKILL while sending mail, against a real SMTP server: a message
// queued before the crash is never lost; killed before the send it arrives once after a restart,
// killed after the server accepted it arrives a second time with the same Message-ID, then never again.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { databaseForTest } from "../helpers/database";
import { startServerProcess, freePort, type ServerProcess } from "../helpers/server-process";
import { ADMIN } from "../helpers/platform";
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from "../helpers/smtp";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LEASE_MS = 1000;

async function requestReset(url: string): Promise<void> {
  const res = await fetch(`${url}/api/auth/password-reset`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: ADMIN.email }) });
  expect(res.status, await res.text()).to.equal(202);
}

async function outbox(url: string): Promise<{ messages: { status: string; attempts: number; template: string; to: string }[] }> {
  const login = await fetch(`${url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) });
  const { token } = (await login.json()) as { token: string };
  const res = await fetch(`${url}/api/notifications/outbox?limit=100`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status, await res.clone().text()).to.equal(200);
  return res.json() as never;
}

/** Waits for the process to die; its last lines may come through the pipe after the exit itself. */
async function died(server: ServerProcess): Promise<void> {
  const code = await server.exited;
  expect(code, server.output()).to.equal(-1);
  for (let end = Date.now() + 5000; !server.output().includes("failpoint reached") && Date.now() < end; ) await sleep(20);
  expect(server.output(), server.output().split("\n").slice(-6).join("\n")).to.contain("failpoint reached");
}

/** Starts the server with a failpoint; it may die before its first health check answers. */
async function startWithFailpoint(env: Record<string, string>): Promise<ServerProcess | null> {
  return startServerProcess(env, await freePort()).catch((e: Error) => {
    if (!/failpoint reached/.test(e.message)) throw e;
    return null;
  });
}

describe("mail crash recovery (server process, SIGKILL)", function () {
  this.timeout(120_000);
  let smtp: TestSmtpServer;
  let dataDir: string;
  let database: Awaited<ReturnType<typeof databaseForTest>>;
  let server: ServerProcess | null = null;
  const resets = (): ReceivedMail[] => smtp.messages.filter((m) => m.envelope.to.includes(ADMIN.email) && /Reset your password/.test(m.subject));
  const env = (extra: Record<string, string> = {}) => ({
    DATA_DIR: dataDir,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    SMTP_URL: smtp.url,
    // Fixed, not the port of the moment: the re-sent message must be the same text.
    PUBLIC_URL: "https://evidence.example.org",
    MAIL_POLL_MS: "50",
    MAIL_LEASE_MS: String(LEASE_MS),
    MAIL_RETRY_MAX_MS: "100",
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    ...extra,
  });

  before(async () => {
    smtp = await startSmtpServer();
  });
  after(async () => {
    await smtp.stop();
  });
  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "evidence-mail-crash-"));
    database = await databaseForTest();
    smtp.messages.length = 0;
  });
  afterEach(async () => {
    await server?.kill();
    server = null;
    await database.drop();
  });

  it("killed after claiming, before sending: after a restart the message arrives exactly once", async () => {
    server = await startWithFailpoint(env({ FAILPOINT: "before-mail-send" }));
    expect(server, "the server died before anything was queued").to.not.equal(null);
    await requestReset(server!.url);
    await died(server!);
    expect(resets()).to.have.length(0);

    server = await startServerProcess(env(), await freePort());
    await smtp.waitFor(() => resets().length >= 1, 30_000);
    await sleep(3 * LEASE_MS); // past another lease and many cycles: no second copy
    expect(resets()).to.have.length(1);
    const sent = (await outbox(server.url)).messages.filter((m) => m.template === "password-reset");
    expect(sent).to.have.length(1);
    expect(sent[0]).to.include({ status: "sent", attempts: 2, to: ADMIN.email });
  });

  it("killed after the SMTP server accepted it: it arrives again once, with the same Message-ID", async () => {
    server = await startWithFailpoint(env({ FAILPOINT: "after-mail-sent" }));
    expect(server, "the server died before anything was queued").to.not.equal(null);
    await requestReset(server!.url);
    await smtp.waitFor(() => resets().length >= 1, 30_000);
    await died(server!);
    expect(resets()).to.have.length(1);

    server = await startServerProcess(env(), await freePort());
    await smtp.waitFor(() => resets().length >= 2, 30_000);
    await sleep(3 * LEASE_MS);
    const got = resets();
    expect(got).to.have.length(2);
    expect(got[1].messageId).to.equal(got[0].messageId);
    expect(got[1].text).to.equal(got[0].text);
    const sent = (await outbox(server.url)).messages.filter((m) => m.template === "password-reset");
    expect(sent).to.have.length(1);
    expect(sent[0]).to.include({ status: "sent", attempts: 2 });
  });
});
