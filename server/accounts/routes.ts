import { Router } from "express";
import { z } from "zod";
import { requireAuth, requireRole, principalOf } from "../http/auth";
import { parseInput } from "../http/validate";
import { notFound } from "../http/errors";
import { ROLES } from "./roles";
import type { AccountService } from "./service";

const email = z.string().trim().email().max(254);
const password = z.string().min(10).max(200);
// Names become certificate subjects (RFC 5280 names refuse control characters).
const name = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters");

const loginBody = z.object({ email: z.string().max(254), password: z.string().max(200) }).strict();
const passwordChangeBody = z.object({ currentPassword: z.string().max(200), newPassword: password }).strict();
const newUserBody = z
  .object({ email, name, password, role: z.enum(ROLES), organizationId: z.string().uuid().optional() })
  .strict();
const newOrgBody = z
  .object({
    name,
    // Unified social credit code (GB 32100-2015): 18 characters of digits and capital letters.
    creditCode: z.string().regex(/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/, "not a unified social credit code").optional(),
  })
  .strict();
const newTokenBody = z.object({ name, expiresInDays: z.number().int().min(1).max(3650).optional() }).strict();

export function accountRoutes(accounts: AccountService): Router {
  const r = Router();
  const auth = requireAuth(accounts);

  r.post("/auth/login", async (req, res) => {
    const body = parseInput(loginBody, req.body);
    res.json(await accounts.login(body.email, body.password));
  });

  r.post("/auth/logout", auth, async (req, res) => {
    await accounts.revokeToken(principalOf(req).userId, principalOf(req).tokenId);
    res.status(204).end();
  });

  r.post("/auth/password", auth, async (req, res) => {
    const body = parseInput(passwordChangeBody, req.body);
    const p = principalOf(req);
    await accounts.changePassword(p.userId, body.currentPassword, body.newPassword, p.tokenId);
    res.status(204).end();
  });

  r.get("/auth/me", auth, async (req, res) => {
    res.json(await accounts.getUser(principalOf(req).userId));
  });

  r.post("/organizations", auth, requireRole("admin"), async (req, res) => {
    res.status(201).json(await accounts.createOrganization(parseInput(newOrgBody, req.body), principalOf(req).userId));
  });
  r.get("/organizations", auth, requireRole("admin"), async (_req, res) => {
    res.json({ organizations: await accounts.listOrganizations() });
  });

  r.post("/users", auth, requireRole("admin"), async (req, res) => {
    res.status(201).json(await accounts.createUser(parseInput(newUserBody, req.body), principalOf(req).userId));
  });
  r.get("/users", auth, requireRole("admin"), async (_req, res) => {
    res.json({ users: await accounts.listUsers() });
  });

  r.post("/tokens", auth, async (req, res) => {
    const body = parseInput(newTokenBody, req.body);
    res.status(201).json(await accounts.createApiToken(principalOf(req).userId, body.name, body.expiresInDays));
  });
  r.get("/tokens", auth, async (req, res) => {
    res.json({ tokens: await accounts.listApiTokens(principalOf(req).userId) });
  });
  r.delete("/tokens/:id", auth, async (req, res) => {
    const id = String(req.params.id);
    // Token ids are UUIDs; anything else (a NUL byte would even fail in PostgreSQL) is unknown.
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) throw notFound("token");
    await accounts.revokeToken(principalOf(req).userId, id);
    res.status(204).end();
  });
  return r;
}
