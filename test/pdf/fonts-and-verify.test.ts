// The CJK font lookup (server/pdf/fonts.ts) and the verifier's handling of PDFs without
// signatures or with unsigned signature fields (server/pdf/verify.ts).
import { expect } from "chai";
import { PDFDocument, PDFName, PDFString } from "pdf-lib";
import { CjkFontNotFoundError, configureCjkFont, loadCjkFont, locateCjkFont } from "../../server/pdf/fonts";
import { signPdf } from "../../server/pdf/pades";
import { PdfStructureError, readPdf } from "../../server/pdf/reader";
import { verifyPdfSignatures } from "../../server/pdf/verify";
import { contractPdf, pdfTestPki, tsaFor } from "./helpers";

async function expectRejection(p: Promise<unknown>, re: RegExp): Promise<void> {
  let err: Error | null = null;
  try {
    await p;
  } catch (e) {
    err = e as Error;
  }
  expect(err, "expected a rejection").to.be.instanceOf(Error);
  expect(err!.message).to.match(re);
}

describe("CJK font lookup", () => {
  afterEach(() => configureCjkFont(null));

  it("finds a font (PDF_CJK_FONT, an npm package or a system font) and reports what is missing", () => {
    const font = loadCjkFont();
    expect(font.location.path).to.be.a("string");
    expect(font.missingCharacters("合同 甲方：甲科技有限公司 Contract 2025")).to.deep.equal([]);
    expect(font.missingCharacters("合\u{10FFFD}")).to.deep.equal(["\u{10FFFD}"]);
  });

  it("an explicitly configured font that does not exist is an error, not a silent fallback", () => {
    configureCjkFont("/nonexistent/font.ttf");
    expect(() => locateCjkFont()).to.throw(CjkFontNotFoundError, /nonexistent\/font\.ttf/);
    expect(() => locateCjkFont("/also/missing.ttc#Face")).to.throw(CjkFontNotFoundError, /also\/missing\.ttc/);
  });

  it("a stamp with a character the font lacks is refused before anything is signed", async function () {
    this.timeout(60_000);
    const pki = pdfTestPki();
    let stamped = 0;
    await expectRejection(
      signPdf(await contractPdf(), pki.signers[0].signer, {
        fieldName: "s",
        stamp: { page: 0, rect: [50, 50, 150, 60], lines: ["张三\u{10FFFD}"] },
        timestamp: (sig) => {
          stamped++;
          return tsaFor(pki)(sig);
        },
      }),
      /has no glyph for/,
    );
    expect(stamped).to.equal(0);
  });
});

describe("verifyPdfSignatures on PDFs without signatures", () => {
  it("an unsigned PDF has no reports; an empty signature field is not a signature", async () => {
    expect(verifyPdfSignatures(await contractPdf(), [])).to.deep.equal([]);

    const doc = await PDFDocument.create();
    const page = doc.addPage();
    const field = doc.context.obj({ FT: "Sig", T: PDFString.of("empty"), Type: "Annot", Subtype: "Widget", Rect: [0, 0, 0, 0], P: page.ref });
    const ref = doc.context.register(field);
    page.node.set(PDFName.of("Annots"), doc.context.obj([ref]));
    doc.catalog.set(PDFName.of("AcroForm"), doc.context.obj({ Fields: [ref] }));
    const withEmptyField = Buffer.from(await doc.save({ useObjectStreams: false }));
    expect(verifyPdfSignatures(withEmptyField, [])).to.deep.equal([]);
  });

  it("a file that is not a PDF, or whose cross-reference is broken, throws PdfStructureError", async () => {
    expect(() => verifyPdfSignatures(Buffer.from("hello"), [])).to.throw(PdfStructureError);
    const pdf = await contractPdf();
    const broken = Buffer.from(pdf.toString("latin1").replace(/startxref\s+\d+/, "startxref\n12"), "latin1");
    expect(() => readPdf(broken)).to.throw(PdfStructureError);
  });
});
