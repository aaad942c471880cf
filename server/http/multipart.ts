// Streaming multipart/form-data with exactly one file part: the file goes straight to `onFile`
// (never buffered whole), text fields are collected with small limits.
import busboy from "busboy";
import type { Request } from "express";
import type { Readable } from "node:stream";
import { ApiError, badRequest } from "./errors";

export interface FilePart {
  stream: Readable;
  fileName: string;
  mediaType: string;
}

export interface UploadLimits {
  fileField: string;
  textFields: readonly string[];
  maxFileBytes: number;
  maxFieldBytes?: number;
}

const tooLarge = (limit: number) => new ApiError(413, "file_too_large", `the file exceeds the limit of ${limit} bytes`);

export function isMultipart(req: Request): boolean {
  return /^multipart\/form-data/i.test(req.get("content-type") ?? "");
}

export async function readSingleFileUpload<T>(
  req: Request,
  limits: UploadLimits,
  onFile: (file: FilePart) => Promise<T>,
): Promise<{ fields: Record<string, string>; result: T }> {
  // A request whose connection already ended (the client hung up while the route was still
  // authenticating it) is refused before anything is staged: its "aborted" event has passed.
  if (req.destroyed || req.socket?.destroyed) throw badRequest("aborted", "the upload was aborted");
  const declared = Number(req.get("content-length") ?? 0);
  // Multipart framing adds at most a few KiB around the file.
  if (declared > limits.maxFileBytes + 64 * 1024) throw tooLarge(limits.maxFileBytes);

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      defParamCharset: "utf8",
      limits: {
        files: 2,
        fileSize: limits.maxFileBytes + 1,
        fields: limits.textFields.length + 4,
        fieldSize: limits.maxFieldBytes ?? 4096,
        parts: limits.textFields.length + 8,
        headerPairs: 20,
      },
    });
  } catch (e) {
    throw badRequest("malformed_multipart", (e as Error).message);
  }

  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    let filePromise: Promise<T> | null = null;
    let fileStream: Readable | null = null;
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      req.resume(); // discard the rest of the body
      // Stop the consumer of the file part and let it clean up before answering, so that a
      // refused upload leaves nothing behind.
      if (fileStream && !fileStream.readableEnded) fileStream.destroy(err instanceof Error ? err : new Error(String(err)));
      const settled = filePromise ? filePromise.then(() => undefined, () => undefined) : Promise.resolve();
      void settled.then(() => reject(err));
    };
    const ignore = (stream: Readable) => {
      stream.on("error", () => undefined);
      stream.resume();
    };

    parser.on("file", (name, stream, info) => {
      if (failed) return ignore(stream);
      if (name !== limits.fileField) {
        ignore(stream);
        return fail(badRequest("unexpected_file_field", `the file must be sent in the field '${limits.fileField}'`));
      }
      if (filePromise) {
        ignore(stream);
        return fail(badRequest("too_many_files", "send exactly one file part"));
      }
      fileStream = stream;
      // The consumer sees errors through its reads; this keeps an error raised before it starts
      // reading from being an uncaught exception.
      stream.on("error", () => undefined);
      stream.on("limit", () => stream.destroy(tooLarge(limits.maxFileBytes)));
      filePromise = onFile({ stream, fileName: info.filename ?? "", mediaType: info.mimeType });
      filePromise.catch(fail);
    });
    parser.on("field", (name, value, info) => {
      if (!limits.textFields.includes(name)) return fail(badRequest("unexpected_field", `unknown field '${name}'`));
      if (info.valueTruncated) return fail(badRequest("field_too_long", `the field '${name}' is too long`));
      if (name in fields) return fail(badRequest("duplicate_field", `the field '${name}' is sent twice`));
      fields[name] = value;
    });
    parser.on("filesLimit", () => fail(badRequest("too_many_files", "send exactly one file part")));
    parser.on("fieldsLimit", () => fail(badRequest("too_many_fields", "too many fields")));
    parser.on("partsLimit", () => fail(badRequest("too_many_parts", "too many parts")));
    parser.on("error", (e: Error) => fail(badRequest("malformed_multipart", e.message)));
    parser.on("close", () => {
      if (failed) return;
      if (!filePromise) return fail(badRequest("missing_file", `no file part named '${limits.fileField}'`));
      filePromise.then((result) => resolve({ fields, result }), fail);
    });
    req.on("aborted", () => fail(badRequest("aborted", "the upload was aborted")));
    req.on("close", () => {
      if (!req.complete) fail(badRequest("aborted", "the upload was aborted"));
    });
    req.pipe(parser);
  });
}
