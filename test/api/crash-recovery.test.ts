// The server killed with SIGKILL at the worst moments: every acknowledged item is anchored exactly
// once after a restart, and proofs issued before a restart still verify against the chain after it.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import { Interface, JsonRpcProvider } from "ethers";
import { databaseForTest } from "../helpers/database";
import { startServerProcess, freePort, type ServerProcess } from "../helpers/server-process";
import { ADMIN } from "../helpers/platform";
import { runVerify } from "../helpers/cli";
import { REGISTRY_VERIFIER_ABI } from "../../server/chain/anchor-check";

const sha = (b: string) => "0x" + createHash("sha256").update(b).digest("hex");

async function login(url: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) });
  return ((await res.json()) as { token: string }).token;
}

async function submit(url: string, token: string, content: string): Promise<string> {
  const form = new FormData();
  form.append("file", new Blob([content]), "f");
  const res = await fetch(`${url}/api/evidence`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
  expect(res.status).to.equal(201);
  return ((await res.json()) as { id: string }).id;
}

async function proofOf(url: string, token: string, id: string, timeoutMs = 30_000): Promise<any> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${url}/api/evidence/${id}/proof`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status === 200) return res.json();
    if (Date.now() > until) throw new Error(`not anchored: ${id}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every Anchored event on the chain, by root: each root must appear exactly once. */
async function anchoredRoots(url: string, registry: string): Promise<string[]> {
  const provider = new JsonRpcProvider(`${url}/rpc`, undefined, { staticNetwork: true });
  const iface = new Interface(REGISTRY_VERIFIER_ABI);
  const logs = await provider.getLogs({ address: registry, topics: [iface.getEvent("Anchored")!.topicHash], fromBlock: 0, toBlock: "latest" });
  provider.destroy();
  return logs.map((l) => l.topics[1]);
}

describe("crash recovery (server process, SIGKILL)", function () {
  this.timeout(180_000);
  let dataDir: string;
  let database: Awaited<ReturnType<typeof databaseForTest>>;
  let server: ServerProcess | null = null;
  const env = () => ({
    DATA_DIR: dataDir,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    ANCHOR_POLL_MS: "50",
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
  });

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "evidence-crash-"));
    database = await databaseForTest();
  });
  afterEach(async () => {
    await server?.kill();
    server = null;
    await database.drop();
  });

  it("killed between acceptance and anchoring, then after sending the anchor transaction: all anchored exactly once", async () => {
    // 1. Accept items with anchoring held back (a long batch age), then SIGKILL.
    server = await startServerProcess({ ...env(), BATCH_MAX_AGE_MS: "3600000" }, await freePort());
    let token = await login(server.url);
    const contents = Array.from({ length: 8 }, (_, i) => `acknowledged ${i}`);
    const ids: string[] = [];
    for (const c of contents.slice(0, 5)) ids.push(await submit(server.url, token, c));
    await server.kill("SIGKILL");

    // 2. Restart with a failpoint that kills the process right after the anchor transaction is sent:
    //    the queued items are batched at once (age 0) and the process dies on its own.
    server = await startServerProcess({ ...env(), BATCH_MAX_AGE_MS: "0", FAILPOINT: "after-anchor-sent" }, await freePort()).catch(
      (e: Error) => {
        // It may die before it answers its first health check: that is the failpoint, not a failure.
        if (!/failpoint reached/.test(e.message)) throw e;
        return null;
      },
    );
    if (server) {
      const code = await server.exited;
      expect(code, server.output()).to.equal(-1);
      expect(server.output()).to.contain("failpoint reached");
    }

    // 3. Restart normally: everything acknowledged gets anchored, nothing twice.
    server = await startServerProcess({ ...env(), BATCH_MAX_AGE_MS: "100" }, await freePort());
    token = await login(server.url);
    for (const c of contents.slice(5)) ids.push(await submit(server.url, token, c));
    const bundles = await Promise.all(ids.map((id) => proofOf(server!.url, token, id)));
    bundles.forEach((b, i) => expect(b.record.sha256).to.equal(sha(contents[i])));
    const registry = bundles[0].anchor.registry;
    const roots = await anchoredRoots(server.url, registry);
    expect(new Set(roots).size).to.equal(roots.length);
    const bundleRoots = new Set(bundles.map((b) => b.merkle.root));
    for (const r of bundleRoots) expect(roots.filter((x) => x === r)).to.have.length(1);
    expect(bundles.reduce((n, b) => n + (b.merkle.leafIndex === 0 ? 1 : 0), 0)).to.be.greaterThan(0);

    // Each item is in exactly one batch: the leaf counts of the anchored roots add up.
    const health = (await (await fetch(`${server.url}/api/health`)).json()) as { queued: number };
    expect(health.queued).to.equal(0);
  });

  it("killed after the batch is closed: the batch is anchored after restart", async () => {
    server = await startServerProcess({ ...env(), BATCH_MAX_AGE_MS: "0", FAILPOINT: "after-batch-closed" }, await freePort());
    const token = await login(server.url);
    const id = await submit(server.url, token, "closed then killed");
    await server.exited;
    server = await startServerProcess({ ...env(), BATCH_MAX_AGE_MS: "100" }, await freePort());
    const bundle = await proofOf(server.url, await login(server.url), id);
    expect(bundle.record.sha256).to.equal(sha("closed then killed"));
  });

  it("a bundle issued before a restart of the embedded chain passes npm run verify --rpc after it", async function () {
    if (database.databaseUrl) this.skip(); // the embedded chain does not depend on the database; once is enough
    server = await startServerProcess({ ...env(), BATCH_MAX_AGE_MS: "100" }, await freePort());
    const token = await login(server.url);
    const content = "before the restart";
    const bundle = await proofOf(server.url, token, await submit(server.url, token, content));
    await server.kill("SIGKILL");
    const file = path.join(dataDir, "..", `restart-${process.pid}.txt`);
    const bundleFile = `${file}.bundle.json`;
    fs.writeFileSync(file, content);
    fs.writeFileSync(bundleFile, JSON.stringify(bundle));

    server = await startServerProcess({ ...env(), BATCH_MAX_AGE_MS: "100" }, await freePort());
    const r = await runVerify([file, bundleFile, "--rpc", `${server.url}/rpc`]);
    expect(r.code, r.out).to.equal(0);
    // The chain kept going after the replay: a new item anchors in a later block.
    const later = await proofOf(server.url, await login(server.url), await submit(server.url, await login(server.url), "after the restart"));
    expect(later.anchor.blockNumber).to.be.greaterThan(bundle.anchor.blockNumber);
    expect(later.anchor.blockTimestamp).to.be.greaterThan(bundle.anchor.blockTimestamp);
  });
  it("SIGTERM: stops taking requests, leaves the batch in flight resumable, exits 0", async () => {
    server = await startServerProcess({ ...env(), BATCH_MAX_AGE_MS: "3600000" }, await freePort());
    const token = await login(server.url);
    const id = await submit(server.url, token, "accepted before SIGTERM");
    const url = server.url;
    const code = await server.kill("SIGTERM");
    expect(code, server.output()).to.equal(0);
    expect(server.output()).to.contain("stopped");
    let refused = false;
    await fetch(`${url}/api/health`).catch(() => (refused = true));
    expect(refused).to.equal(true);
    server = await startServerProcess({ ...env(), BATCH_MAX_AGE_MS: "100" }, await freePort());
    const bundle = await proofOf(server.url, await login(server.url), id);
    expect(bundle.record.sha256).to.equal(sha("accepted before SIGTERM"));
  });
});
