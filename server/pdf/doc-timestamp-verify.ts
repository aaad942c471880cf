// Document timestamps (ISO 32000-2 12.8.5, PAdES B-LTA): signature fields whose value is a
// /Type /DocTimeStamp dictionary with /SubFilter /ETSI.RFC3161, the /Contents an RFC 3161
// TimeStampToken whose imprint is the SHA-256 of the /ByteRange. Each is verified here as
// verify.ts verifies a signature: the ranges, the imprint recomputed, the token's signature and
// the TSA's path to a trusted root at the token's time. Revocation of that path is judged on top
// of this by report.ts, from the DSS.
import { createHash } from "node:crypto";
import { PDFArray, PDFDict, PDFHexString, PDFName, PDFNumber, PDFString } from "pdf-lib";
import { parseCertificatePem } from "../pki/certificate-parse";
import { verifyTimeStampToken } from "../pki/tsa";
import { readPdf, terminalFields } from "./reader";
import { derPrefix, tsaPath } from "./verify";

export interface DocTimestampReport {
  fieldName: string;
  byteRange: number[];
  coversWholeDocument: boolean;
  /** the imprint is the SHA-256 of the ranges and the token's signature verifies, its TSA chains to a trusted root */
  ok: boolean;
  genTime: string | null;
  tsaSubject: string | null;
  /** the TSA's validated path, leaf first */
  tsaChainPems?: string[];
  /** the /Contents bytes as stored (the VRI key is their SHA-1) */
  contents: Buffer | null;
  problems: string[];
}

export function isDocTimestamp(v: PDFDict): boolean {
  const type = v.lookup(PDFName.of("Type"));
  const sub = v.lookup(PDFName.of("SubFilter"));
  return (type instanceof PDFName && type.decodeText() === "DocTimeStamp") || (sub instanceof PDFName && sub.decodeText() === "ETSI.RFC3161");
}

function verifyOne(pdf: Buffer, fieldName: string, v: PDFDict, trustedRootPems: string[]): DocTimestampReport {
  const r: DocTimestampReport = { fieldName, byteRange: [], coversWholeDocument: false, ok: false, genTime: null, tsaSubject: null, contents: null, problems: [] };
  const sub = v.lookup(PDFName.of("SubFilter"));
  if (!(sub instanceof PDFName) || sub.decodeText() !== "ETSI.RFC3161") {
    r.problems.push("a /DocTimeStamp must have /SubFilter /ETSI.RFC3161");
    return r;
  }
  const brObj = v.lookup(PDFName.of("ByteRange"));
  const br = brObj instanceof PDFArray ? brObj.asArray().map((x) => (x instanceof PDFNumber ? x.asNumber() : NaN)) : [];
  r.byteRange = br;
  if (br.length !== 4 || !br.every((n) => Number.isInteger(n) && n >= 0) || br[0] !== 0 || br[1] > br[2] || br[2] + br[3] > pdf.length) {
    r.problems.push(`malformed /ByteRange [${br.join(" ")}]`);
    return r;
  }
  const end = br[2] + br[3];
  r.coversWholeDocument = end === pdf.length;
  const gap = pdf.toString("latin1", br[1], br[2]);
  if (!/^<[0-9A-Fa-f\s]*>$/.test(gap)) r.problems.push("the /ByteRange leaves bytes other than the /Contents hex string unsigned");
  const c = v.lookup(PDFName.of("Contents"));
  if (!(c instanceof PDFHexString || c instanceof PDFString)) {
    r.problems.push("the document timestamp has no /Contents");
    return r;
  }
  r.contents = Buffer.from(c.asBytes());
  let token: Buffer;
  try {
    token = Buffer.from(derPrefix(r.contents));
  } catch (e) {
    r.problems.push((e as Error).message);
    return r;
  }
  const gapBytes = Buffer.from(gap.slice(1, -1).replace(/\s+/g, ""), "hex");
  if (!gapBytes.subarray(0, token.length).equals(token)) r.problems.push("the /ByteRange gap is not this timestamp's /Contents");
  const digest = createHash("sha256").update(pdf.subarray(0, br[1])).update(pdf.subarray(br[2], end)).digest();
  const t = verifyTimeStampToken(token, digest, trustedRootPems);
  r.problems.push(...t.problems);
  r.genTime = t.genTime?.toISOString() ?? null;
  if (t.tsaCertPem) {
    r.tsaSubject = parseCertificatePem(t.tsaCertPem).subjectText;
    if (t.ok && t.genTime) r.tsaChainPems = tsaPath(token, t.tsaCertPem, trustedRootPems, t.genTime);
  }
  r.ok = t.ok && r.problems.length === 0 && !!r.tsaChainPems;
  return r;
}

/** Every document timestamp of the PDF, oldest first. */
export function verifyDocTimestamps(pdf: Buffer, trustedRootPems: string[]): DocTimestampReport[] {
  const out: DocTimestampReport[] = [];
  for (const field of terminalFields(readPdf(pdf))) {
    if (field.fieldType !== "Sig") continue;
    const v = field.dict.lookup(PDFName.of("V"));
    if (!(v instanceof PDFDict) || !isDocTimestamp(v)) continue;
    try {
      out.push(verifyOne(pdf, field.fullName, v, trustedRootPems));
    } catch (e) {
      out.push({ fieldName: field.fullName, byteRange: [], coversWholeDocument: false, ok: false, genTime: null, tsaSubject: null, contents: null, problems: [`cannot verify: ${(e as Error).message}`] });
    }
  }
  const endOf = (r: DocTimestampReport) => (r.byteRange.length === 4 ? r.byteRange[2] + r.byteRange[3] : Infinity);
  return out.sort((a, b) => endOf(a) - endOf(b));
}
