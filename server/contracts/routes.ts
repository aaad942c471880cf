// HTTP for contracts: /api/contracts (the sender's and the parties' view) and /api/sign/:token (the
// signer's invitation link). Both need a logged-in user; the link works only for the signer it was
// issued to. Input is checked here, decisions are the service's.
import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { ApiError, badRequest } from "../http/errors";
import { principalOf } from "../http/auth";
import { isMultipart } from "../http/multipart";
import { readUploadIntoMemory } from "../http/upload-buffer";
import { parseInput } from "../http/validate";
import type { ContractsService } from "./service";
import { emailInput, personName } from "../accounts/inputs";
import type { RequestMeta } from "./events";
import type { Readable } from "node:stream";
import { SEAL_KINDS } from "../seals/kinds";
import { fieldRoutes, fillFields } from "./field-routes";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const text = (max: number) => z.string().trim().min(1).max(max);
const coordinate = z.number().finite().min(0).max(14400);
const box = z
  .object({ page: z.number().int().min(0).max(100_000), x: coordinate, y: coordinate, w: z.number().min(36).max(2000), h: z.number().min(18).max(2000) })
  .strict();
/** A signer as the API takes it (a draft's, and every contract's of a bulk send). */
export const signerInput = z
  .object({
    userId: z.string().regex(UUID, "must be a user id").optional(),
    email: emailInput.optional(),
    name: personName.optional(),
    step: z.number().int().min(1).max(20),
    codeDelivery: z.enum(["email", "out-of-band"]).optional(),
    role: text(64).optional(),
    box: box.optional(),
    organization: z.object({ id: z.string().regex(UUID, "must be an organisation id"), sealKind: z.enum(SEAL_KINDS), crossPage: z.boolean().optional() }).strict().optional(),
    /** the organisation itself as the signer: any member holding a live grant of a seal of sealKind signs for it */
    organizationId: z.string().regex(UUID, "must be an organisation id").optional(),
    sealKind: z.enum(SEAL_KINDS).optional(),
    crossPage: z.boolean().optional(),
  })
  .strict()
  .refine((s) => [s.userId, s.email, s.organizationId].filter((x) => x !== undefined).length === 1, "give exactly one of userId, email and organizationId")
  .refine((s) => (s.organizationId === undefined) === (s.sealKind === undefined), "an organisation signer (organizationId) needs sealKind, and sealKind goes only with organizationId")
  .refine((s) => s.organizationId !== undefined || s.crossPage === undefined, "crossPage goes with organizationId (or inside organization, for a person signing for one)")
  .refine((s) => s.organizationId === undefined || (s.organization === undefined && s.name === undefined), "an organisation signer takes no organization or name: the organisation is the signer");
const draft = { title: text(200), signers: z.array(signerInput).min(1).max(50) };
const templateBody = z
  .object({ ...draft, template: z.object({ id: z.string().max(64), fields: z.record(z.string(), z.unknown()) }).strict() })
  .strict();
const uploadFields = z.object(draft).strict();
const sendBody = z
  .object({ expiresInDays: z.number().int().min(1).max(365).optional(), reminderIntervalHours: z.number().int().min(1).max(24 * 30).optional() })
  .strict();
const reasonBody = z.object({ reason: text(1000) }).strict();
const signBody = z.object({ code: z.string().regex(/^\d{6}$/, "must be the 6-digit one-time code"), ...fillFields }).strict();

/** Who and from where, for the contract's event log. */
export function requestMeta(req: Request): RequestMeta {
  const ua = req.get("user-agent");
  return {
    ip: req.ip ?? req.socket.remoteAddress ?? null,
    userAgent: ua ? ua.replace(/[\u0000-\u001f\u007f]/g, " ").slice(0, 512) : null,
  };
}

function sendPdf(res: Response, doc: { sha256: string; size: number; stream: Readable; fileName: string }): void {
  res.set({
    "Content-Type": "application/pdf",
    "Content-Length": String(doc.size),
    "Content-Disposition": `attachment; filename="${doc.fileName}"`,
    "X-Content-SHA256": doc.sha256,
  });
  doc.stream.pipe(res);
}

const param = (req: Request, name: string) => String(req.params[name]);

export function contractRoutes(contracts: ContractsService, maxPdfBytes: number): Router {
  const r = Router();
  r.use(fieldRoutes(contracts));

  r.get("/templates", (_req, res) => {
    res.json({ templates: contracts.templates() });
  });

  r.post("/", async (req, res) => {
    const p = principalOf(req);
    let created;
    if (isMultipart(req)) {
      const { file: pdf, fields } = await readUploadIntoMemory(req, maxPdfBytes, ["contract"]);
      if (fields.contract === undefined) throw badRequest("invalid_input", "fields.contract: the contract (JSON: title, signers) is required");
      let json: unknown;
      try {
        json = JSON.parse(fields.contract);
      } catch {
        throw badRequest("invalid_input", "fields.contract: must be JSON");
      }
      created = await contracts.createFromUpload(p, pdf, parseInput(uploadFields, json, "fields.contract"), requestMeta(req));
    } else if (req.is("application/json")) {
      const body = parseInput(templateBody, req.body);
      created = await contracts.createFromTemplate(p, { title: body.title, signers: body.signers, templateId: body.template.id, values: body.template.fields }, requestMeta(req));
    } else {
      throw new ApiError(415, "unsupported_media_type", "send JSON {title, signers, template} or multipart/form-data with 'file' (a PDF) and 'contract' (JSON {title, signers})");
    }
    res.status(201).location(`/api/contracts/${created.id}`).json(created);
  });

  r.get("/", async (req, res) => {
    res.json({ items: await contracts.list(principalOf(req)) });
  });

  r.get("/:id", async (req, res) => {
    res.json(await contracts.detail(principalOf(req), param(req, "id")));
  });

  r.get("/:id/document", async (req, res) => {
    sendPdf(res, await contracts.document(principalOf(req), param(req, "id")));
  });

  r.post("/:id/send", async (req, res) => {
    const body = parseInput(sendBody, req.body ?? {});
    res.json(await contracts.send(principalOf(req), param(req, "id"), body, requestMeta(req)));
  });

  r.post("/:id/void", async (req, res) => {
    const body = parseInput(reasonBody, req.body ?? {});
    res.json(await contracts.void(principalOf(req), param(req, "id"), body.reason, requestMeta(req)));
  });

  r.post("/:id/signers/:signerId/code", async (req, res) => {
    res.status(201).json(await contracts.issueCode(principalOf(req), param(req, "id"), param(req, "signerId"), requestMeta(req)));
  });

  r.post("/:id/signers/:signerId/invitation", async (req, res) => {
    res.status(201).json(await contracts.reissueInvitation(principalOf(req), param(req, "id"), param(req, "signerId"), requestMeta(req)));
  });

  r.get("/:id/certificate", async (req, res) => {
    sendPdf(res, await contracts.certificate(principalOf(req), param(req, "id")));
  });

  const proof = (of: "contract" | "certificate") => async (req: Request, res: Response) => {
    const { status, bundle } = await contracts.proof(principalOf(req), param(req, "id"), of);
    if (!bundle) {
      res.status(202).set("Retry-After", "2").json({ id: param(req, "id"), status });
      return;
    }
    res.json(bundle);
  };
  r.get("/:id/proof", proof("contract"));
  r.get("/:id/certificate/proof", proof("certificate"));
  return r;
}

/** The invitation link: GET it to see the contract, /document to read it, /sign with the code, /decline with a reason. */
export function signingRoutes(contracts: ContractsService): Router {
  const r = Router();
  r.get("/:token", async (req, res) => {
    res.json(await contracts.openInvitation(principalOf(req), param(req, "token"), requestMeta(req)));
  });
  r.get("/:token/document", async (req, res) => {
    sendPdf(res, await contracts.invitationDocument(principalOf(req), param(req, "token")));
  });
  r.post("/:token/code", async (req, res) => {
    res.status(201).json(await contracts.requestCode(principalOf(req), param(req, "token"), requestMeta(req)));
  });
  r.post("/:token/sign", async (req, res) => {
    const body = parseInput(signBody, req.body ?? {});
    res.json(await contracts.sign(principalOf(req), param(req, "token"), body.code, requestMeta(req), body));
  });
  r.post("/:token/decline", async (req, res) => {
    const body = parseInput(reasonBody, req.body ?? {});
    res.json(await contracts.decline(principalOf(req), param(req, "token"), body.reason, requestMeta(req)));
  });
  return r;
}
