// An organisation's webhook endpoints: registration (the URL checked by the address policy, a
// signing secret made here, sealed under the master key and shown once), changes, removal, a new
// secret, and the deliveries with each attempt. The caller has been authorised for the
// organisation (the routes, by the access table); every change is in the audit log.
import { randomBytes, randomUUID } from "node:crypto";
import type { Db } from "../db/client";
import { changeWithAudit } from "../audit/service";
import { ApiError, badRequest, notFound } from "../http/errors";
import { checkEndpointUrl, type AddressPolicy } from "./address-policy";
import type { WebhookEventType } from "./events";

export interface SecretSealer {
  seal(plaintext: string, context: string): string;
  unseal(sealed: string, context: string): Buffer;
}

export const secretContext = (endpointId: string) => `webhook-secret:${endpointId}`;
const newSecret = () => `whsec_${randomBytes(32).toString("base64url")}`;

type EndpointRow = Awaited<ReturnType<Db["webhookEndpoint"]["findUniqueOrThrow"]>>;

function present(e: EndpointRow) {
  return {
    id: e.id,
    organizationId: e.organizationId,
    url: e.url,
    events: JSON.parse(e.events) as string[],
    enabled: e.enabled,
    description: e.description,
    createdBy: e.createdById,
    createdAt: e.createdAt.toISOString(),
    secretRotatedAt: e.secretRotatedAt?.toISOString() ?? null,
  };
}

export const DELIVERY_STATUSES = ["pending", "sending", "delivered", "failed"] as const;

export interface EndpointInput {
  url: string;
  events: WebhookEventType[];
  description?: string;
  enabled?: boolean;
}

export class WebhooksService {
  constructor(
    private readonly db: Db,
    private readonly sealer: SecretSealer,
    private readonly policy: AddressPolicy,
  ) {}

  /** The worker's view of a secret. */
  unsealSecret(endpointId: string, sealed: string): string {
    return this.sealer.unseal(sealed, secretContext(endpointId)).toString("utf8");
  }

  private checkUrl(url: string): string {
    const v = checkEndpointUrl(url, this.policy);
    if (!v.ok) throw badRequest(v.code, v.message);
    return v.url;
  }

  private async own(organizationId: string, id: string): Promise<EndpointRow> {
    const e = /^[0-9a-f-]{36}$/.test(id) ? await this.db.webhookEndpoint.findUnique({ where: { id } }) : null;
    if (!e || e.organizationId !== organizationId) throw notFound("webhook");
    return e;
  }

  async create(actorId: string, organizationId: string, input: EndpointInput) {
    const url = this.checkUrl(input.url);
    const id = randomUUID();
    const secret = newSecret();
    const row = await changeWithAudit(this.db, async (tx, audit) => {
      const created = await tx.webhookEndpoint.create({
        data: {
          id,
          organizationId,
          url,
          events: JSON.stringify([...new Set(input.events)]),
          sealedSecret: this.sealer.seal(secret, secretContext(id)),
          enabled: input.enabled ?? true,
          description: input.description ?? null,
          createdById: actorId,
          createdAt: new Date(),
        },
      });
      audit({ actorId, action: "webhook.created", subject: id, details: { organizationId, url, events: JSON.parse(created.events) } });
      return created;
    });
    return { ...present(row), secret };
  }

  async list(organizationId: string) {
    const rows = await this.db.webhookEndpoint.findMany({ where: { organizationId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    return rows.map(present);
  }

  async read(organizationId: string, id: string) {
    return present(await this.own(organizationId, id));
  }

  async update(actorId: string, organizationId: string, id: string, input: Partial<EndpointInput>) {
    await this.own(organizationId, id);
    const url = input.url === undefined ? undefined : this.checkUrl(input.url);
    const row = await changeWithAudit(this.db, async (tx, audit) => {
      const updated = await tx.webhookEndpoint.update({
        where: { id },
        data: {
          ...(url !== undefined ? { url } : {}),
          ...(input.events ? { events: JSON.stringify([...new Set(input.events)]) } : {}),
          ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
        },
      });
      audit({ actorId, action: "webhook.updated", subject: id, details: { organizationId, changed: Object.keys(input) } });
      return updated;
    });
    return present(row);
  }

  /** Removes the endpoint with its deliveries and their attempts (undelivered ones are dropped). */
  async remove(actorId: string, organizationId: string, id: string): Promise<void> {
    const e = await this.own(organizationId, id);
    await changeWithAudit(this.db, async (tx, audit) => {
      const deliveries = await tx.webhookDelivery.findMany({ where: { endpointId: id }, select: { id: true } });
      await tx.webhookAttempt.deleteMany({ where: { deliveryId: { in: deliveries.map((d) => d.id) } } });
      const { count } = await tx.webhookDelivery.deleteMany({ where: { endpointId: id } });
      await tx.webhookEndpoint.delete({ where: { id } });
      audit({ actorId, action: "webhook.deleted", subject: id, details: { organizationId, url: e.url, deliveriesDropped: count } });
    });
  }

  /** A new secret, in effect for the next attempt of every delivery; the old one stops at once. */
  async rotateSecret(actorId: string, organizationId: string, id: string) {
    await this.own(organizationId, id);
    const secret = newSecret();
    const row = await changeWithAudit(this.db, async (tx, audit) => {
      const updated = await tx.webhookEndpoint.update({ where: { id }, data: { sealedSecret: this.sealer.seal(secret, secretContext(id)), secretRotatedAt: new Date() } });
      audit({ actorId, action: "webhook.secret_rotated", subject: id, details: { organizationId } });
      return updated;
    });
    return { ...present(row), secret };
  }

  /** The newest deliveries first (older than `before` when given), each with its attempts in order. */
  async deliveries(organizationId: string, id: string, opts: { status?: (typeof DELIVERY_STATUSES)[number]; limit: number; before?: Date }) {
    await this.own(organizationId, id);
    const rows = await this.db.webhookDelivery.findMany({
      where: { endpointId: id, ...(opts.status ? { status: opts.status } : {}), ...(opts.before ? { createdAt: { lt: opts.before } } : {}) },
      include: { attemptLog: { orderBy: [{ startedAt: "asc" }, { number: "asc" }] } },
      orderBy: [{ createdAt: "desc" }, { sequence: "desc" }],
      take: opts.limit,
    });
    return rows.map((d) => ({
      id: d.id,
      eventId: d.eventId,
      event: d.event,
      orderingKey: d.orderingKey,
      sequence: d.sequence,
      status: d.status,
      attempts: d.attempts,
      nextAttemptAt: d.status === "pending" ? d.nextAttemptAt.toISOString() : null,
      lastStatusCode: d.lastStatusCode,
      lastError: d.lastError,
      createdAt: d.createdAt.toISOString(),
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
      payload: JSON.parse(d.payload) as unknown,
      attemptLog: d.attemptLog.map((a) => ({
        number: a.number,
        startedAt: a.startedAt.toISOString(),
        finishedAt: a.finishedAt?.toISOString() ?? null,
        statusCode: a.statusCode,
        error: a.error,
        durationMs: a.durationMs,
      })),
    }));
  }

  /** A delivered or failed delivery sent again, with a fresh count of attempts and the same Webhook-Id. */
  async redeliver(actorId: string, organizationId: string, id: string, deliveryId: string) {
    await this.own(organizationId, id);
    return changeWithAudit(this.db, async (tx, audit) => {
      const d = /^[0-9a-f-]{36}$/.test(deliveryId) ? await tx.webhookDelivery.findUnique({ where: { id: deliveryId } }) : null;
      if (!d || d.endpointId !== id) throw notFound("delivery");
      const now = new Date();
      const { count } = await tx.webhookDelivery.updateMany({
        where: { id: deliveryId, status: { in: ["delivered", "failed"] } },
        data: { status: "pending", attempts: 0, nextAttemptAt: now, leaseUntil: null, updatedAt: now },
      });
      if (count !== 1) throw new ApiError(409, "delivery_in_progress", `the delivery is ${d.status}: it is being sent already`);
      audit({ actorId, action: "webhook.redelivered", subject: deliveryId, details: { endpointId: id, eventId: d.eventId, event: d.event, previousStatus: d.status } });
      return { id: deliveryId, status: "pending" as const };
    });
  }
}
