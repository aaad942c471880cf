// PostgreSQL goes away and comes back (a proxy in front of it is cut and restored): meanwhile the
// API answers 503 with Retry-After; afterwards it recovers without a restart of its own.
import { expect } from "chai";
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
