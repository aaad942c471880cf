// Certificate revocation lists (RFC 5280 §5), built in DER (node-forge cannot create CRLs) and
// signed with node:crypto (sha256WithRSAEncryption).
//
//   CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue BIT STRING }
//   TBSCertList ::= SEQUENCE { version v2(1), signature, issuer Name, thisUpdate Time, nextUpdate Time,
//     revokedCertificates SEQUENCE OF SEQUENCE { userCertificate, revocationDate, crlEntryExtensions } OPTIONAL,
//     crlExtensions [0] EXPLICIT Extensions }
//
// Choices: the issuer Name is copied byte for byte from the issuer certificate's subject; times are
// UTCTime through 2049 and GeneralizedTime from 2050; the revoked list is omitted when empty
// (§5.1.2.6); the reasonCode entry extension is omitted for "unspecified" (§5.3.1: "SHOULD be absent
// instead of using the unspecified (0) reasonCode value"), and parseCrl reads an absent reasonCode
// as "unspecified"; crlExtensions are authorityKeyIdentifier and cRLNumber, both non-critical.
import * as crypto from "node:crypto";
import { keyIdentifier, KU, parseCertificatePem, readExtensions, unsignedHex } from "./certificate-parse";
import { assertKeyMatchesCertificate, verifySignature } from "./certificate-verify";
import { DerError, TAG, childrenOf, decodeDer, expectTag, readBitString, readOid, readTime, readUnsigned, sequenceOf } from "./der-read";
import { derExplicit, derInteger, derSequence, tlv } from "./der-write";
import { OID } from "./oid";
import { derAuthorityKeyIdentifier, derExtension, sha256WithRsaAlgorithm, signSha256WithRsa, wholeSeconds, x509Time } from "./x509-write";

export type RevocationReason =
  | "unspecified"
  | "keyCompromise"
  | "cACompromise"
  | "affiliationChanged"
  | "superseded"
  | "cessationOfOperation"
  | "certificateHold"
  | "privilegeWithdrawn";

/** CRLReason ENUMERATED values (RFC 5280 §5.3.1; 7 is unused, 8 removeFromCRL and 10 aACompromise are not used here). */
const REASON_CODES: Record<RevocationReason, number> = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  privilegeWithdrawn: 9,
};
/** The CRLReason code of a reason (also the OCSP revocationReason, RFC 6960 §4.2.1). */
export function crlReasonCode(reason: RevocationReason): number {
  const code = REASON_CODES[reason];
  if (code === undefined) throw new Error(`unknown revocation reason ${JSON.stringify(reason)}`);
  return code;
}

export const REASON_NAMES = new Map<number, RevocationReason>(Object.entries(REASON_CODES).map(([k, v]) => [v, k as RevocationReason]));

/** Normalises a hex serial: lowercase, no 0x, no leading zero bytes. */
function normalizeSerialHex(hex: string): string {
  let h = hex.trim().toLowerCase().replace(/^0x/, "");
  if (!/^[0-9a-f]+$/.test(h)) throw new Error(`not a hex serial number: ${JSON.stringify(hex)}`);
  if (h.length % 2) h = "0" + h;
  while (h.length > 2 && h.startsWith("00")) h = h.slice(2);
  return h;
}

export function buildCrl(opts: {
  issuerCertPem: string;
  issuerKeyPem: string;
  revoked: { serialHex: string; revokedAt: Date; reason: RevocationReason }[];
  crlNumber: bigint;
  thisUpdate: Date;
  nextUpdate: Date;
}): Buffer {
  const issuer = parseCertificatePem(opts.issuerCertPem);
  const key = crypto.createPrivateKey(opts.issuerKeyPem);
  if (key.asymmetricKeyType !== "rsa") throw new Error("the CRL issuer key must be an RSA key");
  assertKeyMatchesCertificate(key, issuer, "CRL issuer");
  if (issuer.keyUsage && !issuer.keyUsage.has(KU.cRLSign)) throw new Error("the issuer certificate lacks the cRLSign key usage");

  if (typeof opts.crlNumber !== "bigint" || opts.crlNumber < 0n || opts.crlNumber >= 1n << 159n) {
    throw new Error("crlNumber must be a non-negative bigint of at most 20 octets (RFC 5280 §5.2.3)");
  }
  const thisUpdate = wholeSeconds(opts.thisUpdate);
  const nextUpdate = wholeSeconds(opts.nextUpdate);
  if (!(nextUpdate > thisUpdate)) throw new Error("nextUpdate must be later than thisUpdate");

  const seen = new Set<string>();
  const entries: Buffer[] = [];
  for (const r of opts.revoked) {
    const serial = normalizeSerialHex(r.serialHex);
    if (seen.has(serial)) throw new Error(`serial ${serial} is listed twice`);
    seen.add(serial);
    const code = REASON_CODES[r.reason];
    if (code === undefined) throw new Error(`unknown revocation reason ${JSON.stringify(r.reason)}`);
    const entry: Buffer[] = [derInteger(BigInt("0x" + serial)), x509Time(wholeSeconds(r.revokedAt))];
    if (code !== 0) entry.push(derSequence(derExtension(OID.reasonCode, false, tlv(TAG.ENUMERATED, Buffer.from([code])))));
    entries.push(derSequence(...entry));
  }

  const tbs = derSequence(
    derInteger(1n), // v2
    sha256WithRsaAlgorithm(),
    issuer.subjectDer,
    x509Time(thisUpdate),
    x509Time(nextUpdate),
    ...(entries.length ? [derSequence(...entries)] : []),
    derExplicit(
      0,
      derSequence(
        derExtension(OID.authorityKeyIdentifier, false, derAuthorityKeyIdentifier(keyIdentifier(issuer))),
        derExtension(OID.cRLNumber, false, derInteger(opts.crlNumber)),
      ),
    ),
  );
  return signSha256WithRsa(tbs, key);
}

/** Reads a DER CRL. Throws an Error on anything that is not a well-formed v2 CRL with nextUpdate and cRLNumber. */
export function parseCrl(der: Buffer): {
  issuerDnHex: string;
  crlNumber: bigint;
  thisUpdate: Date;
  nextUpdate: Date;
  revoked: { serialHex: string; revokedAt: Date; reason: RevocationReason }[];
  signatureValidFor(issuerCertPem: string): boolean;
} {
  try {
    const [tbsNode, sigAlg, sigValue, ...extra] = sequenceOf(decodeDer(der), "CertificateList");
    if (!tbsNode || !sigAlg || !sigValue || extra.length) throw new DerError("a CertificateList has three parts");
    const signatureOid = readOid(sequenceOf(sigAlg, "signatureAlgorithm")[0], "signatureAlgorithm algorithm");
    const signature = readBitString(sigValue, "signatureValue");
    const t = sequenceOf(tbsNode, "TBSCertList");
    let i = 0;
    if (t[i]?.tag !== TAG.INTEGER || readUnsigned(t[i], "version") !== 1n) throw new DerError("not a v2 CRL");
    i++;
    const tbsSignatureOid = readOid(sequenceOf(t[i++], "signature")[0], "signature algorithm");
    const issuerNode = expectTag(t[i++], TAG.SEQUENCE, "issuer");
    const thisUpdate = readTime(t[i++], "thisUpdate");
    if (!t[i] || (t[i].tag !== TAG.UTCTime && t[i].tag !== TAG.GeneralizedTime)) throw new DerError("the CRL has no nextUpdate");
    const nextUpdate = readTime(t[i++], "nextUpdate");
    const revoked: { serialHex: string; revokedAt: Date; reason: RevocationReason }[] = [];
    if (t[i]?.tag === TAG.SEQUENCE) {
      for (const entry of childrenOf(t[i++])) {
        const [serial, date, exts, ...more] = sequenceOf(entry, "revoked entry");
        if (!serial || !date || more.length) throw new DerError("bad revoked entry");
        let reason: RevocationReason = "unspecified";
        if (exts) {
          const rc = readExtensions(exts).get(OID.reasonCode);
          if (rc) {
            const code = expectTag(decodeDer(rc.value), TAG.ENUMERATED, "CRLReason").content;
            const name = code.length === 1 ? REASON_NAMES.get(code[0]) : undefined;
            if (!name) throw new DerError(`unsupported CRL reason code ${code.toString("hex")}`);
            reason = name;
          }
        }
        revoked.push({ serialHex: unsignedHex(readUnsigned(serial, "userCertificate")), revokedAt: readTime(date, "revocationDate"), reason });
      }
    }
    let crlNumber: bigint | undefined;
    if (t[i]?.tag === 0xa0) {
      const [wrapper, ...more] = childrenOf(t[i++]);
      if (!wrapper || more.length) throw new DerError("bad crlExtensions");
      const n = readExtensions(wrapper).get(OID.cRLNumber);
      if (n) crlNumber = readUnsigned(decodeDer(n.value), "CRLNumber");
    }
    if (i !== t.length) throw new DerError("unexpected fields in TBSCertList");
    if (crlNumber === undefined) throw new DerError("the CRL has no cRLNumber");
    if (tbsSignatureOid !== signatureOid) throw new DerError("the inner and outer signature algorithms differ");

    const tbs = tbsNode.raw;
    const issuerDer = issuerNode.raw;
    return {
      issuerDnHex: issuerDer.toString("hex"),
      crlNumber,
      thisUpdate,
      nextUpdate,
      revoked,
      /** True when `issuerCertPem`'s subject is the CRL issuer and its key verifies the CRL's signature. Never throws. */
      signatureValidFor(issuerCertPem: string): boolean {
        try {
          const cert = parseCertificatePem(issuerCertPem);
          return cert.subjectDer.equals(issuerDer) && verifySignature(signatureOid, tbs, signature, cert.spkiDer);
        } catch {
          return false;
        }
      },
    };
  } catch (e) {
    throw new Error(`malformed CRL: ${(e as Error).message}`);
  }
}
