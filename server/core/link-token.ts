// Secrets sent by e-mail (signing links, account links, one-time codes), derived from the row they
// belong to with a key derived from the master key: HMAC-SHA256(key, purpose || 0x00 || id). The
// database keeps only a hash of each, as before; what it lacks is the key, so a copy of the database
// yields no usable link. Deriving instead of storing lets the mail be written when it is sent (and a
// reminder written days later) without the secret ever sitting in the outbox.
import { createHash, createHmac } from "node:crypto";

export type LinkPurpose = "contract-invitation" | "account-link" | "service-delivery" | "one-time-code";

const PREFIX: Record<Exclude<LinkPurpose, "one-time-code">, string> = {
  "contract-invitation": "sgn_",
  "account-link": "acl_",
  // a served document mailed to an address its party confirmed (送达地址确认书)
  "service-delivery": "srv_",
};

export class LinkSecrets {
  readonly #key: Buffer;

  /** key: 32 bytes, used for nothing else */
  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error("the link key must be 32 bytes");
    this.#key = Buffer.from(key);
  }

  private mac(purpose: LinkPurpose, id: string): Buffer {
    return createHmac("sha256", this.#key).update(purpose).update("\0").update(id).digest();
  }

  /** The token of a signing invitation or an account link: prefix + 43 base64url characters. */
  token(purpose: Exclude<LinkPurpose, "one-time-code">, id: string): string {
    return PREFIX[purpose] + this.mac(purpose, id).toString("base64url");
  }

  /** A 6-digit one-time code for an invitation, issued at `issuedAtMs` (a new issue gives a new code). */
  code(invitationId: string, issuedAtMs: number): string {
    const mac = this.mac("one-time-code", `${invitationId}\0${issuedAtMs}`);
    // 48 bits reduced mod 10^6: the bias (2^48 mod 10^6 over 2^48) is below 10^-8.
    return String(mac.readUIntBE(0, 6) % 1_000_000).padStart(6, "0");
  }
}

/** The SHA-256 (hex) a token is stored and looked up by. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
