// Revocation of one certificate of a signature's chains, judged against the best proof of
// existence (PoE) of the signature: the time of its own valid RFC 3161 timestamp. Pure: the CRLs
// and OCSP responses are given (from the file's DSS, the platform's current CRL/ARL, or files
// given to the CLI). An OCSP response counts only when the certificate's issuer signed it or
// delegated to its signer (response-parse.ts), like a CRL only counts when its issuer signed it.
//
// Why these rules (PAdES / EN 319 102-1 5.6.2.4, as pyHanko applies them): a certificate revoked
// after a time the signature provably existed does not undo it (the revocation is still shown); one
// revoked before that time, or with no PoE at all, does. A TSA whose certificate is revoked gives
// no PoE. "Unknown" (no CRL from the issuer, or none fresh enough) is never read as good.
import { parseCrl } from "../pki/crl";
import type { ParsedCertificate } from "../pki/certificate-parse";
import { ocspAnswerFor, parseOcspResponse, type ParsedOcspResponse } from "../pki/ocsp/response-parse";

export type RevocationSource = "dss" | "platform" | "given";
export type CertificateRole = "signer" | "ca" | "tsa" | "tsa-ca";

export type RevocationCode =
  | "revocation_good"
  | "revoked_after_timestamp"
  | "revoked_before_signing"
  | "revoked_no_timestamp"
  | "tsa_revoked"
  | "revocation_unknown";

export interface CrlInput {
  der: Buffer;
  source: RevocationSource;
}

export interface CertificateRevocation {
  role: CertificateRole;
  subject: string;
  serialHex: string;
  status: "good" | "revoked" | "unknown";
  revokedAt: string | null;
  reason: string | null;
  /** where the deciding CRL came from */
  source: RevocationSource | null;
  code: RevocationCode;
  /** true when this makes the signature invalid */
  blocking: boolean;
  detail: string;
}

type ParsedCrl = ReturnType<typeof parseCrl> & { source: RevocationSource };
export type ParsedOcsp = ParsedOcspResponse & { source: RevocationSource };

/** Parses the OCSP responses once; an unreadable one is returned as a problem, never used. */
export function readOcsps(inputs: CrlInput[]): { ocsps: ParsedOcsp[]; problems: string[] } {
  const ocsps: ParsedOcsp[] = [];
  const problems: string[] = [];
  for (const i of inputs) {
    try {
      ocsps.push({ ...parseOcspResponse(i.der), source: i.source });
    } catch (e) {
      problems.push(`an OCSP response (${i.source}) cannot be read: ${(e as Error).message}`);
    }
  }
  return { ocsps, problems };
}

/** Parses the CRLs once; an unreadable CRL is returned as a problem, never silently used. */
export function readCrls(inputs: CrlInput[]): { crls: ParsedCrl[]; problems: string[] } {
  const crls: ParsedCrl[] = [];
  const problems: string[] = [];
  for (const i of inputs) {
    try {
      crls.push({ ...parseCrl(i.der), source: i.source });
    } catch (e) {
      problems.push(`a CRL (${i.source}) cannot be read: ${(e as Error).message}`);
    }
  }
  return { crls, problems };
}

/**
 * The CRLs that speak for `cert`: signed by its issuer's key, the file's own (DSS) preferred over
 * outside ones (revocation data inside the file is the data the signature was sealed with).
 */
function crlsFor(issuer: ParsedCertificate, crls: ParsedCrl[]): ParsedCrl[] {
  const signed = crls.filter((c) => c.issuerDnHex === issuer.subjectDer.toString("hex") && c.signatureValidFor(issuer.pem));
  const dss = signed.filter((c) => c.source === "dss");
  return dss.length ? dss : signed;
}

/**
 * Judges `cert` (issued by `issuer`) for a signature whose PoE is `poe` (null: no valid timestamp).
 * `now` is when the verdict is given. A TSA certificate is judged with poe = null and its own code.
 */
export function judgeRevocation(opts: {
  role: CertificateRole;
  cert: ParsedCertificate;
  issuer: ParsedCertificate;
  crls: ParsedCrl[];
  ocsps?: ParsedOcsp[];
  poe: Date | null;
  now: Date;
}): CertificateRevocation {
  const { role, cert, issuer, poe, now } = opts;
  const base = { role, subject: cert.subjectText, serialHex: cert.serialHex, revokedAt: null, reason: null };
  const candidates = crlsFor(issuer, opts.crls);
  // OCSP answers that speak for this certificate ("unknown" says nothing), the file's own first
  const answers = (opts.ocsps ?? []).flatMap((r) => {
    const a = ocspAnswerFor(r, cert, issuer);
    return a && a.status !== "unknown" ? [{ ...a, source: r.source, producedAt: r.producedAt }] : [];
  });
  const dssAnswers = answers.filter((a) => a.source === "dss");
  const ocsp = dssAnswers.length ? dssAnswers : answers;
  if (!candidates.length && !ocsp.length) {
    return { ...base, status: "unknown", source: null, code: "revocation_unknown", blocking: true, detail: `no CRL or OCSP response signed for "${issuer.subjectText}" is available` };
  }
  // a revocation on any of them counts (the earliest date): a later CRL cannot un-revoke
  const entries = [
    ...candidates.flatMap((c) => c.revoked.filter((r) => r.serialHex === cert.serialHex).map((r) => ({ ...r, source: c.source }))),
    ...ocsp.filter((a) => a.status === "revoked").map((a) => ({ serialHex: a.serialHex, revokedAt: a.revokedAt!, reason: a.reason!, source: a.source })),
  ].sort((a, b) => a.revokedAt.getTime() - b.revokedAt.getTime());
  const hit = entries[0];
  if (hit) {
    const revoked = { ...base, status: "revoked" as const, revokedAt: hit.revokedAt.toISOString(), reason: hit.reason, source: hit.source };
    if (role === "tsa" || role === "tsa-ca") {
      return { ...revoked, code: "tsa_revoked", blocking: true, detail: `the timestamp authority's chain is revoked (${hit.reason}, ${revoked.revokedAt}): the timestamp proves no time` };
    }
    if (!poe) return { ...revoked, code: "revoked_no_timestamp", blocking: true, detail: `revoked (${hit.reason}) at ${revoked.revokedAt}, and no valid timestamp proves the signature existed before` };
    if (hit.revokedAt.getTime() > poe.getTime()) {
      return { ...revoked, code: "revoked_after_timestamp", blocking: false, detail: `revoked (${hit.reason}) at ${revoked.revokedAt}, after the signature timestamp ${poe.toISOString()}: the signature stands` };
    }
    return { ...revoked, code: "revoked_before_signing", blocking: true, detail: `revoked (${hit.reason}) at ${revoked.revokedAt}, before the signature timestamp ${poe.toISOString()}` };
  }
  // not listed: good only if a CRL or an OCSP answer is current now, or was issued after the PoE (it then covers it)
  const freshOcsp =
    ocsp.find((a) => a.thisUpdate <= now && !!a.nextUpdate && now <= a.nextUpdate) ?? (poe ? ocsp.find((a) => a.thisUpdate >= poe) : undefined);
  const fresh = candidates.find((c) => c.thisUpdate <= now && now <= c.nextUpdate) ?? (poe ? candidates.find((c) => c.thisUpdate >= poe) : undefined);
  if (!fresh && freshOcsp) {
    return { ...base, status: "good", source: freshOcsp.source, code: "revocation_good", blocking: false, detail: `good (OCSP response produced ${freshOcsp.producedAt.toISOString()}, ${freshOcsp.source})` };
  }
  if (!fresh) {
    if (!candidates.length) {
      return { ...base, status: "unknown", source: ocsp[0].source, code: "revocation_unknown", blocking: true, detail: `the OCSP responses for "${cert.subjectText}" are out of date and cover no proof of existence` };
    }
    const newest = candidates.reduce((a, b) => (a.thisUpdate > b.thisUpdate ? a : b));
    return { ...base, status: "unknown", source: newest.source, code: "revocation_unknown", blocking: true, detail: `the newest CRL of "${issuer.subjectText}" (next update ${newest.nextUpdate.toISOString()}) is out of date` };
  }
  return { ...base, status: "good", source: fresh.source, code: "revocation_good", blocking: false, detail: `not revoked (CRL ${fresh.crlNumber}, ${fresh.source}, issued ${fresh.thisUpdate.toISOString()})` };
}

/**
 * Every certificate of a path (leaf first, trust anchor last) except the anchor, which has no
 * issuer to revoke it: the trust anchor is trusted as configured.
 */
export function judgePath(path: ParsedCertificate[], leafRole: "signer" | "tsa", crls: ParsedCrl[], poe: Date | null, now: Date, ocsps: ParsedOcsp[] = []): CertificateRevocation[] {
  const out: CertificateRevocation[] = [];
  for (let i = 0; i + 1 < path.length; i++) {
    const role: CertificateRole = i === 0 ? leafRole : leafRole === "tsa" ? "tsa-ca" : "ca";
    out.push(judgeRevocation({ role, cert: path[i], issuer: path[i + 1], crls, ocsps, poe, now }));
  }
  return out;
}
