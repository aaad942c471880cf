// X.509 certificates of the platform CA: issuing (root CA, issuing CA, organisations, persons, the
// timestamp authority), reading them back, and verifying a chain.
//
// The TBSCertificate is assembled with forge.asn1 rather than forge.pki.createCertificate, for two
// reasons found while testing node-forge 1.4.3:
//   - forge.pki encodes DN values as PrintableString unless told otherwise; Chinese text in a
//     PrintableString gives a certificate that neither forge nor openssl can read back;
//   - a certificate parsed by forge keeps UTF8String values as raw UTF-8 byte strings, and
//     re-encoding that DN (forge.pki.distinguishedNameToAsn1, setIssuer(cert.subject.attributes),
//     forge.pkcs7's IssuerAndSerialNumber) UTF-8-encodes them a second time. The issuer DN of a
//     certificate must equal its issuer's subject DN, so here it is copied byte for byte from the
//     issuer certificate. (For forge.pkcs7 use forgeCertificateFromPem below.)
// Signatures are made and checked with node:crypto (RSA PKCS#1 v1.5 with SHA-256).
//
// This file also holds the small DER reader and the DN/time/integer helpers that csr.ts and crl.ts
// share (marked "internal"): server/pki has a fixed set of files.
import * as crypto from "node:crypto";
import forge from "node-forge";

const asn1 = forge.asn1;
type Asn1 = forge.asn1.Asn1;

export interface Subject {
  commonName: string;
  organization?: string;
  organizationalUnit?: string;
  country?: string;
  /** Unique identifier (2.5.4.5): an organisation's unified social credit code, a person's platform user id. */
  serialNumber?: string;
  email?: string;
}

export interface IssuedCertificate {
  certPem: string;
  /** Lowercase hex, no 0x, positive, 16 random bytes (always 32 hex digits). */
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  /** Lowercase hex of SHA-256 of the DER. */
  fingerprintSha256: string;
}

export type CertificateKind = "root-ca" | "issuing-ca" | "organization" | "person" | "tsa";

// ---------------------------------------------------------------------------------------------
// OIDs

/** @internal */
export const OID = {
  rsaEncryption: "1.2.840.113549.1.1.1",
  sha256WithRSAEncryption: "1.2.840.113549.1.1.11",
  sha384WithRSAEncryption: "1.2.840.113549.1.1.12",
  sha512WithRSAEncryption: "1.2.840.113549.1.1.13",
  ecdsaWithSHA256: "1.2.840.10045.4.3.2",
  ecdsaWithSHA384: "1.2.840.10045.4.3.3",
  ecdsaWithSHA512: "1.2.840.10045.4.3.4",
  commonName: "2.5.4.3",
  serialNumber: "2.5.4.5",
  country: "2.5.4.6",
  organization: "2.5.4.10",
  organizationalUnit: "2.5.4.11",
  emailAddress: "1.2.840.113549.1.9.1",
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  cRLNumber: "2.5.29.20",
  reasonCode: "2.5.29.21",
  cRLDistributionPoints: "2.5.29.31",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  authorityInfoAccess: "1.3.6.1.5.5.7.1.1",
  emailProtection: "1.3.6.1.5.5.7.3.4",
  timeStamping: "1.3.6.1.5.5.7.3.8",
  documentSigning: "1.3.6.1.4.1.311.10.3.12", // Microsoft "Document Signing", recognised by Adobe and Windows
} as const;

/** Signature algorithms accepted when verifying (hash name for node:crypto). @internal */
export const SIGNATURE_HASH: Record<string, string> = {
  [OID.sha256WithRSAEncryption]: "sha256",
  [OID.sha384WithRSAEncryption]: "sha384",
  [OID.sha512WithRSAEncryption]: "sha512",
  [OID.ecdsaWithSHA256]: "sha256",
  [OID.ecdsaWithSHA384]: "sha384",
  [OID.ecdsaWithSHA512]: "sha512",
};

// ---------------------------------------------------------------------------------------------
// A strict DER reader (definite lengths, minimal length encodings, low tag numbers only).

/** @internal */
export class DerError extends Error {}

/** @internal */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8String: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  PrintableString: 0x13,
  TeletexString: 0x14,
  IA5String: 0x16,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  VisibleString: 0x1a,
  UniversalString: 0x1c,
  BMPString: 0x1e,
} as const;

/** One TLV inside a buffer. @internal */
export class DerNode {
  private constructor(
    readonly buf: Buffer,
    readonly tag: number,
    readonly start: number,
    readonly contentStart: number,
    readonly end: number,
  ) {}

  /** Parses `buf`, which must hold exactly one TLV. */
  static parse(buf: Buffer): DerNode {
    const node = DerNode.read(buf, 0, buf.length);
    if (node.end !== buf.length) throw new DerError(`${buf.length - node.end} trailing bytes after the DER value`);
    return node;
  }

  private static read(buf: Buffer, offset: number, limit: number): DerNode {
    if (offset + 2 > limit) throw new DerError("truncated DER header");
    const tag = buf[offset];
    if ((tag & 0x1f) === 0x1f) throw new DerError("high tag numbers are not supported");
    let pos = offset + 1;
    const first = buf[pos++];
    let length: number;
    if (first < 0x80) {
      length = first;
    } else if (first === 0x80) {
      throw new DerError("indefinite length is not DER");
    } else {
      const n = first & 0x7f;
      if (n > 4) throw new DerError("DER length too large");
      if (pos + n > limit) throw new DerError("truncated DER length");
      if (buf[pos] === 0) throw new DerError("non-minimal DER length");
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + buf[pos++];
      if (length < 0x80) throw new DerError("non-minimal DER length");
    }
    if (pos + length > limit) throw new DerError("DER value runs past its container");
    return new DerNode(buf, tag, offset, pos, pos + length);
  }

  get constructed(): boolean {
    return (this.tag & 0x20) !== 0;
  }
  /** The whole TLV. */
  get raw(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }
  /** The contents octets. */
  get content(): Buffer {
    return this.buf.subarray(this.contentStart, this.end);
  }
  children(): DerNode[] {
    if (!this.constructed) throw new DerError(`tag 0x${this.tag.toString(16)} is not constructed`);
    const out: DerNode[] = [];
    let pos = this.contentStart;
    while (pos < this.end) {
      const child = DerNode.read(this.buf, pos, this.end);
      out.push(child);
      pos = child.end;
    }
    return out;
  }
  expect(tag: number, what: string): this {
    if (this.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${this.tag.toString(16)}`);
    return this;
  }
  oid(): string {
    this.expect(TAG.OID, "OBJECT IDENTIFIER");
    if (this.content.length === 0) throw new DerError("empty OBJECT IDENTIFIER");
    return asn1.derToOid(this.content.toString("binary"));
  }
  /** Magnitude of a non-negative INTEGER or ENUMERATED as lowercase hex (no sign byte, at least "00"). */
  unsignedHex(): string {
    const c = this.content;
    if (c.length === 0) throw new DerError("empty INTEGER");
    if (c[0] & 0x80) throw new DerError("negative INTEGER");
    if (c.length > 1 && c[0] === 0 && !(c[1] & 0x80)) throw new DerError("non-minimal INTEGER");
    const hex = (c[0] === 0 && c.length > 1 ? c.subarray(1) : c).toString("hex");
    return hex;
  }
  /** The contents of a BIT STRING without unused bits (the first octet must be 0). */
  bitStringBytes(): Buffer {
    this.expect(TAG.BIT_STRING, "BIT STRING");
    const c = this.content;
    if (c.length === 0 || c[0] !== 0) throw new DerError("BIT STRING with unused bits");
    return c.subarray(1);
  }
}

/** Reads a UTCTime or GeneralizedTime (RFC 5280 forms: seconds, "Z"). @internal */
export function derTime(node: DerNode): Date {
  const s = node.content.toString("latin1");
  let m: RegExpMatchArray | null;
  let year: number;
  if (node.tag === TAG.UTCTime) {
    m = s.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/);
    if (!m) throw new DerError(`bad UTCTime ${JSON.stringify(s)}`);
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (node.tag === TAG.GeneralizedTime) {
    m = s.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d*[1-9])?Z$/);
    if (!m) throw new DerError(`bad GeneralizedTime ${JSON.stringify(s)}`);
    year = Number(m[1]);
  } else {
    throw new DerError(`expected a time, found tag 0x${node.tag.toString(16)}`);
  }
  const [mo, d, h, mi, se] = m.slice(2, 7).map(Number);
  const t = Date.UTC(year, mo - 1, d, h, mi, se);
  const date = new Date(t);
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) {
    throw new DerError(`invalid date ${JSON.stringify(s)}`);
  }
  return date;
}

// ---------------------------------------------------------------------------------------------
// Building blocks for forge.asn1

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds, "Z". @internal */
export function timeAsn1(date: Date): Asn1 {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new Error("invalid date");
  const y = date.getUTCFullYear();
  if (y < 1950 || y > 9999) throw new Error(`date out of range: ${date.toISOString()}`);
  const rest =
    pad(date.getUTCMonth() + 1) + pad(date.getUTCDate()) + pad(date.getUTCHours()) + pad(date.getUTCMinutes()) + pad(date.getUTCSeconds()) + "Z";
  return y < 2050
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, pad(y % 100) + rest)
    : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, String(y) + rest);
}

/** A Date truncated to whole seconds (what the DER time can carry). @internal */
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** Normalises a hex serial: lowercase, no 0x, no leading zero bytes. @internal */
export function normalizeSerialHex(hex: string): string {
  let h = hex.trim().toLowerCase().replace(/^0x/, "");
  if (!/^[0-9a-f]+$/.test(h)) throw new Error(`not a hex serial number: ${JSON.stringify(hex)}`);
  if (h.length % 2) h = "0" + h;
  while (h.length > 2 && h.startsWith("00")) h = h.slice(2);
  return h;
}

/** A non-negative INTEGER from hex or bigint. @internal */
export function integerAsn1(value: string | bigint): Asn1 {
  let hex: string;
  if (typeof value === "bigint") {
    if (value < 0n) throw new Error("negative integer");
    hex = value.toString(16);
    if (hex.length % 2) hex = "0" + hex;
  } else {
    hex = normalizeSerialHex(value);
  }
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = "00" + hex;
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, forge.util.hexToBytes(hex));
}

/** @internal */
export function oidAsn1(oid: string): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes());
}

/** AlgorithmIdentifier sha256WithRSAEncryption with NULL parameters (RFC 4055 §5). @internal */
export function sha256WithRsaAlgorithm(): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    oidAsn1(OID.sha256WithRSAEncryption),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ""),
  ]);
}

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. @internal */
export function extensionAsn1(oid: string, critical: boolean, value: Asn1): Asn1 {
  const parts: Asn1[] = [oidAsn1(oid)];
  if (critical) parts.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, "\xff"));
  parts.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, asn1.toDer(value).getBytes()));
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, parts);
}

/** DER bytes of a forge ASN.1 object. @internal */
export function toDerBuffer(obj: Asn1): Buffer {
  return Buffer.from(asn1.toDer(obj).getBytes(), "binary");
}

/** Embeds already-encoded DER (e.g. a DN copied from a certificate) unchanged. @internal */
export function rawAsn1(der: Buffer): Asn1 {
  const obj = (asn1.fromDer as unknown as (b: string, o: object) => Asn1)(der.toString("binary"), {
    strict: true,
    parseAllBytes: true,
    decodeBitStrings: false,
  });
  if (!toDerBuffer(obj).equals(der)) throw new Error("DER value does not re-encode identically");
  return obj;
}

// ---------------------------------------------------------------------------------------------
// Distinguished names

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

function checkText(value: string, what: string, max: number): void {
  if (typeof value !== "string" || value.trim() === "") throw new Error(`${what} must be a non-empty string`);
  if (value !== value.trim()) throw new Error(`${what} must not start or end with white space`);
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new Error(`${what} must not contain control characters`);
  if ([...value].length > max) throw new Error(`${what} is longer than ${max} characters (RFC 5280 upper bound)`);
}

/**
 * Name for `subject`: C, O, OU, CN, serialNumber, emailAddress (each present one its own RDN).
 * C and serialNumber are PrintableString, emailAddress IA5String, the others UTF8String.
 * @internal
 */
export function subjectToAsn1(subject: Subject): Asn1 {
  const rdns: Asn1[] = [];
  const add = (oid: string, type: forge.asn1.Type, bytes: string) =>
    rdns.push(
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
          oidAsn1(oid),
          asn1.create(asn1.Class.UNIVERSAL, type, false, bytes),
        ]),
      ]),
    );
  if (subject.country !== undefined) {
    if (!/^[A-Z]{2}$/.test(subject.country)) throw new Error("subject.country must be two upper-case letters (ISO 3166)");
    add(OID.country, asn1.Type.PRINTABLESTRING, subject.country);
  }
  if (subject.organization !== undefined) {
    checkText(subject.organization, "subject.organization", 64);
    add(OID.organization, asn1.Type.UTF8, forge.util.encodeUtf8(subject.organization));
  }
  if (subject.organizationalUnit !== undefined) {
    checkText(subject.organizationalUnit, "subject.organizationalUnit", 64);
    add(OID.organizationalUnit, asn1.Type.UTF8, forge.util.encodeUtf8(subject.organizationalUnit));
  }
  checkText(subject.commonName, "subject.commonName", 64);
  add(OID.commonName, asn1.Type.UTF8, forge.util.encodeUtf8(subject.commonName));
  if (subject.serialNumber !== undefined) {
    checkText(subject.serialNumber, "subject.serialNumber", 64);
    if (!PRINTABLE.test(subject.serialNumber)) {
      throw new Error("subject.serialNumber must use PrintableString characters (letters, digits, space, '()+,-./:=?)");
    }
    add(OID.serialNumber, asn1.Type.PRINTABLESTRING, subject.serialNumber);
  }
  if (subject.email !== undefined) {
    checkText(subject.email, "subject.email", 255);
    if (!/^[\x21-\x7e]+@[\x21-\x7e]+$/.test(subject.email)) throw new Error("subject.email must be an ASCII e-mail address");
    add(OID.emailAddress, asn1.Type.IA5STRING, subject.email);
  }
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, rdns);
}

const utf8Fatal = new TextDecoder("utf-8", { fatal: true });

/** Decodes a DirectoryString / IA5String / PrintableString value. @internal */
export function derString(node: DerNode): string {
  const c = node.content;
  switch (node.tag) {
    case TAG.UTF8String:
      try {
        return utf8Fatal.decode(c);
      } catch {
        throw new DerError("invalid UTF-8 in UTF8String");
      }
    case TAG.PrintableString:
    case TAG.IA5String:
    case TAG.VisibleString:
      for (const b of c) if (b > 0x7f) throw new DerError("non-ASCII byte in an ASCII string type");
      return c.toString("latin1");
    case TAG.TeletexString:
      return c.toString("latin1");
    case TAG.BMPString: {
      if (c.length % 2) throw new DerError("odd-length BMPString");
      const swapped = Buffer.from(c);
      swapped.swap16();
      return swapped.toString("utf16le");
    }
    case TAG.UniversalString: {
      if (c.length % 4) throw new DerError("bad UniversalString length");
      let s = "";
      for (let i = 0; i < c.length; i += 4) s += String.fromCodePoint(c.readUInt32BE(i));
      return s;
    }
    default:
      throw new DerError(`unsupported string type 0x${node.tag.toString(16)}`);
  }
}

const SUBJECT_FIELDS: Record<string, keyof Subject> = {
  [OID.commonName]: "commonName",
  [OID.organization]: "organization",
  [OID.organizationalUnit]: "organizationalUnit",
  [OID.country]: "country",
  [OID.serialNumber]: "serialNumber",
  [OID.emailAddress]: "email",
};

/**
 * Reads a Name into a Subject. Attributes other than C, O, OU, CN, serialNumber and emailAddress
 * are ignored; of a repeated attribute the first is kept; a missing CN gives commonName "".
 * @internal
 */
export function nameToSubject(name: DerNode): Subject {
  name.expect(TAG.SEQUENCE, "Name");
  const subject: Subject = { commonName: "" };
  const seen = new Set<string>();
  for (const rdn of name.children()) {
    rdn.expect(TAG.SET, "RelativeDistinguishedName");
    for (const atv of rdn.children()) {
      const [type, value, ...extra] = atv.expect(TAG.SEQUENCE, "AttributeTypeAndValue").children();
      if (!type || !value || extra.length) throw new DerError("bad AttributeTypeAndValue");
      const field = SUBJECT_FIELDS[type.oid()];
      if (!field || seen.has(field)) continue;
      seen.add(field);
      subject[field] = derString(value);
    }
  }
  return subject;
}

// ---------------------------------------------------------------------------------------------
// Reading certificates

/** @internal */
export interface Extension {
  oid: string;
  critical: boolean;
  value: Buffer;
}

/** A certificate taken apart (no semantic checks beyond structure). @internal */
export interface ParsedCertificate {
  der: Buffer;
  tbs: Buffer;
  serialHex: string;
  tbsSignatureOid: string;
  signatureOid: string;
  signature: Buffer;
  issuerDer: Buffer;
  subjectDer: Buffer;
  issuer: Subject;
  subject: Subject;
  notBefore: Date;
  notAfter: Date;
  spkiDer: Buffer;
  /** The subjectPublicKey BIT STRING contents (input of the RFC 5280 method-1 key identifier). */
  publicKeyBits: Buffer;
  extensions: Extension[];
}

/** DER of the first PEM block with one of the given labels. @internal */
export function pemToDer(pem: string, labels: string[]): Buffer {
  if (typeof pem !== "string") throw new DerError("PEM input must be a string");
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(pem); m; m = re.exec(pem)) {
    if (!labels.includes(m[1])) continue;
    const body = m[2].replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4) throw new DerError(`bad base64 in PEM ${m[1]}`);
    const der = Buffer.from(body, "base64");
    if (der.length === 0) throw new DerError(`empty PEM ${m[1]}`);
    return der;
  }
  throw new DerError(`no PEM block labelled ${labels.join(" or ")}`);
}

/** PEM armour with 64-character lines. @internal */
export function derToPem(der: Buffer, label: string): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** Takes a DER certificate apart; throws DerError on anything malformed. @internal */
export function parseCertificateDer(der: Buffer): ParsedCertificate {
  try {
    return parseCertificateParts(der);
  } catch (e) {
    if (e instanceof DerError) throw e;
    throw new DerError(`malformed certificate: ${(e as Error).message}`);
  }
}

function parseCertificateParts(der: Buffer): ParsedCertificate {
  const [tbsNode, sigAlg, sigValue, ...extra] = DerNode.parse(der).expect(TAG.SEQUENCE, "Certificate").children();
  if (!tbsNode || !sigAlg || !sigValue || extra.length) throw new DerError("Certificate must have three parts");
  const t = tbsNode.expect(TAG.SEQUENCE, "TBSCertificate").children();
  let i = 0;
  let version = 0;
  if (t[i]?.tag === 0xa0) {
    const [v] = t[i++].children();
    version = parseInt(v.expect(TAG.INTEGER, "version").unsignedHex(), 16);
  }
  if (version > 2) throw new DerError(`unknown certificate version ${version}`);
  const serialHex = normalizeSerialHex(t[i++]?.expect(TAG.INTEGER, "serialNumber").unsignedHex() ?? "");
  const tbsSigAlg = t[i++]?.expect(TAG.SEQUENCE, "signature");
  const issuerNode = t[i++]?.expect(TAG.SEQUENCE, "issuer");
  const validity = t[i++]?.expect(TAG.SEQUENCE, "validity").children();
  const subjectNode = t[i++]?.expect(TAG.SEQUENCE, "subject");
  const spki = t[i++]?.expect(TAG.SEQUENCE, "subjectPublicKeyInfo");
  if (!tbsSigAlg || !issuerNode || !validity || validity.length !== 2 || !subjectNode || !spki) {
    throw new DerError("incomplete TBSCertificate");
  }
  while (t[i] && (t[i].tag === 0x81 || t[i].tag === 0xa1 || t[i].tag === 0x82 || t[i].tag === 0xa2)) i++; // unique ids
  const extensions: Extension[] = [];
  if (t[i]?.tag === 0xa3) {
    const [exts, ...more] = t[i++].children();
    if (!exts || more.length) throw new DerError("bad extensions wrapper");
    for (const ext of exts.expect(TAG.SEQUENCE, "Extensions").children()) {
      const parts = ext.expect(TAG.SEQUENCE, "Extension").children();
      const oid = parts[0].oid();
      let critical = false;
      let k = 1;
      if (parts[k]?.tag === TAG.BOOLEAN) critical = parts[k++].content[0] !== 0;
      const value = parts[k++]?.expect(TAG.OCTET_STRING, "extnValue").content;
      if (!value || k !== parts.length) throw new DerError("bad Extension");
      if (extensions.some((e) => e.oid === oid)) throw new DerError(`duplicate extension ${oid}`);
      extensions.push({ oid, critical, value });
    }
  }
  if (i !== t.length) throw new DerError("unexpected fields in TBSCertificate");
  const spkiParts = spki.children();
  return {
    der,
    tbs: tbsNode.raw,
    serialHex,
    tbsSignatureOid: tbsSigAlg.children()[0].oid(),
    signatureOid: sigAlg.expect(TAG.SEQUENCE, "signatureAlgorithm").children()[0].oid(),
    signature: sigValue.bitStringBytes(),
    issuerDer: issuerNode.raw,
    subjectDer: subjectNode.raw,
    issuer: nameToSubject(issuerNode),
    subject: nameToSubject(subjectNode),
    notBefore: derTime(validity[0]),
    notAfter: derTime(validity[1]),
    spkiDer: spki.raw,
    publicKeyBits: spkiParts[1].bitStringBytes(),
    extensions,
  };
}

/** @internal */
export function parseCertificatePem(pem: string): ParsedCertificate {
  return parseCertificateDer(pemToDer(pem, ["CERTIFICATE"]));
}

/** basicConstraints of a parsed certificate (absent: not a CA). @internal */
export function basicConstraints(cert: ParsedCertificate): { cA: boolean; pathLen?: number } {
  const ext = cert.extensions.find((e) => e.oid === OID.basicConstraints);
  if (!ext) return { cA: false };
  const parts = DerNode.parse(ext.value).expect(TAG.SEQUENCE, "BasicConstraints").children();
  let k = 0;
  let cA = false;
  if (parts[k]?.tag === TAG.BOOLEAN) cA = parts[k++].content[0] !== 0;
  let pathLen: number | undefined;
  if (parts[k]?.tag === TAG.INTEGER) pathLen = parseInt(parts[k++].unsignedHex(), 16);
  return pathLen === undefined ? { cA } : { cA, pathLen };
}

const KEY_USAGE_BITS = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
] as const;
export type KeyUsage = (typeof KEY_USAGE_BITS)[number];

/** keyUsage bits set, or undefined when the extension is absent. @internal */
export function keyUsage(cert: ParsedCertificate): Set<KeyUsage> | undefined {
  const ext = cert.extensions.find((e) => e.oid === OID.keyUsage);
  if (!ext) return undefined;
  const node = DerNode.parse(ext.value).expect(TAG.BIT_STRING, "KeyUsage");
  const c = node.content;
  const out = new Set<KeyUsage>();
  KEY_USAGE_BITS.forEach((name, bit) => {
    const byte = 1 + (bit >> 3);
    if (byte < c.length && c[byte] & (0x80 >> (bit & 7))) out.add(name);
  });
  return out;
}

/** The subjectKeyIdentifier, or the RFC 5280 method-1 identifier (SHA-1 of the key bits). @internal */
export function keyIdentifier(cert: ParsedCertificate): Buffer {
  const ext = cert.extensions.find((e) => e.oid === OID.subjectKeyIdentifier);
  if (ext) return DerNode.parse(ext.value).expect(TAG.OCTET_STRING, "SubjectKeyIdentifier").content;
  return crypto.createHash("sha1").update(cert.publicKeyBits).digest();
}

/** Verifies `signature` over `data` (algorithm `oid`) with an SPKI; false on any failure. @internal */
export function verifySignature(oid: string, data: Buffer, signature: Buffer, spkiDer: Buffer): boolean {
  const hash = SIGNATURE_HASH[oid];
  if (!hash) return false;
  try {
    const key = crypto.createPublicKey({ key: spkiDer, format: "der", type: "spki" });
    if (oid.startsWith("1.2.840.113549.1.1.") && key.asymmetricKeyType !== "rsa") return false;
    if (oid.startsWith("1.2.840.10045.4.") && key.asymmetricKeyType !== "ec") return false;
    return crypto.verify(hash, data, key, signature);
  } catch {
    return false;
  }
}

function rsaPrivateKey(pem: string, what: string): crypto.KeyObject {
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(pem);
  } catch (e) {
    throw new Error(`${what} is not a readable private key: ${(e as Error).message}`);
  }
  if (key.asymmetricKeyType !== "rsa") throw new Error(`${what} must be an RSA key (found ${key.asymmetricKeyType})`);
  return key;
}

function rsaPublicKey(pem: string, what: string): crypto.KeyObject {
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey(pem);
  } catch (e) {
    throw new Error(`${what} is not a readable public key: ${(e as Error).message}`);
  }
  if (key.asymmetricKeyType !== "rsa") throw new Error(`${what} must be an RSA key (found ${key.asymmetricKeyType})`);
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw new Error(`${what} must have at least 2048 bits`);
  return key;
}

/** Checks that a private key belongs to a certificate; throws otherwise. @internal */
export function assertKeyMatchesCertificate(privateKey: crypto.KeyObject, cert: ParsedCertificate, what: string): void {
  const certKey = crypto.createPublicKey({ key: cert.spkiDer, format: "der", type: "spki" });
  if (!crypto.createPublicKey(privateKey).equals(certKey)) throw new Error(`${what}: the private key does not match the certificate`);
}

// ---------------------------------------------------------------------------------------------
// Issuing

const DAY_MS = 86_400_000;

/** 16 random bytes, top bit clear (positive) and next bit set (no leading zero octet). */
function randomSerialHex(): string {
  const b = crypto.randomBytes(16);
  b[0] = (b[0] & 0x7f) | 0x40;
  return b.toString("hex");
}

function keyUsageAsn1(bits: KeyUsage[]): Asn1 {
  const bytes = [0, 0];
  let last = -1;
  for (const name of bits) {
    const bit = KEY_USAGE_BITS.indexOf(name);
    bytes[bit >> 3] |= 0x80 >> (bit & 7);
    last = Math.max(last, bit);
  }
  const used = (last >> 3) + 1;
  const unused = used * 8 - 1 - last; // DER: trailing zero bits are not encoded
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, String.fromCharCode(unused, ...bytes.slice(0, used)));
}

function seq(items: Asn1[]): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
}

function octets(bytes: Buffer): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes.toString("binary"));
}

/** AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING }. @internal */
export function authorityKeyIdentifierAsn1(keyId: Buffer): Asn1 {
  return seq([asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, keyId.toString("binary"))]);
}

function crlDistributionPointsAsn1(url: string): Asn1 {
  if (!/^https?:\/\/[\x21-\x7e]+$/.test(url)) throw new Error("crlUrl must be an http(s) URL of ASCII characters");
  // CRLDistributionPoints ::= SEQUENCE OF DistributionPoint { distributionPoint [0] { fullName [0] GeneralNames } }
  const uri = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 6, false, url); // uniformResourceIdentifier [6] IA5String
  const fullName = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [uri]);
  const dpName = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [fullName]);
  return seq([seq([dpName])]);
}

export function issueCertificate(opts: {
  kind: CertificateKind;
  subject: Subject;
  subjectPublicKeyPem: string;
  /** Absent only for root-ca (self-signed with the subject key: then pass selfSignKeyPem). */
  issuer?: { certPem: string; privateKeyPem: string };
  selfSignKeyPem?: string;
  validityDays: number;
  /** CRL distribution point URI (not on the root). */
  crlUrl?: string;
  now?: Date;
}): IssuedCertificate {
  const { kind } = opts;
  if (!["root-ca", "issuing-ca", "organization", "person", "tsa"].includes(kind)) throw new Error(`unknown certificate kind ${kind}`);
  if (!Number.isFinite(opts.validityDays) || opts.validityDays <= 0) throw new Error("validityDays must be a positive number");

  const subjectKey = rsaPublicKey(opts.subjectPublicKeyPem, "subjectPublicKeyPem");
  const spkiDer = subjectKey.export({ type: "spki", format: "der" });
  const publicKeyBits = DerNode.parse(spkiDer).children()[1].bitStringBytes();
  const subjectKeyId = crypto.createHash("sha1").update(publicKeyBits).digest();
  const subjectName = subjectToAsn1(opts.subject);

  const notBefore = wholeSeconds(opts.now ?? new Date());
  const notAfter = new Date(notBefore.getTime() + Math.round(opts.validityDays * DAY_MS));

  let signingKey: crypto.KeyObject;
  let issuerName: Asn1;
  let authorityKeyId: Buffer | undefined;
  if (kind === "root-ca") {
    if (opts.issuer) throw new Error("a root-ca certificate is self-signed: pass selfSignKeyPem, not issuer");
    if (!opts.selfSignKeyPem) throw new Error("a root-ca certificate needs selfSignKeyPem");
    if (opts.crlUrl) throw new Error("the root certificate carries no CRL distribution point");
    signingKey = rsaPrivateKey(opts.selfSignKeyPem, "selfSignKeyPem");
    if (!crypto.createPublicKey(signingKey).equals(subjectKey)) throw new Error("selfSignKeyPem does not match subjectPublicKeyPem");
    issuerName = subjectName;
  } else {
    if (!opts.issuer) throw new Error(`a ${kind} certificate needs an issuer`);
    if (opts.selfSignKeyPem) throw new Error("selfSignKeyPem is only for root-ca");
    const issuerCert = parseCertificatePem(opts.issuer.certPem);
    signingKey = rsaPrivateKey(opts.issuer.privateKeyPem, "issuer.privateKeyPem");
    assertKeyMatchesCertificate(signingKey, issuerCert, "issuer");
    const bc = basicConstraints(issuerCert);
    const ku = keyUsage(issuerCert);
    if (!bc.cA || (ku && !ku.has("keyCertSign"))) throw new Error("the issuer certificate is not a CA allowed to sign certificates");
    if (kind === "issuing-ca" && bc.pathLen === 0) throw new Error("the issuer's pathLen 0 forbids issuing a CA certificate");
    if (notAfter > issuerCert.notAfter) {
      throw new Error(`validity would end after the issuer's (${issuerCert.notAfter.toISOString()}): renew the issuer or shorten validityDays`);
    }
    if (notBefore < issuerCert.notBefore) throw new Error("the issuer certificate is not yet valid at `now`");
    issuerName = rawAsn1(issuerCert.subjectDer);
    authorityKeyId = keyIdentifier(issuerCert);
  }

  const exts: Asn1[] = [];
  const isCa = kind === "root-ca" || kind === "issuing-ca";
  if (isCa) {
    const bc: Asn1[] = [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, "\xff")];
    if (kind === "issuing-ca") bc.push(integerAsn1(0n));
    exts.push(extensionAsn1(OID.basicConstraints, true, seq(bc)));
    exts.push(extensionAsn1(OID.keyUsage, true, keyUsageAsn1(["keyCertSign", "cRLSign"])));
  } else {
    if (kind !== "tsa") exts.push(extensionAsn1(OID.basicConstraints, false, seq([]))); // cA FALSE (DEFAULT, so empty)
    exts.push(extensionAsn1(OID.keyUsage, true, keyUsageAsn1(["digitalSignature", "nonRepudiation"])));
    if (kind === "tsa") {
      // RFC 3161 §2.3: exactly one extended key usage, timeStamping, and the extension critical.
      exts.push(extensionAsn1(OID.extKeyUsage, true, seq([oidAsn1(OID.timeStamping)])));
    } else {
      exts.push(extensionAsn1(OID.extKeyUsage, false, seq([oidAsn1(OID.emailProtection), oidAsn1(OID.documentSigning)])));
    }
  }
  exts.push(extensionAsn1(OID.subjectKeyIdentifier, false, octets(subjectKeyId)));
  if (authorityKeyId) exts.push(extensionAsn1(OID.authorityKeyIdentifier, false, authorityKeyIdentifierAsn1(authorityKeyId)));
  if (opts.crlUrl !== undefined) exts.push(extensionAsn1(OID.cRLDistributionPoints, false, crlDistributionPointsAsn1(opts.crlUrl)));

  const serialHex = randomSerialHex();
  const tbs = seq([
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [integerAsn1(2n)]), // v3
    integerAsn1(serialHex),
    sha256WithRsaAlgorithm(),
    issuerName,
    seq([timeAsn1(notBefore), timeAsn1(notAfter)]),
    subjectName,
    rawAsn1(spkiDer),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 3, true, [seq(exts)]),
  ]);
  const tbsDer = toDerBuffer(tbs);
  const signature = crypto.sign("sha256", tbsDer, signingKey);
  const der = toDerBuffer(
    seq([
      rawAsn1(tbsDer),
      sha256WithRsaAlgorithm(),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, "\x00" + signature.toString("binary")),
    ]),
  );
  return {
    certPem: derToPem(der, "CERTIFICATE"),
    serialHex,
    notBefore,
    notAfter,
    fingerprintSha256: crypto.createHash("sha256").update(der).digest("hex"),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading and verifying

export function certificateInfo(certPem: string): {
  subject: Subject;
  issuer: Subject;
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  fingerprintSha256: string;
  isCa: boolean;
} {
  const c = parseCertificatePem(certPem);
  return {
    subject: c.subject,
    issuer: c.issuer,
    serialHex: c.serialHex,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    fingerprintSha256: crypto.createHash("sha256").update(c.der).digest("hex"),
    isCa: basicConstraints(c).cA,
  };
}

/** Extensions verifyChain understands; any other critical extension makes the chain fail (RFC 5280 §4.2). */
const UNDERSTOOD_EXTENSIONS = new Set<string>([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.cRLDistributionPoints,
  OID.subjectAltName,
  OID.authorityInfoAccess,
]);

function label(c: ParsedCertificate): string {
  return `"${c.subject.commonName || c.serialHex}"`;
}

/**
 * Verifies `certPem` chains to `rootPem` through `intermediates` (signatures, validity at `at`,
 * CA flags, keyCertSign, pathLen, unknown critical extensions). Names are matched byte for byte.
 * Revocation is not checked here (see crl.ts). Never throws.
 */
export function verifyChain(certPem: string, intermediatePems: string[], rootPem: string, at: Date = new Date()): { ok: boolean; problem?: string } {
  let leaf: ParsedCertificate;
  let root: ParsedCertificate;
  const intermediates: ParsedCertificate[] = [];
  try {
    leaf = parseCertificatePem(certPem);
    root = parseCertificatePem(rootPem);
    for (const pem of intermediatePems) intermediates.push(parseCertificatePem(pem));
  } catch (e) {
    return { ok: false, problem: `unreadable certificate: ${(e as Error).message}` };
  }
  const signedBy = (child: ParsedCertificate, issuer: ParsedCertificate) =>
    child.tbsSignatureOid === child.signatureOid && verifySignature(child.signatureOid, child.tbs, child.signature, issuer.spkiDer);

  if (!root.issuerDer.equals(root.subjectDer) || !signedBy(root, root)) {
    return { ok: false, problem: "the root is not a valid self-signed certificate" };
  }

  // Build the path leaf -> ... -> root.
  const path: ParsedCertificate[] = [leaf];
  let current = leaf;
  while (!current.der.equals(root.der)) {
    if (path.length > 10) return { ok: false, problem: "certificate path too long" };
    const candidates = [root, ...intermediates].filter((c) => c.subjectDer.equals(current.issuerDer) && !path.includes(c));
    const issuer = candidates.find((c) => signedBy(current, c));
    if (!issuer) {
      return {
        ok: false,
        problem: candidates.length
          ? `the signature of ${label(current)} does not verify with its issuer's key`
          : `no issuer certificate found for ${label(current)} (issuer "${current.issuer.commonName}")`,
      };
    }
    path.push(issuer);
    current = issuer;
  }

  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (at < c.notBefore) return { ok: false, problem: `${label(c)} is not yet valid (notBefore ${c.notBefore.toISOString()})` };
    if (at > c.notAfter) return { ok: false, problem: `${label(c)} has expired (notAfter ${c.notAfter.toISOString()})` };
    const unknown = c.extensions.find((e) => e.critical && !UNDERSTOOD_EXTENSIONS.has(e.oid));
    if (unknown) return { ok: false, problem: `${label(c)} has an unrecognised critical extension ${unknown.oid}` };
    if (i === 0) continue;
    let bc: { cA: boolean; pathLen?: number };
    let ku: Set<KeyUsage> | undefined;
    try {
      bc = basicConstraints(c);
      ku = keyUsage(c);
    } catch (e) {
      return { ok: false, problem: `${label(c)} has a malformed extension: ${(e as Error).message}` };
    }
    if (!bc.cA) return { ok: false, problem: `${label(c)} is not a CA certificate but issued ${label(path[i - 1])}` };
    if (ku && !ku.has("keyCertSign")) return { ok: false, problem: `${label(c)} lacks the keyCertSign key usage` };
    const casBelow = i - 1; // intermediate CA certificates between this one and the leaf
    if (bc.pathLen !== undefined && casBelow > bc.pathLen) {
      return { ok: false, problem: `${label(c)} allows a path length of ${bc.pathLen}, found ${casBelow}` };
    }
  }
  return { ok: true };
}

/**
 * The certificate as a node-forge object whose DN values are JS strings, so that forge re-encodes
 * them byte for byte (forge.pkcs7 builds IssuerAndSerialNumber from cert.issuer.attributes; with
 * forge.pki.certificateFromPem as is, UTF8String values get UTF-8-encoded twice and the SignerInfo
 * no longer names the certificate). Throws if a DN still would not round-trip.
 */
export function forgeCertificateFromPem(certPem: string): forge.pki.Certificate {
  const cert = forge.pki.certificateFromPem(certPem);
  const parsed = parseCertificatePem(certPem);
  for (const [dn, der] of [
    [cert.subject, parsed.subjectDer],
    [cert.issuer, parsed.issuerDer],
  ] as const) {
    for (const attr of dn.attributes) {
      if ((attr.valueTagClass as number) === asn1.Type.UTF8 && typeof attr.value === "string") {
        attr.value = forge.util.decodeUtf8(attr.value);
      }
    }
    const again = toDerBuffer(forge.pki.distinguishedNameToAsn1(dn));
    if (!again.equals(der)) throw new Error("this certificate's DN cannot be re-encoded exactly by node-forge");
  }
  return cert;
}
