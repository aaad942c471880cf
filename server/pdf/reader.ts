// A synchronous PDF structure reader that follows the cross-reference chain the way a PDF reader
// does (newest section first, /Prev back to the oldest; classic xref tables, xref streams, hybrid
// files with /XRefStm, objects inside object streams), and loads every object in use into a
// pdf-lib PDFContext with pdf-lib's own object parser.
//
// Why not PDFDocument.load: it is asynchronous (the verifier is not) and it scans the file from
// top to bottom, letting the physically last definition of an object win and ignoring the xref;
// a signature verifier and an incremental-update writer need the xref's view of the document, the
// offset of the last cross-reference section and its style (table or stream).
import {
  decodePDFRawStream,
  PDFArray,
  PDFContext,
  PDFDict,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFObject,
  PDFObjectParser,
  PDFRawStream,
  PDFRef,
  PDFString,
} from "pdf-lib";

export class PdfStructureError extends Error {}

export type XrefEntry =
  | { type: 1; offset: number; gen: number }
  | { type: 2; stream: number; index: number };

export interface PdfStructure {
  bytes: Buffer;
  /** every object the cross-reference names as in use, at its current definition */
  context: PDFContext;
  /** the newest trailer dictionary (a classic trailer, or the newest xref stream's dictionary) */
  trailer: PDFDict;
  /** offset of the newest cross-reference section (the file's last startxref) */
  startxref: number;
  /** whether the newest cross-reference section is an xref stream */
  xrefIsStream: boolean;
  /** /Size of the newest trailer (one more than the highest object number in use) */
  size: number;
  /** object number -> where it is, newest definition */
  entries: Map<number, XrefEntry>;
  /** objects named by the xref that could not be parsed */
  problems: string[];
}

const WS = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);

function skipWs(b: Buffer, pos: number): number {
  for (;;) {
    while (pos < b.length && WS.has(b[pos])) pos++;
    if (b[pos] === 0x25 /* % */) {
      while (pos < b.length && b[pos] !== 0x0a && b[pos] !== 0x0d) pos++;
      continue;
    }
    return pos;
  }
}

function readInt(b: Buffer, pos: number): { value: number; end: number } | null {
  let end = pos;
  while (end < b.length && b[end] >= 0x30 && b[end] <= 0x39) end++;
  if (end === pos) return null;
  return { value: Number(b.toString("latin1", pos, end)), end };
}

function startsWith(b: Buffer, pos: number, keyword: string): boolean {
  return b.toString("latin1", pos, pos + keyword.length) === keyword;
}

/** Offset named by the last `startxref` of the file. */
export function lastStartxref(b: Buffer): number {
  const tail = b.toString("latin1", Math.max(0, b.length - 4096));
  const at = tail.lastIndexOf("startxref");
  if (at < 0) throw new PdfStructureError("no startxref found at the end of the file");
  const m = /^startxref\s+(\d+)/.exec(tail.slice(at));
  if (!m) throw new PdfStructureError("startxref is not followed by an offset");
  const offset = Number(m[1]);
  if (offset <= 0 || offset >= b.length) throw new PdfStructureError(`startxref offset ${offset} is outside the file`);
  return offset;
}

/** Parses one object with pdf-lib's parser, starting at `pos` (a bare object, no "obj" header). */
function parseObjectAt(b: Buffer, pos: number, ctx: PDFContext): PDFObject {
  return PDFObjectParser.forBytes(b.subarray(pos), ctx).parseObject();
}

const HEADER = /^(\d+)\s+(\d+)\s+obj\b/;

/** Reads "N G obj <object>" at `pos`. */
export function parseIndirectObjectAt(b: Buffer, pos: number, ctx: PDFContext): { num: number; gen: number; object: PDFObject } {
  const p = skipWs(b, pos);
  const m = HEADER.exec(b.toString("latin1", p, p + 40));
  if (!m) throw new PdfStructureError(`no indirect object at offset ${pos}`);
  const object = parseObjectAt(b, p + m[0].length, ctx);
  return { num: Number(m[1]), gen: Number(m[2]), object };
}

function numberOf(dict: PDFDict, key: string): number | undefined {
  const v = dict.lookup(PDFName.of(key));
  return v instanceof PDFNumber ? v.asNumber() : undefined;
}

interface XrefSection {
  trailer: PDFDict;
  isStream: boolean;
}

function readClassicXref(b: Buffer, pos: number, ctx: PDFContext, into: Map<number, XrefEntry>): XrefSection {
  let p = skipWs(b, pos + 4);
  for (;;) {
    p = skipWs(b, p);
    if (startsWith(b, p, "trailer")) {
      p += 7;
      break;
    }
    const first = readInt(b, p);
    if (!first) throw new PdfStructureError(`malformed xref subsection header at offset ${p}`);
    p = skipWs(b, first.end);
    const count = readInt(b, p);
    if (!count) throw new PdfStructureError(`malformed xref subsection header at offset ${p}`);
    p = count.end;
    for (let i = 0; i < count.value; i++) {
      p = skipWs(b, p);
      const off = readInt(b, p);
      if (!off) throw new PdfStructureError(`malformed xref entry at offset ${p}`);
      p = skipWs(b, off.end);
      const gen = readInt(b, p);
      if (!gen) throw new PdfStructureError(`malformed xref entry at offset ${p}`);
      p = skipWs(b, gen.end);
      const kind = String.fromCharCode(b[p++]);
      if (kind !== "n" && kind !== "f") throw new PdfStructureError(`malformed xref entry type at offset ${p - 1}`);
      const num = first.value + i;
      if (into.has(num)) continue; // a newer section already defines it
      if (kind === "n") into.set(num, { type: 1, offset: off.value, gen: gen.value });
      else into.set(num, { type: 1, offset: -1, gen: gen.value }); // free
    }
  }
  const trailer = parseObjectAt(b, p, ctx);
  if (!(trailer instanceof PDFDict)) throw new PdfStructureError("the trailer is not a dictionary");
  return { trailer, isStream: false };
}

/**
 * The stream's data, filters applied (pdf-lib), then the /DecodeParms /Predictor that pdf-lib's
 * decoder ignores: PNG predictors (10-15, what qpdf and most writers use for xref streams) and
 * TIFF predictor 2, for 8-bit components.
 */
export function decodeStream(stream: PDFRawStream): Buffer {
  const data = Buffer.from(decodePDFRawStream(stream).decode());
  let parms = stream.dict.lookup(PDFName.of("DecodeParms"));
  if (parms instanceof PDFArray) parms = parms.lookup(parms.size() - 1);
  if (!(parms instanceof PDFDict)) return data;
  const predictor = numberOf(parms, "Predictor") ?? 1;
  if (predictor <= 1) return data;
  const colors = numberOf(parms, "Colors") ?? 1;
  const bpc = numberOf(parms, "BitsPerComponent") ?? 8;
  const columns = numberOf(parms, "Columns") ?? 1;
  if (bpc !== 8) throw new PdfStructureError(`unsupported predictor with ${bpc} bits per component`);
  const bpp = colors;
  const rowLength = colors * columns;
  if (predictor === 2) {
    const out = Buffer.from(data);
    for (let r = 0; r + rowLength <= out.length; r += rowLength) {
      for (let i = bpp; i < rowLength; i++) out[r + i] = (out[r + i] + out[r + i - bpp]) & 0xff;
    }
    return out;
  }
  if (predictor < 10) throw new PdfStructureError(`unsupported predictor ${predictor}`);
  const rows = Math.floor(data.length / (rowLength + 1));
  const out = Buffer.alloc(rows * rowLength);
  for (let r = 0; r < rows; r++) {
    const filter = data[r * (rowLength + 1)];
    const src = r * (rowLength + 1) + 1;
    const dst = r * rowLength;
    for (let i = 0; i < rowLength; i++) {
      const x = data[src + i];
      const left = i >= bpp ? out[dst + i - bpp] : 0;
      const up = r > 0 ? out[dst - rowLength + i] : 0;
      const upLeft = r > 0 && i >= bpp ? out[dst - rowLength + i - bpp] : 0;
      let v: number;
      switch (filter) {
        case 0: v = x; break;
        case 1: v = x + left; break;
        case 2: v = x + up; break;
        case 3: v = x + ((left + up) >> 1); break;
        case 4: {
          const p = left + up - upLeft;
          const pa = Math.abs(p - left);
          const pb = Math.abs(p - up);
          const pc = Math.abs(p - upLeft);
          v = x + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
          break;
        }
        default:
          throw new PdfStructureError(`unknown PNG predictor filter ${filter}`);
      }
      out[dst + i] = v & 0xff;
    }
  }
  return out;
}

function readXrefStream(stream: PDFRawStream, into: Map<number, XrefEntry>): void {
  const dict = stream.dict;
  const w = dict.lookup(PDFName.of("W"));
  if (!(w instanceof PDFArray) || w.size() !== 3) throw new PdfStructureError("xref stream without a valid /W");
  const widths = [0, 1, 2].map((i) => (w.lookup(i) as PDFNumber).asNumber());
  const size = numberOf(dict, "Size");
  if (size === undefined) throw new PdfStructureError("xref stream without /Size");
  const index = dict.lookup(PDFName.of("Index"));
  const ranges: [number, number][] = [];
  if (index instanceof PDFArray) {
    for (let i = 0; i + 1 < index.size(); i += 2) {
      ranges.push([(index.lookup(i) as PDFNumber).asNumber(), (index.lookup(i + 1) as PDFNumber).asNumber()]);
    }
  } else {
    ranges.push([0, size]);
  }
  const data = decodeStream(stream);
  const rowLength = widths[0] + widths[1] + widths[2];
  let p = 0;
  const field = (width: number, dflt: number): number => {
    if (width === 0) return dflt;
    let v = 0;
    for (let i = 0; i < width; i++) v = v * 256 + data[p++];
    return v;
  };
  for (const [first, count] of ranges) {
    for (let i = 0; i < count; i++) {
      if (p + rowLength > data.length) throw new PdfStructureError("xref stream data is truncated");
      const type = field(widths[0], 1);
      const f2 = field(widths[1], 0);
      const f3 = field(widths[2], 0);
      const num = first + i;
      if (into.has(num)) continue;
      if (type === 1) into.set(num, { type: 1, offset: f2, gen: f3 });
      else if (type === 2) into.set(num, { type: 2, stream: f2, index: f3 });
      else into.set(num, { type: 1, offset: -1, gen: f3 }); // free (or unknown type: treated as null)
    }
  }
}

function readSection(b: Buffer, offset: number, ctx: PDFContext, into: Map<number, XrefEntry>): XrefSection {
  const p = skipWs(b, offset);
  if (startsWith(b, p, "xref")) return readClassicXref(b, p, ctx, into);
  const { object } = parseIndirectObjectAt(b, p, ctx);
  if (!(object instanceof PDFRawStream) || object.dict.lookup(PDFName.of("Type")) !== PDFName.of("XRef")) {
    throw new PdfStructureError(`no cross-reference section at offset ${offset}`);
  }
  readXrefStream(object, into);
  return { trailer: object.dict, isStream: true };
}

/**
 * Reads the cross-reference chain of `bytes` and loads every object in use. Throws
 * PdfStructureError when the cross-reference cannot be read (a damaged file: repair it first).
 */
export function readPdf(bytes: Buffer): PdfStructure {
  const header = bytes.subarray(0, 1024).indexOf("%PDF-");
  if (header < 0) {
    throw new PdfStructureError("not a PDF file (no %PDF- header)");
  }
  const ctx = PDFContext.create();
  const entries = new Map<number, XrefEntry>();
  const startxref = lastStartxref(bytes);
  const visited = new Set<number>();
  let newest: XrefSection | null = null;
  for (let offset: number | undefined = startxref; offset !== undefined; ) {
    if (visited.has(offset)) throw new PdfStructureError(`cross-reference loop at offset ${offset}`);
    if (offset < 0 || offset >= bytes.length) throw new PdfStructureError(`cross-reference offset ${offset} is outside the file`);
    visited.add(offset);
    let section: XrefSection;
    try {
      section = readSection(bytes, offset, ctx, entries);
    } catch (e) {
      if (e instanceof PdfStructureError) throw e;
      throw new PdfStructureError(`cannot read the cross-reference section at offset ${offset}: ${(e as Error).message}`);
    }
    newest ??= section;
    // hybrid-reference files: the table's /XRefStm supplements the table
    const xrefStm = numberOf(section.trailer, "XRefStm");
    if (!section.isStream && xrefStm !== undefined && !visited.has(xrefStm)) {
      visited.add(xrefStm);
      try {
        const { object } = parseIndirectObjectAt(bytes, xrefStm, ctx);
        if (object instanceof PDFRawStream) readXrefStream(object, entries);
      } catch {
        // a damaged /XRefStm: the table alone is used
      }
    }
    offset = numberOf(section.trailer, "Prev");
  }
  const trailer = newest!.trailer;
  if (trailer.get(PDFName.of("Encrypt"))) throw new PdfStructureError("encrypted PDF files are not supported");

  const problems: string[] = [];
  const objStms = new Map<number, { first: number; data: Buffer; offsets: Map<number, number> }>();
  const loadObjStm = (num: number) => {
    let s = objStms.get(num);
    if (s) return s;
    const e = entries.get(num);
    if (!e || e.type !== 1 || e.offset < 0) throw new PdfStructureError(`object stream ${num} is not in the cross-reference`);
    const { object } = parseIndirectObjectAt(bytes, e.offset, ctx);
    if (!(object instanceof PDFRawStream)) throw new PdfStructureError(`object ${num} is not an object stream`);
    const n = numberOf(object.dict, "N") ?? 0;
    const first = numberOf(object.dict, "First") ?? 0;
    const data = decodeStream(object);
    const offsets = new Map<number, number>();
    let p = 0;
    for (let i = 0; i < n; i++) {
      p = skipWs(data, p);
      const on = readInt(data, p);
      if (!on) break;
      p = skipWs(data, on.end);
      const oo = readInt(data, p);
      if (!oo) break;
      p = oo.end;
      offsets.set(on.value, first + oo.value);
    }
    s = { first, data, offsets };
    objStms.set(num, s);
    return s;
  };

  for (const [num, e] of entries) {
    if (num === 0) continue;
    try {
      if (e.type === 1) {
        if (e.offset < 0) continue;
        const { num: n, gen, object } = parseIndirectObjectAt(bytes, e.offset, ctx);
        if (n !== num) throw new PdfStructureError(`the xref points object ${num} at offset ${e.offset}, which holds object ${n}`);
        ctx.assign(PDFRef.of(num, gen), object);
      } else {
        const s = loadObjStm(e.stream);
        const at = s.offsets.get(num);
        if (at === undefined) throw new PdfStructureError(`object ${num} is not in object stream ${e.stream}`);
        ctx.assign(PDFRef.of(num, 0), parseObjectAt(s.data, at, ctx));
      }
    } catch (err) {
      problems.push(`object ${num}: ${(err as Error).message}`);
    }
  }
  ctx.trailerInfo = {
    Root: trailer.get(PDFName.of("Root")),
    Info: trailer.get(PDFName.of("Info")),
    ID: trailer.get(PDFName.of("ID")),
    Encrypt: undefined,
  };
  const size = numberOf(trailer, "Size") ?? 0;
  ctx.largestObjectNumber = Math.max(ctx.largestObjectNumber, size - 1, ...[...entries.keys()]);
  return { bytes, context: ctx, trailer, startxref, xrefIsStream: newest!.isStream, size, entries, problems };
}

/** The catalog dictionary and its reference. */
export function catalogOf(s: PdfStructure): { ref: PDFRef; dict: PDFDict } {
  const ref = s.trailer.get(PDFName.of("Root"));
  if (!(ref instanceof PDFRef)) throw new PdfStructureError("the trailer has no /Root reference");
  const dict = s.context.lookup(ref);
  if (!(dict instanceof PDFDict)) throw new PdfStructureError("the /Root object is not a dictionary");
  return { ref, dict };
}

/** The page references in document order (walking /Pages /Kids). */
export function pageRefs(s: PdfStructure): PDFRef[] {
  const { dict: catalog } = catalogOf(s);
  const root = catalog.get(PDFName.of("Pages"));
  const out: PDFRef[] = [];
  const seen = new Set<string>();
  const walk = (ref: PDFObject | undefined, depth: number) => {
    if (!(ref instanceof PDFRef) || seen.has(ref.toString()) || depth > 64) return;
    seen.add(ref.toString());
    const node = s.context.lookup(ref);
    if (!(node instanceof PDFDict)) return;
    const type = node.lookup(PDFName.of("Type"));
    const kids = node.lookup(PDFName.of("Kids"));
    if (type === PDFName.of("Page") || (!(kids instanceof PDFArray) && type !== PDFName.of("Pages"))) {
      out.push(ref);
      return;
    }
    if (kids instanceof PDFArray) for (let i = 0; i < kids.size(); i++) walk(kids.get(i), depth + 1);
  };
  walk(root, 0);
  return out;
}

/** Decodes a PDF text string (PDFString or PDFHexString; UTF-16BE with BOM, UTF-8 with BOM, or PDFDocEncoding). */
export function textOf(obj: PDFObject | undefined): string | null {
  if (obj instanceof PDFString || obj instanceof PDFHexString) return obj.decodeText();
  return null;
}

export interface FieldNode {
  ref: PDFRef | null;
  dict: PDFDict;
  /** the fully qualified field name (parents' /T joined with ".") */
  fullName: string;
  /** /FT, inherited from the parents */
  fieldType: string | null;
}

/** Every terminal field of the /AcroForm (a field without /Kids that are fields). */
export function terminalFields(s: PdfStructure): FieldNode[] {
  const { dict: catalog } = catalogOf(s);
  const acro = catalog.lookup(PDFName.of("AcroForm"));
  if (!(acro instanceof PDFDict)) return [];
  const fields = acro.lookup(PDFName.of("Fields"));
  if (!(fields instanceof PDFArray)) return [];
  const out: FieldNode[] = [];
  const seen = new Set<string>();
  const walk = (item: PDFObject, parentName: string, parentFt: string | null, depth: number) => {
    const ref = item instanceof PDFRef ? item : null;
    if (ref) {
      if (seen.has(ref.toString())) return;
      seen.add(ref.toString());
    }
    const dict = ref ? s.context.lookup(ref) : item;
    if (!(dict instanceof PDFDict) || depth > 32) return;
    const t = textOf(dict.lookup(PDFName.of("T")));
    const fullName = t === null ? parentName : parentName ? `${parentName}.${t}` : t;
    const ftObj = dict.lookup(PDFName.of("FT"));
    const ft = ftObj instanceof PDFName ? ftObj.decodeText() : parentFt;
    const kids = dict.lookup(PDFName.of("Kids"));
    const fieldKids: PDFObject[] = [];
    if (kids instanceof PDFArray) {
      for (let i = 0; i < kids.size(); i++) {
        const k = kids.lookup(i);
        // kids with a /T are fields; kids without are widget annotations of this field
        if (k instanceof PDFDict && k.has(PDFName.of("T"))) fieldKids.push(kids.get(i));
      }
    }
    if (fieldKids.length === 0) out.push({ ref, dict, fullName, fieldType: ft });
    else for (const k of fieldKids) walk(k, fullName, ft, depth + 1);
  };
  for (let i = 0; i < fields.size(); i++) walk(fields.get(i), "", null, 0);
  return out;
}
