// The signing page (server/web/public/sign/): a contract with two signers in two steps, each opening
// their invitation link in Chromium, logging in, reading the PDF in the browser's own viewer, and
// signing with the one-time code the sender issued through the API; a wrong code, a decline without
// and with a reason, the second signer's link before and after the first signature, both languages.
import { expect } from "chai";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { PDFDocument } from "pdf-lib";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { SHOTS, haveChromium, launchBrowser, type TestBrowser } from "../helpers/browser";
import { codeIn, waitForMail } from "../helpers/outbox-mail";
import { creditCodeCheck } from "../../server/core/credit-code";

const PUBLIC = path.join(__dirname, "../../server/web/public");
// TypeScript compiles import() to require() under "module": "commonjs"; the page's modules are ES
// modules, so the real dynamic import is reached through Function.
const importEsm = new Function("url", "return import(url)") as (url: string) => Promise<any>;
const sha = (b: Buffer) => "0x" + createHash("sha256").update(b).digest("hex");
const PDF_VIEWER = "chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/"; // Chromium's built-in PDF viewer
const PASSWORD = "user-password-1";

type User = { id: string; email: string; name: string; token: string };

async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return text ? JSON.parse(text) : null;
}

describe("signing page", function () {
  this.timeout(120_000);
  let tp: TestPlatform;
  let browser: TestBrowser;
  let signPage: any; // the page's own module, for its pure helpers
  let sender: User, first: User, second: User;
  let contract: any;
  let invitations: any[];
  const opened: Page[] = [];

  const user = async (name: string, organizationId?: string): Promise<User> => {
    const email = `${Math.random().toString(36).slice(2, 10)}-${process.pid}@example.com`;
    const u = await json(
      await tp.api("POST", "/api/users", { token: tp.adminToken, json: { email, name, password: PASSWORD, role: "member", ...(organizationId ? { organizationId } : {}) } }),
      201,
    );
    return { id: u.id, email, name, token: await tp.login(email, PASSWORD) };
  };

  /** A contract from the service-agreement template, sent; its invitations. */
  const sendContract = async (title: string, signers: { user: User; step: number; role: string }[]) => {
    const created = await json(
      await tp.api("POST", "/api/contracts", {
        token: sender.token,
        json: {
          title,
          template: {
            id: "service-agreement",
            fields: {
              partyA: { name: "甲科技有限公司" },
              partyB: { name: "乙贸易有限公司" },
              service: "信息系统运维服务 IT operations",
              amount: { value: "128000.50", currency: "CNY" },
              startDate: "2026-12-01",
              endDate: "2027-11-30",
            },
          },
          signers: signers.map((s) => ({ userId: s.user.id, step: s.step, role: s.role, codeDelivery: "out-of-band" })),
        },
      }),
      201,
    );
    const sent = await json(await tp.api("POST", `/api/contracts/${created.id}/send`, { token: sender.token, json: {} }), 200);
    return { contract: sent.contract, invitations: sent.invitations as any[] };
  };
  const invitationOf = (list: any[], u: User) => list.find((i) => i.userId === u.id);
  /** The invitation's page link on this test server (the links name PUBLIC_URL, not the test's port). */
  const pageLink = (inv: any) => {
    const u = new URL(inv.signUrl);
    return tp.url + u.pathname + u.hash;
  };
  const issueCode = async (contractId: string, signerId: string) =>
    (await json(await tp.api("POST", `/api/contracts/${contractId}/signers/${signerId}/code`, { token: sender.token }), 201)).code as string;
  const contractNow = async (id: string) => json(await tp.api("GET", `/api/contracts/${id}`, { token: sender.token }), 200);

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `signing-page-${name}.png`), fullPage: true });
  /** The PDF is in the page's frame as a blob: URL, and Chromium's PDF viewer has opened it (then a moment to draw it). */
  const viewerShown = async (page: Page) => {
    await page.waitForSelector("#pdf-frame[src^='blob:']:visible");
    const deadline = Date.now() + 15_000;
    while (!page.frames().some((f) => f.url().startsWith(PDF_VIEWER)) && Date.now() < deadline) await page.waitForTimeout(50);
    expect(page.frames().map((f) => f.url())).to.satisfy((urls: string[]) => urls.some((u) => u.startsWith(PDF_VIEWER)), "the PDF viewer");
    await page.waitForTimeout(500);
  };

  /** A new tab (its own session storage) on an invitation link, logged in through the page's form. */
  const openAs = async (u: User, link: string): Promise<Page> => {
    const page = await browser.context.newPage();
    opened.push(page);
    page.on("pageerror", (e) => console.error("page error:", e));
    await page.goto(link);
    await page.waitForSelector("body[data-ready][data-state=login]");
    await page.fill("#login-email", u.email);
    await page.fill("#login-password", PASSWORD);
    await page.click("#login-submit");
    await page.waitForSelector("body[data-state=ready], body[data-state=waiting], body[data-state=error]");
    return page;
  };
  const text = async (page: Page, selector: string) => ((await page.textContent(selector)) ?? "").replace(/\s+/g, " ");

  before(async function () {
    if (!haveChromium()) this.skip();
    signPage = await importEsm(pathToFileURL(path.join(PUBLIC, "sign.mjs")).href);
    tp = await startTestPlatform();
    const org = await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "甲科技有限公司" } }), 201);
    [sender, first, second] = await Promise.all([user("赵六", org.id), user("张三", org.id), user("李四")]);
    ({ contract, invitations } = await sendContract("2026年度运维服务合同", [
      { user: first, step: 1, role: "甲方 Party A" },
      { user: second, step: 2, role: "乙方 Party B" },
    ]));
    // Tall enough for the whole page: a full-page screenshot then needs no resize, which would make the PDF viewer redraw.
    browser = await launchBrowser("signing-page", { viewport: { width: 1200, height: 2900 } });
  });

  afterEach(async () => {
    for (const p of opened.splice(0)) await p.close();
  });

  after(async () => {
    await browser?.close();
    await tp?.stop();
  });

  it("the invitation carries a link to the page with the token in its fragment; the page frames only blob: URLs", async () => {
    const inv = invitationOf(invitations, first);
    expect(inv.signUrl).to.equal(`${tp.config.PUBLIC_URL}/sign/#token=${inv.token}`);
    const pageCsp = (await tp.api("GET", "/sign/")).headers.get("content-security-policy") ?? "";
    expect(pageCsp).to.contain("frame-src blob:").and.to.contain("script-src 'self'").and.to.contain("object-src 'none'");
    expect(pageCsp).to.not.contain("https:");
    // A link cut before its slash still reaches the page (the browser keeps the fragment through the redirect).
    const bare = await fetch(tp.url + "/sign", { redirect: "manual" });
    expect([bare.status, bare.headers.get("location")]).to.deep.equal([301, "/sign/"]);
    for (const route of ["/", "/api/health"]) expect((await tp.api("GET", route)).headers.get("content-security-policy")).to.not.contain("frame-src");

    // The page as it opens: Chinese, a login form, every visible input labelled.
    const page = await browser.context.newPage();
    opened.push(page);
    await page.goto(pageLink(inv));
    await page.waitForSelector("body[data-ready][data-state=login]");
    expect(await page.getAttribute("html", "lang")).to.equal("zh-CN");
    expect(await page.textContent("h1")).to.equal("签署合同");
    for (const input of await page.$$("input:visible, textarea:visible")) {
      const id = await input.getAttribute("id");
      expect(await page.$(`label[for="${id}"]`), `label for #${id}`).to.not.equal(null);
    }
    // A wrong password is said so, and nothing else shows.
    await page.fill("#login-email", first.email);
    await page.fill("#login-password", "not-the-password");
    await page.press("#login-password", "Enter");
    await page.waitForFunction(() => document.getElementById("login-error")!.textContent !== "");
    expect(await text(page, "#login-error")).to.equal("邮箱或密码错误。");
    expect(await page.isHidden("#contract-view")).to.equal(true);
    await shot(page, "login");
  });

  it("before the first signer has signed, the second signer's link says it is not their turn and signing is disabled", async () => {
    const page = await openAs(second, pageLink(invitationOf(invitations, second)));
    expect(await page.getAttribute("body", "data-state")).to.equal("waiting");
    const turn = await text(page, "#turn");
    expect(turn).to.contain("尚未轮到您签署").and.to.contain("第 1 步");
    expect(await page.isDisabled("#sign-submit")).to.equal(true);
    expect(await page.isDisabled("#code")).to.equal(true);
    expect(await text(page, "#summary")).to.contain("第 2 步").and.to.contain("赵六").and.to.contain("李四");
    await viewerShown(page);
    await shot(page, "not-your-turn");
    // and the API agrees
    expect((await json(await tp.api("GET", new URL(invitationOf(invitations, second).url).pathname, { token: second.token }), 200)).yourTurn).to.equal(false);
  });

  it("the first signer: the PDF in the browser's viewer, where to sign, a wrong code refused without signing, then signed", async () => {
    const inv = invitationOf(invitations, first);
    const page = await openAs(first, pageLink(inv));
    expect(await page.getAttribute("body", "data-state")).to.equal("ready");
    expect(await text(page, "#turn")).to.contain("轮到您签署");
    expect(await text(page, "#user-name")).to.contain(first.email);

    // The contract in Chromium's own PDF viewer, from a blob: URL of the PDF the page fetched.
    await viewerShown(page);

    // Where to sign: the page and the part of it, from the signer's box (template pages are A4).
    const box = contract.signers.find((s: any) => s.userId === first.id).box;
    const area = { "bottom-left": "左下方", "bottom-center": "下方居中", "bottom-right": "右下方", "middle-left": "中部左侧", "middle-center": "页面中部", "middle-right": "中部右侧", "top-left": "左上方", "top-center": "上方居中", "top-right": "右上方" }[
      signPage.areaOf(box, { w: 595.28, h: 841.89 }) as string
    ];
    expect(await text(page, "#where-main")).to.equal(`第 ${box.page + 1} 页，${area}`);
    expect(await page.$$("#where svg.page-map rect")).to.have.length(3); // the page, the other signer's box, this one's
    // The order: two steps, this signer in the first, the other pending.
    expect(await page.$$eval("#signers .step-group", (ns) => ns.map((n) => n.getAttribute("data-step")))).to.deep.equal(["1", "2"]);
    expect(await text(page, "#signers")).to.contain("张三（您）").and.to.contain("李四").and.to.contain("当前步骤");

    // No code issued yet: the page says whom to ask; a code the sender hands over is not mailed.
    expect(await text(page, "#code-status")).to.contain("发起方尚未为您生成验证码");
    expect(await page.isVisible("#code-request")).to.equal(false);
    const code = await issueCode(contract.id, inv.signerId);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    await page.fill("#code", wrong);
    await page.click("#sign-submit");
    await page.waitForFunction(() => document.getElementById("sign-error")!.textContent !== "");
    expect(await text(page, "#sign-error")).to.equal("验证码错误，还可以尝试 4 次。");
    expect(await page.getAttribute("body", "data-state")).to.equal("ready");
    const afterWrong = await contractNow(contract.id);
    expect(afterWrong.signers.map((s: any) => s.status)).to.deep.equal(["pending", "pending"]);
    expect(afterWrong.document.revision).to.equal(contract.document.revision);
    await shot(page, "wrong-code");

    // By keyboard: the code, Tab to the button (a visible focus ring), Enter.
    await page.focus("#code");
    await page.keyboard.type(code);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal("sign-submit");
    expect(await page.$eval("#sign-submit", (n) => getComputedStyle(n).outlineStyle)).to.equal("solid");
    await page.keyboard.press("Enter");
    await page.waitForSelector("body[data-state=signed]", { timeout: 60_000 });
    const result = await text(page, "#result");
    const now = await contractNow(contract.id);
    expect(result).to.contain("签署成功").and.to.contain(now.document.sha256).and.to.contain("第 2 步");
    expect(now.signers.map((s: any) => s.status)).to.deep.equal(["signed", "pending"]);

    // The signed PDF, from the page, is the contract as it now stands.
    await page.waitForSelector("body[data-downloads=ready] #download-signed");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-signed")]);
    const saved = path.join(os.tmpdir(), `signing-page-${process.pid}.pdf`);
    await download.saveAs(saved);
    expect(sha(fs.readFileSync(saved))).to.equal(now.document.sha256);
    fs.rmSync(saved);
    await shot(page, "signed");

    // The link is spent: opened again, it says so.
    await page.reload();
    await page.waitForSelector("body[data-ready][data-state=error]");
    expect(await text(page, "#notice")).to.contain("这个邀请已经使用过");
  });

  it("the second signer then sees their turn, signs, and the contract is completed; the page also speaks English", async () => {
    const inv = invitationOf(invitations, second);
    const page = await openAs(second, pageLink(inv));
    expect(await page.getAttribute("body", "data-state")).to.equal("ready");
    expect(await text(page, "#turn")).to.contain("轮到您签署");
    expect(await page.isEnabled("#sign-submit")).to.equal(true);
    expect(await page.isEnabled("#code")).to.equal(true);
    expect(await text(page, "#signers")).to.contain("已签署");
    await viewerShown(page);
    await shot(page, "your-turn");

    await page.fill("#code", await issueCode(contract.id, inv.signerId));
    await page.click("#sign-submit");
    await page.waitForSelector("body[data-state=completed]", { timeout: 60_000 });
    expect(await text(page, "#result")).to.contain("签署成功").and.to.contain("合同已完成");
    const done = await contractNow(contract.id);
    expect(done.status).to.equal("completed");
    expect(done.signers.map((s: any) => s.status)).to.deep.equal(["signed", "signed"]);
    await page.waitForSelector("body[data-downloads=ready] #download-certificate");

    await page.click(".lang-button[data-lang=en]");
    expect(await page.getAttribute("html", "lang")).to.equal("en");
    expect(await page.textContent("h1")).to.equal("Sign a contract");
    expect(await text(page, "#result")).to.contain("Every signer has signed: the contract is completed.");
    expect(await page.textContent("#download-signed")).to.equal("Download the signed contract (PDF)");
    await shot(page, "completed-en");
    await page.click(".lang-button[data-lang=zh]");
    expect(await page.textContent("h1")).to.equal("签署合同");
  });

  it("declining needs a reason; with one, the contract is declined", async () => {
    const { contract: c, invitations: invs } = await sendContract("保密协议（拒签）", [{ user: first, step: 1, role: "甲方 Party A" }]);
    const page = await openAs(first, pageLink(invitationOf(invs, first)));
    await page.click("#decline-box summary");
    await page.click("#decline-submit");
    expect(await text(page, "#decline-error")).to.equal("请填写拒签理由。");
    expect(await page.getAttribute("#decline-reason", "aria-invalid")).to.equal("true");
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal("decline-reason");
    expect((await contractNow(c.id)).status).to.equal("in_progress");
    const reason = "付款条款需要修改 The payment terms must change";
    await page.fill("#decline-reason", reason);
    await shot(page, "decline");
    await page.click("#decline-submit");
    await page.waitForSelector("body[data-state=declined]");
    expect(await text(page, "#result")).to.contain("您已拒签").and.to.contain(reason);
    const declined = await contractNow(c.id);
    expect(declined.status).to.equal("declined");
    expect(declined.endReason).to.equal(reason);
  });

  it("a link for someone else, and a link without a token", async () => {
    // The second signer logged in on the first signer's (fresh) link: refused, with a way out.
    const { invitations: invs } = await sendContract("第三份合同", [{ user: first, step: 1, role: "甲方" }]);
    const page = await openAs(second, pageLink(invitationOf(invs, first)));
    expect(await page.getAttribute("body", "data-state")).to.equal("error");
    expect(await text(page, "#notice")).to.contain("这个邀请是发给另一位签署人的");
    // No token: a field to paste the link into.
    await page.goto(`${tp.url}/sign/`);
    await page.waitForSelector("body[data-ready][data-state=link]");
    await page.fill("#link-input", "https://example.com/whatever");
    await page.click("#link-form button[type=submit]");
    expect(await text(page, "#link-error")).to.contain("不是有效的签署邀请链接");
    await page.fill("#link-input", invitationOf(invs, first).url); // the API address works too
    await page.click("#link-form button[type=submit]");
    await page.waitForSelector("body[data-state=error]");
    expect(page.url()).to.equal(pageLink(invitationOf(invs, first)));
  });

  it("an organisation as the signer: a member holding its seal signs for it through the page; the other member's link is closed", async () => {
    const orgName = "丁科技有限公司";
    const first17 = "91440300MA5DCCCC3";
    const org = await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: orgName, kind: "enterprise", creditCode: first17 + creditCodeCheck(first17) } }), 201);
    const [orgAdmin, memberA, memberB] = await Promise.all([user("钱七", org.id), user("孙八", org.id), user("周九", org.id)]);
    await json(await tp.api("PATCH", `/api/organizations/${org.id}/members/${orgAdmin.id}`, { token: tp.adminToken, json: { orgAdmin: true } }), 200);
    const seal = await json(await tp.api("POST", `/api/organizations/${org.id}/seals`, { token: orgAdmin.token, json: { kind: "contract", name: "合同专用章" } }), 201);
    for (const m of [memberA, memberB]) await json(await tp.api("POST", `/api/organizations/${org.id}/seals/${seal.id}/grants`, { token: orgAdmin.token, json: { userId: m.id } }), 201);
    const uploadForm = new FormData();
    const doc = await PDFDocument.create();
    doc.addPage([595, 842]);
    uploadForm.append("file", new Blob([new Uint8Array(await doc.save())]), "contract.pdf");
    uploadForm.append("contract", JSON.stringify({ title: "机构签署合同", signers: [{ organizationId: org.id, sealKind: "contract", step: 1, role: "甲方 Party A", box: { page: 0, x: 100, y: 200, w: 180, h: 150 } }] }));
    const created = await json(await tp.api("POST", "/api/contracts", { token: sender.token, body: uploadForm }), 201);
    const sent = await json(await tp.api("POST", `/api/contracts/${created.id}/send`, { token: sender.token, json: {} }), 200);

    const page = await openAs(memberA, pageLink(invitationOf(sent.invitations, memberA)));
    expect(await page.getAttribute("body", "data-state")).to.equal("ready");
    expect(await text(page, "#signs-for")).to.equal(`您代表${orgName}签署，加盖其合同专用章`);
    expect(await text(page, "#summary")).to.contain("孙八");
    await page.click("#code-request");
    const [mail] = await waitForMail(tp.dataDir, memberA.email, /签署验证码/);
    await page.fill("#code", codeIn(mail));
    await page.click("#sign-submit");
    await page.waitForSelector("body[data-state=completed]", { timeout: 60_000 });
    await page.waitForFunction(() => !!document.querySelector("#signers .signed-by"));
    expect(await text(page, "#signers")).to.contain(`由孙八代表签署`);
    await shot(page, "organization-signed");
    const done = await contractNow(created.id);
    expect(done.signers[0]).to.include({ kind: "organization", status: "signed" });
    expect(done.signers[0].signedBy.userId).to.equal(memberA.id);

    const other = await openAs(memberB, pageLink(invitationOf(sent.invitations, memberB)));
    expect(await other.getAttribute("body", "data-state")).to.equal("error");
    expect(await text(other, "body")).to.contain("该机构的另一位成员已代表机构签署");
    await shot(other, "organization-signed-by-another");
  });

  it("the page's helpers: the token from any form of link, the page size, the area", () => {
    const token = "sgn_" + "A".repeat(43);
    for (const s of [token, `#token=${token}`, `http://x/api/sign/${token}`, `http://x/sign/#token=${token}`, ` ${token} `]) expect(signPage.tokenFrom(s), s).to.equal(token);
    for (const s of ["", "sgn_short", token + "B", null]) expect(signPage.tokenFrom(s), String(s)).to.equal(null);
    const pdf = (boxes: string[]) => new TextEncoder().encode(boxes.map((b) => `<< /Type /Page /MediaBox [${b}] >>`).join("\n"));
    expect(signPage.uniformPageSize(pdf(["0 0 595.28 841.89", "0 0 595.28 841.89"]))).to.deep.equal({ w: 595.28, h: 841.89 });
    expect(signPage.uniformPageSize(pdf(["0 0 595 842", "0 0 842 595"]))).to.equal(null);
    expect(signPage.uniformPageSize(pdf([]))).to.equal(null);
    const a4 = { w: 595, h: 842 };
    expect(signPage.areaOf({ x: 400, y: 40, w: 150, h: 60 }, a4)).to.equal("bottom-right");
    expect(signPage.areaOf({ x: 40, y: 700, w: 150, h: 60 }, a4)).to.equal("top-left");
    expect(signPage.openStepOf([{ step: 1, status: "signed" }, { step: 2, status: "pending" }, { step: 2, status: "pending" }])).to.deep.equal({ step: 2, missing: 2 });
    expect(signPage.openStepOf([{ step: 1, status: "signed" }])).to.equal(null);
  });
});
