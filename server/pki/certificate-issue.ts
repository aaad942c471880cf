// X.509 certificates of the platform CA: the root CA, the issuing CA, organisations, persons and
// the timestamp authority, and the delegated OCSP responder.
//
// The issuer DN of a certificate must equal its issuer's subject DN byte for byte, so it is copied
// from the issuer certificate as encoded rather than re-encoded from its text. Signatures are made
// with node:crypto (RSA PKCS#1 v1.5 with SHA-256): the CA's keys are RSA. A holder's own key may be
// RSA or ECDSA P-256 (spki-write.ts): node-forge cannot issue certificates for EC keys, so the
// whole TBSCertificate is written here in DER.
import * as crypto from "node:crypto";
import { keyIdentifier, KEY_USAGE_BITS, parseCertificatePem, KU, type KeyUsage } from "./certificate-parse";
import { assertKeyMatchesCertificate } from "./certificate-verify";
import { decodeDer, readBitString, sequenceOf } from "./der-read";
import { derBitString, derBoolean, derExplicit, derInteger, derNull, derOctetString, derOid, derSequence, tlv } from "./der-write";
import { subjectToDer, type Subject } from "./names";
import { subjectKeyType, subjectPublicKeyInfo, type SubjectKeyType } from "./spki-write";
import { OID, sha256 } from "./oid";
import { derToPem } from "./pem";
import { derAuthorityKeyIdentifier, derExtension, sha256WithRsaAlgorithm, signSha256WithRsa, wholeSeconds, x509Time } from "./x509-write";

export interface IssuedCertificate {
  certPem: string;
  /** Lowercase hex, no 0x, positive, 16 random bytes (always 32 hex digits). */
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  /** Lowercase hex of SHA-256 of the DER. */
  fingerprintSha256: string;
}

export type CertificateKind = "root-ca" | "issuing-ca" | "organization" | "person" | "tsa" | "ocsp-signer";

const DAY_MS = 86_400_000;

/** 16 random bytes, top bit clear (positive) and next bit set (no leading zero octet). */
function randomSerialHex(): string {
  const b = crypto.randomBytes(16);
  b[0] = (b[0] & 0x7f) | 0x40;
  return b.toString("hex");
}

function keyUsageDer(bits: KeyUsage[]): Buffer {
  const bytes = [0, 0];
  let last = -1;
  for (const name of bits) {
    const bit = KEY_USAGE_BITS.indexOf(name);
    bytes[bit >> 3] |= 0x80 >> (bit & 7);
    last = Math.max(last, bit);
  }
  const used = (last >> 3) + 1;
  const unused = used * 8 - 1 - last; // DER: trailing zero bits are not encoded
  return derBitString(Buffer.from(bytes.slice(0, used)), unused);
}

/** The cRLDistributionPoints extension value naming one URL (exported to compare a certificate's with it). */
export function crlDistributionPointsDer(url: string): Buffer {
  if (!/^https?:\/\/[\x21-\x7e]+$/.test(url)) throw new Error("crlUrl must be an http(s) URL of ASCII characters");
  // CRLDistributionPoints ::= SEQUENCE OF DistributionPoint { distributionPoint [0] { fullName [0] GeneralNames } }
  const uri = tlv(0x86, Buffer.from(url, "latin1")); // uniformResourceIdentifier [6] IA5String
  const fullName = tlv(0xa0, uri);
  const dpName = tlv(0xa0, fullName);
  return derSequence(derSequence(dpName));
}

const httpUrl = (url: string, what: string): Buffer => {
  if (!/^https?:\/\/[\x21-\x7e]+$/.test(url)) throw new Error(`${what} must be an http(s) URL of ASCII characters`);
  return tlv(0x86, Buffer.from(url, "latin1")); // uniformResourceIdentifier [6] IA5String
};

/**
 * The authorityInfoAccess extension value (RFC 5280 §4.2.2.1): where the OCSP responder answers
 * for this certificate (id-ad-ocsp) and where its issuer's certificate is (id-ad-caIssuers, DER).
 */
export function authorityInfoAccessDer(access: { ocspUrl?: string; caIssuersUrl?: string }): Buffer {
  const items: Buffer[] = [];
  if (access.ocspUrl !== undefined) items.push(derSequence(derOid(OID.adOcsp), httpUrl(access.ocspUrl, "ocspUrl")));
  if (access.caIssuersUrl !== undefined) items.push(derSequence(derOid(OID.adCaIssuers), httpUrl(access.caIssuersUrl, "caIssuersUrl")));
  if (items.length === 0) throw new Error("authorityInfoAccess needs an OCSP or a caIssuers URL");
  return derSequence(...items);
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

/**
 * The subject key, read and checked: RSA of at least 2048 bits for every kind, or ECDSA P-256 for a
 * holder (person or organisation). The CA, the TSA and the OCSP responder stay RSA: their
 * certificates sign with the CA's RSA key and nothing gains from a change there.
 */
function subjectPublicKey(pem: string, kind: CertificateKind): crypto.KeyObject {
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey(pem);
  } catch (e) {
    throw new Error(`subjectPublicKeyPem is not a readable public key: ${(e as Error).message}`);
  }
  let type: SubjectKeyType;
  try {
    type = subjectKeyType(key);
  } catch (e) {
    throw new Error(`subjectPublicKeyPem: ${(e as Error).message}`);
  }
  if (type !== "rsa" && kind !== "person" && kind !== "organization") throw new Error(`a ${kind} certificate must have an RSA key (found ${type})`);
  return key;
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
  /** authorityInfoAccess: the OCSP responder for this certificate, and the URL of its issuer's certificate (not on the root) */
  ocspUrl?: string;
  caIssuersUrl?: string;
  now?: Date;
}): IssuedCertificate {
  const { kind } = opts;
  if (!["root-ca", "issuing-ca", "organization", "person", "tsa", "ocsp-signer"].includes(kind)) throw new Error(`unknown certificate kind ${kind}`);
  if (!Number.isFinite(opts.validityDays) || opts.validityDays <= 0) throw new Error("validityDays must be a positive number");

  const subjectKey = subjectPublicKey(opts.subjectPublicKeyPem, kind);
  const spkiDer = subjectPublicKeyInfo(subjectKey);
  const publicKeyBits = readBitString(sequenceOf(decodeDer(spkiDer), "subjectPublicKeyInfo")[1], "subjectPublicKey");
  const subjectKeyId = crypto.createHash("sha1").update(publicKeyBits).digest();
  const subjectName = subjectToDer(opts.subject);

  const notBefore = wholeSeconds(opts.now ?? new Date());
  const notAfter = new Date(notBefore.getTime() + Math.round(opts.validityDays * DAY_MS));

  let signingKey: crypto.KeyObject;
  let issuerName: Buffer;
  let authorityKeyId: Buffer | undefined;
  if (kind === "root-ca") {
    if (opts.issuer) throw new Error("a root-ca certificate is self-signed: pass selfSignKeyPem, not issuer");
    if (!opts.selfSignKeyPem) throw new Error("a root-ca certificate needs selfSignKeyPem");
    if (opts.crlUrl) throw new Error("the root certificate carries no CRL distribution point");
    if (opts.ocspUrl || opts.caIssuersUrl) throw new Error("the root certificate carries no authorityInfoAccess");
    signingKey = rsaPrivateKey(opts.selfSignKeyPem, "selfSignKeyPem");
    if (!crypto.createPublicKey(signingKey).equals(subjectKey)) throw new Error("selfSignKeyPem does not match subjectPublicKeyPem");
    issuerName = subjectName;
  } else {
    if (!opts.issuer) throw new Error(`a ${kind} certificate needs an issuer`);
    if (opts.selfSignKeyPem) throw new Error("selfSignKeyPem is only for root-ca");
    const issuerCert = parseCertificatePem(opts.issuer.certPem);
    signingKey = rsaPrivateKey(opts.issuer.privateKeyPem, "issuer.privateKeyPem");
    assertKeyMatchesCertificate(signingKey, issuerCert, "issuer");
    if (!issuerCert.isCA || (issuerCert.keyUsage && !issuerCert.keyUsage.has(KU.keyCertSign))) {
      throw new Error("the issuer certificate is not a CA allowed to sign certificates");
    }
    if (kind === "issuing-ca" && issuerCert.pathLen === 0) throw new Error("the issuer's pathLen 0 forbids issuing a CA certificate");
    if (notAfter > issuerCert.notAfter) {
      throw new Error(`validity would end after the issuer's (${issuerCert.notAfter.toISOString()}): renew the issuer or shorten validityDays`);
    }
    if (notBefore < issuerCert.notBefore) throw new Error("the issuer certificate is not yet valid at `now`");
    issuerName = issuerCert.subjectDer;
    authorityKeyId = keyIdentifier(issuerCert);
  }

  const exts: Buffer[] = [];
  const isCa = kind === "root-ca" || kind === "issuing-ca";
  if (isCa) {
    const bc = [derBoolean(true), ...(kind === "issuing-ca" ? [derInteger(0n)] : [])];
    exts.push(derExtension(OID.basicConstraints, true, derSequence(...bc)));
    exts.push(derExtension(OID.keyUsage, true, keyUsageDer(["keyCertSign", "cRLSign"])));
  } else if (kind === "ocsp-signer") {
    // RFC 6960 §4.2.2.2: a delegated responder is named by id-kp-OCSPSigning, issued directly by the
    // CA it answers for. id-pkix-ocsp-nocheck (§4.2.2.2.1) tells clients not to ask about the
    // responder's own status; the certificate is short-lived instead.
    exts.push(derExtension(OID.keyUsage, true, keyUsageDer(["digitalSignature"])));
    exts.push(derExtension(OID.extKeyUsage, false, derSequence(derOid(OID.kpOcspSigning))));
    exts.push(derExtension(OID.ocspNoCheck, false, derNull()));
  } else {
    if (kind !== "tsa") exts.push(derExtension(OID.basicConstraints, false, derSequence())); // cA FALSE (DEFAULT, so empty)
    exts.push(derExtension(OID.keyUsage, true, keyUsageDer(["digitalSignature", "nonRepudiation"])));
    if (kind === "tsa") {
      // RFC 3161 §2.3: exactly one extended key usage, timeStamping, and the extension critical.
      exts.push(derExtension(OID.extKeyUsage, true, derSequence(derOid(OID.kpTimeStamping))));
    } else {
      exts.push(derExtension(OID.extKeyUsage, false, derSequence(derOid(OID.emailProtection), derOid(OID.documentSigning))));
    }
  }
  exts.push(derExtension(OID.subjectKeyIdentifier, false, derOctetString(subjectKeyId)));
  if (authorityKeyId) exts.push(derExtension(OID.authorityKeyIdentifier, false, derAuthorityKeyIdentifier(authorityKeyId)));
  if (opts.crlUrl !== undefined) exts.push(derExtension(OID.cRLDistributionPoints, false, crlDistributionPointsDer(opts.crlUrl)));
  if (opts.ocspUrl !== undefined || opts.caIssuersUrl !== undefined) {
    exts.push(derExtension(OID.authorityInfoAccess, false, authorityInfoAccessDer({ ocspUrl: opts.ocspUrl, caIssuersUrl: opts.caIssuersUrl })));
  }

  const serialHex = randomSerialHex();
  const tbs = derSequence(
    derExplicit(0, derInteger(2n)), // v3
    derInteger(BigInt("0x" + serialHex)),
    sha256WithRsaAlgorithm(),
    issuerName,
    derSequence(x509Time(notBefore), x509Time(notAfter)),
    subjectName,
    spkiDer,
    derExplicit(3, derSequence(...exts)),
  );
  const der = signSha256WithRsa(tbs, signingKey);
  return {
    certPem: derToPem(der, "CERTIFICATE"),
    serialHex,
    notBefore,
    notAfter,
    fingerprintSha256: sha256(der).toString("hex"),
  };
}
