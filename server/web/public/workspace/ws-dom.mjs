// DOM helpers shared by the workspace views: element building, texts that follow the language
// switch, status badges, times and sizes, downloads of blobs, focus kept across re-renders.
import { LANGS, translate } from "../workspace-i18n.mjs";
import { formatBytes } from "../dom.mjs";
import { localizeTree, showLanguage } from "../lang.mjs";

let lang = "zh";
export const currentLang = () => lang;
export const t = (key, params) => translate(lang, key, params);

/**
 * Builds an element: el("p", {class: "x"}, "text", child, ...). Special attributes: on<event>
 * (a listener), i18n (a text key; with i18nParams), i18nLabel (a key for aria-label), bi ({zh, en}
 * texts from the server).
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else if (k === "i18n") node.dataset.i18n = v;
    else if (k === "i18nParams") node.dataset.i18nParams = JSON.stringify(v);
    else if (k === "i18nLabel") node.dataset.i18nAriaLabel = v;
    else if (k === "bi") {
      node.dataset.textZh = v.zh;
      node.dataset.textEn = v.en;
    } else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) node.append(c);
  localize(node);
  return node;
}

/** A text in the current language that follows later switches. */
export const tx = (key, params, tag = "span") => el(tag, { i18n: key, i18nParams: params });
/** A text the server gives in both languages ({zh, en}). */
export const bi = (texts, tag = "span") => el(tag, { bi: texts });
/** "：" in Chinese, ": " in English. */
export const colon = () => tx("punct.colon");

/** Sets every translatable text in root (and root itself) in the current language. */
export const localize = (root) => localizeTree(root, lang, t);

/** Shows the page in another language (the <title> too, by its data-i18n). */
export function setLanguage(next) {
  if (!LANGS[next]) return;
  lang = next;
  showLanguage(LANGS, lang, t);
}

/** A status shown by an icon, a word and a colour (never colour alone). kind: ok | wait | bad | neutral. */
export function badge(kind, key, params) {
  const icon = { ok: "✓", wait: "…", bad: "✕", neutral: "•" }[kind] ?? "•";
  return el("span", { class: `ws-status ws-status-${kind}`, "data-state": kind }, el("span", { class: "ws-status-icon", "aria-hidden": "true" }, icon), tx(key, params));
}

/** How each delivery state of a mail looks. */
export const MAIL_KIND = { queued: "wait", sending: "wait", sent: "ok", failed: "bad" };

/** A mail's delivery state: queued (and when it is tried again after a failure), sending, sent (when), failed. */
export function mailBadge(m) {
  return el(
    "span",
    { "data-mail-status": m.status },
    badge(MAIL_KIND[m.status] ?? "neutral", `mail.status.${m.status}`),
    m.sentAt ? el("div", { class: "hint" }, formatTime(m.sentAt)) : m.status === "queued" && m.attempts && m.nextAttemptAt ? el("div", { class: "hint" }, tx("mail.nextAttempt", { at: formatTime(m.nextAttemptAt) })) : null,
  );
}

const pad = (n) => String(n).padStart(2, "0");
/** Local time as YYYY-MM-DD HH:MM:SS: the same in both languages. */
export function formatTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A size in bytes ("1.5 KiB"), "—" when unknown. */
export const formatSize = (bytes) => (bytes === null || bytes === undefined ? "—" : formatBytes(bytes));

/** A file's name (when known) and size as a hint line: "name · 1.2 KiB". */
export const fileHint = (name, size) => el("div", { class: "hint" }, [name, formatSize(size)].filter(Boolean).join(" · "));

/** A long hex value, shown whole (it wraps) in a monospace code element. */
export const hex = (value) => el("code", { class: "hex" }, String(value));

/** Offers a blob as a download under a file name. */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** A table with a caption and column headers; rows are arrays of cells (nodes or strings). */
export function table({ caption, columns, rows, id, empty }) {
  if (!rows.length && empty) return el("p", { class: "hint", id }, tx(empty));
  return el(
    "div",
    { class: "ws-table-wrap" },
    el(
      "table",
      { class: "ws-table", id },
      caption ? el("caption", { class: "visually-hidden" }, tx(caption)) : null,
      el("thead", {}, el("tr", {}, columns.map((c) => el("th", { scope: "col" }, tx(c))))),
      el("tbody", {}, rows),
    ),
  );
}

/**
 * Replaces a container's content, keeping keyboard focus on the element with the same
 * data-focus-key if there was one (a periodic refresh must not throw the user's focus away).
 */
export function replaceKeepingFocus(container, ...content) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.dataset?.focusKey : undefined;
  container.replaceChildren(...content);
  if (key) {
    const again = [...container.querySelectorAll("[data-focus-key]")].find((n) => n.dataset.focusKey === key);
    if (again && !again.disabled) again.focus();
  }
}

/** A message region: role=status for news, role=alert for errors. */
export function say(region, kind, key, params) {
  region.replaceChildren(kind ? el("p", { class: `ws-message ws-message-${kind}` }, tx(key, params)) : "");
}

/** Whether the dictionary has a text for key (translate gives back the key itself when not). */
export const hasText = (key) => t(key) !== key;

/**
 * An error from the API, said by its error code: a code with its own sentence (error.code.<code>,
 * or the key named for it in byCode) is said in that sentence, with the server's own message and
 * the code below it; any other code in the general sentence carrying the server's message.
 */
export function sayError(region, error, byCode = {}) {
  const code = error?.code ?? "";
  const params = { message: error?.message ?? String(error), code };
  const key = code ? (byCode[code] ?? `error.code.${code}`) : null;
  const known = error?.status !== 0 && key && hasText(key);
  region.replaceChildren(
    el(
      "p",
      { class: "ws-message ws-message-bad", "data-error-code": code || undefined },
      known ? [tx(key), el("span", { class: "ws-error-detail" }, tx("error.detail", params))] : tx(error?.status === 0 ? "error.network" : "error.api", params),
    ),
  );
}

/**
 * The in-page confirmation step of an action that cannot be undone (never window.confirm; danger:
 * false for one that only needs its options said, such as sending): a form
 * with a heading, what will happen, any fields (body), an error region, the confirming button and
 * Cancel. title, text and confirm are [key, params]. On submit, onConfirm(form, errors) runs with the
 * button disabled; it says its own errors. Not shown until open().
 */
export function confirmStep({ id, level = "h3", title, text, body = [], confirm, onConfirm, onCancel, danger = true }) {
  const errors = el("div", { role: "alert", id: `${id}-errors` });
  const button = el("button", { type: "submit", class: danger ? "button danger" : "button primary", id: `${id}-confirm` }, tx(...confirm));
  const heading = el(level, { id: `${id}-title`, tabindex: "-1" }, tx(...title));
  const form = el(
    "form",
    { class: danger ? "form ws-confirm" : "form ws-confirm ws-confirm-plain", id, novalidate: true, "aria-labelledby": `${id}-title`, hidden: true },
    heading,
    el("p", {}, tx(...text)),
    body,
    errors,
    el("div", { class: "ws-actions" }, button, el("button", { type: "button", class: "button", id: `${id}-cancel`, onclick: () => onCancel?.() }, tx("form.cancel"))),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (button.disabled) return;
    errors.replaceChildren();
    button.disabled = true;
    try {
      await onConfirm(form, errors);
    } finally {
      button.disabled = false;
    }
  });
  return {
    node: form,
    errors,
    open() {
      errors.replaceChildren();
      form.hidden = false;
      heading.focus();
    },
    close() {
      form.hidden = true;
    },
  };
}

/** A labelled form field: label + control (+ hint). */
export function field(id, labelKey, control, { hint, required } = {}) {
  control.id = id;
  if (required) control.required = true;
  const hintNode = hint ? el("p", { class: "hint", id: `${id}-hint` }, tx(hint)) : null;
  if (hintNode) control.setAttribute("aria-describedby", `${id}-hint`);
  return el(
    "div",
    { class: "field" },
    el("label", { for: id }, tx(labelKey), required ? el("span", { class: "ws-required" }, " ", tx("form.required")) : null),
    control,
    hintNode,
  );
}

/** An upload progress bar: a labelled <progress> and its percentage in words. */
export function progressBox(id) {
  const bar = el("progress", { id: `${id}-bar`, max: "1", value: "0", "aria-labelledby": `${id}-label`, "aria-describedby": `${id}-text` });
  const text = el("span", { class: "hint", id: `${id}-text` });
  const node = el("div", { class: "progress", id, hidden: true }, tx("upload.label", undefined, "span"), bar, text);
  node.firstChild.id = `${id}-label`;
  const show = (key, params, state) => {
    text.replaceChildren(tx(key, params));
    node.dataset.state = state;
  };
  return {
    node,
    start() {
      bar.value = 0;
      node.hidden = false;
      show("upload.progress", { percent: 0, done: formatSize(0), total: "…" }, "running");
    },
    update(sent, total) {
      const fraction = total ? Math.min(1, sent / total) : 0;
      bar.value = fraction;
      show("upload.progress", { percent: Math.floor(fraction * 100), done: formatSize(sent), total: total ? formatSize(total) : "…" }, "running");
    },
    done() {
      bar.value = 1;
      show("upload.done", undefined, "done");
    },
    fail() {
      show("upload.failed", undefined, "failed");
    },
  };
}
