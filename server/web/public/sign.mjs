// The signing page, reached from an invitation link (/sign/#token=sgn_…): the signer logs in as
// themselves (or is already, in the workspace's session of this tab), sees the contract (the PDF in
// the browser's own viewer, where their stamp goes, the order of signers and who has signed), and
// signs with the one-time code they ask to be mailed to their own address (or, when the sender
// chose to hand it over, the code the sender gave them), or declines with a reason. Everything goes through the API (/api/sign/<token>, /api/contracts/<id>);
// the token stays in the address's fragment, which browsers send neither to the server nor in a
// Referer. The pure helpers at the top are exported for the tests.
import { el } from "./dom.mjs";
import { LANGS, errorText, translate } from "./sign-i18n.mjs";
import { onLanguageButtons, savedLanguage, showLanguage } from "./lang.mjs";
import { fillControls, showPagesWithFields } from "./sign-fields.mjs";

// ---- pure helpers

/** The invitation token in a link, a fragment ("#token=…"), a query or a bare token; null if none. */
export function tokenFrom(text) {
  const m = /sgn_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/.exec(String(text ?? ""));
  return m ? m[0] : null;
}

/**
 * Page sizes (points) named by the /MediaBox entries written in the clear in a PDF's bytes: the size
 * of every page when they all agree, else null (then only the box's coordinates are shown). Pages
 * kept in compressed object streams are not seen; the answer is then null as well.
 */
export function uniformPageSize(bytes) {
  const text = new TextDecoder("latin1").decode(bytes);
  const re = /\/MediaBox\s*\[\s*(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s*\]/g;
  let size = null;
  for (let m; (m = re.exec(text)); ) {
    const [x1, y1, x2, y2] = m.slice(1).map(Number);
    const w = Math.abs(x2 - x1);
    const h = Math.abs(y2 - y1);
    if (!(w > 0 && h > 0)) return null;
    if (size && (Math.abs(size.w - w) > 0.5 || Math.abs(size.h - h) > 0.5)) return null;
    size = { w, h };
  }
  return size;
}

/** Where a box lies on its page, in thirds: "bottom-right", "middle-center", … (PDF y grows upwards). */
export function areaOf(box, page) {
  const cx = (box.x + box.w / 2) / page.w;
  const cy = (box.y + box.h / 2) / page.h;
  const col = cx < 1 / 3 ? "left" : cx > 2 / 3 ? "right" : "center";
  const row = cy > 2 / 3 ? "top" : cy < 1 / 3 ? "bottom" : "middle";
  return `${row}-${col}`;
}

/** The step now open (lowest step with a pending signer) and how many of its signers have not signed. */
export function openStepOf(signers) {
  const pending = signers.filter((s) => s.status === "pending");
  if (!pending.length) return null;
  const open = Math.min(...pending.map((s) => s.step));
  return { step: open, missing: pending.filter((s) => s.step === open).length };
}

// ---- the page

const SESSION_KEY = "contract-sign.session";
// The workspace's session in this tab (workspace/ws-api.mjs): someone who just set their password
// from an e-mailed link lands here signed in, and a login here is the workspace's too.
const WORKSPACE_TOKEN_KEY = "evidence-workspace.token";
const LANG_KEY = "evidence-verify.lang"; // shared with the verification page: one choice for both
const SVG = "http://www.w3.org/2000/svg";

const state = {
  lang: "zh",
  token: null,
  session: null, // {token, expiresAt}
  me: null, // the logged-in user
  invitation: null, // GET /api/sign/<token>
  contract: null, // GET /api/contracts/<id>: every signer, their boxes and status
  pdf: null, // {url, size, pageSize}
  signedPdf: null, // {url}
  certificate: null, // {url}
  notice: null, // an API error that stops the page
  busy: null, // "login" | "sign" | "decline" | "code"
  codeSent: null, // POST /api/sign/<token>/code: {sentTo, expiresAt, attemptsAllowed}
  result: null, // {kind: "signed", sha256, completed} | {kind: "declined", reason}
  errors: {}, // per form: login, sign, decline, link, code
};

const $ = (id) => document.getElementById(id);
const t = (key, params) => translate(state.lang, key, params);

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const c of children) node.append(c);
  return node;
}

const formatTime = (iso) => (iso ? new Intl.DateTimeFormat(LANGS[state.lang], { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso)) : "—");
const round = (n) => String(Math.round(n * 10) / 10);

// ---- the API

class ApiFailure extends Error {
  constructor(status, code, message, retryAfter = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

async function api(method, route, body) {
  const headers = {};
  if (state.session) headers.authorization = `Bearer ${state.session.token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let res;
  try {
    res = await fetch(`../api/${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
  } catch (e) {
    throw new ApiFailure(0, "network", e?.message ?? String(e));
  }
  if (res.ok) return res;
  let error = { code: `http_${res.status}`, message: res.statusText };
  try {
    error = (await res.json()).error ?? error;
  } catch {
    // not JSON: keep the status line
  }
  if (res.status === 401 && error.code === "unauthorized") dropSession();
  const wait = Number(res.headers.get("retry-after"));
  throw new ApiFailure(res.status, error.code, error.message, Number.isFinite(wait) && wait > 0 ? wait : null);
}

const apiJson = async (method, route, body) => (await api(method, route, body)).json();

async function blobOf(route) {
  const res = await api("GET", route);
  const bytes = await res.arrayBuffer();
  return { bytes, url: URL.createObjectURL(new Blob([bytes], { type: "application/pdf" })) };
}

// ---- session (kept for this tab only)

function loadSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? "null");
    const workspace = sessionStorage.getItem(WORKSPACE_TOKEN_KEY);
    // The workspace's token wins when the two differ: it is the newer sign-in of this tab.
    if (s && typeof s.token === "string" && (!workspace || workspace === s.token) && (!s.expiresAt || new Date(s.expiresAt) > new Date())) return s;
    if (workspace) return { token: workspace, expiresAt: null };
  } catch {
    // storage disabled or garbage: log in again
  }
  return null;
}

function saveSession(s) {
  state.session = s;
  try {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
    sessionStorage.setItem(WORKSPACE_TOKEN_KEY, s.token);
  } catch {
    // storage disabled: the session lasts as long as the page
  }
}

function dropSession() {
  state.session = null;
  state.me = null;
  try {
    sessionStorage.removeItem(SESSION_KEY);
    sessionStorage.removeItem(WORKSPACE_TOKEN_KEY);
  } catch {
    // storage disabled
  }
}

function forgetContract() {
  for (const o of [state.pdf, state.signedPdf, state.certificate]) if (o?.url) URL.revokeObjectURL(o.url);
  Object.assign(state, { invitation: null, contract: null, pdf: null, signedPdf: null, certificate: null, notice: null, result: null, busy: null, codeSent: null, errors: {} });
  const frame = $("pdf-frame");
  frame.removeAttribute("src");
  frame.hidden = true;
}

// ---- loading

async function load() {
  forgetContract();
  setPageState("loading");
  render();
  if (!state.token) return done("link");
  if (!state.session) return done("login");
  try {
    state.me = await apiJson("GET", "auth/me");
    state.invitation = await apiJson("GET", `sign/${state.token}`);
    state.contract = await apiJson("GET", `contracts/${state.invitation.contract.id}`);
  } catch (e) {
    state.invitation = null;
    state.contract = null;
    if (!state.session) return done("login", e);
    state.notice = e;
    return done("error");
  }
  done(state.invitation.yourTurn ? "ready" : "waiting");
  // the signer's fields and signature style, built once per load so what they type survives re-renders
  state.collect = fillControls($("fill-box"), state.invitation.fields ?? [], state.invitation.signer.forOrganization, t);
  await showDocument(`sign/${state.token}/document`);
}

async function showDocument(route) {
  try {
    const { bytes, url } = await blobOf(route);
    if (state.pdf?.url) URL.revokeObjectURL(state.pdf.url);
    state.pdf = { url, pageSize: uniformPageSize(new Uint8Array(bytes)) };
    // the pages drawn in the page, the signer's places over them (pdf.js wants its own copy of the bytes)
    if (state.invitation && !state.result) {
      showPagesWithFields($("sign-pages"), bytes.slice(0), state.invitation.signer, state.invitation.fields ?? [], t).catch((e) => {
        state.errors.doc = { code: "network", message: e?.message ?? String(e) };
        render();
      });
    }
  } catch (e) {
    state.errors.doc = e;
  }
  render();
  if (state.pdf) {
    const frame = $("pdf-frame");
    frame.src = state.pdf.url;
    frame.hidden = false;
  }
}

function done(pageState, error) {
  if (error) state.errors.login = error;
  setPageState(pageState);
  render();
}

function setPageState(s) {
  document.body.dataset.state = s;
}

// ---- actions

async function onLogin(event) {
  event.preventDefault();
  const email = $("login-email").value.trim();
  const password = $("login-password").value;
  state.errors.login = null;
  if (!email || !password) {
    state.errors.login = { code: "invalid_credentials" };
    return render();
  }
  state.busy = "login";
  render();
  try {
    const res = await fetch("../api/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new ApiFailure(res.status, body.error?.code ?? `http_${res.status}`, body.error?.message ?? res.statusText);
    saveSession({ token: body.token, expiresAt: body.expiresAt });
  } catch (e) {
    state.busy = null;
    state.errors.login = e instanceof ApiFailure ? e : new ApiFailure(0, "network", e?.message ?? String(e));
    render();
    $("login-password").focus();
    return;
  }
  state.busy = null;
  $("login-password").value = "";
  await load();
  ($("contract-view").hidden ? $("main") : $("contract-title")).focus();
}

async function onLogout() {
  if (state.session) await api("POST", "auth/logout").catch(() => undefined);
  dropSession();
  await load();
  $("login-email").focus();
}

async function onSign(event) {
  event.preventDefault();
  if (state.busy || !state.invitation?.yourTurn) return;
  const input = $("code");
  const code = input.value.trim();
  state.errors.sign = null;
  if (!/^\d{6}$/.test(code)) {
    state.errors.sign = { local: "sign.codeFormat" };
    render();
    input.focus();
    return;
  }
  const filled = state.collect ? state.collect() : { values: {} };
  if (filled.error) {
    state.errors.sign = { local: filled.error };
    render();
    filled.focus?.focus();
    return;
  }
  state.busy = "sign";
  render();
  let signed;
  try {
    signed = await apiJson("POST", `sign/${state.token}/sign`, { code, ...filled });
  } catch (e) {
    state.busy = null;
    if (e.code === "wrong_code") input.value = "";
    await actionFailed("sign", e);
    if (!$("act-card").hidden) input.focus();
    return;
  }
  state.busy = null;
  state.contract = signed.contract;
  state.result = { kind: "signed", sha256: signed.signedSha256, completed: signed.contract.status === "completed" };
  setPageState(state.result.completed ? "completed" : "signed");
  render();
  $("result-card").focus();
  // The document as it now stands, stamp included: shown, and offered for download.
  try {
    const doc = await blobOf(`contracts/${signed.contract.id}/document`);
    state.signedPdf = { url: doc.url };
    $("pdf-frame").src = doc.url;
    // the signed pages as they now stand: the stamp and the filled values drawn, nothing laid over them
    const pagesBox = $("sign-pages");
    pagesBox.dataset.ready = "";
    await showPagesWithFields(pagesBox, doc.bytes.slice(0), { box: { page: -1 } }, [], t).catch(() => undefined);
    pagesBox.dataset.signed = "true";
    if (state.result.completed) state.certificate = { url: (await blobOf(`contracts/${signed.contract.id}/certificate`)).url };
  } catch {
    // the links stay away; the signature stands
  }
  document.body.dataset.downloads = "ready";
  render();
}

/**
 * An action refused: the message goes under its form. A lost login shows the login form; when the
 * invitation changed under the page (used, expired, not this signer's turn), it is read again.
 */
async function actionFailed(form, error) {
  if (!state.session) {
    await load();
    state.errors.login = error;
    return render();
  }
  if (error.status === 410 || error.code === "not_your_turn" || error.code === "busy") {
    try {
      state.invitation = await apiJson("GET", `sign/${state.token}`);
      state.contract = await apiJson("GET", `contracts/${state.invitation.contract.id}`);
    } catch (e) {
      state.notice = e;
      state.invitation = null;
      state.contract = null;
      setPageState("error");
    }
  }
  state.errors[form] = error;
  render();
}

/** Asks for the one-time code by e-mail: it goes to the signer's own address, and the page says which (masked). */
async function onRequestCode() {
  if (state.busy || !state.invitation?.yourTurn) return;
  state.errors.code = null;
  state.busy = "code";
  render();
  try {
    state.codeSent = await apiJson("POST", `sign/${state.token}/code`);
    state.invitation.codeIssued = true;
    state.errors.sign = null;
  } catch (e) {
    state.busy = null;
    if (e.code === "code_out_of_band") state.invitation.codeDelivery = "out-of-band";
    await actionFailed("code", e);
    return;
  }
  state.busy = null;
  render();
  $("code").focus();
}

async function onDecline(event) {
  event.preventDefault();
  if (state.busy) return;
  const box = $("decline-reason");
  const reason = box.value.trim();
  state.errors.decline = null;
  if (!reason) {
    state.errors.decline = { local: "decline.reasonRequired" };
    render();
    box.focus();
    return;
  }
  state.busy = "decline";
  render();
  try {
    state.contract = await apiJson("POST", `sign/${state.token}/decline`, { reason });
  } catch (e) {
    state.busy = null;
    await actionFailed("decline", e);
    return;
  }
  state.busy = null;
  state.result = { kind: "declined", reason };
  setPageState("declined");
  render();
  $("result-card").focus();
}

function onLink(event) {
  event.preventDefault();
  const token = tokenFrom($("link-input").value.trim());
  if (!token) {
    state.errors.link = { local: "link.bad" };
    return render();
  }
  state.errors.link = null;
  location.hash = `token=${token}`; // hashchange loads it
}

// ---- rendering

/** A message under a form goes once its field is edited. */
function clearError(form) {
  if (!state.errors[form]) return;
  state.errors[form] = null;
  render();
}

const errorLine = (e) => (e ? (e.local ? t(e.local) : errorText(state.lang, e)) : "");

function banner(kind, title, ...lines) {
  const icon = { ok: "✓", wait: "…", bad: "!" }[kind];
  const cls = { ok: "banner-verified", wait: "banner-pending", bad: "banner-error" }[kind];
  return el(
    "div",
    { class: `banner ${cls}`, "data-kind": kind },
    el("span", { class: "banner-icon", "aria-hidden": "true" }, icon),
    el("div", {}, el("p", { class: "banner-title" }, title), lines.filter(Boolean).map((l) => (typeof l === "string" ? el("p", { class: "banner-line" }, l) : l))),
  );
}

function fieldList(rows) {
  return el("dl", { class: "fields" }, rows.filter(Boolean).map(([label, value]) => el("div", { class: "row" }, el("dt", {}, label), el("dd", {}, value))));
}

function renderTopbar() {
  $("user").hidden = !state.me;
  $("user-name").textContent = state.me ? t("user.signedIn", { name: state.me.name, email: state.me.email }) : "";
}

function renderNotice() {
  const box = $("notice");
  box.replaceChildren();
  if (document.body.dataset.state === "loading") box.append(el("p", { class: "hint" }, t("loading")));
  if (!state.notice) return;
  const e = state.notice;
  box.append(
    banner(
      "bad",
      t("err.title"),
      errorText(state.lang, e),
      e.status === 403 && state.session ? el("p", { class: "banner-line" }, el("button", { type: "button", class: "button", onclick: onLogout }, t("logout"))) : null,
    ),
  );
}

function mySigner() {
  return state.contract?.signers.find((s) => s.id === state.invitation?.signer.id) ?? null;
}

function renderContract() {
  const inv = state.invitation;
  const c = state.contract;
  $("contract-view").hidden = !inv;
  if (!inv) return;
  const me = mySigner();
  const status = c?.status ?? inv.contract.status;
  $("contract-title").textContent = inv.contract.title;

  const turn = $("turn");
  turn.replaceChildren();
  if (!state.result && status === "in_progress" && me?.status === "pending") {
    if (inv.yourTurn) turn.append(banner("ok", t("turn.yours"), t("turn.yoursHint")));
    else {
      const open = openStepOf(c?.signers ?? []) ?? { step: inv.signer.step - 1, missing: 0 };
      turn.append(banner("wait", t("turn.waiting", { open: open.step, missing: open.missing }), t("turn.waitingHint", { step: inv.signer.step })));
    }
  }

  const you = [inv.signer.name, inv.signer.organization ?? t("individual")].join(" · ");
  $("summary").replaceChildren(
    fieldList([
      [t("field.sender"), inv.contract.sender ?? "—"],
      [t("field.you"), you],
      // an organisation as the signer: the member signs for it, with its seal
      inv.signer.seal
        ? [t("field.forOrganization"), el("span", { id: "signs-for" }, t("forOrganization", { organization: inv.signer.seal.organization, seal: t(`sealKind.${inv.signer.seal.kind}`) }))]
        : null,
      inv.signer.role ? [t("field.role"), inv.signer.role] : null,
      [t("field.step"), t("step", { step: inv.signer.step })],
      [t("field.status"), el("span", { class: `status status-${status}`, id: "contract-status" }, t(`status.${status}`))],
      [t("field.deadline"), formatTime(c?.expiresAt ?? inv.contract.expiresAt)],
      [t("field.invitationExpires"), formatTime(inv.invitationExpiresAt)],
      [t("field.sha256"), el("code", { class: "hex" }, c?.document.sha256 ?? inv.contract.document.sha256)],
    ]),
  );

  const loading = $("doc-loading");
  loading.hidden = !!state.pdf;
  loading.textContent = state.errors.doc ? errorLine(state.errors.doc) : t("doc.loading");
  const download = $("doc-download");
  const pdfUrl = state.signedPdf?.url ?? state.pdf?.url;
  download.hidden = !pdfUrl;
  if (pdfUrl) {
    download.href = pdfUrl;
    download.download = `contract-${inv.contract.id}${state.signedPdf ? "-signed" : ""}.pdf`;
  }

  renderWhere(me);
  renderSigners();
  renderActions(status, me);
  renderResult();
}

function renderWhere(me) {
  const where = $("where");
  where.replaceChildren();
  if (!me) return;
  const box = me.box;
  const page = box.page + 1;
  const size = state.pdf?.pageSize ?? null;
  const area = size ? t(`area.${areaOf(box, size)}`) : null;
  where.append(
    el("p", { class: "where-main", id: "where-main" }, area ? t("where.field", { page, area }) : t("where.fieldNoArea", { page })),
    el("p", { class: "hint" }, t("where.exact", { x: round(box.x), y: round(box.y), w: round(box.w), h: round(box.h) })),
  );
  if (size) {
    const others = (state.contract?.signers ?? []).filter((s) => s.id !== me.id && s.box.page === box.page);
    const rect = (b, cls) => svg("rect", { x: b.x, y: size.h - b.y - b.h, width: b.w, height: b.h, class: cls });
    where.append(
      svg(
        "svg",
        { class: "page-map", viewBox: `0 0 ${size.w} ${size.h}`, role: "img", "aria-label": t("where.map", { page }) },
        rect({ x: 0, y: 0, w: size.w, h: size.h }, "page-map-page"),
        ...others.map((s) => rect(s.box, "page-map-other")),
        rect(box, "page-map-mine"),
      ),
    );
  }
  if (state.pdf) {
    where.append(
      el("p", {}, el("button", { type: "button", class: "button", id: "show-page", onclick: () => showPage(page) }, t("where.show", { page }))),
    );
  }
}

/** The viewer jumps to a page: the PDF viewer reads #page=N from its address. */
function showPage(page) {
  const url = state.signedPdf?.url ?? state.pdf?.url;
  if (!url) return;
  const frame = $("pdf-frame");
  frame.src = "about:blank";
  requestAnimationFrame(() => (frame.src = `${url}#page=${page}`));
  frame.focus();
}

function renderSigners() {
  const list = $("signers");
  list.replaceChildren();
  const signers = state.contract?.signers ?? [];
  const open = state.contract?.status === "in_progress" ? openStepOf(signers) : null;
  const steps = [...new Set(signers.map((s) => s.step))].sort((a, b) => a - b);
  for (const step of steps) {
    list.append(
      el(
        "li",
        { class: "step-group", "data-step": step },
        el("p", { class: "step-title" }, t("step", { step }), open?.step === step ? el("span", { class: "tag tag-current" }, t("signer.current")) : null),
        el(
          "ul",
          { class: "signer-list" },
          signers
            .filter((s) => s.step === step)
            .map((s) =>
              el(
                "li",
                { class: `signer signer-${s.status}`, "data-signer": s.id },
                el(
                  "span",
                  { class: "signer-name" },
                  s.name,
                  s.id === state.invitation.signer.id ? el("strong", {}, t("signer.you")) : null,
                  el("span", { class: "hint" }, [s.role, s.organization].filter(Boolean).join(" · ") ? ` ${[s.role, s.organization].filter(Boolean).join(" · ")}` : ""),
                ),
                el("span", { class: `tag tag-${s.status}` }, t(`signer.${s.status}`)),
                s.signedAt ? el("span", { class: "hint" }, t("signer.signedAt", { time: formatTime(s.signedAt) })) : null,
                // an organisation as the signer: the member who signed for it
                s.kind === "organization" && s.signedBy?.name ? el("span", { class: "hint signed-by" }, t("signer.signedBy", { name: s.signedBy.name })) : null,
              ),
            ),
        ),
      ),
    );
  }
}

function renderActions(status, me) {
  const inv = state.invitation;
  const active = !state.result && status === "in_progress" && me?.status === "pending";
  $("act-card").hidden = !active;
  if (!active) return;
  const canSign = inv.yourTurn && !state.busy;
  $("code").disabled = !inv.yourTurn || !!state.busy;
  const submit = $("sign-submit");
  submit.disabled = !canSign;
  submit.textContent = state.busy === "sign" ? t("sign.busy") : t("sign.submit");
  const byEmail = inv.codeDelivery !== "out-of-band";
  const sent = state.codeSent;
  $("code-status").textContent = !inv.yourTurn
    ? t("sign.disabled")
    : sent
      ? t("sign.codeSent", { to: sent.sentTo, time: formatTime(sent.expiresAt), n: sent.attemptsAllowed })
      : inv.codeIssued
        ? byEmail
          ? t("sign.codeWaiting")
          : ""
        : byEmail
          ? t("sign.codeAsk")
          : t("sign.codeNotIssued");
  $("code-hint").textContent = t(byEmail ? "sign.codeHintEmail" : "sign.codeHint");
  const ask = $("code-request");
  ask.hidden = !byEmail;
  ask.disabled = !inv.yourTurn || !!state.busy;
  ask.textContent = state.busy === "code" ? t("sign.codeRequesting") : t(sent || inv.codeIssued ? "sign.codeRequestAgain" : "sign.codeRequest");
  const codeError = state.errors.code;
  $("code-request-error").textContent = !codeError
    ? ""
    : codeError.code === "code_recently_sent" && codeError.retryAfter
      ? t("err.code_recently_sent_wait", { seconds: codeError.retryAfter })
      : errorLine(codeError);
  $("sign-error").textContent = errorLine(state.errors.sign);
  $("code").setAttribute("aria-invalid", state.errors.sign ? "true" : "false");
  const decline = $("decline-submit");
  decline.disabled = !!state.busy;
  decline.textContent = state.busy === "decline" ? t("decline.busy") : t("decline.submit");
  $("decline-error").textContent = errorLine(state.errors.decline);
  $("decline-reason").setAttribute("aria-invalid", state.errors.decline ? "true" : "false");
}

function renderResult() {
  const card = $("result-card");
  const box = $("result");
  card.hidden = !state.result;
  box.replaceChildren();
  const r = state.result;
  if (!r) return;
  if (r.kind === "declined") {
    box.append(banner("bad", t("done.declined"), t("done.reason", { reason: r.reason })));
    return;
  }
  const c = state.contract;
  const next = openStepOf(c.signers);
  const links = [];
  const id = c.id;
  if (state.signedPdf) links.push(el("a", { class: "button primary", id: "download-signed", href: state.signedPdf.url, download: `contract-${id}-signed.pdf` }, t("done.downloadSigned")));
  if (state.certificate) links.push(el("a", { class: "button", id: "download-certificate", href: state.certificate.url, download: `contract-${id}-certificate.pdf` }, t("done.downloadCertificate")));
  if (r.completed && c.completion?.verifyUrl) links.push(el("a", { class: "button", href: c.completion.verifyUrl }, t("done.verify")));
  box.append(
    banner(
      "ok",
      t("done.signed"),
      el("p", { class: "banner-line" }, t("done.signedHint"), " ", el("code", { class: "hex" }, r.sha256)),
      r.completed ? t("done.completed") : next ? t("done.next", { step: next.step }) : null,
    ),
    links.length ? el("p", { class: "actions" }, links) : null,
  );
}

function render() {
  renderTopbar();
  renderNotice();
  $("link-card").hidden = !!state.token;
  $("link-error").textContent = errorLine(state.errors.link);
  $("login-card").hidden = !state.token || !!state.session;
  $("login-error").textContent = errorLine(state.errors.login);
  $("login-submit").disabled = state.busy === "login";
  $("login-submit").textContent = state.busy === "login" ? t("login.busy") : t("login.submit");
  renderContract();
}

// ---- language

function applyLanguage() {
  showLanguage(LANGS, state.lang, t);
  render();
}

// ---- start

/** The token from the fragment; one given as ?token= is moved into the fragment (and out of later requests). */
function tokenFromAddress() {
  const fromHash = tokenFrom(new URLSearchParams(location.hash.slice(1)).get("token"));
  if (fromHash) return fromHash;
  const fromQuery = tokenFrom(new URLSearchParams(location.search).get("token"));
  if (fromQuery) history.replaceState(null, "", `${location.pathname}#token=${fromQuery}`);
  return fromQuery;
}

async function start() {
  state.lang = savedLanguage(LANG_KEY, LANGS);
  state.token = tokenFromAddress();
  state.session = loadSession();
  onLanguageButtons(LANG_KEY, LANGS, (next) => {
    state.lang = next;
    applyLanguage();
  });
  $("login-form").addEventListener("submit", onLogin);
  $("logout").addEventListener("click", onLogout);
  $("sign-form").addEventListener("submit", onSign);
  $("decline-form").addEventListener("submit", onDecline);
  $("code-request").addEventListener("click", onRequestCode);
  $("link-form").addEventListener("submit", onLink);
  $("code").addEventListener("input", (e) => {
    e.target.value = e.target.value.replace(/\D/g, "").slice(0, 6);
    clearError("sign");
  });
  $("decline-reason").addEventListener("input", () => clearError("decline"));
  window.addEventListener("hashchange", () => {
    state.token = tokenFromAddress();
    load();
  });
  applyLanguage();
  await load();
  document.body.dataset.ready = "";
}

if (typeof document !== "undefined") start();
