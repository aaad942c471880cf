// The PDF verdict knows revocation and what changed after each signature: files made here (signed
// with the test PKI, CRLs built with our CRL writer, updates appended by hand), each judged by our
// report and, when this machine has it, by pyHanko beside it: ours is never more lenient.
import { expect } from "chai";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { PDFArray, PDFDocument, PDFName, PDFRef, PDFString } from "pdf-lib";
import { buildCrl, type RevocationReason } from "../../server/pki/crl";
import { parseCertificatePem } from "../../server/pki/certificate-parse";
import { signPdf } from "../../server/pdf/pades";
import { readPdf, terminalFields } from "../../server/pdf/reader";
import { pdfSignatureReport, type PdfReport } from "../../server/pdf/report";
import type { CrlInput } from "../../server/pdf/revocation-judgement";
import { pyhankoPath, pyhankoValidate } from "../helpers/pyhanko";
import { appendDss, appendPageChange, appendUpdate, streamBody } from "./incremental";
import { contractPdf, pdfTestPki, tempDir, tsaFor, type PdfTestPki } from "./helpers";

const DAY = 86_400_000;

function crlOf(issuer: { certPem: string; privateKeyPem: string }, revoked: { certPem: string; at: Date; reason: RevocationReason }[]): Buffer {
  const now = Date.now();
  return buildCrl({
    issuerCertPem: issuer.certPem,
    issuerKeyPem: issuer.privateKeyPem,
    revoked: revoked.map((r) => ({ serialHex: parseCertificatePem(r.certPem).serialHex, revokedAt: r.at, reason: r.reason })),
    crlNumber: BigInt(now),
    thisUpdate: new Date(now - 1000),
    nextUpdate: new Date(now + 7 * DAY),
  });
}

const codes = (r: PdfReport) => r.findings.map((f) => f.code);

describe("PDF verdict: revocation and what changed after each signature", function () {
  this.timeout(300_000);
  let pki: PdfTestPki;
  let signed: Buffer;
  let genTime: Date;
  const tmp = tempDir("pdf-verdict");
  const dir = tmp.dir;
  const exe = pyhankoPath();
  const rootFile = path.join(dir, "root.pem");
  const verdicts: string[] = [];

  /** pyHanko's verdict on `pdf` (null without pyHanko); ours must not be more lenient. */
  function compare(name: string, pdf: Buffer, ours: PdfReport): void {
    if (!exe) return;
    const file = path.join(dir, `${name}.pdf`);
    writeFileSync(file, pdf);
    // a file with a DSS is judged from it (B-LT); one without, in pyHanko's default strict mode
    const theirs = pyhankoValidate(exe, file, rootFile, ours.revocationData.dssCrls ? { ltvProfile: "pades" } : {});
    const pyValid = theirs.signatures.length > 0 && theirs.signatures.every((s) => s.valid);
    verdicts.push(`${name}: pyHanko ${pyValid ? "VALID" : "INVALID"}, ours allValid=${ours.allValid} [${codes(ours).join(", ")}]`);
    if (!pyValid) expect(ours.allValid, `${name}: pyHanko judges it invalid:\n${theirs.output.slice(-1500)}`).to.equal(false);
  }

  before(async function () {
    pki = pdfTestPki();
    writeFileSync(rootFile, pki.root.certPem);
    signed = await signPdf(await contractPdf(), pki.signers[0].signer, { fieldName: "Signer1", timestamp: tsaFor(pki) });
    const base = pdfSignatureReport(signed, [pki.root.certPem], { crls: [] });
    genTime = new Date(base.signatures[0].timestamp!.time!);
  });

  after(function () {
    if (verdicts.length) console.log(`      pyHanko beside ours:\n        ${verdicts.join("\n        ")}`);
    else console.log("      (pyHanko not found: PYHANKO unset; the comparison was skipped)");
    tmp.rm();
  });

  /** The CRL of the issuing CA with `revoked`, the root's ARL with `caRevoked`, carried in a DSS. */
  function withDss(revoked: { certPem: string; at: Date; reason: RevocationReason }[], caRevoked: typeof revoked = []): Buffer {
    return appendDss(signed, [crlOf(pki.issuing, revoked), crlOf(pki.root, caRevoked)]);
  }

  it("no revocation data at all (CRL unreachable): unknown, never valid", function () {
    const r = pdfSignatureReport(signed, [pki.root.certPem], { crls: [] });
    expect(r.allValid).to.equal(false);
    expect(r.signatures[0].intact).to.equal(true);
    expect(r.signatures[0].revocation.map((v) => v.status)).to.include("unknown");
    expect(codes(r)).to.include("revocation_unknown");
    compare("no-revocation-data", signed, r);
  });

  it("a CRL signed by another key, an out-of-date CRL, or bytes that are no CRL: unknown, never good", function () {
    const other = crlOf(pki.root, []);
    // the root's CRL does not speak for the signer (issued by the issuing CA)
    const r1 = pdfSignatureReport(signed, [pki.root.certPem], { crls: [{ der: other, source: "given" }] });
    expect(r1.signatures[0].revocation.find((v) => v.role === "signer")!.status).to.equal("unknown");
    const stale = buildCrl({
      issuerCertPem: pki.issuing.certPem,
      issuerKeyPem: pki.issuing.privateKeyPem,
      revoked: [],
      crlNumber: 1n,
      thisUpdate: new Date(genTime.getTime() - 10 * DAY),
      nextUpdate: new Date(genTime.getTime() - 3 * DAY),
    });
    const r2 = pdfSignatureReport(signed, [pki.root.certPem], { crls: [{ der: stale, source: "given" }, { der: other, source: "given" }] });
    expect(r2.signatures[0].revocation.find((v) => v.role === "signer")).to.include({ status: "unknown", code: "revocation_unknown", blocking: true });
    expect(r2.allValid).to.equal(false);
    const r3 = pdfSignatureReport(signed, [pki.root.certPem], { crls: [{ der: Buffer.from("not a crl"), source: "given" }] });
    expect(codes(r3)).to.include.members(["crl_unreadable", "revocation_unknown"]);
    expect(r3.allValid).to.equal(false);
  });

  it("not revoked, CRLs given from outside (the platform's, or --crl): good, valid", function () {
    const crls: CrlInput[] = [crlOf(pki.issuing, []), crlOf(pki.root, [])].map((der) => ({ der, source: "given" }));
    const r = pdfSignatureReport(signed, [pki.root.certPem], { crls });
    expect(r.signatures[0].revocation.map((v) => [v.role, v.status])).to.deep.equal([["signer", "good"], ["ca", "good"], ["tsa", "good"], ["tsa-ca", "good"]]);
    expect(r.allValid, JSON.stringify(r.findings)).to.equal(true);
  });

  it("an appended DSS with the CRLs: allowed (changed_dss_added), revocation read from the DSS", function () {
    const pdf = withDss([]);
    const r = pdfSignatureReport(pdf, [pki.root.certPem], { crls: [] });
    expect(r.revocationData.dssCrls).to.equal(2);
    expect(r.signatures[0].changedAfter).to.equal(true);
    expect(r.signatures[0].changes!.findings.map((f) => [f.code, f.allowed])).to.deep.equal([["changed_dss_added", true]]);
    expect(r.signatures[0].revocation.every((v) => v.status === "good" && v.source === "dss")).to.equal(true);
    expect(r.allValid, JSON.stringify(r.findings)).to.equal(true);
    compare("dss-good", pdf, r);
  });

  it("the signer revoked (keyCompromise) after the signature timestamp: stands, the revocation shown", function () {
    const pdf = withDss([{ certPem: pki.signers[0].signer.certPem, at: new Date(genTime.getTime() + 5000), reason: "keyCompromise" }]);
    const r = pdfSignatureReport(pdf, [pki.root.certPem], { crls: [] });
    const signer = r.signatures[0].revocation.find((v) => v.role === "signer")!;
    expect(signer).to.include({ status: "revoked", reason: "keyCompromise", code: "revoked_after_timestamp", blocking: false });
    expect(r.findings.find((f) => f.code === "revoked_after_timestamp")!.severity).to.equal("warning");
    expect(r.allValid).to.equal(true);
    compare("signer-revoked-after", pdf, r);
  });

  it("the signer revoked before the signature timestamp: invalid", function () {
    const pdf = withDss([{ certPem: pki.signers[0].signer.certPem, at: new Date(genTime.getTime() - DAY), reason: "keyCompromise" }]);
    const r = pdfSignatureReport(pdf, [pki.root.certPem], { crls: [] });
    expect(codes(r)).to.include("revoked_before_signing");
    expect(r.allValid).to.equal(false);
    compare("signer-revoked-before", pdf, r);
  });

  it("the TSA revoked: the timestamp proves no time, so a later signer revocation counts too; invalid", function () {
    const pdf = withDss([
      { certPem: pki.tsa.certPem, at: new Date(genTime.getTime() - DAY), reason: "keyCompromise" },
      { certPem: pki.signers[0].signer.certPem, at: new Date(genTime.getTime() + 5000), reason: "keyCompromise" },
    ]);
    const r = pdfSignatureReport(pdf, [pki.root.certPem], { crls: [] });
    expect(codes(r)).to.include.members(["tsa_revoked", "revoked_no_timestamp"]);
    expect(r.allValid).to.equal(false);
    compare("tsa-revoked", pdf, r);
  });

  it("the issuing CA revoked (in the root's ARL): invalid", function () {
    const pdf = withDss([], [{ certPem: pki.issuing.certPem, at: new Date(genTime.getTime() - DAY), reason: "cACompromise" }]);
    const r = pdfSignatureReport(pdf, [pki.root.certPem], { crls: [] });
    const ca = r.signatures[0].revocation.find((v) => v.role === "ca")!;
    expect(ca).to.include({ status: "revoked", reason: "cACompromise", blocking: true });
    // the TSA is issued by the same CA: its timestamp proves no time either
    expect(codes(r)).to.include("tsa_revoked");
    expect(r.allValid).to.equal(false);
    compare("ca-revoked", pdf, r);
  });

  it("page 1's content replaced after the signature: named (changed_page_content), invalid", function () {
    const pdf = appendPageChange(signed, 0, (page, next) => {
      const n = next();
      page.set(PDFName.of("Contents"), PDFRef.of(n, 0));
      return new Map([[n, streamBody(Buffer.from("BT /F1 24 Tf 72 700 Td (Rewritten) Tj ET"))]]);
    });
    const r = pdfSignatureReport(pdf, [pki.root.certPem], { crls: [crlOf(pki.issuing, []), crlOf(pki.root, [])].map((der) => ({ der, source: "given" as const })) });
    const f = r.signatures[0].changes!.findings.find((x) => x.code === "changed_page_content")!;
    expect(f.allowed).to.equal(false);
    expect(f.objects.join(" ")).to.match(/\/Contents/);
    expect(r.allValid).to.equal(false);
    compare("page-content", pdf, r);
  });

  it("an annotation added after the signature: named (changed_annotation_added), not allowed at /P 2", function () {
    const pdf = appendPageChange(signed, 1, (page, next) => {
      const n = next();
      const annots = page.lookup(PDFName.of("Annots"));
      const list = annots instanceof PDFArray ? annots.asArray() : [];
      page.set(PDFName.of("Annots"), page.context.obj([...list, PDFRef.of(n, 0)]));
      return new Map([[n, `<< /Type /Annot /Subtype /Text /Rect [100 100 120 120] /Contents (note) >>`]]);
    });
    const r = pdfSignatureReport(pdf, [pki.root.certPem], { crls: [crlOf(pki.issuing, []), crlOf(pki.root, [])].map((der) => ({ der, source: "given" as const })) });
    const found = r.signatures[0].changes!.findings.filter((x) => x.code === "changed_annotation_added");
    expect(found.length).to.be.greaterThan(0);
    expect(found.every((x) => !x.allowed)).to.equal(true);
    expect(r.allValid).to.equal(false);
    compare("annotation", pdf, r);
  });

  it("a form field filled after the signature: allowed (changed_form_filled)", async function () {
    const doc = await PDFDocument.load(await contractPdf());
    doc.getForm().createTextField("party.name").addToPage(doc.getPage(1), { x: 60, y: 600, width: 200, height: 20 });
    const withField = await signPdf(Buffer.from(await doc.save({ useObjectStreams: false })), pki.signers[0].signer, { fieldName: "Signer1", timestamp: tsaFor(pki) });
    const field = terminalFields(readPdf(withField)).find((f) => f.fullName === "party.name")!;
    field.dict.set(PDFName.of("V"), PDFString.of("Zhang San"));
    const pdf = appendUpdate(withField, new Map([[field.ref!.objectNumber, field.dict.toString()]]));
    const r = pdfSignatureReport(pdf, [pki.root.certPem], { crls: [crlOf(pki.issuing, []), crlOf(pki.root, [])].map((der) => ({ der, source: "given" as const })) });
    expect(r.signatures[0].changes!.findings.map((x) => [x.code, x.allowed])).to.deep.equal([["changed_form_filled", true]]);
    expect(r.allValid, JSON.stringify(r.findings)).to.equal(true);
    compare("form-filled", pdf, r);
  });

  it("a second signature: the first sees changed_signature_added (allowed)", async function () {
    const two = await signPdf(signed, pki.signers[1].signer, { fieldName: "Signer2", timestamp: tsaFor(pki) });
    const r = pdfSignatureReport(two, [pki.root.certPem], { crls: [crlOf(pki.issuing, []), crlOf(pki.root, [])].map((der) => ({ der, source: "given" as const })) });
    expect(r.signatures[0].changes!.findings.every((x) => x.allowed), JSON.stringify(r.signatures[0].changes)).to.equal(true);
    expect(r.signatures[0].changes!.findings.map((x) => x.code)).to.include("changed_signature_added");
    expect(r.allValid, JSON.stringify(r.findings)).to.equal(true);
  });
});
