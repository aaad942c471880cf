// The filing and court routes. Exactly the routes of access.ts's FILING_ROUTES are registered, and
// each runs the access table (FilingService.authorize) before its handler.
import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { principalOf } from "../http/auth";
import { ApiError } from "../http/errors";
import { isMultipart } from "../http/multipart";
import { parseInput } from "../http/validate";
import type { EvidenceService } from "../evidence/service";
import type { ContentStore } from "../storage/content-store";
import { FILING_ROUTES, type FilingRouteAction, type FilingRouteSpec } from "./access";
import { editFilingBody, line, longText, newFilingBody, uuid } from "./content";
import { caseNumberFormatBody } from "./case-number";
import { ingestAttachment } from "./attachments";
import type { CourtAccess, FilingAccess, FilingService } from "./service";

const acceptBody = z.object({ causeOfAction: line(200), judgeId: uuid, number: line(100).optional() }).strict();
/** An ISO date ("2026-12-20": the end of that day in China) or date-time with its offset. */
const deadline = z
  .string()
  .trim()
  .refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) || z.iso.datetime({ offset: true }).safeParse(v).success, "must be an ISO date or date-time")
  .transform((v) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T23:59:59.999+08:00` : v))
  .refine((d) => !Number.isNaN(d.getTime()), "must be a real date");
const correctionBody = z.object({ reason: longText(2000), deadline }).strict();
const rejectBody = z.object({ reason: longText(2000) }).strict();

export interface FilingRouteDeps {
  evidence: EvidenceService;
  store: ContentStore;
  maxUploadBytes: number;
  maxPdfBytes: number;
}

type Handler = (req: Request, res: Response, access: FilingAccess | CourtAccess | null) => Promise<void>;

export function filingRouters(filings: FilingService, d: FilingRouteDeps): [FilingRouteSpec["base"], Router][] {
  const f = (a: FilingAccess | CourtAccess | null) => a as FilingAccess;
  const handlers: Record<FilingRouteAction, Handler> = {
    "court.list": async (_req, res) => {
      res.json({ items: await filings.listCourts() });
    },
    "court.setCaseNumberFormat": async (req, res, access) => {
      res.json(await filings.setCaseNumberFormat(principalOf(req), access as CourtAccess, parseInput(caseNumberFormatBody, req.body).format));
    },
    "filing.create": async (req, res) => {
      const created = await filings.create(principalOf(req), parseInput(newFilingBody, req.body));
      res.status(201).location(`/api/filings/${created.id}`).json(created);
    },
    "filing.list": async (req, res) => {
      res.json({ items: await filings.listMine(principalOf(req)) });
    },
    "filing.queue": async (req, res) => {
      res.json({ items: await filings.queue(principalOf(req)) });
    },
    "filing.read": async (_req, res, access) => {
      res.json(await filings.detail(f(access)));
    },
    "filing.readDocument": async (req, res, access) => {
      const { stream, item } = await filings.document(f(access), String(req.params.aid));
      res.set({
        "Content-Type": "application/octet-stream",
        "Content-Length": String(item.size),
        "Content-Disposition": `attachment; filename="${item.id}"`,
        "X-Content-SHA256": item.sha256,
      });
      stream.pipe(res);
    },
    "filing.edit": async (req, res, access) => {
      res.json(await filings.edit(principalOf(req), f(access), parseInput(editFilingBody, req.body)));
    },
    "filing.attach": async (req, res, access) => {
      if (!isMultipart(req)) throw new ApiError(415, "unsupported_media_type", "send multipart/form-data with 'file', 'kind' and 'title'");
      const principal = principalOf(req);
      const { item, ...meta } = await ingestAttachment(req, d, principal, d);
      res.status(201).json(await filings.addAttachment(principal, f(access), item, meta));
    },
    "filing.detach": async (req, res, access) => {
      await filings.removeAttachment(principalOf(req), f(access), String(req.params.aid));
      res.status(204).end();
    },
    "filing.submit": async (req, res, access) => {
      res.json(await filings.submit(principalOf(req), f(access)));
    },
    "filing.accept": async (req, res, access) => {
      res.json(await filings.accept(principalOf(req), f(access), parseInput(acceptBody, req.body)));
    },
    "filing.requestCorrection": async (req, res, access) => {
      res.json(await filings.requestCorrection(principalOf(req), f(access), parseInput(correctionBody, req.body)));
    },
    "filing.reject": async (req, res, access) => {
      res.json(await filings.reject(principalOf(req), f(access), parseInput(rejectBody, req.body).reason));
    },
  };

  const routers = new Map<FilingRouteSpec["base"], Router>();
  for (const spec of FILING_ROUTES) {
    let r = routers.get(spec.base);
    if (!r) routers.set(spec.base, (r = Router()));
    const handler = handlers[spec.action];
    r[spec.method](spec.path, async (req, res) => {
      let access: FilingAccess | CourtAccess | null;
      try {
        access = await filings.authorize(spec.action, principalOf(req), req.params as Record<string, string>);
        if (spec.action === "filing.attach") filings.checkAttachable(access as FilingAccess);
      } catch (e) {
        // Refused before an upload was read: discard the body instead of leaving the client blocked.
        if (!req.readableEnded) req.resume();
        throw e;
      }
      await handler(req, res, access);
    });
  }
  return [...routers.entries()];
}
