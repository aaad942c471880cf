// The server process killed with SIGKILL while delivering a webhook, against a real receiver: a
// delivery written with its contract event is never lost; killed after claiming and before the POST
// it arrives once after a restart; killed after the receiver's 200 and before the record, it arrives
// a second time with the same Webhook-Id and body, then never again. The attempts show the one cut off.
import { expect } from "chai";
import { createHmac } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { databaseForTest } from "../helpers/database";
import { startServerProcess, freePort, type ServerProcess } from "../helpers/server-process";
import { ADMIN } from "../helpers/platform";
import { eventually, Receiver } from "./receiver";
import { call, login, sendContract } from "./server-api";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LEASE_MS = 1000;

async function died(server: ServerProcess): Promise<void> {
  const code = await server.exited;
  expect(code, server.output()).to.equal(-1);
  for (let end = Date.now() + 5000; !server.output().includes("failpoint reached") && Date.now() < end; ) await sleep(20);
  expect(server.output()).to.contain("failpoint reached");
}

describe("webhook crash recovery (server process, SIGKILL)", function () {
  this.timeout(180_000);
  const rx = new Receiver();
  let dataDir: string;
  let database: Awaited<ReturnType<typeof databaseForTest>>;
  let server: ServerProcess | null = null;
  const env = (extra: Record<string, string> = {}) => ({
    DATA_DIR: dataDir,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    WEBHOOK_ALLOW_HTTP: "1",
    WEBHOOK_ALLOW_PRIVATE: "1",
    WEBHOOK_POLL_MS: "50",
    WEBHOOK_TIMEOUT_MS: "500",
    WEBHOOK_LEASE_MS: String(LEASE_MS),
    WEBHOOK_RETRY_BASE_MS: "50",
    WEBHOOK_RETRY_MAX_MS: "100",
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    ...extra,
  });

  before(async () => rx.start());
  after(async () => rx.stop());
  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "evidence-webhook-crash-"));
    database = await databaseForTest();
  });
  afterEach(async () => {
    await server?.kill();
    server = null;
    await database.drop();
  });

  it("killed after claiming, before the POST: after a restart the event arrives exactly once", async () => {
    server = await startServerProcess(env({ FAILPOINT: "before-webhook-send" }), await freePort());
    const s = await sendContract(server.url, rx.url("/before"));
    await died(server);
    expect(rx.at("/before")).to.have.length(0);

    server = await startServerProcess(env(), await freePort());
    await eventually(() => rx.at("/before").length >= 1, 30_000, "the delivery");
    await sleep(3 * LEASE_MS);
    const got = rx.at("/before");
    expect(got).to.have.length(1);
    expect(got[0].headers["webhook-signature"]).to.equal(`v1=${createHmac("sha256", s.secret).update(`${got[0].headers["webhook-timestamp"]}.${got[0].body}`).digest("hex")}`);
    const token = await login(server.url, ADMIN.email, ADMIN.password);
    const { deliveries } = await call(server.url, "GET", `/api/organizations/${s.orgId}/webhooks/${s.hookId}/deliveries`, token);
    expect(deliveries).to.have.length(1);
    expect(deliveries[0]).to.include({ status: "delivered", attempts: 2, lastStatusCode: 200 });
    expect(deliveries[0].attemptLog.map((a: any) => [a.number, a.statusCode])).to.deep.equal([[1, null], [2, 200]]);
    expect(deliveries[0].attemptLog[0].error).to.match(/lease ran out/);
  });

  it("killed after the receiver's 200: it arrives again once, with the same Webhook-Id and body", async () => {
    server = await startServerProcess(env({ FAILPOINT: "after-webhook-sent" }), await freePort());
    const s = await sendContract(server.url, rx.url("/after"));
    await eventually(() => rx.at("/after").length >= 1, 30_000, "the first delivery");
    await died(server);

    server = await startServerProcess(env(), await freePort());
    await eventually(() => rx.at("/after").length >= 2, 30_000, "the second delivery");
    await sleep(3 * LEASE_MS);
    const got = rx.at("/after");
    expect(got).to.have.length(2);
    expect(got[1].headers["webhook-id"]).to.equal(got[0].headers["webhook-id"]);
    expect(got[1].body).to.equal(got[0].body);
    const token = await login(server.url, ADMIN.email, ADMIN.password);
    const { deliveries } = await call(server.url, "GET", `/api/organizations/${s.orgId}/webhooks/${s.hookId}/deliveries`, token);
    expect(deliveries[0]).to.include({ status: "delivered", attempts: 2 });
  });
});
