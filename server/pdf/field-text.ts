// A filled-in value laid out in its field's box: the largest size (up to MAX_SIZE) at which the
// text, wrapped to the box's width, fits its height. Pure: the caller measures with the font that
// will draw it, so what was checked when the value was accepted is what the PDF shows.

export interface TextMeasure {
  widthOfTextAtSize(text: string, size: number): number;
}

export const FIELD_TEXT_MAX_SIZE = 12;
/** below this a value is not legible on paper: refused rather than drawn */
export const FIELD_TEXT_MIN_SIZE = 5;
export const FIELD_TEXT_LEADING = 1.25;

/** inner margin of the box, points */
export const fieldPadding = (h: number) => Math.min(2, h * 0.1);

/** Greedy wrap by characters (Chinese has no spaces to break at), preferring the last space of an overlong Latin line. */
export function wrapText(text: string, size: number, width: number, m: TextMeasure): string[] {
  const out: string[] = [];
  for (const paragraph of text.replace(/\r\n?/g, "\n").split("\n")) {
    let line = "";
    for (const ch of Array.from(paragraph)) {
      if (line && m.widthOfTextAtSize(line + ch, size) > width) {
        const space = line.lastIndexOf(" ");
        if (ch !== " " && space > 0) {
          out.push(line.slice(0, space));
          line = line.slice(space + 1) + ch;
        } else {
          out.push(line);
          line = ch === " " ? "" : ch;
        }
      } else line += ch;
    }
    out.push(line);
  }
  return out;
}

/** The size and lines the value takes in a w x h box, or null when it does not fit legibly. */
export function fitFieldText(text: string, w: number, h: number, m: TextMeasure): { size: number; lines: string[] } | null {
  const pad = fieldPadding(h);
  const innerW = w - 2 * pad;
  const innerH = h - 2 * pad;
  for (let size = Math.min(FIELD_TEXT_MAX_SIZE, innerH / FIELD_TEXT_LEADING); size >= FIELD_TEXT_MIN_SIZE; size -= 0.5) {
    const lines = wrapText(text, size, innerW, m);
    if (lines.length * size * FIELD_TEXT_LEADING <= innerH + 0.01 && lines.every((l) => m.widthOfTextAtSize(l, size) <= innerW + 0.01)) {
      return { size, lines };
    }
  }
  return null;
}
