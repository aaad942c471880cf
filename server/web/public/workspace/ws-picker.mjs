// Finding people and organisations in the directory instead of typing ids: a labelled combobox
// (WAI-ARIA 1.2 pattern: the text box keeps focus, arrow keys move through the list, Enter
// chooses, Escape closes) whose options come from /api/directory as the user types.
import { api } from "./ws-api.mjs";
import { el, field, tx } from "./ws-dom.mjs";

const DEBOUNCE_MS = 200;
let counter = 0;

/** The directory's people: q and filters (role, organizationId) as the API takes them. */
export async function findPeople(q, { role, organizationId, limit = 10 } = {}) {
  const query = new URLSearchParams({ limit: String(limit) });
  if (q) query.set("q", q);
  if (role) query.set("role", role);
  if (organizationId) query.set("organizationId", organizationId);
  return (await api("GET", `directory/people?${query}`)).people;
}

export async function findOrganizations(q, { kind, limit = 10 } = {}) {
  const query = new URLSearchParams({ limit: String(limit) });
  if (q) query.set("q", q);
  if (kind) query.set("kind", kind);
  return (await api("GET", `directory/organizations?${query}`)).organizations;
}

/** How a person is shown in a list: "name · email · organisation". */
export const personLine = (p) => [p.name, p.email, p.organization?.name].filter(Boolean).join(" · ");
export const organizationLine = (o) => [o.name, o.creditCode].filter(Boolean).join(" · ");

/**
 * A labelled search box over the directory (a form field: label, box, hint, its list of options).
 * search(q) resolves to the items; line(item) is how one is shown; onPick(item) runs when one is
 * chosen (the box then shows pickedText(item)); onType(text) runs when the user types (what was
 * picked no longer holds). The input carries `name`.
 */
export function directoryPicker({ id, labelKey, hint, required, search, line, onPick, onType, pickedText = line, name, type = "search", minChars = 1 }) {
  const n = ++counter;
  const listId = `${id}-options`;
  const input = el("input", {
    type,
    id,
    name,
    role: "combobox",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    "aria-controls": listId,
    autocomplete: "off",
    spellcheck: "false",
    maxlength: "254",
  });
  const list = el("ul", { role: "listbox", id: listId, class: "ws-options", hidden: true, i18nLabel: labelKey });
  const status = el("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  let items = [];
  let active = -1;
  let timer = null;
  let asked = 0;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const highlight = (i) => {
    active = i;
    for (const [k, li] of [...list.children].entries()) li.setAttribute("aria-selected", String(k === i));
    if (i >= 0) {
      input.setAttribute("aria-activedescendant", `${listId}-${i}`);
      list.children[i]?.scrollIntoView?.({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  };
  const choose = (item) => {
    input.value = pickedText(item);
    close();
    onPick?.(item);
  };
  const show = (found) => {
    items = found;
    list.replaceChildren(
      ...found.map((item, i) =>
        el(
          "li",
          {
            role: "option",
            id: `${listId}-${i}`,
            class: "ws-option",
            "aria-selected": "false",
            "data-option": String(i),
            // mousedown, not click: the input keeps focus, and its blur does not close the list first
            onmousedown: (e) => {
              e.preventDefault();
              choose(item);
            },
          },
          line(item),
        ),
      ),
    );
    status.replaceChildren(tx("picker.found", { n: found.length }));
    if (found.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    } else close();
    highlight(-1);
  };
  const ask = async () => {
    const q = input.value.trim();
    if (q.length < minChars) return show([]);
    const mine = ++asked;
    try {
      const found = await search(q);
      if (mine === asked && document.activeElement === input) show(found);
    } catch {
      if (mine === asked) show([]);
    }
  };
  input.addEventListener("input", () => {
    onType?.(input.value.trim());
    clearTimeout(timer);
    timer = setTimeout(ask, DEBOUNCE_MS);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      if (list.hidden) return void ask();
      highlight(Math.min(items.length - 1, active + 1));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      highlight(Math.max(0, active - 1));
    } else if (e.key === "Enter" && !list.hidden && active >= 0) {
      e.preventDefault();
      choose(items[active]);
    } else if (e.key === "Escape" && !list.hidden) {
      e.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
  const node = field(id, labelKey, input, { hint, required });
  node.classList.add("ws-picker");
  node.dataset.picker = String(n);
  input.after(list, status);
  return {
    node,
    input,
    /** Puts a text in the box without asking the directory. */
    set(text) {
      input.value = text;
      close();
    },
  };
}
