// The court story end to end in Chromium, every step through the pages as the person would do it:
// a lawyer files a case citing evidence anchored earlier; the clerk asks for a correction; the
// lawyer amends and resubmits; the clerk accepts and assigns a judge; the judge schedules a
// hearing and serves the summons; the lawyer opens it in the inbox (the receipt); the judge exports
// the case file and downloads it. The PDF is checked by pdfsig (one signature, the seal: valid,
// trusted by the platform root) and qpdf, the signed complaints' pages still show the lawyer's
// stamp, and its catalogue is read back with pdftotext against the case's records. Only the
// setting-up (accounts, the court, the anchored evidence item) uses the API. Screenshots of each step.
import { expect } from "chai";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PDFDocument, StandardFonts } from "pdf-lib";
import type { Page } from "playwright-core";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { SHOTS, haveChromium, launchBrowser, type TestBrowser } from "../helpers/browser";
import { haveTool, nssDbWithRoot, pdfsig, run, tempDir } from "../pdf/helpers";

const PASSWORD = "user-password-1";
const DAY = 86400_000;
const NUMBER = "(2026)闽0102民初88号";
const sha = (b: Buffer) => "0x" + createHash("sha256").update(b).digest("hex");
type User = { id: string; email: string; token: string };

/** A datetime-local value some days ahead at hh:mm (the browser's own time zone reads it). */
function local(days: number, hh: number, mm = 0): string {
  const d = new Date(Date.now() + days * DAY);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(hh)}:${pad(mm)}`;
}

/** The complaint's one line, to find its pages in the exported case file. */
const COMPLAINT = `Complaint ${randomBytes(4).toString("hex")}`;

async function complaintPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([595.28, 841.89]).drawText(COMPLAINT, { x: 60, y: 780, size: 18, font });
  return Buffer.from(await doc.save());
}

describe("the court story, filing to exported case file (Chromium)", function () {
  this.timeout(300_000);
  let tp: TestPlatform;
  let browser: TestBrowser;
  let tmp: ReturnType<typeof tempDir>;
  let nssDb: string;
  let lawyer: User, clerk: User, judge: User;
  let cited: { id: string; sha256: string };
  let filingId: string;
  let caseId: string;
  const pageErrors: string[] = [];

  before(async () => {
    if (!haveChromium()) throw new Error("chromium is not installed (apt-get install chromium)");
    const missing = ["pdfsig", "pdftotext", "pdfinfo", "qpdf", "certutil"].filter((t) => !haveTool(t));
    if (missing.length) throw new Error(`missing tools: ${missing.join(", ")}`);
    tp = await startTestPlatform();
    tmp = tempDir("court-story-");
    nssDb = nssDbWithRoot(tmp.dir, tp.platform.identity.rootPem());
    const org = async (name: string, kind: string) => (await (await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name, kind } })).json()).id as string;
    const court = await org("福州市鼓楼区人民法院", "court");
    const firm = await org("某某律师事务所", "law_firm");
    [lawyer, clerk, judge] = await Promise.all([
      tp.createUser("lawyer", { organizationId: firm }),
      tp.createUser("clerk", { organizationId: court }),
      tp.createUser("judge", { organizationId: court }),
    ]);
    // The evidence the lawyer anchored earlier, to be cited by its id.
    const res = await tp.upload(lawyer.token, `买卖合同原件扫描 ${randomBytes(8).toString("hex")}`, { title: "买卖合同" });
    expect(res.status, await res.clone().text()).to.equal(201);
    cited = await res.json();
    await tp.waitAnchored(lawyer.token, cited.id);
    browser = await launchBrowser("court-story", { viewport: { width: 1280, height: 900 } });
  });
  after(async () => {
    await browser?.close();
    await tp?.stop();
    tmp?.rm();
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
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `court-story-${name}.png`), fullPage: true });

  it("1. the lawyer drafts a filing citing the anchored evidence, attaches the complaint and submits", async () => {
    const page = await logIn(lawyer);
    await page.click("[data-nav=filings]");
    await page.waitForSelector("#new-filing-form");
    await page.selectOption("#new-filing-court", { label: "福州市鼓楼区人民法院" });
    await page.fill("#new-filing-title", "甲科技有限公司诉乙贸易有限公司买卖合同纠纷");
    await page.click("#new-filing-submit");
    await page.waitForSelector("#filing-form");
    filingId = (await page.getAttribute("[data-filing-id]", "data-filing-id"))!;
    const parties = page.locator("#filing-parties [data-party-row]");
    await parties.nth(0).locator("input[name=party-name]").fill("甲科技有限公司");
    await parties.nth(0).locator("input[name=party-address]").fill("福州市鼓楼区");
    await parties.nth(1).locator("input[name=party-name]").fill("乙贸易有限公司");
    await parties.nth(1).locator("input[name=party-address]").fill("厦门市思明区");
    await page.fill("#filing-claims", "判令被告支付货款人民币120000元\n本案诉讼费由被告承担");
    await page.fill("#filing-facts", "原被告于2026年3月签订买卖合同，原告依约交货，被告至今未付款。");
    await page.fill("#filing-amount", "120000.00");
    await page.fill("#filing-cause", "买卖合同纠纷");
    await page.click("#add-citation");
    await page.locator("#filing-citations input[name=citation-ref]").fill(cited.id);
    await page.locator("#filing-citations input[name=citation-purpose]").fill("证明双方存在买卖合同关系");
    // the complaint: uploading saves what was typed, then draws the page again
    await page.selectOption("#attach-kind", "complaint");
    await page.fill("#attach-title", "民事起诉状");
    await page.setInputFiles("#attach-file", { name: "complaint.pdf", mimeType: "application/pdf", buffer: await complaintPdf() });
    await page.click("#attach-submit");
    await page.waitForSelector('#attachments-table tr[data-kind="complaint"]');
    expect(await page.inputValue("#filing-facts")).to.contain("被告至今未付款");
    await page.waitForSelector(`#citations-table tr[data-evidence-id="${cited.id}"][data-verified="true"]`);
    await shot(page, "1-draft");
    await page.click("#filing-submit");
    await page.waitForSelector('#filing-status[data-status="submitted"]');
    await shot(page, "1-submitted");
    await page.close();
  });

  it("2. the clerk finds it in the queue, sees the citation verified, and asks for a correction", async () => {
    const page = await logIn(clerk);
    await page.click("[data-nav=queue]");
    await page.waitForSelector(`#queue-table tr[data-filing-id="${filingId}"]`);
    await page.click(`#queue-table tr[data-filing-id="${filingId}"] a`);
    await page.waitForSelector("#decisions");
    expect(await page.textContent("#filing-content")).to.contain("甲科技有限公司").and.contain("乙贸易有限公司");
    await page.waitForSelector(`#citations-table tr[data-evidence-id="${cited.id}"][data-verified="true"]`);
    expect(await page.textContent("#citations-table")).to.contain(cited.sha256);
    // the clerk opens the cited item and the complaint from the review page
    const opened = async (selector: string) => {
      const [download] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
      return fs.readFileSync((await download.path())!);
    };
    expect(sha(await opened(`#citations-table [data-open-document="${cited.id}"]`))).to.equal(cited.sha256);
    expect((await opened('#attachments-table tr[data-kind="complaint"] [data-open-document]')).subarray(0, 5).toString()).to.equal("%PDF-");
    await page.fill("#correction-reason-input", "请补充被告的统一社会信用代码");
    await page.click("#correction-submit");
    await page.waitForSelector('#filing-status[data-status="correction_requested"]');
    await shot(page, "2-correction-asked");
    await page.close();
  });

  it("3. the lawyer reads the reason, amends and resubmits (version 2)", async () => {
    const page = await logIn(lawyer);
    await page.click("[data-nav=filings]");
    await page.click(`tr[data-filing-id="${filingId}"] a`);
    await page.waitForSelector("#correction-note");
    expect(await page.textContent("#correction-reason")).to.equal("请补充被告的统一社会信用代码");
    const defendant = page.locator("#filing-parties [data-party-row]").nth(1);
    await defendant.locator("input[name=party-id-type]").fill("统一社会信用代码");
    await defendant.locator("input[name=party-id-number]").fill("91350200MA2Y000002");
    await shot(page, "3-amending");
    await page.click("#filing-submit");
    await page.waitForSelector('#filing-status[data-status="submitted"]');
    expect(await page.textContent("#filing-news")).to.not.equal("");
    await shot(page, "3-resubmitted");
    await page.close();
  });

  it("4. the clerk accepts version 2 with a case number, the cause and a judge", async () => {
    const page = await logIn(clerk);
    await page.click("[data-nav=queue]");
    await page.click(`#queue-table tr[data-filing-id="${filingId}"] a`);
    await page.waitForSelector("#accept-form");
    expect(await page.textContent("#filing-content")).to.contain("91350200MA2Y000002");
    await page.selectOption("#accept-judge", judge.id);
    expect(await page.inputValue("#accept-cause")).to.equal("买卖合同纠纷");
    await page.fill("#accept-number", NUMBER);
    await page.click("#accept-submit");
    await page.waitForSelector('#filing-status[data-status="accepted"]');
    await shot(page, "4-accepted");
    await page.close();
    const f = await (await tp.api("GET", `/api/filings/${filingId}`, { token: lawyer.token })).json();
    expect(f.version).to.equal(2);
    caseId = f.caseId;
    expect(caseId).to.be.a("string");
  });

  it("5. the judge opens the case, schedules a hearing and serves the summons", async () => {
    const page = await logIn(judge);
    await page.click("[data-nav=cases]");
    await page.click(`a[href="#/cases/${caseId}"]`);
    await page.waitForSelector("#hearings-list > *");
    await page.selectOption("#hearing-kind", "trial");
    await page.fill("#hearing-start", local(10, 9, 30));
    await page.fill("#hearing-end", local(10, 11));
    await page.fill("#hearing-room", "第三法庭");
    await page.click("#hearing-submit");
    await page.waitForSelector("#hearings-table tr[data-hearing-id]");
    await page.click("#hearings-table [data-action=summons]");
    await page.waitForSelector("#hearings-section .ws-message-ok >> text=传票已送达");
    expect(await page.textContent("#hearings-section .ws-message-ok >> text=传票已送达")).to.contain("传票已送达 1 方");
    // the case file on the same page takes the summons in, without reloading
    await page.waitForSelector('#casefile-table tr[data-kind="service"]', { timeout: 15_000 });
    expect(await page.textContent('#casefile-table tr[data-kind="service"]')).to.contain("传票 Summons");
    await shot(page, "5-summons-served");
    await page.close();
  });

  it("6. the summons reaches the lawyer's inbox; opening it records the receipt", async () => {
    const page = await logIn(lawyer);
    await page.click("[data-nav=inbox]");
    await page.waitForSelector("#inbox-table tr[data-delivery-id]");
    const row = page.locator("#inbox-table tr[data-delivery-id]");
    expect(await row.count()).to.equal(1);
    expect(await row.textContent()).to.contain("传票 Summons").and.contain(NUMBER).and.contain("未");
    const [download] = await Promise.all([page.waitForEvent("download"), row.locator("button").click()]);
    const summons = fs.readFileSync((await download.path())!);
    expect(summons.subarray(0, 5).toString()).to.equal("%PDF-");
    await page.waitForSelector("#inbox-table tr[data-delivery-id] >> text=已打开");
    await shot(page, "6-inbox-receipt");
    await page.close();
  });

  it("7. the judge exports the case file and downloads it: one valid, trusted seal; the catalogue matches the records", async () => {
    const page = await logIn(judge);
    await page.click("[data-nav=cases]");
    await page.click(`a[href="#/cases/${caseId}"]`);
    await page.waitForSelector("#casefile-table");
    await page.click("#casefile-export");
    await page.waitForSelector('#casefile-exports-table tr[data-export-version="1"]', { timeout: 60_000 });
    await shot(page, "7-exported");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click('[data-download-export="1"]')]);
    const file = path.join(tmp.dir, "casefile-v1.pdf");
    await download.saveAs(file);
    await page.close();

    const { output, signatures } = await pdfsig(file, nssDb);
    expect(signatures, output).to.have.length(1);
    expect(signatures[0].fieldName, output).to.equal("platform-seal");
    expect(signatures[0].validation, output).to.equal("Signature is Valid.");
    expect(signatures[0].certificateValidation, output).to.equal("Certificate is Trusted.");
    expect(signatures[0].totalDocumentSigned, output).to.equal(true);
    const q = run("qpdf", ["--check", file]);
    expect(q.status, q.output).to.equal(0);
    // The signed complaint of each version is copied in with the lawyer's stamp still drawn (its
    // signature is the attached original's, not the export's).
    const pageCount = Number(/Pages:\s+(\d+)/.exec(run("pdfinfo", [file]).stdout)![1]);
    const complaintPages: string[] = [];
    for (let p = 1; p <= pageCount; p++) {
      const t = run("pdftotext", ["-enc", "UTF-8", "-f", String(p), "-l", String(p), file, "-"]).stdout;
      if (t.includes(COMPLAINT)) complaintPages.push(t);
    }
    expect(complaintPages, "the complaint's pages, one per version").to.have.length(2);
    const me = await (await tp.api("GET", "/api/auth/me", { token: lawyer.token })).json();
    for (const t of complaintPages) expect(t).to.contain(me.name).and.contain("某某律师事务所").and.match(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/);

    // The case's records, as the server keeps them.
    const cf = await (await tp.api("GET", `/api/cases/${caseId}/file`, { token: judge.token })).json();
    const text = run("pdftotext", ["-layout", file, "-"]).stdout;
    const flat = text.replace(/\s+/g, "");
    expect(text).to.contain(NUMBER);
    expect(flat).to.contain(cited.sha256.replace(/^0x/, ""));
    for (const e of cf.entries) expect(flat, `${e.kind} ${e.title}`).to.contain(e.sha256.replace(/^0x/, ""));
    const titles = cf.entries.map((e: any) => `${e.kind}: ${e.title}`).join("\n");
    // the cited item, as evidence of the case with the SHA-256 it was anchored with
    const evidence = cf.entries.filter((e: any) => e.kind === "evidence");
    expect(evidence.map((e: any) => e.sha256), titles).to.deep.equal([cited.sha256]);
    // both versions of the filing, each with its signed complaint
    for (const v of [1, 2]) {
      expect(titles).to.contain(`立案申请 第 ${v} 版`).and.contain(`起诉状 第 ${v} 版`);
      expect(text).to.contain(`第 ${v} 版`);
    }
    // the complaint once per version, signed: its unsigned upload is not a second entry
    expect(cf.entries.filter((e: any) => e.kind === "filing-attachment"), titles).to.deep.equal([]);
    // the summons with the lawyer's receipt
    const served = cf.entries.filter((e: any) => e.kind === "service");
    expect(served, titles).to.have.length(1);
    expect(served[0].title).to.contain("传票 Summons");
    expect(served[0].receipts).to.have.length(1);
    expect(served[0].receipts[0].openedAt).to.be.a("string");
    expect(text).to.contain("传票 Summons");
    expect(text).to.contain("送达回证 Delivery receipts");
    expect(flat).to.contain(`${served[0].receipts[0].recipient}：已签收opened`.replace(/\s+/g, ""));
  });
});
