// A case that comes through the court's front door: a filing accepted by a filing clerk, or a
// mediation agreement confirmed by a judge. It is written inside the caller's transaction (the
// filing's own state change), so the filing and its case exist together or not at all.
import { randomUUID } from "node:crypto";
import type { Tx } from "../db/client";
import type { AuditEvent } from "../audit/service";
import { ApiError } from "../http/errors";
import { canonicalCaseNumber, type PartyKind } from "./service";
import { CaseNotices } from "./notices";

export interface FiledParty {
  name: string;
  kind: PartyKind;
  organizationId?: string | null;
  /** users acting for the party from the start (the filer for the party they file for) */
  members: string[];
}

export interface FiledEvidence {
  evidenceId: string;
  /** index into `parties` of the party that submitted it */
  partyIndex: number;
  purpose: string;
  submittedById: string;
  submittedAt: Date;
}

export interface CaseFromFiling {
  filingId: string;
  courtId: string;
  courtName: string;
  number: string;
  causeOfAction: string;
  judgeIds: string[];
  actorId: string;
  parties: FiledParty[];
  /** the filing's evidence: finalised at once (the filer submitted it with the filing) */
  evidence: FiledEvidence[];
  /** a judicial confirmation's case is closed as it is opened */
  status?: "open" | "closed";
  at: Date;
}

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === "P2002" || /Unique constraint/i.test(String((e as Error)?.message));

/**
 * Creates the case with its judges, parties, members and finalised evidence, and records
 * `case.opened` (with the filing's id) through `audit`. Refuses a number already taken (409 duplicate).
 * Ids are the caller's to have checked (users exist, judges are the court's judges).
 */
export async function openCaseFromFiling(tx: Tx, input: CaseFromFiling, audit: (e: AuditEvent) => void): Promise<{ caseId: string; number: string }> {
  const number = canonicalCaseNumber(input.number);
  if (number.length < 3 || number.length > 100) throw new ApiError(400, "invalid_input", "a case number has 3 to 100 characters");
  if (await tx.courtCase.findUnique({ where: { number } })) throw new ApiError(409, "duplicate", "a case with this number exists");
  const caseId = randomUUID();
  const status = input.status ?? "open";
  const at = input.at;
  try {
    await tx.courtCase.create({
      data: {
        id: caseId,
        number,
        court: input.courtName,
        courtId: input.courtId,
        filingId: input.filingId,
        causeOfAction: input.causeOfAction,
        status,
        openedById: input.actorId,
        openedAt: at,
        closedById: status === "closed" ? input.actorId : null,
        closedAt: status === "closed" ? at : null,
      },
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ApiError(409, "duplicate", "a case with this number exists, or this filing already became a case");
    throw e;
  }
  const judges = [...new Set(input.judgeIds)];
  await tx.caseJudge.createMany({ data: judges.map((userId) => ({ id: randomUUID(), caseId, userId, addedById: input.actorId, addedAt: at })) });
  const partyIds: string[] = [];
  const notices = new CaseNotices();
  const ref = { id: caseId, number, court: input.courtName };
  for (const [position, p] of input.parties.entries()) {
    const partyId = randomUUID();
    partyIds.push(partyId);
    await tx.caseParty.create({ data: { id: partyId, caseId, position, name: p.name, kind: p.kind, organizationId: p.organizationId ?? null } });
    const members = [...new Set(p.members)];
    if (members.length) {
      await tx.casePartyMember.createMany({ data: members.map((userId) => ({ id: randomUUID(), caseId, partyId, userId, addedById: input.actorId, addedAt: at })) });
      await notices.representing(tx, ref, p.name, members);
    }
  }
  for (const e of input.evidence) {
    const partyId = partyIds[e.partyIndex];
    if (!partyId) throw new Error(`evidence ${e.evidenceId}: no party ${e.partyIndex}`);
    await tx.caseEvidence.create({
      data: {
        id: randomUUID(),
        caseId,
        partyId,
        evidenceId: e.evidenceId,
        purpose: e.purpose,
        status: "finalised",
        submittedById: e.submittedById,
        submittedAt: e.submittedAt,
        finalisedById: e.submittedById,
        finalisedAt: at,
      },
    });
  }
  audit({
    actorId: input.actorId,
    action: "case.opened",
    subject: caseId,
    details: {
      number,
      filingId: input.filingId,
      judges,
      parties: input.parties.map((p) => ({ kind: p.kind, organizationId: p.organizationId ?? null, members: p.members })),
      evidence: input.evidence.map((e) => e.evidenceId),
      status,
    },
  });
  return { caseId, number };
}
