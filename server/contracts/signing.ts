// One signer's signature on the contract: a PAdES B-T signature (pdf/pades.ts) with the signer's own
// certificate, appended as an incremental update, with a visible stamp (name, organisation, time)
// in the signer's box and a signature timestamp from the platform's TSA; then the DSS update that
// makes it B-LT (pdf/ltv.ts), so the file carries its own revocation data.
import { sealOperators, type SealFace, type SealGlyphs } from "../seals/drawing";
import { SEAL_KIND_TEXT } from "../seals/kinds";
import { createHash } from "node:crypto";
import { extendToLongTerm, type LongTermOptions } from "../pdf/ltv";
import { signPdf, type PadesSigner } from "../pdf/pades";
import { chinaTime } from "./format";
import type { SignatureBox } from "./render";
import type { FilledField } from "../pdf/signer-appearances";

export interface SignatureRequest {
  /** the document as it stands */
  pdf: Buffer;
  signer: PadesSigner;
  fieldName: string;
  box: SignatureBox;
  name: string;
  organization: string | null;
  role: string | null;
  contractTitle: string;
  signingTime: Date;
  /** an RFC 3161 TimeStampToken over a SHA-256 (IdentityService.timestamp) */
  timestamp: (sha256: Buffer) => Buffer;
  /** signing for an organisation: its seal is drawn at the field and `name` becomes the signature's /Name */
  seal?: SealFace;
  /** an uploaded seal image, drawn instead of the drawn seal */
  sealImage?: { bytes: Uint8Array; type: "image/png" | "image/jpeg" };
  /** with the seal also cut across the right edge of every page (骑缝章), this many points square */
  crossPageSize?: number;
  /** the signer's text and date fields, drawn in this signature's revision */
  filledFields?: FilledField[];
  /** a personal signer's drawn (PNG) or typed signature instead of the framed name */
  personal?: { png?: Uint8Array; typed?: string } | null;
  /** the CA's validation data: with it the signature is followed by its DSS update (PAdES B-LT) */
  longTerm?: LongTermOptions;
}

/** The seal as the stamp's drawing: the largest square the field holds, centred in it. */
function sealDrawing(face: SealFace) {
  return {
    text: face.organization + SEAL_KIND_TEXT[face.kind] + (face.code ?? ""),
    operators(font: SealGlyphs, w: number, h: number) {
      const size = Math.min(w, h);
      return `q 1 0 0 1 ${((w - size) / 2).toFixed(3)} ${((h - size) / 2).toFixed(3)} cm\n${sealOperators(font, face, size)}\nQ`;
    },
  };
}

/** The stamp's lines: name, organisation, time (China Standard Time). */
export function stampLines(name: string, organization: string | null, at: Date): string[] {
  return [name, organization ?? "个人 Individual", chinaTime(at, false)];
}

/** Field names are ASCII and unique per signer: "sig-<step>-<position>". */
export const fieldNameOf = (step: number, position: number) => `sig-${step}-${position}`;

export async function signContract(r: SignatureRequest): Promise<Buffer> {
  const signed = await signPdf(r.pdf, r.signer, {
    fieldName: r.fieldName,
    reason: `${r.role ? r.role + " " : ""}同意并签署《${r.contractTitle}》 Agreed and signed`,
    signingTime: r.signingTime,
    ...(r.seal ? { name: r.name } : {}),
    ...(r.seal && r.crossPageSize ? { crossPage: { size: r.crossPageSize, drawing: sealDrawing(r.seal) } } : {}),
    stamp: {
      page: r.box.page,
      rect: [r.box.x, r.box.y, r.box.w, r.box.h],
      lines: stampLines(r.name, r.organization, r.signingTime),
      ...(r.sealImage ? { image: r.sealImage } : r.seal ? { drawing: sealDrawing(r.seal) } : {}),
      ...(!r.seal && r.personal ? { personal: { ...r.personal, caption: `${r.name} · ${chinaTime(r.signingTime, false)}` } } : {}),
    },
    ...(r.filledFields?.length ? { filledFields: r.filledFields } : {}),
    timestamp: (signatureValue) => r.timestamp(createHash("sha256").update(signatureValue).digest()),
  });
  return r.longTerm ? extendToLongTerm(signed, r.longTerm) : signed;
}
