// A multipart upload whose one file part is needed whole in memory (a PDF to sign or to verify is
// processed whole): read with a byte limit (413 above it), with the text fields asked for.
import type { Request } from "express";
import { ApiError } from "./errors";
import { readSingleFileUpload } from "./multipart";

export async function readUploadIntoMemory(
  req: Request,
  maxBytes: number,
  textFields: readonly string[],
): Promise<{ file: Buffer; fileName: string; fields: Record<string, string> }> {
  const { result, fields } = await readSingleFileUpload(req, { fileField: "file", textFields, maxFileBytes: maxBytes, maxFieldBytes: 65536 }, async (part) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of part.stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw new ApiError(413, "file_too_large", `the file exceeds the limit of ${maxBytes} bytes`);
      chunks.push(chunk);
    }
    return { file: Buffer.concat(chunks), fileName: part.fileName };
  });
  return { ...result, fields };
}
