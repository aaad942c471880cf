// PAdES long-term validation (ETSI EN 319 142-1 5.4: B-LT and B-LTA) added to a signed PDF:
// every certificate of every chain a signature or a timestamp in the file depends on (the signer's,
// the signature timestamp's TSA, a document timestamp's TSA, an OCSP responder's), with
// revocation data for each one that has an issuer (an OCSP response for an end-entity
// certificate, the issuer's CRL for a CA certificate, or whichever of the two the issuer
// publishes), written into the DSS with a /VRI entry per signature; then, for B-LTA, a document
// timestamp over the whole file, followed by the DSS update its own TSA chain needs. A renewal
// does the same on a file that has them already: fresh revocation data and a new document
// timestamp, which is what keeps a file verifiable after its last TSA certificate expires.
import { PDFDict, PDFHexString, PDFName, PDFString } from "pdf-lib";
import { parseCertificate, parseCertificatePem, type ParsedCertificate } from "../pki/certificate-parse";
import { verifySignature } from "../pki/certificate-verify";
import { parseSignedData } from "../pki/cms";
import { parseOcspResponse } from "../pki/ocsp/response-parse";
import { appendDss, vriKey, type ValidationData } from "./dss-write";
import { timestampPdf } from "./pades";
import { catalogOf, readPdf, terminalFields } from "./reader";
import { derPrefix, OID_SIGNATURE_TIMESTAMP, unsignedAttributes } from "./verify";

export interface RevocationProvider {
  /** a DER OCSPResponse about `cert` from its issuer's responder; null when the issuer has none */
  ocsp(cert: ParsedCertificate, issuer: ParsedCertificate): Promise<Buffer | null>;
  /** the DER CRL of `issuer` (which covers `cert`); null when the issuer publishes none */
  crl(cert: ParsedCertificate, issuer: ParsedCertificate): Promise<Buffer | null>;
}

export interface LongTermOptions {
  revocation: RevocationProvider;
  /** the trust anchors chains end at (stored in the DSS too, for whoever reads it later) */
  trustedRootPems: string[];
  /** a TimeStampToken over the SHA-256 given: with it, B-LTA (a document timestamp after the DSS) */
  documentTimestamp?: (sha256: Buffer) => Buffer | Promise<Buffer>;
}

interface SignatureInFile {
  /** the /Contents bytes as stored */
  contents: Buffer;
  /** the certificates the signature and its timestamps carry */
  certs: ParsedCertificate[];
}

function certsOfCms(der: Buffer, withTimestamps: boolean): ParsedCertificate[] {
  const parsed = parseSignedData(der);
  const out = parsed.certificates.map((c) => parseCertificate(c));
  if (withTimestamps) {
    const ts = unsignedAttributes(der).get(OID_SIGNATURE_TIMESTAMP);
    for (const t of ts ?? []) out.push(...certsOfCms(Buffer.from(t.raw), false));
  }
  return out;
}

/** Every signature and document timestamp of the file, with the certificates each carries. */
function signaturesIn(pdf: Buffer): SignatureInFile[] {
  const out: SignatureInFile[] = [];
  for (const f of terminalFields(readPdf(pdf))) {
    if (f.fieldType !== "Sig") continue;
    const v = f.dict.lookup(PDFName.of("V"));
    const c = v instanceof PDFDict ? v.lookup(PDFName.of("Contents")) : undefined;
    if (!(c instanceof PDFHexString || c instanceof PDFString)) continue;
    const contents = Buffer.from(c.asBytes());
    out.push({ contents, certs: certsOfCms(Buffer.from(derPrefix(contents)), true) });
  }
  return out;
}

/** The VRI keys the file's DSS already has. */
function vriKeysIn(pdf: Buffer): Set<string> {
  const dss = catalogOf(readPdf(pdf)).dict.lookup(PDFName.of("DSS"));
  const vri = dss instanceof PDFDict ? dss.lookup(PDFName.of("VRI")) : undefined;
  return new Set(vri instanceof PDFDict ? vri.keys().map((k) => k.decodeText()) : []);
}

const selfSigned = (c: ParsedCertificate) => c.issuerDer.equals(c.subjectDer) && verifySignature(c.signatureOid, c.tbs, c.signature, c.spkiDer);

function issuerOf(c: ParsedCertificate, pool: ParsedCertificate[]): ParsedCertificate | null {
  return pool.find((i) => i !== c && i.subjectDer.equals(c.issuerDer) && verifySignature(c.signatureOid, c.tbs, c.signature, i.spkiDer)) ?? null;
}

/**
 * The validation data for certificates `start`: each one, its issuers up to a trust anchor, and
 * revocation data for each but the anchor; an OCSP responder's certificate joins the certificates
 * (with id-pkix-ocsp-nocheck it needs no revocation data of its own).
 */
async function validationDataFor(start: ParsedCertificate[], roots: ParsedCertificate[], provider: RevocationProvider, cache: Map<string, Promise<{ ocsp: Buffer | null; crl: Buffer | null }>>): Promise<ValidationData> {
  const pool = [...start, ...roots];
  const certs = new Map<string, ParsedCertificate>();
  const ocsps: Buffer[] = [];
  const crls: Buffer[] = [];
  const queue = [...start];
  while (queue.length) {
    const c = queue.shift()!;
    const fp = c.der.toString("hex");
    if (certs.has(fp)) continue;
    certs.set(fp, c);
    if (selfSigned(c)) continue;
    const issuer = issuerOf(c, pool);
    if (!issuer) throw new Error(`no issuer of "${c.subjectText}" among the certificates of the file and the trust anchors`);
    queue.push(issuer);
    let data = cache.get(fp);
    if (!data) {
      // an end-entity certificate is asked of its issuer's responder, a CA of its issuer's CRL
      data = (async () => {
        const ocsp = c.isCA ? null : await provider.ocsp(c, issuer);
        const crl = ocsp ? null : await provider.crl(c, issuer);
        return { ocsp, crl };
      })();
      cache.set(fp, data);
    }
    const { ocsp, crl } = await data;
    if (!ocsp && !crl) throw new Error(`no revocation data for "${c.subjectText}"`);
    if (ocsp) {
      ocsps.push(ocsp);
      for (const r of parseOcspResponse(ocsp).certs) if (!certs.has(r.der.toString("hex"))) queue.push(r);
    }
    if (crl) crls.push(crl);
  }
  return { certs: [...certs.values()].map((c) => c.der), ocsps, crls };
}

/**
 * `pdf` with a DSS update for its signatures and timestamps: those without a VRI entry yet, or
 * every one (`all`, a renewal: fresh revocation data for each). Unchanged when there is nothing to add.
 */
export async function addValidationData(pdf: Buffer, opts: LongTermOptions, which: "missing" | "all" = "missing"): Promise<Buffer> {
  const roots = opts.trustedRootPems.map((p) => parseCertificatePem(p));
  const have = which === "all" ? new Set<string>() : vriKeysIn(pdf);
  const vri = new Map<string, ValidationData>();
  const cache = new Map<string, Promise<{ ocsp: Buffer | null; crl: Buffer | null }>>();
  for (const sig of signaturesIn(pdf)) {
    const key = vriKey(sig.contents);
    if (have.has(key) || vri.has(key)) continue;
    vri.set(key, await validationDataFor(sig.certs, roots, opts.revocation, cache));
  }
  if (!vri.size) return pdf;
  return appendDss(pdf, { certs: [], ocsps: [], crls: [], vri });
}

/** The next free field name for a document timestamp. */
function nextTimestampField(pdf: Buffer): string {
  const names = new Set(terminalFields(readPdf(pdf)).map((f) => f.fullName));
  let n = 1;
  while (names.has(`doc-timestamp-${n}`)) n++;
  return `doc-timestamp-${n}`;
}

/** B-LTA: a document timestamp over the whole file, then the DSS update for its TSA's chain. */
export async function addDocumentTimestamp(pdf: Buffer, opts: LongTermOptions): Promise<Buffer> {
  if (!opts.documentTimestamp) throw new Error("no document timestamp source given");
  const stamped = await timestampPdf(pdf, opts.documentTimestamp, { fieldName: nextTimestampField(pdf) });
  return addValidationData(stamped, opts);
}

/** After a signature: B-LT, and B-LTA when a document timestamp source is given. */
export async function extendToLongTerm(pdf: Buffer, opts: LongTermOptions): Promise<Buffer> {
  const lt = await addValidationData(pdf, opts);
  return opts.documentTimestamp ? addDocumentTimestamp(lt, opts) : lt;
}

/** A renewal: fresh validation data for everything in the file, and a new document timestamp over it. */
export async function renewLongTerm(pdf: Buffer, opts: LongTermOptions): Promise<Buffer> {
  return addDocumentTimestamp(await addValidationData(pdf, opts, "all"), opts);
}
