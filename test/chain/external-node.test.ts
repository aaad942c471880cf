// The server anchoring on an external chain: a `hardhat node` process over JSON-RPC, with the
// registry deployed by scripts/deploy-registry.ts, and the CLI verifying the bundles against the node.
import { expect } from "chai";
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { deployRegistry, freePort, startNode, stopNode } from "../helpers/hardhat-node";
import { startServerProcess, type ServerProcess } from "../helpers/server-process";
import { ADMIN } from "../helpers/platform";
import { runVerify } from "../helpers/cli";

describe("anchoring on an external chain (hardhat node over JSON-RPC)", function () {
  this.timeout(120_000);
  let node: { child: ChildProcess; url: string; key: string };
  let server: ServerProcess;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "evidence-external-"));

  before(async () => {
    node = await startNode(await freePort());
    const { registry, deployBlock } = await deployRegistry(node.url, node.key);
    server = await startServerProcess(
      {
        DATA_DIR: dataDir,
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        CHAIN_RPC_URL: node.url,
        CHAIN_PRIVATE_KEY: node.key,
        REGISTRY_ADDRESS: registry,
        REGISTRY_DEPLOY_BLOCK: String(deployBlock),
        CHAIN_CONFIRMATIONS: "1",
        BATCH_MAX_AGE_MS: "100",
        ANCHOR_POLL_MS: "50",
      },
      await freePort(),
    );
  });
  after(async () => {
    await server?.kill("SIGTERM");
    if (node) await stopNode(node.child);
  });

  it("anchors there, and `npm run verify --rpc <node>` accepts the bundles", async () => {
    const token = ((await (await fetch(`${server.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) })).json()) as { token: string }).token;
    const files = ["external one", "external two", "external three"].map((content, i) => {
      const f = path.join(dataDir, `file${i}.txt`);
      fs.writeFileSync(f, content);
      return f;
    });
    const ids: string[] = [];
    for (const f of files) {
      const form = new FormData();
      form.append("file", new Blob([fs.readFileSync(f)]), path.basename(f));
      const res = await fetch(`${server.url}/api/evidence`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
      expect(res.status).to.equal(201);
      ids.push(((await res.json()) as { id: string }).id);
    }
    for (let i = 0; i < ids.length; i++) {
      let bundle: any;
      for (let tries = 0; tries < 300 && !bundle; tries++) {
        const res = await fetch(`${server.url}/api/evidence/${ids[i]}/proof`, { headers: { authorization: `Bearer ${token}` } });
        if (res.status === 200) bundle = await res.json();
        else await new Promise((r) => setTimeout(r, 100));
      }
      expect(bundle, "anchored").to.be.an("object");
      expect(bundle.anchor.chainId).to.equal(31337);
      const bundleFile = `${files[i]}.bundle.json`;
      fs.writeFileSync(bundleFile, JSON.stringify(bundle));
      const r = await runVerify([files[i], bundleFile, "--rpc", node.url]);
      expect(r.code, r.out).to.equal(0);
      expect(r.out).to.match(/PASS\s+root-on-chain/);
      // The wrong file fails against the same node.
      const wrong = await runVerify([files[(i + 1) % files.length], bundleFile, "--rpc", node.url]);
      expect(wrong.code).to.equal(1);
    }
    // The server's /rpc serves the external chain read-only too.
    const refused = await fetch(`${server.url}/rpc`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_sendTransaction", params: [{}] }),
    });
    expect(refused.status).to.equal(403);
  });
});
