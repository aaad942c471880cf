// DER encoding and strict DER decoding on Buffers, X.509 certificate fields, and certification
// path validation: the common ground of cms.ts and tsa.ts.
//
// Why not forge.asn1: its decoder accepts BER (indefinite lengths, non-minimal lengths) and
// works on binary strings; a timestamp authority must refuse what is not DER (RFC 3161 asks
// for DER requests) and a verifier must sign and check the exact bytes it received. The
// encoder here is a few lines; certificate signatures are checked with node:crypto.
import { createHash, createPublicKey, X509Certificate, type KeyObject } from "node:crypto";

export class DerError extends Error {}

// ---------------------------------------------------------------------------------------------
// Object identifiers used by the PKI code

export const OID = {
  data: "1.2.840.113549.1.7.1",
  signedData: "1.2.840.113549.1.7.2",
  tstInfo: "1.2.840.113549.1.9.16.1.4",
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingTime: "1.2.840.113549.1.9.5",
  signingCertificate: "1.2.840.113549.1.9.16.2.12",
  signingCertificateV2: "1.2.840.113549.1.9.16.2.47",
  sha1: "1.3.14.3.2.26",
  sha256: "2.16.840.1.101.3.4.2.1",
  sha384: "2.16.840.1.101.3.4.2.2",
  sha512: "2.16.840.1.101.3.4.2.3",
  sm3: "1.2.156.10197.1.401",
  rsaEncryption: "1.2.840.113549.1.1.1",
  sha256WithRSAEncryption: "1.2.840.113549.1.1.11",
  sha384WithRSAEncryption: "1.2.840.113549.1.1.12",
  sha512WithRSAEncryption: "1.2.840.113549.1.1.13",
  ecPublicKey: "1.2.840.10045.2.1",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  ecdsaWithSha384: "1.2.840.10045.4.3.3",
  ecdsaWithSha512: "1.2.840.10045.4.3.4",
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  basicConstraints: "2.5.29.19",
  extKeyUsage: "2.5.29.37",
  kpTimeStamping: "1.3.6.1.5.5.7.3.8",
} as const;

/** Digest OID -> node:crypto hash name and digest length in bytes. */
export const DIGESTS: Record<string, { name: string; length: number }> = {
  [OID.sha1]: { name: "sha1", length: 20 },
  [OID.sha256]: { name: "sha256", length: 32 },
  [OID.sha384]: { name: "sha384", length: 48 },
  [OID.sha512]: { name: "sha512", length: 64 },
  [OID.sm3]: { name: "sm3", length: 32 },
};

// ---------------------------------------------------------------------------------------------
// Encoding

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with a single-byte tag. */
export function tlv(tag: number, content: Buffer | Buffer[]): Buffer {
  const body = Array.isArray(content) ? Buffer.concat(content) : content;
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

export const derSequence = (...items: Buffer[]): Buffer => tlv(0x30, items);

/** DER order of a SET OF: encodings compared as octet strings, the shorter padded with zeros (X.690 11.6). */
export function compareDer(a: Buffer, b: Buffer): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = i < a.length ? a[i] : 0;
    const y = i < b.length ? b[i] : 0;
    if (x !== y) return x - y;
  }
  return 0;
}

/** SET OF with its elements sorted per DER; `tag` 0xa0 etc. for an IMPLICIT tagged set. */
export function derSetOf(items: Buffer[], tag = 0x31): Buffer {
  return tlv(tag, [...items].sort(compareDer));
}

/** [n] EXPLICIT wrapper (context-specific, constructed). */
export const derExplicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 | n, inner);

export const derNull = (): Buffer => Buffer.from([0x05, 0x00]);
export const derOctetString = (b: Buffer): Buffer => tlv(0x04, b);
export const derUtf8String = (s: string): Buffer => tlv(0x0c, Buffer.from(s, "utf8"));
export const derBoolean = (v: boolean): Buffer => Buffer.from([0x01, 0x01, v ? 0xff : 0x00]);

/** INTEGER content octets (two's complement, minimal) of a bigint. */
export function integerContent(v: bigint): Buffer {
  if (v === 0n) return Buffer.from([0]);
  if (v > 0n) {
    let hex = v.toString(16);
    if (hex.length % 2) hex = "0" + hex;
    const b = Buffer.from(hex, "hex");
    return b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b;
  }
  let n = 1;
  while (v < -(1n << BigInt(8 * n - 1))) n++;
  let hex = ((1n << BigInt(8 * n)) + v).toString(16);
  hex = hex.padStart(2 * n, "0");
  return Buffer.from(hex, "hex");
}

/** INTEGER from a bigint, or from content octets taken verbatim from another structure. */
export function derInteger(v: bigint | Buffer): Buffer {
  return tlv(0x02, typeof v === "bigint" ? integerContent(v) : v);
}

export function derOid(oid: string): Buffer {
  const arcs = oid.split(".").map((s) => {
    if (!/^\d+$/.test(s)) throw new DerError(`not an object identifier: ${oid}`);
    return BigInt(s);
  });
  if (arcs.length < 2 || arcs[0] > 2n || (arcs[0] < 2n && arcs[1] > 39n)) {
    throw new DerError(`not an object identifier: ${oid}`);
  }
  const out: number[] = [];
  const push = (v: bigint) => {
    const group: number[] = [Number(v & 0x7fn)];
    for (v >>= 7n; v > 0n; v >>= 7n) group.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...group);
  };
  push(arcs[0] * 40n + arcs[1]);
  for (const a of arcs.slice(2)) push(a);
  return tlv(0x06, Buffer.from(out));
}

/** AlgorithmIdentifier; `nullParams` writes parameters NULL, otherwise they are absent. */
export function derAlgorithm(oid: string, nullParams: boolean): Buffer {
  return nullParams ? derSequence(derOid(oid), derNull()) : derSequence(derOid(oid));
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** UTCTime YYMMDDHHMMSSZ (years 1950..2049). */
export function derUtcTime(d: Date): Buffer {
  const y = d.getUTCFullYear();
  if (y < 1950 || y > 2049) throw new DerError(`UTCTime cannot hold the year ${y}`);
  const s =
    pad(y % 100) + pad(d.getUTCMonth() + 1) + pad(d.getUTCDate()) +
    pad(d.getUTCHours()) + pad(d.getUTCMinutes()) + pad(d.getUTCSeconds()) + "Z";
  return tlv(0x17, Buffer.from(s, "ascii"));
}

/**
 * GeneralizedTime YYYYMMDDHHMMSS[.fff]Z. With `millis`, the fraction follows RFC 3161 2.4.2 /
 * X.690 11.7: no trailing zeros, and no fraction at all when the milliseconds are zero.
 */
export function derGeneralizedTime(d: Date, millis = false): Buffer {
  let s =
    pad(d.getUTCFullYear(), 4) + pad(d.getUTCMonth() + 1) + pad(d.getUTCDate()) +
    pad(d.getUTCHours()) + pad(d.getUTCMinutes()) + pad(d.getUTCSeconds());
  const ms = d.getUTCMilliseconds();
  if (millis && ms !== 0) s += "." + pad(ms, 3).replace(/0+$/, "");
  return tlv(0x18, Buffer.from(s + "Z", "ascii"));
}

/** The RFC 5652 11.3 / RFC 5280 rule: UTCTime for 1950..2049, GeneralizedTime otherwise. */
export function derTime(d: Date): Buffer {
  const y = d.getUTCFullYear();
  return y >= 1950 && y <= 2049 ? derUtcTime(d) : derGeneralizedTime(d);
}

// ---------------------------------------------------------------------------------------------
// Strict decoding

export interface DerNode {
  /** the identifier octet (single-byte tags only) */
  tag: number;
  constructed: boolean;
  /** the whole TLV */
  raw: Buffer;
  /** the value octets */
  content: Buffer;
}

function readNode(buf: Buffer, pos: number): { node: DerNode; end: number } {
  if (pos >= buf.length) throw new DerError("unexpected end of data");
  const tag = buf[pos];
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte tags are not supported");
  let p = pos + 1;
  if (p >= buf.length) throw new DerError("unexpected end of data in a length");
  const first = buf[p++];
  let length: number;
  if (first < 0x80) {
    length = first;
  } else if (first === 0x80) {
    throw new DerError("indefinite length (BER, not DER)");
  } else {
    const n = first & 0x7f;
    if (n > 4) throw new DerError("length too large");
    if (p + n > buf.length) throw new DerError("unexpected end of data in a length");
    if (buf[p] === 0) throw new DerError("non-minimal length (not DER)");
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[p + i];
    if (length < 0x80) throw new DerError("non-minimal length (not DER)");
    p += n;
  }
  if (p + length > buf.length) throw new DerError("truncated value");
  const end = p + length;
  return {
    node: { tag, constructed: (tag & 0x20) !== 0, raw: buf.subarray(pos, end), content: buf.subarray(p, end) },
    end,
  };
}

/** Exactly one DER element filling `buf` (trailing bytes are an error). */
export function decodeDer(buf: Buffer): DerNode {
  const { node, end } = readNode(buf, 0);
  if (end !== buf.length) throw new DerError(`${buf.length - end} trailing byte(s) after the DER value`);
  return node;
}

/** The elements inside a constructed value. */
export function childrenOf(node: DerNode): DerNode[] {
  if (!node.constructed) throw new DerError(`tag 0x${node.tag.toString(16)} is not constructed`);
  const out: DerNode[] = [];
  for (let pos = 0; pos < node.content.length; ) {
    const r = readNode(node.content, pos);
    out.push(r.node);
    pos = r.end;
  }
  return out;
}

export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node) throw new DerError(`${what}: missing`);
  if (node.tag !== tag) {
    throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${node.tag.toString(16)}`);
  }
  return node;
}

/** The children of a tag-checked constructed value. */
export function sequenceOf(node: DerNode | undefined, what: string, tag = 0x30): DerNode[] {
  return childrenOf(expectTag(node, tag, what));
}

/** INTEGER content octets; `strict` refuses non-minimal encodings (DER). */
export function readIntegerContent(node: DerNode | undefined, what: string, strict = true, tag = 0x02): Buffer {
  const c = expectTag(node, tag, what).content;
  if (c.length === 0) throw new DerError(`${what}: empty INTEGER`);
  if (strict && c.length > 1 && ((c[0] === 0 && c[1] < 0x80) || (c[0] === 0xff && c[1] >= 0x80))) {
    throw new DerError(`${what}: non-minimal INTEGER (not DER)`);
  }
  return c;
}

export function integerFromContent(c: Buffer): bigint {
  let v = BigInt("0x" + (c.length ? c.toString("hex") : "0"));
  if (c.length && c[0] & 0x80) v -= 1n << BigInt(8 * c.length);
  return v;
}

export function readInteger(node: DerNode | undefined, what: string, strict = true, tag = 0x02): bigint {
  return integerFromContent(readIntegerContent(node, what, strict, tag));
}

export function readOid(node: DerNode | undefined, what: string): string {
  const c = expectTag(node, 0x06, what).content;
  if (c.length === 0 || c[c.length - 1] & 0x80) throw new DerError(`${what}: malformed OBJECT IDENTIFIER`);
  const values: bigint[] = [];
  let v = 0n;
  let start = true;
  for (const b of c) {
    if (start && b === 0x80) throw new DerError(`${what}: non-minimal OBJECT IDENTIFIER arc`);
    v = (v << 7n) | BigInt(b & 0x7f);
    start = false;
    if (!(b & 0x80)) {
      values.push(v);
      v = 0n;
      start = true;
    }
  }
  const first = values[0];
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...values.slice(1)].join(".");
}

/** BOOLEAN; DER allows only 0x00 and 0xff (`strict`). */
export function readBoolean(node: DerNode | undefined, what: string, strict = true): boolean {
  const c = expectTag(node, 0x01, what).content;
  if (c.length !== 1) throw new DerError(`${what}: malformed BOOLEAN`);
  if (strict && c[0] !== 0x00 && c[0] !== 0xff) throw new DerError(`${what}: BOOLEAN is neither 00 nor FF (not DER)`);
  return c[0] !== 0;
}

export function readOctetString(node: DerNode | undefined, what: string): Buffer {
  return expectTag(node, 0x04, what).content;
}

/**
 * UTCTime or GeneralizedTime in the DER forms (Z, seconds present); `strict` also refuses trailing
 * zeros in a GeneralizedTime fraction (DER, RFC 3161 2.4.2), which some producers write anyway.
 */
export function readTime(node: DerNode | undefined, what: string, strict = true): Date {
  if (!node) throw new DerError(`${what}: missing`);
  const s = node.content.toString("latin1");
  let m: RegExpExecArray | null;
  let year: number;
  let ms = 0;
  if (node.tag === 0x17) {
    m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s);
    if (!m) throw new DerError(`${what}: malformed UTCTime "${s}"`);
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (node.tag === 0x18) {
    const re = strict
      ? /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:\.(\d*[1-9]))?Z$/
      : /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:[.,](\d+))?Z$/;
    m = re.exec(s);
    if (!m) throw new DerError(`${what}: malformed GeneralizedTime "${s}"`);
    year = Number(m[1]);
    if (m[7]) ms = Math.floor(Number("0." + m[7]) * 1000 + 1e-6);
  } else {
    throw new DerError(`${what}: expected a time, found tag 0x${node.tag.toString(16)}`);
  }
  const [mo, d, h, mi, se] = [m[2], m[3], m[4], m[5], m[6]].map(Number);
  const t = Date.UTC(year, mo - 1, d, h, mi, se, ms);
  const back = new Date(t);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) {
    throw new DerError(`${what}: invalid date "${s}"`);
  }
  if (year < 100) back.setUTCFullYear(year);
  return back;
}

// ---------------------------------------------------------------------------------------------
// PEM

/** DER of every "-----BEGIN <label>-----" block in `pem`. */
export function pemBlocks(pem: string, label = "CERTIFICATE"): Buffer[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, "g");
  const out: Buffer[] = [];
  for (const m of pem.matchAll(re)) out.push(Buffer.from(m[1].replace(/\s+/g, ""), "base64"));
  return out;
}

export function derToPem(der: Buffer, label = "CERTIFICATE"): string {
  const b64 = der.toString("base64").replace(/.{64}/g, "$&\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

// ---------------------------------------------------------------------------------------------
// X.509 certificates

export interface CertInfo {
  der: Buffer;
  pem: string;
  x509: X509Certificate;
  publicKey: KeyObject;
  /** the issuer and subject Name TLVs, as encoded */
  issuer: Buffer;
  subject: Buffer;
  /** serialNumber INTEGER content octets, as encoded */
  serial: Buffer;
  notBefore: Date;
  notAfter: Date;
  /** basicConstraints: cA, pathLenConstraint */
  isCA: boolean;
  pathLen: number | null;
  /** keyUsage bits (0 digitalSignature, 1 nonRepudiation, ... 5 keyCertSign), null when absent */
  keyUsage: Set<number> | null;
  /** extKeyUsage OIDs and the extension's criticality, null when absent */
  extKeyUsage: string[] | null;
  extKeyUsageCritical: boolean;
  subjectKeyId: Buffer | null;
  /** "CN=..., O=..." for messages */
  subjectText: string;
}

export const KU = { digitalSignature: 0, nonRepudiation: 1, keyCertSign: 5 } as const;

/** Parses one certificate (DER or PEM). Throws DerError or node:crypto errors if malformed. */
/**
 * Parsed certificates by the SHA-256 of their DER. Verifying a bundle parses the same few
 * certificates (signer, issuing CA, root, TSA) every time, and building an X509Certificate is the
 * costliest step of a verification. Parsed results are read-only; failures are not kept.
 */
const PARSED_CACHE_SIZE = 1024;
const parsedCertificates = new Map<string, CertInfo>();

export function parseCertificate(input: Buffer | string): CertInfo {
  let der: Buffer;
  if (typeof input === "string") {
    const blocks = pemBlocks(input);
    if (blocks.length !== 1) throw new DerError(`expected one PEM certificate, found ${blocks.length}`);
    der = blocks[0];
  } else {
    der = input;
  }
  const id = sha256(der).toString("hex");
  const cached = parsedCertificates.get(id);
  if (cached && cached.der.equals(der)) return cached;
  const parsed = parseCertificateDer(Buffer.from(der));
  parsedCertificates.set(id, parsed);
  if (parsedCertificates.size > PARSED_CACHE_SIZE) parsedCertificates.delete(parsedCertificates.keys().next().value!);
  return parsed;
}

function parseCertificateDer(der: Buffer): CertInfo {
  const cert = decodeDer(der);
  const [tbsNode] = sequenceOf(cert, "Certificate");
  const tbs = sequenceOf(tbsNode, "TBSCertificate");
  let i = 0;
  if (tbs[i]?.tag === 0xa0) i++;
  const serial = readIntegerContent(tbs[i++], "serialNumber", false);
  expectTag(tbs[i++], 0x30, "signature");
  const issuer = expectTag(tbs[i++], 0x30, "issuer").raw;
  const [nb, na] = sequenceOf(tbs[i++], "validity");
  const subject = expectTag(tbs[i++], 0x30, "subject").raw;
  expectTag(tbs[i++], 0x30, "subjectPublicKeyInfo");
  while (tbs[i] && (tbs[i].tag === 0x81 || tbs[i].tag === 0xa1 || tbs[i].tag === 0x82 || tbs[i].tag === 0xa2)) i++;
  const extensions = new Map<string, { critical: boolean; value: Buffer }>();
  if (tbs[i]?.tag === 0xa3) {
    for (const ext of sequenceOf(childrenOf(tbs[i])[0], "extensions")) {
      const parts = sequenceOf(ext, "extension");
      const oid = readOid(parts[0], "extnID");
      const critical = parts.length === 3 ? readBoolean(parts[1], "critical", false) : false;
      const value = readOctetString(parts[parts.length - 1], "extnValue");
      if (extensions.has(oid)) throw new DerError(`extension ${oid} appears twice`);
      extensions.set(oid, { critical, value });
    }
  }

  let isCA = false;
  let pathLen: number | null = null;
  const bc = extensions.get(OID.basicConstraints);
  if (bc) {
    const parts = sequenceOf(decodeDer(bc.value), "basicConstraints");
    let j = 0;
    if (parts[j]?.tag === 0x01) isCA = readBoolean(parts[j++], "cA", false);
    if (parts[j]?.tag === 0x02) pathLen = Number(readInteger(parts[j++], "pathLenConstraint", false));
  }
  let keyUsage: Set<number> | null = null;
  const ku = extensions.get(OID.keyUsage);
  if (ku) {
    const bits = expectTag(decodeDer(ku.value), 0x03, "keyUsage").content;
    keyUsage = new Set();
    for (let b = 0; b < (bits.length - 1) * 8; b++) {
      if (bits[1 + (b >> 3)] & (0x80 >> (b & 7))) keyUsage.add(b);
    }
  }
  let extKeyUsage: string[] | null = null;
  const eku = extensions.get(OID.extKeyUsage);
  if (eku) extKeyUsage = sequenceOf(decodeDer(eku.value), "extKeyUsage").map((n) => readOid(n, "KeyPurposeId"));
  const ski = extensions.get(OID.subjectKeyIdentifier);

  const x509 = new X509Certificate(der);
  return {
    der,
    pem: derToPem(der),
    x509,
    publicKey: x509.publicKey,
    issuer,
    subject,
    serial,
    notBefore: readTime(nb, "notBefore", false),
    notAfter: readTime(na, "notAfter", false),
    isCA,
    pathLen,
    keyUsage,
    extKeyUsage,
    extKeyUsageCritical: eku?.critical ?? false,
    subjectKeyId: ski ? readOctetString(decodeDer(ski.value), "subjectKeyIdentifier") : null,
    subjectText: x509.subject.replace(/\n/g, ", "),
  };
}

/** Every certificate in a list of PEM strings (each may hold several). */
export function parseCertificatesPem(pems: string[]): CertInfo[] {
  return pems.flatMap((p) => pemBlocks(p)).map((der) => parseCertificate(der));
}

export function sha256(b: Buffer): Buffer {
  return createHash("sha256").update(b).digest();
}

/** True when the private key's public half is the certificate's public key. */
export function keyMatchesCertificate(key: KeyObject, cert: CertInfo): boolean {
  const a = createPublicKey(key).export({ type: "spki", format: "der" });
  const b = cert.publicKey.export({ type: "spki", format: "der" });
  return a.equals(b);
}

function validityProblem(c: CertInfo, at: Date, role: string): string | null {
  if (at < c.notBefore || at > c.notAfter) {
    return (
      `${role} certificate "${c.subjectText}" is not valid at ${at.toISOString()} ` +
      `(valid ${c.notBefore.toISOString()} to ${c.notAfter.toISOString()})`
    );
  }
  return null;
}

/**
 * Certification path validation (the parts that need no revocation data): from `leaf` through
 * `pool` to a certificate of `roots` (matched by DER equality), each certificate's signature
 * verified with its issuer's key, every certificate (root included) valid at `at`, issuers with
 * basicConstraints cA, keyCertSign when keyUsage is present, and pathLenConstraint respected.
 * Returns the path (leaf first, root last) or the problems met.
 */
export function validatePath(
  leaf: CertInfo,
  pool: CertInfo[],
  roots: CertInfo[],
  at: Date,
): { path: CertInfo[] | null; problems: string[] } {
  const leafValidity = validityProblem(leaf, at, "signer");
  if (leafValidity) return { path: null, problems: [leafValidity] };
  const isRoot = (c: CertInfo) => roots.some((r) => r.der.equals(c.der));
  if (isRoot(leaf)) return { path: [leaf], problems: [] };

  const candidates: CertInfo[] = [];
  for (const c of [...roots, ...pool]) if (!candidates.some((d) => d.der.equals(c.der))) candidates.push(c);
  const attempts: string[] = [];

  const search = (chain: CertInfo[]): CertInfo[] | null => {
    const cur = chain[chain.length - 1];
    if (chain.length > 10) {
      attempts.push("certification path too long");
      return null;
    }
    const issuers = candidates.filter((c) => c.subject.equals(cur.issuer) && !chain.some((d) => d.der.equals(c.der)));
    if (issuers.length === 0) attempts.push(`no issuer certificate found for "${cur.subjectText}"`);
    for (const iss of issuers) {
      let signed = false;
      try {
        signed = cur.x509.verify(iss.publicKey);
      } catch {
        signed = false;
      }
      if (!signed) {
        attempts.push(`"${cur.subjectText}" is not signed by the key of "${iss.subjectText}"`);
        continue;
      }
      const local: string[] = [];
      if (!iss.isCA) local.push(`issuer "${iss.subjectText}" is not a CA (basicConstraints cA is not set)`);
      if (iss.keyUsage && !iss.keyUsage.has(KU.keyCertSign)) {
        local.push(`issuer "${iss.subjectText}" lacks the keyCertSign key usage`);
      }
      // intermediates below `iss` (the leaf is not counted; self-issued ones are not counted)
      const below = chain.slice(1).filter((c) => !c.subject.equals(c.issuer)).length;
      if (iss.pathLen !== null && below > iss.pathLen) {
        local.push(`pathLenConstraint ${iss.pathLen} of "${iss.subjectText}" exceeded`);
      }
      const v = validityProblem(iss, at, "CA");
      if (v) local.push(v);
      if (local.length) {
        attempts.push(...local);
        continue;
      }
      const next = [...chain, iss];
      if (isRoot(iss)) return next;
      const found = search(next);
      if (found) return found;
    }
    return null;
  };

  const path = search([leaf]);
  if (path) return { path, problems: [] };
  return {
    path: null,
    problems: [
      `the certificate "${leaf.subjectText}" does not chain to a trusted root` +
        (attempts.length ? `: ${[...new Set(attempts)].join("; ")}` : ""),
    ],
  };
}
