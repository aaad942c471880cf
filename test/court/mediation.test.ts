// Pre-litigation mediation (诉前调解) end to end through the API: a lawyer's submitted filing goes to
// mediation at the lawyer's request; the clerk assigns a mediation committee's mediator; the lawyer,
// the mediator and the clerk talk in the thread; the mediator drafts the agreement from the
// mediation-agreement template with one signer per party in order, sends it through contract
// signing and both parties sign; the mediation is agreed; a judge of the court confirms it with a
// signed order (pdfsig: valid, trusted) and the filing is closed as mediated. Also the clerk's
// proposal (accepted, then failed: back to review; declined), and the refusals: 400, 403, 404, 409.
import { expect } from "chai";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { codeIn, waitForMail } from "../helpers/outbox-mail";
import { haveTool, nssDbWithRoot, pdfsig, run, tempDir } from "../pdf/helpers";

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

describe("pre-litigation mediation (API)", function () {
  this.timeout(180_000);
  let tp: TestPlatform;
  let tmp: ReturnType<typeof tempDir>;
  let court: string, committee: string, firm: string, plaintiffOrg: string, defendantOrg: string;
  let clerk: User, judge: User, otherJudge: User, courtMediator: User, mediator: User, otherMediator: User, lawyer: User, defendant: User, outsider: User, otherClerk: User;

  const org = async (name: string, kind: string) => (await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name, kind } }), 201)).id as string;
  const user = async (role: string, organizationId: string, name = role): Promise<User> => {
    const email = `${role}-${randomBytes(4).toString("hex")}@mediation.example`;
    const u = await json(await tp.api("POST", "/api/users", { token: tp.adminToken, json: { email, name, password: "user-password-1", role, organizationId } }), 201);
    return { id: u.id, email, token: await tp.login(email, "user-password-1") };
  };
  const post = (by: User, p: string, body: unknown = {}) => tp.api("POST", p, { token: by.token, json: body });
  const get = (by: User, p: string) => tp.api("GET", p, { token: by.token });
  const filingOf = async (id: string) => json(await get(lawyer, `/api/filings/${id}`), 200);

  /** A filing submitted to the court by the lawyer (plaintiff's side), the defendant an enterprise. */
  const submitted = async () => {
    const f = await json(
      await post(lawyer, "/api/filings", {
        courtId: court,
        title: `甲公司诉乙公司买卖合同纠纷 ${randomBytes(3).toString("hex")}`,
        parties: [
          { kind: "plaintiff", name: "甲科技有限公司", organizationId: plaintiffOrg },
          { kind: "defendant", name: "乙贸易有限公司", organizationId: defendantOrg },
        ],
        claims: ["判令被告支付货款人民币50000元"],
        facts: "被告拖欠货款。",
        causeOfAction: "买卖合同纠纷",
        citations: [],
        filerPartyIndex: 0,
      }),
      201,
    );
    const doc = await PDFDocument.create();
    doc.addPage().drawText(`Complaint ${f.id}`, { x: 50, y: 700, font: await doc.embedFont(StandardFonts.Helvetica) });
    const form = new FormData();
    form.append("kind", "complaint");
    form.append("title", "起诉状");
    form.append("file", new Blob([new Uint8Array(await doc.save())]), "c.pdf");
    await json(await tp.api("POST", `/api/filings/${f.id}/attachments`, { token: lawyer.token, body: form }), 201);
    await json(await post(lawyer, `/api/filings/${f.id}/submit`), 200);
    return f.id as string;
  };

  before(async () => {
    const missing = ["pdfsig", "certutil"].filter((t) => !haveTool(t));
    if (missing.length) throw new Error(`missing tools: ${missing.join(", ")}`);
    tp = await startTestPlatform();
    tmp = tempDir("mediation-");
    court = await org("福州市鼓楼区人民法院", "court");
    const otherCourt = await org("厦门市思明区人民法院", "court");
    committee = await org("鼓楼区人民调解委员会", "mediation");
    firm = await org("某某律师事务所", "law_firm");
    plaintiffOrg = await org("甲科技有限公司", "enterprise");
    defendantOrg = await org("乙贸易有限公司", "enterprise");
    [clerk, judge, otherJudge, courtMediator, mediator, otherMediator, lawyer, defendant, outsider, otherClerk] = await Promise.all([
      user("clerk", court, "立案庭书记员"),
      user("judge", court, "审判员张法官"),
      user("judge", otherCourt),
      user("mediator", court, "法院调解员"),
      user("mediator", committee, "人民调解员李"),
      user("mediator", committee),
      user("lawyer", firm, "王律师"),
      user("member", defendantOrg, "乙公司经理"),
      user("lawyer", await org("另一律师事务所", "law_firm")),
      user("clerk", otherCourt),
    ]);
  });
  after(async () => {
    tmp?.rm();
    await tp?.stop();
  });

  describe("the filer asks for mediation; agreement signed; judicial confirmation", () => {
    let filingId: string, id: string, contractId: string;

    it("the filer asks on a submitted filing: the mediation is in progress and the filing in mediation; once only", async () => {
      filingId = await submitted();
      const m = await json(await post(lawyer, `/api/mediations/by-filing/${filingId}`, { note: "原告愿意先行调解。" }), 201);
      id = m.id;
      expect(m).to.include({ status: "in_progress", requestedBy: "filer", filingId, courtId: court, mediator: null });
      expect((await filingOf(filingId)).status).to.equal("mediation");
      expect((await filingOf(filingId)).mediationRequested).to.equal(true);
      await refused(await post(lawyer, `/api/mediations/by-filing/${filingId}`, {}), 409, "already_mediated");
      // the clerks of the court are told
      await waitForMail(tp.dataDir, clerk.email, /诉前调解 Mediation/);
      const { items } = await json(await get(clerk, "/api/mediations"), 200);
      expect(items.map((x: { id: string }) => x.id)).to.include(id);
    });

    it("the clerk assigns a mediation committee's mediator; not a judge, nor a mediator of another court; the filer cannot", async () => {
      await refused(await post(clerk, `/api/mediations/${id}/mediator`, { mediatorId: judge.id }), 400, "invalid_mediator");
      await refused(await post(clerk, `/api/mediations/${id}/mediator`, { mediatorId: "nope" }), 400, "invalid_input");
      await refused(await post(lawyer, `/api/mediations/${id}/mediator`, { mediatorId: mediator.id }), 403, "forbidden");
      await refused(await post(mediator, `/api/mediations/${id}/mediator`, { mediatorId: mediator.id }), 404, "not_found");
      const m = await json(await post(clerk, `/api/mediations/${id}/mediator`, { mediatorId: mediator.id }), 200);
      expect(m.mediator).to.include({ id: mediator.id, organizationId: committee });
      await waitForMail(tp.dataDir, mediator.email, /assigned/);
      const { items } = await json(await get(mediator, "/api/mediations"), 200);
      expect(items.map((x: { id: string }) => x.id)).to.deep.equal([id]);
    });

    it("messages: the filer, the mediator and the clerk talk; the judge may not; others do not see the mediation", async () => {
      await json(await post(mediator, `/api/mediations/${id}/messages`, { body: "请双方提出调解方案。" }), 201);
      await json(await post(lawyer, `/api/mediations/${id}/messages`, { body: "原告同意分两期付款。" }), 201);
      await json(await post(clerk, `/api/mediations/${id}/messages`, { body: "请在30日内完成调解。" }), 201);
      await refused(await post(lawyer, `/api/mediations/${id}/messages`, { body: "   " }), 400, "invalid_input");
      await refused(await post(lawyer, `/api/mediations/${id}/messages`, { body: "x", extra: 1 }), 400, "invalid_input");
      await refused(await post(judge, `/api/mediations/${id}/messages`, { body: "法官" }), 403, "forbidden");
      await refused(await get(judge, `/api/mediations/${id}/messages`), 403, "forbidden");
      for (const u of [outsider, otherMediator, otherJudge, otherClerk, courtMediator]) {
        await refused(await get(u, `/api/mediations/${id}/messages`), 404, "not_found");
        await refused(await get(u, `/api/mediations/${id}`), 404, "not_found");
      }
      const { items } = await json(await get(mediator, `/api/mediations/${id}/messages`), 200);
      // the filer's note when asking opens the thread
      expect(items.map((x: { body: string }) => x.body)).to.deep.equal(["原告愿意先行调解。", "请双方提出调解方案。", "原告同意分两期付款。", "请在30日内完成调解。"]);
      expect(items[1]).to.include({ authorId: mediator.id, author: "人民调解员李", authorRole: "mediator" });
    });

    it("the agreement: refused without a signer per party or with a signer not of the party; drafted by the mediator only", async () => {
      const body = (signers: unknown) => ({ terms: ["被告于2027年1月31日前支付原告货款人民币25000元。", "被告于2027年2月28日前支付剩余货款人民币25000元。"], place: "福州市", signers });
      await refused(await post(lawyer, `/api/mediations/${id}/agreement`, body([{ partyIndex: 0, userId: lawyer.id }, { partyIndex: 1, userId: defendant.id }])), 403, "forbidden");
      await refused(await post(mediator, `/api/mediations/${id}/agreement`, body([{ partyIndex: 0, userId: lawyer.id }])), 400, "invalid_input");
      await refused(await post(mediator, `/api/mediations/${id}/agreement`, body([{ partyIndex: 0, userId: lawyer.id }, { partyIndex: 0, userId: defendant.id }])), 400, "invalid_input");
      await refused(await post(mediator, `/api/mediations/${id}/agreement`, body([{ partyIndex: 0, userId: lawyer.id }, { partyIndex: 1, userId: outsider.id }])), 400, "invalid_signer");
      await refused(await post(mediator, `/api/mediations/${id}/agreement`, { ...body([{ partyIndex: 0, userId: lawyer.id }, { partyIndex: 1, userId: defendant.id }]), terms: [] }), 400, "invalid_input");
      // not agreed yet: nothing to confirm
      await refused(await post(judge, `/api/mediations/${id}/confirmation`, {}), 409, "wrong_state");
      const made = await json(await post(mediator, `/api/mediations/${id}/agreement`, body([{ partyIndex: 1, userId: defendant.id }, { partyIndex: 0, userId: lawyer.id }])), 201);
      contractId = made.contract.id;
      expect(made.contract).to.include({ templateId: "mediation-agreement", status: "draft", senderId: mediator.id });
      // ordered: the applicant (the filer's party) first, then the respondent
      expect(made.contract.signers.map((s: { userId: string; step: number }) => [s.userId, s.step])).to.deep.equal([
        [lawyer.id, 1],
        [defendant.id, 2],
      ]);
      expect(made.mediation.agreementContractId).to.equal(contractId);
      await refused(await post(mediator, `/api/mediations/${id}/agreement`, body([{ partyIndex: 0, userId: lawyer.id }, { partyIndex: 1, userId: defendant.id }])), 409, "agreement_pending");
    });

    it("sent and signed through contract signing, in order: the mediation is agreed", async () => {
      const sent = await json(await post(mediator, `/api/contracts/${contractId}/send`, {}), 200);
      const link = (u: User) => new URL(sent.invitations.find((i: { userId: string }) => i.userId === u.id).url).pathname;
      const sign = async (u: User) => {
        await json(await get(u, link(u)), 200);
        await json(await post(u, `${link(u)}/code`), 201);
        const [mail] = await waitForMail(tp.dataDir, u.email, /签署验证码/);
        return json(await post(u, `${link(u)}/sign`, { code: codeIn(mail) }), 200);
      };
      // step 2 waits for step 1
      expect((await json(await get(mediator, `/api/contracts/${contractId}`), 200)).openStep).to.equal(1);
      await sign(lawyer);
      expect((await json(await get(mediator, `/api/mediations/${id}`), 200)).status).to.equal("in_progress");
      const done = await sign(defendant);
      expect(done.contract.status).to.equal("completed");
      const m = await json(await get(lawyer, `/api/mediations/${id}`), 200);
      expect(m.status).to.equal("agreed");
      expect(m.agreement).to.include({ contractId, status: "completed" });
      expect(m.agreement.signers.map((s: { status: string }) => s.status)).to.deep.equal(["signed", "signed"]);
      await waitForMail(tp.dataDir, judge.email, /agreed/);
      // an agreed mediation takes no more messages and cannot fail
      await refused(await post(lawyer, `/api/mediations/${id}/messages`, { body: "再谈" }), 409, "wrong_state");
      await refused(await post(mediator, `/api/mediations/${id}/fail`, { reason: "反悔" }), 409, "wrong_state");
    });

    it("a judge of the court confirms it (司法确认): a signed order, a CourtOrder, the filing mediated", async () => {
      await refused(await post(clerk, `/api/mediations/${id}/confirmation`, {}), 403, "forbidden");
      await refused(await post(mediator, `/api/mediations/${id}/confirmation`, {}), 403, "forbidden");
      await refused(await post(otherJudge, `/api/mediations/${id}/confirmation`, {}), 404, "not_found");
      await refused(await post(judge, `/api/mediations/${id}/confirmation`, { ruling: "" }), 400, "invalid_input");
      await refused(await get(lawyer, `/api/mediations/${id}/confirmation`), 409, "not_confirmed");
      const m = await json(await post(judge, `/api/mediations/${id}/confirmation`, {}), 201);
      expect(m.status).to.equal("confirmed");
      expect(m.filingStatus).to.equal("mediated");
      expect(m.confirmation).to.include({ kind: "judicial-confirmation", issuedById: judge.id });
      expect((await filingOf(filingId)).status).to.equal("mediated");
      await refused(await post(judge, `/api/mediations/${id}/confirmation`, {}), 409, "wrong_state");

      const res = await get(lawyer, `/api/mediations/${id}/confirmation`);
      expect(res.status).to.equal(200);
      const pdf = Buffer.from(await res.arrayBuffer());
      expect(sha(pdf)).to.equal(m.confirmation.sha256);
      const file = path.join(tmp.dir, "confirmation.pdf");
      fs.writeFileSync(file, pdf);
      const report = await pdfsig(file, nssDbWithRoot(tmp.dir, tp.platform.identity.rootPem()));
      expect(report.signatures, report.output).to.have.length(1);
      expect(report.signatures[0].validation, report.output).to.equal("Signature is Valid.");
      expect(report.signatures[0].certificateValidation, report.output).to.equal("Certificate is Trusted.");
      if (haveTool("pdftotext")) {
        const text = run("pdftotext", ["-layout", file, "-"]).stdout.replace(/\s+/g, " ");
        for (const s of ["民事裁定书（司法确认）", "福州市鼓楼区人民法院", "甲科技有限公司", "乙贸易有限公司", "审判员张法官", m.agreement.sha256]) expect(text, s).to.include(s);
      }
      const order = await tp.platform.database.db.courtOrder.findUnique({ where: { id: m.confirmation.id } });
      expect(order).to.include({ mediationId: id, kind: "judicial-confirmation", issuedById: judge.id, evidenceId: m.confirmation.evidenceId });
      const audit = await tp.platform.audit.list({ afterSeq: 0, limit: 1000, subject: id, action: "mediation." });
      expect(audit.map((e: { action: string }) => e.action)).to.include.members(["mediation.requested", "mediation.mediator_assigned", "mediation.message", "mediation.agreement_drafted", "mediation.agreed", "mediation.confirmed"]);
      const events = (await filingOf(filingId)).events.map((e: { action: string }) => e.action);
      expect(events.slice(-2)).to.deep.equal(["filing.mediation", "filing.mediated"]);
    });
  });

  describe("the clerk proposes; the filer accepts; the mediation fails and the filing returns to review", () => {
    let filingId: string, id: string;

    it("the clerk proposes: the filing waits in review until the filer accepts", async () => {
      filingId = await submitted();
      await refused(await post(judge, `/api/mediations/by-filing/${filingId}`, {}), 403, "forbidden");
      await refused(await post(otherClerk, `/api/mediations/by-filing/${filingId}`, {}), 404, "not_found");
      const m = await json(await post(clerk, `/api/mediations/by-filing/${filingId}`, {}), 201);
      id = m.id;
      expect(m).to.include({ status: "proposed", requestedBy: "clerk" });
      expect((await filingOf(filingId)).status).to.equal("submitted");
      await waitForMail(tp.dataDir, lawyer.email, /proposed/);
      await refused(await post(clerk, `/api/mediations/${id}/accept`, {}), 403, "forbidden");
      await refused(await post(lawyer, `/api/mediations/${id}/accept`, { why: 1 }), 400, "invalid_input");
      await refused(await post(mediator, `/api/mediations/${id}/fail`, { reason: "x" }), 404, "not_found");
      await refused(await post(clerk, `/api/mediations/${id}/fail`, { reason: "x" }), 409, "wrong_state");
      const accepted = await json(await post(lawyer, `/api/mediations/${id}/accept`, {}), 200);
      expect(accepted.status).to.equal("in_progress");
      expect((await filingOf(filingId)).status).to.equal("mediation");
      await refused(await post(lawyer, `/api/mediations/${id}/accept`, {}), 409, "wrong_state");
      await refused(await post(lawyer, `/api/mediations/${id}/decline`, { reason: "no" }), 409, "wrong_state");
    });

    it("the court's own mediator is assigned; the filer may not end it; the mediator ends it with a reason", async () => {
      await json(await post(clerk, `/api/mediations/${id}/mediator`, { mediatorId: courtMediator.id }), 200);
      await refused(await post(lawyer, `/api/mediations/${id}/fail`, { reason: "不想调了" }), 403, "forbidden");
      await refused(await post(courtMediator, `/api/mediations/${id}/fail`, {}), 400, "invalid_input");
      const m = await json(await post(courtMediator, `/api/mediations/${id}/fail`, { reason: "被告不同意任何付款方案" }), 200);
      expect(m).to.include({ status: "failed", endReason: "被告不同意任何付款方案" });
      expect(m.endedAt).to.be.a("string");
      const f = await filingOf(filingId);
      expect(f.status).to.equal("submitted");
      expect(f.events.at(-1)).to.include({ action: "filing.mediation_failed", fromStatus: "mediation", toStatus: "submitted" });
      const { items } = await json(await get(clerk, "/api/filings/queue"), 200);
      expect(items.map((x: { id: string }) => x.id)).to.include(filingId);
      await refused(await post(courtMediator, `/api/mediations/${id}/fail`, { reason: "again" }), 409, "wrong_state");
      await refused(await post(courtMediator, `/api/mediations/${id}/messages`, { body: "还在吗" }), 409, "wrong_state");
      await refused(await post(clerk, `/api/mediations/${id}/mediator`, { mediatorId: mediator.id }), 409, "wrong_state");
      // the clerk decides the filing as usual afterwards
      await json(await post(clerk, `/api/filings/${filingId}/reject`, { reason: "不符合起诉条件" }), 200);
    });

    it("a proposal the filer declines ends the mediation; the filing stays in review", async () => {
      const fid = await submitted();
      const m = await json(await post(clerk, `/api/mediations/by-filing/${fid}`, { note: "建议先行调解" }), 201);
      await refused(await post(lawyer, `/api/mediations/${m.id}/decline`, {}), 400, "invalid_input");
      const d = await json(await post(lawyer, `/api/mediations/${m.id}/decline`, { reason: "希望尽快立案" }), 200);
      expect(d).to.include({ status: "failed", endReason: "希望尽快立案" });
      expect((await filingOf(fid)).status).to.equal("submitted");
      await refused(await post(lawyer, `/api/mediations/by-filing/${fid}`, {}), 409, "already_mediated");
    });
  });

  describe("refusals", () => {
    it("a draft filing: the filer 409; the court does not see it (404); unknown ids 404", async () => {
      const draft = await json(
        await post(lawyer, "/api/filings", { courtId: court, title: "草稿", parties: [{ kind: "plaintiff", name: "甲" }], citations: [] }),
        201,
      );
      await refused(await post(lawyer, `/api/mediations/by-filing/${draft.id}`, {}), 409, "already_decided");
      await refused(await post(clerk, `/api/mediations/by-filing/${draft.id}`, {}), 404, "not_found");
      await refused(await post(lawyer, `/api/mediations/by-filing/not-an-id`, {}), 404, "not_found");
      await refused(await get(lawyer, `/api/mediations/00000000-0000-4000-8000-000000000000`), 404, "not_found");
    });
    it("the list is for the roles that take part; the platform administrator 403", async () => {
      expect((await tp.api("GET", "/api/mediations", { token: tp.adminToken })).status).to.equal(403);
      const { items } = await json(await get(outsider, "/api/mediations"), 200);
      expect(items).to.deep.equal([]);
    });
  });
});
