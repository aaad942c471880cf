// /api/organizations/:id/seals: exactly SEAL_ROUTES, each deciding by the organisations' access
// matrix (server/organizations/access.ts, the seals.* actions) before its handler runs. Input is
// checked here, decisions are the service's.
import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { principalOf } from "../http/auth";
import { parseInput } from "../http/validate";
import type { OrgAction } from "../organizations/access";
import { readSealImage } from "./image";
import { SEAL_KINDS } from "./kinds";
import type { SealsService } from "./service";

export interface SealRouteSpec {
  method: "get" | "post" | "delete";
  path: string;
  action: OrgAction & `seals.${string}`;
}

/** Every route under /api/organizations/:id/seals. */
export const SEAL_ROUTES: readonly SealRouteSpec[] = [
  { method: "post", path: "/", action: "seals.create" },
  { method: "get", path: "/", action: "seals.list" },
  { method: "get", path: "/:sealId", action: "seals.read" },
  { method: "get", path: "/:sealId/appearance", action: "seals.read" },
  { method: "post", path: "/:sealId/grants", action: "seals.grant" },
  { method: "delete", path: "/:sealId/grants/:userId", action: "seals.revoke" },
  { method: "post", path: "/:sealId/retire", action: "seals.retire" },
];

const newSealBody = z
  .object({
    kind: z.enum(SEAL_KINDS),
    name: z.string().trim().min(1).max(64),
    // 印章编码: the public security bureau's 13-digit seal code, printed along the lower arc
    code: z.string().regex(/^\d{13}$/, "must be the seal's 13-digit code").optional(),
    image: z.string().min(1).max(400_000).optional(),
  })
  .strict();
const grantBody = z.object({ userId: z.string().min(1).max(64) }).strict();

type Handler = (req: Request, res: Response) => Promise<void>;
const param = (req: Request, name: string) => String(req.params[name]);

export function sealRoutes(seals: SealsService): Router {
  const org = (req: Request, action: OrgAction) => seals.authorize(action, principalOf(req), param(req, "id"));
  const handlers: Record<string, Handler> = {
    "post /": async (req, res) => {
      const o = await org(req, "seals.create");
      const body = parseInput(newSealBody, req.body);
      const image = body.image !== undefined ? await readSealImage(body.image) : undefined;
      const created = await seals.create(principalOf(req), o, { kind: body.kind, name: body.name, code: body.code, image });
      res.status(201).location(`/api/organizations/${o.id}/seals/${created.id}`).json(created);
    },
    "get /": async (req, res) => {
      res.json({ seals: await seals.list(await org(req, "seals.list")) });
    },
    "get /:sealId": async (req, res) => {
      res.json(await seals.get(await org(req, "seals.read"), param(req, "sealId")));
    },
    "get /:sealId/appearance": async (req, res) => {
      const pdf = await seals.appearance(await org(req, "seals.read"), param(req, "sealId"));
      res.set({ "Content-Type": "application/pdf", "Content-Length": String(pdf.length) }).end(pdf);
    },
    "post /:sealId/grants": async (req, res) => {
      const o = await org(req, "seals.grant");
      const body = parseInput(grantBody, req.body);
      res.status(201).json(await seals.grant(principalOf(req), o, param(req, "sealId"), body.userId));
    },
    "delete /:sealId/grants/:userId": async (req, res) => {
      const o = await org(req, "seals.revoke");
      await seals.revoke(principalOf(req), o, param(req, "sealId"), param(req, "userId"));
      res.status(204).end();
    },
    "post /:sealId/retire": async (req, res) => {
      const o = await org(req, "seals.retire");
      res.json(await seals.retire(principalOf(req), o, param(req, "sealId")));
    },
  };
  const r = Router({ mergeParams: true });
  for (const spec of SEAL_ROUTES) r[spec.method](spec.path, handlers[`${spec.method} ${spec.path}`]);
  return r;
}
