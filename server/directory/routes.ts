// /api/directory: every signed-in user; what they find is the service's (visibility.ts).
import { Router } from "express";
import { z } from "zod";
import { principalOf } from "../http/auth";
import { parseInput } from "../http/validate";
import { ROLES } from "../accounts/roles";
import { ORGANIZATION_KINDS } from "../accounts/organization-kinds";
import type { DirectoryService } from "./service";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const text = z.string().max(200).regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters");
const limit = z.coerce.number().int().min(1).max(100).default(20);
const peopleQuery = z.object({ q: text.optional(), role: z.enum(ROLES).optional(), organizationId: z.string().regex(UUID, "must be an id").optional(), limit }).strict();
const orgQuery = z.object({ q: text.optional(), kind: z.enum(ORGANIZATION_KINDS).optional(), limit }).strict();

export function directoryRoutes(directory: DirectoryService): Router {
  const r = Router();
  r.get("/people", async (req, res) => {
    res.json({ people: await directory.people(principalOf(req), parseInput(peopleQuery, req.query, "query")) });
  });
  r.get("/organizations", async (req, res) => {
    res.json({ organizations: await directory.organizations(parseInput(orgQuery, req.query, "query")) });
  });
  return r;
}
