// The webhooks page in Chromium: an organisation's administrator registers an endpoint (a receiver
// in this test), sees its secret once and never again, sees a contract's event delivered with its
// attempt (HTTP 200), sends a delivery again and sees the second attempt; a member has no such page.
// In both languages; screenshots.
import { expect } from "chai";
import path from "node:path";
import type { Page } from "playwright-core";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { SHOTS, haveChromium, launchBrowser, type TestBrowser } from "../helpers/browser";
import { checkAccessibility } from "../helpers/page-checks";
import { eventually, Receiver } from "../webhooks/receiver";
import { verifyWebhook } from "../../server/core/webhook-signature";

const PASSWORD = "user-password-1";
const NDA = { partyA: { name: "甲科技有限公司" }, partyB: { name: "乙贸易有限公司" }, purpose: "评估合作", effectiveDate: "2026-12-01", term: "三年" };

describe("the webhooks page (Chromium)", function () {
  this.timeout(240_000);
  const rx = new Receiver();
  let tp: TestPlatform;
  let browser: TestBrowser;
  let admin: { id: string; email: string; token: string };
  let member: { id: string; email: string; token: string };
  const pageErrors: string[] = [];

  before(async function () {
    if (!haveChromium()) throw new Error("chromium is not installed (apt-get install chromium)");
    await rx.start();
    tp = await startTestPlatform({ WEBHOOK_ALLOW_HTTP: "1", WEBHOOK_ALLOW_PRIVATE: "1", WEBHOOK_POLL_MS: "50" });
    const org = await (await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "甲科技有限公司" } })).json();
    const email = `hooks-admin-${process.pid}@example.com`;
    const created = await tp.api("POST", "/api/users", { token: tp.adminToken, json: { email, name: "机构管理员", password: PASSWORD, role: "member", organizationId: org.id, orgAdmin: true } });
    expect(created.status).to.equal(201);
    admin = { id: (await created.json()).id, email, token: await tp.login(email, PASSWORD) };
    member = await tp.createUser("member", { organizationId: org.id });
    browser = await launchBrowser("webhooks", { viewport: { width: 1280, height: 900 } });
  });
  after(async () => {
    await browser?.close();
    await tp?.stop();
    await rx.stop();
    expect(pageErrors, pageErrors.join("\n")).to.deep.equal([]);
  });

  async function logIn(user: { email: string }): Promise<Page> {
    const page = await browser.context.newPage();
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    await page.goto(tp.url + "/workspace/");
    await page.waitForSelector("body[data-screen=login]");
    await page.fill("#login-email", user.email);
    await page.fill("#login-password", PASSWORD);
    await page.press("#login-password", "Enter");
    await page.waitForSelector("#view[data-loaded]");
    return page;
  }

  it("registers an endpoint, shows its secret once, lists a delivery with its attempts and sends it again", async () => {
    const page = await logIn(admin);
    await page.click("[data-nav=webhooks]");
    await page.waitForSelector("#webhook-form");
    await page.fill("#webhook-url", rx.url("/page"));
    await page.uncheck("#webhook-event-evidence-anchored");
    await page.fill("#webhook-description", "ERP 系统");
    await page.click("#webhook-submit");
    await page.waitForSelector("#webhook-secret");
    const secret = (await page.textContent("#webhook-secret"))!;
    expect(secret).to.match(/^whsec_/);
    await page.waitForSelector("#webhook-table [data-webhook-id]");
    expect(await page.textContent("#webhook-table")).to.contain(rx.url("/page")).and.not.contain("evidence.anchored");

    // a member of the organisation sends a contract: contract.sent goes to the endpoint, signed with that secret
    const c = await (await tp.api("POST", "/api/contracts", { token: member.token, json: { title: "推送测试 Push", template: { id: "nda", fields: NDA }, signers: [{ userId: admin.id, step: 1 }] } })).json();
    expect((await tp.api("POST", `/api/contracts/${c.id}/send`, { token: member.token, json: {} })).status).to.equal(200);
    const [got] = await eventually(() => rx.at("/page").length > 0 && rx.at("/page"), 30_000, "the delivery");
    expect(got.json.type).to.equal("contract.sent");
    expect(verifyWebhook(secret, String(got.headers["webhook-signature"]), String(got.headers["webhook-timestamp"]), got.body, Math.floor(Date.now() / 1000))).to.equal(true);

    await page.click("#webhook-table [data-action=deliveries]");
    await eventually(async () => {
      await page.click("#webhook-deliveries-refresh");
      return (await page.$("#webhook-delivery-table tr[data-status=delivered]")) !== null;
    }, 30_000, "the delivery shown as delivered");
    expect(await page.textContent("#webhook-delivery-table")).to.contain("contract.sent").and.contain("HTTP 200").and.contain("已送达");
    await checkAccessibility(page);
    await page.screenshot({ path: path.join(SHOTS, "webhooks-zh.png"), fullPage: true });

    await page.click("#webhook-delivery-table [data-action=redeliver]");
    await eventually(() => rx.at("/page").length >= 2, 30_000, "the second delivery");
    expect(rx.at("/page")[1].headers["webhook-id"]).to.equal(got.headers["webhook-id"]);
    await eventually(async () => {
      await page.click("#webhook-deliveries-refresh");
      return (await page.$$("#webhook-delivery-table tr[data-status=delivered] li[data-status-code='200']")).length >= 1 && (await page.$("#webhook-delivery-table tr[data-status=delivered]")) !== null;
    }, 30_000, "the redelivery shown");

    // the secret is not shown again once the page is left
    await page.click("[data-nav=contracts]");
    await page.click("[data-nav=webhooks]");
    await page.waitForSelector("#webhook-table [data-webhook-id]");
    expect(await page.$("#webhook-secret")).to.equal(null);
    expect(await page.content()).to.not.contain(secret);
    await page.click(".lang-button[data-lang=en]");
    expect(await page.textContent("#view h1")).to.equal("Webhooks");
    await page.screenshot({ path: path.join(SHOTS, "webhooks-en.png"), fullPage: true });

    // a member who is not the organisation's administrator has no webhooks page
    const mp = await logIn(member);
    expect(await mp.$("[data-nav=webhooks]")).to.equal(null);
  });
});
