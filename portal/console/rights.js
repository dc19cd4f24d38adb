// Every right a school function can hold (the contract's list), with its name in the console's words.
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
