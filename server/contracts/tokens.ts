// Secrets of the signing flow. Invitation tokens: 256 random bits, only their SHA-256 stored (a
// leaked database holds no usable link). One-time codes: 6 random digits, stored as a scrypt hash
// (costly to search even for a space this small), valid CODE_TTL_MS, CODE_MAX_ATTEMPTS tries.
import { createHash, randomBytes, randomInt } from "node:crypto";
import { hashPassword, verifyPassword } from "../accounts/password";

export const TOKEN_PREFIX = "sgn_";
export const CODE_TTL_MS = 10 * 60_000;
export const CODE_MAX_ATTEMPTS = 5;

export function newInvitationToken(): { token: string; hash: string } {
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  return { token, hash: hashInvitationToken(token) };
}

export function hashInvitationToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Shape only: a token this platform could have issued (anything else is not looked up). */
export function isInvitationToken(token: string): boolean {
  return /^sgn_[A-Za-z0-9_-]{43}$/.test(token);
}

export async function newCode(): Promise<{ code: string; hash: string }> {
  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  return { code, hash: await hashPassword(code) };
}

export function codeMatches(code: string, hash: string): Promise<boolean> {
  return /^\d{6}$/.test(code) ? verifyPassword(code, hash) : Promise.resolve(false);
}
