/** Hex strings in the platform's formats are lowercase and 0x-prefixed. */
export function toHex(bytes: Uint8Array): string {
  return "0x" + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

export function isHex32(value: unknown): value is string {
  return typeof value === "string" && /^0x[0-9a-f]{64}$/.test(value);
}

/** Accepts 64 hex digits with or without 0x, any case; returns the canonical form or null. */
export function normalizeHex32(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const m = /^(?:0x)?([0-9a-fA-F]{64})$/.exec(value.trim());
  return m ? "0x" + m[1].toLowerCase() : null;
}

export function fromHex(hex: string): Buffer {
  const body = hex.startsWith("0x") ? hex.slice(2) : hex;
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(body)) throw new Error(`not a hex string: ${hex.slice(0, 20)}`);
  return Buffer.from(body, "hex");
}
