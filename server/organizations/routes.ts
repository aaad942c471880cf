// /api/organizations: exactly access.ts's ORGANIZATION_ROUTES, each deciding by the matrix before
// its handler runs. Input is checked here, decisions are the service's.
import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { principalOf, requireRole } from "../http/auth";
import { parseInput } from "../http/validate";
import { ROLES } from "../accounts/roles";
import { ORGANIZATION_KINDS } from "../accounts/organization-kinds";
import { emailInput, personName } from "../accounts/inputs";
import { ORGANIZATION_ROUTES, type OrgRouteSpec } from "./access";
import type { OrganizationsService } from "./service";

// Unified social credit code (GB 32100-2015): 18 characters of digits and capital letters.
const creditCode = z.string().regex(/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/, "not a unified social credit code");
const role = z.enum(ROLES).refine((r) => r !== "admin", "the platform administrator belongs to no organisation");

const newOrgBody = z
  .object({
    name: personName,
    kind: z.enum(ORGANIZATION_KINDS).default("enterprise"),
    creditCode: creditCode.optional(),
    admin: z.object({ email: emailInput, name: personName, role: role.optional() }).strict().optional(),
  })
  .strict();
const inviteBody = z.object({ email: emailInput, name: personName, role: role.optional(), orgAdmin: z.boolean().optional() }).strict();
const updateBody = z
  .object({ role: role.optional(), orgAdmin: z.boolean().optional() })
  .strict()
  .refine((b) => b.role !== undefined || b.orgAdmin !== undefined, "give role or orgAdmin");

type Handler = (req: Request, res: Response) => Promise<void>;

export function organizationRoutes(orgs: OrganizationsService): Router {
  const org = (req: Request, action: Parameters<OrganizationsService["authorize"]>[0]) => orgs.authorize(action, principalOf(req), String(req.params.id));
  const handlers: Record<OrgRouteSpec["action"], Handler> = {
    "organization.create": async (req, res) => {
      const created = await orgs.create(principalOf(req), parseInput(newOrgBody, req.body));
      res.status(201).location(`/api/organizations/${created.id}`).json(created);
    },
    "organization.list": async (req, res) => {
      res.json({ organizations: await orgs.list(principalOf(req)) });
    },
    "organization.read": async (req, res) => {
      res.json(await orgs.read(await org(req, "organization.read")));
    },
    "members.list": async (req, res) => {
      res.json({ members: await orgs.members(await org(req, "members.list")) });
    },
    "members.invite": async (req, res) => {
      const o = await org(req, "members.invite");
      res.status(202).json(await orgs.invite(principalOf(req), o, parseInput(inviteBody, req.body)));
    },
    "members.update": async (req, res) => {
      const o = await org(req, "members.update");
      res.json(await orgs.update(principalOf(req), o, String(req.params.userId), parseInput(updateBody, req.body)));
    },
    "members.remove": async (req, res) => {
      const o = await org(req, "members.remove");
      await orgs.remove(principalOf(req), o, String(req.params.userId));
      res.status(204).end();
    },
    "members.resendInvitation": async (req, res) => {
      const o = await org(req, "members.resendInvitation");
      await orgs.resendInvitation(principalOf(req), o, String(req.params.userId));
      res.status(202).json({ resent: true });
    },
    "contracts.list": async (req, res) => {
      res.json({ items: await orgs.contracts(await org(req, "contracts.list")) });
    },
    "certificates.list": async (req, res) => {
      res.json({ certificates: await orgs.certificates(await org(req, "certificates.list")) });
    },
  };
  const r = Router();
  const adminOnly = requireRole("admin");
  for (const spec of ORGANIZATION_ROUTES) {
    const handler = handlers[spec.action];
    if (spec.action === "organization.create") r[spec.method](spec.path, adminOnly, handler);
    else r[spec.method](spec.path, handler);
  }
  return r;
}
