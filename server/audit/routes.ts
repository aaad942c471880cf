import { Router } from "express";
import { z } from "zod";
import type { AccountService } from "../accounts/service";
import { requireAuth, requireRole } from "../http/auth";
import { parseInput } from "../http/validate";
import type { AuditService } from "./service";

const filterText = z.string().max(200).regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters");
const listQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  action: filterText.optional(),
  actor: filterText.optional(),
  subject: filterText.optional(),
  order: z.enum(["asc", "desc"]).default("asc"),
});

/** The audit log, for admins and judges; its verification, recomputed on request. */
export function auditRoutes(audit: AuditService, accounts: AccountService): Router {
  const r = Router();
  r.use(requireAuth(accounts), requireRole("admin", "judge"));
  r.get("/", async (req, res) => {
    const q = parseInput(listQuery, req.query, "query");
    res.json({
      entries: await audit.list({ afterSeq: q.after, beforeSeq: q.before, limit: q.limit, action: q.action, actorId: q.actor, subject: q.subject, newestFirst: q.order === "desc" }),
    });
  });
  r.get("/verify", async (_req, res) => {
    const result = await audit.verify();
    res.json({ ok: result.firstBreak === null, ...result });
  });
  return r;
}
