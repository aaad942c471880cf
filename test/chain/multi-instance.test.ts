// Three server processes share one PostgreSQL and one external chain (a hardhat node). Exactly one
// anchors at a time (a lease in the database); the leader is killed with SIGKILL while anchoring;
// every one of 5,000 items submitted across the three is anchored exactly once.
import { expect } from "chai";
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import pg from "pg";
import { Interface, JsonRpcProvider } from "ethers";
import { createPostgresDatabase, testDbKind } from "../helpers/database";
import { deployRegistry, freePort, startNode, stopNode } from "../helpers/hardhat-node";
import { startServerProcess, type ServerProcess } from "../helpers/server-process";
import { ADMIN } from "../helpers/platform";
import { REGISTRY_VERIFIER_ABI } from "../../server/chain/anchor-check";
import { verifyBundleOffline } from "../../server/core/proof-bundle";

const ITEMS = Number(process.env.MULTI_ITEMS ?? 5000);

describe("several instances on one PostgreSQL and one chain", function () {
  this.timeout(300_000);
  let node: { child: ChildProcess; url: string; key: string };
  let db: { url: string; drop: () => Promise<void> };
  const servers: ServerProcess[] = [];

  before(async function () {
    if (testDbKind() !== "postgresql") return this.skip();
    node = await startNode(await freePort());
    db = await createPostgresDatabase();
  });
  after(async () => {
    for (const s of servers) await s.kill("SIGKILL");
    if (node) await stopNode(node.child);
    await db?.drop();
  });

  it("the leader dies mid-anchoring; another takes over; all 5,000 anchored exactly once", async () => {
    const { registry, deployBlock } = await deployRegistry(node.url, node.key);
    const env = (i: number) => ({
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), `evidence-multi-${i}-`)),
      DATABASE_URL: db.url,
      // Instances share the keys sealed in the database, so they share the master key.
      MASTER_KEY: "ab".repeat(32),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      CHAIN_RPC_URL: node.url,
      CHAIN_PRIVATE_KEY: node.key,
      REGISTRY_ADDRESS: registry,
      REGISTRY_DEPLOY_BLOCK: String(deployBlock),
      BATCH_MAX_ITEMS: "250",
      BATCH_MAX_AGE_MS: "200",
      ANCHOR_POLL_MS: "50",
      ANCHOR_LEASE_MS: "3000",
      LOG_LEVEL: "warn",
      LOGIN_RATE_LIMIT_PER_MIN: "1000",
    });
    for (let i = 0; i < 3; i++) servers.push(await startServerProcess(env(i), await freePort()));
    const tokens = await Promise.all(
      servers.map(async (s) => ((await (await fetch(`${s.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) })).json()) as { token: string }).token),
    );

    const pgc = new pg.Client({ connectionString: db.url });
    await pgc.connect();
    try {
    const leaderPid = async (): Promise<number | null> => {
      const r = await pgc.query(`SELECT holder FROM "WorkerLease" WHERE name = 'anchoring' AND "expiresAt" > now()`);
      return r.rows.length ? Number(String(r.rows[0].holder).split(":")[1]) : null;
    };

    // Submit digests across the three instances, 16 at a time; kill the leader once batches are in flight.
    const ids: { id: string; sha256: string }[] = [];
    let killed: number | null = null;
    let next = 0;
    const living = () => servers.map((s, i) => ({ s, i })).filter(({ s }) => s.child.exitCode === null && s.child.signalCode === null);
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < ITEMS) {
          const n = next++;
          const sha256 = "0x" + createHash("sha256").update(`multi ${n}`).digest("hex");
          // A request in flight to the instance being killed fails; it was not acknowledged, so
          // the client sends it again to a living instance (it may exist twice: never lost).
          for (let attempt = 0; ; attempt++) {
            const alive = living();
            const { i } = alive[(n + attempt) % alive.length];
            const res = await fetch(`${servers[i].url}/api/evidence`, {
              method: "POST",
              headers: { authorization: `Bearer ${tokens[i]}`, "content-type": "application/json" },
              body: JSON.stringify({ sha256 }),
            }).catch(() => null);
            if (!res) continue;
            if (res.status !== 201) {
              throw new Error(`instance ${i}: ${res.status} ${await res.text()}\n${servers[i].output().slice(-3000)}`);
            }
            ids.push({ id: ((await res.json()) as { id: string }).id, sha256 });
            break;
          }
          if (killed === null && n >= Math.floor(ITEMS / 2) && n % 50 === 0) {
            const sent = await pgc.query(`SELECT count(*)::int AS n FROM "Batch" WHERE status <> 'anchored'`);
            const pid = await leaderPid();
            if (pid && sent.rows[0].n > 0) {
              const victim = servers.find((s) => s.child.pid === pid)!;
              killed = pid;
              await victim.kill("SIGKILL");
            }
          }
        }
      }),
    );
    if (killed === null) {
      const lease = await pgc.query(`SELECT *, now() AS db_now FROM "WorkerLease"`);
      const b = await pgc.query(`SELECT status, count(*)::int FROM "Batch" GROUP BY status`);
      throw new Error(`no leader killed: lease ${JSON.stringify(lease.rows)} batches ${JSON.stringify(b.rows)}\n${servers.map((x) => x.output().slice(-1500)).join("\n---\n")}`);
    }
    expect(ids).to.have.length(ITEMS);

    // Wait for everything to be anchored (a survivor takes the lease over).
    const deadline = Date.now() + 120_000;
    for (;;) {
      const r = await pgc.query(`SELECT count(*)::int AS n FROM "Leaf" l LEFT JOIN "Batch" b ON b.id = l."batchId" WHERE b.status IS DISTINCT FROM 'anchored'`);
      if (r.rows[0].n === 0) break;
      if (Date.now() > deadline) throw new Error(`${r.rows[0].n} leaves not anchored`);
      await new Promise((res) => setTimeout(res, 250));
    }
    const newLeader = await leaderPid();
    expect(newLeader).not.to.equal(killed);

    // Exactly once: every leaf in one batch, every batch root anchored by exactly one event.
    const leaves = await pgc.query(`SELECT count(*)::int AS n FROM "Leaf" WHERE kind = 'evidence'`);
    expect(leaves.rows[0].n).to.be.within(ITEMS, ITEMS + 16);
    const allLeaves = await pgc.query(`SELECT count(*)::int AS n FROM "Leaf"`);
    const acknowledged = await pgc.query(`SELECT count(*)::int AS n FROM "EvidenceItem" WHERE id = ANY($1)`, [ids.map((x) => x.id)]);
    expect(acknowledged.rows[0].n).to.equal(ITEMS);
    const batches = await pgc.query(`SELECT root, "treeSize" FROM "Batch"`);
    // Each batch's tree size is the log's size after it: the largest is every leaf, each once.
    expect(Math.max(...batches.rows.map((b: { treeSize: number }) => b.treeSize))).to.equal(allLeaves.rows[0].n);
    const indexed = await pgc.query(`SELECT count(DISTINCT "leafIndex")::int AS n FROM "Leaf"`);
    expect(indexed.rows[0].n).to.equal(allLeaves.rows[0].n);
    const provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
    const iface = new Interface(REGISTRY_VERIFIER_ABI);
    const logs = await provider.getLogs({ address: registry, topics: [iface.getEvent("Anchored")!.topicHash], fromBlock: 0, toBlock: "latest" });
    provider.destroy();
    const roots = logs.map((l) => l.topics[1]);
    expect(new Set(roots).size).to.equal(roots.length);
    expect(roots.sort()).to.deep.equal(batches.rows.map((b: { root: string }) => b.root).sort());

    // A sample of proofs, from a surviving instance, verifies.
    const alive = living()[0];
    for (const { id, sha256 } of ids.filter((_, k) => k % 500 === 0)) {
      const res = await fetch(`${alive.s.url}/api/evidence/${id}/proof`, { headers: { authorization: `Bearer ${tokens[alive.i]}` } });
      expect(res.status).to.equal(200);
      expect(verifyBundleOffline((await res.json()) as any, sha256).every((c) => c.ok)).to.equal(true);
    }
    } finally {
      await pgc.end();
    }
  });
});
