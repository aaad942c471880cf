// X.509 certificates taken apart: one strict parse, cached, for issuing, CRLs, CMS, timestamps
// and PDF signatures alike.
import { createHash, X509Certificate, type KeyObject } from "node:crypto";
import {
  DerError,
  TAG,
  childrenOf,
  decodeDer,
  expectTag,
  readBitString,
  readBoolean,
  readInteger,
  readIntegerContent,
  readOctetString,
  readOid,
  readTime,
  readUnsigned,
  sequenceOf,
  type DerNode,
} from "./der-read";
import { nameToSubject, type Subject } from "./names";
import { OID, sha256 } from "./oid";
import { derToPem, pemBlocks, pemToDer } from "./pem";

export interface Extension {
  critical: boolean;
  value: Buffer;
}

export const KEY_USAGE_BITS = [
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

/** keyUsage bit numbers by name (RFC 5280 4.2.1.3). */
export const KU = Object.fromEntries(KEY_USAGE_BITS.map((name, bit) => [name, bit])) as Record<KeyUsage, number>;

export interface ParsedCertificate {
  der: Buffer;
  pem: string;
  x509: X509Certificate;
  publicKey: KeyObject;
  /** the TBSCertificate as encoded (what the signature covers) */
  tbs: Buffer;
  /** serialNumber INTEGER content octets, as encoded */
  serial: Buffer;
  /** the serial number in lowercase hex, whole octets, no sign octet */
  serialHex: string;
  tbsSignatureOid: string;
  signatureOid: string;
  signature: Buffer;
  /** the issuer and subject Name TLVs, as encoded */
  issuerDer: Buffer;
  subjectDer: Buffer;
  issuer: Subject;
  subject: Subject;
  notBefore: Date;
  notAfter: Date;
  spkiDer: Buffer;
  /** the subjectPublicKey BIT STRING contents (input of the RFC 5280 method-1 key identifier) */
  publicKeyBits: Buffer;
  /** by OID, in the certificate's order */
  extensions: Map<string, Extension>;
  /** basicConstraints: cA, pathLenConstraint */
  isCA: boolean;
  pathLen: number | null;
  /** keyUsage bit numbers (see KU), null when absent */
  keyUsage: Set<number> | null;
  /** extKeyUsage OIDs and the extension's criticality, null when absent */
  extKeyUsage: string[] | null;
  extKeyUsageCritical: boolean;
  subjectKeyId: Buffer | null;
  /** "CN=..., O=..." for messages */
  subjectText: string;
}

/** Extensions ::= SEQUENCE OF Extension { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
export function readExtensions(node: DerNode): Map<string, Extension> {
  const out = new Map<string, Extension>();
  for (const ext of sequenceOf(node, "Extensions")) {
    const parts = sequenceOf(ext, "Extension");
    const oid = readOid(parts[0], "extnID");
    let k = 1;
    const critical = parts[k]?.tag === TAG.BOOLEAN ? readBoolean(parts[k++], "critical", false) : false;
    const value = readOctetString(parts[k++], "extnValue");
    if (k !== parts.length) throw new DerError("bad Extension");
    if (out.has(oid)) throw new DerError(`duplicate extension ${oid}`);
    out.set(oid, { critical, value });
  }
  return out;
}

/** Lowercase hex of a non-negative integer, whole octets ("00" for zero). */
export function unsignedHex(v: bigint): string {
  const h = v.toString(16);
  return h.length % 2 ? "0" + h : h;
}

/**
 * Parsed certificates by the SHA-256 of their DER. Verifying a bundle parses the same few
 * certificates (signer, issuing CA, root, TSA) every time, and building an X509Certificate is the
 * costliest step of a verification. Parsed results are read-only; failures are not kept.
 */
const PARSED_CACHE_SIZE = 1024;
const parsedCertificates = new Map<string, ParsedCertificate>();

/**
 * Parses one certificate: DER, or PEM holding exactly one. Throws DerError when malformed, or
 * node:crypto's error when OpenSSL cannot read it.
 */
export function parseCertificate(input: Buffer | string): ParsedCertificate {
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
  if (cached && cached.der.equals(der)) {
    // Least recently used goes first: re-inserting moves this one to the end.
    parsedCertificates.delete(id);
    parsedCertificates.set(id, cached);
    return cached;
  }
  const parsed = parseCertificateDer(Buffer.from(der));
  parsedCertificates.set(id, parsed);
  if (parsedCertificates.size > PARSED_CACHE_SIZE) parsedCertificates.delete(parsedCertificates.keys().next().value!);
  return parsed;
}

/**
 * The same PEM texts (the platform's root, issuing CA and TSA, a signer's certificate) arrive on
 * every verification: what a text parses to is kept by the text itself, which saves its base64
 * decoding and the digest that keys the cache above.
 */
const PEM_CACHE_SIZE = 256;
const firstOfPem = new Map<string, ParsedCertificate>();
const allOfPem = new Map<string, ParsedCertificate[]>();

function kept<T>(cache: Map<string, T>, pem: string, parse: () => T): T {
  const known = cache.get(pem);
  if (known) return known;
  const parsed = parse();
  if (cache.size >= PEM_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(pem, parsed);
  return parsed;
}

/** The first CERTIFICATE block of a PEM text (a chain file gives its first certificate). */
export function parseCertificatePem(pem: string): ParsedCertificate {
  return kept(firstOfPem, pem, () => parseCertificate(pemToDer(pem, ["CERTIFICATE"])));
}

/** Every certificate in a list of PEM strings (each may hold several). */
export function parseCertificatesPem(pems: string[]): ParsedCertificate[] {
  return pems.flatMap((pem) => kept(allOfPem, pem, () => pemBlocks(pem).map((der) => parseCertificate(der))));
}

function parseCertificateDer(der: Buffer): ParsedCertificate {
  let parts: Omit<ParsedCertificate, "pem" | "x509" | "publicKey" | "subjectText">;
  try {
    parts = parseStructure(der);
  } catch (e) {
    if (e instanceof DerError) throw e;
    throw new DerError(`malformed certificate: ${(e as Error).message}`);
  }
  const x509 = new X509Certificate(der);
  return { ...parts, pem: derToPem(der), x509, publicKey: x509.publicKey, subjectText: x509.subject.replace(/\n/g, ", ") };
}

function parseStructure(der: Buffer): Omit<ParsedCertificate, "pem" | "x509" | "publicKey" | "subjectText"> {
  const [tbsNode, sigAlg, sigValue, ...extra] = sequenceOf(decodeDer(der), "Certificate");
  if (!tbsNode || !sigAlg || !sigValue || extra.length) throw new DerError("Certificate must have three parts");
  const t = sequenceOf(tbsNode, "TBSCertificate");
  let i = 0;
  if (t[i]?.tag === 0xa0) {
    const version = readUnsigned(childrenOf(t[i++])[0], "version");
    if (version > 2n) throw new DerError(`unknown certificate version ${version}`);
  }
  const serialNode = t[i++];
  // RFC 5280 4.1.2.2: CAs must not issue negative serials, but users should handle them gracefully
  // (old CAs did): such a certificate is read, its serial written with a minus sign.
  const serial = readInteger(serialNode, "serialNumber");
  const serialHex = serial < 0n ? "-" + unsignedHex(-serial) : unsignedHex(serial);
  const tbsSignatureOid = readOid(sequenceOf(t[i++], "signature")[0], "signature algorithm");
  const issuerNode = expectTag(t[i++], TAG.SEQUENCE, "issuer");
  const validity = sequenceOf(t[i++], "validity");
  if (validity.length !== 2) throw new DerError("validity must have notBefore and notAfter");
  const subjectNode = expectTag(t[i++], TAG.SEQUENCE, "subject");
  const spki = expectTag(t[i++], TAG.SEQUENCE, "subjectPublicKeyInfo");
  while (t[i] && (t[i].tag === 0x81 || t[i].tag === 0xa1 || t[i].tag === 0x82 || t[i].tag === 0xa2)) i++; // unique ids
  let extensions = new Map<string, Extension>();
  if (t[i]?.tag === 0xa3) {
    const [exts, ...more] = childrenOf(t[i++]);
    if (!exts || more.length) throw new DerError("bad extensions wrapper");
    extensions = readExtensions(exts);
  }
  if (i !== t.length) throw new DerError("unexpected fields in TBSCertificate");

  let isCA = false;
  let pathLen: number | null = null;
  const bc = extensions.get(OID.basicConstraints);
  if (bc) {
    const f = sequenceOf(decodeDer(bc.value), "basicConstraints");
    let j = 0;
    if (f[j]?.tag === TAG.BOOLEAN) isCA = readBoolean(f[j++], "cA", false);
    if (f[j]?.tag === TAG.INTEGER) pathLen = Number(readUnsigned(f[j++], "pathLenConstraint"));
  }
  let keyUsage: Set<number> | null = null;
  const ku = extensions.get(OID.keyUsage);
  if (ku) {
    const bits = expectTag(decodeDer(ku.value), TAG.BIT_STRING, "keyUsage").content;
    keyUsage = new Set();
    for (let b = 0; b < (bits.length - 1) * 8; b++) {
      if (bits[1 + (b >> 3)] & (0x80 >> (b & 7))) keyUsage.add(b);
    }
  }
  const eku = extensions.get(OID.extKeyUsage);
  const ski = extensions.get(OID.subjectKeyIdentifier);

  return {
    der,
    tbs: tbsNode.raw,
    serial: readIntegerContent(serialNode, "serialNumber"),
    serialHex,
    tbsSignatureOid,
    signatureOid: readOid(sequenceOf(sigAlg, "signatureAlgorithm")[0], "signatureAlgorithm algorithm"),
    signature: readBitString(sigValue, "signatureValue"),
    issuerDer: issuerNode.raw,
    subjectDer: subjectNode.raw,
    issuer: nameToSubject(issuerNode),
    subject: nameToSubject(subjectNode),
    notBefore: readTime(validity[0], "notBefore"),
    notAfter: readTime(validity[1], "notAfter"),
    spkiDer: spki.raw,
    publicKeyBits: readBitString(sequenceOf(spki, "subjectPublicKeyInfo")[1], "subjectPublicKey"),
    extensions,
    isCA,
    pathLen,
    keyUsage,
    extKeyUsage: eku ? sequenceOf(decodeDer(eku.value), "extKeyUsage").map((n) => readOid(n, "KeyPurposeId")) : null,
    extKeyUsageCritical: eku?.critical ?? false,
    subjectKeyId: ski ? readOctetString(decodeDer(ski.value), "subjectKeyIdentifier") : null,
  };
}

/** The subjectKeyIdentifier, or the RFC 5280 method-1 identifier (SHA-1 of the key bits). */
export function keyIdentifier(cert: ParsedCertificate): Buffer {
  return cert.subjectKeyId ?? createHash("sha1").update(cert.publicKeyBits).digest();
}

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
  // copies: the parsed certificate is shared through the cache
  return {
    subject: { ...c.subject },
    issuer: { ...c.issuer },
    serialHex: c.serialHex,
    notBefore: new Date(c.notBefore),
    notAfter: new Date(c.notAfter),
    fingerprintSha256: sha256(c.der).toString("hex"),
    isCa: c.isCA,
  };
}
