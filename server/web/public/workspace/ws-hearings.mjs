// The hearings of a case (开庭): the judge schedules one or offers times (在线预约), serves the summons
// (传票), cancels; a party chooses an offered time, confirms attendance or asks to reschedule with a
// reason, and downloads the calendar file. And "My hearings": one's own calendar across cases.
import { api, download } from "./ws-api.mjs";
import { badge, el, field, formatTime, say, sayError, table, tx } from "./ws-dom.mjs";

const KINDS = ["trial", "pretrial", "mediation", "pronouncement"];
const BY_CODE = {
  hearing_conflict: "hearings.error.hearing_conflict",
  in_the_past: "hearings.error.in_the_past",
  already_chosen: "hearings.error.already_chosen",
  not_scheduled: "hearings.error.not_scheduled",
  hearing_cancelled: "hearings.error.hearing_cancelled",
  case_closed: "hearings.error.case_closed",
};
const STATUS_KIND = { scheduled: "ok", offered: "wait", cancelled: "bad" };

/** A datetime-local value (the browser's own time zone) as ISO, or null when blank. */
const iso = (v) => (v ? new Date(v).toISOString() : null);

function when(h) {
  if (h.startsAt) return `${formatTime(h.startsAt)} – ${formatTime(h.endsAt)}`;
  return "—";
}

function place(h) {
  return el("div", {}, h.room ? el("div", {}, h.room) : null, h.onlineUrl ? el("div", {}, el("a", { href: h.onlineUrl, rel: "noopener noreferrer", target: "_blank" }, tx("hearings.online"))) : null);
}

function statusCell(h) {
  return el(
    "div",
    {},
    badge(STATUS_KIND[h.status] ?? "neutral", `hearings.status.${h.status}`),
    h.sequence > 0 && h.status !== "cancelled" ? el("div", { class: "hint" }, tx("hearings.rescheduledTimes", { n: h.sequence })) : null,
    h.cancelReason ? el("div", { class: "hint" }, h.cancelReason) : null,
  );
}

function answersCell(h) {
  if (!h.responses.length) return tx("hearings.noAnswers");
  return el(
    "ul",
    { class: "ws-plain" },
    h.responses.map((r) =>
      el(
        "li",
        { "data-answer-party": r.party.id },
        `${r.party.name ?? ""}: `,
        tx(`hearings.answer.${r.response}`),
        r.reason ? ` (${r.reason})` : "",
        r.current ? "" : el("span", { class: "hint" }, " ", tx("hearings.stale")),
      ),
    ),
  );
}

function calendarButton(c, h, errors) {
  if (!h.calendarUrl) return null;
  return el(
    "button",
    { type: "button", class: "button", "data-action": "calendar", onclick: () => download(h.calendarUrl.replace(/^\/api\//, ""), `hearing-${h.id}.ics`).catch((e) => sayError(errors, e, BY_CODE)) },
    tx("hearings.calendar"),
  );
}

/** The judge's part: the list with its actions, and the form that schedules or offers times. */
export function hearingsCourtSection(ctx, c) {
  const news = el("div", { role: "status", "aria-live": "polite" });
  const errors = el("div", { role: "alert" });
  const listBox = el("div", { id: "hearings-list" });
  const act = async (fn, key) => {
    errors.replaceChildren();
    try {
      const out = await fn();
      say(news, "ok", key, out);
      await refresh();
    } catch (e) {
      sayError(errors, e, BY_CODE);
    }
  };
  // Cancelling says why: the reason goes to every party, so it is asked for in the row, not by a dialog.
  const cancelForm = (h) => {
    const f = el(
      "form",
      { class: "ws-inline-form", "data-cancel-form": h.id },
      el("label", {}, tx("hearings.form.cancelReason"), el("input", { type: "text", name: "reason", maxlength: "1000", required: true, autocomplete: "off" })),
      el("button", { type: "submit", class: "button", "data-action": "cancel" }, tx("hearings.cancel")),
    );
    f.addEventListener("submit", (e) => {
      e.preventDefault();
      const reason = f.reason.value.trim();
      act(() => api("POST", `cases/${c.id}/hearings/${h.id}/cancel`, { json: { reason } }), "hearings.cancelled");
    });
    return f;
  };
  const refresh = async () => {
    const { hearings } = await api("GET", `cases/${c.id}/hearings`);
    if (!ctx.alive()) return;
    listBox.replaceChildren(
      table({
        id: "hearings-table",
        caption: "hearings.title",
        empty: "hearings.empty",
        columns: ["hearings.kind", "hearings.when", "hearings.place", "hearings.state", "hearings.answers", "hearings.actions"],
        rows: hearings.map((h) =>
          el(
            "tr",
            { "data-hearing-id": h.id },
            el("td", {}, tx(`hearings.kind.${h.kind}`)),
            el("td", {}, h.startsAt ? when(h) : el("ul", { class: "ws-plain" }, h.slots.map((s) => el("li", {}, `${formatTime(s.startsAt)} – ${formatTime(s.endsAt)}`)))),
            el("td", {}, place(h)),
            el("td", {}, statusCell(h)),
            el("td", {}, answersCell(h), h.summonses.some((s) => s.current) ? el("div", { class: "hint" }, tx("hearings.summoned", { n: h.summonses.filter((s) => s.current).length })) : null),
            el(
              "td",
              {},
              h.status === "scheduled" && c.status === "open"
                ? el(
                    "button",
                    {
                      type: "button",
                      class: "button primary",
                      "data-action": "summons",
                      onclick: () =>
                        act(async () => {
                          const out = await api("POST", `cases/${c.id}/hearings/${h.id}/summons`, { json: {} });
                          return { served: out.served.length, skipped: out.skipped.length };
                        }, "hearings.summonsServed"),
                    },
                    tx("hearings.serveSummons"),
                  )
                : null,
              calendarButton(c, h, errors),
              h.status !== "cancelled" && c.status === "open" ? cancelForm(h) : null,
            ),
          ),
        ),
      }),
    );
  };

  const slotRow = (n) =>
    el(
      "div",
      { class: "ws-inline-form", "data-slot": String(n) },
      field(`hearing-slot${n}-start`, "hearings.form.slotStart", el("input", { type: "datetime-local", name: `slot${n}Start` })),
      field(`hearing-slot${n}-end`, "hearings.form.slotEnd", el("input", { type: "datetime-local", name: `slot${n}End` })),
    );
  const form = el("form", { id: "hearing-form", novalidate: true });
  form.append(
    field("hearing-kind", "hearings.kind", el("select", { name: "kind" }, KINDS.map((k) => el("option", { value: k }, tx(`hearings.kind.${k}`))))),
    el(
      "fieldset",
      { class: "field" },
      el("legend", {}, tx("hearings.form.mode")),
      el("label", {}, el("input", { type: "radio", name: "mode", value: "fixed", id: "hearing-mode-fixed", checked: true }), " ", tx("hearings.form.fixed")),
      el("label", {}, el("input", { type: "radio", name: "mode", value: "slots", id: "hearing-mode-slots" }), " ", tx("hearings.form.slots")),
    ),
    el(
      "div",
      { class: "ws-inline-form", id: "hearing-fixed" },
      field("hearing-start", "hearings.form.start", el("input", { type: "datetime-local", name: "start" })),
      field("hearing-end", "hearings.form.end", el("input", { type: "datetime-local", name: "end" })),
    ),
    el("div", { id: "hearing-slots", hidden: true }, slotRow(1), slotRow(2), slotRow(3)),
    field("hearing-room", "hearings.form.room", el("input", { type: "text", name: "room", maxlength: "100", autocomplete: "off" })),
    field("hearing-online", "hearings.form.online", el("input", { type: "url", name: "onlineUrl", maxlength: "500", placeholder: "https://" }), { hint: "hearings.form.onlineHint" }),
    field("hearing-notes", "hearings.form.notes", el("textarea", { name: "notes", rows: "2", maxlength: "2000" })),
    el("button", { type: "submit", class: "button primary", id: "hearing-submit" }, tx("hearings.form.submit")),
  );
  for (const r of form.querySelectorAll("input[name=mode]")) {
    r.addEventListener("change", () => {
      const slots = form.mode.value === "slots";
      form.querySelector("#hearing-slots").hidden = !slots;
      form.querySelector("#hearing-fixed").hidden = slots;
    });
  }
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    errors.replaceChildren();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const body = { kind: form.kind.value };
      if (form.room.value.trim()) body.room = form.room.value.trim();
      if (form.onlineUrl.value.trim()) body.onlineUrl = form.onlineUrl.value.trim();
      if (form.notes.value.trim()) body.notes = form.notes.value.trim();
      if (form.mode.value === "slots") {
        body.slots = [1, 2, 3]
          .map((n) => ({ startsAt: iso(form[`slot${n}Start`].value), endsAt: iso(form[`slot${n}End`].value) }))
          .filter((s) => s.startsAt || s.endsAt);
      } else {
        body.startsAt = iso(form.start.value) ?? undefined;
        body.endsAt = iso(form.end.value) ?? undefined;
      }
      const made = await api("POST", `cases/${c.id}/hearings`, { json: body });
      say(news, "ok", made.status === "offered" ? "hearings.offeredNews" : "hearings.scheduledNews", { when: when(made) });
      form.reset();
      await refresh();
    } catch (err) {
      sayError(errors, err, BY_CODE);
    } finally {
      button.disabled = false;
    }
  });

  const node = el(
    "section",
    { class: "card", id: "hearings-section", "aria-labelledby": "hearings-title" },
    el("h2", { id: "hearings-title" }, tx("hearings.title")),
    el("p", { class: "hint" }, tx("hearings.introCourt")),
    news,
    errors,
    listBox,
    c.status === "open" ? el("div", {}, el("h3", { id: "hearing-form-title" }, tx("hearings.form.title")), form) : null,
  );
  void refresh().catch((err) => ctx.alive() && sayError(errors, err));
  return node;
}

/** A party's part: the hearings, an offered time to choose, an answer to give, the calendar file. */
export function hearingsPartySection(ctx, c) {
  const news = el("div", { role: "status", "aria-live": "polite" });
  const errors = el("div", { role: "alert" });
  const listBox = el("div", { id: "hearings-list" });
  const act = async (fn, key) => {
    errors.replaceChildren();
    try {
      await fn();
      say(news, "ok", key);
      await refresh();
    } catch (e) {
      sayError(errors, e, BY_CODE);
    }
  };
  const answerForm = (h) => {
    const f = el(
      "form",
      { class: "ws-inline-form", "data-answer-form": h.id },
      el("label", {}, tx("hearings.form.reason"), el("input", { type: "text", name: "reason", maxlength: "1000", autocomplete: "off" })),
      el("button", { type: "button", class: "button primary", "data-action": "confirm" }, tx("hearings.confirm")),
      el("button", { type: "button", class: "button", "data-action": "reschedule" }, tx("hearings.askReschedule")),
    );
    f.querySelector("[data-action=confirm]").addEventListener("click", () =>
      act(() => api("POST", `cases/${c.id}/hearings/${h.id}/responses`, { json: { response: "confirmed" } }), "hearings.confirmedNews"),
    );
    f.querySelector("[data-action=reschedule]").addEventListener("click", () => {
      const reason = f.reason.value.trim();
      act(() => api("POST", `cases/${c.id}/hearings/${h.id}/responses`, { json: { response: "reschedule", ...(reason ? { reason } : {}) } }), "hearings.rescheduleNews");
    });
    return f;
  };
  const refresh = async () => {
    const { hearings } = await api("GET", `cases/${c.id}/hearings`);
    if (!ctx.alive()) return;
    listBox.replaceChildren(
      table({
        id: "hearings-table",
        caption: "hearings.title",
        empty: "hearings.empty",
        columns: ["hearings.kind", "hearings.when", "hearings.place", "hearings.state", "hearings.yourAnswer", "hearings.actions"],
        rows: hearings.map((h) =>
          el(
            "tr",
            { "data-hearing-id": h.id },
            el("td", {}, tx(`hearings.kind.${h.kind}`)),
            el(
              "td",
              {},
              h.startsAt
                ? when(h)
                : el(
                    "ul",
                    { class: "ws-plain" },
                    h.slots.map((s) =>
                      el(
                        "li",
                        {},
                        `${formatTime(s.startsAt)} – ${formatTime(s.endsAt)} `,
                        h.status === "offered" && c.status === "open"
                          ? el(
                              "button",
                              { type: "button", class: "button", "data-action": "choose", "data-slot-id": s.id, onclick: () => act(() => api("POST", `cases/${c.id}/hearings/${h.id}/slots/${s.id}/choose`), "hearings.chosenNews") },
                              tx("hearings.choose"),
                            )
                          : null,
                      ),
                    ),
                  ),
            ),
            el("td", {}, place(h)),
            el("td", {}, statusCell(h)),
            el("td", {}, answersCell(h)),
            el("td", {}, h.status === "scheduled" && c.status === "open" ? answerForm(h) : null, calendarButton(c, h, errors)),
          ),
        ),
      }),
    );
  };
  const node = el(
    "section",
    { class: "card", id: "hearings-section", "aria-labelledby": "hearings-title" },
    el("h2", { id: "hearings-title" }, tx("hearings.title")),
    el("p", { class: "hint" }, tx("hearings.introParty")),
    news,
    errors,
    listBox,
  );
  void refresh().catch((err) => ctx.alive() && sayError(errors, err));
  return node;
}

/** My hearings: every hearing of a case one judges or acts in, from yesterday on, and the offered ones. */
export async function hearingsView(root, ctx) {
  const errors = el("div", { role: "alert" });
  const listBox = el("div", { id: "my-hearings" });
  root.append(
    el(
      "section",
      { class: "card", "aria-labelledby": "my-hearings-title" },
      el("h1", { id: "my-hearings-title", tabindex: "-1", "data-view-heading": "" }, tx("hearings.mine.title")),
      el("p", { class: "hint" }, tx("hearings.mine.intro")),
      errors,
      listBox,
    ),
  );
  try {
    const { hearings } = await api("GET", "hearings");
    if (!ctx.alive()) return;
    listBox.replaceChildren(
      table({
        id: "my-hearings-table",
        caption: "hearings.mine.title",
        empty: "hearings.mine.empty",
        columns: ["hearings.when", "inbox.case", "hearings.kind", "hearings.place", "hearings.state"],
        rows: hearings.map((h) =>
          el(
            "tr",
            { "data-hearing-id": h.id },
            el("td", {}, h.startsAt ? when(h) : tx("hearings.toChoose", { n: h.slots.length })),
            el("td", {}, el("a", { href: `#/cases/${h.case.id}` }, h.case.number), el("div", { class: "hint" }, h.case.court)),
            el("td", {}, tx(`hearings.kind.${h.kind}`)),
            el("td", {}, place(h)),
            el("td", {}, statusCell(h)),
          ),
        ),
      }),
    );
  } catch (e) {
    if (ctx.alive()) sayError(errors, e, BY_CODE);
  }
}
