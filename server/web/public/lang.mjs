// The language switch (中文 / English) the pages share: the lookup in a page's dictionary, the choice
// remembered in localStorage under each page's own key, the document's lang attribute, the switch
// buttons' aria-pressed, and the texts marked in the markup. Each page keeps its own dictionary (its
// LANGS and MESSAGES) and its own re-rendering after a switch. Nothing here runs on import (the
// dictionaries and sign.mjs are also loaded in Node).

/**
 * translate(lang, key, params) over a dictionary's MESSAGES ({zh, en}): a key missing in lang is
 * taken from English, else the key itself is shown; a function entry is called with params.
 */
export function translator(messages) {
  return (lang, key, params) => {
    const entry = messages[lang]?.[key] ?? messages.en[key];
    if (entry === undefined) return key;
    return typeof entry === "function" ? entry(params ?? {}) : entry;
  };
}

/** The language remembered under key when langs knows it, else Chinese. */
export function savedLanguage(key, langs) {
  try {
    const saved = localStorage.getItem(key);
    if (saved && langs[saved]) return saved;
  } catch {
    // storage disabled
  }
  return "zh";
}

/** Wires the page's .lang-button switches: a click on a language langs knows remembers it under key, then choose(lang). */
export function onLanguageButtons(key, langs, choose) {
  for (const b of document.querySelectorAll(".lang-button")) {
    b.addEventListener("click", () => {
      const next = b.dataset.lang;
      if (!langs[next]) return;
      try {
        localStorage.setItem(key, next);
      } catch {
        // storage disabled: the choice lasts for this page only
      }
      choose(next);
    });
  }
}

/**
 * Sets every translatable text in root (root itself included) with t(key, params): data-i18n (the
 * text; data-i18n-params, JSON, its parameters), data-i18n-aria-label, data-i18n-title, and
 * data-text-zh / data-text-en (a text the server gives in both languages).
 */
export function localizeTree(root, lang, t) {
  const all = (sel) => [...(root.matches?.(sel) ? [root] : []), ...root.querySelectorAll(sel)];
  for (const n of all("[data-i18n]")) n.textContent = t(n.dataset.i18n, n.dataset.i18nParams ? JSON.parse(n.dataset.i18nParams) : undefined);
  for (const n of all("[data-i18n-aria-label]")) n.setAttribute("aria-label", t(n.dataset.i18nAriaLabel));
  for (const n of all("[data-i18n-title]")) n.setAttribute("title", t(n.dataset.i18nTitle));
  for (const n of all("[data-text-zh]")) n.textContent = lang === "zh" ? n.dataset.textZh : n.dataset.textEn;
}

/** Shows the whole document in lang: <html lang> (langs[lang]), every marked text (the <title> too), the switch buttons' state. */
export function showLanguage(langs, lang, t) {
  document.documentElement.lang = langs[lang];
  localizeTree(document, lang, t);
  for (const b of document.querySelectorAll(".lang-button")) b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
}
