// Inside a case: its electronic file (电子卷宗), every entry with its submitter, time, SHA-256 and
// anchoring (batch, transaction, block), as far as the viewer may see it; for the case's judges
// also the export (a sealed, anchored PDF, each export a new version) and every export with its
// digest and a download.
import { api, download } from "./ws-api.mjs";
import { el, formatTime, hex, say, sayError, table, tx } from "./ws-dom.mjs";
import { anchoringBadge, poll } from "./ws-cases.mjs";

// The file grows while the page is open (a summons served, a receipt, evidence finalised, an entry
// anchored): it is read again this often, and drawn again only when it changed.
const POLL_MS = 5000;

function anchoringCell(a) {
  return el(
    "td",
    { "data-anchoring": a?.status ?? "missing" },
    anchoringBadge(a?.status === "missing" ? null : a?.status),
    a?.txHash ? el("div", { class: "hint" }, tx("casefile.chain", { batch: a.batchId ?? "—", block: a.blockNumber ?? "—" }), " ", hex(a.txHash)) : null,
  );
}

function entriesTable(entries) {
  return table({
    id: "casefile-table",
    caption: "casefile.title",
    empty: "casefile.empty",
    columns: ["casefile.number", "casefile.entry", "casefile.submitter", "casefile.at", "casefile.digest", "casefile.anchoring"],
    rows: entries.map((e) =>
      el(
        "tr",
        { "data-entry-key": e.key, "data-kind": e.kind },
        el("td", {}, String(e.number)),
        el("td", {}, el("strong", {}, e.title), el("div", { class: "hint" }, tx(`casefile.kind.${e.kind}`)), (e.notes ?? []).map((n) => el("div", { class: "hint" }, n))),
        el("td", {}, e.submitter),
        el("td", {}, formatTime(e.at)),
        el("td", {}, hex(e.sha256)),
        anchoringCell(e.anchoring),
      ),
    ),
  });
}

function exportsTable(exports, errors) {
  return table({
    id: "casefile-exports-table",
    caption: "casefile.exports",
    empty: "casefile.exports.empty",
    columns: ["casefile.export.version", "casefile.at", "casefile.export.entries", "casefile.digest", "evidence.actions"],
    rows: exports.map((x) =>
      el(
        "tr",
        { "data-export-version": String(x.version) },
        el("td", {}, tx("casefile.export.v", { version: x.version })),
        el("td", {}, formatTime(x.createdAt)),
        el("td", {}, String(x.entries)),
        el("td", {}, hex(x.sha256)),
        el(
          "td",
          {},
          el(
            "button",
            {
              type: "button",
              class: "button small primary",
              "data-download-export": String(x.version),
              onclick: async () => {
                errors.replaceChildren();
                try {
                  await download(x.pdf.replace(/^\/api\//, ""), `casefile-v${x.version}.pdf`);
                } catch (e) {
                  sayError(errors, e);
                }
              },
            },
            tx("casefile.export.download"),
          ),
        ),
      ),
    ),
  });
}

/** The case file section of a case's page; c is the case as GET /api/cases/:id gives it. */
export function caseFileSection(ctx, c) {
  const isJudge = c.you?.relation === "judge";
  const news = el("div", { role: "status", "aria-live": "polite", class: "ws-messages", id: "casefile-news" });
  const errors = el("div", { role: "alert", id: "casefile-errors" });
  const entriesBox = el("div", { id: "casefile-entries" });
  const exportsBox = el("div", { id: "casefile-exports" });
  let shown = { entries: null, exports: null };
  const refresh = async () => {
    const [file, exported] = await Promise.all([api("GET", `cases/${c.id}/file`), isJudge ? api("GET", `cases/${c.id}/file/exports`) : null]);
    if (!ctx.alive()) return;
    // redrawn only when changed, so a button is not replaced under the reader's pointer
    const entries = JSON.stringify(file.entries);
    if (entries !== shown.entries) entriesBox.replaceChildren(entriesTable(file.entries));
    const exports = exported ? JSON.stringify(exported.exports) : null;
    if (exported && exports !== shown.exports) exportsBox.replaceChildren(el("h3", { id: "casefile-exports-title" }, tx("casefile.exports")), exportsTable(exported.exports, errors));
    shown = { entries, exports };
  };
  const exportButton = isJudge
    ? el(
        "button",
        {
          type: "button",
          class: "button primary",
          id: "casefile-export",
          onclick: async (e) => {
            const button = e.currentTarget;
            errors.replaceChildren();
            button.disabled = true;
            say(news, "ok", "casefile.exporting");
            try {
              const made = await api("POST", `cases/${c.id}/file/exports`);
              await refresh();
              say(news, "ok", "casefile.exported", { version: made.version });
            } catch (err) {
              news.replaceChildren();
              sayError(errors, err);
            } finally {
              button.disabled = false;
            }
          },
        },
        tx("casefile.export"),
      )
    : null;
  const node = el(
    "section",
    { class: "card", id: "casefile-section", "aria-labelledby": "casefile-title" },
    el("h2", { id: "casefile-title" }, tx("casefile.title")),
    el("p", { class: "hint" }, tx(isJudge ? "casefile.introJudge" : "casefile.introParty")),
    news,
    errors,
    entriesBox,
    exportButton ? el("div", { class: "ws-actions" }, exportButton, el("p", { class: "hint" }, tx("casefile.exportHint"))) : null,
    exportsBox,
  );
  void poll(ctx, POLL_MS, () => refresh().catch((e) => ctx.alive() && sayError(errors, e)));
  return node;
}
