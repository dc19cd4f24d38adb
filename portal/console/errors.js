// How the console explains a refusal. The services answer in the console's language (api.js sends
// Accept-Language), so their message says what is wrong in the reader's words, naming the value. What
// no service said (no answer at all, a proxy's error page) the console explains itself: by its own text
// for the code, else the shared catalogue's.
import { catalogueText, has, t, tf } from "./i18n.js";

// Codes api.js makes itself: their message is not a service's.
const CONSOLE_CODES = /^(unreachable|http_\d+)$/;

// data is a failed answer's body, {"error": {"code", "message", "details"}} (see api.js).
export function errorText(data) {
  const { code, message, details } = data.error;
  if (message && !CONSOLE_CODES.test(code)) return message;
  const status = /^http_(\d+)$/.exec(code)?.[1];
  if (status) return statusText(status);
  const [textCode, params] = worded(code, details ?? {});
  if (textCode === code && has(`err_${code}`)) return t(`err_${code}`);
  return catalogueText(textCode, params) ?? (message || t("error"));
}

// No service's answer but a proxy's error page: a gateway that could not reach the service (502, 503,
// 504), or some other failure, told by its status.
function statusText(status) {
  const key = ["502", "503", "504"].includes(status) ? "err_http_gateway" : "err_http_status";
  return tf(key, { status });
}

// As the services word it (shared/http.py): a refusal for missing rights names them as the rights
// grid does ("het recht ‘Logboek bekijken’"), by the catalogue's right_* names, not by their codes.
function worded(code, details) {
  const missing = details.missing;
  if (code !== "insufficient_rights" || !Array.isArray(missing) || !missing.length) return [code, details];
  const names = missing.map((right) => catalogueText(`right_${right}`) ?? right);
  const named = names.length === 1 ? catalogueText("rights_named_one", { name: names[0] })
    : catalogueText("rights_named_many", { names: names.map((name) => `‘${name}’`).join(", ") });
  return ["insufficient_rights_named", { ...details, missing_named: named }];
}
