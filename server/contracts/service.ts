// Contracts, the feature's one entry point: who may see and act on a contract, and what they see.
// The sender drafts (drafting.ts), sends, voids, issues codes and links (sender.ts); the signers see
// it once it is sent and act only through their own invitation link (signer.ts); anyone else gets
// 404. Every change is one transaction with its contract events and audit entries. A completed
// contract gets its certificate and is anchored (completion.ts).
import type { Logger } from "pino";
import type { Db } from "../db/client";
import type { Principal } from "../accounts/roles";
import type { AccountService } from "../accounts/service";
import type { EvidenceService } from "../evidence/service";
import type { IdentityService } from "../identity/service";
import type { ContentStore } from "../storage/content-store";
import { forbidden, notFound } from "../http/errors";
import { presentEvent, type RequestMeta } from "./events";
import { openStep } from "./flow";
import { applyExpiry, bySeat, conflict, loadContract, said, signerParty, type Loaded } from "./model";
import type { SignatureBox } from "./render";
import { describeTemplate, TEMPLATES } from "./templates";
import { ContractDocuments } from "./documents";
import { ContractCompletion } from "./completion";
import { Drafting, type DraftInput } from "./drafting";
import { SenderSide } from "./sender";
import { SignerSide } from "./signer";
import { KeyedLock } from "./locks";
import { ContractNotices } from "./notices";
import { ContractReminders } from "./reminders";
import { ContractFields, type FillInput, type LayoutInput } from "./fields";
import type { Invitations } from "../invitations/service";
import type { LinkSecrets } from "../core/link-token";
import { BulkSends } from "./bulk/service";
import { authorisedSeal } from "../seals/queries";

export type { DraftInput, SignerInput } from "./drafting";

export interface ContractsSettings {
  publicUrl: string;
  /** days from sending until an unfinished contract expires (default of each contract) */
  expiryDays: number;
  /** hours an invitation link stays valid (never beyond the contract's expiry) */
  invitationTtlHours: number;
  /** hours before an invitation or the contract expires that a warning is mailed */
  expiryWarningHours: number;
  /** most rows of one bulk send */
  bulkMaxRows: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class ContractsService {
  /** The service's clock (tests move it to expire invitations and contracts). */
  clock: () => Date = () => new Date();
  readonly documents: ContractDocuments;
  private readonly lock = new KeyedLock();
  private readonly completion: ContractCompletion;
  private readonly drafting: Drafting;
  private readonly sender: SenderSide;
  private readonly signer: SignerSide;
  private readonly reminders: ContractReminders;
  private readonly fields: ContractFields;
  /** Bulk send: a template and a CSV, one contract per row (bulk/). */
  readonly bulk: BulkSends;

  constructor(
    private readonly db: Db,
    store: ContentStore,
    accounts: AccountService,
    identity: IdentityService,
    evidence: EvidenceService,
    private readonly settings: ContractsSettings,
    private readonly log: Logger,
    invitations: Invitations,
    secrets: LinkSecrets,
    /** the mail about a topic and its delivery state (the notifications feature's) */
    private readonly mailAbout: (topic: string) => Promise<unknown[]>,
  ) {
    const now = () => this.clock();
    const notices = new ContractNotices(invitations);
    this.documents = new ContractDocuments(store);
    this.completion = new ContractCompletion(db, this.documents, accounts, identity, evidence, settings.publicUrl);
    this.drafting = new Drafting(db, accounts, this.documents, now);
    this.sender = new SenderSide({ db, now, lock: this.lock, ...settings, secrets, notices });
    this.fields = new ContractFields(db, this.documents, now);
    this.signer = new SignerSide({ db, accounts, identity, documents: this.documents, now, lock: this.lock, secrets, notices, fields: this.fields, invitationTtlHours: settings.invitationTtlHours });
    this.reminders = new ContractReminders(db, { now, warningHours: settings.expiryWarningHours });
    this.bulk = new BulkSends({
      db,
      now,
      log,
      maxRows: settings.bulkMaxRows,
      draft: (p, input, meta, within) => this.drafting.fromTemplate(p, input, meta, within),
      send: async (p, id, opts, meta) => void (await this.sender.send(p, await this.asSender(p, id), opts, meta)),
    });
  }

  /** Reminders and expiry warnings due now (run periodically; safe on several instances at once). */
  sweepReminders() {
    return this.reminders.sweep();
  }

  templates() {
    return TEMPLATES.map(describeTemplate);
  }

  // ------------------------------------------------------------------------------------------
  // drafting

  async createFromTemplate(p: Principal, input: DraftInput & { templateId: string; values: unknown }, meta: RequestMeta) {
    return this.detail(p, await this.drafting.fromTemplate(p, input, meta));
  }

  async createFromUpload(p: Principal, pdf: Buffer, input: DraftInput, meta: RequestMeta) {
    return this.detail(p, await this.drafting.fromUpload(p, pdf, input, meta));
  }

  // ------------------------------------------------------------------------------------------
  // reading

  /**
   * A contract the principal is party to, expiry applied; 404 otherwise. Its sender sees it always,
   * its signers once it has been sent (a draft is the sender's alone). For an organisation named as
   * a signer, "its signers" are the member who signed for it, and the members it was sent to who
   * hold a live grant of the seal wanted now (a member whose grant was revoked sees it no more;
   * other members of the organisation never do).
   */
  private async visible(p: Principal, id: string): Promise<Loaded> {
    if (!UUID.test(id)) throw notFound("contract");
    const c = await loadContract(this.db, id);
    if (!c || !(await this.partyTo(p.userId, c))) throw notFound("contract");
    return applyExpiry(this.db, c, this.clock());
  }

  /** Whether the user is the contract's sender or one of its signers (see visible). */
  private async partyTo(userId: string, c: Loaded): Promise<boolean> {
    if (c.senderId === userId) return true;
    if (!c.sentAt) return false;
    if (c.signers.some((s) => s.userId === userId)) return true;
    return (await this.organizationSeats(userId, c)).length > 0;
  }

  /** The organisation signers of the contract the user signed for, or was invited to and may sign for now. */
  private async organizationSeats(userId: string, c: Loaded): Promise<string[]> {
    const orgSigners = c.signers.filter((s) => !s.userId && s.sealOrganizationId && s.sealKind);
    if (!orgSigners.length) return [];
    const invited = new Set(
      (await this.db.contractInvitation.findMany({ where: { userId, signerId: { in: orgSigners.map((s) => s.id) } }, select: { signerId: true } })).map((i) => i.signerId),
    );
    const out: string[] = [];
    for (const s of orgSigners) {
      if (s.signedByUserId === userId) out.push(s.id);
      else if (s.status !== "signed" && invited.has(s.id) && (await authorisedSeal(this.db, s.sealOrganizationId!, s.sealKind!, userId))) out.push(s.id);
    }
    return out;
  }

  /** Display names of the people who signed (for an organisation signer, the member who signed for it). */
  private async signedByNames(contracts: Loaded[]): Promise<Map<string, string>> {
    const ids = [...new Set(contracts.flatMap((c) => c.signers.flatMap((s) => (s.signedByUserId ? [s.signedByUserId] : []))))];
    if (!ids.length) return new Map();
    const users = await this.db.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
    return new Map(users.map((u) => [u.id, u.name]));
  }

  private async asSender(p: Principal, id: string): Promise<Loaded> {
    const c = await this.visible(p, id);
    if (c.senderId !== p.userId) throw forbidden("only the contract's sender may do this");
    return c;
  }

  async list(p: Principal) {
    const rows = await this.db.contract.findMany({
      where: {
        OR: [
          { senderId: p.userId },
          { sentAt: { not: null }, signers: { some: { userId: p.userId } } },
          // an organisation signer the user was invited to sign for, or signed for (checked below)
          { sentAt: { not: null }, signers: { some: { userId: null, OR: [{ signedByUserId: p.userId }, { invitations: { some: { userId: p.userId } } }] } } },
        ],
      },
      include: { signers: true },
      orderBy: { createdAt: "desc" },
      take: 500,
    });
    const visible: Loaded[] = [];
    for (const r of rows) if (await this.partyTo(p.userId, r)) visible.push(await applyExpiry(this.db, r, this.clock()));
    const names = await this.signedByNames(visible);
    const out = [];
    for (const c of visible) out.push({ ...this.summary(c, names), you: await this.relation(p, c) });
    return out;
  }

  /** Every contract these users sent or sign (sent ones), for their organisation's administrator. */
  async listInvolving(userIds: string[]) {
    if (!userIds.length) return [];
    const rows = await this.db.contract.findMany({
      where: {
        OR: [
          { senderId: { in: userIds } },
          // a person signer among them, or one of them invited to sign for (or having signed for) an organisation
          {
            sentAt: { not: null },
            signers: { some: { OR: [{ userId: { in: userIds } }, { signedByUserId: { in: userIds } }, { invitations: { some: { userId: { in: userIds } } } }] } },
          },
        ],
      },
      include: { signers: true },
      orderBy: { createdAt: "desc" },
      take: 500,
    });
    const loaded: Loaded[] = [];
    for (const r of rows) loaded.push(await applyExpiry(this.db, r, this.clock()));
    const names = await this.signedByNames(loaded);
    return loaded.map((c) => this.summary(c, names));
  }

  async detail(p: Principal, id: string) {
    const c = await this.visible(p, id);
    const events = await this.db.contractEvent.findMany({ where: { contractId: c.id }, orderBy: { seq: "asc" } });
    const sender = c.senderId === p.userId;
    return {
      ...this.summary(c, await this.signedByNames([c])),
      you: await this.relation(p, c),
      fieldValues: c.fieldValues ? JSON.parse(c.fieldValues) : null,
      events: events.map(presentEvent),
      // Who was told what and whether it reached them: the sender's to see.
      ...(sender ? { notifications: await this.mailAbout(`contract:${c.id}`) } : {}),
    };
  }

  private async relation(p: Principal, c: Loaded) {
    const own = c.signers.find((s) => s.userId === p.userId)?.id ?? null;
    return { sender: c.senderId === p.userId, signerId: own ?? (c.sentAt ? ((await this.organizationSeats(p.userId, c))[0] ?? null) : null) };
  }

  private summary(c: Loaded, signedBy: Map<string, string>) {
    return {
      id: c.id,
      title: c.title,
      status: c.status,
      origin: c.origin,
      templateId: c.templateId,
      senderId: c.senderId,
      createdAt: c.createdAt.toISOString(),
      sentAt: c.sentAt?.toISOString() ?? null,
      expiresAt: c.expiresAt?.toISOString() ?? null,
      endedAt: c.endedAt?.toISOString() ?? null,
      endReason: c.endReason,
      document: { originalSha256: c.originalSha256, sha256: c.currentSha256, revision: c.revision },
      openStep: c.status === "in_progress" ? openStep(c.signers) : null,
      signers: [...c.signers].sort(bySeat).map((s) => ({
        id: s.id,
        step: s.step,
        position: s.position,
        ...signerParty(s, signedBy),
        box: JSON.parse(s.field) as SignatureBox,
        status: s.status,
        codeDelivery: s.codeDelivery,
        signedAt: s.signedAt?.toISOString() ?? null,
        signedSha256: s.signedSha256,
      })),
      completion:
        c.status === "completed"
          ? {
              certificateSha256: c.certificateSha256,
              finalEvidenceId: c.finalEvidenceId,
              certificateEvidenceId: c.certificateEvidenceId,
              verifyUrl: `${this.settings.publicUrl}/?sha256=${c.currentSha256}`,
            }
          : null,
    };
  }

  /** The document as it stands (the final signed PDF once completed). */
  async document(p: Principal, id: string) {
    const c = await this.visible(p, id);
    return { sha256: c.currentSha256, size: this.documents.size(c.currentSha256), stream: this.documents.open(c.currentSha256), fileName: `contract-${c.id}.pdf` };
  }

  // ------------------------------------------------------------------------------------------
  // fields on the document (fields.ts)

  async fieldLayout(p: Principal, id: string) {
    return this.fields.layout(await this.visible(p, id));
  }

  async placeFields(p: Principal, id: string, input: LayoutInput, meta: RequestMeta) {
    await this.fields.place(p, await this.asSender(p, id), input, meta);
    return this.fieldLayout(p, id);
  }

  // ------------------------------------------------------------------------------------------
  // the sender's actions

  async send(p: Principal, id: string, opts: { expiresInDays?: number; reminderIntervalHours?: number }, meta: RequestMeta) {
    const invitations = await this.sender.send(p, await this.asSender(p, id), opts, meta);
    return { contract: await this.detail(p, id), invitations };
  }

  async void(p: Principal, id: string, reason: string, meta: RequestMeta) {
    await this.sender.void(p, await this.asSender(p, id), reason, meta);
    return this.detail(p, id);
  }

  async issueCode(p: Principal, id: string, signerId: string, meta: RequestMeta) {
    return this.sender.issueCode(p, await this.asSender(p, id), signerId, meta);
  }

  async reissueInvitation(p: Principal, id: string, signerId: string, meta: RequestMeta) {
    return this.sender.reissueInvitation(p, await this.asSender(p, id), signerId, meta);
  }

  // ------------------------------------------------------------------------------------------
  // the signer's side: everything through the invitation link

  openInvitation(p: Principal, token: string, meta: RequestMeta) {
    return this.signer.open(p, token, meta);
  }

  requestCode(p: Principal, token: string, meta: RequestMeta) {
    return this.signer.requestCode(p, token, meta);
  }

  invitationDocument(p: Principal, token: string) {
    return this.signer.document(p, token);
  }

  async sign(p: Principal, token: string, code: string, meta: RequestMeta, fill?: FillInput) {
    const signed = await this.signer.sign(p, token, code, meta, fill);
    if (signed.completed) {
      // the signature stands whatever happens here; what fails is done again when the contract is read
      await this.finalise(signed.contractId).catch((e) => this.log.error({ err: e, contractId: signed.contractId }, "completing the contract failed; retried when it is read"));
    }
    return { contract: await this.detail(p, signed.contractId), signedSha256: signed.sha256 };
  }

  async decline(p: Principal, token: string, reason: string, meta: RequestMeta) {
    return this.detail(p, await this.signer.decline(p, token, reason, meta));
  }

  // ------------------------------------------------------------------------------------------
  // completion: certificate and anchoring

  private finalise(id: string): Promise<void> {
    return this.completion.finalise(id, (key, fn) => this.lock.run(key, fn));
  }

  private async completed(p: Principal, id: string): Promise<Loaded> {
    const c = await this.visible(p, id);
    if (c.status !== "completed") throw conflict(`contract_${c.status}`, `the contract is ${said(c.status)}: the certificate and proof exist once it is completed`);
    if (c.certificateSha256 && c.finalEvidenceId && c.certificateEvidenceId) return c;
    await this.finalise(c.id);
    return (await loadContract(this.db, id))!;
  }

  async certificate(p: Principal, id: string) {
    const c = await this.completed(p, id);
    const sha = c.certificateSha256!;
    return { sha256: sha, size: this.documents.size(sha), stream: this.documents.open(sha), fileName: `contract-${c.id}-certificate.pdf` };
  }

  /** The proof bundle of the final document (or of the completion certificate): null until anchored. */
  async proof(p: Principal, id: string, of: "contract" | "certificate") {
    const c = await this.completed(p, id);
    return this.completion.proof(of === "contract" ? c.finalEvidenceId! : c.certificateEvidenceId!);
  }
}
