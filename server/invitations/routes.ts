// The e-mailed links (public: the person has no session yet), the anonymous password reset, and
// the administrator's invitations and resets. Public answers never tell whether an address has an
// account: a reset request is 202 whatever the address.
import { Router } from "express";
import { z } from "zod";
import type { RequestHandler } from "express";
import { principalOf, requireRole } from "../http/auth";
import { ApiError, notFound } from "../http/errors";
import { parseInput } from "../http/validate";
import { ROLES } from "../accounts/roles";
import { emailInput, passwordInput, personName } from "../accounts/inputs";
import type { AccountService } from "../accounts/service";
import { WORKSPACE } from "./landing";
import type { Invitations } from "./service";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const resetBody = z.object({ email: z.string().max(254) }).strict();
const acceptBody = z.object({ password: passwordInput, name: personName.optional() }).strict();
const inviteBody = z
  .object({ email: emailInput, name: personName, role: z.enum(ROLES), organizationId: z.string().regex(UUID, "must be an id").optional(), orgAdmin: z.boolean().optional() })
  .strict();

/** Mounted at /api: the public link routes and the anonymous reset, rate limited per IP by `limit`. */
export function accountLinkRoutes(invitations: Invitations, limit: RequestHandler): Router {
  const r = Router();
  r.post("/auth/password-reset", limit, async (req, res) => {
    const body = parseInput(resetBody, req.body);
    // Refused addresses are answered alike: the shape is checked, nothing else is said.
    const email = emailInput.safeParse(body.email);
    if (email.success) await invitations.requestPasswordReset(email.data);
    res.status(202).json({ accepted: true });
  });
  r.get("/account-links/:token", limit, async (req, res) => {
    res.json(await invitations.inspect(String(req.params.token)));
  });
  r.post("/account-links/:token/accept", limit, async (req, res) => {
    res.json(await invitations.accept(String(req.params.token), parseInput(acceptBody, req.body)));
  });
  return r;
}

/** Mounted at /api/users behind authentication: the platform administrator's invitations and resets. */
export function userInvitationRoutes(invitations: Invitations, accounts: AccountService): Router {
  const r = Router();
  r.use(requireRole("admin"));
  r.post("/invite", async (req, res) => {
    const p = principalOf(req);
    const body = parseInput(inviteBody, req.body);
    if (body.organizationId) await accounts.checkOrganizationRole(body.organizationId, body.role);
    const existing = await accounts.userByEmail(body.email);
    if (existing) {
      // The platform administrator sees every account anyway: say it plainly.
      throw new ApiError(409, "duplicate", "a user with this e-mail exists");
    }
    const { user } = await invitations.inviteAlone({ ...body, invitedBy: { id: p.userId, name: p.name }, context: { kind: "organization" }, landing: WORKSPACE });
    res.status(201).json(user);
  });
  const target = async (id: string) => {
    const user = UUID.test(id) ? await accounts.getUser(id) : null;
    if (!user) throw notFound("user");
    return user;
  };
  r.post("/:id/password-reset", async (req, res) => {
    const user = await target(String(req.params.id));
    await invitations.requestPasswordReset(user.email, principalOf(req));
    res.status(202).json({ accepted: true });
  });
  r.post("/:id/invitation", async (req, res) => {
    await target(String(req.params.id));
    await invitations.resend(principalOf(req), String(req.params.id));
    res.status(202).json({ resent: true });
  });
  return r;
}
