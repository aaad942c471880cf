// A seal's appearance as a one-page PDF (the preview an administrator checks before granting it):
// the drawn seal's operators (drawing.ts) as the page's content, or the uploaded image.
import { PDFDocument, PDFName } from "pdf-lib";
import { embedCjkFont } from "../pdf/fonts";
import { sealOperators } from "./drawing";
import type { SealKind } from "./kinds";

export interface SealLook {
  form: string;
  kind: string;
  code: string | null;
  organization: string;
  image: Uint8Array | null;
  imageType: string | null;
}

export async function sealPreviewPdf(seal: SealLook, size = 144): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([size + 16, size + 16]);
  if (seal.form === "image" && seal.image) {
    const img = seal.imageType === "image/png" ? await doc.embedPng(seal.image) : await doc.embedJpg(seal.image);
    const scale = Math.min(size / img.width, size / img.height);
    page.drawImage(img, { x: 8 + (size - img.width * scale) / 2, y: 8 + (size - img.height * scale) / 2, width: img.width * scale, height: img.height * scale });
  } else {
    const font = await embedCjkFont(doc);
    const ops = sealOperators(font, { organization: seal.organization, kind: seal.kind as SealKind, code: seal.code }, size);
    page.node.setFontDictionary(PDFName.of("F1"), font.ref);
    page.node.set(PDFName.of("Contents"), doc.context.register(doc.context.flateStream(`1 0 0 1 8 8 cm\n${ops}`)));
  }
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}
