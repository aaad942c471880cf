// What changed after a signature, as ISO 32000-2 12.8.2.2 (DocMDP) and PAdES (EN 319 142-1 5.4)
// classify it: the revision the signature signed and the whole file are read as two documents and
// compared object by object (the cross-reference's view of each); every object added, changed or
// freed is put in one class by what refers to it in the newer document.
//
// Classes, most to least harmless: a DSS or a document timestamp (always allowed: long-term
// validation); form fields filled and signatures added (allowed from /DocMDP /P 2); annotations
// (allowed at /P 3 only); page content, resources and anything else (never allowed; named by object).
// A document that is not certified is judged as /P 2: stricter than leaving annotations open, so our
// verdict is never more lenient than a strict validator's. Pure: bytes in, findings out.
import { createHash } from "node:crypto";
import { PDFArray, PDFDict, PDFName, PDFNumber, PDFObject, PDFRawStream, PDFRef } from "pdf-lib";
import { catalogOf, lastStartxref, pageRefs, readPdf, type PdfStructure } from "./reader";

export type ChangeCode =
  | "changed_nothing"
  | "changed_dss_added"
  | "changed_doc_timestamp_added"
  | "changed_form_filled"
  | "changed_signature_added"
  | "changed_annotation_added"
  | "changed_page_content"
  | "changed_resources"
  | "changed_structure";

export interface ChangeFinding {
  code: ChangeCode;
  allowed: boolean;
  /** the objects of this class, e.g. "12 0 R (/Type /Page)" */
  objects: string[];
}

export interface ChangeReport {
  /** the /DocMDP /P of the document's certification signature, null when it is not certified */
  docMdpPermission: 1 | 2 | 3 | null;
  findings: ChangeFinding[];
  allowed: boolean;
}

const N = (s: string) => PDFName.of(s);

function fingerprint(obj: PDFObject | undefined): string {
  if (!obj) return "";
  const h = createHash("sha256").update(obj.toString(), "latin1");
  if (obj instanceof PDFRawStream) h.update(Buffer.from(obj.getContents()));
  return h.digest("hex");
}

/** Every object number reachable from `start` (following references, depth-first). */
function reachable(s: PdfStructure, start: PDFObject | undefined, into: Set<number>, stop?: Set<number>): Set<number> {
  const walk = (o: PDFObject | undefined, depth: number) => {
    if (!o || depth > 64) return;
    if (o instanceof PDFRef) {
      if (into.has(o.objectNumber) || stop?.has(o.objectNumber)) return;
      into.add(o.objectNumber);
      walk(s.context.lookup(o), depth + 1);
    } else if (o instanceof PDFDict) {
      for (const [k, v] of o.entries()) if (k !== N("Parent") && k !== N("P")) walk(v, depth + 1);
    } else if (o instanceof PDFRawStream) {
      walk(o.dict, depth + 1);
    } else if (o instanceof PDFArray) {
      for (let i = 0; i < o.size(); i++) walk(o.get(i), depth + 1);
    }
  };
  walk(start, 0);
  return into;
}

function nameOf(o: PDFObject | undefined): string | null {
  return o instanceof PDFName ? o.decodeText() : null;
}

/** The /DocMDP permission of the certification signature (catalog /Perms /DocMDP), or null. */
export function docMdpPermission(s: PdfStructure): 1 | 2 | 3 | null {
  const perms = catalogOf(s).dict.lookup(N("Perms"));
  if (!(perms instanceof PDFDict)) return null;
  const sig = perms.lookup(N("DocMDP"));
  if (!(sig instanceof PDFDict)) return null;
  const refs = sig.lookup(N("Reference"));
  if (refs instanceof PDFArray) {
    for (let i = 0; i < refs.size(); i++) {
      const r = refs.lookup(i);
      if (!(r instanceof PDFDict) || nameOf(r.lookup(N("TransformMethod"))) !== "DocMDP") continue;
      const params = r.lookup(N("TransformParams"));
      const p = params instanceof PDFDict ? params.lookup(N("P")) : undefined;
      const v = p instanceof PDFNumber ? p.asNumber() : 2; // 12.8.2.2.2: default 2
      return v === 1 || v === 3 ? v : 2;
    }
  }
  return 2;
}

/** The objects of the newer document by role, for classifying what changed. */
function roles(s: PdfStructure) {
  const { ref: catalogRef, dict: catalog } = catalogOf(s);
  const dss = reachable(s, catalog.get(N("DSS")), new Set());
  const signatureValues = new Set<number>();
  const docTimestamps = new Set<number>();
  const sigFields = new Set<number>();
  const formFields = new Set<number>();
  const annotations = new Set<number>();
  const pages = new Set<number>(pageRefs(s).map((r) => r.objectNumber));
  const contents = new Set<number>();
  const resources = new Set<number>();
  const stop = new Set([catalogRef.objectNumber, ...pages]);

  for (const [ref, o] of s.context.enumerateIndirectObjects()) {
    const num = ref.objectNumber;
    if (!(o instanceof PDFDict)) continue;
    const type = nameOf(o.lookup(N("Type")));
    if (type === "Sig") signatureValues.add(num);
    if (type === "DocTimeStamp") docTimestamps.add(num);
  }
  // fields and widgets: a signature field (and what its widget draws) or a form field
  const acroRef = catalog.get(N("AcroForm"));
  const acro = catalog.lookup(N("AcroForm"));
  const walkField = (item: PDFObject | undefined, inheritedFt: string | null, depth: number) => {
    if (!(item instanceof PDFRef) || depth > 32) return;
    const d = s.context.lookup(item);
    if (!(d instanceof PDFDict)) return;
    const ft = nameOf(d.lookup(N("FT"))) ?? inheritedFt;
    // a document timestamp's field and widget are part of the timestamp (allowed at every /P)
    const value = d.lookup(N("V"));
    const isDocTs = value instanceof PDFDict && nameOf(value.lookup(N("Type"))) === "DocTimeStamp";
    const target = ft === "Sig" ? (isDocTs ? docTimestamps : sigFields) : formFields;
    if (target.has(item.objectNumber)) return;
    target.add(item.objectNumber);
    // the field's appearance and value (a signature's /V is classed as a signature value above)
    for (const key of ["AP", "MK", "DA"]) reachable(s, d.get(N(key)), target, stop);
    const v = d.get(N("V"));
    if (ft !== "Sig") reachable(s, v, target, stop);
    const kids = d.lookup(N("Kids"));
    if (kids instanceof PDFArray) for (let i = 0; i < kids.size(); i++) walkField(kids.get(i), ft, depth + 1);
  };
  if (acro instanceof PDFDict) {
    const fields = acro.lookup(N("Fields"));
    if (fields instanceof PDFArray) for (let i = 0; i < fields.size(); i++) walkField(fields.get(i), null, 0);
    if (acroRef instanceof PDFRef) formFields.add(acroRef.objectNumber);
    reachable(s, acro.get(N("DR")), formFields, stop);
  }
  for (const p of pageRefs(s)) {
    const page = s.context.lookup(p);
    if (!(page instanceof PDFDict)) continue;
    reachable(s, page.get(N("Contents")), contents, stop);
    reachable(s, page.get(N("Resources")), resources, stop);
    const annots = page.lookup(N("Annots"));
    if (annots instanceof PDFArray) {
      for (let i = 0; i < annots.size(); i++) {
        const a = annots.get(i);
        if (a instanceof PDFRef && !sigFields.has(a.objectNumber) && !formFields.has(a.objectNumber)) {
          // a widget not reached through /Fields is still a widget: its field decides below
          const ad = s.context.lookup(a);
          if (ad instanceof PDFDict && nameOf(ad.lookup(N("Subtype"))) === "Widget") {
            walkField(a, nameOf(ad.lookup(N("FT"))), 0);
            continue;
          }
          reachable(s, a, annotations, stop);
        }
      }
    }
  }
  return { catalogRef, dss, signatureValues, docTimestamps, sigFields, formFields, annotations, pages, contents, resources };
}

function describe(s: PdfStructure, num: number): string {
  const o = [...s.context.enumerateIndirectObjects()].find(([r]) => r.objectNumber === num);
  if (!o) return `${num} 0 R (freed)`;
  const [ref, obj] = o;
  const dict = obj instanceof PDFDict ? obj : obj instanceof PDFRawStream ? obj.dict : null;
  const type = dict ? (nameOf(dict.lookup(N("Type"))) ?? nameOf(dict.lookup(N("Subtype")))) : null;
  return `${ref.objectNumber} ${ref.generationNumber} R${type ? ` (/${type})` : obj instanceof PDFRawStream ? " (stream)" : ""}`;
}

/** The keys whose values differ between two dictionaries. */
function differingKeys(a: PDFDict | undefined, b: PDFDict): string[] {
  const keys = new Set([...(a ? a.keys() : []), ...b.keys()].map((k) => k.decodeText()));
  return [...keys].filter((k) => (a?.get(N(k))?.toString() ?? "") !== (b.get(N(k))?.toString() ?? ""));
}

/**
 * What changed in `pdf` after the revision that ends at byte `revisionEnd` (the end of a
 * signature's byte range). Throws PdfStructureError when either cannot be read.
 */
export function classifyChanges(pdf: Buffer, revisionEnd: number): ChangeReport {
  const before = readPdf(pdf.subarray(0, revisionEnd));
  const permission = docMdpPermission(before);
  if (revisionEnd >= pdf.length) return { docMdpPermission: permission, findings: [], allowed: true };
  const after = readPdf(pdf);
  const beforeObjects = new Map<number, PDFObject>();
  for (const [ref, obj] of before.context.enumerateIndirectObjects()) beforeObjects.set(ref.objectNumber, obj);
  const afterObjects = new Map<number, PDFObject>();
  for (const [ref, obj] of after.context.enumerateIndirectObjects()) afterObjects.set(ref.objectNumber, obj);

  const changed: number[] = [];
  for (const num of new Set([...beforeObjects.keys(), ...afterObjects.keys()])) {
    const a = beforeObjects.get(num);
    const b = afterObjects.get(num);
    // cross-reference streams and object streams are containers, compared through what they hold
    const bt = b instanceof PDFRawStream ? nameOf(b.dict.lookup(N("Type"))) : null;
    const at = a instanceof PDFRawStream ? nameOf(a.dict.lookup(N("Type"))) : null;
    if (bt === "XRef" || bt === "ObjStm" || at === "XRef" || at === "ObjStm") continue;
    if (fingerprint(a) !== fingerprint(b)) changed.push(num);
  }

  const r = roles(after);
  const classes = new Map<ChangeCode, string[]>();
  const put = (code: ChangeCode, what: string) => classes.set(code, [...(classes.get(code) ?? []), what]);
  // bytes after the signed revision that no cross-reference section names are no revision at all:
  // nothing a validator can allow, so named rather than passed over
  if (lastStartxref(pdf) < revisionEnd) put("changed_structure", `${pdf.length - revisionEnd} bytes appended after the signed revision, outside any revision`);
  else {
    // and bytes after the last revision's end (its %%EOF), which no cross-reference section names either
    const tail = pdf.subarray(pdf.lastIndexOf("%%EOF") + 5);
    if (/[^\s]/.test(tail.toString("latin1"))) put("changed_structure", `${tail.length} bytes appended after the last revision, outside any revision`);
  }
  for (const num of changed.sort((x, y) => x - y)) {
    const what = describe(after, num);
    const newer = afterObjects.get(num);
    if (!newer) put("changed_structure", what);
    else if (r.dss.has(num)) put("changed_dss_added", what);
    else if (r.docTimestamps.has(num)) put("changed_doc_timestamp_added", what);
    else if (r.signatureValues.has(num) || r.sigFields.has(num)) put("changed_signature_added", what);
    else if (num === r.catalogRef.objectNumber) {
      for (const k of differingKeys(beforeObjects.get(num) as PDFDict | undefined, newer as PDFDict)) {
        put(k === "DSS" ? "changed_dss_added" : k === "AcroForm" ? "changed_form_filled" : "changed_structure", `${what} /${k}`);
      }
    } else if (r.pages.has(num) && newer instanceof PDFDict) {
      const older = beforeObjects.get(num) as PDFDict | undefined;
      for (const k of differingKeys(older, newer)) {
        if (k === "Annots") {
          // which annotations were added: widgets of fields count as their fields, others as annotations
          const was = new Set((older?.lookup(N("Annots")) instanceof PDFArray ? (older.lookup(N("Annots")) as PDFArray).asArray() : []).map(String));
          const now = newer.lookup(N("Annots"));
          const added = now instanceof PDFArray ? now.asArray().filter((x) => !was.has(String(x))) : [];
          const removed = [...was].filter((x) => !(now instanceof PDFArray && now.asArray().some((y) => String(y) === x)));
          for (const a of added) {
            const n = a instanceof PDFRef ? a.objectNumber : -1;
            put(r.docTimestamps.has(n) ? "changed_doc_timestamp_added" : r.sigFields.has(n) ? "changed_signature_added" : r.formFields.has(n) ? "changed_form_filled" : "changed_annotation_added", `${what} /Annots + ${a}`);
          }
          if (removed.length) put("changed_structure", `${what} /Annots - ${removed.join(" ")}`);
        } else put(k === "Contents" ? "changed_page_content" : k === "Resources" ? "changed_resources" : "changed_structure", `${what} /${k}`);
      }
    } else if (r.formFields.has(num)) put("changed_form_filled", what);
    else if (r.annotations.has(num)) put("changed_annotation_added", what);
    else if (r.contents.has(num)) put("changed_page_content", what);
    else if (r.resources.has(num)) put("changed_resources", what);
    else put("changed_structure", what);
  }

  const p = permission ?? 2;
  const allowedCode = (c: ChangeCode) =>
    c === "changed_dss_added" || c === "changed_doc_timestamp_added" ? true
    : c === "changed_form_filled" || c === "changed_signature_added" ? p >= 2
    : c === "changed_annotation_added" ? p === 3
    : false;
  const findings = [...classes].map(([code, objects]) => ({ code, allowed: allowedCode(code), objects }));
  return { docMdpPermission: permission, findings, allowed: findings.every((f) => f.allowed) };
}
