// Cases: parties and the people who act for them, judges, evidence submitted into a case and the
// opposing parties' opinions on it, electronic service of court documents with anchored delivery
// receipts. Every change is one transaction with its audit entry; who may do what is access.ts.
import { createHash, randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import type { Db, Tx } from "../db/client";
import type { Principal } from "../accounts/roles";
import type { AccountService } from "../accounts/service";
import type { AcceptedItem, EvidenceMeta, EvidenceService } from "../evidence/service";
import type { VerificationService } from "../verification/service";
import { changeWithAudit, type AuditEvent } from "../audit/service";
import { enqueueLeaves, statusOfBatch } from "../anchoring/queue";
import { bundleForLeaf } from "../anchoring/proof";
import { ApiError, badRequest, forbidden, notFound } from "../http/errors";
import { decide, decideByRole, isCaseAction, MATRIX, type Action, type CaseAction, type Relation } from "./access";
import type { DeliveryReceiptRecord } from "./receipt";
import type { Invitations } from "../invitations/service";
import { CaseNotices } from "./notices";
import type { AddressDeliveries, AddressServiceSummary } from "../service-addresses/delivery";

export const PARTY_KINDS = ["plaintiff", "defendant", "third-party"] as const;
export type PartyKind = (typeof PARTY_KINDS)[number];
export const POSITIONS = ["accept", "dispute"] as const;

type CaseRow = NonNullable<Awaited<ReturnType<Db["courtCase"]["findUnique"]>>>;
type PartyRow = NonNullable<Awaited<ReturnType<Db["caseParty"]["findUnique"]>>>;
type SubmissionRow = NonNullable<Awaited<ReturnType<Db["caseEvidence"]["findUnique"]>>>;

/** What the route layer established before a handler runs. */
export interface CaseAccess {
  action: CaseAction;
  courtCase: CaseRow;
  relation: Relation;
  /** The principal's own party in this case (null for judges and outsiders). */
  ownPartyId: string | null;
  party?: PartyRow;
  submission?: SubmissionRow;
}

/** A representative named by address: an address with no account gets a pending lawyer's account and an invitation. */
export interface Invitee {
  email: string;
  name: string;
}

export interface NewCase {
  number: string;
  court: string;
  causeOfAction: string;
  parties: { name: string; kind: PartyKind; organizationId?: string; members: string[]; invite?: Invitee[] }[];
}

interface Point {
  position: (typeof POSITIONS)[number];
  comment?: string;
}
export interface OpinionInput {
  authenticity: Point;
  legality: Point;
  relevance: Point;
}

const conflict = (code: string, message: string) => new ApiError(409, code, message);
const CASE_CLOSED = () => conflict("case_closed", "the case is closed: it accepts no more changes");
const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === "P2002" || /Unique constraint/i.test(String((e as Error)?.message));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A case number (案号) in canonical form: NFKC (full-width brackets and digits become ASCII), no white space. */
export function canonicalCaseNumber(raw: string): string {
  return raw.normalize("NFKC").replace(/\s+/g, "");
}

class AlreadyOpened extends Error {}

export class CasesService {
  private readonly notices = new CaseNotices();

  constructor(
    private readonly db: Db,
    private readonly accounts: AccountService,
    private readonly evidence: EvidenceService,
    private readonly verification: VerificationService,
    private readonly invitations: Invitations,
    /** service at the addresses each party confirmed (server/service-addresses), beside the inbox */
    private readonly addresses: AddressDeliveries | null = null,
  ) {}

  // ---------------------------------------------------------------- access

  /**
   * Decides a request by the matrix (access.ts) and loads what it is about. Throws 404 for what the
   * principal may not know exists, 403 for what they may see but not do, 409 for a change to a
   * closed case. Global actions (no case) return null.
   */
  async authorize(action: Action, principal: Principal, params: Record<string, string | undefined>): Promise<CaseAccess | null> {
    if (!isCaseAction(action)) {
      if (decideByRole(action, principal.role) !== "allow") throw forbidden("your role does not allow this");
      return null;
    }
    const spec = MATRIX[action];
    const caseId = params.id ?? "";
    const courtCase = UUID.test(caseId) ? await this.db.courtCase.findUnique({ where: { id: caseId } }) : null;
    if (!courtCase) throw notFound("case");
    const [judge, member] = await Promise.all([
      this.db.caseJudge.findUnique({ where: { caseId_userId: { caseId, userId: principal.userId } } }),
      this.db.casePartyMember.findUnique({ where: { caseId_userId: { caseId, userId: principal.userId } } }),
    ]);
    const ownPartyId = judge ? null : (member?.partyId ?? null);
    let relation: Relation = judge ? "judge" : member ? "party" : "outsider";
    const access: CaseAccess = { action, courtCase, relation, ownPartyId };

    if (spec.scope === "submission") {
      const sid = params.sid ?? params.eid ?? "";
      const submission =
        relation === "outsider" || !UUID.test(sid) ? null : await this.db.caseEvidence.findFirst({ where: { id: sid, caseId } });
      if (!submission) throw notFound(relation === "outsider" ? "case" : "evidence");
      if (relation === "party" && submission.partyId !== ownPartyId) relation = "opposing";
      access.relation = relation;
      access.submission = submission;
      this.enforce(decide(action, relation, submission.status === "finalised"), relation === "outsider" ? "case" : "evidence");
    } else {
      this.enforce(decide(action, relation), "case");
    }
    if (spec.scope === "party") {
      const partyId = params.partyId ?? "";
      const party = UUID.test(partyId) ? await this.db.caseParty.findFirst({ where: { id: partyId, caseId } }) : null;
      if (!party) throw notFound("party");
      access.party = party;
    }
    if (spec.changes && courtCase.status !== "open") throw CASE_CLOSED();
    return access;
  }

  private enforce(outcome: "allow" | "forbidden" | "hidden", what: string): void {
    if (outcome === "hidden") throw notFound(what);
    if (outcome === "forbidden") throw forbidden("your part in this case does not allow this");
  }

  /** One transaction with its audit entries, retried when another writer took the same audit sequence number. */
  private change<T>(run: (tx: Tx, audit: (e: AuditEvent) => void) => Promise<T>): Promise<T> {
    return changeWithAudit(this.db, run);
  }

  /**
   * Inside a change: the case must (still) be open. Writing the row takes its lock on PostgreSQL, so a
   * concurrent close waits for this transaction (or this one sees the close and refuses).
   */
  private async lockOpen(tx: Tx, caseId: string): Promise<void> {
    const { count } = await tx.courtCase.updateMany({ where: { id: caseId, status: "open" }, data: { status: "open" } });
    if (count !== 1) throw CASE_CLOSED();
  }

  // ---------------------------------------------------------------- cases

  async openCase(principal: Principal, input: NewCase) {
    const number = canonicalCaseNumber(input.number);
    if (number.length < 3 || number.length > 100) throw badRequest("invalid_input", "body.number: a case number has 3 to 100 characters");
    // Addresses that already have an account act as those accounts (a judge may see every account).
    const invited = input.parties.flatMap((p) => (p.invite ?? []).map((x) => x.email));
    const known = await this.accounts.usersByEmails(invited);
    const parties = input.parties.map((p) => ({
      ...p,
      members: [...p.members, ...(p.invite ?? []).flatMap((x) => (known.has(x.email) ? [known.get(x.email)!.id] : []))],
      invite: (p.invite ?? []).filter((x) => !known.has(x.email)),
    }));
    const everyone = [...parties.flatMap((p) => p.members), ...parties.flatMap((p) => p.invite.map((x) => x.email))];
    if (new Set(everyone).size !== everyone.length) {
      throw badRequest("conflict_of_interest", "a user may act for one party of a case only, and be named once");
    }
    for (const [i, p] of parties.entries()) {
      if (p.organizationId && !(await this.accounts.getOrganization(p.organizationId))) {
        throw badRequest("invalid_input", `body.parties.${i}.organizationId: no such organisation`);
      }
      await this.checkMembers(p.members, p.organizationId ?? null, `body.parties.${i}.members`);
    }
    // Checked first so that the common case answers at once; the unique index decides a race.
    if (await this.db.courtCase.findUnique({ where: { number } })) throw conflict("duplicate", "a case with this number exists");
    const id = randomUUID();
    const now = new Date();
    try {
      await this.change(async (tx, audit) => {
        await tx.courtCase.create({
          data: { id, number, court: input.court, causeOfAction: input.causeOfAction, status: "open", openedById: principal.userId, openedAt: now },
        });
        await tx.caseJudge.create({ data: { id: randomUUID(), caseId: id, userId: principal.userId, addedById: principal.userId, addedAt: now } });
        const ref = { id, number, court: input.court };
        const memberIds: string[][] = [];
        for (const [position, p] of parties.entries()) {
          const partyId = randomUUID();
          await tx.caseParty.create({ data: { id: partyId, caseId: id, position, name: p.name, kind: p.kind, organizationId: p.organizationId ?? null } });
          const members = [...p.members];
          for (const x of p.invite) members.push(await this.inviteRepresentative(tx, principal, ref, p.name, x));
          if (members.length) {
            await tx.casePartyMember.createMany({
              data: members.map((userId) => ({ id: randomUUID(), caseId: id, partyId, userId, addedById: principal.userId, addedAt: now })),
            });
          }
          await this.notices.representing(tx, ref, p.name, p.members);
          memberIds.push(members);
        }
        audit({
          actorId: principal.userId,
          action: "case.opened",
          subject: id,
          details: { number, parties: parties.map((p, i) => ({ kind: p.kind, organizationId: p.organizationId ?? null, members: memberIds[i] })) },
        });
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict("duplicate", "a case with this number exists");
      throw e;
    }
    return this.describeCase(id);
  }

  /** A representative who has no account: a pending lawyer's account, invited by mail to land on the case. Returns the user id. */
  private async inviteRepresentative(tx: Tx, principal: Principal, c: { id: string; number: string }, party: string, x: Invitee): Promise<string> {
    const { user } = await this.invitations.invite(tx, {
      email: x.email,
      name: x.name,
      role: "lawyer",
      invitedBy: { id: principal.userId, name: principal.name },
      context: { kind: "case", number: c.number, party },
      landing: { kind: "case", caseId: c.id },
      topic: `case:${c.id}`,
    });
    return user.id;
  }

  /** The cases the principal is on: as a judge, or acting for a party. */
  async listCases(principal: Principal) {
    const [judgeOf, memberOf] = await Promise.all([
      this.db.caseJudge.findMany({ where: { userId: principal.userId }, select: { caseId: true } }),
      this.db.casePartyMember.findMany({ where: { userId: principal.userId }, select: { caseId: true, partyId: true } }),
    ]);
    const partyOf = new Map(memberOf.map((m) => [m.caseId, m.partyId]));
    const judged = new Set(judgeOf.map((j) => j.caseId));
    const rows = await this.db.courtCase.findMany({ where: { id: { in: [...judged, ...partyOf.keys()] } }, orderBy: { openedAt: "desc" } });
    return rows.map((c) => ({
      ...presentCase(c),
      role: judged.has(c.id) ? "judge" : "party",
      partyId: judged.has(c.id) ? null : (partyOf.get(c.id) ?? null),
    }));
  }

  async caseDetail(access: CaseAccess) {
    return { ...(await this.describeCase(access.courtCase.id)), you: { relation: access.relation, partyId: access.ownPartyId } };
  }

  private async describeCase(id: string) {
    const c = await this.db.courtCase.findUniqueOrThrow({
      where: { id },
      include: { judges: { orderBy: { addedAt: "asc" } }, parties: { orderBy: { position: "asc" }, include: { members: { orderBy: { addedAt: "asc" } } } } },
    });
    const users = await this.accounts.usersByIds([...c.judges.map((j) => j.userId), ...c.parties.flatMap((p) => p.members.map((m) => m.userId))]);
    const person = (userId: string) => ({ id: userId, name: users.get(userId)?.name ?? null, role: users.get(userId)?.role ?? null });
    return {
      ...presentCase(c),
      judges: c.judges.map((j) => ({ ...person(j.userId), addedAt: j.addedAt.toISOString() })),
      parties: c.parties.map((p) => ({
        id: p.id,
        name: p.name,
        kind: p.kind,
        organizationId: p.organizationId,
        members: p.members.map((m) => ({ ...person(m.userId), addedAt: m.addedAt.toISOString() })),
      })),
    };
  }

  /** Users who may act for a party: lawyers, or members of the party's organisation. */
  private async checkMembers(userIds: string[], organizationId: string | null, where: string): Promise<void> {
    const users = await this.accounts.usersByIds(userIds);
    for (const id of userIds) {
      const u = users.get(id);
      if (!u || u.disabled) throw badRequest("invalid_member", `${where}: user ${id} does not exist`);
      const eligible = u.role === "lawyer" || (u.role === "member" && organizationId !== null && u.organizationId === organizationId);
      if (!eligible) {
        throw badRequest("invalid_member", `${where}: user ${id} can act for this party only as a lawyer or as a member of the party's organisation`);
      }
    }
  }

  async addJudge(principal: Principal, access: CaseAccess, userId: string) {
    const u = (await this.accounts.usersByIds([userId])).get(userId);
    if (!u || u.disabled || u.role !== "judge") throw badRequest("invalid_judge", `user ${userId} is not a judge`);
    const caseId = access.courtCase.id;
    if (await this.db.caseJudge.findUnique({ where: { caseId_userId: { caseId, userId } } })) {
      throw conflict("duplicate", "this judge is already a judge of the case");
    }
    const addedAt = new Date();
    try {
      await this.change(async (tx, audit) => {
        await this.lockOpen(tx, caseId);
        await tx.caseJudge.create({ data: { id: randomUUID(), caseId, userId, addedById: principal.userId, addedAt } });
        audit({ actorId: principal.userId, action: "case.judge-added", subject: caseId, details: { userId } });
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict("duplicate", "this judge is already a judge of the case");
      throw e;
    }
    return { caseId, userId, addedAt: addedAt.toISOString() };
  }

  async addPartyMember(principal: Principal, access: CaseAccess, who: { userId: string } | Invitee) {
    const party = access.party!;
    const caseId = access.courtCase.id;
    let userId: string;
    let invitee: Invitee | null = null;
    if ("userId" in who) userId = who.userId;
    else {
      const known = await this.accounts.userByEmail(who.email);
      if (known) userId = known.id;
      else {
        invitee = who;
        userId = "";
      }
    }
    if (!invitee) await this.checkMembers([userId], party.organizationId, "body.userId");
    const existing = invitee ? null : await this.db.casePartyMember.findUnique({ where: { caseId_userId: { caseId, userId } } });
    if (existing) {
      throw existing.partyId === party.id
        ? conflict("duplicate", "this user already acts for the party")
        : conflict("conflict_of_interest", "this user acts for another party of the case");
    }
    const addedAt = new Date();
    try {
      userId = await this.change(async (tx, audit) => {
        await this.lockOpen(tx, caseId);
        const ref = { id: caseId, number: access.courtCase.number, court: access.courtCase.court };
        const member = invitee ? await this.inviteRepresentative(tx, principal, ref, party.name, invitee) : userId;
        await tx.casePartyMember.create({ data: { id: randomUUID(), caseId, partyId: party.id, userId: member, addedById: principal.userId, addedAt } });
        if (!invitee) await this.notices.representing(tx, ref, party.name, [member]);
        audit({ actorId: principal.userId, action: "case.party-member-added", subject: caseId, details: { partyId: party.id, userId: member, invited: !!invitee } });
        return member;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict("conflict_of_interest", "this user already acts for a party of the case");
      throw e;
    }
    return { caseId, partyId: party.id, userId, addedAt: addedAt.toISOString() };
  }

  async closeCase(principal: Principal, access: CaseAccess) {
    const caseId = access.courtCase.id;
    const closedAt = new Date();
    await this.change(async (tx, audit) => {
      const { count } = await tx.courtCase.updateMany({
        where: { id: caseId, status: "open" },
        data: { status: "closed", closedAt, closedById: principal.userId },
      });
      if (count !== 1) throw CASE_CLOSED();
      await this.notices.statusChanged(tx, { id: caseId, number: access.courtCase.number, court: access.courtCase.court }, "closed");
      audit({ actorId: principal.userId, action: "case.closed", subject: caseId });
    });
    return { id: caseId, status: "closed", closedAt: closedAt.toISOString() };
  }

  // ---------------------------------------------------------------- evidence in a case

  /** Checks a submission's text fields before its file is committed. */
  submissionMeta(fields: { title: string; purpose: string; source?: string; holderSignature?: Buffer }): { meta: EvidenceMeta; extra: { purpose: string } } {
    return {
      meta: { title: fields.title, source: fields.source, holderSignature: fields.holderSignature, restricted: true },
      extra: { purpose: fields.purpose },
    };
  }

  /** Links an accepted item to the case as a draft of the principal's party. */
  async recordSubmission(principal: Principal, access: CaseAccess, item: AcceptedItem, purpose: string) {
    const caseId = access.courtCase.id;
    const partyId = access.ownPartyId!;
    const id = randomUUID();
    await this.change(async (tx, audit) => {
      // Refused here only when the case closed while the file was uploading: the item then stays in
      // the submitter's own evidence, outside the case.
      await this.lockOpen(tx, caseId);
      await tx.caseEvidence.create({
        data: { id, caseId, partyId, evidenceId: item.id, purpose, status: "draft", submittedById: principal.userId, submittedAt: new Date() },
      });
      audit({ actorId: principal.userId, action: "case.evidence-submitted", subject: id, details: { caseId, partyId, evidenceId: item.id, sha256: item.sha256 } });
    });
    return this.describeSubmission(id);
  }

  async editSubmission(principal: Principal, access: CaseAccess, purpose: string) {
    const sub = access.submission!;
    await this.change(async (tx, audit) => {
      await this.lockOpen(tx, sub.caseId);
      const { count } = await tx.caseEvidence.updateMany({ where: { id: sub.id, status: "draft" }, data: { purpose } });
      if (count !== 1) throw conflict("finalised", "a finalised submission cannot change");
      audit({ actorId: principal.userId, action: "case.evidence-edited", subject: sub.id, details: { caseId: sub.caseId } });
    });
    return this.describeSubmission(sub.id);
  }

  async withdrawSubmission(principal: Principal, access: CaseAccess): Promise<void> {
    const sub = access.submission!;
    await this.change(async (tx, audit) => {
      await this.lockOpen(tx, sub.caseId);
      const { count } = await tx.caseEvidence.deleteMany({ where: { id: sub.id, status: "draft" } });
      if (count !== 1) throw conflict("finalised", "a finalised submission cannot be withdrawn");
      // The evidence item itself stays (it is anchored); it leaves the case.
      audit({ actorId: principal.userId, action: "case.evidence-withdrawn", subject: sub.id, details: { caseId: sub.caseId, evidenceId: sub.evidenceId } });
    });
  }

  async finaliseSubmission(principal: Principal, access: CaseAccess) {
    const sub = access.submission!;
    await this.change(async (tx, audit) => {
      await this.lockOpen(tx, sub.caseId);
      const { count } = await tx.caseEvidence.updateMany({
        where: { id: sub.id, status: "draft" },
        data: { status: "finalised", finalisedAt: new Date(), finalisedById: principal.userId },
      });
      if (count !== 1) throw conflict("finalised", "the submission is already finalised");
      audit({ actorId: principal.userId, action: "case.evidence-finalised", subject: sub.id, details: { caseId: sub.caseId, evidenceId: sub.evidenceId } });
    });
    return this.describeSubmission(sub.id);
  }

  /** The evidence list: everything for a judge; for a party its own drafts and finalised items, and the others' finalised ones. */
  async listEvidence(access: CaseAccess, partyFilter?: string) {
    const caseId = access.courtCase.id;
    if (partyFilter && !(await this.db.caseParty.findFirst({ where: { id: partyFilter, caseId } }))) throw notFound("party");
    const visible = access.relation === "judge" ? {} : { OR: [{ partyId: access.ownPartyId ?? "" }, { status: "finalised" }] };
    const rows = await this.db.caseEvidence.findMany({
      where: { caseId, ...(partyFilter ? { partyId: partyFilter } : {}), ...visible },
      include: { party: true, _count: { select: { opinions: true } } },
      orderBy: [{ submittedAt: "asc" }, { id: "asc" }],
    });
    const items = await this.evidence.itemsByIds(rows.map((r) => r.evidenceId));
    return {
      caseId,
      party: partyFilter ?? null,
      items: rows.map((r) => ({ ...presentSubmission(r, r.party, items.get(r.evidenceId)), opinions: r._count.opinions })),
    };
  }

  async evidenceDetail(access: CaseAccess) {
    const base = await this.describeSubmission(access.submission!.id);
    const opinions = await this.db.caseOpinion.findMany({
      where: { caseEvidenceId: access.submission!.id },
      include: { party: true },
      orderBy: { createdAt: "asc" },
    });
    return { ...base, opinions: opinions.map(presentOpinion) };
  }

  private async describeSubmission(id: string) {
    const row = await this.db.caseEvidence.findUniqueOrThrow({ where: { id }, include: { party: true } });
    const items = await this.evidence.itemsByIds([row.evidenceId]);
    return presentSubmission(row, row.party, items.get(row.evidenceId));
  }

  evidenceContent(access: CaseAccess): Promise<{ stream: Readable; item: { id: string; sha256: string; size: number | null; fileName: string | null } }> {
    return this.evidence.storedContent(access.submission!.evidenceId);
  }

  /**
   * The item's verification, recomputed now: the stored file hashed again, then record -> leaf ->
   * root and the root read from the chain (VerificationService), never a stored flag.
   */
  async verifyEvidence(access: CaseAccess) {
    const sub = access.submission!;
    const { stream, item } = await this.evidence.storedContent(sub.evidenceId);
    const hash = createHash("sha256");
    for await (const chunk of stream as AsyncIterable<Buffer>) hash.update(chunk);
    const recomputed = "0x" + hash.digest("hex");
    const base = { caseEvidenceId: sub.id, evidenceId: item.id, recordedSha256: item.sha256, fileSha256: recomputed };
    if (recomputed !== item.sha256) {
      const check = { name: "file-digest", ok: false, detail: `the stored file hashes to ${recomputed}, the record says ${item.sha256}` };
      return { ...base, status: null, verified: false, anchoredAt: null, checks: [check], signer: null, bundle: null };
    }
    const result = await this.verification.verifyDigest(recomputed);
    const match = result.matches.find((m) => m.evidenceId === item.id);
    if (!match) throw new Error(`verification found no match for evidence item ${item.id}`);
    return { ...base, status: match.status, verified: match.verified, anchoredAt: match.anchoredAt, checks: match.checks, signer: match.signer, bundle: match.bundle };
  }

  /** The item's sealed evidence certificate (PDF, see EvidenceService.certificate); null until it is anchored. */
  evidenceCertificate(access: CaseAccess, publicUrl: string): Promise<Buffer | null> {
    return this.evidence.storedCertificate(access.submission!.evidenceId, publicUrl);
  }

  /** Records (or replaces) the principal's party's opinion on a finalised item; created: whether it is new. */
  async recordOpinion(principal: Principal, access: CaseAccess, input: OpinionInput) {
    const sub = access.submission!;
    const partyId = access.ownPartyId!;
    const now = new Date();
    const values = {
      authenticity: input.authenticity.position,
      authenticityComment: input.authenticity.comment ?? null,
      legality: input.legality.position,
      legalityComment: input.legality.comment ?? null,
      relevance: input.relevance.position,
      relevanceComment: input.relevance.comment ?? null,
      authorId: principal.userId,
      updatedAt: now,
    };
    const run = () =>
      this.change(async (tx, audit) => {
        await this.lockOpen(tx, sub.caseId);
        const existing = await tx.caseOpinion.findUnique({ where: { caseEvidenceId_partyId: { caseEvidenceId: sub.id, partyId } } });
        const id = existing?.id ?? randomUUID();
        if (existing) await tx.caseOpinion.update({ where: { id }, data: values });
        else await tx.caseOpinion.create({ data: { id, caseEvidenceId: sub.id, partyId, createdAt: now, ...values } });
        audit({
          actorId: principal.userId,
          action: existing ? "case.opinion-updated" : "case.opinion-recorded",
          subject: sub.id,
          details: { caseId: sub.caseId, partyId, authenticity: values.authenticity, legality: values.legality, relevance: values.relevance },
        });
        return { id, created: !existing };
      });
    // Two members of one party writing its first opinion at once: the loser updates instead.
    const { id, created } = await run().catch((e) => (isUniqueViolation(e) ? run() : Promise.reject(e)));
    const row = await this.db.caseOpinion.findUniqueOrThrow({ where: { id }, include: { party: true } });
    return { created, opinion: presentOpinion(row) };
  }

  // ---------------------------------------------------------------- electronic service

  /** Checks a service's fields before the document is committed: the party must be of this case and have someone to serve. */
  async serviceMeta(access: CaseAccess, fields: { title: string; party: string; holderSignature?: Buffer }) {
    const party = await this.db.caseParty.findFirst({ where: { id: fields.party, caseId: access.courtCase.id }, include: { _count: { select: { members: true } } } });
    if (!party) throw badRequest("invalid_input", "fields.party: not a party of this case");
    if (party._count.members === 0) throw conflict("no_recipients", "nobody acts for this party yet: add a lawyer or member first");
    return {
      meta: { title: fields.title, source: `electronic service, case ${access.courtCase.number}`, holderSignature: fields.holderSignature, restricted: true },
      extra: { partyId: party.id, title: fields.title },
    };
  }

  /** Records a document (accepted as the judge's evidence item) as served on a party: one delivery per member. */
  async recordService(
    principal: Principal,
    access: CaseAccess,
    item: AcceptedItem,
    extra: { partyId: string; title: string },
    /** more rows written in the service's own transaction (a hearing's summons record) */
    within?: (tx: Tx, serviceId: string) => Promise<void>,
  ) {
    const caseId = access.courtCase.id;
    const id = randomUUID();
    const servedAt = new Date();
    let addresses: AddressServiceSummary | null = null;
    const recipients = await this.change(async (tx, audit) => {
      await this.lockOpen(tx, caseId);
      const members = await tx.casePartyMember.findMany({ where: { partyId: extra.partyId }, orderBy: { addedAt: "asc" } });
      if (!members.length) throw conflict("no_recipients", "nobody acts for this party");
      await tx.servedDocument.create({
        data: { id, caseId, partyId: extra.partyId, evidenceId: item.id, title: extra.title, servedById: principal.userId, servedAt },
      });
      await tx.documentDelivery.createMany({ data: members.map((m) => ({ id: randomUUID(), documentId: id, recipientId: m.userId })) });
      await this.notices.served(
        tx,
        { id: caseId, number: access.courtCase.number, court: access.courtCase.court },
        { title: extra.title, servedAt, partyId: extra.partyId },
        members.map((m) => m.userId),
      );
      audit({
        actorId: principal.userId,
        action: "case.document-served",
        subject: id,
        details: { caseId, partyId: extra.partyId, evidenceId: item.id, sha256: item.sha256, recipients: members.map((m) => m.userId) },
      });
      if (this.addresses) {
        const party = await tx.caseParty.findUniqueOrThrow({ where: { id: extra.partyId } });
        addresses = await this.addresses.serve(
          tx,
          { documentId: id, courtCase: { id: caseId, number: access.courtCase.number, court: access.courtCase.court }, party: { id: party.id, name: party.name }, title: extra.title, servedAt },
          audit,
          principal.userId,
        );
      }
      if (within) await within(tx, id);
      return members.map((m) => m.userId);
    });
    return { id, caseId, partyId: extra.partyId, title: extra.title, evidenceId: item.id, sha256: item.sha256, size: item.size, servedAt: servedAt.toISOString(), recipients, addresses };
  }

  /** Who was served what and when, who opened it when and from where, with each receipt's proof bundle once anchored. */
  async listServices(access: CaseAccess) {
    const docs = await this.db.servedDocument.findMany({
      where: { caseId: access.courtCase.id },
      include: {
        party: true,
        deliveries: { include: { receiptLeaf: { select: { batch: { select: { status: true } } } } } },
      },
      orderBy: [{ servedAt: "asc" }, { id: "asc" }],
    });
    const items = await this.evidence.itemsByIds(docs.map((d) => d.evidenceId));
    const users = await this.accounts.usersByIds(docs.flatMap((d) => d.deliveries.map((x) => x.recipientId)));
    const pki = await this.evidence.bundleSections({ signatureCms: null });
    const atAddresses = this.addresses ? await this.addresses.describe(docs.map((d) => d.id)) : new Map();
    const services = [];
    for (const d of docs) {
      const item = items.get(d.evidenceId);
      const deliveries = [];
      for (const x of d.deliveries) {
        const bundle = x.receiptLeafSeq === null ? null : await bundleForLeaf(this.db, x.receiptLeafSeq);
        deliveries.push({
          id: x.id,
          recipient: { id: x.recipientId, name: users.get(x.recipientId)?.name ?? null },
          openedAt: x.openedAt?.toISOString() ?? null,
          ip: x.openedIp,
          userAgent: x.openedUserAgent,
          receipt: x.receiptLeaf
            ? {
                status: statusOfBatch(x.receiptLeaf.batch),
                bundle: bundle ? { ...bundle, certificates: pki.certificates, revocation: pki.revocation } : null,
              }
            : null,
        });
      }
      services.push({
        id: d.id,
        title: d.title,
        party: { id: d.party.id, name: d.party.name, kind: d.party.kind },
        servedBy: d.servedById,
        servedAt: d.servedAt.toISOString(),
        document: { evidenceId: d.evidenceId, sha256: item?.sha256 ?? null, size: item?.size ?? null, fileName: item?.fileName ?? null, status: item?.status ?? null },
        deliveries,
        // per confirmed address what was sent and when it was received; consent "missing": inbox only
        addresses: atAddresses.get(d.id) ?? null,
      });
    }
    return { caseId: access.courtCase.id, services };
  }

  /** The principal's inbox: documents served on a party they act for. */
  async inbox(principal: Principal) {
    const rows = await this.db.documentDelivery.findMany({
      where: { recipientId: principal.userId },
      include: { document: { include: { party: true, courtCase: true } } },
    });
    rows.sort((a, b) => b.document.servedAt.getTime() - a.document.servedAt.getTime() || a.id.localeCompare(b.id));
    const items = await this.evidence.itemsByIds(rows.map((r) => r.document.evidenceId));
    return {
      items: rows.map((r) => {
        const item = items.get(r.document.evidenceId);
        return {
          id: r.id,
          title: r.document.title,
          case: { id: r.document.caseId, number: r.document.courtCase.number, court: r.document.courtCase.court },
          party: { id: r.document.party.id, name: r.document.party.name, kind: r.document.party.kind },
          servedAt: r.document.servedAt.toISOString(),
          document: { sha256: item?.sha256 ?? null, size: item?.size ?? null, fileName: item?.fileName ?? null },
          openedAt: r.openedAt?.toISOString() ?? null,
        };
      }),
    };
  }

  /**
   * Opens a served document for its recipient. The first opening records the delivery receipt and
   * queues its canonical record as a leaf, in one transaction; later openings change nothing.
   */
  async openDelivery(principal: Principal, deliveryId: string, client: { ip: string | null; userAgent: string | null }) {
    const d = UUID.test(deliveryId)
      ? await this.db.documentDelivery.findUnique({ where: { id: deliveryId }, include: { document: { include: { courtCase: true } } } })
      : null;
    if (!d || d.recipientId !== principal.userId) throw notFound("inbox item");
    if (!d.openedAt) {
      const item = (await this.evidence.itemsByIds([d.document.evidenceId])).get(d.document.evidenceId);
      if (!item) throw notFound("document");
      try {
        await this.change(async (tx, audit) => {
          const openedAt = new Date();
          const record: DeliveryReceiptRecord = {
            type: "delivery-receipt",
            id: d.id,
            case: { id: d.document.caseId, number: d.document.courtCase.number },
            service: { id: d.document.id, servedAt: d.document.servedAt.toISOString() },
            document: { evidenceId: item.id, sha256: item.sha256 },
            recipient: { id: principal.userId },
            openedAt: openedAt.toISOString(),
            client,
          };
          const [seq] = await enqueueLeaves(tx, "delivery-receipt", [record]);
          const { count } = await tx.documentDelivery.updateMany({
            where: { id: d.id, openedAt: null },
            data: { openedAt, openedIp: client.ip, openedUserAgent: client.userAgent, receiptLeafSeq: seq },
          });
          // Opened at the same moment by another request: its receipt stands, this leaf is rolled back.
          if (count !== 1) throw new AlreadyOpened();
          audit({ actorId: principal.userId, action: "case.document-opened", subject: d.id, details: { caseId: d.document.caseId, serviceId: d.document.id, leafSeq: seq } });
        });
      } catch (e) {
        if (!(e instanceof AlreadyOpened)) throw e;
      }
    }
    return this.evidence.storedContent(d.document.evidenceId);
  }
}

function presentCase(c: CaseRow) {
  return {
    id: c.id,
    number: c.number,
    court: c.court,
    causeOfAction: c.causeOfAction,
    status: c.status,
    openedBy: c.openedById,
    openedAt: c.openedAt.toISOString(),
    closedAt: c.closedAt?.toISOString() ?? null,
  };
}

type ItemView = Awaited<ReturnType<EvidenceService["itemsByIds"]>> extends Map<string, infer V> ? V : never;

function presentSubmission(row: SubmissionRow, party: PartyRow, item: ItemView | undefined) {
  return {
    id: row.id,
    caseId: row.caseId,
    party: { id: party.id, name: party.name, kind: party.kind },
    evidenceId: row.evidenceId,
    title: item?.title ?? null,
    purpose: row.purpose,
    source: item?.source ?? null,
    fileName: item?.fileName ?? null,
    mediaType: item?.mediaType ?? null,
    size: item?.size ?? null,
    sha256: item?.sha256 ?? null,
    sm3: item?.sm3 ?? null,
    status: row.status,
    submittedBy: row.submittedById,
    submittedAt: row.submittedAt.toISOString(),
    finalisedAt: row.finalisedAt?.toISOString() ?? null,
    anchoring: item?.status ?? null,
  };
}

type OpinionRow = NonNullable<Awaited<ReturnType<Db["caseOpinion"]["findUnique"]>>> & { party: PartyRow };

function presentOpinion(o: OpinionRow) {
  return {
    id: o.id,
    party: { id: o.party.id, name: o.party.name, kind: o.party.kind },
    authenticity: { position: o.authenticity, comment: o.authenticityComment },
    legality: { position: o.legality, comment: o.legalityComment },
    relevance: { position: o.relevance, comment: o.relevanceComment },
    author: o.authorId,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
  };
}
