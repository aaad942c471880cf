// HTTP for the fields on a contract's document: GET /api/contracts/:id/fields (the sender; the
// signers once sent) and PUT (the sender, on a draft), and the values and personal signature a
// signer sends with their signature (signBody's extension). Input is checked here, decisions are
// the service's (fields.ts).
import { Router } from "express";
import { z } from "zod";
import { principalOf } from "../http/auth";
import { parseInput } from "../http/validate";
import type { ContractsService } from "./service";
import { requestMeta } from "./routes";
import { FIELD_KINDS, MAX_SIGNATURE_PNG_BYTES } from "./fields";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const coordinate = z.number().finite().min(0).max(14400);
const place = (minW: number, minH: number) =>
  z.object({ page: z.number().int().min(0).max(100_000), x: coordinate, y: coordinate, w: z.number().finite().min(minW).max(2000), h: z.number().finite().min(minH).max(2000) }).strict();
const signerId = z.string().regex(UUID, "must be a signer id (GET /api/contracts/:id lists them)");

export const layoutBody = z
  .object({
    signatures: z.array(z.object({ signerId, box: place(36, 18) }).strict()).max(50).optional(),
    fields: z
      .array(
        z
          .object({
            signerId,
            kind: z.enum(FIELD_KINDS),
            // a date needs room for "2026-12-07" at a legible size
            box: place(24, 10),
            label: z.string().trim().min(1).max(64).optional(),
            required: z.boolean().optional(),
            maxLength: z.number().int().min(1).max(1000).optional(),
          })
          .strict()
          .refine((f) => f.kind === "text" || f.maxLength === undefined, "maxLength is for text fields"),
      )
      .max(200),
  })
  .strict();

/** What a signer may send besides the code: their fields' values and a drawn or typed signature. */
export const fillFields = {
  values: z.record(z.string().regex(UUID, "keys are field ids"), z.string().max(4000)).optional(),
  signature: z
    .discriminatedUnion("kind", [
      // base64 of twice the PNG limit: a PNG just too large gets its own answer (image_too_large)
      z.object({ kind: z.literal("drawn"), png: z.string().min(1).max(Math.ceil((MAX_SIGNATURE_PNG_BYTES * 8) / 3)) }).strict(),
      z.object({ kind: z.literal("typed"), text: z.string().trim().min(1).max(40) }).strict(),
    ])
    .optional(),
};

export function fieldRoutes(contracts: ContractsService): Router {
  const r = Router();
  r.get("/:id/fields", async (req, res) => {
    res.json(await contracts.fieldLayout(principalOf(req), String(req.params.id)));
  });
  r.put("/:id/fields", async (req, res) => {
    const body = parseInput(layoutBody, req.body ?? {});
    res.json(await contracts.placeFields(principalOf(req), String(req.params.id), body, requestMeta(req)));
  });
  return r;
}
