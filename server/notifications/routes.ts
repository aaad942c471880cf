import { Router, type RequestHandler } from "express";
import { z } from "zod";
import { principalOf, requireRole } from "../http/auth";
import { ApiError, notFound } from "../http/errors";
import { parseInput } from "../http/validate";
import { MAIL_STATUSES, type NotificationsService } from "./service";

const ownQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });
const outboxQuery = z.object({
  status: z.enum(MAIL_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.coerce.date().optional(),
});
const idParam = z.object({ id: z.string().min(1).max(100) });

/** The mail a user was sent; the outbox and its retries, for administrators. */
export function notificationRoutes(service: NotificationsService, requireAuth: RequestHandler): Router {
  const r = Router();
  r.use(requireAuth);
  r.get("/", async (req, res) => {
    const q = parseInput(ownQuery, req.query, "query");
    res.json({ messages: await service.forRecipient(principalOf(req).userId, q) });
  });
  r.get("/outbox", requireRole("admin"), async (req, res) => {
    const q = parseInput(outboxQuery, req.query, "query");
    res.json(await service.outbox(q));
  });
  r.post("/outbox/:id/retry", requireRole("admin"), async (req, res) => {
    const { id } = parseInput(idParam, req.params, "path");
    const result = await service.retry(id, principalOf(req).userId);
    if (result === null) throw notFound("message");
    if (result === "not_failed") throw new ApiError(409, "not_failed", "only a failed message can be retried");
    res.json(result);
  });
  return r;
}
