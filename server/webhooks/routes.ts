// /api/organizations/:id/webhooks: exactly access.ts's WEBHOOK_ROUTES, each authorised by the
// organisations' access table before its handler runs. Input is checked here; the service decides.
import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { principalOf } from "../http/auth";
import { parseInput } from "../http/validate";
import type { OrganizationsService } from "../organizations/service";
import { WEBHOOK_ROUTES, type WebhookRouteSpec } from "./access";
import { WEBHOOK_EVENTS } from "./events";
import { DELIVERY_STATUSES, type WebhooksService } from "./service";

const fields = {
  url: z.string().trim().min(1).max(2048),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length * 2),
  description: z.string().trim().min(1).max(200).optional(),
  enabled: z.boolean().optional(),
};
const createBody = z.object(fields).strict();
const updateBody = z
  .object({ url: fields.url.optional(), events: fields.events.optional(), description: fields.description, enabled: fields.enabled })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), "give url, events, description or enabled");
const deliveriesQuery = z.object({
  status: z.enum(DELIVERY_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.date().optional(),
});

type Handler = (req: Request, res: Response, orgId: string, actorId: string) => Promise<void>;

export function webhookRoutes(service: WebhooksService, orgs: OrganizationsService): Router {
  const hook = (req: Request) => String(req.params.webhookId);
  const handlers: Record<WebhookRouteSpec["name"], Handler> = {
    create: async (req, res, org, actor) => {
      const created = await service.create(actor, org, parseInput(createBody, req.body));
      res.status(201).location(`/api/organizations/${org}/webhooks/${created.id}`).json(created);
    },
    list: async (_req, res, org) => {
      res.json({ webhooks: await service.list(org) });
    },
    read: async (req, res, org) => {
      res.json(await service.read(org, hook(req)));
    },
    update: async (req, res, org, actor) => {
      res.json(await service.update(actor, org, hook(req), parseInput(updateBody, req.body)));
    },
    remove: async (req, res, org, actor) => {
      await service.remove(actor, org, hook(req));
      res.status(204).end();
    },
    rotateSecret: async (req, res, org, actor) => {
      res.json(await service.rotateSecret(actor, org, hook(req)));
    },
    deliveries: async (req, res, org) => {
      res.json({ deliveries: await service.deliveries(org, hook(req), parseInput(deliveriesQuery, req.query, "query")) });
    },
    redeliver: async (req, res, org, actor) => {
      res.status(202).json(await service.redeliver(actor, org, hook(req), String(req.params.deliveryId)));
    },
  };
  const r = Router({ mergeParams: true });
  for (const spec of WEBHOOK_ROUTES) {
    r[spec.method](spec.path, async (req, res) => {
      const p = principalOf(req);
      const org = await orgs.authorize(spec.action, p, String(req.params.id));
      await handlers[spec.name](req, res, org.id, p.userId);
    });
  }
  return r;
}
