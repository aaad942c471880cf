// OCSP requests (RFC 6960 §4.1), read strictly as DER, in both transports of Appendix A: the
// body of a POST and the base64 path segment of a GET (which clients also send base64url-encoded
// or with its "+", "/" and "=" percent-encoded).
//
//   OCSPRequest ::= SEQUENCE { tbsRequest TBSRequest, optionalSignature [0] EXPLICIT Signature OPTIONAL }
//   TBSRequest  ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1, requestorName [1] EXPLICIT GeneralName OPTIONAL,
//                              requestList SEQUENCE OF Request, requestExtensions [2] EXPLICIT Extensions OPTIONAL }
//   Request     ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL }
//   CertID      ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, issuerNameHash OCTET STRING,
//                              issuerKeyHash OCTET STRING, serialNumber CertificateSerialNumber }
//
// A request signature is not required by this responder (§4.1.2: "optional"), so one that is
// present is accepted without being checked: it only identifies the requestor, and every status is
// public anyway.
import { readExtensions, unsignedHex } from "../certificate-parse";
import { DerError, TAG, type DerNode, childrenOf, decodeDer, expectTag, readIntegerContent, readOctetString, readOid, readUnsigned, sequenceOf } from "../der-read";
import { OID } from "../oid";

export class OcspRequestError extends Error {}

export interface CertId {
  /** the CertID as encoded, echoed in the response (§4.2.1 matches on it) */
  raw: Buffer;
  hashAlgorithmOid: string;
  issuerNameHash: Buffer;
  issuerKeyHash: Buffer;
  /** lowercase hex, whole octets, no sign octet; null for a negative serial (never one of ours) */
  serialHex: string | null;
}

export interface OcspRequest {
  certIds: CertId[];
  /** the nonce extension as received (extnValue contents), echoed in the response; null when absent */
  nonce: Buffer | null;
}

/** One request may ask about a few certificates; more is not a client this responder serves. */
export const MAX_CERT_IDS = 16;
/** RFC 8954 §2.1: a nonce is 1 to 32 octets, and a longer one is refused with malformedRequest. */
const MAX_NONCE_OCTETS = 32;

function readCertId(node: DerNode): CertId {
  const [alg, nameHash, keyHash, serial, ...extra] = sequenceOf(node, "CertID");
  if (!serial || extra.length) throw new DerError("a CertID has four parts");
  const hashAlgorithmOid = readOid(sequenceOf(alg, "hashAlgorithm")[0], "hashAlgorithm algorithm");
  const content = readIntegerContent(serial, "serialNumber", false); // some clients write non-minimal serials
  const negative = (content[0] & 0x80) !== 0;
  return {
    raw: node.raw,
    hashAlgorithmOid,
    issuerNameHash: readOctetString(nameHash, "issuerNameHash"),
    issuerKeyHash: readOctetString(keyHash, "issuerKeyHash"),
    serialHex: negative ? null : unsignedHex(BigInt("0x" + content.toString("hex"))),
  };
}

/** Reads a DER OCSPRequest; throws OcspRequestError (answered with malformedRequest) on anything else. */
export function parseOcspRequest(der: Buffer): OcspRequest {
  try {
    const [tbsNode, signature, ...extra] = sequenceOf(decodeDer(der), "OCSPRequest");
    if (extra.length || (signature && signature.tag !== 0xa0)) throw new DerError("unexpected fields after tbsRequest");
    const t = sequenceOf(tbsNode, "TBSRequest");
    let i = 0;
    if (t[i]?.tag === 0xa0) {
      const [version, ...more] = childrenOf(t[i++]);
      if (more.length || readUnsigned(version, "version") !== 0n) throw new DerError("only OCSP v1 requests exist");
    }
    if (t[i]?.tag === 0xa1) i++; // requestorName: informational only
    const list = sequenceOf(t[i++], "requestList");
    if (list.length === 0) throw new DerError("the requestList is empty");
    if (list.length > MAX_CERT_IDS) throw new DerError(`more than ${MAX_CERT_IDS} certificates in one request`);
    const certIds = list.map((req) => {
      const [certId, exts, ...more] = sequenceOf(req, "Request");
      if (more.length || (exts && exts.tag !== 0xa0)) throw new DerError("bad Request");
      if (exts) checkExtensions(exts);
      return readCertId(certId);
    });
    let nonce: Buffer | null = null;
    if (t[i]?.tag === 0xa2) {
      const ext = checkExtensions(t[i++]).get(OID.ocspNonce);
      if (ext) {
        // Nonce ::= OCTET STRING: the extnValue holds its DER encoding.
        const octets = readOctetString(decodeDer(ext.value), "nonce");
        if (octets.length < 1 || octets.length > MAX_NONCE_OCTETS) throw new DerError(`the nonce must be 1 to ${MAX_NONCE_OCTETS} octets (RFC 8954)`);
        nonce = ext.value;
      }
    }
    if (i !== t.length) throw new DerError("unexpected fields in TBSRequest");
    return { certIds, nonce };
  } catch (e) {
    if (e instanceof DerError) throw new OcspRequestError(`malformed OCSP request: ${e.message}`);
    throw e;
  }
}

/** [n] EXPLICIT Extensions; a critical extension this responder does not know is refused. */
function checkExtensions(wrapper: DerNode) {
  const [exts, ...more] = childrenOf(wrapper);
  if (!exts || more.length) throw new DerError("bad Extensions wrapper");
  const map = readExtensions(expectTag(exts, TAG.SEQUENCE, "Extensions"));
  for (const [oid, ext] of map) if (ext.critical && oid !== OID.ocspNonce) throw new DerError(`unsupported critical extension ${oid}`);
  return map;
}

/**
 * The DER of a GET request's path segment: base64 (RFC 4648 §4) as Appendix A.1 says, also
 * accepted base64url (§5) and percent-encoded ("+" as %2B, "/" as %2F, "=" as %3D), with or
 * without padding. `segment` is the path as sent, not yet percent-decoded.
 */
export function decodeGetRequest(segment: string): Buffer {
  let s: string;
  try {
    s = decodeURIComponent(segment);
  } catch {
    throw new OcspRequestError("malformed OCSP request: bad percent-encoding");
  }
  s = s.replace(/-/g, "+").replace(/_/g, "/");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s)) throw new OcspRequestError("malformed OCSP request: the path is not base64");
  const unpadded = s.replace(/=+$/, "");
  if (unpadded.length % 4 === 1) throw new OcspRequestError("malformed OCSP request: truncated base64");
  return Buffer.from(unpadded, "base64");
}
