// The mediation routes. Exactly the routes of access.ts's MEDIATION_ROUTES are registered, and each
// runs the access table (MediationService.authorize) before its handler; bodies are checked by zod.
import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { principalOf } from "../http/auth";
import { parseInput } from "../http/validate";
import { requestMeta } from "../contracts/routes";
import { line, longText, uuid } from "../filing/content";
import { MEDIATION_ROUTES, type MediationRouteAction, type MediationRouteSpec } from "./access";
import type { MediationAccess, MediationService } from "./service";

const openBody = z.object({ note: longText(4000).optional() }).strict();
const reasonBody = z.object({ reason: longText(2000) }).strict();
const assignBody = z.object({ mediatorId: uuid }).strict();
const messageBody = z.object({ body: longText(4000) }).strict();
const agreementBody = z
  .object({
    title: line(200).optional(),
    dispute: longText(4000).optional(),
    terms: z.array(longText(4000)).min(1).max(50),
    place: line(200).optional(),
    signers: z
      .array(z.object({ partyIndex: z.number().int().min(0).max(99), userId: uuid }).strict())
      .min(2)
      .max(20),
  })
  .strict();
const confirmBody = z.object({ ruling: longText(4000).optional() }).strict();

type Handler = (req: Request, res: Response, access: MediationAccess | null) => Promise<void>;

export function mediationRouters(service: MediationService): [MediationRouteSpec["base"], Router][] {
  const a = (x: MediationAccess | null) => x!;
  const handlers: Record<MediationRouteAction, Handler> = {
    "mediation.list": async (req, res) => {
      res.json({ items: await service.list(principalOf(req)) });
    },
    "mediation.open": async (req, res, access) => {
      const made = await service.open(principalOf(req), a(access), parseInput(openBody, req.body ?? {}));
      res.status(201).location(`/api/mediations/${made.id}`).json(made);
    },
    "mediation.read": async (_req, res, access) => {
      res.json(await service.detail(a(access)));
    },
    "mediation.accept": async (req, res, access) => {
      parseInput(z.object({}).strict(), req.body ?? {});
      res.json(await service.accept(principalOf(req), a(access)));
    },
    "mediation.decline": async (req, res, access) => {
      res.json(await service.decline(principalOf(req), a(access), parseInput(reasonBody, req.body).reason));
    },
    "mediation.assign": async (req, res, access) => {
      res.json(await service.assign(principalOf(req), a(access), parseInput(assignBody, req.body).mediatorId));
    },
    "mediation.messages": async (_req, res, access) => {
      res.json({ items: await service.messages(a(access)) });
    },
    "mediation.post": async (req, res, access) => {
      res.status(201).json(await service.post(principalOf(req), a(access), parseInput(messageBody, req.body).body));
    },
    "mediation.draftAgreement": async (req, res, access) => {
      res.status(201).json(await service.draftAgreement(principalOf(req), a(access), parseInput(agreementBody, req.body), requestMeta(req)));
    },
    "mediation.confirm": async (req, res, access) => {
      res.status(201).json(await service.confirm(principalOf(req), a(access), parseInput(confirmBody, req.body ?? {})));
    },
    "mediation.order": async (_req, res, access) => {
      const { stream, item } = await service.orderDocument(a(access));
      res.set({
        "Content-Type": "application/pdf",
        "Content-Length": String(item.size),
        "Content-Disposition": `attachment; filename="${item.fileName ?? `${item.id}.pdf`}"`,
        "X-Content-SHA256": item.sha256,
      });
      stream.pipe(res);
    },
    "mediation.fail": async (req, res, access) => {
      res.json(await service.fail(principalOf(req), a(access), parseInput(reasonBody, req.body).reason));
    },
  };

  const routers = new Map<MediationRouteSpec["base"], Router>();
  for (const spec of MEDIATION_ROUTES) {
    let r = routers.get(spec.base);
    if (!r) routers.set(spec.base, (r = Router()));
    const handler = handlers[spec.action];
    r[spec.method](spec.path, async (req, res) => {
      const access = await service.authorize(spec.action, principalOf(req), req.params as Record<string, string>, spec.byFiling === true);
      await handler(req, res, access);
    });
  }
  return [...routers.entries()];
}
