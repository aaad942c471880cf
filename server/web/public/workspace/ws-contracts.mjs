// Contracts, for an enterprise: the contracts one sent or is to sign, with their status; a new
// draft from a template (its fields filled here) or from an uploaded PDF; signers in ordered
// steps, found in the directory among the own organisation's people or named by an e-mail address
// (someone without an account is invited by mail); sending, with its deadline and reminders, which
// mails each signer when their step opens and returns each invitation link once; one-time codes
// mailed to signers, or, for a signer the sender chose to reach out of band, returned to the sender
// to pass on; the mail sent about a contract and whether it arrived; voiding a draft or a contract
// in progress, with the sender's reason, after an in-page confirmation step.
import { api, download, upload } from "./ws-api.mjs";
import { fieldEditor } from "./ws-fields.mjs";
import { badge, bi, colon, confirmStep, el, field, formatTime, hex, mailBadge, progressBox, replaceKeepingFocus, say, sayError, table, tx } from "./ws-dom.mjs";
import { directoryPicker, findPeople, personLine } from "./ws-picker.mjs";

const CURRENCIES = ["CNY", "USD", "EUR", "HKD"];
const STATUS_KIND = { draft: "neutral", in_progress: "wait", completed: "ok", declined: "bad", voided: "bad", expired: "bad" };
const SIGNER_KIND = { pending: "wait", signed: "ok", declined: "bad" };
/** The states the sender may void a contract in (server/contracts/flow.ts mayVoid); others answer 409 not_voidable. */
const VOIDABLE = new Set(["draft", "in_progress"]);

/** Links and codes the server returns once: kept in this page's memory only, by contract id. */
const issued = new Map();
const issuedFor = (id) => {
  if (!issued.has(id)) issued.set(id, { links: new Map(), codes: new Map() });
  return issued.get(id);
};

export const contractStatusBadge = (status) => badge(STATUS_KIND[status] ?? "neutral", `contract.status.${status}`);

export async function contractsView(root, ctx) {
  const news = el("div", { role: "status", "aria-live": "polite", class: "ws-messages", id: "contract-news" });
  const errors = el("div", { role: "alert", id: "contract-errors" });
  const listBox = el("div", { id: "contract-list" });
  const expanded = new Set();
  let contracts = [];
  /** The contract the void step is open for, if any. */
  let voiding = null;

  const act = async (run, doneKey, params) => {
    errors.replaceChildren();
    try {
      const result = await run();
      if (doneKey) say(news, "ok", doneKey, typeof params === "function" ? params(result) : params);
      await refresh();
      return result;
    } catch (e) {
      sayError(errors, e);
      return null;
    }
  };

  async function refresh() {
    const { items } = await api("GET", "contracts");
    if (!ctx.alive()) return;
    // The detail (events) of the expanded ones.
    contracts = await Promise.all(items.map(async (c) => (expanded.has(c.id) ? { ...c, ...(await api("GET", `contracts/${c.id}`)) } : c)));
    render();
  }

  const toggle = async (c) => {
    if (expanded.has(c.id)) expanded.delete(c.id);
    else expanded.add(c.id);
    await act(async () => undefined);
  };

  // Sending: the step says who is mailed, and takes the deadline and the reminders' interval.
  let sending = null;
  const days = el("input", { type: "number", name: "expiresInDays", min: "1", max: "365", inputmode: "numeric" });
  const remind = el("input", { type: "number", name: "reminderIntervalHours", min: "1", max: "720", inputmode: "numeric" });
  const sendStep = confirmStep({
    id: "send-step",
    level: "h2",
    danger: false,
    title: ["contract.sendTitle", { title: "" }],
    text: ["contract.sendText"],
    body: [
      field("send-days", "contract.sendDays", days, { hint: "contract.sendDaysHint" }),
      field("send-remind", "contract.sendRemind", remind, { hint: "contract.sendRemindHint" }),
    ],
    confirm: ["contract.sendConfirm"],
    onCancel: () => closeSend(true),
    onConfirm: async (_form, stepErrors) => {
      const c = sending;
      const opts = {};
      for (const [input, key, max] of [
        [days, "expiresInDays", 365],
        [remind, "reminderIntervalHours", 720],
      ]) {
        if (!input.value.trim()) continue;
        const n = Number(input.value);
        if (!Number.isInteger(n) || n < 1 || n > max) {
          input.setAttribute("aria-invalid", "true");
          say(stepErrors, "bad", "contract.sendBadNumber", { max });
          input.focus();
          return;
        }
        input.removeAttribute("aria-invalid");
        opts[key] = n;
      }
      let sent;
      try {
        sent = await api("POST", `contracts/${c.id}/send`, { json: opts });
      } catch (e) {
        sayError(stepErrors, e);
        if (e.status === 409) await refresh().catch(() => undefined);
        return;
      }
      const mem = issuedFor(c.id);
      for (const inv of sent.invitations) mem.links.set(inv.signerId, inv);
      expanded.add(c.id);
      closeSend(false);
      errors.replaceChildren();
      say(news, "ok", "contract.sent", { title: c.title, n: sent.invitations.length });
      await refresh().catch((e) => sayError(errors, e));
      document.querySelector(`[data-contract-id="${c.id}"] [data-action=details]`)?.focus();
    },
  });
  function openSend(c) {
    sending = c;
    days.value = "";
    remind.value = "";
    sendStep.node.dataset.contractId = c.id;
    sendStep.node.querySelector("#send-step-title").replaceChildren(tx("contract.sendTitle", { title: c.title }));
    sendStep.open();
  }
  function closeSend(returnFocus) {
    const c = sending;
    sending = null;
    sendStep.node.dataset.contractId = "";
    sendStep.close();
    if (returnFocus && c) document.querySelector(`[data-focus-key="send:${c.id}"]`)?.focus();
  }
  const send = (c) => openSend(c);

  const issueCode = (c, s) =>
    act(
      async () => {
        const code = await api("POST", `contracts/${c.id}/signers/${s.id}/code`);
        issuedFor(c.id).codes.set(s.id, code);
        return code;
      },
      "contract.codeIssued",
      { name: s.name },
    );

  const reissue = (c, s) =>
    act(
      async () => {
        const inv = await api("POST", `contracts/${c.id}/signers/${s.id}/invitation`);
        const mem = issuedFor(c.id);
        mem.links.set(s.id, inv);
        mem.codes.delete(s.id);
        return inv;
      },
      "contract.linkReissued",
      { name: s.name },
    );

  // Voiding: a reason is required; the step says what voiding does before anything happens.
  const reasonBox = el("textarea", { name: "reason", rows: "3", maxlength: "1000", "aria-invalid": "false" });
  reasonBox.addEventListener("input", () => reasonBox.setAttribute("aria-invalid", "false"));
  const voidStep = confirmStep({
    id: "void-step",
    level: "h2",
    title: ["contract.voidTitle", { title: "" }],
    text: ["contract.voidText"],
    body: [field("void-reason", "contract.voidReason", reasonBox, { required: true, hint: "contract.voidReasonHint" })],
    confirm: ["contract.voidConfirm"],
    onCancel: () => closeVoid(true),
    onConfirm: async (_form, stepErrors) => {
      const c = voiding;
      const reason = reasonBox.value.trim();
      if (!reason) {
        reasonBox.setAttribute("aria-invalid", "true");
        say(stepErrors, "bad", "contract.voidReasonRequired");
        reasonBox.focus();
        return;
      }
      try {
        await api("POST", `contracts/${c.id}/void`, { json: { reason } });
      } catch (e) {
        sayError(stepErrors, e);
        // 409: the contract moved on meanwhile (signed, declined, voided elsewhere): show where it is now.
        if (e.status === 409) await refresh().catch(() => undefined);
        return;
      }
      closeVoid(false);
      errors.replaceChildren();
      say(news, "ok", "contract.voided", { title: c.title });
      await refresh().catch((e) => sayError(errors, e));
      document.querySelector(`[data-contract-id="${c.id}"] [data-action=details]`)?.focus();
    },
  });

  function openVoid(c) {
    voiding = c;
    voidStep.node.dataset.contractId = c.id;
    reasonBox.value = "";
    reasonBox.setAttribute("aria-invalid", "false");
    voidStep.node.querySelector("#void-step-title").replaceChildren(tx("contract.voidTitle", { title: c.title }));
    voidStep.open();
  }

  function closeVoid(returnFocus) {
    const c = voiding;
    voiding = null;
    voidStep.node.dataset.contractId = "";
    voidStep.close();
    if (returnFocus && c) document.querySelector(`[data-focus-key="void:${c.id}"]`)?.focus();
  }

  function signersSummary(c) {
    return el(
      "ul",
      { class: "ws-plain" },
      c.signers.map((s) => el("li", {}, s.name, " ", tx("contract.stepN", { step: s.step }), colon(), badge(SIGNER_KIND[s.status] ?? "neutral", `signer.status.${s.status}`))),
    );
  }

  function details(c) {
    const mem = issuedFor(c.id);
    const mine = c.you?.sender;
    const signerRows = c.signers.map((s) => {
      const link = mem.links.get(s.id);
      const code = mem.codes.get(s.id);
      const open = c.status === "in_progress" && s.status === "pending" && c.openStep === s.step;
      return el(
        "tr",
        { "data-signer-id": s.id },
        el("td", {}, String(s.step)),
        el(
          "td",
          {},
          s.name,
          // an organisation as the signer (any member holding its seal signs for it): the seal kind, not its name twice
          s.kind === "organization" ? el("div", { class: "hint" }, tx("signer.forOrganization", { kind: s.sealKind })) : s.organization ? el("div", { class: "hint" }, s.organization) : null,
          s.role ? el("div", { class: "hint" }, s.role) : null,
        ),
        el(
          "td",
          {},
          badge(SIGNER_KIND[s.status] ?? "neutral", `signer.status.${s.status}`),
          s.signedAt ? el("div", { class: "hint" }, formatTime(s.signedAt)) : null,
          s.kind === "organization" && s.signedBy ? el("div", { class: "hint ws-signed-by" }, tx("signer.signedBy", { name: s.signedBy.name ?? s.signedBy.userId })) : null,
        ),
        el(
          "td",
          { class: "ws-invitation" },
          link
            ? [
                // The signing page for a person when the server names one, else the API address.
                el("a", { href: link.signUrl ?? link.url, class: "ws-link", "data-invitation-link": "" }, link.signUrl ?? link.url),
                el("div", { class: "hint" }, tx("contract.linkExpires", { at: formatTime(link.expiresAt) })),
              ]
            : tx(c.status === "draft" ? "contract.linkAfterSend" : "contract.linkShownOnce", undefined, "span"),
        ),
        el(
          "td",
          {},
          code
            ? [el("strong", { class: "ws-code", "data-code": "" }, code.code), el("div", { class: "hint" }, tx("contract.codeExpires", { at: formatTime(code.expiresAt), n: code.attemptsAllowed }))]
            : s.codeDelivery !== "out-of-band"
              ? tx("contract.codeByEmail")
              : open
                ? tx("contract.codeNone")
                : tx("contract.codeNotYet"),
        ),
        el(
          "td",
          { class: "ws-actions" },
          mine && open && s.codeDelivery === "out-of-band"
            ? el("button", { type: "button", class: "button small primary", "data-focus-key": `code:${s.id}`, onclick: () => issueCode(c, s) }, tx(code ? "contract.newCode" : "contract.issueCode"))
            : null,
          mine && c.status === "in_progress" && s.status === "pending"
            ? el("button", { type: "button", class: "button small", "data-focus-key": `link:${s.id}`, onclick: () => reissue(c, s) }, tx("contract.reissue"))
            : null,
        ),
      );
    });
    return el(
      "div",
      { class: "ws-details", id: `contract-details-${c.id}` },
      el("h3", {}, tx("contract.signersTitle")),
      c.status === "in_progress" && mine ? el("p", { class: "hint" }, tx("contract.deliveryHint")) : null,
      table({ columns: ["contract.step", "contract.signer", "contract.signerStatus", "contract.link", "contract.code", "evidence.actions"], rows: signerRows }),
      c.notifications
        ? [
            el("h3", {}, tx("contract.mail")),
            table({
              id: `contract-mail-${c.id}`,
              caption: "contract.mail",
              empty: "contract.noMail",
              columns: ["outbox.createdAt", "outbox.template", "outbox.to", "outbox.state"],
              rows: c.notifications.map((m) =>
                el(
                  "tr",
                  { "data-message-id": m.id, "data-template": m.template, "data-status": m.status },
                  el("td", {}, formatTime(m.createdAt)),
                  el("td", {}, tx(`mail.template.${m.template}`)),
                  el("td", {}, m.to),
                  el("td", {}, mailBadge(m), m.lastError ? el("div", { class: "ws-detail", lang: "en" }, m.lastError) : null),
                ),
              ),
            }),
          ]
        : null,
      c.events
        ? [
            el("h3", {}, tx("contract.events")),
            el(
              "ol",
              { class: "ws-events" },
              c.events.map((e) =>
                el(
                  "li",
                  {},
                  formatTime(e.at),
                  " · ",
                  tx(`contract.event.${e.action}`),
                  typeof e.details?.reason === "string" ? [" · ", tx("contract.endReason"), colon(), e.details.reason] : null,
                  e.documentSha256 ? [" · SHA-256 ", hex(e.documentSha256)] : null,
                ),
              ),
            ),
          ]
        : null,
      c.completion ? el("p", {}, tx("contract.verifyAt"), colon(), el("a", { href: c.completion.verifyUrl }, c.completion.verifyUrl)) : null,
    );
  }

  /** The field editor for a draft, under the list (ws-fields.mjs); its signers come from the contract's detail. */
  const editorBox = el("div", { id: "field-editor-box" });
  async function placeFields(c) {
    await fieldEditor(editorBox, await api("GET", `contracts/${c.id}`), () => document.querySelector(`[data-focus-key="fields:${c.id}"]`)?.focus());
  }

  function render() {
    const rows = contracts.flatMap((c) => {
      const mine = c.you?.sender;
      const row = el(
        "tr",
        { "data-contract-id": c.id, "data-status": c.status },
        el("td", {}, el("strong", {}, c.title), el("div", { class: "hint" }, tx(c.origin === "upload" ? "contract.from.upload" : "contract.from.template"))),
        el(
          "td",
          {},
          contractStatusBadge(c.status),
          c.expiresAt && c.status === "in_progress" ? el("div", { class: "hint" }, tx("contract.expires", { at: formatTime(c.expiresAt) })) : null,
          // Why it ended: the sender's reason for voiding, or the signer's for declining.
          c.endReason && (c.status === "voided" || c.status === "declined")
            ? el("div", { class: "ws-detail", "data-end-reason": "" }, tx("contract.endReason"), colon(), el("span", { class: "ws-comment" }, c.endReason), c.endedAt ? [" · ", formatTime(c.endedAt)] : null)
            : null,
        ),
        el("td", {}, tx(mine ? "contract.you.sender" : "contract.you.signer")),
        el("td", {}, formatTime(c.createdAt)),
        el("td", {}, signersSummary(c)),
        el(
          "td",
          { class: "ws-actions" },
          mine && c.status === "draft"
            ? el("button", { type: "button", class: "button small primary", "data-action": "send", "data-focus-key": `send:${c.id}`, "aria-controls": "send-step", onclick: () => send(c) }, tx("contract.send"))
            : null,
          mine && c.status === "draft"
            ? el("button", { type: "button", class: "button small", "data-action": "fields", "data-focus-key": `fields:${c.id}`, onclick: () => act(() => placeFields(c)) }, tx("fields.open"))
            : null,
          el(
            "button",
            { type: "button", class: "button small", "aria-expanded": String(expanded.has(c.id)), "aria-controls": `contract-details-${c.id}`, "data-action": "details", "data-focus-key": `details:${c.id}`, onclick: () => toggle(c) },
            tx(expanded.has(c.id) ? "contract.hide" : "contract.details"),
          ),
          el("button", { type: "button", class: "button small", "data-focus-key": `pdf:${c.id}`, onclick: () => act(() => download(`contracts/${c.id}/document`, `contract-${c.id}.pdf`), "contract.downloaded") }, tx("contract.download")),
          mine && VOIDABLE.has(c.status)
            ? el(
                "button",
                { type: "button", class: "button small danger", "data-action": "void", "data-focus-key": `void:${c.id}`, "aria-controls": "void-step", onclick: () => openVoid(c) },
                tx("contract.void"),
              )
            : null,
          c.status === "completed"
            ? el("button", { type: "button", class: "button small", "data-focus-key": `cert:${c.id}`, onclick: () => act(() => download(`contracts/${c.id}/certificate`, `contract-${c.id}-certificate.pdf`), "contract.downloaded") }, tx("contract.certificate"))
            : null,
        ),
      );
      return expanded.has(c.id) ? [row, el("tr", { class: "ws-details-row", "data-details-for": c.id }, el("td", { colspan: "6" }, details(c)))] : [row];
    });
    replaceKeepingFocus(
      listBox,
      table({
        id: "contracts-table",
        caption: "contracts.title",
        empty: "contracts.empty",
        columns: ["contract.title", "contract.status", "contract.yourPart", "contract.createdAt", "contract.signers", "evidence.actions"],
        rows,
      }),
    );
  }

  root.append(
    el(
      "section",
      { class: "card", "aria-labelledby": "contracts-title" },
      el("h1", { id: "contracts-title", tabindex: "-1", "data-view-heading": "" }, tx("contracts.title")),
      el("p", { class: "hint" }, tx("contracts.intro")),
      news,
      errors,
      listBox,
      sendStep.node,
      voidStep.node,
    ),
    editorBox,
    el("section", { class: "card", "aria-labelledby": "new-contract-title" }, el("h2", { id: "new-contract-title" }, tx("contract.new")), await newContractForm(refresh, news, ctx.me)),
  );
  try {
    await refresh();
  } catch (e) {
    sayError(errors, e);
  }
}

// ---- the new contract form

function templateFields(template) {
  return template.fields.map((f) => {
    const id = `tf-${f.name}`;
    const label = (extra) => el("label", { for: extra ?? id }, bi(f.label), f.required ? el("span", { class: "ws-required" }, " ", tx("form.required")) : null);
    switch (f.kind) {
      case "party":
        return el(
          "fieldset",
          { class: "ws-fieldset", "data-field": f.name, "data-kind": f.kind },
          el("legend", {}, bi(f.label), f.required ? el("span", { class: "ws-required" }, " ", tx("form.required")) : null),
          field(`${id}-name`, "template.partyName", el("input", { type: "text", maxlength: "100", autocomplete: "organization" }), { required: f.required }),
          field(`${id}-credit`, "template.creditCode", el("input", { type: "text", maxlength: "32", autocomplete: "off", spellcheck: "false" }), { hint: "template.creditCodeHint" }),
        );
      case "amount":
        return el(
          "div",
          { class: "field", "data-field": f.name, "data-kind": f.kind },
          label(),
          el(
            "div",
            { class: "ws-inline" },
            el("input", { type: "text", id, inputmode: "decimal", pattern: "(0|[1-9][0-9]{0,14})(\\.[0-9]{1,2})?", required: f.required, "aria-describedby": `${id}-hint`, autocomplete: "off" }),
            el("label", { for: `${id}-currency`, class: "visually-hidden" }, tx("template.currency")),
            el("select", { id: `${id}-currency` }, CURRENCIES.map((c) => el("option", { value: c }, c))),
          ),
          el("p", { class: "hint", id: `${id}-hint` }, tx("template.amountHint")),
        );
      case "date":
        return el("div", { class: "field", "data-field": f.name, "data-kind": f.kind }, label(), el("input", { type: "date", id, required: f.required }));
      case "clauses":
        return el(
          "div",
          { class: "field", "data-field": f.name, "data-kind": f.kind },
          label(),
          el("textarea", { id, rows: "3", required: f.required, "aria-describedby": `${id}-hint` }),
          el("p", { class: "hint", id: `${id}-hint` }, tx("template.clausesHint")),
        );
      default:
        return el("div", { class: "field", "data-field": f.name, "data-kind": f.kind }, label(), el("textarea", { id, rows: "2", required: f.required, maxlength: "4000" }));
    }
  });
}

/** The values of a template's fields as the API takes them; empty optional fields left out. */
function templateValues(template, form) {
  const values = {};
  const val = (id) => form.querySelector(`#${id}`).value.trim();
  for (const f of template.fields) {
    const id = `tf-${f.name}`;
    if (f.kind === "party") {
      const name = val(`${id}-name`);
      const creditCode = val(`${id}-credit`);
      if (name || creditCode) values[f.name] = creditCode ? { name, creditCode } : { name };
    } else if (f.kind === "amount") {
      const value = val(id);
      if (value) values[f.name] = { value, currency: form.querySelector(`#${id}-currency`).value };
    } else if (f.kind === "clauses") {
      const clauses = val(id).split("\n").map((s) => s.trim()).filter(Boolean);
      if (clauses.length) values[f.name] = clauses;
    } else {
      const v = val(id);
      if (v) values[f.name] = v;
    }
  }
  return values;
}

let signerCounter = 0;

async function newContractForm(refresh, news, me) {
  const { templates } = await api("GET", "contracts/templates");
  const errors = el("div", { role: "alert", id: "new-contract-errors" });
  const progress = progressBox("contract-upload-progress");
  const templateSelect = el("select", { name: "template" }, templates.map((tp) => el("option", { value: tp.id, bi: tp.title })));
  const fieldsBox = el("div", { class: "ws-template-fields", id: "template-fields" });
  const showTemplate = () => fieldsBox.replaceChildren(...templateFields(templates.find((tp) => tp.id === templateSelect.value)));
  templateSelect.addEventListener("change", showTemplate);
  const templatePart = el("div", { id: "template-part" }, field("contract-template", "contract.template", templateSelect), fieldsBox);
  const uploadPart = el("div", { id: "upload-part", hidden: true }, field("contract-file", "contract.file", el("input", { type: "file", name: "file", accept: ".pdf,application/pdf" }), { hint: "contract.fileHint" }));
  const originChoice = (value, key) =>
    el("label", { class: "ws-choice" }, el("input", { type: "radio", name: "origin", value, checked: value === "template", id: `origin-${value}` }), " ", tx(key));
  const signersBox = el("div", { id: "signer-rows" });
  const addSigner = () => {
    const n = ++signerCounter;
    const nameInput = el("input", { type: "text", name: "signer-name", maxlength: "200", autocomplete: "off" });
    // Someone of the own organisation is picked from the directory; any other address is typed (with
    // the name, which an address without an account needs: it is invited by mail when sent).
    const who = directoryPicker({
      id: `signer-${n}-email`,
      labelKey: "signer.email",
      hint: "signer.emailHint",
      required: true,
      name: "signer-email",
      search: (q) => findPeople(q, { organizationId: me.organizationId ?? undefined }),
      line: personLine,
      pickedText: (p) => p.email,
      onPick: (p) => {
        row.dataset.userId = p.id;
        row.dataset.pickedEmail = p.email;
        nameInput.value = p.name;
      },
      onType: () => {
        delete row.dataset.userId;
        delete row.dataset.pickedEmail;
      },
    });
    const row = el(
      "div",
      { class: "ws-signer-row", "data-signer-row": String(n) },
      who.node,
      field(`signer-${n}-step`, "signer.step", el("input", { type: "number", name: "signer-step", min: "1", max: "20", value: "1" }), { required: true }),
      field(`signer-${n}-name`, "signer.name", nameInput, { hint: "signer.nameHint" }),
      field(`signer-${n}-role`, "signer.role", el("input", { type: "text", name: "signer-role", maxlength: "64", autocomplete: "off" })),
      el(
        "label",
        { class: "ws-choice", for: `signer-${n}-oob` },
        el("input", { type: "checkbox", name: "signer-oob", id: `signer-${n}-oob` }),
        " ",
        tx("signer.outOfBand"),
      ),
      el("button", { type: "button", class: "button small", onclick: () => (row.remove(), addButton.focus()), "aria-describedby": `signer-${n}-email` }, tx("signer.remove")),
    );
    signersBox.append(row);
    row.querySelector("input").focus();
  };
  const addButton = el("button", { type: "button", class: "button", id: "add-signer", onclick: addSigner }, tx("signer.add"));

  const form = el(
    "form",
    { class: "form", id: "contract-form" },
    field("contract-title", "contract.title", el("input", { type: "text", name: "title", maxlength: "200", autocomplete: "off" }), { required: true }),
    el("fieldset", { class: "ws-fieldset" }, el("legend", {}, tx("contract.origin")), el("div", { class: "ws-choices" }, originChoice("template", "contract.origin.template"), originChoice("upload", "contract.origin.upload"))),
    templatePart,
    uploadPart,
    el("fieldset", { class: "ws-fieldset" }, el("legend", {}, tx("contract.signers")), el("p", { class: "hint" }, tx("signer.intro")), signersBox, addButton),
    progress.node,
    errors,
    el("button", { type: "submit", class: "button primary", id: "create-contract" }, tx("contract.create")),
  );
  const origin = () => form.querySelector("input[name=origin]:checked").value;
  for (const r of form.querySelectorAll("input[name=origin]"))
    r.addEventListener("change", () => {
      templatePart.hidden = origin() !== "template";
      uploadPart.hidden = origin() !== "upload";
      // Hidden fields are not asked for.
      for (const input of templatePart.querySelectorAll("[required], [data-was-required]")) {
        if (templatePart.hidden) {
          input.dataset.wasRequired = "";
          input.required = false;
        } else if ("wasRequired" in input.dataset) {
          input.required = true;
          delete input.dataset.wasRequired;
        }
      }
      uploadPart.querySelector("input").required = !uploadPart.hidden;
    });
  showTemplate();

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    errors.replaceChildren();
    const signers = [...signersBox.querySelectorAll(".ws-signer-row")].map((row) => {
      const role = row.querySelector("[name=signer-role]").value.trim();
      const name = row.querySelector("[name=signer-name]").value.trim();
      const outOfBand = row.querySelector("[name=signer-oob]").checked;
      const email = row.querySelector("[name=signer-email]").value.trim();
      const picked = row.dataset.userId && row.dataset.pickedEmail === email;
      return {
        ...(picked ? { userId: row.dataset.userId } : { email }),
        step: Number(row.querySelector("[name=signer-step]").value),
        ...(name ? { name } : {}),
        ...(role ? { role } : {}),
        ...(outOfBand ? { codeDelivery: "out-of-band" } : {}),
      };
    });
    if (!signers.length) {
      say(errors, "bad", "signer.none");
      addButton.focus();
      return;
    }
    const blank = [...signersBox.querySelectorAll("[name=signer-email]")].find((input) => !input.value.trim());
    if (blank) {
      blank.setAttribute("aria-invalid", "true");
      say(errors, "bad", "signer.emailMissing");
      blank.focus();
      return;
    }
    const title = form.title.value.trim();
    const button = form.querySelector("#create-contract");
    button.disabled = true;
    try {
      let created;
      if (origin() === "template") {
        const template = templates.find((tp) => tp.id === templateSelect.value);
        created = await api("POST", "contracts", { json: { title, template: { id: template.id, fields: templateValues(template, form) }, signers } });
      } else {
        const file = uploadPart.querySelector("input").files[0];
        const body = new FormData();
        body.append("contract", JSON.stringify({ title, signers }));
        body.append("file", file, file.name);
        progress.start();
        created = await upload("contracts", body, (sent, total) => progress.update(sent, total));
        progress.done();
      }
      say(news, "ok", "contract.created", { title: created.title });
      form.reset();
      signersBox.replaceChildren();
      templatePart.hidden = false;
      uploadPart.hidden = true;
      showTemplate();
      await refresh();
      document.querySelector(`[data-contract-id="${created.id}"] button`)?.focus();
    } catch (err) {
      if (origin() === "upload") progress.fail();
      sayError(errors, err);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
