// The hearings pages in Chromium: a judge schedules a hearing on the case page and sees a conflict
// refused in words; the lawyer sees it on their case page and in "My hearings", confirms
// attendance; the judge serves the summons and the lawyer finds it in the inbox; the judge offers
// times and the lawyer chooses one; the page in English. Screenshots.
import { expect } from "chai";
import path from "node:path";
import type { Page } from "playwright-core";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { SHOTS, haveChromium, launchBrowser, type TestBrowser } from "../helpers/browser";
import { checkAccessibility } from "../helpers/page-checks";

const PASSWORD = "user-password-1";
const DAY = 86400_000;

/** A datetime-local value some days ahead at hh:mm (the browser's own time zone reads it). */
function local(days: number, hh: number, mm = 0): string {
  const d = new Date(Date.now() + days * DAY);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(hh)}:${pad(mm)}`;
}

describe("the hearings pages (Chromium)", function () {
  this.timeout(180_000);
  let tp: TestPlatform;
  let browser: TestBrowser;
  let judge: { id: string; email: string; token: string };
  let lawyer: { id: string; email: string; token: string };
  let c: any;
  const pageErrors: string[] = [];

  before(async function () {
    if (!haveChromium()) throw new Error("chromium is not installed (apt-get install chromium)");
    tp = await startTestPlatform();
    const court = (await (await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "福州市鼓楼区人民法院", kind: "court" } })).json()) as { id: string };
    judge = await tp.createUser("judge", { organizationId: court.id });
    lawyer = await tp.createUser("lawyer");
    const res = await tp.api("POST", "/api/cases", {
      token: judge.token,
      json: {
        number: "(2026)闽0102民初77号",
        court: "福州市鼓楼区人民法院",
        causeOfAction: "买卖合同纠纷",
        parties: [
          { name: "甲科技有限公司", kind: "plaintiff", members: [lawyer.id] },
          { name: "乙贸易有限公司", kind: "defendant", members: [] },
        ],
      },
    });
    expect(res.status).to.equal(201);
    c = await res.json();
    await tp.platform.database.db.courtCase.update({ where: { id: c.id }, data: { courtId: court.id } });
    browser = await launchBrowser("hearings", { viewport: { width: 1280, height: 900 } });
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
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `hearings-${name}.png`), fullPage: true });
  const openCase = async (page: Page) => {
    await page.goto(`${tp.url}/workspace/#/cases/${c.id}`);
    await page.waitForSelector("#hearings-section");
    await page.waitForSelector("#hearings-list > *");
  };

  it("the judge schedules a hearing on the case page; a second one at the same time is refused in words", async () => {
    const page = await logIn(judge);
    await openCase(page);
    expect(await page.textContent("#hearings-list")).to.contain("尚未安排庭审");
    await page.selectOption("#hearing-kind", "trial");
    await page.fill("#hearing-start", local(10, 9, 30));
    await page.fill("#hearing-end", local(10, 11));
    await page.fill("#hearing-room", "第三法庭");
    await page.fill("#hearing-notes", "请携带证据原件");
    await page.click("#hearing-submit");
    await page.waitForSelector("#hearings-table tr[data-hearing-id]");
    const row = page.locator("#hearings-table tr[data-hearing-id]");
    expect(await row.textContent()).to.contain("开庭审理").and.contain("第三法庭").and.contain("已安排");
    const [api] = (await (await tp.api("GET", `/api/cases/${c.id}/hearings`, { token: judge.token })).json()).hearings;
    expect(api.startsAt).to.equal(await page.evaluate((v) => new Date(v).toISOString(), local(10, 9, 30)));

    await page.fill("#hearing-start", local(10, 10));
    await page.fill("#hearing-end", local(10, 12));
    await page.fill("#hearing-room", "第五法庭");
    await page.click("#hearing-submit");
    await page.waitForSelector('#hearings-section [data-error-code="hearing_conflict"]');
    expect(await page.textContent('#hearings-section [data-error-code="hearing_conflict"]')).to.contain("时间冲突");
    await checkAccessibility(page);
    await shot(page, "judge-scheduled");
    await page.close();
  });

  it("the lawyer sees it on the case page and in My hearings, and confirms attendance", async () => {
    const page = await logIn(lawyer);
    await page.click("[data-nav=hearings]");
    await page.waitForSelector('#view[data-loaded="hearings"]');
    await page.waitForSelector("#my-hearings-table tr[data-hearing-id]");
    expect(await page.textContent("#my-hearings-table")).to.contain(c.number).and.contain("第三法庭");
    await shot(page, "mine");
    await openCase(page);
    await page.click("[data-answer-form] [data-action=confirm]");
    await page.waitForSelector("#hearings-section .ws-message-ok");
    expect(await page.textContent("#hearings-table")).to.contain("确认出席");
    await checkAccessibility(page);
    await page.close();
  });

  it("the judge serves the summons; it reaches the lawyer's inbox", async () => {
    const page = await logIn(judge);
    await openCase(page);
    await page.click("#hearings-table [data-action=summons]");
    await page.waitForSelector("#hearings-section .ws-message-ok");
    expect(await page.textContent("#hearings-section .ws-message-ok")).to.contain("传票已送达 1 方").and.contain("1 方未送达");
    await page.close();
    const lp = await logIn(lawyer);
    await lp.click("[data-nav=inbox]");
    await lp.waitForSelector("#inbox-table tr[data-delivery-id]");
    expect(await lp.textContent("#inbox-table")).to.contain("传票 Summons");
    await shot(lp, "inbox");
    await lp.close();
  });

  it("the judge offers times, the lawyer chooses one; in English too", async () => {
    const page = await logIn(judge);
    await openCase(page);
    await page.check("#hearing-mode-slots");
    await page.selectOption("#hearing-kind", "pretrial");
    await page.fill("#hearing-slot1-start", local(12, 9));
    await page.fill("#hearing-slot1-end", local(12, 10));
    await page.fill("#hearing-slot2-start", local(13, 14));
    await page.fill("#hearing-slot2-end", local(13, 15));
    await page.fill("#hearing-online", "https://meet.example/court/7");
    await page.click("#hearing-submit");
    await page.waitForSelector("#hearings-table tr[data-hearing-id] >> text=待当事人选择时间");
    await page.close();

    const lp = await logIn(lawyer);
    await openCase(lp);
    await lp.click("[data-action=choose] >> nth=1");
    await lp.waitForSelector("#hearings-section .ws-message-ok");
    const { hearings } = await (await tp.api("GET", `/api/cases/${c.id}/hearings`, { token: lawyer.token })).json();
    const chosen = hearings.find((h: any) => h.kind === "pretrial");
    expect(chosen.status).to.equal("scheduled");
    expect(chosen.startsAt).to.equal(await lp.evaluate((v) => new Date(v).toISOString(), local(13, 14)));
    await lp.click(".lang-button[data-lang=en]");
    expect(await lp.textContent("#hearings-title")).to.equal("Hearings");
    expect(await lp.textContent("#hearings-table")).to.contain("Pre-trial meeting").and.contain("Scheduled");
    await checkAccessibility(lp);
    await shot(lp, "party-en");
    await lp.close();
  });
});
