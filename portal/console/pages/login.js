// Inloggen: also where someone without administrative rights is turned away with an explanation.
import { api, endSession, startSession } from "../api.js";
import { el, field, showPage, tell } from "../dom.js";
import { errorText } from "../errors.js";
import { t } from "../i18n.js";

// Any one of these opens the console; each page then shows what the service lets this user see.
const ADMIN_RIGHTS = ["users:read", "imports:read", "enrollments:read"];

export function renderLogin(onLoggedIn, message) {
  const code = el("input", { autocomplete: "username", required: true });
  const password = el("input", { type: "password", autocomplete: "current-password", required: true });
  const notice = el("p", { role: "alert", id: "login-message" });
  if (message) tell(notice, message);
  const form = el("form", { onsubmit: async (event) => {
    event.preventDefault();
    const login = await api("POST", "/auth/token", { code: code.value, password: password.value });
    if (!login.ok) return tell(notice, t("login_failed"));
    startSession(login.data.access_token);
    const { ok, data } = await api("GET", `/users/${encodeURIComponent(code.value)}/rights`);
    if (!ok || !ADMIN_RIGHTS.some((right) => data.rights.includes(right))) {
      endSession();
      return renderLogin(onLoggedIn, ok ? t("no_rights") : errorText(data));
    }
    onLoggedIn();
  } },
  el("h1", {}, t("login")), notice,
  field(t("code"), code, "login-code"), field(t("password"), password, "login-password"),
  el("div", {}, el("button", { type: "submit" }, t("login"))));
  showPage(el("section", {}, form));
  code.focus();
}
