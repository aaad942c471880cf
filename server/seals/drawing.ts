// The drawn seal in its conventional form, as PDF content operators: a red ring, the organisation's
// full name along the upper arc (each character upright towards the centre), a five-pointed star in
// the middle, the seal's kind straight across below it and, when given, its code along the lower
// arc. Plain operators over a font resource /F1, so the preview page and a signature's appearance
// stream (server/pdf/pades.ts) carry the very same drawing.
import { SEAL_KIND_TEXT, type SealKind } from "./kinds";

/** The conventional seal red (close to the vermilion of 印泥). */
export const SEAL_RED = "0.85 0.1 0.1";

export interface SealFace {
  organization: string;
  kind: SealKind;
  code: string | null;
}

/** What the drawing needs of a font: pdf-lib's PDFFont and its subset embedder both have it. */
export interface SealGlyphs {
  encodeText(text: string): { toString(): string };
  widthOfTextAtSize(text: string, size: number): number;
}

const f = (n: number) => (Math.abs(n) < 1e-9 ? "0" : n.toFixed(3).replace(/\.?0+$/, ""));

/** A circle of radius r around (cx, cy) as four Bézier arcs. */
function circle(cx: number, cy: number, r: number): string {
  const k = 0.5523 * r;
  return [
    `${f(cx + r)} ${f(cy)} m`,
    `${f(cx + r)} ${f(cy + k)} ${f(cx + k)} ${f(cy + r)} ${f(cx)} ${f(cy + r)} c`,
    `${f(cx - k)} ${f(cy + r)} ${f(cx - r)} ${f(cy + k)} ${f(cx - r)} ${f(cy)} c`,
    `${f(cx - r)} ${f(cy - k)} ${f(cx - k)} ${f(cy - r)} ${f(cx)} ${f(cy - r)} c`,
    `${f(cx + k)} ${f(cy - r)} ${f(cx + r)} ${f(cy - k)} ${f(cx + r)} ${f(cy)} c`,
  ].join("\n");
}

/** The five-pointed star around (cx, cy), outer radius r, one point straight up. */
function star(cx: number, cy: number, r: number): string {
  const pts: string[] = [];
  for (let i = 0; i < 10; i++) {
    const radius = i % 2 === 0 ? r : r * 0.382;
    const a = Math.PI / 2 + (i * Math.PI) / 5;
    pts.push(`${f(cx + radius * Math.cos(a))} ${f(cy + radius * Math.sin(a))} ${i === 0 ? "m" : "l"}`);
  }
  return `${pts.join("\n")}\nh f`;
}

/** One glyph centred on the point at angle a of the circle, rotated to face the centre (or away). */
function glyphOnArc(font: SealGlyphs, ch: string, cx: number, cy: number, radius: number, a: number, size: number, topOutward: boolean): string {
  const rot = topOutward ? a - Math.PI / 2 : a + Math.PI / 2;
  const w = font.widthOfTextAtSize(ch, size);
  const [c, s] = [Math.cos(rot), Math.sin(rot)];
  // the glyph's origin: half its width back along the baseline, a third of its size below it
  const x = cx + radius * Math.cos(a) - (w / 2) * c + (size / 3) * s;
  const y = cy + radius * Math.sin(a) - (w / 2) * s - (size / 3) * c;
  return `${f(c)} ${f(s)} ${f(-s)} ${f(c)} ${f(x)} ${f(y)} Tm ${font.encodeText(ch).toString()} Tj`;
}

/** The operators drawing the seal in the square (0, 0, size, size), with `font` as /F1. */
export function sealOperators(font: SealGlyphs, face: SealFace, size: number): string {
  const r = size / 2;
  const ring = r * 0.06;
  const ops: string[] = ["q", `${SEAL_RED} RG`, `${SEAL_RED} rg`, `${f(ring)} w`, circle(r, r, r - ring / 2), "S", star(r, r, r * 0.3), "BT"];
  const name = Array.from(face.organization);
  // the longer the name, the more of the circle it takes: 150° to 250°, centred on the top
  const span = (Math.min(250, Math.max(150, name.length * 18)) * Math.PI) / 180;
  const nameSize = Math.min(r * 0.22, (span * r * 0.72) / Math.max(1, name.length));
  ops.push(`/F1 ${f(nameSize)} Tf`);
  name.forEach((ch, i) => {
    const a = name.length === 1 ? Math.PI / 2 : Math.PI / 2 + span / 2 - (span * i) / (name.length - 1);
    ops.push(glyphOnArc(font, ch, r, r, r * 0.72, a, nameSize, true));
  });
  const kind = SEAL_KIND_TEXT[face.kind];
  const kindSize = Math.min(r * 0.2, (r * 1.1) / Array.from(kind).length);
  ops.push(`/F1 ${f(kindSize)} Tf`, `1 0 0 1 ${f(r - font.widthOfTextAtSize(kind, kindSize) / 2)} ${f(r * 0.48)} Tm ${font.encodeText(kind).toString()} Tj`);
  if (face.code) {
    const digits = Array.from(face.code);
    const codeSpan = (Math.min(100, digits.length * 7) * Math.PI) / 180;
    ops.push(`/F1 ${f(r * 0.1)} Tf`);
    digits.forEach((ch, i) => {
      const a = -Math.PI / 2 - codeSpan / 2 + (codeSpan * i) / Math.max(1, digits.length - 1);
      ops.push(glyphOnArc(font, ch, r, r, r * 0.8, a, r * 0.1, false));
    });
  }
  ops.push("ET", "Q");
  return ops.join("\n");
}
