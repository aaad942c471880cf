// An uploaded seal image: PNG or JPEG by its signature bytes, within a size limit, and one that
// pdf-lib can actually embed (a truncated or disguised file is refused here, not at signing time).
import { PDFDocument } from "pdf-lib";
import { badRequest } from "../http/errors";

export const MAX_SEAL_IMAGE_BYTES = 256 * 1024;

export async function readSealImage(base64: string): Promise<{ bytes: Buffer; type: "image/png" | "image/jpeg" }> {
  const bytes = Buffer.from(base64, "base64");
  if (bytes.length === 0 || bytes.toString("base64").replace(/=+$/, "") !== base64.replace(/\s/g, "").replace(/=+$/, "")) {
    throw badRequest("invalid_input", "image: must be base64");
  }
  if (bytes.length > MAX_SEAL_IMAGE_BYTES) throw badRequest("image_too_large", `image: at most ${MAX_SEAL_IMAGE_BYTES} bytes`);
  const png = bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!png && !jpeg) throw badRequest("unsupported_image", "image: must be a PNG or a JPEG");
  try {
    const doc = await PDFDocument.create();
    if (png) await doc.embedPng(bytes);
    else await doc.embedJpg(bytes);
  } catch {
    throw badRequest("unsupported_image", "image: the file cannot be read as the image it claims to be");
  }
  return { bytes, type: png ? "image/png" : "image/jpeg" };
}
