// A contract's events as the webhooks feature reports them to integrators, in the transaction of
// the event itself. They go to every organisation the contract involves: the sender's and each
// signer's (the organisations whose administrators see the contract, organizations/service.ts).
// The contract's own event sequence number orders them: a receiver gets a contract's events in the
// order they happened.
import type { Tx } from "../db/client";
import { enqueueWebhookEvents } from "../webhooks/outbox";
import type { WebhookEvent, WebhookEventType } from "../webhooks/events";
import { signerParty } from "./model";

const REPORTED: Record<string, WebhookEventType> = {
  sent: "contract.sent",
  signed: "contract.signed",
  completed: "contract.completed",
  declined: "contract.declined",
  voided: "contract.voided",
  expired: "contract.expired",
};

interface EventRow {
  id: string;
  seq: number;
  at: Date;
  action: string;
  signerId: string | null;
  documentSha256: string;
}

export async function reportContractEvents(tx: Tx, contractId: string, rows: EventRow[]): Promise<void> {
  const reported = rows.filter((r) => REPORTED[r.action]);
  if (!reported.length) return;
  const c = await tx.contract.findUnique({ where: { id: contractId }, include: { signers: true } });
  if (!c) return;
  const people = [c.senderId, ...c.signers.flatMap((s) => [s.userId, s.signedByUserId].filter((x): x is string => !!x))];
  const users = await tx.user.findMany({ where: { id: { in: [...new Set(people)] } }, select: { id: true, name: true, organizationId: true } });
  const nameOf = new Map(users.map((u) => [u.id, u.name]));
  const contract = {
    id: c.id,
    title: c.title,
    status: c.status,
    senderId: c.senderId,
    sentAt: c.sentAt?.toISOString() ?? null,
    expiresAt: c.expiresAt?.toISOString() ?? null,
    endedAt: c.endedAt?.toISOString() ?? null,
    endReason: c.endReason,
  };
  const events: WebhookEvent[] = reported.map((r) => {
    const s = r.signerId ? c.signers.find((x) => x.id === r.signerId) : undefined;
    return {
      id: r.id,
      type: REPORTED[r.action],
      orderingKey: `contract:${c.id}`,
      sequence: r.seq,
      occurredAt: r.at,
      data: {
        contract,
        documentSha256: r.documentSha256,
        ...(s
          ? {
              signer: {
                id: s.id,
                ...signerParty(s, nameOf),
                step: s.step,
                status: s.status,
              },
            }
          : {}),
      },
    };
  });
  // an organisation named as a signer is involved too (its members' organisation, usually the same)
  await enqueueWebhookEvents(tx, [...users.map((u) => u.organizationId), ...c.signers.map((s) => (s.userId ? null : s.sealOrganizationId))], events);
}
