// Inside a case: the confirmation of addresses for service (送达地址确认书). For a party's members, the
// party's current confirmation (with the signed PDF and the ones it replaced) and the form that
// confirms again; for the case's judges, per party whether it consented and what it confirmed, and
// per served document what went to which confirmed address and when it was received.
import { api, download } from "./ws-api.mjs";
import { badge, el, field, formatTime, hex, say, sayError, table, tx } from "./ws-dom.mjs";

const BY_CODE = { certificate_required: "addresses.error.certificate_required", case_closed: "addresses.error.case_closed" };

function consentBadge(consent) {
  if (consent === true) return badge("ok", "addresses.consent.given");
  if (consent === false) return badge("bad", "addresses.consent.refused");
  return badge("wait", "addresses.consent.none");
}

const lines = (values) => (values.length ? values.map((v) => el("div", {}, v)) : tx("addresses.none"));

function documentButton(conf, errors) {
  return el(
    "button",
    {
      type: "button",
      class: "button small",
      "data-download-confirmation": conf.id,
      onclick: async () => {
        errors.replaceChildren();
        try {
          await download(conf.document.url.replace(/^\/api\//, ""), `address-confirmation-${conf.id}.pdf`);
        } catch (e) {
          sayError(errors, e);
        }
      },
    },
    tx("addresses.download"),
  );
}

function confirmationRows(entries, errors) {
  return entries.map(({ party, current, consent }) =>
    el(
      "tr",
      { "data-party-id": party.id, "data-consent": consent === null ? "none" : String(consent) },
      el("td", {}, el("strong", {}, party.name), el("div", { class: "hint" }, tx(`party.${party.kind}`))),
      el("td", {}, consentBadge(consent)),
      el("td", {}, current ? lines(current.addresses.emails) : "—"),
      el("td", {}, current ? lines(current.addresses.phones) : "—"),
      el("td", {}, current ? (current.addresses.postal ?? tx("addresses.none")) : "—"),
      el("td", {}, current ? [el("div", {}, current.confirmedBy.name ?? current.confirmedBy.id), el("div", { class: "hint" }, formatTime(current.confirmedAt))] : "—"),
      el("td", {}, current ? [documentButton(current, errors), el("div", { class: "hint" }, hex(current.document.sha256))] : "—"),
    ),
  );
}

const COLUMNS = ["addresses.party", "addresses.consent", "addresses.emails", "addresses.phones", "addresses.postal", "addresses.confirmedBy", "addresses.document"];

/** The party's own confirmation and the form; c is the case as GET /api/cases/:id gives it. */
export function serviceAddressesPartySection(ctx, c) {
  const news = el("div", { role: "status", "aria-live": "polite", class: "ws-messages", id: "addresses-news" });
  const errors = el("div", { role: "alert", id: "addresses-errors" });
  const currentBox = el("div", { id: "addresses-current" });
  const refresh = async () => {
    const view = await api("GET", `cases/${c.id}/service-addresses`);
    if (!ctx.alive()) return;
    const own = view.parties;
    const superseded = own.flatMap((p) => p.superseded);
    // replaceChildren would print a null: the optional part goes through el, which skips it
    currentBox.replaceChildren(
      el(
        "div",
        {},
        table({ id: "addresses-own-table", caption: "addresses.title", columns: COLUMNS, rows: confirmationRows(own, errors) }),
        superseded.length
        ? el(
            "details",
            { id: "addresses-superseded" },
            el("summary", {}, tx("addresses.superseded", { n: superseded.length })),
            superseded.map((s) => el("div", { "data-superseded-id": s.id }, formatTime(s.confirmedAt), " ", documentButton(s, errors))),
          )
          : null,
      ),
    );
  };

  const form = el("form", { id: "addresses-form", novalidate: true });
  form.append(
    field("addresses-emails", "addresses.form.emails", el("textarea", { name: "emails", rows: "3", autocomplete: "off" }), { hint: "addresses.form.emailsHint" }),
    field("addresses-phones", "addresses.form.phones", el("textarea", { name: "phones", rows: "3", autocomplete: "off" }), { hint: "addresses.form.phonesHint" }),
    field("addresses-postal", "addresses.form.postal", el("input", { type: "text", name: "postal", maxlength: "300", autocomplete: "street-address" })),
    el(
      "fieldset",
      { class: "field" },
      el("legend", {}, tx("addresses.form.consent")),
      el("label", {}, el("input", { type: "radio", name: "consent", value: "yes", id: "addresses-consent-yes", checked: true }), " ", tx("addresses.form.consentYes")),
      el("label", {}, el("input", { type: "radio", name: "consent", value: "no", id: "addresses-consent-no" }), " ", tx("addresses.form.consentNo")),
      el("p", { class: "hint" }, tx("addresses.form.legal")),
    ),
    el("p", { class: "hint" }, tx("addresses.form.signHint")),
    el("button", { type: "submit", class: "button primary", id: "addresses-submit" }, tx("addresses.form.submit")),
  );
  const split = (v) => v.split(/[\n,;，；]+/).map((s) => s.trim()).filter(Boolean);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    errors.replaceChildren();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const postal = form.postal.value.trim();
      const made = await api("POST", `cases/${c.id}/service-addresses`, {
        json: { emails: split(form.emails.value), phones: split(form.phones.value), ...(postal ? { postal } : {}), consent: form.consent.value === "yes" },
      });
      say(news, "ok", made.consent ? "addresses.confirmed" : "addresses.confirmedNoConsent");
      await refresh();
    } catch (err) {
      sayError(errors, err, BY_CODE);
    } finally {
      button.disabled = false;
    }
  });

  const node = el(
    "section",
    { class: "card", id: "addresses-section", "aria-labelledby": "addresses-title" },
    el("h2", { id: "addresses-title" }, tx("addresses.title")),
    el("p", { class: "hint" }, tx("addresses.introParty")),
    news,
    errors,
    currentBox,
    c.status === "open" ? el("div", {}, el("h3", { id: "addresses-form-title" }, tx("addresses.form.title")), form) : null,
  );
  // Read once when the case opens (a confirmation or a service shows on the next visit): a 5-second
  // poll here disturbed the case page's directory pickers in the way-in browser test.
  void refresh().catch((err) => ctx.alive() && sayError(errors, err));
  return node;
}

function deliveryRows(services) {
  return services.flatMap((s) => {
    // a fresh cell per row: a node appended twice would leave the first row empty
    const head = () => [el("strong", {}, s.title), el("div", { class: "hint" }, s.party.name, " · ", formatTime(s.servedAt))];
    if (!s.addresses) return [];
    if (s.addresses.consent === "missing") {
      return [
        el(
          "tr",
          { "data-service-id": s.id, "data-channel": "none" },
          el("td", {}, head()),
          el("td", { colspan: "4" }, badge("wait", "addresses.service.consentMissing")),
        ),
      ];
    }
    return s.addresses.deliveries.map((d) =>
      el(
        "tr",
        { "data-service-id": s.id, "data-channel": d.channel, "data-address": d.address },
        el("td", {}, head()),
        el("td", {}, tx(`addresses.channel.${d.channel}`), el("div", { class: "hint" }, d.address)),
        el(
          "td",
          {},
          d.mail
            ? badge(d.mail.status === "sent" ? "ok" : d.mail.status === "failed" ? "bad" : "wait", `mail.status.${d.mail.status}`)
            : badge("neutral", "addresses.service.textKept"),
          el("div", { class: "hint" }, formatTime(d.mail?.sentAt ?? d.sentAt)),
          d.text ? el("div", { class: "hint" }, d.text.body) : null,
        ),
        el(
          "td",
          {},
          d.openedAt
            ? badge("ok", "service.opened", { at: formatTime(d.openedAt) })
            : d.channel === "sms"
              ? badge("neutral", "addresses.service.noReport")
              : badge("wait", "service.notOpened"),
        ),
        el("td", {}, d.receipt?.bundle ? badge("ok", "service.receiptAnchored") : d.receipt ? badge("wait", "addresses.service.receiptPending") : "—"),
      ),
    );
  });
}

/** The court's view: per party its consent and confirmed addresses; per service what went where. */
export function serviceAddressesCourtSection(ctx, c) {
  const errors = el("div", { role: "alert", id: "addresses-court-errors" });
  const partiesBox = el("div", { id: "addresses-parties" });
  const deliveriesBox = el("div", { id: "addresses-deliveries" });
  const refresh = async () => {
    const [view, served] = await Promise.all([api("GET", `cases/${c.id}/service-addresses`), api("GET", `cases/${c.id}/services`)]);
    if (!ctx.alive()) return;
    partiesBox.replaceChildren(table({ id: "addresses-parties-table", caption: "addresses.title", columns: COLUMNS, rows: confirmationRows(view.parties, errors) }));
    deliveriesBox.replaceChildren(
      table({
        id: "addresses-deliveries-table",
        caption: "addresses.service.title",
        empty: "addresses.service.empty",
        columns: ["service.document", "addresses.service.address", "addresses.service.sent", "addresses.service.received", "service.receipt"],
        rows: deliveryRows(served.services),
      }),
    );
  };
  const node = el(
    "section",
    { class: "card", id: "addresses-court-section", "aria-labelledby": "addresses-court-title" },
    el("h2", { id: "addresses-court-title" }, tx("addresses.title")),
    el("p", { class: "hint" }, tx("addresses.introCourt")),
    errors,
    partiesBox,
    el("h3", { id: "addresses-deliveries-title" }, tx("addresses.service.title")),
    deliveriesBox,
  );
  // Read once when the case opens (a confirmation or a service shows on the next visit): a 5-second
  // poll here disturbed the case page's directory pickers in the way-in browser test.
  void refresh().catch((err) => ctx.alive() && sayError(errors, err));
  return node;
}
