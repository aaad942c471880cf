// The ways in that need no session: the e-mailed link (#/welcome/acl_…) that sets up an invited
// account or a new password, and "forgot your password?" on the login form. The link says what it
// is for before anything is asked; once the password is set the person is signed in and taken
// where they were invited to (the workspace, a case, the signing page).
import { api, setToken } from "./ws-api.mjs";
import { el, field, formatTime, say, sayError, tx } from "./ws-dom.mjs";

const MIN_PASSWORD = 10;

/** The account link's token in the address (#/welcome/acl_…), or null. */
export function welcomeToken() {
  const m = /^#\/welcome\/(acl_[A-Za-z0-9_-]+)/.exec(location.hash);
  return m ? m[1] : null;
}

/** Where the platform's root is: landing addresses are relative to it. */
const ROOT = new URL("../", import.meta.url);

/**
 * Goes to where the link's acceptance says (relative to the platform's root). Within the
 * workspace only the fragment changes: enter() then shows the signed-in workspace there.
 */
export function goToLanding(url, enter) {
  const target = new URL(url.replace(/^\//, ""), ROOT);
  if (target.pathname === location.pathname) {
    history.replaceState(null, "", target.pathname + target.search + (target.hash && target.hash !== "#" ? target.hash : ""));
    return enter();
  }
  location.assign(target.href);
}

/** The welcome view, in root, for the link's token; enter() once signed in within the workspace. */
export async function welcomeView(root, token, { enter }) {
  const errors = el("div", { role: "alert", id: "welcome-errors" });
  const heading = el("h1", { id: "welcome-title", tabindex: "-1", "data-view-heading": "" }, tx("welcome.title"));
  const card = el("section", { class: "card ws-login ws-welcome", "aria-labelledby": "welcome-title" }, heading, errors);
  root.append(card);
  let link;
  try {
    link = await api("GET", `account-links/${encodeURIComponent(token)}`);
  } catch (e) {
    sayError(errors, e, { not_found: "welcome.notFound" });
    card.append(el("p", {}, el("a", { href: "#/", "data-action": "to-login" }, tx("welcome.toLogin"))));
    return;
  }
  const reset = link.purpose === "password-reset";
  heading.replaceChildren(tx(reset ? "welcome.resetTitle" : "welcome.accountTitle"));
  const row = (key, value) => (value ? el("div", { class: "row" }, el("dt", {}, tx(key)), el("dd", {}, value)) : null);
  const about = el(
    "dl",
    { class: "fields", id: "welcome-about" },
    row("welcome.email", link.email),
    row("welcome.role", link.role ? tx(`role.${link.role}`) : null),
    row("welcome.organization", link.organization ? [link.organization.name, " (", tx(`kind.${link.organization.kind}`), ")"] : null),
    row("welcome.expires", formatTime(link.expiresAt)),
  );
  const nameInput = el("input", { type: "text", name: "name", maxlength: "200", autocomplete: "name" });
  nameInput.value = link.name ?? "";
  const password = el("input", { type: "password", name: "password", minlength: String(MIN_PASSWORD), maxlength: "200", autocomplete: "new-password" });
  const again = el("input", { type: "password", name: "again", maxlength: "200", autocomplete: "new-password" });
  const formErrors = el("div", { role: "alert", id: "welcome-form-errors" });
  const submit = el("button", { type: "submit", class: "button primary", id: "welcome-submit" }, tx(reset ? "welcome.resetSubmit" : "welcome.accountSubmit"));
  const form = el(
    "form",
    { class: "form", id: "welcome-form", novalidate: true },
    reset ? null : field("welcome-name", "welcome.name", nameInput, { required: true, hint: "welcome.nameHint" }),
    field("welcome-password", "welcome.password", password, { required: true, hint: "welcome.passwordHint" }),
    field("welcome-again", "welcome.again", again, { required: true }),
    formErrors,
    submit,
  );
  card.append(el("p", { class: "lead" }, tx(reset ? "welcome.resetIntro" : "welcome.accountIntro", { name: link.name ?? link.email })), about, form);

  const invalid = (input, key) => {
    input.setAttribute("aria-invalid", "true");
    say(formErrors, "bad", key);
    input.focus();
  };
  form.addEventListener("input", (e) => e.target.removeAttribute?.("aria-invalid"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    formErrors.replaceChildren();
    const name = nameInput.value.trim();
    if (!reset && !name) return invalid(nameInput, "welcome.nameMissing");
    if (password.value.length < MIN_PASSWORD) return invalid(password, "welcome.tooShort");
    if (password.value !== again.value) return invalid(again, "welcome.mismatch");
    submit.disabled = true;
    let accepted;
    try {
      accepted = await api("POST", `account-links/${encodeURIComponent(token)}/accept`, { json: { password: password.value, ...(reset || name === link.name ? {} : { name }) } });
    } catch (err) {
      submit.disabled = false;
      sayError(formErrors, err);
      return;
    }
    password.value = "";
    again.value = "";
    setToken(accepted.token);
    say(formErrors, "ok", "welcome.done");
    await goToLanding(accepted.landing?.url ?? "/workspace/", enter);
  });
  (reset ? password : nameInput).focus();
}

/** "Forgot your password?" under the login form: asks an address, then says what happens next. */
export function wireForgotPassword() {
  const toggle = document.getElementById("forgot-toggle");
  const form = document.getElementById("forgot-form");
  const message = document.getElementById("forgot-message");
  toggle.addEventListener("click", () => {
    const open = form.hidden;
    form.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (open) {
      const typed = document.getElementById("login-email").value.trim();
      const box = document.getElementById("forgot-email");
      if (typed && !box.value) box.value = typed;
      box.focus();
    }
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    message.replaceChildren();
    const email = form.email.value.trim();
    if (!email || !form.email.checkValidity()) {
      form.email.setAttribute("aria-invalid", "true");
      say(message, "bad", "forgot.badEmail");
      form.email.focus();
      return;
    }
    form.email.removeAttribute("aria-invalid");
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await api("POST", "auth/password-reset", { json: { email } });
      say(message, "ok", "forgot.sent", { email });
    } catch (err) {
      sayError(message, err);
    } finally {
      button.disabled = false;
    }
  });
}
