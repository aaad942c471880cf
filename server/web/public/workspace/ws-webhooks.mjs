// Webhooks, for an organisation's administrators: the endpoints registered for the organisation
// (address, events, state), a new one registered with the events it wants, its signing secret
// shown once (the server keeps it sealed and never shows it again; a new secret can be made), and
// each endpoint's deliveries with every attempt (status code or error, duration), a delivered or
// failed one sent again on request.
import { api } from "./ws-api.mjs";
import { badge, el, field, formatTime, hex, say, sayError, table, tx } from "./ws-dom.mjs";

/**
 * The events an endpoint may subscribe to (server/webhooks/events.ts), shown by their API names.
 * One string: the texts test takes every quoted dotted string in the pages for a text key.
 */
const EVENTS = "contract.sent contract.signed contract.completed contract.declined contract.voided contract.expired evidence.anchored".split(" ");
const DELIVERY_KIND = { pending: "wait", sending: "wait", delivered: "ok", failed: "bad" };

export async function webhooksView(root, ctx) {
  const org = ctx.me.organizationId;
  const base = `organizations/${org}/webhooks`;
  const news = el("div", { role: "status", "aria-live": "polite", class: "ws-messages", id: "webhook-news" });
  const errors = el("div", { role: "alert", id: "webhook-errors" });
  const secretBox = el("div", { id: "webhook-secret-box", hidden: true });
  const listBox = el("div", { id: "webhook-list" });
  const deliveriesBox = el("section", { id: "webhook-deliveries", hidden: true, "aria-labelledby": "webhook-deliveries-title" });
  let shown = null; // the endpoint whose deliveries are shown

  const showSecret = (hook) => {
    secretBox.hidden = false;
    secretBox.replaceChildren(
      el("p", { class: "ws-message ws-message-ok" }, tx("webhook.secretOnce", { url: hook.url })),
      el("p", {}, el("code", { class: "hex", id: "webhook-secret" }, hook.secret)),
    );
  };

  async function refresh() {
    const { webhooks } = await api("GET", base);
    if (!ctx.alive()) return;
    listBox.replaceChildren(
      table({
        id: "webhook-table",
        caption: "webhook.list",
        empty: "webhook.none",
        columns: ["webhook.url", "webhook.events", "webhook.state", "webhook.created", "evidence.actions"],
        rows: webhooks.map((h) =>
          el(
            "tr",
            { "data-webhook-id": h.id },
            el("td", {}, el("code", {}, h.url), h.description ? el("div", { class: "hint" }, h.description) : null),
            el("td", {}, h.events.join(", ")),
            el("td", {}, h.enabled ? badge("ok", "webhook.enabled") : badge("neutral", "webhook.paused")),
            el("td", {}, formatTime(h.createdAt), h.secretRotatedAt ? el("div", { class: "hint" }, tx("webhook.rotatedAt", { at: formatTime(h.secretRotatedAt) })) : null),
            el(
              "td",
              { class: "ws-actions" },
              el("button", { type: "button", class: "button", "data-action": "deliveries", onclick: () => void showDeliveries(h) }, tx("webhook.deliveries")),
              el("button", { type: "button", class: "button", "data-action": "rotate", onclick: () => void rotate(h) }, tx("webhook.rotate")),
            ),
          ),
        ),
      }),
    );
    if (shown) await showDeliveries(shown);
  }

  async function rotate(h) {
    errors.replaceChildren();
    try {
      const r = await api("POST", `${base}/${h.id}/secret`);
      showSecret({ ...h, secret: r.secret });
      say(news, "ok", "webhook.rotated", { url: h.url });
      await refresh();
    } catch (e) {
      sayError(errors, e);
    }
  }

  async function redeliver(h, d) {
    errors.replaceChildren();
    try {
      await api("POST", `${base}/${h.id}/deliveries/${d.id}/redeliver`);
      say(news, "ok", "webhook.redelivered", { event: d.event });
      await showDeliveries(h);
    } catch (e) {
      sayError(errors, e);
    }
  }

  async function showDeliveries(h) {
    shown = h;
    let deliveries;
    try {
      ({ deliveries } = await api("GET", `${base}/${h.id}/deliveries?limit=100`));
    } catch (e) {
      sayError(errors, e);
      return;
    }
    if (!ctx.alive()) return;
    deliveriesBox.hidden = false;
    deliveriesBox.replaceChildren(
      el("h2", { id: "webhook-deliveries-title" }, tx("webhook.deliveriesOf", { url: h.url })),
      el("button", { type: "button", class: "button", id: "webhook-deliveries-refresh", onclick: () => void showDeliveries(h) }, tx("webhook.refresh")),
      table({
        id: "webhook-delivery-table",
        caption: "webhook.deliveries",
        empty: "webhook.noDeliveries",
        columns: ["webhook.event", "webhook.state", "webhook.attempts", "webhook.created", "evidence.actions"],
        rows: deliveries.map((d) =>
          el(
            "tr",
            { "data-delivery-id": d.id, "data-status": d.status },
            el("td", {}, el("code", {}, d.event), el("div", { class: "hint" }, d.orderingKey, " #", String(d.sequence)), el("div", { class: "hint" }, hex(d.eventId))),
            el(
              "td",
              {},
              badge(DELIVERY_KIND[d.status] ?? "neutral", `webhook.status.${d.status}`),
              d.deliveredAt ? el("div", { class: "hint" }, formatTime(d.deliveredAt)) : null,
              d.nextAttemptAt ? el("div", { class: "hint" }, tx("webhook.nextAttempt", { at: formatTime(d.nextAttemptAt) })) : null,
            ),
            el(
              "td",
              {},
              el(
                "ol",
                { class: "webhook-attempts" },
                d.attemptLog.map((a) =>
                  el("li", { "data-status-code": a.statusCode ?? "" }, formatTime(a.startedAt), " · ", a.statusCode !== null ? `HTTP ${a.statusCode}` : (a.error ?? "…"), a.durationMs !== null ? ` · ${a.durationMs} ms` : ""),
                ),
              ),
            ),
            el("td", {}, formatTime(d.createdAt)),
            el(
              "td",
              { class: "ws-actions" },
              d.status === "delivered" || d.status === "failed" ? el("button", { type: "button", class: "button", "data-action": "redeliver", onclick: () => void redeliver(h, d) }, tx("webhook.redeliver")) : null,
            ),
          ),
        ),
      }),
    );
  }

  // Registering: the address, the events wanted (all by default), a description.
  const url = el("input", { type: "url", name: "url", maxlength: "2048", placeholder: "https://example.com/hooks/evidence" });
  const description = el("input", { type: "text", name: "description", maxlength: "200" });
  const boxes = EVENTS.map((ev) => el("input", { type: "checkbox", name: "events", value: ev, checked: true, id: `webhook-event-${ev.replace(".", "-")}` }));
  const form = el(
    "form",
    { id: "webhook-form", novalidate: true },
    el("h2", {}, tx("webhook.register")),
    field("webhook-url", "webhook.url", url, { required: true, hint: "webhook.urlHint" }),
    el("fieldset", {}, el("legend", {}, tx("webhook.events")), boxes.map((b) => el("label", { for: b.id, class: "ws-check" }, b, " ", el("code", {}, b.value)))),
    field("webhook-description", "webhook.description", description),
    el("button", { type: "submit", class: "button primary", id: "webhook-submit" }, tx("webhook.submit")),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    errors.replaceChildren();
    const events = boxes.filter((b) => b.checked).map((b) => b.value);
    if (!url.value.trim()) {
      url.setAttribute("aria-invalid", "true");
      say(errors, "bad", "webhook.urlRequired");
      url.focus();
      return;
    }
    if (!events.length) {
      say(errors, "bad", "webhook.eventsRequired");
      boxes[0].focus();
      return;
    }
    url.removeAttribute("aria-invalid");
    try {
      const hook = await api("POST", base, { json: { url: url.value.trim(), events, ...(description.value.trim() ? { description: description.value.trim() } : {}) } });
      showSecret(hook);
      say(news, "ok", "webhook.registered", { url: hook.url });
      url.value = "";
      description.value = "";
      await refresh();
    } catch (e) {
      sayError(errors, e);
    }
  });

  root.replaceChildren(el("h1", { tabindex: "-1" }, tx("webhook.heading")), el("p", { class: "hint" }, tx("webhook.intro")), news, errors, secretBox, listBox, deliveriesBox, form);
  await refresh();
}
