// Roosterprojecten (#/schedule-projects): the list, adding one, changing a name or school year,
// deleting one (refused while it has enrollments). Per project (#/schedule-projects/<code>) its
// afdelingen: code, name and year of education, added, changed and deleted the same way.
import { api } from "../api.js";
import { columnHeads, el, pageAt, scrollable, select, tell } from "../dom.js";
import { errorText } from "../errors.js";
import { t, tf } from "../i18n.js";
import {
  cardsOnPhone, confirmedDelete, formFields, mayWrite, openBeneath, projectPath, readOnlyNote, rowActions, saveCancel, showRefusal,
} from "../upkeep.js";

const YEARS = Array.from({ length: 12 }, (_, index) => [String(index + 1), String(index + 1)]);

export async function renderScheduleProjects(code) {
  if (code) return renderProject(code);
  const show = pageAt();
  const { ok, data } = await api("GET", "/schedule-projects?limit=1000");
  const title = el("h1", {}, t("enr_schedule_projects"));
  if (!ok) return show(title, el("p", { class: "notice" }, errorText(data)));
  const message = el("p", { role: "status", id: "projects-message" });
  const table = data.items.length ? scrollable(cardsOnPhone(el("table", { id: "projects-table" },
    columnHeads([t("enr_code"), t("enr_name"), t("enr_school_year"), t("enr_actions")]),
    el("tbody", {}, data.items.map((project) => projectRow(project, message)))))) : el("p", {}, t("enr_no_projects"));
  show(title, readOnlyNote(), el("section", {}, table, message), mayWrite() ? addProjectSection() : null);
}

function projectRow(project, message) {
  const row = el("tr", { "data-code": project.code },
    el("td", { class: "nowrap" }, project.code), el("td", {}, project.name), el("td", { class: "nowrap" }, project.school_year),
    el("td", {}, el("div", { class: "enr-links" },
      el("a", { href: `#/schedule-projects/${encodeURIComponent(project.code)}` }, t("enr_open_departments")),
      el("a", { href: `#/enrollments/${encodeURIComponent(project.code)}` }, t("enr_open_enrollments"))),
    rowActions(() => openBeneath(row, editProjectForm(project, () => row.nextElementSibling?.remove()), 4),
      confirmedDelete(tf("enr_confirm_project", { code: project.code }),
        () => api("DELETE", projectPath(project.code)),
        () => renderScheduleProjects().then(() => tell(document.getElementById("projects-message"),
          tf("enr_deleted", { code: project.code }), "ok"))))));
  return row;
}

function editProjectForm(project, close) {
  const prefix = "edit-project";
  const inputs = { name: el("input", { required: true, maxlength: 200, value: project.name }),
    school_year: el("input", { required: true, value: project.school_year, pattern: "\\d{4}-\\d{4}" }) };
  const message = el("p", { role: "alert" });
  const form = el("form", { class: "enr-edit-form", id: prefix, onsubmit: async (event) => {
    event.preventDefault();
    const body = { name: inputs.name.value, school_year: inputs.school_year.value };
    const { ok, data } = await api("PATCH", projectPath(project.code), body);
    if (!ok) return showRefusal(form, prefix, data, message);
    await renderScheduleProjects();
    tell(document.getElementById("projects-message"), t("enr_saved"), "ok");
  } }, el("h2", {}, tf("enr_edit_of", { code: project.code })),
  el("div", { class: "row" }, formFields(prefix, [["name", t("enr_name"), inputs.name],
    ["school_year", t("enr_school_year"), inputs.school_year, t("enr_school_year_hint")]])),
  saveCancel(close), message);
  return form;
}

function addProjectSection() {
  const prefix = "new-project";
  const inputs = { code: el("input", { required: true, maxlength: 32 }), name: el("input", { required: true, maxlength: 200 }),
    school_year: el("input", { required: true, placeholder: "2026-2027" }) };
  const message = el("p", { role: "alert", id: "add-project-result" });
  const form = el("form", { id: "add-project", onsubmit: async (event) => {
    event.preventDefault();
    const body = Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input.value]));
    const { ok, data } = await api("POST", "/schedule-projects", body);
    if (!ok) return showRefusal(form, prefix, data, message);
    await renderScheduleProjects();
    tell(document.getElementById("projects-message"), tf("enr_added", { code: data.code }), "ok");
  } }, el("h2", {}, t("enr_add_project")),
  el("div", { class: "row" }, formFields(prefix, [["code", t("enr_code"), inputs.code], ["name", t("enr_name"), inputs.name],
    ["school_year", t("enr_school_year"), inputs.school_year, t("enr_school_year_hint")]]),
  el("div", { class: "button-cell" }, el("button", { type: "submit" }, t("add")))), message);
  return el("section", {}, form);
}

// One project: its departments.
async function renderProject(code) {
  const show = pageAt();
  const [project, departments] = await Promise.all([
    api("GET", "/schedule-projects?limit=1000"), api("GET", projectPath(code, "/departments?limit=1000"))]);
  const back = el("p", {}, el("a", { href: "#/schedule-projects" }, `← ${t("enr_back_to_projects")}`));
  const found = project.ok ? project.data.items.find((item) => item.code === code) : null;
  const title = el("h1", {}, tf("enr_project_heading", { code }), found ? el("small", { class: "enr-subtitle" },
    `${found.name} · ${found.school_year}`) : null);
  if (!departments.ok) return show(back, title, el("p", { class: "notice" }, errorText(departments.data)));
  const message = el("p", { role: "status", id: "departments-message" });
  const items = departments.data.items;
  const table = items.length ? scrollable(cardsOnPhone(el("table", { id: "departments-table" },
    columnHeads([t("enr_code"), t("enr_name"), t("enr_year_of_education"), t("enr_actions")]),
    el("tbody", {}, items.map((department) => departmentRow(code, department)))))) : el("p", {}, t("enr_no_departments"));
  show(back, title, readOnlyNote(),
    el("section", {}, el("h2", {}, t("enr_departments")), table, message,
      el("p", {}, el("a", { href: `#/enrollments/${encodeURIComponent(code)}` }, `${t("enr_open_enrollments")} →`))),
    mayWrite() ? addDepartmentSection(code) : null);
}

function departmentRow(project, department) {
  const row = el("tr", { "data-code": department.code },
    el("td", { class: "nowrap" }, department.code), el("td", {}, department.name), el("td", {}, String(department.year_of_education)),
    el("td", {}, rowActions(() => openBeneath(row, editDepartmentForm(project, department,
      () => row.nextElementSibling?.remove()), 4),
    confirmedDelete(tf("enr_confirm_department", { code: department.code }),
      () => api("DELETE", projectPath(project, `/departments/${encodeURIComponent(department.code)}`)),
      () => renderProject(project).then(() => tell(document.getElementById("departments-message"),
        tf("enr_deleted", { code: department.code }), "ok"))))));
  return row;
}

function editDepartmentForm(project, department, close) {
  const prefix = "edit-department";
  const inputs = { name: el("input", { required: true, maxlength: 200, value: department.name }),
    year_of_education: select(YEARS, String(department.year_of_education)) };
  const message = el("p", { role: "alert" });
  const form = el("form", { class: "enr-edit-form", id: prefix, onsubmit: async (event) => {
    event.preventDefault();
    const body = { name: inputs.name.value, year_of_education: Number(inputs.year_of_education.value) };
    const { ok, data } = await api("PATCH", projectPath(project, `/departments/${encodeURIComponent(department.code)}`), body);
    if (!ok) return showRefusal(form, prefix, data, message);
    await renderProject(project);
    tell(document.getElementById("departments-message"), t("enr_saved"), "ok");
  } }, el("h2", {}, tf("enr_edit_of", { code: department.code })),
  // Only the name and year change here; a typo in the code is fixed by deleting and adding again.
  el("p", { class: "enr-hint", id: `${prefix}-code-hint` }, t("wj_code_fixed")),
  el("div", { class: "row" }, formFields(prefix, [["name", t("enr_name"), inputs.name],
    ["year_of_education", t("enr_year_of_education"), inputs.year_of_education]])),
  saveCancel(close), message);
  return form;
}

function addDepartmentSection(project) {
  const prefix = "new-department";
  const inputs = { code: el("input", { required: true, maxlength: 32 }), name: el("input", { required: true, maxlength: 200 }),
    year_of_education: select(YEARS, "1") };
  const message = el("p", { role: "alert", id: "add-department-result" });
  const form = el("form", { id: "add-department", onsubmit: async (event) => {
    event.preventDefault();
    const body = { code: inputs.code.value, name: inputs.name.value,
      year_of_education: Number(inputs.year_of_education.value) };
    const { ok, data } = await api("POST", projectPath(project, "/departments"), body);
    if (!ok) return showRefusal(form, prefix, data, message);
    await renderProject(project);
    tell(document.getElementById("departments-message"), tf("enr_added", { code: data.code }), "ok");
  } }, el("h2", {}, t("enr_add_department")),
  el("div", { class: "row" }, formFields(prefix, [["code", t("enr_code"), inputs.code], ["name", t("enr_name"), inputs.name],
    ["year_of_education", t("enr_year_of_education"), inputs.year_of_education]]),
  el("div", { class: "button-cell" }, el("button", { type: "submit" }, t("add")))), message);
  return el("section", {}, form);
}
