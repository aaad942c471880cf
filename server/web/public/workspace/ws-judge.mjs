// A case, for its judge: every evidence item with its verification recomputed by the server
// (re-hash of the stored file, record, Merkle path, signature, timestamp, chain) and refreshed while
// the page is open; certificates to download; electronic service and its delivery receipts; more
// judges and representatives, picked from the directory (a representative may also be invited by
// e-mail); closing the case, after an in-page confirmation step (a closed case takes no more
// evidence or service).
import { api } from "./ws-api.mjs";
import { badge, colon, confirmStep, el, field, fileHint, formatTime, hex, progressBox, replaceKeepingFocus, say, sayError, table, tx } from "./ws-dom.mjs";
import { anchoringBadge, caseHeader, findRepresentatives, opinionSummary, poll, submissionBadge } from "./ws-cases.mjs";
import { directoryPicker, findPeople, personLine } from "./ws-picker.mjs";
import { certificateButton, evidenceCell, fileButton, partyCell, sendsUpload, submittedAtLine } from "./ws-evidence.mjs";
import { caseFileSection } from "./ws-casefile.mjs";
import { serviceAddressesCourtSection } from "./ws-service-addresses.mjs";
import { hearingsCourtSection } from "./ws-hearings.mjs";

const POLL_MS = 5000;
/** An item that verified is checked again less often than one still waiting for its anchor. */
const SETTLED_RECHECK_MS = 30_000;

/** anchored | pending | failed | checking | error, from the latest verification of an item. */
export function verdictOf(entry) {
  if (!entry) return "checking";
  if (entry.error) return "error";
  const v = entry.v;
  if (v.verified) return "anchored";
  if (v.status && v.status !== "anchored") return "pending";
  return "failed";
}

function verificationCell(entry) {
  const verdict = verdictOf(entry);
  const v = entry?.v;
  const parts = [];
  if (verdict === "anchored") {
    parts.push(badge("ok", "verify.anchored"));
    parts.push(el("div", { class: "ws-detail" }, tx("verify.tx"), colon(), hex(v.bundle.anchor.txHash)));
    parts.push(el("div", { class: "ws-detail" }, tx("verify.block", { block: v.bundle.anchor.blockNumber, chain: v.bundle.anchor.chainId }), " · ", tx("verify.at"), colon(), formatTime(v.anchoredAt)));
  } else if (verdict === "pending") {
    parts.push(badge("wait", "verify.pending", { status: v.status }));
  } else if (verdict === "failed") {
    parts.push(badge("bad", "verify.failed"));
    const failing = v.checks.filter((c) => !c.ok);
    if (failing.length)
      parts.push(el("ul", { class: "ws-detail ws-failing" }, failing.map((c) => el("li", {}, el("code", {}, c.name), c.detail ? [" ", el("span", { lang: "en" }, String(c.detail))] : null))));
  } else if (verdict === "error") {
    parts.push(badge("bad", "verify.error", { message: entry.error.message }));
  } else {
    parts.push(badge("neutral", "verify.checking"));
  }
  if (entry?.checkedAt) parts.push(el("div", { class: "hint" }, tx("verify.checkedAt", { at: formatTime(entry.checkedAt) })));
  return el("td", { class: "ws-verification" }, parts);
}

export async function judgeCaseView(root, ctx, caseAtLoad) {
  let c = caseAtLoad;
  const news = el("div", { role: "status", "aria-live": "polite", class: "ws-messages", id: "case-news" });
  const errors = el("div", { role: "alert", id: "case-errors" });
  const summary = el("p", { role: "status", "aria-live": "polite", id: "verification-summary", class: "ws-summary" });
  const evidenceBox = el("div", { id: "judge-evidence" });
  const servicesBox = el("div", { id: "services" });
  /** id -> {v, error, checkedAt}: the latest verification of each item */
  const verifications = new Map();
  let items = [];
  let services = [];
  let lastRender = "";
  let lastSummary = "";

  const act = async (run, doneKey, params) => {
    errors.replaceChildren();
    try {
      await run();
      if (doneKey) say(news, "ok", doneKey, params);
    } catch (e) {
      sayError(errors, e);
    }
  };

  async function verifyItem(it) {
    try {
      verifications.set(it.id, { v: await api("GET", `cases/${c.id}/evidence/${it.id}/verification`), checkedAt: new Date().toISOString() });
    } catch (e) {
      verifications.set(it.id, { error: e, checkedAt: new Date().toISOString() });
    }
  }

  async function tick() {
    const [list, served] = await Promise.all([api("GET", `cases/${c.id}/evidence`), api("GET", `cases/${c.id}/services`)]);
    items = list.items;
    services = served.services;
    const now = Date.now();
    const due = items.filter((it) => {
      const entry = verifications.get(it.id);
      return !entry || verdictOf(entry) !== "anchored" || now - Date.parse(entry.checkedAt) >= SETTLED_RECHECK_MS;
    });
    if (!ctx.alive()) return;
    render();
    await Promise.all(due.map(verifyItem));
    if (ctx.alive()) render();
  }

  function render() {
    const counts = { anchored: 0, pending: 0, failed: 0 };
    for (const it of items) {
      const v = verdictOf(verifications.get(it.id));
      if (v === "anchored") counts.anchored++;
      else if (v === "pending" || v === "checking") counts.pending++;
      else counts.failed++;
    }
    const summaryKey = JSON.stringify(counts) + items.length;
    if (summaryKey !== lastSummary) {
      lastSummary = summaryKey;
      summary.replaceChildren(tx("judge.summary", { total: items.length, ...counts }));
    }
    // Re-drawn only when something shown changed; focus stays on the same button across a redraw.
    const shown = JSON.stringify([items, services, items.map((it) => [verdictOf(verifications.get(it.id)), verifications.get(it.id)?.checkedAt])]);
    if (shown === lastRender) return;
    lastRender = shown;
    replaceKeepingFocus(
      evidenceBox,
      table({
        id: "judge-evidence-table",
        caption: "judge.evidence.title",
        empty: "judge.evidence.empty",
        columns: ["evidence.item", "evidence.party", "evidence.state", "judge.verification", "judge.opinions", "evidence.actions"],
        rows: items.map((it) => {
          const entry = verifications.get(it.id);
          const verdict = verdictOf(entry);
          return el(
            "tr",
            { "data-evidence-id": it.id, "data-status": verdict },
            evidenceCell(it, submittedAtLine(it)),
            partyCell(it.party),
            el("td", {}, submissionBadge(it.status)),
            verificationCell(entry),
            el("td", { class: "ws-opinions", "data-opinions": String(it.opinions) }, it.opinions ? tx("judge.opinionCount", { n: it.opinions }) : tx("judge.noOpinions")),
            el(
              "td",
              { class: "ws-actions" },
              certificateButton(c, it, act, {
                class: "button small primary",
                disabled: verdict !== "anchored",
                "aria-describedby": verdict !== "anchored" ? "cert-hint" : undefined,
              }),
              fileButton(c, it, act),
              it.opinions
                ? el("button", { type: "button", class: "button small", "data-focus-key": `opinions:${it.id}`, onclick: () => showOpinions(it) }, tx("judge.showOpinions"))
                : null,
            ),
          );
        }),
      }),
      el("p", { class: "hint", id: "cert-hint" }, tx("judge.certificateHint")),
    );
    renderServices();
  }

  const opinionsPanel = el("section", { class: "card", id: "opinions-panel", hidden: true, "aria-labelledby": "opinions-title" });
  async function showOpinions(it) {
    await act(async () => {
      const detail = await api("GET", `cases/${c.id}/evidence/${it.id}`);
      opinionsPanel.replaceChildren(
        el("h2", { id: "opinions-title", tabindex: "-1" }, tx("judge.opinionsOn", { title: it.title ?? it.id })),
        detail.opinions.map((o) => el("div", { class: "ws-opinion-block" }, el("strong", {}, o.party.name), " · ", formatTime(o.updatedAt), opinionSummary(o))),
        el("button", { type: "button", class: "button", onclick: () => (opinionsPanel.hidden = true) }, tx("form.close")),
      );
      opinionsPanel.hidden = false;
      opinionsPanel.querySelector("h2").focus();
    });
  }

  function receiptCell(d) {
    if (!d.receipt) return badge("neutral", "service.noReceipt");
    if (d.receipt.bundle) return el("div", {}, badge("ok", "service.receiptAnchored"), el("div", { class: "ws-detail" }, tx("verify.tx"), colon(), hex(d.receipt.bundle.anchor.txHash)));
    return anchoringBadge(d.receipt.status);
  }

  function renderServices() {
    const rows = services.flatMap((s) =>
      (s.deliveries.length ? s.deliveries : [null]).map((d) =>
        el(
          "tr",
          { "data-service-id": s.id, "data-delivery-id": d?.id ?? "" },
          el("td", {}, el("strong", {}, s.title), fileHint(s.document.fileName, s.document.size)),
          partyCell(s.party),
          el("td", {}, formatTime(s.servedAt), el("div", {}, anchoringBadge(s.document.status))),
          el("td", {}, d ? d.recipient.name ?? d.recipient.id : "—"),
          el("td", {}, !d ? "—" : d.openedAt ? badge("ok", "service.opened", { at: formatTime(d.openedAt) }) : badge("wait", "service.notOpened")),
          el("td", {}, d ? receiptCell(d) : "—"),
        ),
      ),
    );
    replaceKeepingFocus(
      servicesBox,
      table({
        id: "services-table",
        caption: "service.title",
        empty: "service.empty",
        columns: ["service.document", "service.party", "service.servedAt", "service.recipient", "service.delivery", "service.receipt"],
        rows,
      }),
    );
  }

  // Serving a document: title, the party served, the file (with its upload progress).
  const progress = progressBox("serve-progress");
  const partySelect = el("select", { name: "party" }, c.parties.map((p) => el("option", { value: p.id }, p.name)));
  const serveForm = el(
    "form",
    { class: "form", id: "serve-form" },
    field("serve-title", "service.docTitle", el("input", { type: "text", name: "title", maxlength: "500", autocomplete: "off" }), { required: true }),
    field("serve-party", "service.party", partySelect, { required: true }),
    field("serve-file", "evidence.file", el("input", { type: "file", name: "file" }), { required: true }),
    progress.node,
    el("button", { type: "submit", class: "button primary" }, tx("service.serve")),
  );
  sendsUpload(serveForm, {
    path: `cases/${c.id}/services`,
    fields: () => ({ title: serveForm.title.value.trim(), party: partySelect.value }),
    progress,
    errors,
    done: (served) => say(news, "ok", "service.served", { title: served.title, n: served.recipients.length }),
    after: tick,
  });

  // Closing: the button opens a confirmation step; once closed, the page drops what a closed case refuses.
  const headerBox = el("div", { id: "case-header" }, caseHeader(c));
  const serveSection =
    c.status === "open" ? el("section", { class: "card", "aria-labelledby": "serve-title-h" }, el("h2", { id: "serve-title-h" }, tx("service.serveTitle")), serveForm) : null;
  const closeButton = el("button", { type: "button", class: "button danger", id: "close-case", "data-action": "close-case", "aria-controls": "close-step" }, tx("case.close.button"));
  const closeStep = confirmStep({
    id: "close-step",
    title: ["case.close.confirmTitle", { number: c.number }],
    text: ["case.close.confirmText"],
    confirm: ["case.close.confirm"],
    onCancel: () => {
      closeStep.close();
      closeButton.hidden = false;
      closeButton.focus();
    },
    onConfirm: async (_form, stepErrors) => {
      let closed;
      try {
        closed = await api("POST", `cases/${c.id}/close`);
      } catch (e) {
        if (e.code !== "case_closed") {
          sayError(stepErrors, e);
          return;
        }
        // 409 case_closed: another judge of the case closed it meanwhile. The step goes with the
        // close section, so the error is said above the evidence, and the case shown as it is.
        await showClosed({ status: "closed" });
        sayError(errors, e);
        headerBox.querySelector("[data-view-heading]")?.focus();
        return;
      }
      await showClosed(closed);
      say(news, "ok", "case.close.done", { number: c.number });
      headerBox.querySelector("[data-view-heading]")?.focus();
    },
  });
  closeButton.addEventListener("click", () => {
    closeButton.hidden = true;
    closeStep.open();
  });
  const closeSection =
    c.status === "open"
      ? el(
          "section",
          { class: "card", id: "close-section", "aria-labelledby": "close-title" },
          el("h2", { id: "close-title" }, tx("case.close.title")),
          el("p", { class: "hint" }, tx("case.close.intro")),
          closeButton,
          closeStep.node,
        )
      : null;

  // More people on the case: a judge, picked from the directory; a representative of a party,
  // picked (lawyers, members of the party's organisation) or invited by e-mail.
  const reloadHeader = async () => {
    const fresh = await api("GET", `cases/${c.id}`);
    if (!ctx.alive()) return;
    c = fresh;
    headerBox.replaceChildren(caseHeader(c));
  };
  let judgeChosen = null;
  const judgePicker = directoryPicker({
    id: "add-judge-search",
    labelKey: "judge.addJudgeSearch",
    search: (q) => findPeople(q, { role: "judge" }),
    line: personLine,
    onPick: (p) => (judgeChosen = p),
    onType: () => (judgeChosen = null),
  });
  const judgeErrors = el("div", { role: "alert", id: "add-judge-errors" });
  const judgeForm = el("form", { class: "form", id: "add-judge-form", novalidate: true }, judgePicker.node, judgeErrors, el("button", { type: "submit", class: "button" }, tx("judge.addJudge")));
  judgeForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    judgeErrors.replaceChildren();
    if (!judgeChosen) {
      say(judgeErrors, "bad", "judge.pickJudge");
      return judgePicker.input.focus();
    }
    try {
      await api("POST", `cases/${c.id}/judges`, { json: { userId: judgeChosen.id } });
      say(news, "ok", "judge.judgeAdded", { name: judgeChosen.name });
      judgeChosen = null;
      judgePicker.set("");
      await reloadHeader();
    } catch (err) {
      sayError(judgeErrors, err, { duplicate: "judge.judgeDuplicate" });
    }
  });

  let repChosen = null;
  const repParty = el("select", { name: "party" }, c.parties.map((p) => el("option", { value: p.id }, p.name, " (", tx(`party.${p.kind}`), ")")));
  const repPicker = directoryPicker({
    id: "add-rep-search",
    labelKey: "judge.repSearch",
    hint: "judge.repSearchHint",
    search: (q) => findRepresentatives(q, c.parties.find((p) => p.id === repParty.value)?.organizationId ?? null),
    line: personLine,
    onPick: (p) => (repChosen = p),
    onType: () => (repChosen = null),
  });
  const repEmail = el("input", { type: "email", name: "email", maxlength: "254", autocomplete: "off", spellcheck: "false" });
  const repName = el("input", { type: "text", name: "name", maxlength: "200", autocomplete: "off" });
  const repErrors = el("div", { role: "alert", id: "add-rep-errors" });
  const repForm = el(
    "form",
    { class: "form", id: "add-rep-form", novalidate: true },
    field("add-rep-party", "judge.repParty", repParty, { required: true }),
    repPicker.node,
    el(
      "fieldset",
      { class: "ws-fieldset" },
      el("legend", {}, tx("judge.repInvite")),
      el("p", { class: "hint" }, tx("judge.repInviteHint")),
      el("div", { class: "ws-inline" }, field("add-rep-email", "case.new.inviteEmail", repEmail), field("add-rep-name", "case.new.inviteName", repName)),
    ),
    repErrors,
    el("button", { type: "submit", class: "button" }, tx("judge.addRep")),
  );
  repParty.addEventListener("change", () => {
    repChosen = null;
    repPicker.set("");
  });
  repForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    repErrors.replaceChildren();
    let body;
    if (repChosen) body = { userId: repChosen.id };
    else if (repEmail.value.trim()) {
      if (!repEmail.checkValidity()) {
        say(repErrors, "bad", "case.new.inviteEmailMissing");
        return repEmail.focus();
      }
      if (!repName.value.trim()) {
        say(repErrors, "bad", "case.new.inviteNameMissing");
        return repName.focus();
      }
      body = { email: repEmail.value.trim(), name: repName.value.trim() };
    } else {
      say(repErrors, "bad", "judge.pickRep");
      return repPicker.input.focus();
    }
    const party = c.parties.find((p) => p.id === repParty.value);
    try {
      await api("POST", `cases/${c.id}/parties/${party.id}/lawyers`, { json: body });
      say(news, "ok", body.userId ? "judge.repAdded" : "judge.repInvited", { name: repChosen?.name ?? body.name, party: party.name });
      repChosen = null;
      repPicker.set("");
      repEmail.value = "";
      repName.value = "";
      await reloadHeader();
    } catch (err) {
      sayError(repErrors, err);
    }
  });
  const peopleSection =
    c.status === "open"
      ? el(
          "section",
          { class: "card", id: "people-section", "aria-labelledby": "people-title" },
          el("h2", { id: "people-title" }, tx("judge.people")),
          el("h3", {}, tx("judge.addJudgeTitle")),
          judgeForm,
          el("h3", {}, tx("judge.addRepTitle")),
          repForm,
        )
      : null;

  /**
   * The case as the server now has it (or, if it cannot be read just now, with what is known: the
   * close's answer); a closed one loses its serving form and its close section.
   */
  async function showClosed(known) {
    let fresh;
    try {
      fresh = await api("GET", `cases/${c.id}`);
    } catch {
      fresh = { ...c, ...known };
    }
    if (!ctx.alive()) return;
    c = fresh;
    headerBox.replaceChildren(caseHeader(c));
    if (c.status !== "open") {
      serveSection?.remove();
      peopleSection?.remove();
      closeSection?.remove();
    }
  }

  root.append(
    headerBox,
    news,
    errors,
    el(
      "section",
      { class: "card", "aria-labelledby": "judge-evidence-title" },
      el("h2", { id: "judge-evidence-title" }, tx("judge.evidence.title")),
      el("p", { class: "hint" }, tx("judge.evidence.intro", { seconds: POLL_MS / 1000 })),
      summary,
      evidenceBox,
    ),
    opinionsPanel,
    el("section", { class: "card", "aria-labelledby": "services-title" }, el("h2", { id: "services-title" }, tx("service.title")), el("p", { class: "hint" }, tx("service.intro")), servicesBox),
    serviceAddressesCourtSection(ctx, c),
    hearingsCourtSection(ctx, c),
    serveSection,
    caseFileSection(ctx, c),
    peopleSection,
    closeSection,
  );
  await poll(ctx, POLL_MS, () => tick().catch((e) => ctx.alive() && sayError(errors, e)));
}
