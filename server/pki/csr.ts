// PKCS#10 certificate signing requests (RFC 2986), for signers who generate their own key.
//
// The CSR is read with a strict DER reader (not forge.pki.certificationRequestFromPem, which throws
// an untyped error on any non-RSA key) and its self-signature is checked with node:crypto over the
// CertificationRequestInfo bytes exactly as received.
//
// The subject returned is what the requester wrote: the CA should take names and identifiers from
// the platform's own records, and use the CSR for its public key (and proof of possession) only.
import * as crypto from "node:crypto";
import { DerError, TAG, childrenOf, decodeDer, expectTag, readBitString, readOid, readUnsigned, sequenceOf, type DerNode } from "./der-read";
import { nameToSubject, type Subject } from "./names";
import { OID } from "./oid";
import { pemToDer } from "./pem";

export class CsrError extends Error {
  constructor(
    readonly code: "malformed_csr" | "bad_csr_signature" | "unsupported_key",
    message: string,
  ) {
    super(message);
    this.name = "CsrError";
  }
}

const MAX_CSR_BYTES = 64 * 1024;
const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 8192;

/** CSR signature algorithms accepted (RSA PKCS#1 v1.5; SHA-1 is refused). */
const CSR_SIGNATURE_HASH: Record<string, string> = {
  [OID.sha256WithRSAEncryption]: "sha256",
  [OID.sha384WithRSAEncryption]: "sha384",
  [OID.sha512WithRSAEncryption]: "sha512",
};

const KEY_ALGORITHM_NAMES: Record<string, string> = {
  "1.2.840.10045.2.1": "EC",
  "1.3.101.112": "Ed25519",
  "1.3.101.113": "Ed448",
  "1.2.840.113549.1.1.10": "RSASSA-PSS",
  "1.2.840.10040.4.1": "DSA",
  "1.2.156.10197.1.301": "SM2",
};

function toDer(input: Buffer | string): Buffer {
  let text: string;
  if (Buffer.isBuffer(input)) {
    if (input.length > MAX_CSR_BYTES * 2) throw new CsrError("malformed_csr", "the CSR is too large");
    if (!input.subarray(0, 64).toString("latin1").trimStart().startsWith("-----BEGIN")) return input; // DER bytes
    text = input.toString("latin1");
  } else if (typeof input === "string") {
    if (input.length > MAX_CSR_BYTES * 2) throw new CsrError("malformed_csr", "the CSR is too large");
    text = input;
  } else {
    throw new CsrError("malformed_csr", "the CSR must be a Buffer or a string");
  }
  if (text.includes("-----BEGIN")) {
    try {
      return pemToDer(text, ["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"]);
    } catch (e) {
      throw new CsrError("malformed_csr", `not a PEM certificate request: ${(e as Error).message}`);
    }
  }
  // A string without PEM armour: base64 of the DER.
  const b64 = text.replace(/\s+/g, "");
  if (b64 !== "" && /^[A-Za-z0-9+/]*={0,2}$/.test(b64) && b64.length % 4 === 0) return Buffer.from(b64, "base64");
  throw new CsrError("malformed_csr", "the CSR is neither PEM nor base64");
}

/** Accepts PEM or DER (Buffer or string: a string is PEM or base64 DER). Verifies the CSR's self-signature. Only RSA keys of >= 2048 bits are accepted. */
export function parseCsr(input: Buffer | string): { publicKeyPem: string; subject: Subject } {
  const der = toDer(input);
  if (der.length > MAX_CSR_BYTES) throw new CsrError("malformed_csr", "the CSR is too large");

  let info: DerNode;
  let spki: DerNode;
  let subject: Subject;
  let sigOid: string;
  let signature: Buffer;
  try {
    const [infoNode, sigAlg, sigValue, ...extra] = sequenceOf(decodeDer(der), "CertificationRequest");
    if (!infoNode || !sigAlg || !sigValue || extra.length) throw new DerError("a CertificationRequest has three parts");
    info = expectTag(infoNode, TAG.SEQUENCE, "CertificationRequestInfo");
    const [version, name, spkiNode, attributes, ...more] = childrenOf(info);
    if (!version || !name || !spkiNode || !attributes || more.length) throw new DerError("a CertificationRequestInfo has four parts");
    if (readUnsigned(version, "version") !== 0n) throw new DerError("unknown CSR version");
    if (attributes.tag !== 0xa0) throw new DerError("missing CSR attributes [0]");
    childrenOf(attributes); // well-formed, contents ignored (extension requests are not honoured)
    spki = expectTag(spkiNode, TAG.SEQUENCE, "SubjectPublicKeyInfo");
    subject = nameToSubject(name);
    const [algOid] = sequenceOf(sigAlg, "signatureAlgorithm");
    if (!algOid) throw new DerError("empty signatureAlgorithm");
    sigOid = readOid(algOid, "signatureAlgorithm algorithm");
    signature = readBitString(sigValue, "signature");
  } catch (e) {
    // DerError, or a TypeError from a missing part of a truncated structure
    throw new CsrError("malformed_csr", `malformed CSR: ${(e as Error).message}`);
  }

  // The key: RSA only (node-forge signs only with RSA), 2048..8192 bits.
  let keyAlgorithm: string;
  try {
    const [alg] = childrenOf(spki);
    keyAlgorithm = readOid(sequenceOf(alg, "AlgorithmIdentifier")[0], "AlgorithmIdentifier algorithm");
  } catch (e) {
    throw new CsrError("malformed_csr", `malformed CSR public key: ${(e as Error).message}`);
  }
  if (keyAlgorithm !== OID.rsaEncryption) {
    const name = KEY_ALGORITHM_NAMES[keyAlgorithm] ?? keyAlgorithm;
    throw new CsrError("unsupported_key", `${name} keys are not supported: use an RSA key of at least ${MIN_RSA_BITS} bits`);
  }
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey({ key: spki.raw, format: "der", type: "spki" });
  } catch (e) {
    throw new CsrError("malformed_csr", `unreadable RSA public key: ${(e as Error).message}`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  const exponent = key.asymmetricKeyDetails?.publicExponent ?? 0n;
  if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
    throw new CsrError("unsupported_key", `RSA keys must have ${MIN_RSA_BITS} to ${MAX_RSA_BITS} bits (this one has ${bits})`);
  }
  if (exponent < 3n || exponent % 2n === 0n) throw new CsrError("unsupported_key", "the RSA public exponent must be odd and at least 3");

  // Proof of possession: the self-signature over the CertificationRequestInfo as received.
  const hash = CSR_SIGNATURE_HASH[sigOid];
  if (!hash) throw new CsrError("bad_csr_signature", `CSR signature algorithm ${sigOid} is not accepted (use SHA-256 with RSA)`);
  let valid = false;
  try {
    valid = crypto.verify(hash, info.raw, key, signature);
  } catch {
    valid = false;
  }
  if (!valid) throw new CsrError("bad_csr_signature", "the CSR's signature does not verify with its own public key");

  return { publicKeyPem: key.export({ type: "spki", format: "pem" }) as string, subject };
}
