// Hearings of a case (开庭): a judge schedules one at a time and place, or offers slots the parties
// choose from (在线预约); parties confirm attendance or ask to reschedule with a reason; the judge
// reschedules or cancels; the summons (传票) is rendered per party, sealed, and served through the
// case's electronic service (server/cases: inbox, receipts, confirmed addresses). Every change is
// one transaction with its audit entry and its notices; who may do what is access.ts, when the
// judge or the room is busy is conflicts.ts.
import { createHash, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import type { Db, Tx } from "../db/client";
import type { Principal } from "../accounts/roles";
import type { CasesService } from "../cases/service";
import type { AcceptedItem, EvidenceService } from "../evidence/service";
import type { IdentityService } from "../identity/service";
import type { ContentStore } from "../storage/content-store";
import { changeWithAudit } from "../audit/service";
import { ApiError, badRequest, forbidden, notFound } from "../http/errors";
import { signPdf } from "../pdf/pades";
import { chinaTime } from "../contracts/format";
import { decideHearing, HEARING_MATRIX, type HearingAction, type HearingRelation } from "./access";
import { conflictError, findConflict, lockResources, type Resources } from "./conflicts";
import { KIND_LABELS, type CreateInput, type HearingKind, type Interval, type RescheduleInput, type RespondInput } from "./input";
import { judgeIds, partyMemberIds, tellHearing, type NoticeHearing } from "./notices";
import { renderIcs } from "./ics";
import { renderSummons, SEAL_RECT } from "./summons";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
type CaseRow = NonNullable<Awaited<ReturnType<Db["courtCase"]["findUnique"]>>>;
type HearingRow = NonNullable<Awaited<ReturnType<Db["hearing"]["findUnique"]>>>;

const conflict = (code: string, message: string) => new ApiError(409, code, message);
const CASE_CLOSED = () => conflict("case_closed", "the case is closed: it accepts no more changes");

export interface HearingAccess {
  action: HearingAction;
  courtCase: CaseRow;
  relation: Exclude<HearingRelation, "outsider">;
  ownPartyId: string | null;
  hearing: HearingRow | null;
}

export interface HearingsDeps {
  db: Db;
  provider: string;
  cases: CasesService;
  evidence: EvidenceService;
  identity: IdentityService;
  store: ContentStore;
  publicUrl: string;
  now?: () => Date;
}

export class HearingsService {
  constructor(private readonly d: HearingsDeps) {}

  private now(): Date {
    return this.d.now?.() ?? new Date();
  }

  /** What the principal is to the case (404 outsiders, 403 not allowed, 409 a change to a closed case), and the hearing named. */
  async authorize(action: HearingAction, principal: Principal, params: Record<string, string | undefined>): Promise<HearingAccess> {
    const { db } = this.d;
    const caseId = params.id ?? "";
    const courtCase = UUID.test(caseId) ? await db.courtCase.findUnique({ where: { id: caseId } }) : null;
    if (!courtCase) throw notFound("case");
    const [judge, member] = await Promise.all([
      db.caseJudge.findUnique({ where: { caseId_userId: { caseId, userId: principal.userId } } }),
      db.casePartyMember.findUnique({ where: { caseId_userId: { caseId, userId: principal.userId } } }),
    ]);
    const relation: HearingRelation = judge ? "judge" : member ? "party" : "outsider";
    const outcome = decideHearing(action, relation);
    if (outcome === "hidden" || relation === "outsider") throw notFound("case");
    let hearing: HearingRow | null = null;
    if (params.hid !== undefined) {
      hearing = UUID.test(params.hid) ? await db.hearing.findFirst({ where: { id: params.hid, caseId } }) : null;
      if (!hearing) throw notFound("hearing");
    }
    if (outcome === "forbidden") throw forbidden("your part in this case does not allow this");
    if (HEARING_MATRIX[action].changes && courtCase.status !== "open") throw CASE_CLOSED();
    return { action, courtCase, relation, ownPartyId: relation === "party" ? member!.partyId : null, hearing };
  }

  private notice(c: CaseRow, h: { kind: string; startsAt: Date | null; room: string | null; onlineUrl: string | null }): NoticeHearing {
    return { caseId: c.id, caseNumber: c.number, court: c.court, kind: h.kind, startsAt: h.startsAt, room: h.room, onlineUrl: h.onlineUrl };
  }

  private inFuture(intervals: Interval[]): void {
    const now = this.now().getTime();
    if (intervals.some((i) => i.startsAt.getTime() <= now)) throw badRequest("in_the_past", "a hearing (and every offered slot) must begin in the future");
  }

  /** Inside the booking transaction: lock the judge and the room, then refuse any overlap. */
  private async book(tx: Tx, r: Resources, intervals: Interval[], exclude: string | null): Promise<void> {
    const sorted = [...intervals].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i].startsAt.getTime() < sorted[i - 1].endsAt.getTime()) throw badRequest("invalid_input", "slots: the offered slots overlap each other");
    }
    await lockResources(tx, this.d.provider, r);
    const hit = await findConflict(tx, r, intervals, exclude);
    if (hit) throw conflictError(hit);
  }

  private async lockOpen(tx: Tx, caseId: string): Promise<void> {
    const { count } = await tx.courtCase.updateMany({ where: { id: caseId, status: "open" }, data: { status: "open" } });
    if (count !== 1) throw CASE_CLOSED();
  }

  async create(principal: Principal, access: HearingAccess, input: CreateInput) {
    const c = access.courtCase;
    const intervals = input.slots ?? [{ startsAt: input.startsAt!, endsAt: input.endsAt! }];
    this.inFuture(intervals);
    const id = randomUUID();
    const at = this.now();
    const fixed = !input.slots;
    const row = {
      id,
      caseId: c.id,
      courtId: c.courtId,
      judgeId: principal.userId,
      kind: input.kind,
      status: fixed ? "scheduled" : "offered",
      startsAt: fixed ? input.startsAt! : null,
      endsAt: fixed ? input.endsAt! : null,
      room: input.room ?? null,
      onlineUrl: input.onlineUrl ?? null,
      notes: input.notes ?? null,
      createdById: principal.userId,
      createdAt: at,
      updatedAt: at,
    };
    await changeWithAudit(this.d.db, async (tx, audit) => {
      await this.lockOpen(tx, c.id);
      await this.book(tx, { judgeId: principal.userId, courtId: c.courtId, room: row.room }, intervals, null);
      await tx.hearing.create({ data: row });
      if (input.slots) await tx.hearingSlot.createMany({ data: input.slots.map((s) => ({ id: randomUUID(), hearingId: id, startsAt: s.startsAt, endsAt: s.endsAt })) });
      audit({
        actorId: principal.userId,
        action: fixed ? "hearing.scheduled" : "hearing.offered",
        subject: id,
        details: { caseId: c.id, kind: row.kind, room: row.room, online: !!row.onlineUrl, times: intervals.map((i) => [i.startsAt.toISOString(), i.endsAt.toISOString()]) },
      });
      await tellHearing(tx, await partyMemberIds(tx, c.id), this.notice(c, row), fixed ? "scheduled" : "offered");
    });
    return this.read(access, id);
  }

  async list(access: HearingAccess) {
    const rows = await this.d.db.hearing.findMany({ where: { caseId: access.courtCase.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    return { caseId: access.courtCase.id, you: { relation: access.relation, partyId: access.ownPartyId }, hearings: await this.present(rows, access) };
  }

  async read(access: HearingAccess, id = access.hearing!.id) {
    const row = await this.d.db.hearing.findUniqueOrThrow({ where: { id } });
    return (await this.present([row], access))[0];
  }

  /** A party takes one of the offered slots: the first choice fixes the hearing. */
  async choose(principal: Principal, access: HearingAccess, slotId: string) {
    const h = access.hearing!;
    const c = access.courtCase;
    const slot = UUID.test(slotId) ? await this.d.db.hearingSlot.findFirst({ where: { id: slotId, hearingId: h.id } }) : null;
    if (!slot) throw notFound("slot");
    if (h.status !== "offered") throw conflict(h.status === "cancelled" ? "hearing_cancelled" : "already_chosen", h.status === "cancelled" ? "the hearing was cancelled" : "a time was already chosen for this hearing");
    if (slot.startsAt.getTime() <= this.now().getTime()) throw conflict("slot_passed", "this slot has already begun");
    const at = this.now();
    const party = await this.d.db.caseParty.findUniqueOrThrow({ where: { id: access.ownPartyId! } });
    await changeWithAudit(this.d.db, async (tx, audit) => {
      await this.lockOpen(tx, c.id);
      const { count } = await tx.hearing.updateMany({
        where: { id: h.id, status: "offered", sequence: h.sequence },
        data: { status: "scheduled", startsAt: slot.startsAt, endsAt: slot.endsAt, updatedAt: at },
      });
      if (count !== 1) throw conflict("already_chosen", "a time was already chosen for this hearing");
      await tx.hearingSlot.update({ where: { id: slot.id }, data: { chosenById: principal.userId, chosenAt: at } });
      audit({ actorId: principal.userId, action: "hearing.slot-chosen", subject: h.id, details: { caseId: c.id, slotId: slot.id, partyId: party.id, startsAt: slot.startsAt.toISOString() } });
      const everyone = [...(await partyMemberIds(tx, c.id)), ...(await judgeIds(tx, c.id))];
      await tellHearing(tx, everyone, this.notice(c, { ...h, startsAt: slot.startsAt }), "chosen", { party: party.name, exceptId: principal.userId });
    });
    return this.read(access);
  }

  /** A party's answer to the hearing as it now stands: attending, or asking to reschedule (with a reason). */
  async respond(principal: Principal, access: HearingAccess, input: RespondInput) {
    const h = access.hearing!;
    const c = access.courtCase;
    if (h.status !== "scheduled") throw conflict("not_scheduled", h.status === "cancelled" ? "the hearing was cancelled" : "the hearing has no time yet: choose a slot first");
    const at = this.now();
    const partyId = access.ownPartyId!;
    const party = await this.d.db.caseParty.findUniqueOrThrow({ where: { id: partyId } });
    const data = { response: input.response, reason: input.reason ?? null, respondedById: principal.userId, respondedAt: at, sequence: h.sequence };
    await changeWithAudit(this.d.db, async (tx, audit) => {
      await this.lockOpen(tx, c.id);
      await tx.hearingResponse.upsert({
        where: { hearingId_partyId: { hearingId: h.id, partyId } },
        create: { id: randomUUID(), hearingId: h.id, partyId, ...data },
        update: data,
      });
      audit({ actorId: principal.userId, action: "hearing.answered", subject: h.id, details: { caseId: c.id, partyId, response: input.response, reason: input.reason ?? null, sequence: h.sequence } });
      await tellHearing(tx, await judgeIds(tx, c.id), this.notice(c, h), input.response === "confirmed" ? "confirmed" : "reschedule-requested", { party: party.name, reason: input.reason });
    });
    return this.read(access);
  }

  /** A new time (or new slots) and optionally a new place: the sequence rises, earlier answers and summonses go stale. */
  async reschedule(principal: Principal, access: HearingAccess, input: RescheduleInput) {
    const h = access.hearing!;
    const c = access.courtCase;
    if (h.status === "cancelled") throw conflict("hearing_cancelled", "the hearing was cancelled: schedule a new one");
    const intervals = input.slots ?? [{ startsAt: input.startsAt!, endsAt: input.endsAt! }];
    this.inFuture(intervals);
    const fixed = !input.slots;
    const at = this.now();
    const room = input.room ?? h.room;
    const onlineUrl = input.onlineUrl ?? h.onlineUrl;
    await changeWithAudit(this.d.db, async (tx, audit) => {
      await this.lockOpen(tx, c.id);
      await this.book(tx, { judgeId: h.judgeId, courtId: h.courtId, room }, intervals, h.id);
      const { count } = await tx.hearing.updateMany({
        where: { id: h.id, sequence: h.sequence, status: { not: "cancelled" } },
        data: {
          status: fixed ? "scheduled" : "offered",
          startsAt: fixed ? input.startsAt! : null,
          endsAt: fixed ? input.endsAt! : null,
          room,
          onlineUrl,
          sequence: h.sequence + 1,
          updatedAt: at,
        },
      });
      if (count !== 1) throw conflict("hearing_changed", "the hearing changed meanwhile: read it again");
      await tx.hearingSlot.deleteMany({ where: { hearingId: h.id } });
      if (input.slots) await tx.hearingSlot.createMany({ data: input.slots.map((s) => ({ id: randomUUID(), hearingId: h.id, startsAt: s.startsAt, endsAt: s.endsAt })) });
      audit({
        actorId: principal.userId,
        action: "hearing.rescheduled",
        subject: h.id,
        details: { caseId: c.id, sequence: h.sequence + 1, reason: input.reason ?? null, room, online: !!onlineUrl, times: intervals.map((i) => [i.startsAt.toISOString(), i.endsAt.toISOString()]) },
      });
      await tellHearing(tx, await partyMemberIds(tx, c.id), this.notice(c, { kind: h.kind, startsAt: fixed ? input.startsAt! : null, room, onlineUrl }), "rescheduled", { reason: input.reason });
    });
    return this.read(access);
  }

  async cancel(principal: Principal, access: HearingAccess, reason: string) {
    const h = access.hearing!;
    const c = access.courtCase;
    if (h.status === "cancelled") throw conflict("hearing_cancelled", "the hearing is already cancelled");
    const at = this.now();
    await changeWithAudit(this.d.db, async (tx, audit) => {
      await this.lockOpen(tx, c.id);
      const { count } = await tx.hearing.updateMany({
        where: { id: h.id, status: { not: "cancelled" } },
        data: { status: "cancelled", cancelledAt: at, cancelReason: reason, sequence: h.sequence + 1, updatedAt: at },
      });
      if (count !== 1) throw conflict("hearing_cancelled", "the hearing is already cancelled");
      audit({ actorId: principal.userId, action: "hearing.cancelled", subject: h.id, details: { caseId: c.id, reason } });
      await tellHearing(tx, await partyMemberIds(tx, c.id), this.notice(c, h), "cancelled", { reason });
    });
    return this.read(access);
  }

  /** The hearing as an iCalendar file; an offered hearing has no time yet (409). */
  async calendar(access: HearingAccess): Promise<{ fileName: string; ics: string }> {
    const h = access.hearing!;
    if (!h.startsAt || !h.endsAt) throw conflict("not_scheduled", "the hearing has no time yet: a slot must be chosen first");
    const c = access.courtCase;
    const label = KIND_LABELS[h.kind as HearingKind];
    const ics = renderIcs({
      uid: `hearing-${h.id}@${new URL(this.d.publicUrl).hostname}`,
      stamp: h.updatedAt,
      sequence: h.sequence,
      startsAt: h.startsAt,
      endsAt: h.endsAt,
      summary: `${label?.zh ?? h.kind}：${c.number}（${c.causeOfAction}）`,
      location: [h.room, h.onlineUrl].filter(Boolean).join(" / ") || undefined,
      description: [`${c.court} ${c.number}`, `${label?.en ?? h.kind}`, h.onlineUrl ? `Online: ${h.onlineUrl}` : null, `${this.d.publicUrl}/workspace/#/cases/${c.id}`]
        .filter(Boolean)
        .join("\n"),
      cancelled: h.status === "cancelled",
    });
    return { fileName: `hearing-${h.id}.ics`, ics };
  }

  /**
   * The summons for the hearing as it stands, one per party (all parties unless named), rendered,
   * sealed (PAdES B-T, the platform seal until courts have their own) and served through the case's
   * electronic service. A party already summoned for this schedule, or with nobody acting for it,
   * is reported and skipped.
   */
  async summons(principal: Principal, access: HearingAccess, partyIds?: string[]) {
    const { db, cases, evidence, identity, store } = this.d;
    const h = access.hearing!;
    const c = access.courtCase;
    if (h.status !== "scheduled" || !h.startsAt || !h.endsAt) throw conflict("not_scheduled", h.status === "cancelled" ? "the hearing was cancelled" : "the hearing has no time yet");
    const parties = await db.caseParty.findMany({ where: { caseId: c.id }, orderBy: { position: "asc" }, include: { _count: { select: { members: true } } } });
    if (partyIds) {
      const unknown = partyIds.filter((id) => !parties.some((p) => p.id === id));
      if (unknown.length) throw badRequest("invalid_input", `parties: not a party of this case: ${unknown.join(", ")}`);
    }
    const wanted = partyIds ? parties.filter((p) => partyIds.includes(p.id)) : parties;
    const judge = await db.user.findUnique({ where: { id: h.judgeId }, select: { name: true } });
    const done = await db.hearingSummons.findMany({ where: { hearingId: h.id, sequence: h.sequence } });
    const served = [];
    const skipped: { partyId: string; code: string; message: string }[] = [];
    for (const p of wanted) {
      if (done.some((s) => s.partyId === p.id)) {
        skipped.push({ partyId: p.id, code: "already_summoned", message: "this party was already summoned for this schedule" });
        continue;
      }
      if (p._count.members === 0) {
        skipped.push({ partyId: p.id, code: "no_recipients", message: "nobody acts for this party yet" });
        continue;
      }
      const id = randomUUID();
      const at = this.now();
      const pdf = await renderSummons({
        id,
        courtCase: { number: c.number, court: c.court, causeOfAction: c.causeOfAction },
        party: { name: p.name, kind: p.kind },
        hearing: { id: h.id, kind: h.kind as HearingKind, startsAt: h.startsAt, endsAt: h.endsAt, room: h.room, onlineUrl: h.onlineUrl, notes: h.notes, sequence: h.sequence },
        judge: judge?.name ?? "",
        issuedAt: at,
      });
      const sealed = await signPdf(pdf, identity.sealSigner(), {
        fieldName: `summons-${id.slice(0, 8)}`,
        reason: `传票 Summons for ${p.name}, case ${c.number}`,
        signingTime: at,
        stamp: { page: 0, rect: SEAL_RECT, lines: [c.court, "传票 Summons · 平台签章 Platform seal", chinaTime(at, false)] },
        timestamp: (sig) => identity.timestamp(createHash("sha256").update(sig).digest()),
      });
      const title = `传票 Summons — ${KIND_LABELS[h.kind as HearingKind]?.zh ?? h.kind} ${chinaTime(h.startsAt, false)} — ${p.name}`;
      const staged = await store.stage(Readable.from([sealed]), { maxBytes: Number.MAX_SAFE_INTEGER, sizeHint: sealed.length });
      let item: AcceptedItem;
      try {
        item = await evidence.acceptFile(principal, staged, {
          title,
          source: `hearing summons, case ${c.number}`,
          fileName: `summons-${id}.pdf`,
          mediaType: "application/pdf",
          restricted: true,
        });
      } catch (e) {
        await staged.discard();
        throw e;
      }
      const service = await cases.recordService(
        principal,
        { action: "service.serve", courtCase: c, relation: "judge", ownPartyId: null },
        item,
        { partyId: p.id, title },
        async (tx, servedDocumentId) => {
          // The summons is for the schedule it was rendered from: a reschedule meanwhile makes it stale.
          const still = await tx.hearing.count({ where: { id: h.id, sequence: h.sequence, status: "scheduled" } });
          if (!still) throw conflict("hearing_changed", "the hearing changed while the summons was made: issue it again");
          await tx.hearingSummons.create({ data: { id, hearingId: h.id, servedDocumentId, partyId: p.id, createdAt: at, sequence: h.sequence } });
        },
      );
      served.push({ id, partyId: p.id, service });
    }
    return { hearingId: h.id, sequence: h.sequence, served, skipped };
  }

  /** The principal's own hearings across cases, from `from` (default: a day ago) to `to`. */
  async mine(principal: Principal, q: { from?: Date; to?: Date }) {
    const { db } = this.d;
    const [judged, acted] = await Promise.all([
      db.caseJudge.findMany({ where: { userId: principal.userId }, select: { caseId: true } }),
      db.casePartyMember.findMany({ where: { userId: principal.userId }, select: { caseId: true, partyId: true } }),
    ]);
    const judgedIds = new Set(judged.map((j) => j.caseId));
    const caseIds = [...new Set([...judgedIds, ...acted.map((a) => a.caseId)])];
    const from = q.from ?? new Date(this.now().getTime() - 86400_000);
    const rows = caseIds.length
      ? await db.hearing.findMany({
          where: {
            caseId: { in: caseIds },
            OR: [{ status: "offered" }, { startsAt: { gte: from, ...(q.to ? { lt: q.to } : {}) } }],
          },
          orderBy: [{ startsAt: "asc" }, { createdAt: "asc" }],
        })
      : [];
    const cases = await db.courtCase.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.caseId))] } } });
    const byId = new Map(cases.map((c) => [c.id, c]));
    const out = [];
    for (const r of rows) {
      const c = byId.get(r.caseId)!;
      const ownPartyId = judgedIds.has(r.caseId) ? null : (acted.find((a) => a.caseId === r.caseId)?.partyId ?? null);
      const [presented] = await this.present([r], { relation: ownPartyId ? "party" : "judge", ownPartyId });
      out.push({ ...presented, case: { id: c.id, number: c.number, court: c.court, causeOfAction: c.causeOfAction, status: c.status } });
    }
    return { hearings: out };
  }

  private async present(rows: HearingRow[], reader: { relation: HearingAccess["relation"]; ownPartyId: string | null }) {
    const { db } = this.d;
    const ids = rows.map((r) => r.id);
    const [slots, responses, summonses, parties] = await Promise.all([
      db.hearingSlot.findMany({ where: { hearingId: { in: ids } }, orderBy: { startsAt: "asc" } }),
      db.hearingResponse.findMany({ where: { hearingId: { in: ids }, ...(reader.relation === "party" ? { partyId: reader.ownPartyId! } : {}) } }),
      db.hearingSummons.findMany({ where: { hearingId: { in: ids }, ...(reader.relation === "party" ? { partyId: reader.ownPartyId! } : {}) }, orderBy: { createdAt: "asc" } }),
      db.caseParty.findMany({ where: { caseId: { in: [...new Set(rows.map((r) => r.caseId))] } }, select: { id: true, name: true, kind: true } }),
    ]);
    const users = await db.user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.judgeId))] } }, select: { id: true, name: true } });
    const names = new Map(users.map((u) => [u.id, u.name]));
    const partyOf = new Map(parties.map((p) => [p.id, p]));
    return rows.map((r) => ({
      id: r.id,
      caseId: r.caseId,
      kind: r.kind,
      status: r.status,
      sequence: r.sequence,
      startsAt: r.startsAt?.toISOString() ?? null,
      endsAt: r.endsAt?.toISOString() ?? null,
      room: r.room,
      onlineUrl: r.onlineUrl,
      notes: r.notes,
      judge: { id: r.judgeId, name: names.get(r.judgeId) ?? null },
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
      cancelledAt: r.cancelledAt?.toISOString() ?? null,
      cancelReason: r.cancelReason,
      slots: slots
        .filter((s) => s.hearingId === r.id)
        .map((s) => ({ id: s.id, startsAt: s.startsAt.toISOString(), endsAt: s.endsAt.toISOString(), chosen: s.chosenAt !== null, chosenAt: s.chosenAt?.toISOString() ?? null })),
      responses: responses
        .filter((x) => x.hearingId === r.id)
        .map((x) => ({
          party: partyOf.get(x.partyId) ?? { id: x.partyId, name: null, kind: null },
          response: x.response,
          reason: x.reason,
          respondedBy: x.respondedById,
          respondedAt: x.respondedAt.toISOString(),
          // an answer given before the latest reschedule is about a time that no longer stands
          current: x.sequence === r.sequence,
        })),
      summonses: summonses
        .filter((s) => s.hearingId === r.id)
        .map((s) => ({ id: s.id, partyId: s.partyId, servedDocumentId: s.servedDocumentId, createdAt: s.createdAt.toISOString(), current: s.sequence === r.sequence })),
      calendarUrl: r.startsAt ? `/api/cases/${r.caseId}/hearings/${r.id}/calendar.ics` : null,
    }));
  }
}
