// Fields placed on a contract's document: the sender places each signer's signature box and text
// and date fields (PUT /api/contracts/:id/fields, coordinates in PDF points; a box off its page, an
// unknown signer, a bad field refused with 400 and nothing changed); each signer fills theirs when
// signing (values checked before the one-time code is spent), and the values are drawn into that
// signer's own signed revision: pdftotext finds each value inside its field's box, pdfsig judges
// every signature valid, and the platform's own verdict allows the later fill. A personal signer's
// drawn signature (a PNG) is drawn in their box, and nowhere else (pdftoppm pixel test); a typed one
// is set in the CJK font.
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { PDFDocument, StandardFonts, rgb } from "pdf-lib";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { haveTool, nssDbWithRoot, pdfsig, tempDir } from "../pdf/helpers";
import { noisePng, pngWithInk, readPpm } from "../helpers/png";

type User = { id: string; email: string; token: string };

async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return text ? JSON.parse(text) : null;
}
const code = async (res: Response, status: number, errorCode: string) => expect((await json(res, status)).error.code, errorCode).to.equal(errorCode);

const [PAGE_W, PAGE_H] = [595, 842];

/** A two-page A4 contract in black only (any blue on the rendered page is the drawn signature's). */
async function plainContract(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < 2; i++) {
    const page = doc.addPage([PAGE_W, PAGE_H]);
    page.drawText(`Lease agreement, page ${i + 1}`, { x: 72, y: 760, size: 20, font, color: rgb(0, 0, 0) });
  }
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** The text pdftotext finds inside a box given in PDF points (origin lower left) on a 0-based page. */
function textIn(file: string, box: { page: number; x: number; y: number; w: number; h: number }): string {
  const args = ["-f", String(box.page + 1), "-l", String(box.page + 1), "-x", String(Math.floor(box.x)), "-y", String(Math.floor(PAGE_H - box.y - box.h)), "-W", String(Math.ceil(box.w)), "-H", String(Math.ceil(box.h)), file, "-"];
  return execFileSync("pdftotext", args).toString().replace(/\s+/g, " ").trim();
}

describe("fields placed on a contract's document, filled and drawn at signing", function () {
  this.timeout(240_000);
  let tp: TestPlatform;
  let sender: User, alice: User, bob: User, stranger: User;
  let contractId: string;
  let signers: Record<string, string>;
  let links: Record<string, { link: string; code: string }>;
  const ALICE_SIG = { page: 1, x: 60, y: 120, w: 200, h: 90 };
  const BOB_SIG = { page: 1, x: 320, y: 120, w: 200, h: 90 };
  const PLACE = { page: 0, x: 300, y: 500, w: 200, h: 24 };
  const DATE = { page: 1, x: 60, y: 240, w: 120, h: 22 };
  const BOB_TEXT = { page: 0, x: 72, y: 400, w: 240, h: 40 };
  const fields = (c = contractId) => `/api/contracts/${c}/fields`;

  before(async function () {
    if (!haveTool("pdfsig") || !haveTool("pdftotext") || !haveTool("pdftoppm")) this.skip();
    tp = await startTestPlatform();
    [sender, alice, bob, stranger] = await Promise.all([0, 1, 2, 3].map(() => tp.createUser("member")));
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(await plainContract())]), "lease.pdf");
    form.append(
      "contract",
      JSON.stringify({
        title: "租赁合同",
        signers: [
          { userId: alice.id, step: 1, role: "出租方", codeDelivery: "out-of-band" },
          { userId: bob.id, step: 1, role: "承租方", codeDelivery: "out-of-band" },
        ],
      }),
    );
    const c = await json(await tp.api("POST", "/api/contracts", { token: sender.token, body: form }), 201);
    contractId = c.id;
    signers = Object.fromEntries(c.signers.map((s: any) => [s.userId === alice.id ? "alice" : "bob", s.id]));
  });
  after(async () => {
    await tp?.stop();
  });

  it("the sender places signature boxes and text and date fields; bad layouts are refused with 400 and change nothing", async () => {
    const good = {
      signatures: [
        { signerId: signers.alice, box: ALICE_SIG },
        { signerId: signers.bob, box: BOB_SIG },
      ],
      fields: [
        { signerId: signers.alice, kind: "text", box: PLACE, label: "签订地点 Place", maxLength: 20 },
        { signerId: signers.alice, kind: "date", box: DATE, label: "日期 Date" },
        { signerId: signers.bob, kind: "text", box: BOB_TEXT, label: "备注 Note", required: false },
      ],
    };
    const put = (body: unknown, token = sender.token) => tp.api("PUT", fields(), { token, json: body });
    const withField = (f: object) => ({ fields: [{ ...good.fields[0], ...f }] });
    await code(await put(withField({ box: { ...PLACE, x: PAGE_W - 100 } })), 400, "outside_page");
    await code(await put(withField({ box: { ...PLACE, page: 2 } })), 400, "outside_page");
    await code(await put({ signatures: [{ signerId: signers.bob, box: { ...BOB_SIG, y: PAGE_H - 50 } }], fields: [] }), 400, "outside_page");
    await code(await put(withField({ signerId: "00000000-0000-4000-8000-000000000000" })), 400, "unknown_signer");
    await code(await put(withField({ label: "x".repeat(65) })), 400, "invalid_input");
    await code(await put(withField({ kind: "date", maxLength: 10 })), 400, "invalid_input");
    await code(await put(withField({ kind: "signature" })), 400, "invalid_input");
    await code(await put(withField({ box: { ...PLACE, x: -1 } })), 400, "invalid_input");
    expect((await json(await tp.api("GET", fields(), { token: sender.token }), 200)).fields).to.deep.equal([]);
    // only the sender places fields; a draft is the sender's alone to see
    await code(await put(good, alice.token), 404, "not_found");
    await code(await tp.api("GET", fields(), { token: stranger.token }), 404, "not_found");

    const layout = await json(await put(good), 200);
    expect(layout.fields.map((f: any) => [f.kind, f.signerId, f.box, f.required])).to.deep.equal([
      ["text", signers.alice, PLACE, true],
      ["date", signers.alice, DATE, true],
      ["text", signers.bob, BOB_TEXT, false],
    ]);
    expect(layout.signatures.find((s: any) => s.signerId === signers.alice).box).to.deep.equal(ALICE_SIG);
    const detail = await json(await tp.api("GET", `/api/contracts/${contractId}`, { token: sender.token }), 200);
    expect(detail.signers.find((s: any) => s.id === signers.bob).box).to.deep.equal(BOB_SIG);
    expect(detail.events.map((e: any) => e.action)).to.include("fields_placed");

    const sent = await json(await tp.api("POST", `/api/contracts/${contractId}/send`, { token: sender.token, json: {} }), 200);
    await code(await put(good), 409, "not_a_draft");
    links = {};
    for (const who of ["alice", "bob"] as const) {
      const inv = sent.invitations.find((i: any) => i.signerId === signers[who]);
      const otp = (await json(await tp.api("POST", `/api/contracts/${contractId}/signers/${inv.signerId}/code`, { token: sender.token }), 201)).code;
      links[who] = { link: new URL(inv.url).pathname, code: otp };
    }
  });

  it("each signer sees their own fields; bad values are refused before the code is spent", async () => {
    const opened = await json(await tp.api("GET", links.alice.link, { token: alice.token }), 200);
    expect(opened.signer.box).to.deep.equal(ALICE_SIG);
    expect(opened.fields.map((f: any) => [f.kind, f.label])).to.deep.equal([
      ["text", "签订地点 Place"],
      ["date", "日期 Date"],
    ]);
    const [place, date] = opened.fields.map((f: any) => f.id);
    const bobsField = (await json(await tp.api("GET", links.bob.link, { token: bob.token }), 200)).fields[0].id;
    const sign = (body: object) => tp.api("POST", `${links.alice.link}/sign`, { token: alice.token, json: { code: links.alice.code, ...body } });
    await code(await sign({ values: { [place]: "上海市浦东新区世纪大道一百号二十层东侧会议室甲", [date]: "2026-12-07" } }), 400, "value_too_long");
    await code(await sign({ values: { [place]: "上海" } }), 400, "field_required");
    await code(await sign({ values: { [place]: "上海", [date]: "2026-02-30" } }), 400, "invalid_date");
    await code(await sign({ values: { [place]: "上海", [date]: "2026-12-07", [bobsField]: "x" } }), 400, "unknown_field");
    await code(await sign({ values: { [place]: "上海", [date]: "2026-12-07" }, signature: { kind: "drawn", png: Buffer.from("GIF89a....").toString("base64") } }), 400, "unsupported_image");
    // noise does not compress: about 40 KiB, over the 32 KiB a drawn signature may take
    const noisy = noisePng(100, 100);
    expect(noisy.length).to.be.within(33 * 1024, 46 * 1024);
    await code(await sign({ values: { [place]: "上海", [date]: "2026-12-07" }, signature: { kind: "drawn", png: noisy.toString("base64") } }), 400, "image_too_large");
    await code(await sign({ values: { [place]: "上海", [date]: "2026-12-07" }, signature: { kind: "typed", text: "x".repeat(41) } }), 400, "invalid_input");
  });

  it("the values and the drawn signature are in each signer's signed revision: pdftotext, pdfsig, pixels, the platform's verdict", async () => {
    const opened = await json(await tp.api("GET", links.alice.link, { token: alice.token }), 200);
    const [place, date] = opened.fields.map((f: any) => f.id);
    // a pure blue stroke: a diagonal band across the pad
    const png = pngWithInk(400, 160, (x, y) => Math.abs(y - x * 0.4) < 6, [0, 0, 255]);
    await json(await tp.api("POST", `${links.alice.link}/sign`, { token: alice.token, json: { code: links.alice.code, values: { [place]: "上海市浦东新区", [date]: "2026-12-07" }, signature: { kind: "drawn", png: png.toString("base64") } } }), 200);
    const bobs = (await json(await tp.api("GET", links.bob.link, { token: bob.token }), 200)).fields[0].id;
    const done = await json(await tp.api("POST", `${links.bob.link}/sign`, { token: bob.token, json: { code: links.bob.code, values: { [bobs]: "押金三个月 Deposit: three months" }, signature: { kind: "typed", text: "鲍勃" } } }), 200);
    expect(done.contract.status).to.equal("completed");

    const pdf = Buffer.from(await (await tp.api("GET", `/api/contracts/${contractId}/document`, { token: sender.token })).arrayBuffer());
    const tmp = tempDir("contract-fields-");
    const file = tmp.file("signed.pdf", pdf);
    const { output, signatures } = await pdfsig(file, nssDbWithRoot(tmp.dir, tp.platform.identity.rootPem()));
    expect(signatures, output).to.have.length(2);
    for (const s of signatures) expect(s.validation, output).to.equal("Signature is Valid.");
    execFileSync("qpdf", ["--check", file]);

    expect(textIn(file, PLACE)).to.equal("上海市浦东新区");
    expect(textIn(file, DATE)).to.equal("2026-12-07");
    expect(textIn(file, BOB_TEXT)).to.equal("押金三个月 Deposit: three months");
    expect(textIn(file, BOB_SIG)).to.contain("鲍勃");

    // Alice's values are in her own revision: the bytes her signature covers (the first signature's
    // byte range) already draw them, and Bob's value is not there yet
    const end = Number(/Signed Ranges: \[0 - \d+\], \[\d+ - (\d+)\]/.exec(output)![1]);
    const hers = tmp.file("alice-revision.pdf", pdf.subarray(0, end));
    expect(textIn(hers, PLACE)).to.equal("上海市浦东新区");
    expect(textIn(hers, DATE)).to.equal("2026-12-07");
    expect(textIn(hers, BOB_TEXT)).to.equal("");
    const aliceSha = done.contract.signers.find((s: any) => s.id === signers.alice).signedSha256;
    const events = (await json(await tp.api("GET", `/api/contracts/${contractId}`, { token: sender.token }), 200)).events.filter((e: any) => e.action === "signed");
    const aliceEvent = events.find((e: any) => e.signerId === signers.alice);
    expect(aliceEvent.documentSha256).to.equal(aliceSha);
    expect(aliceEvent.details.appearance).to.equal("drawn");
    expect(aliceEvent.details.filled.map((f: any) => f.value)).to.deep.equal(["上海市浦东新区", "2026-12-07"]);
    expect(events.find((e: any) => e.signerId === signers.bob).details.appearance).to.equal("typed");

    // the platform's verdict: Bob's later fill is a form fill, allowed after Alice's signature
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(pdf)]), "signed.pdf");
    const verdict = await json(await tp.api("POST", "/api/verify/pdf", { body: form }), 200);
    expect(verdict.allValid, JSON.stringify(verdict.findings ?? verdict)).to.equal(true);

    // the drawn signature's blue ink: inside Alice's box on page 2, nowhere else
    execFileSync("pdftoppm", ["-r", "72", "-f", "2", "-l", "2", "-singlefile", file, `${tmp.dir}/page`]);
    const img = readPpm(fs.readFileSync(`${tmp.dir}/page.ppm`));
    let inside = 0;
    let outside = 0;
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) {
        const [r, g, b] = img.at(x, y);
        if (!(b > 180 && r < 90 && g < 90)) continue;
        const [px, py] = [x + 0.5, img.height - y - 0.5];
        const B = ALICE_SIG;
        if (px >= B.x - 1 && px <= B.x + B.w + 1 && py >= B.y - 1 && py <= B.y + B.h + 1) inside++;
        else outside++;
      }
    }
    expect(outside, "blue pixels outside Alice's box").to.equal(0);
    expect(inside, "blue pixels inside Alice's box").to.be.greaterThan(300);

    // the completion certificate's event log names the placing of the fields
    const cert = Buffer.from(await (await tp.api("GET", `/api/contracts/${contractId}/certificate`, { token: sender.token })).arrayBuffer());
    expect(execFileSync("pdftotext", [tmp.file("certificate.pdf", cert), "-"]).toString()).to.contain("放置签署位置 Fields placed");

    // and the API reports what was filled
    const layout = await json(await tp.api("GET", fields(), { token: bob.token }), 200);
    expect(layout.fields.map((f: any) => f.value)).to.deep.equal(["上海市浦东新区", "2026-12-07", "押金三个月 Deposit: three months"]);
  });
});
