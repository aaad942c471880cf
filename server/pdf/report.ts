// A PDF signature report for people: every signature with its signer, whether it chains to a
// trusted root, the bytes it covers, whether the document changed after it, its timestamp, and the
// digest of the revision it signed. Built on verify.ts's recomputation; no I/O, shared by the API
// (POST /api/verify/pdf) and the CLI (npm run verify -- file.pdf).
import { createHash } from "node:crypto";
import { PDFDict, PDFHexString, PDFName, PDFString } from "pdf-lib";
import { parseCertificate, type ParsedCertificate } from "../pki/certificate-parse";
import { parseSignedData } from "../pki/cms";
import { parseCertificatePem } from "../pki/certificate-parse";
import { classifyChanges, type ChangeReport } from "./changes";
import { readDss } from "./dss";
import { readPdf, terminalFields } from "./reader";
import { verifyDocTimestamps } from "./doc-timestamp-verify";
import { judgePath, readCrls, readOcsps, type CertificateRevocation, type CrlInput, type ParsedOcsp } from "./revocation-judgement";
import { derPrefix, verifyPdfSignatures, type PdfSignatureReport } from "./verify";

/** One finding of the verdict: a machine-readable code, whether it makes the signature invalid, and a sentence. */
export interface Finding {
  code: string;
  severity: "error" | "warning" | "info";
  message: string;
}

export interface ReportOptions {
  /** CRLs from outside the file (the platform's current CRL and ARL, or --crl files): used when the DSS has none */
  crls?: CrlInput[];
  /** the time of the verdict (default now) */
  now?: Date;
}

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
  /** every certificate of the signer's and the TSA's paths, but the trust anchors */
  revocation: CertificateRevocation[];
  /** what changed after this signature, classified (null when the revision cannot be read) */
  changes: ChangeReport | null;
  findings: Finding[];
  claimedSigningTime: string | null;
  reason: string | null;
  location: string | null;
  subFilter: string;
  valid: boolean;
  problems: string[];
}

/** A document timestamp (PAdES B-LTA): the file up to it existed at `time`. */
export interface DocTimestampSummary {
  field: string;
  byteRange: number[];
  coversWholeDocument: boolean;
  /** the imprint is the SHA-256 of its ranges, the token verifies, the TSA chains to a trusted root */
  intact: boolean;
  time: string | null;
  tsa: string | null;
  /** every certificate of the TSA's path but the trust anchor */
  revocation: CertificateRevocation[];
  /** what changed after it, classified */
  changes: ChangeReport | null;
  valid: boolean;
  problems: string[];
}

export interface PdfReport {
  sha256: string;
  size: number;
  signatures: SignatureSummary[];
  /** the document timestamps, oldest first (each must be valid for allValid) */
  documentTimestamps: DocTimestampSummary[];
  /** every signature valid (intact, trusted, timestamped, not revoked at its proof of existence, nothing
   * disallowed changed after it) */
  allValid: boolean;
  /** where revocation data came from: the file's DSS and/or outside sources */
  revocationData: { dssCrls: number; dssOcsps: number; outsideCrls: number };
  /** every signature's findings, and the document's own */
  findings: (Finding & { field: string | null })[];
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

const CHANGE_TEXT: Record<string, string> = {
  changed_dss_added: "revocation data (DSS) added: allowed (long-term validation)",
  changed_doc_timestamp_added: "a document timestamp added: allowed (long-term validation)",
  changed_form_filled: "form fields filled",
  changed_signature_added: "signatures added",
  changed_annotation_added: "annotations added or changed",
  changed_page_content: "page content changed",
  changed_resources: "page resources changed",
  changed_structure: "document structure changed",
};

type Crls = ReturnType<typeof readCrls>["crls"];
interface Revinfo {
  crls: Crls;
  ocsps: ParsedOcsp[];
}

const parsePems = (pems: string[] | undefined) => (pems ?? []).map((p) => parseCertificatePem(p));

function revocationOf(r: PdfSignatureReport, { crls, ocsps }: Revinfo, now: Date): CertificateRevocation[] {
  const parse = parsePems;
  try {
    const tsa = r.timestamp?.ok && r.tsaChainPems ? judgePath(parse(r.tsaChainPems), "tsa", crls, null, now, ocsps) : [];
    // a timestamp proves a time only when its own authority is not revoked (nor unknown)
    const poe = r.timestamp?.ok && r.timestamp.genTime && !tsa.some((t) => t.blocking) ? new Date(r.timestamp.genTime) : null;
    const signer = r.chainOk && r.chainPems ? judgePath(parse(r.chainPems), "signer", crls, poe, now, ocsps) : [];
    return [...signer, ...tsa];
  } catch {
    return [];
  }
}

function summarise(pdf: Buffer, r: PdfSignatureReport, crls: Revinfo, now: Date): SignatureSummary {
  const end = r.byteRange.length === 4 ? r.byteRange[2] + r.byteRange[3] : null;
  const intact = r.integrityOk;
  const timestamp = r.timestamp ? { valid: r.timestamp.ok, time: r.timestamp.genTime, problems: r.timestamp.problems } : null;
  const revocation = revocationOf(r, crls, now);
  let changes: ChangeReport | null = null;
  const findings: Finding[] = [];
  if (end !== null && end <= pdf.length) {
    try {
      changes = classifyChanges(pdf, end);
    } catch (e) {
      findings.push({ code: "changes_unreadable", severity: "error", message: `what changed after this signature cannot be read: ${(e as Error).message}` });
    }
  }
  for (const v of revocation) {
    if (v.code === "revocation_good") continue;
    findings.push({ code: v.code, severity: v.blocking ? "error" : "warning", message: `${v.role} "${v.subject}" (serial ${v.serialHex}): ${v.detail}` });
  }
  if (r.chainOk && r.chainPems && revocation.length === 0 && r.chainPems.length > 1) {
    findings.push({ code: "revocation_unknown", severity: "error", message: "the revocation of the signer's chain could not be judged" });
  }
  for (const c of changes?.findings ?? []) {
    const level = changes!.docMdpPermission === null ? "not certified: judged as /DocMDP /P 2" : `/DocMDP /P ${changes!.docMdpPermission}`;
    findings.push({
      code: c.code,
      severity: c.allowed ? "info" : "error",
      message: `${CHANGE_TEXT[c.code] ?? c.code}${c.allowed ? "" : `: not allowed (${level})`}: ${c.objects.join(", ")}`,
    });
  }
  const blocking = findings.some((f) => f.severity === "error");
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
    revocation,
    changes,
    findings,
    claimedSigningTime: r.claimedSigningTime ?? null,
    reason: r.reason ?? null,
    location: r.location ?? null,
    subFilter: r.subFilter,
    valid: intact && r.chainOk && !!timestamp?.valid && r.problems.length === 0 && !blocking,
    problems: r.problems,
  };
}

/** The report; throws PdfStructureError when the file's structure cannot be read. */
export function pdfSignatureReport(pdf: Buffer, trustedRootPems: string[], opts: ReportOptions = {}): PdfReport {
  const now = opts.now ?? new Date();
  const dss = readDss(readPdf(pdf));
  const outside = opts.crls ?? [];
  const { crls, problems: crlProblems } = readCrls([...dss.crls.map((der) => ({ der, source: "dss" as const })), ...outside]);
  const { ocsps, problems: ocspProblems } = readOcsps(dss.ocsps.map((der) => ({ der, source: "dss" as const })));
  const problems = [...crlProblems, ...ocspProblems];
  const revinfo = { crls, ocsps };
  const signatures = verifyPdfSignatures(pdf, trustedRootPems).map((r) => summarise(pdf, r, revinfo, now));
  const documentTimestamps = verifyDocTimestamps(pdf, trustedRootPems).map((t): DocTimestampSummary => {
    // a document timestamp's TSA is judged like a signature timestamp's: at the verdict's time, from the DSS
    let revocation: CertificateRevocation[] = [];
    try {
      revocation = t.ok && t.tsaChainPems ? judgePath(parsePems(t.tsaChainPems), "tsa", crls, null, now, ocsps) : [];
    } catch {
      revocation = [];
    }
    const end = t.byteRange.length === 4 ? t.byteRange[2] + t.byteRange[3] : null;
    let changes: ChangeReport | null = null;
    try {
      changes = end !== null ? classifyChanges(pdf, end) : null;
    } catch {
      changes = null;
    }
    const revocationOk = revocation.length > 0 && revocation.every((v) => !v.blocking);
    return {
      field: t.fieldName,
      byteRange: t.byteRange,
      coversWholeDocument: t.coversWholeDocument,
      intact: t.ok,
      time: t.genTime,
      tsa: t.tsaSubject,
      revocation,
      changes,
      valid: t.ok && revocationOk && !!changes?.allowed,
      problems: t.problems,
    };
  });
  const last = signatures[signatures.length - 1];
  const lastCoversWholeDocument = !!last?.coversWholeDocument;
  const docFindings: Finding[] = [
    ...problems.map((m) => ({ code: "crl_unreadable", severity: "warning" as const, message: m })),
    ...dss.problems.map((m) => ({ code: "dss_unreadable", severity: "warning" as const, message: m })),
    ...documentTimestamps.flatMap((t): Finding[] =>
      t.valid
        ? [{ code: "doc_timestamp_valid", severity: "info" as const, message: `document timestamp ${t.field} at ${t.time} (${t.tsa}): valid` }]
        : [{ code: "doc_timestamp_invalid", severity: "error" as const, message: `document timestamp ${t.field}: ${[...t.problems, ...t.revocation.filter((v) => v.blocking).map((v) => v.detail), ...(t.changes && !t.changes.allowed ? ["changes after it are not allowed"] : [])].join("; ") || "not valid"}` }],
    ),
  ];
  return {
    sha256: "0x" + createHash("sha256").update(pdf).digest("hex"),
    size: pdf.length,
    signatures,
    // every signature's verdict includes what changed after it, so a DSS appended after the last one keeps it valid
    allValid: signatures.length > 0 && signatures.every((s) => s.valid) && documentTimestamps.every((t) => t.valid),
    documentTimestamps,
    lastCoversWholeDocument,
    revocationData: { dssCrls: dss.crls.length, dssOcsps: dss.ocsps.length, outsideCrls: outside.length },
    findings: [...docFindings.map((f) => ({ ...f, field: null })), ...signatures.flatMap((s) => s.findings.map((f) => ({ ...f, field: s.field })))],
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
