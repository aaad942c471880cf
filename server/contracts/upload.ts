// An uploaded PDF, checked before it becomes a contract: a PDF at all, not encrypted, and readable
// through its cross-reference (each signature is an incremental update appended to exactly these
// bytes, so a file that only a repairing reader could open is refused rather than rewritten).
// Also where signers' stamps go when the sender does not say.
import { PDFArray, PDFDict, PDFName, PDFNumber } from "pdf-lib";
import { ApiError } from "../http/errors";
import { pageRefs, readPdf, PdfStructureError } from "../pdf/reader";
import type { SignatureBox } from "./render";

export interface PdfPages {
  /** width and height of each page (crop box, else media box), points */
  sizes: [number, number][];
}

const refused = (status: number, code: string, message: string) => new ApiError(status, code, message);

/** Throws a 4xx ApiError (415 not_a_pdf, 422 pdf_encrypted / pdf_damaged / pdf_without_pages) unless the PDF can be signed. */
export function checkUploadedPdf(bytes: Buffer): PdfPages {
  if (bytes.length === 0) throw refused(400, "empty_file", "the file is empty");
  if (bytes.subarray(0, 1024).indexOf("%PDF-") < 0) throw refused(415, "not_a_pdf", "the file is not a PDF (no %PDF- header)");
  let s;
  try {
    s = readPdf(bytes);
  } catch (e) {
    if (e instanceof PdfStructureError && /encrypted/i.test(e.message)) {
      throw refused(422, "pdf_encrypted", "the PDF is encrypted: upload it without a password or restrictions");
    }
    const why = e instanceof Error ? e.message : String(e);
    throw refused(422, "pdf_damaged", `the PDF cannot be read through its cross-reference (${why}); save it again with a PDF tool and retry`);
  }
  if (s.problems.length) {
    throw refused(422, "pdf_damaged", `the PDF has unreadable objects (${s.problems.slice(0, 3).join("; ")}); save it again with a PDF tool and retry`);
  }
  let pages;
  try {
    pages = pageRefs(s);
  } catch (e) {
    throw refused(422, "pdf_damaged", `the PDF's page tree cannot be read (${(e as Error).message})`);
  }
  if (!pages.length) throw refused(422, "pdf_without_pages", "the PDF has no pages");
  const sizes = pages.map((ref): [number, number] => {
    let node = s.context.lookup(ref);
    for (let depth = 0; node instanceof PDFDict && depth < 32; depth++) {
      const box = node.lookup(PDFName.of("CropBox")) ?? node.lookup(PDFName.of("MediaBox"));
      if (box instanceof PDFArray && box.size() === 4) {
        const n = [0, 1, 2, 3].map((i) => box.lookup(i)).map((v) => (v instanceof PDFNumber ? v.asNumber() : NaN));
        if (n.every(Number.isFinite)) return [Math.abs(n[2] - n[0]), Math.abs(n[3] - n[1])];
      }
      node = node.lookup(PDFName.of("Parent"));
    }
    return [612, 792];
  });
  return { sizes };
}

/**
 * Default stamp boxes for an uploaded PDF: along the bottom of the last page, three to a row from
 * the left, rows upwards. Senders who know the layout pass boxes themselves.
 */
export function defaultBoxes(pages: PdfPages, count: number): SignatureBox[] {
  const page = pages.sizes.length - 1;
  const [w, h] = pages.sizes[page];
  const margin = 24;
  const perRow = 3;
  const boxW = Math.min(170, (w - margin * 2 - (perRow - 1) * 8) / perRow);
  const boxH = Math.min(64, boxW * 0.4);
  return Array.from({ length: count }, (_, i) => ({
    page,
    x: margin + (i % perRow) * (boxW + 8),
    y: Math.min(margin + Math.floor(i / perRow) * (boxH + 8), h - boxH),
    w: boxW,
    h: boxH,
  }));
}

/** A box the sender gave must lie on a page of the document. */
export function checkBox(pages: PdfPages, box: SignatureBox, where: string): void {
  const size = pages.sizes[box.page];
  if (!size) throw refused(400, "invalid_input", `${where}.page: the PDF has ${pages.sizes.length} pages (0-based index)`);
  const [w, h] = size;
  if (box.x < 0 || box.y < 0 || box.x + box.w > w + 0.01 || box.y + box.h > h + 0.01) {
    throw refused(400, "invalid_input", `${where}: the box does not lie within page ${box.page} (${w} x ${h} points)`);
  }
}
