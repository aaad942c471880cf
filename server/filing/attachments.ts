// A file attached to a filing arrives as one multipart upload: it is staged while hashed (never
// buffered whole), checked (a complaint must be a PDF within the PDF limit), then accepted as a
// restricted evidence item, so it is signed by the filer's key and anchored like any evidence.
import { Transform } from "node:stream";
import type { Request } from "express";
import { z } from "zod";
import type { Principal } from "../accounts/roles";
import { ApiError } from "../http/errors";
import { readSingleFileUpload } from "../http/multipart";
import { parseInput } from "../http/validate";
import { storageError } from "../evidence/routes";
import type { AcceptedItem, EvidenceService } from "../evidence/service";
import type { ContentStore } from "../storage/content-store";
import { line } from "./content";

export const ATTACHMENT_KINDS = ["complaint", "identity", "evidence", "other"] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

const fields = z.object({ kind: z.enum(ATTACHMENT_KINDS), title: line(500) }).strict();

export interface AttachmentLimits {
  maxUploadBytes: number;
  maxPdfBytes: number;
}

const PDF_MAGIC = Buffer.from("%PDF-");

/** Reads the upload, checks it and accepts it as evidence; nothing is left behind when refused. */
export async function ingestAttachment(
  req: Request,
  d: { evidence: EvidenceService; store: ContentStore },
  principal: Principal,
  limits: AttachmentLimits,
): Promise<{ item: AcceptedItem; kind: AttachmentKind; title: string; fileName: string }> {
  const maxBytes = Math.max(limits.maxUploadBytes, limits.maxPdfBytes);
  const upload = await readSingleFileUpload(req, { fileField: "file", textFields: ["kind", "title"], maxFileBytes: maxBytes, maxFieldBytes: 4096 }, (file) => {
    // The first bytes are kept aside as the file streams by: a complaint must start as a PDF does.
    let head = Buffer.alloc(0);
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        if (head.length < 8) head = Buffer.concat([head, chunk.subarray(0, 8 - head.length)]);
        done(null, chunk);
      },
    });
    file.stream.on("error", (e) => tap.destroy(e));
    file.stream.pipe(tap);
    return d.store
      .stage(tap, { maxBytes, sizeHint: Number(req.get("content-length") ?? 0) })
      .then((staged) => ({ staged, file, head: () => head }));
  }).catch((e) => Promise.reject(storageError(e)));
  const { staged, file, head } = upload.result;
  try {
    const f = parseInput(fields, upload.fields, "fields");
    if (f.kind === "complaint") {
      if (!head().subarray(0, PDF_MAGIC.length).equals(PDF_MAGIC)) throw new ApiError(415, "not_pdf", "the complaint must be a PDF file");
      if (staged.size > limits.maxPdfBytes) throw new ApiError(413, "file_too_large", `a complaint PDF may have at most ${limits.maxPdfBytes} bytes`);
    } else if (staged.size > limits.maxUploadBytes) {
      throw new ApiError(413, "file_too_large", `the file exceeds the limit of ${limits.maxUploadBytes} bytes`);
    }
    const fileName = safeFileName(file.fileName) ?? "attachment";
    const item = await d.evidence.acceptFile(principal, staged, {
      title: f.title,
      source: "online filing",
      fileName,
      mediaType: f.kind === "complaint" ? "application/pdf" : file.mediaType,
      restricted: true,
    });
    return { item, kind: f.kind, title: f.title, fileName };
  } catch (e) {
    await staged.discard();
    throw storageError(e);
  }
}

function safeFileName(name: string): string | undefined {
  const base = name.split(/[\\/]/).pop() ?? "";
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, "").slice(0, 255);
  return clean || undefined;
}
