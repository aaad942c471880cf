// The rules of the signing flow through the API: the server enforces the order of steps (409),
// invitation links are single-use (410 once used), bound to their signer (403 for the sender and
// anyone else), expire (410, the clock moved), and are replaced by reissuing; one-time codes are
// limited in time and attempts; decline, void and expiry end a contract; outsiders see nothing
// (404); uploads that are not PDFs, encrypted or damaged are refused with a clear 4xx.
import { expect } from "chai";
import { codeIn, waitForMail } from "../helpers/outbox-mail";
import { createHash } from "node:crypto";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { haveTool, run, tempDir } from "../pdf/helpers";
import { pdfSignatureReport } from "../../server/pdf/report";
import { verifyPdfSignatures } from "../../server/pdf/verify";
import fs from "node:fs";

type User = { id: string; email: string; token: string };

const sha = (b: Buffer) => "0x" + createHash("sha256").update(b).digest("hex");

async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return text ? JSON.parse(text) : null;
}

async function error(res: Response, status: number, code: string): Promise<string> {
  const body = await json(res, status);
  expect(body.error.code, body.error.message).to.equal(code);
  expect(body.error.message).to.be.a("string").and.not.empty;
  return body.error.message;
}

const FIELDS = {
  partyA: { name: "甲科技有限公司" },
  partyB: { name: "乙贸易有限公司" },
  purpose: "评估合作项目 evaluating a joint project",
  effectiveDate: "2026-12-01",
  term: "三年 three years",
};

describe("contracts: order, invitations, codes, decline, void, expiry, access, uploads", function () {
  this.timeout(120_000);
  let tp: TestPlatform;
  let sender: User, s1: User, s2: User, s3: User, outsider: User;
  const realClock = () => new Date();

  const draft = async (signers: { user: User; step: number }[], by = sender) =>
    json(
      await tp.api("POST", "/api/contracts", {
        token: by.token,
        json: { title: "保密协议 NDA", template: { id: "nda", fields: FIELDS }, signers: signers.map((s) => ({ userId: s.user.id, step: s.step, codeDelivery: "out-of-band" })) },
      }),
      201,
    );
  const send = async (contractId: string) => json(await tp.api("POST", `/api/contracts/${contractId}/send`, { token: sender.token, json: {} }), 200);
  const linkOf = (sent: any, u: User) => new URL(sent.invitations.find((i: any) => i.userId === u.id).url).pathname;
  const signerOf = (sent: any, u: User) => sent.invitations.find((i: any) => i.userId === u.id).signerId as string;
  const code = async (contractId: string, signerId: string) =>
    (await json(await tp.api("POST", `/api/contracts/${contractId}/signers/${signerId}/code`, { token: sender.token }), 201)).code as string;
  const later = (days: number) => () => new Date(Date.now() + days * 86_400_000);

  before(async () => {
    tp = await startTestPlatform();
    const org = await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "甲科技有限公司" } }), 201);
    [sender, s1, s2, s3, outsider] = await Promise.all([
      tp.createUser("member", { organizationId: org.id }),
      tp.createUser("member", { organizationId: org.id }),
      tp.createUser("lawyer"),
      tp.createUser("member"),
      tp.createUser("member", { organizationId: org.id }),
    ]);
  });
  afterEach(() => {
    tp.platform.contracts.clock = realClock;
  });
  after(async () => {
    await tp?.stop();
  });

  it("signing out of order: 409; no code for a signer whose step is not open; a reused invitation: 410", async () => {
    const c = await draft([
      { user: s1, step: 1 },
      { user: s2, step: 2 },
    ]);
    const sent = await send(c.id);
    expect(sent.contract.status).to.equal("in_progress");
    expect(sent.contract.openStep).to.equal(1);
    // step 2 before step 1: refused however it is tried
    await error(await tp.api("POST", `${linkOf(sent, s2)}/sign`, { token: s2.token, json: { code: "000000" } }), 409, "not_your_turn");
    await error(await tp.api("POST", `/api/contracts/${c.id}/signers/${signerOf(sent, s2)}/code`, { token: sender.token }), 409, "not_your_turn");
    const opened = await json(await tp.api("GET", linkOf(sent, s2), { token: s2.token }), 200);
    expect(opened.yourTurn).to.equal(false);
    // step 1 signs, once
    const c1 = await code(c.id, signerOf(sent, s1));
    const signed = await json(await tp.api("POST", `${linkOf(sent, s1)}/sign`, { token: s1.token, json: { code: c1 } }), 200);
    expect(signed.contract.openStep).to.equal(2);
    await error(await tp.api("POST", `${linkOf(sent, s1)}/sign`, { token: s1.token, json: { code: c1 } }), 410, "invitation_used");
    await error(await tp.api("GET", linkOf(sent, s1), { token: s1.token }), 410, "invitation_used");
    await error(await tp.api("POST", `${linkOf(sent, s1)}/decline`, { token: s1.token, json: { reason: "changed my mind" } }), 410, "invitation_used");
    // now step 2 may sign, and the contract completes
    const c2 = await code(c.id, signerOf(sent, s2));
    const done = await json(await tp.api("POST", `${linkOf(sent, s2)}/sign`, { token: s2.token, json: { code: c2 } }), 200);
    expect(done.contract.status).to.equal("completed");
    const pdf = await tp.platform.contracts.documents.read(done.contract.document.sha256);
    const reports = verifyPdfSignatures(pdf, [tp.platform.identity.rootPem()]);
    expect(reports.map((r) => [r.fieldName, r.integrityOk, r.chainOk, r.timestamp?.ok])).to.deep.equal([
      ["sig-1-1", true, true, true],
      ["sig-2-1", true, true, true],
    ]);
  });

  it("the sender using a signer's link: 403; another user: 403; an unknown token: 404; no login: 401", async () => {
    const c = await draft([{ user: s1, step: 1 }]);
    const sent = await send(c.id);
    const link = linkOf(sent, s1);
    const msg = await error(await tp.api("GET", link, { token: sender.token }), 403, "forbidden");
    expect(msg).to.match(/sender cannot use it/);
    await error(await tp.api("POST", `${link}/sign`, { token: sender.token, json: { code: "123456" } }), 403, "forbidden");
    await error(await tp.api("POST", `${link}/decline`, { token: sender.token, json: { reason: "no" } }), 403, "forbidden");
    await error(await tp.api("GET", link, { token: outsider.token }), 403, "forbidden");
    await error(await tp.api("GET", `${link}/document`, { token: s2.token }), 403, "forbidden");
    await error(await tp.api("GET", link.replace(/.$/, (ch) => (ch === "A" ? "B" : "A")), { token: s1.token }), 404, "not_found");
    await error(await tp.api("GET", "/api/sign/not-a-token", { token: s1.token }), 404, "not_found");
    await error(await tp.api("GET", link), 401, "unauthorized");
    // the signer can: the link is theirs
    const opened = await json(await tp.api("GET", link, { token: s1.token }), 200);
    expect(opened.signer.id).to.equal(signerOf(sent, s1));
    const doc = await tp.api("GET", `${link}/document`, { token: s1.token });
    expect(doc.status).to.equal(200);
    expect(doc.headers.get("content-type")).to.equal("application/pdf");
  });

  it("an expired invitation: 410; a reissued link works and the replaced one is 410; past its deadline the contract expires", async () => {
    const c = await draft([
      { user: s1, step: 1 },
      { user: s3, step: 1 },
    ]);
    const sent = await send(c.id);
    const old = linkOf(sent, s3);
    // invitations last CONTRACT_INVITATION_TTL_HOURS (7 days), the contract CONTRACT_EXPIRY_DAYS (14)
    tp.platform.contracts.clock = later(8);
    await error(await tp.api("GET", old, { token: s3.token }), 410, "invitation_expired");
    await error(await tp.api("POST", `/api/contracts/${c.id}/signers/${signerOf(sent, s3)}/code`, { token: sender.token }), 409, "no_active_invitation");
    const fresh = await json(await tp.api("POST", `/api/contracts/${c.id}/signers/${signerOf(sent, s3)}/invitation`, { token: sender.token }), 201);
    const freshLink = new URL(fresh.url).pathname;
    expect(freshLink).not.to.equal(old);
    expect((await json(await tp.api("GET", freshLink, { token: s3.token }), 200)).contract.status).to.equal("in_progress");
    await error(await tp.api("GET", old, { token: s3.token }), 410, "invitation_revoked");
    // past the contract's deadline: expired, by the system, and every link is gone
    tp.platform.contracts.clock = later(15);
    const detail = await json(await tp.api("GET", `/api/contracts/${c.id}`, { token: sender.token }), 200);
    expect(detail.status).to.equal("expired");
    const expired = detail.events.find((e: any) => e.action === "expired");
    expect(expired).to.include({ actorId: null, fromStatus: "in_progress", toStatus: "expired" });
    expect(expired.at).to.equal(detail.expiresAt);
    await error(await tp.api("GET", freshLink, { token: s3.token }), 410, "invitation_expired");
    await error(await tp.api("GET", linkOf(sent, s1), { token: s1.token }), 410, "invitation_expired");
    await error(await tp.api("POST", `/api/contracts/${c.id}/void`, { token: sender.token, json: { reason: "too late" } }), 409, "not_voidable");
  });

  it("one-time codes: none issued 409, wrong 403 with attempts left, locked after 5 (429), expired 403, replaced by a new one", async () => {
    const c = await draft([{ user: s3, step: 1 }]);
    const sent = await send(c.id);
    const link = linkOf(sent, s3);
    const signerId = signerOf(sent, s3);
    await error(await tp.api("POST", `${link}/sign`, { token: s3.token, json: { code: "123456" } }), 409, "code_not_issued");
    await error(await tp.api("POST", `${link}/sign`, { token: s3.token, json: { code: "12345" } }), 400, "invalid_input");
    const issued = await json(await tp.api("POST", `/api/contracts/${c.id}/signers/${signerId}/code`, { token: sender.token }), 201);
    expect(issued.code).to.match(/^\d{6}$/);
    expect(issued.delivery).to.equal("out-of-band");
    // only the sender issues codes; the code itself is stored only as a hash
    await error(await tp.api("POST", `/api/contracts/${c.id}/signers/${signerId}/code`, { token: s3.token }), 403, "forbidden");
    const row = await tp.platform.database.db.contractInvitation.findFirst({ where: { signerId } });
    expect(row!.codeHash).to.match(/^scrypt\$/);
    expect(row!.codeHash).not.to.contain(issued.code);
    expect(row!.tokenHash).to.match(/^[0-9a-f]{64}$/);
    const wrong = issued.code === "000000" ? "111111" : "000000";
    for (let i = 4; i >= 1; i--) {
      const msg = await error(await tp.api("POST", `${link}/sign`, { token: s3.token, json: { code: wrong } }), 403, "wrong_code");
      expect(msg).to.contain(`${i} attempt`);
    }
    await error(await tp.api("POST", `${link}/sign`, { token: s3.token, json: { code: wrong } }), 403, "wrong_code");
    // five tries spent: even the right code is refused now
    await error(await tp.api("POST", `${link}/sign`, { token: s3.token, json: { code: issued.code } }), 429, "code_locked");
    // a new code, expired after ten minutes
    const again = await code(c.id, signerId);
    tp.platform.contracts.clock = () => new Date(Date.now() + 11 * 60_000);
    await error(await tp.api("POST", `${link}/sign`, { token: s3.token, json: { code: again } }), 403, "code_expired");
    tp.platform.contracts.clock = realClock;
    const events = (await json(await tp.api("GET", `/api/contracts/${c.id}`, { token: sender.token }), 200)).events;
    expect(events.filter((e: any) => e.action === "code_issued")).to.have.length(2);
    expect(JSON.stringify(events)).not.to.contain(again);
  });

  it("one-time codes by e-mail (the default): the signer asks on the link and the code reaches their own address only; the sender gets 409 code_by_email; asking again within a minute is 429; an out-of-band signer cannot ask (409)", async () => {
    const c = await json(
      await tp.api("POST", "/api/contracts", {
        token: sender.token,
        json: { title: "保密协议 NDA", template: { id: "nda", fields: FIELDS }, signers: [{ userId: s1.id, step: 1 }, { userId: s2.id, step: 1, codeDelivery: "out-of-band" }] },
      }),
      201,
    );
    const sent = await send(c.id);
    await error(await tp.api("POST", `/api/contracts/${c.id}/signers/${signerOf(sent, s1)}/code`, { token: sender.token }), 409, "code_by_email");
    // the link is the signer's: the sender holding it cannot ask for the code either
    await error(await tp.api("POST", `${linkOf(sent, s1)}/code`, { token: sender.token }), 403, "forbidden");
    const asked = await json(await tp.api("POST", `${linkOf(sent, s1)}/code`, { token: s1.token }), 201);
    expect(asked).to.include({ delivery: "email", attemptsAllowed: 5 });
    expect(JSON.stringify(asked)).not.to.match(/\b\d{6}\b/);
    const again = await tp.api("POST", `${linkOf(sent, s1)}/code`, { token: s1.token });
    expect(again.status).to.equal(429);
    expect(Number(again.headers.get("retry-after"))).to.be.within(1, 60);
    const [mail] = await waitForMail(tp.dataDir, s1.email, /签署验证码/);
    expect(mail.to).to.deep.equal([s1.email.toLowerCase()]);
    const signed = await json(await tp.api("POST", `${linkOf(sent, s1)}/sign`, { token: s1.token, json: { code: codeIn(mail) } }), 200);
    expect(signed.contract.signers.find((x: any) => x.userId === s1.id).status).to.equal("signed");
    await error(await tp.api("POST", `${linkOf(sent, s2)}/code`, { token: s2.token }), 409, "code_out_of_band");
    const events = (await json(await tp.api("GET", `/api/contracts/${c.id}`, { token: sender.token }), 200)).events.filter((e: any) => e.action === "code_issued");
    expect(events.map((e: any) => [e.actorId, e.details.channel])).to.deep.equal([[s1.id, "email"]]);
  });

  it("decline with a reason: the contract is declined, recorded, and every other link is gone", async () => {
    const c = await draft([
      { user: s1, step: 1 },
      { user: s2, step: 1 },
      { user: s3, step: 2 },
    ]);
    const sent = await send(c.id);
    await error(await tp.api("POST", `${linkOf(sent, s2)}/decline`, { token: s2.token, json: {} }), 400, "invalid_input");
    const declined = await json(
      await tp.api("POST", `${linkOf(sent, s2)}/decline`, { token: s2.token, json: { reason: "金额有误 the amount is wrong" }, headers: { "user-agent": "decliner/1.0" } }),
      200,
    );
    expect(declined.status).to.equal("declined");
    expect(declined.endReason).to.equal("金额有误 the amount is wrong");
    expect(declined.signers.find((s: any) => s.userId === s2.id).status).to.equal("declined");
    const e = declined.events.find((x: any) => x.action === "declined");
    expect(e).to.include({ actorId: s2.id, fromStatus: "in_progress", toStatus: "declined", userAgent: "decliner/1.0" });
    expect(e.details.reason).to.equal("金额有误 the amount is wrong");
    await error(await tp.api("GET", linkOf(sent, s1), { token: s1.token }), 410, "contract_declined");
    await error(await tp.api("POST", `${linkOf(sent, s3)}/sign`, { token: s3.token, json: { code: "123456" } }), 410, "contract_declined");
    await error(await tp.api("POST", `${linkOf(sent, s2)}/decline`, { token: s2.token, json: { reason: "again" } }), 410, "invitation_used");
    await error(await tp.api("POST", `/api/contracts/${c.id}/void`, { token: sender.token, json: { reason: "x" } }), 409, "not_voidable");
    await error(await tp.api("GET", `/api/contracts/${c.id}/certificate`, { token: sender.token }), 409, "contract_declined");
  });

  it("void by the sender (a draft or a contract in progress); only the sender may void", async () => {
    const d = await draft([{ user: s1, step: 1 }]);
    // a draft is not the signers' business yet
    await error(await tp.api("POST", `/api/contracts/${d.id}/void`, { token: s1.token, json: { reason: "not mine" } }), 404, "not_found");
    await error(await tp.api("POST", `/api/contracts/${d.id}/void`, { token: outsider.token, json: { reason: "not mine" } }), 404, "not_found");
    const voidedDraft = await json(await tp.api("POST", `/api/contracts/${d.id}/void`, { token: sender.token, json: { reason: "起草有误 drafting error" } }), 200);
    expect(voidedDraft.status).to.equal("voided");
    await error(await tp.api("POST", `/api/contracts/${d.id}/send`, { token: sender.token, json: {} }), 409, "not_a_draft");

    const c = await draft([{ user: s1, step: 1 }]);
    const sent = await send(c.id);
    await error(await tp.api("POST", `/api/contracts/${c.id}/send`, { token: sender.token, json: {} }), 409, "not_a_draft");
    await error(await tp.api("POST", `/api/contracts/${c.id}/void`, { token: s1.token, json: { reason: "not mine" } }), 403, "forbidden");
    const voided = await json(await tp.api("POST", `/api/contracts/${c.id}/void`, { token: sender.token, json: { reason: "交易取消 deal cancelled" } }), 200);
    expect(voided.status).to.equal("voided");
    expect(voided.events.at(-1)).to.include({ action: "voided", actorId: sender.id, fromStatus: "in_progress", toStatus: "voided" });
    await error(await tp.api("GET", linkOf(sent, s1), { token: s1.token }), 410, "contract_voided");
    await error(await tp.api("POST", `/api/contracts/${c.id}/void`, { token: sender.token, json: { reason: "twice" } }), 409, "not_voidable");
  });

  it("access: a contract is visible to its sender and, once sent, its signers only (others, admins included, get 404)", async () => {
    const c = await draft([{ user: s2, step: 1 }]);
    // a draft is the sender's alone
    await error(await tp.api("GET", `/api/contracts/${c.id}`, { token: s2.token }), 404, "not_found");
    expect((await json(await tp.api("GET", "/api/contracts", { token: s2.token }), 200)).items.map((x: any) => x.id)).not.to.include(c.id);
    await send(c.id);
    for (const who of [outsider.token, tp.adminToken, s3.token]) {
      for (const route of ["", "/document", "/certificate", "/proof"]) {
        await error(await tp.api("GET", `/api/contracts/${c.id}${route}`, { token: who }), 404, "not_found");
      }
      await error(await tp.api("POST", `/api/contracts/${c.id}/void`, { token: who, json: { reason: "x" } }), 404, "not_found");
      const list = await json(await tp.api("GET", "/api/contracts", { token: who }), 200);
      expect(list.items.map((x: any) => x.id)).not.to.include(c.id);
    }
    await error(await tp.api("GET", "/api/contracts/not-a-uuid", { token: s2.token }), 404, "not_found");
    // the signer sees it (and may not send it)
    expect((await json(await tp.api("GET", `/api/contracts/${c.id}`, { token: s2.token }), 200)).you).to.deep.include({ sender: false });
    await error(await tp.api("POST", `/api/contracts/${c.id}/void`, { token: s2.token, json: { reason: "x" } }), 403, "forbidden");
    expect((await json(await tp.api("GET", "/api/contracts", { token: s2.token }), 200)).items.map((x: any) => x.id)).to.include(c.id);
    await error(await tp.api("GET", `/api/contracts/${c.id}`), 401, "unauthorized");
  });

  it("drafting errors: unknown template, missing or malformed fields, glyphs the font lacks, steps with a gap, duplicate or unknown signers", async () => {
    const post = (body: unknown) => tp.api("POST", "/api/contracts", { token: sender.token, json: body });
    const base = { title: "合同", template: { id: "nda", fields: FIELDS }, signers: [{ userId: s1.id, step: 1 }] };
    await error(await post({ ...base, template: { id: "no-such", fields: {} } }), 400, "unknown_template");
    await error(await post({ ...base, template: { id: "nda", fields: { ...FIELDS, term: undefined } } }), 400, "invalid_input");
    await error(await post({ ...base, template: { id: "nda", fields: { ...FIELDS, effectiveDate: "2026-02-30" } } }), 400, "invalid_input");
    await error(await post({ ...base, template: { id: "nda", fields: { ...FIELDS, penalty: { value: "12.345" } } } }), 400, "invalid_input");
    await error(await post({ ...base, template: { id: "nda", fields: { ...FIELDS, surprise: "x" } } }), 400, "invalid_input");
    await error(await post({ ...base, title: "合同 \u{1F600}" }), 400, "unrenderable_text");
    await error(await post({ ...base, signers: [{ userId: s1.id, step: 1 }, { userId: s2.id, step: 3 }] }), 400, "invalid_steps");
    await error(await post({ ...base, signers: [{ userId: s1.id, step: 1 }, { email: s1.email, step: 2 }] }), 400, "duplicate_signer");
    await error(await post({ ...base, signers: [{ email: "nobody@example.com", step: 1 }] }), 400, "name_required");
    await error(await post({ ...base, signers: [{ userId: "00000000-0000-4000-8000-000000000000", step: 1 }] }), 400, "unknown_signer");
    await error(await post({ ...base, signers: [{ userId: s1.id, email: s1.email, step: 1 }] }), 400, "invalid_input");
    await error(await post({ ...base, signers: [{ userId: s1.id, step: 1, box: { page: 0, x: 10, y: 10, w: 100, h: 50 } }] }), 400, "invalid_input");
    await error(await tp.api("POST", "/api/contracts", { token: sender.token, body: "x", headers: { "content-type": "text/plain" } }), 415, "unsupported_media_type");
    const templates = await json(await tp.api("GET", "/api/contracts/templates", { token: sender.token }), 200);
    expect(templates.templates.map((t: any) => t.id)).to.include.members(["service-agreement", "nda"]);
  });

  describe("uploads", () => {
    let tmp: ReturnType<typeof tempDir>;
    let pdf: Buffer;
    const upload = (file: Buffer | string, contract: unknown, name = "upload.pdf") => {
      const f = new FormData();
      f.append("contract", JSON.stringify(contract));
      f.append("file", new Blob([typeof file === "string" ? file : new Uint8Array(file)]), name);
      return tp.api("POST", "/api/contracts", { token: sender.token, body: f });
    };
    before(async () => {
      tmp = tempDir("contracts-upload-");
      const doc = await PDFDocument.create();
      const font = await doc.embedFont(StandardFonts.Helvetica);
      for (let i = 0; i < 2; i++) doc.addPage([595.28, 841.89]).drawText(`Uploaded agreement, page ${i + 1}`, { x: 60, y: 780, size: 14, font });
      pdf = Buffer.from(await doc.save());
    });
    after(() => tmp?.rm());

    it("an uploaded PDF (object streams) is signed at the box the sender gave, as an incremental update", async () => {
      const c = await json(
        await upload(pdf, { title: "上传的协议 Uploaded agreement", signers: [{ userId: s1.id, step: 1, role: "甲方", box: { page: 0, x: 60, y: 600, w: 200, h: 80 }, codeDelivery: "out-of-band" }] }),
        201,
      );
      expect(c.origin).to.equal("upload");
      expect(c.document.originalSha256).to.equal(sha(pdf));
      expect(c.signers[0].box).to.deep.equal({ page: 0, x: 60, y: 600, w: 200, h: 80 });
      const sent = await send(c.id);
      const done = await json(
        await tp.api("POST", `${linkOf(sent, s1)}/sign`, { token: s1.token, json: { code: await code(c.id, signerOf(sent, s1)) } }),
        200,
      );
      expect(done.contract.status).to.equal("completed");
      const signed = await tp.platform.contracts.documents.read(done.signedSha256);
      expect(signed.subarray(0, pdf.length).equals(pdf)).to.equal(true);
      const [report] = verifyPdfSignatures(signed, [tp.platform.identity.rootPem()]);
      expect(report.problems).to.deep.equal([]);
      // the signature's DSS update (PAdES B-LT) follows it, and nothing else
      expect(report.coversWholeDocument).to.equal(false);
      expect(pdfSignatureReport(signed, [tp.platform.identity.rootPem()], { crls: [] }).signatures[0].changes!.findings.map((f) => f.code)).to.deep.equal(["changed_dss_added"]);
      const q = run("qpdf", ["--check", tmp.file("signed-upload.pdf", signed)]);
      expect(q.status, q.output).to.equal(0);
      // the stamp's widget is where the sender put it
      expect(signed.toString("latin1", pdf.length)).to.match(/\/Rect \[ 60 600 260 680 \]/);
    });

    it("refuses a non-PDF (415), an encrypted PDF (422), a damaged PDF (422), an empty file (400), a box off the page (400)", async () => {
      const contract = { title: "x", signers: [{ userId: s1.id, step: 1 }] };
      await error(await upload("just text, not a PDF", contract, "notes.pdf"), 415, "not_a_pdf");
      await error(await upload(Buffer.from("%PDF-1.7\n%\xe2\xe3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n", "latin1"), contract), 422, "pdf_damaged");
      const truncated = pdf.subarray(0, Math.floor(pdf.length * 0.6));
      await error(await upload(truncated, contract), 422, "pdf_damaged");
      const plain = tmp.file("plain.pdf", pdf);
      const encryptedFile = `${tmp.dir}/encrypted.pdf`;
      const q = run("qpdf", ["--encrypt", "", "owner-secret", "256", "--", plain, encryptedFile]);
      expect(q.status, q.output).to.equal(0);
      await error(await upload(fs.readFileSync(encryptedFile), contract), 422, "pdf_encrypted");
      await error(await upload(Buffer.alloc(0), contract), 400, "empty_file");
      await error(await upload(pdf, { ...contract, signers: [{ userId: s1.id, step: 1, box: { page: 2, x: 0, y: 0, w: 100, h: 50 } }] }), 400, "invalid_input");
      await error(await upload(pdf, { ...contract, signers: [{ userId: s1.id, step: 1, box: { page: 0, x: 500, y: 0, w: 200, h: 50 } }] }), 400, "invalid_input");
      // nothing was created by any of these
      const list = await json(await tp.api("GET", "/api/contracts", { token: sender.token }), 200);
      expect(list.items.filter((x: any) => x.title === "x")).to.have.length(0);
    });

    it("POST /api/verify/pdf refuses what is not a readable PDF, and reports an unsigned one as unsigned", async () => {
      const f = (b: Buffer | string) => {
        const form = new FormData();
        form.append("file", new Blob([typeof b === "string" ? b : new Uint8Array(b)]), "x.pdf");
        return tp.api("POST", "/api/verify/pdf", { body: form });
      };
      await error(await f("not a pdf"), 415, "not_a_pdf");
      await error(await f(pdf.subarray(0, 200)), 422, "pdf_damaged");
      const report = await json(await f(pdf), 200);
      expect(report).to.deep.include({ sha256: sha(pdf), signatures: [], allValid: false });
      expect(report.anchoring.anchored).to.equal(false);
    });
  });

  before(function () {
    if (!haveTool("qpdf")) throw new Error("missing tool: qpdf (Debian: apt-get install qpdf)");
  });
});
