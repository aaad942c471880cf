// The chain's RPC goes away: the API keeps accepting, health reports the chain down, the worker
// retries with backoff; when the RPC returns, everything accepted meanwhile is anchored.
import { expect } from "chai";
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { deployRegistry, freePort, startNode, stopNode } from "../helpers/hardhat-node";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { TcpProxy } from "../helpers/tcp-proxy";

const OUTAGE_MS = Number(process.env.CHAIN_OUTAGE_MS ?? 30_000);

describe("chain outage (external chain behind a proxy that is cut)", function () {
  this.timeout(180_000);
  let node: { child: ChildProcess; url: string; key: string };
  let proxy: TcpProxy;
  let tp: TestPlatform;
  let registry: string;

  before(async () => {
    node = await startNode(await freePort());
    proxy = new TcpProxy(await freePort(), Number(new URL(node.url).port));
    await proxy.start();
    const rpc = `http://127.0.0.1:${proxy.port}`;
    ({ registry } = await deployRegistry(rpc, node.key));
    tp = await startTestPlatform({
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "evidence-outage-")),
      CHAIN_RPC_URL: rpc,
      CHAIN_PRIVATE_KEY: node.key,
      REGISTRY_ADDRESS: registry,
      BATCH_MAX_AGE_MS: "50",
      ANCHOR_POLL_MS: "50",
    });
  });
  after(async () => {
    await tp?.stop();
    await proxy?.cut();
    if (node) await stopNode(node.child);
  });

  it("accepts while the chain is down and anchors everything once it is back", async () => {
    const first = ((await (await tp.upload(tp.adminToken, "before the outage")).json()) as { id: string }).id;
    await tp.waitAnchored(tp.adminToken, first);

    await proxy.cut();
    const cutAt = Date.now();
    const during: string[] = [];
    // Keep submitting for the whole outage (30 s, as a court's IT department would try).
    for (let i = 0; i === 0 || Date.now() - cutAt < OUTAGE_MS; i++) {
      const res = await tp.upload(tp.adminToken, `during the outage ${i}`);
      expect(res.status).to.equal(201);
      during.push(((await res.json()) as { id: string }).id);
      if (i === 0) {
        const health = await tp.api("GET", "/api/health");
        expect(health.status).to.equal(503);
        expect(((await health.json()) as { chain: unknown }).chain).to.equal("unreachable");
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(during.length).to.be.greaterThan(5);
    expect(tp.platform.worker.lastError, "the worker reports its failure").to.be.a("string");
    for (const id of during) expect((await tp.api("GET", `/api/evidence/${id}/proof`, { token: tp.adminToken })).status).to.equal(202);
    // Verification needs the chain: no verdict (503), rather than a false "not anchored".
    const firstSha = ((await (await tp.api("GET", `/api/evidence/${first}`, { token: tp.adminToken })).json()) as { sha256: string }).sha256;
    const verify = await tp.api("POST", "/api/verify", { json: { sha256: firstSha } });
    expect(verify.status).to.equal(503);
    expect(((await verify.json()) as any).error.code).to.equal("chain_unavailable");

    await proxy.restore();
    const bundles = await Promise.all(during.map((id) => tp.waitAnchored(tp.adminToken, id, 60_000)));
    expect(bundles.map((b) => b.record.id)).to.deep.equal(during);
    expect((await tp.api("GET", "/api/health")).status).to.equal(200);
  });

  it("starts while the chain is down, accepts, and anchors once the chain answers", async () => {
    await proxy.cut();
    const late = await startTestPlatform({
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "evidence-outage-start-")),
      CHAIN_RPC_URL: `http://127.0.0.1:${proxy.port}`,
      CHAIN_PRIVATE_KEY: node.key,
      REGISTRY_ADDRESS: registry,
      BATCH_MAX_AGE_MS: "50",
      ANCHOR_POLL_MS: "50",
    });
    try {
      expect((await late.api("GET", "/api/health")).status).to.equal(503);
      const res = await late.upload(late.adminToken, "accepted before the chain was ever reached");
      expect(res.status).to.equal(201);
      const { id } = (await res.json()) as { id: string };
      await proxy.restore();
      const bundle = await late.waitAnchored(late.adminToken, id, 60_000);
      expect(bundle.anchor.chainId).to.equal(31337);
    } finally {
      await late.stop();
    }
  });
});
