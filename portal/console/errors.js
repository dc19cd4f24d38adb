// How the console explains a refusal. The services answer in the console's language (api.js sends
// Accept-Language), so their message says what is wrong in the reader's words, naming the value. What
// no service said (no answer at all, a proxy's error page) the console explains itself: by its own text
// for the code, else the shared catalogue's.
import { catalogueText, has, t } from "./i18n.js";

// Codes api.js makes itself: their message is not a service's.
const CONSOLE_CODES = /^(unreachable|http_\d+)$/;

// data is a failed answer's body, {"error": {"code", "message", "details"}} (see api.js).
export function errorText(data) {
  const { code, message, details } = data.error;
  if (message && !CONSOLE_CODES.test(code)) return message;
  if (has(`err_${code}`)) return t(`err_${code}`);
  return catalogueText(code, details ?? {}) ?? (message || t("error"));
}
