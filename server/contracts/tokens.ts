// Secrets of the signing flow. Invitation tokens: 256 bits derived from the invitation's id with a
// key derived from the master key (server/core/link-token.ts), only their SHA-256 stored (a leaked
// database holds no usable link). One-time codes: 6 digits derived the same way, stored as a scrypt
// hash (costly to search even for a space this small), valid CODE_TTL_MS, CODE_MAX_ATTEMPTS tries.
import { tokenHash } from "../core/link-token";
import { hashPassword, verifyPassword } from "../accounts/password";

export const TOKEN_PREFIX = "sgn_";
export const CODE_TTL_MS = 10 * 60_000;
export const CODE_MAX_ATTEMPTS = 5;

/** The SHA-256 (hex) an invitation is stored and looked up by. */
export const hashInvitationToken = tokenHash;

/** Shape only: a token this platform could have issued (anything else is not looked up). */
export function isInvitationToken(token: string): boolean {
  return /^sgn_[A-Za-z0-9_-]{43}$/.test(token);
}

export function hashCode(code: string): Promise<string> {
  return hashPassword(code);
}

export function codeMatches(code: string, hash: string): Promise<boolean> {
  return /^\d{6}$/.test(code) ? verifyPassword(code, hash) : Promise.resolve(false);
}
