// Online filing (网上立案) end to end through the API: a lawyer drafts a filing to a court citing
// already anchored evidence, attaches the complaint PDF and submits it (signed with the lawyer's own
// certificate, checked by pdfsig); the clerk asks for corrections, the lawyer amends and resubmits
// (version 2, version 1 kept), the clerk accepts with a judge and the case exists with the filing's
// parties and evidence under the court's number format. Also the reject path and the refusals.
import { expect } from "chai";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { outboxMail, waitForMail } from "../helpers/outbox-mail";
import { haveTool, nssDbWithRoot, pdfsig, run } from "../pdf/helpers";
import { chinaYear } from "../../server/filing/case-number";

const sha = (b: Buffer | string) => "0x" + createHash("sha256").update(b).digest("hex");
type User = { id: string; email: string; token: string };

async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return text ? JSON.parse(text) : null;
}
async function refused(res: Response, status: number, code?: string): Promise<void> {
  const body = (await json(res, status)) as { error: { code: string; message: string } };
  expect(body.error.message).to.be.a("string").and.not.empty;
  if (code) expect(body.error.code).to.equal(code);
}

async function complaintPdf(text: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595.28, 841.89]);
  page.drawText("Complaint (Civil)", { x: 60, y: 780, size: 18, font });
  page.drawText(text, { x: 60, y: 740, size: 11, font });
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

describe("online filing (API)", function () {
  this.timeout(180_000);
  let tp: TestPlatform;
  let court: string, court2: string, firm: string, firmOther: string;
  let courtAdmin: User, clerk: User, judge: User, otherClerk: User, lawyer: User, firmAdmin: User, colleague: User, outsiderLawyer: User, member: User, noCertLawyer: User;
  let cited: { id: string; sha256: string };
  let digestCited: { id: string; sha256: string };
  let othersEvidence: { id: string; sha256: string };
  const year = chinaYear(new Date());
  let work: string;

  const org = async (name: string, kind: string) => (await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name, kind } }), 201)).id as string;
  const user = async (role: string, organizationId: string, orgAdmin = false): Promise<User> => {
    const email = `${role}-${randomBytes(4).toString("hex")}@filing.example`;
    const password = "user-password-1";
    const u = await json(await tp.api("POST", "/api/users", { token: tp.adminToken, json: { email, name: `${role} ${email.slice(0, 12)}`, password, role, organizationId, orgAdmin } }), 201);
    return { id: u.id, email, token: await tp.login(email, password) };
  };
  const draftBody = (over: Record<string, unknown> = {}) => ({
    courtId: court,
    title: "甲科技有限公司诉乙贸易有限公司买卖合同纠纷",
    parties: [
      { kind: "plaintiff", name: "甲科技有限公司", organizationId: firmOther, idType: "统一社会信用代码", idNumber: "91350100MA2Y000001", address: "福州市鼓楼区", representative: "王总" },
      { kind: "defendant", name: "乙贸易有限公司", address: "厦门市思明区", phone: "0592-0000000" },
    ],
    claims: ["判令被告支付货款人民币120000元", "本案诉讼费由被告承担"],
    facts: "原被告于2026年3月签订买卖合同，原告依约交货，被告至今未付款。",
    amount: "120000.00",
    causeOfAction: "买卖合同纠纷",
    citations: [{ evidenceId: cited.id, purpose: "证明双方存在买卖合同关系" }],
    filerPartyIndex: 0,
    ...over,
  });
  const create = async (by: User, over: Record<string, unknown> = {}) => json(await tp.api("POST", "/api/filings", { token: by.token, json: draftBody(over) }), 201);
  const attach = (by: User, id: string, content: Buffer | string, kind = "complaint", title = "民事起诉状", fileName = "complaint.pdf") => {
    const f = new FormData();
    f.append("kind", kind);
    f.append("title", title);
    f.append("file", new Blob([typeof content === "string" ? content : new Uint8Array(content)]), fileName);
    return tp.api("POST", `/api/filings/${id}/attachments`, { token: by.token, body: f });
  };
  const get = async (by: User, id: string) => json(await tp.api("GET", `/api/filings/${id}`, { token: by.token }), 200);
  const post = (by: User, p: string, body: unknown = {}) => tp.api("POST", p, { token: by.token, json: body });
  // A filing in the clerk's queue that cites nothing (an item becomes evidence of one case only).
  const submitted = async (by: User = lawyer) => {
    const f = await create(by, { citations: [] });
    await json(await attach(by, f.id, await complaintPdf(`filed ${randomBytes(4).toString("hex")}`)), 201);
    await json(await post(by, `/api/filings/${f.id}/submit`), 200);
    return f.id as string;
  };

  before(async () => {
    tp = await startTestPlatform({ MAX_UPLOAD_BYTES: "300000", CONTRACT_MAX_PDF_BYTES: "200000" });
    work = fs.mkdtempSync(path.join(os.tmpdir(), "filing-test-"));
    court = await org("福州市鼓楼区人民法院", "court");
    court2 = await org("厦门市思明区人民法院", "court");
    firm = await org("某某律师事务所", "law_firm");
    firmOther = await org("甲科技有限公司", "enterprise");
    [courtAdmin, clerk, judge, otherClerk, lawyer, firmAdmin, colleague, outsiderLawyer, member, noCertLawyer] = await Promise.all([
      user("judge", court, true),
      user("clerk", court),
      user("judge", court),
      user("clerk", court2),
      user("lawyer", firm),
      user("lawyer", firm, true),
      user("lawyer", firm),
      user("lawyer", await org("另一律师事务所", "law_firm")),
      user("member", firmOther),
      user("lawyer", firm),
    ]);
    // Evidence the lawyer anchored earlier (a file), a colleague's digest-only item, and someone else's.
    cited = await json(await tp.upload(lawyer.token, `合同原件扫描 ${randomBytes(8).toString("hex")}`, { title: "买卖合同" }), 201);
    const digest = sha(randomBytes(32));
    digestCited = await json(await tp.api("POST", "/api/evidence", { token: colleague.token, json: { sha256: digest, title: "聊天记录（哈希）" } }), 201);
    othersEvidence = await json(await tp.upload(outsiderLawyer.token, `别人的证据 ${randomBytes(8).toString("hex")}`), 201);
    await Promise.all([tp.waitAnchored(lawyer.token, cited.id), tp.waitAnchored(colleague.token, digestCited.id), tp.waitAnchored(outsiderLawyer.token, othersEvidence.id)]);
  });
  after(async () => {
    await tp?.stop();
  });

  describe("courts and their case number format", () => {
    it("lists the courts a filer can file to", async () => {
      const { items } = await json(await tp.api("GET", "/api/courts", { token: lawyer.token }), 200);
      expect(items.map((c: { id: string }) => c.id)).to.include.members([court, court2]);
      expect(items.map((c: { id: string }) => c.id)).not.to.include(firm);
    });
    it("the court's administrator sets the format; others 403, a bad format 400, unknown court 404", async () => {
      const put = (by: User, id: string, format: unknown) => tp.api("PUT", `/api/courts/${id}/case-number-format`, { token: by.token, json: { format } });
      await refused(await put(clerk, court, "({year})闽0102民初{seq}号"), 403, "forbidden");
      await refused(await put(lawyer, court, "({year})闽0102民初{seq}号"), 403, "forbidden");
      await refused(await put(courtAdmin, court2, "({year})闽0102民初{seq}号"), 403, "forbidden");
      await refused(await put(courtAdmin, firm, "({year})闽0102民初{seq}号"), 404, "not_found");
      await refused(await put(courtAdmin, court, "(2026)闽0102民初号"), 400, "invalid_input");
      await refused(await put(courtAdmin, court, "({year})闽0102民初{seq}{seq}号"), 400, "invalid_input");
      const set = await json(await put(courtAdmin, court, "({year})闽0102民初{seq}号"), 200);
      expect(set.caseNumberFormat).to.equal("({year})闽0102民初{seq}号");
      const audit = await tp.platform.audit.list({ afterSeq: 0, limit: 1000, subject: court, action: "court." });
      expect(audit.map((e: { action: string }) => e.action)).to.include("court.case_number_format");
    });
  });

  describe("draft, correction, resubmission, acceptance", () => {
    let id: string;
    let firstComplaint: Buffer;

    it("a lawyer drafts a filing citing anchored evidence by id and by digest; the court does not see a draft", async () => {
      const f = await create(lawyer, { citations: [{ evidenceId: cited.id, purpose: "证明合同关系" }, { sha256: digestCited.sha256, purpose: "证明催款经过" }] });
      id = f.id;
      expect(f).to.include({ status: "draft", version: 0, courtId: court, filerId: lawyer.id, filerOrgId: firm, daysElapsed: null, statutoryLimitDays: 7 });
      const d = await get(lawyer, id);
      expect(d.draft.citations).to.deep.equal([
        { evidenceId: cited.id, purpose: "证明合同关系" },
        { evidenceId: digestCited.id, purpose: "证明催款经过" },
      ]);
      // Each citation verified afresh: anchored, batch, transaction and block, every check passing.
      for (const [c, item] of [[d.citations[0], cited], [d.citations[1], digestCited]] as const) {
        expect(c).to.include({ evidenceId: item.id, sha256: item.sha256, anchored: true, verified: true });
        expect(c.batch.status).to.equal("anchored");
        expect(c.batch.txHash).to.match(/^0x[0-9a-f]{64}$/);
        expect(c.batch.blockNumber).to.be.a("number");
        expect(c.checks.map((k: { name: string }) => k.name)).to.include.members(["file-digest", "record-leaf", "audit-path", "root-on-chain"]);
        expect(c.checks.every((k: { ok: boolean }) => k.ok)).to.equal(true);
      }
      expect(d.citations[0].fileSha256).to.equal(cited.sha256);
      expect(d.citations[1].hasFile).to.equal(false);
      await refused(await tp.api("GET", `/api/filings/${id}`, { token: clerk.token }), 404, "not_found");
      await refused(await tp.api("GET", `/api/filings/${id}`, { token: judge.token }), 404, "not_found");
      expect((await get(firmAdmin, id)).id).to.equal(id);
      const { items } = await json(await tp.api("GET", "/api/filings", { token: lawyer.token }), 200);
      expect(items.find((x: { id: string }) => x.id === id)).to.include({ status: "draft", court: "福州市鼓楼区人民法院" });
    });

    it("submitting without a complaint is refused; a non-PDF complaint 415; a too large file 413", async () => {
      await refused(await post(lawyer, `/api/filings/${id}/submit`), 409, "complaint_required");
      await refused(await attach(lawyer, id, "not a pdf at all"), 415, "not_pdf");
      await refused(await attach(lawyer, id, Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(250_000, 0x20)])), 413, "file_too_large");
      await refused(await attach(lawyer, id, Buffer.alloc(310_000, 1), "identity", "身份证", "id.jpg"), 413, "file_too_large");
      await refused(await attach(lawyer, id, "x", "certificate", "营业执照"), 400, "invalid_input");
      const none = await get(lawyer, id);
      expect(none.attachments).to.have.length(0);
    });

    it("attaches the complaint and an evidence file, each an anchored evidence item; detaches a mistaken one", async () => {
      firstComplaint = await complaintPdf("Version 1: the defendant owes 120000 yuan.");
      const a = await json(await attach(lawyer, id, firstComplaint), 201);
      expect(a).to.include({ kind: "complaint", sha256: sha(firstComplaint) });
      const ev = await json(await attach(lawyer, id, "送货单 delivery note", "evidence", "送货单", "delivery.txt"), 201);
      const wrong = await json(await attach(lawyer, id, "wrong file", "other", "误传"), 201);
      await json(await tp.api("DELETE", `/api/filings/${id}/attachments/${wrong.id}`, { token: lawyer.token }), 204);
      await refused(await tp.api("DELETE", `/api/filings/${id}/attachments/${wrong.id}`, { token: lawyer.token }), 404);
      await refused(await tp.api("DELETE", `/api/filings/${id}/attachments/${ev.id}`, { token: colleague.token }), 404);
      const d = await get(lawyer, id);
      expect(d.attachments.filter((x: { removedAt: string | null }) => !x.removedAt).map((x: { kind: string }) => x.kind)).to.deep.equal(["complaint", "evidence"]);
      // The files are evidence items of the lawyer's, anchored.
      await tp.waitAnchored(lawyer.token, a.evidenceId);
    });

    it("submits: the complaint is signed with the lawyer's certificate (pdfsig: valid, trusted) and the version's record anchored", async function () {
      const d = await json(await post(lawyer, `/api/filings/${id}/submit`), 200);
      expect(d).to.include({ status: "submitted", version: 1, daysElapsed: 0 });
      expect(d.firstSubmittedAt).to.be.a("string");
      expect(d.versions).to.have.length(1);
      const v1 = d.versions[0];
      expect(v1.content).to.include({ type: "filing-version", filingId: id, version: 1 });
      expect(v1.content.citations.map((c: { sha256: string }) => c.sha256)).to.deep.equal([cited.sha256, digestCited.sha256]);
      // The anchored record is the version's canonical form (JCS): its digest is the record item's.
      const stored = await tp.platform.database.db.filingVersion.findFirst({ where: { filingId: id, version: 1 } });
      expect(sha(stored!.content)).to.equal(v1.record.sha256);
      const proof = await tp.waitAnchored(lawyer.token, v1.record.evidenceId);
      expect(proof.record.sha256).to.equal(v1.record.sha256);
      const verified = await json(await tp.api("POST", "/api/verify", { json: { sha256: v1.record.sha256 } }), 200);
      expect(verified.anchored).to.equal(true);
      // The signed complaint: another evidence item, an incremental update of the uploaded PDF.
      const signed = Buffer.from(await (await tp.api("GET", `/api/evidence/${v1.complaint.evidenceId}/content`, { token: lawyer.token })).arrayBuffer());
      expect(sha(signed)).to.equal(v1.complaint.sha256);
      expect(signed.subarray(0, firstComplaint.length).equals(firstComplaint)).to.equal(true);
      if (!haveTool("pdfsig") || !haveTool("certutil")) return this.skip();
      const file = path.join(work, "complaint-v1.pdf");
      fs.writeFileSync(file, signed);
      const nss = nssDbWithRoot(path.join(work, "nss"), tp.platform.identity.rootPem());
      const report = await pdfsig(file, nss);
      expect(report.signatures, report.output).to.have.length(1);
      expect(report.signatures[0].validation, report.output).to.equal("Signature is Valid.");
      expect(report.signatures[0].certificateValidation, report.output).to.equal("Certificate is Trusted.");
      expect(report.signatures[0].totalDocumentSigned).to.equal(true);
      expect(run("qpdf", ["--check", file]).status).to.equal(0);
      await waitForMail(tp.dataDir, lawyer.email, /网上立案 .*submitted/);
    });

    it("the filing can no longer be edited; the clerk sees it in the queue with the statutory clock; the judge reads it", async () => {
      await refused(await tp.api("PATCH", `/api/filings/${id}`, { token: lawyer.token, json: { facts: "改了" } }), 409, "not_editable");
      await refused(await attach(lawyer, id, await complaintPdf("late")), 409, "not_editable");
      const { items } = await json(await tp.api("GET", "/api/filings/queue", { token: clerk.token }), 200);
      const row = items.find((x: { id: string }) => x.id === id);
      expect(row).to.include({ status: "submitted", daysElapsed: 0, statutoryLimitDays: 7, overdue: false });
      expect(row.filer).to.be.a("string");
      const { items: other } = await json(await tp.api("GET", "/api/filings/queue", { token: otherClerk.token }), 200);
      expect(other.map((x: { id: string }) => x.id)).not.to.include(id);
      expect((await get(judge, id)).status).to.equal("submitted");
      await refused(await tp.api("GET", `/api/filings/${id}`, { token: otherClerk.token }), 404);
      await refused(await tp.api("GET", `/api/filings/${id}`, { token: outsiderLawyer.token }), 404);
      await refused(await tp.api("GET", `/api/filings/${id}`, { token: tp.adminToken }), 404);
    });

    it("decisions: the wrong role 403, outsiders 404, bad inputs 400", async () => {
      await refused(await post(lawyer, `/api/filings/${id}/reject`, { reason: "x" }), 403, "forbidden");
      await refused(await post(judge, `/api/filings/${id}/accept`, { causeOfAction: "买卖合同纠纷", judgeId: judge.id }), 403, "forbidden");
      await refused(await post(firmAdmin, `/api/filings/${id}/corrections`, { reason: "x", deadline: "2099-01-01" }), 403, "forbidden");
      await refused(await post(otherClerk, `/api/filings/${id}/reject`, { reason: "x" }), 404, "not_found");
      await refused(await post(clerk, `/api/filings/${id}/corrections`, { reason: "补充证据", deadline: "2020-01-01" }), 400, "invalid_input");
      await refused(await post(clerk, `/api/filings/${id}/corrections`, { reason: "补充证据", deadline: "tomorrow" }), 400, "invalid_input");
      await refused(await post(clerk, `/api/filings/${id}/corrections`, { deadline: "2099-01-01" }), 400, "invalid_input");
      await refused(await post(clerk, `/api/filings/${id}/accept`, { causeOfAction: "买卖合同纠纷", judgeId: clerk.id }), 400, "invalid_judge");
      await refused(await post(clerk, `/api/filings/${id}/accept`, { causeOfAction: "买卖合同纠纷" }), 400, "invalid_input");
      await refused(await post(clerk, `/api/filings/not-an-id/accept`, { causeOfAction: "x", judgeId: judge.id }), 404);
    });

    it("the clerk asks for corrections; the lawyer amends and resubmits: version 2, version 1 kept", async () => {
      const deadline = new Date(Date.now() + 7 * 86_400_000).toISOString();
      const c = await json(await post(clerk, `/api/filings/${id}/corrections`, { reason: "请补充被告的统一社会信用代码", deadline }), 200);
      expect(c).to.include({ status: "correction_requested", correctionReason: "请补充被告的统一社会信用代码", correctionDeadline: deadline });
      await refused(await post(clerk, `/api/filings/${id}/corrections`, { reason: "again", deadline }), 409, "already_decided");
      const mails = await waitForMail(tp.dataDir, lawyer.email, /correction_requested/);
      expect(mails[0].text).to.include("请补充被告的统一社会信用代码").and.include("Resubmit by");
      // Amend: the defendant's code, a new complaint.
      const body = draftBody();
      const parties = [body.parties[0], { ...body.parties[1], idType: "统一社会信用代码", idNumber: "91350200MA3Y000002" }];
      const edited = await json(await tp.api("PATCH", `/api/filings/${id}`, { token: lawyer.token, json: { parties } }), 200);
      expect(edited.status).to.equal("correction_requested");
      // The court keeps seeing what was submitted until the filer resubmits.
      expect((await get(clerk, id)).draft.parties[1].idNumber).to.equal(undefined);
      expect((await get(lawyer, id)).draft.parties[1].idNumber).to.equal("91350200MA3Y000002");
      await refused(await tp.api("PATCH", `/api/filings/${id}`, { token: lawyer.token, json: { amount: "12,000" } }), 400, "invalid_input");
      await refused(await tp.api("PATCH", `/api/filings/${id}`, { token: lawyer.token, json: { citations: [{ evidenceId: othersEvidence.id, purpose: "x" }] } }), 400, "evidence_not_citable");
      await refused(await tp.api("PATCH", `/api/filings/${id}`, { token: lawyer.token, json: { citations: [{ sha256: sha("nobody has this"), purpose: "x" }] } }), 400, "unknown_evidence");
      await refused(await tp.api("PATCH", `/api/filings/${id}`, { token: lawyer.token, json: { filerPartyIndex: 5 } }), 400, "invalid_input");
      await refused(await tp.api("PATCH", `/api/filings/${id}`, { token: colleague.token, json: { facts: "x" } }), 404);
      await refused(await tp.api("PATCH", `/api/filings/${id}`, { token: firmAdmin.token, json: { facts: "x" } }), 403);
      const before = await get(lawyer, id);
      const old = before.attachments.find((a: { kind: string; removedAt: string | null }) => a.kind === "complaint" && !a.removedAt);
      await json(await tp.api("DELETE", `/api/filings/${id}/attachments/${old.id}`, { token: lawyer.token }), 204);
      await json(await attach(lawyer, id, await complaintPdf("Version 2: the defendant's credit code added.")), 201);
      const d = await json(await post(lawyer, `/api/filings/${id}/submit`), 200);
      expect(d).to.include({ status: "submitted", version: 2 });
      expect(d.versions.map((v: { version: number }) => v.version)).to.deep.equal([1, 2]);
      expect(d.versions[0].content.content.parties[1].idNumber).to.equal(undefined);
      expect(d.versions[1].content.content.parties[1].idNumber).to.equal("91350200MA3Y000002");
      expect(d.versions[0].record.evidenceId).not.to.equal(d.versions[1].record.evidenceId);
      expect((await get(clerk, id)).draft.parties[1].idNumber).to.equal("91350200MA3Y000002");
      expect((await get(clerk, id)).attachments.map((a: { kind: string }) => a.kind)).to.have.members(["complaint", "evidence", "complaint"]);
      expect(d.events.map((e: { action: string }) => e.action)).to.include.ordered.members(["filing.created"]);
      expect(d.events.map((e: { action: string }) => e.action)).to.include.members(["filing.submitted", "filing.correction_requested", "filing.resubmitted"]);
    });

    it("the statutory clock restarts at the corrected resubmission; the days since the first submission are shown too", async () => {
      const day = 24 * 3600 * 1000;
      const now = Date.now();
      await tp.platform.database.db.filing.update({ where: { id }, data: { firstSubmittedAt: new Date(now - 9 * day - 60_000), lastSubmittedAt: new Date(now - 2 * day - 60_000) } });
      const { items } = await json(await tp.api("GET", "/api/filings/queue", { token: clerk.token }), 200);
      const row = items.find((x: { id: string }) => x.id === id);
      expect(row).to.include({ status: "submitted", version: 2, daysElapsed: 2, daysSinceFirstSubmitted: 9, overdue: false });
      expect(Date.parse(row.clockStartedAt)).to.be.closeTo(now - 2 * day - 60_000, 1000);
      await tp.platform.database.db.filing.update({ where: { id }, data: { lastSubmittedAt: new Date(now - 8 * day - 60_000) } });
      const later = (await get(clerk, id)) as { daysElapsed: number; overdue: boolean };
      expect(later).to.include({ daysElapsed: 8, overdue: true });
    });

    it("the clerk accepts with a judge: the case exists with the parties and evidence, numbered in the court's format", async () => {
      const accepted = await json(await post(clerk, `/api/filings/${id}/accept`, { causeOfAction: "买卖合同纠纷", judgeId: judge.id }), 200);
      expect(accepted.number).to.equal(`(${year})闽0102民初1号`);
      await refused(await post(clerk, `/api/filings/${id}/accept`, { causeOfAction: "买卖合同纠纷", judgeId: judge.id }), 409, "already_decided");
      await refused(await post(clerk, `/api/filings/${id}/reject`, { reason: "x" }), 409, "already_decided");
      const d = await get(lawyer, id);
      expect(d).to.include({ status: "accepted", caseId: accepted.caseId });
      const c = await json(await tp.api("GET", `/api/cases/${accepted.caseId}`, { token: judge.token }), 200);
      expect(c.number).to.equal(accepted.number);
      expect(c.causeOfAction).to.equal("买卖合同纠纷");
      const names = c.parties.map((p: { name: string; kind: string }) => `${p.kind}:${p.name}`);
      expect(names).to.deep.equal(["plaintiff:甲科技有限公司", "defendant:乙贸易有限公司"]);
      // The lawyer acts for the plaintiff and sees the case; the filing's evidence is finalised in it.
      const ev = await json(await tp.api("GET", `/api/cases/${accepted.caseId}/evidence`, { token: lawyer.token }), 200);
      const items = ev.items ?? ev;
      const ids = items.map((e: { evidenceId: string }) => e.evidenceId);
      const delivery = d.attachments.find((a: { kind: string }) => a.kind === "evidence");
      expect(ids).to.have.members([cited.id, digestCited.id, delivery.evidenceId]);
      expect(items.every((e: { status: string }) => e.status === "finalised")).to.equal(true);
      const mails = await waitForMail(tp.dataDir, lawyer.email, /accepted/);
      expect(mails[0].text).to.include(accepted.number);
      // The audit log has every step.
      const audit = await tp.platform.audit.list({ afterSeq: 0, limit: 1000, subject: id });
      expect(audit.map((e: { action: string }) => e.action)).to.include.members([
        "filing.created",
        "filing.attachment_added",
        "filing.attachment_removed",
        "filing.submitted",
        "filing.correction_requested",
        "filing.edited",
        "filing.resubmitted",
        "filing.accepted",
      ]);
      const opened = await tp.platform.audit.list({ afterSeq: 0, limit: 1000, subject: accepted.caseId, action: "case.opened" });
      expect(opened).to.have.length(1);
      // The next acceptance that year takes the next number. It cites the item the first case holds:
      // one anchored item may be evidence in several cases (the same contract disputed twice).
      const secondDraft = await create(lawyer, { citations: [{ evidenceId: cited.id, purpose: "证明合同关系（另案）" }] });
      await json(await attach(lawyer, secondDraft.id, await complaintPdf(`filed ${randomBytes(4).toString("hex")}`)), 201);
      await json(await post(lawyer, `/api/filings/${secondDraft.id}/submit`), 200);
      const second = secondDraft.id as string;
      const next = await json(await post(clerk, `/api/filings/${second}/accept`, { causeOfAction: "借款合同纠纷", judgeId: judge.id }), 200);
      expect(next.number).to.equal(`(${year})闽0102民初2号`);
      const ev2 = await json(await tp.api("GET", `/api/cases/${next.caseId}/evidence`, { token: lawyer.token }), 200);
      expect((ev2.items ?? ev2).map((e: { evidenceId: string }) => e.evidenceId)).to.deep.equal([cited.id]);
      const ev1 = await json(await tp.api("GET", `/api/cases/${accepted.caseId}/evidence`, { token: lawyer.token }), 200);
      expect((ev1.items ?? ev1).map((e: { evidenceId: string }) => e.evidenceId)).to.include(cited.id);
      // A number given by the clerk that is taken: 409.
      const third = await submitted();
      await refused(await post(clerk, `/api/filings/${third}/accept`, { causeOfAction: "x", judgeId: judge.id, number: accepted.number }), 409, "duplicate");
      expect((await get(lawyer, third)).status).to.equal("submitted");
    });
  });

  describe("citations verified afresh", () => {
    it("a cited item whose stored file was changed shows unverified, with the failing check", async () => {
      const item = await json(await tp.upload(lawyer.token, `会被篡改的证据 ${randomBytes(8).toString("hex")}`, { title: "付款凭证" }), 201);
      await tp.waitAnchored(lawyer.token, item.id);
      const f = await create(lawyer, { citations: [{ evidenceId: item.id, purpose: "证明已催款" }] });
      const fresh = (await get(lawyer, f.id)).citations[0];
      expect(fresh).to.include({ verified: true, anchored: true });
      const hex = item.sha256.slice(2);
      const file = path.join(tp.dataDir, "objects", hex.slice(0, 2), hex.slice(2, 4), hex);
      fs.chmodSync(file, 0o600);
      fs.writeFileSync(file, "changed afterwards");
      const after = (await get(lawyer, f.id)).citations[0];
      expect(after).to.include({ verified: false, sha256: item.sha256, fileSha256: sha("changed afterwards") });
      expect(after.checks).to.deep.equal([{ name: "file-digest", ok: false, detail: `the stored file hashes to ${sha("changed afterwards")}, the record says ${item.sha256}` }]);
    });
  });

  describe("decisions at the same time", () => {
    it("two acceptances of different filings at once get distinct next numbers; one filing decided twice at once: one wins, one 409", async () => {
      const [a, b] = [await submitted(), await submitted()];
      const both = await Promise.all([a, b].map((id) => post(clerk, `/api/filings/${id}/accept`, { causeOfAction: "买卖合同纠纷", judgeId: judge.id })));
      const numbers = await Promise.all(both.map((r) => json(r, 200).then((x) => x.number as string)));
      expect(new Set(numbers).size).to.equal(2);
      for (const n of numbers) expect(n).to.match(new RegExp(`^\\(${year}\\)闽0102民初\\d+号$`));
      const c = await submitted();
      const race = await Promise.all([
        post(clerk, `/api/filings/${c}/accept`, { causeOfAction: "买卖合同纠纷", judgeId: judge.id }),
        post(clerk, `/api/filings/${c}/reject`, { reason: "重复起诉" }),
      ]);
      expect(race.map((r) => r.status).sort()).to.deep.equal([200, 409]);
      const events = (await get(lawyer, c)).events.filter((e: { action: string }) => e.action === "filing.accepted" || e.action === "filing.rejected");
      expect(events).to.have.length(1);
    });
  });

  describe("rejection, expired corrections, certificates, roles", () => {
    it("the clerk rejects with a reason; the lawyer is told", async () => {
      const id = await submitted();
      const r = await json(await post(clerk, `/api/filings/${id}/reject`, { reason: "不属于本院管辖" }), 200);
      expect(r).to.include({ status: "rejected", decisionReason: "不属于本院管辖" });
      await refused(await post(clerk, `/api/filings/${id}/accept`, { causeOfAction: "x", judgeId: judge.id }), 409, "already_decided");
      await refused(await post(lawyer, `/api/filings/${id}/submit`), 409, "not_editable");
      const until = Date.now() + 15_000;
      let mails = await waitForMail(tp.dataDir, lawyer.email, /rejected/);
      while (!mails.some((m) => m.text.includes("不属于本院管辖")) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
        mails = await waitForMail(tp.dataDir, lawyer.email, /rejected/);
      }
      expect(mails.some((m) => m.text.includes("不属于本院管辖"))).to.equal(true);
    });

    it("a resubmission after the correction deadline is refused (409 correction_expired)", async () => {
      const id = await submitted();
      const deadline = new Date(Date.now() + 1500).toISOString();
      await json(await post(clerk, `/api/filings/${id}/corrections`, { reason: "补充材料", deadline }), 200);
      await new Promise((r) => setTimeout(r, 2000));
      await refused(await post(lawyer, `/api/filings/${id}/submit`), 409, "correction_expired");
      await refused(await tp.api("PATCH", `/api/filings/${id}`, { token: lawyer.token, json: { facts: "补充" } }), 409, "correction_expired");
      expect((await get(lawyer, id)).status).to.equal("correction_requested");
    });

    it("a filer whose certificate's key is their own cannot submit (409 certificate_required)", async function () {
      const f = await create(noCertLawyer, { citations: [] });
      await json(await attach(noCertLawyer, f.id, await complaintPdf("no platform key")), 201);
      const dir = path.join(work, "holder");
      fs.mkdirSync(dir, { recursive: true });
      const r = run("openssl", ["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", path.join(dir, "k.pem"), "-subj", "/CN=holder", "-out", path.join(dir, "r.csr")]);
      if (r.status !== 0) return this.skip();
      await json(await tp.api("POST", "/api/certificates", { token: tp.adminToken, json: { userId: noCertLawyer.id, csr: fs.readFileSync(path.join(dir, "r.csr"), "utf8") } }), 201);
      await refused(await post(noCertLawyer, `/api/filings/${f.id}/submit`), 409, "certificate_required");
      expect((await get(noCertLawyer, f.id)).status).to.equal("draft");
    });

    it("who may create and list: lawyers and members; judges, clerks and the administrator 403", async () => {
      const byMember = await create(member, { citations: [] });
      expect(byMember.filerOrgId).to.equal(firmOther);
      for (const u of [clerk, judge]) await refused(await tp.api("POST", "/api/filings", { token: u.token, json: draftBody() }), 403, "forbidden");
      await refused(await tp.api("POST", "/api/filings", { token: tp.adminToken, json: draftBody() }), 403, "forbidden");
      await refused(await tp.api("GET", "/api/filings", { token: clerk.token }), 403, "forbidden");
      await refused(await tp.api("GET", "/api/filings/queue", { token: lawyer.token }), 403, "forbidden");
      await refused(await tp.api("GET", "/api/filings/queue", { token: judge.token }), 403, "forbidden");
      await refused(await tp.api("GET", "/api/filings"), 401);
      await refused(await tp.api("POST", "/api/filings", { token: lawyer.token, json: draftBody({ courtId: firm }) }), 400, "unknown_court");
      await refused(await tp.api("POST", "/api/filings", { token: lawyer.token, json: draftBody({ parties: [] }) }), 400, "invalid_input");
      await refused(await tp.api("POST", "/api/filings", { token: lawyer.token, json: draftBody({ unknown: 1 }) }), 400, "invalid_input");
      const incomplete = await json(await tp.api("POST", "/api/filings", { token: lawyer.token, json: { courtId: court, title: "只有标题" } }), 201);
      await json(await attach(lawyer, incomplete.id, await complaintPdf("incomplete")), 201);
      await refused(await post(lawyer, `/api/filings/${incomplete.id}/submit`), 400, "incomplete_filing");
      const mine = (await json(await tp.api("GET", "/api/filings", { token: member.token }), 200)).items;
      expect(mine.map((x: { id: string }) => x.id)).to.deep.equal([byMember.id]);
    });

    it("every state change mailed the filer a bilingual notice", async () => {
      const all = (await outboxMail(tp.dataDir)).filter((m) => m.to.includes(lawyer.email.toLowerCase()) && /网上立案/.test(m.subject));
      const statuses = new Set(all.map((m) => m.subject.split(": ").pop()));
      expect([...statuses]).to.include.members(["submitted", "correction_requested", "accepted", "rejected"]);
      expect(all[0].text).to.match(/您好/).and.match(/Dear /);
    });
  });
});
