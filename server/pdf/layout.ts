// A minimal flowing-text writer over pdf-lib for the documents the platform generates (contracts
// from templates, completion and evidence certificates): pages, a cursor, line wrapping for Chinese
// (any character may break, closing punctuation never starts a line) and Latin text (breaks at
// spaces), page footers, QR codes.
import QRCode from "qrcode";
import { rgb, type Color, type PDFDocument, type PDFFont, type PDFPage } from "pdf-lib";

export const A4: [number, number] = [595.28, 841.89];
export const INK = rgb(0.1, 0.1, 0.1);
export const GREY = rgb(0.42, 0.42, 0.42);

/** Characters that must not begin a line (Chinese and Latin closing punctuation). */
const NO_LINE_START = new Set([..."，。、；：？！）》」』”’〕】…%,.;:!?)]}"]);

/** Tokens: a run of non-space Latin-like characters with its trailing spaces, or one other character. */
const TOKENS = /[\u0021-\u007e\u00a0-\u02ff\u2010-\u2027\u2030-\u205e]+[ \t]*|[ \t]+|[^]/gu;

/** Token widths per font and size: a CJK text is made of few distinct characters, measured once each. */
const widthCache = new WeakMap<PDFFont, Map<number, Map<string, number>>>();

function measurer(font: PDFFont, size: number): (s: string) => number {
  let bySize = widthCache.get(font);
  if (!bySize) widthCache.set(font, (bySize = new Map()));
  let cache = bySize.get(size);
  if (!cache) bySize.set(size, (cache = new Map()));
  const c = cache;
  return (s) => {
    let w = c.get(s);
    if (w === undefined) {
      w = font.widthOfTextAtSize(s, size);
      if (c.size < 50_000) c.set(s, w);
    }
    return w;
  };
}

/**
 * Lines of `text` no wider than `width` (or width(i) for the i-th line), breaking where Chinese and
 * Latin allow. Widths are summed per token (kerning between tokens is ignored: well under a point).
 */
export function wrapText(font: PDFFont, text: string, size: number, width: number | ((line: number) => number)): string[] {
  const lines: string[] = [];
  const widthOf = typeof width === "number" ? () => width : width;
  const measure = measurer(font, size);
  for (const paragraph of text.split(/\r\n|\r|\n/)) {
    let line = "";
    let lineWidth = 0; // of `line` as it stands, trailing spaces included
    const push = () => {
      if (line.trim()) lines.push(line.trimEnd());
      line = "";
      lineWidth = 0;
    };
    for (const token of paragraph.match(TOKENS) ?? []) {
      const core = token.trimEnd();
      if (lineWidth + measure(core) <= widthOf(lines.length) || (line && NO_LINE_START.has(token[0]))) {
        // (closing punctuation stays on its line, a little past the margin rather than opening the next)
        line += token;
        lineWidth += measure(token);
        continue;
      }
      push();
      if (!core) continue; // spaces at a break vanish
      line = token;
      lineWidth = measure(token);
      // a single word wider than the line: cut it by characters
      while (measure(line.trimEnd()) > widthOf(lines.length) && line.length > 1) {
        let cut = line.length - 1;
        while (cut > 1 && font.widthOfTextAtSize(line.slice(0, cut), size) > widthOf(lines.length)) cut--;
        lines.push(line.slice(0, cut));
        line = line.slice(cut);
        lineWidth = measure(line);
      }
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

export interface TextStyle {
  size: number;
  color?: Color;
  /** left indent of every line, points */
  indent?: number;
  /** extra indent of the lines after the first (hanging indent), points */
  hanging?: number;
  align?: "left" | "center";
  /** line height as a multiple of the size */
  leading?: number;
}

export class TextFlow {
  page!: PDFPage;
  y = 0;
  readonly pages: PDFPage[] = [];

  constructor(
    readonly doc: PDFDocument,
    readonly font: PDFFont,
    readonly margin = { top: 64, bottom: 64, left: 64, right: 64 },
    readonly pageSize: [number, number] = A4,
  ) {
    this.newPage();
  }

  get left(): number {
    return this.margin.left;
  }

  get width(): number {
    return this.pageSize[0] - this.margin.left - this.margin.right;
  }

  get pageIndex(): number {
    return this.pages.length - 1;
  }

  newPage(): void {
    this.page = this.doc.addPage(this.pageSize);
    this.pages.push(this.page);
    this.y = this.pageSize[1] - this.margin.top;
  }

  /** Starts a new page unless `height` points are left above the bottom margin. */
  ensure(height: number): void {
    if (this.y - height < this.margin.bottom) this.newPage();
  }

  gap(points: number): void {
    this.y -= points;
  }

  text(text: string, style: TextStyle): void {
    if (!text) return;
    const indent = style.indent ?? 0;
    const hanging = style.hanging ?? 0;
    const lineHeight = style.size * (style.leading ?? 1.5);
    const lines = wrapText(this.font, text, style.size, (i) => this.width - indent - (i > 0 ? hanging : 0));
    lines.forEach((line, i) => {
      this.ensure(lineHeight);
      this.y -= lineHeight;
      const x =
        style.align === "center"
          ? this.left + (this.width - this.font.widthOfTextAtSize(line, style.size)) / 2
          : this.left + indent + (i > 0 ? hanging : 0);
      if (line) this.page.drawText(line, { x, y: this.y + style.size * 0.3, size: style.size, font: this.font, color: style.color ?? INK });
    });
  }

  /** A thin horizontal rule across the text width. */
  rule(color: Color = GREY, thickness = 0.5): void {
    this.ensure(8);
    this.y -= 4;
    this.page.drawLine({ start: { x: this.left, y: this.y }, end: { x: this.left + this.width, y: this.y }, thickness, color });
    this.y -= 4;
  }

  /** "footer(i, n)" at the bottom of every page, centred. */
  footers(footer: (page: number, pages: number) => string, size = 8): void {
    this.pages.forEach((p, i) => {
      const text = footer(i + 1, this.pages.length);
      const w = this.font.widthOfTextAtSize(text, size);
      p.drawText(text, { x: (this.pageSize[0] - w) / 2, y: this.margin.bottom / 2 - size / 2, size, font: this.font, color: GREY });
    });
  }
}

/** A QR code of `text`, `size` points wide, its top-left corner at (x, yTop), with a white quiet zone. */
export function drawQr(flow: TextFlow, text: string, x: number, yTop: number, size: number, quiet: number): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
  const n = qr.modules.size;
  const scale = size / (n + 2 * quiet);
  let path = "";
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) if (qr.modules.get(r, c)) path += `M${c + quiet} ${r + quiet}h1v1h-1z`;
  }
  flow.page.drawRectangle({ x, y: yTop - size, width: size, height: size, color: rgb(1, 1, 1) });
  flow.page.drawSvgPath(path, { x, y: yTop, scale, color: rgb(0, 0, 0) });
}
