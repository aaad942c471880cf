// POST /api/ltv/renew (multipart, field "file"): an administrator hands in a PDF the platform
// signed (or any PDF whose signatures chain to the platform root) and gets it back renewed, with
// fresh validation data and a new document timestamp (service.ts). Administrators only: each
// renewal spends the platform TSA's signature and is recorded in the audit log.
import { Router } from "express";
import { principalOf } from "../http/auth";
import { ApiError, badRequest, forbidden } from "../http/errors";
import { isMultipart } from "../http/multipart";
import { readUploadIntoMemory } from "../http/upload-buffer";
import type { LtvService } from "./service";

export function ltvRoutes(ltv: LtvService, maxBytes: number): Router {
  const r = Router();
  r.post("/renew", async (req, res) => {
    if (principalOf(req).role !== "admin") throw forbidden("only an administrator renews a document's long-term proof");
    if (!isMultipart(req)) throw new ApiError(415, "unsupported_media_type", "send multipart/form-data with the PDF in the field 'file'");
    const { file: pdf } = await readUploadIntoMemory(req, maxBytes, []);
    if (pdf.length === 0) throw badRequest("empty_file", "the file is empty");
    if (pdf.subarray(0, 1024).indexOf("%PDF-") < 0) throw new ApiError(415, "not_a_pdf", "the file is not a PDF (no %PDF- header)");
    const renewed = await ltv.renew(pdf, principalOf(req).userId);
    res
      .type("application/pdf")
      .set("Content-Disposition", 'attachment; filename="renewed.pdf"')
      .set("X-Document-Timestamp", renewed.documentTimestamp ?? "")
      .send(renewed.pdf);
  });
  return r;
}
