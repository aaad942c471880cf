// The court dashboard in Chromium: a judge opens Statistics, picks a range, sees the charts (ECharts
// from the platform's own copy, drawn as SVG) with each chart's table holding the API's numbers, a
// risk warning with the numbers behind it, downloads a table as CSV, switches to English (the
// charts are drawn again in English), and is told when a period is mistyped. A lawyer has no
// dashboard. Screenshots under test-results/.
import { expect } from "chai";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { SHOTS, haveChromium, launchBrowser, type TestBrowser } from "../helpers/browser";
import { checkAccessibility } from "../helpers/page-checks";
import { labelsBetween, spanOf } from "../../server/statistics/periods";

const PASSWORD = "user-password-1";
const DAY = 86400_000;

describe("the court dashboard (Chromium)", function () {
  this.timeout(180_000);
  let tp: TestPlatform;
  let browser: TestBrowser;
  let judge: { id: string; email: string; token: string };
  let lawyer: { id: string; email: string; token: string };
  const pageErrors: string[] = [];
  const offsite: string[] = [];

  before(async function () {
    if (!haveChromium()) throw new Error("chromium is not installed (apt-get install chromium)");
    tp = await startTestPlatform();
    const court = (await (await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "鼓楼区人民法院", kind: "court" } })).json()) as { id: string };
    judge = await tp.createUser("judge", { organizationId: court.id });
    lawyer = await tp.createUser("lawyer");
    // Twelve months of one labour dispute a month (May 2024 to April 2025), then eight in May 2025;
    // two sales disputes in March 2025, one closed in May.
    const db = tp.platform.database.db;
    const rows: { cause: string; month: string; closed?: boolean }[] = [];
    for (const month of labelsBetween("2024-05", "2025-04", "month")) rows.push({ cause: "劳动争议", month });
    for (let i = 0; i < 8; i++) rows.push({ cause: "劳动争议", month: "2025-05" });
    rows.push({ cause: "买卖合同纠纷", month: "2025-03", closed: true }, { cause: "买卖合同纠纷", month: "2025-03" });
    let n = 0;
    for (const r of rows) {
      const id = randomUUID();
      const openedAt = new Date(spanOf(r.month, "month").start.getTime() + 10 * DAY);
      await db.courtCase.create({
        data: { id, number: `(2025)闽0102民初${++n}号`, courtId: court.id, court: "鼓楼区人民法院", causeOfAction: r.cause, status: r.closed ? "closed" : "open", openedById: judge.id, openedAt, closedAt: r.closed ? new Date("2025-05-12T02:00:00Z") : null },
      });
      await db.caseJudge.create({ data: { id: randomUUID(), caseId: id, userId: judge.id, addedById: judge.id, addedAt: openedAt } });
      await db.caseParty.create({ data: { id: randomUUID(), caseId: id, position: 0, name: "某工厂", kind: "defendant" } });
    }
    browser = await launchBrowser("statistics", { viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await tp?.stop();
  });

  async function logIn(user: { email: string }): Promise<Page> {
    const page = await browser.context.newPage();
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    page.on("console", (m) => m.type() === "error" && pageErrors.push(m.text()));
    page.on("request", (r) => {
      if (!r.url().startsWith(tp.url + "/") && !r.url().startsWith("blob:") && !r.url().startsWith("data:")) offsite.push(r.url());
    });
    await page.goto(tp.url + "/workspace/");
    await page.waitForSelector("body[data-screen=login]");
    await page.fill("#login-email", user.email);
    await page.fill("#login-password", PASSWORD);
    await page.press("#login-password", "Enter");
    await page.waitForSelector("#view[data-loaded]");
    return page;
  }
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `statistics-${name}.png`), fullPage: true });

  it("a judge sees the charts, each with its table, and a warning with its numbers", async () => {
    const page = await logIn(judge);
    await page.click("[data-nav=statistics]");
    await page.waitForSelector('#view[data-loaded="statistics"]');
    await page.waitForSelector("#stats-results[data-loaded]");
    await page.fill("#stats-from", "2025-03");
    await page.fill("#stats-to", "2025-05");
    await page.click("#stats-show");
    await page.waitForSelector('#stats-results[data-loaded*="from=2025-03"]');

    const api = (await (await tp.api("GET", "/api/statistics/measures?period=month&from=2025-03&to=2025-05", { token: judge.token })).json()) as any;
    const cells = await page.locator("#table-cases tbody tr").evaluateAll((rs) => rs.map((r) => [...r.children].map((c) => c.textContent)));
    expect(cells).to.deep.equal(api.periods.map((p: string, i: number) => [p, String(api.cases.filed[i].count), String(api.cases.accepted[i].count), String(api.cases.closed[i].count)]));
    expect(cells).to.deep.equal([["2025-03", "3", "3", "0"], ["2025-04", "1", "1", "0"], ["2025-05", "8", "8", "1"]]);
    expect(await page.locator("#table-causes tbody tr").evaluateAll((rs) => rs.map((r) => r.textContent))).to.deep.equal(["劳动争议10", "买卖合同纠纷2"]);

    // The charts are SVG drawn by the platform's own ECharts; one line per series, with its name.
    await page.waitForSelector("#chart-cases[data-drawn] svg");
    await page.waitForSelector("#chart-causes[data-drawn] svg");
    expect(await page.locator("#chart-cases svg text", { hasText: "收案" }).count()).to.be.greaterThan(0);
    expect(await page.getAttribute("#chart-cases", "aria-label")).to.equal("收案、立案与结案");

    // May's eight labour disputes against one a month before: a warning, with its history.
    const warning = page.locator('#table-warnings tr[data-dimension="causeOfAction"]');
    expect(await warning.textContent()).to.contain("劳动争议").and.to.contain("8");
    expect(await warning.locator("td").last().textContent()).to.equal(Array(12).fill("1").join(" · "));
    expect(await page.locator('#table-warnings tr[data-dimension="defendant"]').count()).to.equal(1);
    // what a judge may not see is not there (contract figures are the administrator's)
    expect(await page.locator("#stats-contracts").count()).to.equal(0);
    expect(await page.textContent("#stats-results")).not.to.contain("null");
    await checkAccessibility(page);
    await shot(page, "judge");

    // A table as CSV: the same rows.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#csv-cases")]);
    expect(download.suggestedFilename()).to.equal("statistics-cases-2025-03-2025-05.csv");
    const saved = path.join(os.tmpdir(), `statistics-${process.pid}.csv`);
    await download.saveAs(saved);
    expect(fs.readFileSync(saved, "utf8")).to.equal("\uFEFFperiod,filed,accepted,closed\r\n2025-03,3,3,0\r\n2025-04,1,1,0\r\n2025-05,8,8,1\r\n");
    fs.rmSync(saved);

    // English: the page and the charts' legends.
    await page.click(".lang-button[data-lang=en]");
    expect(await page.textContent("#stats-title")).to.equal("Court statistics");
    await page.waitForSelector("#chart-cases svg text:text('Filed')");
    await shot(page, "judge-en");
    await page.click(".lang-button[data-lang=zh]");

    // A mistyped period is said, not sent.
    await page.fill("#stats-to", "2025-13");
    await page.click("#stats-show");
    expect(await page.textContent("#stats-errors")).to.contain("期间格式不对");
    expect(await page.getAttribute("#stats-to", "aria-invalid")).to.equal("true");
    await page.close();
    expect(pageErrors).to.deep.equal([]);
    expect(offsite).to.deep.equal([]);
  });

  it("a lawyer has no dashboard", async () => {
    const page = await logIn(lawyer);
    expect(await page.locator("[data-nav=statistics]").count()).to.equal(0);
    await page.close();
  });
});
