// Our own PDF signature verifier: finds every signed signature field through the AcroForm,
// recomputes the digest over its /ByteRange, verifies the CMS (server/pki/cms.ts), the signer's
// certification path, and the RFC 3161 signature timestamp (server/pki/tsa.ts).
//
// Each report says what holds for that signature: integrity (the signed bytes are unchanged and
// the CMS signature verifies), whether the byte range reaches the end of the file or later
// revisions were appended (incremental updates), the chain, and the timestamp, with the validated
// paths. Revocation (revocation-judgement.ts) and what later revisions changed (changes.ts) are
// judged on top of this by report.ts.
import { createHash, verify as cryptoVerify } from "node:crypto";
import { PDFArray, PDFDict, PDFHexString, PDFName, PDFNumber, PDFString } from "pdf-lib";
import { parseCertificate, parseCertificatePem, parseCertificatesPem, type ParsedCertificate } from "../pki/certificate-parse";
import { validatePath } from "../pki/certificate-verify";
import { childrenOf, decodeDer, readOctetString, readOid, sequenceOf, type DerNode } from "../pki/der-read";
import { DIGESTS, OID } from "../pki/oid";
import { parseSignedData, SIGNATURE_ALGORITHMS, signerKeyUsageProblems, verifySignedData, type ParsedSignedData } from "../pki/cms";
import { verifyTimeStampToken } from "../pki/tsa";
import { readPdf, terminalFields, textOf, type PdfStructure } from "./reader";

export interface PdfSignatureReport {
  fieldName: string;
  signerSubject: string;
  signerCertPem: string | null;
  byteRange: number[];
  /** the byte range ends at the end of the file */
  coversWholeDocument: boolean;
  /** bytes were appended after this signature's byte range (incremental updates) */
  modifiedAfter: boolean;
  /** the digest of the byte ranges equals messageDigest and the CMS signature verifies */
  integrityOk: boolean;
  chainOk: boolean;
  chainProblem?: string;
  timestamp: { ok: boolean; genTime: string | null; problems: string[] } | null;
  /** the validated certification paths (leaf first, trust anchor last): what revocation is judged on */
  chainPems?: string[];
  tsaChainPems?: string[];
  subFilter: string;
  /** /M of the signature dictionary (the time the signer claims), ISO 8601, if readable */
  claimedSigningTime?: string | null;
  /** /Reason, /Location, /ContactInfo when present */
  reason?: string | null;
  location?: string | null;
  problems: string[];
}

/** id-aa-signatureTimeStampToken (RFC 3161 appendix A): the unsigned attribute of a PAdES B-T signature */
export const OID_SIGNATURE_TIMESTAMP = "1.2.840.113549.1.9.16.2.14";

const SUPPORTED_SUBFILTERS = new Set(["ETSI.CAdES.detached", "adbe.pkcs7.detached"]);

/** The DER value at the start of `buf` (the /Contents hex string is padded with zeros after it). */
export function derPrefix(buf: Buffer): Buffer {
  if (buf.length < 2 || buf[0] !== 0x30) throw new Error("the /Contents is not a DER SEQUENCE");
  const first = buf[1];
  let len: number;
  let header: number;
  if (first < 0x80) {
    len = first;
    header = 2;
  } else {
    const n = first & 0x7f;
    if (n === 0 || n > 4) throw new Error("the /Contents has an unsupported DER length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[2 + i];
    header = 2 + n;
  }
  if (header + len > buf.length) throw new Error("the /Contents DER is truncated");
  return buf.subarray(0, header + len);
}

/** The unsigned attributes of the (single) SignerInfo, by OID. */
export function unsignedAttributes(cms: Buffer): Map<string, DerNode[]> {
  const out = new Map<string, DerNode[]>();
  const ci = sequenceOf(decodeDer(cms), "ContentInfo");
  const sd = sequenceOf(childrenOf(ci[1])[0], "SignedData");
  const signerInfos = sequenceOf(sd[sd.length - 1], "signerInfos", 0x31);
  if (signerInfos.length !== 1) return out;
  const fields = sequenceOf(signerInfos[0], "SignerInfo");
  const unsigned = fields.find((f) => f.tag === 0xa1);
  if (!unsigned) return out;
  for (const a of childrenOf(unsigned)) {
    const parts = sequenceOf(a, "Attribute");
    out.set(readOid(parts[0], "attrType"), sequenceOf(parts[1], "attrValues", 0x31));
  }
  return out;
}

function readPdfDate(s: string | null): string | null {
  if (!s) return null;
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(Z|[+-]\d{2}'?\d{2}'?)?/.exec(s);
  if (!m) return null;
  const [y, mo = "01", d = "01", h = "00", mi = "00", se = "00"] = m.slice(1, 7);
  let tz = m[7] ?? "Z";
  if (tz !== "Z") tz = `${tz.slice(0, 3)}:${tz.slice(3).replace(/'/g, "").padEnd(2, "0")}`;
  const t = new Date(`${y}-${mo}-${d}T${h}:${mi}:${se}${tz}`);
  return Number.isNaN(t.getTime()) ? null : t.toISOString();
}

/** A report with nothing verified yet: every check false until shown otherwise. */
function unverifiedReport(fieldName: string, problems: string[]): PdfSignatureReport {
  return {
    fieldName,
    signerSubject: "",
    signerCertPem: null,
    byteRange: [],
    coversWholeDocument: false,
    modifiedAfter: false,
    integrityOk: false,
    chainOk: false,
    timestamp: null,
    subFilter: "",
    problems,
  };
}

/** The TSA certificate's validated path (leaf first), from the token's own certificates. */
export function tsaPath(token: Buffer, tsaCertPem: string, trustedRootPems: string[], at: Date): string[] | undefined {
  try {
    const pool = parseSignedData(token).certificates.map((d) => parseCertificate(d));
    const path = validatePath(parseCertificatePem(tsaCertPem), pool, parseCertificatesPem(trustedRootPems), at);
    return path.path?.map((c) => c.pem);
  } catch {
    return undefined;
  }
}

function verifyOne(pdf: Buffer, fieldName: string, sig: PDFDict, trustedRootPems: string[]): PdfSignatureReport {
  const problems: string[] = [];
  const report: PdfSignatureReport = {
    ...unverifiedReport(fieldName, problems),
    claimedSigningTime: readPdfDate(textOf(sig.lookup(PDFName.of("M")))),
    reason: textOf(sig.lookup(PDFName.of("Reason"))),
    location: textOf(sig.lookup(PDFName.of("Location"))),
  };
  const sub = sig.lookup(PDFName.of("SubFilter"));
  report.subFilter = sub instanceof PDFName ? sub.decodeText() : "";
  if (!SUPPORTED_SUBFILTERS.has(report.subFilter)) {
    problems.push(`unsupported /SubFilter "${report.subFilter}"`);
    return report;
  }

  // /ByteRange: [0 a b c], two ranges around the /Contents hex string
  const brObj = sig.lookup(PDFName.of("ByteRange"));
  const br: number[] = [];
  if (brObj instanceof PDFArray) {
    for (let i = 0; i < brObj.size(); i++) {
      const v = brObj.lookup(i);
      if (v instanceof PDFNumber) br.push(v.asNumber());
    }
  }
  report.byteRange = br;
  if (br.length !== 4 || !br.every((n) => Number.isInteger(n) && n >= 0) || br[0] !== 0 || br[1] > br[2]) {
    problems.push(`malformed /ByteRange [${br.join(" ")}]`);
    return report;
  }
  const end = br[2] + br[3];
  if (end > pdf.length) {
    problems.push(`the /ByteRange reaches byte ${end}, beyond the end of the file (${pdf.length})`);
    return report;
  }
  report.coversWholeDocument = end === pdf.length;
  report.modifiedAfter = end < pdf.length;
  // the gap must be exactly the /Contents hex string: nothing else may be left unsigned
  const gap = pdf.toString("latin1", br[1], br[2]);
  if (!/^<[0-9A-Fa-f\s]*>$/.test(gap)) problems.push("the /ByteRange leaves bytes other than the /Contents hex string unsigned");

  const contentsObj = sig.lookup(PDFName.of("Contents"));
  let cms: Buffer;
  try {
    const raw =
      contentsObj instanceof PDFHexString || contentsObj instanceof PDFString ? Buffer.from(contentsObj.asBytes()) : null;
    if (!raw) throw new Error("the signature dictionary has no /Contents string");
    cms = Buffer.from(derPrefix(raw));
  } catch (e) {
    problems.push((e as Error).message);
    return report;
  }
  // the /Contents in the gap must be the one the dictionary holds (a gap elsewhere proves nothing)
  const gapBytes = Buffer.from(gap.slice(1, -1).replace(/\s+/g, ""), "hex");
  if (!gapBytes.subarray(0, cms.length).equals(cms)) problems.push("the /ByteRange gap is not this signature's /Contents");

  const rangeDigest = (hashName: string) =>
    createHash(hashName).update(pdf.subarray(0, br[1])).update(pdf.subarray(br[2], end)).digest();

  let parsed: ParsedSignedData;
  try {
    parsed = parseSignedData(cms);
  } catch (e) {
    problems.push(`the /Contents is not a CMS SignedData: ${(e as Error).message}`);
    return report;
  }

  // the timestamp first: a valid one gives the time at which to validate the chain
  const si = parsed.signerInfos[0];
  let validationTime = new Date();
  try {
    const unsigned = unsignedAttributes(cms);
    const ts = unsigned.get(OID_SIGNATURE_TIMESTAMP);
    if (ts && si) {
      const token = Buffer.from(ts[0].raw);
      const v = verifyTimeStampToken(token, createHash("sha256").update(si.signature).digest(), trustedRootPems);
      report.timestamp = { ok: v.ok, genTime: v.genTime?.toISOString() ?? null, problems: v.problems };
      if (v.ok && v.genTime) validationTime = v.genTime;
      if (v.ok && v.genTime && v.tsaCertPem) report.tsaChainPems = tsaPath(token, v.tsaCertPem, trustedRootPems, v.genTime);
      if (!v.ok) problems.push(...v.problems.map((p) => `timestamp: ${p}`));
    }
  } catch (e) {
    report.timestamp = { ok: false, genTime: null, problems: [(e as Error).message] };
    problems.push(`timestamp: ${(e as Error).message}`);
  }
  if (report.subFilter === "ETSI.CAdES.detached" && !report.timestamp) {
    problems.push("no signature timestamp (PAdES B-B only, not B-T)");
  }

  const check = verifySignedData(parsed, {
    expectedContentType: OID.data,
    contentDigest: (h) => rangeDigest(h),
    trustedRootPems,
    extraCerts: [],
    leafProblems: signerKeyUsageProblems,
    validationTime,
    role: "signer",
  });
  problems.push(...check.problems);
  const signer = check.signer;
  if (signer) {
    report.signerSubject = signer.subjectText;
    report.signerCertPem = signer.pem;
  }
  if (report.subFilter === "ETSI.CAdES.detached" && si?.attributes.some((a) => a.oid === OID.signingTime)) {
    problems.push("the signingTime signed attribute is present (PAdES, EN 319 142-1 5.2.1, forbids it)");
  }

  // integrity, recomputed on its own: messageDigest == digest of the ranges, and the signature
  if (si && si.signedAttrsRaw && signer) {
    const md = si.attributes.find((a) => a.oid === OID.messageDigest);
    const digest = DIGESTS[si.digestAlgorithm];
    let mdOk = false;
    try {
      mdOk = !!md && !!digest && digest.name !== "sha1" && readOctetString(md.values[0], "messageDigest").equals(rangeDigest(digest.name));
    } catch {
      mdOk = false;
    }
    const tbs = Buffer.concat([Buffer.from([0x31]), si.signedAttrsRaw.subarray(1)]);
    let sigOk = false;
    if (si.signatureAlgorithm in SIGNATURE_ALGORITHMS) {
      try {
        sigOk = cryptoVerify(SIGNATURE_ALGORITHMS[si.signatureAlgorithm] ?? digest?.name ?? "sha256", tbs, signer.publicKey, si.signature);
      } catch {
        sigOk = false;
      }
    }
    report.integrityOk = mdOk && sigOk;
  }

  // the chain, on its own
  if (signer) {
    let roots: ParsedCertificate[] = [];
    try {
      roots = parseCertificatesPem(trustedRootPems);
    } catch {
      roots = [];
    }
    const pool = parsed.certificates.flatMap((d) => {
      try {
        return [parseCertificate(d)];
      } catch {
        return [];
      }
    });
    const path = roots.length
      ? validatePath(signer, pool, roots, validationTime)
      : { path: null, problems: ["no trusted root given"] };
    report.chainOk = path.problems.length === 0;
    if (path.path) report.chainPems = path.path.map((c) => c.pem);
    if (!report.chainOk) report.chainProblem = path.problems.join("; ");
  } else {
    report.chainProblem = "the signer certificate is not in the signature";
  }
  return report;
}

/**
 * Every signed signature field of the PDF (AcroForm fields of type /Sig with a /V), in the order
 * of their byte ranges (oldest revision first). Throws when the PDF's structure cannot be read.
 */
export function verifyPdfSignatures(pdf: Buffer, trustedRootPems: string[]): PdfSignatureReport[] {
  const s: PdfStructure = readPdf(pdf);
  const reports: PdfSignatureReport[] = [];
  for (const field of terminalFields(s)) {
    if (field.fieldType !== "Sig") continue;
    const v = field.dict.lookup(PDFName.of("V"));
    if (!(v instanceof PDFDict)) continue; // an empty signature field
    // a document timestamp is no one's signature: doc-timestamp-verify.ts reports it
    const type = v.lookup(PDFName.of("Type"));
    if (type instanceof PDFName && type.decodeText() === "DocTimeStamp") continue;
    try {
      reports.push(verifyOne(pdf, field.fullName, v, trustedRootPems));
    } catch (e) {
      reports.push(unverifiedReport(field.fullName, [`cannot verify: ${(e as Error).message}`]));
    }
  }
  const endOf = (r: PdfSignatureReport) => (r.byteRange.length === 4 ? r.byteRange[2] + r.byteRange[3] : Infinity);
  return reports.sort((a, b) => endOf(a) - endOf(b));
}
