// Certificate revocation lists (RFC 5280 §5), built with forge.asn1 (node-forge cannot create CRLs)
// and signed with node:crypto (sha256WithRSAEncryption).
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
import forge from "node-forge";
import {
  DerError,
  DerNode,
  OID,
  TAG,
  assertKeyMatchesCertificate,
  authorityKeyIdentifierAsn1,
  derTime,
  extensionAsn1,
  integerAsn1,
  keyIdentifier,
  keyUsage,
  normalizeSerialHex,
  parseCertificatePem,
  rawAsn1,
  sha256WithRsaAlgorithm,
  timeAsn1,
  toDerBuffer,
  verifySignature,
  wholeSeconds,
} from "./certificates";

const asn1 = forge.asn1;
type Asn1 = forge.asn1.Asn1;

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
const REASON_NAMES = new Map<number, RevocationReason>(Object.entries(REASON_CODES).map(([k, v]) => [v, k as RevocationReason]));

const seq = (items: Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);

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
  const ku = keyUsage(issuer);
  if (ku && !ku.has("cRLSign")) throw new Error("the issuer certificate lacks the cRLSign key usage");

  if (typeof opts.crlNumber !== "bigint" || opts.crlNumber < 0n || opts.crlNumber >= 1n << 159n) {
    throw new Error("crlNumber must be a non-negative bigint of at most 20 octets (RFC 5280 §5.2.3)");
  }
  const thisUpdate = wholeSeconds(opts.thisUpdate);
  const nextUpdate = wholeSeconds(opts.nextUpdate);
  if (!(nextUpdate > thisUpdate)) throw new Error("nextUpdate must be later than thisUpdate");

  const seen = new Set<string>();
  const entries: Asn1[] = [];
  for (const r of opts.revoked) {
    const serial = normalizeSerialHex(r.serialHex);
    if (seen.has(serial)) throw new Error(`serial ${serial} is listed twice`);
    seen.add(serial);
    const code = REASON_CODES[r.reason];
    if (code === undefined) throw new Error(`unknown revocation reason ${JSON.stringify(r.reason)}`);
    const entry: Asn1[] = [integerAsn1(serial), timeAsn1(wholeSeconds(r.revokedAt))];
    if (code !== 0) {
      const reason = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.ENUMERATED, false, String.fromCharCode(code));
      entry.push(seq([extensionAsn1(OID.reasonCode, false, reason)]));
    }
    entries.push(seq(entry));
  }

  const tbsParts: Asn1[] = [
    integerAsn1(1n), // v2
    sha256WithRsaAlgorithm(),
    rawAsn1(issuer.subjectDer),
    timeAsn1(thisUpdate),
    timeAsn1(nextUpdate),
  ];
  if (entries.length) tbsParts.push(seq(entries));
  tbsParts.push(
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      seq([
        extensionAsn1(OID.authorityKeyIdentifier, false, authorityKeyIdentifierAsn1(keyIdentifier(issuer))),
        extensionAsn1(OID.cRLNumber, false, integerAsn1(opts.crlNumber)),
      ]),
    ]),
  );
  const tbs = toDerBuffer(seq(tbsParts));
  const signature = crypto.sign("sha256", tbs, key);
  return toDerBuffer(
    seq([
      rawAsn1(tbs),
      sha256WithRsaAlgorithm(),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, "\x00" + signature.toString("binary")),
    ]),
  );
}

function readExtensions(wrapper: DerNode): Map<string, { critical: boolean; value: Buffer }> {
  const out = new Map<string, { critical: boolean; value: Buffer }>();
  for (const ext of wrapper.expect(TAG.SEQUENCE, "Extensions").children()) {
    const parts = ext.expect(TAG.SEQUENCE, "Extension").children();
    const oid = parts[0].oid();
    let k = 1;
    let critical = false;
    if (parts[k]?.tag === TAG.BOOLEAN) critical = parts[k++].content[0] !== 0;
    const value = parts[k++]?.expect(TAG.OCTET_STRING, "extnValue").content;
    if (!value || k !== parts.length) throw new DerError("bad Extension");
    if (out.has(oid)) throw new DerError(`duplicate extension ${oid}`);
    out.set(oid, { critical, value });
  }
  return out;
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
    const [tbsNode, sigAlg, sigValue, ...extra] = DerNode.parse(der).expect(TAG.SEQUENCE, "CertificateList").children();
    if (!tbsNode || !sigAlg || !sigValue || extra.length) throw new DerError("a CertificateList has three parts");
    const signatureOid = sigAlg.expect(TAG.SEQUENCE, "signatureAlgorithm").children()[0].oid();
    const signature = sigValue.bitStringBytes();
    const t = tbsNode.expect(TAG.SEQUENCE, "TBSCertList").children();
    let i = 0;
    if (t[i]?.tag !== TAG.INTEGER || t[i].unsignedHex() !== "01") throw new DerError("not a v2 CRL");
    i++;
    const tbsSignatureOid = t[i++]?.expect(TAG.SEQUENCE, "signature").children()[0].oid();
    const issuerNode = t[i++]?.expect(TAG.SEQUENCE, "issuer");
    if (!issuerNode || !t[i]) throw new DerError("incomplete TBSCertList");
    const thisUpdate = derTime(t[i++]);
    if (!t[i] || (t[i].tag !== TAG.UTCTime && t[i].tag !== TAG.GeneralizedTime)) throw new DerError("the CRL has no nextUpdate");
    const nextUpdate = derTime(t[i++]);
    const revoked: { serialHex: string; revokedAt: Date; reason: RevocationReason }[] = [];
    if (t[i]?.tag === TAG.SEQUENCE) {
      for (const entry of t[i++].children()) {
        const [serial, date, exts, ...more] = entry.expect(TAG.SEQUENCE, "revoked entry").children();
        if (!serial || !date || more.length) throw new DerError("bad revoked entry");
        let reason: RevocationReason = "unspecified";
        if (exts) {
          const rc = readExtensions(exts).get(OID.reasonCode);
          if (rc) {
            const code = DerNode.parse(rc.value).expect(TAG.ENUMERATED, "CRLReason").content;
            const name = code.length === 1 ? REASON_NAMES.get(code[0]) : undefined;
            if (!name) throw new DerError(`unsupported CRL reason code ${code.toString("hex")}`);
            reason = name;
          }
        }
        revoked.push({ serialHex: normalizeSerialHex(serial.expect(TAG.INTEGER, "userCertificate").unsignedHex()), revokedAt: derTime(date), reason });
      }
    }
    let crlNumber: bigint | undefined;
    if (t[i]?.tag === 0xa0) {
      const [wrapper, ...more] = t[i++].children();
      if (!wrapper || more.length) throw new DerError("bad crlExtensions");
      const n = readExtensions(wrapper).get(OID.cRLNumber);
      if (n) crlNumber = BigInt("0x" + DerNode.parse(n.value).expect(TAG.INTEGER, "CRLNumber").unsignedHex());
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
