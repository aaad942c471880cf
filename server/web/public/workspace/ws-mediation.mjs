// The mediation room (诉前调解): the caller's mediations with their states, and one mediation with
// its parties, its mediator, the thread of messages, and what the caller's part allows: the filer
// accepts or declines the clerk's proposal, the clerk assigns a mediator from the directory, the
// mediator drafts the agreement and sends it for signing (contract signing), the judge confirms
// it (司法确认), the clerk or the mediator ends a failed mediation with a reason. The server's
// access table (server/mediation/access.ts) decides; the page offers only what it would allow.
import { api, download } from "./ws-api.mjs";
import { badge, el, field, formatTime, say, sayError, table, tx } from "./ws-dom.mjs";

export const MEDIATION_ERRORS = {
  already_mediated: "mediation.error.already_mediated",
  already_decided: "mediation.error.already_decided",
  wrong_state: "mediation.error.wrong_state",
  agreement_drafted: "mediation.error.agreement_drafted",
  invalid_mediator: "mediation.error.invalid_mediator",
  agreement_pending: "mediation.error.agreement_pending",
  parties_missing: "mediation.error.parties_missing",
  signers_missing: "mediation.error.signers_missing",
  invalid_signer: "mediation.error.invalid_signer",
  certificate_required: "mediation.error.certificate_required",
  not_confirmed: "mediation.error.not_confirmed",
  conflict: "mediation.error.conflict",
  not_found: "mediation.error.not_found",
  invalid_input: "mediation.error.invalid_input",
};
const STATUS_KIND = { proposed: "wait", in_progress: "wait", agreed: "ok", confirmed: "ok", failed: "bad" };
const OPEN = ["proposed", "in_progress"];
/** How often an open room reads the mediation and its thread again (the other side writes meanwhile). */
const FOLLOW_MS = 5000;

export const mediationBadge = (status) => badge(STATUS_KIND[status] ?? "neutral", `mediation.status.${status}`);

/** The mediations the caller takes part in. */
export async function mediationsView(root, ctx) {
  const errors = el("div", { role: "alert" });
  const listBox = el("div", { id: "mediations" });
  root.append(
    el(
      "section",
      { class: "card", "aria-labelledby": "mediations-title" },
      el("h1", { id: "mediations-title", tabindex: "-1", "data-view-heading": "" }, tx("mediation.list.title")),
      el("p", { class: "hint" }, tx("mediation.list.intro")),
      errors,
      listBox,
    ),
  );
  try {
    const { items } = await api("GET", "mediations");
    if (!ctx.alive()) return;
    listBox.replaceChildren(
      table({
        id: "mediations-table",
        caption: "mediation.list.title",
        empty: "mediation.list.empty",
        columns: ["mediation.filing", "mediation.court", "mediation.state", "mediation.mediator", "mediation.updated"],
        rows: items.map((m) =>
          el(
            "tr",
            { "data-mediation-id": m.id },
            el("td", {}, el("a", { href: `#/mediations/${m.id}` }, m.title || tx("filing.untitled"))),
            el("td", {}, m.court ?? "—"),
            el("td", {}, mediationBadge(m.status), el("div", { class: "hint" }, tx(`mediation.requestedBy.${m.requestedBy}`))),
            el("td", {}, m.mediator?.name ?? tx("mediation.noMediator")),
            el("td", {}, formatTime(m.updatedAt)),
          ),
        ),
      }),
    );
  } catch (e) {
    if (ctx.alive()) sayError(errors, e, MEDIATION_ERRORS);
  }
}

/** A button on a filing page that opens its mediation (the filer asks, the clerk proposes). */
export function openMediationSection(filingId, asker) {
  const errors = el("div", { role: "alert", id: "mediation-open-errors" });
  const note = el("textarea", { name: "note", rows: "3", maxlength: "4000" });
  const form = el(
    "form",
    { class: "form", id: "mediation-open-form", novalidate: true, "aria-labelledby": "mediation-open-title" },
    el("h2", { id: "mediation-open-title" }, tx(`mediation.open.title.${asker}`)),
    el("p", { class: "hint" }, tx(`mediation.open.intro.${asker}`)),
    field("mediation-open-note", "mediation.open.note", note),
    errors,
    el("button", { type: "submit", class: "button", id: "mediation-open-submit" }, tx(`mediation.open.submit.${asker}`)),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    errors.replaceChildren();
    try {
      const m = await api("POST", `mediations/by-filing/${filingId}`, { json: note.value.trim() ? { note: note.value.trim() } : {} });
      location.hash = `#/mediations/${m.id}`;
    } catch (err) {
      sayError(errors, err, MEDIATION_ERRORS);
    }
  });
  return el("section", { class: "card", id: "mediation-open" }, form);
}

/** The mediator, for the clerk to choose: the court's own mediators and those of mediation committees. */
async function mediators(courtId) {
  const { people } = await api("GET", "directory/people?role=mediator&limit=100");
  return people.filter((p) => p.status !== "disabled" && p.organization && (p.organization.id === courtId || p.organization.kind === "mediation"));
}

/** Who may sign for each party: the filer for its side, the people of a party's organisation. */
async function signersOf(m) {
  const out = [];
  for (const [i, party] of m.parties.entries()) {
    const choices = [];
    if (i === (m.filerPartyIndex ?? 0) && m.filer) choices.push({ id: m.filer.id, name: m.filer.name });
    if (party.organizationId) {
      const { people } = await api("GET", `directory/people?organizationId=${encodeURIComponent(party.organizationId)}&limit=100`);
      for (const p of people) if (p.status !== "disabled" && !choices.some((c) => c.id === p.id)) choices.push({ id: p.id, name: p.name });
    }
    out.push(choices);
  }
  return out;
}

function partiesList(m) {
  return el(
    "ul",
    { class: "ws-plain", id: "mediation-parties" },
    m.parties.map((p, i) => el("li", { "data-party": String(i) }, tx(`party.${p.kind}`), " ", p.name, p.representative ? el("span", { class: "hint" }, ` · ${p.representative}`) : null)),
  );
}

const messageItems = (items) =>
  items.length
    ? items.map((x) =>
        el(
          "li",
          { "data-message-id": x.id },
          el("div", { class: "hint" }, x.author ?? "—", " · ", x.authorRole ? tx(`role.${x.authorRole}`) : "", " · ", formatTime(x.at)),
          el("p", {}, x.body),
        ),
      )
    : [el("li", { class: "hint" }, tx("mediation.thread.empty"))];

function thread(m, items, act) {
  const list = el("ol", { class: "ws-plain", id: "mediation-thread" }, messageItems(items));
  let form = null;
  if (OPEN.includes(m.status) && m.you !== "judge") {
    const body = el("textarea", { name: "body", rows: "3", maxlength: "4000" });
    form = el(
      "form",
      { class: "form", id: "mediation-post-form", novalidate: true },
      field("mediation-post-body", "mediation.thread.body", body, { required: true }),
      el("button", { type: "submit", class: "button primary", id: "mediation-post-submit" }, tx("mediation.thread.post")),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!body.value.trim()) return act(async () => Promise.reject(Object.assign(new Error("empty"), { code: "empty_message" })));
      act(() => api("POST", `mediations/${m.id}/messages`, { json: { body: body.value.trim() } }), "mediation.thread.posted");
    });
  }
  return el("section", { class: "card", "aria-labelledby": "mediation-thread-title" }, el("h2", { id: "mediation-thread-title" }, tx("mediation.thread.title")), list, form);
}

function reasonForm(id, labelKey, submitKey, onReason) {
  const reason = el("textarea", { name: "reason", rows: "3", maxlength: "2000" });
  const f = el("form", { class: "form", id, novalidate: true }, field(`${id}-reason`, labelKey, reason, { required: true }), el("button", { type: "submit", class: "button danger", id: `${id}-submit` }, tx(submitKey)));
  f.addEventListener("submit", (e) => {
    e.preventDefault();
    onReason(reason.value.trim());
  });
  return f;
}

function agreementForm(m, signerChoices, act) {
  const terms = el("textarea", { name: "terms", rows: "5", maxlength: "20000" });
  const dispute = el("input", { type: "text", name: "dispute", maxlength: "4000", autocomplete: "off" });
  const place = el("input", { type: "text", name: "place", maxlength: "200", autocomplete: "off" });
  const selects = m.parties.map((p, i) =>
    el(
      "select",
      { name: `signer${i}`, "data-signer-party": String(i) },
      el("option", { value: "" }, tx("mediation.agreement.pickSigner")),
      signerChoices[i].map((c) => el("option", { value: c.id }, c.name)),
    ),
  );
  const f = el(
    "form",
    { class: "form", id: "agreement-form", novalidate: true, "aria-labelledby": "agreement-form-title" },
    el("h3", { id: "agreement-form-title" }, tx("mediation.agreement.draft")),
    el("p", { class: "hint" }, tx("mediation.agreement.intro")),
    field("agreement-dispute", "mediation.agreement.dispute", dispute),
    field("agreement-terms", "mediation.agreement.terms", terms, { required: true, hint: "mediation.agreement.termsHint" }),
    field("agreement-place", "mediation.agreement.place", place),
    m.parties.map((p, i) => field(`agreement-signer-${i}`, "mediation.agreement.signerFor", selects[i], { required: true, hint: undefined })),
    el("button", { type: "submit", class: "button primary", id: "agreement-submit" }, tx("mediation.agreement.submit")),
  );
  // the signer fields name the party they are for
  f.querySelectorAll("[data-signer-party]").forEach((s) => s.closest(".field")?.querySelector("label")?.append(` ${m.parties[Number(s.dataset.signerParty)].name}`));
  f.addEventListener("submit", (e) => {
    e.preventDefault();
    const lines = terms.value.split("\n").map((x) => x.trim()).filter(Boolean);
    const signers = selects.map((s, i) => ({ partyIndex: i, userId: s.value }));
    if (!lines.length || signers.some((s) => !s.userId)) return act(async () => Promise.reject(Object.assign(new Error("missing"), { code: "agreement_missing" })));
    act(async () => {
      const made = await api("POST", `mediations/${m.id}/agreement`, {
        json: { terms: lines, signers, ...(dispute.value.trim() ? { dispute: dispute.value.trim() } : {}), ...(place.value.trim() ? { place: place.value.trim() } : {}) },
      });
      // sent at once: drafting is the mediator's decision to put the agreement to the parties
      const sent = await api("POST", `contracts/${made.contract.id}/send`, { json: {} });
      return { links: sent.invitations ?? [] };
    }, "mediation.agreement.sent");
  });
  return f;
}

function agreementSection(m, me, links, act, errors) {
  const a = m.agreement;
  const mine = a?.signers.find((s) => s.userId === me.id);
  return el(
    "section",
    { class: "card", id: "mediation-agreement", "aria-labelledby": "mediation-agreement-title" },
    el("h2", { id: "mediation-agreement-title" }, tx("mediation.agreement.title")),
    a
      ? [
          el("p", {}, a.title, " · ", tx(`contract.status.${a.status}`)),
          el(
            "ul",
            { class: "ws-plain", id: "agreement-signers" },
            a.signers.map((s) => {
              const link = links.find((l) => l.userId === s.userId);
              return el(
                "li",
                { "data-signer": s.userId },
                `${s.step}. ${s.name} (${s.role}) · `,
                tx(`signer.status.${s.status}`),
                s.signedAt ? ` · ${formatTime(s.signedAt)}` : "",
                link ? [" · ", el("a", { href: link.signUrl ?? link.url, "data-signing-link": s.userId }, tx("mediation.agreement.signingPage"))] : null,
              );
            }),
          ),
          mine && mine.status !== "signed" && a.status === "in_progress" ? el("p", {}, el("a", { href: "#/contracts", id: "agreement-to-sign" }, tx("mediation.agreement.yourTurn"))) : null,
          // drafted but not sent (the send after drafting did not get through): the API refuses a
          // new draft while this one stands, so sending it is the way on
          a.status === "draft" && m.you === "mediator" && m.status === "in_progress"
            ? [
                el("p", { class: "hint" }, tx("mediation.agreement.unsent")),
                el("button", { type: "button", class: "button primary", id: "agreement-send", onclick: () => act(async () => ({ links: (await api("POST", `contracts/${a.contractId}/send`, { json: {} })).invitations ?? [] }), "mediation.agreement.sentNow") }, tx("mediation.agreement.send")),
              ]
            : null,
          // the contract's document is for its sender (the mediator) and its signers
          a.status === "completed" && (mine || m.you === "mediator")
            ? el("button", { type: "button", class: "button", id: "agreement-download", onclick: () => download(`contracts/${a.contractId}/document`, `agreement-${a.contractId}.pdf`).catch((e) => sayError(errors, e, MEDIATION_ERRORS)) }, tx("mediation.agreement.download"))
            : null,
        ]
      : el("p", { class: "hint" }, tx("mediation.agreement.none")),
  );
}

/** One mediation. */
export async function mediationView(root, ctx, id) {
  let m;
  try {
    m = await api("GET", `mediations/${encodeURIComponent(id)}`);
  } catch (e) {
    if (!ctx.alive()) return;
    const region = el("div", { role: "alert", id: "mediation-errors" });
    root.append(el("section", { class: "card" }, el("h1", { tabindex: "-1", "data-view-heading": "" }, tx("mediation.heading")), region, el("p", {}, el("a", { href: "#/mediations" }, tx("mediation.back")))));
    return sayError(region, e, MEDIATION_ERRORS);
  }
  const me = ctx.me;
  const you = m.mediator?.id === me.id ? "mediator" : me.role === "clerk" ? "clerk" : me.role === "judge" ? "judge" : "filer";
  m.you = you;
  const items = you === "judge" ? [] : (await api("GET", `mediations/${m.id}/messages`)).items;
  const signerChoices = you === "mediator" && m.status === "in_progress" && (!m.agreement || ["declined", "voided", "expired"].includes(m.agreement.status)) ? await signersOf(m) : null;
  const mediatorChoices = you === "clerk" && OPEN.includes(m.status) && !m.agreement ? await mediators(m.courtId) : null;
  if (!ctx.alive()) return;
  const news = el("div", { role: "status", "aria-live": "polite", class: "ws-messages", id: "mediation-news" });
  const errors = el("div", { role: "alert", id: "mediation-errors" });
  const links = ctx.mediationLinks?.[m.id] ?? [];
  const act = async (fn, key) => {
    errors.replaceChildren();
    try {
      const out = await fn();
      if (out?.links) ctx.mediationLinks = { ...(ctx.mediationLinks ?? {}), [m.id]: out.links };
      root.replaceChildren();
      await mediationView(root, ctx, m.id);
      const again = root.querySelector("#mediation-news");
      if (again && key) say(again, "ok", key);
    } catch (e) {
      sayError(errors, e, { ...MEDIATION_ERRORS, empty_message: "mediation.thread.missing", agreement_missing: "mediation.agreement.missing", mediator_missing: "mediation.assign.missing" });
    }
  };

  const actions = [];
  if (you === "filer" && m.status === "proposed") {
    actions.push(
      el("p", {}, tx("mediation.proposal.text")),
      el("button", { type: "button", class: "button primary", id: "mediation-accept", onclick: () => act(() => api("POST", `mediations/${m.id}/accept`, { json: {} }), "mediation.accepted") }, tx("mediation.proposal.accept")),
      reasonForm("mediation-decline", "mediation.proposal.declineReason", "mediation.proposal.decline", (reason) => act(() => api("POST", `mediations/${m.id}/decline`, { json: { reason } }), "mediation.declined")),
    );
  }
  if (mediatorChoices) {
    const pick = el("select", { name: "mediator" }, el("option", { value: "" }, tx("mediation.assign.pick")), mediatorChoices.map((p) => el("option", { value: p.id }, `${p.name} · ${p.organization.name}`)));
    const f = el(
      "form",
      { class: "form", id: "mediation-assign-form", novalidate: true },
      field("mediation-assign-mediator", "mediation.assign.label", pick, { required: true, hint: mediatorChoices.length ? "mediation.assign.hint" : "mediation.assign.none" }),
      el("button", { type: "submit", class: "button primary", id: "mediation-assign-submit" }, tx(m.mediator ? "mediation.assign.change" : "mediation.assign.submit")),
    );
    f.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!pick.value) return act(async () => Promise.reject(Object.assign(new Error("missing"), { code: "mediator_missing" })));
      act(() => api("POST", `mediations/${m.id}/mediator`, { json: { mediatorId: pick.value } }), "mediation.assigned");
    });
    actions.push(f);
  }
  if (signerChoices) actions.push(agreementForm(m, signerChoices, act));
  if (you === "judge" && m.status === "agreed") {
    const ruling = el("textarea", { name: "ruling", rows: "3", maxlength: "4000" });
    const f = el(
      "form",
      { class: "form", id: "mediation-confirm-form", novalidate: true },
      el("p", {}, tx("mediation.confirm.text")),
      field("mediation-confirm-ruling", "mediation.confirm.ruling", ruling, { hint: "mediation.confirm.rulingHint" }),
      el("button", { type: "submit", class: "button primary", id: "mediation-confirm-submit" }, tx("mediation.confirm.submit")),
    );
    f.addEventListener("submit", (e) => {
      e.preventDefault();
      act(() => api("POST", `mediations/${m.id}/confirmation`, { json: ruling.value.trim() ? { ruling: ruling.value.trim() } : {} }), "mediation.confirmed");
    });
    actions.push(f);
  }
  // an agreement out for signing must be voided first (the API says agreement_pending): not offered
  const pending = m.agreement && !["declined", "voided", "expired", "draft"].includes(m.agreement.status);
  if ((you === "clerk" || you === "mediator") && m.status === "in_progress" && !pending) {
    actions.push(reasonForm("mediation-fail", "mediation.fail.reason", "mediation.fail.submit", (reason) => act(() => api("POST", `mediations/${m.id}/fail`, { json: { reason } }), "mediation.failed")));
  }

  // root.append would write an absent section as the text "null": only the present ones
  const sections = [
    el(
      "section",
      { class: "card", "aria-labelledby": "mediation-heading", "data-mediation-id": m.id, "data-status": m.status },
      el("p", { class: "hint" }, tx("mediation.heading")),
      el("h1", { id: "mediation-heading", tabindex: "-1", "data-view-heading": "" }, m.title || tx("filing.untitled")),
      el(
        "dl",
        { class: "ws-facts" },
        el("dt", {}, tx("mediation.state")),
        el("dd", { id: "mediation-status" }, mediationBadge(m.status)),
        el("dt", {}, tx("mediation.court")),
        el("dd", {}, m.court ?? "—"),
        el("dt", {}, tx("mediation.mediator")),
        el("dd", { id: "mediation-mediator" }, m.mediator?.name ?? tx("mediation.noMediator")),
        el("dt", {}, tx("mediation.parties")),
        el("dd", {}, partiesList(m)),
        m.endReason ? [el("dt", {}, tx("mediation.endReason")), el("dd", { id: "mediation-end-reason" }, m.endReason)] : null,
      ),
      m.status === "failed" ? el("p", { class: "hint" }, tx("mediation.failedNote")) : null,
      el("p", {}, el("a", { href: "#/mediations" }, tx("mediation.back"))),
    ),
    news,
    errors,
    actions.length ? el("section", { class: "card", id: "mediation-actions", "aria-labelledby": "mediation-actions-title" }, el("h2", { id: "mediation-actions-title" }, tx("mediation.actions")), actions) : null,
    you === "judge" ? null : thread(m, items, act),
    agreementSection(m, me, links, act, errors),
    m.confirmation
      ? el(
          "section",
          { class: "card", id: "mediation-confirmation", "aria-labelledby": "mediation-confirmation-title" },
          el("h2", { id: "mediation-confirmation-title" }, tx("mediation.confirmation.title")),
          el("p", {}, m.confirmation.title, " · ", formatTime(m.confirmation.issuedAt)),
          el("p", { class: "hint" }, "SHA-256 ", el("code", { class: "hex" }, m.confirmation.sha256 ?? "")),
          el("button", { type: "button", class: "button primary", id: "order-download", onclick: () => download(`mediations/${m.id}/confirmation`, `order-${m.id}.pdf`).catch((e) => sayError(errors, e, MEDIATION_ERRORS)) }, tx("mediation.confirmation.download")),
        )
      : null,
  ];
  root.append(...sections.filter(Boolean));
  follow(ctx, root, sections[0], m, items, act);
}

/**
 * Keeps an open room current: new messages go into the thread as they come (the rest of the page
 * untouched, so a message being written stays), and when the mediation itself changed (a signature,
 * a confirmation, a decision by someone else) the room is drawn again, unless a field holds text not
 * yet sent. Stops once the room is left or drawn again (its first section no longer in the page).
 */
function follow(ctx, root, anchor, m, items, act) {
  let shownItems = JSON.stringify(items);
  const shownMediation = JSON.stringify(m, (k, v) => (k === "you" ? undefined : v));
  let timer = null;
  const live = () => ctx.alive() && anchor.isConnected;
  const tick = async () => {
    if (!live()) return;
    try {
      const [now, messages] = await Promise.all([api("GET", `mediations/${m.id}`), m.you === "judge" ? null : api("GET", `mediations/${m.id}/messages`)]);
      if (!live()) return;
      const list = root.querySelector("#mediation-thread");
      if (messages && list && JSON.stringify(messages.items) !== shownItems) {
        shownItems = JSON.stringify(messages.items);
        list.replaceChildren(...messageItems(messages.items));
      }
      const typing = [...root.querySelectorAll("textarea, input[type=text], select")].some((f) => f.value.trim() !== "");
      if (JSON.stringify(now, (k, v) => (k === "you" ? undefined : v)) !== shownMediation && !typing) return act(async () => null);
    } catch {
      // a failed read is tried again at the next tick; the room keeps what it shows
    }
    if (live()) timer = setTimeout(tick, FOLLOW_MS);
  };
  ctx.onLeave(() => clearTimeout(timer));
  timer = setTimeout(tick, FOLLOW_MS);
}
