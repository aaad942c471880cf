// HTTP for bulk sending, under /api/contracts/bulk: POST a CSV (multipart 'file') with the options
// (multipart 'bulk', JSON), then GET the report while the rows are done. Every route needs a
// logged-in user; sending needs a role of access.ts.
import { Router, type Request } from "express";
import { z } from "zod";
import { ApiError, badRequest, forbidden } from "../../http/errors";
import { principalOf } from "../../http/auth";
import { isMultipart } from "../../http/multipart";
import { readUploadIntoMemory } from "../../http/upload-buffer";
import { parseInput } from "../../http/validate";
import { requestMeta, signerInput } from "../routes";
import { mayBulkSend } from "./access";
import type { BulkSends } from "./service";

// Printable ASCII, as Stripe's and the IETF draft's Idempotency-Key.
const idempotencyKey = z.string().regex(/^[\x21-\x7e]{8,128}$/, "must be 8 to 128 printable ASCII characters");
const bulkBody = z
  .object({
    template: z.string().min(1).max(64),
    title: z.string().trim().min(1).max(200).optional(),
    signers: z.array(signerInput.refine((s) => s.box === undefined, "the template places the boxes")).max(10).default([]),
    send: z
      .object({ expiresInDays: z.number().int().min(1).max(365).optional(), reminderIntervalHours: z.number().int().min(1).max(24 * 30).optional() })
      .strict()
      .default({}),
    idempotencyKey: idempotencyKey.optional(),
  })
  .strict();

export function bulkSendRoutes(bulk: BulkSends, maxCsvBytes: number): Router {
  const r = Router();

  r.post("/", async (req: Request, res) => {
    const p = principalOf(req);
    if (!mayBulkSend(p.role)) throw forbidden("your role does not send contracts in bulk");
    if (!isMultipart(req)) throw new ApiError(415, "unsupported_media_type", "send multipart/form-data with 'file' (the CSV) and 'bulk' (JSON {template, title, signers, send, idempotencyKey})");
    const { file, fields } = await readUploadIntoMemory(req, maxCsvBytes, ["bulk"]);
    if (fields.bulk === undefined) throw badRequest("invalid_input", "fields.bulk: the options (JSON: template, …) are required");
    let json: unknown;
    try {
      json = JSON.parse(fields.bulk);
    } catch {
      throw badRequest("invalid_input", "fields.bulk: must be JSON");
    }
    const body = parseInput(bulkBody, json, "fields.bulk");
    const header = req.get("idempotency-key");
    const key = header !== undefined ? parseInput(idempotencyKey, header, "headers.idempotency-key") : body.idempotencyKey;
    if (header !== undefined && body.idempotencyKey !== undefined && header !== body.idempotencyKey) {
      throw badRequest("invalid_input", "the Idempotency-Key header and fields.bulk.idempotencyKey differ");
    }
    const started = await bulk.start(p, file, { templateId: body.template, title: body.title, signers: body.signers, send: body.send, idempotencyKey: key }, requestMeta(req));
    const report = await bulk.report(p, started.id);
    // 202 while rows are being done; 200 when this key's run had finished.
    res.status(started.finished ? 200 : 202).location(`/api/contracts/bulk/${started.id}`).json({ ...report, resumed: started.resumed });
  });

  r.get("/", async (req, res) => {
    res.json({ items: await bulk.list(principalOf(req)) });
  });

  r.get("/:id", async (req, res) => {
    res.json(await bulk.report(principalOf(req), String(req.params.id)));
  });
  return r;
}
