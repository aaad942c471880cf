// The filer's side of online filing (网上立案), for lawyers and enterprise members: their filings
// with each one's state and the days the court has had it; a new draft to a court; a draft's form
// (parties, claims, facts, amount, cause of action, citations of evidence already anchored, by id
// or SHA-256), its attachments (the complaint PDF among them) uploaded with progress, and
// submission. A filing sent back for corrections shows the clerk's reason and deadline; the filer
// amends and resubmits (a new version; every version stays listed). The read-only parts (the
// filing's content, versions, citations, events) are shared with the clerk's queue.
import { api, download, upload } from "./ws-api.mjs";
import { openMediationSection } from "./ws-mediation.mjs";
import { badge, colon, el, field, fileHint, formatTime, hasText, hex, progressBox, say, sayError, table, tx } from "./ws-dom.mjs";

const PARTY_KINDS = ["plaintiff", "defendant", "third-party"];
const ATTACHMENT_KINDS = ["complaint", "evidence", "identity", "other"];
const EDITABLE = new Set(["draft", "correction_requested"]);
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATUS_KIND = { draft: "neutral", submitted: "wait", correction_requested: "bad", accepted: "ok", rejected: "bad", mediation: "wait", mediated: "ok" };

// ---- shared with the clerk's queue

export const filingStatusBadge = (status) => badge(STATUS_KIND[status] ?? "neutral", `filing.status.${status}`);

/** "n of 7 days" since the first submission, marked when past the statutory limit; "—" before. */
export function daysCell(f) {
  if (f.daysElapsed === null || f.daysElapsed === undefined) return el("span", { class: "hint" }, "—");
  return el(
    "span",
    { "data-days": String(f.daysElapsed) },
    f.overdue ? badge("bad", "filing.daysOverdue", { days: f.daysElapsed, limit: f.statutoryLimitDays }) : tx("filing.days", { days: f.daysElapsed, limit: f.statutoryLimitDays }),
  );
}

const row = (key, value) => el("div", { class: "row" }, el("dt", {}, tx(key)), el("dd", {}, value));

/** What the court decided or asked, said above everything else. */
export function decisionNote(f) {
  if (f.status === "correction_requested")
    return el(
      "div",
      { class: "ws-message ws-message-bad", id: "correction-note", role: "note" },
      el("strong", {}, tx("filing.correction.asked")),
      el("p", {}, tx("filing.correction.reason"), colon(), el("span", { id: "correction-reason" }, f.correctionReason)),
      el("p", {}, tx("filing.correction.deadline"), colon(), el("span", { id: "correction-deadline" }, formatTime(f.correctionDeadline))),
    );
  if (f.status === "rejected")
    return el("div", { class: "ws-message ws-message-bad", id: "rejection-note", role: "note" }, tx("filing.rejected.reason"), colon(), f.decisionReason);
  if (f.status === "accepted")
    return el(
      "div",
      { class: "ws-message ws-message-ok", id: "accepted-note", role: "note" },
      tx("filing.accepted.note", { at: formatTime(f.decidedAt) }),
      f.caseId ? [" ", el("a", { href: `#/cases/${f.caseId}`, id: "accepted-case-link" }, tx("filing.accepted.open"))] : null,
    );
  return null;
}

/** The filing's header facts: court, state, version, the statutory clock, who filed. */
export function filingFacts(f) {
  return el(
    "dl",
    { class: "fields" },
    row("filing.court", f.court),
    row("filing.state", el("span", { id: "filing-status", "data-status": f.status }, filingStatusBadge(f.status))),
    row("filing.version", String(f.version)),
    row("filing.daysElapsed", daysCell(f)),
    f.filer ? row("filing.filer", f.filer.name) : null,
    f.firstSubmittedAt ? row("filing.firstSubmittedAt", formatTime(f.firstSubmittedAt)) : null,
  );
}

/** The filing's content as the viewer may see it (the court: the submitted version). */
export function filingContent(d) {
  const draft = d.draft ?? {};
  const parties = draft.parties ?? [];
  return el(
    "section",
    { class: "card", "aria-labelledby": "filing-content-title", id: "filing-content" },
    el("h2", { id: "filing-content-title" }, tx("filing.content")),
    el(
      "dl",
      { class: "fields" },
      row("filing.title", draft.title ?? "—"),
      row("filing.cause", draft.causeOfAction ?? "—"),
      row("filing.amount", draft.amount ? tx("filing.yuan", { amount: draft.amount }) : "—"),
      parties.map((p, i) =>
        row(
          "filing.party",
          el(
            "span",
            {},
            el("strong", {}, p.name),
            " (",
            tx(`party.${p.kind}`),
            ")",
            [p.idType && p.idNumber ? `${p.idType} ${p.idNumber}` : null, p.address, p.phone].filter(Boolean).map((s) => [" · ", s]),
            draft.filerPartyIndex === i ? [" ", el("span", { class: "ws-tag" }, tx("filing.filerParty"))] : null,
          ),
        ),
      ),
    ),
    el("h3", {}, tx("filing.claims")),
    el("ol", { id: "filing-claims" }, (draft.claims ?? []).map((c) => el("li", {}, c))),
    el("h3", {}, tx("filing.facts")),
    el("p", { class: "ws-facts", id: "filing-facts" }, draft.facts ?? "—"),
  );
}

/** The cited evidence, each verified afresh by the server (anchoring: batch, transaction, block). */
export function citationsTable(citations, { filingId, errors } = {}) {
  return table({
    id: "citations-table",
    caption: "filing.citations",
    empty: "filing.citations.empty",
    columns: ["filing.citation.item", "filing.citation.purpose", "filing.citation.anchoring"],
    rows: citations.map((c) =>
      el(
        "tr",
        { "data-evidence-id": c.evidenceId, "data-verified": String(!!c.verified) },
        el(
          "td",
          {},
          el("strong", {}, c.title ?? c.evidenceId),
          el("div", { class: "hint" }, "SHA-256", colon(), hex(c.sha256 ?? "—")),
          // a digest-only item has no file to open
          filingId && c.hasFile ? documentButton(filingId, c.evidenceId, c.title ?? c.evidenceId, errors) : null,
        ),
        el("td", {}, c.purpose),
        el(
          "td",
          {},
          c.verified ? badge("ok", "filing.citation.verified") : c.anchored ? badge("bad", "filing.citation.failed") : badge("wait", "filing.citation.pending"),
          c.batch?.txHash ? el("div", { class: "hint" }, tx("filing.citation.chain", { batch: c.batch.id ?? "—", block: c.batch.blockNumber ?? "—" }), " ", hex(c.batch.txHash)) : null,
          (c.checks ?? []).filter((k) => !k.ok).map((k) => el("div", { class: "hint", "data-failing-check": k.name }, k.name, colon(), k.detail ?? "")),
        ),
      ),
    ),
  });
}

/** A download of one file listed in the filing, through the filing (so the court's clerk may open it too). */
function documentButton(filingId, evidenceId, name, errors) {
  return el(
    "button",
    {
      type: "button",
      class: "button small",
      "data-open-document": evidenceId,
      onclick: async () => {
        try {
          await download(`filings/${filingId}/documents/${evidenceId}`, name);
        } catch (e) {
          if (errors) sayError(errors, e);
        }
      },
    },
    tx("filing.attachment.download"),
  );
}

/** The files of the filing; download buttons where the viewer may read them; removal for the filer. */
export function attachmentsTable(attachments, { filingId, onRemove, errors } = {}) {
  const shown = attachments.filter((a) => !a.removedAt);
  return table({
    id: "attachments-table",
    caption: "filing.attachments",
    empty: "filing.attachments.empty",
    columns: ["filing.attachment.title", "filing.attachment.kind", "filing.attachment.digest", "evidence.actions"],
    rows: shown.map((a) =>
      el(
        "tr",
        { "data-attachment-id": a.id, "data-kind": a.kind },
        el("td", {}, el("strong", {}, a.title), fileHint(a.fileName, a.size), el("div", { class: "hint" }, formatTime(a.addedAt))),
        el("td", {}, tx(`filing.kind.${a.kind}`)),
        el("td", {}, hex(a.sha256)),
        el(
          "td",
          { class: "ws-actions" },
          documentButton(filingId, a.evidenceId, a.fileName ?? a.title, errors),
          onRemove ? el("button", { type: "button", class: "button small danger", "data-remove": a.id, onclick: () => onRemove(a) }, tx("filing.attachment.remove")) : null,
        ),
      ),
    ),
  });
}

/** Every submitted version (the court reads the last; the earlier ones are kept). */
export function versionsTable(versions) {
  return table({
    id: "versions-table",
    caption: "filing.versions",
    empty: "filing.versions.empty",
    columns: ["filing.version", "filing.versionAt", "filing.versionRecord", "filing.versionComplaint"],
    rows: versions.map((v) =>
      el(
        "tr",
        { "data-version": String(v.version) },
        el("td", {}, String(v.version)),
        el("td", {}, formatTime(v.submittedAt)),
        el("td", {}, v.record ? hex(v.record.sha256) : "—"),
        el("td", {}, v.complaint ? hex(v.complaint.sha256) : "—"),
      ),
    ),
  });
}

export function eventsList(events) {
  return el(
    "ol",
    { class: "ws-events", id: "filing-events" },
    events.map((e) => {
      const key = `filing.event.${e.action.replace(/^filing\./, "")}`;
      // An action another room adds later is still listed, by its name, until it has its words.
      return el("li", { "data-action": e.action }, formatTime(e.at), " ", hasText(key) ? tx(key) : e.action);
    }),
  );
}

/** The filing's record: versions and events, below the content. */
export function filingRecord(d) {
  return el(
    "section",
    { class: "card", "aria-labelledby": "filing-record-title" },
    el("h2", { id: "filing-record-title" }, tx("filing.versions")),
    versionsTable(d.versions ?? []),
    el("h3", {}, tx("filing.events")),
    eventsList(d.events ?? []),
  );
}

// ---- the filer's list and new draft

export async function filingsView(root, ctx) {
  const errors = el("div", { role: "alert", id: "filings-errors" });
  const list = el("div", { id: "filings-list" });
  const { items } = await api("GET", "filings");
  if (!ctx.alive()) return;
  list.append(
    table({
      id: "filings-table",
      caption: "filings.title",
      empty: "filings.empty",
      columns: ["filing.title", "filing.court", "filing.state", "filing.version", "filing.daysElapsed", "filing.updatedAt"],
      rows: items.map((f) =>
        el(
          "tr",
          { "data-filing-id": f.id, "data-status": f.status },
          el("td", {}, el("a", { href: `#/filings/${f.id}` }, f.title ?? tx("filing.untitled"))),
          el("td", {}, f.court),
          el("td", {}, filingStatusBadge(f.status)),
          el("td", {}, String(f.version)),
          el("td", {}, daysCell(f)),
          el("td", {}, formatTime(f.updatedAt)),
        ),
      ),
    }),
  );
  const { items: courts } = await api("GET", "courts");
  if (!ctx.alive()) return;
  const formErrors = el("div", { role: "alert", id: "new-filing-errors" });
  const court = el("select", { name: "court" }, el("option", { value: "" }, tx("filing.pickCourt")), courts.map((c) => el("option", { value: c.id }, c.name)));
  const title = el("input", { type: "text", name: "title", maxlength: "300", autocomplete: "off" });
  const form = el(
    "form",
    { class: "form", id: "new-filing-form", novalidate: true },
    field("new-filing-court", "filing.court", court, { required: true }),
    field("new-filing-title", "filing.title", title, { required: true, hint: "filing.titleHint" }),
    formErrors,
    el("button", { type: "submit", class: "button primary", id: "new-filing-submit" }, tx("filing.new.submit")),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    formErrors.replaceChildren();
    if (!court.value || !title.value.trim()) return say(formErrors, "bad", "filing.new.missing");
    try {
      const f = await api("POST", "filings", { json: { courtId: court.value, title: title.value.trim() } });
      location.hash = `#/filings/${f.id}`;
    } catch (err) {
      sayError(formErrors, err);
    }
  });
  root.append(
    el(
      "section",
      { class: "card", "aria-labelledby": "filings-title" },
      el("h1", { id: "filings-title", tabindex: "-1", "data-view-heading": "" }, tx("filings.title")),
      el("p", { class: "hint" }, tx("filings.intro")),
      errors,
      list,
    ),
    el("section", { class: "card", "aria-labelledby": "new-filing-title-h" }, el("h2", { id: "new-filing-title-h" }, tx("filing.new.title")), form),
  );
}

// ---- one filing, as its filer sees it

let partyCounter = 0;

/** The draft's form: each field prefilled from the draft; collect() gives the PATCH body (empty fields left out). */
function draftForm(d) {
  const draft = d.draft ?? {};
  const partiesBox = el("div", { id: "filing-parties" });
  const rows = [];
  const filerParty = el("select", { name: "filerParty" });
  const refreshFilerParty = () => {
    const chosen = filerParty.value === "" ? String(draft.filerPartyIndex ?? 0) : filerParty.value;
    filerParty.replaceChildren(...rows.map((r, i) => el("option", { value: String(i), selected: String(i) === chosen }, r.name.value.trim() || tx("filing.partyN", { n: i + 1 }))));
  };
  const addParty = (p = { kind: rows.length ? "defendant" : "plaintiff" }) => {
    const n = ++partyCounter;
    const input = (name, max, value) => el("input", { type: "text", name, maxlength: String(max), autocomplete: "off", value: value ?? "" });
    const r = {
      kind: el("select", { name: "party-kind" }, PARTY_KINDS.map((k) => el("option", { value: k, selected: k === p.kind }, tx(`party.${k}`)))),
      name: input("party-name", 200, p.name),
      idType: input("party-id-type", 50, p.idType),
      idNumber: input("party-id-number", 100, p.idNumber),
      address: input("party-address", 500, p.address),
      phone: input("party-phone", 50, p.phone),
      organizationId: p.organizationId,
      email: p.email,
      representative: p.representative,
    };
    r.name.addEventListener("input", refreshFilerParty);
    const node = el(
      "div",
      { class: "ws-filing-party", "data-party-row": String(n) },
      field(`fp-${n}-name`, "filing.partyName", r.name, { required: true }),
      field(`fp-${n}-kind`, "filing.partyKind", r.kind),
      field(`fp-${n}-id-type`, "filing.partyIdType", r.idType),
      field(`fp-${n}-id-number`, "filing.partyIdNumber", r.idNumber),
      field(`fp-${n}-address`, "filing.partyAddress", r.address),
      field(`fp-${n}-phone`, "filing.partyPhone", r.phone),
      el(
        "button",
        {
          type: "button",
          class: "button small",
          "aria-describedby": `fp-${n}-name`,
          onclick: () => {
            rows.splice(rows.indexOf(r), 1);
            node.remove();
            refreshFilerParty();
          },
        },
        tx("filing.removeParty"),
      ),
    );
    rows.push(r);
    partiesBox.append(node);
    refreshFilerParty();
  };
  for (const p of draft.parties?.length ? draft.parties : [{ kind: "plaintiff" }, { kind: "defendant" }]) addParty(p);

  const citationsBox = el("div", { id: "filing-citations" });
  const citations = [];
  let citationCounter = 0;
  const addCitation = (c = {}) => {
    const n = ++citationCounter;
    const ref = el("input", { type: "text", name: "citation-ref", autocomplete: "off", spellcheck: "false", value: c.evidenceId ?? "" });
    const purpose = el("input", { type: "text", name: "citation-purpose", maxlength: "2000", autocomplete: "off", value: c.purpose ?? "" });
    const entry = { ref, purpose };
    const node = el(
      "div",
      { class: "ws-filing-citation", "data-citation-row": String(n) },
      field(`fc-${n}-ref`, "filing.citation.ref", ref, { hint: "filing.citation.refHint" }),
      field(`fc-${n}-purpose`, "filing.citation.purpose", purpose),
      el("button", { type: "button", class: "button small", "aria-describedby": `fc-${n}-ref`, onclick: () => (citations.splice(citations.indexOf(entry), 1), node.remove()) }, tx("filing.removeCitation")),
    );
    citations.push(entry);
    citationsBox.append(node);
  };
  for (const c of draft.citations ?? []) addCitation(c);

  const title = el("input", { type: "text", name: "title", maxlength: "300", autocomplete: "off", value: draft.title ?? "" });
  const cause = el("input", { type: "text", name: "cause", maxlength: "200", autocomplete: "off", value: draft.causeOfAction ?? "" });
  const amount = el("input", { type: "text", name: "amount", inputmode: "decimal", autocomplete: "off", value: draft.amount ?? "" });
  const claims = el("textarea", { name: "claims", rows: "4" });
  claims.value = (draft.claims ?? []).join("\n");
  const facts = el("textarea", { name: "facts", rows: "6" });
  facts.value = draft.facts ?? "";

  const node = el(
    "div",
    { class: "ws-filing-form" },
    field("filing-title", "filing.title", title, { required: true }),
    el("fieldset", { class: "ws-fieldset" }, el("legend", {}, tx("filing.parties")), partiesBox, el("button", { type: "button", class: "button", id: "add-filing-party", onclick: () => addParty({ kind: "third-party" }) }, tx("filing.addParty"))),
    field("filing-filer-party", "filing.filerPartyField", filerParty, { hint: "filing.filerPartyHint" }),
    field("filing-claims", "filing.claims", claims, { required: true, hint: "filing.claimsHint" }),
    field("filing-facts", "filing.facts", facts, { required: true }),
    field("filing-amount", "filing.amount", amount, { hint: "filing.amountHint" }),
    field("filing-cause", "filing.cause", cause),
    el(
      "fieldset",
      { class: "ws-fieldset" },
      el("legend", {}, tx("filing.citations")),
      el("p", { class: "hint" }, tx("filing.citations.intro")),
      citationsBox,
      el("button", { type: "button", class: "button", id: "add-citation", onclick: () => addCitation() }, tx("filing.addCitation")),
    ),
  );
  const text = (input) => input.value.trim() || undefined;
  const collect = () => {
    const body = {
      title: text(title),
      parties: rows
        .filter((r) => r.name.value.trim())
        .map((r) => {
          const p = { kind: r.kind.value, name: r.name.value.trim() };
          for (const k of ["idType", "idNumber", "address", "phone"]) if (r[k].value.trim()) p[k] = r[k].value.trim();
          for (const k of ["organizationId", "email", "representative"]) if (r[k]) p[k] = r[k];
          return p;
        }),
      claims: claims.value.split("\n").map((s) => s.trim()).filter(Boolean),
      facts: text(facts),
      amount: text(amount),
      causeOfAction: text(cause),
      citations: citations
        .filter((c) => c.ref.value.trim())
        .map((c) => {
          const ref = c.ref.value.trim();
          return { ...(UUID_RE.test(ref) ? { evidenceId: ref } : { sha256: ref }), purpose: c.purpose.value.trim() };
        }),
      filerPartyIndex: filerParty.value === "" ? undefined : Number(filerParty.value),
    };
    if (!body.parties.length) delete body.parties;
    if (!body.claims.length) delete body.claims;
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    return body;
  };
  return { node, collect };
}

/** The upload of one attachment: kind, title, file, with a progress bar. */
function attachForm(filingId, onDone) {
  const errors = el("div", { role: "alert", id: "attach-errors" });
  const kind = el("select", { name: "kind" }, ATTACHMENT_KINDS.map((k) => el("option", { value: k }, tx(`filing.kind.${k}`))));
  const title = el("input", { type: "text", name: "title", maxlength: "300", autocomplete: "off" });
  const file = el("input", { type: "file", name: "file" });
  const progress = progressBox("attach-progress");
  const form = el(
    "form",
    { class: "form", id: "attach-form", novalidate: true },
    field("attach-kind", "filing.attachment.kind", kind, { hint: "filing.attachment.kindHint" }),
    field("attach-title", "filing.attachment.title", title, { required: true }),
    field("attach-file", "filing.attachment.file", file, { required: true }),
    progress.node,
    errors,
    el("button", { type: "submit", class: "button", id: "attach-submit" }, tx("filing.attachment.upload")),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    errors.replaceChildren();
    if (!file.files?.length || !title.value.trim()) return say(errors, "bad", "filing.attachment.missing");
    const body = new FormData();
    body.append("kind", kind.value);
    body.append("title", title.value.trim());
    body.append("file", file.files[0]);
    progress.start();
    try {
      await upload(`filings/${filingId}/attachments`, body, (sent, total) => progress.update(sent, total));
      progress.done();
      await onDone("filing.attachment.added", { title: title.value.trim() });
    } catch (err) {
      progress.fail();
      sayError(errors, err);
    }
  });
  return form;
}

export async function filingView(root, ctx, id) {
  const d = await api("GET", `filings/${encodeURIComponent(id)}`);
  if (!ctx.alive()) return;
  const news = el("div", { role: "status", "aria-live": "polite", class: "ws-messages", id: "filing-news" });
  const errors = el("div", { role: "alert", id: "filing-errors" });
  /** Shows the filing again as the server now has it, with a message. */
  const reload = async (key, params) => {
    root.replaceChildren();
    await filingView(root, ctx, id);
    const again = root.querySelector("#filing-news");
    if (again && key) say(again, "ok", key, params);
  };
  const editable = EDITABLE.has(d.status) && d.filerId === ctx.me.id;
  const header = el(
    "section",
    { class: "card", "aria-labelledby": "filing-heading", "data-filing-id": d.id },
    el("p", { class: "hint" }, tx("filing.heading")),
    el("h1", { id: "filing-heading", tabindex: "-1", "data-view-heading": "" }, d.draft?.title ?? tx("filing.untitled")),
    filingFacts(d),
    decisionNote(d),
    el("p", {}, el("a", { href: "#/filings" }, tx("filing.back"))),
  );
  const sections = [header, news, errors];
  // a submitted filing may go to pre-litigation mediation first, at the filer's request
  if (d.status === "submitted" && d.filerId === ctx.me.id) sections.push(openMediationSection(d.id, "filer"));
  if (d.status === "mediation" || d.status === "mediated") sections.push(el("p", { class: "card" }, el("a", { href: "#/mediations", id: "filing-to-mediation" }, tx("mediation.fromFiling"))));
  if (editable) {
    const form = draftForm(d);
    const save = async () => api("PATCH", `filings/${d.id}`, { json: form.collect() });
    const draftSection = el(
      "form",
      { class: "card form", id: "filing-form", novalidate: true, "aria-labelledby": "filing-form-title" },
      el("h2", { id: "filing-form-title" }, tx(d.status === "correction_requested" ? "filing.amend" : "filing.draft")),
      form.node,
      el(
        "div",
        { class: "ws-actions" },
        el("button", { type: "submit", class: "button", id: "filing-save" }, tx("filing.save")),
        el(
          "button",
          {
            type: "button",
            class: "button primary",
            id: "filing-submit",
            onclick: async (e) => {
              errors.replaceChildren();
              // currentTarget is null once the handler has awaited: keep the button itself
              const button = e.currentTarget;
              button.disabled = true;
              try {
                await save();
                await api("POST", `filings/${d.id}/submit`);
                await reload(d.status === "correction_requested" ? "filing.resubmitted" : "filing.submitted");
              } catch (err) {
                sayError(errors, err);
                errors.scrollIntoView?.({ block: "center" });
              } finally {
                button.disabled = false;
              }
            },
          },
          tx(d.status === "correction_requested" ? "filing.resubmit" : "filing.submit"),
        ),
      ),
      el("p", { class: "hint" }, tx("filing.submitHint")),
    );
    draftSection.addEventListener("submit", async (e) => {
      e.preventDefault();
      errors.replaceChildren();
      try {
        await save();
        await reload("filing.saved");
      } catch (err) {
        sayError(errors, err);
      }
    });
    sections.push(
      draftSection,
      el(
        "section",
        { class: "card", "aria-labelledby": "attachments-title" },
        el("h2", { id: "attachments-title" }, tx("filing.attachments")),
        el("p", { class: "hint" }, tx("filing.attachments.intro")),
        attachmentsTable(d.attachments, {
          filingId: d.id,
          errors,
          onRemove: async (a) => {
            try {
              await api("DELETE", `filings/${d.id}/attachments/${a.id}`);
              await reload("filing.attachment.removed", { title: a.title });
            } catch (err) {
              sayError(errors, err);
            }
          },
        }),
        attachForm(d.id, async (key, params) => {
          // What was typed in the form is kept before the page is drawn again.
          await save().catch(() => undefined);
          await reload(key, params);
        }),
      ),
    );
  } else {
    sections.push(filingContent(d), el("section", { class: "card", "aria-labelledby": "attachments-title" }, el("h2", { id: "attachments-title" }, tx("filing.attachments")), attachmentsTable(d.attachments, { filingId: d.id, errors })));
  }
  sections.push(el("section", { class: "card", "aria-labelledby": "citations-title" }, el("h2", { id: "citations-title" }, tx("filing.citations")), citationsTable(d.citations ?? [], { filingId: d.id, errors })), filingRecord(d));
  root.append(...sections);
}
