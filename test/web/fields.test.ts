// Fields on the document in Chromium: the sender opens a draft in the workspace, its page drawn by
// pdf.js, drags a person's signature, a date and a text field and an organisation signer's seal
// onto it, moves one and resizes another, and saves (the API then holds the boxes in PDF points
// where they were dropped); the person opens their link and sees their places laid over the drawn
// page, fills the date and the text, draws a signature on the pad and signs; the member holding the
// organisation's seal signs after them with the seal. The signed PDF has the values in their boxes
// (pdftotext), two valid signatures (pdfsig), the drawn ink inside the person's box only and the
// seal's red inside its box only (pdftoppm). No request leaves the server. Screenshots in test-results/.
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { PDFDocument, StandardFonts, rgb } from "pdf-lib";
import type { Page } from "playwright-core";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { SHOTS, haveChromium, launchBrowser, type TestBrowser } from "../helpers/browser";
import { haveTool, nssDbWithRoot, pdfsig, tempDir } from "../pdf/helpers";
import { readPpm } from "../helpers/png";

const PASSWORD = "user-password-1";
const [PAGE_W, PAGE_H] = [595, 842];
const SCALE = 1.2; // the workspace draws pages at 1.2 CSS pixels a point (ws-fields.mjs)
type User = { id: string; email: string; name: string; token: string };

async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return text ? JSON.parse(text) : null;
}

async function plainContract(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([PAGE_W, PAGE_H]);
  page.drawText("Equipment lease", { x: 72, y: 760, size: 22, font, color: rgb(0, 0, 0) });
  page.drawText("The lessee signs below, with the place and the date of signing.", { x: 72, y: 720, size: 12, font, color: rgb(0, 0, 0) });
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

function textIn(file: string, b: { x: number; y: number; w: number; h: number }): string {
  const args = ["-f", "1", "-l", "1", "-x", String(Math.floor(b.x)), "-y", String(Math.floor(PAGE_H - b.y - b.h)), "-W", String(Math.ceil(b.w)), "-H", String(Math.ceil(b.h)), file, "-"];
  return execFileSync("pdftotext", args).toString().replace(/\s+/g, " ").trim();
}

describe("fields placed on the rendered PDF, filled and signed in Chromium", function () {
  this.timeout(300_000);
  let tp: TestPlatform;
  let browser: TestBrowser;
  let sender: User, signer: User, holder: User;
  let contractId: string;
  let seats: { person: string; seal: string };
  const offsite: string[] = [];
  const pageErrors: string[] = [];

  const user = async (name: string, organizationId?: string): Promise<User> => {
    const email = `${Math.random().toString(36).slice(2, 10)}-${process.pid}@example.com`;
    const u = await json(await tp.api("POST", "/api/users", { token: tp.adminToken, json: { email, name, password: PASSWORD, role: "member", ...(organizationId ? { organizationId } : {}) } }), 201);
    return { id: u.id, email, name, token: await tp.login(email, PASSWORD) };
  };
  const newPage = async () => {
    const page = await browser.context.newPage();
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    page.on("request", (r) => {
      // the browser's own PDF viewer (the page also frames the PDF) loads its parts from chrome:// URLs
      if (!/^(blob:|data:|chrome:|chrome-extension:)/.test(r.url()) && !r.url().startsWith(tp.url + "/")) offsite.push(r.url());
    });
    return page;
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `fields-${name}.png`), fullPage: true });
  /** Drags with the mouse (pointer events) from one point to another in small steps. */
  const drag = async (page: Page, from: { x: number; y: number }, to: { x: number; y: number }) => {
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 12 });
    await page.mouse.up();
  };
  const centre = async (page: Page, selector: string) => {
    const b = (await page.locator(selector).boundingBox())!;
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  };

  before(async function () {
    if (!haveChromium() || !haveTool("pdftotext") || !haveTool("pdfsig") || !haveTool("pdftoppm")) this.skip();
    tp = await startTestPlatform();
    [sender, signer] = await Promise.all([user("赵六"), user("张三")]);
    // an organisation whose member 王五 holds its contract seal
    const org = await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "深圳甲科技有限公司", kind: "enterprise", creditCode: "91440300708461136T" } }), 201);
    const [admin, member] = await Promise.all([user("陈七", org.id), user("王五", org.id)]);
    holder = member;
    await json(await tp.api("PATCH", `/api/organizations/${org.id}/members/${admin.id}`, { token: tp.adminToken, json: { orgAdmin: true } }), 200);
    const seal = await json(await tp.api("POST", `/api/organizations/${org.id}/seals`, { token: admin.token, json: { kind: "contract", name: "合同专用章" } }), 201);
    await json(await tp.api("POST", `/api/organizations/${org.id}/seals/${seal.id}/grants`, { token: admin.token, json: { userId: holder.id } }), 201);
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(await plainContract())]), "lease.pdf");
    form.append(
      "contract",
      JSON.stringify({
        title: "设备租赁合同",
        signers: [
          { userId: signer.id, step: 1, role: "承租方", codeDelivery: "out-of-band" },
          { userId: holder.id, step: 2, role: "出租方", codeDelivery: "out-of-band", organization: { id: org.id, sealKind: "contract" } },
        ],
      }),
    );
    const created = await json(await tp.api("POST", "/api/contracts", { token: sender.token, body: form }), 201);
    contractId = created.id;
    seats = { person: created.signers.find((s: any) => s.userId === signer.id).id, seal: created.signers.find((s: any) => s.userId === holder.id).id };
    browser = await launchBrowser("fields", { viewport: { width: 1300, height: 1500 } });
  });
  after(async () => {
    await browser?.close();
    await tp?.stop();
  });

  it("the sender drags a signature, a date and a text field and a seal onto the drawn page, moves and resizes them, and saves", async () => {
    const page = await newPage();
    await page.goto(tp.url + "/workspace/");
    await page.waitForSelector("body[data-screen=login]");
    await page.fill("#login-email", sender.email);
    await page.fill("#login-password", PASSWORD);
    await page.press("#login-password", "Enter");
    await page.waitForSelector(`#contracts-table tr[data-contract-id="${contractId}"]`);
    await page.click(`#contracts-table tr[data-contract-id="${contractId}"] button[data-action=fields]`);
    await page.waitForSelector("#fe-pages[data-ready=true] .pdf-page[data-page='0'] canvas");
    // the page is drawn: the canvas holds dark pixels (the title), not a blank sheet
    const inked = await page.$eval(".pdf-page[data-page='0'] canvas", (c: HTMLCanvasElement) => {
      const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] < 100 && d[i + 3] > 0) n++;
      return n;
    });
    expect(inked, "dark pixels on the drawn page").to.be.greaterThan(200);

    const at = async (x: number, yTop: number) => {
      const sheet = (await page.locator(".pdf-page[data-page='0']").boundingBox())!;
      return { x: sheet.x + x * SCALE, y: sheet.y + yTop * SCALE }; // points from the page's top-left
    };
    const tool = (kind: string, seat = seats.person) => `.fe-tool[data-tool=${kind}][data-signer-id="${seat}"]`;
    expect(await page.textContent(tool("signature", seats.seal))).to.equal("印章");
    // drop points: the top-left corner of each new box lands under the pointer
    await drag(page, await centre(page, tool("signature")), await at(320, 600));
    await drag(page, await centre(page, tool("date")), await at(72, 640));
    await drag(page, await centre(page, tool("text")), await at(72, 560));
    await drag(page, await centre(page, tool("signature", seats.seal)), await at(380, 300));
    // two signature boxes (each signer has one, moved by the drop) and two fields
    expect(await page.locator("#fe-pages .fe-box").count()).to.equal(4);
    // move the text box 60 pt right and 20 pt down; widen the date box by 40 pt
    const textBox = ".fe-box[data-kind=text]";
    const grip = await centre(page, textBox);
    await drag(page, grip, { x: grip.x + 60 * SCALE, y: grip.y + 20 * SCALE });
    const handle = await centre(page, ".fe-box[data-kind=date] .fe-resize");
    await drag(page, handle, { x: handle.x + 40 * SCALE, y: handle.y });
    await page.fill(".fe-items li[data-kind=text] input", "签订地点 Place of signing");
    await page.fill(".fe-items li[data-kind=date] input", "签订日期 Date");
    await shot(page, "placed");
    await page.click("#fe-save");
    await page.waitForSelector("#fields-news .ws-message-ok");

    const layout = await json(await tp.api("GET", `/api/contracts/${contractId}/fields`, { token: sender.token }), 200);
    const near = (a: number, b: number) => Math.abs(a - b) <= 1.5;
    const sig = layout.signatures.find((s: any) => s.signerId === seats.person).box;
    expect([sig.page, near(sig.x, 320), near(sig.y, PAGE_H - 600 - sig.h)], JSON.stringify(sig)).to.deep.equal([0, true, true]);
    const seal = layout.signatures.find((s: any) => s.signerId === seats.seal).box;
    expect([seal.page, near(seal.x, 380), near(seal.y, PAGE_H - 300 - 120), near(seal.w, 120), near(seal.h, 120)], JSON.stringify(seal)).to.deep.equal([0, true, true, true, true]);
    const [date, text] = ["date", "text"].map((k) => layout.fields.find((f: any) => f.kind === k));
    expect([near(date.box.x, 72), near(date.box.y, PAGE_H - 640 - 22), near(date.box.w, 110 + 40)], JSON.stringify(date.box)).to.deep.equal([true, true, true]);
    expect([near(text.box.x, 72 + 60), near(text.box.y, PAGE_H - 560 - 24 - 20), near(text.box.w, 180)], JSON.stringify(text.box)).to.deep.equal([true, true, true]);
    expect([text.label, date.label]).to.deep.equal(["签订地点 Place of signing", "签订日期 Date"]);
    await page.close();
  });

  it("the signer sees their places over the drawn page, fills the date and the text, draws a signature and signs; the seal holder then signs with the seal", async () => {
    const sent = await json(await tp.api("POST", `/api/contracts/${contractId}/send`, { token: sender.token, json: {} }), 200);
    const inv = sent.invitations.find((i: any) => i.signerId === seats.person);
    const layout = await json(await tp.api("GET", `/api/contracts/${contractId}/fields`, { token: sender.token }), 200);
    const page = await newPage();
    const link = new URL(inv.signUrl);
    await page.goto(tp.url + link.pathname + link.hash);
    await page.waitForSelector("body[data-ready][data-state=login]");
    await page.fill("#login-email", signer.email);
    await page.fill("#login-password", PASSWORD);
    await page.click("#login-submit");
    await page.waitForSelector("body[data-state=ready]");
    await page.waitForSelector("#sign-pages[data-ready=true] #ov-signature");
    expect(await page.locator("#sign-pages .ov-field").count()).to.equal(2);
    // the overlays sit where the boxes are (1 CSS pixel a point on the signing page)
    const sheet = (await page.locator("#sign-pages .pdf-page[data-page='0']").boundingBox())!;
    for (const f of layout.fields) {
      const o = (await page.locator(`#sign-pages .ov-field[data-field-id="${f.id}"]`).boundingBox())!;
      expect([Math.round(o.x - sheet.x), Math.round(o.y - sheet.y), Math.round(o.width)]).to.deep.equal([Math.round(f.box.x), Math.round(PAGE_H - f.box.y - f.box.h), Math.round(f.box.w)]);
    }
    const [date, text] = ["date", "text"].map((k) => layout.fields.find((f: any) => f.kind === k));
    expect(await page.textContent(`label[for="fill-${text.id}"]`)).to.contain("签订地点");
    await page.fill(`#fill-${text.id}`, "上海市浦东新区");
    await page.fill(`#fill-${date.id}`, "2026-12-07");
    await page.check("#sig-kind-drawn");
    const pad = (await page.locator("#sig-pad").boundingBox())!;
    await drag(page, { x: pad.x + 30, y: pad.y + pad.height * 0.7 }, { x: pad.x + pad.width * 0.45, y: pad.y + pad.height * 0.25 });
    await drag(page, { x: pad.x + pad.width * 0.45, y: pad.y + pad.height * 0.25 }, { x: pad.x + pad.width - 30, y: pad.y + pad.height * 0.75 });
    const code = (await json(await tp.api("POST", `/api/contracts/${contractId}/signers/${inv.signerId}/code`, { token: sender.token }), 201)).code;
    await page.fill("#code", code);
    await shot(page, "signer-filled");
    await page.click("#sign-submit");
    await page.waitForSelector("body[data-state=signed]", { timeout: 90_000 });
    await page.waitForSelector("#sign-pages[data-signed=true][data-ready=true]", { timeout: 30_000 });
    await shot(page, "signed");
    await page.close();

    // the seal holder, for the organisation: their seal's place over the page, no choice of signature
    const sealInv = sent.invitations.find((i: any) => i.signerId === seats.seal);
    const sealPage = await newPage();
    const sealLink = new URL(sealInv.signUrl);
    await sealPage.goto(tp.url + sealLink.pathname + sealLink.hash);
    await sealPage.waitForSelector("body[data-ready][data-state=login]");
    await sealPage.fill("#login-email", holder.email);
    await sealPage.fill("#login-password", PASSWORD);
    await sealPage.click("#login-submit");
    await sealPage.waitForSelector("body[data-state=ready]");
    await sealPage.waitForSelector("#sign-pages[data-ready=true] #ov-signature");
    expect(await sealPage.locator("#sig-kind-drawn").count()).to.equal(0);
    const sealCode = (await json(await tp.api("POST", `/api/contracts/${contractId}/signers/${sealInv.signerId}/code`, { token: sender.token }), 201)).code;
    await sealPage.fill("#code", sealCode);
    await sealPage.click("#sign-submit");
    await sealPage.waitForSelector("body[data-state=completed]", { timeout: 90_000 });
    await sealPage.waitForSelector("#sign-pages[data-signed=true][data-ready=true]", { timeout: 30_000 });
    await shot(sealPage, "sealed");
    await sealPage.close();

    const detail = await json(await tp.api("GET", `/api/contracts/${contractId}`, { token: sender.token }), 200);
    const signed = detail.events.filter((e: any) => e.action === "signed");
    expect(signed.map((e: any) => e.details.appearance)).to.deep.equal(["drawn", "seal"]);
    const pdf = Buffer.from(await (await tp.api("GET", `/api/contracts/${contractId}/document`, { token: sender.token })).arrayBuffer());
    const tmp = tempDir("fields-web-");
    const file = tmp.file("signed.pdf", pdf);
    const { output, signatures } = await pdfsig(file, nssDbWithRoot(tmp.dir, tp.platform.identity.rootPem()));
    expect(signatures, output).to.have.length(2);
    for (const sg of signatures) expect(sg.validation, output).to.equal("Signature is Valid.");
    expect(textIn(file, text.box)).to.equal("上海市浦东新区");
    expect(textIn(file, date.box)).to.equal("2026-12-07");
    // the pad's ink (dark blue) inside the person's signature box only, the seal's red inside its own
    const box = layout.signatures.find((s: any) => s.signerId === seats.person).box;
    const sealBox = layout.signatures.find((s: any) => s.signerId === seats.seal).box;
    const within = (b: any, px: number, py: number) => px >= b.x - 1 && px <= b.x + b.w + 1 && py >= b.y - 1 && py <= b.y + b.h + 1;
    let red = 0;
    let strayRed = 0;
    execFileSync("pdftoppm", ["-r", "72", "-singlefile", file, `${tmp.dir}/page`]);
    const img = readPpm(fs.readFileSync(`${tmp.dir}/page.ppm`));
    let inside = 0;
    let outside = 0;
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) {
        const [r, g, b] = img.at(x, y);
        const [px, py] = [x + 0.5, img.height - y - 0.5];
        // the person's caption is red too: red belongs in either box
        if (r > 150 && g < 110 && b < 110) {
          if (within(sealBox, px, py)) red++;
          else if (!within(box, px, py)) strayRed++;
        }
        if (!(b > 70 && b > r + 40 && b > g + 30)) continue;
        if (within(box, px, py)) inside++;
        else outside++;
      }
    }
    expect(outside, "ink outside the signature box").to.equal(0);
    expect(inside, "ink inside the signature box").to.be.greaterThan(40);
    expect(strayRed, "red outside the stamps").to.equal(0);
    expect(red, "the seal's red inside its box").to.be.greaterThan(1000);
    expect(offsite, "requests beyond the server").to.deep.equal([]);
    expect(pageErrors, "page errors").to.deep.equal([]);
  });
});
