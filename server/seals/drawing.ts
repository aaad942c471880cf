// The drawn seal in its conventional form, as vector PDF content: a red ring, the organisation's
// full name along the upper arc (each character upright to the centre), a five-pointed star in the
// middle, the seal's kind straight across below it and, when given, its code along the lower arc.
// Drawn with pdf-lib operators on any page, so a preview and a signature appearance are the same drawing.
import { degrees, rgb, type PDFFont, type PDFPage } from "pdf-lib";
import { SEAL_KIND_TEXT, type SealKind } from "./kinds";

/** The conventional seal red (close to the vermilion of 印泥). */
export const SEAL_RED = rgb(0.85, 0.1, 0.1);

export interface SealFace {
  organization: string;
  kind: SealKind;
  code: string | null;
}

/** The five-pointed star centred at (cx, cy) with outer radius r, as an SVG path (y down, pdf-lib's convention). */
function starPath(r: number): string {
  const pts: string[] = [];
  for (let i = 0; i < 10; i++) {
    const radius = i % 2 === 0 ? r : r * 0.382;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    pts.push(`${(radius * Math.cos(a)).toFixed(3)} ${(radius * Math.sin(a)).toFixed(3)}`);
  }
  return `M ${pts.join(" L ")} Z`;
}

/** Characters placed along an arc around (cx, cy); angles in radians, counter-clockwise from +x. */
function textOnArc(page: PDFPage, font: PDFFont, chars: string[], o: { cx: number; cy: number; radius: number; from: number; to: number; size: number; outward: boolean }): void {
  const n = chars.length;
  chars.forEach((ch, i) => {
    const a = n === 1 ? (o.from + o.to) / 2 : o.from + ((o.to - o.from) * i) / (n - 1);
    const w = font.widthOfTextAtSize(ch, o.size);
    // Upper arc: the glyph's top points outward (rotation a - 90°); lower arc: its top points inward.
    const rot = o.outward ? a - Math.PI / 2 : a + Math.PI / 2;
    // Start the glyph half a width before its centre and a third of its size below the baseline line.
    const dx = (-w / 2) * Math.cos(rot) - (-o.size / 3) * Math.sin(rot);
    const dy = (-w / 2) * Math.sin(rot) + (-o.size / 3) * Math.cos(rot);
    page.drawText(ch, {
      x: o.cx + o.radius * Math.cos(a) + dx,
      y: o.cy + o.radius * Math.sin(a) + dy,
      size: o.size,
      font,
      color: SEAL_RED,
      rotate: degrees((rot * 180) / Math.PI),
    });
  });
}

/** Draws the seal into the square of side `size` with its lower-left corner at (x, y). */
export function drawSeal(page: PDFPage, font: PDFFont, face: SealFace, x: number, y: number, size: number): void {
  const r = size / 2;
  const cx = x + r;
  const cy = y + r;
  const ring = r * 0.06;
  page.drawCircle({ x: cx, y: cy, size: r - ring / 2, borderColor: SEAL_RED, borderWidth: ring });
  page.drawSvgPath(starPath(r * 0.3), { x: cx, y: cy, color: SEAL_RED });
  const name = Array.from(face.organization);
  // The name spans more of the circle the longer it is, from 150° up to 250° of arc, centred on top.
  const span = (Math.min(250, Math.max(150, name.length * 18)) * Math.PI) / 180;
  const top = Math.PI / 2;
  const nameSize = Math.min(r * 0.22, (span * r * 0.72) / Math.max(1, name.length));
  textOnArc(page, font, name, { cx, cy, radius: r * 0.72, from: top + span / 2, to: top - span / 2, size: nameSize, outward: true });
  const kind = SEAL_KIND_TEXT[face.kind];
  const kindSize = Math.min(r * 0.2, (r * 1.1) / Array.from(kind).length);
  page.drawText(kind, { x: cx - font.widthOfTextAtSize(kind, kindSize) / 2, y: cy - r * 0.52, size: kindSize, font, color: SEAL_RED });
  if (face.code) {
    const digits = Array.from(face.code);
    const codeSpan = (Math.min(100, digits.length * 7) * Math.PI) / 180;
    const bottom = -Math.PI / 2;
    textOnArc(page, font, digits, { cx, cy, radius: r * 0.8, from: bottom - codeSpan / 2, to: bottom + codeSpan / 2, size: r * 0.1, outward: false });
  }
}
