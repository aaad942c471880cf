// Several instances appending to the one log at once, on PostgreSQL, never fork it:
//  - the compare-and-swap itself: appends started together on separate connections, one wins per
//    size, the others roll back with LogConflict and nothing written;
//  - three server processes (one database, one chain), the lease holder closing batches: every
//    checkpoint any of them served or signed is consistent with every other (same size, same root;
//    a smaller one a prefix of a larger), every leaf is in the log exactly once at the index its
//    batch recorded, and the registry's latest checkpoint is the largest anchored one.
import { expect } from "chai";
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import { Contract, JsonRpcProvider } from "ethers";
import { createPostgresDatabase, testDbKind } from "../helpers/database";
import { deployRegistry, freePort, startNode, stopNode } from "../helpers/hardhat-node";
import { startServerProcess, type ServerProcess } from "../helpers/server-process";
import { ADMIN } from "../helpers/platform";
import { openDatabase, type Database } from "../../server/db/client";
import { KeyVault } from "../../server/pki/key-vault";
import { LogConflict, TransparencyLog } from "../../server/log/service";
import { logIdOf, parseVerifierKey, verifyCheckpoint } from "../../server/core/checkpoint";
import { consistencyProof, verifyConsistency } from "../../server/core/consistency";
import { rootFromLeafHashes } from "../../server/core/merkle";
import { fromHex, toHex } from "../../server/core/hex";
import { REGISTRY_VERIFIER_ABI } from "../../server/chain/anchor-check";

const ITEMS = Number(process.env.LOG_MULTI_ITEMS ?? 900);

describe("the log with several instances on one PostgreSQL", function () {
  this.timeout(300_000);
  before(function () {
    if (testDbKind() !== "postgresql") this.skip();
  });

  it("appends started together: one wins each size, the others roll back with LogConflict", async () => {
    const pgdb = await createPostgresDatabase();
    const dbs: Database[] = [];
    try {
      for (let i = 0; i < 3; i++) dbs.push(await openDatabase({ provider: "postgresql", target: pgdb.url }));
      const vault = KeyVault.open(os.tmpdir(), "cd".repeat(32));
      const logs = dbs.map((d) => new TransparencyLog(d.db, vault, "test.example/log"));
      await Promise.all(logs.map((l) => l.init()));
      const keys = new Set(await Promise.all(logs.map((l) => l.verifierKey())));
      expect(keys.size, "one key for the log, whoever created it").to.equal(1);
      let wins = 0;
      let conflicts = 0;
      for (let round = 0; round < 8; round++) {
        const results = await Promise.allSettled(
          logs.map((l, i) => dbs[i].db.$transaction((tx) => l.append(tx, [createHash("sha256").update(`r${round} i${i}`).digest()]))),
        );
        for (const r of results) {
          if (r.status === "fulfilled") wins++;
          else if (r.reason instanceof LogConflict) conflicts++;
          else throw r.reason;
        }
      }
      const size = await logs[0].currentSize();
      expect(size).to.equal(wins);
      expect(wins + conflicts).to.equal(24);
      expect(conflicts, "concurrent appends collided").to.be.greaterThan(0);
      const rows = await dbs[0].db.logCheckpoint.findMany({ orderBy: { treeSize: "asc" } });
      expect(rows.map((r) => r.treeSize)).to.deep.equal(Array.from({ length: size + 1 }, (_, i) => i));
      const leaves = (await dbs[0].db.logEntry.findMany({ orderBy: { index: "asc" } })).map((e) => fromHex(e.leafHash));
      for (const r of rows.slice(1)) expect(r.root).to.equal(toHex(rootFromLeafHashes(leaves.slice(0, r.treeSize))));
    } finally {
      for (const d of dbs) await d.db.$disconnect();
      await pgdb.drop();
    }
  });

  describe("three server processes", () => {
    let node: { child: ChildProcess; url: string; key: string };
    let db: { url: string; drop: () => Promise<void> };
    const servers: ServerProcess[] = [];
    before(async () => {
      node = await startNode(await freePort());
      db = await createPostgresDatabase();
    });
    after(async () => {
      for (const s of servers) await s.kill("SIGKILL");
      if (node) await stopNode(node.child);
      await db?.drop();
    });

    it("every checkpoint they signed is consistent with every other", async () => {
      const { registry, deployBlock } = await deployRegistry(node.url, node.key);
      const env = (i: number) => ({
        DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), `evidence-logmulti-${i}-`)),
        DATABASE_URL: db.url,
        MASTER_KEY: "ab".repeat(32),
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        CHAIN_RPC_URL: node.url,
        CHAIN_PRIVATE_KEY: node.key,
        REGISTRY_ADDRESS: registry,
        REGISTRY_DEPLOY_BLOCK: String(deployBlock),
        // Small batches, many checkpoints.
        BATCH_MAX_ITEMS: "10",
        BATCH_MAX_AGE_MS: "100",
        ANCHOR_POLL_MS: "50",
        ANCHOR_LEASE_MS: "3000",
        LOG_LEVEL: "warn",
        LOGIN_RATE_LIMIT_PER_MIN: "1000",
      });
      for (let i = 0; i < 3; i++) servers.push(await startServerProcess(env(i), await freePort()));
      const tokens = await Promise.all(
        servers.map(async (s) => ((await (await fetch(`${s.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) })).json()) as { token: string }).token),
      );
      // Checkpoints as each instance serves them, polled while the items go in.
      const seen: string[] = [];
      let submitting = true;
      const watcher = (async () => {
        while (submitting) {
          for (const s of servers) seen.push(await (await fetch(`${s.url}/api/log/checkpoint`)).text());
          await new Promise((r) => setTimeout(r, 30));
        }
      })();
      let next = 0;
      await Promise.all(
        Array.from({ length: 12 }, async () => {
          while (next < ITEMS) {
            const n = next++;
            const i = n % 3;
            const res = await fetch(`${servers[i].url}/api/evidence`, {
              method: "POST",
              headers: { authorization: `Bearer ${tokens[i]}`, "content-type": "application/json" },
              body: JSON.stringify({ sha256: "0x" + createHash("sha256").update(`log multi ${n}`).digest("hex") }),
            });
            if (res.status !== 201) throw new Error(`instance ${i}: ${res.status} ${await res.text()}\n${servers[i].output().slice(-3000)}`);
          }
        }),
      );
      const pdb = await openDatabase({ provider: "postgresql", target: db.url });
      try {
        const deadline = Date.now() + 180_000;
        for (;;) {
          const pending = await pdb.db.leaf.count({ where: { OR: [{ batchId: null }, { batch: { status: { not: "anchored" } } }] } });
          if (pending === 0) break;
          if (Date.now() > deadline) throw new Error(`${pending} leaves not anchored\n${servers.map((s) => s.output().slice(-1500)).join("\n---\n")}`);
          await new Promise((r) => setTimeout(r, 250));
        }
        submitting = false;
        await watcher;

        const key = parseVerifierKey((await (await fetch(`${servers[0].url}/api/log/key`)).text()).trim());
        const signed = [...seen, ...(await pdb.db.logCheckpoint.findMany()).map((c) => c.note)];
        const bySize = new Map<number, string>();
        for (const note of signed) {
          const v = verifyCheckpoint(note, key);
          expect(v.ok, note).to.equal(true);
          if (!v.ok) continue;
          const root = toHex(v.checkpoint.root);
          const known = bySize.get(v.checkpoint.treeSize);
          expect(known ?? root, `two roots for size ${v.checkpoint.treeSize}`).to.equal(root);
          bySize.set(v.checkpoint.treeSize, root);
        }
        const leaves = (await pdb.db.logEntry.findMany({ orderBy: { index: "asc" } })).map((e) => fromHex(e.leafHash));
        const sizes = [...bySize.keys()].filter((n) => n > 0).sort((a, b) => a - b);
        expect(sizes.length).to.be.at.least(ITEMS / 10);
        for (const [i, a] of sizes.entries()) {
          for (const b of sizes.slice(i + 1)) {
            expect(verifyConsistency(a, b, fromHex(bySize.get(a)!), fromHex(bySize.get(b)!), consistencyProof(leaves, a, b)), `${a} -> ${b}`).to.equal(true);
          }
        }
        // Every leaf in the log once, at the index its batch recorded.
        const rows = await pdb.db.leaf.findMany({ select: { leafHash: true, leafIndex: true } });
        expect(rows.length).to.equal(leaves.length);
        for (const r of rows) expect(toHex(leaves[r.leafIndex!])).to.equal(r.leafHash);
        // On chain: the latest checkpoint is the largest anchored one.
        const provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
        const [onChainSize, onChainRoot] = (await new Contract(registry, REGISTRY_VERIFIER_ABI, provider).latestCheckpoint(logIdOf(key))) as [bigint, string];
        provider.destroy();
        const largest = await pdb.db.batch.findFirst({ where: { status: "anchored" }, orderBy: { treeSize: "desc" } });
        expect([Number(onChainSize), onChainRoot.toLowerCase()]).to.deep.equal([largest!.treeSize, largest!.root]);
        expect(largest!.treeSize).to.equal(leaves.length);
      } finally {
        submitting = false;
        await pdb.db.$disconnect();
      }
    });
  });
});
