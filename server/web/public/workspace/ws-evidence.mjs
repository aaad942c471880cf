// Pieces of a case's evidence tables and upload forms that the party's view (ws-cases.mjs) and the
// judge's view (ws-judge.mjs) share: the item's cell, the party's cell, the download buttons, and a
// form that sends its file with an upload progress bar.
import { download, upload } from "./ws-api.mjs";
import { colon, el, fileHint, formatTime, hex, sayError, tx } from "./ws-dom.mjs";

/** An evidence item: its title, file, purpose, digest, and any more lines (nodes) below them. */
export const evidenceCell = (it, ...more) =>
  el(
    "td",
    {},
    el("strong", {}, it.title ?? it.fileName ?? it.id),
    fileHint(it.fileName, it.size),
    el("div", { class: "hint" }, tx("evidence.purpose"), colon(), it.purpose),
    it.sha256 ? el("div", { class: "hint" }, "SHA-256 ", hex(it.sha256)) : null,
    more,
  );

/** When the item was submitted, as a line of evidenceCell. */
export const submittedAtLine = (it) => el("div", { class: "hint" }, tx("evidence.submittedAt"), colon(), formatTime(it.submittedAt));

/** A party of the case and its side: "name (plaintiff)". */
export const partyCell = (party) => el("td", {}, party.name, " (", tx(`party.${party.kind}`), ")");

/** Downloads the item's file; act(run, doneKey) reports the outcome. */
export const fileButton = (c, it, act) =>
  el(
    "button",
    { type: "button", class: "button small", "data-focus-key": `file:${it.id}`, onclick: () => act(() => download(`cases/${c.id}/evidence/${it.id}/content`, it.fileName ?? it.id), "evidence.downloaded") },
    tx("evidence.downloadFile"),
  );

/** Downloads the item's evidence certificate; attrs adds to or overrides the button's attributes. */
export const certificateButton = (c, it, act, attrs = {}) =>
  el(
    "button",
    {
      type: "button",
      class: "button small",
      "data-action": "certificate",
      "data-focus-key": `cert:${it.id}`,
      onclick: () => act(() => download(`cases/${c.id}/evidence/${it.id}/certificate`, `evidence-certificate-${it.id}.pdf`), "evidence.certificateDownloaded"),
      ...attrs,
    },
    tx("evidence.certificate"),
  );

/**
 * On submit, sends the form's fields (fields(): name -> value, undefined ones left out, then the
 * form's file last, so the server reads them before the file streams) to path with the progress
 * bar running and the submit button disabled; then done(result, file) (its message), the form reset
 * and after() (a refresh). A failure is said in errors.
 */
export function sendsUpload(form, { path, fields, progress, errors, done, after }) {
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    errors.replaceChildren();
    const file = form.file.files[0];
    const body = new FormData();
    for (const [name, value] of Object.entries(fields())) if (value !== undefined) body.append(name, value);
    body.append("file", file, file.name);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    progress.start();
    try {
      const result = await upload(path, body, (sent, total) => progress.update(sent, total));
      progress.done();
      done(result, file);
      form.reset();
      await after();
    } catch (err) {
      progress.fail();
      sayError(errors, err);
    } finally {
      button.disabled = false;
    }
  });
}
