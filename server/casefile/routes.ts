// The case file routes: exactly access.ts's CASEFILE_ROUTES, each deciding access (CaseFileService
// .authorize) before its handler. Mounted at /api/cases/:id/file (mergeParams: :id is the case).
import { createHash } from "node:crypto";
import { Router, type Request, type Response } from "express";
import { principalOf } from "../http/auth";
import { CASEFILE_ROUTES, type CaseFileAction, type CaseFileRouteSpec } from "./access";
import type { CaseFileAccess, CaseFileService } from "./service";

type Handler = (req: Request, res: Response, access: CaseFileAccess) => Promise<void>;

export function caseFileRouters(files: CaseFileService): [CaseFileRouteSpec["base"], Router][] {
  const handlers: Record<CaseFileAction, Handler> = {
    "file.read": async (_req, res, access) => {
      res.json(await files.view(access));
    },
    "file.export": async (req, res, access) => {
      const made = await files.export(principalOf(req), access);
      res.status(201).location(made.pdf).json(made);
    },
    "file.exports.list": async (_req, res, access) => {
      res.json(await files.listExports(access));
    },
    "file.exports.read": async (req, res, access) => {
      const { pdf, version } = await files.exportPdf(access, String(req.params.version));
      res.set({
        "Content-Type": "application/pdf",
        "Content-Length": String(pdf.length),
        "Content-Disposition": `attachment; filename="casefile-${access.courtCase.id}-v${version}.pdf"`,
        "X-Content-SHA256": "0x" + createHash("sha256").update(pdf).digest("hex"),
      });
      res.send(pdf);
    },
  };
  const routers = new Map<CaseFileRouteSpec["base"], Router>();
  for (const spec of CASEFILE_ROUTES) {
    let r = routers.get(spec.base);
    if (!r) routers.set(spec.base, (r = Router({ mergeParams: true })));
    const handler = handlers[spec.action];
    r[spec.method](spec.path, async (req, res) => {
      const access = await files.authorize(spec.action, principalOf(req), String((req.params as Record<string, string>).id ?? ""));
      await handler(req, res, access);
    });
  }
  return [...routers.entries()];
}
