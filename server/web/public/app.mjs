// The public verification page: hash a file in the browser, ask POST /api/verify about its
// digest, show the verdict; optionally re-check a file and its proof bundle entirely here.
import { hashFile } from "./hash-file.mjs";
import { LANGS, translate } from "./i18n.mjs";
import { STEPS, jsonRpc, verifyOffline, verifyOnChain } from "./verify-bundle.mjs";

const LANG_KEY = "evidence-verify.lang";
const $ = (id) => document.getElementById(id);

let lang = "zh";
let verifyState = null; // what the upper section shows; re-rendered when the language changes
let localState = null; // the same for the in-browser check
let verifyRun = 0; // a newer file cancels the hashing of an older one
let localRun = 0;

const t = (key, params) => translate(lang, key, params);

/** Builds an element: el("p", {class: "x"}, "text", child, ...). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "onclick") node.addEventListener("click", v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

// ---- formatting

function formatSize(bytes) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const short = u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
  return u === 0 ? short : `${short}, ${bytes.toLocaleString(LANGS[lang])} B`;
}

function formatTimes(unixSeconds) {
  const d = new Date(unixSeconds * 1000);
  const local = new Intl.DateTimeFormat(LANGS[lang], { dateStyle: "long", timeStyle: "long" }).format(d);
  const utc = d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  return { local, utc };
}

const timeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "local";

// ---- language

function applyLanguage() {
  document.documentElement.lang = LANGS[lang];
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-aria-label]")) node.setAttribute("aria-label", t(node.dataset.i18nAriaLabel));
  for (const b of document.querySelectorAll(".lang-button")) b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
  renderVerify();
  renderLocal();
}

function setLanguage(next) {
  if (!LANGS[next]) return;
  lang = next;
  try {
    localStorage.setItem(LANG_KEY, next);
  } catch {
    // storage disabled: the choice lasts for this page only
  }
  applyLanguage();
}

function savedLanguage() {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (saved && LANGS[saved]) return saved;
  } catch {
    // storage disabled
  }
  return "zh";
}

// ---- progress bars

function progressReporter(prefix) {
  const box = $(prefix + "progress");
  const bar = $(prefix + "progress-bar");
  const text = $(prefix + "progress-text");
  return {
    start() {
      bar.value = 0;
      text.textContent = "";
      box.hidden = false;
    },
    update(done, total) {
      const fraction = total ? done / total : 1;
      bar.value = fraction;
      text.textContent = t("progress", { percent: Math.floor(fraction * 100), done: formatSize(done), total: formatSize(total) });
    },
    stop() {
      box.hidden = true;
    },
  };
}

// ---- shared pieces

function hexValue(value) {
  return el("code", { class: "hex" }, String(value));
}

function fieldList(rows) {
  return el("dl", { class: "fields" }, rows.map(([label, value]) => el("div", { class: "row" }, el("dt", {}, label), el("dd", {}, value))));
}

/** The steps, in order, each PASS / FAIL / not run; a string detail (from the server) is English. */
function checkList(checks, steps) {
  const byName = new Map(checks.map((c) => [c.name, c]));
  const names = steps ?? checks.map((c) => c.name);
  return el(
    "ol",
    { class: "checks" },
    names.map((name) => {
      const c = byName.get(name);
      const state = !c ? "skipped" : c.ok ? "pass" : "fail";
      const detail = !c ? null : typeof c.detail === "string" ? el("span", { lang: "en" }, c.detail) : t(c.detail[0], c.detail[1]);
      return el(
        "li",
        { class: `check ${state}`, "data-step": name, "data-result": state },
        el("span", { class: "badge" }, t(`result.${state}`)),
        el("span", { class: "check-body" }, el("span", { class: "step-name" }, t(`step.${name}`), " ", el("code", { class: "step-id" }, name)), detail && el("span", { class: "detail" }, detail)),
      );
    }),
  );
}

function downloadJson(value, filename) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(value, null, 2) + "\n"], { type: "application/json" }));
  const a = el("a", { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function banner(kind, title, ...lines) {
  const icon = { anchored: "✓", verified: "✓", "not-found": "✕", failed: "✕", pending: "…", error: "!", busy: "…" }[kind] ?? "";
  return el(
    "div",
    { class: `banner banner-${kind}` },
    el("span", { class: "banner-icon", "aria-hidden": "true" }, icon),
    el("div", {}, el("p", { class: "banner-title" }, title), lines.filter(Boolean).map((l) => el("p", { class: "banner-line" }, l))),
  );
}

// ---- the lookup by digest

/** queued / batched / sent / anchored, translated; any other status as the server wrote it. */
function statusText(status) {
  const key = `status.${status}`;
  const text = t(key);
  return text === key ? String(status) : text;
}

function verdictOf(matches) {
  if (matches.some((m) => m.verified)) return "anchored";
  if (matches.some((m) => m.bundle && !m.verified)) return "failed";
  if (matches.length) return "pending";
  return "not-found";
}

function renderMatch(match, n, count) {
  const rows = [
    [t("field.evidenceId"), hexValue(match.evidenceId)],
    [t("field.status"), statusText(match.status)],
  ];
  const b = match.bundle;
  // When and where, only for a proof that verified: a failing bundle's claims are not facts.
  if (b && match.verified) {
    const times = formatTimes(b.anchor.blockTimestamp);
    rows.push(
      [t("field.timeLocal", { zone: timeZone() }), times.local],
      [t("field.timeUtc"), times.utc],
      [t("field.root"), hexValue(b.merkle.root)],
      [t("field.chainId"), String(b.anchor.chainId)],
      [t("field.txHash"), hexValue(b.anchor.txHash)],
      [t("field.blockNumber"), String(b.anchor.blockNumber)],
      [t("field.registry"), hexValue(b.anchor.registry)],
    );
  }
  return el(
    "section",
    { class: `match match-${match.verified ? "verified" : match.status}`, "aria-label": t("match.title", { n }) },
    count > 1 ? el("h3", {}, t("match.title", { n })) : null,
    fieldList(rows),
    match.checks.length ? [el("h4", {}, t("checks.title")), el("p", { class: "hint" }, t("checks.serverNote")), checkList(match.checks)] : null,
    b
      ? el("button", { type: "button", class: "button", onclick: () => downloadJson(b, `proof-${match.evidenceId}.json`) }, t("download"))
      : null,
  );
}

function renderVerify() {
  const verdict = $("verdict");
  const details = $("details");
  const s = verifyState;
  delete verdict.dataset.verdict;
  if (!s) {
    verdict.replaceChildren();
    details.replaceChildren();
    return;
  }
  const fileInfo = el(
    "div",
    { class: "file-info" },
    s.file ? el("p", {}, t("file.info", { name: s.file.name, size: formatSize(s.file.size) })) : null,
    s.sha256 ? el("p", {}, t("file.digest"), ": ", hexValue(s.sha256)) : null,
  );
  if (s.kind === "hashing") {
    verdict.replaceChildren();
    details.replaceChildren(fileInfo);
    return;
  }
  if (s.kind === "busy") {
    verdict.replaceChildren(banner("busy", t("busy.query")));
    details.replaceChildren(fileInfo);
    return;
  }
  if (s.kind === "error") {
    verdict.dataset.verdict = "error";
    verdict.replaceChildren(banner("error", t(s.key, { message: s.message })));
    details.replaceChildren(fileInfo);
    return;
  }
  const matches = s.data.matches;
  const kind = verdictOf(matches);
  verdict.dataset.verdict = kind;
  if (kind === "anchored") {
    const first = matches.find((m) => m.verified);
    verdict.replaceChildren(banner(kind, t("verdict.anchored"), t("verdict.anchoredWhen", formatTimes(first.bundle.anchor.blockTimestamp))));
  } else if (kind === "failed") {
    verdict.replaceChildren(banner(kind, t("verdict.failed")));
  } else if (kind === "pending") {
    const statuses = [...new Set(matches.map((m) => statusText(m.status)))].join(", ");
    verdict.replaceChildren(banner(kind, t("verdict.pending"), `${t("field.status")}: ${statuses}`, t("verdict.pendingHint")));
  } else {
    verdict.replaceChildren(banner(kind, t("verdict.notFound"), t("verdict.notFoundHint")));
  }
  // Verified records first, then the others.
  const ordered = [...matches].sort((a, b) => Number(b.verified) - Number(a.verified));
  details.replaceChildren(fileInfo, ...ordered.map((m, i) => renderMatch(m, i + 1, ordered.length)));
}

async function verifyFile(file) {
  const run = ++verifyRun;
  const progress = progressReporter("");
  verifyState = { kind: "hashing", file };
  renderVerify();
  progress.start();
  let sha256;
  try {
    sha256 = await hashFile(file, { onProgress: progress.update, isCancelled: () => run !== verifyRun });
  } catch (e) {
    if (run !== verifyRun) return;
    verifyState = { kind: "error", file, key: "error.read", message: e.message };
    return renderVerify();
  } finally {
    if (run === verifyRun) progress.stop();
  }
  if (sha256 === null || run !== verifyRun) return;
  await lookUp(run, file, sha256);
}

/** Asks the server about a digest (of a file hashed here, or given in the page's address). */
async function lookUp(run, file, sha256) {
  verifyState = { kind: "busy", file, sha256 };
  renderVerify();
  try {
    const res = await fetch(new URL("api/verify", document.baseURI), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ sha256 }),
    });
    const body = await res.json().catch(() => null);
    if (!res.ok || !body || !Array.isArray(body.matches)) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
    if (run !== verifyRun) return;
    verifyState = { kind: "result", file, sha256, data: body };
  } catch (e) {
    if (run !== verifyRun) return;
    verifyState = { kind: "error", file, sha256, key: "error.request", message: e.message };
  }
  renderVerify();
}

// ---- the in-browser check of a file and its bundle

function renderLocal() {
  const verdict = $("local-verdict");
  const details = $("local-details");
  const s = localState;
  delete verdict.dataset.verdict;
  delete verdict.dataset.failedStep;
  details.replaceChildren();
  if (!s) return verdict.replaceChildren();
  if (s.kind === "busy") return verdict.replaceChildren(banner("busy", t("local.busy")));
  if (s.kind === "error") {
    verdict.dataset.verdict = "error";
    return verdict.replaceChildren(banner("error", t(s.key, { message: s.message })));
  }
  const failed = s.checks.find((c) => !c.ok);
  if (failed) {
    verdict.dataset.verdict = "failed";
    verdict.dataset.failedStep = failed.name;
    const summary = failed.unreachable ? t("fail.unreachable") : t(`fail.${failed.name}`);
    verdict.replaceChildren(banner("failed", t("local.failed", { summary, step: failed.name })));
  } else {
    verdict.dataset.verdict = s.online ? "verified" : "verified-offline";
    const a = s.bundle.anchor;
    verdict.replaceChildren(
      banner("verified", s.online ? t("local.verified", { chainId: a.chainId, ...formatTimes(a.blockTimestamp) }) : t("local.verifiedOffline")),
    );
  }
  details.replaceChildren(checkList(s.checks, s.online ? STEPS : STEPS.slice(0, 4)));
}

async function checkLocally(event) {
  event.preventDefault();
  const run = ++localRun;
  const file = $("local-file").files[0];
  const bundleFile = $("local-bundle").files[0];
  const rpcUrl = $("rpc-url").value.trim();
  const finish = (state) => {
    if (run !== localRun) return;
    localState = state;
    renderLocal();
  };
  if (!file || !bundleFile) return finish({ kind: "error", key: "local.missing" });
  if (rpcUrl && !/^https?:\/\/\S+$/i.test(rpcUrl)) return finish({ kind: "error", key: "local.badRpc" });

  let bundle;
  try {
    bundle = JSON.parse(await bundleFile.text());
  } catch {
    return finish({ kind: "error", key: "local.badJson" });
  }
  const submit = $("local-submit");
  const progress = progressReporter("local-");
  submit.disabled = true;
  finish({ kind: "busy" });
  progress.start();
  try {
    const sha256 = await hashFile(file, { onProgress: progress.update, isCancelled: () => run !== localRun });
    progress.stop();
    if (sha256 === null) return;
    const checks = verifyOffline(bundle, sha256);
    if (rpcUrl && checks.every((c) => c.ok)) checks.push(...(await verifyOnChain(bundle, jsonRpc(rpcUrl))));
    finish({ kind: "result", checks, bundle, online: !!rpcUrl });
  } catch (e) {
    progress.stop();
    finish({ kind: "error", key: "error.read", message: e.message });
  } finally {
    submit.disabled = false;
  }
}

// ---- wiring

function wireDropzone() {
  const zone = $("dropzone");
  const input = $("file");
  input.addEventListener("change", () => {
    const file = input.files[0];
    if (file) verifyFile(file);
  });
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (e) => {
      e.preventDefault();
      zone.classList.add("dragging");
    });
  }
  zone.addEventListener("dragleave", (e) => {
    if (!zone.contains(e.relatedTarget)) zone.classList.remove("dragging");
  });
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("dragging");
    const file = e.dataTransfer?.files?.[0];
    if (file) verifyFile(file);
  });
  // A file dropped beside the zone would make the browser open it and leave the page; file
  // inputs keep their own drop behaviour.
  const isFileInput = (target) => target instanceof HTMLInputElement && target.type === "file";
  window.addEventListener("dragover", (e) => isFileInput(e.target) || e.preventDefault());
  window.addEventListener("drop", (e) => isFileInput(e.target) || e.preventDefault());
}

function init() {
  lang = savedLanguage();
  for (const b of document.querySelectorAll(".lang-button")) b.addEventListener("click", () => setLanguage(b.dataset.lang));
  const rpc = $("rpc-url");
  if (!rpc.value) rpc.value = new URL("rpc", document.baseURI).href;
  wireDropzone();
  $("local-form").addEventListener("submit", checkLocally);
  applyLanguage();
  // A QR code on a certificate links here with ?sha256=<digest>: look that digest up at once.
  const given = new URLSearchParams(location.search).get("sha256");
  if (given && /^(0x)?[0-9a-fA-F]{64}$/.test(given)) void lookUp(++verifyRun, null, given.toLowerCase().replace(/^(?!0x)/, "0x"));
  document.body.dataset.ready = "true";
}

init();
