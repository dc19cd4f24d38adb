// Inloggen: also where someone without administrative rights is turned away with an explanation.
import { el, field, showLoginPage, tell } from "../dom.js";
import { errorText } from "../errors.js";
import { has, t } from "../i18n.js";
import { logInAs } from "../session.js";

export function renderLogin(onLoggedIn, message) {
  const code = el("input", { autocomplete: "username", required: true });
  const password = el("input", { type: "password", autocomplete: "current-password", required: true });
  const notice = el("p", { role: "alert", id: "login-message" });
  if (message) tell(notice, message);
  const form = el("form", { onsubmit: async (event) => {
    event.preventDefault();
    const login = await logInAs(code.value, password.value);
    if (login.ok) return onLoggedIn();
    if (login.reason === "no_rights") return renderLogin(onLoggedIn, t("no_rights"));
    // Throttled, or the service unreachable, is said as such; any other refusal is the same wrong-code-or-password.
    return tell(notice, has(`err_${login.reason.error.code}`) ? errorText(login.reason) : t("login_failed"));
  } },
  el("h1", {}, t("login")), notice,
  field(t("code"), code, "login-code"), field(t("password"), password, "login-password"),
  el("div", {}, el("button", { type: "submit" }, t("login"))));
  showLoginPage(el("section", {}, form));
  code.focus();
}
