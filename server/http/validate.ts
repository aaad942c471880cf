import type { z } from "zod";
import { ApiError } from "./errors";

/** Parses input at the edge; a mismatch is a 400 naming the first offending field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what = "body"): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue.path.length ? `${what}.${issue.path.join(".")}` : what;
    throw new ApiError(400, "invalid_input", `${where}: ${issue.message}`);
  }
  const bad = unstorableText(r.data);
  if (bad) {
    const where = bad.length ? `${what}.${bad.join(".")}` : what;
    throw new ApiError(400, "invalid_input", `${where}: must not contain NUL characters or unpaired surrogates`);
  }
  return r.data;
}

// NUL cannot be stored in PostgreSQL text, and a lone surrogate is not Unicode: it has no UTF-8
// form (the drivers store U+FFFD instead) and no RFC 8785 canonical form (records refuse it).
// In /u mode a well-formed surrogate pair is one code point, so \p{Cs} matches lone halves only.
const UNSTORABLE = /\u0000|\p{Cs}/u;

/** The path of the first string (value or key) in the parsed input that cannot be stored, or null. */
function unstorableText(value: unknown): (string | number)[] | null {
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v === "string") {
      if (UNSTORABLE.test(v)) return path;
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ v: item, path: [...path, i] }));
    } else if (v && typeof v === "object" && !(v instanceof Date)) {
      for (const [k, item] of Object.entries(v)) {
        if (UNSTORABLE.test(k)) return [...path, k];
        stack.push({ v: item, path: [...path, k] });
      }
    }
  }
  return null;
}
