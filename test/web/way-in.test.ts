// The way in, walked in Chromium as people would, on the platform started as `npm start` starts it
// (scripts/start.js with no configuration but DATA_DIR and PORT, so no SMTP_URL: every mail is an
// .eml file under DATA_DIR/outbox, read as a mail client would). The administrator reads the
// generated password, logs in and creates a law firm, a court and an enterprise from the console,
// each with its first administrator; each administrator follows their e-mailed link, sets a
// password and invites a member (a lawyer, a judge, an enterprise member), who does the same. The
// enterprise member drafts a contract for a signer who has no account and sends it; the signer
// follows the e-mailed invitation, sets a password, lands on the signing page signed in, asks for
// the code, reads it from their mail and signs; the sender is mailed the completion. The judge opens
// a case choosing the parties' organisation and the lawyer from the directory, and serves a
// document on the lawyer's party; the lawyer's mail links to the inbox (not to the document), where
// the lawyer opens it. A screenshot of each page goes to test-results/.
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Download, Page } from "playwright-core";
import { ROOT } from "../helpers/cli";
import { freePort } from "../helpers/hardhat-node";
import { databaseForTest } from "../helpers/database";
import { SHOTS, haveChromium, launchBrowser, type TestBrowser } from "../helpers/browser";
import { codeIn, linkIn, waitForMail, type ReceivedMail } from "../helpers/outbox-mail";
import { checkAccessibility } from "../helpers/page-checks";

const WELCOME = "/workspace/#/welcome/";
const run = `${process.pid % 10000}`;
const person = (role: string, name: string) => ({ email: `${role}-${run}@example.com`, name, password: `${role}-password-${run}` });

describe("the way in: console, invitations by mail, directory, notifications (npm start, Chromium)", function () {
  this.timeout(110_000);

  const lawFirm = { name: "明理律师事务所", kind: "law_firm", admin: person("firm-admin", "周主任") };
  const court = { name: "福州市鼓楼区人民法院", kind: "court", admin: person("court-admin", "吴庭长") };
  const enterprise = { name: "甲科技有限公司", kind: "enterprise", admin: person("ent-admin", "郑经理") };
  const lawyer = person("lawyer", "钱律师");
  const judge = person("judge", "孙法官");
  const member = person("member", "李专员");
  const signer = person("signer", "王五");
  const defendantLawyer = person("other-lawyer", "赵律师");
  const contractTitle = "2026年度运维服务合同";
  const caseNumber = `(2026)闽0102民初${run}号`;
  const served = { title: "传票", file: "summons.txt", content: `传票 summons ${run}: hearing on 2026-12-15\n` };

  let child: ChildProcess;
  let output = "";
  let url = "";
  let dataDir = "";
  let dropDatabase: () => Promise<void> = async () => undefined;
  let browser: TestBrowser;
  const pages: Record<string, Page> = {};
  const pageErrors: string[] = [];
  const offsite: string[] = [];

  before(async function () {
    if (!haveChromium()) this.skip();
    const port = await freePort();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "evidence-way-in-"));
    const database = await databaseForTest();
    dropDatabase = database.drop;
    // Nothing of the developer's environment reaches the platform's configuration: only what a
    // bare `npm start` has, DATA_DIR and PORT, and faster batching and mail polling.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: dataDir,
      PORT: String(port),
      BATCH_MAX_AGE_MS: "200",
      ANCHOR_POLL_MS: "50",
      MAIL_POLL_MS: "50",
      LOG_LEVEL: "warn",
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    };
    child = spawn(process.execPath, ["scripts/start.js"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`exited during start:\n${output}`);
      if (await fetch(`${url}/api/health`).then((r) => r.ok, () => false)) break;
      if (i > 600) throw new Error(`did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    browser = await launchBrowser("way-in", { viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    await dropDatabase();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(output.slice(-4000));
    expect(offsite, "requests beyond the server").to.deep.equal([]);
    expect(pageErrors, "errors in the pages").to.deep.equal([]);
  });

  /** A new tab: its own sessionStorage, as someone opening a link from their mail. */
  async function tab(name: string, address: string): Promise<Page> {
    const page = await browser.context.newPage();
    page.on("pageerror", (e) => pageErrors.push(`${name}: ${e}`));
    page.on("console", (m) => {
      // Refused requests the walk provokes on purpose are filtered by expectRefusal.
      if (m.type() === "error") pageErrors.push(`${name}: ${m.text()}`);
    });
    // The browser's own PDF viewer loads its parts from the browser itself: only the network counts.
    page.on("request", (r) => {
      if (/^(https?|wss?):/.test(r.url()) && !r.url().startsWith(url + "/")) offsite.push(r.url());
    });
    await page.goto(address);
    pages[name] = page;
    return page;
  }

  /** Runs step, then takes out of pageErrors the console lines of the refused requests (by status) it provokes on purpose. */
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

  /** Every page shown is checked (labels, contrast) before its screenshot. */
  async function shot(page: Page, name: string) {
    await checkAccessibility(page);
    await page.screenshot({ path: path.join(SHOTS, `way-in-${name}.png`), fullPage: true });
  }
  const mailTo = (to: string, subject: RegExp): Promise<ReceivedMail> => waitForMail(dataDir, to, subject).then((m) => m.at(-1)!);
  /** The e-mailed link, on this test's server (the mail names the platform's PUBLIC_URL: the same here). */
  const welcomeLink = (mail: ReceivedMail) => {
    const link = linkIn(mail, WELCOME);
    expect(link.startsWith(url + WELCOME), link).to.equal(true);
    return link;
  };

  async function logIn(page: Page, email: string, password: string) {
    await page.waitForSelector("body[data-screen=login]");
    await page.fill("#login-email", email);
    await page.fill("#login-password", password);
    await page.press("#login-password", "Enter");
    await page.waitForSelector("body[data-screen=workspace]");
    await page.waitForSelector("#view[data-loaded]");
  }

  /** Opens an invitation link in a new tab, sets the password (and checks the name offered), and waits for where it lands. */
  async function acceptInvitation(name: string, who: { email: string; name: string; password: string }, subject = /账户邀请|Please sign/): Promise<Page> {
    const mail = await mailTo(who.email, subject);
    const page = await tab(name, welcomeLink(mail));
    await page.waitForSelector("#welcome-form");
    expect(await page.textContent("#welcome-about")).to.contain(who.email);
    expect(await page.inputValue("#welcome-name")).to.equal(who.name);
    await page.fill("#welcome-password", who.password);
    await page.fill("#welcome-again", who.password);
    await shot(page, `welcome-${name}`);
    await page.click("#welcome-submit");
    return page;
  }

  /** Types into a directory search box and chooses the option that shows `text`. */
  async function pick(page: Page, input: string, query: string, text: string) {
    await page.fill(input, query);
    const listbox = `#${await page.getAttribute(input, "aria-controls")}`;
    const option = page.locator(`${listbox} [role=option]`, { hasText: text });
    await option.first().waitFor();
    await option.first().click();
  }

  it("the administrator logs in with the generated password and creates a law firm, a court and an enterprise, each with its first administrator", async () => {
    const [adminEmail, adminPassword] = fs.readFileSync(path.join(dataDir, "initial-admin-password"), "utf8").trim().split("\n");
    const page = await tab("admin", `${url}/workspace/`);
    await logIn(page, adminEmail, adminPassword);
    expect(await page.getAttribute("[data-nav=organizations]", "aria-current")).to.equal("page");
    expect(await page.locator("[data-nav]").allTextContents()).to.deep.equal(["机构", "用户", "证书", "审计日志", "上链状态", "邮件", "统计分析"]);
    expect(await page.textContent("#view")).not.to.contain("API");
    for (const org of [lawFirm, court, enterprise]) {
      await page.fill("#org-name", org.name);
      await page.selectOption("#org-kind", org.kind);
      await page.fill("#org-admin-email", org.admin.email);
      await page.fill("#org-admin-name", org.admin.name);
      await page.click("#create-org");
      await page.locator("#orgs-table tr[data-organization-id]", { hasText: org.name }).waitFor();
      expect(await page.textContent("#orgs-news")).to.contain(org.admin.email);
    }
    const rows = page.locator("#orgs-table tr[data-organization-id]");
    expect(await rows.count()).to.equal(3);
    expect(await page.textContent("#orgs-table")).to.contain("律师事务所").and.to.contain("法院").and.to.contain("企业");
    await shot(page, "admin-organizations");
    // The console in English too.
    await page.click(".lang-button[data-lang=en]");
    expect(await page.textContent("#orgs-title")).to.equal("Organisations");
    expect(await page.locator("[data-nav]").allTextContents()).to.deep.equal(["Organisations", "Users", "Certificates", "Audit log", "Anchoring", "Mail", "Statistics"]);
    expect(await page.textContent("#orgs-table")).to.contain("Law firm").and.to.contain("Court").and.to.contain("Enterprise");
    expect(await page.textContent("label[for=org-admin-email]")).to.contain("Administrator's e-mail");
    await shot(page, "admin-organizations-en");
    await page.click(".lang-button[data-lang=zh]");

    // The law firm opened from the list: its administrator, invited and not yet active.
    await page.click(`#orgs-table a:text("${lawFirm.name}")`);
    await page.waitForSelector("#members-table tr[data-member-id]");
    const firmAdmin = page.locator(`#members-table tr[data-email="${lawFirm.admin.email}"]`);
    expect(await firmAdmin.getAttribute("data-status")).to.equal("pending");
    expect(await firmAdmin.textContent()).to.contain("待激活").and.to.contain("管理员");
    await shot(page, "admin-organization");

    // The users, with a filter; the mail outbox, with the three invitations written out.
    await page.click("[data-nav=users]");
    await page.waitForSelector("#users-table tr[data-user-id]");
    await page.selectOption("#users-status", "pending");
    await page.waitForFunction(() => document.querySelectorAll("#users-table tr[data-user-id]").length === 3);
    await shot(page, "admin-users");
    // Inviting into an organisation offers only the roles its kind holds.
    const offered = () => page.locator("#invite-user-role option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(await offered()).to.deep.equal(["member", "lawyer", "judge", "clerk", "mediator"]);
    await page.selectOption("#invite-user-org", { label: lawFirm.name });
    expect(await offered()).to.deep.equal(["lawyer"]);
    await page.selectOption("#invite-user-org", { label: court.name });
    expect(await offered()).to.deep.equal(["judge", "clerk", "mediator"]);
    await page.click("[data-nav=outbox]");
    await page.waitForFunction(() => document.querySelectorAll('#outbox-table tr[data-template="account-invitation"][data-status="sent"]').length === 3, undefined, { timeout: 15_000 });
    expect(await page.textContent("[data-count=sent]")).to.contain("已发送：3");
    await shot(page, "admin-outbox");
    // The audit log, newest first, and its chain verified.
    await page.click("[data-nav=audit]");
    await page.waitForSelector("#audit-table tr[data-seq]");
    const seqs = (await page.locator("#audit-table tr[data-seq]").evaluateAll((rs) => rs.map((r) => Number((r as HTMLElement).dataset.seq))));
    expect(seqs).to.deep.equal([...seqs].sort((a, b) => b - a));
    await page.click("#audit-verify");
    await page.waitForSelector('#audit-verdict [data-ok="true"]');
    await shot(page, "admin-audit");
    // A certificate for the enterprise, its organisation picked from the directory; then revoked,
    // with a reason, after the confirmation step.
    await page.click("[data-nav=certificates]");
    await page.waitForSelector('#view[data-loaded="certificates"]');
    await page.check("#issue-for-organization");
    await pick(page, "#issue-org", "甲科技", enterprise.name);
    await page.click("#issue-submit");
    const cert = page.locator("#certs-table tr[data-certificate-id]", { hasText: enterprise.name });
    await cert.waitFor();
    expect(await cert.textContent()).to.contain("机构证书").and.to.contain("有效");
    await cert.locator("button[data-action=revoke]").click();
    await page.waitForSelector("#revoke-step", { state: "visible" });
    await page.selectOption("#revoke-reason", "superseded");
    await shot(page, "admin-certificates");
    await page.click("#revoke-step-confirm");
    await page.waitForSelector('#certs-table tr[data-state="revoked"]');
    expect(await page.textContent('#certs-table tr[data-state="revoked"]')).to.contain("已被新证书取代");
  });

  it("each organisation's administrator follows the e-mailed link, sets a password and invites a member", async () => {
    for (const [org, invitee, role] of [
      [lawFirm, lawyer, "lawyer"],
      [court, judge, "judge"],
      [enterprise, member, "member"],
    ] as const) {
      const page = await acceptInvitation(`${org.kind}-admin`, org.admin);
      await page.waitForSelector("body[data-screen=workspace]");
      await page.waitForSelector("#view[data-loaded]");
      expect(await page.textContent("#user-name")).to.equal(org.admin.name);
      await page.click("[data-nav=organization]");
      await page.waitForSelector('#view[data-loaded="organization"]');
      expect(await page.textContent("#org-title")).to.equal(org.name);
      await page.fill("#invite-member-form input[name=email]", invitee.email);
      await page.fill("#invite-member-form input[name=name]", invitee.name);
      await page.selectOption("#invite-member-form select[name=role]", role);
      await page.click("#invite-member-submit");
      await page.waitForSelector(`#members-table tr[data-email="${invitee.email}"][data-status="pending"]`);
      expect(await page.textContent("#members-news")).to.contain(invitee.email);
      if (org === court) await manageCourtMembers(page);
      await shot(page, `${org.kind}-members`);
      await page.close();
    }
  });

  /** The court's administrator: a clerk invited, re-roled, made administrator and back, removed after a confirmation step; the last administrator keeps the right. */
  async function manageCourtMembers(page: Page) {
    const clerk = person("clerk", "陈书记员");
    await page.fill("#invite-member-form input[name=email]", clerk.email);
    await page.fill("#invite-member-form input[name=name]", clerk.name);
    await page.selectOption("#invite-member-form select[name=role]", "clerk");
    await page.click("#invite-member-submit");
    const row = `#members-table tr[data-email="${clerk.email}"]`;
    await page.waitForSelector(`${row}[data-status="pending"]`);
    expect(await page.inputValue(`${row} select[data-member-role]`)).to.equal("clerk");
    await page.selectOption(`${row} select[data-member-role]`, "judge");
    await page.waitForFunction((sel) => document.getElementById("members-news")?.textContent?.includes("角色已更改") && (document.querySelector(`${sel} select`) as HTMLSelectElement)?.value === "judge", row);
    await page.click(`${row} button[data-action=toggle-admin]`);
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes("取消管理员"), row);
    await page.click(`${row} button[data-action=toggle-admin]`);
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes("设为管理员"), row);
    // The only administrator left cannot give up the right: said by its code.
    const self = `#members-table tr[data-email="${court.admin.email}"]`;
    await expectingRefusals([409], async () => {
      await page.click(`${self} button[data-action=toggle-admin]`);
      await page.waitForSelector('#members-errors [data-error-code="last_admin"]');
    });
    expect(await page.textContent("#members-errors")).to.contain("最后一位管理员");
    expect(await page.locator(`${self} button[data-action=remove]`).count()).to.equal(0);
    // Removing: a confirmation step first; cancelling it changes nothing.
    await page.click(`${row} button[data-action=remove]`);
    await page.waitForSelector("#remove-member-step", { state: "visible" });
    expect(await page.textContent("#remove-member-step-title")).to.contain(clerk.name);
    await page.click("#remove-member-step-cancel");
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.focusKey)).to.match(/^remove:/);
    await page.click(`${row} button[data-action=remove]`);
    await page.click("#remove-member-step-confirm");
    await page.waitForSelector(`${row}[data-status="disabled"]`);
    expect(await page.textContent("#members-news")).to.contain(clerk.name);
  }

  it("the invited members set their passwords from their mail and land in the workspace", async () => {
    for (const [name, who, landing] of [
      ["lawyer", lawyer, "cases"],
      ["judge", judge, "cases"],
      ["member", member, "contracts"],
    ] as const) {
      const page = await acceptInvitation(name, who);
      await page.waitForSelector(`#view[data-loaded="${landing}"]`);
      expect(await page.textContent("#user-name")).to.equal(who.name);
    }
  });

  it("the enterprise member drafts a contract for a signer without an account and sends it, with reminders", async () => {
    const page = pages.member;
    // A tab in the background gets no animation frames: Playwright's checks would wait on them.
    await page.bringToFront();
    await page.fill("#contract-title", contractTitle);
    await page.fill("#tf-partyA-name", enterprise.name);
    await page.fill("#tf-partyB-name", "乙贸易有限公司");
    await page.fill("#tf-service", "信息系统运维服务");
    await page.fill("#tf-amount", "128000.50");
    await page.fill("#tf-startDate", "2026-12-01");
    await page.fill("#tf-endDate", "2027-11-30");
    await page.click("#add-signer");
    // The directory offers the member's own organisation; the signer is typed: address and name.
    await page.fill("[data-signer-row] input[name=signer-email]", enterprise.admin.name.slice(0, 1));
    await page.locator("[data-signer-row] [role=option]", { hasText: enterprise.admin.email }).waitFor();
    await page.fill("[data-signer-row] input[name=signer-email]", signer.email);
    await page.fill("[data-signer-row] input[name=signer-name]", signer.name);
    await page.fill("[data-signer-row] input[name=signer-role]", "乙方");
    await page.click("#create-contract");
    const row = page.locator("#contracts-table tr[data-contract-id]", { hasText: contractTitle });
    await row.waitFor();
    expect(await row.getAttribute("data-status")).to.equal("draft");
    await row.locator("button[data-action=send]").click();
    await page.waitForSelector("#send-step", { state: "visible" });
    await page.fill("#send-remind", "24");
    await shot(page, "member-send");
    await page.click("#send-step-confirm");
    const id = (await row.getAttribute("data-contract-id"))!;
    await page.waitForSelector(`#contracts-table tr[data-contract-id="${id}"][data-status="in_progress"]`);
    // The details: the signer's invitation mail and its delivery state.
    await page.waitForSelector(`#contract-mail-${id} tr[data-template="account-invitation"]`);
    expect(await page.textContent(`#contract-mail-${id}`)).to.contain(signer.email);
    await shot(page, "member-contract-sent");
  });

  it("the signer follows the invitation, sets a password, lands on the signing page, asks for the code by e-mail and signs", async () => {
    const invitation = await mailTo(signer.email, /请签署合同/);
    expect(invitation.subject).to.contain(contractTitle);
    const page = await acceptInvitation("signer", signer, /请签署合同/);
    await page.waitForURL(/\/sign\/#token=sgn_/);
    await page.waitForSelector("body[data-state=ready]");
    expect(await page.isVisible("#login-card")).to.equal(false);
    expect(await page.textContent("#user-name")).to.contain(signer.email);
    expect(await page.textContent("#contract-title")).to.equal(contractTitle);
    expect(await page.textContent("#code-status")).to.contain("通过邮件发送验证码给我");
    await page.click("#code-request");
    await page.waitForFunction(() => document.getElementById("code-status")?.textContent?.includes("验证码已发送至"));
    expect(await page.textContent("#code-status")).to.contain("s***@example.com");
    const code = codeIn(await mailTo(signer.email, /签署验证码/));
    await page.fill("#code", code);
    await shot(page, "signer-code");
    await page.click("#sign-submit");
    await page.waitForSelector("body[data-state=completed]", { timeout: 30_000 });
    expect(await page.textContent("#result")).to.contain("签署成功").and.to.contain("合同已完成");
    await shot(page, "signer-signed");
  });

  it("the sender is mailed the completion, and sees it in the workspace", async () => {
    const done = await mailTo(member.email, /合同已签署完成/);
    expect(done.subject).to.contain(contractTitle);
    const page = pages.member;
    await page.bringToFront();
    await page.reload();
    const row = page.locator("#contracts-table tr[data-contract-id]", { hasText: contractTitle });
    await row.waitFor();
    expect(await row.getAttribute("data-status")).to.equal("completed");
    await row.locator("button[data-action=details]").click();
    await page.waitForSelector('[id^="contract-mail-"] tr[data-template="contract-completed"]');
    await shot(page, "member-completed");
  });

  it("the judge opens a case choosing the parties' organisation and the lawyer from the directory, and serves a document on the lawyer's party", async () => {
    const page = pages.judge;
    await page.bringToFront();
    await page.waitForSelector("#new-case-form");
    await page.fill("#case-number", caseNumber);
    expect(await page.inputValue("#case-court")).to.equal(court.name);
    await page.fill("#case-cause", "服务合同纠纷");
    const [plaintiff, defendant] = [page.locator("[data-party-row]").nth(0), page.locator("[data-party-row]").nth(1)];
    const orgInput = `#${await plaintiff.locator("input[name=party-org]").getAttribute("id")}`;
    await pick(page, orgInput, "甲科技", enterprise.name);
    expect(await plaintiff.locator("input[name=party-name]").inputValue()).to.equal(enterprise.name);
    const repInput = `#${await plaintiff.locator("input[name=party-rep]").getAttribute("id")}`;
    await pick(page, repInput, lawyer.name, lawyer.email);
    expect(await plaintiff.locator(".ws-chips").textContent()).to.contain(lawyer.name);
    await defendant.locator("input[name=party-name]").fill("乙贸易有限公司");
    // The defendant's representative has no account: invited by address and name.
    await defendant.locator("summary").click();
    await defendant.locator("input[name=party-invite-email]").fill(defendantLawyer.email);
    await defendant.locator("input[name=party-invite-name]").fill(defendantLawyer.name);
    await defendant.locator("button[data-action=add-invite]").click();
    expect(await defendant.locator(".ws-chips").textContent()).to.contain(defendantLawyer.email);
    await shot(page, "judge-new-case");
    await page.click("#open-case");
    const row = page.locator("#cases-table tr[data-case-id]", { hasText: caseNumber });
    await row.waitFor();
    await row.locator("a").click();
    await page.waitForSelector("#serve-form");
    expect(await page.textContent("#case-header")).to.contain(lawyer.name).and.to.contain(enterprise.name);
    // The invited representative is mailed an invitation that lands on the case.
    const invited = await mailTo(defendantLawyer.email, /账户邀请/);
    expect(invited.text).to.contain(caseNumber);
    // Another judge of the court, found in the directory.
    await pick(page, "#add-judge-search", court.admin.name, court.admin.email);
    await page.click("#add-judge-form button[type=submit]");
    await page.waitForFunction((name) => document.getElementById("case-header")?.textContent?.includes(name), court.admin.name);
    expect(await page.textContent("#case-news")).to.contain(court.admin.name);

    await page.fill("#serve-title", served.title);
    await page.selectOption("#serve-party", { label: enterprise.name });
    await page.setInputFiles("#serve-file", { name: served.file, mimeType: "text/plain", buffer: Buffer.from(served.content) });
    await page.click("#serve-form button[type=submit]");
    await page.waitForSelector("#serve-progress[data-state=done]");
    await page.waitForFunction((t) => document.getElementById("services-table")?.textContent?.includes(t), served.title);
    await shot(page, "judge-case");
  });

  it("the lawyer's mail links to the inbox, not to the document; the lawyer logs in there and opens it", async () => {
    const notice = await mailTo(lawyer.email, /法院文书送达/);
    expect(notice.text).to.contain(caseNumber).and.not.to.contain(served.content.trim());
    const inbox = linkIn(notice, "/workspace/#/inbox");
    await pages.lawyer.close();
    const page = await tab("lawyer-inbox", inbox.replace(/^https?:\/\/[^/]+/, url));
    await page.waitForSelector("body[data-screen=login]");
    // "Forgot your password?": the page says what happens whether or not the address has an account.
    await page.click("#forgot-toggle");
    await page.fill("#forgot-email", lawyer.email);
    await page.click("#forgot-submit");
    await page.waitForFunction(() => document.getElementById("forgot-message")?.textContent?.includes("如果"));
    await mailTo(lawyer.email, /重设密码/);
    await shot(page, "lawyer-login");
    await logIn(page, lawyer.email, lawyer.password);
    expect(await page.getAttribute("[data-nav=inbox]", "aria-current")).to.equal("page");
    const delivery = page.locator("#inbox-table tr[data-delivery-id]", { hasText: served.title });
    expect(await delivery.textContent()).to.contain(caseNumber).and.to.contain("尚未打开");
    const [download] = (await Promise.all([page.waitForEvent("download"), delivery.locator("button").click()])) as [Download, unknown];
    expect(fs.readFileSync((await download.path())!, "utf8")).to.equal(served.content);
    await page.waitForFunction(() => document.querySelector("#inbox-table tr[data-delivery-id]")?.textContent?.includes("已打开"));
    await shot(page, "lawyer-inbox");
  });

  it("the reset link sets a new password without a session; the old one stops working", async () => {
    const reset = await mailTo(lawyer.email, /重设密码/);
    const page = await tab("lawyer-reset", welcomeLink(reset));
    await page.waitForSelector("#welcome-form");
    expect(await page.textContent("#welcome-title")).to.equal("设置新密码");
    expect(await page.locator("#welcome-name").count()).to.equal(0);
    const next = `${lawyer.password}-new`;
    await page.fill("#welcome-password", next);
    await page.fill("#welcome-again", `${next}x`);
    await page.click("#welcome-submit");
    expect(await page.textContent("#welcome-form-errors")).to.contain("两次输入的密码不一致");
    await page.fill("#welcome-again", next);
    await page.click("#welcome-submit");
    await page.waitForSelector('#view[data-loaded="cases"]');
    expect(await page.textContent("#user-name")).to.equal(lawyer.name);
    const old = await fetch(`${url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: lawyer.email, password: lawyer.password }) });
    expect(old.status).to.equal(401);
    lawyer.password = next;
  });

  it("the administrator changes a user, disables and enables them, and mails them a password reset", async () => {
    const page = pages.admin;
    await page.bringToFront();
    await page.click("[data-nav=users]");
    await page.waitForSelector('#view[data-loaded="users"]');
    await page.fill("#users-q", lawyer.email);
    await page.press("#users-q", "Enter");
    const row = `#users-table tr[data-email="${lawyer.email}"]`;
    await page.waitForSelector(`${row}[data-status="active"]`);
    await page.click(`${row} button[data-action=edit]`);
    await page.fill("#edit-user-form input[name=name]", "钱大律师");
    await page.click("#edit-user-form button[type=submit]");
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes("钱大律师"), row);
    const session = await fetch(`${url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: lawyer.email, password: lawyer.password }) });
    const { token } = (await session.json()) as { token: string };
    await page.click(`${row} button[data-action=disable]`);
    await page.waitForSelector(`${row}[data-status="disabled"]`);
    expect((await fetch(`${url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status).to.equal(401);
    await page.click(`${row} button[data-action=enable]`);
    await page.waitForSelector(`${row}[data-status="active"]`);
    const resets = (await waitForMail(dataDir, lawyer.email, /重设密码/)).length;
    await page.click(`${row} button[data-action=reset]`);
    await page.waitForFunction(() => document.getElementById("users-news")?.textContent?.includes("重设密码的链接已发送"));
    await waitForMail(dataDir, lawyer.email, /重设密码/, { count: resets + 1 });
    await shot(page, "admin-user-changed");
    // Anchoring, after the day's work: batches on chain with their transaction and confirmations,
    // the page refreshing itself while open.
    await page.click("[data-nav=anchoring]");
    await page.waitForSelector('#anchoring-summary [data-chain-ok="true"]');
    await page.waitForSelector('#batches-table tr[data-status="anchored"]');
    expect(await page.textContent('#batches-table tr[data-status="anchored"]')).to.match(/0x[0-9a-f]{64}/).and.to.match(/个确认/);
    const checked = await page.textContent("#anchoring-summary");
    await page.waitForFunction((before) => document.getElementById("anchoring-summary")?.textContent !== before, checked, { timeout: 10_000 });
    await shot(page, "admin-anchoring");
  });
});
