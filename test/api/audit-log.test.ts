// The hash-chained audit log: actions append entries, each batch anchors the head, and changing,
// deleting or reordering any row is detected by the verification (API and `npm run audit:verify`).
import { expect } from "chai";
import { spawn } from "node:child_process";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { ROOT } from "../helpers/cli";
import { verifyBundleOffline } from "../../server/core/proof-bundle";

function auditVerifyCli(tp: TestPlatform): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, DATA_DIR: tp.dataDir, ...(tp.config.DATABASE_URL ? { DATABASE_URL: tp.config.DATABASE_URL } : {}) };
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/audit-verify.ts"], { cwd: ROOT, env });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => resolve({ code: code ?? -1, out }));
  });
}

describe("audit log", function () {
  this.timeout(120_000);
  let tp: TestPlatform;
  const db = () => tp.platform.database.db;
  const raw = (sql: string) => db().$executeRawUnsafe(sql);

  beforeEach(async () => {
    tp = await startTestPlatform({ BATCH_MAX_AGE_MS: "100" });
  });
  afterEach(async () => tp.stop());

  async function someActivity() {
    const member = await tp.createUser("member");
    const { id } = (await (await tp.upload(member.token, "audited evidence")).json()) as { id: string };
    await tp.api("POST", "/api/tokens", { token: member.token, json: { name: "ci" } });
    const bundle = await tp.waitAnchored(member.token, id);
    return { member, id, bundle };
  }

  it("records state changes in a chain whose head is anchored with each batch", async () => {
    const { member, id, bundle } = await someActivity();
    const entries = ((await (await tp.api("GET", "/api/audit?limit=1000", { token: tp.adminToken })).json()) as any).entries;
    const actions = entries.map((e: any) => e.action);
    for (const a of ["user.created", "session.created", "certificate.issued", "evidence.accepted", "token.created", "batch.anchored"]) expect(actions).to.include(a);
    expect(entries.find((e: any) => e.action === "evidence.accepted").subject).to.equal(id);
    expect(entries.find((e: any) => e.action === "evidence.accepted").actorId).to.equal(member.id);
    entries.forEach((e: any, i: number) => i > 0 && expect(e.prevHash).to.equal(entries[i - 1].hash));

    // The batch that anchored the evidence also holds the audit head as a leaf, with a valid path.
    const head = await db().leaf.findFirst({ where: { kind: "audit-head", batch: { root: bundle.merkle.root } } });
    expect(head, "audit head leaf in the batch").to.not.equal(null);
    const rec = JSON.parse(head!.record);
    expect(entries.find((e: any) => e.seq === rec.seq).hash).to.equal(rec.hash);
    // The head's audit path to the anchored root, checked as a version 1 bundle: the log section of
    // the evidence item's bundle proves that item's inclusion, not the head's.
    const { log: _evidenceLog, ...anchoredPart } = bundle;
    const headBundle = { ...anchoredPart, version: 1, record: rec, merkle: { ...bundle.merkle, leafHash: head!.leafHash, leafIndex: head!.leafIndex, auditPath: JSON.parse(head!.auditPath!) } };
    const headChecks = verifyBundleOffline(headBundle);
    expect(headChecks.filter((c) => !c.ok), JSON.stringify(headChecks)).to.deep.equal([]);

    const ok = (await (await tp.api("GET", "/api/audit/verify", { token: tp.adminToken })).json()) as any;
    expect(ok).to.include({ ok: true, firstBreak: null });
    expect(ok.anchoredHeads).to.be.at.least(1);
    const cli = await auditVerifyCli(tp);
    expect(cli.code, cli.out).to.equal(0);
    expect(cli.out).to.contain("audit log intact");

    // Access: members and lawyers may not read it.
    expect((await tp.api("GET", "/api/audit", { token: member.token })).status).to.equal(403);
    expect((await tp.api("GET", "/api/audit/verify")).status).to.equal(401);
  });

  const tamperings: [string, (tp: TestPlatform, seqs: number[]) => Promise<unknown>, RegExp][] = [
    ["a changed row", (_tp, s) => raw(`UPDATE "AuditEntry" SET "details" = '{"sha256":"0xforged"}' WHERE "seq" = ${s[2]}`), /changed/],
    ["a changed actor", (_tp, s) => raw(`UPDATE "AuditEntry" SET "actorId" = 'someone-else' WHERE "seq" = ${s[1]}`), /changed/],
    ["a deleted row in the middle", (_tp, s) => raw(`DELETE FROM "AuditEntry" WHERE "seq" = ${s[1]}`), /deleted or reordered/],
    [
      "two rows swapped",
      async (_tp, s) => {
        await raw(`UPDATE "AuditEntry" SET "seq" = -1 WHERE "seq" = ${s[1]}`);
        await raw(`UPDATE "AuditEntry" SET "seq" = ${s[1]} WHERE "seq" = ${s[2]}`);
        await raw(`UPDATE "AuditEntry" SET "seq" = ${s[2]} WHERE "seq" = -1`);
      },
      /prevHash|changed/,
    ],
    ["the newest anchored rows deleted", async () => {
      const head = await db().leaf.findFirst({ where: { kind: "audit-head" }, orderBy: { seq: "desc" } });
      const seq = JSON.parse(head!.record).seq;
      await raw(`DELETE FROM "AuditEntry" WHERE "seq" >= ${seq}`);
    }, /missing|deleted/],
  ];
  for (const [name, tamper, expected] of tamperings) {
    it(`detects ${name}, naming the first broken link`, async () => {
      await someActivity();
      const seqs = (await db().auditEntry.findMany({ orderBy: { seq: "asc" }, select: { seq: true } })).map((e) => e.seq);
      await tp.platform.worker.stop(); // nothing else writes while the rows are altered
      await tamper(tp, seqs);
      const res = (await (await tp.api("GET", "/api/audit/verify", { token: tp.adminToken })).json()) as any;
      expect(res.ok, JSON.stringify(res)).to.equal(false);
      expect(res.firstBreak.problem).to.match(expected);
      const cli = await auditVerifyCli(tp);
      expect(cli.code, cli.out).to.equal(1);
      expect(cli.out).to.match(/BROKEN at entry \d+/);
    });
  }
});
