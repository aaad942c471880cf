// An RFC 3161 timestamp authority (with the RFC 5816 ESSCertIDv2 update): parses requests,
// grants or rejects them, timestamps the platform's own digests, and verifies tokens.
import { createHash } from "node:crypto";
import { KU, parseCertificate, parseCertificatesPem, type ParsedCertificate } from "./certificate-parse";
import {
  childrenOf,
  decodeDer,
  DerError,
  expectTag,
  readBoolean,
  readInteger,
  readIntegerContent,
  readOctetString,
  readOid,
  readTime,
  sequenceOf,
  type DerNode,
} from "./der-read";
import {
  derAlgorithm,
  derBitString,
  derExplicit,
  derGeneralizedTime,
  derInteger,
  derOctetString,
  derOid,
  derSequence,
  derUtf8String,
  tlv,
} from "./der-write";
import { DIGESTS, OID, sha256 } from "./oid";
import { buildSignedData, parseSignedData, verifySignedData, type ParsedSignedData } from "./cms";

export type TsaFailure =
  | "badAlg"
  | "badRequest"
  | "badDataFormat"
  | "timeNotAvailable"
  | "unacceptedPolicy"
  | "unacceptedExtension"
  | "addInfoNotAvailable"
  | "systemFailure";

/** PKIFailureInfo bit numbers (RFC 3161 2.4.2). */
export const FAILURE_BITS: Record<TsaFailure, number> = {
  badAlg: 0,
  badRequest: 2,
  badDataFormat: 5,
  timeNotAvailable: 14,
  unacceptedPolicy: 15,
  unacceptedExtension: 16,
  addInfoNotAvailable: 17,
  systemFailure: 25,
};

export type TsaHashAlgorithm = "sha256" | "sha384" | "sha512" | "sm3";

/** The imprint algorithms this TSA accepts (SHA-1 is refused: badAlg). */
const HASHES: Record<string, { name: TsaHashAlgorithm; length: number }> = {
  [OID.sha256]: { name: "sha256", length: 32 },
  [OID.sha384]: { name: "sha384", length: 48 },
  [OID.sha512]: { name: "sha512", length: 64 },
  [OID.sm3]: { name: "sm3", length: 32 },
};

export interface TimeStampRequest {
  hashAlgorithmOid: string;
  hashAlgorithm: TsaHashAlgorithm;
  messageImprint: Buffer;
  /**
   * true when the request's hash AlgorithmIdentifier had its parameters absent rather than NULL
   * (the response echoes the request's form; absent/undefined means NULL, what openssl sends)
   */
  hashParamsAbsent?: boolean;
  reqPolicy?: string;
  /** INTEGER content bytes */
  nonce?: Buffer;
  certReq: boolean;
}

export class TsaRequestError extends Error {
  constructor(
    readonly failure: TsaFailure,
    message: string,
  ) {
    super(message);
    this.name = "TsaRequestError";
  }
}

/**
 * Parses a DER TimeStampReq.
 * - not DER, trailing bytes, a wrong structure, version other than 1 -> badDataFormat
 * - an imprint algorithm other than SHA-256/384/512 or SM3 (SHA-1 included), or parameters
 *   other than NULL/absent -> badAlg
 * - an imprint whose length does not fit the algorithm -> badDataFormat (as openssl's TSA:
 *   the algorithm is supported, the data submitted has the wrong format)
 * - a reqPolicy other than `policyOid` -> unacceptedPolicy
 * - extensions (none is supported) -> unacceptedExtension
 */
export function parseTimeStampRequest(der: Buffer, policyOid: string): TimeStampRequest {
  let f: DerNode[];
  let algOid: string;
  let params: DerNode[];
  let imprint: Buffer;
  let i = 0;
  let reqPolicy: string | undefined;
  let nonce: Buffer | undefined;
  let certReq = false;
  let hasExtensions = false;
  try {
    f = sequenceOf(decodeDer(der), "TimeStampReq");
    const version = readInteger(f[i++], "version");
    if (version !== 1n) throw new DerError(`unsupported request version ${version}`);
    const mi = sequenceOf(f[i++], "messageImprint");
    if (mi.length !== 2) throw new DerError("messageImprint: expected hashAlgorithm and hashedMessage");
    const alg = sequenceOf(mi[0], "hashAlgorithm");
    algOid = readOid(alg[0], "hashAlgorithm");
    params = alg.slice(1);
    imprint = readOctetString(mi[1], "hashedMessage");
    if (f[i]?.tag === 0x06) reqPolicy = readOid(f[i++], "reqPolicy");
    if (f[i]?.tag === 0x02) nonce = Buffer.from(readIntegerContent(f[i++], "nonce"));
    if (f[i]?.tag === 0x01) {
      certReq = readBoolean(f[i++], "certReq");
      if (!certReq) throw new DerError("certReq FALSE is encoded (DER omits a DEFAULT value)");
    }
    if (f[i]?.tag === 0xa0) {
      hasExtensions = true;
      childrenOf(f[i++]);
    }
    if (i !== f.length) throw new DerError("unexpected element in TimeStampReq");
  } catch (e) {
    if (e instanceof DerError) throw new TsaRequestError("badDataFormat", `malformed TimeStampReq: ${e.message}`);
    throw e;
  }
  const hash = HASHES[algOid];
  if (!hash) {
    const name = DIGESTS[algOid]?.name ?? algOid;
    throw new TsaRequestError("badAlg", `message digest algorithm ${name} is not supported`);
  }
  if (params.length > 1 || (params.length === 1 && !params[0].raw.equals(Buffer.from([0x05, 0x00])))) {
    throw new TsaRequestError("badAlg", "superfluous message digest algorithm parameters");
  }
  if (imprint.length !== hash.length) {
    throw new TsaRequestError(
      "badDataFormat",
      `the ${hash.name} message imprint has ${imprint.length} bytes, expected ${hash.length}`,
    );
  }
  if (reqPolicy !== undefined && reqPolicy !== policyOid) {
    throw new TsaRequestError("unacceptedPolicy", `the policy ${reqPolicy} is not supported`);
  }
  if (hasExtensions) throw new TsaRequestError("unacceptedExtension", "request extensions are not supported");
  return {
    hashAlgorithmOid: algOid,
    hashAlgorithm: hash.name,
    messageImprint: Buffer.from(imprint),
    ...(params.length === 0 ? { hashParamsAbsent: true } : {}),
    ...(reqPolicy !== undefined ? { reqPolicy } : {}),
    ...(nonce !== undefined ? { nonce } : {}),
    certReq,
  };
}

export interface TsaSigner {
  certPem: string;
  privateKeyPem: string;
  chainPems: string[];
}

export interface GrantOptions {
  /** positive and unique per token (at most 160 bits) */
  serial: bigint;
  genTime: Date;
  policyOid: string;
}

function buildTstInfo(req: TimeStampRequest, tsaCert: ParsedCertificate, opts: GrantOptions): Buffer {
  const hash = HASHES[req.hashAlgorithmOid];
  if (!hash || hash.name !== req.hashAlgorithm) throw new Error(`unsupported imprint algorithm ${req.hashAlgorithmOid}`);
  if (req.messageImprint.length !== hash.length) throw new Error(`the ${hash.name} imprint must be ${hash.length} bytes`);
  if (opts.serial <= 0n || opts.serial >= 1n << 160n) throw new RangeError("the serial must be positive and at most 160 bits");
  if (Number.isNaN(opts.genTime.getTime())) throw new Error("invalid genTime");
  return derSequence(
    derInteger(1n),
    derOid(opts.policyOid),
    derSequence(derAlgorithm(req.hashAlgorithmOid, !req.hashParamsAbsent), derOctetString(req.messageImprint)),
    derInteger(opts.serial),
    derGeneralizedTime(opts.genTime, true),
    derSequence(derInteger(1n)), // accuracy { seconds 1 }
    // ordering FALSE: DEFAULT, omitted
    ...(req.nonce ? [tlv(0x02, req.nonce)] : []),
    derExplicit(0, tlv(0xa4, tsaCert.subjectDer)), // tsa [0] GeneralName directoryName [4] Name
  );
}

function buildToken(req: TimeStampRequest, signer: TsaSigner, opts: GrantOptions, includeCertificates: boolean): Buffer {
  const tsaCert = parseCertificate(signer.certPem);
  const tstInfo = buildTstInfo(req, tsaCert, opts);
  return buildSignedData({
    eContentType: OID.tstInfo,
    eContent: tstInfo,
    contentSha256: sha256(tstInfo),
    signer,
    signingTime: opts.genTime,
    includeCertificates,
  });
}

/**
 * TimeStampResp with status granted and a TimeStampToken whose SignedData carries the TSA
 * certificate and chainPems only when the request asked for them (certReq).
 */
export function grantTimeStamp(req: TimeStampRequest, signer: TsaSigner, opts: GrantOptions): Buffer {
  const token = buildToken(req, signer, opts, req.certReq);
  return derSequence(derSequence(derInteger(0n)), token);
}

/** PKIFailureInfo: a named BIT STRING with one bit, DER (trailing zero bits dropped). */
function failureInfo(failure: TsaFailure): Buffer {
  const bit = FAILURE_BITS[failure];
  const bytes = Buffer.alloc((bit >> 3) + 1);
  bytes[bit >> 3] = 0x80 >> (bit & 7);
  return derBitString(bytes, 7 - (bit & 7));
}

/** TimeStampResp with status rejection(2), the statusString and the failInfo bit. */
export function rejectTimeStamp(failure: TsaFailure, statusString: string): Buffer {
  if (!(failure in FAILURE_BITS)) throw new Error(`unknown failure ${failure}`);
  return derSequence(derSequence(derInteger(2n), derSequence(derUtf8String(statusString)), failureInfo(failure)));
}

/** A TimeStampToken (ContentInfo DER) over a SHA-256 digest the platform holds; certificates included. */
export function timeStampDigest(sha256Digest: Buffer, signer: TsaSigner, opts: GrantOptions): Buffer {
  return buildToken(
    { hashAlgorithmOid: OID.sha256, hashAlgorithm: "sha256", messageImprint: sha256Digest, certReq: true },
    signer,
    opts,
    true,
  );
}

export interface TimeStampResponseStatus {
  /** 0 granted, 1 grantedWithMods, 2 rejection, 3 waiting, 4 revocationWarning, 5 revocationNotification */
  status: number;
  statusStrings: string[];
  failures: TsaFailure[];
  /** the TimeStampToken (ContentInfo DER), when present */
  token: Buffer | null;
}

/** Reads a TimeStampResp (from this TSA or another). Throws DerError when malformed. */
export function readTimeStampResponse(respDer: Buffer): TimeStampResponseStatus {
  const f = sequenceOf(decodeDer(respDer), "TimeStampResp");
  const si = sequenceOf(f[0], "PKIStatusInfo");
  let i = 0;
  const status = Number(readInteger(si[i++], "status", false));
  const statusStrings: string[] = [];
  if (si[i]?.tag === 0x30) for (const s of childrenOf(si[i++])) statusStrings.push(s.content.toString("utf8"));
  const failures: TsaFailure[] = [];
  if (si[i]?.tag === 0x03) {
    const bits = si[i++].content;
    for (const [name, bit] of Object.entries(FAILURE_BITS) as [TsaFailure, number][]) {
      if (1 + (bit >> 3) < bits.length && bits[1 + (bit >> 3)] & (0x80 >> (bit & 7))) failures.push(name);
    }
  }
  const token = f[1] ? Buffer.from(expectTag(f[1], 0x30, "timeStampToken").raw) : null;
  return { status, statusStrings, failures, token };
}

/** The TimeStampToken of a granted TimeStampResp; throws when the status is not granted. */
export function tokenFromResponse(respDer: Buffer): Buffer {
  const r = readTimeStampResponse(respDer);
  if (r.status !== 0 && r.status !== 1) {
    const detail = [...r.statusStrings, ...r.failures].join("; ");
    throw new Error(`the timestamp was not granted (status ${r.status}${detail ? `: ${detail}` : ""})`);
  }
  if (!r.token) throw new Error("the granted TimeStampResp carries no token");
  return r.token;
}

// ---------------------------------------------------------------------------------------------
// Verification

export interface TstInfo {
  policy: string;
  hashAlgorithmOid: string;
  messageImprint: Buffer;
  serial: bigint;
  genTime: Date;
  nonce: Buffer | null;
  /** the tsa GeneralName TLV, if present */
  tsaName: Buffer | null;
}

/** Parses the TSTInfo carried as eContent of a token (DER framing; lenient about minor non-DER values of other TSAs). */
export function parseTstInfo(der: Buffer): TstInfo {
  const f = sequenceOf(decodeDer(der), "TSTInfo");
  let i = 0;
  const version = readInteger(f[i++], "TSTInfo version", false);
  if (version !== 1n) throw new DerError(`TSTInfo version ${version}`);
  const policy = readOid(f[i++], "policy");
  const mi = sequenceOf(f[i++], "messageImprint");
  const hashAlgorithmOid = readOid(sequenceOf(mi[0], "hashAlgorithm")[0], "hashAlgorithm");
  const messageImprint = readOctetString(mi[1], "hashedMessage");
  const serial = readInteger(f[i++], "serialNumber", false);
  // lenient about trailing zeros in the fraction: tokens from other TSAs are verified too
  const genTime = readTime(expectTag(f[i++], 0x18, "genTime"), "genTime", false);
  if (f[i]?.tag === 0x30) i++; // accuracy
  if (f[i]?.tag === 0x01) readBoolean(f[i++], "ordering", false);
  const nonce = f[i]?.tag === 0x02 ? readIntegerContent(f[i++], "nonce", false) : null;
  const tsaName = f[i]?.tag === 0xa0 ? f[i++].raw : null;
  if (f[i]?.tag === 0xa1) i++; // extensions
  if (i !== f.length) throw new DerError("unexpected element in TSTInfo");
  return { policy, hashAlgorithmOid, messageImprint, serial, genTime, nonce, tsaName };
}

export interface TokenVerification {
  ok: boolean;
  problems: string[];
  genTime: Date | null;
  serial: bigint | null;
  policyOid: string | null;
  hashAlgorithm: string | null;
  tsaCertPem: string | null;
}

/** RFC 3161 2.3 as openssl applies it: EKU exactly id-kp-timeStamping and critical; keyUsage only digitalSignature/nonRepudiation. */
function tsaCertProblems(cert: ParsedCertificate): string[] {
  const p: string[] = [];
  const eku = cert.extKeyUsage;
  if (!eku || eku.length !== 1 || eku[0] !== OID.kpTimeStamping) {
    p.push(`the TSA certificate "${cert.subjectText}" must have the extended key usage timeStamping alone`);
  } else if (!cert.extKeyUsageCritical) {
    p.push(`the TSA certificate's extended key usage timeStamping is not critical`);
  }
  if (cert.keyUsage) {
    const others = [...cert.keyUsage].filter((b) => b !== KU.digitalSignature && b !== KU.nonRepudiation);
    if (others.length || cert.keyUsage.size === 0) {
      p.push(`the TSA certificate's key usage must be digitalSignature and/or nonRepudiation only`);
    }
  }
  return p;
}

/**
 * Verifies a TimeStampToken (ContentInfo DER): the TSTInfo imprint equals `expectedImprint`,
 * the signature and signed attributes, the ESS signing certificate, the TSA certificate's
 * critical timeStamping EKU, and its path (valid at genTime) to one of trustedRootPems. The TSA
 * certificate and intermediates may come from the token or from extraCertsPem. The nonce (if any)
 * is the requester's to compare. Revocation is not checked here.
 */
export function verifyTimeStampToken(
  tokenDer: Buffer,
  expectedImprint: Buffer,
  trustedRootPems: string[],
  extraCertsPem: string[] = [],
): TokenVerification {
  const out: TokenVerification = {
    ok: false,
    problems: [],
    genTime: null,
    serial: null,
    policyOid: null,
    hashAlgorithm: null,
    tsaCertPem: null,
  };
  let parsed: ParsedSignedData;
  let tst: TstInfo;
  try {
    parsed = parseSignedData(tokenDer);
    if (parsed.eContentType !== OID.tstInfo) throw new DerError(`the token holds ${parsed.eContentType}, not TSTInfo`);
    if (!parsed.eContent) throw new DerError("the token has no TSTInfo");
    tst = parseTstInfo(parsed.eContent);
  } catch (e) {
    out.problems.push(`not a TimeStampToken: ${(e as Error).message}`);
    return out;
  }
  out.genTime = tst.genTime;
  out.serial = tst.serial;
  out.policyOid = tst.policy;
  out.hashAlgorithm = HASHES[tst.hashAlgorithmOid]?.name ?? DIGESTS[tst.hashAlgorithmOid]?.name ?? tst.hashAlgorithmOid;
  if (!tst.messageImprint.equals(expectedImprint)) {
    out.problems.push("the token's message imprint does not match the expected digest");
  }
  if (tst.serial <= 0n) out.problems.push("the token's serial number is not positive");

  let extraCerts: ParsedCertificate[] = [];
  try {
    extraCerts = parseCertificatesPem(extraCertsPem);
  } catch (e) {
    out.problems.push(`an extra certificate is malformed: ${(e as Error).message}`);
  }
  const eContent = parsed.eContent!;
  const check = verifySignedData(parsed, {
    expectedContentType: OID.tstInfo,
    contentDigest: (h) => createHash(h).update(eContent).digest(),
    trustedRootPems,
    extraCerts,
    leafProblems: tsaCertProblems,
    validationTime: tst.genTime,
    role: "TSA",
  });
  out.problems.push(...check.problems);
  out.tsaCertPem = check.signer?.pem ?? null;
  out.ok = out.problems.length === 0;
  return out;
}

/** For callers that hold a cert PEM list: the TSA certificate is parseable and fit for timestamping. */
export function tsaCertificateProblems(certPem: string): string[] {
  return tsaCertProblems(parseCertificate(certPem));
}
