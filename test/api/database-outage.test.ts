// PostgreSQL goes away and comes back (a proxy in front of it is cut and restored): meanwhile the
// API answers 503 with Retry-After; afterwards it recovers without a restart of its own.
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { createPostgresDatabase, testDbKind } from "../helpers/database";
import { freePort } from "../helpers/hardhat-node";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { TcpProxy } from "../helpers/tcp-proxy";

describe("database outage (PostgreSQL behind a cut proxy)", function () {
  this.timeout(60_000);
  let proxy: TcpProxy;
  let tp: TestPlatform;
  let drop: () => Promise<void>;

  before(async function () {
    if (testDbKind() !== "postgresql") return this.skip();
    const db = await createPostgresDatabase();
    drop = db.drop;
    const direct = new URL(db.url);
    proxy = new TcpProxy(await freePort(), Number(direct.port || 5432));
    await proxy.start();
    direct.port = String(proxy.port);
    tp = await startTestPlatform({}, { databaseUrl: direct.toString() });
  });
  after(async () => {
    await tp?.stop().catch(() => undefined);
    await proxy?.cut();
    await drop?.();
  });

  it("503 + Retry-After during the outage, normal service after it", async () => {
    const member = await tp.createUser("member");
    expect((await tp.upload(member.token, "before")).status).to.equal(201);
    await proxy.cut();
    const during = await tp.api("GET", "/api/evidence", { token: member.token });
    expect(during.status).to.equal(503);
    expect(during.headers.get("retry-after")).to.equal("5");
    expect(((await during.json()) as any).error.code).to.equal("database_unavailable");
    expect((await tp.upload(member.token, "during")).status).to.equal(503);
    expect((await tp.api("GET", "/api/health")).status).to.equal(503);

    await proxy.restore();
    let status = 0;
    for (let i = 0; i < 50 && status !== 201; i++) {
      status = (await tp.upload(member.token, "after")).status;
      if (status !== 201) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).to.equal(201);
    expect((await tp.api("GET", "/api/health")).status).to.equal(200);
  });
});

// The server itself stopped and started again (pg_ctlcluster), not a proxy: pooled connections are
// terminated by PostgreSQL (57P01) and new ones refused. It stops the whole local server, so it runs
// only where asked (CI sets TEST_PG_RESTART=1 on its own machine).
describe("PostgreSQL restarted for real", function () {
  this.timeout(120_000);
  let tp: TestPlatform;
  let drop: () => Promise<void>;
  const cluster = () => {
    const versions = fs.readdirSync("/etc/postgresql");
    return { version: versions.sort()[versions.length - 1], name: "main" };
  };
  const ctl = (action: "stop" | "start") => {
    const { version, name } = cluster();
    execFileSync("pg_ctlcluster", ["--skip-systemctl-redirect", version, name, action], { stdio: "pipe" });
  };

  before(async function () {
    if (testDbKind() !== "postgresql" || process.env.TEST_PG_RESTART !== "1") return this.skip();
    const db = await createPostgresDatabase();
    drop = db.drop;
    tp = await startTestPlatform({}, { databaseUrl: db.url });
  });
  after(async () => {
    if (process.env.TEST_PG_RESTART === "1") {
      // Whatever happened, leave PostgreSQL running for the tests after this one.
      try {
        ctl("start");
      } catch {
        /* already running */
      }
      await waitForPostgres();
    }
    await tp?.stop().catch(() => undefined);
    await drop?.();
  });

  it("503 + Retry-After while it is down; uploads and reads work again after it starts, without a restart of ours", async () => {
    const member = await tp.createUser("member");
    const before = (await (await tp.upload(member.token, "before the restart")).json()) as { id: string };
    ctl("stop");
    try {
      const during = await tp.api("GET", `/api/evidence/${before.id}`, { token: member.token });
      expect(during.status).to.equal(503);
      expect(during.headers.get("retry-after")).to.equal("5");
      expect(((await during.json()) as any).error.code).to.equal("database_unavailable");
      const upload = await tp.upload(member.token, "during the restart");
      expect(upload.status).to.equal(503);
      expect((await tp.api("GET", "/api/health")).status).to.equal(503);
    } finally {
      ctl("start");
    }
    await waitForPostgres();
    let status = 0;
    for (let i = 0; i < 100 && status !== 201; i++) {
      status = (await tp.upload(member.token, "after the restart")).status;
      if (status !== 201) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).to.equal(201);
    expect((await tp.api("GET", `/api/evidence/${before.id}`, { token: member.token })).status).to.equal(200);
    expect((await tp.api("GET", "/api/health")).status).to.equal(200);
    // What was accepted before the restart is still anchored.
    await tp.waitAnchored(member.token, before.id, 60_000);
  });
});

async function waitForPostgres(): Promise<void> {
  for (let i = 0; i < 60; i++) {
    try {
      execFileSync("pg_isready", ["-h", "127.0.0.1", "-p", "5432", "-q"]);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error("PostgreSQL did not come back");
}
