// Placing fields on a draft's document: its pages drawn with pdf.js, a palette per signer (their
// signature or seal, a date, a text) dragged onto a page, each box moved by dragging it and resized
// by its corner, text fields labelled; saved with PUT /api/contracts/:id/fields in PDF points (the
// server checks every box lies on its page). Pointer events throughout, so mouse, pen and touch work.
import { api, bytesOf } from "./ws-api.mjs";
import { el, tx, t, say, sayError } from "./ws-dom.mjs";
import { renderPages, toPoints, placeOver, toPixels } from "../pdf-pages.mjs";

const SIZES = { signature: { w: 180, h: 70 }, seal: { w: 120, h: 120 }, date: { w: 110, h: 22 }, text: { w: 180, h: 24 } };
const MIN = { signature: [36, 18], date: [24, 10], text: [24, 10] };

/** Opens the editor for contract `c` (a draft of the sender's) in `root`; onClose() when closed. */
export async function fieldEditor(root, c, onClose) {
  const news = el("div", { role: "status", "aria-live": "polite", class: "ws-messages", id: "fields-news" });
  const errors = el("div", { role: "alert", id: "fields-errors" });
  const pagesBox = el("div", { class: "fe-pages", id: "fe-pages" });
  const list = el("div", { id: "fe-list" });
  const layout = await api("GET", `contracts/${c.id}/fields`);
  const signers = c.signers;
  const nameOf = (id) => signers.find((s) => s.id === id)?.name ?? "?";
  /** every box on the pages: {kind, signerId, box (points), label, node} */
  const items = [];
  let pages = [];

  const palette = el(
    "div",
    { class: "fe-palette", id: "fe-palette" },
    signers.map((s) => {
      const sealed = layout.signatures.find((x) => x.signerId === s.id)?.seal;
      return el(
        "div",
        { class: "fe-signer", "data-signer-id": s.id },
        el("strong", {}, s.name),
        ["signature", "date", "text"].map((kind) =>
          el(
            "button",
            { type: "button", class: "button small fe-tool", "data-tool": kind, "data-signer-id": s.id, onpointerdown: (e) => dragNew(e, kind, s.id, sealed) },
            tx(kind === "signature" ? (sealed ? "fields.seal" : "fields.signature") : `fields.${kind}`),
          ),
        ),
      );
    }),
  );

  function pageAt(x, y) {
    return pages.find((p) => {
      const r = p.box.getBoundingClientRect();
      return x >= r.left && x <= r.right && y >= r.top && y <= r.bottom;
    });
  }

  function boxNode(item) {
    const node = el(
      "div",
      { class: `fe-box fe-${item.kind}`, "data-kind": item.kind, "data-signer-id": item.signerId, tabindex: "0" },
      el("span", { class: "fe-label" }, `${nameOf(item.signerId)} · `, tx(item.kind === "signature" ? "fields.signature" : `fields.${item.kind}`)),
      el("span", { class: "fe-resize", "aria-hidden": "true", onpointerdown: (e) => resize(e, item) }),
    );
    node.addEventListener("pointerdown", (e) => {
      if (e.target.classList.contains("fe-resize")) return;
      move(e, item);
    });
    return node;
  }

  function show(item) {
    const page = pages[item.box.page];
    item.node ??= boxNode(item);
    placeOver(page, item.node, item.box);
  }

  /** Drag from the palette: a box follows the pointer and lands where it is released on a page. */
  function dragNew(e, kind, signerId, sealed) {
    e.preventDefault();
    const size = SIZES[kind === "signature" && sealed ? "seal" : kind];
    const ghost = el("div", { class: `fe-box fe-${kind} fe-ghost` });
    document.body.append(ghost);
    const follow = (ev) => {
      const scale = pages[0]?.scale ?? 1;
      Object.assign(ghost.style, { left: `${ev.clientX}px`, top: `${ev.clientY}px`, width: `${size.w * scale}px`, height: `${size.h * scale}px` });
    };
    follow(e);
    const up = (ev) => {
      window.removeEventListener("pointermove", follow);
      window.removeEventListener("pointerup", up);
      ghost.remove();
      const page = pageAt(ev.clientX, ev.clientY);
      if (!page) return;
      const r = page.box.getBoundingClientRect();
      const box = toPoints(page, { left: ev.clientX - r.left, top: ev.clientY - r.top, width: size.w * page.scale, height: size.h * page.scale });
      if (kind === "signature") {
        // a signer has one signature box: dropping moves it
        const existing = items.find((i) => i.kind === "signature" && i.signerId === signerId);
        if (existing) {
          existing.box = box;
          show(existing);
          return renderList();
        }
      }
      const item = { kind, signerId, box, label: "" };
      items.push(item);
      show(item);
      renderList();
    };
    window.addEventListener("pointermove", follow);
    window.addEventListener("pointerup", up);
  }

  /** Dragging a placed box, within its page. */
  function move(e, item) {
    e.preventDefault();
    const page = pages[item.box.page];
    const start = { x: e.clientX, y: e.clientY, ...toPixels(page, item.box) };
    const drag = (ev) => {
      item.box = toPoints(page, { left: start.left + ev.clientX - start.x, top: start.top + ev.clientY - start.y, width: start.width, height: start.height });
      placeOver(page, item.node, item.box);
    };
    const up = () => {
      window.removeEventListener("pointermove", drag);
      window.removeEventListener("pointerup", up);
      renderList();
    };
    window.addEventListener("pointermove", drag);
    window.addEventListener("pointerup", up);
  }

  /** Dragging a box's lower-right corner, never below the API's smallest box. */
  function resize(e, item) {
    e.preventDefault();
    e.stopPropagation();
    const page = pages[item.box.page];
    const start = { x: e.clientX, y: e.clientY, ...toPixels(page, item.box) };
    const [minW, minH] = MIN[item.kind].map((n) => n * page.scale);
    const drag = (ev) => {
      const width = Math.max(minW, Math.min(start.width + ev.clientX - start.x, page.width * page.scale - start.left));
      const height = Math.max(minH, Math.min(start.height + ev.clientY - start.y, page.height * page.scale - start.top));
      item.box = toPoints(page, { left: start.left, top: start.top, width, height });
      placeOver(page, item.node, item.box);
    };
    const up = () => {
      window.removeEventListener("pointermove", drag);
      window.removeEventListener("pointerup", up);
      renderList();
    };
    window.addEventListener("pointermove", drag);
    window.addEventListener("pointerup", up);
  }

  /** The fields in words: signer, kind, where, a label for text and date fields, removal. */
  function renderList() {
    list.replaceChildren(
      el(
        "ul",
        { class: "ws-plain fe-items" },
        items.map((item, i) =>
          el(
            "li",
            { "data-kind": item.kind, "data-signer-id": item.signerId },
            `${nameOf(item.signerId)} · `,
            tx(item.kind === "signature" ? "fields.signature" : `fields.${item.kind}`),
            " · ",
            tx("fields.where", { page: item.box.page + 1, x: Math.round(item.box.x), y: Math.round(item.box.y), w: Math.round(item.box.w), h: Math.round(item.box.h) }),
            item.kind !== "signature"
              ? [
                  " ",
                  el("label", { for: `fe-label-${i}`, class: "visually-hidden" }, tx("fields.label")),
                  el("input", { type: "text", id: `fe-label-${i}`, class: "fe-label-input", maxlength: "64", value: item.label, placeholder: t("fields.label"), oninput: (ev) => (item.label = ev.target.value) }),
                  el("button", { type: "button", class: "button small danger", onclick: () => remove(item) }, tx("fields.remove")),
                ]
              : null,
          ),
        ),
      ),
    );
  }

  function remove(item) {
    items.splice(items.indexOf(item), 1);
    item.node?.remove();
    renderList();
  }

  async function save() {
    errors.replaceChildren();
    try {
      const saved = await api("PUT", `contracts/${c.id}/fields`, {
        json: {
          signatures: items.filter((i) => i.kind === "signature").map((i) => ({ signerId: i.signerId, box: i.box })),
          fields: items
            .filter((i) => i.kind !== "signature")
            .map((i) => ({ signerId: i.signerId, kind: i.kind, box: i.box, ...(i.label.trim() ? { label: i.label.trim() } : {}) })),
        },
      });
      say(news, "ok", "fields.saved", { n: saved.fields.length });
    } catch (e) {
      sayError(errors, e);
    }
  }

  const card = el(
    "section",
    { class: "card fe-card", id: "field-editor", "aria-labelledby": "fe-title", "data-contract-id": c.id },
    el("h2", { id: "fe-title", tabindex: "-1" }, tx("fields.title", { title: c.title })),
    el("p", { class: "hint" }, tx("fields.intro")),
    palette,
    news,
    errors,
    el("div", { class: "ws-actions" }, el("button", { type: "button", class: "button primary", id: "fe-save", onclick: save }, tx("fields.save")), el("button", { type: "button", class: "button", id: "fe-close", onclick: () => (card.remove(), onClose?.()) }, tx("fields.close"))),
    // the list under the pages: growing as boxes are dropped, it never shifts a page under the pointer
    pagesBox,
    list,
  );
  root.replaceChildren(card);
  try {
    pages = await renderPages(pagesBox, await bytesOf(`contracts/${c.id}/document`), { pageLabel: (n) => t("fields.page", { page: n }) });
  } catch (e) {
    sayError(errors, e);
    return;
  }
  for (const s of layout.signatures) items.push({ kind: "signature", signerId: s.signerId, box: s.box, label: "" });
  for (const f of layout.fields) items.push({ kind: f.kind, signerId: f.signerId, box: f.box, label: f.label ?? "" });
  items.forEach(show);
  renderList();
  pagesBox.dataset.ready = "true";
  card.querySelector("#fe-title").focus();
}
