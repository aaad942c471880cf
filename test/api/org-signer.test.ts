// An organisation named as a contract's signer ({organizationId, sealKind, step}): every member
// holding a live grant of a seal of that kind is invited by mail (through a real SMTP server), the
// first to sign signs for the organisation with its certificate (pdfsig: valid, the signer
// certificate naming the organisation and its credit code; /Name the member; the events and the
// webhook event naming the member), and the other members' links then answer 410
// signed_by_another_member. A member without a grant sees nothing (404) and cannot use another's
// link (403); a grant revoked after the invitation stops the signature (403 not_authorised_for_seal);
// bad signer inputs get 4xx with codes; a step opening with no authorised member mails the sender.
import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { execFileSync } from "node:child_process";
import { PDFDict, PDFDocument, PDFHexString, PDFName, PDFString, StandardFonts, rgb } from "pdf-lib";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from "../helpers/smtp";
import { haveTool, nssDbWithRoot, pdfsig, tempDir } from "../pdf/helpers";
import { creditCodeCheck } from "../../server/core/credit-code";

type User = { id: string; email: string; token: string };

async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return text ? JSON.parse(text) : null;
}
const code = async (res: Response, status: number, errorCode: string) => expect((await json(res, status)).error.code).to.equal(errorCode);

const CREDIT_CODE = "91440300708461136T";
const ORG_NAME = "深圳乙科技有限公司";
const BOX = { page: 0, x: 120, y: 200, w: 180, h: 150 };

async function plainContract(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  page.drawText("Service agreement", { x: 72, y: 760, size: 20, font, color: rgb(0, 0, 0) });
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** A valid unified social credit code (GB 32100-2015 check character) from 17 characters. */
const creditCode = (first17: string) => first17 + creditCodeCheck(first17)!;

/** The invitation token in a signing mail's link (/sign/#token=...). */
function tokenIn(mail: ReceivedMail): string {
  const m = /\/sign\/#token=([A-Za-z0-9_-]+)/.exec(mail.text);
  if (!m) throw new Error(`no signing link in: ${mail.subject}`);
  return m[1];
}
const codeIn = (mail: ReceivedMail) => /Your signing code: (\d{6})/.exec(mail.subject)![1];

describe("an organisation as a contract's signer", function () {
  this.timeout(180_000);
  let tp: TestPlatform;
  let smtp: TestSmtpServer;
  let org: any, seal: any;
  let admin: User, m1: User, m2: User, m3: User, sender: User, person: User;
  const seals = (o: any, s = "") => `/api/organizations/${o.id}/seals${s}`;
  const nameOf = async (u: User) => (await json(await tp.api("GET", "/api/auth/me", { token: u.token }), 200)).name as string;

  const mailsTo = (u: User, subject: RegExp, title: string) => smtp.messages.filter((m) => m.envelope.to.includes(u.email) && subject.test(m.subject) && m.text.includes(title));
  const waitMail = async (u: User, subject: RegExp, title: string, count = 1) => {
    await smtp.waitFor(() => mailsTo(u, subject, title).length >= count, 15_000);
    return mailsTo(u, subject, title);
  };

  function draftBody(title: string, signers: unknown[]) {
    return plainContract().then((pdf) => {
      const form = new FormData();
      form.append("file", new Blob([new Uint8Array(pdf)]), "contract.pdf");
      form.append("contract", JSON.stringify({ title, signers }));
      return form;
    });
  }
  const draft = async (title: string, signers: unknown[]) => tp.api("POST", "/api/contracts", { token: sender.token, body: await draftBody(title, signers) });
  const orgSigner = (extra: object = {}) => ({ organizationId: org.id, sealKind: "contract", step: 1, role: "乙方", box: BOX, ...extra });

  async function sentToOrg(title: string) {
    const c = await json(await draft(title, [orgSigner()]), 201);
    const sent = await json(await tp.api("POST", `/api/contracts/${c.id}/send`, { token: sender.token, json: {} }), 200);
    return { id: c.id as string, sent };
  }

  /** The member asks for their code on the signing page; it is mailed to them. */
  async function codeFor(u: User, token: string, title: string) {
    const before = mailsTo(u, /Your signing code/, title).length;
    await json(await tp.api("POST", `/api/sign/${token}/code`, { token: u.token }), 201);
    return codeIn((await waitMail(u, /Your signing code/, title, before + 1)).at(-1)!);
  }

  before(async function () {
    if (!haveTool("pdfsig")) this.skip();
    smtp = await startSmtpServer();
    tp = await startTestPlatform({ SMTP_URL: smtp.url, MAIL_FROM: "平台 Platform <no-reply@court.example>", WEBHOOK_ALLOW_HTTP: "1", WEBHOOK_ALLOW_PRIVATE: "1" });
    org = await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: ORG_NAME, kind: "enterprise", creditCode: CREDIT_CODE } }), 201);
    [admin, m1, m2, m3] = await Promise.all([0, 1, 2, 3].map(() => tp.createUser("member", { organizationId: org.id })));
    [sender, person] = await Promise.all([tp.createUser("member"), tp.createUser("member")]);
    await json(await tp.api("PATCH", `/api/organizations/${org.id}/members/${admin.id}`, { token: tp.adminToken, json: { orgAdmin: true } }), 200);
    seal = await json(await tp.api("POST", seals(org), { token: admin.token, json: { kind: "contract", name: "合同专用章", code: "4403000012345" } }), 201);
    for (const u of [m1, m2]) await json(await tp.api("POST", seals(org, `/${seal.id}/grants`), { token: admin.token, json: { userId: u.id } }), 201);
  });
  after(async () => {
    await tp?.stop();
    await smtp?.stop();
  });

  it("both granted members are mailed; the first signs for the organisation with its certificate and in their own name; the other gets 410", async () => {
    const hook = await json(
      await tp.api("POST", `/api/organizations/${org.id}/webhooks`, { token: admin.token, json: { url: "http://127.0.0.1:9/hook", events: ["contract.signed"] } }),
      201,
    );
    const title = "技术服务合同 A";
    const { id, sent } = await sentToOrg(title);
    expect(sent.invitations.map((i: any) => i.userId).sort()).to.deep.equal([m1.id, m2.id].sort());
    for (const i of sent.invitations) expect(i.forOrganization).to.deep.equal({ id: org.id, name: ORG_NAME, sealKind: "contract" });
    expect(sent.contract.signers[0]).to.include({ kind: "organization", userId: null, organizationId: org.id, sealKind: "contract", name: ORG_NAME, signedBy: null });

    // each granted member gets their own mail, naming the organisation they are asked to sign for
    const [mail1] = await waitMail(m1, /Please sign/, title);
    const [mail2] = await waitMail(m2, /Please sign/, title);
    for (const m of [mail1, mail2]) expect(m.text).to.contain(`代表${ORG_NAME}签署`).and.to.contain(`You are asked to sign for ${ORG_NAME}, with its contract seal`);
    expect(mail1.text).to.contain(await nameOf(m1));
    const t1 = tokenIn(mail1);
    const t2 = tokenIn(mail2);
    expect(t1).to.not.equal(t2);
    expect(mailsTo(m3, /Please sign/, title)).to.have.length(0);

    // who sees it: the invited members, not a member without a grant (404), who cannot use a link either (403)
    const seen = await json(await tp.api("GET", `/api/contracts/${id}`, { token: m1.token }), 200);
    expect(seen.you.signerId).to.equal(seen.signers[0].id);
    expect((await json(await tp.api("GET", "/api/contracts", { token: m2.token }), 200)).items.map((c: any) => c.id)).to.include(id);
    await code(await tp.api("GET", `/api/contracts/${id}`, { token: m3.token }), 404, "not_found");
    expect((await json(await tp.api("GET", "/api/contracts", { token: m3.token }), 200)).items.map((c: any) => c.id)).to.not.include(id);
    expect((await tp.api("GET", `/api/sign/${t1}`, { token: m3.token })).status).to.equal(403);
    expect((await tp.api("GET", `/api/sign/${t1}`, { token: m2.token })).status).to.equal(403);

    // the signing page's data: the member signs for the organisation, with its seal kind
    const opened = await json(await tp.api("GET", `/api/sign/${t1}`, { token: m1.token }), 200);
    expect(opened.signer).to.include({ kind: "organization", organization: ORG_NAME, name: await nameOf(m1), forOrganization: true });
    expect(opened.signer.seal).to.deep.equal({ organizationId: org.id, organization: ORG_NAME, kind: "contract" });
    expect(opened.yourTurn).to.equal(true);

    const signed = await json(await tp.api("POST", `/api/sign/${t1}/sign`, { token: m1.token, json: { code: await codeFor(m1, t1, title) } }), 200);
    expect(signed.contract.status).to.equal("completed");

    // the second member's link is closed
    await code(await tp.api("GET", `/api/sign/${t2}`, { token: m2.token }), 410, "signed_by_another_member");
    await code(await tp.api("POST", `/api/sign/${t2}/code`, { token: m2.token }), 410, "signed_by_another_member");
    await code(await tp.api("POST", `/api/sign/${t2}/sign`, { token: m2.token, json: { code: "123456" } }), 410, "signed_by_another_member");
    await code(await tp.api("GET", `/api/contracts/${id}`, { token: m2.token }), 404, "not_found");

    // the document: signed with the organisation's certificate, /Name the member
    const res = await tp.api("GET", `/api/contracts/${id}/document`, { token: sender.token });
    const pdf = Buffer.from(await res.arrayBuffer());
    const tmp = tempDir("org-signer-");
    const file = tmp.file("signed.pdf", pdf);
    const { output, signatures } = await pdfsig(file, nssDbWithRoot(tmp.dir, tp.platform.identity.rootPem()));
    expect(signatures, output).to.have.length(1);
    expect(signatures[0].validation, output).to.equal("Signature is Valid.");
    expect(signatures[0].certificateValidation, output).to.equal("Certificate is Trusted.");
    expect(signatures[0].commonName, output).to.equal(ORG_NAME);
    expect(output).to.contain(`O=${ORG_NAME}`).and.to.contain(CREDIT_CODE);
    const doc = await PDFDocument.load(pdf);
    const v = doc.getForm().getFields()[0].acroField.dict.lookup(PDFName.of("V"), PDFDict);
    const name = v.lookup(PDFName.of("Name"));
    expect(name instanceof PDFHexString || name instanceof PDFString ? name.decodeText() : null).to.equal(await nameOf(m1));

    // detail and events: the organisation signed, by the member
    const detail = await json(await tp.api("GET", `/api/contracts/${id}`, { token: sender.token }), 200);
    expect(detail.signers[0]).to.include({ kind: "organization", organizationId: org.id, status: "signed" });
    expect(detail.signers[0].signedBy).to.deep.equal({ userId: m1.id, name: await nameOf(m1) });
    const ev = detail.events.find((e: any) => e.action === "signed");
    expect(ev.actorId).to.equal(m1.id);
    expect(ev.details).to.include({ sealId: seal.id, onBehalfOf: org.id, signedBy: await nameOf(m1), signedByUserId: m1.id, signerKind: "organization" });
    expect(ev.details.stamp[0]).to.equal(await nameOf(m1));
    // the completion certificate names the member, for the organisation
    const certRes = await tp.api("GET", `/api/contracts/${id}/certificate`, { token: sender.token });
    expect(certRes.status).to.equal(200);
    const certText = execFileSync("pdftotext", ["-", "-"], { input: Buffer.from(await certRes.arrayBuffer()) }).toString();
    expect(certText).to.contain(`${await nameOf(m1)}（${ORG_NAME}）`);
    // the member who signed still sees it
    await json(await tp.api("GET", `/api/contracts/${id}`, { token: m1.token }), 200);

    // the webhook event carries the organisation and the member who signed for it
    const delivery = await tp.platform.database.db.webhookDelivery.findFirstOrThrow({ where: { endpointId: hook.id, event: "contract.signed" } });
    const payload = JSON.parse(delivery.payload);
    const signer = payload.data?.signer ?? payload.signer;
    expect(signer).to.include({ kind: "organization", organizationId: org.id, organization: ORG_NAME, sealKind: "contract" });
    expect(signer.signedBy).to.deep.equal({ userId: m1.id, name: await nameOf(m1) });
    await json(await tp.api("DELETE", `/api/organizations/${org.id}/webhooks/${hook.id}`, { token: admin.token }), 204);
  });

  it("a grant revoked after the invitation stops that member's signature (403 not_authorised_for_seal) and hides the contract", async () => {
    const title = "技术服务合同 B";
    const { id } = await sentToOrg(title);
    const t2 = tokenIn((await waitMail(m2, /Please sign/, title))[0]);
    const otp = await codeFor(m2, t2, title);
    expect((await tp.api("DELETE", seals(org, `/${seal.id}/grants/${m2.id}`), { token: admin.token })).status).to.equal(204);
    await code(await tp.api("POST", `/api/sign/${t2}/sign`, { token: m2.token, json: { code: otp } }), 403, "not_authorised_for_seal");
    await code(await tp.api("GET", `/api/contracts/${id}`, { token: m2.token }), 404, "not_found");
    // the other member still signs for the organisation
    const t1 = tokenIn((await waitMail(m1, /Please sign/, title))[0]);
    const signed = await json(await tp.api("POST", `/api/sign/${t1}/sign`, { token: m1.token, json: { code: await codeFor(m1, t1, title) } }), 200);
    expect(signed.contract.signers[0].signedBy.userId).to.equal(m1.id);
    await json(await tp.api("POST", seals(org, `/${seal.id}/grants`), { token: admin.token, json: { userId: m2.id } }), 201);
  });

  it("two members signing at the same moment: one signature, the other 410 signed_by_another_member", async () => {
    const title = "技术服务合同 D";
    const { id } = await sentToOrg(title);
    const t1 = tokenIn((await waitMail(m1, /Please sign/, title))[0]);
    const t2 = tokenIn((await waitMail(m2, /Please sign/, title))[0]);
    const [c1, c2] = [await codeFor(m1, t1, title), await codeFor(m2, t2, title)];
    const [r1, r2] = await Promise.all([
      tp.api("POST", `/api/sign/${t1}/sign`, { token: m1.token, json: { code: c1 } }),
      tp.api("POST", `/api/sign/${t2}/sign`, { token: m2.token, json: { code: c2 } }),
    ]);
    const answers = [
      { status: r1.status, body: await r1.json() },
      { status: r2.status, body: await r2.json() },
    ];
    expect(answers.map((a) => a.status).sort()).to.deep.equal([200, 410]);
    expect(answers.find((a) => a.status === 410)!.body.error.code).to.equal("signed_by_another_member");
    const winner = answers[0].status === 200 ? m1 : m2;
    const detail = await json(await tp.api("GET", `/api/contracts/${id}`, { token: sender.token }), 200);
    expect(detail.signers[0].signedBy.userId).to.equal(winner.id);
    expect(detail.events.filter((e: any) => e.action === "signed")).to.have.length(1);
    expect(detail.document.revision).to.equal(1);
  });

  it("bad organisation signers get 4xx with codes, never 500", async () => {
    const bare = await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "无授权有限公司", kind: "enterprise", creditCode: creditCode("91440300MA5DAAAA1") } }), 201);
    const bareAdmin = await tp.createUser("member", { organizationId: bare.id });
    await json(await tp.api("PATCH", `/api/organizations/${bare.id}/members/${bareAdmin.id}`, { token: tp.adminToken, json: { orgAdmin: true } }), 200);
    await json(await tp.api("POST", seals(bare), { token: bareAdmin.token, json: { kind: "official", name: "公章" } }), 201);
    const cases: [unknown[], number, string][] = [
      [[orgSigner({ organizationId: randomUUID() })], 400, "unknown_organization"],
      [[orgSigner({ sealKind: "finance" })], 400, "no_such_seal"],
      [[orgSigner({ organizationId: bare.id, sealKind: "official" })], 400, "no_authorised_member"],
      [[orgSigner({ userId: m1.id })], 400, "invalid_input"],
      [[orgSigner({ email: "x@example.com" })], 400, "invalid_input"],
      [[{ organizationId: org.id, step: 1 }], 400, "invalid_input"],
      [[orgSigner({ sealKind: "personal" })], 400, "invalid_input"],
      [[orgSigner({ organizationId: "not-a-uuid" })], 400, "invalid_input"],
      [[orgSigner({ organization: { id: org.id, sealKind: "contract" } })], 400, "invalid_input"],
      [[orgSigner({ name: "某人" })], 400, "invalid_input"],
      [[{ userId: m1.id, step: 1, sealKind: "contract" }], 400, "invalid_input"],
      [[orgSigner({ codeDelivery: "out-of-band" })], 400, "code_by_email"],
      [[orgSigner(), orgSigner({ box: { ...BOX, x: 320 } })], 400, "duplicate_signer"],
    ];
    for (const [signers, status, errorCode] of cases) await code(await draft("坏的签署人", signers), status, errorCode);
    // the organisation at two steps, and beside a person, is fine
    await json(await draft("两步", [orgSigner(), { userId: person.id, step: 2, box: { ...BOX, x: 320 } }, orgSigner({ step: 3, box: { ...BOX, y: 400 } })]), 201);
  });

  it("a step opening with no member holding a live grant mails the sender instead of stalling", async () => {
    const org3 = await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "丙贸易有限公司", kind: "enterprise", creditCode: creditCode("91440300MA5DBBBB2") } }), 201);
    const [admin3, holder3] = await Promise.all([0, 1].map(() => tp.createUser("member", { organizationId: org3.id })));
    await json(await tp.api("PATCH", `/api/organizations/${org3.id}/members/${admin3.id}`, { token: tp.adminToken, json: { orgAdmin: true } }), 200);
    const seal3 = await json(await tp.api("POST", seals(org3), { token: admin3.token, json: { kind: "official", name: "公章" } }), 201);
    await json(await tp.api("POST", seals(org3, `/${seal3.id}/grants`), { token: admin3.token, json: { userId: holder3.id } }), 201);
    const title = "采购合同 C";
    const c = await json(
      await draft(title, [
        { userId: person.id, step: 1, codeDelivery: "out-of-band", box: BOX },
        { organizationId: org3.id, sealKind: "official", step: 2, box: { ...BOX, x: 320 } },
      ]),
      201,
    );
    const sent = await json(await tp.api("POST", `/api/contracts/${c.id}/send`, { token: sender.token, json: {} }), 200);
    expect(sent.invitations.find((i: any) => i.userId === holder3.id)).to.not.equal(undefined);
    // the grant goes before the organisation's step opens
    expect((await tp.api("DELETE", seals(org3, `/${seal3.id}/grants/${holder3.id}`), { token: admin3.token })).status).to.equal(204);
    const inv = sent.invitations.find((i: any) => i.userId === person.id);
    const otp = (await json(await tp.api("POST", `/api/contracts/${c.id}/signers/${inv.signerId}/code`, { token: sender.token }), 201)).code;
    const signed = await json(await tp.api("POST", `${new URL(inv.url).pathname}/sign`, { token: person.token, json: { code: otp } }), 200);
    expect(signed.contract.status).to.equal("in_progress");
    const [notice] = await waitMail(sender, /No one can sign for/, title);
    expect(notice.subject).to.contain("丙贸易有限公司");
    expect(notice.text).to.contain("official seal").and.to.contain(`/contracts/${c.id}`);
    expect(mailsTo(holder3, /Your turn to sign/, title)).to.have.length(0);
    // the sender sees the notice among the contract's mail; reissuing with no one granted is a 409
    const detail = await json(await tp.api("GET", `/api/contracts/${c.id}`, { token: sender.token }), 200);
    expect(JSON.stringify(detail.notifications)).to.contain("contract-no-authorised-signer");
    const orgSeat = detail.signers.find((s: any) => s.kind === "organization");
    await code(await tp.api("POST", `/api/contracts/${c.id}/signers/${orgSeat.id}/invitation`, { token: sender.token }), 409, "no_authorised_member");
    // once granted again, a reissue invites the member, who signs for the organisation
    await json(await tp.api("POST", seals(org3, `/${seal3.id}/grants`), { token: admin3.token, json: { userId: holder3.id } }), 201);
    const re = await json(await tp.api("POST", `/api/contracts/${c.id}/signers/${orgSeat.id}/invitation`, { token: sender.token }), 201);
    expect(re.invitations.map((i: any) => i.userId)).to.deep.equal([holder3.id]);
    const t = tokenIn((await waitMail(holder3, /Your turn to sign/, title))[0]);
    const done = await json(await tp.api("POST", `/api/sign/${t}/sign`, { token: holder3.token, json: { code: await codeFor(holder3, t, title) } }), 200);
    expect(done.contract.status).to.equal("completed");
  });
});
