// The platform's certificate authority as a feature: its own certificates (root, issuing, TSA),
// certificates for organisations and people, revocation and the CRL, the RFC 3161 TSA, and the
// signing of evidence with the submitter's own key. Every private key is sealed under the master
// key before it touches the database, and none is ever returned.
import { createPublicKey, randomBytes, randomUUID } from "node:crypto";
import type { Db } from "../db/client";
import { ApiError, notFound } from "../http/errors";
import type { KeyVault } from "../pki/key-vault";
import type { AuditService } from "../audit/service";
import { generateHolderKeyPairAsync, generateKeyPairAsync, type HolderKeyAlgorithm } from "../pki/keys";
import { crlDistributionPointsDer, issueCertificate, type CertificateKind } from "../pki/certificate-issue";
import { certificateInfo, parseCertificatePem, type ParsedCertificate } from "../pki/certificate-parse";
import { OID } from "../pki/oid";
import type { Subject } from "../pki/names";
import { buildCrl, parseCrl, type RevocationReason } from "../pki/crl";
import { parseCsr, CsrError } from "../pki/csr";
import { signDetachedAsync, verifyDetached } from "../pki/cms";
import { pemToDer } from "../pki/pem";
import { buildOcspRequest } from "../pki/ocsp/request-build";
import { parseOcspResponse } from "../pki/ocsp/response-parse";
import type { LongTermOptions } from "../pdf/ltv";
import { OcspResponder } from "./ocsp-responder";
import { grantTimeStamp, parseTimeStampRequest, rejectTimeStamp, timeStampDigest, TsaRequestError } from "../pki/tsa";

/** The platform TSA's policy (an arc for this platform's private use). */
export const TSA_POLICY_OID = "1.3.6.1.4.1.59999.1.1";

const YEARS = (n: number) => Math.round(n * 365.25);
const VALIDITY = { root: YEARS(20), issuing: YEARS(10), tsa: YEARS(5), holder: YEARS(2) };
const CRL_LIFETIME_DAYS = 7;

/**
 * A name cut to the 64 characters RFC 5280 allows in CN and O: by code point (a UTF-16 slice could
 * split a surrogate pair) and trimmed (the cut may end on a space, which a DN may not).
 */
const dnText = (name: string): string => Array.from(name).slice(0, 64).join("").trim();

type CertRow = NonNullable<Awaited<ReturnType<Db["certificate"]["findUnique"]>>>;

export interface CertificateView {
  id: string;
  kind: string;
  serialHex: string;
  fingerprint: string;
  subject: Subject;
  userId: string | null;
  organizationId: string | null;
  keyHeldBy: "platform" | "holder";
  notBefore: string;
  notAfter: string;
  revokedAt: string | null;
  revocationReason: string | null;
  certPem: string;
}

export interface SignerStatus {
  subject: Subject;
  serialHex: string;
  fingerprint: string;
  /** "valid" | "revoked" | "expired" | "not-yet-valid" | "unknown" (not issued by this CA) */
  atSigningTime: string;
  now: string;
  revokedAt: string | null;
  revocationReason: string | null;
}

const view = (c: CertRow): CertificateView => ({
  id: c.id,
  kind: c.kind,
  serialHex: c.serialHex,
  fingerprint: c.fingerprint,
  subject: JSON.parse(c.subject),
  userId: c.userId,
  organizationId: c.organizationId,
  keyHeldBy: c.sealedKey ? "platform" : "holder",
  notBefore: c.notBefore.toISOString(),
  notAfter: c.notAfter.toISOString(),
  revokedAt: c.revokedAt?.toISOString() ?? null,
  revocationReason: c.revocationReason,
  certPem: c.certPem,
});

export class IdentityService {
  private platformCerts: { root: CertRow; issuing: CertRow; tsa: CertRow; seal: CertRow } | null = null;
  private readonly issuing = new Map<string, Promise<CertificateView>>();
  private ocsp: OcspResponder | null = null;

  constructor(
    private readonly db: Db,
    private readonly vault: KeyVault,
    private readonly publicUrl: string,
    private readonly audit: AuditService,
    /** what a person's platform-generated key is (organisations' and the platform's own stay RSA) */
    private readonly holderKeyAlgorithm: HolderKeyAlgorithm = "ec-p256",
  ) {}

  get crlUrl(): string {
    return `${this.publicUrl}/api/pki/crl`;
  }

  /** The OCSP responder for the certificates the issuing CA signs. */
  get ocspUrl(): string {
    return `${this.publicUrl}/api/ocsp`;
  }

  /** The issuing CA's certificate, DER, for the caIssuers access method (RFC 5280 §4.2.2.1). */
  get issuingCaUrl(): string {
    return `${this.publicUrl}/api/pki/issuing-ca.cer`;
  }

  /** The root's CRL (ARL): the revocation source of the certificates the root issued. */
  get arlUrl(): string {
    return `${this.publicUrl}/api/pki/arl`;
  }

  /**
   * Where revocation of a certificate issued by `issuer` is published: the CRL of that issuer. A
   * certificate of the root names the ARL, one of the issuing CA the CRL (RFC 5280 §4.2.1.13: the
   * CRL at a distribution point is signed by the certificate's issuer unless cRLIssuer says otherwise).
   */
  private crlUrlFor(issuer: CertRow): string {
    return issuer.id === "root-ca" ? this.arlUrl : this.crlUrl;
  }

  /**
   * Where a certificate issued by `issuer` is published: its CRL, and for the issuing CA's also
   * its OCSP responder and the issuing CA's certificate. The root's have only the ARL: the
   * responder answers for the issuing CA only.
   */
  private revocationSourcesFor(issuer: CertRow): { crlUrl: string; ocspUrl?: string; caIssuersUrl?: string } {
    if (issuer.id === "root-ca") return { crlUrl: this.arlUrl };
    return { crlUrl: this.crlUrl, ocspUrl: this.ocspUrl, caIssuersUrl: this.issuingCaUrl };
  }

  /** Creates the root CA, the issuing CA, the TSA certificate and the first CRL on first start. */
  async init(): Promise<void> {
    const root = await this.ensurePlatformCert("root-ca", { commonName: "Evidence Platform Root CA", organization: "Evidence Platform", country: "CN" }, null);
    let issuing = await this.ensurePlatformCert("issuing-ca", { commonName: "Evidence Platform Issuing CA", organization: "Evidence Platform", country: "CN" }, root);
    const tsa = await this.ensurePlatformCert("tsa", { commonName: "Evidence Platform Time-Stamping Authority", organization: "Evidence Platform", country: "CN" }, issuing);
    // The platform's own seal, for the documents it issues (evidence certificates).
    const seal = await this.ensurePlatformCert("platform-seal", { commonName: "Evidence Platform 电子证据平台", organization: "Evidence Platform", country: "CN" }, issuing);
    // A master key other than the one that sealed these keys fails here, at start, not at first use.
    this.unsealKey(issuing);
    issuing = await this.recertifyIfCdpDiffers(issuing, root);
    this.platformCerts = { root, issuing, tsa, seal };
    this.ocsp = new OcspResponder(this.db, this.vault, () => ({ certPem: this.certs().issuing.certPem, privateKeyPem: this.unsealKey(this.certs().issuing) }), {
      crlUrl: this.crlUrl,
      caIssuersUrl: this.issuingCaUrl,
    }, this.audit);
    await this.ocsp.init();
    if ((await this.db.revocationList.count()) === 0) await this.publishCrl();
    if ((await this.db.authorityRevocationList.count()) === 0) await this.publishArl();
  }

  /**
   * Installations made before the ARL existed have an issuing CA certificate naming the issuing
   * CA's own CRL (or a PUBLIC_URL since changed): nothing signed by the root then says the issuing
   * CA is not revoked, and a strict validator rejects every chain through it. Such a certificate is
   * replaced by a new one from the root for the same key and subject, so every certificate the
   * issuing CA signed, before or after, chains to it. Documents that embed the old certificate keep
   * it (and its old distribution point).
   */
  private async recertifyIfCdpDiffers(cert: CertRow, root: CertRow): Promise<CertRow> {
    const want = crlDistributionPointsDer(this.crlUrlFor(root));
    const have = parseCertificatePem(cert.certPem).extensions.get(OID.cRLDistributionPoints)?.value;
    if (have && have.equals(want)) return cert;
    const subject = JSON.parse(cert.subject) as Subject;
    const issued = issueCertificate({
      kind: "issuing-ca",
      subject,
      subjectPublicKeyPem: createPublicKey(this.unsealKey(cert)).export({ type: "spki", format: "pem" }).toString(),
      issuer: { certPem: root.certPem, privateKeyPem: this.unsealKey(root) },
      crlUrl: this.crlUrlFor(root),
      validityDays: Math.min(VALIDITY.issuing, Math.floor((parseCertificatePem(root.certPem).notAfter.getTime() - Date.now()) / 86400_000)),
    });
    // Only the row still holding the certificate we read is changed: a second instance starting at
    // the same moment finds it changed and uses the one the first stored.
    const changed = await this.db.certificate.updateMany({
      where: { id: cert.id, fingerprint: cert.fingerprint },
      data: { serialHex: issued.serialHex, fingerprint: issued.fingerprintSha256, certPem: issued.certPem, notBefore: issued.notBefore, notAfter: issued.notAfter },
    });
    if (changed.count === 1) {
      await this.audit.record({ actorId: null, action: "certificate.recertified", subject: cert.id, details: { oldSerialHex: cert.serialHex, serialHex: issued.serialHex } });
    }
    return (await this.db.certificate.findUnique({ where: { id: cert.id } }))!;
  }

  private certs() {
    if (!this.platformCerts) throw new Error("IdentityService.init() was not called");
    return this.platformCerts;
  }

  private async ensurePlatformCert(id: "root-ca" | "issuing-ca" | "tsa" | "platform-seal", subject: Subject, issuer: CertRow | null): Promise<CertRow> {
    const kind: CertificateKind = id === "platform-seal" ? "organization" : id;
    const existing = await this.db.certificate.findUnique({ where: { id } });
    if (existing) return existing;
    const keys = await generateKeyPairAsync();
    const issued = issueCertificate({
      kind,
      subject,
      subjectPublicKeyPem: keys.publicKeyPem,
      ...(issuer ? { issuer: { certPem: issuer.certPem, privateKeyPem: this.unsealKey(issuer) }, ...this.revocationSourcesFor(issuer) } : { selfSignKeyPem: keys.privateKeyPem }),
      validityDays: kind === "root-ca" ? VALIDITY.root : kind === "issuing-ca" ? VALIDITY.issuing : VALIDITY.tsa,
    });
    try {
      // The seal has an organisation's profile, but its own kind: it is not a holder certificate.
      const rowKind = id === "platform-seal" ? ("platform-seal" as const) : kind;
      return await this.db.certificate.create({ data: this.rowFor(id, rowKind, issued, subject, this.vault.seal(keys.privateKeyPem, `cert:${id}`), {}) });
    } catch {
      // Another instance created it at the same moment: use theirs.
      const theirs = await this.db.certificate.findUnique({ where: { id } });
      if (!theirs) throw new Error(`could not create the platform's ${kind} certificate`);
      return theirs;
    }
  }

  private rowFor(
    id: string,
    kind: CertificateKind | "platform-seal",
    issued: ReturnType<typeof issueCertificate>,
    subject: Subject,
    sealedKey: string | null,
    owner: { userId?: string; organizationId?: string },
  ) {
    return {
      id,
      kind,
      serialHex: issued.serialHex,
      fingerprint: issued.fingerprintSha256,
      certPem: issued.certPem,
      subject: JSON.stringify(subject),
      sealedKey,
      userId: owner.userId ?? null,
      organizationId: owner.organizationId ?? null,
      notBefore: issued.notBefore,
      notAfter: issued.notAfter,
    };
  }

  private unsealKey(cert: CertRow): string {
    if (!cert.sealedKey) throw new Error(`the platform does not hold the key of certificate ${cert.id}`);
    return this.vault.unseal(cert.sealedKey, `cert:${cert.id}`).toString("utf8");
  }

  rootPem(): string {
    return this.certs().root.certPem;
  }

  /** Issuing CA then root, PEM: what a relying party needs besides a holder's certificate. */
  chainPem(): string {
    return this.certs().issuing.certPem + this.certs().root.certPem;
  }

  /** The issuing CA's certificate, DER (what the caIssuers URL serves). */
  issuingCaDer(): Buffer {
    return pemToDer(this.certs().issuing.certPem, ["CERTIFICATE"]);
  }

  /** RFC 6960: a DER OCSPResponse for a DER OCSPRequest, an error response for a bad one. */
  respondToOcspRequest(der: Buffer): Promise<Buffer> {
    if (!this.ocsp) throw new Error("IdentityService.init() was not called");
    return this.ocsp.respond(der);
  }

  /** The OCSP responder's current signer certificate (PEM). */
  ocspSignerPem(): Promise<string> {
    if (!this.ocsp) throw new Error("IdentityService.init() was not called");
    return this.ocsp.signerCertificatePem();
  }

  platformCertificates(): { root: string; issuing: string; tsa: string } {
    const c = this.certs();
    return { root: c.root.certPem, issuing: c.issuing.certPem, tsa: c.tsa.certPem };
  }

  /**
   * Issues a certificate to a user (kind person) or an organisation. Without a CSR the platform
   * generates the key and keeps it sealed; with a CSR the holder keeps the key.
   */
  async issue(target: { userId: string } | { organizationId: string }, csr?: string, actorId?: string): Promise<CertificateView> {
    let subject: Subject;
    let owner: { userId?: string; organizationId?: string };
    if ("userId" in target) {
      const user = await this.db.user.findUnique({ where: { id: target.userId }, include: { organization: true } });
      if (!user) throw notFound("user");
      subject = {
        commonName: dnText(user.name),
        ...(user.organization ? { organization: dnText(user.organization.name) } : {}),
        serialNumber: user.id,
        email: user.email,
        country: "CN",
      };
      owner = { userId: user.id, organizationId: user.organizationId ?? undefined };
    } else {
      const org = await this.db.organization.findUnique({ where: { id: target.organizationId } });
      if (!org) throw notFound("organisation");
      subject = { commonName: dnText(org.name), organization: dnText(org.name), serialNumber: org.creditCode ?? org.id, country: "CN" };
      owner = { organizationId: org.id };
    }
    let publicKeyPem: string;
    let sealed: ((id: string) => string) | null = null;
    if (csr !== undefined) {
      try {
        publicKeyPem = parseCsr(csr).publicKeyPem; // the subject comes from our records, not the CSR
      } catch (e) {
        if (e instanceof CsrError) throw new ApiError(400, e.code, e.message);
        throw e;
      }
    } else {
      const keys = "userId" in target ? await generateHolderKeyPairAsync(this.holderKeyAlgorithm) : await generateKeyPairAsync();
      publicKeyPem = keys.publicKeyPem;
      sealed = (id) => this.vault.seal(keys.privateKeyPem, `cert:${id}`);
    }
    const issuing = this.certs().issuing;
    const issued = issueCertificate({
      kind: "userId" in target ? "person" : "organization",
      subject,
      subjectPublicKeyPem: publicKeyPem,
      issuer: { certPem: issuing.certPem, privateKeyPem: this.unsealKey(issuing) },
      validityDays: VALIDITY.holder,
      ...this.revocationSourcesFor(issuing),
    });
    const id = randomUUID();
    const row = await this.db.certificate.create({
      data: this.rowFor(id, "userId" in target ? "person" : "organization", issued, subject, sealed ? sealed(id) : null, owner),
    });
    await this.audit.record({
      actorId: actorId ?? null,
      action: "certificate.issued",
      subject: id,
      details: { serialHex: issued.serialHex, ...owner, keyHeldBy: sealed ? "platform" : "holder" },
    });
    return view(row);
  }

  async list(filter: { userId?: string; organizationId?: string }): Promise<CertificateView[]> {
    const rows = await this.db.certificate.findMany({
      where: { kind: { in: ["person", "organization"] }, ...filter },
      orderBy: { createdAt: "asc" },
    });
    return rows.map(view);
  }

  async get(id: string): Promise<CertificateView> {
    const row = await this.db.certificate.findUnique({ where: { id } });
    if (!row) throw notFound("certificate");
    return view(row);
  }

  /** Revokes a holder certificate and publishes a new CRL at once. */
  async revoke(id: string, reason: RevocationReason, actorId?: string): Promise<CertificateView> {
    const row = await this.db.certificate.findUnique({ where: { id } });
    if (!row || (row.kind !== "person" && row.kind !== "organization")) throw notFound("certificate");
    if (row.revokedAt) throw new ApiError(409, "already_revoked", "the certificate is already revoked");
    const updated = await this.db.certificate.update({ where: { id }, data: { revokedAt: new Date(), revocationReason: reason } });
    await this.audit.record({ actorId: actorId ?? null, action: "certificate.revoked", subject: id, details: { serialHex: row.serialHex, reason } });
    await this.publishCrl();
    return view(updated);
  }

  /** A new CRL with every revoked certificate, its number one above the last. */
  async publishCrl(): Promise<Buffer> {
    const revoked = await this.db.certificate.findMany({ where: { revokedAt: { not: null } }, orderBy: { revokedAt: "asc" } });
    return this.publishRevocationList(this.certs().issuing, revoked, this.db.revocationList);
  }

  /** The current CRL; a fresh one when the last is past half its lifetime. */
  /** @param latest the latest list as the caller read it already (undefined: read it here) */
  async currentCrl(latest?: { der: string; createdAt: Date } | null): Promise<Buffer> {
    const last = latest !== undefined ? latest : await this.db.revocationList.findFirst({ orderBy: { number: "desc" } });
    if (!last || Date.now() - last.createdAt.getTime() > (CRL_LIFETIME_DAYS / 2) * 86400_000) return this.publishCrl();
    return Buffer.from(last.der, "base64");
  }

  /** A new ARL, signed by the root, listing the revoked certificates the root issued. */
  async publishArl(): Promise<Buffer> {
    const revoked = await this.db.certificate.findMany({ where: { kind: "issuing-ca", revokedAt: { not: null } }, orderBy: { revokedAt: "asc" } });
    return this.publishRevocationList(this.certs().root, revoked, this.db.authorityRevocationList);
  }

  /** Signs and stores the next list of `table` (CRL or ARL), numbered one above its last. */
  private async publishRevocationList(
    issuer: { certPem: string } & Parameters<IdentityService["unsealKey"]>[0],
    revoked: { serialHex: string; revokedAt: Date | null; revocationReason: string | null }[],
    table: {
      findFirst(args: { orderBy: { number: "desc" } }): Promise<{ number: number } | null>;
      create(args: { data: { number: number; der: string } }): Promise<unknown>;
    },
  ): Promise<Buffer> {
    for (let attempt = 0; ; attempt++) {
      const last = await table.findFirst({ orderBy: { number: "desc" } });
      const number = (last?.number ?? 0) + 1;
      const now = new Date();
      const der = buildCrl({
        issuerCertPem: issuer.certPem,
        issuerKeyPem: this.unsealKey(issuer),
        revoked: revoked.map((r) => ({ serialHex: r.serialHex, revokedAt: r.revokedAt!, reason: r.revocationReason as RevocationReason })),
        crlNumber: BigInt(number),
        thisUpdate: now,
        nextUpdate: new Date(now.getTime() + CRL_LIFETIME_DAYS * 86400_000),
      });
      try {
        await table.create({ data: { number, der: der.toString("base64") } });
        return der;
      } catch (e) {
        if (attempt >= 5) throw e; // another instance published the same number: build the next one
      }
    }
  }

  /** The current ARL; a fresh one when the last is past half its lifetime. */
  async currentArl(): Promise<Buffer> {
    const last = await this.db.authorityRevocationList.findFirst({ orderBy: { number: "desc" } });
    if (!last || Date.now() - last.createdAt.getTime() > (CRL_LIFETIME_DAYS / 2) * 86400_000) return this.publishArl();
    return Buffer.from(last.der, "base64");
  }

  /**
   * Signs a file's SHA-256 with the user's own platform-held key (a certificate is issued on first
   * use). Null when the user's current certificate is one whose key the user keeps.
   */
  async signForUser(userId: string, sha256: Buffer): Promise<{ cms: Buffer; certId: string } | null> {
    const signer = await this.signerForUser(userId);
    if (!signer) return null;
    const cms = await signDetachedAsync(sha256, signer, new Date());
    return { cms, certId: signer.certId };
  }

  /**
   * The user's own signing identity, for signatures the platform makes on the user's behalf (CMS,
   * PAdES): certificate, platform-held private key (unsealed), and the issuing CA + root. A
   * certificate is issued on first use. Null when the user's current certificate is one whose key
   * the user keeps.
   */
  async signerForUser(userId: string): Promise<{ certId: string; certPem: string; privateKeyPem: string; chainPems: string[] } | null> {
    let cert = await this.currentUserCert(userId);
    if (!cert) {
      // Concurrent first submissions of one user share one new certificate.
      let pending = this.issuing.get(userId);
      if (!pending) {
        pending = this.issue({ userId }).finally(() => this.issuing.delete(userId));
        this.issuing.set(userId, pending);
      }
      await pending;
      cert = await this.currentUserCert(userId);
    }
    if (!cert?.sealedKey) return null;
    const c = this.certs();
    return { certId: cert.id, certPem: cert.certPem, privateKeyPem: this.unsealKey(cert), chainPems: [c.issuing.certPem, c.root.certPem] };
  }

  /**
   * An organisation's signing identity (a seal's certificate), for a signature an authorised member
   * makes for it: null unless it is a live organisation certificate whose key the platform holds.
   */
  async signerForOrganizationCert(certId: string): Promise<{ certId: string; certPem: string; privateKeyPem: string; chainPems: string[] } | null> {
    const cert = await this.db.certificate.findUnique({ where: { id: certId } });
    if (!cert || cert.kind !== "organization" || !cert.sealedKey || cert.revokedAt || cert.notAfter < new Date()) return null;
    const c = this.certs();
    return { certId: cert.id, certPem: cert.certPem, privateKeyPem: this.unsealKey(cert), chainPems: [c.issuing.certPem, c.root.certPem] };
  }

  /** A signature the holder made with a key the platform does not hold: accepted if it verifies. */
  async acceptHolderSignature(userId: string, sha256: Buffer, cms: Buffer): Promise<{ certId: string }> {
    const result = verifyDetached(cms, sha256, [this.rootPem()]);
    if (!result.ok || !result.signerCertPem) throw new ApiError(400, "bad_signature", `the signature does not verify: ${result.problems.join("; ")}`);
    const fingerprint = certificateInfo(result.signerCertPem).fingerprintSha256;
    const cert = await this.db.certificate.findUnique({ where: { fingerprint } });
    if (!cert || cert.userId !== userId || cert.kind !== "person") {
      throw new ApiError(400, "bad_signature", "the signature is not made with one of your certificates");
    }
    if (cert.revokedAt) throw new ApiError(400, "certificate_revoked", "the signing certificate is revoked");
    const now = new Date();
    if (cert.notAfter <= now || cert.notBefore > now) {
      throw new ApiError(400, "certificate_expired", "the signing certificate is not valid now");
    }
    return { certId: cert.id };
  }

  private currentUserCert(userId: string) {
    return this.db.certificate.findFirst({
      where: { userId, kind: "person", revokedAt: null, notAfter: { gt: new Date() } },
      orderBy: { createdAt: "desc" },
    });
  }

  /** Status of a signer's certificate at the signing time and now, from this CA's records. */
  /**
   * @param known the certificate's row as the caller read it already; used only when it is the row
   *   of this very certificate (same fingerprint), else the row is looked up here
   */
  async signerStatus(certPem: string, signingTime: Date | null, known?: { fingerprint: string; revokedAt: Date | null; revocationReason: string | null }): Promise<SignerStatus> {
    const info = certificateInfo(certPem);
    const row = known?.fingerprint === info.fingerprintSha256 ? known : await this.db.certificate.findUnique({ where: { fingerprint: info.fingerprintSha256 } });
    const statusAt = (t: Date): string => {
      if (!row) return "unknown";
      if (t < info.notBefore) return "not-yet-valid";
      if (t > info.notAfter) return "expired";
      if (row.revokedAt && row.revokedAt <= t) return "revoked";
      return "valid";
    };
    return {
      subject: info.subject,
      serialHex: info.serialHex,
      fingerprint: info.fingerprintSha256,
      atSigningTime: signingTime ? statusAt(signingTime) : "unknown",
      now: statusAt(new Date()),
      revokedAt: row?.revokedAt?.toISOString() ?? null,
      revocationReason: row?.revocationReason ?? null,
    };
  }

  /** RFC 3161 over HTTP: a TimeStampResp for any request, a rejection for a bad one. */
  respondToTimeStampRequest(der: Buffer): Buffer {
    try {
      const req = parseTimeStampRequest(der, TSA_POLICY_OID);
      return grantTimeStamp(req, this.tsaSigner(), { serial: newSerial(), genTime: new Date(), policyOid: TSA_POLICY_OID });
    } catch (e) {
      if (e instanceof TsaRequestError) return rejectTimeStamp(e.failure, e.message);
      return rejectTimeStamp("systemFailure", "the time-stamping authority failed");
    }
  }

  rejectTimeStamp(failure: "badDataFormat" | "badRequest", message: string): Buffer {
    return rejectTimeStamp(failure, message);
  }

  /** The platform's seal: signs the documents the platform itself issues. */
  sealSigner(): { certPem: string; privateKeyPem: string; chainPems: string[] } {
    const c = this.certs();
    return { certPem: c.seal.certPem, privateKeyPem: this.unsealKey(c.seal), chainPems: [c.issuing.certPem, c.root.certPem] };
  }

  /** A TimeStampToken over a digest the platform holds (a batch root). */
  timestamp(sha256: Buffer): Buffer {
    return timeStampDigest(sha256, this.tsaSigner(), { serial: newSerial(), genTime: new Date(), policyOid: TSA_POLICY_OID });
  }

  private tsaSigner() {
    const c = this.certs();
    return { certPem: c.tsa.certPem, privateKeyPem: this.unsealKey(c.tsa), chainPems: [c.issuing.certPem, c.root.certPem] };
  }

  /**
   * What long-term validation (PAdES B-LT, B-LTA with `archive`) of a document the platform signs
   * asks of the CA: for a certificate the issuing CA signed, the responder's answer (asked
   * in-process, exactly as a client over HTTP would get it); for one the root signed, a new ARL.
   * Issuers are matched by name and key, so a document that embeds an issuing CA certificate since
   * recertified (same key) is served too.
   */
  longTermOptions(archive: boolean): LongTermOptions {
    const c = this.certs();
    const issuing = parseCertificatePem(c.issuing.certPem);
    const root = parseCertificatePem(c.root.certPem);
    const same = (a: ParsedCertificate, b: ParsedCertificate) => a.subjectDer.equals(b.subjectDer) && a.spkiDer.equals(b.spkiDer);
    return {
      trustedRootPems: [c.root.certPem],
      revocation: {
        ocsp: async (cert, issuer) => {
          if (!same(issuer, issuing)) return null;
          const resp = await this.respondToOcspRequest(buildOcspRequest([cert], issuing));
          try {
            parseOcspResponse(resp); // an error response (internalError) is no revocation data
            return resp;
          } catch {
            return null;
          }
        },
        // A list issued before the signature says nothing of the certificate at the signature's
        // time: strict validators (EN 319 102-1 5.6.2.5, pyHanko) want revocation data issued after
        // it. So each addition publishes a fresh list, as the OCSP answers are fresh too.
        crl: async (_cert, issuer) => (same(issuer, root) ? this.publishArl() : same(issuer, issuing) ? this.publishCrl() : null),
      },
      ...(archive ? { documentTimestamp: (sha256: Buffer) => this.timestamp(sha256) } : {}),
    };
  }

  /** Parses a CRL we published, for tests and reports. */
  static readCrl(der: Buffer) {
    return parseCrl(der);
  }
}

/** Positive 127-bit random serial: unique across instances without coordination. */
function newSerial(): bigint {
  const b = randomBytes(16);
  b[0] &= 0x7f;
  return BigInt("0x" + b.toString("hex")) || 1n;
}
