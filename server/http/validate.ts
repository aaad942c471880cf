import type { z } from "zod";
import { ApiError } from "./errors";

/** Parses input at the edge; a mismatch is a 400 naming the first offending field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what = "body"): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue.path.length ? `${what}.${issue.path.join(".")}` : what;
  throw new ApiError(400, "invalid_input", `${where}: ${issue.message}`);
}
