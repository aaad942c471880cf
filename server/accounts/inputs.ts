// The shapes of a person's identity at the API's edge, shared by every route that takes one.
import { z } from "zod";

export const emailInput = z.string().trim().toLowerCase().email().max(254);
export const passwordInput = z.string().min(10).max(200);
// Names become certificate subjects and mail headers (RFC 5280 names refuse control characters).
export const personName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters");
