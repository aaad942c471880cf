import { expect } from "chai";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { runVerify } from "../helpers/cli";
import { leafOf } from "../../server/core/evidence-record";

const sha = (b: string) => "0x" + createHash("sha256").update(b).digest("hex");

describe("anchoring and proof bundles (API)", function () {
  let tp: TestPlatform;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bundles-"));

  before(async () => {
    // Batches close at 5 items, or after 300 ms.
    tp = await startTestPlatform({ BATCH_MAX_ITEMS: "5", BATCH_MAX_AGE_MS: "300" });
  });
  after(async () => tp.stop());

  it("closes batches by count and by age, one transaction per batch, each item anchored once", async () => {
    // The worker waits while the 12 are accepted: on a loaded machine uploads one by one can be more
    // than 300 ms apart, and batches would then close by age before reaching 5.
    await tp.platform.worker.stop();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(((await (await tp.upload(tp.adminToken, `item ${i}`)).json()) as any).id);
    tp.platform.worker.start();
    const bundles = await Promise.all(ids.map((id) => tp.waitAnchored(tp.adminToken, id)));
    const db = tp.platform.database.db;
    const batches = await db.batch.findMany({ orderBy: { id: "asc" } });
    expect(batches.every((b) => b.status === "anchored")).to.equal(true);
    // Each batch: its evidence leaves, plus one leaf for the audit log's head.
    const evidencePerBatch = await Promise.all(batches.map((b) => db.leaf.count({ where: { batchId: b.id, kind: "evidence" } })));
    expect(evidencePerBatch.reduce((a, b) => a + b, 0)).to.be.at.least(12);
    expect(Math.max(...evidencePerBatch)).to.equal(5);
    // Each batch appends to the one log: its tree size is the log's size after it, its root the
    // log's signed checkpoint at that size, and its leaves carry their log index.
    let logSize = 0;
    for (const [i, b] of batches.entries()) {
      logSize += evidencePerBatch[i] + 1;
      expect(b.treeSize).to.equal(logSize);
      expect(b.inLog).to.equal(true);
      expect((await db.logCheckpoint.findUnique({ where: { treeSize: b.treeSize } }))?.root).to.equal(b.root);
      const indexes = (await db.leaf.findMany({ where: { batchId: b.id }, select: { leafIndex: true } })).map((l) => l.leafIndex!).sort((x, y) => x - y);
      expect(indexes).to.deep.equal(Array.from({ length: indexes.length }, (_, k) => logSize - indexes.length + k));
    }
    expect(await db.leaf.count({ where: { kind: "audit-head" } })).to.equal(batches.length);
    expect(new Set(batches.map((b) => b.txHash)).size).to.equal(batches.length);
    // Every leaf is in exactly one batch, at its own index.
    const leaves = await db.leaf.findMany();
    expect(leaves.every((l) => l.batchId !== null)).to.equal(true);
    // The bundle's record is exactly the leaf input, with the file's digest.
    for (let i = 0; i < 12; i++) {
      expect(bundles[i].record.sha256).to.equal(sha(`item ${i}`));
      expect(leafOf(bundles[i].record).hash).to.equal(bundles[i].merkle.leafHash);
      expect(bundles[i].anchor.txHash).to.match(/^0x[0-9a-f]{64}$/);
      expect(bundles[i].anchor.registry).to.equal(tp.platform.chain.registry.address);
    }
    // On chain: one Anchored event per batch root.
    for (const b of batches) {
      const at = await tp.platform.chain.registry.anchoredAt(b.root);
      expect(at.blockNumber).to.equal(Number(b.blockNumber));
    }
  });

  describe("npm run verify", function () {
    // Each case runs the CLI as a new process, as a user would.
    this.timeout(240_000);
    let bundleFile: string;
    let file: string;
    let bundle: any;

    before(async () => {
      file = path.join(tmp, "evidence.txt");
      fs.writeFileSync(file, "verify me offline\n");
      const { id } = (await (await tp.upload(tp.adminToken, fs.readFileSync(file))).json()) as { id: string };
      // A second item in the same batch gives the audit path some length.
      await tp.upload(tp.adminToken, "a neighbour");
      bundle = await tp.waitAnchored(tp.adminToken, id);
      bundleFile = path.join(tmp, "bundle.json");
      fs.writeFileSync(bundleFile, JSON.stringify(bundle, null, 2));
    });

    const writeBundle = (name: string, change: (b: any) => void) => {
      const copy = JSON.parse(JSON.stringify(bundle));
      change(copy);
      const f = path.join(tmp, name);
      fs.writeFileSync(f, JSON.stringify(copy));
      return f;
    };

    it("passes offline and against the chain's JSON-RPC (the server's /rpc)", async () => {
      const offline = await runVerify([file, bundleFile]);
      expect(offline.code, offline.out).to.equal(0);
      expect(offline.out).to.contain("VERIFIED offline");
      const online = await runVerify([file, bundleFile, "--rpc", `${tp.url}/rpc`]);
      expect(online.code, online.out).to.equal(0);
      expect(online.out).to.match(/PASS\s+root-on-chain/);
    });

    it("names the failing step for each kind of tampering", async () => {
      const other = path.join(tmp, "other.txt");
      fs.writeFileSync(other, "verify me offline!\n");
      const flip = (h: string) => h.slice(0, -1) + (h.endsWith("0") ? "1" : "0");
      const rpc = ["--rpc", `${tp.url}/rpc`];
      const cases: [string, string[], RegExp][] = [
        ["wrong file", [other, bundleFile], /wrong file/],
        ["record altered", [file, writeBundle("rec.json", (b) => (b.record.acceptedAt = "2020-01-01T00:00:00.000Z"))], /record altered/],
        ["path altered", [file, writeBundle("path.json", (b) => (b.merkle.auditPath[0] = flip(b.merkle.auditPath[0])))], /path altered/],
        ["index altered", [file, writeBundle("idx.json", (b) => (b.merkle.leafIndex = b.merkle.leafIndex ^ 1))], /path altered/],
        ["malformed bundle", [file, writeBundle("bad.json", (b) => delete b.merkle)], /malformed bundle/],
        ["other chain", [file, writeBundle("chain.json", (b) => (b.anchor.chainId = 1)), ...rpc], /other chain/],
        ["wrong transaction", [file, writeBundle("tx.json", (b) => (b.anchor.txHash = "0x" + "ab".repeat(32))), ...rpc], /transaction does not anchor this root/],
        ["wrong block", [file, writeBundle("block.json", (b) => (b.anchor.blockNumber = b.anchor.blockNumber + 1)), ...rpc], /transaction does not anchor/],
        ["wrong time", [file, writeBundle("time.json", (b) => (b.anchor.blockTimestamp = b.anchor.blockTimestamp - 5)), ...rpc], /root not on chain/],
      ];
      const results = await Promise.all(cases.map(([, args]) => runVerify(args)));
      cases.forEach(([name, , expected], i) => {
        expect(results[i].code, `${name}: ${results[i].out}`).to.equal(1);
        expect(results[i].out, name).to.match(expected);
      });
    });

    it("a root never anchored is reported: by its timestamp, and without one, on chain", async () => {
      // A self-consistent bundle (record, path, root) whose root the registry never saw, pointing at a real transaction.
      const record = { ...bundle.record, title: "forged" };
      const leaf = leafOf(record).hash;
      // As a bundle of the log, the signed anchored checkpoint names another root: caught offline.
      const inLog = await runVerify([file, writeBundle("forged-v2.json", (b) => {
        b.record = record;
        b.merkle = { ...b.merkle, leafHash: leaf, leafIndex: 0, treeSize: 1, auditPath: [], root: leaf };
      })]);
      expect(inLog.code, inLog.out).to.equal(1);
      expect(inLog.out).to.match(/checkpoint signature invalid/);
      // So the forger presents it as a version 1 bundle (a batch with a tree of its own).
      const forge = (b: any) => {
        b.version = 1;
        delete b.log;
        b.record = record;
        b.merkle = { ...b.merkle, leafHash: leaf, leafIndex: 0, treeSize: 1, auditPath: [], root: leaf };
      };
      const withToken = await runVerify([file, writeBundle("forged.json", forge), "--rpc", `${tp.url}/rpc`]);
      expect(withToken.code, withToken.out).to.equal(1);
      expect(withToken.out).to.match(/timestamp invalid/);
      const stripped = await runVerify([file, writeBundle("forged-nots.json", (b) => (forge(b), delete b.timestamp)), "--rpc", `${tp.url}/rpc`]);
      expect(stripped.code, stripped.out).to.equal(1);
      expect(stripped.out).to.match(/transaction does not anchor this root|root not on chain/);
    });

    it("a signature removed from the bundle is reported (the record anchors its digest)", async () => {
      const r = await runVerify([file, writeBundle("nosig.json", (b) => delete b.signature)]);
      expect(r.code, r.out).to.equal(1);
      expect(r.out).to.match(/signature invalid/);
    });

    it("bad usage exits 2", async () => {
      expect((await runVerify([file])).code).to.equal(2);
      expect((await runVerify([file, path.join(tmp, "missing.json")])).code).to.equal(2);
    });
  });

  it("POST /api/verify: a file or a digest, anchored or not", async () => {
    const content = "public verification";
    const { id } = (await (await tp.upload(tp.adminToken, content)).json()) as { id: string };
    await tp.waitAnchored(tp.adminToken, id);
    const form = new FormData();
    form.append("file", new Blob([content]), "x");
    const byFile = (await (await tp.api("POST", "/api/verify", { body: form })).json()) as any;
    expect(byFile.anchored).to.equal(true);
    expect(byFile.matches[0].evidenceId).to.equal(id);
    expect(byFile.matches[0].checks.map((c: any) => c.name)).to.include("root-on-chain");
    expect(byFile.matches[0].bundle.record.sha256).to.equal(sha(content));
    const byDigest = (await (await tp.api("POST", "/api/verify", { json: { sha256: sha(content) } })).json()) as any;
    expect(byDigest.anchored).to.equal(true);
    const changed = (await (await tp.api("POST", "/api/verify", { json: { sha256: sha(content + "x") } })).json()) as any;
    expect(changed).to.deep.equal({ sha256: sha(content + "x"), anchored: false, matches: [] });
    const bad = await tp.api("POST", "/api/verify", { json: { sha256: "xyz" } });
    expect(bad.status).to.equal(400);
  });
});
