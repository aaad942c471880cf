// OCSP responses (RFC 6960 §4.2), built in DER and signed with sha256WithRSAEncryption.
//
//   OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT ResponseBytes OPTIONAL }
//   ResponseBytes ::= SEQUENCE { responseType id-pkix-ocsp-basic, response OCTET STRING (BasicOCSPResponse) }
//   BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm, signature BIT STRING,
//                                    certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
//   ResponseData ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, responderID, producedAt GeneralizedTime,
//                               responses SEQUENCE OF SingleResponse, responseExtensions [1] EXPLICIT OPTIONAL }
//   SingleResponse ::= SEQUENCE { certID, certStatus, thisUpdate GeneralizedTime,
//                                 nextUpdate [0] EXPLICIT GeneralizedTime OPTIONAL, singleExtensions [1] OPTIONAL }
//   CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo, unknown [2] IMPLICIT NULL }
//   RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime, revocationReason [0] EXPLICIT CRLReason OPTIONAL }
//
// Choices: the responder is named byKey (§4.2.2.3, the SHA-1 of its public key, which stays the
// same when the signer certificate is renewed for the same key); the signer certificate goes in
// `certs`, since it is a delegated responder a client cannot know otherwise (§4.2.2.2); each
// CertID is echoed as received; version v1 is the DEFAULT and so not written (DER); times are whole
// seconds; the revocation reason is omitted for "unspecified", as in the CRL (RFC 5280 §5.3.1).
import * as crypto from "node:crypto";
import { parseCertificatePem } from "../certificate-parse";
import { assertKeyMatchesCertificate } from "../certificate-verify";
import { crlReasonCode, type RevocationReason } from "../crl";
import { TAG } from "../der-read";
import { derBitString, derExplicit, derGeneralizedTime, derOctetString, derOid, derSequence, tlv } from "../der-write";
import { OID } from "../oid";
import { sha256WithRsaAlgorithm, wholeSeconds } from "../x509-write";

/** OCSPResponseStatus (§4.2.1); 4 is not used, sigRequired is never sent by a responder that signs nothing it reads. */
const RESPONSE_STATUS = { successful: 0, malformedRequest: 1, internalError: 2, tryLater: 3, unauthorized: 6 } as const;
export type OcspErrorStatus = Exclude<keyof typeof RESPONSE_STATUS, "successful">;

export type CertStatus =
  | { status: "good" }
  | { status: "revoked"; revokedAt: Date; reason: RevocationReason }
  | { status: "unknown" };

const enumerated = (n: number): Buffer => tlv(TAG.ENUMERATED, Buffer.from([n]));
const generalizedTime = (d: Date): Buffer => derGeneralizedTime(wholeSeconds(d));

/** An OCSPResponse without responseBytes: the answer to a request that cannot be answered. */
export function ocspErrorResponse(status: OcspErrorStatus): Buffer {
  const code = RESPONSE_STATUS[status];
  if (code === undefined) throw new Error(`not an OCSP error status: ${status}`);
  return derSequence(enumerated(code));
}

function certStatusDer(s: CertStatus): Buffer {
  switch (s.status) {
    case "good":
      return Buffer.from([0x80, 0x00]);
    case "unknown":
      return Buffer.from([0x82, 0x00]);
    case "revoked": {
      const code = crlReasonCode(s.reason);
      return tlv(0xa1, [generalizedTime(s.revokedAt), ...(code !== 0 ? [derExplicit(0, enumerated(code))] : [])]);
    }
  }
}

/** A successful, signed OCSPResponse (basic) answering each CertID with its status. */
export function buildOcspResponse(opts: {
  signerCertPem: string;
  signerKeyPem: string;
  responses: { certIdDer: Buffer; status: CertStatus }[];
  /** the request's nonce extnValue, echoed (RFC 8954 §2.1); null when the request had none */
  nonce: Buffer | null;
  producedAt: Date;
  thisUpdate: Date;
  nextUpdate: Date;
}): Buffer {
  if (opts.responses.length === 0) throw new Error("an OCSP response answers at least one CertID");
  if (!(opts.nextUpdate > opts.thisUpdate)) throw new Error("nextUpdate must be later than thisUpdate");
  const signer = parseCertificatePem(opts.signerCertPem);
  const key = crypto.createPrivateKey(opts.signerKeyPem);
  if (key.asymmetricKeyType !== "rsa") throw new Error("the OCSP signer key must be an RSA key");
  assertKeyMatchesCertificate(key, signer, "OCSP signer");

  const responderId = derExplicit(2, derOctetString(crypto.createHash("sha1").update(signer.publicKeyBits).digest()));
  const single = opts.responses.map((r) =>
    derSequence(r.certIdDer, certStatusDer(r.status), generalizedTime(opts.thisUpdate), derExplicit(0, generalizedTime(opts.nextUpdate))),
  );
  const extensions = opts.nonce ? [derExplicit(1, derSequence(derSequence(derOid(OID.ocspNonce), derOctetString(opts.nonce))))] : [];
  const tbs = derSequence(responderId, generalizedTime(opts.producedAt), derSequence(...single), ...extensions);
  const basic = derSequence(
    tbs,
    sha256WithRsaAlgorithm(),
    derBitString(crypto.sign("sha256", tbs, key)),
    derExplicit(0, derSequence(signer.der)),
  );
  return derSequence(enumerated(RESPONSE_STATUS.successful), derExplicit(0, derSequence(derOid(OID.ocspBasic), derOctetString(basic))));
}
