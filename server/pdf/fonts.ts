// The CJK font for visible signature stamps (and any PDF text the platform writes in Chinese):
// located once, parsed once with @pdf-lib/fontkit, embedded as a per-document subset (only the
// glyphs used, a few kilobytes) so the PDF renders the same everywhere.
//
// Where the font comes from, first found wins:
//   1. configureCjkFont(path) / the `fontPath` argument;
//   2. the PDF_CJK_FONT environment variable (a .ttf, .otf or .ttc path; "path#PostScriptName"
//      picks a face of a collection);
//   3. an npm package that ships a single-file CJK font (so `npm start` needs only Node.js);
//   4. well-known system locations (Debian/Ubuntu packages fonts-wqy-microhei, fonts-wqy-zenhei,
//      fonts-noto-cjk, fonts-arphic-uming; Fedora's google-noto-cjk; Droid Sans Fallback).
// Only TrueType-outline (glyf) fonts are used: @pdf-lib/fontkit's CFF subsetter writes CID-keyed
// CJK fonts (Noto Sans CJK / Source Han Sans .otf/.ttc, fonts-noto-cjk) whose glyphs render as
// empty boxes, so such a file is refused with a clear error rather than producing blank stamps.
// Licences: Noto Sans SC / Noto Sans CJK / Source Han Sans are SIL OFL 1.1; WenQuanYi Micro Hei is
// Apache-2.0 or GPLv3 with the font embedding exception; WenQuanYi Zen Hei GPLv2 with the font
// embedding exception; AR PL UMing the Arphic Public License. All allow embedding in documents.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import fontkit from "@pdf-lib/fontkit";
import { CustomFontSubsetEmbedder, type PDFDocument, type PDFFont } from "pdf-lib";

type Fontkit = Parameters<typeof CustomFontSubsetEmbedder.for>[0];
type FontkitFont = ReturnType<Fontkit["create"]>;

export class CjkFontNotFoundError extends Error {
  constructor(readonly tried: string[]) {
    super(
      "no CJK font found for PDF stamps: set PDF_CJK_FONT to a .ttf/.otf/.ttc file, install the npm package " +
        "@expo-google-fonts/noto-sans-sc, or the Debian package fonts-wqy-microhei (tried: " +
        tried.join(", ") +
        ")",
    );
    this.name = "CjkFontNotFoundError";
  }
}

export interface CjkFontLocation {
  path: string;
  /** PostScript name of the face to use inside a collection (.ttc), if any */
  face?: string;
  source: "configured" | "env" | "npm" | "system";
}

/** npm packages shipping one CJK font file (TrueType outlines), resolved from this project. */
const NPM_CANDIDATES: { module: string; face?: string }[] = [
  { module: "@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf" },
];

/** System locations, in order of preference. */
const SYSTEM_CANDIDATES: { file: string; face?: string }[] = [
  { file: "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", face: "WenQuanYiMicroHei" },
  { file: "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", face: "WenQuanYiZenHei" },
  { file: "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf" },
  { file: "/usr/share/fonts/truetype/arphic/uming.ttc" },
];

let configured: string | null = null;

/** Sets the font file to use from now on ("path" or "path#PostScriptName"); null restores the search. */
export function configureCjkFont(fontPath: string | null): void {
  configured = fontPath;
}

function splitFace(spec: string): { file: string; face?: string } {
  const hash = spec.lastIndexOf("#");
  if (hash > 0 && !existsSync(spec)) return { file: spec.slice(0, hash), face: spec.slice(hash + 1) };
  return { file: spec };
}

/** Where the CJK font is, without reading it. Throws CjkFontNotFoundError. */
export function locateCjkFont(fontPath?: string): CjkFontLocation {
  const tried: string[] = [];
  const explicit = fontPath ?? configured;
  if (explicit) {
    const { file, face } = splitFace(explicit);
    if (existsSync(file)) return { path: path.resolve(file), face, source: "configured" };
    // an explicit choice that does not exist is an error, not a reason to take another font
    throw new CjkFontNotFoundError([`${file} (configured)`]);
  }
  const env = process.env.PDF_CJK_FONT;
  if (env) {
    const { file, face } = splitFace(env);
    if (existsSync(file)) return { path: path.resolve(file), face, source: "env" };
    throw new CjkFontNotFoundError([`${file} (PDF_CJK_FONT)`]);
  }
  for (const c of NPM_CANDIDATES) {
    try {
      return { path: require.resolve(c.module), face: c.face, source: "npm" };
    } catch {
      tried.push(`npm ${c.module.split("/").slice(0, 2).join("/")}`);
    }
  }
  for (const c of SYSTEM_CANDIDATES) {
    if (existsSync(c.file)) return { path: c.file, face: c.face, source: "system" };
    tried.push(c.file);
  }
  throw new CjkFontNotFoundError(tried);
}

const parsed = new Map<string, FontkitFont>();

function loadFace(loc: CjkFontLocation): FontkitFont {
  const key = `${loc.path}#${loc.face ?? ""}`;
  let font = parsed.get(key);
  if (font) return font;
  const data = readFileSync(loc.path);
  const created = fontkit.create(data) as FontkitFont & { fonts?: FontkitFont[] };
  if (created.fonts) {
    // a collection: the named face, else the first
    font = (loc.face && created.fonts.find((f: FontkitFont) => f.postscriptName === loc.face)) || created.fonts[0];
    if (!font) throw new Error(`the font collection ${loc.path} holds no font`);
  } else {
    font = created;
  }
  const tables = (font as unknown as { directory?: { tables?: Record<string, unknown> } }).directory?.tables ?? {};
  if (!("glyf" in tables)) {
    throw new Error(
      `the font ${loc.path}${loc.face ? `#${loc.face}` : ""} has no TrueType outlines (CFF/OpenType-CFF): ` +
        "its subsets would render as empty boxes; use a TrueType CJK font (e.g. Noto Sans SC .ttf, WenQuanYi Micro Hei)",
    );
  }
  padTrueTypeSubsetGlyphs(font);
  parsed.set(key, font);
  return font;
}

/**
 * Works around a bug of @pdf-lib/fontkit 1.1.1's TrueType subsetter: it copies each glyph's
 * bytes unpadded and picks the short `loca` format (offsets stored halved) whenever the subset's
 * glyf table is under 64 KiB, so after the first glyph of odd length every offset is wrong and
 * viewers draw nothing (CJK fonts with long `loca` have many odd-length glyphs). Padding each
 * glyph to an even length (allowed: glyph data may be followed by padding) keeps every offset
 * even. Applied to the parsed face's subsets only (no change to node_modules).
 */
function padTrueTypeSubsetGlyphs(font: FontkitFont): void {
  type TtfSubset = { glyf?: Uint8Array[]; offset?: number; _addGlyph?: (gid: number) => number };
  const f = font as unknown as { createSubset: () => TtfSubset; __evenGlyphs?: boolean };
  if (f.__evenGlyphs) return;
  const create = f.createSubset;
  f.createSubset = function (this: unknown) {
    const subset = create.call(this);
    const add = subset._addGlyph;
    if (typeof add === "function" && !(subset as { cff?: unknown }).cff) {
      subset._addGlyph = function (this: TtfSubset, gid: number) {
        const index = add.call(this, gid);
        const buf = this.glyf![index];
        if (buf.length % 2 === 1) {
          // the same (bundled Buffer polyfill) class as fontkit's own buffers: its stream checks it
          const Ctor = buf.constructor as unknown as { alloc?: (n: number) => Uint8Array; new (n: number): Uint8Array };
          const padded = Ctor.alloc ? Ctor.alloc(buf.length + 1) : new Ctor(buf.length + 1);
          padded.fill(0);
          padded.set(buf, 0);
          this.glyf![index] = padded;
          this.offset! += 1;
        }
        return index;
      };
    }
    return subset;
  };
  f.__evenGlyphs = true;
}

export interface CjkFont {
  location: CjkFontLocation;
  /** the parsed face (shared; read-only) */
  font: FontkitFont;
  /** characters of `text` that the font has no glyph for */
  missingCharacters(text: string): string[];
  /** a fresh subset embedder (one per PDF object): encodeText, widthOfTextAtSize, embedIntoContext */
  newSubsetEmbedder(): Promise<CustomFontSubsetEmbedder>;
}

/** The CJK font, located and parsed (cached per file). Throws CjkFontNotFoundError. */
export function loadCjkFont(fontPath?: string): CjkFont {
  const location = locateCjkFont(fontPath);
  const font = loadFace(location);
  const missingCharacters = (text: string) => {
    const out = new Set<string>();
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (cp < 0x20 || (cp >= 0xfe00 && cp <= 0xfe0f)) continue;
      if (!font.hasGlyphForCodePoint(cp)) out.add(ch);
    }
    return [...out];
  };
  return {
    location,
    font,
    missingCharacters,
    async newSubsetEmbedder() {
      // a subset tag as PDF 9.6.4 asks ("ABCDEF+Name"), random so that two stamps' subsets never
      // share a BaseFont name in one document
      const tag = Array.from({ length: 6 }, () => String.fromCharCode(65 + Math.floor(Math.random() * 26))).join("");
      const name = `${tag}+${(font.postscriptName || "CJKFont").replace(/[^A-Za-z0-9-]/g, "")}`;
      // the face is already parsed: hand pdf-lib a fontkit that returns it
      const shared: Fontkit = { create: () => font };
      return CustomFontSubsetEmbedder.for(shared, new Uint8Array(0), name);
    },
  };
}

/**
 * Embeds the CJK font as a subset into a document that pdf-lib is building (templates,
 * certificates): returns the PDFFont to draw Chinese and Latin text with.
 */
export async function embedCjkFont(doc: PDFDocument, fontPath?: string): Promise<PDFFont> {
  const cjk = loadCjkFont(fontPath);
  doc.registerFontkit({ create: () => cjk.font } as Fontkit);
  return doc.embedFont(new Uint8Array(0), { subset: true });
}
