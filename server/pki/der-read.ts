// Strict DER decoding on Buffers: the one reader of every ASN.1 structure in server/pki.
//
// Why not forge.asn1: its decoder accepts BER (indefinite lengths, non-minimal lengths) and
// works on binary strings; a timestamp authority must refuse what is not DER (RFC 3161 asks
// for DER requests) and a verifier must sign and check the exact bytes it received.

export class DerError extends Error {}

/** Universal tags, for readers that name them. */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8String: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  PrintableString: 0x13,
  TeletexString: 0x14,
  IA5String: 0x16,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  VisibleString: 0x1a,
  UniversalString: 0x1c,
  BMPString: 0x1e,
} as const;

export interface DerNode {
  /** the identifier octet (single-byte tags only) */
  tag: number;
  constructed: boolean;
  /** the whole TLV */
  raw: Buffer;
  /** the value octets */
  content: Buffer;
}

function readNode(buf: Buffer, pos: number): { node: DerNode; end: number } {
  if (pos >= buf.length) throw new DerError("unexpected end of data");
  const tag = buf[pos];
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte tags are not supported");
  let p = pos + 1;
  if (p >= buf.length) throw new DerError("unexpected end of data in a length");
  const first = buf[p++];
  let length: number;
  if (first < 0x80) {
    length = first;
  } else if (first === 0x80) {
    throw new DerError("indefinite length (BER, not DER)");
  } else {
    const n = first & 0x7f;
    if (n > 4) throw new DerError("length too large");
    if (p + n > buf.length) throw new DerError("unexpected end of data in a length");
    if (buf[p] === 0) throw new DerError("non-minimal length (not DER)");
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[p + i];
    if (length < 0x80) throw new DerError("non-minimal length (not DER)");
    p += n;
  }
  if (p + length > buf.length) throw new DerError("truncated value");
  const end = p + length;
  return {
    node: { tag, constructed: (tag & 0x20) !== 0, raw: buf.subarray(pos, end), content: buf.subarray(p, end) },
    end,
  };
}

/** Exactly one DER element filling `buf` (trailing bytes are an error). */
export function decodeDer(buf: Buffer): DerNode {
  const { node, end } = readNode(buf, 0);
  if (end !== buf.length) throw new DerError(`${buf.length - end} trailing byte(s) after the DER value`);
  return node;
}

/** The elements inside a constructed value. */
export function childrenOf(node: DerNode): DerNode[] {
  if (!node.constructed) throw new DerError(`tag 0x${node.tag.toString(16)} is not constructed`);
  const out: DerNode[] = [];
  for (let pos = 0; pos < node.content.length; ) {
    const r = readNode(node.content, pos);
    out.push(r.node);
    pos = r.end;
  }
  return out;
}

export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node) throw new DerError(`${what}: missing`);
  if (node.tag !== tag) {
    throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${node.tag.toString(16)}`);
  }
  return node;
}

/** The children of a tag-checked constructed value. */
export function sequenceOf(node: DerNode | undefined, what: string, tag: number = TAG.SEQUENCE): DerNode[] {
  return childrenOf(expectTag(node, tag, what));
}

/** INTEGER content octets; `strict` refuses non-minimal encodings (DER). */
export function readIntegerContent(node: DerNode | undefined, what: string, strict = true, tag: number = TAG.INTEGER): Buffer {
  const c = expectTag(node, tag, what).content;
  if (c.length === 0) throw new DerError(`${what}: empty INTEGER`);
  if (strict && c.length > 1 && ((c[0] === 0 && c[1] < 0x80) || (c[0] === 0xff && c[1] >= 0x80))) {
    throw new DerError(`${what}: non-minimal INTEGER (not DER)`);
  }
  return c;
}

export function integerFromContent(c: Buffer): bigint {
  let v = BigInt("0x" + (c.length ? c.toString("hex") : "0"));
  if (c.length && c[0] & 0x80) v -= 1n << BigInt(8 * c.length);
  return v;
}

export function readInteger(node: DerNode | undefined, what: string, strict = true, tag: number = TAG.INTEGER): bigint {
  return integerFromContent(readIntegerContent(node, what, strict, tag));
}

/** A DER INTEGER that must not be negative (versions, serial numbers, counters). */
export function readUnsigned(node: DerNode | undefined, what: string, tag: number = TAG.INTEGER): bigint {
  const v = readInteger(node, what, true, tag);
  if (v < 0n) throw new DerError(`${what}: negative INTEGER`);
  return v;
}

export function readOid(node: DerNode | undefined, what: string): string {
  const c = expectTag(node, TAG.OID, what).content;
  if (c.length === 0 || c[c.length - 1] & 0x80) throw new DerError(`${what}: malformed OBJECT IDENTIFIER`);
  const values: bigint[] = [];
  let v = 0n;
  let start = true;
  for (const b of c) {
    if (start && b === 0x80) throw new DerError(`${what}: non-minimal OBJECT IDENTIFIER arc`);
    v = (v << 7n) | BigInt(b & 0x7f);
    start = false;
    if (!(b & 0x80)) {
      values.push(v);
      v = 0n;
      start = true;
    }
  }
  const first = values[0];
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...values.slice(1)].join(".");
}

/** BOOLEAN; DER allows only 0x00 and 0xff (`strict`). */
export function readBoolean(node: DerNode | undefined, what: string, strict = true): boolean {
  const c = expectTag(node, TAG.BOOLEAN, what).content;
  if (c.length !== 1) throw new DerError(`${what}: malformed BOOLEAN`);
  if (strict && c[0] !== 0x00 && c[0] !== 0xff) throw new DerError(`${what}: BOOLEAN is neither 00 nor FF (not DER)`);
  return c[0] !== 0;
}

export function readOctetString(node: DerNode | undefined, what: string): Buffer {
  return expectTag(node, TAG.OCTET_STRING, what).content;
}

/** The bytes of a BIT STRING that has no unused bits (keys, signatures). */
export function readBitString(node: DerNode | undefined, what: string): Buffer {
  const c = expectTag(node, TAG.BIT_STRING, what).content;
  if (c.length === 0 || c[0] !== 0) throw new DerError(`${what}: BIT STRING with unused bits`);
  return c.subarray(1);
}

/**
 * UTCTime or GeneralizedTime in the DER forms (Z, seconds present); `strict` also refuses trailing
 * zeros in a GeneralizedTime fraction (DER, RFC 3161 2.4.2), which some producers write anyway.
 */
export function readTime(node: DerNode | undefined, what: string, strict = true): Date {
  if (!node) throw new DerError(`${what}: missing`);
  const s = node.content.toString("latin1");
  let m: RegExpExecArray | null;
  let year: number;
  let ms = 0;
  if (node.tag === TAG.UTCTime) {
    m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s);
    if (!m) throw new DerError(`${what}: malformed UTCTime "${s}"`);
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (node.tag === TAG.GeneralizedTime) {
    const re = strict
      ? /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:\.(\d*[1-9]))?Z$/
      : /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:[.,](\d+))?Z$/;
    m = re.exec(s);
    if (!m) throw new DerError(`${what}: malformed GeneralizedTime "${s}"`);
    year = Number(m[1]);
    if (m[7]) ms = Math.floor(Number("0." + m[7]) * 1000 + 1e-6);
  } else {
    throw new DerError(`${what}: expected a time, found tag 0x${node.tag.toString(16)}`);
  }
  const [mo, d, h, mi, se] = [m[2], m[3], m[4], m[5], m[6]].map(Number);
  const t = Date.UTC(year, mo - 1, d, h, mi, se, ms);
  const back = new Date(t);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) {
    throw new DerError(`${what}: invalid date "${s}"`);
  }
  if (year < 100) back.setUTCFullYear(year);
  return back;
}

const utf8Fatal = new TextDecoder("utf-8", { fatal: true });

/** A DirectoryString, IA5String, PrintableString or VisibleString value as text. */
export function readString(node: DerNode, what: string): string {
  const c = node.content;
  switch (node.tag) {
    case TAG.UTF8String:
      try {
        return utf8Fatal.decode(c);
      } catch {
        throw new DerError(`${what}: invalid UTF-8 in UTF8String`);
      }
    case TAG.PrintableString:
    case TAG.IA5String:
    case TAG.VisibleString:
      for (const b of c) if (b > 0x7f) throw new DerError(`${what}: non-ASCII byte in an ASCII string type`);
      return c.toString("latin1");
    case TAG.TeletexString:
      return c.toString("latin1");
    case TAG.BMPString: {
      if (c.length % 2) throw new DerError(`${what}: odd-length BMPString`);
      const swapped = Buffer.from(c);
      swapped.swap16();
      return swapped.toString("utf16le");
    }
    case TAG.UniversalString: {
      if (c.length % 4) throw new DerError(`${what}: bad UniversalString length`);
      let s = "";
      for (let i = 0; i < c.length; i += 4) s += String.fromCodePoint(c.readUInt32BE(i));
      return s;
    }
    default:
      throw new DerError(`${what}: unsupported string type 0x${node.tag.toString(16)}`);
  }
}
