// A contract's event log: every transition and step with who, when, from which address and user
// agent, and the document's SHA-256 at that point; each event also goes into the platform's audit
// log, in the same transaction. Sequence numbers per contract are unique: two writers taking the same
// one collide on the key and the loser's transaction is retried (withAuditRetry). The events
// integrators subscribe to are written to the webhook outbox in the same transaction too.
import { randomUUID } from "node:crypto";
import type { Tx } from "../db/client";
import { appendAudit } from "../audit/service";
import { reportContractEvents } from "./webhook-events";

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

export const NO_REQUEST: RequestMeta = { ip: null, userAgent: null };

export interface ContractEventInput {
  action: string;
  actorId: string | null;
  signerId?: string | null;
  fromStatus: string | null;
  toStatus: string;
  documentSha256: string;
  meta: RequestMeta;
  at: Date;
  details?: Record<string, unknown>;
}

export async function appendEvents(tx: Tx, contractId: string, events: ContractEventInput[]): Promise<void> {
  if (!events.length) return;
  const last = await tx.contractEvent.findFirst({ where: { contractId }, orderBy: { seq: "desc" }, select: { seq: true } });
  let seq = last?.seq ?? 0;
  const rows = events.map((e) => ({
    id: randomUUID(),
    contractId,
    seq: ++seq,
    at: e.at,
    action: e.action,
    actorId: e.actorId,
    signerId: e.signerId ?? null,
    fromStatus: e.fromStatus,
    toStatus: e.toStatus,
    documentSha256: e.documentSha256,
    ip: e.meta.ip,
    userAgent: e.meta.userAgent,
    details: JSON.stringify(e.details ?? {}),
  }));
  await tx.contractEvent.createMany({ data: rows });
  await reportContractEvents(tx, contractId, rows);
  await appendAudit(
    tx,
    rows.map((r, i) => ({
      actorId: r.actorId,
      action: `contract.${r.action}`,
      subject: contractId,
      details: {
        seq: r.seq,
        ...(r.signerId ? { signerId: r.signerId } : {}),
        fromStatus: r.fromStatus,
        toStatus: r.toStatus,
        documentSha256: r.documentSha256,
        ...(events[i].details ?? {}),
      },
    })),
  );
}

type EventRow = Awaited<ReturnType<Tx["contractEvent"]["findMany"]>>[number];

export function presentEvent(e: EventRow) {
  return {
    seq: e.seq,
    at: e.at.toISOString(),
    action: e.action,
    actorId: e.actorId,
    signerId: e.signerId,
    fromStatus: e.fromStatus,
    toStatus: e.toStatus,
    documentSha256: e.documentSha256,
    ip: e.ip,
    userAgent: e.userAgent,
    details: JSON.parse(e.details) as Record<string, unknown>,
  };
}
