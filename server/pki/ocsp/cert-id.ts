// Whether a CertID (RFC 6960 §4.1.1) names a given issuer: the hash of its subject Name as encoded
// and the hash of its subjectPublicKey BIT STRING value, with the hash algorithm the client chose
// (SHA-1, which openssl and most clients send, or a SHA-2). A CertID with any other hash cannot
// name one of our issuers, and its certificate is then "unknown" to this responder.
import { createHash } from "node:crypto";
import type { ParsedCertificate } from "../certificate-parse";
import { DIGESTS, OID } from "../oid";
import type { CertId } from "./request";

const ACCEPTED = new Set<string>([OID.sha1, OID.sha256, OID.sha384, OID.sha512]);

export function certIdNamesIssuer(certId: CertId, issuer: ParsedCertificate): boolean {
  if (!ACCEPTED.has(certId.hashAlgorithmOid)) return false;
  const { name } = DIGESTS[certId.hashAlgorithmOid];
  const hash = (b: Buffer) => createHash(name).update(b).digest();
  return hash(issuer.subjectDer).equals(certId.issuerNameHash) && hash(issuer.publicKeyBits).equals(certId.issuerKeyHash);
}
