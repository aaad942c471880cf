import { Router, type Request } from "express";
import { z } from "zod";
import { normalizeHex32 } from "../core/hex";
import { ApiError, badRequest, notFound } from "../http/errors";
import { principalOf } from "../http/auth";
import { isMultipart, readSingleFileUpload } from "../http/multipart";
import { parseInput } from "../http/validate";
import { EmptyFileError, StorageFullError, TooLargeError, type ContentStore } from "../storage/content-store";
import type { Principal } from "../accounts/roles";
import type { AcceptedItem, EvidenceMeta, EvidenceService } from "./service";

const text = (max: number) => z.string().trim().min(1).max(max);
const digestBody = z
  .object({
    sha256: z.string().transform((v, ctx) => {
      const hex = normalizeHex32(v);
      if (!hex) ctx.addIssue({ code: "custom", message: "must be 64 hex digits (optionally 0x-prefixed)" });
      return hex ?? "";
    }),
    title: text(500).optional(),
    source: text(500).optional(),
    signature: z.string().max(65536).optional(),
  })
  .strict();
const metaFields = z.object({ title: text(500).optional(), source: text(500).optional(), signature: z.string().max(65536).optional() });

/** A detached CMS signature sent as base64 of its DER. */
function signatureOf(value: string | undefined): Buffer | undefined {
  if (value === undefined) return undefined;
  const compact = value.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw badRequest("bad_signature", "signature must be base64 of a DER CMS SignedData");
  return Buffer.from(compact, "base64");
}
const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/** Maps storage failures to HTTP: limits are the client's problem, a full disk is ours (507). */
export function storageError(e: unknown): unknown {
  if (e instanceof TooLargeError) return new ApiError(413, "file_too_large", e.message);
  if (e instanceof EmptyFileError) return badRequest("empty_file", "the file is empty");
  if (e instanceof StorageFullError) return new ApiError(507, "storage_full", "the server's storage is full; try later");
  return e;
}

/** The evidence metadata of an upload's text fields: title, source, and a holder's own signature. */
export function evidenceMetaOf(fields: Record<string, string>): Pick<EvidenceMeta, "title" | "source" | "holderSignature"> {
  const meta = parseInput(metaFields, fields, "fields");
  return { title: meta.title, source: meta.source, holderSignature: signatureOf(meta.signature) };
}

export interface IngestDeps {
  evidence: EvidenceService;
  store: ContentStore;
  maxUploadBytes: number;
}

/**
 * The one streaming intake of a multipart upload (field "file" and the given text fields): the file
 * is staged while hashed, `prepare` checks the text fields and returns the metadata (and whatever
 * else its caller needs), then the item is signed, committed and recorded. Anything refused before
 * the item is recorded leaves no file behind.
 */
export async function ingestUpload<X>(
  req: Request,
  deps: IngestDeps,
  principal: Principal,
  textFields: readonly string[],
  prepare: (fields: Record<string, string>) => Promise<{ meta: EvidenceMeta; extra: X }> | { meta: EvidenceMeta; extra: X },
): Promise<{ item: AcceptedItem; extra: X }> {
  const { evidence, store, maxUploadBytes } = deps;
  const upload = await readSingleFileUpload(
    req,
    { fileField: "file", textFields, maxFileBytes: maxUploadBytes, maxFieldBytes: 65536 },
    (file) =>
      store
        .stage(file.stream, { maxBytes: maxUploadBytes, sizeHint: Number(req.get("content-length") ?? 0) })
        .then((staged) => ({ staged, file })),
  ).catch((e) => Promise.reject(storageError(e)));
  const { staged, file } = upload.result;
  try {
    // Checked before the file is committed: a refused upload leaves nothing behind.
    const { meta, extra } = await prepare(upload.fields);
    const item = await evidence.acceptFile(principal, staged, { ...meta, fileName: safeFileName(file.fileName), mediaType: file.mediaType });
    return { item, extra };
  } catch (e) {
    await staged.discard();
    throw storageError(e);
  }
}

export function evidenceRoutes(evidence: EvidenceService, store: ContentStore, maxUploadBytes: number, publicUrl: string): Router {
  const r = Router();

  r.post("/", async (req, res) => {
    const principal = principalOf(req);
    if (isMultipart(req)) {
      const { item } = await ingestUpload(req, { evidence, store, maxUploadBytes }, principal, ["title", "source", "signature"], (fields) => ({
        meta: evidenceMetaOf(fields),
        extra: null,
      }));
      res.status(201).location(`/api/evidence/${item.id}`).json(item);
      return;
    }
    if (req.is("application/json")) {
      const body = parseInput(digestBody, req.body);
      const item = await evidence.acceptDigest(principal, body.sha256, {
        title: body.title,
        source: body.source,
        holderSignature: signatureOf(body.signature),
      });
      res.status(201).location(`/api/evidence/${item.id}`).json(item);
      return;
    }
    throw new ApiError(415, "unsupported_media_type", "send multipart/form-data with a 'file' part, or JSON {sha256}");
  });

  r.get("/", async (req, res) => {
    const q = parseInput(listQuery, req.query, "query");
    res.json({ items: await evidence.list(principalOf(req), q) });
  });

  r.get("/:id", async (req, res) => {
    res.json(await evidence.describe(principalOf(req), idOf(req)));
  });

  r.get("/:id/proof", async (req, res) => {
    const { status, bundle } = await evidence.proof(principalOf(req), idOf(req));
    if (!bundle) {
      res.status(202).set("Retry-After", "2").json({ id: idOf(req), status });
      return;
    }
    res.json(bundle);
  });

  r.get("/:id/certificate", async (req, res) => {
    const pdf = await evidence.certificate(principalOf(req), idOf(req), publicUrl);
    if (!pdf) throw new ApiError(409, "not_anchored", "the item is not anchored yet: its certificate can be issued once it is");
    res.set({ "Content-Type": "application/pdf", "Content-Disposition": `attachment; filename="evidence-certificate-${idOf(req)}.pdf"` });
    res.send(pdf);
  });

  r.get("/:id/content", async (req, res) => {
    const { stream, item } = await evidence.content(principalOf(req), idOf(req));
    res.set({
      "Content-Type": "application/octet-stream",
      "Content-Length": String(item.size),
      "Content-Disposition": `attachment; filename="${item.id}"`,
      "X-Content-SHA256": item.sha256,
    });
    stream.pipe(res);
  });
  return r;
}

function idOf(req: Request): string {
  const id = String(req.params.id);
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) throw notFound("evidence item");
  return id;
}

/** Keeps a display name only: no directories, no control characters. */
function safeFileName(name: string): string | undefined {
  const base = name.split(/[\\/]/).pop() ?? "";
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, "").slice(0, 255);
  return clean || undefined;
}
