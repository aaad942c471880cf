// A seal's appearance as a one-page PDF (the preview an administrator checks before granting it):
// the drawn seal as vector operators, or the uploaded image, on a page the seal's size.
import { PDFDocument, type PDFPage } from "pdf-lib";
import { embedCjkFont } from "../pdf/fonts";
import { drawSeal } from "./drawing";
import type { SealKind } from "./kinds";

export interface SealLook {
  form: string;
  kind: string;
  code: string | null;
  organization: string;
  image: Uint8Array | null;
  imageType: string | null;
}

/** Puts the seal into the square (x, y, size) of `page`: drawn, or the image fitted and centred. */
export async function placeSeal(doc: PDFDocument, page: PDFPage, seal: SealLook, x: number, y: number, size: number): Promise<void> {
  if (seal.form === "image" && seal.image) {
    const img = seal.imageType === "image/png" ? await doc.embedPng(seal.image) : await doc.embedJpg(seal.image);
    const scale = Math.min(size / img.width, size / img.height);
    const w = img.width * scale;
    const h = img.height * scale;
    page.drawImage(img, { x: x + (size - w) / 2, y: y + (size - h) / 2, width: w, height: h });
    return;
  }
  drawSeal(page, await embedCjkFont(doc), { organization: seal.organization, kind: seal.kind as SealKind, code: seal.code }, x, y, size);
}

export async function sealPreviewPdf(seal: SealLook, size = 144): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([size + 16, size + 16]);
  await placeSeal(doc, page, seal, 8, 8, size);
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}
