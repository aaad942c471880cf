import { Router } from "express";
import { z } from "zod";
import { DualDigest } from "../core/digest";
import { normalizeHex32 } from "../core/hex";
import { ApiError, badRequest } from "../http/errors";
import { isMultipart, readSingleFileUpload } from "../http/multipart";
import { parseInput } from "../http/validate";
import type { VerificationService } from "./service";

const digestBody = z.object({ sha256: z.string() }).strict();

/** Public: anyone holding a file (or its digest) may learn whether and when it was anchored. */
export function verificationRoutes(verification: VerificationService, maxUploadBytes: number): Router {
  const r = Router();
  r.post("/", async (req, res) => {
    let sha256: string;
    if (isMultipart(req)) {
      const { result } = await readSingleFileUpload(
        req,
        { fileField: "file", textFields: [], maxFileBytes: maxUploadBytes },
        async (file) => {
          // Hashed as it streams in; the file itself is not kept.
          const digest = new DualDigest(false);
          for await (const chunk of file.stream as AsyncIterable<Buffer>) digest.update(chunk);
          if (digest.size === 0) throw badRequest("empty_file", "the file is empty");
          return digest.sha256Hex();
        },
      );
      sha256 = result;
    } else if (req.is("application/json")) {
      const body = parseInput(digestBody, req.body);
      const hex = normalizeHex32(body.sha256);
      if (!hex) throw badRequest("invalid_input", "body.sha256: must be 64 hex digits (optionally 0x-prefixed)");
      sha256 = hex;
    } else {
      throw new ApiError(415, "unsupported_media_type", "send multipart/form-data with a 'file' part, or JSON {sha256}");
    }
    res.json(await verification.verifyDigest(sha256));
  });
  return r;
}
