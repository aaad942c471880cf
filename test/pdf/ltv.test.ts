// PAdES B-LT and B-LTA made by server/pdf/ltv.ts on files signed with the test PKI, its OCSP
// answers made by the responder's own response writer (server/pki/ocsp/response.ts, signed by the
// issuing CA) and CRLs by the CRL writer: the DSS read back, our verdict, pyHanko's (LTV profiles,
// from the DSS alone: its network fetching is off in LTV mode, and the certificates name no URL
// anyway) and pdfsig's.
import { expect } from "chai";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { PDFArray, PDFDict, PDFName } from "pdf-lib";
import { buildCrl } from "../../server/pki/crl";
import { parseCertificatePem, type ParsedCertificate } from "../../server/pki/certificate-parse";
import { certIdDer } from "../../server/pki/ocsp/request-build";
import { buildOcspResponse } from "../../server/pki/ocsp/response";
import { timeStampDigest } from "../../server/pki/tsa";
import { vriKey } from "../../server/pdf/dss-write";
import { addValidationData, extendToLongTerm, renewLongTerm, type LongTermOptions } from "../../server/pdf/ltv";
import { signPdf } from "../../server/pdf/pades";
import { catalogOf, readPdf, terminalFields } from "../../server/pdf/reader";
import { pdfSignatureReport } from "../../server/pdf/report";
import { pyhankoPath, pyhankoValidate } from "../helpers/pyhanko";
import { contractPdf, haveTool, nssDbWithRoot, pdfsigSync, pdfTestPki, tempDir, tsaFor, type PdfTestPki } from "./helpers";

const DAY = 86_400_000;

/** The test PKI's revocation sources: the issuing CA answers OCSP itself; the root's CRL for CAs. */
function longTerm(pki: PdfTestPki, archive: boolean, calls: string[] = []): LongTermOptions {
  const issuing = parseCertificatePem(pki.issuing.certPem);
  const root = parseCertificatePem(pki.root.certPem);
  const by = (a: ParsedCertificate, b: ParsedCertificate) => a.subjectDer.equals(b.subjectDer);
  let serial = 5000n;
  return {
    trustedRootPems: [pki.root.certPem],
    revocation: {
      async ocsp(cert, issuer) {
        if (!by(issuer, issuing)) return null;
        calls.push(`ocsp ${cert.subjectText}`);
        const now = new Date();
        return buildOcspResponse({
          signerCertPem: pki.issuing.certPem,
          signerKeyPem: pki.issuing.privateKeyPem,
          responses: [{ certIdDer: certIdDer(cert, issuer), status: { status: "good" } }],
          nonce: null,
          producedAt: now,
          thisUpdate: now,
          nextUpdate: new Date(now.getTime() + DAY),
        });
      },
      async crl(_cert, issuer) {
        if (!by(issuer, root)) return null;
        calls.push(`crl ${issuer.subjectText}`);
        const now = Date.now();
        return buildCrl({ issuerCertPem: pki.root.certPem, issuerKeyPem: pki.root.privateKeyPem, revoked: [], crlNumber: BigInt(now), thisUpdate: new Date(now - 1000), nextUpdate: new Date(now + 7 * DAY) });
      },
    },
    ...(archive
      ? {
          documentTimestamp: (sha256: Buffer) =>
            timeStampDigest(sha256, { certPem: pki.tsa.certPem, privateKeyPem: pki.tsa.privateKeyPem, chainPems: [pki.issuing.certPem, pki.root.certPem] }, { serial: ++serial, genTime: new Date(), policyOid: "1.2.156.112233.1.1" }),
        }
      : {}),
  };
}

function dssOf(pdf: Buffer) {
  const s = readPdf(pdf);
  const dss = catalogOf(s).dict.lookup(PDFName.of("DSS")) as PDFDict;
  const count = (k: string) => (dss.lookup(PDFName.of(k)) as PDFArray | undefined)?.size() ?? 0;
  const vri = dss.lookup(PDFName.of("VRI")) as PDFDict;
  return { certs: count("Certs"), ocsps: count("OCSPs"), crls: count("CRLs"), vri: vri.keys().map((k) => k.decodeText()), s };
}

function contentsOf(pdf: Buffer, field: string): Buffer {
  const f = terminalFields(readPdf(pdf)).find((x) => x.fullName === field)!;
  return Buffer.from(((f.dict.lookup(PDFName.of("V")) as PDFDict).lookup(PDFName.of("Contents")) as unknown as { asBytes(): Uint8Array }).asBytes());
}

describe("PAdES B-LT and B-LTA (server/pdf/ltv.ts)", function () {
  this.timeout(300_000);
  let pki: PdfTestPki;
  let twoSigned: Buffer;
  const tmp = tempDir("pdf-ltv");
  const exe = pyhankoPath();
  const rootFile = path.join(tmp.dir, "root.pem");

  before(async function () {
    pki = pdfTestPki();
    writeFileSync(rootFile, pki.root.certPem);
    const one = await signPdf(await contractPdf(), pki.signers[0].signer, { fieldName: "Signer1", timestamp: tsaFor(pki) });
    const oneLt = await addValidationData(one, longTerm(pki, false));
    twoSigned = await addValidationData(await signPdf(oneLt, pki.signers[1].signer, { fieldName: "Signer2", timestamp: tsaFor(pki) }), longTerm(pki, false));
  });
  after(() => tmp.rm());

  function pyhanko(name: string, pdf: Buffer, profile: "pades" | "pades-lta") {
    const file = path.join(tmp.dir, `${name}.pdf`);
    writeFileSync(file, pdf);
    return pyhankoValidate(exe!, file, rootFile, { ltvProfile: profile });
  }

  it("B-LT: a DSS per signature, VRI keyed by the SHA-1 of /Contents, every chain certificate, OCSP for end entities, the root's CRL for CAs", function () {
    const d = dssOf(twoSigned);
    expect(d.vri).to.have.members([vriKey(contentsOf(twoSigned, "Signer1")), vriKey(contentsOf(twoSigned, "Signer2"))]);
    expect(d.vri[0]).to.match(/^[0-9A-F]{40}$/);
    expect(createHash("sha1").update(contentsOf(twoSigned, "Signer1")).digest("hex").toUpperCase()).to.be.oneOf(d.vri);
    // root, issuing CA, TSA, two signers; OCSP for each signer and the TSA (the TSA's once per
    // update, unless both answers came in the same second: then they are the same bytes, stored once); the root's CRL
    expect(d.certs).to.equal(5);
    expect(d.ocsps).to.be.within(3, 4);
    expect(d.crls).to.be.within(1, 2);
  });

  it("B-LT: our verdict valid from the DSS alone (OCSP evaluated), the updates classed changed_dss_added", function () {
    const r = pdfSignatureReport(twoSigned, [pki.root.certPem], { crls: [] });
    expect(r.allValid, JSON.stringify(r.findings, null, 1)).to.equal(true);
    expect(r.revocationData.dssOcsps).to.be.within(3, 4);
    for (const s of r.signatures) {
      expect(s.revocation.map((v) => [v.role, v.status, v.source])).to.deep.equal([["signer", "good", "dss"], ["ca", "good", "dss"], ["tsa", "good", "dss"], ["tsa-ca", "good", "dss"]]);
    }
    expect(r.signatures[1].changes!.findings.map((f) => f.code)).to.deep.equal(["changed_dss_added"]);
    expect(r.findings.map((f) => f.code)).to.not.include("dss_ocsp_not_evaluated");
  });

  it("B-LT: pyHanko (--ltv-profile pades) judges each signature intact, valid, trusted and LTV-valid from the DSS; pdfsig agrees", function () {
    if (!exe) return this.skip();
    const v = pyhanko("b-lt", twoSigned, "pades");
    expect(v.signatures.map((x) => x.field)).to.deep.equal(["Signer1", "Signer2"]);
    for (const sig of v.signatures) {
      expect(sig.valid, v.output).to.equal(true);
      expect(sig.text).to.contain("The signer's certificate is trusted.").and.contain("The signature is cryptographically sound.").and.contain("The TSA certificate is trusted.");
    }
    expect(v.status).to.equal(0);
    // without a document timestamp the same file is not B-LTA: the stricter profile must refuse it
    expect(pyhanko("b-lt-as-lta", twoSigned, "pades-lta").status).to.not.equal(0);
    if (haveTool("pdfsig")) {
      const p = pdfsigSync(path.join(tmp.dir, "b-lt.pdf"), nssDbWithRoot(path.join(tmp.dir, "nss-lt"), pki.root.certPem));
      expect(p.signatures.map((x) => [x.fieldName, x.validation, x.certificateValidation])).to.deep.equal([
        ["Signer1", "Signature is Valid.", "Certificate is Trusted."],
        ["Signer2", "Signature is Valid.", "Certificate is Trusted."],
      ]);
    }
  });

  it("B-LTA and renewal: document timestamps valid in our verdict and in pyHanko's (pades-lta), the signatures still valid in pdfsig", async function () {
    const lta = await extendToLongTerm(twoSigned, longTerm(pki, true));
    // OCSP times are whole seconds and the signatures deterministic: a renewal within the same second
    // would fetch byte-identical answers (kept once), so it waits for the next second to get fresh ones
    await new Promise((r) => setTimeout(r, 1005 - (Date.now() % 1000)));
    const renewed = await renewLongTerm(lta, longTerm(pki, true));
    for (const [name, pdf, stamps] of [["b-lta", lta, 1], ["renewed", renewed, 2]] as const) {
      const r = pdfSignatureReport(pdf, [pki.root.certPem], { crls: [] });
      expect(r.allValid, `${name}: ${JSON.stringify(r.findings, null, 1)}`).to.equal(true);
      expect(r.documentTimestamps.map((t) => [t.field, t.valid, t.intact])).to.deep.equal(
        Array.from({ length: stamps }, (_, i) => [`doc-timestamp-${i + 1}`, true, true]),
      );
      // the last timestamp's TSA is judged from the DSS update that follows it
      expect(r.documentTimestamps[stamps - 1].revocation.map((v) => [v.role, v.status, v.source])).to.deep.equal([["tsa", "good", "dss"], ["tsa-ca", "good", "dss"]]);
      expect(r.signatures[1].changes!.findings.map((f) => f.code)).to.have.members(["changed_dss_added", "changed_doc_timestamp_added", "changed_form_filled"]);
      if (exe) {
        const v = pyhanko(name, pdf, "pades-lta");
        expect(v.signatures.map((x) => [x.field, x.valid]), v.output).to.deep.equal([["Signer1", true], ["Signer2", true]]);
        expect(v.status, v.output).to.equal(0);
      }
      if (haveTool("pdfsig")) {
        const file = path.join(tmp.dir, `${name}-pdfsig.pdf`);
        writeFileSync(file, pdf);
        const p = pdfsigSync(file, nssDbWithRoot(path.join(tmp.dir, `nss-${name}`), pki.root.certPem));
        // poppler lists a document timestamp without validating it ("Unable to validate this type of signature")
        expect(p.signatures.map((x) => [x.fieldName, x.validation, x.certificateValidation])).to.deep.equal([
          ["Signer1", "Signature is Valid.", "Certificate is Trusted."],
          ["Signer2", "Signature is Valid.", "Certificate is Trusted."],
          ...Array.from({ length: stamps }, (_, i) => [`doc-timestamp-${i + 1}`, "Signature has not yet been verified.", null]),
        ]);
      }
    }
    // a renewal keeps every VRI entry as written and adds fresh OCSP answers beside them
    expect(dssOf(renewed).vri).to.include.members(dssOf(lta).vri);
    expect(dssOf(renewed).ocsps).to.be.greaterThan(dssOf(lta).ocsps);
  });

  it("a document timestamp over changed bytes is not valid", async function () {
    const lta = await extendToLongTerm(twoSigned, longTerm(pki, true));
    const r0 = pdfSignatureReport(lta, [pki.root.certPem], { crls: [] });
    const bad = Buffer.from(lta);
    // a padding digit of the first signature's /Contents: inside the timestamp's range, outside the signature's
    const at = r0.signatures[0].byteRange[2] - 10;
    expect(String.fromCharCode(bad[at])).to.equal("0");
    bad[at] = "1".charCodeAt(0);
    const r = pdfSignatureReport(bad, [pki.root.certPem], { crls: [] });
    expect(r.documentTimestamps[0].valid).to.equal(false);
    expect(r.findings.map((f) => f.code)).to.include("doc_timestamp_invalid");
    expect(r.allValid).to.equal(false);
  });
});
