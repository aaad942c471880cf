// The bulk-send page in Chromium: an enterprise member chooses the NDA, sees its columns, uploads a
// CSV of four rows of which one is bad, and reads the report: three contracts in progress and the
// refused row with its line, column and reason code; the page in English; pressing again sends
// nothing twice (the same key). Screenshots.
import { expect } from "chai";
import path from "node:path";
import type { Page } from "playwright-core";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { SHOTS, haveChromium, launchBrowser, type TestBrowser } from "../helpers/browser";
import { checkAccessibility } from "../helpers/page-checks";

const PASSWORD = "user-password-1";
const CSV = [
  "partyA.name,partyB.name,purpose,effectiveDate,term,signer1.email,signer1.name",
  "甲科技有限公司,乙一贸易有限公司,评估合作,2026-12-01,三年,page-1@example.com,收件人一",
  "甲科技有限公司,乙二贸易有限公司,评估合作,2026-12-01,三年,page-2@example.com,收件人二",
  "甲科技有限公司,乙三贸易有限公司,评估合作,2026-02-30,三年,page-3@example.com,收件人三",
  "甲科技有限公司,乙四贸易有限公司,评估合作,2026-12-01,三年,page-4@example.com,收件人四",
].join("\n");

describe("the bulk-send page (Chromium)", function () {
  this.timeout(240_000);
  let tp: TestPlatform;
  let browser: TestBrowser;
  let member: { id: string; email: string; token: string };
  const pageErrors: string[] = [];

  before(async function () {
    if (!haveChromium()) throw new Error("chromium is not installed (apt-get install chromium)");
    tp = await startTestPlatform();
    member = await tp.createUser("member");
    browser = await launchBrowser("bulk-send", { viewport: { width: 1280, height: 900 } });
  });
  after(async () => {
    await browser?.close();
    await tp?.stop();
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

  it("uploads the CSV and shows 3 contracts sent and the bad row refused, in Chinese and English", async () => {
    const page = await logIn(member);
    await page.click("[data-nav=bulk]");
    await page.waitForSelector("#bulk-form");
    await page.selectOption("#bulk-template", "nda");
    expect(await page.textContent("#bulk-columns")).to.contain("partyB.name").and.contain("effectiveDate").and.contain("signer1.email");
    await page.setInputFiles("#bulk-file", { name: "recipients.csv", mimeType: "text/csv", buffer: Buffer.from(CSV) });
    await page.fill("#bulk-days", "10");
    await page.click("#bulk-submit");
    await page.waitForSelector("#bulk-counts[data-status=finished]", { timeout: 180_000 });
    expect(await page.textContent("#bulk-counts")).to.contain("已发起 3 份合同").and.contain("拒绝 1 行");
    const refused = await page.$$eval("#bulk-refused tbody tr", (rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent)));
    expect(refused).to.have.length(1);
    expect(refused[0].slice(0, 4)).to.deep.equal(["3", "4", "effectiveDate", "invalid_value"]);
    expect(await page.$$eval("#bulk-created tbody tr", (rows) => rows.map((r) => r.getAttribute("data-row")))).to.deep.equal(["1", "2", "4"]);
    expect(await page.textContent("#bulk-created")).to.contain("签署中");
    await checkAccessibility(page);
    await page.screenshot({ path: path.join(SHOTS, "bulk-send-report-zh.png"), fullPage: true });

    await page.click(".lang-button[data-lang=en]");
    expect(await page.textContent("#bulk-counts")).to.contain("3 contracts sent, 1 rows refused");
    expect(await page.textContent("#bulk-refused thead")).to.contain("Reason code");
    await page.screenshot({ path: path.join(SHOTS, "bulk-send-report-en.png"), fullPage: true });

    // The same form pressed again: the run's report, nothing sent twice.
    await page.click("#bulk-submit");
    await page.waitForSelector("#bulk-news :text('nothing is sent twice')");
    const { items } = await (await tp.api("GET", "/api/contracts", { token: member.token })).json();
    expect(items.filter((c: any) => c.status === "in_progress")).to.have.length(3);
  });
});
