// Every right a school function can hold (the contract's list), with its name in the console's words.
import { errorText } from "./errors.js";
import { t, tf } from "./i18n.js";

export const RIGHTS = ["users:read", "users:write", "school_functions:write", "imports:read", "imports:write",
  "enrollments:read", "enrollments:write", "audit:read"];

export function rightName(right) {
  const key = `sf_right_${right}`;
  const name = t(key);
  return name === key ? right : name;
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

// ---- gating: what a control or page says when the user's rights do not allow it ----

// A right as the console names it, with its code for the administrator who sets it: ‘Gebruikers
// wijzigen’ (users:write).
export function rightWords(right) {
  return `‘${rightName(right)}’ (${right})`;
}

// "This needs the right ‘…’ (…)." for one or more rights the user lacks.
export function needsText(missing) {
  const words = missing.map(rightWords);
  const listed = words.length > 1 ? `${words.slice(0, -1).join(", ")} ${t("rt_and")} ${words.at(-1)}` : words[0];
  return tf(missing.length > 1 ? "rt_needs_rights" : "rt_needs_right", { rights: listed });
}

// Closes controls the user's rights do not allow: each disabled, with the reason as its title (which
// a screen reader reads as its description) and the missing rights in data-missing-rights (the
// browser tests check every gated control against them). A control inside a container is reached
// too, so a whole form or section can be closed at once. Nothing happens when nothing is missing.
export function gate(missing, reason, ...nodes) {
  if (!missing.length) return;
  const text = reason || needsText(missing);
  for (const node of nodes.filter(Boolean)) {
    const controls = node.matches("button, input, select, textarea") ? [node] : node.querySelectorAll("button, input, select, textarea");
    // A read-only field (a user's code) changes nothing, and keeps its own explanation.
    for (const control of [...controls].filter((candidate) => !candidate.readOnly)) {
      control.disabled = true;
      control.title = text;
      control.dataset.missingRights = missing.join(" ");
    }
  }
}
