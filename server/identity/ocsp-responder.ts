// The OCSP responder of the issuing CA (RFC 6960): answers, from the database of issued
// certificates, whether each certificate the issuing CA signed is good, revoked (time and reason)
// or unknown. Responses are signed by a delegated responder certificate (id-kp-OCSPSigning,
// id-pkix-ocsp-nocheck) the issuing CA issues for a short time, with a fresh key each time; its
// key is sealed under the master key like every other. A signer certificate is renewed when it
// nears its end, at start or at the first request after that.
import { randomUUID } from "node:crypto";
import type { AuditService } from "../audit/service";
import type { Db } from "../db/client";
import type { KeyVault } from "../pki/key-vault";
import { generateKeyPairAsync } from "../pki/keys";
import { issueCertificate } from "../pki/certificate-issue";
import { parseCertificatePem } from "../pki/certificate-parse";
import type { RevocationReason } from "../pki/crl";
import { certIdNamesIssuer } from "../pki/ocsp/cert-id";
import { OcspRequestError, parseOcspRequest } from "../pki/ocsp/request";
import { buildOcspResponse, ocspErrorResponse, type CertStatus } from "../pki/ocsp/response";

const DAY_MS = 86_400_000;
/** Short-lived, since nocheck means a compromised signer cannot be revoked (§4.2.2.2.1 option A). */
const SIGNER_VALIDITY_DAYS = 30;
const RENEW_WHEN_DAYS_LEFT = 10;
/** How long a client may rely on an answer before asking again. */
const RESPONSE_LIFETIME_MS = DAY_MS;

/** The kinds of certificate rows the issuing CA signed (the root signed the issuing CA's own). */
const ISSUED_BY_ISSUING_CA = ["person", "organization", "tsa", "platform-seal", "ocsp-signer"];

const SIGNER_SUBJECT = { commonName: "Evidence Platform OCSP Responder", organization: "Evidence Platform", country: "CN" };

interface Signer {
  certPem: string;
  privateKeyPem: string;
  notAfter: Date;
}

export interface IssuingAuthority {
  certPem: string;
  privateKeyPem: string;
}

export class OcspResponder {
  private signer: Signer | null = null;
  private renewing: Promise<Signer> | null = null;

  constructor(
    private readonly db: Db,
    private readonly vault: KeyVault,
    /** the issuing CA now (it may be recertified at start, with the same key and name) */
    private readonly issuingAuthority: () => IssuingAuthority,
    private readonly urls: { crlUrl: string; caIssuersUrl: string },
    private readonly audit: AuditService,
  ) {}

  async init(): Promise<void> {
    await this.currentSigner();
  }

  /** The signer certificate in use (PEM), for relying parties and tests. */
  async signerCertificatePem(): Promise<string> {
    return (await this.currentSigner()).certPem;
  }

  /** A DER OCSPResponse for a DER OCSPRequest: malformedRequest for a bad one, internalError when signing fails. */
  async respond(der: Buffer): Promise<Buffer> {
    let request;
    try {
      request = parseOcspRequest(der);
    } catch (e) {
      if (e instanceof OcspRequestError) return ocspErrorResponse("malformedRequest");
      throw e;
    }
    try {
      const issuer = parseCertificatePem(this.issuingAuthority().certPem);
      const ours = request.certIds.filter((c) => c.serialHex !== null && certIdNamesIssuer(c, issuer));
      const rows = await this.db.certificate.findMany({
        where: { serialHex: { in: ours.map((c) => c.serialHex!) }, kind: { in: ISSUED_BY_ISSUING_CA } },
        select: { serialHex: true, revokedAt: true, revocationReason: true },
      });
      const bySerial = new Map(rows.map((r) => [r.serialHex, r]));
      const responses = request.certIds.map((c) => {
        const row = ours.includes(c) ? bySerial.get(c.serialHex!) : undefined;
        const status: CertStatus = !row
          ? { status: "unknown" }
          : row.revokedAt
            ? { status: "revoked", revokedAt: row.revokedAt, reason: (row.revocationReason ?? "unspecified") as RevocationReason }
            : { status: "good" };
        return { certIdDer: c.raw, status };
      });
      const signer = await this.currentSigner();
      const now = new Date();
      return buildOcspResponse({
        signerCertPem: signer.certPem,
        signerKeyPem: signer.privateKeyPem,
        responses,
        nonce: request.nonce,
        producedAt: now,
        thisUpdate: now,
        nextUpdate: new Date(now.getTime() + RESPONSE_LIFETIME_MS),
      });
    } catch {
      // The database or the vault failed: RFC 6960 §2.3 internalError, never a half answer.
      return ocspErrorResponse("internalError");
    }
  }

  private async currentSigner(): Promise<Signer> {
    if (this.signer && !nearEnd(this.signer.notAfter)) return this.signer;
    if (!this.renewing) {
      this.renewing = this.loadOrIssue()
        .then((s) => (this.signer = s))
        .finally(() => (this.renewing = null));
    }
    return this.renewing;
  }

  /** The stored signer with the longest time left, or a new one when none has enough. */
  private async loadOrIssue(): Promise<Signer> {
    const stored = await this.db.certificate.findFirst({
      where: { kind: "ocsp-signer", notAfter: { gt: new Date(Date.now() + RENEW_WHEN_DAYS_LEFT * DAY_MS) } },
      orderBy: { notAfter: "desc" },
    });
    if (stored?.sealedKey) {
      return { certPem: stored.certPem, privateKeyPem: this.vault.unseal(stored.sealedKey, `cert:${stored.id}`).toString("utf8"), notAfter: stored.notAfter };
    }
    // Two instances renewing at once each issue one: both are valid, and each signs with its own.
    const issuer = this.issuingAuthority();
    const keys = await generateKeyPairAsync();
    const issuerEnd = parseCertificatePem(issuer.certPem).notAfter.getTime();
    const days = Math.min(SIGNER_VALIDITY_DAYS, Math.floor((issuerEnd - Date.now()) / DAY_MS));
    if (days < 1) throw new Error("the issuing CA expires within a day: no OCSP signer can be issued");
    const issued = issueCertificate({
      kind: "ocsp-signer",
      subject: SIGNER_SUBJECT,
      subjectPublicKeyPem: keys.publicKeyPem,
      issuer,
      validityDays: days,
      crlUrl: this.urls.crlUrl,
      caIssuersUrl: this.urls.caIssuersUrl,
    });
    const id = `ocsp-signer-${randomUUID()}`;
    await this.db.certificate.create({
      data: {
        id,
        kind: "ocsp-signer",
        serialHex: issued.serialHex,
        fingerprint: issued.fingerprintSha256,
        certPem: issued.certPem,
        subject: JSON.stringify(SIGNER_SUBJECT),
        sealedKey: this.vault.seal(keys.privateKeyPem, `cert:${id}`),
        notBefore: issued.notBefore,
        notAfter: issued.notAfter,
      },
    });
    await this.audit.record({ actorId: null, action: "certificate.issued", subject: id, details: { serialHex: issued.serialHex, kind: "ocsp-signer", keyHeldBy: "platform" } });
    return { certPem: issued.certPem, privateKeyPem: keys.privateKeyPem, notAfter: issued.notAfter };
  }
}

const nearEnd = (notAfter: Date): boolean => notAfter.getTime() - Date.now() < RENEW_WHEN_DAYS_LEFT * DAY_MS;
