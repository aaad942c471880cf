// An OCSP request (RFC 6960 §4.1) for certificates of one issuer, as a client writes it: CertIDs
// with SHA-1 (what every responder and validator matches on), no nonce (the answer goes into a
// document for later validators, who check its signature and times, not its freshness to a
// request), unsigned.
import { createHash } from "node:crypto";
import type { ParsedCertificate } from "../certificate-parse";
import { derAlgorithm, derInteger, derOctetString, derSequence } from "../der-write";
import { OID } from "../oid";

/** CertID ::= SEQUENCE { hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber }, SHA-1. */
export function certIdDer(cert: ParsedCertificate, issuer: ParsedCertificate): Buffer {
  const sha1 = (b: Buffer) => createHash("sha1").update(b).digest();
  return derSequence(
    derAlgorithm(OID.sha1, true),
    derOctetString(sha1(issuer.subjectDer)),
    derOctetString(sha1(issuer.publicKeyBits)),
    derInteger(BigInt("0x" + (cert.serialHex || "0"))),
  );
}

/** OCSPRequest for `certs`, all issued by `issuer`. */
export function buildOcspRequest(certs: ParsedCertificate[], issuer: ParsedCertificate): Buffer {
  if (certs.length === 0) throw new Error("an OCSP request names at least one certificate");
  return derSequence(derSequence(derSequence(...certs.map((c) => derSequence(certIdDer(c, issuer))))));
}
