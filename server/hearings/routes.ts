// The hearing routes: exactly access.ts's HEARING_ROUTES, each deciding access
// (HearingsService.authorize) before its handler, and the signed-in user's own calendar.
import { Router, type Request, type Response } from "express";
import { principalOf } from "../http/auth";
import { parseInput } from "../http/validate";
import { HEARING_CALENDAR_ROUTE, HEARING_ROUTES, type HearingAction, type HearingRouteSpec } from "./access";
import { calendarQuery, cancelBody, createBody, rescheduleBody, respondBody, summonsBody } from "./input";
import type { HearingAccess, HearingsService } from "./service";

type Handler = (req: Request, res: Response, access: HearingAccess) => Promise<void>;

export function hearingRouters(service: HearingsService): [HearingRouteSpec["base"] | typeof HEARING_CALENDAR_ROUTE.base, Router][] {
  const handlers: Record<HearingAction, Handler> = {
    "hearing.create": async (req, res, access) => {
      const made = await service.create(principalOf(req), access, parseInput(createBody, req.body));
      res.status(201).location(`/api/cases/${made.caseId}/hearings/${made.id}`).json(made);
    },
    "hearing.list": async (_req, res, access) => {
      res.json(await service.list(access));
    },
    "hearing.read": async (_req, res, access) => {
      res.json(await service.read(access));
    },
    "hearing.choose": async (req, res, access) => {
      res.json(await service.choose(principalOf(req), access, String(req.params.slotId)));
    },
    "hearing.respond": async (req, res, access) => {
      res.json(await service.respond(principalOf(req), access, parseInput(respondBody, req.body)));
    },
    "hearing.reschedule": async (req, res, access) => {
      res.json(await service.reschedule(principalOf(req), access, parseInput(rescheduleBody, req.body)));
    },
    "hearing.cancel": async (req, res, access) => {
      res.json(await service.cancel(principalOf(req), access, parseInput(cancelBody, req.body).reason));
    },
    "hearing.calendar": async (_req, res, access) => {
      const { fileName, ics } = await service.calendar(access);
      res.set({ "Content-Type": "text/calendar; charset=utf-8", "Content-Disposition": `attachment; filename="${fileName}"` }).send(ics);
    },
    "hearing.summons": async (req, res, access) => {
      const body = parseInput(summonsBody, req.body ?? {});
      const out = await service.summons(principalOf(req), access, body.parties);
      res.status(out.served.length ? 201 : 200).json(out);
    },
  };
  const cases = Router();
  for (const spec of HEARING_ROUTES) {
    const handler = handlers[spec.action];
    cases[spec.method](spec.path, async (req, res) => {
      const access = await service.authorize(spec.action, principalOf(req), req.params as Record<string, string>);
      await handler(req, res, access);
    });
  }
  const calendar = Router();
  calendar[HEARING_CALENDAR_ROUTE.method](HEARING_CALENDAR_ROUTE.path, async (req, res) => {
    res.json(await service.mine(principalOf(req), parseInput(calendarQuery, req.query, "query")));
  });
  return [
    ["/api/cases", cases],
    [HEARING_CALENDAR_ROUTE.base, calendar],
  ];
}
