// Evidence intake: a stored file (or a bare digest) becomes an item, its canonical record and its
// leaf in the anchoring queue, all in one transaction.
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import type { Db } from "../db/client";
import type { Principal } from "../accounts/roles";
import type { EvidenceRecord } from "../core/evidence-record";
import type { ContentStore, StagedObject } from "../storage/content-store";
import { enqueueLeaves, leafStatus, statusOfBatch, type LeafStatus } from "../anchoring/queue";
import { GroupCommit } from "../db/group-commit";
import { appendAudit, withAuditRetry } from "../audit/service";
import { bundleForLeaf } from "../anchoring/proof";
import { ApiError, notFound } from "../http/errors";
import { createHash } from "node:crypto";
import type { IdentityService } from "../identity/service";
import { sealedEvidenceCertificate } from "./certificate";
import { pdfNotes } from "./pdf-notes";
import { verifyTimeStampToken } from "../pki/tsa";
import { fromHex } from "../core/hex";
import type { ProofBundle } from "../core/proof-bundle";

export interface EvidenceMeta {
  title?: string;
  source?: string;
  fileName?: string;
  mediaType?: string;
  /** A detached CMS signature the submitter made with a key the platform does not hold. */
  holderSignature?: Buffer;
  /**
   * Submitted through another feature (a case) that decides who sees it: through /api/evidence
   * only the submitter does (not their organisation, judges or admins).
   */
  restricted?: boolean;
}

export interface AcceptedItem {
  id: string;
  sha256: string;
  sm3: string | null;
  size: number | null;
  status: LeafStatus;
}

type ItemRow = NonNullable<Awaited<ReturnType<Db["evidenceItem"]["findUnique"]>>>;

interface PendingItem {
  record: EvidenceRecord;
  row: {
    id: string;
    sha256: string;
    sm3: string | null;
    size: bigint | null;
    title: string | null;
    source: string | null;
    fileName: string | null;
    mediaType: string | null;
    submitterId: string;
    acceptedAt: Date;
    signatureCms: string;
    signerCertId: string;
    restricted: boolean;
  };
}

export class EvidenceService {
  /** Items and their queue leaves are written in groups: one transaction (one fsync) per group. */
  private readonly intake: GroupCommit<PendingItem, void>;

  constructor(
    private readonly db: Db,
    private readonly store: ContentStore,
    private readonly identity: IdentityService,
  ) {
    this.intake = new GroupCommit((items) => this.writeGroup(items));
  }

  private async writeGroup(items: PendingItem[]): Promise<void[]> {
    await withAuditRetry(() =>
      this.db.$transaction(async (tx) => {
        const seqs = await enqueueLeaves(tx, "evidence", items.map((i) => i.record));
        await tx.evidenceItem.createMany({ data: items.map((i, k) => ({ ...i.row, leafSeq: seqs[k] })) });
        await appendAudit(
          tx,
          items.map((i) => ({
            actorId: i.row.submitterId,
            action: "evidence.accepted",
            subject: i.row.id,
            details: { sha256: i.row.sha256, size: i.row.size === null ? null : Number(i.row.size), signerCertId: i.row.signerCertId },
          })),
        );
      }),
    );
    return items.map(() => undefined);
  }

  /** Accepts a staged file: signed first, committed to storage, then recorded. */
  async acceptFile(principal: Principal, file: StagedObject, meta: EvidenceMeta) {
    return this.accept(principal, file, meta, () => file.commit());
  }

  async acceptDigest(principal: Principal, sha256: string, meta: EvidenceMeta) {
    return this.accept(principal, { sha256, sm3: null, size: null }, meta);
  }

  private async accept(
    principal: Principal,
    digests: { sha256: string; sm3: string | null; size: number | null },
    meta: EvidenceMeta,
    beforeRecording?: () => Promise<void>,
  ): Promise<AcceptedItem> {
    const id = randomUUID();
    const signature = await this.sign(principal, digests.sha256, meta.holderSignature);
    await beforeRecording?.();
    const acceptedAt = new Date();
    const record: EvidenceRecord = {
      type: "evidence",
      id,
      sha256: digests.sha256,
      ...(digests.sm3 ? { sm3: digests.sm3 } : {}),
      ...(digests.size !== null ? { size: digests.size } : {}),
      submitter: { id: principal.userId },
      acceptedAt: acceptedAt.toISOString(),
      ...(meta.title ? { title: meta.title } : {}),
      ...(meta.source ? { source: meta.source } : {}),
      signatureSha256: "0x" + createHash("sha256").update(signature.cms).digest("hex"),
    };
    await this.intake.submit({
      record,
      row: {
        id,
        sha256: digests.sha256,
        sm3: digests.sm3,
        size: digests.size === null ? null : BigInt(digests.size),
        title: meta.title ?? null,
        source: meta.source ?? null,
        fileName: meta.fileName ?? null,
        mediaType: meta.mediaType ?? null,
        submitterId: principal.userId,
        acceptedAt,
        signatureCms: signature.cms.toString("base64"),
        signerCertId: signature.certId,
        restricted: meta.restricted ?? false,
      },
    });
    return { id, sha256: digests.sha256, sm3: digests.sm3, size: digests.size, status: "queued" };
  }

  /** The submitter's signature over the file's SHA-256: the platform-held key, or the holder's own. */
  private async sign(principal: Principal, sha256: string, holderSignature?: Buffer): Promise<{ cms: Buffer; certId: string }> {
    const digest = Buffer.from(sha256.slice(2), "hex");
    if (holderSignature) {
      const { certId } = await this.identity.acceptHolderSignature(principal.userId, digest, holderSignature);
      return { cms: holderSignature, certId };
    }
    const signed = await this.identity.signForUser(principal.userId, digest);
    if (!signed) {
      throw new ApiError(400, "signature_required", "your certificate's key is held by you: send a detached CMS signature of the file in 'signature'");
    }
    return signed;
  }

  /** The evidence-level sections of an item's proof bundle: signature, certificates, revocation. */
  /** @param latestCrl the latest CRL row as the caller read it already (see IdentityService.currentCrl) */
  async bundleSections(item: { signatureCms: string | null }, latestCrl?: { der: string; createdAt: Date } | null) {
    return {
      signature: item.signatureCms ? { format: "CMS", cms: item.signatureCms } : null,
      certificates: this.identity.platformCertificates(),
      revocation: { crl: (await this.identity.currentCrl(latestCrl)).toString("base64"), crlUrl: this.identity.crlUrl },
    };
  }

  /**
   * The sealed evidence certificate (PDF) of an anchored item; null while it is not anchored yet.
   * Its facts are recomputed from the item, its leaf, batch and certificate, not from a stored flag.
   */
  async certificate(principal: Principal, id: string, publicUrl: string): Promise<Buffer | null> {
    return this.certificateOf(await this.getVisible(principal, id), publicUrl);
  }

  /**
   * The same certificate, for a feature that has decided itself who may see the item (no access
   * check here); 404 when the item does not exist, null while it is not anchored yet.
   */
  async storedCertificate(id: string, publicUrl: string): Promise<Buffer | null> {
    const item = await this.db.evidenceItem.findUnique({ where: { id } });
    if (!item) throw notFound("evidence item");
    return this.certificateOf(item, publicUrl);
  }

  private async certificateOf(item: ItemRow, publicUrl: string): Promise<Buffer | null> {
    const bundle = await bundleForLeaf(this.db, item.leafSeq);
    if (!bundle) return null;
    const submitter = await this.db.user.findUnique({ where: { id: item.submitterId }, select: { name: true, email: true } });
    const cert = item.signerCertId ? await this.identity.get(item.signerCertId) : null;
    const token = (bundle as { timestamp?: { token: string } }).timestamp?.token;
    const timestampedAt = token
      ? verifyTimeStampToken(Buffer.from(token, "base64"), fromHex(bundle.merkle.root), [this.identity.rootPem()]).genTime
      : null;
    const leaf = await this.db.leaf.findUnique({ where: { seq: item.leafSeq }, select: { batchId: true } });
    return sealedEvidenceCertificate(
      {
        itemId: item.id,
        title: item.title,
        fileName: item.fileName,
        size: item.size === null ? null : Number(item.size),
        sha256: item.sha256,
        sm3: item.sm3,
        submitter: submitter ? `${submitter.name} <${submitter.email}>` : item.submitterId,
        signer: cert
          ? { subject: [cert.subject.commonName, cert.subject.organization, cert.subject.serialNumber].filter(Boolean).join(", "), serialHex: cert.serialHex, fingerprint: cert.fingerprint }
          : null,
        acceptedAt: item.acceptedAt,
        batch: { id: leaf!.batchId!, root: bundle.merkle.root, leafIndex: bundle.merkle.leafIndex, treeSize: bundle.merkle.treeSize },
        anchor: bundle.anchor,
        timestampedAt,
        verifyUrl: `${publicUrl}/?sha256=${item.sha256}`,
        issuedAt: new Date(),
        pdfNotes:
          item.size !== null && this.store.has(item.sha256)
            ? await pdfNotes(Number(item.size), () => this.store.openRead(item.sha256), this.identity.rootPem(), async () => [await this.identity.currentCrl(), await this.identity.currentArl()])
            : null,
      },
      this.identity.sealSigner(),
      (sha) => this.identity.timestamp(sha),
      this.identity.longTermOptions(true),
    );
  }

  /** An item the principal may see; 404 otherwise, so that other people's items are not revealed. */
  async getVisible(principal: Principal, id: string): Promise<ItemRow & { submitterOrg: string | null }> {
    const item = await this.db.evidenceItem.findUnique({
      where: { id },
      include: { submitter: { select: { organizationId: true } } },
    });
    if (!item || !canSee(principal, item)) throw notFound("evidence item");
    return { ...item, submitterOrg: item.submitter.organizationId };
  }

  async describe(principal: Principal, id: string) {
    const item = await this.getVisible(principal, id);
    return { ...present(item), status: await leafStatus(this.db, item.leafSeq) };
  }

  async list(principal: Principal, opts: { limit: number; offset: number }) {
    const where =
      principal.role === "admin" || principal.role === "judge"
        ? { OR: [{ restricted: false }, { submitterId: principal.userId }] }
        : { submitterId: principal.userId };
    const rows = await this.db.evidenceItem.findMany({ where, orderBy: { acceptedAt: "desc" }, take: opts.limit, skip: opts.offset });
    return rows.map(present);
  }

  async proof(principal: Principal, id: string): Promise<{ status: LeafStatus; bundle: ProofBundle | null }> {
    const item = await this.getVisible(principal, id);
    const bundle = await bundleForLeaf(this.db, item.leafSeq);
    if (!bundle) return { status: (await leafStatus(this.db, item.leafSeq)) ?? "queued", bundle: null };
    return { status: "anchored", bundle: { ...bundle, ...(await this.bundleSections(item)) } };
  }

  async content(principal: Principal, id: string): Promise<{ stream: Readable; item: ItemRow }> {
    const item = await this.getVisible(principal, id);
    if (item.size === null || !this.store.has(item.sha256)) throw notFound("file content (a digest-only submission)");
    return { stream: this.store.openRead(item.sha256), item };
  }

  /**
   * Items by id with their anchoring status, for a feature that has decided itself who may see them
   * (no access check here). Unknown ids are absent from the map.
   */
  async itemsByIds(ids: string[]): Promise<Map<string, ReturnType<typeof present> & { status: LeafStatus }>> {
    if (!ids.length) return new Map();
    const rows = await this.db.evidenceItem.findMany({
      where: { id: { in: [...new Set(ids)] } },
      include: { leaf: { select: { batch: { select: { status: true } } } } },
    });
    return new Map(rows.map((r) => [r.id, { ...present(r), status: statusOfBatch(r.leaf.batch) }]));
  }

  /** The stored file of an item, for a feature that has decided itself who may read it; 404 when absent. */
  async storedContent(id: string): Promise<{ stream: Readable; item: ReturnType<typeof present> }> {
    const item = await this.db.evidenceItem.findUnique({ where: { id } });
    if (!item || item.size === null || !this.store.has(item.sha256)) throw notFound("file content");
    return { stream: this.store.openRead(item.sha256), item: present(item) };
  }

  /**
   * An item's proof bundle (null until anchored), for a feature that has decided itself who may see
   * it (no access check here); 404 when the item does not exist.
   */
  async storedProof(id: string): Promise<{ status: LeafStatus; bundle: ProofBundle | null }> {
    const item = await this.db.evidenceItem.findUnique({ where: { id } });
    if (!item) throw notFound("evidence item");
    const bundle = await bundleForLeaf(this.db, item.leafSeq);
    if (!bundle) return { status: (await leafStatus(this.db, item.leafSeq)) ?? "queued", bundle: null };
    return { status: "anchored", bundle: { ...bundle, ...(await this.bundleSections(item)) } };
  }

  /** Items with this SHA-256, with their leaf sequence numbers (for verification). */
}

function canSee(p: Principal, item: { submitterId: string; restricted: boolean; submitter: { organizationId: string | null } }): boolean {
  if (p.userId === item.submitterId) return true;
  if (item.restricted) return false;
  if (p.role === "admin" || p.role === "judge") return true;
  return p.organizationId !== null && p.organizationId === item.submitter.organizationId;
}

function present(item: ItemRow) {
  return {
    id: item.id,
    sha256: item.sha256,
    sm3: item.sm3,
    size: item.size === null ? null : Number(item.size),
    title: item.title,
    source: item.source,
    fileName: item.fileName,
    mediaType: item.mediaType,
    submitterId: item.submitterId,
    acceptedAt: item.acceptedAt.toISOString(),
  };
}
