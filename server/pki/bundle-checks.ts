// The PKI half of verifying a proof bundle, offline: the submitter's CMS signature over the file,
// that this signature is the one anchored, the RFC 3161 token over the batch root, and the signer
// certificate's status in the CRL the bundle carries (or a fresher one the verifier supplies).
import { createHash } from "node:crypto";
import type { Check } from "../core/proof-bundle";
import { fromHex, isHex32 } from "../core/hex";
import { certificateInfo } from "./certificate-parse";
import type { Subject } from "./names";
import { verifyDetached } from "./cms";
import { parseCrl } from "./crl";
import { verifyTimeStampToken } from "./tsa";

export interface PkiSections {
  signature?: { format: string; cms: string } | null;
  timestamp?: { format: string; of: string; token: string };
  certificates?: { root: string; issuing: string; tsa: string };
  revocation?: { crl: string; crlUrl?: string };
}

export interface SignerReport {
  certPem: string;
  subject: Subject;
  serialHex: string;
  fingerprint: string;
  signingTime: string | null;
  revokedAt: string | null;
  revocationReason: string | null;
}

// The same CRL is checked against the same issuer on every verification until a new one is
// published: its parse and signature check are a pure function of both, so they are kept.
const checkedCrls = new Map<string, { crl: ReturnType<typeof parseCrl>; signedByIssuer: boolean }>();

function checkedCrl(crlBase64: string, issuerPem: string | undefined): { crl: ReturnType<typeof parseCrl>; signedByIssuer: boolean } {
  const key = `${crlBase64}\n${issuerPem ?? ""}`;
  const known = checkedCrls.get(key);
  if (known) return known;
  const crl = parseCrl(Buffer.from(crlBase64, "base64"));
  const checked = { crl, signedByIssuer: !!issuerPem && crl.signatureValidFor(issuerPem) };
  if (checkedCrls.size >= 16) checkedCrls.clear();
  checkedCrls.set(key, checked);
  return checked;
}

const subjectText = (s: Subject) => [s.commonName, s.organization, s.serialNumber].filter(Boolean).join(", ");

/**
 * @param trustedRootPems roots to trust; default: the root the bundle carries (then the verdict
 *   holds only as far as that root's fingerprint is known to belong to the platform).
 * @param crlDer a CRL to use instead of the bundle's (e.g. a fresh one from the CRL URL)
 */
export function verifyPkiSections(
  bundle: PkiSections & { record: Record<string, unknown>; merkle: { root: string } },
  opts: { trustedRootPems?: string[]; crlDer?: Buffer } = {},
): { checks: Check[]; signer: SignerReport | null } {
  const checks: Check[] = [];
  const roots = opts.trustedRootPems ?? (bundle.certificates?.root ? [bundle.certificates.root] : []);
  let signer: SignerReport | null = null;
  let signerSerial: string | null = null;
  let signingTime: Date | null = null;
  let anchoredTime: Date | null = null;

  if (!bundle.signature && bundle.record.signatureSha256 !== undefined) {
    checks.push({ name: "signature", ok: false, detail: "the record anchors a signature that the bundle does not carry" });
  }
  if (bundle.signature) {
    const cms = Buffer.from(bundle.signature.cms, "base64");
    const sha = String(bundle.record.sha256 ?? "");
    const anchoredSig = bundle.record.signatureSha256;
    const cmsSha = "0x" + createHash("sha256").update(cms).digest("hex");
    if (anchoredSig !== cmsSha) {
      checks.push({ name: "signature", ok: false, detail: `the signature is not the one anchored in the record (${cmsSha} vs ${String(anchoredSig)})` });
    } else if (!isHex32(sha)) {
      checks.push({ name: "signature", ok: false, detail: "the record has no SHA-256 to check the signature against" });
    } else {
      const v = verifyDetached(cms, fromHex(sha), roots);
      if (v.ok && v.signerCertPem) {
        const info = certificateInfo(v.signerCertPem);
        signerSerial = info.serialHex;
        signingTime = v.signingTime;
        signer = {
          certPem: v.signerCertPem,
          subject: info.subject,
          serialHex: info.serialHex,
          fingerprint: info.fingerprintSha256,
          signingTime: v.signingTime?.toISOString() ?? null,
          revokedAt: null,
          revocationReason: null,
        };
        checks.push({ name: "signature", ok: true, detail: `CMS signature by ${subjectText(info.subject)} (certificate ${info.serialHex}), signed ${v.signingTime?.toISOString() ?? "at an unstated time"}` });
      } else {
        checks.push({ name: "signature", ok: false, detail: v.problems.join("; ") || "the signature does not verify" });
      }
    }
  }

  if (bundle.timestamp) {
    const token = Buffer.from(bundle.timestamp.token, "base64");
    const extra = bundle.certificates ? [bundle.certificates.tsa, bundle.certificates.issuing] : [];
    const v = verifyTimeStampToken(token, fromHex(bundle.merkle.root), roots, extra);
    anchoredTime = v.genTime;
    checks.push({
      name: "timestamp",
      ok: v.ok,
      detail: v.ok ? `RFC 3161 token over the root, time ${v.genTime?.toISOString()}` : v.problems.join("; "),
    });
  }

  if (signerSerial && (opts.crlDer || bundle.revocation?.crl)) {
    const crlBase64 = opts.crlDer ? opts.crlDer.toString("base64") : bundle.revocation!.crl;
    let crl: ReturnType<typeof parseCrl> | null = null;
    let signedByIssuer = false;
    try {
      ({ crl, signedByIssuer } = checkedCrl(crlBase64, bundle.certificates?.issuing));
    } catch (e) {
      checks.push({ name: "certificate-status", ok: false, detail: `the CRL cannot be read: ${(e as Error).message}` });
    }
    if (crl) {
      if (!signedByIssuer) {
        checks.push({ name: "certificate-status", ok: false, detail: "the CRL is not signed by the issuing CA" });
      } else {
        const entry = crl.revoked.find((r) => r.serialHex === signerSerial);
        // The time the evidence provably existed: the batch's timestamp, else the signer's own claim.
        const provenAt = anchoredTime ?? signingTime;
        if (!entry) {
          checks.push({ name: "certificate-status", ok: true, detail: `not revoked (CRL ${crl.crlNumber} of ${crl.thisUpdate.toISOString()})` });
        } else {
          signer!.revokedAt = entry.revokedAt.toISOString();
          signer!.revocationReason = entry.reason;
          const validThen = provenAt !== null && provenAt < entry.revokedAt;
          checks.push({
            name: "certificate-status",
            ok: validThen,
            detail: validThen
              ? `valid when signed; REVOKED since ${entry.revokedAt.toISOString()} (${entry.reason})`
              : `REVOKED on ${entry.revokedAt.toISOString()} (${entry.reason}), before the signature was proven to exist`,
          });
        }
      }
    }
  }
  return { checks, signer };
}
