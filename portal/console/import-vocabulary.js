// What both import pages say about an import: the actions on a row, in the order the console lists
// them, each with its icon (and its colour: .action-<name> in style.css), and the modes of a users import.
import { el } from "./dom.js";
import { t } from "./i18n.js";

export const ACTIONS = ["create", "update", "unchanged", "skip", "error"];
const ICONS = { create: "✚", update: "✎", unchanged: "=", skip: "⤼", error: "✖" };

export function actionLabel(action) {
  return el("span", { class: `action action-${action}` }, `${ICONS[action]} ${t(action)}`);
}

export function modeOptions() {
  return [["import", t("mode_import")], ["update", t("mode_update")], ["synchronize", t("mode_synchronize")]];
}
