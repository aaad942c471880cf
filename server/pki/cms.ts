// CMS SignedData (RFC 5652) with CAdES-style signed attributes: detached signatures over a
// file's SHA-256 digest (the file itself is never needed), and the signing/verifying core that
// the timestamp authority (tsa.ts) shares.
//
// Built directly in DER (der-write.ts) and signed with node:crypto over the DER SET OF the signed
// attributes; node-forge's pkcs7 knows neither signing-certificate-v2 nor detached signing from
// a digest.
import { createHash, createPrivateKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { KU, parseCertificate, parseCertificatesPem, type ParsedCertificate } from "./certificate-parse";
import { keyMatchesCertificate, validatePath } from "./certificate-verify";
import {
  childrenOf,
  decodeDer,
  DerError,
  expectTag,
  integerFromContent,
  readInteger,
  readIntegerContent,
  readOctetString,
  readOid,
  readTime,
  sequenceOf,
  type DerNode,
} from "./der-read";
import { derAlgorithm, derExplicit, derInteger, derOctetString, derOid, derSequence, derSetOf, derTime, tlv } from "./der-write";
import { DIGESTS, OID, SIGNATURE_HASH, sha256 } from "./oid";

export interface CmsSigner {
  certPem: string;
  privateKeyPem: string;
  /** issuing CA, root: included in the SignedData certificates */
  chainPems: string[];
}

export interface CmsVerification {
  ok: boolean;
  problems: string[];
  signerCertPem: string | null;
  signingTime: Date | null;
  certificatesPem: string[];
}

// ---------------------------------------------------------------------------------------------
// Signing (shared with tsa.ts)

export interface SigningKey {
  cert: ParsedCertificate;
  chain: ParsedCertificate[];
  key: KeyObject;
  /** signatureAlgorithm of the SignerInfo */
  signatureAlgorithm: Buffer;
}

/**
 * Parsed signers by certificate and key: parsing the certificates and the key and checking that
 * they belong together costs more than the signature itself, and the same users sign again and again.
 */
const SIGNER_CACHE_SIZE = 256;
const signerCache = new Map<string, SigningKey>();

/** The signer's certificate, chain and key, parsed and checked to belong together (cached). */
export function loadSigner(signer: CmsSigner): SigningKey {
  const id = createHash("sha256").update(signer.certPem).update("\0").update(signer.privateKeyPem).update("\0").update(signer.chainPems.join("\0")).digest("hex");
  const cached = signerCache.get(id);
  if (cached) {
    // Least recently used goes first: re-inserting moves this one to the end.
    signerCache.delete(id);
    signerCache.set(id, cached);
    return cached;
  }
  const loaded = parseSigner(signer);
  signerCache.set(id, loaded);
  if (signerCache.size > SIGNER_CACHE_SIZE) signerCache.delete(signerCache.keys().next().value!);
  return loaded;
}

function parseSigner(signer: CmsSigner): SigningKey {
  const cert = parseCertificate(signer.certPem);
  const chain = parseCertificatesPem(signer.chainPems);
  const key = createPrivateKey(signer.privateKeyPem);
  if (!keyMatchesCertificate(key, cert)) {
    throw new Error(`the private key does not belong to the certificate "${cert.subjectText}"`);
  }
  let signatureAlgorithm: Buffer;
  if (key.asymmetricKeyType === "rsa") {
    // RFC 4056 / RFC 5754: sha256WithRSAEncryption with NULL parameters (openssl writes
    // rsaEncryption; both are accepted by openssl cms -verify and by verifySignedData).
    signatureAlgorithm = derAlgorithm(OID.sha256WithRSAEncryption, true);
  } else if (key.asymmetricKeyType === "ec") {
    signatureAlgorithm = derAlgorithm(OID.ecdsaWithSha256, false);
  } else {
    throw new Error(`unsupported signing key type ${key.asymmetricKeyType}`);
  }
  return { cert, chain, key, signatureAlgorithm };
}

function attribute(oid: string, value: Buffer): Buffer {
  return derSequence(derOid(oid), derSetOf([value]));
}

/** ESS SigningCertificateV2 (RFC 5035) for `cert`: hashAlgorithm omitted (DER default SHA-256). */
export function signingCertificateV2(cert: ParsedCertificate): Buffer {
  const issuerSerial = derSequence(
    derSequence(tlv(0xa4, cert.issuerDer)), // GeneralNames { directoryName [4] Name }
    derInteger(cert.serial),
  );
  const essCertIdV2 = derSequence(derOctetString(sha256(cert.der)), issuerSerial);
  return derSequence(derSequence(essCertIdV2));
}

export interface SignedDataInput {
  eContentType: string;
  /** the encapsulated content, or null for a detached signature */
  eContent: Buffer | null;
  /** SHA-256 of the content (of eContent when present) */
  contentSha256: Buffer;
  signer: CmsSigner;
  signingTime: Date;
  /** put the signer certificate and chainPems in the certificates field */
  includeCertificates: boolean;
}

/** ContentInfo(SignedData) DER, one SignerInfo (issuerAndSerialNumber, SHA-256, signed attributes). */
export function buildSignedData(input: SignedDataInput): Buffer {
  const { s, signedAttrs } = prepareSignedData(input);
  return assembleSignedData(input, s, signedAttrs, cryptoSign("sha256", signedAttrs, s.key));
}

/** As buildSignedData, with the private-key operation on libuv's thread pool, off the event loop. */
export async function buildSignedDataAsync(input: SignedDataInput): Promise<Buffer> {
  const { s, signedAttrs } = prepareSignedData(input);
  const signature = await new Promise<Buffer>((resolve, reject) =>
    cryptoSign("sha256", signedAttrs, s.key, (err, sig) => (err ? reject(err) : resolve(sig))),
  );
  return assembleSignedData(input, s, signedAttrs, signature);
}

function prepareSignedData(input: SignedDataInput): { s: SigningKey; signedAttrs: Buffer } {
  if (input.contentSha256.length !== 32) throw new Error("contentSha256 must be 32 bytes");
  if (Number.isNaN(input.signingTime.getTime())) throw new Error("invalid signingTime");
  const s = loadSigner(input.signer);
  // RFC 5652 5.4: the signature covers the DER of the SET OF (tag 0x31)
  const signedAttrs = derSetOf([
    attribute(OID.contentType, derOid(input.eContentType)),
    attribute(OID.signingTime, derTime(input.signingTime)),
    attribute(OID.messageDigest, derOctetString(input.contentSha256)),
    attribute(OID.signingCertificateV2, signingCertificateV2(s.cert)),
  ]);
  return { s, signedAttrs };
}

function assembleSignedData(input: SignedDataInput, s: SigningKey, signedAttrs: Buffer, signature: Buffer): Buffer {
  const digestAlgorithm = derAlgorithm(OID.sha256, false); // RFC 5754: parameters absent
  // The SignerInfo carries the signed SET OF as [0] IMPLICIT.
  const signedAttrsImplicit = Buffer.concat([Buffer.from([0xa0]), signedAttrs.subarray(1)]);

  const signerInfo = derSequence(
    derInteger(1n),
    derSequence(s.cert.issuerDer, derInteger(s.cert.serial)),
    digestAlgorithm,
    signedAttrsImplicit,
    s.signatureAlgorithm,
    derOctetString(signature),
  );
  const encap = input.eContent
    ? derSequence(derOid(input.eContentType), derExplicit(0, derOctetString(input.eContent)))
    : derSequence(derOid(input.eContentType));
  const certs: Buffer[] = [];
  if (input.includeCertificates) {
    for (const c of [s.cert, ...s.chain]) if (!certs.some((d) => d.equals(c.der))) certs.push(c.der);
  }
  // RFC 5652 5.1: version 1 for id-data with issuerAndSerialNumber, 3 for any other content type
  const version = input.eContentType === OID.data ? 1n : 3n;
  const signedData = derSequence(
    derInteger(version),
    derSetOf([digestAlgorithm]),
    encap,
    ...(certs.length ? [derSetOf(certs, 0xa0)] : []),
    derSetOf([signerInfo]),
  );
  return derSequence(derOid(OID.signedData), derExplicit(0, signedData));
}

/**
 * Detached CMS SignedData over a content of which only the SHA-256 is given: eContentType
 * id-data, no eContent; signed attributes contentType, messageDigest, signingTime (UTCTime,
 * whole seconds) and ESS signing-certificate-v2; the signer certificate and chainPems included.
 */
export function signDetached(contentSha256: Buffer, signer: CmsSigner, signingTime: Date): Buffer {
  return buildSignedData(detachedInput(contentSha256, signer, signingTime));
}

/** As signDetached, signing off the event loop (many uploads are signed at once). */
export function signDetachedAsync(contentSha256: Buffer, signer: CmsSigner, signingTime: Date): Promise<Buffer> {
  return buildSignedDataAsync(detachedInput(contentSha256, signer, signingTime));
}

function detachedInput(contentSha256: Buffer, signer: CmsSigner, signingTime: Date): SignedDataInput {
  return { eContentType: OID.data, eContent: null, contentSha256, signer, signingTime, includeCertificates: true };
}

// ---------------------------------------------------------------------------------------------
// Parsing

export interface ParsedSignerInfo {
  sid: { issuer: Buffer; serial: Buffer } | { subjectKeyId: Buffer };
  digestAlgorithm: string;
  /** the signedAttrs as received, with the [0] tag */
  signedAttrsRaw: Buffer | null;
  attributes: { oid: string; values: DerNode[] }[];
  signatureAlgorithm: string;
  signature: Buffer;
}

export interface ParsedSignedData {
  eContentType: string;
  eContent: Buffer | null;
  /** DER of each certificate in the certificates field */
  certificates: Buffer[];
  signerInfos: ParsedSignerInfo[];
}

function readAlgorithmOid(node: DerNode | undefined, what: string): string {
  return readOid(sequenceOf(node, what)[0], `${what} algorithm`);
}

/** Parses a ContentInfo(SignedData). Throws DerError when malformed. */
export function parseSignedData(der: Buffer): ParsedSignedData {
  const ci = sequenceOf(decodeDer(der), "ContentInfo");
  const ct = readOid(ci[0], "contentType");
  if (ct !== OID.signedData) throw new DerError(`ContentInfo holds ${ct}, not SignedData`);
  const [sdNode] = sequenceOf(ci[1], "ContentInfo content", 0xa0);
  const sd = sequenceOf(sdNode, "SignedData");
  let i = 0;
  readInteger(sd[i++], "SignedData version", false);
  sequenceOf(sd[i++], "digestAlgorithms", 0x31);
  const encap = sequenceOf(sd[i++], "encapContentInfo");
  const eContentType = readOid(encap[0], "eContentType");
  let eContent: Buffer | null = null;
  if (encap[1]) {
    const inner = sequenceOf(encap[1], "eContent", 0xa0);
    eContent = readOctetString(inner[0], "eContent");
  }
  const certificates: Buffer[] = [];
  if (sd[i]?.tag === 0xa0) {
    for (const c of childrenOf(sd[i++])) if (c.tag === 0x30) certificates.push(Buffer.from(c.raw));
  }
  if (sd[i]?.tag === 0xa1) i++; // crls
  const signerInfos = sequenceOf(sd[i++], "signerInfos", 0x31).map(parseSignerInfo);
  if (i !== sd.length) throw new DerError("unexpected elements after signerInfos");
  return { eContentType, eContent, certificates, signerInfos };
}

function parseSignerInfo(node: DerNode): ParsedSignerInfo {
  const f = sequenceOf(node, "SignerInfo");
  let i = 0;
  readInteger(f[i++], "SignerInfo version", false);
  let sid: ParsedSignerInfo["sid"];
  if (f[i]?.tag === 0x80) {
    sid = { subjectKeyId: Buffer.from(f[i++].content) };
  } else {
    const ias = sequenceOf(f[i++], "issuerAndSerialNumber");
    sid = { issuer: expectTag(ias[0], 0x30, "issuer").raw, serial: readIntegerContent(ias[1], "serialNumber", false) };
  }
  const digestAlgorithm = readAlgorithmOid(f[i++], "digestAlgorithm");
  let signedAttrsRaw: Buffer | null = null;
  const attributes: ParsedSignerInfo["attributes"] = [];
  if (f[i]?.tag === 0xa0) {
    signedAttrsRaw = f[i].raw;
    for (const a of childrenOf(f[i++])) {
      const parts = sequenceOf(a, "Attribute");
      attributes.push({ oid: readOid(parts[0], "attrType"), values: sequenceOf(parts[1], "attrValues", 0x31) });
    }
  }
  const signatureAlgorithm = readAlgorithmOid(f[i++], "signatureAlgorithm");
  const signature = readOctetString(f[i++], "signature");
  return { sid, digestAlgorithm, signedAttrsRaw, attributes, signatureAlgorithm, signature };
}

// ---------------------------------------------------------------------------------------------
// Verification (shared with tsa.ts)

/** signatureAlgorithm OID -> hash for node:crypto (null: take the SignerInfo digestAlgorithm). */
export const SIGNATURE_ALGORITHMS: Record<string, string | null> = {
  [OID.rsaEncryption]: null,
  [OID.ecPublicKey]: null,
  ...SIGNATURE_HASH,
};

export interface SignedDataCheckOptions {
  /** what eContentType (and the contentType attribute) must be */
  expectedContentType: string;
  /** the content digest with the named hash, or null when it cannot be computed */
  contentDigest: (hashName: string) => Buffer | null;
  trustedRootPems: string[];
  extraCerts: ParsedCertificate[];
  /** problems with the signer certificate itself (key usage, EKU) */
  leafProblems: (cert: ParsedCertificate) => string[];
  /** the time at which the certification path must be valid; default signingTime, else now */
  validationTime?: Date;
  /** "signer" or "TSA", for messages */
  role: string;
}

export interface SignedDataCheck {
  problems: string[];
  signer: ParsedCertificate | null;
  signingTime: Date | null;
  certificates: ParsedCertificate[];
}

function findSignerCert(sid: ParsedSignerInfo["sid"], pool: ParsedCertificate[]): ParsedCertificate | null {
  if ("subjectKeyId" in sid) return pool.find((c) => c.subjectKeyId?.equals(sid.subjectKeyId)) ?? null;
  return pool.find((c) => c.issuerDer.equals(sid.issuer) && integerEq(c.serial, sid.serial)) ?? null;
}

function integerEq(a: Buffer, b: Buffer): boolean {
  return a.length > 0 && b.length > 0 && integerFromContent(a) === integerFromContent(b);
}

/** Checks the ESS signing-certificate(-v2) attribute value against the signer certificate. */
function essProblems(oid: string, value: DerNode, signer: ParsedCertificate): string[] {
  const v2 = oid === OID.signingCertificateV2;
  const name = v2 ? "signing-certificate-v2" : "signing-certificate";
  try {
    const certs = sequenceOf(sequenceOf(value, name)[0], `${name} certs`);
    if (certs.length === 0) return [`${name} names no certificate`];
    const f = sequenceOf(certs[0], "ESSCertID");
    let i = 0;
    let hashName = v2 ? "sha256" : "sha1";
    if (v2 && f[i]?.tag === 0x30) {
      const oidHash = readAlgorithmOid(f[i++], "ESSCertIDv2 hashAlgorithm");
      const d = DIGESTS[oidHash];
      if (!d) return [`${name}: unsupported hash algorithm ${oidHash}`];
      hashName = d.name;
    }
    const certHash = readOctetString(f[i++], "certHash");
    const problems: string[] = [];
    if (!createHash(hashName).update(signer.der).digest().equals(certHash)) {
      problems.push(`${name}: the certificate hash does not match the signer certificate`);
    }
    if (f[i]) {
      const is = sequenceOf(f[i], "IssuerSerial");
      const names = sequenceOf(is[0], "GeneralNames");
      const dirNames = names.filter((n) => n.tag === 0xa4).map((n) => childrenOf(n)[0]?.raw);
      if (!dirNames.some((n) => n && n.equals(signer.issuerDer))) {
        problems.push(`${name}: the issuer does not match the signer certificate's issuer`);
      }
      if (!integerEq(readIntegerContent(is[1], "serialNumber", false), signer.serial)) {
        problems.push(`${name}: the serial number does not match the signer certificate's`);
      }
    }
    return problems;
  } catch (e) {
    return [`${name} attribute is malformed: ${(e as Error).message}`];
  }
}

/**
 * Verifies the single SignerInfo of a parsed SignedData: content type, messageDigest, the
 * signature over the DER SET of the signed attributes, the ESS signing certificate, the signer
 * certificate's own checks and its certification path.
 */
export function verifySignedData(parsed: ParsedSignedData, opts: SignedDataCheckOptions): SignedDataCheck {
  const problems: string[] = [];
  const certificates: ParsedCertificate[] = [];
  for (const der of parsed.certificates) {
    try {
      certificates.push(parseCertificate(der));
    } catch (e) {
      problems.push(`a certificate in the SignedData is malformed: ${(e as Error).message}`);
    }
  }
  const result = (signer: ParsedCertificate | null, signingTime: Date | null): SignedDataCheck => ({
    problems,
    signer,
    signingTime,
    certificates,
  });

  if (parsed.eContentType !== opts.expectedContentType) {
    problems.push(`eContentType is ${parsed.eContentType}, expected ${opts.expectedContentType}`);
  }
  if (parsed.signerInfos.length !== 1) {
    problems.push(`expected exactly one SignerInfo, found ${parsed.signerInfos.length}`);
    return result(null, null);
  }
  const si = parsed.signerInfos[0];
  if (!si.signedAttrsRaw) {
    problems.push("the SignerInfo has no signed attributes");
    return result(null, null);
  }

  // signed attributes: each once, single-valued
  const attrs = new Map<string, DerNode>();
  for (const a of si.attributes) {
    if (attrs.has(a.oid)) problems.push(`signed attribute ${a.oid} appears more than once`);
    if (a.values.length !== 1) problems.push(`signed attribute ${a.oid} has ${a.values.length} values`);
    attrs.set(a.oid, a.values[0]);
  }
  const ctAttr = attrs.get(OID.contentType);
  try {
    const ct = ctAttr ? readOid(ctAttr, "contentType attribute") : null;
    if (ct === null) problems.push("the contentType signed attribute is missing");
    else if (ct !== parsed.eContentType) problems.push(`the contentType attribute (${ct}) differs from eContentType`);
  } catch (e) {
    problems.push((e as Error).message);
  }
  let signingTime: Date | null = null;
  const stAttr = attrs.get(OID.signingTime);
  if (stAttr) {
    try {
      signingTime = readTime(stAttr, "signingTime", false);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }

  const digest = DIGESTS[si.digestAlgorithm];
  const mdAttr = attrs.get(OID.messageDigest);
  if (!digest || digest.name === "sha1") {
    problems.push(`unsupported digest algorithm ${si.digestAlgorithm}`);
  } else if (!mdAttr) {
    problems.push("the messageDigest signed attribute is missing");
  } else {
    const expected = opts.contentDigest(digest.name);
    let md: Buffer | null = null;
    try {
      md = readOctetString(mdAttr, "messageDigest");
    } catch (e) {
      problems.push((e as Error).message);
    }
    if (!expected) problems.push(`the content digest with ${digest.name} is not available`);
    else if (md && !md.equals(expected)) problems.push("messageDigest does not match the content (the content was changed)");
  }

  // the signer certificate
  const pool = [...certificates, ...opts.extraCerts];
  const signer = findSignerCert(si.sid, pool);
  if (!signer) {
    problems.push(`the ${opts.role} certificate named by the SignerInfo is neither in the SignedData nor among the given certificates`);
    return result(null, signingTime);
  }

  // the signature over the DER SET OF the signed attributes (tag [0] replaced by SET)
  const toBeSigned = Buffer.concat([Buffer.from([0x31]), si.signedAttrsRaw.subarray(1)]);
  if (!(si.signatureAlgorithm in SIGNATURE_ALGORITHMS)) {
    problems.push(`unsupported signature algorithm ${si.signatureAlgorithm}`);
  } else {
    const hash = SIGNATURE_ALGORITHMS[si.signatureAlgorithm] ?? digest?.name ?? "sha256";
    let good = false;
    try {
      good = cryptoVerify(hash, toBeSigned, signer.publicKey, si.signature);
    } catch {
      good = false;
    }
    if (!good) problems.push("the signature does not verify with the signer certificate's key");
  }

  // ESS signing certificate (v2 preferred, v1 accepted)
  const essOid = attrs.has(OID.signingCertificateV2)
    ? OID.signingCertificateV2
    : attrs.has(OID.signingCertificate)
      ? OID.signingCertificate
      : null;
  if (!essOid) problems.push("the signing-certificate-v2 signed attribute is missing");
  else problems.push(...essProblems(essOid, attrs.get(essOid)!, signer));

  problems.push(...opts.leafProblems(signer));

  let roots: ParsedCertificate[] = [];
  try {
    roots = parseCertificatesPem(opts.trustedRootPems);
  } catch (e) {
    problems.push(`a trusted root is malformed: ${(e as Error).message}`);
  }
  if (roots.length === 0) problems.push("no trusted root given");
  const at = opts.validationTime ?? signingTime ?? new Date();
  problems.push(...validatePath(signer, pool, roots, at).problems);
  return result(signer, signingTime);
}

/** keyUsage, when present, must allow digitalSignature or nonRepudiation. */
export function signerKeyUsageProblems(cert: ParsedCertificate): string[] {
  if (cert.keyUsage && !cert.keyUsage.has(KU.digitalSignature) && !cert.keyUsage.has(KU.nonRepudiation)) {
    return [`the signer certificate "${cert.subjectText}" allows neither digitalSignature nor nonRepudiation`];
  }
  return [];
}

/**
 * Verifies a detached SignedData (signDetached's output or any equivalent one) against the
 * content's SHA-256: messageDigest, the signature over the signed attributes, the
 * signing-certificate(-v2) attribute, the signer's key usage, and its certification path to one
 * of trustedRootPems through the SignedData's certificates, valid at the signingTime (now if
 * absent). Revocation is not checked here.
 */
export function verifyDetached(cmsDer: Buffer, contentSha256: Buffer, trustedRootPems: string[]): CmsVerification {
  let parsed: ParsedSignedData;
  try {
    parsed = parseSignedData(cmsDer);
  } catch (e) {
    return {
      ok: false,
      problems: [`not a CMS SignedData: ${(e as Error).message}`],
      signerCertPem: null,
      signingTime: null,
      certificatesPem: [],
    };
  }
  const check = verifySignedData(parsed, {
    expectedContentType: OID.data,
    contentDigest: (h) => (h === "sha256" ? contentSha256 : null),
    trustedRootPems,
    extraCerts: [],
    leafProblems: signerKeyUsageProblems,
    role: "signer",
  });
  return {
    ok: check.problems.length === 0,
    problems: check.problems,
    signerCertPem: check.signer?.pem ?? null,
    signingTime: check.signingTime,
    certificatesPem: check.certificates.map((c) => c.pem),
  };
}
