// What certificates and CRLs write alike (RFC 5280): times, extensions, the authority key
// identifier, and the signature over the TBS part, always sha256WithRSAEncryption.
import * as crypto from "node:crypto";
import { derAlgorithm, derBitString, derBoolean, derOctetString, derOid, derSequence, derTime, tlv } from "./der-write";
import { OID } from "./oid";

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds, "Z". */
export function x509Time(date: Date): Buffer {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new Error("invalid date");
  const y = date.getUTCFullYear();
  if (y < 1950 || y > 9999) throw new Error(`date out of range: ${date.toISOString()}`);
  return derTime(date);
}

/** A Date truncated to whole seconds (what the DER time can carry). */
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
export function derExtension(oid: string, critical: boolean, value: Buffer): Buffer {
  return derSequence(derOid(oid), ...(critical ? [derBoolean(true)] : []), derOctetString(value));
}

/** AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING }. */
export function derAuthorityKeyIdentifier(keyId: Buffer): Buffer {
  return derSequence(tlv(0x80, keyId));
}

/** AlgorithmIdentifier sha256WithRSAEncryption with NULL parameters (RFC 4055 §5). */
export const sha256WithRsaAlgorithm = (): Buffer => derAlgorithm(OID.sha256WithRSAEncryption, true);

/** SEQUENCE { tbs, signatureAlgorithm, signatureValue BIT STRING }: a Certificate or a CertificateList. */
export function signSha256WithRsa(tbs: Buffer, key: crypto.KeyObject): Buffer {
  const signature = crypto.sign("sha256", tbs, key);
  return derSequence(tbs, sha256WithRsaAlgorithm(), derBitString(signature));
}
