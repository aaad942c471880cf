// A PDF signature report for people: every signature with its signer, whether it chains to a
// trusted root, the bytes it covers, whether the document changed after it, its timestamp, and the
// digest of the revision it signed. Built on verify.ts's recomputation; no I/O, shared by the API
// (POST /api/verify/pdf) and the CLI (npm run verify -- file.pdf).
import { createHash } from "node:crypto";
import { PDFDict, PDFHexString, PDFName, PDFString } from "pdf-lib";
import { parseCertificate, type ParsedCertificate } from "../pki/certificate-parse";
import { parseSignedData } from "../pki/cms";
import { readPdf, terminalFields } from "./reader";
import { derPrefix, verifyPdfSignatures, type PdfSignatureReport } from "./verify";

export interface SignatureSummary {
  field: string;
  signer: {
    subject: string;
    issuer: string;
    serialHex: string;
    fingerprintSha256: string;
    notBefore: string;
    notAfter: string;
  } | null;
  /** the signed bytes are unchanged and the CMS signature verifies */
  intact: boolean;
  /** the signer's certificate chains to a trusted root (at the timestamp's time when there is one) */
  chain: { trusted: boolean; problem: string | null };
  byteRange: number[];
  coversWholeDocument: boolean;
  /** bytes were added after this signature (later signatures or other incremental updates) */
  changedAfter: boolean;
  /** the revision this signature signed: its first `size` bytes, and their SHA-256 */
  revision: { size: number; sha256: string } | null;
  timestamp: { valid: boolean; time: string | null; problems: string[] } | null;
  claimedSigningTime: string | null;
  reason: string | null;
  location: string | null;
  subFilter: string;
  valid: boolean;
  problems: string[];
}

export interface PdfReport {
  sha256: string;
  size: number;
  signatures: SignatureSummary[];
  /** every signature valid (intact, trusted, timestamped) and the last one covers the whole file */
  allValid: boolean;
  /** the last signature covers the whole file: nothing was added after it */
  lastCoversWholeDocument: boolean;
}

function describeCert(pem: string | null): SignatureSummary["signer"] {
  if (!pem) return null;
  try {
    const c = parseCertificate(pem);
    return {
      subject: c.subjectText,
      issuer: c.x509.issuer.split("\n").join(", "),
      serialHex: c.x509.serialNumber.toLowerCase(),
      fingerprintSha256: c.x509.fingerprint256.replace(/:/g, "").toLowerCase(),
      notBefore: c.notBefore.toISOString(),
      notAfter: c.notAfter.toISOString(),
    };
  } catch {
    return null;
  }
}

function summarise(pdf: Buffer, r: PdfSignatureReport): SignatureSummary {
  const end = r.byteRange.length === 4 ? r.byteRange[2] + r.byteRange[3] : null;
  const intact = r.integrityOk;
  const timestamp = r.timestamp ? { valid: r.timestamp.ok, time: r.timestamp.genTime, problems: r.timestamp.problems } : null;
  return {
    field: r.fieldName,
    signer: describeCert(r.signerCertPem) ?? (r.signerSubject ? { subject: r.signerSubject, issuer: "", serialHex: "", fingerprintSha256: "", notBefore: "", notAfter: "" } : null),
    intact,
    chain: { trusted: r.chainOk, problem: r.chainOk ? null : (r.chainProblem ?? "not checked") },
    byteRange: r.byteRange,
    coversWholeDocument: r.coversWholeDocument,
    changedAfter: r.modifiedAfter,
    revision: end !== null && end <= pdf.length ? { size: end, sha256: "0x" + createHash("sha256").update(pdf.subarray(0, end)).digest("hex") } : null,
    timestamp,
    claimedSigningTime: r.claimedSigningTime ?? null,
    reason: r.reason ?? null,
    location: r.location ?? null,
    subFilter: r.subFilter,
    valid: intact && r.chainOk && !!timestamp?.valid && r.problems.length === 0,
    problems: r.problems,
  };
}

/** The report; throws PdfStructureError when the file's structure cannot be read. */
export function pdfSignatureReport(pdf: Buffer, trustedRootPems: string[]): PdfReport {
  const signatures = verifyPdfSignatures(pdf, trustedRootPems).map((r) => summarise(pdf, r));
  const last = signatures[signatures.length - 1];
  const lastCoversWholeDocument = !!last?.coversWholeDocument;
  return {
    sha256: "0x" + createHash("sha256").update(pdf).digest("hex"),
    size: pdf.length,
    signatures,
    allValid: signatures.length > 0 && signatures.every((s) => s.valid) && lastCoversWholeDocument,
    lastCoversWholeDocument,
  };
}

/** The DER value at the start of the /Contents bytes, or null when there is none. */
function derOf(raw: Buffer): Buffer | null {
  try {
    return derPrefix(raw);
  } catch {
    return null;
  }
}

/**
 * Self-signed CA certificates carried inside the PDF's signatures: what a verifier without a pinned
 * root can check the chains against (and must then compare with the platform's published root).
 */
export function rootsCarriedInSignatures(pdf: Buffer): ParsedCertificate[] {
  const roots = new Map<string, ParsedCertificate>();
  for (const field of terminalFields(readPdf(pdf))) {
    if (field.fieldType !== "Sig") continue;
    const v = field.dict.lookup(PDFName.of("V"));
    const contents = v instanceof PDFDict ? v.lookup(PDFName.of("Contents")) : undefined;
    if (!(contents instanceof PDFHexString || contents instanceof PDFString)) continue;
    const der = derOf(Buffer.from(contents.asBytes()));
    if (!der) continue;
    try {
      for (const c of parseSignedData(der).certificates) {
        const cert = parseCertificate(c);
        if (cert.isCA && cert.issuerDer.equals(cert.subjectDer) && cert.x509.verify(cert.publicKey)) roots.set(cert.x509.fingerprint256, cert);
      }
    } catch {
      // an unreadable signature is reported by the verifier
    }
  }
  return [...roots.values()];
}
