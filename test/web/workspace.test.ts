// The workspace pages (server/web/public/workspace/): their texts checked in Node, then each role's
// page driven in Chromium against a running platform: a judge opens a case and sees each evidence
// item's verification status, a lawyer uploads evidence with a progress bar, an enterprise user
// drafts a contract from a template, adds a signer and sends it; the language switch; an enterprise
// user voids contracts (a reason required, a confirmation step, a 409 said by its code); a judge
// opens a case through the form and closes it; and, on a second platform whose batches never close
// (so nothing anchors while it runs), the judge's "pending" state. A screenshot of each page goes to
// test-results/.
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { PDFDocument } from "pdf-lib";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { SHOTS, haveChromium, launchBrowser, type TestBrowser } from "../helpers/browser";
import { checkAccessibility } from "../helpers/page-checks";
import { verifyPdfSignatures } from "../../server/pdf/verify";
import { TEMPLATES as MAIL_TEMPLATES } from "../../server/notifications/templates";

const PUBLIC = path.join(__dirname, "../../server/web/public");
const PASSWORD = "user-password-1"; // what TestPlatform.createUser gives every user

// TypeScript compiles import() to require() under "module": "commonjs"; the page's modules are
// ES modules, so the real dynamic import is reached through Function.
const importEsm = new Function("url", "return import(url)") as (url: string) => Promise<any>;

type User = { id: string; email: string; token: string };

async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return text ? JSON.parse(text) : null;
}

describe("workspace pages", function () {
  this.timeout(120_000);

  it("every text key the pages name exists in Chinese and in English", async () => {
    const i18n = await importEsm(pathToFileURL(path.join(PUBLIC, "workspace-i18n.mjs")).href);
    const zh = Object.keys(i18n.MESSAGES.zh).sort();
    expect(Object.keys(i18n.MESSAGES.en).sort()).to.deep.equal(zh);
    const dir = path.join(PUBLIC, "workspace");
    const sources = fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), "utf8")).join("\n");
    // Every dotted string in the sources is a text key (file names aside).
    const named = new Set([...sources.matchAll(/"([a-z]+(?:\.[a-zA-Z_-]+)+)"/g)].map((m) => m[1]).filter((k) => !/\.(css|mjs|html)$/.test(k)));
    expect(named.size).to.be.greaterThan(100);
    const missing = [...named].filter((k) => !zh.includes(k));
    expect(missing, "keys used but not defined").to.deep.equal([]);
    // Keys built from values the server sends: every value has its text.
    const families: Record<string, string[]> = {
      "anchoring.": ["queued", "batched", "sent", "anchored"],
      "case.status.": ["open", "closed"],
      "party.": ["plaintiff", "defendant", "third-party"],
      "submission.": ["draft", "finalised"],
      "contract.status.": ["draft", "in_progress", "completed", "declined", "voided", "expired"],
      "signer.status.": ["pending", "signed", "declined"],
      "contract.event.": ["created", "sent", "opened", "code_issued", "invitation_reissued", "signed", "declined", "voided", "expired", "completed"],
      "role.": ["admin", "member", "lawyer", "judge", "clerk"],
      "nav.": ["contracts", "cases", "inbox", "organization", "organizations", "users", "certificates", "audit", "anchoring", "outbox"],
      "kind.": ["enterprise", "law_firm", "court"],
      "account.": ["active", "pending", "disabled"],
      "mail.status.": ["queued", "sending", "sent", "failed"],
      "mail.template.": [...MAIL_TEMPLATES],
      "cert.kind.": ["person", "organization", "root-ca", "issuing-ca", "tsa", "platform-seal"],
      "cert.reason.": ["unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded", "cessationOfOperation", "certificateHold", "privilegeWithdrawn"],
      "anchor.status.": ["closed", "sent", "anchored"],
      "opinion.": ["authenticity", "legality", "relevance", "accept", "dispute"],
      // error codes said in a sentence of their own (sayError), beyond the general one
      "error.code.": [
        "not_voidable",
        "case_closed",
        "invalid_member",
        "conflict_of_interest",
        "duplicate",
        "role_not_allowed",
        "last_admin",
        "link_used",
        "link_replaced",
        "link_expired",
        "account_disabled",
        "name_required",
        "code_by_email",
      ],
    };
    for (const [prefix, values] of Object.entries(families)) for (const v of values) expect(zh, prefix + v).to.include(prefix + v);
  });

  describe("in Chromium", () => {
    let tp: TestPlatform;
    let browser: TestBrowser;
    let judge: User, lawyerA: User, lawyerB: User, member: User, signer: User;
    let caseId: string;
    let caseNumber: string;
    let orgId: string;
    let partyA: string;
    const subs: any[] = [];
    /** Requests any page made beyond the server itself (none expected: no CDN, no fonts, nothing). */
    const offsite: string[] = [];
    const pageErrors: string[] = [];
    afterEach(() => {
      expect(offsite, "requests beyond the server").to.deep.equal([]);
      expect(pageErrors, "errors in the page").to.deep.equal([]);
    });
    let anchoredBundle: any;
    let lawyerBItem: any;

    const form = (fields: Record<string, string>, content: string | Buffer, name: string) => {
      const f = new FormData();
      for (const [k, v] of Object.entries(fields)) f.append(k, v);
      f.append("file", new Blob([typeof content === "string" ? content : new Uint8Array(content)]), name);
      return f;
    };
    const submit = async (by: User, title: string, content: string) =>
      json(await tp.api("POST", `/api/cases/${caseId}/submissions`, { token: by.token, body: form({ title, purpose: `证明${title}的内容` }, content, `${title}.txt`) }), 201);
    const finalise = async (by: User, sid: string) => json(await tp.api("POST", `/api/cases/${caseId}/submissions/${sid}/finalise`, { token: by.token }), 200);

    before(async function () {
      if (!haveChromium()) this.skip();
      tp = await startTestPlatform({ BATCH_MAX_AGE_MS: "200" });
      const org = await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "甲科技有限公司" } }), 201);
      orgId = org.id;
      [judge, lawyerA, lawyerB, member, signer] = await Promise.all([
        tp.createUser("judge"),
        tp.createUser("lawyer"),
        tp.createUser("lawyer"),
        tp.createUser("member", { organizationId: org.id }),
        tp.createUser("member"),
      ]);
      caseNumber = `(2026)闽0102民初${process.pid % 10000}号`;
      const c = await json(
        await tp.api("POST", "/api/cases", {
          token: judge.token,
          json: {
            number: caseNumber,
            court: "福州市鼓楼区人民法院",
            causeOfAction: "买卖合同纠纷",
            parties: [
              { name: "甲科技有限公司", kind: "plaintiff", members: [lawyerA.id] },
              { name: "乙贸易有限公司", kind: "defendant", members: [lawyerB.id] },
            ],
          },
        }),
        201,
      );
      caseId = c.id;
      partyA = c.parties[0].id;
      // Party A's lawyer: a finalised item and a draft; party B's lawyer: a finalised item and an
      // opinion on party A's.
      subs.push(await submit(lawyerA, "采购合同", "采购合同 purchase contract, 2026-03-01\n"));
      subs.push(await submit(lawyerA, "送货单", "送货单 delivery note no. 0042\n"));
      await finalise(lawyerA, subs[0].id);
      lawyerBItem = await submit(lawyerB, "付款记录", "付款记录 bank transfer record\n");
      await finalise(lawyerB, lawyerBItem.id);
      await json(
        await tp.api("PUT", `/api/cases/${caseId}/evidence/${subs[0].id}/opinion`, {
          token: lawyerB.token,
          json: { authenticity: { position: "accept" }, legality: { position: "accept" }, relevance: { position: "dispute", comment: "与付款争议无关" } },
        }),
        201,
      );
      await json(await tp.api("POST", `/api/cases/${caseId}/services`, { token: judge.token, body: form({ title: "传票", party: partyA }, "传票 summons: hearing on 2026-12-15\n", "summons.txt") }), 201);
      anchoredBundle = await tp.waitAnchored(lawyerA.token, subs[0].evidenceId);

      browser = await launchBrowser("workspace", { viewport: { width: 1280, height: 900 } });
    });

    after(async () => {
      await browser?.close();
      await tp?.stop();
    });

    /** A new tab (its own sessionStorage), logged in as the user through the form, by keyboard; on: the platform (the test's own by default). */
    async function logIn(user: User, on: TestPlatform = tp): Promise<Page> {
      const page = await browser.context.newPage();
      page.on("pageerror", (e) => pageErrors.push(String(e)));
      // A refused script, style or request (CSP) or a failed one is reported on the console.
      page.on("console", (m) => m.type() === "error" && pageErrors.push(m.text()));
      page.on("request", (r) => {
        if (!r.url().startsWith(on.url + "/") && !r.url().startsWith("blob:") && !r.url().startsWith("data:")) offsite.push(r.url());
      });
      await page.goto(on.url + "/workspace/");
      await page.waitForSelector("body[data-screen=login]");
      expect(await page.evaluate(() => document.activeElement?.id)).to.equal("login-email");
      await page.keyboard.type(user.email);
      await page.keyboard.press("Tab");
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press("Enter");
      await page.waitForSelector("body[data-screen=workspace]");
      await page.waitForSelector("#view[data-loaded]");
      return page;
    }

    const openCase = async (page: Page) => {
      await page.click(`a[href="#/cases/${caseId}"]`);
      await page.waitForSelector(`#view[data-loaded="cases/${caseId}"]`);
    };

    const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `workspace-${name}.png`), fullPage: true });

    it("a judge opens a case and sees each evidence item's status, live, with its certificate to download", async () => {
      const page = await logIn(judge);
      expect(await page.getAttribute("html", "lang")).to.equal("zh-CN");
      expect(await page.textContent("#cases-table")).to.contain(caseNumber);
      await openCase(page);
      // Every item of the case, each with its own verification status and a certificate button.
      const rowOf = (sid: string) => `#judge-evidence-table tr[data-evidence-id="${sid}"]`;
      await page.waitForSelector(`${rowOf(subs[0].id)}[data-status="anchored"]`);
      for (const sid of [subs[0].id, subs[1].id, lawyerBItem.id]) {
        await page.waitForSelector(`${rowOf(sid)}:is([data-status="anchored"], [data-status="pending"])`);
        expect(await page.locator(`${rowOf(sid)} button[data-action=certificate]`).count(), sid).to.equal(1);
      }
      expect(await page.locator("#judge-evidence-table tbody tr").count()).to.equal(3);
      const anchoredRow = page.locator(rowOf(subs[0].id));
      expect(await anchoredRow.textContent()).to.contain("已上链，核验通过").and.to.contain(anchoredBundle.anchor.txHash).and.to.contain("采购合同");
      expect(await anchoredRow.locator("td.ws-opinions").getAttribute("data-opinions")).to.equal("1");
      // An item submitted while the page is open shows up and is verified without a reload.
      const late = await submit(lawyerA, "聊天记录", "聊天记录 chat log exported 2026-03-05\n");
      await page.waitForSelector(`${rowOf(late.id)}[data-status="anchored"]`, { timeout: 30_000 });
      expect(await page.textContent("#verification-summary")).to.match(/共 4 项证据/);
      // The certificate: a PDF sealed by the platform, downloaded with the judge's token.
      const [download] = await Promise.all([page.waitForEvent("download"), anchoredRow.locator("button[data-action=certificate]").click()]);
      expect(download.suggestedFilename()).to.equal(`evidence-certificate-${subs[0].id}.pdf`);
      const pdf = fs.readFileSync(await download.path());
      expect(pdf.subarray(0, 5).toString()).to.equal("%PDF-");
      expect(verifyPdfSignatures(pdf, [tp.platform.identity.rootPem()])[0]).to.include({ integrityOk: true, chainOk: true });
      // Service: the summons served on party A, its recipient not having opened it yet.
      const services = await page.textContent("#services-table");
      expect(services).to.contain("传票").and.to.contain("甲科技有限公司").and.to.contain("尚未打开");
      // Serving a document through the form, with its upload progress.
      await page.fill("#serve-title", "举证通知书");
      await page.selectOption("#serve-party", partyA);
      await page.setInputFiles("#serve-file", { name: "notice.txt", mimeType: "text/plain", buffer: Buffer.from("举证通知书 notice to produce evidence\n") });
      await page.click("#serve-form button[type=submit]");
      await page.waitForSelector("#serve-progress[data-state=done]");
      await page.waitForFunction(() => document.getElementById("services-table")?.textContent?.includes("举证通知书"));
      expect(await page.textContent("#case-news")).to.contain("举证通知书");
      expect(await page.inputValue("#serve-title")).to.equal("");
      expect(await page.textContent("#services-table")).to.contain("notice.txt");
      await checkAccessibility(page);
      await shot(page, "judge");
      await page.close();
    });

    it("a lawyer uploads evidence with a progress bar, then sees it with the other side's evidence and opinions", async () => {
      const page = await logIn(lawyerA);
      await openCase(page);
      await page.waitForSelector(`#own-evidence-table tr[data-evidence-id="${subs[0].id}"]`);
      // The other side's finalised item, and its opinion on ours.
      expect(await page.textContent("#other-evidence-table")).to.contain("付款记录").and.to.contain("乙贸易有限公司");
      expect(await page.textContent(`#own-evidence-table tr[data-evidence-id="${subs[0].id}"]`)).to.contain("与付款争议无关").and.to.contain("有异议");

      const content = randomBytes(3 * 1024 * 1024);
      await page.fill("#sub-title", "监控录像");
      await page.fill("#sub-purpose", "证明货物已于 2026-03-02 送达");
      await page.setInputFiles("#sub-file", { name: "cctv.bin", mimeType: "application/octet-stream", buffer: content });
      const seen = page.evaluate(
        () =>
          new Promise<number[]>((resolve) => {
            const values: number[] = [];
            const bar = document.getElementById("upload-progress-bar") as HTMLProgressElement;
            new MutationObserver(() => {
              values.push(bar.value);
              if (document.getElementById("upload-progress")!.dataset.state === "done") resolve(values);
            }).observe(document.getElementById("upload-progress")!, { attributes: true, subtree: true, childList: true });
          }),
      );
      await page.click("#sub-submit");
      await page.waitForSelector("#upload-progress[data-state=done]");
      const values = await seen;
      expect(values.at(-1)).to.equal(1);
      expect(await page.evaluate(() => (document.getElementById("upload-progress-bar") as HTMLProgressElement).value)).to.equal(1);
      expect(await page.textContent("#upload-progress")).to.contain("上传完成");
      // The new item, a draft, in our list.
      const newRow = page.locator("#own-evidence-table tr", { hasText: "监控录像" });
      await newRow.waitFor();
      expect(await newRow.getAttribute("data-submission-status")).to.equal("draft");
      const items = (await json(await tp.api("GET", `/api/cases/${caseId}/evidence`, { token: lawyerA.token }), 200)).items;
      expect(items.find((x: any) => x.title === "监控录像")).to.include({ size: content.length, fileName: "cctv.bin", status: "draft" });

      // An opinion on the other side's item, given through the page.
      await page.click(`#other-evidence-table tr[data-evidence-id="${lawyerBItem.id}"] button.primary`);
      await page.waitForSelector("#opinion-form");
      await page.check("#op-authenticity-dispute");
      await page.fill("#op-authenticity-comment", "银行回单未加盖印章");
      await page.click("#opinion-form button[type=submit]");
      await page.waitForSelector("#opinion-panel", { state: "hidden" });
      await page.waitForFunction((sid) => document.querySelector(`#other-evidence-table tr[data-evidence-id="${sid}"]`)?.textContent?.includes("银行回单未加盖印章"), lawyerBItem.id);
      const detail = await json(await tp.api("GET", `/api/cases/${caseId}/evidence/${lawyerBItem.id}`, { token: lawyerB.token }), 200);
      expect(detail.opinions[0].authenticity).to.deep.equal({ position: "dispute", comment: "银行回单未加盖印章" });
      await checkAccessibility(page);
      await shot(page, "lawyer");
      // The documents served on the party: the summons, with its file, not yet opened.
      await page.click("[data-nav=inbox]");
      await page.waitForSelector('#view[data-loaded="inbox"]');
      const summons = page.locator("#inbox-table tr[data-delivery-id]", { hasText: "传票" });
      expect(await summons.textContent()).to.contain(caseNumber).and.to.contain("summons.txt").and.to.contain("尚未打开");
      await page.close();
    });

    it("an enterprise user drafts a contract from a template, adds a signer, sends it and gets the link and the one-time code", async () => {
      const page = await logIn(member);
      expect(await page.getAttribute("[data-nav=contracts]", "aria-current")).to.equal("page");
      await page.fill("#contract-title", "2026年度运维服务合同");
      expect(await page.inputValue("#contract-template")).to.equal("service-agreement");
      await page.fill("#tf-partyA-name", "甲科技有限公司");
      await page.fill("#tf-partyA-credit", "91350100MA2Y000001");
      await page.fill("#tf-partyB-name", "乙贸易有限公司");
      await page.fill("#tf-service", "信息系统运维服务");
      await page.fill("#tf-amount", "128000.50");
      await page.fill("#tf-startDate", "2026-12-01");
      await page.fill("#tf-endDate", "2027-11-30");
      await page.fill("#tf-clauses", "任何一方违约的，应承担违约责任。\n争议提交福州仲裁委员会仲裁。");
      await page.click("#add-signer");
      await page.fill("[data-signer-row] input[name=signer-email]", signer.email);
      await page.fill("[data-signer-row] input[name=signer-role]", "乙方");
      // this signer gets the code from the sender (out of band): the page shows it to the sender
      await page.check("[data-signer-row] input[name=signer-oob]");
      await page.click("#create-contract");
      const row = page.locator("#contracts-table tr[data-contract-id]", { hasText: "2026年度运维服务合同" });
      await row.waitFor();
      expect(await row.getAttribute("data-status")).to.equal("draft");
      expect(await row.textContent()).to.contain("草稿");
      const contractId = (await row.getAttribute("data-contract-id"))!;
      const drafted = await json(await tp.api("GET", `/api/contracts/${contractId}`, { token: member.token }), 200);
      expect(drafted.fieldValues).to.deep.include({ amount: { value: "128000.50", currency: "CNY" }, clauses: ["任何一方违约的，应承担违约责任。", "争议提交福州仲裁委员会仲裁。"] });
      expect(drafted.signers.map((s: any) => [s.userId, s.step, s.role])).to.deep.equal([[signer.id, 1, "乙方"]]);

      // Sending says who is mailed and asks the deadline and the reminders (both optional here).
      await row.locator("button[data-action=send]").click();
      await page.waitForSelector("#send-step", { state: "visible" });
      expect(await page.evaluate(() => document.activeElement?.id)).to.equal("send-step-title");
      await page.fill("#send-days", "400");
      await page.click("#send-step-confirm");
      expect(await page.textContent("#send-step-errors")).to.contain("1 到 365");
      await page.fill("#send-days", "30");
      await page.click("#send-step-confirm");
      await page.waitForSelector(`#contracts-table tr[data-contract-id="${contractId}"][data-status="in_progress"]`);
      const details = page.locator(`#contract-details-${contractId}`);
      const link = (await details.locator("[data-invitation-link]").getAttribute("href"))!;
      const token = /sgn_[A-Za-z0-9_-]{43}/.exec(link)?.[0];
      expect(token, link).to.be.a("string");
      await details.locator("tr[data-signer-id] button.primary").click();
      const code = (await page.waitForSelector(`#contract-details-${contractId} [data-code]`)).textContent();
      expect(await code).to.match(/^\d{6}$/);
      expect(await page.textContent(`#contracts-table tr[data-contract-id="${contractId}"]`)).to.contain("签署中");
      await checkAccessibility(page);
      await shot(page, "enterprise");

      // A draft from an uploaded PDF, with its upload progress.
      const doc = await PDFDocument.create();
      doc.addPage([595, 842]).drawText("Purchase order 2026-07", { x: 60, y: 760, size: 18 });
      await page.check("#origin-upload");
      expect(await page.isVisible("#tf-partyA-name")).to.equal(false);
      await page.fill("#contract-title", "采购订单");
      await page.setInputFiles("#contract-file", { name: "order.pdf", mimeType: "application/pdf", buffer: Buffer.from(await doc.save()) });
      await page.click("#add-signer");
      await page.fill("[data-signer-row] input[name=signer-email]", signer.email);
      await page.click("#create-contract");
      await page.waitForSelector("#contract-upload-progress[data-state=done]");
      const uploaded = page.locator("#contracts-table tr[data-contract-id]", { hasText: "采购订单" });
      await uploaded.waitFor();
      expect(await uploaded.getAttribute("data-status")).to.equal("draft");
      expect(await uploaded.textContent()).to.contain("上传的 PDF");

      // The link and the code are the real ones: the signer signs with them.
      const signed = await json(await tp.api("POST", `/api/sign/${token}/sign`, { token: signer.token, json: { code: await code } }), 200);
      expect(signed.contract.status).to.equal("completed");
      await page.close();
    });

    it("the language switch turns the page to English (labels, statuses, the lang attribute) and back", async () => {
      const page = await logIn(member);
      await page.waitForSelector("#contracts-table tr[data-contract-id]");
      expect(await page.textContent("#contracts-title")).to.equal("合同");
      expect(await page.textContent("label[for=contract-title]")).to.contain("合同名称");
      await page.click(".lang-button[data-lang=en]");
      expect(await page.getAttribute("html", "lang")).to.equal("en");
      expect(await page.getAttribute(".lang-button[data-lang=en]", "aria-pressed")).to.equal("true");
      expect(await page.textContent("#contracts-title")).to.equal("Contracts");
      expect(await page.textContent("label[for=contract-title]")).to.contain("Title").and.not.to.contain("合同名称");
      expect(await page.textContent("[data-nav=cases]")).to.equal("Cases");
      expect(await page.textContent("#contracts-table")).to.contain("Completed");
      // Template field labels come from the server in both languages.
      expect(await page.textContent("[data-field=amount] label")).to.contain("Contract price");
      expect(await page.title()).to.equal("Workspace · Evidence platform");
      await shot(page, "enterprise-en");
      // The choice is remembered for the next visit; back to Chinese.
      await page.reload();
      await page.waitForSelector("#view[data-loaded]");
      expect(await page.getAttribute("html", "lang")).to.equal("en");
      await page.click(".lang-button[data-lang=zh]");
      expect(await page.getAttribute("html", "lang")).to.equal("zh-CN");
      expect(await page.textContent("#contracts-title")).to.equal("合同");
      // Logging out ends the session on the server too, and leaves the login form.
      const token = await page.evaluate(() => sessionStorage.getItem("evidence-workspace.token"));
      await page.click("#logout");
      await page.waitForSelector("body[data-screen=login]");
      expect(await page.textContent("#login-message")).to.contain("您已退出登录");
      expect(await page.evaluate(() => sessionStorage.getItem("evidence-workspace.token"))).to.equal(null);
      expect((await tp.api("GET", "/api/auth/me", { token: token! })).status).to.equal(401);
      await checkAccessibility(page);
      await shot(page, "login");
      await page.close();
    });

    /**
     * Runs step, then takes out of pageErrors the console lines Chromium writes for the refused
     * requests the step provokes on purpose (one per status given), and only those.
     */
    async function expectingRefusals<T>(statuses: number[], step: () => Promise<T>): Promise<T> {
      const before = pageErrors.length;
      const result = await step();
      const added = pageErrors.splice(before);
      for (const status of statuses) {
        const i = added.findIndex((line) => line.includes(`status of ${status}`));
        expect(i, `a refused request (${status}) in ${JSON.stringify(added)}`).to.be.at.least(0);
        added.splice(i, 1);
      }
      pageErrors.push(...added);
      return result;
    }

    it("an enterprise user voids a draft and a contract in progress, each with its reason (required), after a confirmation step", async () => {
      const NDA = { partyA: { name: "甲科技有限公司" }, partyB: { name: "乙贸易有限公司" }, purpose: "评估合作项目", effectiveDate: "2026-12-01", term: "三年" };
      const draft = async (title: string) =>
        json(await tp.api("POST", "/api/contracts", { token: member.token, json: { title, template: { id: "nda", fields: NDA }, signers: [{ userId: signer.id, step: 1 }] } }), 201);
      const send = async (id: string) => json(await tp.api("POST", `/api/contracts/${id}/send`, { token: member.token, json: {} }), 200);
      const status = async (id: string) => (await json(await tp.api("GET", `/api/contracts/${id}`, { token: member.token }), 200)).status;
      const drafted = await draft("保密协议（草稿，待作废）");
      const running = await draft("保密协议（签署中，待作废）");
      const runningSent = await send(running.id);
      const declining = await draft("保密协议（将被拒签）");
      const decliningSent = await send(declining.id);

      const page = await logIn(member);
      const rowOf = (id: string) => `#contracts-table tr[data-contract-id="${id}"]`;
      await page.waitForSelector(rowOf(drafted.id));
      // Only the sender's draft or contract in progress can be voided: the completed one cannot.
      for (const id of [drafted.id, running.id, declining.id]) expect(await page.locator(`${rowOf(id)} button[data-action=void]`).count(), id).to.equal(1);
      expect(await page.locator('#contracts-table tr[data-status="completed"] button[data-action=void]').count()).to.equal(0);
      expect(await page.isVisible("#void-step")).to.equal(false);

      // The step says what voiding does, and asks for the reason; without one nothing is sent.
      await page.click(`${rowOf(drafted.id)} button[data-action=void]`);
      await page.waitForSelector("#void-step", { state: "visible" });
      expect(await page.evaluate(() => document.activeElement?.id)).to.equal("void-step-title");
      expect(await page.textContent("#void-step-title")).to.contain("保密协议（草稿，待作废）");
      expect(await page.textContent("#void-step")).to.contain("不能恢复");
      expect(await page.textContent("label[for=void-reason]")).to.contain("作废理由").and.to.contain("必填");
      await page.click("#void-step-confirm");
      await page.waitForSelector("#void-step-errors .ws-message-bad");
      expect(await page.textContent("#void-step-errors")).to.contain("请填写作废理由");
      expect(await page.getAttribute("#void-reason", "aria-invalid")).to.equal("true");
      expect(await page.evaluate(() => document.activeElement?.id)).to.equal("void-reason");
      await page.fill("#void-reason", "   ");
      await page.click("#void-step-confirm");
      expect(await page.textContent("#void-step-errors")).to.contain("请填写作废理由");
      expect(await status(drafted.id)).to.equal("draft");
      await checkAccessibility(page);
      await shot(page, "void");
      // Cancel: nothing happens, and the keyboard is back on the row's button.
      await page.click("#void-step-cancel");
      expect(await page.isVisible("#void-step")).to.equal(false);
      expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.focusKey)).to.equal(`void:${drafted.id}`);
      expect(await status(drafted.id)).to.equal("draft");

      // With a reason: voided, the reason shown in the list and kept in the contract's event log.
      await page.click(`${rowOf(drafted.id)} button[data-action=void]`);
      expect(await page.inputValue("#void-reason")).to.equal("");
      await page.fill("#void-reason", "起草有误，重新起草");
      await page.click("#void-step-confirm");
      await page.waitForSelector(`${rowOf(drafted.id)}[data-status="voided"]`);
      expect(await page.isVisible("#void-step")).to.equal(false);
      expect(await page.textContent("#contract-news")).to.contain("已作废");
      expect(await page.textContent(rowOf(drafted.id))).to.contain("已作废").and.to.contain("起草有误，重新起草");
      expect(await page.locator(`${rowOf(drafted.id)} button[data-action=void]`).count()).to.equal(0);
      const voidedDraft = await json(await tp.api("GET", `/api/contracts/${drafted.id}`, { token: member.token }), 200);
      expect(voidedDraft).to.include({ status: "voided", endReason: "起草有误，重新起草" });
      expect(voidedDraft.events.at(-1)).to.deep.include({ action: "voided", actorId: member.id, fromStatus: "draft", toStatus: "voided", details: { reason: "起草有误，重新起草" } });

      // A contract in progress: voided the same way; its signer's link stops working.
      await page.click(`${rowOf(running.id)} button[data-action=void]`);
      await page.fill("#void-reason", "交易取消");
      await page.click("#void-step-confirm");
      await page.waitForSelector(`${rowOf(running.id)}[data-status="voided"]`);
      const link = new URL(runningSent.invitations[0].url).pathname;
      expect((await json(await tp.api("GET", link, { token: signer.token }), 410)).error.code).to.equal("contract_voided");
      expect(await status(running.id)).to.equal("voided");

      // The signer declines while the step is open: the server's 409 is said by its code, and the
      // list shows the contract as it now is (declined, no void button).
      await page.click(`${rowOf(declining.id)} button[data-action=void]`);
      await page.fill("#void-reason", "对方迟迟未签");
      await json(await tp.api("POST", `${new URL(decliningSent.invitations[0].url).pathname}/decline`, { token: signer.token, json: { reason: "条款需要修改" } }), 200);
      await expectingRefusals([409], async () => {
        await page.click("#void-step-confirm");
        await page.waitForSelector('#void-step-errors [data-error-code="not_voidable"]');
      });
      expect(await page.textContent("#void-step-errors")).to.contain("该合同已不能作废").and.to.contain("not_voidable");
      await page.waitForSelector(`${rowOf(declining.id)}[data-status="declined"]`);
      expect(await page.locator(`${rowOf(declining.id)} button[data-action=void]`).count()).to.equal(0);
      expect(await page.textContent(rowOf(declining.id))).to.contain("条款需要修改");
      expect(await status(declining.id)).to.equal("declined");
      await page.click("#void-step-cancel");
      // In English too.
      await page.click(".lang-button[data-lang=en]");
      expect(await page.textContent(`${rowOf(drafted.id)} button[data-action=details]`)).to.equal("Details");
      expect(await page.textContent(rowOf(drafted.id))).to.contain("Voided").and.to.contain("Reason");
      await page.click(".lang-button[data-lang=zh]");
      await page.close();
    });

    it("a judge opens a case through the form, opens it from the list, and closes it after a confirmation step", async () => {
      const page = await logIn(judge);
      await page.waitForSelector("#new-case-form");
      // Checked in the page first: every required field, ids, a plaintiff and a defendant.
      await page.click("#open-case");
      expect(await page.textContent("#new-case-errors")).to.contain("请填写此项");
      expect(await page.evaluate(() => document.activeElement?.id)).to.equal("case-number");
      // A number already taken: the server's 409 duplicate, said by its code.
      await page.fill("#case-number", caseNumber);
      await page.fill("#case-court", "福州市鼓楼区人民法院");
      await page.fill("#case-cause", "服务合同纠纷");
      const rows = page.locator("#party-rows [data-party-row]");
      expect(await rows.count()).to.equal(2);
      expect(await rows.nth(0).locator("select[name=party-kind]").inputValue()).to.equal("plaintiff");
      expect(await rows.nth(1).locator("select[name=party-kind]").inputValue()).to.equal("defendant");
      // The party's organisation and its representatives are picked from the directory.
      const pick = async (input: ReturnType<Page["locator"]>, query: string, text: string) => {
        await input.fill(query);
        const listbox = `#${await input.getAttribute("aria-controls")}`;
        const option = page.locator(`${listbox} [role=option]`, { hasText: text });
        await option.first().waitFor();
        await option.first().click();
      };
      await pick(rows.nth(0).locator("input[name=party-org]"), "甲科技", "甲科技有限公司");
      expect(await rows.nth(0).locator("input[name=party-name]").inputValue()).to.equal("甲科技有限公司");
      await pick(rows.nth(0).locator("input[name=party-rep]"), lawyerA.email, lawyerA.email);
      // A member of the party's organisation is offered too (keyboard: arrow down, Enter).
      const rep = rows.nth(0).locator("input[name=party-rep]");
      await rep.fill(member.email);
      await page.locator(`#${await rep.getAttribute("aria-controls")} [role=option]`).first().waitFor();
      await rep.press("ArrowDown");
      expect(await rep.getAttribute("aria-activedescendant")).to.be.a("string");
      await rep.press("Enter");
      expect(await rows.nth(0).locator(".ws-chips").textContent()).to.contain(lawyerA.email).and.to.contain(member.email);
      await rows.nth(1).locator("input[name=party-name]").fill("丙物流有限公司");
      await pick(rows.nth(1).locator("input[name=party-rep]"), lawyerB.email, lawyerB.email);
      await page.click("#add-party");
      expect(await rows.count()).to.equal(3);
      expect(await rows.nth(2).locator("select[name=party-kind]").inputValue()).to.equal("third-party");
      await rows.nth(2).locator("input[name=party-name]").fill("丁仓储有限公司");
      // An organisation typed but not chosen from the results is not guessed at.
      await rows.nth(2).locator("input[name=party-org]").fill("丁仓储");
      await page.click("#open-case");
      expect(await page.textContent("#new-case-errors")).to.contain("请从查找结果中选择机构");
      await rows.nth(2).locator("input[name=party-org]").fill("");
      await rows.nth(1).locator("select[name=party-kind]").selectOption("third-party");
      await page.click("#open-case");
      expect(await page.textContent("#new-case-errors")).to.contain("至少需要一名原告和一名被告");
      await rows.nth(1).locator("select[name=party-kind]").selectOption("defendant");
      await expectingRefusals([409], async () => {
        await page.click("#open-case");
        await page.waitForSelector('#new-case-errors [data-error-code="duplicate"]');
      });
      expect(await page.textContent("#new-case-errors")).to.contain("已有相同案号的案件");
      // Full-width brackets and a space: the server keeps the canonical number.
      await page.fill("#case-number", "（2026）闽0102民初 4711号");
      await checkAccessibility(page);
      await shot(page, "judge-new-case");
      await page.click("#open-case");
      const number = "(2026)闽0102民初4711号";
      const row = page.locator("#cases-table tr[data-case-id]", { hasText: number });
      await row.waitFor();
      expect(await page.textContent("#cases-news")).to.contain(number);
      expect(await page.inputValue("#case-number")).to.equal("");
      expect(await rows.count()).to.equal(2);
      expect(await row.getAttribute("data-status")).to.equal("open");
      expect(await page.evaluate(() => document.activeElement?.textContent)).to.equal(number);
      const newId = (await row.getAttribute("data-case-id"))!;
      const opened = await json(await tp.api("GET", `/api/cases/${newId}`, { token: judge.token }), 200);
      expect(opened).to.include({ number, court: "福州市鼓楼区人民法院", causeOfAction: "服务合同纠纷", status: "open" });
      expect(opened.judges.map((j: any) => j.id)).to.deep.equal([judge.id]);
      expect(opened.parties.map((p: any) => [p.name, p.kind, p.organizationId, p.members.map((m: any) => m.id)])).to.deep.equal([
        ["甲科技有限公司", "plaintiff", orgId, [lawyerA.id, member.id]],
        ["丙物流有限公司", "defendant", null, [lawyerB.id]],
        ["丁仓储有限公司", "third-party", null, []],
      ]);
      expect((await json(await tp.api("GET", "/api/cases", { token: lawyerA.token }), 200)).items.map((c: any) => c.id)).to.include(newId);

      // Opened from the list: the judge's view of it, with serving and closing.
      await row.locator("a").click();
      await page.waitForSelector(`#view[data-loaded="cases/${newId}"]`);
      expect(await page.textContent("#case-title")).to.equal(number);
      expect(await page.textContent("#case-header")).to.contain("审理中").and.to.contain("丁仓储有限公司").and.to.contain("第三人");
      expect(await page.isVisible("#serve-form")).to.equal(true);
      expect(await page.isVisible("#close-step")).to.equal(false);
      // Closing: a confirmation step first; cancelling it changes nothing.
      await page.click("#close-case");
      await page.waitForSelector("#close-step", { state: "visible" });
      expect(await page.isVisible("#close-case")).to.equal(false);
      expect(await page.evaluate(() => document.activeElement?.id)).to.equal("close-step-title");
      expect(await page.textContent("#close-step-title")).to.contain(number);
      await page.click("#close-step-cancel");
      expect(await page.isVisible("#close-step")).to.equal(false);
      expect(await page.evaluate(() => document.activeElement?.id)).to.equal("close-case");
      expect((await json(await tp.api("GET", `/api/cases/${newId}`, { token: judge.token }), 200)).status).to.equal("open");
      await page.click("#close-case");
      await page.click("#close-step-confirm");
      await page.waitForSelector("#case-closed-note");
      expect(await page.textContent("#case-news")).to.contain(`案件 ${number} 已结案`);
      expect(await page.textContent("#case-header")).to.contain("已结案").and.to.contain("结案时间");
      // What a closed case refuses is gone from the page: serving, closing.
      expect(await page.locator("#serve-form").count()).to.equal(0);
      expect(await page.locator("#close-section").count()).to.equal(0);
      expect(await page.evaluate(() => document.activeElement?.id)).to.equal("case-title");
      const closed = await json(await tp.api("GET", `/api/cases/${newId}`, { token: judge.token }), 200);
      expect(closed.status).to.equal("closed");
      expect(Date.parse(closed.closedAt)).to.be.closeTo(Date.now(), 60_000);
      const late = await tp.api("POST", `/api/cases/${newId}/submissions`, { token: lawyerA.token, body: form({ title: "迟交的证据", purpose: "证明迟交" }, "late\n", "late.txt") });
      expect((await json(late, 409)).error.code).to.equal("case_closed");
      await checkAccessibility(page);
      await shot(page, "judge-closed");
      // The list says it is closed; the lawyer's view of it has no submission form.
      await page.click("[data-nav=cases]");
      await page.waitForSelector(`#cases-table tr[data-case-id="${newId}"][data-status="closed"]`);
      // The judge reads the audit log too: the closing is there, under the judge's name.
      await page.click("[data-nav=audit]");
      const closing = page.locator('#audit-table tr[data-action="case.closed"]').first();
      await closing.waitFor();
      const judgeName = (await json(await tp.api("GET", "/api/auth/me", { token: judge.token }), 200)).name as string;
      expect(await closing.locator("td").nth(2).textContent()).to.equal(judgeName + judge.id);
      expect(await closing.textContent()).to.contain(newId);
      await page.close();
      const lawyerPage = await logIn(lawyerA);
      await lawyerPage.click(`a[href="#/cases/${newId}"]`);
      await lawyerPage.waitForSelector(`#view[data-loaded="cases/${newId}"]`);
      expect(await lawyerPage.textContent("section[aria-labelledby=case-title]")).to.contain("已结案");
      expect(await lawyerPage.isVisible("#case-closed-note")).to.equal(true);
      expect(await lawyerPage.locator("#submit-form").count()).to.equal(0);
      await lawyerPage.close();
    });

    describe("with anchoring held back", () => {
      // A second platform whose batches close only after a day or a million items: nothing it takes
      // in is anchored while this test runs, so "pending" is a certainty, not a race.
      let held: TestPlatform;
      let heldJudge: User, heldLawyer: User, heldOther: User;
      let heldCase: any;
      let queuedItem: any;
      let queuedDraft: any;

      before(async function () {
        if (!haveChromium()) this.skip();
        held = await startTestPlatform({ BATCH_MAX_AGE_MS: String(24 * 3600 * 1000), BATCH_MAX_ITEMS: "1000000" });
        [heldJudge, heldLawyer, heldOther] = await Promise.all([held.createUser("judge"), held.createUser("lawyer"), held.createUser("lawyer")]);
        heldCase = await json(
          await held.api("POST", "/api/cases", {
            token: heldJudge.token,
            json: {
              number: "(2026)闽0102民初9001号",
              court: "福州市鼓楼区人民法院",
              causeOfAction: "借款合同纠纷",
              parties: [
                { name: "甲", kind: "plaintiff", members: [heldLawyer.id] },
                { name: "乙", kind: "defendant", members: [heldOther.id] },
              ],
            },
          }),
          201,
        );
        const body = (title: string) => form({ title, purpose: `证明${title}` }, `${title} ${randomBytes(8).toString("hex")}\n`, `${title}.txt`);
        queuedItem = await json(await held.api("POST", `/api/cases/${heldCase.id}/submissions`, { token: heldLawyer.token, body: body("借条") }), 201);
        await json(await held.api("POST", `/api/cases/${heldCase.id}/submissions/${queuedItem.id}/finalise`, { token: heldLawyer.token }), 200);
        queuedDraft = await json(await held.api("POST", `/api/cases/${heldCase.id}/submissions`, { token: heldLawyer.token, body: body("转账记录") }), 201);
      });

      after(async () => {
        await held?.stop();
      });

      it("the judge sees an item not yet anchored as pending (queued), with its certificate not yet offered; a close that lost a race is said by its code", async () => {
        const page = await logIn(heldJudge, held);
        await page.click(`a[href="#/cases/${heldCase.id}"]`);
        await page.waitForSelector(`#view[data-loaded="cases/${heldCase.id}"]`);
        const rowOf = (sid: string) => `#judge-evidence-table tr[data-evidence-id="${sid}"]`;
        for (const sid of [queuedItem.id, queuedDraft.id]) {
          await page.waitForSelector(`${rowOf(sid)}[data-status="pending"]`);
          const row = page.locator(rowOf(sid));
          expect(await row.locator("td.ws-verification .ws-status").getAttribute("data-state")).to.equal("wait");
          expect(await row.locator("td.ws-verification").textContent()).to.contain("待上链：排队中").and.not.to.contain("核验通过");
          expect(await row.locator("button[data-action=certificate]").isDisabled()).to.equal(true);
          expect(await row.locator("button[data-action=certificate]").getAttribute("aria-describedby")).to.equal("cert-hint");
        }
        expect(await page.textContent("#verification-summary")).to.equal("共 2 项证据：0 项已上链并核验通过，2 项待上链，0 项核验未通过。");
        // The server says the same: queued, not verified, no bundle, and no certificate yet (409).
        for (const sid of [queuedItem.id, queuedDraft.id]) {
          const v = await json(await held.api("GET", `/api/cases/${heldCase.id}/evidence/${sid}/verification`, { token: heldJudge.token }), 200);
          expect(v).to.include({ status: "queued", verified: false, bundle: null });
          expect((await json(await held.api("GET", `/api/cases/${heldCase.id}/evidence/${sid}/certificate`, { token: heldJudge.token }), 409)).error.code).to.equal("not_anchored");
        }
        // Still pending after the page's next refresh (nothing anchors on this platform).
        const checkedAt = await page.textContent(`${rowOf(queuedItem.id)} td.ws-verification .hint`);
        await page.waitForFunction(
          ([sel, before]) => document.querySelector(sel)?.textContent !== before,
          [`${rowOf(queuedItem.id)} td.ws-verification .hint`, checkedAt] as const,
          { timeout: 15_000 },
        );
        expect(await page.getAttribute(rowOf(queuedItem.id), "data-status")).to.equal("pending");
        await checkAccessibility(page);
        await shot(page, "judge-pending");
        // In English: "Pending: queued" (the status word follows the switch too).
        await page.click(".lang-button[data-lang=en]");
        expect(await page.locator(`${rowOf(queuedItem.id)} td.ws-verification`).textContent()).to.contain("Pending: queued");
        await page.click(".lang-button[data-lang=zh]");
        // Closed behind the page's back while its close step is open: the 409 is said by its code,
        // and the page shows the case closed, without serving or closing.
        await page.click("#close-case");
        await json(await held.api("POST", `/api/cases/${heldCase.id}/close`, { token: heldJudge.token }), 200);
        await expectingRefusals([409], async () => {
          await page.click("#close-step-confirm");
          await page.waitForSelector('#case-errors [data-error-code="case_closed"]');
        });
        expect(await page.textContent("#case-errors")).to.contain("该案件已结案");
        await page.waitForSelector("#case-closed-note");
        expect(await page.locator("#serve-form, #close-section").count()).to.equal(0);
        await page.close();
        // The party's own list says "pending" too; on the closed case a draft is no longer offered
        // for submitting (finalising) or withdrawing, and there is no submission form.
        const lawyerPage = await logIn(heldLawyer, held);
        await lawyerPage.click(`a[href="#/cases/${heldCase.id}"]`);
        await lawyerPage.waitForSelector(`#own-evidence-table tr[data-evidence-id="${queuedItem.id}"][data-anchoring="queued"]`);
        expect(await lawyerPage.textContent(`#own-evidence-table tr[data-evidence-id="${queuedItem.id}"]`)).to.contain("待上链（排队中）");
        expect(await lawyerPage.locator(`#own-evidence-table tr[data-evidence-id="${queuedItem.id}"] button[data-action=certificate]`).count()).to.equal(0);
        const draftRow = lawyerPage.locator(`#own-evidence-table tr[data-evidence-id="${queuedDraft.id}"]`);
        expect(await draftRow.getAttribute("data-submission-status")).to.equal("draft");
        expect(await draftRow.locator("button").allTextContents()).to.deep.equal(["下载文件"]);
        expect(await lawyerPage.locator("#submit-form").count()).to.equal(0);
        await lawyerPage.close();
      });
    });
  });
});
