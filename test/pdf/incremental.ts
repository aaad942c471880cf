// Test helper: appends an incremental update (classic cross-reference section, /Prev to the last
// one) replacing or adding the given objects: how the tests make files changed after a signature.
import { PDFDict, PDFName, PDFRef } from "pdf-lib";
import { catalogOf, lastStartxref, pageRefs, readPdf } from "../../server/pdf/reader";

/** `objects`: object number -> its body (what goes between "N 0 obj" and "endobj"). */
export function appendUpdate(pdf: Buffer, objects: Map<number, string | Buffer>): Buffer {
  const s = readPdf(pdf);
  const parts: Buffer[] = [pdf, Buffer.from("\n")];
  let pos = pdf.length + 1;
  const offsets = new Map<number, number>();
  for (const [num, body] of [...objects].sort((a, b) => a[0] - b[0])) {
    offsets.set(num, pos);
    const chunk = Buffer.concat([Buffer.from(`${num} 0 obj\n`), Buffer.isBuffer(body) ? body : Buffer.from(body, "latin1"), Buffer.from("\nendobj\n")]);
    parts.push(chunk);
    pos += chunk.length;
  }
  const xrefAt = pos;
  let xref = "xref\n";
  for (const [num, off] of [...offsets].sort((a, b) => a[0] - b[0])) xref += `${num} 1\n${String(off).padStart(10, "0")} 00000 n \n`;
  const size = Math.max(s.size, ...[...objects.keys()].map((n) => n + 1));
  xref += `trailer\n<< /Size ${size} /Root ${s.trailer.get(PDFName.of("Root"))} /Prev ${lastStartxref(pdf)} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  parts.push(Buffer.from(xref, "latin1"));
  return Buffer.concat(parts);
}

export function streamBody(data: Buffer, extra = ""): Buffer {
  return Buffer.concat([Buffer.from(`<< /Length ${data.length}${extra} >>\nstream\n`), data, Buffer.from("\nendstream")]);
}

/** A DSS holding `crls`, added to the catalog, as the long-term-proof update does. */
export function appendDss(pdf: Buffer, crls: Buffer[]): Buffer {
  const s = readPdf(pdf);
  const { ref, dict } = catalogOf(s);
  let next = s.size;
  const objects = new Map<number, string | Buffer>();
  const refs = crls.map((c) => {
    const n = next++;
    objects.set(n, streamBody(c));
    return `${n} 0 R`;
  });
  const dssNum = next++;
  objects.set(dssNum, `<< /Type /DSS /CRLs [${refs.join(" ")}] >>`);
  dict.set(PDFName.of("DSS"), PDFRef.of(dssNum, 0));
  objects.set(ref.objectNumber, dict.toString());
  return appendUpdate(pdf, objects);
}

/** Page `index`'s dictionary after `change`, written back as an update with `extra` objects. */
export function appendPageChange(pdf: Buffer, index: number, change: (page: PDFDict, next: () => number) => Map<number, string | Buffer>): Buffer {
  const s = readPdf(pdf);
  const pageRef = pageRefs(s)[index];
  const page = s.context.lookup(pageRef) as PDFDict;
  let next = s.size;
  const objects = change(page, () => next++);
  objects.set(pageRef.objectNumber, page.toString());
  return appendUpdate(pdf, objects);
}
