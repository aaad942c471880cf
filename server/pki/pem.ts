// PEM armour (RFC 7468) around DER.
import { DerError } from "./der-read";

/** The DER of each block labelled one of `labels`, in order; a block with bad base64 stops the reading. */
function* blocks(pem: string, labels: string[]): Generator<Buffer> {
  if (typeof pem !== "string") throw new DerError("PEM input must be a string");
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(pem); m; m = re.exec(pem)) {
    if (!labels.includes(m[1])) continue;
    const body = m[2].replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4) throw new DerError(`bad base64 in PEM ${m[1]}`);
    const der = Buffer.from(body, "base64");
    if (der.length === 0) throw new DerError(`empty PEM ${m[1]}`);
    yield der;
  }
}

/** DER of every "-----BEGIN <label>-----" block in `pem`. */
export function pemBlocks(pem: string, label = "CERTIFICATE"): Buffer[] {
  return [...blocks(pem, [label])];
}

/** DER of the first PEM block with one of the given labels. */
export function pemToDer(pem: string, labels: string[]): Buffer {
  for (const der of blocks(pem, labels)) return der;
  throw new DerError(`no PEM block labelled ${labels.join(" or ")}`);
}

/** PEM armour with 64-character lines. */
export function derToPem(der: Buffer, label = "CERTIFICATE"): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
