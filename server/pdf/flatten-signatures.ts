// Pages copied out of a signed PDF into another document (the case file binds many) carry the source's
// signature widgets, and with them signature dictionaries whose /ByteRange means nothing in the new
// file: validators list them as signatures that fail ("digest mismatch"). The copy is a rendering, the
// signed original travels as an attachment, so each signature widget becomes plain page content: its
// normal appearance drawn where the widget was, the widget and its signature dictionary gone.
import {
  PDFArray,
  PDFContentStream,
  PDFDict,
  PDFName,
  PDFNumber,
  PDFRef,
  PDFStream,
  concatTransformationMatrix,
  drawObject,
  popGraphicsState,
  pushGraphicsState,
  type PDFDocument,
  type PDFPage,
} from "pdf-lib";

const N = (name: string) => PDFName.of(name);

/** Replaces the page's signature widgets by their appearance; returns how many were replaced. */
export function flattenSignatureWidgets(doc: PDFDocument, page: PDFPage): number {
  const ctx = doc.context;
  const annotsEntry = page.node.get(N("Annots"));
  const annots = annotsEntry instanceof PDFRef ? ctx.lookup(annotsEntry) : annotsEntry;
  if (!(annots instanceof PDFArray)) return 0;

  const kept: (PDFRef | PDFDict)[] = [];
  let replaced = 0;
  for (let i = 0; i < annots.size(); i++) {
    const item = annots.get(i);
    const widget = item instanceof PDFRef ? ctx.lookup(item) : item;
    if (!(widget instanceof PDFDict) || !isSignatureWidget(ctx, widget)) {
      if (item instanceof PDFRef || item instanceof PDFDict) kept.push(item);
      continue;
    }
    if (replaced === 0) isolateExistingContent(doc, page);
    drawAppearance(ctx, page, widget, replaced);
    forgetSignature(ctx, widget, item instanceof PDFRef ? item : null);
    replaced++;
  }
  if (replaced === 0) return 0;
  if (kept.length) page.node.set(N("Annots"), ctx.obj(kept));
  else page.node.delete(N("Annots"));
  return replaced;
}

/** The source's content wrapped in q … Q, so a graphics state it leaves behind cannot move what is drawn after it. */
function isolateExistingContent(doc: PDFDocument, page: PDFPage): void {
  page.node.normalize();
  const start = doc.context.register(PDFContentStream.of(doc.context.obj({}), [pushGraphicsState()]));
  const end = doc.context.register(PDFContentStream.of(doc.context.obj({}), [popGraphicsState()]));
  page.node.wrapContentStreams(start, end);
}

/** A widget whose field (itself, or up its /Parent chain) is a signature field. */
function isSignatureWidget(ctx: PDFDocument["context"], widget: PDFDict): boolean {
  if (widget.get(N("Subtype")) !== N("Widget")) return false;
  let node: PDFDict | undefined = widget;
  for (let depth = 0; node && depth < 32; depth++) {
    const ft = node.get(N("FT"));
    if (ft) return ft === N("Sig");
    const parent: unknown = node.get(N("Parent"));
    const next: unknown = parent instanceof PDFRef ? ctx.lookup(parent) : parent;
    node = next instanceof PDFDict ? next : undefined;
  }
  return false;
}

/**
 * Draws /AP /N into /Rect as PDF 32000-1 12.5.5 says a viewer would: the form's BBox, transformed by
 * its /Matrix, mapped onto Rect. Do applies the form's Matrix itself, so the cm maps the transformed
 * box (a rotated appearance, as tools write for a rotated page, has a Matrix that is not the identity).
 */
function drawAppearance(ctx: PDFDocument["context"], page: PDFPage, widget: PDFDict, index: number): void {
  const flags = numberOf(widget.get(N("F")));
  // Hidden (bit 2) or NoView (bit 6): a viewer showed nothing there, so nothing is drawn. A NoView
  // widget may still print; page content cannot tell screen from paper, and the case file is read
  // on screen first.
  if (flags !== null && (flags & (2 | 32)) !== 0) return;
  const ap = lookupDict(ctx, widget.get(N("AP")));
  const normal = ap?.get(N("N"));
  if (!(normal instanceof PDFRef) || !(ctx.lookup(normal) instanceof PDFStream)) return;
  const stream = ctx.lookup(normal) as PDFStream;
  const rect = numbers(ctx, widget.get(N("Rect")));
  const bbox = numbers(ctx, stream.dict.get(N("BBox")));
  if (rect?.length !== 4 || bbox?.length !== 4) return;
  const matrix = stream.dict.has(N("Matrix")) ? numbers(ctx, stream.dict.get(N("Matrix"))) : [1, 0, 0, 1, 0, 0];
  if (matrix?.length !== 6) return;
  const [rx0, ry0, rx1, ry1] = [Math.min(rect[0], rect[2]), Math.min(rect[1], rect[3]), Math.max(rect[0], rect[2]), Math.max(rect[1], rect[3])];
  const [m0, m1, m2, m3, m4, m5] = matrix;
  const corners = [[bbox[0], bbox[1]], [bbox[2], bbox[1]], [bbox[0], bbox[3]], [bbox[2], bbox[3]]].map(([x, y]) => [m0 * x + m2 * y + m4, m1 * x + m3 * y + m5]);
  const bx0 = Math.min(...corners.map((c) => c[0]));
  const by0 = Math.min(...corners.map((c) => c[1]));
  const bw = Math.max(...corners.map((c) => c[0])) - bx0;
  const bh = Math.max(...corners.map((c) => c[1])) - by0;
  if (bw === 0 || bh === 0 || rx1 === rx0 || ry1 === ry0) return;
  const a = (rx1 - rx0) / bw;
  const d = (ry1 - ry0) / bh;
  const name = page.node.newXObject(`FlatSig${index}`, normal);
  page.pushOperators(
    pushGraphicsState(),
    concatTransformationMatrix(a, 0, 0, d, rx0 - bx0 * a, ry0 - by0 * d),
    drawObject(name),
    popGraphicsState(),
  );
}

/** Deletes the widget, the signature dictionary it holds and a signature field parent it alone belonged to. */
function forgetSignature(ctx: PDFDocument["context"], widget: PDFDict, widgetRef: PDFRef | null): void {
  const holders: PDFDict[] = [widget];
  const parentRef = widget.get(N("Parent"));
  const parent = parentRef instanceof PDFRef ? ctx.lookup(parentRef) : undefined;
  if (parentRef instanceof PDFRef && parent instanceof PDFDict) {
    const kids = lookupArray(ctx, parent.get(N("Kids")));
    if (!kids || kids.size() <= 1) {
      holders.push(parent);
      ctx.delete(parentRef);
    } else if (widgetRef) {
      // the field keeps its other widgets, without a reference to the one deleted
      const at = kids.indexOf(widgetRef);
      if (at !== undefined) kids.remove(at);
    }
  }
  for (const h of holders) {
    const v = h.get(N("V"));
    if (v instanceof PDFRef) ctx.delete(v);
  }
  if (widgetRef) ctx.delete(widgetRef);
}

function numberOf(o: unknown): number | null {
  return o instanceof PDFNumber ? o.asNumber() : null;
}

function numbers(ctx: PDFDocument["context"], o: unknown): number[] | null {
  const arr = lookupArray(ctx, o);
  if (!arr) return null;
  const out: number[] = [];
  for (let i = 0; i < arr.size(); i++) {
    const x = arr.get(i);
    const n = numberOf(x instanceof PDFRef ? ctx.lookup(x) : x);
    if (n === null) return null;
    out.push(n);
  }
  return out;
}

function lookupArray(ctx: PDFDocument["context"], o: unknown): PDFArray | null {
  const v = o instanceof PDFRef ? ctx.lookup(o) : o;
  return v instanceof PDFArray ? v : null;
}

function lookupDict(ctx: PDFDocument["context"], o: unknown): PDFDict | null {
  const v = o instanceof PDFRef ? ctx.lookup(o) : o;
  return v instanceof PDFDict ? v : null;
}
