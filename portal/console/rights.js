// Every right a school function can hold (the contract's list), with its name in the console's words.
import { errorText } from "./errors.js";
import { t } from "./i18n.js";

export const RIGHTS = ["users:read", "users:write", "school_functions:write", "imports:read", "imports:write",
  "enrollments:read", "enrollments:write", "audit:read"];

export function rightName(right) {
  const key = `sf_right_${right}`;
  const name = t(key);
  return name === key ? right : name;
}

// Numbers as the console's language writes them: 62,5 in Dutch, 62.5 in English.
export function formatNumber(value, language) {
  return new Intl.NumberFormat(language === "nl" ? "nl-NL" : "en-GB", { maximumFractionDigits: 2 }).format(value);
}

// A refusal in words; for insufficient_rights also the rights the service says are missing, unless its
// message names them already (the services name them in words, as the rights grid does).
export function refusalText(data) {
  const missing = data.error.details?.missing;
  const text = errorText(data);
  if (!Array.isArray(missing) || !missing.length) return text;
  if (text.includes(missing[0]) || text.includes(rightName(missing[0]))) return text;
  return `${text} (${t("usr_function_needs")}: ${missing.map(rightName).join(", ")})`;
}
