// A filing's state machine, shared by the rooms that move a filing: the filing room (submit,
// corrections, accept, reject) and the mediation room (into "mediation", back to "submitted" or
// closed as "mediated"). One move writes, in the caller's transaction, the new status (only if the
// filing is still in one of the expected states, so two deciders cannot both win), the filing's
// own event row, the audit entry and the notice mail to the filer.
import { randomUUID } from "node:crypto";
import type { Tx } from "../db/client";
import type { AuditEvent } from "../audit/service";
import { ApiError } from "../http/errors";
import { enqueueMail } from "../notifications/outbox";

export const FILING_STATUSES = ["draft", "submitted", "correction_requested", "accepted", "rejected", "mediation", "mediated"] as const;
export type FilingStatus = (typeof FILING_STATUSES)[number];

/** Statuses after which no clerk decides any more. */
export const FINAL_STATUSES: readonly FilingStatus[] = ["accepted", "rejected", "mediated"];

export interface MoveOptions {
  /** the audit and event action; default "filing.<to>" */
  action?: string;
  /** collects the audit entry (changeWithAudit's `audit`); without it the move is not audited here */
  audit?: (e: AuditEvent) => void;
  /** other Filing columns written with the status (decision, deadline, case id...) */
  data?: Record<string, unknown>;
  at?: Date;
  /** send the filer the filing-status notice (default true) */
  notify?: boolean;
  /** shown in the notice */
  notice?: { reason?: string | null; deadline?: Date | null; caseNumber?: string | null };
}

export interface MovedFiling {
  id: string;
  fromStatus: string;
  toStatus: FilingStatus;
  seq: number;
  at: Date;
}

/**
 * Moves a filing from one of `from` to `to`. Refuses 404 not_found for an unknown filing and
 * 409 already_decided when it is no longer in one of `from` (someone decided first, or it was
 * never there). `details` go to the event row and the audit entry as they are.
 */
export async function moveFiling(
  tx: Tx,
  filingId: string,
  from: readonly FilingStatus[],
  to: FilingStatus,
  actorId: string | null,
  details: Record<string, unknown> = {},
  opts: MoveOptions = {},
): Promise<MovedFiling> {
  const at = opts.at ?? new Date();
  const filing = await tx.filing.findUnique({ where: { id: filingId } });
  if (!filing) throw new ApiError(404, "not_found", "no such filing");
  // Conditional on the status read: a concurrent move that got there first makes this count 0.
  const updated = await tx.filing.updateMany({
    where: { id: filingId, status: { in: [...from] }, updatedAt: filing.updatedAt },
    data: { ...(opts.data ?? {}), status: to, updatedAt: at },
  });
  if (updated.count !== 1) {
    throw new ApiError(409, "already_decided", `the filing is ${filing.status}; this needs it to be ${from.join(" or ")}`);
  }
  const last = await tx.filingEvent.findFirst({ where: { filingId }, orderBy: { seq: "desc" }, select: { seq: true } });
  const seq = (last?.seq ?? 0) + 1;
  const action = opts.action ?? `filing.${to}`;
  await tx.filingEvent.create({
    data: { id: randomUUID(), filingId, seq, at, action, actorId, fromStatus: filing.status, toStatus: to, details: JSON.stringify(details) },
  });
  opts.audit?.({ actorId, action, subject: filingId, details: { ...details, from: filing.status, to } });
  if (opts.notify !== false) await noticeToFiler(tx, filing, to, opts.notice ?? {});
  return { id: filingId, fromStatus: filing.status, toStatus: to, seq, at };
}

/** Records an event that changes no status (the draft created, an attachment added). */
export async function recordFilingEvent(tx: Tx, filingId: string, status: string, action: string, actorId: string | null, details: Record<string, unknown>, at = new Date()): Promise<number> {
  const last = await tx.filingEvent.findFirst({ where: { filingId }, orderBy: { seq: "desc" }, select: { seq: true } });
  const seq = (last?.seq ?? 0) + 1;
  await tx.filingEvent.create({ data: { id: randomUUID(), filingId, seq, at, action, actorId, fromStatus: status, toStatus: status, details: JSON.stringify(details) } });
  return seq;
}

async function noticeToFiler(
  tx: Tx,
  filing: { id: string; filerId: string; courtId: string; draft: string },
  status: FilingStatus,
  notice: NonNullable<MoveOptions["notice"]>,
): Promise<void> {
  const filer = await tx.user.findUnique({ where: { id: filing.filerId }, select: { id: true, name: true, email: true, status: true, disabledAt: true } });
  if (!filer || filer.disabledAt) return;
  const court = await tx.organization.findUnique({ where: { id: filing.courtId }, select: { name: true } });
  let title = "";
  try {
    title = String((JSON.parse(filing.draft) as { title?: unknown }).title ?? "");
  } catch {
    title = "";
  }
  await enqueueMail(tx, [
    {
      template: "filing-status",
      params: {
        name: filer.name,
        filingId: filing.id,
        title,
        court: court?.name ?? "",
        status,
        reason: notice.reason ?? null,
        deadline: notice.deadline ? notice.deadline.toISOString() : null,
        caseNumber: notice.caseNumber ?? null,
      },
      to: filer.email,
      recipientId: filer.id,
      topic: `filing:${filing.id}`,
    },
  ]);
}
