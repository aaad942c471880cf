// Writing the Document Security Store (ISO 32000-2 12.8.4.3, ETSI EN 319 142-1 5.4.2: PAdES
// B-LT) as one more incremental update: certificates, OCSP responses and CRLs as streams, listed
// in /Certs, /OCSPs and /CRLs, and a /VRI dictionary per signature naming the ones that validate
// it. A DSS already in the file is kept and extended (a new DSS dictionary listing the old
// streams and the new ones) in place, so a renewal only adds: nothing an earlier signature covered
// changes, existing /VRI entries stay as written, and changes.ts classes the update as changed_dss_added.
import { createHash } from "node:crypto";
import { PDFArray, PDFDict, PDFName, PDFRawStream, PDFRef, type PDFObject } from "pdf-lib";
import { writeIncrementalUpdate } from "./incremental-update";
import { catalogOf, decodeStream, readPdf, type PdfStructure } from "./reader";

export interface ValidationData {
  certs: Buffer[];
  ocsps: Buffer[];
  crls: Buffer[];
}

export interface DssAddition extends ValidationData {
  /** per signature, by its VRI key (vriKey): the data that validates it */
  vri: Map<string, ValidationData>;
}

/**
 * The VRI key of a signature: the SHA-1 of its /Contents string's bytes, as uppercase hex (ISO
 * 32000-2 12.8.4.4, EN 319 142-1 5.4.2.2).
 */
export function vriKey(contents: Buffer): string {
  return createHash("sha1").update(contents).digest("hex").toUpperCase();
}

const N = (s: string) => PDFName.of(s);
const KINDS = [
  ["certs", "Certs", "Cert"],
  ["ocsps", "OCSPs", "OCSP"],
  ["crls", "CRLs", "CRL"],
] as const;

function refsOf(arr: PDFObject | undefined): PDFRef[] {
  if (!(arr instanceof PDFArray)) return [];
  return arr.asArray().filter((x): x is PDFRef => x instanceof PDFRef);
}

/** `pdf` with a DSS holding `add` besides what its DSS already held (each stream once). */
export function appendDss(pdf: Buffer, add: DssAddition): Buffer {
  const s: PdfStructure = readPdf(pdf);
  const ctx = s.context;
  const firstNew = ctx.largestObjectNumber + 1;
  const { ref: catalogRef, dict: catalog } = catalogOf(s);
  // A DSS already there is extended in place (its object, and its /VRI's, keep their numbers):
  // validators compare the old DSS with the new one and allow only additions to it.
  const changed: PDFRef[] = [];
  const oldRef = catalog.get(N("DSS"));
  const old = catalog.lookup(N("DSS"));
  const oldDss = old instanceof PDFDict ? old : undefined;
  let dss: PDFDict;
  if (oldDss && oldRef instanceof PDFRef) {
    dss = oldDss;
    changed.push(oldRef);
  } else {
    dss = oldDss ?? (ctx.obj({ Type: "DSS" }) as PDFDict);
    catalog.set(N("DSS"), ctx.register(dss));
    changed.push(catalogRef);
  }
  const refsByKind = new Map<(typeof KINDS)[number][0], (der: Buffer) => PDFRef>();
  for (const [key, listName] of KINDS) {
    // the streams already there, by content, so the same certificate or response is stored once
    const known = new Map<string, PDFRef>();
    const list: PDFRef[] = [];
    for (const ref of refsOf(oldDss?.lookup(N(listName)))) {
      const st = ctx.lookup(ref);
      if (st instanceof PDFRawStream) {
        try {
          known.set(decodeStream(st).toString("hex"), ref);
        } catch {
          // an unreadable stream stays listed, as it was
        }
      }
      list.push(ref);
    }
    const refFor = (der: Buffer): PDFRef => {
      const hex = der.toString("hex");
      let ref = known.get(hex);
      if (!ref) {
        ref = ctx.register(ctx.flateStream(der));
        known.set(hex, ref);
        list.push(ref);
      }
      return ref;
    };
    for (const der of add[key]) refFor(der);
    for (const v of add.vri.values()) for (const der of v[key]) refFor(der);
    if (list.length) dss.set(N(listName), ctx.obj(list));
    refsByKind.set(key, refFor);
  }

  const vriRef = dss.get(N("VRI"));
  const oldVri = dss.lookup(N("VRI"));
  let vri: PDFDict;
  if (oldVri instanceof PDFDict && vriRef instanceof PDFRef) {
    vri = oldVri;
    if (add.vri.size) changed.push(vriRef);
  } else {
    vri = oldVri instanceof PDFDict ? oldVri : (ctx.obj({}) as PDFDict);
    if (vri.keys().length || add.vri.size) dss.set(N("VRI"), ctx.register(vri));
  }
  for (const [key, data] of add.vri) {
    if (!/^[0-9A-F]{40}$/.test(key)) throw new Error(`not a VRI key: ${key}`);
    // an entry once written stays as it is (validators refuse a changed one): fresher data for
    // that signature, on a renewal, is in the lists above
    if (vri.has(N(key))) continue;
    const entry = ctx.obj({ Type: "VRI" }) as PDFDict;
    for (const [kind, , entryName] of KINDS) {
      const refFor = refsByKind.get(kind)!;
      if (data[kind].length) entry.set(N(entryName), ctx.obj(data[kind].map(refFor)));
    }
    vri.set(N(key), ctx.register(entry));
  }
  return writeIncrementalUpdate(pdf, s, firstNew, changed).bytes;
}
