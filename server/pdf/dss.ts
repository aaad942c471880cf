// The Document Security Store (ISO 32000-2 12.8.4.3, PAdES B-LT): revocation data carried in the
// file. Read here so the verdict uses it before any outside source. OCSP responses are returned as
// found; they are not evaluated yet (the verdict says so rather than reading them as good).
import { PDFArray, PDFDict, PDFName, PDFRawStream } from "pdf-lib";
import { catalogOf, decodeStream, type PdfStructure } from "./reader";

export interface DssContents {
  crls: Buffer[];
  ocsps: Buffer[];
  problems: string[];
}

function streams(dss: PDFDict, key: string, problems: string[]): Buffer[] {
  const arr = dss.lookup(PDFName.of(key));
  if (!(arr instanceof PDFArray)) return [];
  const out: Buffer[] = [];
  for (let i = 0; i < arr.size(); i++) {
    const s = arr.lookup(i);
    if (!(s instanceof PDFRawStream)) {
      problems.push(`/DSS /${key} entry ${i} is not a stream`);
      continue;
    }
    try {
      out.push(decodeStream(s));
    } catch (e) {
      problems.push(`/DSS /${key} entry ${i} cannot be decoded: ${(e as Error).message}`);
    }
  }
  return out;
}

/** The DSS's CRLs and OCSP responses (empty when the file has no DSS). */
export function readDss(s: PdfStructure): DssContents {
  const problems: string[] = [];
  const dss = catalogOf(s).dict.lookup(PDFName.of("DSS"));
  if (!(dss instanceof PDFDict)) return { crls: [], ocsps: [], problems };
  return { crls: streams(dss, "CRLs", problems), ocsps: streams(dss, "OCSPs", problems), problems };
}
