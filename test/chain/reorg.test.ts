// An anchoring transaction dropped by a reorganisation before its confirmations (simulated on a
// hardhat node with evm_snapshot / evm_revert): the batch is anchored again, and the proofs name
// the final transaction.
import { expect } from "chai";
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { JsonRpcProvider } from "ethers";
import { deployRegistry, freePort, startNode, stopNode } from "../helpers/hardhat-node";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";

describe("reorganisation before confirmations (hardhat node, snapshot/revert)", function () {
  this.timeout(180_000);
  let node: { child: ChildProcess; url: string; key: string };
  let tp: TestPlatform;
  let rpc: JsonRpcProvider;

  before(async () => {
    node = await startNode(await freePort());
    const { registry } = await deployRegistry(node.url, node.key);
    rpc = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    tp = await startTestPlatform({
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "evidence-reorg-")),
      CHAIN_RPC_URL: node.url,
      CHAIN_PRIVATE_KEY: node.key,
      REGISTRY_ADDRESS: registry,
      CHAIN_CONFIRMATIONS: "3",
      BATCH_MAX_AGE_MS: "50",
      ANCHOR_POLL_MS: "50",
    });
  });
  after(async () => {
    await tp?.stop();
    rpc?.destroy();
    if (node) await stopNode(node.child);
  });

  it("re-anchors the batch whose transaction was dropped, and the proof names the final transaction", async () => {
    const snapshot = (await rpc.send("evm_snapshot", [])) as string;
    const { id } = (await (await tp.upload(tp.adminToken, "anchored twice, kept once")).json()) as { id: string };
    const db = tp.platform.database.db;

    // Wait until the first anchor transaction is mined (one confirmation of the three needed).
    let first: string | null = null;
    for (let i = 0; i < 400 && !first; i++) {
      const b = await db.batch.findFirst({ where: { status: "sent" } });
      if (b?.txHash && (await rpc.getTransactionReceipt(b.txHash))) first = b.txHash;
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(first, "first anchor transaction mined").to.be.a("string");
    expect((await tp.api("GET", `/api/evidence/${id}/proof`, { token: tp.adminToken })).status).to.equal(202);

    // The reorganisation: the block with the anchor is gone.
    await tp.platform.worker.stop();
    expect(await rpc.send("evm_revert", [snapshot])).to.equal(true);
    expect(await rpc.getTransactionReceipt(first!)).to.equal(null);
    tp.platform.worker.start();

    // The worker sends the anchor again; blocks are mined until it has its confirmations.
    let bundle: any = null;
    for (let i = 0; i < 400 && !bundle; i++) {
      await rpc.send("evm_mine", []);
      const res = await tp.api("GET", `/api/evidence/${id}/proof`, { token: tp.adminToken });
      if (res.status === 200) bundle = await res.json();
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(bundle, "anchored after the reorganisation").to.be.an("object");
    expect(bundle.anchor.txHash).not.to.equal(first);
    const receipt = await rpc.getTransactionReceipt(bundle.anchor.txHash);
    expect(receipt?.status).to.equal(1);
    expect(receipt?.blockNumber).to.equal(bundle.anchor.blockNumber);
    const batch = await db.batch.findFirst({ where: { root: bundle.merkle.root } });
    expect(batch!.attempts).to.be.at.least(2);
  });
});
