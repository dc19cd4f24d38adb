// What both import pages say about an import: the actions on a row, in the order the console lists
// them, each with its icon (and its colour: .action-<name> in style.css), the modes and login methods
// of a users import, numbers in the reader's notation, and what the user's rights let them do.
import { el } from "./dom.js";
import { formatNumber, t } from "./i18n.js";
import { needsText } from "./rights.js";
import { can } from "./session.js";

// `archive` only appears in jobs whose counts have it (a synchronize that archives leavers).
export const ACTIONS = ["create", "update", "unchanged", "skip", "error", "archive"];
const ICONS = { create: "✚", update: "✎", unchanged: "=", skip: "⤼", error: "✖", archive: "⌫" };
const ACTION_TEXTS = { archive: "imp_archive" };

export function actionText(action) {
  return t(ACTION_TEXTS[action] ?? action);
}

export function actionLabel(action) {
  return el("span", { class: `action action-${action}` }, `${ICONS[action] ?? ""} ${actionText(action)}`.trim());
}

// An enrollments import only creates, skips or refuses a row; only a users import that archives
// leavers archives.
const KIND_ACTIONS = { enrollments: ["create", "skip", "error"] };

// The actions a job can take, in the console's order: those its counts name (older jobs have no
// `archive` key), without the ones its kind and settings never take unless they happened.
export function actionsOf(job) {
  const counts = job.counts ?? {};
  const possible = (KIND_ACTIONS[job.kind] ?? ACTIONS).filter((action) => action !== "archive" || job.settings?.archive_missing);
  return ACTIONS.filter((action) => action in counts && (possible.includes(action) || counts[action] > 0));
}

export function modeOptions() {
  return [["import", t("mode_import")], ["update", t("mode_update")], ["synchronize", t("mode_synchronize")]];
}

export function loginMethodOptions() {
  return [["password", t("login_method_password")], ["sso", t("login_method_sso")], ["none", t("login_method_none")]];
}

// A value from a file or a change (old → new) as the reader writes it: a number in their notation.
export function formatValue(value) {
  if (value === null || value === undefined || value === "") return "∅";
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "boolean") return value ? t("yes") : t("imp_no");
  if (typeof value === "string" && /^\d+\.\d+$/.test(value)) return formatNumber(Number(value));
  return String(value);
}

// A table row whose cells carry their column's head (data-label), so that on a phone's width the row
// shows as a card of labelled lines (style.css). cells are [attributes, content] pairs.
export function labelledRow(attributes, heads, cells) {
  return el("tr", attributes, cells.map(([cellAttributes, content], index) =>
    el("td", { ...cellAttributes, "data-label": heads[index] }, content)));
}

// The rights an import of this kind needs besides reading (contract: imports:write and users:write
// or enrollments:write); the ones the logged-in user lacks, empty when they may.
export function missingRightsFor(kind) {
  const needed = ["imports:write", kind === "enrollments" ? "enrollments:write" : "users:write"];
  return needed.filter((right) => !can(right));
}

// The missing rights in words, each with its code: "Hiervoor is het recht ‘Importeren’ (imports:write) nodig."
export function rightsReason(missing) {
  return needsText(missing);
}

// What a job did, or plans to do: a ready (or queued) job's counts are only a preview, marked
// "gepland"; a job that never ran shows none.
export function countsPhase(job) {
  if (job.status === "ready" || job.status === "queued") return "planned";
  if (job.status === "running" || job.status === "completed") return "done";
  if (job.status === "cancelled" && job.started_at) return "done";
  return "none";
}

// The leavers checkbox with its threshold and what it does; `prefix` names the ids (import-, job-).
export function leaversFields(checkbox, percent, prefix) {
  const percentLabel = el("label", { for: percent.id }, t("imp_max_archive_percent"), percent);
  const showPercent = () => { percentLabel.hidden = !checkbox.checked; };
  checkbox.addEventListener("change", showPercent);
  showPercent();
  return el("div", { class: "imp-leavers", id: `${prefix}-leavers` },
    el("div", { class: "row" }, el("label", { class: "inline", for: checkbox.id }, checkbox, t("imp_archive_missing")),
      percentLabel),
    el("p", { class: "imp-hint" }, t("imp_archive_missing_hint")));
}
