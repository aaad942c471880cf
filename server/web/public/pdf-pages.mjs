// A PDF's pages drawn in the page with pdf.js (Mozilla's renderer, served by the platform itself
// from its npm package: no request leaves the server), each page a canvas inside a positioned box
// that callers lay field boxes over. Coordinates: PDF points from the page's lower-left corner
// (what the API takes) to CSS pixels from the box's top-left corner, and back.

let pdfjs = null;

async function library() {
  if (!pdfjs) {
    pdfjs = await import("/vendor/pdfjs/pdf.min.mjs");
    pdfjs.GlobalWorkerOptions.workerSrc = "/vendor/pdfjs/pdf.worker.min.mjs";
  }
  return pdfjs;
}

/**
 * Draws every page of `bytes` into `container` at `scale` CSS pixels a point; resolves to one entry
 * per page: {index, width, height (points), box (the positioned element), scale}.
 */
export async function renderPages(container, bytes, { scale = 1.2, pageLabel = (n) => `page ${n}` } = {}) {
  const lib = await library();
  // isEvalSupported: false: the page's CSP allows no eval, and pdf.js then interprets PostScript functions
  const doc = await lib.getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, disableFontFace: false }).promise;
  const pages = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const viewport = page.getViewport({ scale });
    const base = page.getViewport({ scale: 1 });
    const box = document.createElement("div");
    box.className = "pdf-page";
    box.dataset.page = String(i - 1);
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", pageLabel(i));
    box.style.width = `${viewport.width}px`;
    box.style.height = `${viewport.height}px`;
    const canvas = document.createElement("canvas");
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.style.width = `${viewport.width}px`;
    canvas.style.height = `${viewport.height}px`;
    box.append(canvas);
    container.append(box);
    await page.render({ canvasContext: canvas.getContext("2d"), viewport, transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : undefined }).promise;
    pages.push({ index: i - 1, width: base.width, height: base.height, box, scale });
  }
  return pages;
}

/** A box in points ({x, y, w, h}, origin lower left) as CSS pixels on its rendered page. */
export function toPixels(page, b) {
  return { left: b.x * page.scale, top: (page.height - b.y - b.h) * page.scale, width: b.w * page.scale, height: b.h * page.scale };
}

/** CSS pixels on a rendered page back to points, kept on the page. */
export function toPoints(page, px) {
  const w = Math.min(px.width / page.scale, page.width);
  const h = Math.min(px.height / page.scale, page.height);
  const x = Math.min(Math.max(0, px.left / page.scale), page.width - w);
  const y = Math.min(Math.max(0, page.height - px.top / page.scale - h), page.height - h);
  const r = (n) => Math.round(n * 100) / 100;
  return { page: page.index, x: r(x), y: r(y), w: r(w), h: r(h) };
}

/** Places an absolutely positioned element over its page at a box given in points. */
export function placeOver(page, node, b) {
  const p = toPixels(page, b);
  Object.assign(node.style, { left: `${p.left}px`, top: `${p.top}px`, width: `${p.width}px`, height: `${p.height}px` });
  page.box.append(node);
}
