// The signing page's view of the document and of what the signer fills: the pages drawn with pdf.js
// with the signer's signature box and their text and date fields laid over them, the inputs for
// those fields, and the choice of signature for a personal signer (the framed name, the default; a
// drawing on a pad; a typed name). What it collects goes with the code to POST /api/sign/<token>/sign.
import { el } from "./dom.mjs";
import { renderPages, placeOver } from "./pdf-pages.mjs";

/** the server's limit for a drawn signature's PNG (server/contracts/fields.ts) */
const MAX_PNG_BYTES = 32 * 1024;
const INK = "#10216f";

/** The pages with the signer's places over them; resolves when drawn. */
export async function showPagesWithFields(container, bytes, me, fields, t) {
  container.replaceChildren();
  const pages = await renderPages(container, bytes, { scale: 1, pageLabel: (n) => t("pages.page", { page: n }) });
  const mark = (cls, label, box, attrs = {}) => {
    const page = pages[box.page];
    if (page) placeOver(page, el("div", { class: `ov ${cls}`, ...attrs }, el("span", { class: "ov-label" }, label)), box);
  };
  mark("ov-mine", t("pages.yourSignature"), me.box, { id: "ov-signature" });
  for (const f of fields) mark(`ov-field ov-${f.kind}`, f.label ?? t(`fill.${f.kind}`), f.box, { "data-field-id": f.id });
  container.dataset.ready = "true";
  return pages;
}

/** A drawing pad: pointer strokes on a canvas; toPng() is null while nothing is drawn. */
function pad(t) {
  const canvas = el("canvas", { id: "sig-pad", class: "sig-pad", width: "480", height: "160", role: "img", "aria-label": t("sig.padLabel") });
  const ctx = canvas.getContext("2d");
  ctx.lineWidth = 3;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.strokeStyle = INK;
  let drawn = false;
  let last = null;
  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height];
  };
  canvas.addEventListener("pointerdown", (e) => {
    e.preventDefault();
    canvas.setPointerCapture?.(e.pointerId);
    last = at(e);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!last) return;
    const p = at(e);
    ctx.beginPath();
    ctx.moveTo(...last);
    ctx.lineTo(...p);
    ctx.stroke();
    last = p;
    drawn = true;
  });
  const end = () => (last = null);
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointerleave", end);
  return {
    canvas,
    clear() {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
    },
    toPng: () => (drawn ? canvas.toDataURL("image/png").replace(/^data:image\/png;base64,/, "") : null),
  };
}

/**
 * The controls for the signer's fields and signature, into `container`; returns collect(), which
 * gives {values, signature?} or {error: <text key>, focus: <element>}.
 */
export function fillControls(container, fields, forOrganization, t) {
  container.replaceChildren();
  const inputs = fields.map((f) => {
    const id = `fill-${f.id}`;
    const input =
      f.kind === "date"
        ? el("input", { type: "date", id, class: "text-input", "data-field-id": f.id, required: f.required })
        : el("input", { type: "text", id, class: "text-input", "data-field-id": f.id, maxlength: String(f.maxLength ?? 200), required: f.required });
    container.append(
      el("div", { class: "field" }, el("label", { for: id }, f.label ?? t(`fill.${f.kind}`), f.required ? "" : ` ${t("fill.optional")}`), input),
    );
    return { f, input };
  });
  let choice = () => "name";
  let drawing = null;
  let typed = null;
  if (!forOrganization) {
    drawing = pad(t);
    typed = el("input", { type: "text", id: "sig-typed", class: "text-input", maxlength: "40", autocomplete: "name" });
    const drawBox = el("div", { id: "sig-draw-box", hidden: true }, drawing.canvas, el("p", {}, el("button", { type: "button", class: "button", id: "sig-clear", onclick: () => drawing.clear() }, t("sig.clear"))));
    const typeBox = el("div", { class: "field", id: "sig-type-box", hidden: true }, el("label", { for: "sig-typed" }, t("sig.typedLabel")), typed);
    const radio = (value, checked) =>
      el("label", { class: "sig-choice" }, el("input", { type: "radio", name: "sig-kind", value, id: `sig-kind-${value}`, checked }), " ", t(`sig.${value}`));
    function update() {
      const v = choice();
      drawBox.hidden = v !== "drawn";
      typeBox.hidden = v !== "typed";
    }
    choice = () => container.querySelector("input[name=sig-kind]:checked")?.value ?? "name";
    const kinds = el("fieldset", { class: "sig-kind" }, el("legend", {}, t("sig.title")), radio("name", true), radio("drawn", false), radio("typed", false));
    kinds.addEventListener("change", update);
    container.append(kinds, drawBox, typeBox);
  }
  return function collect() {
    const values = {};
    for (const { f, input } of inputs) {
      const v = input.value.trim();
      if (!v && f.required) return { error: "fill.missing", focus: input };
      if (v) values[f.id] = v;
    }
    const out = { values };
    const kind = choice();
    if (kind === "drawn") {
      const png = drawing.toPng();
      if (!png) return { error: "sig.drawEmpty", focus: drawing.canvas };
      if ((png.length * 3) / 4 > MAX_PNG_BYTES) return { error: "sig.tooLarge", focus: drawing.canvas };
      out.signature = { kind: "drawn", png };
    } else if (kind === "typed") {
      const text = typed.value.trim();
      if (!text) return { error: "sig.typedEmpty", focus: typed };
      out.signature = { kind: "typed", text };
    }
    return out;
  };
}
