import { Router } from "express";
import { z } from "zod";
import { requireAuth, requireRole, principalOf } from "../http/auth";
import { parseInput } from "../http/validate";
import { notFound } from "../http/errors";
import { ROLES } from "./roles";
import { emailInput, passwordInput, personName } from "./inputs";
import type { AccountService } from "./service";

const email = emailInput;
const password = passwordInput;
const name = personName;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const loginBody = z.object({ email: z.string().max(254), password: z.string().max(200) }).strict();
const passwordChangeBody = z.object({ currentPassword: z.string().max(200), newPassword: password }).strict();
const newUserBody = z
  .object({ email, name, password, role: z.enum(ROLES), organizationId: z.string().uuid().optional(), orgAdmin: z.boolean().optional() })
  .strict();
const userQuery = z.object({
  q: z.string().max(200).optional(),
  role: z.enum(ROLES).optional(),
  organizationId: z.string().regex(UUID, "must be an id").optional(),
  status: z.enum(["active", "pending", "disabled"]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});
const updateUserBody = z
  .object({ name: name.optional(), role: z.enum(ROLES).optional(), organizationId: z.string().regex(UUID, "must be an id").nullable().optional(), orgAdmin: z.boolean().optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, "nothing to change");
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
    res.json(await accounts.me(principalOf(req).userId));
  });

  r.post("/users", auth, requireRole("admin"), async (req, res) => {
    res.status(201).json(await accounts.createUser(parseInput(newUserBody, req.body), principalOf(req).userId));
  });
  r.get("/users", auth, requireRole("admin"), async (req, res) => {
    res.json({ users: await accounts.listUsers(parseInput(userQuery, req.query, "query")) });
  });
  const userId = (req: { params: Record<string, unknown> }) => {
    const id = String(req.params.id);
    if (!UUID.test(id)) throw notFound("user");
    return id;
  };
  r.patch("/users/:id", auth, requireRole("admin"), async (req, res) => {
    res.json(await accounts.updateUser(userId(req), parseInput(updateUserBody, req.body), principalOf(req).userId));
  });
  r.post("/users/:id/disable", auth, requireRole("admin"), async (req, res) => {
    res.json(await accounts.setDisabled(userId(req), true, principalOf(req).userId));
  });
  r.post("/users/:id/enable", auth, requireRole("admin"), async (req, res) => {
    res.json(await accounts.setDisabled(userId(req), false, principalOf(req).userId));
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
