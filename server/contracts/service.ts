// Contracts: drafting (a template rendered, or an uploaded PDF), sending (single-use invitation links
// per signer), the signer's side (open, one-time code, sign, decline), voiding and expiry. Every
// change is one transaction with its contract events and audit entries. Who may do what: the sender
// acts on the contract; its signers see it once it is sent and act only through their own invitation
// link; anyone else gets 404.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Db } from "../db/client";
import type { Principal } from "../accounts/roles";
import type { AccountService } from "../accounts/service";
import type { EvidenceService } from "../evidence/service";
import type { IdentityService } from "../identity/service";
import { withAuditRetry } from "../audit/service";
import { ApiError, badRequest, forbidden, notFound } from "../http/errors";
import { parseInput } from "../http/validate";
import { appendEvents, NO_REQUEST, presentEvent, type ContractEventInput, type RequestMeta } from "./events";
import { ENDED, mayVoid, openStep, signingBlocked, stepsProblem } from "./flow";
import { callerText, renderTemplate, unrenderable, type SignatureBox } from "./render";
import { describeTemplate, templateById, templateValuesSchema, TEMPLATES } from "./templates";
import { checkBox, checkUploadedPdf, defaultBoxes } from "./upload";
import { CODE_MAX_ATTEMPTS, CODE_TTL_MS, codeMatches, hashInvitationToken, isInvitationToken, newCode, newInvitationToken } from "./tokens";
import { fieldNameOf, signContract, stampLines } from "./signing";
import { ContractDocuments } from "./documents";
import { ContractCompletion } from "./completion";
import type { ContentStore } from "../storage/content-store";

export interface ContractsSettings {
  publicUrl: string;
  /** days from sending until an unfinished contract expires (default of each contract) */
  expiryDays: number;
  /** hours an invitation link stays valid (never beyond the contract's expiry) */
  invitationTtlHours: number;
}

export interface SignerInput {
  userId?: string;
  email?: string;
  step: number;
  role?: string;
  box?: SignatureBox;
}

export interface DraftInput {
  title: string;
  signers: SignerInput[];
}

type ContractRow = NonNullable<Awaited<ReturnType<Db["contract"]["findUnique"]>>>;
type SignerRow = NonNullable<Awaited<ReturnType<Db["contractSigner"]["findUnique"]>>>;
type InvitationRow = NonNullable<Awaited<ReturnType<Db["contractInvitation"]["findUnique"]>>>;
type Loaded = ContractRow & { signers: SignerRow[] };

interface ResolvedSigner {
  userId: string;
  name: string;
  organization: string | null;
  role: string | null;
  step: number;
  position: number;
  box?: SignatureBox;
}

const conflict = (code: string, message: string) => new ApiError(409, code, message);
const gone = (code: string, message: string) => new ApiError(410, code, message);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A retry of the signing transaction: a parallel signer's signature landed first. */
class StaleRevision extends Error {}

const bySeat = (a: { step: number; position: number }, b: { step: number; position: number }) => a.step - b.step || a.position - b.position;

export class ContractsService {
  /** The service's clock (tests move it to expire invitations and contracts). */
  clock: () => Date = () => new Date();
  readonly documents: ContractDocuments;
  private readonly completion: ContractCompletion;
  private readonly locks = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Db,
    store: ContentStore,
    private readonly accounts: AccountService,
    private readonly identity: IdentityService,
    evidence: EvidenceService,
    private readonly settings: ContractsSettings,
    private readonly log: Logger,
  ) {
    this.documents = new ContractDocuments(store);
    this.completion = new ContractCompletion(db, this.documents, accounts, identity, evidence, settings.publicUrl);
  }

  templates() {
    return TEMPLATES.map(describeTemplate);
  }

  // ------------------------------------------------------------------------------------------
  // drafting

  async createFromTemplate(p: Principal, input: DraftInput & { templateId: string; values: unknown }, meta: RequestMeta) {
    const template = templateById(input.templateId);
    if (!template) throw badRequest("unknown_template", `no template '${input.templateId}' (GET /api/contracts/templates lists them)`);
    const values = parseInput(templateValuesSchema(template), input.values, "body.template.fields");
    if (input.signers.some((s) => s.box)) throw badRequest("invalid_input", "body.signers: boxes are placed by the template; give them for uploaded PDFs only");
    const signers = await this.resolveSigners(input.signers);
    const missing = unrenderable(callerText(values, signers, input.title));
    if (missing.length) throw badRequest("unrenderable_text", `the contract's font has no glyph for: ${missing.slice(0, 20).join(" ")}`);
    const id = randomUUID();
    const now = this.clock();
    const { pdf, boxes } = await renderTemplate({ contractId: id, title: input.title, template, values, signers, createdAt: now });
    return this.insertDraft(p, { id, title: input.title, origin: "template", templateId: template.id, fieldValues: JSON.stringify(values) }, pdf, signers, boxes, meta);
  }

  async createFromUpload(p: Principal, pdf: Buffer, input: DraftInput, meta: RequestMeta) {
    const pages = checkUploadedPdf(pdf);
    const signers = await this.resolveSigners(input.signers);
    const missing = unrenderable(callerText({}, signers, ""));
    if (missing.length) throw badRequest("unrenderable_text", `the stamp font has no glyph for: ${missing.slice(0, 20).join(" ")}`);
    const defaults = defaultBoxes(pages, signers.length);
    const boxes = signers.map((s, i) => {
      if (!s.box) return defaults[i];
      checkBox(pages, s.box, `body.signers[${i}].box`);
      return s.box;
    });
    return this.insertDraft(p, { id: randomUUID(), title: input.title, origin: "upload", templateId: null, fieldValues: null }, pdf, signers, boxes, meta);
  }

  /** Signers by user id or e-mail, with the name and organisation the document will show. */
  private async resolveSigners(inputs: SignerInput[]): Promise<ResolvedSigner[]> {
    const problem = stepsProblem(inputs.map((s) => s.step));
    if (problem) throw badRequest("invalid_steps", `body.signers: ${problem}`);
    const byId = await this.accounts.usersByIds(inputs.flatMap((s) => (s.userId ? [s.userId] : [])));
    const byEmail = await this.accounts.usersByEmails(inputs.flatMap((s) => (s.email ? [s.email] : [])));
    const orgNames = new Map<string, string | null>();
    const seen = new Set<string>();
    const positions = new Map<number, number>();
    const out: ResolvedSigner[] = [];
    for (const [i, s] of inputs.entries()) {
      const user = s.userId ? byId.get(s.userId) : byEmail.get(s.email!.trim().toLowerCase());
      if (!user || user.disabled) throw badRequest("unknown_signer", `body.signers[${i}]: no such (active) user`);
      if (seen.has(user.id)) throw badRequest("duplicate_signer", `body.signers[${i}]: the user is already a signer of this contract`);
      seen.add(user.id);
      if (user.organizationId && !orgNames.has(user.organizationId)) {
        orgNames.set(user.organizationId, (await this.accounts.getOrganization(user.organizationId))?.name ?? null);
      }
      const position = (positions.get(s.step) ?? 0) + 1;
      positions.set(s.step, position);
      out.push({
        userId: user.id,
        name: user.name,
        organization: user.organizationId ? (orgNames.get(user.organizationId) ?? null) : null,
        role: s.role ?? null,
        step: s.step,
        position,
        box: s.box,
      });
    }
    return out;
  }

  private async insertDraft(
    p: Principal,
    c: { id: string; title: string; origin: string; templateId: string | null; fieldValues: string | null },
    pdf: Buffer,
    signers: ResolvedSigner[],
    boxes: SignatureBox[],
    meta: RequestMeta,
  ) {
    const stored = await this.documents.put(pdf);
    const now = this.clock();
    await withAuditRetry(() =>
      this.db.$transaction(async (tx) => {
        await tx.contract.create({
          data: {
            ...c,
            status: "draft",
            senderId: p.userId,
            originalSha256: stored.sha256,
            currentSha256: stored.sha256,
            revision: 0,
            createdAt: now,
          },
        });
        await tx.contractSigner.createMany({
          data: signers.map((s, i) => ({
            id: randomUUID(),
            contractId: c.id,
            step: s.step,
            position: s.position,
            userId: s.userId,
            name: s.name,
            organization: s.organization,
            role: s.role,
            field: JSON.stringify(boxes[i]),
            status: "pending",
          })),
        });
        await appendEvents(tx, c.id, [
          {
            action: "created",
            actorId: p.userId,
            fromStatus: null,
            toStatus: "draft",
            documentSha256: stored.sha256,
            meta,
            at: now,
            details: { origin: c.origin, ...(c.templateId ? { templateId: c.templateId } : {}), size: pdf.length },
          },
        ]);
      }),
    );
    return this.detail(p, c.id);
  }

  // ------------------------------------------------------------------------------------------
  // reading

  /**
   * A contract the principal is party to, expiry applied; 404 otherwise. Its sender sees it always,
   * its signers once it has been sent (a draft is the sender's alone).
   */
  private async visible(p: Principal, id: string): Promise<Loaded> {
    if (!UUID.test(id)) throw notFound("contract");
    const c = await this.db.contract.findUnique({ where: { id }, include: { signers: true } });
    if (!c || (c.senderId !== p.userId && !(c.sentAt && c.signers.some((s) => s.userId === p.userId)))) throw notFound("contract");
    return this.applyExpiry(c);
  }

  private async asSender(p: Principal, id: string): Promise<Loaded> {
    const c = await this.visible(p, id);
    if (c.senderId !== p.userId) throw forbidden("only the contract's sender may do this");
    return c;
  }

  /** An unfinished contract past its expiry becomes expired (recorded as done by the system). */
  private async applyExpiry(c: Loaded): Promise<Loaded> {
    if (c.status !== "in_progress" || !c.expiresAt || this.clock() <= c.expiresAt) return c;
    const at = c.expiresAt;
    await withAuditRetry(() =>
      this.db.$transaction(async (tx) => {
        const u = await tx.contract.updateMany({ where: { id: c.id, status: "in_progress" }, data: { status: "expired", endedAt: at } });
        if (u.count === 0) return;
        await appendEvents(tx, c.id, [
          { action: "expired", actorId: null, fromStatus: "in_progress", toStatus: "expired", documentSha256: c.currentSha256, meta: NO_REQUEST, at },
        ]);
      }),
    );
    return (await this.db.contract.findUnique({ where: { id: c.id }, include: { signers: true } }))!;
  }

  async list(p: Principal) {
    const rows = await this.db.contract.findMany({
      where: { OR: [{ senderId: p.userId }, { sentAt: { not: null }, signers: { some: { userId: p.userId } } }] },
      include: { signers: true },
      orderBy: { createdAt: "desc" },
      take: 500,
    });
    const out = [];
    for (const r of rows) {
      const c = await this.applyExpiry(r);
      out.push({ ...this.summary(c), you: this.relation(p, c) });
    }
    return out;
  }

  async detail(p: Principal, id: string) {
    const c = await this.visible(p, id);
    const events = await this.db.contractEvent.findMany({ where: { contractId: c.id }, orderBy: { seq: "asc" } });
    return {
      ...this.summary(c),
      you: this.relation(p, c),
      fieldValues: c.fieldValues ? JSON.parse(c.fieldValues) : null,
      events: events.map(presentEvent),
    };
  }

  private relation(p: Principal, c: Loaded) {
    return { sender: c.senderId === p.userId, signerId: c.signers.find((s) => s.userId === p.userId)?.id ?? null };
  }

  private summary(c: Loaded) {
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
        userId: s.userId,
        name: s.name,
        organization: s.organization,
        role: s.role,
        box: JSON.parse(s.field) as SignatureBox,
        status: s.status,
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
  // the sender's actions

  async send(p: Principal, id: string, opts: { expiresInDays?: number }, meta: RequestMeta) {
    const c = await this.asSender(p, id);
    if (c.status !== "draft") throw conflict("not_a_draft", `the contract is ${c.status.replace("_", " ")}: only a draft is sent`);
    const now = this.clock();
    const expiresAt = new Date(now.getTime() + (opts.expiresInDays ?? this.settings.expiryDays) * 86_400_000);
    const issued = c.signers.sort(bySeat).map((s) => ({ signer: s, ...newInvitationToken(), expiresAt: this.invitationExpiry(now, expiresAt) }));
    await withAuditRetry(() =>
      this.db.$transaction(async (tx) => {
        const u = await tx.contract.updateMany({ where: { id: c.id, status: "draft" }, data: { status: "in_progress", sentAt: now, expiresAt } });
        if (u.count === 0) throw conflict("not_a_draft", "the contract was sent or voided meanwhile");
        await tx.contractInvitation.createMany({
          data: issued.map((i) => ({ id: randomUUID(), signerId: i.signer.id, tokenHash: i.hash, createdAt: now, expiresAt: i.expiresAt })),
        });
        await appendEvents(tx, c.id, [
          {
            action: "sent",
            actorId: p.userId,
            fromStatus: "draft",
            toStatus: "in_progress",
            documentSha256: c.currentSha256,
            meta,
            at: now,
            details: { expiresAt: expiresAt.toISOString(), signers: issued.length },
          },
        ]);
      }),
    );
    return { contract: await this.detail(p, c.id), invitations: issued.map((i) => this.invitationView(i.signer, i.token, i.expiresAt)) };
  }

  private invitationExpiry(now: Date, contractExpiry: Date): Date {
    return new Date(Math.min(contractExpiry.getTime(), now.getTime() + this.settings.invitationTtlHours * 3_600_000));
  }

  private invitationView(s: SignerRow, token: string, expiresAt: Date) {
    return {
      signerId: s.id,
      userId: s.userId,
      name: s.name,
      step: s.step,
      role: s.role,
      token,
      url: `${this.settings.publicUrl}/api/sign/${token}`,
      expiresAt: expiresAt.toISOString(),
    };
  }

  async void(p: Principal, id: string, reason: string, meta: RequestMeta) {
    const c = await this.asSender(p, id);
    if (!mayVoid(c.status)) throw conflict("not_voidable", `the contract is ${c.status.replace("_", " ")}: only a draft or a contract in progress is voided`);
    const now = this.clock();
    await this.exclusive(c.id, () =>
      withAuditRetry(() =>
        this.db.$transaction(async (tx) => {
          const u = await tx.contract.updateMany({ where: { id: c.id, status: c.status }, data: { status: "voided", endedAt: now, endReason: reason } });
          if (u.count === 0) throw conflict("not_voidable", "the contract changed meanwhile; read it again");
          await appendEvents(tx, c.id, [
            { action: "voided", actorId: p.userId, fromStatus: c.status, toStatus: "voided", documentSha256: c.currentSha256, meta, at: now, details: { reason } },
          ]);
        }),
      ),
    );
    return this.detail(p, c.id);
  }

  /** The sender's signer of this contract, pending, in the open step, with a live invitation. */
  private async pendingSigner(c: Loaded, signerId: string): Promise<{ signer: SignerRow; invitation: InvitationRow | null }> {
    if (ENDED.has(c.status) || c.status === "draft") throw conflict(`contract_${c.status}`, `the contract is ${c.status.replace("_", " ")}`);
    const signer = c.signers.find((s) => s.id === signerId);
    if (!signer) throw notFound("signer");
    const blocked = signingBlocked(c.status, c.signers, signer.id);
    if (blocked) throw conflict(blocked.code, blocked.message);
    const now = this.clock();
    const invitation = await this.db.contractInvitation.findFirst({
      where: { signerId, usedAt: null, revokedAt: null, expiresAt: { gt: now } },
      orderBy: { createdAt: "desc" },
    });
    return { signer, invitation };
  }

  /**
   * A one-time code for a signer whose turn it is, returned to the sender once (only its hash is
   * kept) for delivery out of band: read out on the phone, sent by text message. The signer enters
   * it to sign. A new code replaces the previous one.
   */
  async issueCode(p: Principal, id: string, signerId: string, meta: RequestMeta) {
    const c = await this.asSender(p, id);
    const { signer, invitation } = await this.pendingSigner(c, signerId);
    if (!invitation) throw conflict("no_active_invitation", "the signer has no valid invitation: reissue it first");
    const { code, hash } = await newCode();
    const now = this.clock();
    const expiresAt = new Date(now.getTime() + CODE_TTL_MS);
    await withAuditRetry(() =>
      this.db.$transaction(async (tx) => {
        const u = await tx.contractInvitation.updateMany({
          where: { id: invitation.id, usedAt: null, revokedAt: null },
          data: { codeHash: hash, codeExpiresAt: expiresAt, codeAttempts: 0 },
        });
        if (u.count === 0) throw conflict("no_active_invitation", "the invitation was used or replaced meanwhile");
        await appendEvents(tx, c.id, [
          { action: "code_issued", actorId: p.userId, signerId: signer.id, fromStatus: c.status, toStatus: c.status, documentSha256: c.currentSha256, meta, at: now },
        ]);
      }),
    );
    return { signerId: signer.id, code, expiresAt: expiresAt.toISOString(), attemptsAllowed: CODE_MAX_ATTEMPTS, delivery: "out-of-band" as const };
  }

  /** A new invitation link for a pending signer; the previous ones stop working (410). */
  async reissueInvitation(p: Principal, id: string, signerId: string, meta: RequestMeta) {
    const c = await this.asSender(p, id);
    if (c.status !== "in_progress") throw conflict(`contract_${c.status}`, `the contract is ${c.status.replace("_", " ")}`);
    const signer = c.signers.find((s) => s.id === signerId);
    if (!signer) throw notFound("signer");
    if (signer.status !== "pending") throw conflict(`already_${signer.status}`, `this signer has already ${signer.status}`);
    const now = this.clock();
    const issued = { ...newInvitationToken(), expiresAt: this.invitationExpiry(now, c.expiresAt!) };
    await withAuditRetry(() =>
      this.db.$transaction(async (tx) => {
        await tx.contractInvitation.updateMany({ where: { signerId, usedAt: null, revokedAt: null }, data: { revokedAt: now } });
        await tx.contractInvitation.create({ data: { id: randomUUID(), signerId, tokenHash: issued.hash, createdAt: now, expiresAt: issued.expiresAt } });
        await appendEvents(tx, c.id, [
          { action: "invitation_reissued", actorId: p.userId, signerId, fromStatus: c.status, toStatus: c.status, documentSha256: c.currentSha256, meta, at: now },
        ]);
      }),
    );
    return this.invitationView(signer, issued.token, issued.expiresAt);
  }

  // ------------------------------------------------------------------------------------------
  // the signer's side: everything through the invitation link

  /**
   * The invitation behind a link, checked in this order: a token we issued (404), bound to the
   * signer logged in (403, the sender included), still valid (410: replaced, used, expired), on a
   * contract still open (410).
   */
  private async resolve(p: Principal, token: string): Promise<{ invitation: InvitationRow; signer: SignerRow; contract: Loaded }> {
    if (!isInvitationToken(token)) throw notFound("invitation");
    const invitation = await this.db.contractInvitation.findUnique({ where: { tokenHash: hashInvitationToken(token) } });
    if (!invitation) throw notFound("invitation");
    const signer = (await this.db.contractSigner.findUnique({ where: { id: invitation.signerId } }))!;
    let contract = (await this.db.contract.findUnique({ where: { id: signer.contractId }, include: { signers: true } }))!;
    if (signer.userId !== p.userId) {
      throw forbidden(
        p.userId === contract.senderId
          ? "this invitation belongs to a signer: the sender cannot use it"
          : "this invitation belongs to another person: log in as the signer it was sent to",
      );
    }
    contract = await this.applyExpiry(contract);
    if (invitation.revokedAt) throw gone("invitation_revoked", "this invitation was replaced by a newer one");
    if (invitation.usedAt) throw gone("invitation_used", "this invitation has been used");
    if (this.clock() > invitation.expiresAt) throw gone("invitation_expired", "this invitation has expired: ask the sender for a new one");
    if (contract.status !== "in_progress") throw gone(`contract_${contract.status}`, `the contract is ${contract.status.replace("_", " ")}`);
    return { invitation, signer, contract };
  }

  async openInvitation(p: Principal, token: string, meta: RequestMeta) {
    const { invitation, signer, contract } = await this.resolve(p, token);
    if (!invitation.openedAt) {
      const now = this.clock();
      await withAuditRetry(() =>
        this.db.$transaction(async (tx) => {
          const u = await tx.contractInvitation.updateMany({ where: { id: invitation.id, openedAt: null }, data: { openedAt: now } });
          if (u.count === 0) return;
          await appendEvents(tx, contract.id, [
            { action: "opened", actorId: p.userId, signerId: signer.id, fromStatus: contract.status, toStatus: contract.status, documentSha256: contract.currentSha256, meta, at: now },
          ]);
        }),
      );
    }
    const blocked = signingBlocked(contract.status, contract.signers, signer.id);
    const sender = await this.accounts.getUser(contract.senderId);
    return {
      contract: { id: contract.id, title: contract.title, status: contract.status, sender: sender?.name ?? null, document: { sha256: contract.currentSha256, revision: contract.revision }, expiresAt: contract.expiresAt?.toISOString() ?? null },
      signer: { id: signer.id, step: signer.step, role: signer.role, name: signer.name, organization: signer.organization },
      yourTurn: blocked === null,
      ...(blocked ? { waiting: blocked.message } : {}),
      /** whether a one-time code is waiting to be entered (the sender hands it over out of band) */
      codeIssued: !!(invitation.codeHash && invitation.codeExpiresAt && invitation.codeExpiresAt > this.clock() && invitation.codeAttempts < CODE_MAX_ATTEMPTS),
      invitationExpiresAt: invitation.expiresAt.toISOString(),
    };
  }

  async invitationDocument(p: Principal, token: string) {
    const { contract } = await this.resolve(p, token);
    return { sha256: contract.currentSha256, size: this.documents.size(contract.currentSha256), stream: this.documents.open(contract.currentSha256), fileName: `contract-${contract.id}.pdf` };
  }

  async sign(p: Principal, token: string, code: string, meta: RequestMeta) {
    const { invitation, signer, contract } = await this.resolve(p, token);
    const blocked = signingBlocked(contract.status, contract.signers, signer.id);
    if (blocked) throw blocked.code === "not_your_turn" ? conflict(blocked.code, blocked.message) : gone(blocked.code, blocked.message);
    await this.checkCode(invitation, code);

    const result = await this.exclusive(contract.id, async () => {
      for (let attempt = 0; attempt < 8; attempt++) {
        try {
          return await this.applySignature(p, contract.id, signer.id, invitation.id, meta);
        } catch (e) {
          if (!(e instanceof StaleRevision)) throw e;
        }
      }
      throw conflict("busy", "the contract is being signed by others right now; retry");
    });
    if (result.completed) {
      await this.completion.finalise(contract.id, (id, fn) => this.exclusive(id, fn)).catch((e) => this.log.error({ err: e, contractId: contract.id }, "completing the contract failed; retried when it is read"));
    }
    return { contract: await this.detail(p, contract.id), signedSha256: result.sha256 };
  }

  /** Counts the attempt first (atomically), then compares: at most CODE_MAX_ATTEMPTS tries per code. */
  private async checkCode(invitation: InvitationRow, code: string): Promise<void> {
    if (!invitation.codeHash || !invitation.codeExpiresAt) throw conflict("code_not_issued", "no one-time code has been issued: ask the sender for one");
    if (this.clock() > invitation.codeExpiresAt) throw forbidden_("code_expired", "the one-time code has expired: ask the sender for a new one");
    const counted = await this.db.contractInvitation.updateMany({
      where: { id: invitation.id, codeHash: invitation.codeHash, codeAttempts: { lt: CODE_MAX_ATTEMPTS } },
      data: { codeAttempts: { increment: 1 } },
    });
    if (counted.count === 0) throw new ApiError(429, "code_locked", "too many wrong codes: ask the sender for a new one");
    if (!(await codeMatches(code, invitation.codeHash))) {
      const left = CODE_MAX_ATTEMPTS - invitation.codeAttempts - 1;
      throw forbidden_("wrong_code", left > 0 ? `wrong one-time code (${left} attempt${left === 1 ? "" : "s"} left)` : "wrong one-time code: no attempts left, ask the sender for a new one");
    }
  }

  /** Signs the current revision and records it, unless another signature landed first (StaleRevision). */
  private async applySignature(p: Principal, contractId: string, signerId: string, invitationId: string, meta: RequestMeta) {
    const c = (await this.db.contract.findUnique({ where: { id: contractId }, include: { signers: true } }))!;
    const signer = c.signers.find((s) => s.id === signerId)!;
    const blocked = signingBlocked(c.status, c.signers, signerId);
    if (blocked) throw blocked.code === "not_your_turn" ? conflict(blocked.code, blocked.message) : gone(blocked.code, blocked.message);
    const identity = await this.identity.signerForUser(p.userId);
    if (!identity) {
      throw conflict("platform_key_required", "your current certificate's key is held by you; contract signatures need a certificate whose key the platform holds");
    }
    const pdf = await this.documents.read(c.currentSha256);
    const at = this.clock();
    const signed = await signContract({
      pdf,
      signer: identity,
      fieldName: fieldNameOf(signer.step, signer.position),
      box: JSON.parse(signer.field) as SignatureBox,
      name: signer.name,
      organization: signer.organization,
      role: signer.role,
      contractTitle: c.title,
      signingTime: at,
      timestamp: (digest) => this.identity.timestamp(digest),
    });
    const stored = await this.documents.put(signed);
    const completed = c.signers.every((s) => s.id === signerId || s.status === "signed");
    await withAuditRetry(() =>
      this.db.$transaction(async (tx) => {
        const u = await tx.contract.updateMany({
          where: { id: c.id, revision: c.revision, status: "in_progress" },
          data: { currentSha256: stored.sha256, revision: c.revision + 1, ...(completed ? { status: "completed", endedAt: at } : {}) },
        });
        if (u.count === 0) throw new StaleRevision();
        const used = await tx.contractInvitation.updateMany({ where: { id: invitationId, usedAt: null, revokedAt: null }, data: { usedAt: at } });
        if (used.count === 0) throw gone("invitation_used", "this invitation has been used");
        await tx.contractSigner.update({ where: { id: signerId }, data: { status: "signed", signedAt: at, signedSha256: stored.sha256, certId: identity.certId } });
        const events: ContractEventInput[] = [
          {
            action: "signed",
            actorId: p.userId,
            signerId,
            fromStatus: "in_progress",
            toStatus: "in_progress",
            documentSha256: stored.sha256,
            meta,
            at,
            details: { step: signer.step, certId: identity.certId, field: fieldNameOf(signer.step, signer.position), stamp: stampLines(signer.name, signer.organization, at) },
          },
        ];
        if (completed) {
          events.push({ action: "completed", actorId: null, fromStatus: "in_progress", toStatus: "completed", documentSha256: stored.sha256, meta: NO_REQUEST, at });
        }
        await appendEvents(tx, c.id, events);
      }),
    );
    return { sha256: stored.sha256, completed };
  }

  async decline(p: Principal, token: string, reason: string, meta: RequestMeta) {
    const { invitation, signer, contract } = await this.resolve(p, token);
    if (signer.status !== "pending") throw gone(`already_${signer.status}`, `this signer has already ${signer.status}`);
    const now = this.clock();
    await this.exclusive(contract.id, () =>
      withAuditRetry(() =>
        this.db.$transaction(async (tx) => {
          const u = await tx.contract.updateMany({ where: { id: contract.id, status: "in_progress" }, data: { status: "declined", endedAt: now, endReason: reason } });
          if (u.count === 0) throw gone("contract_closed", "the contract is no longer in progress");
          const used = await tx.contractInvitation.updateMany({ where: { id: invitation.id, usedAt: null, revokedAt: null }, data: { usedAt: now } });
          if (used.count === 0) throw gone("invitation_used", "this invitation has been used");
          await tx.contractSigner.update({ where: { id: signer.id }, data: { status: "declined" } });
          await appendEvents(tx, contract.id, [
            { action: "declined", actorId: p.userId, signerId: signer.id, fromStatus: "in_progress", toStatus: "declined", documentSha256: contract.currentSha256, meta, at: now, details: { reason } },
          ]);
        }),
      ),
    );
    return this.detail(p, contract.id);
  }

  // ------------------------------------------------------------------------------------------
  // completion: certificate and anchoring

  private async completed(p: Principal, id: string): Promise<Loaded> {
    const c = await this.visible(p, id);
    if (c.status !== "completed") throw conflict(`contract_${c.status}`, `the contract is ${c.status.replace("_", " ")}: the certificate and proof exist once it is completed`);
    if (!c.certificateSha256 || !c.finalEvidenceId || !c.certificateEvidenceId) {
      await this.completion.finalise(c.id, (cid, fn) => this.exclusive(cid, fn));
      return (await this.db.contract.findUnique({ where: { id }, include: { signers: true } }))!;
    }
    return c;
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

  /** One operation at a time per contract in this process (parallel signers queue here). */
  private async exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = previous.then(() => mine);
    this.locks.set(id, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.locks.get(id) === tail) this.locks.delete(id);
    }
  }
}

const forbidden_ = (code: string, message: string) => new ApiError(403, code, message);

