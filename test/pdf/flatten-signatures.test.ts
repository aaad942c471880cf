// A signed PDF's pages copied into another document (as the case file does) keep their signature
// widgets unless flattened; pdfsig then lists them as signatures of the new file that fail. Flattened,
// the new file has no signatures and the stamps are still drawn on the page, where a viewer showed
// them (an appearance rotated by its /Matrix too, compared with poppler's rendering of the widget).
import { expect } from "chai";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PDFDict, PDFDocument, PDFName, PDFString } from "pdf-lib";
import { signPdf } from "../../server/pdf/pades";
import { flattenSignatureWidgets } from "../../server/pdf/flatten-signatures";
import { renderCaseFile, type ExportEntry } from "../../server/casefile/render";
import type { CaseFileEntry } from "../../server/casefile/entry";
import { contractPdf, haveTool, nssDbWithRoot, pdfTestPki, pdfsig, run, tempDir, tsaFor } from "./helpers";

/** Red pixels of page 1 rendered at 72 dpi (a pixel a point), inside the box (PDF coordinates) and outside it. */
function redPixels(file: string, box: { x0: number; y0: number; x1: number; y1: number }): { inside: number; outside: number } {
  const prefix = file.replace(/\.pdf$/, "");
  const r = run("pdftoppm", ["-r", "72", "-f", "1", "-l", "1", "-singlefile", file, prefix]);
  if (r.status !== 0) throw new Error(r.output);
  const buf = readFileSync(`${prefix}.ppm`);
  const m = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(buf.subarray(0, 64).toString("latin1"))!;
  const [width, height, off] = [Number(m[1]), Number(m[2]), m[0].length];
  let inside = 0;
  let outside = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = off + (y * width + x) * 3;
      if (!(buf[at] > 150 && buf[at + 1] < 110 && buf[at + 2] < 110)) continue;
      const [px, py] = [x + 0.5, height - y - 0.5]; // PDF y runs up
      if (px >= box.x0 - 1 && px <= box.x1 + 1 && py >= box.y0 - 1 && py <= box.y1 + 1) inside++;
      else outside++;
    }
  }
  return { inside, outside };
}

/**
 * A page with one signature widget whose appearance is rotated by its /Matrix (as signing tools write
 * it for a rotated page): a red 100 x 40 bar drawn upright, shown as a 40 x 100 bar filling /Rect.
 */
async function rotatedAppearancePdf(flags = 4): Promise<{ pdf: Buffer; rect: { x0: number; y0: number; x1: number; y1: number } }> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  const ctx = doc.context;
  const rect = { x0: 200, y0: 300, x1: 240, y1: 400 };
  const ap = ctx.register(ctx.stream("1 0 0 rg 0 0 100 40 re f", { Type: "XObject", Subtype: "Form", BBox: [0, 0, 100, 40], Matrix: [0, 1, -1, 0, 0, 0] }));
  const v = ctx.register(ctx.obj({ Type: "Sig", Filter: "Adobe.PPKLite", SubFilter: "ETSI.CAdES.detached" }));
  const widget = ctx.register(
    ctx.obj({ Type: "Annot", Subtype: "Widget", FT: "Sig", T: PDFString.of("rotated"), Rect: [rect.x0, rect.y0, rect.x1, rect.y1], F: flags, P: page.ref, V: v, AP: { N: ap } }),
  );
  page.node.set(PDFName.of("Annots"), ctx.obj([widget]));
  doc.catalog.set(PDFName.of("AcroForm"), ctx.obj({ Fields: [widget], SigFlags: 3 }));
  return { pdf: Buffer.from(await doc.save({ useObjectStreams: false })), rect };
}

describe("flattening signature widgets of copied pages", function () {
  this.timeout(120_000);
  let tmp: ReturnType<typeof tempDir>;
  let nss: string;
  let signed: Buffer;

  before(async function () {
    const missing = ["pdfsig", "pdftotext", "pdftoppm", "qpdf", "certutil"].filter((t) => !haveTool(t));
    if (missing.length) throw new Error(`missing tools: ${missing.join(", ")}`);
    tmp = tempDir("flatten-");
    const pki = pdfTestPki();
    nss = nssDbWithRoot(tmp.dir, pki.root.certPem);
    signed = await signPdf(await contractPdf(), pki.signers[0].signer, {
      fieldName: "甲方签章",
      stamp: { page: 0, rect: [60, 60, 160, 56], lines: ["张三 甲方签章"] },
      timestamp: tsaFor(pki),
    });
    signed = await signPdf(signed, pki.signers[1].signer, {
      fieldName: "乙方签章",
      stamp: { page: 0, rect: [300, 60, 160, 56], lines: ["李四 乙方签章"] },
      timestamp: tsaFor(pki),
    });
  });
  after(() => tmp?.rm());

  async function copyOf(flatten: boolean): Promise<{ file: string; replaced: number }> {
    const source = await PDFDocument.load(signed);
    const doc = await PDFDocument.create();
    let replaced = 0;
    for (const p of await doc.copyPages(source, source.getPageIndices())) {
      doc.addPage(p);
      if (flatten) replaced += flattenSignatureWidgets(doc, p);
    }
    const file = path.join(tmp.dir, flatten ? "flat.pdf" : "copied.pdf");
    writeFileSync(file, await doc.save({ useObjectStreams: false }));
    return { file, replaced };
  }

  async function signatureDictionaries(file: string): Promise<number> {
    const doc = await PDFDocument.load(readFileSync(file));
    return doc.context.enumerateIndirectObjects().filter(([, o]) => o instanceof PDFDict && o.get(PDFName.of("Type")) === PDFName.of("Sig")).length;
  }

  it("a plain copy carries the source's signatures, which pdfsig finds broken", async () => {
    const { file } = await copyOf(false);
    const report = await pdfsig(file, nss);
    expect(report.signatures.length).to.equal(2);
    expect(report.output).to.not.match(/Signature is Valid/);
    expect(await signatureDictionaries(file)).to.equal(2);
  });

  it("flattened: no signature left, both stamps still drawn, the file well formed", async () => {
    const { file, replaced } = await copyOf(true);
    expect(replaced).to.equal(2);
    const report = await pdfsig(file, nss);
    expect(report.signatures, report.output).to.have.length(0);
    const text = run("pdftotext", ["-enc", "UTF-8", file, "-"]).stdout;
    expect(text).to.include("张三 甲方签章");
    expect(text).to.include("李四 乙方签章");
    const check = run("qpdf", ["--check", file]);
    expect(check.status, check.output).to.equal(0);
    // the widgets' signature dictionaries are gone from the file, not merely unreferenced
    expect(await signatureDictionaries(file)).to.equal(0);
  });

  it("an appearance rotated by its /Matrix is drawn where poppler shows the widget: inside /Rect", async () => {
    const { pdf, rect } = await rotatedAppearancePdf();
    const original = path.join(tmp.dir, "rotated.pdf");
    writeFileSync(original, pdf);
    const shown = redPixels(original, rect);
    expect(shown.outside, "poppler: red outside /Rect").to.equal(0);
    expect(shown.inside, "poppler: red inside /Rect").to.be.greaterThan(3000);
    const source = await PDFDocument.load(pdf);
    const doc = await PDFDocument.create();
    const [p] = await doc.copyPages(source, [0]);
    doc.addPage(p);
    expect(flattenSignatureWidgets(doc, p)).to.equal(1);
    const flat = path.join(tmp.dir, "rotated-flat.pdf");
    writeFileSync(flat, await doc.save({ useObjectStreams: false }));
    expect(await signatureDictionaries(flat)).to.equal(0);
    const drawn = redPixels(flat, rect);
    expect(drawn.outside, "flattened: red outside /Rect").to.equal(0);
    expect(drawn.inside, "flattened: red inside /Rect").to.be.greaterThan(3000);
  });

  for (const [flags, name] of [[32 | 4, "NoView"], [2 | 4, "Hidden"]] as const) {
    it(`a widget marked ${name} is shown by poppler nowhere, and flattened it is drawn nowhere either`, async () => {
      const { pdf, rect } = await rotatedAppearancePdf(flags);
      const original = path.join(tmp.dir, `${name}.pdf`);
      writeFileSync(original, pdf);
      const shown = redPixels(original, rect);
      expect(shown.inside + shown.outside, "poppler: red pixels").to.equal(0);
      const source = await PDFDocument.load(pdf);
      const doc = await PDFDocument.create();
      const [p] = await doc.copyPages(source, [0]);
      doc.addPage(p);
      expect(flattenSignatureWidgets(doc, p)).to.equal(1);
      const flat = path.join(tmp.dir, `${name}-flat.pdf`);
      writeFileSync(flat, await doc.save({ useObjectStreams: false }));
      expect(await signatureDictionaries(flat)).to.equal(0);
      const drawn = redPixels(flat, rect);
      expect(drawn.inside + drawn.outside, "flattened: red pixels").to.equal(0);
    });
  }

  it("the case file's export embeds a signed entry's pages without its signatures", async () => {
    const entry: CaseFileEntry = {
      key: "evidence:1",
      kind: "evidence",
      title: "已签署的合同 Signed contract",
      at: new Date("2026-12-01T02:00:00Z"),
      submitter: "张三",
      evidenceId: "00000000-0000-4000-8000-000000000001",
      sha256: "0x" + "ab".repeat(32),
      size: signed.length,
      fileName: "contract.pdf",
      mediaType: "application/pdf",
      visibility: { rule: "case" },
      anchoring: { status: "anchored", batchId: 1, txHash: "0x" + "cd".repeat(32), blockNumber: 7 },
      notes: [],
    };
    const x: ExportEntry = { entry, bytes: signed, pdf: await PDFDocument.load(signed), attachmentName: "1-contract.pdf" };
    const out = await renderCaseFile({
      courtCase: { id: "c1", number: "(2026)京0101民初1号", court: "测试法院", causeOfAction: "买卖合同纠纷", status: "open", parties: [] },
      version: 1,
      exportedAt: new Date("2026-12-02T00:00:00Z"),
      exportedBy: "法官",
      entries: [x],
      catalogue: { json: Buffer.from("{}"), sha256: "0x" + "ef".repeat(32) },
      verifyUrl: "http://127.0.0.1/verify",
    });
    const file = path.join(tmp.dir, "casefile.pdf");
    writeFileSync(file, out);
    expect((await pdfsig(file, nss)).signatures).to.have.length(0);
    expect(run("pdftotext", ["-enc", "UTF-8", file, "-"]).stdout).to.include("李四 乙方签章");
  });
});
