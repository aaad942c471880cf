// The filer's Submit button in Chromium: a draft with its complaint attached is submitted from the
// filing page; the page shows it submitted and throws nothing afterwards (the click handler once
// read the event's currentTarget after an await, by which time it is null).
import { expect } from "chai";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { haveChromium, launchBrowser, type TestBrowser } from "../helpers/browser";

describe("submitting a filing from its page (Chromium)", function () {
  this.timeout(120_000);
  let tp: TestPlatform;
  let browser: TestBrowser;
  const pageErrors: string[] = [];

  before(async () => {
    if (!haveChromium()) throw new Error("chromium is not installed (apt-get install chromium)");
    tp = await startTestPlatform();
    browser = await launchBrowser("filing-submit", { viewport: { width: 1280, height: 900 } });
  });
  after(async () => {
    await browser?.close();
    await tp?.stop();
  });

  it("submits, shows the filing as submitted, and raises no page error", async () => {
    const org = async (name: string, kind: string) => (await (await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name, kind } })).json()).id as string;
    const court = await org("福州市鼓楼区人民法院", "court");
    const firm = await org("某某律师事务所", "law_firm");
    const lawyer = await tp.createUser("lawyer", { organizationId: firm });
    const res = await tp.api("POST", "/api/filings", {
      token: lawyer.token,
      json: {
        courtId: court,
        title: "甲公司诉乙公司买卖合同纠纷",
        parties: [
          { kind: "plaintiff", name: "甲公司", address: "福州市鼓楼区" },
          { kind: "defendant", name: "乙公司", address: "厦门市思明区" },
        ],
        claims: ["判令被告支付货款人民币1000元"],
        facts: "被告未付货款。",
        amount: "1000.00",
        causeOfAction: "买卖合同纠纷",
        citations: [],
        filerPartyIndex: 0,
      },
    });
    expect(res.status, await res.clone().text()).to.equal(201);
    const filing = await res.json();
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    doc.addPage([595.28, 841.89]).drawText("Complaint", { x: 60, y: 780, size: 18, font });
    const f = new FormData();
    f.append("kind", "complaint");
    f.append("title", "民事起诉状");
    f.append("file", new Blob([new Uint8Array(await doc.save())]), "complaint.pdf");
    expect((await tp.api("POST", `/api/filings/${filing.id}/attachments`, { token: lawyer.token, body: f })).status).to.equal(201);

    const page = await browser.context.newPage();
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    await page.goto(tp.url + "/workspace/");
    await page.waitForSelector("body[data-screen=login]");
    await page.fill("#login-email", lawyer.email);
    await page.fill("#login-password", "user-password-1");
    await page.press("#login-password", "Enter");
    await page.waitForSelector("#view[data-loaded]");
    await page.goto(`${tp.url}/workspace/#/filings/${filing.id}`);
    await page.waitForSelector("#filing-submit");
    await page.click("#filing-submit");
    await page.waitForSelector('#filing-status[data-status="submitted"]');
    await page.waitForTimeout(300);
    expect(pageErrors, pageErrors.join("\n")).to.deep.equal([]);
    const after = await (await tp.api("GET", `/api/filings/${filing.id}`, { token: lawyer.token })).json();
    expect(after.status).to.equal("submitted");
  });
});
