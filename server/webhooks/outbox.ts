// The webhook outbox: a feature reports an event inside the transaction of the change it describes,
// and one delivery per subscribed, enabled endpoint of each organisation concerned is written in
// that same transaction: the change and its deliveries commit together or not at all, and the
// delivery worker sends them afterwards. An event is written once per endpoint (unique endpointId +
// eventId: reporting one twice fails the transaction, a bug to see rather than a duplicate to send).
import { randomUUID } from "node:crypto";
import type { Tx } from "../db/client";
import { envelope, type WebhookEvent } from "./events";

export async function enqueueWebhookEvents(tx: Tx, organizationIds: (string | null)[], events: WebhookEvent[]): Promise<number> {
  const orgs = [...new Set(organizationIds.filter((o): o is string => !!o))];
  if (!orgs.length || !events.length) return 0;
  const endpoints = await tx.webhookEndpoint.findMany({ where: { organizationId: { in: orgs }, enabled: true }, select: { id: true, organizationId: true, events: true } });
  if (!endpoints.length) return 0;
  const now = new Date();
  const rows = [];
  for (const ep of endpoints) {
    const wanted = new Set(JSON.parse(ep.events) as string[]);
    for (const e of events) {
      if (!wanted.has(e.type)) continue;
      rows.push({
        id: randomUUID(),
        endpointId: ep.id,
        eventId: e.id,
        event: e.type,
        orderingKey: e.orderingKey,
        sequence: e.sequence,
        payload: envelope(e, ep.organizationId),
        status: "pending",
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      });
    }
  }
  if (rows.length) await tx.webhookDelivery.createMany({ data: rows });
  return rows.length;
}
