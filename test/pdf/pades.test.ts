// PAdES B-T signatures as incremental updates (server/pdf/pades.ts) and our verifier
// (server/pdf/verify.ts), checked by tools we did not write: poppler's pdfsig (with the test root
// trusted in a fresh NSS database), qpdf --check, pdftotext, pdftoppm. Every case asserts the
// tool's verdict and that verifyPdfSignatures agrees with it.
import { expect } from "chai";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fontkit from "@pdf-lib/fontkit";
import { PDFDict, PDFDocument, PDFName, PDFRawStream, StandardFonts } from "pdf-lib";
import { OID } from "../../server/pki/oid";
import { parseSignedData } from "../../server/pki/cms";
import { locateCjkFont } from "../../server/pdf/fonts";
import { signPdf, type PadesSigner } from "../../server/pdf/pades";
import { decodeStream, readPdf, terminalFields } from "../../server/pdf/reader";
import { OID_SIGNATURE_TIMESTAMP, verifyPdfSignatures, type PdfSignatureReport } from "../../server/pdf/verify";
import {
  CONTRACT_TITLE,
  contractPdf,
  haveTool,
  nssDbWithRoot,
  PARTY_A,
  pdfsigSync,
  pdfTestPki,
  run,
  tempDir,
  tsaFor,
  type PdfsigSignature,
  type PdfTestPki,
} from "./helpers";
import { issue, newKey } from "../pki/test-ca";

const VALID = "Signature is Valid.";
const TRUSTED = "Certificate is Trusted.";

/** The DER CMS inside a signed PDF's n-th signature (by the report's byte range). */
function cmsOf(pdf: Buffer, r: PdfSignatureReport): Buffer {
  const hex = pdf.toString("latin1", r.byteRange[1] + 1, r.byteRange[2] - 1);
  const raw = Buffer.from(hex, "hex");
  const len = raw[1] & 0x80 ? raw.readUIntBE(2, raw[1] & 0x7f) + 2 + (raw[1] & 0x7f) : raw[1] + 2;
  return raw.subarray(0, len);
}

describe("PAdES signatures as incremental updates, checked by pdfsig, qpdf and pdftotext", function () {
  this.timeout(120_000);
  let pki: PdfTestPki;
  let tmp: ReturnType<typeof tempDir>;
  let nssDb: string;
  let roots: string[];
  let original: Buffer;
  /** revisions[i]: the contract after i+1 signatures */
  const revisions: Buffer[] = [];
  let n = 0;

  const file = (name: string, content: Buffer) => tmp.file(`${++n}-${name}`, content);
  const stampTime = "2025-03-01 10:00";

  function sign(pdf: Buffer, i: number, fieldName: string, extra: Partial<Parameters<typeof signPdf>[2]> = {}): Promise<Buffer> {
    const s = pki.signers[i];
    return signPdf(pdf, s.signer, {
      fieldName,
      reason: "同意本合同条款 I agree",
      location: "北京市海淀区",
      contactInfo: "contracts@example.cn",
      stamp: { page: 0, rect: [40 + i * 180, 60 + i * 30, 165, 70], lines: [s.name, s.organisation, stampTime] },
      timestamp: tsaFor(pki),
      ...extra,
    });
  }

  /** pdfsig and our verifier on one file; asserts that they agree, returns both. */
  function check(pdf: Buffer, name: string): { tool: PdfsigSignature[]; ours: PdfSignatureReport[]; output: string } {
    const f = file(name, pdf);
    const { output, signatures: tool } = pdfsigSync(f, nssDb);
    const ours = verifyPdfSignatures(pdf, roots);
    expect(ours.length, output).to.equal(tool.length);
    ours.forEach((r, i) => {
      const t = tool[i];
      expect(r.fieldName, output).to.equal(t.fieldName);
      expect(t.byteRange, output).to.deep.equal([0, r.byteRange[1], r.byteRange[2], r.byteRange[2] + r.byteRange[3]]);
      expect(r.integrityOk, `${name} #${i + 1} integrity vs pdfsig: ${output}\n${r.problems.join("\n")}`).to.equal(t.validation === VALID);
      expect(r.coversWholeDocument, `${name} #${i + 1} total document: ${output}`).to.equal(t.totalDocumentSigned);
      if (t.validation === VALID) {
        expect(r.chainOk, `${name} #${i + 1} chain vs pdfsig: ${output}\n${r.chainProblem}`).to.equal(t.certificateValidation === TRUSTED);
      }
      expect(r.subFilter).to.equal(t.signatureType);
    });
    return { tool, ours, output };
  }

  function qpdfCheck(pdf: Buffer, name: string): void {
    const r = run("qpdf", ["--check", file(name, pdf)]);
    expect(r.status, r.output).to.equal(0);
    expect(r.output).to.match(/No syntax or stream encoding errors found/);
  }

  before(async function () {
    const missing = ["pdfsig", "qpdf", "pdftotext", "pdftoppm", "certutil"].filter((t) => !haveTool(t));
    if (missing.length) {
      throw new Error(`missing tools: ${missing.join(", ")} (Debian: apt-get install poppler-utils qpdf libnss3-tools)`);
    }
    locateCjkFont(); // a clear error when no CJK font is available
    pki = pdfTestPki();
    roots = [pki.root.certPem];
    tmp = tempDir("pdf-pades-");
    nssDb = nssDbWithRoot(tmp.dir, pki.root.certPem);
    original = await contractPdf();
    let cur = original;
    for (let i = 0; i < 3; i++) {
      cur = await sign(cur, i, `signer${i + 1}`);
      revisions.push(cur);
    }
  });
  after(() => tmp?.rm());

  it("appends each signature as an incremental update: every earlier revision is a prefix, byte for byte", () => {
    let prev = original;
    for (const r of revisions) {
      expect(r.length).to.be.greaterThan(prev.length);
      expect(r.subarray(0, prev.length).equals(prev)).to.equal(true);
      prev = r;
    }
    // classic xref table in, classic xref table out, /Prev chained
    const tail = revisions[2].toString("latin1", revisions[1].length);
    expect(tail).to.match(/\nxref\n/);
    expect(tail).to.match(/\/Prev \d+/);
    expect(tail.trimEnd().endsWith("%%EOF")).to.equal(true);
  });

  it("qpdf --check passes on every revision", () => {
    qpdfCheck(original, "original.pdf");
    revisions.forEach((r, i) => qpdfCheck(r, `signed-${i + 1}.pdf`));
  });

  it("pdfsig: every signature valid and trusted, the last covering the whole document, ETSI.CAdES.detached; our verifier agrees", () => {
    revisions.forEach((pdf, k) => {
      const { tool, ours, output } = check(pdf, `signed-${k + 1}.pdf`);
      expect(tool, output).to.have.length(k + 1);
      tool.forEach((t, i) => {
        expect(t.validation, output).to.equal(VALID);
        expect(t.certificateValidation, output).to.equal(TRUSTED);
        expect(t.signatureType, output).to.equal("ETSI.CAdES.detached");
        expect(t.hashAlgorithm, output).to.equal("SHA-256");
        expect(t.commonName, output).to.equal(pki.signers[i].name);
        expect(t.totalDocumentSigned, output).to.equal(i === k);
      });
      ours.forEach((r, i) => {
        expect(r.problems, r.problems.join("\n")).to.deep.equal([]);
        expect(r.integrityOk && r.chainOk).to.equal(true);
        expect(r.modifiedAfter).to.equal(i !== k);
        expect(r.signerSubject).to.contain(`CN=${pki.signers[i].name}`);
        expect(r.timestamp?.ok, JSON.stringify(r.timestamp)).to.equal(true);
        expect(r.reason).to.equal("同意本合同条款 I agree");
        expect(r.location).to.equal("北京市海淀区");
      });
    });
  });

  it("the CMS is PAdES baseline B-T: contentType, messageDigest, signing-certificate-v2, no signingTime; a signature timestamp over the signature value", () => {
    const pdf = revisions[2];
    for (const r of verifyPdfSignatures(pdf, roots)) {
      const cms = cmsOf(pdf, r);
      const parsed = parseSignedData(cms);
      const si = parsed.signerInfos[0];
      expect(si.attributes.map((a) => a.oid).sort()).to.deep.equal([OID.contentType, OID.messageDigest, OID.signingCertificateV2].sort());
      // no signingTime OID in the signed attributes (the TSA token's own SignedData may have one)
      expect(si.signedAttrsRaw!.includes(Buffer.from("06092a864886f70d010905", "hex"))).to.equal(false);
      expect(r.timestamp?.genTime).to.be.a("string");
      // openssl sees the unsigned attribute too
      const der = tmp.file(`cms-${++n}.der`, cms);
      const asn = run("openssl", ["cms", "-cmsout", "-print", "-inform", "DER", "-in", der]);
      expect(asn.status, asn.output).to.equal(0);
      expect(asn.output).to.contain("id-smime-aa-timeStampToken");
      // id-aa-signatureTimeStampToken as the [1] unsignedAttrs of the SignerInfo
      expect(cms.includes(Buffer.concat([Buffer.from([0x06, 0x0b]), Buffer.from("2a864886f70d010910020e", "hex")]))).to.equal(true);
      expect(OID_SIGNATURE_TIMESTAMP).to.equal("1.2.840.113549.1.9.16.2.14");
    }
  });

  it("openssl cms -verify accepts each signature over its byte ranges (a second independent check)", () => {
    const pdf = revisions[2];
    const rootFile = tmp.file("root.pem", pki.root.certPem);
    for (const r of verifyPdfSignatures(pdf, roots)) {
      const [, a, b, c] = r.byteRange;
      const content = Buffer.concat([pdf.subarray(0, a), pdf.subarray(b, b + c)]);
      const v = run("openssl", [
        "cms", "-verify", "-binary", "-inform", "DER",
        "-in", tmp.file(`sig-${++n}.der`, cmsOf(pdf, r)),
        "-content", tmp.file(`content-${n}.bin`, content),
        "-CAfile", rootFile, "-purpose", "any", "-out", "/dev/null",
      ]);
      expect(v.status, v.output).to.equal(0);
      expect(v.output).to.match(/Verification successful/);
    }
  });

  it("pdftotext finds the contract's Chinese and English text and the stamps' text", () => {
    const r = run("pdftotext", ["-enc", "UTF-8", file("text.pdf", revisions[2]), "-"]);
    expect(r.status, r.output).to.equal(0);
    const text = r.stdout.replace(/\s+/g, " ");
    expect(text).to.contain(CONTRACT_TITLE);
    expect(text).to.contain(PARTY_A);
    expect(text).to.contain("Service Agreement between Party A and Party B");
    for (const s of pki.signers) {
      expect(text).to.contain(s.name);
      expect(text).to.contain(s.organisation);
    }
    expect(text).to.contain(stampTime);
  });

  it("renders page 1 with the three stamps (test-results/pdf-stamps-page1.png)", () => {
    const outDir = path.join(__dirname, "..", "..", "test-results");
    mkdirSync(outDir, { recursive: true });
    const prefix = path.join(outDir, "pdf-stamps-page1");
    const r = run("pdftoppm", ["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", file("render.pdf", revisions[2]), prefix]);
    expect(r.status, r.output).to.equal(0);
    const png = readFileSync(`${prefix}.png`);
    expect(png.subarray(1, 4).toString("latin1")).to.equal("PNG");
    // the stamps are drawn: the lower part of the page is not blank (a red frame at least)
    expect(png.length).to.be.greaterThan(5000);
  });

  it("every embedded CJK subset (the contract's and each stamp's) has an outline for every glyph it maps", () => {
    const s = readPdf(revisions[2]);
    let fonts = 0;
    for (const [, obj] of s.context.enumerateIndirectObjects()) {
      if (!(obj instanceof PDFDict) || obj.lookup(PDFName.of("Type")) !== PDFName.of("FontDescriptor")) continue;
      const file2 = obj.lookup(PDFName.of("FontFile2"));
      if (!(file2 instanceof PDFRawStream)) continue;
      const font = fontkit.create(decodeStream(file2));
      fonts++;
      expect(font.numGlyphs).to.be.greaterThan(1);
      // every glyph but a space (no outline) must draw something; a broken subset has empty or
      // unreadable glyphs (the @pdf-lib/fontkit loca bug that fonts.ts works around)
      const empty: number[] = [];
      for (let gid = 1; gid < font.numGlyphs; gid++) {
        if (font.getGlyph(gid).path.toSVG().length === 0) empty.push(gid);
      }
      expect(empty.length, `${obj.lookup(PDFName.of("FontName"))}: glyphs without outline ${empty.join(",")}`).to.be.at.most(1);
    }
    expect(fonts).to.equal(4); // the contract's font and one subset per stamp
  });

  it("a byte changed inside the signed ranges: pdfsig reports the affected signatures invalid, and so do we", () => {
    const signed = revisions[2];
    // in the first revision (covered by all three): a byte of the binary comment after the header
    const at = signed.indexOf("\n%", 0, "latin1") + 2;
    expect(at).to.be.greaterThan(8).and.lessThan(20);
    const tampered = Buffer.from(signed);
    tampered[at] ^= 0x01;
    const all = check(tampered, "tampered-all.pdf");
    all.tool.forEach((t) => expect(t.validation, all.output).not.to.equal(VALID));
    all.ours.forEach((r) => {
      expect(r.integrityOk).to.equal(false);
      expect(r.problems.join("\n")).to.match(/messageDigest does not match/);
    });

    // in the last revision only (its /Location): only the third signature breaks
    const third = signed.toString("latin1").lastIndexOf("/Location <");
    expect(third).to.be.greaterThan(revisions[1].length);
    const tampered3 = Buffer.from(signed);
    const digit = third + "/Location <".length + 6; // a hex digit of the UTF-16 text, after the BOM
    tampered3[digit] = tampered3[digit] === 0x30 ? 0x31 : 0x30;
    const last = check(tampered3, "tampered-last.pdf");
    expect(last.tool.map((t) => t.validation === VALID), last.output).to.deep.equal([true, true, false]);
    expect(last.ours.map((r) => r.integrityOk)).to.deep.equal([true, true, false]);
  });

  it("bytes appended after the last signature: it no longer covers the whole document (pdfsig agrees), integrity intact", () => {
    const appended = Buffer.concat([revisions[2], Buffer.from("\n% appended after signing\n")]);
    const { tool, ours, output } = check(appended, "appended.pdf");
    expect(tool.map((t) => t.totalDocumentSigned), output).to.deep.equal([false, false, false]);
    expect(tool.every((t) => t.validation === VALID), output).to.equal(true);
    expect(ours[2].coversWholeDocument).to.equal(false);
    expect(ours[2].modifiedAfter).to.equal(true);
    expect(ours[2].integrityOk).to.equal(true);
  });

  it("signs a PDF with an xref stream and object streams (qpdf --object-streams=generate), answering with an xref stream", async () => {
    const inFile = file("plain.pdf", original);
    const outFile = path.join(tmp.dir, `${++n}-objstm.pdf`);
    const q = run("qpdf", ["--object-streams=generate", inFile, outFile]);
    expect(q.status, q.output).to.equal(0);
    const objstm = readFileSync(outFile);
    const structure = readPdf(objstm);
    expect(structure.xrefIsStream).to.equal(true);
    expect([...structure.entries.values()].some((e) => e.type === 2)).to.equal(true);

    const once = await sign(objstm, 0, "signer1");
    const twice = await sign(once, 1, "signer2");
    expect(twice.subarray(0, objstm.length).equals(objstm)).to.equal(true);
    const tail = twice.toString("latin1", once.length);
    expect(tail).to.match(/\/Type \/XRef/);
    expect(tail).not.to.match(/\nxref\n/);
    qpdfCheck(once, "objstm-1.pdf");
    qpdfCheck(twice, "objstm-2.pdf");
    const { tool, ours, output } = check(twice, "objstm-2.pdf");
    expect(tool.map((t) => [t.validation, t.certificateValidation, t.totalDocumentSigned]), output).to.deep.equal([
      [VALID, TRUSTED, false],
      [VALID, TRUSTED, true],
    ]);
    expect(ours.every((r) => r.integrityOk && r.chainOk && r.timestamp?.ok)).to.equal(true);
  });

  it("an invisible signature (no stamp) and a PDF that already has a form", async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage([400, 300]);
    page.drawText("Form with a text field", { x: 20, y: 260, size: 12, font: await doc.embedFont(StandardFonts.Helvetica) });
    const form = doc.getForm();
    form.createTextField("comment").addToPage(page, { x: 20, y: 200, width: 200, height: 24 });
    const withForm = Buffer.from(await doc.save());
    const signed = await sign(withForm, 2, "invisible", { stamp: undefined });
    qpdfCheck(signed, "invisible.pdf");
    const { tool, ours, output } = check(signed, "invisible.pdf");
    expect(tool.map((t) => [t.validation, t.certificateValidation, t.totalDocumentSigned]), output).to.deep.equal([[VALID, TRUSTED, true]]);
    expect(ours[0].problems).to.deep.equal([]);
    // the text field is still there, next to the signature field
    const s = readPdf(signed);
    const names = terminalFields(s).map((f) => f.fullName);
    expect(names).to.have.members(["comment", "invisible"]);
  });

  it("refuses a duplicate field name, a key that is not the certificate's, and a timestamp over something else", async () => {
    let err: Error | null = null;
    try {
      await sign(revisions[0], 1, "signer1");
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.match(/already has a field named "signer1"/);

    const wrongKey: PadesSigner = { ...pki.signers[0].signer, privateKeyPem: pki.signers[1].signer.privateKeyPem };
    err = null;
    try {
      await signPdf(original, wrongKey, { fieldName: "x", timestamp: tsaFor(pki) });
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.match(/does not belong to the certificate/);

    const otherTsa = tsaFor(pki);
    err = null;
    try {
      await signPdf(original, pki.signers[0].signer, {
        fieldName: "x",
        timestamp: (sig) => otherTsa(createHash("sha256").update(sig).digest()),
      });
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.match(/imprint is not the SHA-256 of the signature value/);
  });

  it("our verifier reports an untrusted root as a chain problem, not an integrity one", () => {
    const other = issue({ commonName: "Unrelated Root 无关根证书", key: newKey(), issuer: null, ca: true });
    const reports = verifyPdfSignatures(revisions[1], [other.certPem]);
    expect(reports).to.have.length(2);
    for (const r of reports) {
      expect(r.integrityOk).to.equal(true);
      expect(r.chainOk).to.equal(false);
      expect(r.chainProblem).to.match(/does not chain to a trusted root/);
      expect(r.timestamp?.ok).to.equal(false);
    }
  });
});
