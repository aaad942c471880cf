// The service address routes: exactly access.ts's ADDRESS_ROUTES, each deciding access
// (ServiceAddressesService.authorize) before its handler, and the two routes outside the case table
// (OUTSIDE_ROUTES): the mailed link, and the text messages kept for administrators.
import { Router, type Request, type RequestHandler, type Response } from "express";
import { z } from "zod";
import { principalOf, requireRole } from "../http/auth";
import { parseInput } from "../http/validate";
import { clientText } from "../cases/receipt";
import { ADDRESS_ROUTES, type AddressAction, type AddressRouteSpec } from "./access";
import { confirmationBody } from "./addresses";
import type { AddressAccess, ServiceAddressesService } from "./service";
import type { AddressDeliveries } from "./delivery";

type Handler = (req: Request, res: Response, access: AddressAccess) => Promise<void>;
const textQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });

type StoredItem = { id: string; sha256: string; size: number | null; fileName: string | null; mediaType: string | null };

function sendStored(res: Response, stream: NodeJS.ReadableStream, item: StoredItem, disposition: "inline" | "attachment") {
  res.set({
    "Content-Type": item.mediaType ?? "application/octet-stream",
    "Content-Length": String(item.size),
    "Content-Disposition": `${disposition}; filename="${item.id}"${item.fileName ? `; filename*=UTF-8''${encodeURIComponent(item.fileName)}` : ""}`,
    "X-Content-SHA256": item.sha256,
  });
  stream.pipe(res);
}

export function serviceAddressRouters(service: ServiceAddressesService): [AddressRouteSpec["base"], Router][] {
  const handlers: Record<AddressAction, Handler> = {
    "addresses.confirm": async (req, res, access) => {
      const made = await service.confirm(principalOf(req), access, parseInput(confirmationBody, req.body));
      res.status(201).location(made.document.url).json(made);
    },
    "addresses.list": async (_req, res, access) => {
      res.json(await service.list(access));
    },
    "addresses.document": async (req, res, access) => {
      const { stream, item } = await service.document(access, String(req.params.cid));
      sendStored(res, stream, { ...item, mediaType: "application/pdf" }, "attachment");
    },
  };
  const routers = new Map<AddressRouteSpec["base"], Router>();
  for (const spec of ADDRESS_ROUTES) {
    let r = routers.get(spec.base);
    if (!r) routers.set(spec.base, (r = Router()));
    const handler = handlers[spec.action];
    r[spec.method](spec.path, async (req, res) => {
      const access = await service.authorize(spec.action, principalOf(req), String(req.params.id ?? ""));
      await handler(req, res, access);
    });
  }
  return [...routers.entries()];
}

/** GET /api/service-links/:token: the served document, opened from the mail (the token is the credential). */
export function serviceLinkRoutes(deliveries: AddressDeliveries, limit: RequestHandler): Router {
  const r = Router();
  r.get("/:token", limit, async (req, res) => {
    const client = { ip: clientText(req.ip ?? req.socket.remoteAddress, 100), userAgent: clientText(req.get("user-agent"), 512) };
    const { stream, item } = await deliveries.open(String(req.params.token), client);
    res.set("Cache-Control", "no-store");
    sendStored(res, stream, item, "inline");
  });
  return r;
}

/** GET /api/text-messages: what would have been texted, for administrators (no SMS gateway). */
export function textMessageRoutes(deliveries: AddressDeliveries): Router {
  const r = Router();
  r.get("/", requireRole("admin"), async (req, res) => {
    const q = parseInput(textQuery, req.query, "query");
    res.json(await deliveries.textMessages(q.limit));
  });
  return r;
}
