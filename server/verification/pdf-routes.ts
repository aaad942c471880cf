// Public: POST /api/verify/pdf (multipart, field "file") reports every signature of a PDF (signer,
// chain to the platform root, revocation of every certificate judged against the timestamp, what
// changed after it classified, timestamp, the revision's digest, findings with codes) and
// whether the file's digest is anchored. The file is read into memory, checked, and not kept.
import { Router } from "express";
import { ApiError, badRequest } from "../http/errors";
import { isMultipart } from "../http/multipart";
import { readUploadIntoMemory } from "../http/upload-buffer";
import { pdfSignatureReport } from "../pdf/report";
import { PdfStructureError } from "../pdf/reader";
import type { VerificationService } from "./service";

/**
 * `platformCrls` gives the platform's current CRL and ARL, read from the identity service directly:
 * the revocation data for a file whose DSS holds none.
 */
export function pdfVerificationRoutes(
  verification: VerificationService,
  trustedRootPem: () => string,
  maxBytes: number,
  platformCrls: () => Promise<Buffer[]>,
): Router {
  const r = Router();
  r.post("/", async (req, res) => {
    if (!isMultipart(req)) throw new ApiError(415, "unsupported_media_type", "send multipart/form-data with the PDF in the field 'file'");
    const { file: pdf } = await readUploadIntoMemory(req, maxBytes, []);
    if (pdf.length === 0) throw badRequest("empty_file", "the file is empty");
    if (pdf.subarray(0, 1024).indexOf("%PDF-") < 0) throw new ApiError(415, "not_a_pdf", "the file is not a PDF (no %PDF- header)");
    const crls = (await platformCrls()).map((der) => ({ der, source: "platform" as const }));
    let report;
    try {
      report = pdfSignatureReport(pdf, [trustedRootPem()], { crls });
    } catch (e) {
      if (e instanceof PdfStructureError) {
        const encrypted = /encrypted/i.test(e.message);
        throw new ApiError(422, encrypted ? "pdf_encrypted" : "pdf_damaged", encrypted ? "encrypted PDF files cannot be verified" : `the PDF cannot be read: ${e.message}`);
      }
      throw e;
    }
    const anchoring = await verification.verifyDigest(report.sha256);
    const verified = anchoring.matches.filter((m) => m.verified);
    res.json({
      ...report,
      trustedRoot: "platform",
      anchoring: {
        anchored: anchoring.anchored,
        anchoredAt: verified[0]?.anchoredAt ?? null,
        matches: anchoring.matches.map((m) => ({ evidenceId: m.evidenceId, status: m.status, verified: m.verified, anchoredAt: m.anchoredAt })),
      },
    });
  });
  return r;
}
