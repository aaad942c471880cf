// What a signer adds to the page besides the framed name: the text and date fields they filled (as
// read-only text fields, so a later signature judges them a form fill, allowed from /DocMDP /P 2)
// and a personal signature drawn on the signing page (a PNG) or typed (set in the CJK font), each
// with a caption line (name, time) under it. Appearance streams only; pades.ts writes them into the
// signature's own revision, so its byte range covers them.
import { PngEmbedder, type PDFContext, type PDFRef } from "pdf-lib";
import { loadCjkFont } from "./fonts";
import { fieldPadding, fitFieldText, FIELD_TEXT_LEADING } from "./field-text";

/** A filled field to write: a text field named `name` holding `value`, drawn in `rect` on `page`. */
export interface FilledField {
  name: string;
  page: number;
  /** x, y, w, h in PDF points from the lower-left corner of the page's crop box */
  rect: [number, number, number, number];
  value: string;
}

/** A person's own signature: a drawn PNG or a typed text, with the caption under it. */
export interface PersonalSignature {
  png?: Uint8Array;
  typed?: string;
  caption: string;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(3).replace(/\.?0+$/, ""));
const INK = "0.063 0.129 0.435";
const RED = "0.780 0.086 0.094";

async function cjkEmbedder(text: string, fontPath?: string) {
  const font = loadCjkFont(fontPath);
  const missing = font.missingCharacters(text);
  if (missing.length) throw new Error(`the stamp font (${font.location.path}) has no glyph for: ${missing.join(" ")}`);
  return { font, embedder: await font.newSubsetEmbedder() };
}

/** One appearance per filled field (one font subset for all of them); throws when a value does not fit. */
export async function filledFieldAppearances(ctx: PDFContext, fields: FilledField[], fontPath?: string): Promise<{ font: PDFRef; appearances: { ap: PDFRef; size: number }[] }> {
  const { font, embedder } = await cjkEmbedder(fields.map((f) => f.value).join(""), fontPath);
  const scale = 1 / font.font.unitsPerEm;
  const ascent = font.font.ascent * scale;
  const fontRef = ctx.nextRef();
  const appearances = fields.map((f) => {
    const [, , w, h] = f.rect;
    const fit = fitFieldText(f.value, w, h, embedder);
    if (!fit) throw new Error(`field ${f.name}: the value does not fit its box`);
    const pad = fieldPadding(h);
    const ops = ["/Tx BMC", "q", `${fmt(pad)} ${fmt(pad)} ${fmt(w - 2 * pad)} ${fmt(h - 2 * pad)} re W n`, "BT", "0 g", `/F1 ${fmt(fit.size)} Tf`];
    fit.lines.forEach((l, i) => {
      const baseline = h - pad - i * fit.size * FIELD_TEXT_LEADING - fit.size * ascent;
      ops.push(`1 0 0 1 ${fmt(pad)} ${fmt(baseline)} Tm`, `${embedder.encodeText(l).toString()} Tj`);
    });
    ops.push("ET", "Q", "EMC");
    const ap = ctx.register(ctx.flateStream(ops.join("\n"), { Type: "XObject", Subtype: "Form", BBox: [0, 0, w, h], Resources: { Font: { F1: fontRef } } }));
    return { ap, size: fit.size };
  });
  await embedder.embedIntoContext(ctx, fontRef);
  return { font: fontRef, appearances };
}

/**
 * The personal signature's appearance: the drawing (fitted, centred) or the typed name (as large as
 * fits) above a one-line red caption.
 */
export async function personalAppearance(ctx: PDFContext, p: PersonalSignature, w: number, h: number, fontPath?: string): Promise<PDFRef> {
  const { font, embedder } = await cjkEmbedder(p.caption + (p.typed ?? ""), fontPath);
  const scale = 1 / font.font.unitsPerEm;
  const descent = Math.abs(font.font.descent) * scale;
  const pad = Math.min(w, h) * 0.04;
  let capSize = Math.min(h * 0.14, 9);
  const capW = embedder.widthOfTextAtSize(p.caption, 1);
  if (capW > 0) capSize = Math.max(1, Math.min(capSize, (w - 2 * pad) / capW));
  const capBase = pad + capSize * descent;
  const top = capBase + capSize * 1.2; // the signature sits above the caption
  const areaW = w - 2 * pad;
  const areaH = Math.max(1, h - pad - top);
  const ops: string[] = [];
  const resources: { XObject?: { Im1: PDFRef }; Font?: { F1: PDFRef } } = {};
  const fontRef = ctx.nextRef();
  if (p.png) {
    const img = await PngEmbedder.for(p.png);
    const imgRef = await img.embedIntoContext(ctx, ctx.nextRef());
    const s = Math.min(areaW / img.width, areaH / img.height);
    const [iw, ih] = [img.width * s, img.height * s];
    ops.push(`q ${fmt(iw)} 0 0 ${fmt(ih)} ${fmt(pad + (areaW - iw) / 2)} ${fmt(top + (areaH - ih) / 2)} cm /Im1 Do Q`);
    resources.XObject = { Im1: imgRef };
  } else if (p.typed) {
    const tw = embedder.widthOfTextAtSize(p.typed, 1);
    const size = Math.max(1, Math.min(areaH * 0.8, tw > 0 ? areaW / tw : areaH));
    const x = pad + (areaW - tw * size) / 2;
    const y = top + (areaH - size) / 2 + size * descent;
    ops.push("BT", `${INK} rg`, `/F1 ${fmt(size)} Tf`, `1 0 0 1 ${fmt(x)} ${fmt(y)} Tm`, `${embedder.encodeText(p.typed).toString()} Tj`, "ET");
  }
  ops.push("BT", `${RED} rg`, `/F1 ${fmt(capSize)} Tf`, `1 0 0 1 ${fmt((w - capW * capSize) / 2)} ${fmt(capBase)} Tm`, `${embedder.encodeText(p.caption).toString()} Tj`, "ET");
  await embedder.embedIntoContext(ctx, fontRef);
  resources.Font = { F1: fontRef };
  return ctx.register(ctx.flateStream(ops.join("\n"), { Type: "XObject", Subtype: "Form", BBox: [0, 0, w, h], Resources: resources }));
}
