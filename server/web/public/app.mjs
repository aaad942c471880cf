// The public verification page: hash a file in the browser, ask POST /api/verify about its
// digest, show the verdict; for a PDF, on request only, upload it for its signature report;
// optionally re-check a file and its proof bundle entirely here.
import { el, formatBytes } from "./dom.mjs";
import { hashFile } from "./hash-file.mjs";
import { LANGS, translate } from "./i18n.mjs";
import { onLanguageButtons, savedLanguage, showLanguage } from "./lang.mjs";
import { changesOf, coverageOf, errorKey, looksLikePdf, pdfVerdict, revocationOf, uploadPdf } from "./pdf-report.mjs";
import { STEPS, jsonRpc, leafHashOf, verifyOffline, verifyOnChain } from "./verify-bundle.mjs";
import { LOG_STEPS, verifyLogOffline } from "./verify-log.mjs";

const LANG_KEY = "evidence-verify.lang";
const $ = (id) => document.getElementById(id);

let lang = "zh";
let verifyState = null; // what the upper section shows; re-rendered when the language changes
let localState = null; // the same for the in-browser check
let pdfState = null; // the PDF signature report offered for the file of verifyState
let pdfUpload = null; // the upload under way: { abort }
let verifyRun = 0; // a newer file cancels the hashing of an older one
let localRun = 0;

const t = (key, params) => translate(lang, key, params);

// ---- formatting

/** The short size, and from 1 KiB on the exact count of bytes as well. */
function formatSize(bytes) {
  const short = formatBytes(bytes);
  return bytes >= 1024 ? `${short}, ${bytes.toLocaleString(LANGS[lang])} B` : short;
}

function formatTimes(unixSeconds) {
  const d = new Date(unixSeconds * 1000);
  const local = new Intl.DateTimeFormat(LANGS[lang], { dateStyle: "long", timeStyle: "long" }).format(d);
  const utc = d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  return { local, utc };
}

const timeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "local";

/** An ISO 8601 time as { local, utc }, or null when there is none. */
function formatIso(iso) {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(ms) ? null : formatTimes(ms / 1000);
}

// ---- language

function applyLanguage() {
  showLanguage(LANGS, lang, t);
  renderVerify();
  renderPdf();
  renderLocal();
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
  const icon = { anchored: "✓", verified: "✓", valid: "✓", "not-found": "✕", failed: "✕", invalid: "✕", unsigned: "–", pending: "…", error: "!", busy: "…" }[kind] ?? "";
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
  forgetPdf();
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
  // Offered once the verdict is shown (renderPdf); nothing is sent before the button is pressed.
  const isPdf = await looksLikePdf(file);
  if (run !== verifyRun) return;
  if (isPdf) pdfState = { phase: "offer", file };
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
  renderPdf();
}

// ---- the PDF signature report: the file is uploaded only when its button is pressed

function forgetPdf() {
  pdfState = null;
  pdfUpload?.abort();
  pdfUpload = null;
  renderPdf();
}

/** The PDF section belongs to the file whose verdict is shown, once it is shown. */
function pdfShown() {
  const v = verifyState;
  return !!pdfState && !!v && v.file === pdfState.file && (v.kind === "result" || v.kind === "error");
}

function updatePdfProgress() {
  const s = pdfState;
  if (!s || (s.phase !== "uploading" && s.phase !== "checking")) return;
  const fraction = s.total ? s.sent / s.total : 0;
  $("pdf-progress-label").textContent = t(s.phase === "checking" ? "pdf.checking" : "pdf.uploading");
  $("pdf-progress-bar").value = s.phase === "checking" ? 1 : fraction;
  $("pdf-progress-text").textContent = t("pdf.progress", {
    percent: s.phase === "checking" ? 100 : Math.floor(fraction * 100),
    done: formatSize(s.phase === "checking" ? s.total : s.sent),
    total: formatSize(s.total),
  });
}

function startPdfUpload() {
  const s = pdfState;
  if (!s || !pdfShown() || pdfUpload) return;
  const file = s.file;
  const state = { phase: "uploading", file, sent: 0, total: file.size };
  pdfState = state;
  const upload = uploadPdf(new URL("api/verify/pdf", document.baseURI).href, file, {
    onProgress(sent, total) {
      if (pdfState !== state) return;
      state.sent = sent;
      state.total = total || file.size;
      updatePdfProgress();
    },
    onSent() {
      if (pdfState !== state) return;
      state.phase = "checking";
      updatePdfProgress();
    },
  });
  pdfUpload = upload;
  renderPdf();
  upload.promise.then(
    (report) => {
      if (pdfState !== state) return;
      pdfState = { phase: "result", file, report };
    },
    (error) => {
      if (pdfState !== state) return;
      pdfState = error.code === "aborted" ? { phase: "offer", file, cancelled: true } : { phase: "error", file, error };
    },
  ).finally(() => {
    if (pdfUpload === upload) pdfUpload = null;
    if (pdfState?.file === file) renderPdf();
  });
}

function renderPdf() {
  const section = $("pdf");
  const s = pdfState;
  if (!pdfShown()) {
    section.hidden = true;
    $("pdf-verdict").replaceChildren();
    $("pdf-details").replaceChildren();
    return;
  }
  section.hidden = false;
  const busy = s.phase === "uploading" || s.phase === "checking";
  const button = $("pdf-upload");
  // aria-disabled rather than disabled: the button keeps the keyboard focus while the upload runs.
  button.setAttribute("aria-disabled", String(busy));
  const box = $("pdf-progress");
  if (!busy && box.contains(document.activeElement)) button.focus();
  box.hidden = !busy;
  updatePdfProgress();

  const verdict = $("pdf-verdict");
  const details = $("pdf-details");
  delete verdict.dataset.verdict;
  delete verdict.dataset.errorCode;
  details.replaceChildren();
  if (s.phase === "offer") return verdict.replaceChildren(...(s.cancelled ? [el("p", { class: "hint" }, t("pdf.cancelled"))] : []));
  if (busy) return verdict.replaceChildren(banner("busy", t("pdf.busy")));
  if (s.phase === "error") {
    verdict.dataset.verdict = "error";
    verdict.dataset.errorCode = s.error.code;
    const key = errorKey(s.error);
    return verdict.replaceChildren(
      banner("error", t(key, { status: s.error.status, code: s.error.code }), s.error.message && s.error.status ? el("span", { lang: "en" }, s.error.message) : null),
    );
  }
  const report = s.report;
  const v = pdfVerdict(report);
  verdict.dataset.verdict = v.kind;
  const anchoring = report.anchoring;
  const anchoredAt = formatIso(anchoring?.anchoredAt);
  const anchoringText = anchoring?.anchored ? (anchoredAt ? t("pdf.anchored", anchoredAt) : t("pdf.anchoredNoTime")) : t("pdf.notAnchored");
  if (v.kind === "valid") verdict.replaceChildren(banner("valid", t("pdf.verdict.valid", { count: v.count }), anchoringText));
  else if (v.kind === "unsigned") verdict.replaceChildren(banner("unsigned", t("pdf.verdict.unsigned"), anchoringText));
  else {
    verdict.replaceChildren(
      banner(
        "invalid",
        t("pdf.verdict.invalid"),
        v.failing ? t("pdf.verdict.failing", { failing: v.failing, count: v.count }) : null,
        v.changedAfterLast ? t("pdf.verdict.changedAfterLast") : null,
        anchoringText,
      ),
    );
  }
  details.replaceChildren(
    fieldList([
      [t("pdf.field.digest"), hexValue(report.sha256)],
      [t("pdf.field.count"), String(v.count)],
      [t("pdf.field.anchoring"), el("span", { "data-anchored": String(!!anchoring?.anchored) }, anchoringText)],
    ]),
    ...report.signatures.map((sig, i) => renderSignature(sig, i, report)),
  );
}

/** One line of a signature's checks: PASS / FAIL / NOTE in words, its name, what was found. */
function pdfCheck(name, state, detail) {
  const badge = { pass: "result.pass", fail: "result.fail", note: "pdf.note" }[state];
  return el(
    "li",
    { class: `check ${state}`, "data-step": name, "data-result": state },
    el("span", { class: "badge" }, t(badge)),
    el("span", { class: "check-body" }, el("span", { class: "step-name" }, t(`pdf.check.${name}`)), el("span", { class: "detail" }, detail)),
  );
}

/** A check made of findings: its sentence, then one line per finding with its machine-readable code. */
function findingCheck(name, v) {
  const lines = v.lines.map((l) => el("span", { class: "finding", "data-code": l.params.code }, t(l.key, l.params), " ", el("code", {}, l.params.code)));
  return pdfCheck(name, v.state, [t(v.key), ...lines.flatMap((l) => [el("br"), l])]);
}

function renderSignature(sig, i, report) {
  const last = i === report.signatures.length - 1;
  const english = (text) => el("span", { lang: "en" }, text);
  const coverage = coverageOf(sig, last, report.size);
  const ts = sig.timestamp;
  const tsTime = formatIso(ts?.time);
  const checks = el(
    "ul",
    { class: "checks" },
    pdfCheck("intact", sig.intact ? "pass" : "fail", t(sig.intact ? "pdf.intact.ok" : "pdf.intact.bad")),
    pdfCheck("chain", sig.chain.trusted ? "pass" : "fail", sig.chain.trusted ? t("pdf.chain.ok") : [t("pdf.chain.bad"), english(sig.chain.problem ?? "")]),
    pdfCheck("coverage", coverage.state, t(coverage.key, coverage.params)),
    pdfCheck(
      "timestamp",
      ts?.valid ? "pass" : "fail",
      !ts ? t("pdf.timestamp.none") : ts.valid && tsTime ? t("pdf.timestamp.ok", tsTime) : [t("pdf.timestamp.bad"), english(ts.problems.join("; ") || "—")],
    ),
    findingCheck("revocation", revocationOf(sig)),
    findingCheck("changes", changesOf(sig)),
  );
  const signer = sig.signer;
  const validity = signer && formatIso(signer.notBefore) && formatIso(signer.notAfter)
    ? t("pdf.certValidity", { from: formatIso(signer.notBefore).utc, to: formatIso(signer.notAfter).utc })
    : null;
  const claimed = formatIso(sig.claimedSigningTime);
  const rows = [
    [t("pdf.field.signer"), signer ? signer.subject : t("pdf.unknownSigner")],
    signer?.issuer ? [t("pdf.field.issuer"), signer.issuer] : null,
    signer?.serialHex ? [t("pdf.field.serial"), hexValue(signer.serialHex)] : null,
    signer?.fingerprintSha256 ? [t("pdf.field.fingerprint"), hexValue(signer.fingerprintSha256)] : null,
    validity ? [t("pdf.field.certValidity"), validity] : null,
    claimed ? [t("pdf.field.claimedTime"), [t("pdf.time", claimed), el("span", { class: "hint" }, t("pdf.claimedNote"))]] : null,
    sig.reason ? [t("pdf.field.reason"), sig.reason] : null,
    sig.location ? [t("pdf.field.location"), sig.location] : null,
    [t("pdf.field.byteRange"), el("code", { class: "hex" }, `[${sig.byteRange.join(" ")}]`)],
    sig.revision ? [t("pdf.field.revision"), [t("pdf.revision", { size: sig.revision.size.toLocaleString(LANGS[lang]) }), hexValue(sig.revision.sha256)]] : null,
    [t("pdf.field.subFilter"), el("code", {}, sig.subFilter)],
  ].filter(Boolean);
  const title = t("pdf.sig.title", { n: i + 1, field: sig.field });
  // Valid for the revision it signed, yet the document no longer is that revision: said in words.
  const status = !sig.valid ? "invalid" : coverage.state === "fail" ? "warn" : "valid";
  return el(
    "section",
    { class: `pdf-sig ${sig.valid ? "sig-valid" : "sig-invalid"}`, "aria-label": title, "data-valid": String(sig.valid) },
    el("h3", {}, title),
    el(
      "p",
      { class: `sig-status sig-status-${status}` },
      el("span", { class: "sig-icon", "aria-hidden": "true" }, { valid: "✓", warn: "!", invalid: "✕" }[status]),
      " ",
      t(`pdf.sig.${status}`),
    ),
    checks,
    fieldList(rows),
    sig.problems.length ? [el("h4", {}, t("pdf.problems")), el("ul", { class: "problems", lang: "en" }, sig.problems.map((p) => el("li", {}, p)))] : null,
  );
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
    const summary = failed.unreachable ? t(failed.name === "checkpoint-signature" ? "fail.noEd25519" : "fail.unreachable") : t(`fail.${failed.name}`);
    verdict.replaceChildren(banner("failed", t("local.failed", { summary, step: failed.name })));
  } else {
    verdict.dataset.verdict = s.online ? "verified" : "verified-offline";
    const a = s.bundle.anchor;
    verdict.replaceChildren(
      banner("verified", s.online ? t("local.verified", { chainId: a.chainId, ...formatTimes(a.blockTimestamp) }) : t("local.verifiedOffline")),
    );
  }
  // a version 2 bundle's log steps come after the audit path, before the chain's
  const offline = [...STEPS.slice(0, 4), ...(s.bundle?.version === 2 ? LOG_STEPS : [])];
  details.replaceChildren(checkList(s.checks, s.online ? [...offline, ...STEPS.slice(4)] : offline));
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
    if (bundle.version === 2 && checks.every((c) => c.ok)) checks.push(...(await verifyLogOffline(bundle, leafHashOf(bundle.record))));
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
  lang = savedLanguage(LANG_KEY, LANGS);
  onLanguageButtons(LANG_KEY, LANGS, (next) => {
    lang = next;
    applyLanguage();
  });
  const rpc = $("rpc-url");
  if (!rpc.value) rpc.value = new URL("rpc", document.baseURI).href;
  wireDropzone();
  $("pdf-upload").addEventListener("click", startPdfUpload);
  $("pdf-cancel").addEventListener("click", () => pdfUpload?.abort());
  $("local-form").addEventListener("submit", checkLocally);
  applyLanguage();
  // A QR code on a certificate links here with ?sha256=<digest>: look that digest up at once.
  const given = new URLSearchParams(location.search).get("sha256");
  if (given && /^(0x)?[0-9a-fA-F]{64}$/.test(given)) void lookUp(++verifyRun, null, given.toLowerCase().replace(/^(?!0x)/, "0x"));
  document.body.dataset.ready = "true";
}

init();
