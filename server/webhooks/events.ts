// The events an organisation may subscribe to, and the envelope every delivery's body carries.
export const WEBHOOK_EVENTS = [
  "contract.sent",
  "contract.signed",
  "contract.completed",
  "contract.declined",
  "contract.voided",
  "contract.expired",
  "evidence.anchored",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** One event as a feature reports it, in the transaction of the change. */
export interface WebhookEvent {
  /** unique per event and stable: the receiver's deduplication key (Webhook-Id) */
  id: string;
  type: WebhookEventType;
  /** deliveries with one key go out in sequence order: "contract:<id>", "evidence:<id>" */
  orderingKey: string;
  sequence: number;
  occurredAt: Date;
  data: Record<string, unknown>;
}

/** The JSON body sent: the same bytes are signed and posted (and stored, to be sent again). */
export function envelope(e: WebhookEvent, organizationId: string): string {
  return JSON.stringify({
    id: e.id,
    type: e.type,
    occurredAt: e.occurredAt.toISOString(),
    organizationId,
    orderingKey: e.orderingKey,
    sequence: e.sequence,
    data: e.data,
  });
}
