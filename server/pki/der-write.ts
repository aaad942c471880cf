// DER encoding on Buffers. Values taken from a parsed structure (a Name, an SPKI, a TBS) are
// written back as the exact bytes received, so a signature over them stays valid.
import { DerError, TAG } from "./der-read";

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with a single-byte tag. */
export function tlv(tag: number, content: Buffer | Buffer[]): Buffer {
  const body = Array.isArray(content) ? Buffer.concat(content) : content;
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

export const derSequence = (...items: Buffer[]): Buffer => tlv(TAG.SEQUENCE, items);

/** DER order of a SET OF: encodings compared as octet strings, the shorter padded with zeros (X.690 11.6). */
export function compareDer(a: Buffer, b: Buffer): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = i < a.length ? a[i] : 0;
    const y = i < b.length ? b[i] : 0;
    if (x !== y) return x - y;
  }
  return 0;
}

/** SET OF with its elements sorted per DER; `tag` 0xa0 etc. for an IMPLICIT tagged set. */
export function derSetOf(items: Buffer[], tag: number = TAG.SET): Buffer {
  return tlv(tag, [...items].sort(compareDer));
}

/** [n] EXPLICIT wrapper (context-specific, constructed). */
export const derExplicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 | n, inner);

export const derNull = (): Buffer => Buffer.from([TAG.NULL, 0x00]);
export const derOctetString = (b: Buffer): Buffer => tlv(TAG.OCTET_STRING, b);
export const derUtf8String = (s: string): Buffer => tlv(TAG.UTF8String, Buffer.from(s, "utf8"));
export const derBoolean = (v: boolean): Buffer => Buffer.from([TAG.BOOLEAN, 0x01, v ? 0xff : 0x00]);

/** BIT STRING of whole bytes, or of `bytes` whose last `unusedBits` bits are not part of the value. */
export const derBitString = (bytes: Buffer, unusedBits = 0): Buffer => tlv(TAG.BIT_STRING, [Buffer.from([unusedBits]), bytes]);

/** INTEGER content octets (two's complement, minimal) of a bigint. */
export function integerContent(v: bigint): Buffer {
  if (v === 0n) return Buffer.from([0]);
  if (v > 0n) {
    let hex = v.toString(16);
    if (hex.length % 2) hex = "0" + hex;
    const b = Buffer.from(hex, "hex");
    return b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b;
  }
  let n = 1;
  while (v < -(1n << BigInt(8 * n - 1))) n++;
  let hex = ((1n << BigInt(8 * n)) + v).toString(16);
  hex = hex.padStart(2 * n, "0");
  return Buffer.from(hex, "hex");
}

/** INTEGER from a bigint, or from content octets taken verbatim from another structure. */
export function derInteger(v: bigint | Buffer): Buffer {
  return tlv(TAG.INTEGER, typeof v === "bigint" ? integerContent(v) : v);
}

export function derOid(oid: string): Buffer {
  const arcs = oid.split(".").map((s) => {
    if (!/^\d+$/.test(s)) throw new DerError(`not an object identifier: ${oid}`);
    return BigInt(s);
  });
  if (arcs.length < 2 || arcs[0] > 2n || (arcs[0] < 2n && arcs[1] > 39n)) {
    throw new DerError(`not an object identifier: ${oid}`);
  }
  const out: number[] = [];
  const push = (v: bigint) => {
    const group: number[] = [Number(v & 0x7fn)];
    for (v >>= 7n; v > 0n; v >>= 7n) group.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...group);
  };
  push(arcs[0] * 40n + arcs[1]);
  for (const a of arcs.slice(2)) push(a);
  return tlv(TAG.OID, Buffer.from(out));
}

/** AlgorithmIdentifier; `nullParams` writes parameters NULL, otherwise they are absent. */
export function derAlgorithm(oid: string, nullParams: boolean): Buffer {
  return nullParams ? derSequence(derOid(oid), derNull()) : derSequence(derOid(oid));
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** UTCTime YYMMDDHHMMSSZ (years 1950..2049). */
export function derUtcTime(d: Date): Buffer {
  const y = d.getUTCFullYear();
  if (y < 1950 || y > 2049) throw new DerError(`UTCTime cannot hold the year ${y}`);
  const s =
    pad(y % 100) + pad(d.getUTCMonth() + 1) + pad(d.getUTCDate()) +
    pad(d.getUTCHours()) + pad(d.getUTCMinutes()) + pad(d.getUTCSeconds()) + "Z";
  return tlv(TAG.UTCTime, Buffer.from(s, "ascii"));
}

/**
 * GeneralizedTime YYYYMMDDHHMMSS[.fff]Z. With `millis`, the fraction follows RFC 3161 2.4.2 /
 * X.690 11.7: no trailing zeros, and no fraction at all when the milliseconds are zero.
 */
export function derGeneralizedTime(d: Date, millis = false): Buffer {
  let s =
    pad(d.getUTCFullYear(), 4) + pad(d.getUTCMonth() + 1) + pad(d.getUTCDate()) +
    pad(d.getUTCHours()) + pad(d.getUTCMinutes()) + pad(d.getUTCSeconds());
  const ms = d.getUTCMilliseconds();
  if (millis && ms !== 0) s += "." + pad(ms, 3).replace(/0+$/, "");
  return tlv(TAG.GeneralizedTime, Buffer.from(s + "Z", "ascii"));
}

/** The RFC 5652 11.3 / RFC 5280 rule: UTCTime for 1950..2049, GeneralizedTime otherwise. */
export function derTime(d: Date): Buffer {
  const y = d.getUTCFullYear();
  return y >= 1950 && y <= 2049 ? derUtcTime(d) : derGeneralizedTime(d);
}
