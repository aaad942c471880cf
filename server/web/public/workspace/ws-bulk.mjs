// Bulk send, for an enterprise member or a lawyer: a template, a CSV of recipients and field values
// (its columns listed for the template chosen), the deadline and the reminders' interval shared by
// every contract; then the run's report, refreshed until every row is done: the contracts created
// (each row's title and status) and the rows refused, with their line, column and reason. The
// same file sent again is recognised by its idempotency key (made here, kept while the form is
// unchanged), so that a second press or a retry after a lost answer sends nothing twice.
import { api, upload } from "./ws-api.mjs";
import { el, field, formatTime, progressBox, say, sayError, table, tx } from "./ws-dom.mjs";

const PARTS = { party: ["name", "creditCode", "address", "representative"], amount: ["value", "currency"] };

/** The CSV columns of a template, as server/contracts/bulk/columns.ts reads them. */
function columnsOf(template) {
  const cols = ["title"];
  for (const f of template.fields) {
    if (PARTS[f.kind]) cols.push(...PARTS[f.kind].map((p) => `${f.name}.${p}`));
    else cols.push(f.name);
  }
  return [...cols, "signer1.email", "signer1.name", "signer1.role", "signer1.step", "signer1.codeDelivery", "signer2.email", "…"];
}

const newKey = () => `ws-${crypto.randomUUID()}`;

export async function bulkView(root, ctx) {
  const errors = el("div", { role: "alert", id: "bulk-errors" });
  const news = el("div", { role: "status", "aria-live": "polite", class: "ws-messages", id: "bulk-news" });
  const reportBox = el("section", { id: "bulk-report", "aria-labelledby": "bulk-report-title", hidden: true });
  const { templates } = await api("GET", "contracts/templates");
  if (!ctx.alive()) return;

  const templateSelect = el("select", { name: "template" }, templates.map((tp) => el("option", { value: tp.id, bi: tp.title })));
  const columnsHint = el("p", { class: "hint", id: "bulk-columns" });
  const showColumns = () => {
    const tp = templates.find((x) => x.id === templateSelect.value);
    columnsHint.replaceChildren(tx("bulk.columns"), " ", el("code", { class: "hex" }, columnsOf(tp).join(",")));
  };
  const file = el("input", { type: "file", name: "file", accept: ".csv,text/csv" });
  const title = el("input", { type: "text", name: "title", maxlength: "200" });
  const days = el("input", { type: "number", name: "expiresInDays", min: "1", max: "365", inputmode: "numeric" });
  const remind = el("input", { type: "number", name: "reminderIntervalHours", min: "1", max: "720", inputmode: "numeric" });
  const progress = progressBox("bulk-progress");
  let key = newKey();
  // A new choice is a new send: a new key.
  for (const input of [templateSelect, file, title, days, remind]) input.addEventListener("change", () => (key = newKey()));
  templateSelect.addEventListener("change", showColumns);
  showColumns();

  let polling = null;
  ctx.onLeave(() => clearTimeout(polling));

  function renderReport(r) {
    reportBox.hidden = false;
    const created = r.created.map((c) =>
      el("tr", { "data-row": c.row }, el("td", {}, String(c.row)), el("td", {}, String(c.line)), el("td", {}, c.title ?? "—"), el("td", {}, tx(`contract.status.${c.status}`))),
    );
    const refused = r.refused.map((x) =>
      el("tr", { "data-row": x.row, "data-code": x.code }, el("td", {}, String(x.row)), el("td", {}, String(x.line)), el("td", {}, el("code", {}, x.column ?? "—")), el("td", {}, el("code", {}, x.code)), el("td", {}, x.message)),
    );
    reportBox.replaceChildren(
      el("h2", { id: "bulk-report-title" }, tx("bulk.report")),
      el("p", { id: "bulk-counts", "data-status": r.status }, tx(r.status === "finished" ? "bulk.finished" : "bulk.running", { ...r.counts, rows: r.rows, at: formatTime(r.finishedAt) })),
      el("h3", {}, tx("bulk.refused", { n: r.refused.length })),
      table({ id: "bulk-refused", caption: "bulk.refused.caption", columns: ["bulk.col.row", "bulk.col.line", "bulk.col.column", "bulk.col.code", "bulk.col.message"], rows: refused, empty: "bulk.refused.none" }),
      el("h3", {}, tx("bulk.created", { n: r.created.length })),
      table({ id: "bulk-created", caption: "bulk.created.caption", columns: ["bulk.col.row", "bulk.col.line", "bulk.col.title", "bulk.col.status"], rows: created, empty: "bulk.created.none" }),
    );
  }

  async function follow(id) {
    clearTimeout(polling);
    let r;
    try {
      r = await api("GET", `contracts/bulk/${id}`);
    } catch (e) {
      if (ctx.alive()) sayError(errors, e);
      return;
    }
    if (!ctx.alive()) return;
    renderReport(r);
    if (r.status !== "finished") polling = setTimeout(() => void follow(id), 1000);
  }

  const form = el(
    "form",
    { id: "bulk-form", novalidate: true },
    field("bulk-template", "bulk.template", templateSelect),
    columnsHint,
    field("bulk-file", "bulk.file", file, { required: true, hint: "bulk.fileHint" }),
    field("bulk-title", "bulk.title", title, { hint: "bulk.titleHint" }),
    field("bulk-days", "contract.sendDays", days, { hint: "contract.sendDaysHint" }),
    field("bulk-remind", "contract.sendRemind", remind, { hint: "contract.sendRemindHint" }),
    progress.node,
    el("button", { type: "submit", class: "button primary", id: "bulk-submit" }, tx("bulk.submit")),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    errors.replaceChildren();
    news.replaceChildren();
    if (!file.files?.length) {
      file.setAttribute("aria-invalid", "true");
      say(errors, "bad", "bulk.fileRequired");
      file.focus();
      return;
    }
    file.removeAttribute("aria-invalid");
    const send = {};
    for (const [input, name, max] of [
      [days, "expiresInDays", 365],
      [remind, "reminderIntervalHours", 720],
    ]) {
      if (!input.value.trim()) continue;
      const n = Number(input.value);
      if (!Number.isInteger(n) || n < 1 || n > max) {
        input.setAttribute("aria-invalid", "true");
        say(errors, "bad", "contract.sendBadNumber", { max });
        input.focus();
        return;
      }
      input.removeAttribute("aria-invalid");
      send[name] = n;
    }
    const options = { template: templateSelect.value, send, idempotencyKey: key, ...(title.value.trim() ? { title: title.value.trim() } : {}) };
    const body = new FormData();
    body.append("bulk", JSON.stringify(options));
    body.append("file", file.files[0], file.files[0].name);
    const submit = form.querySelector("#bulk-submit");
    submit.disabled = true;
    progress.start();
    try {
      const r = await upload("contracts/bulk", body, (sent, total) => progress.update(sent, total));
      progress.done();
      say(news, "ok", r.resumed ? "bulk.resumed" : "bulk.started", { rows: r.rows });
      await follow(r.id);
    } catch (e) {
      progress.fail();
      sayError(errors, e);
    } finally {
      submit.disabled = false;
    }
  });

  root.replaceChildren(
    el("h1", { tabindex: "-1" }, tx("bulk.heading")),
    el("p", { class: "hint" }, tx("bulk.intro")),
    news,
    errors,
    form,
    reportBox,
  );
}
