// Online filing (网上立案): a party's lawyer or an enterprise member drafts a filing to a court,
// attaches the complaint and other files (each an anchored evidence item), cites evidence already
// anchored, and submits: the complaint is signed with the filer's own certificate (PAdES) and the
// version's canonical record is anchored. The court's filing clerks accept (the case then exists),
// ask for corrections (补正) with a deadline, or reject. Every state change goes through
// state.ts moveFiling: status, event row, audit entry and the filer's notice together.
import { createHash, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import type { Db } from "../db/client";
import type { Principal } from "../accounts/roles";
import { changeWithAudit } from "../audit/service";
import { ApiError, badRequest, forbidden, notFound } from "../http/errors";
import { canonicalize } from "../core/jcs";
import type { EvidenceService, AcceptedItem } from "../evidence/service";
import type { VerificationService } from "../verification/service";
import type { IdentityService } from "../identity/service";
import type { ContentStore } from "../storage/content-store";
import { signPdf } from "../pdf/pades";
import { canonicalCaseNumber } from "../cases/service";
import { openCaseFromFiling, type FiledEvidence } from "../cases/from-filing";
import { decideCourt, decideFiling, decideFilingByRole, isCourtAction, isFilingAction, type FilingRelation, type FilingRouteAction } from "./access";
import { completeDraft, parseDraft, type CitationInput, type DraftInput, type FilingDraft } from "./content";
import { resolveCitations, verifyCitations } from "./citations";
import { moveFiling, recordFilingEvent, type FilingStatus } from "./state";
import { nextCaseNumber } from "./case-number";
import type { AttachmentKind } from "./attachments";

/** The Civil Procedure Law gives the court 7 days to decide whether to accept a filing. */
export const STATUTORY_LIMIT_DAYS = 7;
const EDITABLE: FilingStatus[] = ["draft", "correction_requested"];
const MAX_ATTACHMENTS = 50;
const DAY_MS = 86_400_000;

type FilingRow = NonNullable<Awaited<ReturnType<Db["filing"]["findUnique"]>>>;

export interface FilingAccess {
  filing: FilingRow;
  relation: FilingRelation;
}
export interface CourtAccess {
  court: { id: string; name: string; caseNumberFormat: string | null };
}

export interface FilingDeps {
  db: Db;
  evidence: EvidenceService;
  verification: VerificationService;
  identity: IdentityService;
  store: ContentStore;
  now?: () => Date;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const clockStart = (f: { firstSubmittedAt: Date | null; lastSubmittedAt: Date | null }) => f.lastSubmittedAt ?? f.firstSubmittedAt;
export const daysElapsed = (since: Date | null, now: Date) => (since ? Math.floor((now.getTime() - since.getTime()) / DAY_MS) : null);

export class FilingService {
  constructor(private readonly d: FilingDeps) {}

  private now() {
    return this.d.now?.() ?? new Date();
  }

  /** The access decision for a route: throws 403/404, returns what the handler works on. */
  async authorize(action: FilingRouteAction, p: Principal, params: Record<string, string>): Promise<FilingAccess | CourtAccess | null> {
    if (isCourtAction(action)) {
      const court = UUID_RE.test(params.id ?? "") ? await this.d.db.organization.findUnique({ where: { id: params.id } }) : null;
      if (!court || court.kind !== "court") throw notFound("court");
      const outcome = decideCourt(action, p.orgAdmin && p.organizationId === court.id ? "courtAdmin" : "other");
      if (outcome !== "allow") throw forbidden("only an administrator of this court may change its case number format");
      return { court: { id: court.id, name: court.name, caseNumberFormat: court.caseNumberFormat } };
    }
    if (isFilingAction(action)) {
      const filing = UUID_RE.test(params.id ?? "") ? await this.d.db.filing.findUnique({ where: { id: params.id } }) : null;
      if (!filing) throw notFound("filing");
      const relation = relationOf(p, filing);
      const outcome = decideFiling(action, relation, filing.firstSubmittedAt !== null);
      if (outcome === "hidden") throw notFound("filing");
      if (outcome === "forbidden") throw forbidden();
      return { filing, relation };
    }
    if (decideFilingByRole(action, p.role) !== "allow") throw forbidden();
    return null;
  }

  // ---- courts

  async listCourts() {
    const courts = await this.d.db.organization.findMany({ where: { kind: "court" }, orderBy: { name: "asc" }, select: { id: true, name: true, caseNumberFormat: true } });
    return courts;
  }

  async setCaseNumberFormat(p: Principal, access: CourtAccess, format: string) {
    return changeWithAudit(this.d.db, async (tx, audit) => {
      await tx.organization.update({ where: { id: access.court.id }, data: { caseNumberFormat: format } });
      audit({ actorId: p.userId, action: "court.case_number_format", subject: access.court.id, details: { from: access.court.caseNumberFormat, to: format } });
      return { id: access.court.id, name: access.court.name, caseNumberFormat: format };
    });
  }

  // ---- drafts

  async create(p: Principal, input: DraftInput & { courtId: string }) {
    const court = await this.d.db.organization.findUnique({ where: { id: input.courtId } });
    if (!court || court.kind !== "court") throw badRequest("unknown_court", "courtId names no court");
    const { courtId, mediationRequested, ...fields } = input;
    const draft = await this.draftOf(p, { citations: [] }, fields);
    const at = this.now();
    const id = randomUUID();
    await changeWithAudit(this.d.db, async (tx, audit) => {
      await tx.filing.create({
        data: { id, courtId, filerId: p.userId, filerOrgId: p.organizationId, status: "draft", draft: JSON.stringify(draft), createdAt: at, updatedAt: at, mediationRequested: mediationRequested ?? false },
      });
      await recordFilingEvent(tx, id, "draft", "filing.created", p.userId, { courtId }, at);
      audit({ actorId: p.userId, action: "filing.created", subject: id, details: { courtId, citations: draft.citations.map((c) => c.evidenceId) } });
    });
    return this.summaryOf((await this.d.db.filing.findUnique({ where: { id } }))!);
  }

  /** The draft with `changes` applied; citations resolved to the evidence the filer may cite. */
  private async draftOf(p: Principal, current: FilingDraft, changes: Omit<DraftInput, "mediationRequested">): Promise<FilingDraft> {
    const { citations, ...rest } = changes;
    const next: FilingDraft = { ...current, ...rest, citations: current.citations ?? [] };
    if (citations) next.citations = await resolveCitations(this.d.db, p, citations as CitationInput[]);
    if (next.parties && next.filerPartyIndex !== undefined && next.filerPartyIndex >= next.parties.length) {
      throw badRequest("invalid_input", "filerPartyIndex names no party of the filing");
    }
    return next;
  }

  async edit(p: Principal, access: FilingAccess, input: DraftInput) {
    const f = access.filing;
    this.assertEditable(f);
    const { mediationRequested, ...changes } = input;
    const draft = await this.draftOf(p, parseDraft(f.draft), changes);
    const at = this.now();
    await changeWithAudit(this.d.db, async (tx, audit) => {
      const u = await tx.filing.updateMany({
        where: { id: f.id, status: { in: EDITABLE }, updatedAt: f.updatedAt },
        data: { draft: JSON.stringify(draft), updatedAt: at, ...(mediationRequested !== undefined ? { mediationRequested } : {}) },
      });
      if (u.count !== 1) throw new ApiError(409, "conflict", "the filing changed meanwhile: reload it and edit again");
      await recordFilingEvent(tx, f.id, f.status, "filing.edited", p.userId, { fields: Object.keys(input) }, at);
      audit({ actorId: p.userId, action: "filing.edited", subject: f.id, details: { fields: Object.keys(input) } });
    });
    return this.summaryOf((await this.d.db.filing.findUnique({ where: { id: f.id } }))!);
  }

  private assertEditable(f: FilingRow) {
    if (!EDITABLE.includes(f.status as FilingStatus)) throw new ApiError(409, "not_editable", `the filing is ${f.status}: only a draft or a filing asked for corrections can change`);
    if (f.status === "correction_requested" && f.correctionDeadline && f.correctionDeadline.getTime() < this.now().getTime()) {
      throw new ApiError(409, "correction_expired", `the deadline for corrections passed at ${f.correctionDeadline.toISOString()}`);
    }
  }

  /** Refused before the upload is read when the filing cannot take attachments. */
  checkAttachable(access: FilingAccess) {
    this.assertEditable(access.filing);
  }

  async addAttachment(p: Principal, access: FilingAccess, item: AcceptedItem, meta: { kind: AttachmentKind; title: string; fileName: string }) {
    const f = access.filing;
    const at = this.now();
    const id = randomUUID();
    await changeWithAudit(this.d.db, async (tx, audit) => {
      const now = await tx.filing.findUnique({ where: { id: f.id }, select: { status: true } });
      if (!now || !EDITABLE.includes(now.status as FilingStatus)) throw new ApiError(409, "not_editable", "the filing can no longer change");
      const count = await tx.filingAttachment.count({ where: { filingId: f.id, removedAt: null } });
      if (count >= MAX_ATTACHMENTS) throw new ApiError(409, "too_many_attachments", `a filing has at most ${MAX_ATTACHMENTS} attachments`);
      await tx.filingAttachment.create({ data: { id, filingId: f.id, kind: meta.kind, title: meta.title, evidenceId: item.id, addedById: p.userId, addedAt: at } });
      await tx.filing.update({ where: { id: f.id }, data: { updatedAt: at } });
      await recordFilingEvent(tx, f.id, now.status, "filing.attachment_added", p.userId, { attachmentId: id, kind: meta.kind, evidenceId: item.id, sha256: item.sha256 }, at);
      audit({ actorId: p.userId, action: "filing.attachment_added", subject: f.id, details: { attachmentId: id, kind: meta.kind, evidenceId: item.id, sha256: item.sha256 } });
    });
    return { id, kind: meta.kind, title: meta.title, fileName: meta.fileName, evidenceId: item.id, sha256: item.sha256, size: item.size, addedAt: at.toISOString() };
  }

  async removeAttachment(p: Principal, access: FilingAccess, attachmentId: string) {
    const f = access.filing;
    this.assertEditable(f);
    const a = UUID_RE.test(attachmentId) ? await this.d.db.filingAttachment.findUnique({ where: { id: attachmentId } }) : null;
    if (!a || a.filingId !== f.id || a.removedAt) throw notFound("attachment");
    const at = this.now();
    await changeWithAudit(this.d.db, async (tx, audit) => {
      const u = await tx.filingAttachment.updateMany({ where: { id: a.id, removedAt: null }, data: { removedAt: at } });
      if (u.count !== 1) throw notFound("attachment");
      await tx.filing.update({ where: { id: f.id }, data: { updatedAt: at } });
      await recordFilingEvent(tx, f.id, f.status, "filing.attachment_removed", p.userId, { attachmentId: a.id }, at);
      audit({ actorId: p.userId, action: "filing.attachment_removed", subject: f.id, details: { attachmentId: a.id, evidenceId: a.evidenceId } });
    });
  }

  // ---- lists and detail

  private summaryOf(f: FilingRow, courtName?: string) {
    const draft = parseDraft(f.draft);
    const now = this.now();
    return {
      id: f.id,
      courtId: f.courtId,
      ...(courtName !== undefined ? { court: courtName } : {}),
      filerId: f.filerId,
      filerOrgId: f.filerOrgId,
      title: draft.title ?? null,
      status: f.status,
      version: f.version,
      mediationRequested: f.mediationRequested,
      createdAt: f.createdAt.toISOString(),
      updatedAt: f.updatedAt.toISOString(),
      firstSubmittedAt: f.firstSubmittedAt?.toISOString() ?? null,
      lastSubmittedAt: f.lastSubmittedAt?.toISOString() ?? null,
      // The court's 7 days run from the latest complete submission: a correction (补正) restarts
      // them when the corrected filing arrives (立案登记, counted from receipt of the corrections).
      clockStartedAt: clockStart(f)?.toISOString() ?? null,
      daysElapsed: daysElapsed(clockStart(f), now),
      daysSinceFirstSubmitted: daysElapsed(f.firstSubmittedAt, now),
      statutoryLimitDays: STATUTORY_LIMIT_DAYS,
      overdue: f.status === "submitted" && (daysElapsed(clockStart(f), now) ?? 0) > STATUTORY_LIMIT_DAYS,
      correctionReason: f.correctionReason,
      correctionDeadline: f.correctionDeadline?.toISOString() ?? null,
      decidedAt: f.decidedAt?.toISOString() ?? null,
      decisionReason: f.decisionReason,
      caseId: f.caseId,
    };
  }

  private async courtNames(ids: string[]) {
    const rows = await this.d.db.organization.findMany({ where: { id: { in: [...new Set(ids)] } }, select: { id: true, name: true } });
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async listMine(p: Principal) {
    const rows = await this.d.db.filing.findMany({ where: { filerId: p.userId }, orderBy: { createdAt: "desc" } });
    const names = await this.courtNames(rows.map((r) => r.courtId));
    return rows.map((r) => this.summaryOf(r, names.get(r.courtId) ?? ""));
  }

  /** The clerk's court's submitted filings, the longest waiting first (the statutory clock's start). */
  async queue(p: Principal) {
    if (!p.organizationId) return [];
    const rows = await this.d.db.filing.findMany({ where: { courtId: p.organizationId, status: "submitted" }, orderBy: [{ lastSubmittedAt: "asc" }, { id: "asc" }] });
    const filers = await this.d.db.user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.filerId))] } }, select: { id: true, name: true } });
    const names = new Map(filers.map((u) => [u.id, u.name]));
    return rows.map((r) => ({ ...this.summaryOf(r), filer: names.get(r.filerId) ?? null }));
  }

  async detail(access: FilingAccess) {
    const f = access.filing;
    const { db } = this.d;
    const [court, filer, versions, events, attachments] = await Promise.all([
      db.organization.findUnique({ where: { id: f.courtId }, select: { name: true } }),
      db.user.findUnique({ where: { id: f.filerId }, select: { name: true, email: true } }),
      db.filingVersion.findMany({ where: { filingId: f.id }, orderBy: { version: "asc" } }),
      db.filingEvent.findMany({ where: { filingId: f.id }, orderBy: { seq: "asc" } }),
      db.filingAttachment.findMany({ where: { filingId: f.id }, orderBy: { addedAt: "asc" } }),
    ]);
    const items = await this.d.evidence.itemsByIds([
      ...attachments.map((a) => a.evidenceId),
      ...versions.flatMap((v) => [v.recordEvidenceId, ...(v.complaintEvidenceId ? [v.complaintEvidenceId] : [])]),
    ]);
    const itemOf = (id: string | null) => {
      const i = id ? items.get(id) : undefined;
      return i ? { evidenceId: i.id, sha256: i.sha256, status: i.status } : null;
    };
    // The court sees what was submitted (the latest version), not the filer's amendments in progress.
    const courtSide = access.relation === "clerk" || access.relation === "court";
    const latest = versions.at(-1);
    const submittedContent = latest ? (JSON.parse(latest.content) as { content: FilingDraft }) : null;
    const draft = courtSide && submittedContent ? { ...submittedContent.content, citations: submittedContent.content.citations.map((c) => ({ evidenceId: c.evidenceId, purpose: c.purpose })) } : parseDraft(f.draft);
    const submittedAttachments = new Set(versions.flatMap((v) => (JSON.parse(v.content) as { attachments: { id: string }[] }).attachments.map((a) => a.id)));
    const shown = courtSide ? attachments.filter((a) => submittedAttachments.has(a.id)) : attachments;
    return {
      ...this.summaryOf(f, court?.name ?? ""),
      filer: filer ? { id: f.filerId, name: filer.name } : null,
      draft,
      attachments: shown.map((a) => ({
        id: a.id,
        kind: a.kind,
        title: a.title,
        addedAt: a.addedAt.toISOString(),
        removedAt: a.removedAt?.toISOString() ?? null,
        ...itemOf(a.evidenceId)!,
        fileName: items.get(a.evidenceId)?.fileName ?? null,
        size: items.get(a.evidenceId)?.size ?? null,
      })),
      citations: await verifyCitations(this.d, draft.citations),
      versions: versions.map((v) => ({
        version: v.version,
        submittedAt: v.submittedAt.toISOString(),
        submittedById: v.submittedById,
        record: itemOf(v.recordEvidenceId),
        complaint: itemOf(v.complaintEvidenceId),
        content: JSON.parse(v.content) as unknown,
      })),
      events: events.map((e) => ({ seq: e.seq, at: e.at.toISOString(), action: e.action, actorId: e.actorId, fromStatus: e.fromStatus, toStatus: e.toStatus, details: JSON.parse(e.details) as unknown })),
    };
  }

  // ---- submission

  async submit(p: Principal, access: FilingAccess) {
    const f = access.filing;
    this.assertEditable(f);
    const draft = completeDraft(parseDraft(f.draft));
    const { db, evidence, identity, store } = this.d;
    const attachments = await db.filingAttachment.findMany({ where: { filingId: f.id, removedAt: null }, orderBy: { addedAt: "asc" } });
    const complaint = attachments.filter((a) => a.kind === "complaint").pop();
    if (!complaint) throw new ApiError(409, "complaint_required", "attach the complaint (起诉状) as a PDF before submitting");
    // Cited items must be anchored when the court receives them: that is what makes them citable.
    const cited = await evidence.itemsByIds(draft.citations.map((c) => c.evidenceId));
    for (const c of draft.citations) {
      const item = cited.get(c.evidenceId);
      if (!item || item.status !== "anchored") throw new ApiError(409, "citation_not_anchored", `cited evidence ${c.evidenceId} is not anchored yet: submit once it is`);
    }
    const signer = await identity.signerForUser(p.userId);
    if (!signer) throw new ApiError(409, "certificate_required", "your current certificate's key is held by you; signing the complaint needs a certificate whose key the platform holds");

    const at = this.now();
    const version = f.version + 1;
    const original = await evidence.storedContent(complaint.evidenceId);
    const pdf = await readAll(original.stream);
    const organization = p.organizationId ? (await db.organization.findUnique({ where: { id: p.organizationId }, select: { name: true } }))?.name ?? null : null;
    let signed: Buffer;
    try {
      signed = await signPdf(pdf, signer, {
        fieldName: `filing-v${version}`,
        reason: `起诉人提交立案申请《${draft.title}》 Filed with the court`,
        signingTime: at,
        stamp: { page: 0, rect: [40, 40, 220, 54], lines: [p.name, organization ?? "个人 Individual", at.toISOString().slice(0, 16).replace("T", " ") + " UTC"] },
        timestamp: (sig) => identity.timestamp(createHash("sha256").update(sig).digest()),
      });
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw new ApiError(422, "unreadable_pdf", `the complaint PDF cannot be signed: ${(e as Error).message}`);
    }
    const staged = await store.stage(Readable.from([signed]), { maxBytes: Number.MAX_SAFE_INTEGER, sizeHint: signed.length });
    let signedItem: AcceptedItem;
    try {
      signedItem = await evidence.acceptFile(p, staged, { title: `${complaint.title}（已签名 signed, v${version}）`, source: "online filing", fileName: `complaint-v${version}-signed.pdf`, mediaType: "application/pdf", restricted: true });
    } catch (e) {
      await staged.discard();
      throw e;
    }
    const attachmentItems = await evidence.itemsByIds(attachments.map((a) => a.evidenceId));
    const record = {
      type: "filing-version",
      filingId: f.id,
      courtId: f.courtId,
      version,
      filer: { id: p.userId, organizationId: f.filerOrgId },
      submittedAt: at.toISOString(),
      content: draft,
      complaint: { attachmentId: complaint.id, evidenceId: complaint.evidenceId, signedEvidenceId: signedItem.id, signedSha256: signedItem.sha256 },
      attachments: attachments.map((a) => ({ id: a.id, kind: a.kind, title: a.title, evidenceId: a.evidenceId, sha256: attachmentItems.get(a.evidenceId)!.sha256 })),
      citations: draft.citations.map((c) => ({ ...c, sha256: cited.get(c.evidenceId)!.sha256 })),
    };
    const canonical = canonicalize(record);
    const recordSha = "0x" + createHash("sha256").update(canonical).digest("hex");
    const recordItem = await evidence.acceptDigest(p, recordSha, { title: `立案申请 Filing "${draft.title}" v${version}`, source: `filing:${f.id}`, restricted: true });

    await changeWithAudit(db, async (tx, audit) => {
      await moveFiling(tx, f.id, EDITABLE, "submitted", p.userId, { version, recordEvidenceId: recordItem.id, recordSha256: recordSha, complaintEvidenceId: signedItem.id }, {
        audit,
        at,
        action: version === 1 ? "filing.submitted" : "filing.resubmitted",
        data: { version, lastSubmittedAt: at, ...(f.firstSubmittedAt ? {} : { firstSubmittedAt: at }) },
      });
      await tx.filingVersion.create({
        data: { id: randomUUID(), filingId: f.id, version, content: canonical, recordEvidenceId: recordItem.id, complaintEvidenceId: signedItem.id, submittedById: p.userId, submittedAt: at },
      });
    });
    return { ...(await this.detailById(f.id)) };
  }

  /**
   * The stored file of an item the reader sees listed in the filing (an attachment, a cited item, a
   * version's signed complaint), by its evidence id; anything else is 404 as if absent, so the
   * route opens no other item of the platform.
   */
  async document(access: FilingAccess, evidenceId: string) {
    const d = await this.detail(access);
    const listed = new Set<string>([
      ...d.attachments.filter((a) => !a.removedAt).map((a) => a.evidenceId),
      ...d.citations.map((c) => c.evidenceId),
      ...d.versions.flatMap((v) => (v.complaint ? [v.complaint.evidenceId] : [])),
    ]);
    if (!listed.has(evidenceId)) throw notFound("attachment");
    return this.d.evidence.storedContent(evidenceId);
  }

  private async detailById(id: string) {
    const filing = (await this.d.db.filing.findUnique({ where: { id } }))!;
    return this.detail({ filing, relation: "filer" });
  }

  // ---- the clerk's decisions

  private assertSubmitted(f: FilingRow) {
    if (f.status !== "submitted") throw new ApiError(409, "already_decided", `the filing is ${f.status}: only a submitted filing awaits a decision`);
  }

  async accept(p: Principal, access: FilingAccess, input: { causeOfAction: string; judgeId: string; number?: string }) {
    const f = access.filing;
    this.assertSubmitted(f);
    const { db } = this.d;
    const judge = await db.user.findUnique({ where: { id: input.judgeId } });
    if (!judge || judge.role !== "judge" || judge.organizationId !== f.courtId || judge.disabledAt || judge.status !== "active") {
      throw badRequest("invalid_judge", "judgeId names no active judge of this court");
    }
    const court = (await db.organization.findUnique({ where: { id: f.courtId } }))!;
    const latest = await db.filingVersion.findFirst({ where: { filingId: f.id }, orderBy: { version: "desc" } });
    if (!latest) throw new Error(`filing ${f.id} is submitted without a version`);
    const content = JSON.parse(latest.content) as {
      content: ReturnType<typeof completeDraft>;
      attachments: { kind: string; title: string; evidenceId: string }[];
    };
    const draft = content.content;
    const at = this.now();
    const submittedAt = latest.submittedAt;
    const evidence: FiledEvidence[] = [
      ...content.attachments.filter((a) => a.kind === "evidence").map((a) => ({ evidenceId: a.evidenceId, partyIndex: draft.filerPartyIndex, purpose: a.title, submittedById: f.filerId, submittedAt })),
      ...draft.citations.map((c) => ({ evidenceId: c.evidenceId, partyIndex: draft.filerPartyIndex, purpose: c.purpose, submittedById: f.filerId, submittedAt })),
    ];
    const open = () => changeWithAudit(db, async (tx, audit) => {
      const number = canonicalCaseNumber(input.number ?? (await nextCaseNumber(tx, court, at)));
      await moveFiling(tx, f.id, ["submitted"], "accepted", p.userId, { number, causeOfAction: input.causeOfAction, judgeId: judge.id }, {
        audit,
        at,
        data: { decidedAt: at, decidedById: p.userId },
        notice: { caseNumber: number },
      });
      const opened = await openCaseFromFiling(
        tx,
        {
          filingId: f.id,
          courtId: court.id,
          courtName: court.name,
          number,
          causeOfAction: input.causeOfAction,
          judgeIds: [judge.id],
          actorId: p.userId,
          parties: draft.parties.map((party, i) => ({
            name: party.name,
            kind: party.kind,
            organizationId: party.organizationId ?? null,
            members: i === draft.filerPartyIndex ? [f.filerId] : [],
          })),
          evidence,
          at,
        },
        audit,
      );
      await tx.filing.update({ where: { id: f.id }, data: { caseId: opened.caseId } });
      return { filingId: f.id, status: "accepted", caseId: opened.caseId, number: opened.number };
    });
    // Two clerks of one court accepting at once may compute the same next number: the second
    // transaction fails on the unique number and takes the next one. A number the clerk gave is theirs.
    for (let attempt = 1; ; attempt++) {
      try {
        return await open();
      } catch (e) {
        if (input.number !== undefined || attempt >= 5 || !(e instanceof ApiError && e.code === "duplicate")) throw e;
      }
    }
  }

  async requestCorrection(p: Principal, access: FilingAccess, input: { reason: string; deadline: Date }) {
    const f = access.filing;
    this.assertSubmitted(f);
    const at = this.now();
    if (input.deadline.getTime() <= at.getTime()) throw badRequest("invalid_input", "body.deadline: must be in the future");
    await changeWithAudit(this.d.db, (tx, audit) =>
      moveFiling(tx, f.id, ["submitted"], "correction_requested", p.userId, { reason: input.reason, deadline: input.deadline.toISOString() }, {
        audit,
        at,
        data: { correctionReason: input.reason, correctionDeadline: input.deadline },
        notice: { reason: input.reason, deadline: input.deadline },
      }),
    );
    return this.summaryOf((await this.d.db.filing.findUnique({ where: { id: f.id } }))!);
  }

  async reject(p: Principal, access: FilingAccess, reason: string) {
    const f = access.filing;
    this.assertSubmitted(f);
    const at = this.now();
    await changeWithAudit(this.d.db, (tx, audit) =>
      moveFiling(tx, f.id, ["submitted"], "rejected", p.userId, { reason }, { audit, at, data: { decidedAt: at, decidedById: p.userId, decisionReason: reason }, notice: { reason } }),
    );
    return this.summaryOf((await this.d.db.filing.findUnique({ where: { id: f.id } }))!);
  }
}

function relationOf(p: Principal, f: FilingRow): FilingRelation {
  if (f.filerId === p.userId) return "filer";
  if (p.orgAdmin && f.filerOrgId !== null && p.organizationId === f.filerOrgId) return "filerOrg";
  if (p.organizationId === f.courtId && p.role === "clerk") return "clerk";
  if (p.organizationId === f.courtId && p.role === "judge") return "court";
  return "outsider";
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

