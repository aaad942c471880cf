// The platform administrator's console: organisations (created with their first administrator, who
// is invited by mail), users (found, invited, re-roled, disabled, sent a reset), certificates
// (issued, revoked after a confirmation step, their PEM), the audit log (filtered, newest first,
// paged, its chain verified), the anchoring pipeline (refreshed while open) and the mail outbox.
// Nothing here needs an id typed: people and organisations are picked from lists.
import { api } from "./ws-api.mjs";
import { badge, colon, confirmStep, el, field, formatTime, hex, MAIL_KIND, mailBadge, replaceKeepingFocus, say, sayError, table, tx } from "./ws-dom.mjs";
import { poll } from "./ws-cases.mjs";
import { accountBadge, certificateTable, membersPanel, organizationRecords, pemButton } from "./ws-org.mjs";
import { directoryPicker, findOrganizations, findPeople, organizationLine, personLine } from "./ws-picker.mjs";

export const KINDS = ["enterprise", "law_firm", "court", "mediation"];
/** The roles each kind of organisation holds (server/accounts/organization-kinds.ts). */
export const ROLES_OF_KIND = { enterprise: ["member"], law_firm: ["lawyer"], court: ["judge", "clerk", "mediator"], mediation: ["mediator"] };
const ROLES = ["member", "lawyer", "judge", "clerk", "mediator", "admin"];
const REVOCATION_REASONS = ["unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded", "cessationOfOperation", "certificateHold", "privilegeWithdrawn"];
const MAIL_STATUSES = ["queued", "sending", "sent", "failed"];
const BATCH_KIND = { closed: "wait", sent: "wait", anchored: "ok" };
const AUDIT_PAGE = 50;
const ANCHORING_POLL_MS = 3000;
const OUTBOX_POLL_MS = 5000;

const heading = (id, key) => el("h1", { id, tabindex: "-1", "data-view-heading": "" }, tx(key));
const messages = (id) => [el("div", { role: "status", "aria-live": "polite", class: "ws-messages", id: `${id}-news` }), el("div", { role: "alert", id: `${id}-errors` })];
const options = (values, prefix, { any, selected } = {}) => [
  any ? el("option", { value: "" }, tx(any)) : null,
  ...values.map((v) => el("option", { value: v, selected: v === selected }, tx(`${prefix}${v}`))),
];

/** Checks required text inputs in order: the first empty (or invalid) one is marked and focused. */
function missing(errors, inputs) {
  for (const [input, key] of inputs) {
    if (!input.value.trim() || !input.checkValidity()) {
      input.setAttribute("aria-invalid", "true");
      say(errors, "bad", key);
      input.focus();
      return true;
    }
    input.removeAttribute("aria-invalid");
  }
  return false;
}

/** Runs a form's submit with its button disabled; errors said in errors. */
function onSubmit(form, errors, run) {
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    errors.replaceChildren();
    const button = form.querySelector("button[type=submit]");
    if (button.disabled) return;
    button.disabled = true;
    try {
      await run();
    } catch (err) {
      sayError(errors, err);
    } finally {
      button.disabled = false;
    }
  });
}

// ---- organisations

export async function organizationsView(root, ctx) {
  const [news, errors] = messages("orgs");
  const list = el("div", { id: "orgs-list" });
  const refresh = async () => {
    const { organizations } = await api("GET", "organizations");
    if (!ctx.alive()) return;
    list.replaceChildren(
      table({
        id: "orgs-table",
        caption: "orgs.title",
        empty: "orgs.empty",
        columns: ["orgs.name", "orgs.kind", "orgs.creditCode", "orgs.members", "orgs.createdAt"],
        rows: organizations.map((o) =>
          el(
            "tr",
            { "data-organization-id": o.id, "data-kind": o.kind },
            el("td", {}, el("a", { href: `#/organizations/${o.id}` }, o.name)),
            el("td", {}, tx(`kind.${o.kind}`)),
            el("td", {}, o.creditCode ? el("code", {}, o.creditCode) : "—"),
            el("td", {}, String(o.members)),
            el("td", {}, formatTime(o.createdAt)),
          ),
        ),
      }),
    );
  };

  const name = el("input", { type: "text", name: "name", maxlength: "200", autocomplete: "off" });
  const kind = el("select", { name: "kind" }, options(KINDS, "kind."));
  const credit = el("input", { type: "text", name: "creditCode", maxlength: "18", autocomplete: "off", spellcheck: "false", pattern: "[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}" });
  const adminEmail = el("input", { type: "email", name: "adminEmail", maxlength: "254", autocomplete: "off", spellcheck: "false" });
  const adminName = el("input", { type: "text", name: "adminName", maxlength: "200", autocomplete: "off" });
  const adminRole = el("select", { name: "adminRole" });
  const showRoles = () => adminRole.replaceChildren(...options(ROLES_OF_KIND[kind.value], "role."));
  kind.addEventListener("change", showRoles);
  showRoles();
  const formErrors = el("div", { role: "alert", id: "new-org-errors" });
  const form = el(
    "form",
    { class: "form", id: "new-org-form", novalidate: true },
    field("org-name", "orgs.name", name, { required: true }),
    field("org-kind", "orgs.kind", kind, { required: true, hint: "orgs.kindHint" }),
    field("org-credit", "orgs.creditCode", credit, { hint: "orgs.creditCodeHint" }),
    el(
      "fieldset",
      { class: "ws-fieldset" },
      el("legend", {}, tx("orgs.firstAdmin")),
      el("p", { class: "hint" }, tx("orgs.firstAdminHint")),
      field("org-admin-email", "orgs.adminEmail", adminEmail, { required: true }),
      field("org-admin-name", "orgs.adminName", adminName, { required: true }),
      field("org-admin-role", "orgs.adminRole", adminRole),
    ),
    formErrors,
    el("button", { type: "submit", class: "button primary", id: "create-org" }, tx("orgs.create")),
  );
  onSubmit(form, formErrors, async () => {
    if (missing(formErrors, [[name, "orgs.nameMissing"]])) return;
    if (credit.value.trim() && !credit.checkValidity()) {
      credit.setAttribute("aria-invalid", "true");
      say(formErrors, "bad", "orgs.creditCodeBad");
      credit.focus();
      return;
    }
    if (missing(formErrors, [[adminEmail, "orgs.adminEmailMissing"], [adminName, "orgs.adminNameMissing"]])) return;
    const created = await api("POST", "organizations", {
      json: {
        name: name.value.trim(),
        kind: kind.value,
        ...(credit.value.trim() ? { creditCode: credit.value.trim().toUpperCase() } : {}),
        admin: { email: adminEmail.value.trim(), name: adminName.value.trim(), role: adminRole.value },
      },
    });
    form.reset();
    showRoles();
    say(news, "ok", "orgs.created", { name: created.name, email: created.admin?.email ?? "" });
    await refresh();
    document.querySelector(`#orgs-table tr[data-organization-id="${created.id}"] a`)?.focus();
  });

  root.append(
    el("section", { class: "card", "aria-labelledby": "orgs-title" }, heading("orgs-title", "orgs.title"), el("p", { class: "hint" }, tx("orgs.intro")), news, errors, list),
    el("section", { class: "card", "aria-labelledby": "new-org-title" }, el("h2", { id: "new-org-title" }, tx("orgs.new")), form),
  );
  try {
    await refresh();
  } catch (e) {
    sayError(errors, e);
  }
}

/** One organisation, opened from the list: its members (managed as its administrator would), contracts, certificates. */
export async function organizationView(root, ctx, id) {
  const org = await api("GET", `organizations/${encodeURIComponent(id)}`);
  if (!ctx.alive()) return;
  root.append(
    el(
      "section",
      { class: "card", "aria-labelledby": "org-title" },
      el("p", {}, el("a", { href: "#/organizations" }, tx("orgs.back"))),
      el("h1", { id: "org-title", tabindex: "-1", "data-view-heading": "" }, org.name),
      el("p", {}, tx(`kind.${org.kind}`), org.creditCode ? [" · ", tx("org.creditCode"), " ", el("code", {}, org.creditCode)] : null),
    ),
  );
  await membersPanel(root, ctx, org);
  await organizationRecords(root, ctx, org);
}

// ---- users

export async function usersView(root, ctx) {
  const [news, errors] = messages("users");
  const list = el("div", { id: "users-list" });
  const { organizations } = await api("GET", "organizations");
  const orgName = new Map(organizations.map((o) => [o.id, o]));
  const orgOptions = (selected, none) => [el("option", { value: "" }, tx(none)), ...organizations.map((o) => el("option", { value: o.id, selected: o.id === selected }, o.name))];
  // An organisation's kind decides the roles its members may hold; the form offers only those.
  const rolesFor = (orgId, base) => (orgId && orgName.get(orgId) ? ROLES_OF_KIND[orgName.get(orgId).kind] ?? base : base);
  const followOrganisation = (orgSelect, roleSelect, base) => {
    const offer = () => {
      const roles = rolesFor(orgSelect.value, base);
      const keep = roles.includes(roleSelect.value) ? roleSelect.value : roles[0];
      roleSelect.replaceChildren(...options(roles, "role.", { selected: keep }));
      roleSelect.value = keep;
    };
    orgSelect.addEventListener("change", offer);
    offer();
  };
  let users = [];
  let editing = null;

  const q = el("input", { type: "search", name: "q", maxlength: "200", autocomplete: "off" });
  const role = el("select", { name: "role" }, options(ROLES, "role.", { any: "users.anyRole" }));
  const status = el("select", { name: "status" }, options(["active", "pending", "disabled"], "account.", { any: "users.anyStatus" }));
  const org = el("select", { name: "organizationId" }, orgOptions("", "users.anyOrg"));
  const filter = el(
    "form",
    { class: "form ws-filter", id: "users-filter", role: "search" },
    field("users-q", "users.search", q, { hint: "users.searchHint" }),
    field("users-role", "users.role", role),
    field("users-status", "users.status", status),
    field("users-org", "users.organization", org),
    el("button", { type: "submit", class: "button" }, tx("users.filter")),
  );

  const act = async (run, doneKey, params) => {
    errors.replaceChildren();
    news.replaceChildren();
    try {
      await run();
      if (doneKey) say(news, "ok", doneKey, params);
      await refresh();
    } catch (e) {
      sayError(errors, e);
    }
  };

  async function refresh() {
    const query = new URLSearchParams();
    for (const [k, v] of [["q", q.value.trim()], ["role", role.value], ["status", status.value], ["organizationId", org.value]]) if (v) query.set(k, v);
    ({ users } = await api("GET", `users?${query}`));
    if (!ctx.alive()) return;
    render();
  }

  function editRow(u) {
    const nameInput = el("input", { type: "text", name: "name", maxlength: "200", value: u.name });
    const roleSelect = el("select", { name: "role" }, options(ROLES, "role.", { selected: u.role }));
    const orgSelect = el("select", { name: "organizationId" }, orgOptions(u.organizationId, "users.noOrg"));
    const adminBox = el("input", { type: "checkbox", name: "orgAdmin", id: `edit-${u.id}-admin`, checked: u.orgAdmin });
    followOrganisation(orgSelect, roleSelect, ROLES);
    const rowErrors = el("div", { role: "alert" });
    const form = el(
      "form",
      { class: "form ws-inline-form", id: "edit-user-form", "data-user-id": u.id },
      field(`edit-${u.id}-name`, "users.name", nameInput),
      field(`edit-${u.id}-role`, "users.role", roleSelect),
      field(`edit-${u.id}-org`, "users.organization", orgSelect),
      el("label", { class: "ws-choice", for: adminBox.id }, adminBox, " ", tx("users.orgAdmin")),
      rowErrors,
      el(
        "div",
        { class: "ws-actions" },
        el("button", { type: "submit", class: "button primary small" }, tx("users.save")),
        el("button", { type: "button", class: "button small", onclick: () => ((editing = null), render(), document.querySelector(`[data-focus-key="edit:${u.id}"]`)?.focus()) }, tx("form.cancel")),
      ),
    );
    onSubmit(form, rowErrors, async () => {
      const change = {};
      if (nameInput.value.trim() && nameInput.value.trim() !== u.name) change.name = nameInput.value.trim();
      if (roleSelect.value !== u.role) change.role = roleSelect.value;
      if ((orgSelect.value || null) !== u.organizationId) change.organizationId = orgSelect.value || null;
      if (adminBox.checked !== u.orgAdmin) change.orgAdmin = adminBox.checked;
      if (Object.keys(change).length) await api("PATCH", `users/${u.id}`, { json: change });
      editing = null;
      say(news, "ok", "users.saved", { name: change.name ?? u.name });
      await refresh();
      document.querySelector(`[data-focus-key="edit:${u.id}"]`)?.focus();
    });
    return el("tr", { class: "ws-details-row", "data-edit-for": u.id }, el("td", { colspan: "5" }, form));
  }

  function render() {
    const rows = users.flatMap((u) => {
      const o = u.organizationId ? orgName.get(u.organizationId) : null;
      const row = el(
        "tr",
        { "data-user-id": u.id, "data-email": u.email, "data-status": u.disabled ? "disabled" : u.status },
        el("td", {}, el("strong", {}, u.name), el("div", { class: "hint" }, u.email)),
        el("td", {}, tx(`role.${u.role}`), u.orgAdmin ? el("div", { class: "hint" }, tx("users.isOrgAdmin")) : null),
        el("td", {}, o ? el("a", { href: `#/organizations/${o.id}` }, o.name) : "—"),
        el("td", {}, accountBadge(u)),
        el(
          "td",
          { class: "ws-actions" },
          el("button", { type: "button", class: "button small", "data-action": "edit", "data-focus-key": `edit:${u.id}`, "aria-expanded": String(editing === u.id), onclick: () => ((editing = editing === u.id ? null : u.id), render()) }, tx("users.edit")),
          u.id === ctx.me.id
            ? null
            : el(
                "button",
                {
                  type: "button",
                  class: u.disabled ? "button small" : "button small danger",
                  "data-action": u.disabled ? "enable" : "disable",
                  "data-focus-key": `able:${u.id}`,
                  onclick: () => act(() => api("POST", `users/${u.id}/${u.disabled ? "enable" : "disable"}`), u.disabled ? "users.enabled" : "users.disabled", { name: u.name }),
                },
                tx(u.disabled ? "users.enable" : "users.disable"),
              ),
          u.disabled
            ? null
            : u.status === "pending"
              ? el("button", { type: "button", class: "button small", "data-action": "resend", "data-focus-key": `resend:${u.id}`, onclick: () => act(() => api("POST", `users/${u.id}/invitation`), "users.resent", { email: u.email }) }, tx("users.resend"))
              : el("button", { type: "button", class: "button small", "data-action": "reset", "data-focus-key": `reset:${u.id}`, onclick: () => act(() => api("POST", `users/${u.id}/password-reset`), "users.resetSent", { email: u.email }) }, tx("users.reset")),
        ),
      );
      return editing === u.id ? [row, editRow(u)] : [row];
    });
    replaceKeepingFocus(list, table({ id: "users-table", caption: "users.title", empty: "users.empty", columns: ["users.person", "users.role", "users.organization", "users.status", "evidence.actions"], rows }));
  }
  filter.addEventListener("submit", (e) => {
    e.preventDefault();
    void act(async () => undefined);
  });
  for (const s of [role, status, org]) s.addEventListener("change", () => void act(async () => undefined));

  // Inviting someone new: a pending account, and the invitation mail to set its password.
  const email = el("input", { type: "email", name: "email", maxlength: "254", autocomplete: "off", spellcheck: "false" });
  const name = el("input", { type: "text", name: "name", maxlength: "200", autocomplete: "off" });
  const inviteRole = el("select", { name: "role" }, options(ROLES.filter((r) => r !== "admin"), "role."));
  const inviteOrg = el("select", { name: "organizationId" }, orgOptions("", "users.noOrg"));
  followOrganisation(inviteOrg, inviteRole, ROLES.filter((r) => r !== "admin"));
  const inviteErrors = el("div", { role: "alert", id: "invite-user-errors" });
  const invite = el(
    "form",
    { class: "form ws-inline-form", id: "invite-user-form", novalidate: true },
    field("invite-user-email", "users.email", email, { required: true }),
    field("invite-user-name", "users.name", name, { required: true }),
    field("invite-user-role", "users.role", inviteRole),
    field("invite-user-org", "users.organization", inviteOrg),
    el("label", { class: "ws-choice", for: "invite-user-admin" }, el("input", { type: "checkbox", name: "orgAdmin", id: "invite-user-admin" }), " ", tx("users.orgAdmin")),
    inviteErrors,
    el("button", { type: "submit", class: "button primary" }, tx("users.invite")),
  );
  onSubmit(invite, inviteErrors, async () => {
    if (missing(inviteErrors, [[email, "members.emailMissing"], [name, "members.nameMissing"]])) return;
    const created = await api("POST", "users/invite", {
      json: { email: email.value.trim(), name: name.value.trim(), role: inviteRole.value, ...(inviteOrg.value ? { organizationId: inviteOrg.value } : {}), ...(invite.orgAdmin.checked ? { orgAdmin: true } : {}) },
    });
    invite.reset();
    inviteOrg.dispatchEvent(new Event("change"));
    say(news, "ok", "users.invited", { email: created.email });
    await refresh();
  });

  root.append(
    el("section", { class: "card", "aria-labelledby": "users-title" }, heading("users-title", "users.title"), filter, news, errors, list),
    el("section", { class: "card", "aria-labelledby": "invite-user-title" }, el("h2", { id: "invite-user-title" }, tx("users.inviteTitle")), el("p", { class: "hint" }, tx("users.inviteIntro")), invite),
  );
  try {
    await refresh();
  } catch (e) {
    sayError(errors, e);
  }
}

// ---- certificates

export async function certificatesView(root, ctx) {
  const [news, errors] = messages("certs");
  const list = el("div", { id: "certs-list" });
  let certs = [];
  let revoking = null;
  let names = { users: new Map(), orgs: new Map() };

  const holder = (c) => {
    if (c.userId) return names.users.get(c.userId)?.name ?? c.userId;
    if (c.organizationId) return names.orgs.get(c.organizationId)?.name ?? c.organizationId;
    return tx("cert.platform");
  };

  async function refresh() {
    const [{ certificates }, { users }, { organizations }] = await Promise.all([api("GET", "certificates"), api("GET", "users?limit=1000"), api("GET", "organizations")]);
    if (!ctx.alive()) return;
    certs = certificates;
    names = { users: new Map(users.map((u) => [u.id, u])), orgs: new Map(organizations.map((o) => [o.id, o])) };
    replaceKeepingFocus(
      list,
      certificateTable(certs, {
        id: "certs-table",
        holder,
        actions: (c) => [
          pemButton(c, () => say(news, "ok", "cert.pemDownloaded")),
          c.revokedAt || (c.kind !== "person" && c.kind !== "organization")
            ? null
            : el("button", { type: "button", class: "button small danger", "data-action": "revoke", "data-focus-key": `revoke:${c.id}`, "aria-controls": "revoke-step", onclick: () => openRevoke(c) }, tx("cert.revoke")),
        ],
      }),
    );
  }

  const reason = el("select", { name: "reason" }, options(REVOCATION_REASONS, "cert.reason."));
  const revokeStep = confirmStep({
    id: "revoke-step",
    level: "h2",
    title: ["cert.revokeTitle", { name: "" }],
    text: ["cert.revokeText"],
    body: [field("revoke-reason", "cert.reason", reason, { required: true })],
    confirm: ["cert.revokeConfirm"],
    onCancel: () => closeRevoke(true),
    onConfirm: async (_form, stepErrors) => {
      const c = revoking;
      try {
        await api("POST", `certificates/${c.id}/revoke`, { json: { reason: reason.value } });
      } catch (e) {
        sayError(stepErrors, e);
        return;
      }
      closeRevoke(false);
      say(news, "ok", "cert.revoked.done", { name: c.subject?.commonName ?? c.serialHex });
      await refresh().catch((e) => sayError(errors, e));
      document.getElementById("certs-title")?.focus();
    },
  });
  function openRevoke(c) {
    revoking = c;
    reason.value = "unspecified";
    revokeStep.node.querySelector("#revoke-step-title").replaceChildren(tx("cert.revokeTitle", { name: c.subject?.commonName ?? c.serialHex }));
    revokeStep.open();
  }
  function closeRevoke(returnFocus) {
    const c = revoking;
    revoking = null;
    revokeStep.close();
    if (returnFocus && c) document.querySelector(`[data-focus-key="revoke:${c.id}"]`)?.focus();
  }

  // Issuing: for a person or for an organisation, each picked from the directory.
  let chosen = null;
  const forWhom = (value, key) => el("label", { class: "ws-choice" }, el("input", { type: "radio", name: "for", value, id: `issue-for-${value}`, checked: value === "user" }), " ", tx(key));
  const personPicker = directoryPicker({ id: "issue-user", labelKey: "cert.issuePerson", search: (q) => findPeople(q), line: personLine, onPick: (p) => (chosen = { userId: p.id, name: p.name }), onType: () => (chosen = null) });
  const orgPicker = directoryPicker({ id: "issue-org", labelKey: "cert.issueOrg", search: (q) => findOrganizations(q), line: organizationLine, pickedText: (o) => o.name, onPick: (o) => (chosen = { organizationId: o.id, name: o.name }), onType: () => (chosen = null) });
  orgPicker.node.hidden = true;
  const issueErrors = el("div", { role: "alert", id: "issue-errors" });
  const issueForm = el(
    "form",
    { class: "form", id: "issue-form", novalidate: true },
    el("fieldset", { class: "ws-fieldset" }, el("legend", {}, tx("cert.issueFor")), el("div", { class: "ws-choices" }, forWhom("user", "cert.forPerson"), forWhom("organization", "cert.forOrg"))),
    personPicker.node,
    orgPicker.node,
    issueErrors,
    el("button", { type: "submit", class: "button primary", id: "issue-submit" }, tx("cert.issue")),
  );
  for (const r of issueForm.querySelectorAll("input[name=for]"))
    r.addEventListener("change", () => {
      const org = issueForm.querySelector("input[name=for]:checked").value === "organization";
      personPicker.node.hidden = org;
      orgPicker.node.hidden = !org;
      chosen = null;
      personPicker.set("");
      orgPicker.set("");
    });
  onSubmit(issueForm, issueErrors, async () => {
    const org = issueForm.querySelector("input[name=for]:checked").value === "organization";
    if (!chosen || (org ? !chosen.organizationId : !chosen.userId)) {
      say(issueErrors, "bad", "cert.pickFirst");
      (org ? orgPicker : personPicker).input.focus();
      return;
    }
    const { name, ...body } = chosen;
    await api("POST", "certificates", { json: body });
    say(news, "ok", "cert.issued", { name });
    chosen = null;
    personPicker.set("");
    orgPicker.set("");
    await refresh();
  });

  root.append(
    el("section", { class: "card", "aria-labelledby": "certs-title" }, heading("certs-title", "cert.title"), el("p", { class: "hint" }, tx("cert.intro")), news, errors, list, revokeStep.node),
    el("section", { class: "card", "aria-labelledby": "issue-title" }, el("h2", { id: "issue-title" }, tx("cert.issueTitle")), el("p", { class: "hint" }, tx("cert.issueIntro")), issueForm),
  );
  try {
    await refresh();
  } catch (e) {
    sayError(errors, e);
  }
}

// ---- the audit log

export async function auditView(root, ctx) {
  const [news, errors] = messages("audit");
  const list = el("div", { id: "audit-list" });
  const verdict = el("div", { id: "audit-verdict", role: "status", "aria-live": "polite" });
  /** The `before` of each page shown so far: the first is the newest (no bound). */
  const pages = [undefined];
  let entries = [];
  let users = new Map();

  const action = el("input", { type: "search", name: "action", maxlength: "200", autocomplete: "off", spellcheck: "false" });
  const actor = el("input", { type: "search", name: "actor", maxlength: "200", autocomplete: "off", spellcheck: "false" });
  const subject = el("input", { type: "search", name: "subject", maxlength: "200", autocomplete: "off", spellcheck: "false" });
  const filter = el(
    "form",
    { class: "form ws-filter", id: "audit-filter", role: "search" },
    field("audit-action", "audit.action", action, { hint: "audit.actionHint" }),
    field("audit-actor", "audit.actor", actor, { hint: "audit.actorHint" }),
    field("audit-subject", "audit.subject", subject),
    el("button", { type: "submit", class: "button" }, tx("audit.filter")),
  );
  const newer = el("button", { type: "button", class: "button small", id: "audit-newer", onclick: () => (pages.pop(), load()) }, tx("audit.newer"));
  const older = el("button", { type: "button", class: "button small", id: "audit-older", onclick: () => (pages.push(entries.at(-1).seq), load()) }, tx("audit.older"));
  const pageInfo = el("span", { class: "hint", id: "audit-page" });

  async function load() {
    errors.replaceChildren();
    const query = new URLSearchParams({ order: "desc", limit: String(AUDIT_PAGE) });
    const before = pages.at(-1);
    if (before !== undefined) query.set("before", String(before));
    for (const [k, v] of [["action", action.value.trim()], ["actor", actor.value.trim()], ["subject", subject.value.trim()]]) if (v) query.set(k, v);
    try {
      ({ entries } = await api("GET", `audit?${query}`));
    } catch (e) {
      sayError(errors, e);
      return;
    }
    if (!ctx.alive()) return;
    newer.disabled = pages.length < 2;
    older.disabled = entries.length < AUDIT_PAGE;
    pageInfo.replaceChildren(entries.length ? tx("audit.range", { from: entries[0].seq, to: entries.at(-1).seq }) : "");
    replaceKeepingFocus(
      list,
      table({
        id: "audit-table",
        caption: "audit.title",
        empty: "audit.empty",
        columns: ["audit.seq", "audit.at", "audit.who", "audit.what", "audit.subject", "audit.details"],
        rows: entries.map((e) =>
          el(
            "tr",
            { "data-seq": String(e.seq), "data-action": e.action },
            el("td", {}, String(e.seq)),
            el("td", {}, formatTime(e.at)),
            el("td", {}, e.actorId ? [users.get(e.actorId)?.name ?? "", el("div", { class: "hint" }, el("code", {}, e.actorId))] : tx("audit.system")),
            el("td", {}, el("code", {}, e.action)),
            el("td", {}, e.subject ? el("code", { class: "hex" }, e.subject) : "—"),
            el("td", {}, e.details && Object.keys(e.details).length ? el("code", { class: "ws-json", lang: "en" }, JSON.stringify(e.details)) : "—", el("div", { class: "hint" }, tx("audit.hash"), colon(), hex(e.hash.slice(0, 16)), "…")),
          ),
        ),
      }),
    );
  }
  filter.addEventListener("submit", (e) => {
    e.preventDefault();
    pages.splice(1);
    void load();
  });

  const verify = el(
    "button",
    {
      type: "button",
      class: "button primary",
      id: "audit-verify",
      onclick: async () => {
        verify.disabled = true;
        verdict.replaceChildren(el("p", { class: "hint" }, tx("audit.verifying")));
        try {
          const v = await api("GET", "audit/verify");
          verdict.replaceChildren(
            el(
              "div",
              { class: "ws-verdict", "data-ok": String(v.ok) },
              v.ok
                ? badge("ok", "audit.ok", { n: v.entries, heads: v.anchoredHeads })
                : [badge("bad", "audit.broken", { seq: v.firstBreak.seq }), el("p", { class: "ws-detail", lang: "en" }, v.firstBreak.problem)],
            ),
          );
        } catch (e) {
          sayError(verdict, e);
        } finally {
          verify.disabled = false;
        }
      },
    },
    tx("audit.verify"),
  );

  root.append(
    el(
      "section",
      { class: "card", "aria-labelledby": "audit-title" },
      heading("audit-title", "audit.title"),
      el("p", { class: "hint" }, tx("audit.intro")),
      el("div", { class: "ws-actions" }, verify),
      verdict,
      filter,
      news,
      errors,
      el("div", { class: "ws-inline ws-pager" }, newer, older, pageInfo),
      list,
    ),
  );
  try {
    // The administrator reads every account; a judge names people through the directory (courts find everyone).
    const people = ctx.me.role === "admin" ? (await api("GET", "users?limit=1000")).users : (await api("GET", "directory/people?limit=100")).people;
    users = new Map(people.map((u) => [u.id, u]));
  } catch {
    // names are a help: the ids are shown anyway
  }
  await load();
}

// ---- anchoring

export async function anchoringView(root, ctx) {
  const errors = el("div", { role: "alert", id: "anchoring-errors" });
  const summary = el("div", { id: "anchoring-summary" });
  const list = el("div", { id: "batches" });
  let last = "";
  root.append(
    el(
      "section",
      { class: "card", "aria-labelledby": "anchoring-title" },
      heading("anchoring-title", "anchor.title"),
      el("p", { class: "hint" }, tx("anchor.intro", { seconds: ANCHORING_POLL_MS / 1000 })),
      errors,
      summary,
    ),
    el("section", { class: "card", "aria-labelledby": "batches-title" }, el("h2", { id: "batches-title" }, tx("anchor.batches")), list),
  );
  const tick = async () => {
    let s;
    try {
      s = await api("GET", "anchoring/status?limit=20");
    } catch (e) {
      if (ctx.alive()) sayError(errors, e);
      return;
    }
    if (!ctx.alive()) return;
    errors.replaceChildren();
    const row = (key, value) => el("div", { class: "row" }, el("dt", {}, tx(key)), el("dd", {}, value));
    summary.replaceChildren(
      el(
        "dl",
        { class: "fields", "data-queued": String(s.queued), "data-chain-ok": String(s.chain.ok) },
        row("anchor.queued", el("strong", { id: "anchor-queued" }, String(s.queued))),
        row(
          "anchor.chain",
          s.chain.ok
            ? [badge("ok", "anchor.chainOk"), el("div", { class: "hint" }, tx("anchor.chainAt", { chain: s.chain.chainId, block: s.chain.blockNumber })), el("div", { class: "hint" }, tx("anchor.registry"), colon(), hex(s.chain.registry))]
            : [badge("bad", "anchor.chainDown"), el("div", { class: "ws-detail", lang: "en" }, s.chain.error)],
        ),
        row("anchor.lastError", s.lastError ? el("span", { class: "ws-detail", lang: "en" }, s.lastError) : tx("anchor.noError")),
        row("anchor.checkedAt", formatTime(new Date().toISOString())),
      ),
    );
    // The table is redrawn only when it changed: a screen reader's place in it stays.
    const shown = JSON.stringify(s.batches);
    if (shown === last) return;
    last = shown;
    replaceKeepingFocus(
      list,
      table({
        id: "batches-table",
        caption: "anchor.batches",
        empty: "anchor.noBatches",
        columns: ["anchor.batch", "anchor.root", "anchor.status", "anchor.tx", "anchor.block", "anchor.attempts"],
        rows: s.batches.map((b) =>
          el(
            "tr",
            { "data-batch-id": String(b.id), "data-status": b.status },
            el("td", {}, `#${b.id}`, el("div", { class: "hint" }, tx("anchor.leaves", { n: b.treeSize })), el("div", { class: "hint" }, formatTime(b.createdAt))),
            el("td", {}, hex(b.root)),
            el("td", {}, badge(BATCH_KIND[b.status] ?? "neutral", `anchor.status.${b.status}`), b.anchoredAt ? el("div", { class: "hint" }, formatTime(b.anchoredAt)) : null),
            el("td", {}, b.txHash ? hex(b.txHash) : "—"),
            el("td", {}, b.blockNumber ?? "—", b.confirmations !== null ? el("div", { class: "hint" }, tx("anchor.confirmations", { n: b.confirmations })) : null),
            el("td", {}, String(b.attempts), b.lastError ? el("div", { class: "ws-detail", lang: "en" }, b.lastError) : null),
          ),
        ),
      }),
    );
  };
  await poll(ctx, ANCHORING_POLL_MS, tick);
}

// ---- the mail outbox

export async function outboxView(root, ctx) {
  const [news, errors] = messages("outbox");
  const counts = el("div", { id: "outbox-counts", class: "ws-inline" });
  const list = el("div", { id: "outbox-list" });
  const status = el("select", { name: "status" }, options(MAIL_STATUSES, "mail.status.", { any: "outbox.anyStatus" }));
  const filter = el("form", { class: "form ws-filter", id: "outbox-filter", role: "search" }, field("outbox-status", "outbox.status", status));
  let last = "";

  async function refresh() {
    const query = new URLSearchParams({ limit: "100" });
    if (status.value) query.set("status", status.value);
    const box = await api("GET", `notifications/outbox?${query}`);
    if (!ctx.alive()) return;
    const shown = JSON.stringify(box);
    if (shown === last) return;
    last = shown;
    counts.replaceChildren(...MAIL_STATUSES.map((s) => el("span", { "data-count": s }, badge(MAIL_KIND[s], "outbox.count", { status: s, n: box.counts[s] ?? 0 }))));
    replaceKeepingFocus(
      list,
      table({
        id: "outbox-table",
        caption: "outbox.title",
        empty: "outbox.empty",
        columns: ["outbox.createdAt", "outbox.template", "outbox.to", "outbox.state", "outbox.attempts", "evidence.actions"],
        rows: box.messages.map((m) =>
          el(
            "tr",
            { "data-message-id": m.id, "data-status": m.status, "data-template": m.template },
            el("td", {}, formatTime(m.createdAt)),
            el("td", {}, tx(`mail.template.${m.template}`), el("div", { class: "hint" }, el("code", {}, m.template))),
            el("td", {}, m.to),
            el("td", {}, mailBadge(m), m.lastError ? el("div", { class: "ws-detail", lang: "en" }, m.lastError) : null),
            el("td", {}, String(m.attempts)),
            el(
              "td",
              { class: "ws-actions" },
              m.status === "failed"
                ? el(
                    "button",
                    {
                      type: "button",
                      class: "button small primary",
                      "data-action": "retry",
                      "data-focus-key": `retry:${m.id}`,
                      onclick: async () => {
                        errors.replaceChildren();
                        try {
                          await api("POST", `notifications/outbox/${encodeURIComponent(m.id)}/retry`);
                          say(news, "ok", "outbox.retried", { to: m.to });
                          await refresh();
                        } catch (e) {
                          sayError(errors, e);
                        }
                      },
                    },
                    tx("outbox.retry"),
                  )
                : null,
            ),
          ),
        ),
      }),
    );
  }
  status.addEventListener("change", () => void refresh().catch((e) => sayError(errors, e)));
  filter.addEventListener("submit", (e) => e.preventDefault());
  root.append(el("section", { class: "card", "aria-labelledby": "outbox-title" }, heading("outbox-title", "outbox.title"), el("p", { class: "hint" }, tx("outbox.intro")), counts, filter, news, errors, list));
  await poll(ctx, OUTBOX_POLL_MS, () => refresh().catch((e) => ctx.alive() && sayError(errors, e)));
}
