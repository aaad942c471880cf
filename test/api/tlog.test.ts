// The log as the API serves it: the latest checkpoint (a C2SP signed note, checked with the key the
// log publishes), inclusion proofs by index and by leaf hash, consistency proofs between every two
// checkpoints the log signed, clear 400/404 answers; version 2 proof bundles verified offline and
// on chain, tampered log sections named by their check; `npm run verify -- --consistency`.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { JsonRpcProvider } from "ethers";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { runVerify } from "../helpers/cli";
import { parseVerifierKey, verifyCheckpoint } from "../../server/core/checkpoint";
import { verifyConsistency } from "../../server/core/consistency";
import { fromHex, toHex } from "../../server/core/hex";
import { rootFromAuditPath, rootFromLeafHashes } from "../../server/core/merkle";
import { EMPTY_RANGE, extendRange } from "../../server/core/compact-range";
import { verifyBundleOffline } from "../../server/core/proof-bundle";
import { verifyAnchorOnChain } from "../../server/chain/anchor-check";

describe("the transparency log (API)", function () {
  this.timeout(300_000);
  let tp: TestPlatform;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tlog-"));
  const bundles: any[] = [];

  before(async () => {
    tp = await startTestPlatform({ BATCH_MAX_ITEMS: "3", BATCH_MAX_AGE_MS: "200" });
    for (let round = 0; round < 3; round++) {
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push(((await (await tp.upload(tp.adminToken, `log item ${round}.${i}`)).json()) as any).id);
      for (const id of ids) bundles.push(await tp.waitAnchored(tp.adminToken, id));
    }
  });
  after(async () => tp.stop());

  const get = async (route: string) => fetch(`${tp.url}${route}`);

  it("serves the latest checkpoint as text/plain, signed by the key it publishes, without authentication", async () => {
    const res = await get("/api/log/checkpoint");
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.match(/^text\/plain/);
    const note = await res.text();
    const key = (await (await get("/api/log/key")).text()).trim();
    const v = verifyCheckpoint(note, parseVerifierKey(key));
    expect(v.ok, JSON.stringify(v)).to.equal(true);
    if (!v.ok) return;
    expect(v.checkpoint.origin).to.equal(key.split("+")[0]);
    expect(v.checkpoint.treeSize).to.be.at.least(9);
    expect(note.split("\n")[1]).to.equal(String(v.checkpoint.treeSize));
  });

  it("every checkpoint it signed is consistent with every later one, and each leaf is included", async () => {
    const sizes = (await tp.platform.database.db.logCheckpoint.findMany({ orderBy: { treeSize: "asc" } })).map((c) => c.treeSize).filter((n) => n > 0);
    expect(sizes.length).to.be.at.least(3);
    const key = parseVerifierKey((await (await get("/api/log/key")).text()).trim());
    const roots = new Map<number, Buffer>();
    for (const n of sizes) {
      const note = await (await get(`/api/log/checkpoints/${n}`)).text();
      const v = verifyCheckpoint(note, key);
      expect(v.ok).to.equal(true);
      if (v.ok) roots.set(n, v.checkpoint.root);
    }
    for (const a of sizes) {
      for (const b of sizes.filter((x) => x >= a)) {
        const p = (await (await get(`/api/log/proof/consistency?from=${a}&to=${b}`)).json()) as any;
        expect(verifyConsistency(a, b, roots.get(a)!, roots.get(b)!, p.proof.map(fromHex)), `${a} -> ${b}`).to.equal(true);
      }
    }
    const last = sizes[sizes.length - 1];
    for (const bundle of bundles) {
      const byHash = (await (await get(`/api/log/proof/inclusion?leafHash=${bundle.merkle.leafHash}&treeSize=${last}`)).json()) as any;
      expect(byHash.leafIndex).to.equal(bundle.merkle.leafIndex);
      expect(rootFromAuditPath(fromHex(bundle.merkle.leafHash), byHash.leafIndex, last, byHash.auditPath.map(fromHex))?.equals(roots.get(last)!)).to.equal(true);
      const byIndex = (await (await get(`/api/log/proof/inclusion?index=${bundle.merkle.leafIndex}&treeSize=${last}`)).json()) as any;
      expect(byIndex.auditPath).to.deep.equal(byHash.auditPath);
    }
  });

  it("refuses bad proof requests with a 4xx and a code", async () => {
    const size = (await tp.platform.tlog.head()).treeSize;
    const cases: [string, number, string][] = [
      [`/api/log/proof/consistency?from=0&to=3`, 400, "invalid_input"],
      [`/api/log/proof/consistency?from=5&to=3`, 400, "out_of_range"],
      [`/api/log/proof/consistency?from=1&to=${size + 1}`, 400, "out_of_range"],
      [`/api/log/proof/consistency?from=x&to=3`, 400, "invalid_input"],
      [`/api/log/proof/inclusion?index=${size}&treeSize=${size}`, 400, "out_of_range"],
      [`/api/log/proof/inclusion?index=1&leafHash=${"0x" + "00".repeat(32)}`, 400, "invalid_input"],
      [`/api/log/proof/inclusion?leafHash=nothex`, 400, "invalid_input"],
      [`/api/log/proof/inclusion?leafHash=${"0x" + "00".repeat(32)}`, 404, "not_found"],
      [`/api/log/checkpoints/${size + 100}`, 404, "not_found"],
    ];
    for (const [route, status, code] of cases) {
      const res = await get(route);
      expect(res.status, route).to.equal(status);
      expect(((await res.json()) as any).error.code, route).to.equal(code);
    }
  });

  it("version 2 bundles verify offline and on chain; an altered log section is named", async () => {
    const provider = new JsonRpcProvider(`${tp.url}/rpc`, undefined, { staticNetwork: true });
    try {
      for (const b of bundles) {
        expect(b.version).to.equal(2);
        const checks = [...verifyBundleOffline(b), ...(await verifyAnchorOnChain(provider, b))];
        expect(checks.filter((c) => !c.ok), JSON.stringify(checks)).to.deep.equal([]);
        expect(checks.map((c) => c.name)).to.include.members(["checkpoint-signature", "log-inclusion", "log-consistency", "checkpoint-on-chain"]);
      }
    } finally {
      provider.destroy();
    }
    // Fetched again now, the first bundle's anchored checkpoint is older than the latest: its consistency proof is not empty.
    const b = await tp.waitAnchored(tp.adminToken, bundles[0].record.id);
    expect(verifyBundleOffline(b).every((c) => c.ok)).to.equal(true);
    expect(b.log.consistency.from).to.be.lessThan(b.log.consistency.to);
    const failing = (change: (x: any) => void) => {
      const x = JSON.parse(JSON.stringify(b));
      change(x);
      return verifyBundleOffline(x).find((c) => !c.ok)?.name;
    };
    expect(failing((x) => (x.log.checkpoint = x.log.checkpoint.replace(/\n\d+\n/, "\n99999\n")))).to.equal("checkpoint-signature");
    expect(failing((x) => (x.log.anchoredCheckpoint = x.log.checkpoint))).to.equal("checkpoint-signature");
    expect(failing((x) => (x.log.inclusion.auditPath[0] = toHex(Buffer.alloc(32, 7))))).to.equal("log-inclusion");
    expect(failing((x) => (x.log.consistency.proof[0] = toHex(Buffer.alloc(32, 7))))).to.equal("log-consistency");
    expect(failing((x) => x.log.consistency.proof.pop())).to.equal("log-consistency");
    // A pinned key other than the log's.
    const { generateKeyPairSync } = await import("node:crypto");
    const { verifierKey } = await import("../../server/core/checkpoint");
    const pinned = verifierKey("example.org/log", generateKeyPairSync("ed25519").publicKey);
    expect(verifyBundleOffline(b, undefined, { logKey: pinned }).find((c) => !c.ok)?.name).to.equal("checkpoint-signature");
  });

  it("npm run verify -- --consistency: two bundles with the proof from the server, two checkpoints with a proof file", async () => {
    const older = path.join(tmp, "old.json");
    const newer = path.join(tmp, "new.json");
    fs.writeFileSync(older, JSON.stringify(bundles[0]));
    fs.writeFileSync(newer, JSON.stringify(bundles[bundles.length - 1]));
    const ok = await runVerify(["--consistency", older, newer, "--server", tp.url, "--rpc", `${tp.url}/rpc`]);
    expect(ok.code, ok.out).to.equal(0);
    expect(ok.out).to.match(/CONSISTENT/);
    expect(ok.out).to.match(/PASS  checkpoint-on-chain/);

    const a = bundles[0].merkle.treeSize;
    const c = (await tp.platform.tlog.head()).treeSize;
    const noteA = path.join(tmp, "a.txt");
    const noteC = path.join(tmp, "c.txt");
    fs.writeFileSync(noteA, await (await get(`/api/log/checkpoints/${a}`)).text());
    fs.writeFileSync(noteC, await (await get(`/api/log/checkpoints/${c}`)).text());
    const proofFile = path.join(tmp, "proof.json");
    const proof = (await (await get(`/api/log/proof/consistency?from=${a}&to=${c}`)).json()) as any;
    fs.writeFileSync(proofFile, JSON.stringify(proof));
    const key = (await (await get("/api/log/key")).text()).trim();
    expect((await runVerify(["--consistency", noteA, noteC, "--proof", proofFile, "--log-key", key])).code).to.equal(0);
    // A forked history: the proof altered, or a checkpoint of another root.
    fs.writeFileSync(proofFile, JSON.stringify({ ...proof, proof: [toHex(Buffer.alloc(32, 9)), ...proof.proof.slice(1)] }));
    const forked = await runVerify(["--consistency", noteA, noteC, "--proof", proofFile, "--log-key", key]);
    expect(forked.code, forked.out).to.equal(1);
    expect(forked.out).to.match(/forked/);
    // Without a key for plain checkpoints, or without a proof: usage.
    expect((await runVerify(["--consistency", noteA, noteC, "--proof", proofFile])).code).to.equal(2);
    expect((await runVerify(["--consistency", noteA, noteC, "--log-key", key])).code).to.equal(2);
  });
  it("keeps the head's compact range; a head without one, or with a wrong one, is mended from the leaves at the next append", async () => {
    const db = tp.platform.database.db;
    const headRow = () => db.logHead.findUniqueOrThrow({ where: { id: 1 } });
    const rangeOfEntries = async (size: number) => {
      const leaves = (await db.logEntry.findMany({ where: { index: { lt: size } }, orderBy: { index: "asc" } })).map((e) => fromHex(e.leafHash));
      expect(leaves).to.have.length(size);
      return { root: toHex(rootFromLeafHashes(leaves)), nodes: extendRange(EMPTY_RANGE, leaves).range.nodes.map(toHex) };
    };
    const appendMore = async (label: string) => {
      const before = (await headRow()).treeSize;
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push(((await (await tp.upload(tp.adminToken, `${label} ${i}`)).json()) as any).id);
      for (const id of ids) await tp.waitAnchored(tp.adminToken, id);
      const h = await headRow();
      expect(h.treeSize).to.be.above(before);
      const expected = await rangeOfEntries(h.treeSize);
      expect(h.root).to.equal(expected.root);
      expect(JSON.parse(h.compactRange!)).to.deep.equal(expected.nodes);
      const p = (await (await get(`/api/log/proof/consistency?from=${before}&to=${h.treeSize}`)).json()) as any;
      const rootAt = async (n: number) => fromHex((await db.logCheckpoint.findUniqueOrThrow({ where: { treeSize: n } })).root);
      expect(verifyConsistency(before, h.treeSize, await rootAt(before), await rootAt(h.treeSize), p.proof.map(fromHex)), `${before} -> ${h.treeSize}`).to.equal(true);
    };
    // as every append leaves it
    const now = await headRow();
    expect(JSON.parse(now.compactRange!)).to.deep.equal((await rangeOfEntries(now.treeSize)).nodes);
    // a log written before the range was kept
    await db.logHead.update({ where: { id: 1 }, data: { compactRange: null } });
    await appendMore("after a head without its range");
    // a range of the right shape whose hashes do not give the head's root
    const h = await headRow();
    const wrong = (JSON.parse(h.compactRange!) as string[]).map(() => toHex(Buffer.alloc(32, 7)));
    await db.logHead.update({ where: { id: 1 }, data: { compactRange: JSON.stringify(wrong) } });
    await appendMore("after a wrong range");
  });
});
