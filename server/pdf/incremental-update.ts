// Writing one incremental update (ISO 32000-2 7.5.6): the objects added to a document read with
// reader.ts, the ones changed, and optionally one written by hand (a signature dictionary, whose
// placeholders' offsets its writer must know), then a cross-reference section in the original's
// style (table or stream) whose /Prev points at the previous one. The original bytes stay as
// they are, which is what keeps every earlier signature verifying.
import { randomBytes } from "node:crypto";
import { deflateSync } from "node:zlib";
import { PDFArray, PDFHexString, PDFName, PDFObject, PDFRef } from "pdf-lib";
import type { PdfStructure } from "./reader";

function serialize(obj: PDFObject): Buffer {
  const buf = new Uint8Array(obj.sizeInBytes());
  obj.copyBytesInto(buf, 0);
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

export interface IncrementalUpdate {
  bytes: Buffer;
  /** offset of the hand-written object's first byte ("N 0 obj"), -1 without one */
  handWrittenAt: number;
}

/**
 * `pdf` followed by an update holding every object of `s.context` numbered `firstNew` or above,
 * the objects `changed`, and `handWritten` (its whole "N 0 obj ... endobj" text, latin1).
 */
export function writeIncrementalUpdate(
  pdf: Buffer,
  s: PdfStructure,
  firstNew: number,
  changed: Iterable<PDFRef>,
  handWritten?: { ref: PDFRef; text: string },
): IncrementalUpdate {
  const ctx = s.context;
  const parts: Buffer[] = [];
  let pos = pdf.length;
  const push = (b: Buffer) => {
    parts.push(b);
    pos += b.length;
  };
  const last = pdf[pdf.length - 1];
  if (last !== 0x0a && last !== 0x0d) push(Buffer.from("\n"));
  const offsets = new Map<number, { offset: number; gen: number }>();

  const objects = new Map<number, [PDFRef, PDFObject]>();
  for (const [ref, obj] of ctx.enumerateIndirectObjects()) if (ref.objectNumber >= firstNew) objects.set(ref.objectNumber, [ref, obj]);
  for (const ref of changed) objects.set(ref.objectNumber, [ref, ctx.lookup(ref)!]);
  if (handWritten) objects.delete(handWritten.ref.objectNumber);
  for (const [ref, obj] of [...objects.values()].sort((a, b) => a[0].objectNumber - b[0].objectNumber)) {
    offsets.set(ref.objectNumber, { offset: pos, gen: ref.generationNumber });
    push(Buffer.concat([Buffer.from(`${ref.objectNumber} ${ref.generationNumber} obj\n`), serialize(obj), Buffer.from("\nendobj\n")]));
  }
  let handWrittenAt = -1;
  if (handWritten) {
    handWrittenAt = pos;
    offsets.set(handWritten.ref.objectNumber, { offset: pos, gen: handWritten.ref.generationNumber });
    push(Buffer.from(handWritten.text, "latin1"));
  }

  const prev = s.startxref;
  const root = s.trailer.get(PDFName.of("Root"))!;
  const info = s.trailer.get(PDFName.of("Info"));
  let id = s.trailer.get(PDFName.of("ID"));
  if (!(id instanceof PDFArray)) {
    const h = PDFHexString.of(randomBytes(16).toString("hex"));
    id = ctx.obj([h, h]);
  }
  const nums = [...offsets.keys()].sort((a, b) => a - b);
  let maxNum = nums[nums.length - 1];
  if (s.xrefIsStream) {
    const xrefNum = Math.max(maxNum + 1, ctx.largestObjectNumber + 1, s.size);
    offsets.set(xrefNum, { offset: pos, gen: 0 });
    nums.push(xrefNum);
    maxNum = xrefNum;
  }
  const size = Math.max(s.size, maxNum + 1);
  // contiguous runs of object numbers
  const runs: [number, number][] = [];
  for (const n of nums) {
    const r = runs[runs.length - 1];
    if (r && r[0] + r[1] === n) r[1]++;
    else runs.push([n, 1]);
  }
  const trailerEntries =
    `/Size ${size} /Root ${root.toString()}` +
    (info ? ` /Info ${info.toString()}` : "") +
    ` /ID ${id.toString()} /Prev ${prev}`;
  const xrefOffset = pos;
  if (!s.xrefIsStream) {
    let xref = "xref\n";
    for (const [first, count] of runs) {
      xref += `${first} ${count}\n`;
      for (let n = first; n < first + count; n++) {
        const e = offsets.get(n)!;
        xref += `${String(e.offset).padStart(10, "0")} ${String(e.gen).padStart(5, "0")} n\r\n`;
      }
    }
    push(Buffer.from(`${xref}trailer\n<< ${trailerEntries} >>\nstartxref\n${xrefOffset}\n%%EOF\n`, "latin1"));
  } else {
    const xrefNum = nums[nums.length - 1];
    const maxOffset = Math.max(...[...offsets.values()].map((e) => e.offset));
    const w2 = Math.max(1, Math.ceil(Math.log2(maxOffset + 1) / 8));
    const rows: Buffer[] = [];
    for (const [first, count] of runs) {
      for (let n = first; n < first + count; n++) {
        const e = offsets.get(n)!;
        const row = Buffer.alloc(1 + w2 + 2);
        row[0] = 1;
        row.writeUIntBE(e.offset, 1, w2);
        row.writeUInt16BE(e.gen, 1 + w2);
        rows.push(row);
      }
    }
    const data = deflateSync(Buffer.concat(rows));
    const dict =
      `<< /Type /XRef ${trailerEntries} /Index [${runs.map((r) => `${r[0]} ${r[1]}`).join(" ")}]` +
      ` /W [1 ${w2} 2] /Filter /FlateDecode /Length ${data.length} >>`;
    push(
      Buffer.concat([
        Buffer.from(`${xrefNum} 0 obj\n${dict}\nstream\n`, "latin1"),
        data,
        Buffer.from(`\nendstream\nendobj\nstartxref\n${xrefOffset}\n%%EOF\n`, "latin1"),
      ]),
    );
  }
  return { bytes: Buffer.concat([pdf, ...parts]), handWrittenAt };
}
