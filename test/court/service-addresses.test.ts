// Service address confirmations (送达地址确认书) end to end, over HTTP on one platform whose mail goes
// through a real SMTP server started here: a party's lawyer confirms (the PDF signed with the lawyer's
// own certificate, checked by pdfsig trusting the platform root and by qpdf, its text read back with
// pdftotext, its evidence item anchored), confirms again (the first is superseded, both kept, both in
// the case file), the court's view per party, service at every confirmed address (the mail received
// by the SMTP server, its link opening the document and recording an anchored receipt once; the text
// message kept for lack of a gateway), a party without consent served in the inbox only with the
// missing consent on record, the refusals, and the access table walked over HTTP for each relation.
// Then the pages in Chromium (a second platform): the party's form, and the judge's consent table
// with what went to each confirmed address.
import { expect } from "chai";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { SHOTS, haveChromium, launchBrowser, type TestBrowser } from "../helpers/browser";
import { startSmtpServer, type TestSmtpServer } from "../helpers/smtp";
import { contractPdf, haveTool, nssDbWithRoot, pdfsig, run, tempDir } from "../pdf/helpers";
import { ADDRESS_ROUTES } from "../../server/service-addresses/access";
import { normalisePhone } from "../../server/service-addresses/addresses";

type User = { id: string; email: string; token: string };
const sha = (b: Buffer | string) => "0x" + createHash("sha256").update(b).digest("hex");

async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return text ? JSON.parse(text) : null;
}

async function refused(res: Response, status: number, code: string): Promise<void> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  expect(JSON.parse(text).error.code, text).to.equal(code);
}

describe("service address confirmations (送达地址确认书)", function () {
  this.timeout(240_000);
  let tp: TestPlatform;
  let smtp: TestSmtpServer;
  let tmp: ReturnType<typeof tempDir>;
  let nssDb: string;
  let judge: User, clerk: User, lawyerA: User, lawyerB: User, outsiderLawyer: User, outsiderJudge: User, noCertLawyer: User;
  let c: any;
  let partyA: string, partyB: string;
  let first: any, second: any;
  let summons: Buffer;
  let served: any;

  const db = () => tp.platform.database.db;
  const confirm = (u: User, body: unknown, caseId = c.id) => tp.api("POST", `/api/cases/${caseId}/service-addresses`, { token: u.token, json: body });
  const list = (u: User) => tp.api("GET", `/api/cases/${c.id}/service-addresses`, { token: u.token });
  const download = async (u: User, url: string) => {
    const res = await tp.api("GET", url, { token: u.token });
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.equal("application/pdf");
    return Buffer.from(await res.arrayBuffer());
  };
  const serve = (party: string, title: string, content: Buffer) => {
    const f = new FormData();
    f.append("title", title);
    f.append("party", party);
    f.append("file", new Blob([new Uint8Array(content)]), "summons.pdf");
    return tp.api("POST", `/api/cases/${c.id}/services`, { token: judge.token, body: f });
  };
  const services = async () => (await json(await tp.api("GET", `/api/cases/${c.id}/services`, { token: judge.token }), 200)).services;
  const waitFor = async <T>(what: string, probe: () => Promise<T | null>, ms = 30_000): Promise<T> => {
    for (const until = Date.now() + ms; ; ) {
      const v = await probe();
      if (v !== null) return v;
      if (Date.now() > until) throw new Error(`${what}: not in time`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  before(async () => {
    const missing = ["pdfsig", "qpdf", "pdftotext", "certutil", "openssl"].filter((t) => !haveTool(t));
    if (missing.length) throw new Error(`missing tools: ${missing.join(", ")}`);
    smtp = await startSmtpServer();
    tp = await startTestPlatform({ SMTP_URL: smtp.url, MAIL_FROM: "法院 Court <no-reply@court.example>" });
    tmp = tempDir("addresses-");
    nssDb = nssDbWithRoot(tmp.dir, tp.platform.identity.rootPem());
    const court = await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "福州市鼓楼区人民法院", kind: "court" } }), 201);
    [judge, clerk, lawyerA, lawyerB, outsiderLawyer, outsiderJudge, noCertLawyer] = await Promise.all([
      tp.createUser("judge", { organizationId: court.id }),
      tp.createUser("clerk", { organizationId: court.id }),
      tp.createUser("lawyer"),
      tp.createUser("lawyer"),
      tp.createUser("lawyer"),
      tp.createUser("judge", { organizationId: court.id }),
      tp.createUser("lawyer"),
    ]);
    c = await json(
      await tp.api("POST", "/api/cases", {
        token: judge.token,
        json: {
          number: `(2026)闽0102民初${(process.pid % 9000) + 1000}号`,
          court: "福州市鼓楼区人民法院",
          causeOfAction: "买卖合同纠纷",
          parties: [
            { name: "甲科技有限公司", kind: "plaintiff", members: [lawyerA.id, noCertLawyer.id] },
            { name: "乙贸易有限公司", kind: "defendant", members: [lawyerB.id] },
          ],
        },
      }),
      201,
    );
    [partyA, partyB] = c.parties.map((p: any) => p.id);
    // before the court, as a case accepted from a filing is: its clerks see the confirmations
    await db().courtCase.update({ where: { id: c.id }, data: { courtId: court.id } });
    summons = await contractPdf();
  });

  after(async () => {
    await tp?.stop();
    await smtp?.stop();
    tmp?.rm();
  });

  it("normalises mainland mobile numbers and refuses others", () => {
    expect(normalisePhone("138 0013 8000")).to.equal("+8613800138000");
    expect(normalisePhone("+86 139-0013-9000")).to.equal("+8613900139000");
    expect(normalisePhone("0086 15012345678")).to.equal("+8615012345678");
    expect(normalisePhone("8618612345678")).to.equal("+8618612345678");
    for (const bad of ["12800138000", "1380013800", "+1 415 555 0100", "010-12345678", "abc"]) expect(normalisePhone(bad), bad).to.equal(null);
  });

  it("a party's lawyer confirms: the PDF is signed with the lawyer's certificate (pdfsig valid, trusted; qpdf), reads back, is anchored; the judge is told", async () => {
    first = await json(
      await confirm(lawyerA, { emails: ["Legal@Jia.example ", "ops@jia.example", "legal@jia.example"], phones: ["138 0013 8000", "+86 139-0013-9000"], postal: "福州市鼓楼区五四路1号", consent: true }),
      201,
    );
    expect(first).to.deep.include({ partyId: partyA, consent: true });
    expect(first.addresses).to.deep.equal({ inbox: true, emails: ["legal@jia.example", "ops@jia.example"], phones: ["+8613800138000", "+8613900139000"], postal: "福州市鼓楼区五四路1号" });
    expect(first.confirmedBy.id).to.equal(lawyerA.id);

    const pdf = await download(lawyerA, first.document.url);
    expect(sha(pdf)).to.equal(first.document.sha256);
    const file = path.join(tmp.dir, "confirmation-1.pdf");
    fs.writeFileSync(file, pdf);
    const report = await pdfsig(file, nssDb);
    expect(report.signatures, report.output).to.have.length(1);
    expect(report.signatures[0].validation, report.output).to.equal("Signature is Valid.");
    expect(report.signatures[0].certificateValidation, report.output).to.equal("Certificate is Trusted.");
    expect(report.signatures[0].totalDocumentSigned).to.equal(true);
    expect(report.output).to.match(/Signature Type: ETSI\.CAdES\.detached/);
    expect(run("qpdf", ["--check", file]).status, run("qpdf", ["--check", file]).stdout).to.equal(0);
    // signed by the lawyer's own certificate (one the platform holds the key of), not the platform's
    const certs = await db().certificate.findMany({ where: { userId: lawyerA.id, sealedKey: { not: null } } });
    expect(certs, "the lawyer's certificate").to.have.length(1);
    const signerCn = /Signer Certificate Common Name:\s*(.+)/.exec(report.output)?.[1]?.trim();
    expect(certs[0].subject, report.output).to.include(signerCn!);

    const text = run("pdftotext", ["-layout", file, "-"]).stdout.replace(/\s+/g, " ");
    for (const s of [c.number, "福州市鼓楼区人民法院", "甲科技有限公司", "legal@jia.example", "ops@jia.example", "+8613800138000", "+8613900139000", "福州市鼓楼区五四路1号", "同意人民法院通过本确认书所列电子地址", "第九十条", "(UTC+8)"]) {
      expect(text, s).to.include(s);
    }
    const at = new Date(new Date(first.confirmedAt).getTime() + 8 * 3600_000).toISOString();
    expect(text).to.include(`${at.slice(0, 10)} ${at.slice(11, 19)}`);

    const proof = await tp.waitAnchored(lawyerA.token, first.document.evidenceId);
    expect(proof.record.sha256).to.equal(first.document.sha256);
    const audit = await db().auditEntry.findFirst({ where: { action: "case.service-addresses-confirmed", subject: first.id } });
    expect(JSON.parse(audit!.details)).to.include({ caseId: c.id, partyId: partyA, consent: true, evidenceId: first.document.evidenceId, supersedes: null });
    const mails = await smtp.waitFor((m) => m.some((x) => x.to.includes(judge.email) && x.subject.includes("送达地址确认")));
    expect(mails.find((x) => x.to.includes(judge.email) && x.subject.includes("送达地址确认"))!.text).to.include("甲科技有限公司");
  });

  it("a new confirmation supersedes the previous one: both kept, the latest counts, both in the case file", async () => {
    second = await json(await confirm(lawyerA, { emails: ["legal@jia.example"], phones: ["13800138000"], consent: true }), 201);
    const view = await json(await list(judge), 200);
    const a = view.parties.find((p: any) => p.party.id === partyA);
    expect(a.consent).to.equal(true);
    expect(a.current.id).to.equal(second.id);
    expect(a.current.addresses).to.deep.equal({ inbox: true, emails: ["legal@jia.example"], phones: ["+8613800138000"] });
    expect(a.superseded.map((x: any) => x.id)).to.deep.equal([first.id]);
    const pdf = await download(judge, second.document.url);
    const file = path.join(tmp.dir, "confirmation-2.pdf");
    fs.writeFileSync(file, pdf);
    expect(run("pdftotext", ["-layout", file, "-"]).stdout).to.include(first.id);
    const caseFile = await json(await tp.api("GET", `/api/cases/${c.id}/file`, { token: judge.token }), 200);
    const entries = caseFile.entries.filter((e: any) => e.kind === "address-confirmation");
    expect(entries.map((e: any) => e.sha256 ?? e.file?.sha256)).to.have.members([first.document.sha256, second.document.sha256]);
  });

  it("the court sees every party's consent and addresses; a party member its own party only", async () => {
    for (const u of [judge, clerk]) {
      const view = await json(await list(u), 200);
      expect(view.parties.map((p: any) => [p.party.id, p.consent])).to.deep.equal([
        [partyA, true],
        [partyB, null],
      ]);
    }
    const own = await json(await list(lawyerB), 200);
    expect(own.parties.map((p: any) => p.party.id)).to.deep.equal([partyB]);
    expect(own.parties[0]).to.deep.include({ consent: null, current: null, superseded: [] });
    const mine = await json(await list(lawyerA), 200);
    expect(mine.parties.map((p: any) => p.party.id)).to.deep.equal([partyA]);
    // another party's confirmation does not exist for a party member
    await refused(await tp.api("GET", second.document.url, { token: lawyerB.token }), 404, "not_found");
    expect((await download(clerk, second.document.url)).length).to.be.greaterThan(1000);
  });

  it("service goes to every confirmed address: the mail (real SMTP) links to the document and records the receipt once; the text message is kept", async () => {
    served = await json(await serve(partyA, "传票 Summons", summons), 201);
    expect(served.recipients).to.have.members([lawyerA.id, noCertLawyer.id]);
    expect(served.addresses).to.deep.equal({ consent: "given", confirmationId: second.id, emails: ["legal@jia.example"], phones: ["+8613800138000"] });

    const mails = await smtp.waitFor((m) => m.some((x) => x.to.includes("legal@jia.example")), 20_000);
    const mail = mails.find((x) => x.to.includes("legal@jia.example"))!;
    expect(mail.subject).to.include(c.number);
    const link = mail.text.match(/https?:\/\/\S+\/api\/service-links\/(srv_[A-Za-z0-9_-]{43})/);
    expect(link, mail.text).to.not.equal(null);
    // the old address of the superseded confirmation got nothing
    expect(smtp.messages.some((x) => x.to.includes("ops@jia.example"))).to.equal(false);

    // the worker records the SMTP server's acceptance just after it: wait for that record
    let row = await waitFor("the mail recorded as sent", async () => {
      const s = (await services()).find((x: any) => x.id === served.id);
      return s.addresses.deliveries.find((d: any) => d.channel === "email").mail.status === "sent" ? s : null;
    });
    expect(row.addresses.consent).to.equal("given");
    const email = row.addresses.deliveries.find((d: any) => d.channel === "email");
    expect(email).to.deep.include({ address: "legal@jia.example", openedAt: null, receipt: null });
    expect(email.mail.sentAt).to.be.a("string");
    const sms = row.addresses.deliveries.find((d: any) => d.channel === "sms");
    expect(sms).to.deep.include({ address: "+8613800138000", openedAt: null });
    expect(sms.text.status).to.equal("not-sent");
    expect(sms.text.body).to.include(c.number).and.include("传票 Summons");

    // the link needs no sign-in; a wrong token is nobody's
    await refused(await tp.api("GET", `/api/service-links/srv_${"A".repeat(43)}`), 404, "not_found");
    const res = await tp.api("GET", `/api/service-links/${link![1]}`, { headers: { "user-agent": "MailClient/3.0" } });
    expect(res.status).to.equal(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(summons)).to.equal(true);
    row = await services().then((s) => s.find((x: any) => x.id === served.id));
    const opened = row.addresses.deliveries.find((d: any) => d.channel === "email");
    expect(opened).to.deep.include({ ip: "127.0.0.1", userAgent: "MailClient/3.0" });
    expect(opened.openedAt).to.be.a("string");
    // again: the receipt stands as first recorded
    await (await tp.api("GET", `/api/service-links/${link![1]}`, { headers: { "user-agent": "Other/1.0" } })).arrayBuffer();
    const stored = await db().addressDelivery.findUniqueOrThrow({ where: { id: opened.id } });
    expect(stored.openedAt!.toISOString()).to.equal(opened.openedAt);
    expect(stored.openedUserAgent).to.equal("MailClient/3.0");
    // the receipt's record anchored, naming the address and the document
    const anchored = await waitFor("address receipt anchored", async () => {
      const s = (await services()).find((x: any) => x.id === served.id);
      const d = s.addresses.deliveries.find((x: any) => x.channel === "email");
      return d.receipt?.bundle && d.receipt.status === "anchored" ? d.receipt : null;
    });
    expect(anchored.bundle.record).to.deep.include({ type: "address-delivery-receipt", id: opened.id, channel: "email", address: "legal@jia.example", openedAt: opened.openedAt });
    expect(anchored.bundle.record.document).to.deep.equal({ evidenceId: served.evidenceId, sha256: sha(summons) });
    // the inbox deliveries are there as before
    expect(row.deliveries.map((d: any) => d.recipient.id)).to.have.members([lawyerA.id, noCertLawyer.id]);

    // the text message, readable by the administrator (no SMS gateway); nobody else reads the outbox
    const texts = await json(await tp.api("GET", "/api/text-messages", { token: tp.adminToken }), 200);
    const t = texts.messages.find((m: any) => m.id === sms.text.id);
    expect(t).to.deep.include({ to: "+8613800138000", status: "not-sent", topic: `case:${c.id}` });
    expect(t.body).to.include("甲科技有限公司").and.include("/workspace/#/inbox");
    await refused(await tp.api("GET", "/api/text-messages", { token: judge.token }), 403, "forbidden");
    await refused(await tp.api("GET", "/api/text-messages"), 401, "unauthorized");
  });

  it("a party that has not consented is served in the inbox only, and the record says consent is missing", async () => {
    const none = await json(await serve(partyB, "举证通知书", summons), 201);
    expect(none.addresses).to.deep.equal({ consent: "missing", confirmationId: null, emails: [], phones: [] });
    const refusedConsent = await json(await confirm(lawyerB, { emails: ["yi@yi.example"], phones: ["15012345678"], consent: false }), 201);
    const pdfFile = path.join(tmp.dir, "no-consent.pdf");
    fs.writeFileSync(pdfFile, await download(lawyerB, refusedConsent.document.url));
    expect(run("pdftotext", ["-layout", pdfFile, "-"]).stdout.replace(/\s+/g, "")).to.include("受送达人不同意电子送达");
    const texted = await db().textMessage.count();
    const again = await json(await serve(partyB, "应诉通知书", summons), 201);
    expect(again.addresses).to.deep.equal({ consent: "missing", confirmationId: refusedConsent.id, emails: [], phones: [] });
    const rows = await services();
    for (const id of [none.id, again.id]) {
      const s = rows.find((x: any) => x.id === id);
      expect(s.addresses).to.deep.include({ consent: "missing", deliveries: [] });
      expect(s.deliveries).to.have.length(1);
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.messages.some((x) => x.to.includes("yi@yi.example"))).to.equal(false);
    expect(await db().textMessage.count()).to.equal(texted);
    const view = await json(await list(judge), 200);
    expect(view.parties.find((p: any) => p.party.id === partyB).consent).to.equal(false);
  });

  it("refuses: wrong role 403, outsiders 404, bad addresses 400, no platform-held key 409", async function () {
    const good = { emails: ["a@b.example"], phones: ["13800138000"], consent: true };
    await refused(await confirm(judge, good), 403, "forbidden");
    await refused(await confirm(clerk, good), 403, "forbidden");
    for (const u of [outsiderLawyer, outsiderJudge, { token: tp.adminToken } as User]) {
      await refused(await confirm(u, good), 404, "not_found");
      await refused(await list(u), 404, "not_found");
      await refused(await tp.api("GET", second.document.url, { token: u.token }), 404, "not_found");
    }
    await refused(await confirm(lawyerA, good, "00000000-0000-4000-8000-000000000000"), 404, "not_found");
    const bad: [string, unknown][] = [
      ["an e-mail that is none", { ...good, emails: ["not-an-address"] }],
      ["a landline", { ...good, phones: ["010-12345678"] }],
      ["a foreign number", { ...good, phones: ["+1 415 555 0100"] }],
      ["too many e-mails", { ...good, emails: ["a@x.example", "b@x.example", "c@x.example", "d@x.example"] }],
      ["no consent stated", { emails: [], phones: [] }],
      ["consent not a boolean", { ...good, consent: "yes" }],
      ["an unknown field", { ...good, fax: "123" }],
      ["an empty postal address", { ...good, postal: "  " }],
    ];
    const before = await db().serviceAddressConfirmation.count();
    for (const [what, body] of bad) {
      const res = await confirm(lawyerA, body);
      expect(res.status, what).to.equal(400);
      expect((await res.json()).error.code, what).to.equal("invalid_input");
    }
    expect(await db().serviceAddressConfirmation.count()).to.equal(before);

    const dir = path.join(tmp.dir, "holder");
    fs.mkdirSync(dir, { recursive: true });
    const r = run("openssl", ["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", path.join(dir, "k.pem"), "-subj", "/CN=holder", "-out", path.join(dir, "r.csr")]);
    expect(r.status, r.stderr).to.equal(0);
    await json(await tp.api("POST", "/api/certificates", { token: tp.adminToken, json: { userId: noCertLawyer.id, csr: fs.readFileSync(path.join(dir, "r.csr"), "utf8") } }), 201);
    await refused(await confirm(noCertLawyer, good), 409, "certificate_required");
    expect(await db().serviceAddressConfirmation.count()).to.equal(before);
  });

  it("walks the access table over HTTP for each relation", async () => {
    expect(ADDRESS_ROUTES.map((r) => `${r.method} ${r.base}${r.path}`)).to.deep.equal([
      "post /api/cases/:id/service-addresses",
      "get /api/cases/:id/service-addresses",
      "get /api/cases/:id/service-addresses/:cid/document",
    ]);
    const base = `/api/cases/${c.id}/service-addresses`;
    const body = { emails: [], phones: [], consent: true };
    // by hand: [confirm, list, own party's document (A's)]
    const expected: [string, string, number[]][] = [
      ["the case's judge", judge.token, [403, 200, 200]],
      ["the court's clerk", clerk.token, [403, 200, 200]],
      ["the plaintiff's lawyer (party)", lawyerA.token, [201, 200, 200]],
      ["the defendant's lawyer (another party)", lawyerB.token, [201, 200, 404]],
      ["an unrelated lawyer", outsiderLawyer.token, [404, 404, 404]],
      ["a judge not on the case", outsiderJudge.token, [404, 404, 404]],
      ["the platform administrator", tp.adminToken, [404, 404, 404]],
    ];
    for (const [who, token, statuses] of expected) {
      const got = [
        (await tp.api("POST", base, { token, json: body })).status,
        (await tp.api("GET", base, { token })).status,
        (await tp.api("GET", `${base}/${second.id}/document`, { token })).status,
      ];
      expect(got, who).to.deep.equal(statuses);
    }
    for (const [method, route] of [["POST", base], ["GET", base], ["GET", `${base}/${second.id}/document`]]) {
      expect((await tp.api(method, route, { json: method === "POST" ? body : undefined })).status, `${method} ${route} anonymous`).to.equal(401);
    }
  });

  it("a closed case takes no new confirmation (409); the court still reads them", async () => {
    await json(await tp.api("POST", `/api/cases/${c.id}/close`, { token: judge.token }), 200);
    await refused(await confirm(lawyerA, { emails: [], phones: [], consent: true }), 409, "case_closed");
    await refused(await confirm(judge, { emails: [], phones: [], consent: true }), 403, "forbidden");
    expect((await json(await list(judge), 200)).parties).to.have.length(2);
  });
});

describe("the service address pages (Chromium)", function () {
  this.timeout(180_000);
  let tp: TestPlatform;
  let browser: TestBrowser;
  let judge: User, lawyer: User, other: User;
  let c: any;
  const pageErrors: string[] = [];

  before(async function () {
    if (!haveChromium()) throw new Error("chromium is missing");
    tp = await startTestPlatform();
    [judge, lawyer, other] = await Promise.all([tp.createUser("judge"), tp.createUser("lawyer"), tp.createUser("lawyer")]);
    c = await json(
      await tp.api("POST", "/api/cases", {
        token: judge.token,
        json: {
          number: `(2026)闽0102民初${(process.pid % 9000) + 11000}号`,
          court: "福州市鼓楼区人民法院",
          causeOfAction: "借款合同纠纷",
          parties: [
            { name: "丙公司", kind: "plaintiff", members: [lawyer.id] },
            { name: "丁公司", kind: "defendant", members: [other.id] },
          ],
        },
      }),
      201,
    );
    browser = await launchBrowser("service-addresses", { viewport: { width: 1280, height: 900 } });
  });
  after(async () => {
    await browser?.close();
    await tp?.stop();
  });
  afterEach(() => expect(pageErrors, "errors in the page").to.deep.equal([]));

  async function openCase(user: User): Promise<Page> {
    const page = await browser.context.newPage();
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    page.on("console", (m) => m.type() === "error" && pageErrors.push(m.text()));
    await page.goto(tp.url + "/workspace/");
    await page.waitForSelector("body[data-screen=login]");
    await page.fill("#login-email", user.email);
    await page.keyboard.press("Tab");
    await page.keyboard.type("user-password-1");
    await page.keyboard.press("Enter");
    await page.waitForSelector("body[data-screen=workspace]");
    await page.goto(`${tp.url}/workspace/#/cases/${c.id}`);
    await page.waitForSelector(`#view[data-loaded="cases/${c.id}"]`);
    return page;
  }

  it("the party's lawyer confirms through the form; a bad number is said, then the confirmation is listed", async () => {
    const page = await openCase(lawyer);
    await page.waitForSelector("#addresses-form");
    await page.fill("#addresses-emails", "bing@bing.example");
    await page.fill("#addresses-phones", "12345");
    await page.click("#addresses-submit");
    await page.waitForSelector("#addresses-errors [data-error-code=invalid_input]");
    // the refused request is on the console as a 400: expected here, nothing else is
    expect(pageErrors.splice(0)).to.deep.equal(["Failed to load resource: the server responded with a status of 400 (Bad Request)"]);
    await page.fill("#addresses-phones", "138 0013 8000");
    await page.click("#addresses-submit");
    await page.waitForSelector('#addresses-own-table tr[data-consent="true"]');
    const row = await page.textContent("#addresses-own-table tbody tr");
    expect(row).to.include("bing@bing.example").and.include("+8613800138000");
    expect(await page.textContent("#addresses-current")).to.not.match(/null|undefined/);
    // confirming again: the first is listed as replaced
    await page.click("#addresses-submit");
    await page.waitForSelector("#addresses-superseded [data-superseded-id]", { state: "attached" });
    await page.screenshot({ path: path.join(SHOTS, "service-addresses-party.png"), fullPage: true });
    await page.close();
  });

  it("the judge sees each party's consent and, after a service, what went to each confirmed address", async () => {
    const f = new FormData();
    f.append("title", "传票");
    f.append("party", c.parties[0].id);
    f.append("file", new Blob([new Uint8Array(await contractPdf())]), "summons.pdf");
    await json(await tp.api("POST", `/api/cases/${c.id}/services`, { token: judge.token, body: f }), 201);
    const page = await openCase(judge);
    await page.waitForSelector('#addresses-parties-table tr[data-consent="true"]');
    await page.waitForSelector('#addresses-parties-table tr[data-consent="none"]');
    await page.waitForSelector('#addresses-deliveries-table tr[data-channel="email"][data-address="bing@bing.example"]');
    await page.waitForSelector('#addresses-deliveries-table tr[data-channel="sms"][data-address="+8613800138000"]');
    const sms = await page.textContent('#addresses-deliveries-table tr[data-channel="sms"]');
    expect(sms).to.include(c.number);
    await page.screenshot({ path: path.join(SHOTS, "service-addresses-judge.png"), fullPage: true });
    await page.close();
  });
});
