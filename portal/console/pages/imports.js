// Importeren: the form that uploads a file (the service analyses it, then pages/import-job.js shows
// the job) and the history of past imports.
import { api } from "../api.js";
import { columnHeads, el, field, scrollable, select, showPage, tell } from "../dom.js";
import { errorText } from "../errors.js";
import { t } from "../i18n.js";
import { ACTIONS, modeOptions } from "../import-vocabulary.js";
import { scheduleProjectOptions } from "../schedule-projects.js";

export async function renderImports() {
  const [projects, history] = await Promise.all([scheduleProjectOptions(), historyTable()]);
  showPage(el("h1", {}, t("imports")), el("section", {}, newImportForm(projects)),
    el("section", {}, el("h2", {}, t("history")), history));
}

function newImportForm(projects) {
  const kind = select([["users", t("kind_users")], ["enrollments", t("kind_enrollments")]], "users", { id: "import-kind" });
  const file = el("input", { type: "file", accept: ".csv,.txt,text/csv,text/plain", required: true });
  const asStudent = el("input", { type: "checkbox", id: "import-as-student" });
  const mode = select(modeOptions(), "import", { id: "import-mode" });
  const project = select(projects.ok ? projects.data : [], null, { id: "import-project" });
  const usersOptions = el("div", { class: "row" }, el("label", { class: "inline", for: "import-as-student" }, asStudent, t("as_student")),
    el("label", { for: "import-mode" }, t("mode"), mode));
  // Someone who may import only users need not hear why the projects could not be listed.
  const projectsProblem = projects.ok ? null : el("p", { class: "notice" }, errorText(projects.data));
  const enrollmentOptions = el("div", { class: "row", hidden: true },
    el("label", { for: "import-project" }, t("schedule_project"), project), projectsProblem);
  kind.addEventListener("change", () => {
    usersOptions.hidden = kind.value !== "users";
    enrollmentOptions.hidden = kind.value !== "enrollments";
  });
  const message = el("p", { role: "alert" });
  return el("form", { id: "new-import", onsubmit: async (event) => {
    event.preventDefault();
    const body = new FormData();
    body.append("file", file.files[0]);
    body.append("kind", kind.value);
    if (kind.value === "users") {
      body.append("as_student", asStudent.checked ? "true" : "false");
      body.append("mode", mode.value);
    } else body.append("schedule_project", project.value);
    const { ok, data } = await api("POST", "/imports", body);
    if (!ok) return tell(message, errorText(data));
    location.hash = `#/imports/${data.id}`;
  } },
  el("h2", {}, t("new_import")),
  el("div", { class: "row" }, el("label", { for: "import-kind" }, t("kind"), kind), field(t("file"), file, "import-file")),
  usersOptions, enrollmentOptions, el("button", { type: "submit" }, t("upload")), message);
}

async function historyTable() {
  const { ok, data } = await api("GET", "/imports?limit=20");
  if (!ok) return el("p", { class: "notice" }, errorText(data));
  return scrollable(el("table", { id: "import-history" },
    columnHeads([t("created"), t("file"), t("kind"), t("status"), t("rows"), ...ACTIONS.map(t)]),
    el("tbody", {}, data.items.map((job) => el("tr", {},
      el("td", {}, new Date(job.created_at).toLocaleString()),
      el("td", {}, el("a", { href: `#/imports/${job.id}` }, job.filename)),
      el("td", {}, t(`kind_${job.kind}`)), el("td", {}, t(`status_${job.status}`)), el("td", {}, job.total_rows ?? ""),
      ACTIONS.map((action) => el("td", {}, job.counts[action])))))));
}
