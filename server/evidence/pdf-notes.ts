// The evidence certificate's notes on a signed PDF item: the same verdict as POST /api/verify/pdf
// (revocation from the platform's current CRL and ARL, changes after each signature, finding codes),
// so a judge reading the certificate sees what the verification page would say about the file.
import type { Readable } from "node:stream";
import { pdfSignatureReport } from "../pdf/report";

export interface PdfNotes {
  allValid: boolean;
  signatures: { field: string; signer: string; valid: boolean }[];
  findings: { field: string | null; code: string; severity: string; message: string }[];
}

/** Larger files are not read for the notes (the certificate says nothing rather than stalls). */
const MAX_NOTE_BYTES = 64 * 1024 * 1024;

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** The notes for a stored item, or null when it is not a readable PDF with signatures. */
export async function pdfNotes(
  size: number | null,
  open: () => Readable,
  trustedRootPem: string,
  platformCrls: () => Promise<Buffer[]>,
): Promise<PdfNotes | null> {
  if (size === null || size > MAX_NOTE_BYTES) return null;
  const pdf = await readAll(open());
  if (pdf.subarray(0, 1024).indexOf("%PDF-") < 0) return null;
  try {
    const crls = (await platformCrls()).map((der) => ({ der, source: "platform" as const }));
    const r = pdfSignatureReport(pdf, [trustedRootPem], { crls });
    if (!r.signatures.length) return null;
    return {
      allValid: r.allValid,
      signatures: r.signatures.map((s) => ({ field: s.field, signer: s.signer?.subject ?? "—", valid: s.valid })),
      findings: r.findings.filter((f) => f.severity !== "info" || f.field === null).map((f) => ({ field: f.field, code: f.code, severity: f.severity, message: f.message })),
    };
  } catch {
    return null; // an unreadable PDF: the file's digest is what the certificate is about
  }
}
