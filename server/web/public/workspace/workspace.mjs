// The workspace: log in (the token stays in this tab's sessionStorage), then the views the
// account's role works with. Enterprise members: contracts (drafting, sending, voiding), their
// cases, served documents, filings to a court. Lawyers: filings, cases (evidence with upload progress, the other side's evidence
// and opinions), served documents, contracts. Judges: their cases (opening and closing them, adding
// judges and representatives), each item's live verification, certificates, service. Filing
// clerks: the queue of filings to decide, the cases list. The platform administrator: the console (organisations, users,
// certificates, audit log, anchoring, mail). An organisation's administrators also have "My
// organisation". An e-mailed link (#/welcome/acl_…) sets up an account or a new password without
// a session.
import { LANGS } from "../workspace-i18n.mjs";
import { onLanguageButtons, savedLanguage } from "../lang.mjs";
import { api, getToken, setToken, whenUnauthorized } from "./ws-api.mjs";
import { el, say, sayError, setLanguage, tx } from "./ws-dom.mjs";
import { contractsView } from "./ws-contracts.mjs";
import { bulkView } from "./ws-bulk.mjs";
import { webhooksView } from "./ws-webhooks.mjs";
import { casesListView, inboxView, partyCaseView } from "./ws-cases.mjs";
import { judgeCaseView } from "./ws-judge.mjs";
import { filingView, filingsView } from "./ws-filing.mjs";
import { queueFilingView, queueView } from "./ws-queue.mjs";
import { myOrganizationView } from "./ws-org.mjs";
import { anchoringView, auditView, certificatesView, organizationView, organizationsView, outboxView, usersView } from "./ws-admin.mjs";
import { statisticsView } from "./ws-statistics.mjs";
import { hearingsView } from "./ws-hearings.mjs";
import { mediationView, mediationsView } from "./ws-mediation.mjs";
import { welcomeToken, welcomeView, wireForgotPassword } from "./ws-welcome.mjs";

const LANG_KEY = "evidence-workspace.lang";
const $ = (id) => document.getElementById(id);
/** The views of each role, the first being where it lands. */
const NAV = {
  member: ["contracts", "bulk", "filings", "mediations", "cases", "hearings", "inbox"],
  lawyer: ["cases", "filings", "mediations", "hearings", "inbox", "contracts", "bulk"],
  judge: ["cases", "hearings", "mediations", "statistics", "audit"],
  clerk: ["queue", "mediations", "cases", "statistics"],
  // a mediator works in the mediation room, and signs nothing there: the agreement's parties do
  mediator: ["mediations"],
  admin: ["organizations", "users", "certificates", "audit", "anchoring", "outbox", "statistics"],
};
/** A view by name; those taking an id (#/name/id) have their own entry in DETAIL. */
const VIEWS = {
  contracts: contractsView,
  bulk: bulkView,
  webhooks: webhooksView,
  cases: casesListView,
  inbox: inboxView,
  filings: filingsView,
  queue: queueView,
  organization: myOrganizationView,
  organizations: organizationsView,
  users: usersView,
  certificates: certificatesView,
  audit: auditView,
  anchoring: anchoringView,
  outbox: outboxView,
  statistics: statisticsView,
  hearings: hearingsView,
  mediations: mediationsView,
};
const DETAIL = {
  cases: async (view, ctx, id, state) => {
    const c = await api("GET", `cases/${encodeURIComponent(id)}`);
    if (!state.alive) return;
    await (c.you.relation === "judge" ? judgeCaseView : partyCaseView)(view, ctx, c);
  },
  organizations: (view, ctx, id) => organizationView(view, ctx, id),
  filings: (view, ctx, id) => filingView(view, ctx, id),
  queue: (view, ctx, id) => queueFilingView(view, ctx, id),
  mediations: (view, ctx, id) => mediationView(view, ctx, id),
};
/** The role's views, and "My organisation" and its webhooks for an organisation's administrator. */
const navOf = (user) => [...(NAV[user.role] ?? []), ...(user.orgAdmin && user.role !== "admin" && user.organizationId ? ["organization", "webhooks"] : [])];

let me = null;
let current = null; // the shown view: {alive, cleanups}

function leaveCurrent() {
  if (!current) return;
  current.alive = false;
  for (const fn of current.cleanups) fn();
  current = null;
}

function signedOutScreen() {
  leaveCurrent();
  me = null;
  $("view").replaceChildren();
  $("user-box").hidden = true;
  $("nav").replaceChildren();
}

function showLogin(messageKey) {
  signedOutScreen();
  $("view").hidden = true;
  $("login").hidden = false;
  if (messageKey) say($("login-message"), "bad", messageKey);
  document.body.dataset.screen = "login";
  $("login-email").focus();
}

async function enter() {
  try {
    me = await api("GET", "auth/me");
  } catch (e) {
    setToken(null);
    showLogin(e.status === 401 ? "login.expired" : undefined);
    if (e.status !== 401) sayError($("login-message"), e);
    return;
  }
  $("login").hidden = true;
  $("view").hidden = false;
  $("user-name").textContent = me.name;
  $("user-role").replaceChildren(tx(`role.${me.role}`));
  $("user-box").hidden = false;
  $("nav").replaceChildren(
    el("ul", { class: "ws-nav" }, navOf(me).map((name) => el("li", {}, el("a", { href: `#/${name}`, "data-nav": name }, tx(`nav.${name}`))))),
  );
  document.body.dataset.screen = "workspace";
  document.body.dataset.role = me.role;
  await route();
}

async function route() {
  if (!me) return;
  leaveCurrent();
  const state = { alive: true, cleanups: [] };
  current = state;
  const ctx = { me, alive: () => state.alive, onLeave: (fn) => state.cleanups.push(fn) };
  const allowed = navOf(me);
  let [name, id] = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  if (!allowed.includes(name)) [name, id] = [allowed[0], undefined];
  for (const a of document.querySelectorAll("[data-nav]")) {
    if (a.dataset.nav === name) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const view = $("view");
  view.replaceChildren();
  delete view.dataset.loaded;
  view.setAttribute("aria-busy", "true");
  try {
    if (!name) view.append(el("section", { class: "card" }, el("h1", { tabindex: "-1", "data-view-heading": "" }, tx("nav.none.title")), el("p", {}, tx("nav.none.text"))));
    else if (id && DETAIL[name]) await DETAIL[name](view, ctx, id, state);
    else await VIEWS[name](view, ctx);
  } catch (e) {
    if (!state.alive) return;
    const region = el("div", { role: "alert" });
    view.append(region);
    sayError(region, e);
  }
  if (!state.alive) return;
  view.removeAttribute("aria-busy");
  view.dataset.loaded = id ? `${name}/${id}` : name ?? "none";
  // Keyboard and screen-reader users start at the new view's heading.
  (view.querySelector("[data-view-heading]") ?? view).focus();
}

/** The e-mailed link's view: no session needed, whatever the tab had. */
async function showWelcome(token) {
  signedOutScreen();
  $("login").hidden = true;
  const view = $("view");
  view.hidden = false;
  view.setAttribute("aria-busy", "true");
  delete view.dataset.loaded;
  document.body.dataset.screen = "welcome";
  await welcomeView(view, token, { enter });
  if (document.body.dataset.screen !== "welcome") return;
  view.removeAttribute("aria-busy");
  view.dataset.loaded = "welcome";
}

async function logIn(e) {
  e.preventDefault();
  const form = $("login-form");
  const message = $("login-message");
  message.replaceChildren();
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const { token } = await api("POST", "auth/login", { json: { email: form.email.value.trim(), password: form.password.value } });
    setToken(token);
    form.password.value = "";
    await enter();
  } catch (err) {
    if (err.status === 401) say(message, "bad", "login.failed");
    else sayError(message, err);
  } finally {
    button.disabled = false;
  }
}

async function logOut() {
  try {
    await api("POST", "auth/logout");
  } catch {
    // the token is dropped here either way
  }
  setToken(null);
  showLogin();
  say($("login-message"), "ok", "login.loggedOut");
}

function init() {
  onLanguageButtons(LANG_KEY, LANGS, setLanguage);
  setLanguage(savedLanguage(LANG_KEY, LANGS));
  $("login-form").addEventListener("submit", logIn);
  $("logout").addEventListener("click", logOut);
  whenUnauthorized(() => {
    setToken(null);
    showLogin("login.expired");
  });
  wireForgotPassword();
  window.addEventListener("hashchange", () => {
    const token = welcomeToken();
    if (token) void showWelcome(token);
    else if (me) void route();
    else if (getToken()) void enter();
    else showLogin();
  });
  document.body.dataset.ready = "true";
  const token = welcomeToken();
  if (token) void showWelcome(token);
  else if (getToken()) void enter();
  else showLogin();
}

init();
