// Reading an OCSP response (RFC 6960 §4.2) found in a document (a PAdES DSS) and judging what it
// says about one certificate: the response must be a successful basic response, signed by the
// certificate's issuer itself or by a responder certificate that issuer delegated to
// (id-kp-OCSPSigning, §4.2.2.2), and name the certificate in a SingleResponse (CertID over the
// issuer's name and key, and the serial). The times are returned for the caller to judge against
// its proof of existence: a response says nothing about a time after its nextUpdate.
import { createHash } from "node:crypto";
import { parseCertificate, unsignedHex, type ParsedCertificate } from "../certificate-parse";
import { verifySignature } from "../certificate-verify";
import { REASON_NAMES, type RevocationReason } from "../crl";
import { DerError, TAG, childrenOf, decodeDer, expectTag, readBitString, readOctetString, readOid, readTime, readUnsigned, sequenceOf, type DerNode } from "../der-read";
import { DIGESTS, OID } from "../oid";

export interface SingleOcspAnswer {
  hashAlgorithmOid: string;
  issuerNameHash: Buffer;
  issuerKeyHash: Buffer;
  serialHex: string;
  status: "good" | "revoked" | "unknown";
  revokedAt: Date | null;
  reason: RevocationReason | null;
  thisUpdate: Date;
  nextUpdate: Date | null;
}

export interface ParsedOcspResponse {
  producedAt: Date;
  answers: SingleOcspAnswer[];
  /** the certificates carried in the response (a delegated responder's) */
  certs: ParsedCertificate[];
  /** byName: the Name TLV; byKey: SHA-1 of the responder's public key */
  responderId: { byName: Buffer } | { byKey: Buffer };
  tbs: Buffer;
  signatureOid: string;
  signature: Buffer;
}

const STATUS_TAGS: Record<number, SingleOcspAnswer["status"]> = { 0x80: "good", 0xa1: "revoked", 0x82: "unknown" };

function readSingle(node: DerNode): SingleOcspAnswer {
  const f = sequenceOf(node, "SingleResponse");
  const cid = sequenceOf(f[0], "CertID");
  const status = STATUS_TAGS[f[1]?.tag ?? -1];
  if (!status) throw new DerError("unknown CertStatus");
  let revokedAt: Date | null = null;
  let reason: RevocationReason | null = null;
  if (status === "revoked") {
    const [time, why] = childrenOf(f[1]);
    revokedAt = readTime(time, "revocationTime");
    reason = "unspecified";
    if (why?.tag === 0xa0) {
      const code = expectTag(childrenOf(why)[0], TAG.ENUMERATED, "CRLReason").content;
      reason = (code.length === 1 ? REASON_NAMES.get(code[0]) : undefined) ?? "unspecified";
    }
  }
  const thisUpdate = readTime(f[2], "thisUpdate");
  const next = f.slice(3).find((n) => n.tag === 0xa0);
  return {
    hashAlgorithmOid: readOid(sequenceOf(cid[0], "hashAlgorithm")[0], "hashAlgorithm"),
    issuerNameHash: readOctetString(cid[1], "issuerNameHash"),
    issuerKeyHash: readOctetString(cid[2], "issuerKeyHash"),
    serialHex: unsignedHex(readUnsigned(cid[3], "serialNumber")),
    status,
    revokedAt,
    reason,
    thisUpdate,
    nextUpdate: next ? readTime(childrenOf(next)[0], "nextUpdate") : null,
  };
}

/** Reads a DER OCSPResponse; throws on anything but a well-formed successful basic response. */
export function parseOcspResponse(der: Buffer): ParsedOcspResponse {
  try {
    const [statusNode, bytes] = sequenceOf(decodeDer(der), "OCSPResponse");
    const status = expectTag(statusNode, TAG.ENUMERATED, "responseStatus").content;
    if (status.length !== 1 || status[0] !== 0) throw new DerError(`responseStatus ${status.toString("hex")} is not successful`);
    if (bytes?.tag !== 0xa0) throw new DerError("no responseBytes");
    const [type, response] = sequenceOf(childrenOf(bytes)[0], "ResponseBytes");
    if (readOid(type, "responseType") !== OID.ocspBasic) throw new DerError("not a basic OCSP response");
    const [tbsNode, alg, sig, certsNode] = sequenceOf(decodeDer(readOctetString(response, "response")), "BasicOCSPResponse");
    const t = sequenceOf(tbsNode, "ResponseData");
    let i = 0;
    if (t[i]?.tag === 0xa0) i++; // version: v1 only exists
    const rid = t[i++];
    const responderId =
      rid?.tag === 0xa1 ? { byName: childrenOf(rid)[0].raw } : rid?.tag === 0xa2 ? { byKey: readOctetString(childrenOf(rid)[0], "byKey") } : null;
    if (!responderId) throw new DerError("bad responderID");
    const producedAt = readTime(t[i++], "producedAt");
    const answers = sequenceOf(t[i++], "responses").map(readSingle);
    const certs = certsNode?.tag === 0xa0 ? sequenceOf(childrenOf(certsNode)[0], "certs").map((c) => parseCertificate(c.raw)) : [];
    return {
      producedAt,
      answers,
      certs,
      responderId,
      tbs: tbsNode.raw,
      signatureOid: readOid(sequenceOf(alg, "signatureAlgorithm")[0], "signatureAlgorithm"),
      signature: readBitString(sig, "signature"),
    };
  } catch (e) {
    throw new Error(`malformed OCSP response: ${(e as Error).message}`);
  }
}

function names(r: ParsedOcspResponse, c: ParsedCertificate): boolean {
  return "byKey" in r.responderId
    ? createHash("sha1").update(c.publicKeyBits).digest().equals(r.responderId.byKey)
    : c.subjectDer.equals(r.responderId.byName);
}

/**
 * Who signed `r` for certificates of `issuer`: the issuer itself, or a responder certificate in
 * the response issued by it for OCSP signing and valid when the response was produced. Null when
 * neither verifies.
 */
export function ocspSignerFor(r: ParsedOcspResponse, issuer: ParsedCertificate): ParsedCertificate | null {
  const candidates = [issuer, ...r.certs.filter((c) => c.issuerDer.equals(issuer.subjectDer))];
  for (const c of candidates) {
    if (!names(r, c) || !verifySignature(r.signatureOid, r.tbs, r.signature, c.spkiDer)) continue;
    if (c === issuer) return c;
    const delegated =
      !!c.extKeyUsage?.includes(OID.kpOcspSigning) &&
      verifySignature(c.signatureOid, c.tbs, c.signature, issuer.spkiDer) &&
      c.notBefore <= r.producedAt &&
      r.producedAt <= c.notAfter;
    if (delegated) return c;
  }
  return null;
}

/** The answer of `r` about `cert` (issued by `issuer`), when `r` speaks for that issuer and names it. */
export function ocspAnswerFor(r: ParsedOcspResponse, cert: ParsedCertificate, issuer: ParsedCertificate): SingleOcspAnswer | null {
  if (!ocspSignerFor(r, issuer)) return null;
  return (
    r.answers.find((a) => {
      const d = DIGESTS[a.hashAlgorithmOid];
      if (!d || a.serialHex !== cert.serialHex) return false;
      const h = (b: Buffer) => createHash(d.name).update(b).digest();
      return h(issuer.subjectDer).equals(a.issuerNameHash) && h(issuer.publicKeyBits).equals(a.issuerKeyHash);
    }) ?? null
  );
}
