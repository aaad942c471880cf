// The filing clerk's queue (立案庭): the court's submitted filings, oldest first, each with the days
// the court has had it against the statutory 7; one filing as submitted (content, attachments,
// verified citations, versions) and the three decisions: accept (a judge of the court picked from
// the directory, the cause of action, a case number or the court's format), ask for corrections
// (a reason and a deadline), or reject (a reason).
import { openMediationSection } from "./ws-mediation.mjs";
import { api } from "./ws-api.mjs";
import { confirmStep, el, field, formatTime, say, sayError, table, tx } from "./ws-dom.mjs";
import { attachmentsTable, citationsTable, daysCell, decisionNote, filingContent, filingFacts, filingRecord, filingStatusBadge } from "./ws-filing.mjs";

export async function queueView(root, ctx) {
  const { items } = await api("GET", "filings/queue");
  if (!ctx.alive()) return;
  root.append(
    el(
      "section",
      { class: "card", "aria-labelledby": "queue-title" },
      el("h1", { id: "queue-title", tabindex: "-1", "data-view-heading": "" }, tx("queue.title")),
      el("p", { class: "hint" }, tx("queue.intro")),
      table({
        id: "queue-table",
        caption: "queue.title",
        empty: "queue.empty",
        columns: ["filing.title", "filing.filer", "filing.firstSubmittedAt", "filing.version", "filing.daysElapsed", "filing.state"],
        rows: items.map((f) =>
          el(
            "tr",
            { "data-filing-id": f.id, "data-overdue": String(f.overdue) },
            el("td", {}, el("a", { href: `#/queue/${f.id}` }, f.title ?? tx("filing.untitled"))),
            el("td", {}, f.filer ?? "—"),
            el("td", {}, formatTime(f.firstSubmittedAt)),
            el("td", {}, String(f.version)),
            el("td", {}, daysCell(f)),
            el("td", {}, filingStatusBadge(f.status)),
          ),
        ),
      }),
    ),
  );
}

/** The court's judges, for the acceptance's judge. */
async function courtJudges(courtId) {
  const { people } = await api("GET", `directory/people?role=judge&organizationId=${encodeURIComponent(courtId)}&limit=100`);
  return people.filter((p) => p.status !== "disabled");
}

/** Tomorrow + n days as YYYY-MM-DD (the date input's format), in local time. */
function dateIn(days) {
  const d = new Date(Date.now() + days * 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

function decisions(d, judges, decided) {
  const acceptErrors = el("div", { role: "alert", id: "accept-errors" });
  const judge = el("select", { name: "judge" }, el("option", { value: "" }, tx("queue.pickJudge")), judges.map((j) => el("option", { value: j.id }, j.name)));
  const cause = el("input", { type: "text", name: "cause", maxlength: "200", autocomplete: "off", value: d.draft?.causeOfAction ?? "" });
  const number = el("input", { type: "text", name: "number", maxlength: "100", autocomplete: "off", spellcheck: "false" });
  const accept = el(
    "form",
    { class: "form", id: "accept-form", novalidate: true, "aria-labelledby": "accept-title" },
    el("h3", { id: "accept-title" }, tx("queue.accept.title")),
    field("accept-judge", "queue.accept.judge", judge, { required: true, hint: judges.length ? undefined : "queue.accept.noJudges" }),
    field("accept-cause", "filing.cause", cause, { required: true }),
    field("accept-number", "queue.accept.number", number, { hint: "queue.accept.numberHint" }),
    acceptErrors,
    el("button", { type: "submit", class: "button primary", id: "accept-submit" }, tx("queue.accept.submit")),
  );
  accept.addEventListener("submit", async (e) => {
    e.preventDefault();
    acceptErrors.replaceChildren();
    if (!judge.value || !cause.value.trim()) return say(acceptErrors, "bad", "queue.accept.missing");
    try {
      const made = await api("POST", `filings/${d.id}/accept`, { json: { judgeId: judge.value, causeOfAction: cause.value.trim(), ...(number.value.trim() ? { number: number.value.trim() } : {}) } });
      await decided("queue.accepted", { number: made.number });
    } catch (err) {
      sayError(acceptErrors, err);
    }
  });

  const correctionErrors = el("div", { role: "alert", id: "correction-errors" });
  const reason = el("textarea", { name: "reason", rows: "3", maxlength: "2000" });
  const deadline = el("input", { type: "date", name: "deadline", value: dateIn(7), min: dateIn(1) });
  const correction = el(
    "form",
    { class: "form", id: "correction-form", novalidate: true, "aria-labelledby": "correction-title" },
    el("h3", { id: "correction-title" }, tx("queue.correction.title")),
    field("correction-reason-input", "queue.correction.reason", reason, { required: true }),
    field("correction-deadline-input", "queue.correction.deadline", deadline, { required: true, hint: "queue.correction.deadlineHint" }),
    correctionErrors,
    el("button", { type: "submit", class: "button", id: "correction-submit" }, tx("queue.correction.submit")),
  );
  correction.addEventListener("submit", async (e) => {
    e.preventDefault();
    correctionErrors.replaceChildren();
    if (!reason.value.trim() || !deadline.value) return say(correctionErrors, "bad", "queue.correction.missing");
    try {
      await api("POST", `filings/${d.id}/corrections`, { json: { reason: reason.value.trim(), deadline: deadline.value } });
      await decided("queue.correctionAsked");
    } catch (err) {
      sayError(correctionErrors, err);
    }
  });

  const rejectReason = el("textarea", { name: "reject-reason", rows: "3", maxlength: "2000" });
  const reject = confirmStep({
    id: "reject-form",
    title: ["queue.reject.title"],
    text: ["queue.reject.text"],
    body: [field("reject-reason", "queue.reject.reason", rejectReason, { required: true })],
    confirm: ["queue.reject.submit"],
    onCancel: () => reject.close(),
    onConfirm: async (_form, errors) => {
      if (!rejectReason.value.trim()) return say(errors, "bad", "queue.reject.missing");
      try {
        await api("POST", `filings/${d.id}/reject`, { json: { reason: rejectReason.value.trim() } });
        await decided("queue.rejected");
      } catch (err) {
        sayError(errors, err);
      }
    },
  });
  return el(
    "section",
    { class: "card", id: "decisions", "aria-labelledby": "decisions-title" },
    el("h2", { id: "decisions-title" }, tx("queue.decide")),
    accept,
    correction,
    el("div", { class: "ws-actions" }, el("button", { type: "button", class: "button danger", id: "reject-open", onclick: () => reject.open() }, tx("queue.reject.open"))),
    reject.node,
  );
}

export async function queueFilingView(root, ctx, id) {
  const d = await api("GET", `filings/${encodeURIComponent(id)}`);
  const judges = d.status === "submitted" ? await courtJudges(d.courtId) : [];
  if (!ctx.alive()) return;
  const news = el("div", { role: "status", "aria-live": "polite", class: "ws-messages", id: "filing-news" });
  const errors = el("div", { role: "alert", id: "filing-errors" });
  const decided = async (key, params) => {
    root.replaceChildren();
    await queueFilingView(root, ctx, id);
    const again = root.querySelector("#filing-news");
    if (again) say(again, "ok", key, params);
  };
  // root.append writes an absent section (null) as the text "null": only the present ones
  const sections = [
    el(
      "section",
      { class: "card", "aria-labelledby": "filing-heading", "data-filing-id": d.id },
      el("p", { class: "hint" }, tx("queue.filingHeading")),
      el("h1", { id: "filing-heading", tabindex: "-1", "data-view-heading": "" }, d.draft?.title ?? tx("filing.untitled")),
      filingFacts(d),
      decisionNote(d),
      el("p", {}, el("a", { href: "#/queue" }, tx("queue.back"))),
    ),
    news,
    errors,
    filingContent(d),
    el("section", { class: "card", "aria-labelledby": "attachments-title" }, el("h2", { id: "attachments-title" }, tx("filing.attachments")), attachmentsTable(d.attachments, { filingId: d.id, errors })),
    el("section", { class: "card", "aria-labelledby": "citations-title" }, el("h2", { id: "citations-title" }, tx("filing.citations")), citationsTable(d.citations ?? [], { filingId: d.id, errors })),
    d.status === "submitted" ? decisions(d, judges, decided) : null,
    d.status === "submitted" ? openMediationSection(d.id, "clerk") : null,
    filingRecord(d),
  ];
  root.append(...sections.filter(Boolean));
}
