// Cases for the people who act for a party (lawyers, enterprise members): the case list, a case
// with our evidence (submitted with an upload progress bar, then finalised), the other side's
// evidence with the opinions on it, and the inbox of documents served by the court. For a judge,
// the case list also has the form that opens a new case: parties' organisations and their
// representatives picked from the directory, or representatives invited by e-mail. Filing clerks
// see the list only.
import { api, download } from "./ws-api.mjs";
import { badge, colon, el, field, fileHint, formatTime, progressBox, replaceKeepingFocus, say, sayError, table, tx } from "./ws-dom.mjs";
import { certificateButton, evidenceCell, fileButton, partyCell, sendsUpload } from "./ws-evidence.mjs";
import { directoryPicker, findOrganizations, findPeople, organizationLine, personLine } from "./ws-picker.mjs";
import { serviceAddressesPartySection } from "./ws-service-addresses.mjs";
import { hearingsPartySection } from "./ws-hearings.mjs";

const POLL_MS = 5000;
const PARTY_KINDS = ["plaintiff", "defendant", "third-party"];

// ---- shared with the judge's view

export const caseStatusBadge = (status) => badge(status === "open" ? "ok" : "neutral", `case.status.${status}`);
export const submissionBadge = (status) => badge(status === "finalised" ? "ok" : "neutral", `submission.${status}`);
const partyKind = (kind) => tx(`party.${kind}`);
/** Names joined by "、" in Chinese, ", " in English. */
export const joinList = (names) => names.flatMap((n, i) => (i ? [tx("punct.list"), n] : [n]));

/** Anchoring of an evidence item as the lists report it (queued / batched / sent / anchored). */
export function anchoringBadge(status) {
  if (status === "anchored") return badge("ok", "anchoring.anchored");
  if (!status) return badge("neutral", "anchoring.unknown");
  return badge("wait", "anchoring.pending", { status });
}

export function caseHeader(c) {
  const row = (key, value) => el("div", { class: "row" }, el("dt", {}, tx(key)), el("dd", {}, value));
  return el(
    "section",
    { class: "card", "aria-labelledby": "case-title" },
    el("p", { class: "hint" }, tx("case.heading")),
    el("h1", { id: "case-title", tabindex: "-1", "data-view-heading": "" }, c.number),
    el(
      "dl",
      { class: "fields" },
      row("case.court", c.court),
      row("case.cause", c.causeOfAction),
      row("case.status", caseStatusBadge(c.status)),
      row("case.openedAt", formatTime(c.openedAt)),
      c.status === "closed" ? row("case.closedAt", formatTime(c.closedAt)) : null,
      row("case.judges", joinList(c.judges.map((j) => j.name ?? j.id))),
      c.parties.map((p) =>
        row(
          "case.party",
          el(
            "span",
            {},
            el("strong", {}, p.name),
            " (",
            partyKind(p.kind),
            ")",
            p.members.length ? [colon(), joinList(p.members.map((m) => m.name ?? m.id))] : null,
            c.you.partyId === p.id ? [" ", el("span", { class: "ws-tag" }, tx("case.yourParty"))] : null,
          ),
        ),
      ),
    ),
    c.status === "closed" ? el("p", { class: "hint", id: "case-closed-note" }, tx("case.closedNote")) : null,
  );
}

/** The three points of an opinion: authenticity, legality, relevance, each accepted or disputed. */
export function opinionSummary(o) {
  return el(
    "ul",
    { class: "ws-opinion" },
    ["authenticity", "legality", "relevance"].map((aspect) =>
      el(
        "li",
        {},
        tx(`opinion.${aspect}`),
        colon(),
        badge(o[aspect].position === "accept" ? "ok" : "bad", `opinion.${o[aspect].position}`),
        o[aspect].comment ? [" ", el("span", { class: "ws-comment" }, o[aspect].comment)] : null,
      ),
    ),
  );
}

/** A poller that runs while the view is shown: run now, then every ms, never two at once. */
export function poll(ctx, ms, run) {
  let timer = null;
  let stopped = false;
  const loop = async () => {
    try {
      await run();
    } catch {
      // shown by run itself; try again next time
    }
    if (!stopped && ctx.alive()) timer = setTimeout(loop, ms);
  };
  ctx.onLeave(() => {
    stopped = true;
    clearTimeout(timer);
  });
  return loop();
}

// ---- the case list (and, for a judge, a new case)

export async function casesListView(root, ctx) {
  const news = el("div", { role: "status", "aria-live": "polite", class: "ws-messages", id: "cases-news" });
  const errors = el("div", { role: "alert", id: "cases-errors" });
  const list = el("div", { id: "case-list" });
  const refresh = async () => {
    const { items } = await api("GET", "cases");
    if (!ctx.alive()) return;
    list.replaceChildren(
      table({
        id: "cases-table",
        caption: "cases.title",
        empty: "cases.empty",
        columns: ["cases.number", "case.court", "case.cause", "case.status", "cases.yourRole", "case.openedAt"],
        rows: items.map((c) =>
          el(
            "tr",
            { "data-case-id": c.id, "data-status": c.status },
            el("td", {}, el("a", { href: `#/cases/${c.id}` }, c.number)),
            el("td", {}, c.court),
            el("td", {}, c.causeOfAction),
            el("td", {}, caseStatusBadge(c.status)),
            el("td", {}, tx(c.role === "judge" ? "cases.role.judge" : "cases.role.party")),
            el("td", {}, formatTime(c.openedAt)),
          ),
        ),
      }),
    );
  };
  root.append(
    el(
      "section",
      { class: "card", "aria-labelledby": "cases-title" },
      el("h1", { id: "cases-title", tabindex: "-1", "data-view-heading": "" }, tx("cases.title")),
      news,
      errors,
      list,
    ),
    ctx.me.role === "judge"
      ? el(
          "section",
          { class: "card", "aria-labelledby": "new-case-title" },
          el("h2", { id: "new-case-title" }, tx("case.new.title")),
          el("p", { class: "hint" }, tx("case.new.intro")),
          newCaseForm(refresh, news, ctx.me),
        )
      : null,
  );
  try {
    await refresh();
  } catch (e) {
    sayError(errors, e);
  }
}

let partyCounter = 0;

/** Who may act for a party, as the directory finds them: lawyers, and members of the party's organisation. */
export async function findRepresentatives(q, organizationId) {
  const [lawyers, members] = await Promise.all([findPeople(q, { role: "lawyer" }), organizationId ? findPeople(q, { role: "member", organizationId }) : []]);
  const seen = new Set();
  return [...lawyers, ...members].filter((p) => !seen.has(p.id) && seen.add(p.id));
}

/**
 * The representatives chosen for a party before the case exists: people picked from the directory
 * and addresses to invite (name and e-mail), each shown with its remove button.
 */
function representativesField(n, orgIdOf) {
  const chosen = [];
  const list = el("ul", { class: "ws-chips", id: `party-${n}-reps`, "aria-live": "polite" });
  const render = () =>
    list.replaceChildren(
      ...chosen.map((r, i) =>
        el(
          "li",
          { class: "ws-chip", "data-rep": r.userId ?? r.email },
          r.userId ? [r.name, " · ", r.email] : [tx("case.new.inviteChip"), " ", r.name, " · ", r.email],
          el(
            "button",
            {
              type: "button",
              class: "ws-chip-remove",
              onclick: () => {
                chosen.splice(i, 1);
                render();
                picker.input.focus();
              },
            },
            el("span", { "aria-hidden": "true" }, "×"),
            el("span", { class: "visually-hidden" }, tx("case.new.removeRep", { name: r.name })),
          ),
        ),
      ),
    );
  const picker = directoryPicker({
    id: `party-${n}-rep`,
    labelKey: "case.new.repSearch",
    hint: "case.new.repSearchHint",
    name: "party-rep",
    search: (q) => findRepresentatives(q, orgIdOf()),
    line: personLine,
    onPick: (p) => {
      if (!chosen.some((r) => r.userId === p.id)) chosen.push({ userId: p.id, name: p.name, email: p.email });
      render();
      picker.set("");
    },
  });
  const email = el("input", { type: "email", name: "party-invite-email", maxlength: "254", autocomplete: "off", spellcheck: "false" });
  const name = el("input", { type: "text", name: "party-invite-name", maxlength: "200", autocomplete: "off" });
  const problem = el("div", { role: "alert" });
  const add = el(
    "button",
    {
      type: "button",
      class: "button small",
      "data-action": "add-invite",
      onclick: () => {
        problem.replaceChildren();
        const e = email.value.trim().toLowerCase();
        const nm = name.value.trim();
        if (!e || !email.checkValidity()) {
          say(problem, "bad", "case.new.inviteEmailMissing");
          return email.focus();
        }
        if (!nm) {
          say(problem, "bad", "case.new.inviteNameMissing");
          return name.focus();
        }
        if (!chosen.some((r) => r.email === e)) chosen.push({ email: e, name: nm });
        email.value = "";
        name.value = "";
        render();
        email.focus();
      },
    },
    tx("case.new.addInvite"),
  );
  const node = el(
    "div",
    { class: "ws-reps" },
    el("p", { class: "ws-reps-title", id: `party-${n}-reps-title` }, tx("case.new.reps")),
    list,
    picker.node,
    el(
      "details",
      { class: "ws-invite" },
      el("summary", {}, tx("case.new.inviteSummary")),
      el("div", { class: "ws-inline" }, field(`party-${n}-invite-email`, "case.new.inviteEmail", email), field(`party-${n}-invite-name`, "case.new.inviteName", name), add),
      problem,
    ),
  );
  list.setAttribute("aria-labelledby", `party-${n}-reps-title`);
  return {
    node,
    members: () => chosen.filter((r) => r.userId).map((r) => r.userId),
    invite: () => chosen.filter((r) => !r.userId).map(({ email: e, name: nm }) => ({ email: e, name: nm })),
  };
}

/** A judge's form for a new case: number, court, cause of action, and its parties (at least a plaintiff and a defendant). */
function newCaseForm(refresh, news, me) {
  const errors = el("div", { role: "alert", id: "new-case-errors" });
  const partiesBox = el("div", { id: "party-rows" });
  const parties = new Map();
  const addParty = (kind = "plaintiff", focus = true) => {
    const n = ++partyCounter;
    const kindSelect = el("select", { name: "party-kind" }, PARTY_KINDS.map((k) => el("option", { value: k, selected: k === kind }, tx(`party.${k}`))));
    const nameInput = el("input", { type: "text", name: "party-name", maxlength: "200", autocomplete: "off" });
    let orgId = null;
    const org = directoryPicker({
      id: `party-${n}-org`,
      labelKey: "case.new.partyOrg",
      hint: "case.new.partyOrgHint",
      name: "party-org",
      search: (q) => findOrganizations(q),
      line: organizationLine,
      pickedText: (o) => o.name,
      onPick: (o) => {
        orgId = o.id;
        row.dataset.organizationId = o.id;
        if (!nameInput.value.trim()) nameInput.value = o.name;
      },
      onType: () => {
        orgId = null;
        delete row.dataset.organizationId;
      },
    });
    const reps = representativesField(n, () => orgId);
    const row = el(
      "div",
      { class: "ws-party-row", "data-party-row": String(n) },
      field(`party-${n}-name`, "case.new.partyName", nameInput, { required: true }),
      field(`party-${n}-kind`, "case.new.partyKind", kindSelect, { required: true }),
      org.node,
      reps.node,
      el(
        "button",
        { type: "button", class: "button small", onclick: () => (parties.delete(row), row.remove(), addButton.focus()), "aria-describedby": `party-${n}-name` },
        tx("case.new.removeParty"),
      ),
    );
    parties.set(row, { reps, orgId: () => orgId });
    partiesBox.append(row);
    if (focus) nameInput.focus();
  };
  const addButton = el("button", { type: "button", class: "button", id: "add-party", onclick: () => addParty("third-party") }, tx("case.new.addParty"));
  const court = el("input", { type: "text", name: "court", maxlength: "200", autocomplete: "off" });
  const form = el(
    "form",
    { class: "form", id: "new-case-form", novalidate: true },
    field("case-number", "cases.number", el("input", { type: "text", name: "number", maxlength: "100", autocomplete: "off", spellcheck: "false" }), { required: true, hint: "case.new.numberHint" }),
    field("case-court", "case.court", court, { required: true }),
    field("case-cause", "case.cause", el("input", { type: "text", name: "cause", maxlength: "200", autocomplete: "off" }), { required: true }),
    el("fieldset", { class: "ws-fieldset" }, el("legend", {}, tx("case.new.parties")), el("p", { class: "hint" }, tx("case.new.partiesIntro")), partiesBox, addButton),
    errors,
    el("button", { type: "submit", class: "button primary", id: "open-case" }, tx("case.new.submit")),
  );
  const reset = () => {
    form.reset();
    // A judge's own court is the usual one.
    if (me.organization?.kind === "court") court.value = me.organization.name;
    partiesBox.replaceChildren();
    parties.clear();
    addParty("plaintiff", false);
    addParty("defendant", false);
  };
  reset();

  /** The form's values as POST /api/cases takes them, or a local complaint: [key, params, the field to focus]. */
  function read() {
    const value = (name) => form.querySelector(`[name=${name}]`).value.trim();
    for (const [name, id] of [["number", "case-number"], ["court", "case-court"], ["cause", "case-cause"]]) {
      if (!value(name)) return { problem: ["case.new.missing", undefined, `#${id}`] };
    }
    const body = [];
    for (const row of partiesBox.querySelectorAll("[data-party-row]")) {
      const get = (name) => row.querySelector(`[name=${name}]`).value.trim();
      const name = get("party-name");
      if (!name) return { problem: ["case.new.missing", undefined, `#${row.querySelector("[name=party-name]").id}`] };
      const { reps, orgId } = parties.get(row);
      const organizationId = orgId();
      if (!organizationId && get("party-org")) return { problem: ["case.new.pickOrg", undefined, `#${row.querySelector("[name=party-org]").id}`] };
      const invite = reps.invite();
      body.push({ name, kind: get("party-kind"), ...(organizationId ? { organizationId } : {}), members: reps.members(), ...(invite.length ? { invite } : {}) });
    }
    if (!body.some((p) => p.kind === "plaintiff") || !body.some((p) => p.kind === "defendant")) return { problem: ["case.new.needSides", undefined, "#add-party"] };
    return { body: { number: value("number"), court: value("court"), causeOfAction: value("cause"), parties: body } };
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    errors.replaceChildren();
    for (const n of form.querySelectorAll("[aria-invalid=true]")) n.setAttribute("aria-invalid", "false");
    const { problem, body } = read();
    if (problem) {
      const [key, params, focus] = problem;
      say(errors, "bad", key, params);
      const target = form.querySelector(focus);
      if (target?.matches("input, select, textarea")) target.setAttribute("aria-invalid", "true");
      target?.focus();
      return;
    }
    const button = form.querySelector("#open-case");
    button.disabled = true;
    try {
      const created = await api("POST", "cases", { json: body });
      say(news, "ok", "case.new.opened", { number: created.number });
      reset();
      await refresh();
      document.querySelector(`#cases-table tr[data-case-id="${created.id}"] a`)?.focus();
    } catch (err) {
      sayError(errors, err, { duplicate: "case.new.duplicate" });
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

// ---- a case, for a party

export async function partyCaseView(root, ctx, c) {
  const own = el("div", { id: "own-evidence" });
  const other = el("div", { id: "other-evidence" });
  const news = el("div", { role: "status", "aria-live": "polite", class: "ws-messages", id: "case-news" });
  const errors = el("div", { role: "alert", id: "case-errors" });
  const opinionPanel = el("section", { class: "card", id: "opinion-panel", hidden: true, "aria-labelledby": "opinion-title" });
  let items = [];

  const refresh = async () => {
    const list = (await api("GET", `cases/${c.id}/evidence`)).items;
    // The opinions themselves (the list only counts them).
    const full = await Promise.all(list.map(async (it) => ({ ...it, opinionList: it.opinions ? (await api("GET", `cases/${c.id}/evidence/${it.id}`)).opinions : [] })));
    if (!ctx.alive()) return;
    if (JSON.stringify(full) === JSON.stringify(items)) return;
    items = full;
    render();
  };

  const act = async (run, doneKey, params) => {
    errors.replaceChildren();
    try {
      await run();
      say(news, "ok", doneKey, params);
      await refresh();
    } catch (e) {
      sayError(errors, e);
    }
  };

  function render() {
    const ours = items.filter((it) => it.party.id === c.you.partyId);
    const theirs = items.filter((it) => it.party.id !== c.you.partyId);
    replaceKeepingFocus(
      own,
      table({
        id: "own-evidence-table",
        caption: "party.own.title",
        empty: "party.own.empty",
        columns: ["evidence.item", "evidence.state", "evidence.anchoring", "party.own.opinions", "evidence.actions"],
        rows: ours.map((it) =>
          el(
            "tr",
            { "data-evidence-id": it.id, "data-submission-status": it.status, "data-anchoring": it.anchoring ?? "" },
            evidenceCell(it),
            el("td", {}, submissionBadge(it.status)),
            el("td", {}, anchoringBadge(it.anchoring)),
            el("td", {}, it.opinionList.length ? it.opinionList.map((o) => el("div", { class: "ws-opinion-block" }, el("strong", {}, o.party.name), opinionSummary(o))) : tx("party.own.noOpinions")),
            el(
              "td",
              { class: "ws-actions" },
              // A closed case refuses finalising and withdrawing (409): not offered then.
              it.status === "draft" && c.status === "open"
                ? [
                    el("button", { type: "button", class: "button small primary", "data-focus-key": `finalise:${it.id}`, onclick: () => act(() => api("POST", `cases/${c.id}/submissions/${it.id}/finalise`), "evidence.finalised") }, tx("evidence.finalise")),
                    el("button", { type: "button", class: "button small", "data-focus-key": `withdraw:${it.id}`, onclick: () => act(() => api("DELETE", `cases/${c.id}/submissions/${it.id}`), "evidence.withdrawn") }, tx("evidence.withdraw")),
                  ]
                : null,
              it.anchoring === "anchored" ? certificateButton(c, it, act) : null,
              fileButton(c, it, act),
            ),
          ),
        ),
      }),
    );
    replaceKeepingFocus(
      other,
      table({
        id: "other-evidence-table",
        caption: "party.other.title",
        empty: "party.other.empty",
        columns: ["evidence.item", "evidence.party", "evidence.submittedAt", "evidence.anchoring", "party.other.ourOpinion", "evidence.actions"],
        rows: theirs.map((it) => {
          const ourOpinion = it.opinionList.find((o) => o.party.id === c.you.partyId);
          return el(
            "tr",
            { "data-evidence-id": it.id, "data-anchoring": it.anchoring ?? "" },
            evidenceCell(it),
            partyCell(it.party),
            el("td", {}, formatTime(it.finalisedAt ?? it.submittedAt)),
            el("td", {}, anchoringBadge(it.anchoring)),
            el("td", {}, ourOpinion ? opinionSummary(ourOpinion) : tx("party.other.noOpinion")),
            el(
              "td",
              { class: "ws-actions" },
              c.status === "open"
                ? el("button", { type: "button", class: "button small primary", "data-focus-key": `opinion:${it.id}`, onclick: () => openOpinion(it, ourOpinion) }, tx(ourOpinion ? "opinion.edit" : "opinion.give"))
                : null,
              fileButton(c, it, act),
            ),
          );
        }),
      }),
    );
  }

  function openOpinion(it, existing) {
    const aspects = ["authenticity", "legality", "relevance"];
    const form = el("form", { class: "form", id: "opinion-form" });
    for (const aspect of aspects) {
      const current = existing?.[aspect];
      const name = `op-${aspect}`;
      const radio = (position) =>
        el("label", { class: "ws-choice" }, el("input", { type: "radio", name, value: position, id: `${name}-${position}`, checked: (current?.position ?? "accept") === position, required: true }), " ", tx(`opinion.${position}`));
      const comment = el("textarea", { rows: "2", name: `${name}-comment`, maxlength: "2000" });
      comment.value = current?.comment ?? "";
      form.append(
        el(
          "fieldset",
          { class: "ws-fieldset" },
          el("legend", {}, tx(`opinion.${aspect}`)),
          el("div", { class: "ws-choices" }, radio("accept"), radio("dispute")),
          field(`${name}-comment`, "opinion.comment", comment, { hint: "opinion.commentHint" }),
        ),
      );
    }
    const panelErrors = el("div", { role: "alert" });
    form.append(
      panelErrors,
      el("div", { class: "ws-actions" }, el("button", { type: "submit", class: "button primary" }, tx("opinion.submit")), el("button", { type: "button", class: "button", onclick: () => (opinionPanel.hidden = true) }, tx("form.cancel"))),
    );
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = {};
      for (const aspect of aspects) {
        const position = form.querySelector(`input[name="op-${aspect}"]:checked`).value;
        const comment = form.querySelector(`textarea[name="op-${aspect}-comment"]`).value.trim();
        body[aspect] = comment ? { position, comment } : { position };
      }
      try {
        await api("PUT", `cases/${c.id}/evidence/${it.id}/opinion`, { json: body });
        opinionPanel.hidden = true;
        say(news, "ok", "opinion.recorded", { title: it.title ?? it.id });
        await refresh();
      } catch (err) {
        sayError(panelErrors, err);
      }
    });
    opinionPanel.replaceChildren(el("h2", { id: "opinion-title", tabindex: "-1" }, tx("opinion.title", { title: it.title ?? it.id })), el("p", { class: "hint" }, tx("opinion.intro")), form);
    opinionPanel.hidden = false;
    opinionPanel.querySelector("h2").focus();
  }

  // The submission form: fields first, then the file, so the server reads them before the file streams.
  const progress = progressBox("upload-progress");
  const submitForm = el(
    "form",
    { class: "form", id: "submit-form" },
    field("sub-title", "evidence.title", el("input", { type: "text", name: "title", maxlength: "500", autocomplete: "off" }), { required: true }),
    field("sub-purpose", "evidence.purpose", el("textarea", { name: "purpose", rows: "2", maxlength: "2000" }), { required: true, hint: "evidence.purposeHint" }),
    field("sub-source", "evidence.source", el("input", { type: "text", name: "source", maxlength: "500", autocomplete: "off" }), { hint: "evidence.sourceHint" }),
    field("sub-file", "evidence.file", el("input", { type: "file", name: "file" }), { required: true }),
    progress.node,
    el("button", { type: "submit", class: "button primary", id: "sub-submit" }, tx("evidence.upload")),
  );
  sendsUpload(submitForm, {
    path: `cases/${c.id}/submissions`,
    fields: () => ({ title: submitForm.title.value.trim(), purpose: submitForm.purpose.value.trim(), source: submitForm.source.value.trim() || undefined }),
    progress,
    errors,
    done: (sub, file) => say(news, "ok", "evidence.uploaded", { title: sub.title ?? file.name }),
    after: refresh,
  });

  root.append(
    caseHeader(c),
    news,
    errors,
    el("section", { class: "card", "aria-labelledby": "own-title" }, el("h2", { id: "own-title" }, tx("party.own.title")), el("p", { class: "hint" }, tx("party.own.intro")), own),
    c.status === "open"
      ? el("section", { class: "card", "aria-labelledby": "submit-title" }, el("h2", { id: "submit-title" }, tx("evidence.submitTitle")), el("p", { class: "hint" }, tx("evidence.submitIntro")), submitForm)
      : null,
    el("section", { class: "card", "aria-labelledby": "other-title" }, el("h2", { id: "other-title" }, tx("party.other.title")), el("p", { class: "hint" }, tx("party.other.intro")), other),
    opinionPanel,
    serviceAddressesPartySection(ctx, c),
    hearingsPartySection(ctx, c),
  );
  await poll(ctx, POLL_MS, () => refresh().catch((e) => ctx.alive() && sayError(errors, e)));
}

// ---- the inbox: documents served on a party one acts for

export async function inboxView(root, ctx) {
  const errors = el("div", { role: "alert" });
  const news = el("div", { role: "status", "aria-live": "polite" });
  const list = el("div", { id: "inbox-list" });
  root.append(
    el(
      "section",
      { class: "card", "aria-labelledby": "inbox-title" },
      el("h1", { id: "inbox-title", tabindex: "-1", "data-view-heading": "" }, tx("inbox.title")),
      el("p", { class: "hint" }, tx("inbox.intro")),
      news,
      errors,
      list,
    ),
  );
  const refresh = async () => {
    const { items } = await api("GET", "inbox");
    replaceKeepingFocus(
      list,
      table({
        id: "inbox-table",
        caption: "inbox.title",
        empty: "inbox.empty",
        columns: ["inbox.case", "inbox.document", "inbox.servedAt", "inbox.openedAt", "evidence.actions"],
        rows: items.map((d) =>
          el(
            "tr",
            { "data-delivery-id": d.id },
            el("td", {}, el("a", { href: `#/cases/${d.case.id}` }, d.case.number), el("div", { class: "hint" }, d.case.court)),
            el("td", {}, el("strong", {}, d.title), fileHint(d.document.fileName, d.document.size)),
            el("td", {}, formatTime(d.servedAt)),
            el("td", {}, d.openedAt ? badge("ok", "inbox.opened", { at: formatTime(d.openedAt) }) : badge("wait", "inbox.notOpened")),
            el(
              "td",
              {},
              el(
                "button",
                {
                  type: "button",
                  class: "button small primary",
                  "data-focus-key": `open:${d.id}`,
                  onclick: async () => {
                    errors.replaceChildren();
                    try {
                      await download(`inbox/${d.id}/document`, d.document.fileName ?? d.title);
                      say(news, "ok", "inbox.openedNow", { title: d.title });
                      await refresh();
                    } catch (e) {
                      sayError(errors, e);
                    }
                  },
                },
                tx("inbox.open"),
              ),
            ),
          ),
        ),
      }),
    );
  };
  try {
    await refresh();
  } catch (e) {
    sayError(errors, e);
  }
}
