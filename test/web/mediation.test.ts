// The mediation room in Chromium: a lawyer's submitted filing (set up through the API) goes to
// mediation from its filing page; the clerk assigns a mediator chosen from the directory; the
// mediator and the lawyer talk in the room; the mediator drafts the agreement, which goes out for
// signing (the parties sign through the signing API: the signing page has its own tests); the judge
// confirms it and the order downloaded from the page verifies (pdfsig: valid, trusted). The failure
// path: the clerk proposes mediation from the queue, the lawyer accepts, the mediator ends it with a
// reason and the filing is back in the clerk's queue. An open room follows what the others do (a
// message, a signature) without a reload. An outsider sees none of it. Screenshots.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { SHOTS, haveChromium, launchBrowser, type TestBrowser } from "../helpers/browser";
import { checkAccessibility } from "../helpers/page-checks";
import { codeIn, waitForMail } from "../helpers/outbox-mail";
import { haveTool, nssDbWithRoot, pdfsig } from "../pdf/helpers";

const PASSWORD = "user-password-1";
type User = { id: string; email: string; token: string };

describe("the mediation room (Chromium)", function () {
  this.timeout(240_000);
  let tp: TestPlatform;
  let browser: TestBrowser;
  let tmp: string;
  let court: string, committee: string, plaintiffOrg: string, defendantOrg: string;
  let clerk: User, judge: User, mediator: User, lawyer: User, defendant: User, outsider: User;
  let agreedId: string, agreedFiling: string;
  const pageErrors: string[] = [];

  const json = async (res: Response, status: number): Promise<any> => {
    const text = await res.text();
    expect(res.status, text).to.equal(status);
    return text ? JSON.parse(text) : null;
  };
  const org = async (name: string, kind: string) => (await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name, kind } }), 201)).id as string;
  const user = async (role: string, organizationId: string, name: string): Promise<User> => {
    const email = `${role}-${randomBytes(4).toString("hex")}@mediation-web.example`;
    const u = await json(await tp.api("POST", "/api/users", { token: tp.adminToken, json: { email, name, password: PASSWORD, role, organizationId } }), 201);
    return { id: u.id, email, token: await tp.login(email, PASSWORD) };
  };
  const submitted = async (title: string) => {
    const f = await json(
      await tp.api("POST", "/api/filings", {
        token: lawyer.token,
        json: {
          courtId: court,
          title,
          parties: [
            { kind: "plaintiff", name: "甲科技有限公司", organizationId: plaintiffOrg },
            { kind: "defendant", name: "乙贸易有限公司", organizationId: defendantOrg },
          ],
          claims: ["判令被告支付货款人民币50000元"],
          facts: "被告拖欠货款。",
          causeOfAction: "买卖合同纠纷",
          citations: [],
          filerPartyIndex: 0,
        },
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
    await json(await tp.api("POST", `/api/filings/${f.id}/submit`, { token: lawyer.token, json: {} }), 200);
    return f.id as string;
  };

  before(async function () {
    if (!haveChromium()) throw new Error("chromium is not installed (apt-get install chromium)");
    const missing = ["pdfsig", "certutil"].filter((t) => !haveTool(t));
    if (missing.length) throw new Error(`missing tools: ${missing.join(", ")}`);
    tp = await startTestPlatform();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mediation-web-"));
    court = await org("福州市鼓楼区人民法院", "court");
    committee = await org("鼓楼区人民调解委员会", "mediation");
    plaintiffOrg = await org("甲科技有限公司", "enterprise");
    defendantOrg = await org("乙贸易有限公司", "enterprise");
    const firm = await org("某某律师事务所", "law_firm");
    [clerk, judge, mediator, lawyer, defendant, outsider] = await Promise.all([
      user("clerk", court, "立案庭书记员"),
      user("judge", court, "审判员张法官"),
      user("mediator", committee, "人民调解员李"),
      user("lawyer", firm, "王律师"),
      user("member", defendantOrg, "乙公司经理"),
      user("lawyer", await org("另一律师事务所", "law_firm"), "旁人律师"),
    ]);
    browser = await launchBrowser("mediation", { viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await tp?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    expect(pageErrors, pageErrors.join("\n")).to.deep.equal([]);
  });

  async function logIn(u: { email: string }): Promise<Page> {
    const page = await browser.context.newPage();
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    await page.goto(tp.url + "/workspace/");
    await page.waitForSelector("body[data-screen=login]");
    await page.fill("#login-email", u.email);
    await page.fill("#login-password", PASSWORD);
    await page.press("#login-password", "Enter");
    await page.waitForSelector("#view[data-loaded]");
    return page;
  }
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `mediation-${name}.png`), fullPage: true });
  const openRoom = async (page: Page, id: string) => {
    await page.goto(`${tp.url}/workspace/#/mediations/${id}`);
    await page.waitForSelector(`[data-mediation-id="${id}"]`);
  };
  const signByApi = async (u: User, signUrl: string) => {
    const token = new URL(signUrl).hash.replace(/^#token=/, "");
    const link = `/api/sign/${token}`;
    await json(await tp.api("GET", link, { token: u.token }), 200);
    await json(await tp.api("POST", `${link}/code`, { token: u.token, json: {} }), 201);
    const [mail] = await waitForMail(tp.dataDir, u.email, /签署验证码/);
    return json(await tp.api("POST", `${link}/sign`, { token: u.token, json: { code: codeIn(mail) } }), 200);
  };

  it("the lawyer asks for mediation on the submitted filing's page and lands in the room", async () => {
    const filingId = (agreedFiling = await submitted("甲公司诉乙公司买卖合同纠纷（调解）"));
    const page = await logIn(lawyer);
    await page.goto(`${tp.url}/workspace/#/filings/${filingId}`);
    await page.waitForSelector("#mediation-open-form");
    await page.fill("#mediation-open-note", "原告愿意先行调解。");
    await page.click("#mediation-open-submit");
    await page.waitForSelector("[data-mediation-id]");
    agreedId = (await page.getAttribute("[data-mediation-id]", "data-mediation-id"))!;
    expect(await page.textContent("#mediation-status")).to.contain("调解中");
    expect(await page.textContent("#mediation-thread")).to.contain("原告愿意先行调解。");
    await page.click("[data-nav=mediations]");
    await page.waitForSelector(`#mediations-table tr[data-mediation-id="${agreedId}"]`);
    expect(await page.textContent("#mediations-table")).to.contain("申请人申请调解");
    await checkAccessibility(page);
    await shot(page, "list");
    await page.close();
  });

  it("the clerk assigns a mediator chosen from the directory", async () => {
    const page = await logIn(clerk);
    await page.click("[data-nav=mediations]");
    await page.waitForSelector(`#mediations-table tr[data-mediation-id="${agreedId}"]`);
    await openRoom(page, agreedId);
    // no choice made: said in words, not sent
    await page.click("#mediation-assign-submit");
    await page.waitForSelector("#mediation-errors .ws-message-bad");
    expect(await page.textContent("#mediation-errors")).to.contain("请选择调解员");
    const options = await page.locator("#mediation-assign-mediator option").allTextContents();
    expect(options.some((o) => o.includes("人民调解员李") && o.includes("鼓楼区人民调解委员会")), options.join("|")).to.equal(true);
    await page.selectOption("#mediation-assign-mediator", mediator.id);
    await page.click("#mediation-assign-submit");
    await page.waitForSelector("#mediation-news .ws-message-ok");
    expect(await page.textContent("#mediation-mediator")).to.contain("人民调解员李");
    await shot(page, "clerk-assigned");
    await page.close();
  });

  it("the mediator and the lawyer exchange messages in the room", async () => {
    const mp = await logIn(mediator);
    expect(await mp.getAttribute("#view", "data-loaded")).to.equal("mediations");
    await openRoom(mp, agreedId);
    await mp.fill("#mediation-post-body", "请双方提出调解方案。");
    await mp.click("#mediation-post-submit");
    await mp.waitForSelector("#mediation-thread >> text=请双方提出调解方案。");
    // the mediator's room stays open while the lawyer answers
    const lp = await logIn(lawyer);
    await openRoom(lp, agreedId);
    await lp.click("#mediation-post-submit");
    await lp.waitForSelector("#mediation-errors .ws-message-bad");
    expect(await lp.textContent("#mediation-errors")).to.contain("请填写消息内容");
    await lp.fill("#mediation-post-body", "原告同意分两期付款。");
    await lp.click("#mediation-post-submit");
    await lp.waitForSelector("#mediation-thread >> text=原告同意分两期付款。");
    expect(await lp.textContent("#mediation-thread")).to.contain("人民调解员李").and.contain("请双方提出调解方案。");
    // the answer reaches the mediator's open room without a reload
    await mp.waitForSelector("#mediation-thread >> text=原告同意分两期付款。", { timeout: 30_000 });
    await mp.close();
    // the filer neither drafts nor ends the mediation
    expect(await lp.locator("#agreement-form, #mediation-fail").count()).to.equal(0);
    await checkAccessibility(lp);
    await shot(lp, "thread");
    await lp.close();
  });

  it("the mediator drafts the agreement and sends it; the parties sign; the mediation is agreed", async () => {
    const mp = await logIn(mediator);
    await openRoom(mp, agreedId);
    await mp.fill("#agreement-terms", "被告于2027年1月31日前支付原告货款人民币25000元。\n被告于2027年2月28日前支付剩余货款人民币25000元。");
    await mp.fill("#agreement-place", "福州市");
    await mp.selectOption("[data-signer-party='0']", lawyer.id);
    await mp.selectOption("[data-signer-party='1']", defendant.id);
    await mp.click("#agreement-submit");
    await mp.waitForSelector("#mediation-news .ws-message-ok");
    const lawyerLink = (await mp.getAttribute(`[data-signing-link="${lawyer.id}"]`, "href"))!;
    const defendantLink = (await mp.getAttribute(`[data-signing-link="${defendant.id}"]`, "href"))!;
    expect(lawyerLink).to.match(/\/sign\/#token=/);
    expect(await mp.textContent("#agreement-signers")).to.contain("王律师").and.contain("乙公司经理").and.contain("待签署");
    // out for signing: ending the mediation is not offered (the agreement would have to be voided)
    expect(await mp.locator("#mediation-fail").count()).to.equal(0);
    expect(await mp.textContent("#view")).to.not.contain("null");
    await shot(mp, "agreement-sent");

    // the lawyer's room points to the contracts list, where the agreement waits
    const lp = await logIn(lawyer);
    await openRoom(lp, agreedId);
    await lp.waitForSelector("#agreement-to-sign");
    await lp.close();
    await signByApi(lawyer, lawyerLink);
    await signByApi(defendant, defendantLink);
    const m = await json(await tp.api("GET", `/api/mediations/${agreedId}`, { token: lawyer.token }), 200);
    expect(m.status).to.equal("agreed");
    // the mediator's room, open all along, shows both signatures and the new state without a reload
    await mp.waitForSelector("#mediation-status >> text=已达成调解协议", { timeout: 30_000 });
    expect(await mp.locator("#agreement-signers li >> text=已签署").count()).to.equal(2);
    await mp.close();
  });

  it("the judge confirms it; the order downloads and verifies; a signer downloads the agreement", async () => {
    const page = await logIn(judge);
    await page.click("[data-nav=mediations]");
    await page.waitForSelector(`#mediations-table tr[data-mediation-id="${agreedId}"]`);
    await openRoom(page, agreedId);
    expect(await page.textContent("#mediation-status")).to.contain("已达成调解协议");
    await page.click("#mediation-confirm-submit");
    await page.waitForSelector("#mediation-confirmation");
    expect(await page.textContent("#mediation-status")).to.contain("已司法确认");
    await checkAccessibility(page);
    await shot(page, "confirmed");
    const [order] = await Promise.all([page.waitForEvent("download"), page.click("#order-download")]);
    const file = path.join(tmp, "order.pdf");
    await order.saveAs(file);
    const report = await pdfsig(file, nssDbWithRoot(tmp, tp.platform.identity.rootPem()));
    expect(report.signatures, report.output).to.have.length(1);
    expect(report.signatures[0].validation, report.output).to.equal("Signature is Valid.");
    expect(report.signatures[0].certificateValidation, report.output).to.equal("Certificate is Trusted.");
    await page.close();
    // a signer downloads the signed agreement from the room
    const lp = await logIn(lawyer);
    await openRoom(lp, agreedId);
    const [agreement] = await Promise.all([lp.waitForEvent("download"), lp.click("#agreement-download")]);
    const afile = path.join(tmp, "agreement.pdf");
    await agreement.saveAs(afile);
    expect(fs.readFileSync(afile).subarray(0, 5).toString()).to.equal("%PDF-");
    await lp.close();
  });

  it("the clerk's page of the mediated filing: closed as mediated, nothing left to decide or propose", async () => {
    const page = await logIn(clerk);
    await page.goto(`${tp.url}/workspace/#/queue/${agreedFiling}`);
    await page.waitForSelector(`[data-filing-id="${agreedFiling}"]`);
    expect(await page.locator("#decisions, #mediation-open").count()).to.equal(0);
    expect(await page.textContent("#view")).to.not.contain("null");
    await page.close();
  });

  it("failure: the clerk proposes from the queue, the lawyer accepts, the mediator ends it with a reason; the filing is back in the queue", async () => {
    const filingId = await submitted("甲公司诉乙公司买卖合同纠纷（调解不成）");
    const cp = await logIn(clerk);
    await cp.goto(`${tp.url}/workspace/#/queue/${filingId}`);
    await cp.waitForSelector("#mediation-open-form");
    await cp.click("#mediation-open-submit");
    await cp.waitForSelector("[data-mediation-id]");
    const id = (await cp.getAttribute("[data-mediation-id]", "data-mediation-id"))!;
    expect(await cp.textContent("#mediation-status")).to.contain("待申请人答复");
    await cp.close();

    const lp = await logIn(lawyer);
    await openRoom(lp, id);
    await lp.click("#mediation-accept");
    await lp.waitForSelector("#mediation-news .ws-message-ok");
    expect(await lp.textContent("#mediation-status")).to.contain("调解中");
    await lp.close();
    await json(await tp.api("POST", `/api/mediations/${id}/mediator`, { token: clerk.token, json: { mediatorId: mediator.id } }), 200);

    const mp = await logIn(mediator);
    await openRoom(mp, id);
    await mp.fill("#mediation-fail-reason", "被申请人拒绝调解。");
    await mp.click("#mediation-fail-submit");
    await mp.waitForSelector("#mediation-end-reason");
    expect(await mp.textContent("#mediation-status")).to.contain("调解未成功");
    expect(await mp.textContent("#mediation-end-reason")).to.contain("被申请人拒绝调解。");
    await shot(mp, "failed");
    // the page in English
    await mp.click(".lang-button[data-lang=en]");
    expect(await mp.textContent("#mediation-status")).to.contain("Failed");
    await mp.close();

    const cp2 = await logIn(clerk);
    await cp2.waitForSelector(`#queue-table tr[data-filing-id="${filingId}"]`);
    expect(await cp2.textContent(`#queue-table tr[data-filing-id="${filingId}"]`)).to.contain("甲公司诉乙公司买卖合同纠纷（调解不成）");
    await cp2.close();
  });

  it("an agreement drafted but never sent (the send did not get through) is sent from the room", async () => {
    const filingId = await submitted("甲公司诉乙公司买卖合同纠纷（协议未发送）");
    const m = await json(await tp.api("POST", `/api/mediations/by-filing/${filingId}`, { token: lawyer.token, json: {} }), 201);
    await json(await tp.api("POST", `/api/mediations/${m.id}/mediator`, { token: clerk.token, json: { mediatorId: mediator.id } }), 200);
    // the first of the room's two requests only, as when the connection drops between them
    const drafted = await json(
      await tp.api("POST", `/api/mediations/${m.id}/agreement`, {
        token: mediator.token,
        json: { terms: ["被告于2027年3月31日前支付原告货款人民币50000元。"], signers: [{ partyIndex: 0, userId: lawyer.id }, { partyIndex: 1, userId: defendant.id }] },
      }),
      201,
    );
    expect(drafted.contract.status).to.equal("draft");

    const mp = await logIn(mediator);
    await openRoom(mp, m.id);
    // the previous test left the browser profile in English
    await mp.click(".lang-button[data-lang=zh]");
    expect(await mp.textContent("#mediation-agreement")).to.contain("草稿").and.contain("尚未发送签署");
    await shot(mp, "agreement-unsent");
    await mp.click("#agreement-send");
    await mp.waitForSelector("#mediation-news .ws-message-ok");
    expect(await mp.textContent("#mediation-news")).to.contain("调解协议已发送各方签署");
    expect(await mp.getAttribute(`[data-signing-link="${lawyer.id}"]`, "href")).to.match(/\/sign\/#token=/);
    expect(await mp.textContent("#agreement-signers")).to.contain("待签署");
    expect(await mp.locator("#agreement-send, #mediation-fail").count()).to.equal(0);
    await mp.close();
    const contract = await json(await tp.api("GET", `/api/contracts/${drafted.contract.id}`, { token: mediator.token }), 200);
    expect(contract.status).to.equal("in_progress");
    // the parties see nothing to send
    const lp = await logIn(lawyer);
    await openRoom(lp, m.id);
    await lp.waitForSelector("#agreement-to-sign");
    expect(await lp.locator("#agreement-send").count()).to.equal(0);
    await lp.close();
  });

  it("a party outside the mediation does not see it: not in the list, and the room is not found", async () => {
    const page = await logIn(outsider);
    await page.click("[data-nav=mediations]");
    await page.waitForSelector("#mediations-table");
    expect(await page.locator("#mediations-table tr[data-mediation-id]").count()).to.equal(0);
    await page.goto(`${tp.url}/workspace/#/mediations/${agreedId}`);
    await page.waitForSelector('#view [role=alert] [data-error-code="not_found"]');
    // the language chosen in the previous test stays with the browser profile: either sentence
    expect(await page.textContent("#view [role=alert]")).to.match(/没有找到该调解|No such mediation, or you take no part in it/);
    expect(await page.locator(`[data-mediation-id="${agreedId}"]`).count()).to.equal(0);
    expect(await page.textContent("#view")).to.not.contain("甲公司诉乙公司");
    await page.close();
  });
});
