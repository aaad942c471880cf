// The signature of a webhook delivery, as the README documents it for receivers:
//   Webhook-Signature: v1=<hex HMAC-SHA256(secret, "<Webhook-Timestamp>.<raw body>")>
// The timestamp (Unix seconds) is inside the signed text so that a captured delivery cannot be
// replayed later with a fresh timestamp; the receiver rejects timestamps too far from its clock.
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_VERSION = "v1";

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex");
}

/** The header value: one v1 signature (the form leaves room for several, space-separated). */
export const signatureHeader = (secret: string, timestamp: number, body: string) => `${SIGNATURE_VERSION}=${signWebhook(secret, timestamp, body)}`;

/** What a receiver does: true when one v1 signature matches and the timestamp is within toleranceS. */
export function verifyWebhook(secret: string, header: string, timestamp: string, body: string, nowS: number, toleranceS = 300): boolean {
  const ts = Number(timestamp);
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowS - ts) > toleranceS) return false;
  const expected = Buffer.from(signWebhook(secret, ts, body), "hex");
  return header.split(" ").some((part) => {
    const [version, hex] = part.split("=", 2);
    if (version !== SIGNATURE_VERSION || !/^[0-9a-f]{64}$/.test(hex ?? "")) return false;
    return timingSafeEqual(Buffer.from(hex, "hex"), expected);
  });
}
