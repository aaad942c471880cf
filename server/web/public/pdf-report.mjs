// The PDF signature report of the verification page, the parts without a page: is a file a PDF,
// the upload to POST /api/verify/pdf (XMLHttpRequest, for its upload progress), and how a report
// or an error reads (which verdict, which text key). The page renders them (app.mjs).

/** "%PDF-" within the first 1024 bytes: where the server looks, and where readers accept it. */
export const PDF_HEAD_BYTES = 1024;
const MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-

export function isPdfHead(bytes) {
  const end = Math.min(bytes.length, PDF_HEAD_BYTES) - MAGIC.length;
  for (let i = 0; i <= end; i++) {
    let j = 0;
    while (j < MAGIC.length && bytes[i + j] === MAGIC[j]) j++;
    if (j === MAGIC.length) return true;
  }
  return false;
}

/** A PDF by its type, its name, or its first bytes. */
export async function looksLikePdf(file) {
  if (file.type === "application/pdf" || /\.pdf$/i.test(file.name ?? "")) return true;
  try {
    return isPdfHead(new Uint8Array(await file.slice(0, PDF_HEAD_BYTES).arrayBuffer()));
  } catch {
    return false; // unreadable: the page says so through the hashing
  }
}

/**
 * Sends the file as multipart field "file". onProgress(sentBytes, totalBytes) while it uploads,
 * onSent() once every byte is sent (the server is then checking). The promise resolves to the
 * report, or rejects with { status, code, message } (status 0: no answer; code "aborted" after abort()).
 */
export function uploadPdf(url, file, { onProgress = () => {}, onSent = () => {} } = {}) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open("POST", url);
    xhr.setRequestHeader("accept", "application/json");
    xhr.upload.addEventListener("progress", (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size));
    xhr.upload.addEventListener("load", () => onSent());
    xhr.addEventListener("load", () => {
      let body = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        // not JSON (a proxy's error page)
      }
      if (xhr.status >= 200 && xhr.status < 300 && body && Array.isArray(body.signatures)) return resolve(body);
      reject({ status: xhr.status, code: body?.error?.code ?? `http_${xhr.status}`, message: body?.error?.message ?? xhr.statusText });
    });
    xhr.addEventListener("error", () => reject({ status: 0, code: "network", message: "no answer from the server" }));
    xhr.addEventListener("abort", () => reject({ status: 0, code: "aborted", message: "cancelled" }));
    const form = new FormData();
    form.append("file", file, file.name || "document.pdf");
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}

/** The text key of a failed upload: by the error body's code, else by the status. */
export function errorKey({ status, code }) {
  if (code === "network" || status === 0) return "pdf.error.network";
  if (status === 413 || code === "file_too_large" || code === "body_too_large") return "pdf.error.tooLarge";
  if (status === 429 || code === "rate_limited") return "pdf.error.rateLimited";
  const known = { not_a_pdf: "pdf.error.notPdf", pdf_encrypted: "pdf.error.encrypted", pdf_damaged: "pdf.error.damaged", empty_file: "pdf.error.empty" };
  return known[code] ?? "pdf.error.other";
}

/**
 * The report's overall verdict: "valid" (every signature valid and the last covers the whole
 * document), "invalid" (with how many fail and whether bytes follow the last), or "unsigned".
 */
export function pdfVerdict(report) {
  const count = report.signatures.length;
  if (count === 0) return { kind: "unsigned", count, failing: 0, changedAfterLast: false };
  const failing = report.signatures.filter((s) => !s.valid).length;
  const changedAfterLast = !report.lastCoversWholeDocument;
  return { kind: report.allValid ? "valid" : "invalid", count, failing, changedAfterLast };
}

/**
 * What a signature covers. The last one must cover the whole document; an earlier one covers its
 * own revision, and the bytes after it are the later revisions ("note", not a failure of its own).
 */
export function coverageOf(sig, isLast, fileSize) {
  const added = sig.revision ? Math.max(0, fileSize - sig.revision.size) : null;
  if (sig.coversWholeDocument) return { state: "pass", key: "pdf.coverage.whole", params: {} };
  // changes after it that the verdict allows (a DSS, a form fill, a later signature): named by the "changes" check
  if (sig.changedAfter && isLast && sig.changes?.allowed) return { state: "note", key: "pdf.coverage.allowedChanges", params: { added } };
  if (sig.changedAfter && !isLast) return { state: "note", key: "pdf.coverage.laterRevisions", params: { added } };
  if (sig.changedAfter) return { state: "fail", key: added === null ? "pdf.coverage.changed" : "pdf.coverage.changedBytes", params: { added } };
  return { state: "fail", key: "pdf.coverage.partial", params: {} };
}

/**
 * The revocation check of a signature, from the report's per-certificate results: "fail" when
 * one makes it invalid (revoked before its proof of existence, or unknown: never read as good),
 * "note" when a revocation is shown but the signature stands, "pass" when every one is good.
 * `lines`: { key, params } per certificate that is not simply good.
 */
export function revocationOf(sig) {
  const all = sig.revocation ?? [];
  if (!all.length) return { state: "fail", key: "pdf.revocation.notJudged", lines: [] };
  const lines = all
    .filter((v) => v.status !== "good")
    .map((v) => ({ key: `pdf.revocation.${v.code}`, params: { role: v.role, subject: v.subject, revokedAt: v.revokedAt, reason: v.reason, code: v.code } }));
  const state = all.some((v) => v.blocking) ? "fail" : lines.length ? "note" : "pass";
  return { state, key: state === "pass" ? "pdf.revocation.good" : state === "note" ? "pdf.revocation.stands" : "pdf.revocation.bad", lines };
}

/** What changed after a signature: "pass" (nothing), "note" (only allowed changes), "fail" (any other), a line per class. */
export function changesOf(sig) {
  const c = sig.changes;
  if (!c) return { state: sig.changedAfter ? "fail" : "pass", key: sig.changedAfter ? "pdf.changes.unreadable" : "pdf.changes.none", lines: [] };
  if (!c.findings.length) return { state: "pass", key: "pdf.changes.none", lines: [] };
  const lines = c.findings.map((f) => ({ key: `pdf.changes.${f.code}`, params: { allowed: f.allowed, objects: f.objects.join(", "), code: f.code } }));
  return { state: c.allowed ? "note" : "fail", key: c.allowed ? "pdf.changes.allowed" : "pdf.changes.notAllowed", lines, permission: c.docMdpPermission };
}
