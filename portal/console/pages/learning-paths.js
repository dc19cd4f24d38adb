// Leerpaden (#/learning-paths): code, name, element codes (also for lwoo), the years of education,
// educations and profiles a path is for; added, changed and deleted. An enrollment gets the one path
// that fits it when it is read, so a change here shows at once in the enrollments and placements.
import { api } from "../api.js";
import { columnHeads, el, pageAt, scrollable, tell } from "../dom.js";
import { errorText } from "../errors.js";
import { t, tf } from "../i18n.js";
import {
  cardsOnPhone, confirmedDelete, formFields, listOf, mayWrite, openBeneath, readOnlyNote, rowActions, saveCancel, showRefusal,
  yearBoxes,
} from "../upkeep.js";

const COLUMNS = 8;

export async function renderLearningPaths() {
  const show = pageAt();
  const { ok, data } = await api("GET", "/learning-paths?limit=1000");
  const title = el("h1", {}, t("enr_learning_paths"));
  if (!ok) return show(title, el("p", { class: "notice" }, errorText(data)));
  const message = el("p", { role: "status", id: "learning-paths-message" });
  const table = data.items.length ? scrollable(cardsOnPhone(el("table", { id: "learning-paths-table" },
    columnHeads([t("enr_code"), t("enr_name"), t("enr_element_code"), t("enr_lwoo_element_code"), t("enr_years"),
      t("enr_educations"), t("enr_profiles"), t("enr_actions")]),
    el("tbody", {}, data.items.map(pathRow))))) : el("p", {}, t("enr_no_learning_paths"));
  show(title, readOnlyNote(), el("section", {}, table, message),
    mayWrite() ? el("section", {}, pathForm(null, null)) : null);
}

function pathRow(path) {
  const row = el("tr", { "data-code": path.code },
    el("td", { class: "nowrap" }, path.code), el("td", {}, path.name), el("td", {}, path.element_code),
    el("td", {}, path.lwoo_element_code ?? ""), el("td", { class: "nowrap" }, path.years_of_education.join(", ")),
    el("td", {}, path.educations.join(", ") || el("span", { class: "muted" }, t("enr_none"))),
    el("td", {}, path.profiles.join(", ") || el("span", { class: "muted" }, t("enr_none"))),
    el("td", {}, rowActions(() => openBeneath(row, pathForm(path, () => row.nextElementSibling?.remove()), COLUMNS),
      confirmedDelete(tf("enr_confirm_learning_path", { code: path.code }),
        () => api("DELETE", `/learning-paths/${encodeURIComponent(path.code)}`),
        () => renderLearningPaths().then(() => tell(document.getElementById("learning-paths-message"),
          tf("enr_deleted", { code: path.code }), "ok"))))));
  return row;
}

// The form that adds a path (path null) or changes one (its code stays).
function pathForm(path, close) {
  const prefix = path ? "edit-path" : "new-path";
  const inputs = {
    code: el("input", { required: true, maxlength: 32, value: path?.code, disabled: Boolean(path) }),
    name: el("input", { required: true, maxlength: 200, value: path?.name }),
    element_code: el("input", { required: true, maxlength: 64, value: path?.element_code }),
    lwoo_element_code: el("input", { maxlength: 64, value: path?.lwoo_element_code ?? "" }),
    educations: el("input", { value: path?.educations.join(", ") ?? "", placeholder: "havo, vwo" }),
    profiles: el("input", { value: path?.profiles.join(", ") ?? "", placeholder: "NT, NG" }),
  };
  const years = yearBoxes(prefix, path?.years_of_education ?? []);
  const message = el("p", { role: "alert", id: `${prefix}-result` });
  const form = el("form", { id: prefix, class: path ? "enr-edit-form" : null, onsubmit: async (event) => {
    event.preventDefault();
    const chosen = years.chosen();
    if (!chosen.length) return tell(years.querySelector(".field-error"), t("enr_pick_year"), "field-error");
    const body = { name: inputs.name.value, element_code: inputs.element_code.value,
      lwoo_element_code: inputs.lwoo_element_code.value || null, years_of_education: chosen,
      educations: listOf(inputs.educations.value), profiles: listOf(inputs.profiles.value) };
    if (!path) body.code = inputs.code.value;
    const { ok, data } = path
      ? await api("PATCH", `/learning-paths/${encodeURIComponent(path.code)}`, body)
      : await api("POST", "/learning-paths", body);
    if (!ok) return showRefusal(form, prefix, data, message);
    await renderLearningPaths();
    tell(document.getElementById("learning-paths-message"),
      path ? t("enr_saved") : tf("enr_added", { code: data.code }), "ok");
  } }, el("h2", {}, path ? tf("enr_edit_of", { code: path.code }) : t("enr_add_learning_path")),
  el("div", { class: "row" }, formFields(prefix, [
    ["code", t("enr_code"), inputs.code], ["name", t("enr_name"), inputs.name],
    ["element_code", t("enr_element_code"), inputs.element_code],
    ["lwoo_element_code", t("enr_lwoo_element_code"), inputs.lwoo_element_code],
    ["educations", t("enr_educations"), inputs.educations, t("enr_list_hint")],
    ["profiles", t("enr_profiles"), inputs.profiles, t("enr_list_hint")]])),
  years,
  path ? saveCancel(close) : el("div", { class: "enr-buttons" }, el("button", { type: "submit" }, t("add"))), message);
  return form;
}
