// How the console explains a refusal: the contract's stable error codes in the console's own words,
// any other code with the service's message.
import { has, t } from "./i18n.js";

// data is a failed answer's body, {"error": {"code", "message", "details"}} (see api.js).
export function errorText(data) {
  const { code, message } = data.error;
  if (has(`err_${code}`)) return t(`err_${code}`);
  return message || t("error");
}
