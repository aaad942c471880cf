// Pre-litigation mediation (诉前调解): a submitted filing goes to mediation first, asked for by the
// filer or proposed by the court's filing clerk (the filer accepts or declines). The clerk assigns a
// mediator (a mediator of the court's mediation centre or of a mediation committee); the filer, the
// mediator and the clerk talk in the mediation's thread of messages. The mediator drafts the
// mediation agreement from the "mediation-agreement" contract template with the filing's parties'
// people as signers in order, and sends it through contract signing; once that contract is
// completed the mediation is agreed (checked whenever the mediation is read or acted on). A judge of
// the court then confirms it (司法确认): a signed order (PAdES, the judge's certificate) kept as an
// evidence item and a CourtOrder row; the filing is closed as "mediated". A mediation that fails
// (ended by the mediator or the clerk with a reason) sends the filing back to the clerk's review.
// Every change is one transaction with its audit entries and notice mails; filing moves go through
// filing/state.ts moveFiling.
import { createHash, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import type { Db, Tx } from "../db/client";
import type { Principal } from "../accounts/roles";
import { changeWithAudit } from "../audit/service";
import { ApiError, badRequest, forbidden, notFound } from "../http/errors";
import type { EvidenceService, AcceptedItem } from "../evidence/service";
import type { IdentityService } from "../identity/service";
import type { ContentStore } from "../storage/content-store";
import type { ContractsService } from "../contracts/service";
import type { RequestMeta } from "../contracts/events";
import { signPdf } from "../pdf/pades";
import { chinaTime } from "../contracts/format";
import { enqueueMail, type MailInput } from "../notifications/outbox";
import { moveFiling } from "../filing/state";
import { parseDraft } from "../filing/content";
import { decideMediation, decideMediationByRole, isMediationAction, type MediationAction, type MediationRelation, type MediationRouteAction } from "./access";
import { renderConfirmationOrder, STAMP_RECT } from "./render";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const MEDIATION_STATUSES = ["proposed", "in_progress", "agreed", "confirmed", "failed"] as const;
export type MediationStatus = (typeof MEDIATION_STATUSES)[number];
const OPEN: MediationStatus[] = ["proposed", "in_progress"];
const ENDED_CONTRACT = ["declined", "voided", "expired"];

type FilingRow = NonNullable<Awaited<ReturnType<Db["filing"]["findUnique"]>>>;
type MediationRow = NonNullable<Awaited<ReturnType<Db["mediation"]["findUnique"]>>>;

export interface MediationAccess {
  action: MediationAction;
  filing: FilingRow;
  /** null only when opening */
  mediation: MediationRow | null;
  relation: Exclude<MediationRelation, "outsider">;
}

export interface MediationDeps {
  db: Db;
  evidence: EvidenceService;
  identity: IdentityService;
  store: ContentStore;
  contracts: ContractsService;
  now?: () => Date;
}

export interface AgreementInput {
  title?: string;
  dispute?: string;
  terms: string[];
  place?: string;
  /** who signs for each party of the filing, by the party's index; step = the party's order */
  signers: { partyIndex: number; userId: string }[];
}

const wrongState = (m: { status: string }, needs: string) =>
  new ApiError(409, "wrong_state", `the mediation is ${m.status.replace("_", " ")}: this needs it to be ${needs}`);

const titleOf = (f: FilingRow) => String(parseDraft(f.draft).title ?? "");

export class MediationService {
  constructor(private readonly d: MediationDeps) {}

  private now() {
    return this.d.now?.() ?? new Date();
  }

  /** The access decision for a route: throws 403/404, returns what the handler works on. */
  async authorize(action: MediationRouteAction, p: Principal, params: Record<string, string>, byFiling = false): Promise<MediationAccess | null> {
    if (!isMediationAction(action)) {
      if (decideMediationByRole(action, p.role) !== "allow") throw forbidden();
      return null;
    }
    const { db } = this.d;
    const id = params.id ?? "";
    let filing: FilingRow | null = null;
    let mediation: MediationRow | null = null;
    if (byFiling) {
      filing = UUID.test(id) ? await db.filing.findUnique({ where: { id } }) : null;
      if (!filing) throw notFound("filing");
      mediation = await db.mediation.findUnique({ where: { filingId: filing.id } });
    } else {
      mediation = UUID.test(id) ? await db.mediation.findUnique({ where: { id } }) : null;
      if (!mediation) throw notFound("mediation");
      filing = await db.filing.findUnique({ where: { id: mediation.filingId } });
      if (!filing) throw notFound("mediation");
    }
    const relation = relationOf(p, filing, mediation);
    const outcome = decideMediation(action, relation, filing.firstSubmittedAt !== null);
    if (outcome === "hidden" || relation === "outsider") throw notFound(byFiling ? "filing" : "mediation");
    if (outcome === "forbidden") throw forbidden("your part in this mediation does not allow this");
    // The agreement's contract may have completed since: catch up before anything reads the state.
    if (mediation) mediation = await this.syncAgreement(mediation);
    return { action, filing, mediation, relation };
  }

  // ---- reading

  async list(p: Principal) {
    const { db } = this.d;
    const where =
      p.role === "mediator"
        ? { mediatorId: p.userId }
        : p.role === "clerk" || p.role === "judge"
          ? { courtId: p.organizationId ?? "-" }
          : { filingId: { in: (await db.filing.findMany({ where: { filerId: p.userId }, select: { id: true } })).map((f) => f.id) } };
    const rows = await db.mediation.findMany({ where, orderBy: { createdAt: "desc" }, take: 500 });
    const out = [];
    for (const r of rows) out.push(await this.summary(await this.syncAgreement(r)));
    return out;
  }

  private async summary(m: MediationRow) {
    const { db } = this.d;
    const filing = await db.filing.findUnique({ where: { id: m.filingId } });
    const [court, mediator, filer] = await Promise.all([
      db.organization.findUnique({ where: { id: m.courtId }, select: { name: true } }),
      m.mediatorId ? db.user.findUnique({ where: { id: m.mediatorId }, select: { id: true, name: true, organizationId: true } }) : null,
      // the filer signs the agreement for its side: the mediator's page names them as that signer
      filing ? db.user.findUnique({ where: { id: filing.filerId }, select: { id: true, name: true } }) : null,
    ]);
    return {
      id: m.id,
      filingId: m.filingId,
      title: filing ? titleOf(filing) : null,
      filingStatus: filing?.status ?? null,
      courtId: m.courtId,
      court: court?.name ?? null,
      status: m.status,
      requestedBy: m.requestedBy,
      mediator: mediator ? { id: mediator.id, name: mediator.name, organizationId: mediator.organizationId } : null,
      filer: filer ? { id: filer.id, name: filer.name } : null,
      createdAt: m.createdAt.toISOString(),
      updatedAt: m.updatedAt.toISOString(),
      agreementContractId: m.agreementContractId,
      confirmationOrderId: m.confirmationOrderId,
      endedAt: m.endedAt?.toISOString() ?? null,
      endReason: m.endReason,
    };
  }

  async detail(access: MediationAccess) {
    const m = access.mediation!;
    const { db } = this.d;
    const contract = m.agreementContractId ? await db.contract.findUnique({ where: { id: m.agreementContractId }, include: { signers: true } }) : null;
    const order = m.confirmationOrderId ? await db.courtOrder.findUnique({ where: { id: m.confirmationOrderId } }) : null;
    const orderItem = order ? (await this.d.evidence.itemsByIds([order.evidenceId])).get(order.evidenceId) : undefined;
    return {
      ...(await this.summary(m)),
      parties: parseDraft(access.filing.draft).parties ?? [],
      filerPartyIndex: parseDraft(access.filing.draft).filerPartyIndex ?? 0,
      agreement: contract
        ? {
            contractId: contract.id,
            title: contract.title,
            status: contract.status,
            sha256: contract.currentSha256,
            finalEvidenceId: contract.finalEvidenceId,
            signers: [...contract.signers]
              .sort((a, b) => a.step - b.step || a.position - b.position)
              .map((s) => ({ step: s.step, userId: s.userId, name: s.name, role: s.role, status: s.status, signedAt: s.signedAt?.toISOString() ?? null })),
          }
        : null,
      confirmation: order
        ? { id: order.id, kind: order.kind, title: order.title, evidenceId: order.evidenceId, sha256: orderItem?.sha256 ?? null, issuedById: order.issuedById, issuedAt: order.issuedAt.toISOString() }
        : null,
    };
  }

  private async detailOf(access: MediationAccess, id: string) {
    const mediation = (await this.d.db.mediation.findUnique({ where: { id } }))!;
    const filing = (await this.d.db.filing.findUnique({ where: { id: mediation.filingId } }))!;
    return this.detail({ ...access, mediation, filing });
  }

  // ---- opening: the filer asks, or the clerk proposes

  async open(p: Principal, access: MediationAccess, input: { note?: string }) {
    const f = access.filing;
    if (access.mediation) throw new ApiError(409, "already_mediated", `this filing already had a mediation (${access.mediation.status.replace("_", " ")}); a filing goes to mediation once`);
    if (f.status !== "submitted") throw new ApiError(409, "already_decided", `the filing is ${f.status}: only a submitted filing can go to mediation`);
    const byFiler = access.relation === "filer";
    const status: MediationStatus = byFiler ? "in_progress" : "proposed";
    const at = this.now();
    const id = randomUUID();
    await changeWithAudit(this.d.db, async (tx, audit) => {
      await tx.mediation.create({
        data: { id, filingId: f.id, courtId: f.courtId, status, requestedBy: byFiler ? "filer" : "clerk", createdById: p.userId, createdAt: at, updatedAt: at },
      });
      audit({ actorId: p.userId, action: byFiler ? "mediation.requested" : "mediation.proposed", subject: id, details: { filingId: f.id, note: input.note ?? null } });
      if (byFiler) {
        await moveFiling(tx, f.id, ["submitted"], "mediation", p.userId, { mediationId: id, requestedBy: "filer" }, { audit, at, action: "filing.mediation", data: { mediationRequested: true } });
        await this.tell(tx, f, id, "requested", await this.clerksOf(tx, f.courtId), input.note ?? null);
      } else {
        // The filing waits for the filer's answer; it moves into mediation when they accept.
        await this.tell(tx, f, id, "proposed", [f.filerId], input.note ?? null);
      }
      if (input.note) await this.addMessage(tx, id, p.userId, input.note, at);
    });
    return this.detailOf(access, id);
  }

  async accept(p: Principal, access: MediationAccess) {
    const m = access.mediation!;
    if (m.status !== "proposed") throw wrongState(m, "proposed");
    const at = this.now();
    await changeWithAudit(this.d.db, async (tx, audit) => {
      await this.setStatus(tx, m, ["proposed"], { status: "in_progress" }, at);
      audit({ actorId: p.userId, action: "mediation.accepted", subject: m.id, details: { filingId: m.filingId } });
      await moveFiling(tx, m.filingId, ["submitted"], "mediation", p.userId, { mediationId: m.id, requestedBy: "clerk" }, { audit, at, action: "filing.mediation" });
      await this.tell(tx, access.filing, m.id, "in_progress", [m.createdById, ...(m.mediatorId ? [m.mediatorId] : [])], null);
    });
    return this.detailOf(access, m.id);
  }

  async decline(p: Principal, access: MediationAccess, reason: string) {
    const m = access.mediation!;
    if (m.status !== "proposed") throw wrongState(m, "proposed");
    const at = this.now();
    await changeWithAudit(this.d.db, async (tx, audit) => {
      // The filing never left review: it stays submitted.
      await this.setStatus(tx, m, ["proposed"], { status: "failed", endedAt: at, endReason: reason }, at);
      audit({ actorId: p.userId, action: "mediation.declined", subject: m.id, details: { filingId: m.filingId, reason } });
      await this.tell(tx, access.filing, m.id, "failed", [m.createdById], reason);
    });
    return this.detailOf(access, m.id);
  }

  // ---- the mediator

  async assign(p: Principal, access: MediationAccess, mediatorId: string) {
    const m = access.mediation!;
    if (!OPEN.includes(m.status as MediationStatus)) throw wrongState(m, "proposed or in progress");
    if (m.agreementContractId) throw new ApiError(409, "agreement_drafted", "the mediator drafted an agreement already: the mediation keeps its mediator");
    const { db } = this.d;
    const u = await db.user.findUnique({ where: { id: mediatorId } });
    const org = u?.organizationId ? await db.organization.findUnique({ where: { id: u.organizationId } }) : null;
    if (!u || u.role !== "mediator" || u.disabledAt || u.status !== "active" || !org || !(org.id === m.courtId || org.kind === "mediation")) {
      throw badRequest("invalid_mediator", "mediatorId names no active mediator of this court's mediation centre or of a mediation committee");
    }
    const at = this.now();
    await changeWithAudit(db, async (tx, audit) => {
      await this.setStatus(tx, m, OPEN, { mediatorId: u.id }, at);
      audit({ actorId: p.userId, action: "mediation.mediator_assigned", subject: m.id, details: { mediatorId: u.id, organizationId: org.id, previous: m.mediatorId } });
      await this.tell(tx, access.filing, m.id, "assigned", [u.id, access.filing.filerId], null);
    });
    return this.detailOf(access, m.id);
  }

  // ---- messages: the thread "mediation:<id>"

  async messages(access: MediationAccess) {
    const m = access.mediation!;
    const rows = await this.d.db.message.findMany({ where: { thread: `mediation:${m.id}` }, orderBy: [{ at: "asc" }, { id: "asc" }], take: 2000 });
    const authors = await this.d.db.user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.authorId))] } }, select: { id: true, name: true, role: true } });
    const byId = new Map(authors.map((a) => [a.id, a]));
    return rows.map((r) => ({ id: r.id, authorId: r.authorId, author: byId.get(r.authorId)?.name ?? null, authorRole: byId.get(r.authorId)?.role ?? null, body: r.body, at: r.at.toISOString() }));
  }

  async post(p: Principal, access: MediationAccess, body: string) {
    const m = access.mediation!;
    if (!OPEN.includes(m.status as MediationStatus)) throw wrongState(m, "proposed or in progress");
    const at = this.now();
    const id = await changeWithAudit(this.d.db, async (tx, audit) => {
      const mid = await this.addMessage(tx, m.id, p.userId, body, at);
      audit({ actorId: p.userId, action: "mediation.message", subject: m.id, details: { messageId: mid, length: body.length } });
      return mid;
    });
    return { id, authorId: p.userId, author: p.name, authorRole: p.role, body, at: at.toISOString() };
  }

  private async addMessage(tx: Tx, mediationId: string, authorId: string, body: string, at: Date) {
    const id = randomUUID();
    await tx.message.create({ data: { id, thread: `mediation:${mediationId}`, authorId, body, at } });
    return id;
  }

  // ---- the agreement

  async draftAgreement(p: Principal, access: MediationAccess, input: AgreementInput, meta: RequestMeta) {
    const m = access.mediation!;
    if (m.status !== "in_progress") throw wrongState(m, "in progress");
    const { db, contracts } = this.d;
    if (m.agreementContractId) {
      const current = await db.contract.findUnique({ where: { id: m.agreementContractId } });
      if (current && !ENDED_CONTRACT.includes(current.status)) {
        throw new ApiError(409, "agreement_pending", `the agreement ${current.id} is ${current.status.replace("_", " ")}: void it before drafting another`);
      }
    }
    const draft = parseDraft(access.filing.draft);
    const parties = draft.parties ?? [];
    if (parties.length < 2) throw new ApiError(409, "parties_missing", "the filing names fewer than two parties");
    // One signer per party, each party's signer a person of that party.
    const seen = new Set<number>();
    for (const [i, s] of input.signers.entries()) {
      if (s.partyIndex >= parties.length) throw badRequest("invalid_input", `body.signers[${i}].partyIndex: the filing has ${parties.length} parties`);
      if (seen.has(s.partyIndex)) throw badRequest("invalid_input", `body.signers[${i}].partyIndex: one signer per party`);
      seen.add(s.partyIndex);
    }
    if (seen.size !== parties.length) throw badRequest("signers_missing", "body.signers: name one signer for every party of the filing");
    const users = await db.user.findMany({ where: { id: { in: input.signers.map((s) => s.userId) } } });
    const byId = new Map(users.map((u) => [u.id, u]));
    for (const [i, s] of input.signers.entries()) {
      const u = byId.get(s.userId);
      const party = parties[s.partyIndex];
      if (!u || u.disabledAt || u.status !== "active") throw badRequest("unknown_signer", `body.signers[${i}]: no such (active) user`);
      const filerSide = s.partyIndex === draft.filerPartyIndex && u.id === access.filing.filerId;
      const ofParty = party.organizationId ? u.organizationId === party.organizationId : !["judge", "clerk", "mediator", "admin"].includes(u.role);
      if (!filerSide && !ofParty) throw badRequest("invalid_signer", `body.signers[${i}]: the user is not a person of party ${party.name}`);
    }
    const mediator = (await db.user.findUnique({ where: { id: p.userId } }))!;
    const mediatorOrg = mediator.organizationId ? await db.organization.findUnique({ where: { id: mediator.organizationId }, select: { name: true } }) : null;
    const applicantIndex = draft.filerPartyIndex ?? 0;
    const applicant = parties[applicantIndex];
    const others = parties.filter((_, i) => i !== applicantIndex);
    const title = input.title ?? `调解协议书 Mediation Agreement — ${draft.title ?? access.filing.id}`;
    const ordered = [...input.signers].sort((a, b) => (a.partyIndex === applicantIndex ? -1 : b.partyIndex === applicantIndex ? 1 : a.partyIndex - b.partyIndex));
    const created = await contracts.createFromTemplate(
      p,
      {
        title,
        templateId: "mediation-agreement",
        values: {
          applicant: { name: applicant.name, ...(applicant.address ? { address: applicant.address } : {}), ...(applicant.representative ? { representative: applicant.representative } : {}) },
          respondent: { name: others.map((o) => o.name).join("、").slice(0, 100) },
          mediator: `${mediator.name}${mediatorOrg ? `（${mediatorOrg.name}）` : ""}`,
          dispute: input.dispute ?? draft.causeOfAction ?? draft.title ?? "民事纠纷",
          terms: input.terms,
          ...(input.place ? { place: input.place } : {}),
        },
        // Ordered steps: the applicant first, then each other party in the filing's order.
        signers: ordered.map((s, i) => ({ userId: s.userId, step: i + 1, role: `${parties[s.partyIndex].kind === "plaintiff" ? "申请人" : "被申请人"} ${parties[s.partyIndex].name}`.slice(0, 100) })),
      },
      meta,
    );
    const at = this.now();
    await changeWithAudit(db, async (tx, audit) => {
      await this.setStatus(tx, m, ["in_progress"], { agreementContractId: created.id }, at);
      audit({ actorId: p.userId, action: "mediation.agreement_drafted", subject: m.id, details: { contractId: created.id, previous: m.agreementContractId, signers: ordered.map((s) => s.userId) } });
      await this.tell(tx, access.filing, m.id, "agreement", [access.filing.filerId], null);
    });
    return { mediation: await this.detailOf(access, m.id), contract: created };
  }

  /** The agreement's contract completed: the mediation is agreed (done on read, once). */
  private async syncAgreement(m: MediationRow): Promise<MediationRow> {
    if (m.status !== "in_progress" || !m.agreementContractId) return m;
    const c = await this.d.db.contract.findUnique({ where: { id: m.agreementContractId }, select: { status: true, currentSha256: true } });
    if (c?.status !== "completed") return m;
    const at = this.now();
    await changeWithAudit(this.d.db, async (tx, audit) => {
      const u = await tx.mediation.updateMany({ where: { id: m.id, status: "in_progress", agreementContractId: m.agreementContractId }, data: { status: "agreed", updatedAt: at } });
      if (u.count !== 1) return;
      audit({ actorId: null, action: "mediation.agreed", subject: m.id, details: { contractId: m.agreementContractId, sha256: c.currentSha256 } });
      const filing = await tx.filing.findUnique({ where: { id: m.filingId } });
      if (filing) {
        const judges = await tx.user.findMany({ where: { organizationId: m.courtId, role: "judge" }, select: { id: true } });
        await this.tell(tx, filing, m.id, "agreed", [filing.filerId, ...(m.mediatorId ? [m.mediatorId] : []), ...judges.map((j) => j.id)], null);
      }
    });
    return (await this.d.db.mediation.findUnique({ where: { id: m.id } }))!;
  }

  // ---- judicial confirmation

  async confirm(p: Principal, access: MediationAccess, input: { ruling?: string }) {
    const m = access.mediation!;
    if (m.status !== "agreed") throw wrongState(m, "agreed (the agreement signed by every party)");
    const { db, evidence, identity, store } = this.d;
    const contract = (await db.contract.findUnique({ where: { id: m.agreementContractId! } }))!;
    const signer = await identity.signerForUser(p.userId);
    if (!signer) throw new ApiError(409, "certificate_required", "your current certificate's key is held by you; signing the order needs a certificate whose key the platform holds");
    const [court, mediator] = await Promise.all([
      db.organization.findUnique({ where: { id: m.courtId }, select: { name: true } }),
      m.mediatorId ? db.user.findUnique({ where: { id: m.mediatorId }, select: { name: true } }) : null,
    ]);
    const draft = parseDraft(access.filing.draft);
    const id = randomUUID();
    const at = this.now();
    const pdf = await renderConfirmationOrder({
      id,
      court: court?.name ?? "",
      filing: { id: access.filing.id, title: draft.title ?? "" },
      parties: (draft.parties ?? []).map((x) => ({ name: x.name, kind: x.kind })),
      mediation: { id: m.id, mediator: mediator?.name ?? null },
      agreement: { contractId: contract.id, title: contract.title, sha256: contract.currentSha256 },
      ruling: input.ruling ?? null,
      judge: { name: p.name },
      issuedAt: at,
    });
    const signed = await signPdf(pdf, signer, {
      fieldName: `judicial-confirmation-${id.slice(0, 8)}`,
      reason: `司法确认 Judicial confirmation of the mediation agreement ${contract.id}`,
      signingTime: at,
      stamp: { page: 0, rect: STAMP_RECT, lines: [p.name, court?.name ?? "", chinaTime(at, false)] },
      timestamp: (sig) => identity.timestamp(createHash("sha256").update(sig).digest()),
    });
    const staged = await store.stage(Readable.from([signed]), { maxBytes: Number.MAX_SAFE_INTEGER, sizeHint: signed.length });
    let item: AcceptedItem;
    try {
      item = await evidence.acceptFile(p, staged, {
        title: `民事裁定书（司法确认） Judicial confirmation — ${draft.title ?? m.filingId}`,
        source: `mediation:${m.id}`,
        fileName: `judicial-confirmation-${id}.pdf`,
        mediaType: "application/pdf",
        restricted: true,
      });
    } catch (e) {
      await staged.discard();
      throw e;
    }
    await changeWithAudit(db, async (tx, audit) => {
      await this.setStatus(tx, m, ["agreed"], { status: "confirmed", confirmationOrderId: id, endedAt: at }, at);
      await tx.courtOrder.create({ data: { id, caseId: null, mediationId: m.id, kind: "judicial-confirmation", title: "民事裁定书（司法确认）", evidenceId: item.id, issuedById: p.userId, issuedAt: at } });
      audit({ actorId: p.userId, action: "mediation.confirmed", subject: m.id, details: { orderId: id, evidenceId: item.id, sha256: item.sha256, contractId: contract.id } });
      await moveFiling(tx, m.filingId, ["mediation"], "mediated", p.userId, { mediationId: m.id, orderId: id }, { audit, at, data: { decidedAt: at, decidedById: p.userId } });
      await this.tell(tx, access.filing, m.id, "confirmed", m.mediatorId ? [m.mediatorId] : [], null);
    });
    return this.detailOf(access, m.id);
  }

  /** The signed order's PDF. */
  async orderDocument(access: MediationAccess) {
    const m = access.mediation!;
    if (!m.confirmationOrderId) throw new ApiError(409, "not_confirmed", "the mediation has no confirmation order yet");
    const order = (await this.d.db.courtOrder.findUnique({ where: { id: m.confirmationOrderId } }))!;
    return this.d.evidence.storedContent(order.evidenceId);
  }

  // ---- failure

  async fail(p: Principal, access: MediationAccess, reason: string) {
    const m = access.mediation!;
    if (m.status !== "in_progress") throw wrongState(m, "in progress");
    const { db } = this.d;
    const at = this.now();
    const pending = m.agreementContractId ? await db.contract.findUnique({ where: { id: m.agreementContractId } }) : null;
    if (pending && !ENDED_CONTRACT.includes(pending.status) && pending.status !== "draft") {
      throw new ApiError(409, "agreement_pending", `the agreement ${pending.id} is ${pending.status.replace("_", " ")}: void it before ending the mediation`);
    }
    await changeWithAudit(db, async (tx, audit) => {
      await this.setStatus(tx, m, ["in_progress"], { status: "failed", endedAt: at, endReason: reason }, at);
      audit({ actorId: p.userId, action: "mediation.failed", subject: m.id, details: { filingId: m.filingId, reason } });
      // Back to the clerk's review (the filing's notice tells the filer).
      await moveFiling(tx, m.filingId, ["mediation"], "submitted", p.userId, { mediationId: m.id, reason }, { audit, at, action: "filing.mediation_failed", notice: { reason } });
      const others = [...(m.mediatorId && m.mediatorId !== p.userId ? [m.mediatorId] : []), ...(await this.clerksOf(tx, m.courtId)).filter((c) => c !== p.userId)];
      await this.tell(tx, access.filing, m.id, "failed", others, reason);
    });
    return this.detailOf(access, m.id);
  }

  // ---- helpers

  /** Writes the mediation only if it is still in one of `from` (a concurrent change makes this 409). */
  private async setStatus(tx: Tx, m: MediationRow, from: readonly string[], data: Record<string, unknown>, at: Date) {
    const u = await tx.mediation.updateMany({ where: { id: m.id, status: { in: [...from] }, updatedAt: m.updatedAt }, data: { ...data, updatedAt: at } });
    if (u.count !== 1) throw new ApiError(409, "conflict", "the mediation changed meanwhile: reload it and try again");
  }

  private async clerksOf(tx: Tx, courtId: string) {
    return (await tx.user.findMany({ where: { organizationId: courtId, role: "clerk" }, select: { id: true } })).map((u) => u.id);
  }

  private async tell(tx: Tx, filing: FilingRow, mediationId: string, event: string, userIds: string[], reason: string | null) {
    const users = await tx.user.findMany({ where: { id: { in: [...new Set(userIds)] }, disabledAt: null, status: "active" } });
    if (!users.length) return;
    const court = await tx.organization.findUnique({ where: { id: filing.courtId }, select: { name: true } });
    const mails: MailInput[] = users.map((u) => ({
      template: "mediation-status",
      params: { name: u.name, mediationId, title: titleOf(filing), court: court?.name ?? "", event, reason },
      to: u.email,
      recipientId: u.id,
      topic: `mediation:${mediationId}`,
    }));
    await enqueueMail(tx, mails);
  }
}

function relationOf(p: Principal, f: FilingRow, m: MediationRow | null): MediationRelation {
  if (f.filerId === p.userId) return "filer";
  if (m?.mediatorId && m.mediatorId === p.userId) return "mediator";
  if (p.organizationId === f.courtId && p.role === "clerk") return "clerk";
  if (p.organizationId === f.courtId && p.role === "judge") return "judge";
  return "outsider";
}
