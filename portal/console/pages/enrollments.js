// Afdelingsdeelnames (#/enrollments or #/enrollments/<project>): per schedule project the enrollments
// (filtered by department) with each student's name and a marker for archived and former students;
// adding one by hand, changing one (department, prognosis, profile, education, main group), deleting
// one after a confirmation; and the placements: placed, without a learning path, left out (archived
// or no longer a student), as a table, a JSON file and the Somtoday CSV.
import { api } from "../api.js";
import { columnHeads, el, pageAt, saveFile, scrollable, select, tell } from "../dom.js";
import { downloadButton } from "../downloads.js";
import { errorText } from "../errors.js";
import { formatNumber, t, tf } from "../i18n.js";
import { scheduleProjectOptions } from "../schedule-projects.js";
import {
  allItems, cardsOnPhone, confirmedDelete, formFields, mayWrite, numberInput, openBeneath, projectPath,
  readOnlyNote, rowActions, saveCancel, showRefusal,
} from "../upkeep.js";

// Kept between visits, so coming back shows the same project and department.
const enrollmentView = { project: null, department: "" };
const COLUMNS = 8;

export async function renderEnrollments(chosen) {
  const show = pageAt();
  const title = el("h1", {}, t("enrollments"));
  const manage = el("p", {}, el("a", { href: "#/schedule-projects" }, t("enr_manage_projects")), " · ",
    el("a", { href: "#/learning-paths" }, t("enr_learning_paths")));
  const projects = await scheduleProjectOptions();
  if (!projects.ok) return show(title, el("p", { class: "notice" }, errorText(projects.data)));
  if (!projects.data.length) return show(title, el("p", {}, t("no_projects")), manage);
  if (chosen && chosen !== enrollmentView.project) Object.assign(enrollmentView, { project: chosen, department: "" });
  if (!projects.data.some(([code]) => code === enrollmentView.project)) enrollmentView.project = projects.data[0][0];
  const project = enrollmentView.project;
  const departments = await allItems(projectPath(project, "/departments"));
  const departmentItems = departments.ok ? departments.data.items : [];
  const projectSelect = select(projects.data, project, { id: "enrollment-project", onchange: (event) => {
    Object.assign(enrollmentView, { project: event.target.value, department: "" });
    const hash = `#/enrollments/${encodeURIComponent(event.target.value)}`;
    if (location.hash === hash) renderEnrollments(event.target.value);
    else location.hash = hash;
  } });
  const departmentSelect = select([["", t("all_departments")], ...departmentItems.map((item) => [item.code, departmentText(item)])],
    enrollmentView.department, { id: "enrollment-department", onchange: (event) => {
      enrollmentView.department = event.target.value;
      renderEnrollments(project);
    } });
  const listed = await allItems(projectPath(project, `/enrollments${listQuery()}`));
  const names = new Map(listed.ok ? listed.data.items.map((item) => [item.student, item.student_name]) : []);
  show(title, manage, readOnlyNote(),
    el("section", {}, el("div", { class: "row" },
      el("label", { for: "enrollment-project" }, t("schedule_project"), projectSelect),
      el("label", { for: "enrollment-department" }, t("department"), departmentSelect)),
    departments.ok ? null : el("p", { class: "notice" }, errorText(departments.data)),
    enrollmentsTable(project, listed, departmentItems),
    el("p", { role: "status", id: "enrollments-message" })),
    mayWrite() ? addEnrollmentSection(project, departmentItems) : null,
    await placementsSection(project, names));
}

function listQuery() {
  return enrollmentView.department ? `?${new URLSearchParams({ department: enrollmentView.department })}` : "";
}

function departmentText(department) {
  return department.name === department.code ? department.code : `${department.code} – ${department.name}`;
}

// The student's number, name and, for an archived or former student, a marker that says so.
function studentCell(item) {
  const inactive = item.student_status !== "active";
  return el("td", { class: "enr-student" },
    el("span", { class: "enr-number" }, item.student), " ",
    item.student_name ? el("span", { class: "enr-name" }, item.student_name)
      : el("span", { class: "muted" }, t("enr_name_unknown")),
    inactive ? el("span", { class: `enr-badge enr-badge-${item.student_status}`, title: t(`enr_status_hint_${item.student_status}`) },
      t(`enr_status_${item.student_status}`)) : null);
}

function enrollmentsTable(project, listed, departments) {
  if (!listed.ok) return el("p", { class: "notice" }, errorText(listed.data));
  if (!listed.data.items.length) return el("p", { id: "enrollments-table" }, t("enr_no_enrollments"));
  return scrollable(cardsOnPhone(el("table", { id: "enrollments-table" },
    columnHeads([t("enr_student"), t("department"), t("prognosis"), t("profile"), t("education"), t("main_group"),
      t("learning_path"), mayWrite() ? t("enr_actions") : ""]),
    el("tbody", {}, listed.data.items.map((item) => enrollmentRow(project, item, departments))))));
}

function enrollmentRow(project, item, departments) {
  const row = el("tr", { "data-student": item.student, "data-status": item.student_status,
    class: item.student_status === "active" ? null : "enr-inactive" },
  studentCell(item), el("td", {}, item.department), el("td", { class: "enr-number-cell" }, formatNumber(item.prognosis)),
  el("td", {}, item.profile ?? ""), el("td", {}, item.education ?? ""), el("td", {}, item.main_group ?? ""),
  el("td", {}, item.learning_path ?? el("span", { class: "muted" }, t("enr_none"))),
  el("td", {}, rowActions(() => openBeneath(row, editForm(project, item, departments, () => row.nextElementSibling?.remove()), COLUMNS),
    confirmedDelete(tf("enr_confirm_enrollment", { student: item.student_name ? `${item.student} ${item.student_name}` : item.student }),
      () => api("DELETE", projectPath(project, `/enrollments/${item.id}`)),
      () => renderEnrollments(project).then(() => tell(document.getElementById("enrollments-message"),
        tf("enr_deleted", { code: item.student }), "ok"))))));
  return row;
}

function detailInputs(item, departments) {
  return {
    department: select(departments.map((department) => [department.code, departmentText(department)]), item?.department ?? null),
    prognosis: el("input", { inputmode: "decimal", value: numberInput(item?.prognosis), size: 8 }),
    profile: el("input", { value: item?.profile ?? "", size: 10 }),
    education: el("input", { value: item?.education ?? "", size: 10 }),
    main_group: el("input", { value: item?.main_group ?? "", size: 10 }),
  };
}

function detailFields(prefix, inputs) {
  return formFields(prefix, [["department", t("department"), inputs.department],
    ["prognosis", t("prognosis"), inputs.prognosis, t("enr_prognosis_hint")], ["profile", t("profile"), inputs.profile],
    ["education", t("education"), inputs.education], ["main_group", t("main_group"), inputs.main_group]]);
}

function detailBody(inputs) {
  return Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input.value.trim() || null]));
}

function editForm(project, item, departments, close) {
  const prefix = "edit-enrollment";
  const inputs = detailInputs(item, departments);
  const message = el("p", { role: "alert" });
  const form = el("form", { class: "enr-edit-form", id: prefix, onsubmit: async (event) => {
    event.preventDefault();
    const { ok, data } = await api("PATCH", projectPath(project, `/enrollments/${item.id}`), detailBody(inputs));
    if (!ok) return showRefusal(form, prefix, data, message);
    await renderEnrollments(project);
    tell(document.getElementById("enrollments-message"), t("enr_saved"), "ok");
  } }, el("h2", {}, tf("enr_edit_of", { code: item.student_name ? `${item.student} ${item.student_name}` : item.student })),
  el("div", { class: "row" }, detailFields(prefix, inputs)), saveCancel(close), message);
  return form;
}

function addEnrollmentSection(project, departments) {
  if (!departments.length) {
    return el("section", {}, el("h2", {}, t("add_enrollment")), el("p", {}, t("enr_need_department"), " ",
      el("a", { href: `#/schedule-projects/${encodeURIComponent(project)}` }, t("enr_add_department"))));
  }
  const prefix = "enroll";
  const student = el("input", { required: true, inputmode: "numeric", maxlength: 32, size: 10 });
  const inputs = detailInputs(null, departments);
  const message = el("p", { role: "alert", id: "add-enrollment-result" });
  const form = el("form", { id: "add-enrollment", onsubmit: async (event) => {
    event.preventDefault();
    const body = { student: student.value.trim(), ...detailBody(inputs) };
    const { ok, data } = await api("POST", projectPath(project, "/enrollments"), body);
    if (!ok) return showRefusal(form, prefix, data, message);
    await renderEnrollments(project);
    tell(document.getElementById("enrollments-message"), tf("enr_added", { code: data.student }), "ok");
  } }, el("h2", {}, t("add_enrollment")),
  el("div", { class: "row" }, formFields(prefix, [["student", t("student"), student]]), detailFields(prefix, inputs),
    el("div", { class: "button-cell" }, el("button", { type: "submit" }, t("add")))), message);
  return el("section", {}, form);
}

async function placementsSection(project, names) {
  const { ok, data } = await api("GET", projectPath(project, "/placements"));
  const heading = el("h2", {}, t("placements"));
  if (!ok) return el("section", { id: "placements" }, heading, el("p", { class: "notice" }, errorText(data)));
  const who = (code) => [code, names.get(code) ? ` ${names.get(code)}` : ""].join("");
  const list = (id, title, items, heads, cells) => [
    el("h3", {}, `${title} (${formatNumber(items.length)})`),
    items.length ? scrollable(cardsOnPhone(el("table", { id }, columnHeads(heads),
      el("tbody", {}, items.map((item) => el("tr", { "data-student": item.student }, cells(item).map((cell) => el("td", {}, cell))))))))
      : null];
  const json = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
  return el("section", { id: "placements" }, heading,
    el("div", { class: "enr-buttons" },
      downloadButton(t("download_placements"), projectPath(project, "/placements?format=csv"), `plaatsingen-${project}.csv`),
      el("button", { type: "button", class: "secondary", id: "placements-json",
        onclick: () => saveFile(json, `plaatsingen-${project}.json`) }, t("enr_download_json"))),
    list("placed-table", t("enr_placed"), data.placements,
      [t("enr_student"), t("department"), t("main_group"), t("learning_path"), t("enr_element_code")],
      (item) => [who(item.student), item.department, item.main_group ?? "", item.learning_path, item.element_code]),
    list("without-learning-path-table", t("without_learning_path"), data.without_learning_path,
      [t("enr_student"), t("department"), t("reason")], (item) => [who(item.student), item.department, t(item.reason)]),
    list("excluded-table", t("enr_excluded"), data.excluded ?? [],
      [t("enr_student"), t("department"), t("reason")],
      (item) => [who(item.student), item.department, t(`enr_status_${item.reason}`)]));
}
