// Cases end to end through the API: parties, judges, evidence submitted into a case, the opposing
// party's view and opinions, electronic service with anchored delivery receipts, and the access
// matrix walked for every route and every role.
import { expect } from "chai";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { verifyBundleOffline } from "../../server/core/proof-bundle";
import { leafOf } from "../../server/core/evidence-record";
import { verifyAnchorOnChain } from "../../server/chain/anchor-check";
import { verifyPkiSections } from "../../server/pki/bundle-checks";
import { ROUTES, type RouteSpec } from "../../server/cases/access";
import { caseRouters } from "../../server/cases/routes";
import type { CasesService } from "../../server/cases/service";
import type { IngestDeps } from "../../server/evidence/routes";

const sha = (b: Buffer | string) => "0x" + createHash("sha256").update(b).digest("hex");
type User = { id: string; email: string; token: string };

async function errorOf(res: Response): Promise<{ status: number; code: string }> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.message).to.be.a("string").and.not.empty;
  return { status: res.status, code: body.error.code };
}

async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return text ? JSON.parse(text) : null;
}

let caseCounter = 0;
const caseNumber = () => `(2026)闽0102民初${1000 + ++caseCounter}-${process.pid}号`;

describe("cases (API)", function () {
  this.timeout(120_000);
  let tp: TestPlatform;
  let orgA: string;
  let judge: User, judge2: User, lawyerA: User, memberA: User, lawyerB: User, outsiderLawyer: User, outsiderJudge: User;
  let outsiderMember: User;

  const openCase = async (by: User, parties?: unknown[], number = caseNumber()) =>
    json(
      await tp.api("POST", "/api/cases", {
        token: by.token,
        json: {
          number,
          court: "福州市鼓楼区人民法院",
          causeOfAction: "买卖合同纠纷",
          parties: parties ?? [
            { name: "甲公司", kind: "plaintiff", organizationId: orgA, members: [memberA.id] },
            { name: "乙", kind: "defendant", members: [lawyerB.id] },
          ],
        },
      }),
      201,
    );
  const form = (fields: Record<string, string>, content?: Buffer | string, fileName = "evidence.bin") => {
    const f = new FormData();
    for (const [k, v] of Object.entries(fields)) f.append(k, v);
    if (content !== undefined) f.append("file", new Blob([typeof content === "string" ? content : new Uint8Array(content)]), fileName);
    return f;
  };
  const submit = (by: User | null, caseId: string, content: Buffer | string, fields: Record<string, string> = { title: "合同", purpose: "证明双方存在买卖合同关系" }) =>
    tp.api("POST", `/api/cases/${caseId}/submissions`, { token: by?.token, body: form(fields, content, "合同.pdf") });
  const serve = (by: User | null, caseId: string, partyId: string, content: Buffer | string, title = "传票") =>
    tp.api("POST", `/api/cases/${caseId}/services`, { token: by?.token, body: form({ title, party: partyId }, content, "summons.pdf") });
  const accept = { position: "accept" };
  const dispute = (comment: string) => ({ position: "dispute", comment });
  const opinion = { authenticity: accept, legality: accept, relevance: dispute("与本案无关") };

  before(async () => {
    tp = await startTestPlatform({ MAX_UPLOAD_BYTES: "65536" });
    orgA = ((await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "甲公司" } }), 201)) as { id: string }).id;
    [judge, judge2, lawyerA, memberA, lawyerB, outsiderLawyer, outsiderJudge, outsiderMember] = await Promise.all([
      tp.createUser("judge"),
      tp.createUser("judge"),
      tp.createUser("lawyer"),
      tp.createUser("member", { organizationId: orgA }),
      tp.createUser("lawyer"),
      tp.createUser("lawyer"),
      tp.createUser("judge"),
      tp.createUser("member", { organizationId: orgA }),
    ]);
  });
  after(async () => tp?.stop());

  describe("the flow: open, submit, finalise, exchange, opinions, verification, service, close", () => {
    let c: any;
    let partyA: string, partyB: string;
    let draft: any;
    const content = Buffer.from("买卖合同 — contract of sale, signed 2026-03-01\n");
    let served: any;
    const summons = Buffer.from("传票 summons: hearing on 2026-12-15 09:00\n");

    it("a judge opens a case with parties; the case number is kept in canonical form", async () => {
      const raw = `（2026）闽0102民初${9000 + ++caseCounter}号 `;
      c = await openCase(judge, undefined, raw);
      expect(c.number).to.equal(`(2026)闽0102民初${9000 + caseCounter}号`);
      expect(c).to.include({ court: "福州市鼓楼区人民法院", causeOfAction: "买卖合同纠纷", status: "open", openedBy: judge.id });
      expect(c.judges.map((j: any) => j.id)).to.deep.equal([judge.id]);
      expect(c.parties.map((p: any) => [p.name, p.kind])).to.deep.equal([["甲公司", "plaintiff"], ["乙", "defendant"]]);
      [partyA, partyB] = c.parties.map((p: any) => p.id);
      // The same number again, in another spelling: refused.
      expect(await errorOf(await tp.api("POST", "/api/cases", { token: judge.token, json: { number: raw.replace("（", "(").replace("）", ")"), court: "x", causeOfAction: "y", parties: [{ name: "a", kind: "plaintiff" }, { name: "b", kind: "defendant" }] } }))).to.deep.equal({ status: 409, code: "duplicate" });
    });

    it("a judge of the case attaches a lawyer to a party and adds a judge", async () => {
      const added = await json(await tp.api("POST", `/api/cases/${c.id}/parties/${partyA}/lawyers`, { token: judge.token, json: { userId: lawyerA.id } }), 201);
      expect(added).to.include({ caseId: c.id, partyId: partyA, userId: lawyerA.id });
      await json(await tp.api("POST", `/api/cases/${c.id}/judges`, { token: judge.token, json: { userId: judge2.id } }), 201);
      const detail = await json(await tp.api("GET", `/api/cases/${c.id}`, { token: judge2.token }), 200);
      expect(detail.judges.map((j: any) => j.id)).to.deep.equal([judge.id, judge2.id]);
      expect(detail.parties[0].members.map((m: any) => m.id)).to.deep.equal([memberA.id, lawyerA.id]);
      expect(detail.you).to.deep.equal({ relation: "judge", partyId: null });
      // Each sees the case in their list.
      for (const u of [judge, judge2, lawyerA, memberA, lawyerB]) {
        const list = await json(await tp.api("GET", "/api/cases", { token: u.token }), 200);
        expect(list.items.map((x: any) => x.id), u.email).to.include(c.id);
      }
      const mine = await json(await tp.api("GET", "/api/cases", { token: lawyerA.token }), 200);
      expect(mine.items.find((x: any) => x.id === c.id)).to.include({ role: "party", partyId: partyA });
    });

    it("a party's lawyer submits evidence into the case: a draft the other side does not see", async () => {
      const res = await submit(lawyerA, c.id, content, { title: "买卖合同", purpose: "证明双方存在买卖合同关系", source: "原件扫描" });
      draft = await json(res, 201);
      expect(res.headers.get("location")).to.equal(`/api/cases/${c.id}/evidence/${draft.id}`);
      expect(draft).to.include({ caseId: c.id, title: "买卖合同", purpose: "证明双方存在买卖合同关系", source: "原件扫描", status: "draft", sha256: sha(content), size: content.length, fileName: "合同.pdf", submittedBy: lawyerA.id });
      expect(draft.party).to.deep.equal({ id: partyA, name: "甲公司", kind: "plaintiff" });
      // Hashed, signed by the submitter and queued like any evidence item.
      const item = await tp.platform.database.db.evidenceItem.findUniqueOrThrow({ where: { id: draft.evidenceId } });
      expect(item).to.include({ submitterId: lawyerA.id, sha256: sha(content), restricted: true });
      expect(item.signatureCms).to.be.a("string");

      const own = await json(await tp.api("GET", `/api/cases/${c.id}/evidence`, { token: memberA.token }), 200);
      expect(own.items.map((x: any) => [x.id, x.status])).to.deep.equal([[draft.id, "draft"]]);
      const other = await json(await tp.api("GET", `/api/cases/${c.id}/evidence`, { token: lawyerB.token }), 200);
      expect(other.items).to.deep.equal([]);
      for (const sub of ["", "/content", "/verification"]) {
        expect(await errorOf(await tp.api("GET", `/api/cases/${c.id}/evidence/${draft.id}${sub}`, { token: lawyerB.token }))).to.deep.equal({ status: 404, code: "not_found" });
      }
      expect(await errorOf(await tp.api("PUT", `/api/cases/${c.id}/evidence/${draft.id}/opinion`, { token: lawyerB.token, json: opinion }))).to.deep.equal({ status: 404, code: "not_found" });
      // The judges see drafts too.
      const judges = await json(await tp.api("GET", `/api/cases/${c.id}/evidence`, { token: judge2.token }), 200);
      expect(judges.items.map((x: any) => x.id)).to.deep.equal([draft.id]);
    });

    it("a draft may be edited; the party finalises it; then it is immutable", async () => {
      const edited = await json(await tp.api("PATCH", `/api/cases/${c.id}/submissions/${draft.id}`, { token: memberA.token, json: { purpose: "证明合同约定的价款为 100 万元" } }), 200);
      expect(edited.purpose).to.equal("证明合同约定的价款为 100 万元");
      const fin = await json(await tp.api("POST", `/api/cases/${c.id}/submissions/${draft.id}/finalise`, { token: memberA.token }), 200);
      expect(fin).to.include({ status: "finalised" });
      expect(fin.finalisedAt).to.be.a("string");
      for (const [method, route, body] of [
        ["PATCH", `/submissions/${draft.id}`, { purpose: "changed" }],
        ["DELETE", `/submissions/${draft.id}`, undefined],
        ["POST", `/submissions/${draft.id}/finalise`, undefined],
      ] as const) {
        expect(await errorOf(await tp.api(method, `/api/cases/${c.id}${route}`, { token: lawyerA.token, json: body }))).to.deep.equal({ status: 409, code: "finalised" });
      }
      const row = await tp.platform.database.db.caseEvidence.findUniqueOrThrow({ where: { id: draft.id } });
      expect(row.purpose).to.equal("证明合同约定的价款为 100 万元");
    });

    it("the opposing party sees the finalised item, downloads it and records an opinion, editable", async () => {
      const list = await json(await tp.api("GET", `/api/cases/${c.id}/evidence?party=${partyA}`, { token: lawyerB.token }), 200);
      expect(list.items.map((x: any) => [x.id, x.status, x.sha256])).to.deep.equal([[draft.id, "finalised", sha(content)]]);
      expect((await json(await tp.api("GET", `/api/cases/${c.id}/evidence?party=${partyB}`, { token: lawyerB.token }), 200)).items).to.deep.equal([]);
      const download = await tp.api("GET", `/api/cases/${c.id}/evidence/${draft.id}/content`, { token: lawyerB.token });
      expect(download.status).to.equal(200);
      expect(download.headers.get("x-content-sha256")).to.equal(sha(content));
      expect(Buffer.from(await download.arrayBuffer()).equals(content)).to.equal(true);

      const first = await json(await tp.api("PUT", `/api/cases/${c.id}/evidence/${draft.id}/opinion`, { token: lawyerB.token, json: opinion }), 201);
      expect(first.party.id).to.equal(partyB);
      expect(first.relevance).to.deep.equal({ position: "dispute", comment: "与本案无关" });
      const second = await json(
        await tp.api("PUT", `/api/cases/${c.id}/evidence/${draft.id}/opinion`, {
          token: lawyerB.token,
          json: { authenticity: dispute("复印件，无原件核对"), legality: accept, relevance: accept },
        }),
        200,
      );
      expect(second.id).to.equal(first.id);
      expect(second.authenticity).to.deep.equal({ position: "dispute", comment: "复印件，无原件核对" });
      // One opinion per party per item; the submitter and the judges see it.
      for (const u of [lawyerA, judge]) {
        const detail = await json(await tp.api("GET", `/api/cases/${c.id}/evidence/${draft.id}`, { token: u.token }), 200);
        expect(detail.opinions).to.have.length(1);
        expect(detail.opinions[0]).to.deep.include({ authenticity: { position: "dispute", comment: "复印件，无原件核对" }, author: lawyerB.id });
      }
      // The submitting party does not give an opinion on its own evidence.
      expect(await errorOf(await tp.api("PUT", `/api/cases/${c.id}/evidence/${draft.id}/opinion`, { token: lawyerA.token, json: opinion }))).to.deep.equal({ status: 403, code: "forbidden" });
      // A dispute needs a comment.
      expect(await errorOf(await tp.api("PUT", `/api/cases/${c.id}/evidence/${draft.id}/opinion`, { token: lawyerB.token, json: { ...opinion, legality: { position: "dispute" } } }))).to.deep.equal({ status: 400, code: "invalid_input" });
    });

    it("the judge's verification is recomputed on request: file, record, path, chain", async () => {
      let v: any;
      for (const until = Date.now() + 20_000; ; await new Promise((r) => setTimeout(r, 100))) {
        v = await json(await tp.api("GET", `/api/cases/${c.id}/evidence/${draft.id}/verification`, { token: judge.token }), 200);
        if (v.status === "anchored" || Date.now() > until) break;
      }
      // A failure names the checks that failed, not only "verified: false".
      expect(v.checks.filter((x: any) => !x.ok), JSON.stringify(v.checks)).to.deep.equal([]);
      expect(v).to.include({ status: "anchored", verified: true, evidenceId: draft.evidenceId, fileSha256: sha(content), recordedSha256: sha(content) });
      expect(v.checks.map((x: any) => x.name)).to.include.members(["record-leaf", "audit-path", "signature", "timestamp", "transaction", "root-on-chain"]);
      expect(v.checks.every((x: any) => x.ok)).to.equal(true);
      expect(v.signer.subject.serialNumber).to.equal(lawyerA.id);

      // Not a stored flag: the stored file altered behind the platform's back fails the next verification.
      const file = path.join(tp.dataDir, "objects", sha(content).slice(2, 4), sha(content).slice(4, 6), sha(content).slice(2));
      fs.chmodSync(file, 0o600);
      fs.writeFileSync(file, Buffer.concat([content, Buffer.from("tampered")]));
      try {
        const bad = await json(await tp.api("GET", `/api/cases/${c.id}/evidence/${draft.id}/verification`, { token: judge.token }), 200);
        expect(bad.verified).to.equal(false);
        expect(bad.checks[0]).to.include({ name: "file-digest", ok: false });
      } finally {
        fs.writeFileSync(file, content);
      }
    });

    it("only a judge of the case serves a document; it reaches the inbox of each member of the party", async () => {
      expect(await errorOf(await serve(lawyerA, c.id, partyB, summons))).to.deep.equal({ status: 403, code: "forbidden" });
      expect(await errorOf(await serve(outsiderJudge, c.id, partyB, summons))).to.deep.equal({ status: 404, code: "not_found" });
      served = await json(await serve(judge2, c.id, partyA, summons), 201);
      expect(served).to.include({ caseId: c.id, partyId: partyA, title: "传票", sha256: sha(summons), size: summons.length });
      expect(served.recipients).to.have.members([memberA.id, lawyerA.id]);
      // Hashed, signed by the serving judge's certificate, and anchored like evidence.
      const item = await tp.platform.database.db.evidenceItem.findUniqueOrThrow({ where: { id: served.evidenceId } });
      expect(item).to.include({ submitterId: judge2.id, restricted: true });
      expect(item.signatureCms).to.be.a("string");

      for (const u of [lawyerA, memberA]) {
        const inbox = await json(await tp.api("GET", "/api/inbox", { token: u.token }), 200);
        const entry = inbox.items.find((x: any) => x.case.id === c.id);
        expect(entry).to.deep.include({ title: "传票", openedAt: null, case: { id: c.id, number: c.number, court: c.court } });
        expect(entry.document.sha256).to.equal(sha(summons));
      }
      expect((await json(await tp.api("GET", "/api/inbox", { token: lawyerB.token }), 200)).items.filter((x: any) => x.case.id === c.id)).to.deep.equal([]);
    });

    it("the first opening records an anchored delivery receipt; later openings change nothing", async () => {
      const inbox = await json(await tp.api("GET", "/api/inbox", { token: lawyerA.token }), 200);
      const entry = inbox.items.find((x: any) => x.case.id === c.id);
      // Nobody but the recipient opens it (the serving judge neither).
      for (const u of [memberA, judge2, lawyerB]) {
        expect(await errorOf(await tp.api("GET", `/api/inbox/${entry.id}/document`, { token: u.token }))).to.deep.equal({ status: 404, code: "not_found" });
      }
      const res = await tp.api("GET", `/api/inbox/${entry.id}/document`, { token: lawyerA.token, headers: { "user-agent": "CourtClient/1.0" } });
      expect(res.status).to.equal(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(summons)).to.equal(true);
      const services = await json(await tp.api("GET", `/api/cases/${c.id}/services`, { token: judge.token }), 200);
      const delivery = services.services[0].deliveries.find((d: any) => d.recipient.id === lawyerA.id);
      expect(delivery).to.include({ ip: "127.0.0.1", userAgent: "CourtClient/1.0" });
      expect(delivery.openedAt).to.be.a("string");
      expect(services.services[0].deliveries.find((d: any) => d.recipient.id === memberA.id)).to.include({ openedAt: null, receipt: null });

      // Again, from elsewhere: the receipt stands as first recorded.
      await (await tp.api("GET", `/api/inbox/${entry.id}/document`, { token: lawyerA.token, headers: { "user-agent": "Other/2.0" } })).arrayBuffer();
      const db = tp.platform.database.db;
      const row = await db.documentDelivery.findUniqueOrThrow({ where: { id: entry.id } });
      expect(row.openedAt!.toISOString()).to.equal(delivery.openedAt);
      expect(row.openedUserAgent).to.equal("CourtClient/1.0");
      expect(await db.leaf.count({ where: { kind: "delivery-receipt" } })).to.equal(1);

      // The receipt's proof bundle once anchored: it verifies offline, and on chain.
      let bundle: any = null;
      for (const until = Date.now() + 20_000; !bundle && Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
        const s = await json(await tp.api("GET", `/api/cases/${c.id}/services`, { token: judge.token }), 200);
        bundle = s.services[0].deliveries.find((d: any) => d.recipient.id === lawyerA.id).receipt.bundle;
      }
      expect(bundle, "receipt anchored").to.be.an("object");
      expect(bundle.record).to.deep.equal({
        type: "delivery-receipt",
        id: entry.id,
        case: { id: c.id, number: c.number },
        service: { id: served.id, servedAt: served.servedAt },
        document: { evidenceId: served.evidenceId, sha256: sha(summons) },
        recipient: { id: lawyerA.id },
        openedAt: delivery.openedAt,
        client: { ip: "127.0.0.1", userAgent: "CourtClient/1.0" },
      });
      const offline = verifyBundleOffline(bundle);
      expect(offline.every((x) => x.ok), JSON.stringify(offline)).to.equal(true);
      expect(leafOf(bundle.record).hash).to.equal(bundle.merkle.leafHash);
      const pki = verifyPkiSections(bundle);
      expect(pki.checks.map((x) => [x.name, x.ok])).to.deep.include(["timestamp", true]);
      const onChain = await verifyAnchorOnChain(tp.platform.chain.registry.provider, bundle);
      expect(onChain.every((x) => x.ok), JSON.stringify(onChain)).to.equal(true);
      // An altered receipt no longer leads to the anchored root.
      const altered = { ...bundle, merkle: { ...bundle.merkle, leafHash: undefined }, record: { ...bundle.record, openedAt: "2026-01-01T00:00:00.000Z" } };
      expect(verifyBundleOffline(altered).every((x) => x.ok)).to.equal(false);
    });

    it("closing: only a judge of the case; a closed case accepts no evidence, opinions or service (409); reading goes on", async () => {
      expect(await errorOf(await tp.api("POST", `/api/cases/${c.id}/close`, { token: lawyerA.token }))).to.deep.equal({ status: 403, code: "forbidden" });
      expect(await errorOf(await tp.api("POST", `/api/cases/${c.id}/close`, { token: outsiderJudge.token }))).to.deep.equal({ status: 404, code: "not_found" });
      const closed = await json(await tp.api("POST", `/api/cases/${c.id}/close`, { token: judge.token }), 200);
      expect(closed).to.include({ id: c.id, status: "closed" });
      const before = await tp.platform.database.db.evidenceItem.count();
      expect(await errorOf(await submit(lawyerA, c.id, "late evidence"))).to.deep.equal({ status: 409, code: "case_closed" });
      expect(await errorOf(await tp.api("PUT", `/api/cases/${c.id}/evidence/${draft.id}/opinion`, { token: lawyerB.token, json: opinion }))).to.deep.equal({ status: 409, code: "case_closed" });
      expect(await errorOf(await serve(judge, c.id, partyB, "late summons"))).to.deep.equal({ status: 409, code: "case_closed" });
      expect(await errorOf(await tp.api("POST", `/api/cases/${c.id}/close`, { token: judge.token }))).to.deep.equal({ status: 409, code: "case_closed" });
      expect(await tp.platform.database.db.evidenceItem.count()).to.equal(before);
      expect((await tp.api("GET", `/api/cases/${c.id}/evidence/${draft.id}`, { token: lawyerB.token })).status).to.equal(200);
      // The other recipient still opens the document served before the close, and gets a receipt.
      const inbox = await json(await tp.api("GET", "/api/inbox", { token: memberA.token }), 200);
      const entry = inbox.items.find((x: any) => x.case.id === c.id);
      expect((await tp.api("GET", `/api/inbox/${entry.id}/document`, { token: memberA.token })).status).to.equal(200);
    });

    it("every change appended an audit entry, and the audit chain verifies", async () => {
      const entries = (await json(await tp.api("GET", "/api/audit?limit=1000", { token: tp.adminToken }), 200)).entries as any[];
      const actions = entries.map((e) => e.action);
      for (const a of [
        "case.opened",
        "case.party-member-added",
        "case.judge-added",
        "case.evidence-submitted",
        "case.evidence-edited",
        "case.evidence-finalised",
        "case.opinion-recorded",
        "case.opinion-updated",
        "case.document-served",
        "case.document-opened",
        "case.closed",
      ]) {
        expect(actions, a).to.include(a);
      }
      const finalised = entries.find((e) => e.action === "case.evidence-finalised" && e.subject === draft.id);
      expect(finalised.actorId).to.equal(memberA.id);
      expect((await json(await tp.api("GET", "/api/audit/verify", { token: tp.adminToken }), 200)).ok).to.equal(true);
    });
  });

  describe("denials and bad input", () => {
    let c: any;
    let other: any;
    let partyA: string;
    let item: any;
    before(async () => {
      c = await openCase(judge);
      partyA = c.parties[0].id;
      await json(await tp.api("POST", `/api/cases/${c.id}/parties/${partyA}/lawyers`, { token: judge.token, json: { userId: lawyerA.id } }), 201);
      item = await json(await submit(lawyerA, c.id, "case A evidence"), 201);
      await json(await tp.api("POST", `/api/cases/${c.id}/submissions/${item.id}/finalise`, { token: lawyerA.token }), 200);
      // Case B: another judge, other lawyers.
      other = await openCase(outsiderJudge, [
        { name: "丙", kind: "plaintiff", members: [outsiderLawyer.id] },
        { name: "丁", kind: "defendant", members: [] },
      ]);
    });

    it("a lawyer on case A sees nothing of case B: 404 for every resource of it, and no trace in lists", async () => {
      expect((await json(await tp.api("GET", "/api/cases", { token: lawyerA.token }), 200)).items.map((x: any) => x.id)).not.to.include(other.id);
      for (const route of [``, `/evidence`, `/services`, `/evidence/${item.id}`, `/evidence/${item.id}/content`, `/evidence/${item.id}/verification`]) {
        expect(await errorOf(await tp.api("GET", `/api/cases/${other.id}${route}`, { token: lawyerA.token })), route).to.deep.equal({ status: 404, code: "not_found" });
      }
      // Case A's evidence addressed through case B's path: not found either.
      expect((await tp.api("GET", `/api/cases/${other.id}/evidence/${item.id}`, { token: outsiderLawyer.token })).status).to.equal(404);
      expect((await submit(lawyerA, other.id, "wrong case")).status).to.equal(404);
    });

    it("case evidence is not visible through /api/evidence to anyone but its submitter (not to judges or admins)", async () => {
      expect((await tp.api("GET", `/api/evidence/${item.evidenceId}`, { token: lawyerA.token })).status).to.equal(200);
      for (const u of [judge, outsiderJudge, { token: tp.adminToken }, outsiderMember, memberA]) {
        expect((await tp.api("GET", `/api/evidence/${item.evidenceId}`, { token: u.token })).status).to.equal(404);
        expect((await tp.api("GET", `/api/evidence/${item.evidenceId}/content`, { token: u.token })).status).to.equal(404);
        const list = await json(await tp.api("GET", "/api/evidence?limit=500", { token: u.token }), 200);
        expect(list.items.map((x: any) => x.id)).not.to.include(item.evidenceId);
      }
    });

    it("opening a case: judges only; parties must be well-formed; members must be lawyers or of the party's organisation", async () => {
      const body = (over: object = {}) => ({
        number: caseNumber(),
        court: "法院",
        causeOfAction: "纠纷",
        parties: [
          { name: "a", kind: "plaintiff", members: [] },
          { name: "b", kind: "defendant", members: [] },
        ],
        ...over,
      });
      for (const u of [lawyerA, memberA, { token: tp.adminToken }]) {
        expect(await errorOf(await tp.api("POST", "/api/cases", { token: u.token, json: body() }))).to.deep.equal({ status: 403, code: "forbidden" });
      }
      const cases: [string, object, number, string][] = [
        ["no defendant", { parties: [{ name: "a", kind: "plaintiff" }, { name: "b", kind: "third-party" }] }, 400, "invalid_input"],
        ["an unknown party kind", { parties: [{ name: "a", kind: "plaintiff" }, { name: "b", kind: "respondent" }] }, 400, "invalid_input"],
        ["an unknown key", { owner: "me" }, 400, "invalid_input"],
        ["an empty number", { number: "   " }, 400, "invalid_input"],
        ["a control character in a name", { parties: [{ name: "a\u0007", kind: "plaintiff" }, { name: "b", kind: "defendant" }] }, 400, "invalid_input"],
        ["an unknown member", { parties: [{ name: "a", kind: "plaintiff", members: ["00000000-0000-4000-8000-000000000000"] }, { name: "b", kind: "defendant" }] }, 400, "invalid_member"],
        ["a judge as a member", { parties: [{ name: "a", kind: "plaintiff", members: [judge2.id] }, { name: "b", kind: "defendant" }] }, 400, "invalid_member"],
        ["a member of no party organisation", { parties: [{ name: "a", kind: "plaintiff", members: [outsiderMember.id] }, { name: "b", kind: "defendant" }] }, 400, "invalid_member"],
        ["an unknown organisation", { parties: [{ name: "a", kind: "plaintiff", organizationId: "00000000-0000-4000-8000-000000000000" }, { name: "b", kind: "defendant" }] }, 400, "invalid_input"],
        ["one lawyer for both sides", { parties: [{ name: "a", kind: "plaintiff", members: [outsiderLawyer.id] }, { name: "b", kind: "defendant", members: [outsiderLawyer.id] }] }, 400, "conflict_of_interest"],
      ];
      const count = await tp.platform.database.db.courtCase.count();
      for (const [name, over, status, code] of cases) {
        expect(await errorOf(await tp.api("POST", "/api/cases", { token: judge.token, json: body(over) })), name).to.deep.equal({ status, code });
      }
      expect(await tp.platform.database.db.courtCase.count()).to.equal(count);
    });

    it("attaching people: eligible users only, one party per user, judges with the judge role", async () => {
      const partyB = c.parties[1].id;
      const add = (token: string, route: string, userId: string) => tp.api("POST", `/api/cases/${c.id}${route}`, { token, json: { userId } });
      expect(await errorOf(await add(judge.token, `/parties/${partyB}/lawyers`, lawyerA.id))).to.deep.equal({ status: 409, code: "conflict_of_interest" });
      expect(await errorOf(await add(judge.token, `/parties/${partyA}/lawyers`, lawyerA.id))).to.deep.equal({ status: 409, code: "duplicate" });
      expect(await errorOf(await add(judge.token, `/parties/${partyB}/lawyers`, outsiderMember.id))).to.deep.equal({ status: 400, code: "invalid_member" });
      expect(await errorOf(await add(judge.token, `/parties/00000000-0000-4000-8000-000000000000/lawyers`, outsiderLawyer.id))).to.deep.equal({ status: 404, code: "not_found" });
      expect(await errorOf(await add(judge.token, `/parties/${other.parties[0].id}/lawyers`, outsiderLawyer.id))).to.deep.equal({ status: 404, code: "not_found" });
      expect(await errorOf(await add(judge.token, `/judges`, lawyerB.id))).to.deep.equal({ status: 400, code: "invalid_judge" });
      expect(await errorOf(await add(judge.token, `/judges`, judge.id))).to.deep.equal({ status: 409, code: "duplicate" });
      expect(await errorOf(await tp.api("POST", `/api/cases/${c.id}/judges`, { token: judge.token, json: { userId: "x" } }))).to.deep.equal({ status: 400, code: "invalid_input" });
    });

    it("refused submissions and services leave no file and no row behind", async () => {
      const db = tp.platform.database.db;
      const snapshot = async () => ({
        items: await db.evidenceItem.count(),
        links: await db.caseEvidence.count(),
        served: await db.servedDocument.count(),
        tmp: fs.readdirSync(path.join(tp.dataDir, "tmp")).length,
        objects: fs.readdirSync(path.join(tp.dataDir, "objects"), { recursive: true }).length,
      });
      const before = await snapshot();
      const cases: [string, () => Promise<Response>, number, string][] = [
        ["no purpose", () => submit(lawyerA, c.id, "no purpose", { title: "t" }), 400, "invalid_input"],
        ["no title", () => submit(lawyerA, c.id, "no title", { purpose: "p" }), 400, "invalid_input"],
        ["an unknown field", () => submit(lawyerA, c.id, "x", { title: "t", purpose: "p", owner: "me" }), 400, "unexpected_field"],
        ["an empty file", () => submit(lawyerA, c.id, "", { title: "t", purpose: "p" }), 400, "empty_file"],
        ["a file over the limit", () => submit(lawyerA, c.id, Buffer.alloc(65537, 1), { title: "t", purpose: "p" }), 413, "file_too_large"],
        ["JSON instead of multipart", () => tp.api("POST", `/api/cases/${c.id}/submissions`, { token: lawyerA.token, json: { sha256: sha("x") } }), 415, "unsupported_media_type"],
        ["a judge submitting evidence", () => submit(judge, c.id, "judge evidence"), 403, "forbidden"],
        ["an outsider submitting evidence", () => submit(outsiderLawyer, c.id, "outsider evidence"), 404, "not_found"],
        ["anonymous", () => submit(null, c.id, "anonymous evidence"), 401, "unauthorized"],
        ["service on a party of another case", () => serve(judge, c.id, other.parties[0].id, "summons"), 400, "invalid_input"],
        ["service on a party nobody acts for", () => serve(outsiderJudge, other.id, other.parties[1].id, "summons"), 409, "no_recipients"],
        ["service without a title", () => tp.api("POST", `/api/cases/${c.id}/services`, { token: judge.token, body: form({ party: partyA }, "summons") }), 400, "invalid_input"],
      ];
      for (const [name, send, status, code] of cases) {
        expect(await errorOf(await send()), name).to.deep.equal({ status, code });
        expect(await snapshot(), name).to.deep.equal(before);
      }
    });

    it("malformed and unknown ids are 404; bad query and bodies are 400", async () => {
      for (const id of ["nope", "00000000-0000-4000-8000-000000000000", "..%2F..%2Fetc"]) {
        expect(await errorOf(await tp.api("GET", `/api/cases/${id}`, { token: judge.token }))).to.deep.equal({ status: 404, code: "not_found" });
        expect(await errorOf(await tp.api("GET", `/api/cases/${c.id}/evidence/${id}`, { token: judge.token }))).to.deep.equal({ status: 404, code: "not_found" });
        expect(await errorOf(await tp.api("GET", `/api/inbox/${id}/document`, { token: lawyerA.token }))).to.deep.equal({ status: 404, code: "not_found" });
      }
      expect(await errorOf(await tp.api("GET", `/api/cases/${c.id}/evidence?party=nope`, { token: judge.token }))).to.deep.equal({ status: 400, code: "invalid_input" });
      expect(await errorOf(await tp.api("GET", `/api/cases/${c.id}/evidence?party=${other.parties[0].id}`, { token: judge.token }))).to.deep.equal({ status: 404, code: "not_found" });
      expect(await errorOf(await tp.api("PUT", `/api/cases/${c.id}/evidence/${item.id}/opinion`, { token: lawyerB.token, json: { authenticity: accept } }))).to.deep.equal({ status: 400, code: "invalid_input" });
      expect(await errorOf(await tp.api("PUT", `/api/cases/${c.id}/evidence/${item.id}/opinion`, { token: lawyerB.token, json: "{bad" }))).to.deep.equal({ status: 400, code: "malformed_json" });
    });
  });

  describe("the access matrix, walked for every route and every role", () => {
    // Who is who in the fixture case: the judge who opened it; party A (plaintiff, organisation
    // orgA) with lawyerA and memberA (a member of orgA); party B (defendant) with lawyerB; and
    // outsiders: a lawyer and a judge on no case of theirs, and the platform administrator.
    const ROLES = ["admin", "judge", "lawyerA", "memberA", "lawyerB", "outsiderLawyer", "outsiderJudge"] as const;
    type Role = (typeof ROLES)[number];

    // The expected status of each route for each role, on an open case, WRITTEN BY HAND from the
    // product's rules and not derived from server/cases/access.ts: a wrong cell in the code's matrix
    // (say, an opposing lawyer allowed to read a draft) must fail here, which a table computed from
    // that matrix could never do. What IS generated from the code is the coverage: the test fails
    // when a route exists (in ROUTES or in the mounted routers) without a row here, or a row names
    // no route, so the table cannot silently drift from the code. Anonymous is 401 everywhere.
    // Submission routes are walked on a draft and on a finalised submission, both by lawyerA of party A.
    //                                                                   admin judge lawA memA lawB outL outJ
    const EXPECTED: Record<string, readonly number[]> = {
      "POST /api/cases":                                                [403, 201, 403, 403, 403, 403, 201],
      "GET /api/cases":                                                 [200, 200, 200, 200, 200, 200, 200],
      "GET /api/cases/:id":                                             [404, 200, 200, 200, 200, 404, 404],
      "POST /api/cases/:id/judges":                                     [404, 201, 403, 403, 403, 404, 404],
      "POST /api/cases/:id/parties/:partyId/lawyers":                   [404, 201, 403, 403, 403, 404, 404],
      "POST /api/cases/:id/close":                                      [404, 200, 403, 403, 403, 404, 404],
      "POST /api/cases/:id/submissions":                                [404, 403, 201, 201, 201, 404, 404],
      "PATCH /api/cases/:id/submissions/:sid [draft]":                  [404, 403, 200, 200, 404, 404, 404],
      "PATCH /api/cases/:id/submissions/:sid [finalised]":              [404, 403, 409, 409, 403, 404, 404],
      "DELETE /api/cases/:id/submissions/:sid [draft]":                 [404, 403, 204, 204, 404, 404, 404],
      "DELETE /api/cases/:id/submissions/:sid [finalised]":             [404, 403, 409, 409, 403, 404, 404],
      "POST /api/cases/:id/submissions/:sid/finalise [draft]":          [404, 403, 200, 200, 404, 404, 404],
      "POST /api/cases/:id/submissions/:sid/finalise [finalised]":      [404, 403, 409, 409, 403, 404, 404],
      "GET /api/cases/:id/evidence":                                    [404, 200, 200, 200, 200, 404, 404],
      "GET /api/cases/:id/evidence/:sid [draft]":                       [404, 200, 200, 200, 404, 404, 404],
      "GET /api/cases/:id/evidence/:sid [finalised]":                   [404, 200, 200, 200, 200, 404, 404],
      "GET /api/cases/:id/evidence/:sid/content [draft]":               [404, 200, 200, 200, 404, 404, 404],
      "GET /api/cases/:id/evidence/:sid/content [finalised]":           [404, 200, 200, 200, 200, 404, 404],
      "GET /api/cases/:id/evidence/:sid/verification [draft]":          [404, 200, 200, 200, 404, 404, 404],
      "GET /api/cases/:id/evidence/:sid/verification [finalised]":      [404, 200, 200, 200, 200, 404, 404],
      "GET /api/cases/:id/evidence/:sid/certificate [draft]":           [404, 200, 200, 200, 404, 404, 404],
      "GET /api/cases/:id/evidence/:sid/certificate [finalised]":       [404, 200, 200, 200, 200, 404, 404],
      "PUT /api/cases/:id/evidence/:sid/opinion [draft]":               [404, 403, 403, 403, 404, 404, 404],
      "PUT /api/cases/:id/evidence/:sid/opinion [finalised]":           [404, 403, 403, 403, 201, 404, 404],
      "POST /api/cases/:id/services":                                   [404, 201, 403, 403, 403, 404, 404],
      "GET /api/cases/:id/services":                                    [404, 200, 403, 403, 403, 404, 404],
      "GET /api/inbox":                                                 [200, 200, 200, 200, 200, 200, 200],
      // lawyerA's own delivery of a document served on party A: nobody else's to open.
      "GET /api/inbox/:id/document":                                    [404, 404, 200, 404, 404, 404, 404],
    };

    // What a successful call changes that the later roles of the same row depend on: a judge or
    // lawyer added (it is the outsiders who are added), the case closed, the draft consumed. Other
    // successes (a new case, a new draft, a draft's purpose, an opinion, a new service) leave the
    // fixture as the later calls need it.
    const INVALIDATES: Record<string, "fixture" | "draft"> = {
      "POST /api/cases/:id/judges": "fixture",
      "POST /api/cases/:id/parties/:partyId/lawyers": "fixture",
      "POST /api/cases/:id/close": "fixture",
      "DELETE /api/cases/:id/submissions/:sid [draft]": "draft",
      "POST /api/cases/:id/submissions/:sid/finalise [draft]": "draft",
    };

    const routeKey = (r: RouteSpec) => `${r.method.toUpperCase()} ${r.base}${r.path === "/" ? "" : r.path}`;
    const baseKey = (k: string) => k.replace(/ \[(draft|finalised)\]$/, "");

    interface Fixture {
      caseId: string;
      partyA: string;
      partyB: string;
      draft: string;
      finalised: string;
      delivery: string;
    }

    let users: Record<Role, { id: string; token: string }>;
    before(() => {
      users = { admin: { id: "", token: tp.adminToken }, judge, lawyerA, memberA, lawyerB, outsiderLawyer, outsiderJudge };
    });

    async function fixture(): Promise<Fixture> {
      const c = await openCase(judge, [
        { name: "甲公司", kind: "plaintiff", organizationId: orgA, members: [lawyerA.id, memberA.id] },
        { name: "乙", kind: "defendant", members: [lawyerB.id] },
      ]);
      const [partyA, partyB] = c.parties.map((p: any) => p.id);
      const [draft, finalised, served] = await Promise.all([
        json(await submit(lawyerA, c.id, `draft of ${c.id}`), 201),
        json(await submit(lawyerA, c.id, `finalised of ${c.id}`), 201),
        json(await serve(judge, c.id, partyA, `summons of ${c.id}`), 201),
      ]);
      await json(await tp.api("POST", `/api/cases/${c.id}/submissions/${finalised.id}/finalise`, { token: lawyerA.token }), 200);
      const inbox = await json(await tp.api("GET", "/api/inbox", { token: lawyerA.token }), 200);
      const delivery = inbox.items.find((x: any) => x.case.id === c.id && x.title === "传票").id;
      expect(served.recipients).to.include(lawyerA.id);
      return { caseId: c.id, partyA, partyB, draft: draft.id, finalised: finalised.id, delivery };
    }

    async function anchored(caseId: string, sid: string): Promise<void> {
      for (const until = Date.now() + 20_000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
        const item = await json(await tp.api("GET", `/api/cases/${caseId}/evidence/${sid}`, { token: judge.token }), 200);
        if (item.anchoring === "anchored") return;
      }
      throw new Error(`submission ${sid} not anchored within 20 s`);
    }

    function request(key: string, fx: Fixture, token: string | undefined): Promise<Response> {
      const variant = /\[(draft|finalised)\]$/.exec(key)?.[1];
      const sid = variant === "draft" ? fx.draft : fx.finalised;
      const [method, pattern] = baseKey(key).split(" ");
      const route = pattern.replace(":id/document", `${fx.delivery}/document`).replace(":id", fx.caseId).replace(":partyId", fx.partyB).replace(":sid", sid);
      switch (baseKey(key)) {
        case "POST /api/cases":
          return tp.api(method, route, {
            token,
            json: { number: caseNumber(), court: "法院", causeOfAction: "纠纷", parties: [{ name: "a", kind: "plaintiff" }, { name: "b", kind: "defendant" }] },
          });
        // The outsiders are the ones added: after a success the walk goes on with a fresh fixture.
        case "POST /api/cases/:id/judges":
          return tp.api(method, route, { token, json: { userId: outsiderJudge.id } });
        case "POST /api/cases/:id/parties/:partyId/lawyers":
          return tp.api(method, route, { token, json: { userId: outsiderLawyer.id } });
        case "POST /api/cases/:id/submissions":
          return tp.api(method, route, { token, body: form({ title: "t", purpose: "p" }, `walk ${Math.random()}`) });
        case "PATCH /api/cases/:id/submissions/:sid":
          return tp.api(method, route, { token, json: { purpose: "changed" } });
        case "PUT /api/cases/:id/evidence/:sid/opinion":
          return tp.api(method, route, { token, json: opinion });
        case "POST /api/cases/:id/services":
          return tp.api(method, route, { token, body: form({ title: "通知", party: fx.partyA }, `walk summons ${Math.random()}`) });
        // A certificate exists once the item is anchored (409 before): asked for after that.
        case "GET /api/cases/:id/evidence/:sid/certificate":
          return anchored(fx.caseId, sid).then(() => tp.api(method, route, { token }));
        default:
          return tp.api(method, route, { token });
      }
    }

    it("the table covers exactly the routes the code declares and mounts", () => {
      const declared = ROUTES.map(routeKey).sort();
      expect([...new Set(Object.keys(EXPECTED).map(baseKey))].sort()).to.deep.equal(declared);
      // Submission routes are walked in both states.
      for (const r of ROUTES.filter((r) => r.path.includes(":sid"))) {
        expect(EXPECTED, routeKey(r)).to.have.all.keys(...Object.keys(EXPECTED).filter((k) => baseKey(k) !== routeKey(r)), `${routeKey(r)} [draft]`, `${routeKey(r)} [finalised]`);
      }
      // What the routers actually register is ROUTES, nothing more.
      const mounted = caseRouters({} as CasesService, {} as IngestDeps).flatMap(([base, router]) =>
        (router.stack as any[]).filter((l) => l.route).flatMap((l) => Object.keys(l.route.methods).map((m) => `${m.toUpperCase()} ${base}${l.route.path === "/" ? "" : l.route.path}`)),
      );
      expect(mounted.sort()).to.deep.equal(declared);
    });

    it("every route answers every role as the table says, on an open case", async () => {
      const actual: Record<string, number[]> = {};
      let fx = await fixture();
      const statusOf = async (key: string, token: string | undefined) => {
        const res = await request(key, fx, token);
        await res.arrayBuffer();
        return res.status;
      };
      for (const key of Object.keys(EXPECTED)) {
        if (key.startsWith("GET ")) {
          // Reads change nothing (a delivery's receipt is recorded once): every role at once.
          actual[key] = await Promise.all(ROLES.map((role) => statusOf(key, users[role].token)));
        } else {
          actual[key] = [];
          for (const role of ROLES) {
            actual[key].push(await statusOf(key, users[role].token));
            if (actual[key].at(-1)! >= 300) continue;
            if (INVALIDATES[key] === "fixture") fx = await fixture();
            if (INVALIDATES[key] === "draft") fx = { ...fx, draft: (await json(await submit(lawyerA, fx.caseId, `another draft ${Math.random()}`), 201)).id };
          }
        }
        expect(await statusOf(key, undefined), `${key} anonymous`).to.equal(401);
      }
      expect(actual).to.deep.equal(EXPECTED);
    });

    it("on a closed case every change the table allows is 409 instead; every denial and every read stays as it was", async () => {
      const fx = await fixture();
      await json(await tp.api("POST", `/api/cases/${fx.caseId}/close`, { token: judge.token }), 200);
      const caseBound = (k: string) => k.startsWith("POST /api/cases/") || k.startsWith("PATCH ") || k.startsWith("DELETE ") || k.startsWith("PUT ");
      const expected: Record<string, number[]> = {};
      const actual: Record<string, number[]> = {};
      for (const [key, statuses] of Object.entries(EXPECTED)) {
        expected[key] = statuses.map((s) => (caseBound(key) && s < 300 ? 409 : s));
        // Nothing may change on a closed case, so the roles go at once.
        actual[key] = await Promise.all(
          ROLES.map(async (role) => {
            const res = await request(key, fx, users[role].token);
            await res.arrayBuffer();
            return res.status;
          }),
        );
      }
      expect(actual).to.deep.equal(expected);
    });
  });
});
