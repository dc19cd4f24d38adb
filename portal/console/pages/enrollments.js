// Afdelingsdeelnames: per schedule project the enrollments (filtered by department), adding one by
// hand, deleting one, and the placements: the Somtoday CSV and the students without a learning path.
import { api } from "../api.js";
import { columnHeads, el, field, scrollable, select, showPage, tell } from "../dom.js";
import { downloadButton } from "../downloads.js";
import { errorText } from "../errors.js";
import { t } from "../i18n.js";
import { scheduleProjectOptions } from "../schedule-projects.js";

// Kept between visits, so coming back shows the same project and department.
const enrollmentView = { project: null, department: "" };

export async function renderEnrollments() {
  const projects = await scheduleProjectOptions();
  if (!projects.ok) return showPage(el("h1", {}, t("enrollments")), el("p", { class: "notice" }, errorText(projects.data)));
  if (!projects.data.length) return showPage(el("h1", {}, t("enrollments")), el("p", {}, t("no_projects")));
  enrollmentView.project ??= projects.data[0][0];
  const project = enrollmentView.project;
  const departments = await api("GET", projectPath(project, "/departments"));
  const departmentItems = departments.ok ? departments.data.items : [];
  const projectSelect = select(projects.data, enrollmentView.project, { id: "enrollment-project", onchange: (event) => {
    Object.assign(enrollmentView, { project: event.target.value, department: "" });
    renderEnrollments();
  } });
  const departmentSelect = select([["", t("all_departments")], ...departmentItems.map((item) => [item.code, item.name])],
    enrollmentView.department, { id: "enrollment-department", onchange: (event) => {
      enrollmentView.department = event.target.value;
      renderEnrollments();
    } });
  showPage(el("h1", {}, t("enrollments")),
    el("section", {}, el("div", { class: "row" }, el("label", { for: "enrollment-project" }, t("schedule_project"), projectSelect),
      el("label", { for: "enrollment-department" }, t("department"), departmentSelect)),
    departments.ok ? null : el("p", { class: "notice" }, errorText(departments.data)), await enrollmentsTable(project)),
    addEnrollmentSection(project, departmentItems), await placementsSection(project));
}

function projectPath(project, rest) {
  return `/schedule-projects/${encodeURIComponent(project)}${rest}`;
}

async function enrollmentsTable(project) {
  const query = new URLSearchParams({ limit: "1000" });
  if (enrollmentView.department) query.set("department", enrollmentView.department);
  const { ok, data } = await api("GET", projectPath(project, `/enrollments?${query}`));
  if (!ok) return el("p", { class: "notice" }, errorText(data));
  return scrollable(el("table", { id: "enrollments-table" },
    columnHeads([t("student"), t("department"), t("prognosis"), t("profile"), t("education"), t("main_group"),
      t("learning_path"), ""]),
    el("tbody", {}, data.items.map((item) => el("tr", {},
      el("td", {}, item.student), el("td", {}, item.department), el("td", {}, item.prognosis ?? ""),
      el("td", {}, item.profile ?? ""), el("td", {}, item.education ?? ""), el("td", {}, item.main_group ?? ""),
      el("td", {}, item.learning_path ?? ""), el("td", {}, deleteButton(project, item)))))));
}

function deleteButton(project, item) {
  const problem = el("span", { role: "alert" });
  const button = el("button", { type: "button", class: "secondary", onclick: async () => {
    const { ok, data } = await api("DELETE", projectPath(project, `/enrollments/${item.id}`));
    if (!ok) return tell(problem, errorText(data));
    renderEnrollments();
  } }, t("delete"));
  return [button, problem];
}

function addEnrollmentSection(project, departments) {
  const inputs = { student: el("input", { required: true }),
    department: select(departments.map((item) => [item.code, item.name]), null),
    prognosis: el("input", { inputmode: "decimal" }), profile: el("input"), education: el("input"), main_group: el("input") };
  const result = el("p", { role: "alert" });
  const form = el("form", { id: "add-enrollment", onsubmit: async (event) => {
    event.preventDefault();
    const body = Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input.value || null]));
    const { ok, data } = await api("POST", projectPath(project, "/enrollments"), body);
    if (ok) return renderEnrollments();
    tell(result, errorText(data));
  } }, el("h2", {}, t("add_enrollment")),
  el("div", { class: "row" }, Object.entries(inputs).map(([name, input]) => field(t(name), input, `enroll-${name}`))),
  el("button", { type: "submit" }, t("add")), result);
  return el("section", {}, form);
}

async function placementsSection(project) {
  const { ok, data } = await api("GET", projectPath(project, "/placements"));
  const withoutLearningPath = ok ? [
    el("h2", {}, `${t("without_learning_path")} (${data.without_learning_path.length})`),
    scrollable(el("table", {}, columnHeads([t("student"), t("department"), t("reason")]),
      el("tbody", {}, data.without_learning_path.map((item) => el("tr", {},
        el("td", {}, item.student), el("td", {}, item.department), el("td", {}, t(item.reason)))))))]
    : el("p", { class: "notice" }, errorText(data));
  return el("section", { id: "placements" }, el("h2", {}, t("placements")),
    downloadButton(t("download_placements"), projectPath(project, "/placements?format=csv"), `plaatsingen-${project}.csv`),
    withoutLearningPath);
}
