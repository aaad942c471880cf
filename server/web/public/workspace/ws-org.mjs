// An organisation's own administration, for its administrators (and the platform administrator,
// who opens any organisation from the console): members invited by e-mail, their role within what
// the organisation's kind may hold, the administrator's right given or taken, removal after a
// confirmation step, invitations sent again; the organisation's contracts and certificates.
import { api } from "./ws-api.mjs";
import { badge, confirmStep, el, field, formatTime, hex, replaceKeepingFocus, say, sayError, table, tx } from "./ws-dom.mjs";
import { contractStatusBadge } from "./ws-contracts.mjs";
import { joinList } from "./ws-cases.mjs";

/** A user's state as a badge: disabled, pending (invited, no password yet) or active. */
export const accountBadge = (u) => (u.disabled ? badge("bad", "account.disabled") : u.status === "pending" ? badge("wait", "account.pending") : badge("ok", "account.active"));

/** Whether a certificate is in force now: revoked, expired or valid. */
export function certificateBadge(c) {
  if (c.revokedAt) return badge("bad", "cert.revoked", { reason: c.revocationReason ?? "unspecified" });
  if (Date.parse(c.notAfter) < Date.now()) return badge("bad", "cert.expired");
  return badge("ok", "cert.valid");
}

/** Certificates as a table; actions(c) gives each row's buttons. */
export function certificateTable(certs, { id, actions = () => null, holder = () => null } = {}) {
  return table({
    id,
    caption: "cert.title",
    empty: "cert.empty",
    columns: ["cert.subject", "cert.holder", "cert.serial", "cert.validity", "cert.state", "evidence.actions"],
    rows: certs.map((c) =>
      el(
        "tr",
        { "data-certificate-id": c.id, "data-state": c.revokedAt ? "revoked" : "valid" },
        el("td", {}, el("strong", {}, c.subject?.commonName ?? "—"), c.subject?.organization ? el("div", { class: "hint" }, c.subject.organization) : null, el("div", { class: "hint" }, tx(`cert.kind.${c.kind}`))),
        el("td", {}, holder(c) ?? "—"),
        el("td", {}, hex(c.serialHex)),
        el("td", {}, formatTime(c.notBefore), el("div", { class: "hint" }, tx("cert.until", { at: formatTime(c.notAfter) }))),
        el("td", {}, certificateBadge(c), c.revokedAt ? el("div", { class: "hint" }, formatTime(c.revokedAt)) : null),
        el("td", { class: "ws-actions" }, actions(c)),
      ),
    ),
  });
}

/** Offers a certificate's PEM (it is in the listing already) as a file. */
export function pemButton(c, onDone) {
  return el(
    "button",
    {
      type: "button",
      class: "button small",
      "data-action": "pem",
      "data-focus-key": `pem:${c.id}`,
      onclick: () => {
        const url = URL.createObjectURL(new Blob([c.certPem], { type: "application/x-pem-file" }));
        const a = el("a", { href: url, download: `certificate-${c.serialHex}.pem`, hidden: true });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 30_000);
        onDone?.();
      },
    },
    tx("cert.downloadPem"),
  );
}

let inviteCounter = 0;

/**
 * The members of an organisation (org: {id, name, kind, roles}) in root: the invitation form and
 * the members' table with their actions. me: the signed-in user (their own row keeps its right).
 */
export async function membersPanel(root, ctx, org) {
  const n = ++inviteCounter;
  const news = el("div", { role: "status", "aria-live": "polite", class: "ws-messages", id: "members-news" });
  const errors = el("div", { role: "alert", id: "members-errors" });
  const list = el("div", { id: "members-list" });
  let members = [];
  let removing = null;

  const act = async (run, doneKey, params) => {
    errors.replaceChildren();
    news.replaceChildren();
    try {
      await run();
      if (doneKey) say(news, "ok", doneKey, params);
      await refresh();
      return true;
    } catch (e) {
      sayError(errors, e);
      return false;
    }
  };

  async function refresh() {
    ({ members } = await api("GET", `organizations/${org.id}/members`));
    if (!ctx.alive()) return;
    render();
  }

  const removeStep = confirmStep({
    id: "remove-member-step",
    title: ["members.removeTitle", { name: "" }],
    text: ["members.removeText"],
    confirm: ["members.removeConfirm"],
    onCancel: () => {
      const m = removing;
      removing = null;
      removeStep.close();
      if (m) document.querySelector(`[data-focus-key="remove:${m.id}"]`)?.focus();
    },
    onConfirm: async (_form, stepErrors) => {
      const m = removing;
      try {
        await api("DELETE", `organizations/${org.id}/members/${m.id}`);
      } catch (e) {
        sayError(stepErrors, e);
        return;
      }
      removing = null;
      removeStep.close();
      errors.replaceChildren();
      say(news, "ok", "members.removed", { name: m.name });
      await refresh().catch((e) => sayError(errors, e));
      document.getElementById("members-title")?.focus();
    },
  });

  function render() {
    const roleCell = (m) => {
      if (org.roles.length < 2 || m.disabled) return tx(`role.${m.role}`);
      const select = el(
        "select",
        { id: `member-role-${m.id}`, "data-focus-key": `role:${m.id}`, "data-member-role": m.id },
        org.roles.map((r) => el("option", { value: r, selected: r === m.role }, tx(`role.${r}`))),
      );
      select.addEventListener("change", () => act(() => api("PATCH", `organizations/${org.id}/members/${m.id}`, { json: { role: select.value } }), "members.roleChanged", { name: m.name }));
      return [el("label", { for: select.id, class: "visually-hidden" }, tx("members.roleOf", { name: m.name })), select];
    };
    replaceKeepingFocus(
      list,
      table({
        id: "members-table",
        caption: "members.title",
        empty: "members.empty",
        columns: ["members.person", "members.role", "members.state", "members.admin", "evidence.actions"],
        rows: members.map((m) =>
          el(
            "tr",
            { "data-member-id": m.id, "data-email": m.email, "data-status": m.disabled ? "disabled" : m.status },
            el("td", {}, el("strong", {}, m.name), el("div", { class: "hint" }, m.email)),
            el("td", {}, roleCell(m)),
            el("td", {}, accountBadge(m), el("div", { class: "hint" }, tx("members.since", { at: formatTime(m.createdAt) }))),
            el("td", {}, m.orgAdmin ? badge("ok", "members.isAdmin") : tx("members.notAdmin")),
            el(
              "td",
              { class: "ws-actions" },
              m.disabled
                ? null
                : el(
                    "button",
                    {
                      type: "button",
                      class: "button small",
                      "data-action": "toggle-admin",
                      "data-focus-key": `admin:${m.id}`,
                      onclick: () => act(() => api("PATCH", `organizations/${org.id}/members/${m.id}`, { json: { orgAdmin: !m.orgAdmin } }), m.orgAdmin ? "members.adminTaken" : "members.adminGiven", { name: m.name }),
                    },
                    tx(m.orgAdmin ? "members.unmakeAdmin" : "members.makeAdmin"),
                  ),
              m.status === "pending" && !m.disabled
                ? el(
                    "button",
                    { type: "button", class: "button small", "data-action": "resend", "data-focus-key": `resend:${m.id}`, onclick: () => act(() => api("POST", `organizations/${org.id}/members/${m.id}/invitation`), "members.resent", { email: m.email }) },
                    tx("members.resend"),
                  )
                : null,
              m.disabled || m.id === ctx.me.id
                ? null
                : el(
                    "button",
                    {
                      type: "button",
                      class: "button small danger",
                      "data-action": "remove",
                      "data-focus-key": `remove:${m.id}`,
                      "aria-controls": "remove-member-step",
                      onclick: () => {
                        removing = m;
                        removeStep.node.querySelector("#remove-member-step-title").replaceChildren(tx("members.removeTitle", { name: m.name }));
                        removeStep.open();
                      },
                    },
                    tx("members.remove"),
                  ),
            ),
          ),
        ),
      }),
    );
  }

  // Inviting: a new address gets a pending account and the invitation mail; an address that has an
  // account is told so by mail. The answer is the same either way, and so is what the page says.
  const email = el("input", { type: "email", name: "email", maxlength: "254", autocomplete: "off", spellcheck: "false" });
  const name = el("input", { type: "text", name: "name", maxlength: "200", autocomplete: "off" });
  const role = el("select", { name: "role" }, org.roles.map((r) => el("option", { value: r }, tx(`role.${r}`))));
  const inviteErrors = el("div", { role: "alert", id: "invite-member-errors" });
  const inviteForm = el(
    "form",
    { class: "form ws-inline-form", id: "invite-member-form", novalidate: true },
    field(`invite-${n}-email`, "members.email", email, { required: true }),
    field(`invite-${n}-name`, "members.name", name, { required: true }),
    field(`invite-${n}-role`, "members.role", role),
    el("label", { class: "ws-choice", for: `invite-${n}-admin` }, el("input", { type: "checkbox", name: "orgAdmin", id: `invite-${n}-admin` }), " ", tx("members.inviteAsAdmin")),
    inviteErrors,
    el("button", { type: "submit", class: "button primary", id: "invite-member-submit" }, tx("members.invite")),
  );
  inviteForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    inviteErrors.replaceChildren();
    for (const [input, key] of [
      [email, "members.emailMissing"],
      [name, "members.nameMissing"],
    ]) {
      if (!input.value.trim() || !input.checkValidity()) {
        input.setAttribute("aria-invalid", "true");
        say(inviteErrors, "bad", key);
        input.focus();
        return;
      }
      input.removeAttribute("aria-invalid");
    }
    const button = inviteForm.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const { invited } = await api("POST", `organizations/${org.id}/members`, {
        json: { email: email.value.trim(), name: name.value.trim(), role: role.value, ...(inviteForm.orgAdmin.checked ? { orgAdmin: true } : {}) },
      });
      inviteForm.reset();
      say(news, "ok", "members.invited", { email: invited });
      await refresh();
      email.focus();
    } catch (err) {
      sayError(inviteErrors, err);
    } finally {
      button.disabled = false;
    }
  });

  root.append(
    el(
      "section",
      { class: "card", "aria-labelledby": "members-title" },
      el("h2", { id: "members-title", tabindex: "-1" }, tx("members.title")),
      el("p", { class: "hint" }, tx("members.intro"), " ", joinList(org.roles.map((r) => tx(`role.${r}`)))),
      news,
      errors,
      list,
      removeStep.node,
    ),
    el("section", { class: "card", "aria-labelledby": "invite-member-title" }, el("h2", { id: "invite-member-title" }, tx("members.inviteTitle")), el("p", { class: "hint" }, tx("members.inviteIntro")), inviteForm),
  );
  await refresh();
}

/** The organisation's contracts (its members sent or sign) and its certificates. */
export async function organizationRecords(root, ctx, org) {
  const errors = el("div", { role: "alert" });
  const contractsBox = el("div", { id: "org-contracts" });
  const certsBox = el("div", { id: "org-certificates" });
  root.append(
    el("section", { class: "card", "aria-labelledby": "org-contracts-title" }, el("h2", { id: "org-contracts-title" }, tx("org.contracts")), errors, contractsBox),
    el("section", { class: "card", "aria-labelledby": "org-certs-title" }, el("h2", { id: "org-certs-title" }, tx("org.certificates")), certsBox),
  );
  try {
    const [{ items }, { certificates }] = await Promise.all([api("GET", `organizations/${org.id}/contracts`), api("GET", `organizations/${org.id}/certificates`)]);
    if (!ctx.alive()) return;
    contractsBox.replaceChildren(
      table({
        id: "org-contracts-table",
        caption: "org.contracts",
        empty: "org.noContracts",
        columns: ["contract.title", "contract.status", "contract.createdAt", "contract.signers"],
        rows: items.map((c) =>
          el(
            "tr",
            { "data-contract-id": c.id, "data-status": c.status },
            el("td", {}, el("strong", {}, c.title)),
            el("td", {}, contractStatusBadge(c.status)),
            el("td", {}, formatTime(c.createdAt)),
            el("td", {}, (c.signers ?? []).map((s) => el("div", {}, s.name, " · ", tx(`signer.status.${s.status}`)))),
          ),
        ),
      }),
    );
    certsBox.replaceChildren(certificateTable(certificates, { id: "org-certificates-table", actions: (c) => pemButton(c) }));
  } catch (e) {
    sayError(errors, e);
  }
}

/** "My organisation", for an organisation's administrator. */
export async function myOrganizationView(root, ctx) {
  const id = ctx.me.organizationId;
  const org = await api("GET", `organizations/${encodeURIComponent(id)}`);
  if (!ctx.alive()) return;
  root.append(
    el(
      "section",
      { class: "card", "aria-labelledby": "org-title" },
      el("p", { class: "hint" }, tx("org.heading")),
      el("h1", { id: "org-title", tabindex: "-1", "data-view-heading": "" }, org.name),
      el("p", {}, tx(`kind.${org.kind}`), org.creditCode ? [" · ", tx("org.creditCode"), " ", el("code", {}, org.creditCode)] : null),
    ),
  );
  await membersPanel(root, ctx, org);
  await organizationRecords(root, ctx, org);
}
