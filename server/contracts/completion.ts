// Completing a contract once its last signature is written: the completion certificate (with the
// final PDF attached), and both PDFs submitted through the evidence intake, so that the final
// document's digest (and the certificate's) is signed, timestamped with its batch and anchored on
// chain like any evidence, and the public verification page finds it. Idempotent: whatever a crash
// interrupted is done again on the next call (the contract row says what is done).
import { createHash } from "node:crypto";
import type { Db } from "../db/client";
import type { Principal, Role } from "../accounts/roles";
import type { AccountService } from "../accounts/service";
import type { EvidenceService } from "../evidence/service";
import type { IdentityService } from "../identity/service";
import { extendToLongTerm } from "../pdf/ltv";
import { signPdf } from "../pdf/pades";
import { ApiError } from "../http/errors";
import { DualDigest } from "../core/digest";
import { verifyPdfSignatures } from "../pdf/verify";
import { renderCompletionCertificate, type CertificateEvent, type CertificateSigner } from "./certificate";
import type { ContractDocuments } from "./documents";
import { fieldNameOf } from "./signing";

type Exclusive = <T>(id: string, fn: () => Promise<T>) => Promise<T>;

export class ContractCompletion {
  constructor(
    private readonly db: Db,
    private readonly documents: ContractDocuments,
    private readonly accounts: AccountService,
    private readonly identity: IdentityService,
    private readonly evidence: EvidenceService,
    private readonly publicUrl: string,
  ) {}

  async finalise(contractId: string, exclusive: Exclusive): Promise<void> {
    await exclusive(contractId, async () => {
      const c = await this.db.contract.findUnique({ where: { id: contractId }, include: { signers: true } });
      if (!c || c.status !== "completed") return;
      if (c.certificateSha256 && c.finalEvidenceId && c.certificateEvidenceId) return;
      const finalPdf = await this.documents.read(c.currentSha256);

      let certificateSha256 = c.certificateSha256;
      let certificatePdf: Buffer;
      if (certificateSha256) {
        certificatePdf = await this.documents.read(certificateSha256);
      } else {
        certificatePdf = await this.renderCertificate(c, finalPdf);
        certificateSha256 = (await this.documents.put(certificatePdf)).sha256;
        await this.db.contract.update({ where: { id: c.id }, data: { certificateSha256 } });
      }

      const submitters = await this.submitters(c.senderId, c.signers);
      if (!c.finalEvidenceId) {
        const id = await this.submit(submitters, finalPdf, {
          title: `${c.title}（已签署 signed）`,
          source: `contract:${c.id}`,
          fileName: `contract-${c.id}.pdf`,
        });
        await this.db.contract.update({ where: { id: c.id }, data: { finalEvidenceId: id } });
      }
      if (!c.certificateEvidenceId) {
        const id = await this.submit(submitters, certificatePdf, {
          title: `${c.title}（签署完成证书 certificate of completion）`,
          source: `contract:${c.id}:certificate`,
          fileName: `contract-${c.id}-certificate.pdf`,
        });
        await this.db.contract.update({ where: { id: c.id }, data: { certificateEvidenceId: id } });
      }
    });
  }

  /**
   * Who submits the PDFs to the evidence intake (whose certificate signs the evidence record): the
   * sender, or, when the sender's key is not held by the platform, the last signer.
   */
  private async submitters(senderId: string, signers: { userId: string | null; signedByUserId: string | null; signedAt: Date | null }[]): Promise<Principal[]> {
    const last = [...signers].sort((a, b) => (b.signedAt?.getTime() ?? 0) - (a.signedAt?.getTime() ?? 0))[0];
    const out: Principal[] = [];
    // the last signer: the person, or the member who signed for an organisation
    for (const id of [senderId, last?.signedByUserId ?? last?.userId].filter((x, i, a): x is string => !!x && a.indexOf(x) === i)) {
      const u = await this.accounts.getUser(id);
      if (u) out.push({ userId: u.id, email: u.email, name: u.name, role: u.role as Role, organizationId: u.organizationId, orgAdmin: false, tokenId: "contract-completion" });
    }
    return out;
  }

  private async submit(submitters: Principal[], pdf: Buffer, meta: { title: string; source: string; fileName: string }): Promise<string> {
    for (const [i, principal] of submitters.entries()) {
      const staged = await this.documents.stage(pdf);
      try {
        const item = await this.evidence.acceptFile(principal, staged, { ...meta, mediaType: "application/pdf", restricted: true });
        return item.id;
      } catch (e) {
        await staged.discard();
        if (!(e instanceof ApiError && e.code === "signature_required" && i + 1 < submitters.length)) throw e;
      }
    }
    throw new Error("no submitter for the contract's evidence");
  }

  private async renderCertificate(
    c: NonNullable<Awaited<ReturnType<Db["contract"]["findUnique"]>>> & { signers: NonNullable<Awaited<ReturnType<Db["contractSigner"]["findUnique"]>>>[] },
    finalPdf: Buffer,
  ): Promise<Buffer> {
    const events = await this.db.contractEvent.findMany({ where: { contractId: c.id }, orderBy: { seq: "asc" } });
    const users = await this.accounts.usersByIds([
      c.senderId,
      ...events.flatMap((e) => (e.actorId ? [e.actorId] : [])),
      ...c.signers.flatMap((s) => (s.signedByUserId ? [s.signedByUserId] : [])),
    ]);
    const signerById = new Map(c.signers.map((s) => [s.id, s]));
    // the timestamps are read back from the signatures themselves
    const reports = new Map(verifyPdfSignatures(finalPdf, [this.identity.rootPem()]).map((r) => [r.fieldName, r]));
    const signers: CertificateSigner[] = [];
    for (const s of [...c.signers].sort((a, b) => a.step - b.step || (a.signedAt?.getTime() ?? 0) - (b.signedAt?.getTime() ?? 0))) {
      const cert = s.certId ? await this.identity.get(s.certId).catch(() => null) : null;
      signers.push({
        step: s.step,
        role: s.role,
        // an organisation signer: the member who signed for it, with the organisation beside
        name: !s.userId && s.signedByUserId ? (users.get(s.signedByUserId)?.name ?? s.name) : s.name,
        organization: s.organization,
        signedAt: s.signedAt!,
        signedSha256: s.signedSha256!,
        certificate: cert
          ? {
              subject: [cert.subject.commonName, cert.subject.organization].filter(Boolean).join(", "),
              serialHex: cert.serialHex,
              fingerprint: cert.fingerprint,
            }
          : null,
        timestampedAt: reports.get(fieldNameOf(s.step, s.position))?.timestamp?.genTime ?? null,
      });
    }
    const eventRows: CertificateEvent[] = events.map((e) => {
      const details = JSON.parse(e.details) as { reason?: string };
      const signer = e.signerId ? signerById.get(e.signerId) : undefined;
      const about = signer ? `${signer.role ? signer.role + " " : ""}${signer.name}` : null;
      const note = [e.action === "code_issued" || e.action === "invitation_reissued" ? (about ? `→ ${about}` : null) : null, details.reason ?? null]
        .filter(Boolean)
        .join("  ");
      return {
        seq: e.seq,
        at: e.at,
        action: e.action,
        actor: e.actorId ? (users.get(e.actorId)?.name ?? e.actorId) : null,
        ip: e.ip,
        userAgent: e.userAgent,
        documentSha256: e.documentSha256,
        note: note || null,
      };
    });
    const digest = new DualDigest(true);
    digest.update(finalPdf);
    const sm3 = digest.sm3Hex();
    const issuedAt = new Date();
    const pdf = await renderCompletionCertificate({
      contractId: c.id,
      title: c.title,
      sender: users.get(c.senderId)?.name ?? c.senderId,
      createdAt: c.createdAt,
      completedAt: c.endedAt ?? new Date(),
      originalSha256: c.originalSha256,
      finalSha256: c.currentSha256,
      finalSm3: sm3,
      signers,
      events: eventRows,
      verifyUrl: `${this.publicUrl}/?sha256=${c.currentSha256}`,
      finalPdf,
      issuedAt,
    });
    // Sealed by the platform (invisible), so the certificate itself is tamper-evident, and made
    // PAdES B-LTA (its validation data, then a document timestamp), so it stays checkable for years.
    const sealed = await signPdf(pdf, this.identity.sealSigner(), {
      fieldName: "platform-seal",
      reason: "合同签署完成证书 Certificate of completion issued by the platform",
      signingTime: issuedAt,
      timestamp: (signatureValue) => this.identity.timestamp(createHash("sha256").update(signatureValue).digest()),
    });
    return extendToLongTerm(sealed, this.identity.longTermOptions(true));
  }

  proof(evidenceId: string) {
    return this.evidence.storedProof(evidenceId);
  }
}
