// PAdES baseline B-T signatures (ETSI EN 319 142-1) appended to a PDF as incremental updates:
// the original bytes stay as they are, so every earlier signature keeps verifying, and the new
// revision adds a signature field/widget (a visible stamp or an invisible one), the signature
// dictionary, the changed page /Annots, AcroForm (and catalog), and a cross-reference section in
// the original's style (table or stream) whose /Prev points at the previous one.
//
// The CMS (RFC 5652) is built here rather than with cms.ts's buildSignedData because PAdES asks
// for a different attribute set: signed attributes contentType, messageDigest and
// signing-certificate-v2 and NO signingTime (the time claimed is the dictionary's /M; the time
// proven is the signature timestamp), and the unsigned attribute signature-time-stamp.
import { createHash, sign as cryptoSign } from "node:crypto";
import {
  JpegEmbedder,
  PngEmbedder,
  PDFArray,
  PDFDict,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFObject,
  PDFRef,
  PDFString,
  type PDFContext,
} from "pdf-lib";
import { derAlgorithm, derExplicit, derInteger, derOctetString, derOid, derSequence, derSetOf } from "../pki/der-write";
import { OID, sha256 } from "../pki/oid";
import { loadSigner, parseSignedData, signingCertificateV2, type SigningKey } from "../pki/cms";
import { parseTstInfo } from "../pki/tsa";
import { loadCjkFont } from "./fonts";
import { writeIncrementalUpdate } from "./incremental-update";
import { catalogOf, pageRefs, readPdf, terminalFields, type PdfStructure } from "./reader";
import { filledFieldAppearances, personalAppearance, type FilledField, type PersonalSignature } from "./signer-appearances";
import { OID_SIGNATURE_TIMESTAMP } from "./verify";

export interface PadesSigner {
  certPem: string;
  privateKeyPem: string;
  chainPems: string[];
}

export interface VisibleStamp {
  /** 0-based page index */
  page: number;
  /** x, y, w, h in PDF points, from the lower-left corner of the page's crop box */
  rect: [number, number, number, number];
  /** e.g. name, organisation, time; Chinese renders (the CJK font of fonts.ts is embedded as a subset) */
  lines: string[];
  /**
   * A drawing instead of the framed lines (an organisation's seal): content operators for the
   * box (0, 0, w, h) using the CJK font as /F1, and every text it draws (checked for glyphs first).
   */
  drawing?: { text: string; operators(font: StampGlyphs, w: number, h: number): string };
  /** or an image (an uploaded seal: PNG or JPEG), fitted into the box and centred */
  image?: { bytes: Uint8Array; type: "image/png" | "image/jpeg" };
  /** or a person's drawn (PNG) or typed signature above a caption line (signer-appearances.ts) */
  personal?: PersonalSignature;
}

/** What a drawing may ask of the stamp's font. */
export interface StampGlyphs {
  encodeText(text: string): { toString(): string };
  widthOfTextAtSize(text: string, size: number): number;
}

export interface SignPdfOptions {
  fieldName: string;
  /** the signature dictionary's /Name: the person who signed (when the certificate is an organisation's) */
  name?: string;
  reason?: string;
  location?: string;
  contactInfo?: string;
  stamp?: VisibleStamp;
  /**
   * Returns an RFC 3161 TimeStampToken (ContentInfo DER) whose imprint is the SHA-256 of the
   * given signature value (wire it to tsa.ts timeStampDigest or an HTTP TSA).
   */
  timestamp: (signatureValue: Buffer) => Buffer | Promise<Buffer>;
  /** the claimed signing time written as /M (default now) */
  signingTime?: Date;
  /** bytes reserved for the CMS in /Contents (default 16384, i.e. 32 KiB of hex); grown automatically if too small */
  reservedBytes?: number;
  /** CJK font file for the stamp (default: fonts.ts's search) */
  fontPath?: string;
  /**
   * A cross-page seal (骑缝章): the drawing cut into one vertical slice per page, each slice a
   * widget of this same signature field at the right edge of its page, `size` points square overall.
   */
  crossPage?: { size: number; drawing: NonNullable<VisibleStamp["drawing"]> };
  /**
   * Text and date fields the signer filled: written in this same revision as read-only text fields
   * with their appearance, so the signature covers them.
   */
  filledFields?: FilledField[];
}

export { OID_SIGNATURE_TIMESTAMP };

const DEFAULT_RESERVED = 16384;

// ---------------------------------------------------------------------------------------------
// CMS

/** The certificates a PAdES CMS carries besides the signer's own: its chain, each once. */
function chainDer(s: SigningKey): Buffer[] {
  const out: Buffer[] = [];
  for (const c of s.chain) if (!c.der.equals(s.cert.der) && !out.some((d) => d.equals(c.der))) out.push(c.der);
  return out;
}

function attribute(oid: string, value: Buffer): Buffer {
  return derSequence(derOid(oid), derSetOf([value]));
}

/**
 * CMS SignedData for PAdES (detached, id-data): signed attributes contentType, messageDigest,
 * signing-certificate-v2; unsigned attribute signature-time-stamp from `timestamp`. Exported for
 * tests and for signing a digest computed elsewhere.
 */
export async function buildPadesCms(
  contentSha256: Buffer,
  signer: PadesSigner,
  timestamp: (signatureValue: Buffer) => Buffer | Promise<Buffer>,
): Promise<Buffer> {
  if (contentSha256.length !== 32) throw new Error("contentSha256 must be 32 bytes");
  const s = loadSigner(signer);
  const digestAlgorithm = derAlgorithm(OID.sha256, false);
  const signedAttrs = derSetOf([
    attribute(OID.contentType, derOid(OID.data)),
    attribute(OID.messageDigest, derOctetString(contentSha256)),
    attribute(OID.signingCertificateV2, signingCertificateV2(s.cert)),
  ]);
  const signature = cryptoSign("sha256", signedAttrs, s.key);

  const token = await timestamp(signature);
  if (!Buffer.isBuffer(token) && !((token as unknown) instanceof Uint8Array)) throw new Error("timestamp() must return the TimeStampToken DER");
  const tokenDer = Buffer.from(token);
  // the token must be over this signature value: a wrong wiring is caught here, not by a verifier later
  let imprintOk = false;
  try {
    const parsed = parseSignedData(tokenDer);
    if (parsed.eContentType !== OID.tstInfo || !parsed.eContent) throw new Error("not a TimeStampToken");
    const tst = parseTstInfo(parsed.eContent);
    imprintOk = tst.hashAlgorithmOid === OID.sha256 && tst.messageImprint.equals(sha256(signature));
  } catch (e) {
    throw new Error(`timestamp() did not return a TimeStampToken: ${(e as Error).message}`);
  }
  if (!imprintOk) throw new Error("the timestamp token's message imprint is not the SHA-256 of the signature value");

  const signerInfo = derSequence(
    derInteger(1n),
    derSequence(s.cert.issuerDer, derInteger(s.cert.serial)),
    digestAlgorithm,
    Buffer.concat([Buffer.from([0xa0]), signedAttrs.subarray(1)]), // [0] IMPLICIT SET OF
    s.signatureAlgorithm,
    derOctetString(signature),
    derSetOf([attribute(OID_SIGNATURE_TIMESTAMP, tokenDer)], 0xa1), // [1] IMPLICIT unsignedAttrs
  );
  const signedData = derSequence(
    derInteger(1n),
    derSetOf([digestAlgorithm]),
    derSequence(derOid(OID.data)),
    derSetOf([s.cert.der, ...chainDer(s)], 0xa0),
    derSetOf([signerInfo]),
  );
  return derSequence(derOid(OID.signedData), derExplicit(0, signedData));
}

// ---------------------------------------------------------------------------------------------
// PDF objects

/** A PDF text string: a literal for printable ASCII, UTF-16BE with BOM otherwise. */
export function pdfText(text: string): PDFObject {
  if (/^[\x20-\x7e]*$/.test(text)) return PDFString.of(text.replace(/[\\()]/g, (c) => "\\" + c));
  return PDFHexString.fromText(text);
}

/** D:YYYYMMDDHHmmSSZ (UTC). */
export function pdfDate(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return (
    `D:${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}` +
    `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`
  );
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(3).replace(/\.?0+$/, ""));

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

function numbers(arr: PDFObject | undefined): number[] | null {
  if (!(arr instanceof PDFArray) || arr.size() !== 4) return null;
  const out: number[] = [];
  for (let i = 0; i < 4; i++) {
    const v = arr.lookup(i);
    if (!(v instanceof PDFNumber)) return null;
    out.push(v.asNumber());
  }
  return out;
}

/** The page's crop box (else media box), inherited through /Parent. */
function pageBox(ctx: PDFContext, page: PDFDict): Box {
  let node: PDFDict | undefined = page;
  let crop: number[] | null = null;
  let media: number[] | null = null;
  for (let depth = 0; node && depth < 32; depth++) {
    crop ??= numbers(node.lookup(PDFName.of("CropBox")));
    media ??= numbers(node.lookup(PDFName.of("MediaBox")));
    const parent: PDFObject | undefined = node.lookup(PDFName.of("Parent"));
    node = parent instanceof PDFDict ? parent : undefined;
  }
  const b = crop ?? media ?? [0, 0, 612, 792];
  const [x1, x2] = [Math.min(b[0], b[2]), Math.max(b[0], b[2])];
  const [y1, y2] = [Math.min(b[1], b[3]), Math.max(b[1], b[3])];
  return { x: x1, y: y1, w: x2 - x1, h: y2 - y1 };
}

/** The stamp's appearance: a red frame and the lines centred, in the embedded CJK font subset. */
async function stampAppearance(ctx: PDFContext, stamp: VisibleStamp, w: number, h: number, fontPath?: string): Promise<PDFRef> {
  if (stamp.image) return imageAppearance(ctx, stamp.image, w, h);
  if (stamp.personal) return personalAppearance(ctx, stamp.personal, w, h, fontPath);
  const lines = stamp.lines.map((l) => l.replace(/[\r\n]+/g, " "));
  const font = loadCjkFont(fontPath);
  const missing = font.missingCharacters(stamp.drawing ? stamp.drawing.text : lines.join(""));
  if (missing.length) {
    throw new Error(`the stamp font (${font.location.path}) has no glyph for: ${missing.join(" ")}`);
  }
  const embedder = await font.newSubsetEmbedder();
  if (stamp.drawing) {
    const ops = stamp.drawing.operators(embedder, w, h);
    const ref = ctx.nextRef();
    await embedder.embedIntoContext(ctx, ref);
    return ctx.register(ctx.flateStream(ops, { Type: "XObject", Subtype: "Form", BBox: [0, 0, w, h], Resources: { Font: { F1: ref } } }));
  }
  const border = Math.max(0.8, Math.min(w, h) * 0.02);
  const pad = border + Math.min(w, h) * 0.06;
  const innerW = Math.max(1, w - 2 * pad);
  const innerH = Math.max(1, h - 2 * pad);
  const scale = 1000 / font.font.unitsPerEm;
  const ascent = (font.font.ascent * scale) / 1000;
  const descent = (Math.abs(font.font.descent) * scale) / 1000;
  const leading = 1.25;
  let size = lines.length ? innerH / (lines.length * leading) : 0;
  for (const l of lines) {
    const width1 = embedder.widthOfTextAtSize(l, 1);
    if (width1 > 0) size = Math.min(size, innerW / width1);
  }
  size = Math.max(1, Math.min(size, 24));
  const blockH = lines.length * size * leading;
  const top = h / 2 + blockH / 2;
  const red = "0.780 0.086 0.094";
  const ops: string[] = ["q", `${red} RG`, `${fmt(border)} w`, `${fmt(border / 2)} ${fmt(border / 2)} ${fmt(w - border)} ${fmt(h - border)} re S`];
  ops.push("BT", `${red} rg`, `/F1 ${fmt(size)} Tf`);
  lines.forEach((l, i) => {
    const lineTop = top - i * size * leading;
    // centre the glyph box (ascent + descent) in the line
    const baseline = lineTop - (size * leading - size * (ascent + descent)) / 2 - size * ascent;
    const x = (w - embedder.widthOfTextAtSize(l, size)) / 2;
    ops.push(`1 0 0 1 ${fmt(x)} ${fmt(baseline)} Tm`, `${embedder.encodeText(l).toString()} Tj`);
  });
  ops.push("ET", "Q");
  const fontRef = ctx.nextRef();
  await embedder.embedIntoContext(ctx, fontRef);
  const xobject = ctx.flateStream(ops.join("\n"), {
    Type: "XObject",
    Subtype: "Form",
    BBox: [0, 0, w, h],
    Resources: { Font: { F1: fontRef } },
  });
  return ctx.register(xobject);
}

/** The cross-page seal's slices, one per page, left to right: each an appearance stream clipped to its slice. */
async function crossPageSlices(ctx: PDFContext, cp: NonNullable<SignPdfOptions["crossPage"]>, count: number, fontPath?: string): Promise<{ width: number; ap: PDFRef }[]> {
  const font = loadCjkFont(fontPath);
  const missing = font.missingCharacters(cp.drawing.text);
  if (missing.length) throw new Error(`the stamp font (${font.location.path}) has no glyph for: ${missing.join(" ")}`);
  const embedder = await font.newSubsetEmbedder();
  const ops = cp.drawing.operators(embedder, cp.size, cp.size);
  const fontRef = ctx.nextRef();
  await embedder.embedIntoContext(ctx, fontRef);
  const width = cp.size / count;
  return Array.from({ length: count }, (_, i) => ({
    width,
    // the whole seal, moved so that slice i is under the BBox (which clips the rest)
    ap: ctx.register(
      ctx.flateStream(`q 1 0 0 1 ${fmt(-i * width)} 0 cm\n${ops}\nQ`, {
        Type: "XObject",
        Subtype: "Form",
        BBox: [0, 0, width, cp.size],
        Resources: { Font: { F1: fontRef } },
      }),
    ),
  }));
}

/** An image stamp: the picture as an image XObject, as large as the box allows, centred. */
async function imageAppearance(ctx: PDFContext, image: NonNullable<VisibleStamp["image"]>, w: number, h: number): Promise<PDFRef> {
  const embedder = image.type === "image/png" ? await PngEmbedder.for(image.bytes) : await JpegEmbedder.for(image.bytes);
  const imgRef = await embedder.embedIntoContext(ctx, ctx.nextRef());
  const scale = Math.min(w / embedder.width, h / embedder.height);
  const [iw, ih] = [embedder.width * scale, embedder.height * scale];
  const ops = `q ${fmt(iw)} 0 0 ${fmt(ih)} ${fmt((w - iw) / 2)} ${fmt((h - ih) / 2)} cm /Im1 Do Q`;
  return ctx.register(ctx.flateStream(ops, { Type: "XObject", Subtype: "Form", BBox: [0, 0, w, h], Resources: { XObject: { Im1: imgRef } } }));
}

function emptyAppearance(ctx: PDFContext): PDFRef {
  return ctx.register(ctx.stream("", { Type: "XObject", Subtype: "Form", BBox: [0, 0, 0, 0] }));
}

// ---------------------------------------------------------------------------------------------
// The incremental update

const BYTE_RANGE_PLACEHOLDER = "[0 0000000000 0000000000 0000000000]";

interface PreparedUpdate {
  bytes: Buffer;
  /** offsets of the "<" and after the ">" of /Contents, and of the /ByteRange array */
  contentsStart: number;
  contentsEnd: number;
  byteRangeAt: number;
}

/** What one update's field and dictionary are: a signature's options, or a document timestamp's. */
type UpdateOptions = Omit<SignPdfOptions, "timestamp"> & { docTimestamp?: boolean };

async function prepareUpdate(pdf: Buffer, s: PdfStructure, opts: UpdateOptions, reserved: number): Promise<PreparedUpdate> {
  const ctx = s.context;
  const firstNew = ctx.largestObjectNumber + 1;
  const changed = new Map<number, PDFRef>();
  const touch = (ref: PDFRef) => changed.set(ref.objectNumber, ref);

  if (!opts.fieldName || /[.\u0000-\u001f]/.test(opts.fieldName)) throw new Error("fieldName must be non-empty, without '.' or control characters");
  if (terminalFields(s).some((f) => f.fullName === opts.fieldName)) throw new Error(`the PDF already has a field named "${opts.fieldName}"`);

  const pages = pageRefs(s);
  if (pages.length === 0) throw new Error("the PDF has no pages");
  const pageIndex = opts.stamp ? opts.stamp.page : 0;
  if (!Number.isInteger(pageIndex) || pageIndex < 0 || pageIndex >= pages.length) {
    throw new Error(`stamp page ${pageIndex} is out of range (the PDF has ${pages.length} pages)`);
  }
  const pageRef = pages[pageIndex];
  const page = ctx.lookup(pageRef);
  if (!(page instanceof PDFDict)) throw new Error(`page ${pageIndex} is not a dictionary`);

  const sigRef = ctx.nextRef();
  let rect: number[];
  let apRef: PDFRef;
  if (opts.stamp) {
    const [x, y, w, h] = opts.stamp.rect;
    if (![x, y, w, h].every(Number.isFinite) || w <= 0 || h <= 0) throw new Error("stamp.rect must be finite with positive width and height");
    const box = pageBox(ctx, page);
    rect = [box.x + x, box.y + y, box.x + x + w, box.y + y + h];
    apRef = await stampAppearance(ctx, opts.stamp, w, h, opts.fontPath);
  } else {
    rect = [0, 0, 0, 0];
    apRef = emptyAppearance(ctx);
  }
  // the page's /Annots
  const annotate = (onPage: PDFRef, ref: PDFRef) => {
    const pg = ctx.lookup(onPage) as PDFDict;
    const annots = pg.get(PDFName.of("Annots"));
    const annotsArray = annots instanceof PDFRef ? ctx.lookup(annots) : annots;
    if (annots instanceof PDFRef && annotsArray instanceof PDFArray) {
      annotsArray.push(ref);
      touch(annots);
    } else if (annotsArray instanceof PDFArray) {
      annotsArray.push(ref);
      touch(onPage);
    } else {
      pg.set(PDFName.of("Annots"), ctx.obj([ref]));
      touch(onPage);
    }
  };
  const widgetRef = ctx.register(
    ctx.obj({ Type: "Annot", Subtype: "Widget", FT: "Sig", T: pdfText(opts.fieldName), V: sigRef, F: 132 /* Print | Locked */, P: pageRef, Rect: rect, AP: { N: apRef } }),
  );
  annotate(pageRef, widgetRef);
  if (opts.crossPage) {
    // The slices are locked stamp annotations written in this same revision, so the signature's
    // byte range covers them; widgets they cannot be, as validators count every signature widget
    // as a signature (pdfsig reports the extra ones as unsigned fields).
    for (const [i, slice] of (await crossPageSlices(ctx, opts.crossPage, pages.length, opts.fontPath)).entries()) {
      const box = pageBox(ctx, ctx.lookup(pages[i]) as PDFDict);
      const { size } = opts.crossPage;
      const y = box.y + (box.h - size) / 2;
      const ref = ctx.register(
        ctx.obj({
          Type: "Annot",
          Subtype: "Stamp",
          NM: pdfText(`${opts.fieldName}-cross-page-${i + 1}`),
          Contents: pdfText(`cross-page seal of signature ${opts.fieldName}, slice ${i + 1} of ${pages.length}`),
          F: 4 + 128 + 512, // Print | Locked | LockedContents
          P: pages[i],
          Rect: [box.x + box.w - slice.width, y, box.x + box.w, y + size],
          AP: { N: slice.ap },
        }),
      );
      annotate(pages[i], ref);
    }
  }

  const filled: PDFRef[] = [];
  let filledFont: PDFRef | null = null;
  if (opts.filledFields?.length) {
    for (const f of opts.filledFields) {
      if (!f.name || /[.\u0000-\u001f]/.test(f.name) || terminalFields(s).some((t) => t.fullName === f.name)) throw new Error(`field name "${f.name}" is empty, invalid or taken`);
      if (!Number.isInteger(f.page) || f.page < 0 || f.page >= pages.length) throw new Error(`field ${f.name}: page ${f.page} is out of range`);
    }
    const { font, appearances } = await filledFieldAppearances(ctx, opts.filledFields, opts.fontPath);
    for (const [i, f] of opts.filledFields.entries()) {
      const box = pageBox(ctx, ctx.lookup(pages[f.page]) as PDFDict);
      const [x, y, w, h] = f.rect;
      const ref = ctx.register(
        ctx.obj({
          Type: "Annot",
          Subtype: "Widget",
          FT: "Tx",
          T: pdfText(f.name),
          V: pdfText(f.value),
          Ff: 1 + (f.value.includes("\n") ? 4096 : 0), // ReadOnly (| Multiline)
          DA: `/${f.name.replace(/[^A-Za-z0-9]/g, "")}F ${fmt(appearances[i].size)} Tf 0 g`,
          F: 4 + 128, // Print | Locked
          P: pages[f.page],
          Rect: [box.x + x, box.y + y, box.x + x + w, box.y + y + h],
          AP: { N: appearances[i].ap },
        }),
      );
      annotate(pages[f.page], ref);
      filled.push(ref);
    }
    filledFont = font;
  }

  // the AcroForm: an indirect object from now on, so later signatures change only it
  const { ref: catalogRef, dict: catalog } = catalogOf(s);
  const acroEntry = catalog.get(PDFName.of("AcroForm"));
  let acro: PDFDict;
  if (acroEntry instanceof PDFRef && ctx.lookup(acroEntry) instanceof PDFDict) {
    acro = ctx.lookup(acroEntry) as PDFDict;
    touch(acroEntry);
  } else {
    acro = acroEntry instanceof PDFDict ? acroEntry : ctx.obj({});
    catalog.set(PDFName.of("AcroForm"), ctx.register(acro));
    touch(catalogRef);
  }
  const fieldsEntry = acro.get(PDFName.of("Fields"));
  const fields = fieldsEntry instanceof PDFRef ? ctx.lookup(fieldsEntry) : fieldsEntry;
  if (fieldsEntry instanceof PDFRef && fields instanceof PDFArray) {
    fields.push(widgetRef);
    touch(fieldsEntry);
  } else if (fields instanceof PDFArray) {
    fields.push(widgetRef);
  } else {
    acro.set(PDFName.of("Fields"), ctx.obj([widgetRef]));
  }
  if (filled.length && filledFont) {
    const fontRef = filledFont;
    const fieldsNow = acro.lookup(PDFName.of("Fields")) as PDFArray;
    for (const ref of filled) fieldsNow.push(ref);
    // the default resources name the font each filled field's /DA uses (a viewer that regenerates
    // an appearance would look it up there); a /DR held indirectly is left as it is
    const drEntry = acro.get(PDFName.of("DR"));
    if (!(drEntry instanceof PDFRef)) {
      const dr = drEntry instanceof PDFDict ? drEntry : ctx.obj({});
      acro.set(PDFName.of("DR"), dr);
      const fontsEntry = dr.get(PDFName.of("Font"));
      if (!(fontsEntry instanceof PDFRef)) {
        const fonts = fontsEntry instanceof PDFDict ? fontsEntry : ctx.obj({});
        dr.set(PDFName.of("Font"), fonts);
        for (const f of opts.filledFields!) fonts.set(PDFName.of(`${f.name.replace(/[^A-Za-z0-9]/g, "")}F`), fontRef);
      }
    }
  }
  const sigFlags = acro.lookup(PDFName.of("SigFlags"));
  acro.set(PDFName.of("SigFlags"), PDFNumber.of((sigFlags instanceof PDFNumber ? sigFlags.asNumber() : 0) | 3));

  // -- the signature dictionary, by hand: the placeholders' offsets must be known
  let head: string;
  if (opts.docTimestamp) {
    head = `${sigRef.objectNumber} 0 obj\n<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 /ByteRange `;
  } else {
    const when = opts.signingTime ?? new Date();
    if (Number.isNaN(when.getTime())) throw new Error("invalid signingTime");
    const optional = (key: string, v: string | undefined) => (v ? ` /${key} ${pdfText(v).toString()}` : "");
    head =
      `${sigRef.objectNumber} 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached` +
      ` /M ${pdfText(pdfDate(when)).toString()}` +
      optional("Name", opts.name) +
      optional("Reason", opts.reason) +
      optional("Location", opts.location) +
      optional("ContactInfo", opts.contactInfo) +
      ` /ByteRange `;
  }
  const text = `${head}${BYTE_RANGE_PLACEHOLDER} /Contents <${"0".repeat(2 * reserved)}> >>\nendobj\n`;
  const u = writeIncrementalUpdate(pdf, s, firstNew, changed.values(), { ref: sigRef, text });
  const byteRangeAt = u.handWrittenAt + Buffer.byteLength(head, "latin1");
  const contentsStart = byteRangeAt + BYTE_RANGE_PLACEHOLDER.length + " /Contents ".length;
  const contentsEnd = contentsStart + 2 + 2 * reserved;
  return { bytes: u.bytes, contentsStart, contentsEnd, byteRangeAt };
}

/**
 * Writes the update of `opts` with room for the /Contents, fills in the /ByteRange, and the
 * /Contents `contents` makes from the SHA-256 of the ranges; once more with more room when it
 * does not fit.
 */
async function fillUpdate(pdf: Buffer, opts: UpdateOptions, contents: (rangeSha256: Buffer) => Promise<Buffer>): Promise<Buffer> {
  let reserved = Math.max(1024, Math.floor(opts.reservedBytes ?? DEFAULT_RESERVED));
  for (let attempt = 0; attempt < 2; attempt++) {
    const s = readPdf(pdf); // fresh objects each attempt: prepareUpdate mutates them
    const u = await prepareUpdate(pdf, s, opts, reserved);
    const out = u.bytes;
    const byteRange = [0, u.contentsStart, u.contentsEnd, out.length - u.contentsEnd];
    const br = `[${byteRange.join(" ")}`.padEnd(BYTE_RANGE_PLACEHOLDER.length - 1, " ") + "]";
    if (br.length !== BYTE_RANGE_PLACEHOLDER.length) throw new Error("the /ByteRange does not fit its placeholder");
    out.write(br, u.byteRangeAt, "latin1");
    const digest = createHash("sha256")
      .update(out.subarray(0, u.contentsStart))
      .update(out.subarray(u.contentsEnd))
      .digest();
    const der = await contents(digest);
    if (der.length > reserved) {
      reserved = der.length + 4096; // once more with room to spare (and a new timestamp)
      continue;
    }
    out.write(der.toString("hex"), u.contentsStart + 1, "latin1");
    return out;
  }
  throw new Error("the CMS signature does not fit the reserved /Contents space");
}

/**
 * Appends a PAdES B-T signature as an incremental update and returns the whole new PDF (the
 * original bytes unchanged, followed by the update). See SignPdfOptions.
 */
export async function signPdf(pdf: Buffer, signer: PadesSigner, opts: SignPdfOptions): Promise<Buffer> {
  // fail early on a bad signer (before any timestamp is requested)
  loadSigner(signer);
  return fillUpdate(pdf, opts, (digest) => buildPadesCms(digest, signer, opts.timestamp));
}

/**
 * Appends a document timestamp (ISO 32000-2 12.8.5, PAdES B-LTA: /Type /DocTimeStamp, /SubFilter
 * /ETSI.RFC3161) over the whole file as it then is, in an invisible signature field. `timestamp`
 * returns a TimeStampToken whose imprint is the SHA-256 it is given.
 */
export async function timestampPdf(
  pdf: Buffer,
  timestamp: (sha256: Buffer) => Buffer | Promise<Buffer>,
  opts: { fieldName: string; reservedBytes?: number },
): Promise<Buffer> {
  return fillUpdate(pdf, { fieldName: opts.fieldName, reservedBytes: opts.reservedBytes, docTimestamp: true }, async (digest) => {
    const token = Buffer.from(await timestamp(digest));
    const parsed = parseSignedData(token);
    if (parsed.eContentType !== OID.tstInfo || !parsed.eContent) throw new Error("timestamp() did not return a TimeStampToken");
    const tst = parseTstInfo(parsed.eContent);
    if (tst.hashAlgorithmOid !== OID.sha256 || !tst.messageImprint.equals(digest)) throw new Error("the document timestamp's imprint is not the SHA-256 of the file");
    return token;
  });
}
