// Importeren: the form that uploads a file (the service analyses it, then pages/import-job.js shows
// the job) and the history of past imports, paged, with planned counts told apart from done ones.
import { api } from "../api.js";
import { columnHeads, el, pageAt, scrollable, select, tell } from "../dom.js";
import { errorText } from "../errors.js";
import { formatMoment, formatNumber, t } from "../i18n.js";
import {
  actionLabel, actionsOf, countsPhase, labelledRow, leaversFields, loginMethodOptions, missingRightsFor,
  modeOptions, rightsReason,
} from "../import-vocabulary.js";
import { scheduleProjectOptions } from "../schedule-projects.js";
import { can } from "../session.js";

const HISTORY_PAGE = 20;
const DEFAULT_MAX_ARCHIVE_PERCENT = 10;
// Kept between visits, so coming back shows the same page of the history.
const historyList = { cursors: [null] };
// What the history says once when it opens next (a job was discarded).
let announcement = null;

export function announceOnHistory(text) {
  announcement = text;
}

// What the user lacks to import this kind here: the API's rights, and for enrollments reading the
// schedule projects too, since the form offers them to choose from. (The users list asks it too.)
export function missingToImport(kind) {
  const missing = missingRightsFor(kind);
  return kind === "enrollments" && !can("enrollments:read") ? [...missing, "enrollments:read"] : missing;
}

export async function renderImports() {
  const show = pageAt();
  const mayImport = ["users", "enrollments"].filter((kind) => missingToImport(kind).length === 0);
  const projects = mayImport.includes("enrollments") ? await scheduleProjectOptions() : { ok: true, data: [] };
  const history = el("div", { id: "import-history-list" });
  const pager = el("div", { class: "row pager" });
  const said = announcement ? [el("p", { class: "ok", role: "status", id: "imports-announcement" }, announcement)] : [];
  announcement = null;
  show(el("h1", {}, t("imports")), ...said, el("section", {}, newImportSection(mayImport, projects)),
    el("section", {}, el("h2", {}, t("history")), history, pager));
  await loadHistory(history, pager);
}

// The form, or why this user cannot upload: every kind they may import is offered, the others are
// disabled with the right they lack.
function newImportSection(mayImport, projects) {
  if (mayImport.length === 0) {
    return [el("h2", {}, t("new_import")), el("div", { class: "imp-reason", id: "import-not-allowed" },
      ["users", "enrollments"].map((kind) => el("p", {}, `${t(`kind_${kind}`)}: ${rightsReason(missingToImport(kind))}`)),
      el("p", {}, t("imp_ask_manager")))];
  }
  const kindOptions = ["users", "enrollments"].map((kind) => [kind, t(`kind_${kind}`)]);
  const kind = select(kindOptions, mayImport[0], { id: "import-kind" });
  for (const option of kind.options) {
    const missing = missingToImport(option.value);
    if (missing.length) {
      option.disabled = true;
      option.dataset.missingRights = missing.join(" ");
      option.title = rightsReason(missing);
      option.textContent = `${option.textContent} (${rightsReason(missing)})`;
    }
  }
  const file = el("input", { type: "file", accept: ".csv,.txt,text/csv,text/plain", required: true });
  const fileField = filePicker(file, "import-file");
  const delimiter = select([["", t("imp_detect")], ["\t", t("tab")], [";", t("semicolon")], [",", t("comma")]], "",
    { id: "import-delimiter" });
  const asStudent = el("input", { type: "checkbox", id: "import-as-student" });
  const mode = select(modeOptions(), "import", { id: "import-mode" });
  const loginMethod = select(loginMethodOptions(), "password", { id: "import-login-method" });
  const archiveMissing = el("input", { type: "checkbox", id: "import-archive-missing" });
  const maxPercent = el("input", { type: "number", min: 0, max: 100, step: 1, value: DEFAULT_MAX_ARCHIVE_PERCENT,
    id: "import-max-archive-percent", class: "imp-percent" });
  const leavers = leaversFields(archiveMissing, maxPercent, "import");
  const loginMethodLabel = el("label", { for: "import-login-method" }, t("imp_login_method"), loginMethod);
  const project = select(projects.ok ? projects.data : [], null, { id: "import-project" });
  const usersOptions = el("div", {},
    el("div", { class: "row" },
      el("label", { class: "inline", for: "import-as-student" }, asStudent, t("as_student")),
      el("label", { for: "import-mode" }, t("mode"), mode),
      loginMethodLabel),
    leavers);
  const projectsProblem = projects.ok ? null : el("p", { class: "notice" }, errorText(projects.data));
  const enrollmentOptions = el("div", { class: "row" },
    el("label", { for: "import-project" }, t("schedule_project"), project), projectsProblem);
  const showOptions = () => {
    usersOptions.hidden = kind.value !== "users";
    enrollmentOptions.hidden = kind.value !== "enrollments";
    // The leavers option belongs to a synchronize of students only.
    leavers.hidden = !(asStudent.checked && mode.value === "synchronize");
    // Only an import that creates users gives them a login method.
    loginMethodLabel.hidden = mode.value === "update";
  };
  for (const control of [kind, asStudent, mode]) control.addEventListener("change", showOptions);
  showOptions();
  const message = el("p", { role: "alert" });
  return el("form", { id: "new-import", onsubmit: async (event) => {
    event.preventDefault();
    const body = new FormData();
    body.append("file", file.files[0]);
    body.append("kind", kind.value);
    if (delimiter.value) body.append("delimiter", delimiter.value);
    if (kind.value === "users") {
      body.append("as_student", asStudent.checked ? "true" : "false");
      body.append("mode", mode.value);
      // Defaults are left out, so the service's own default applies.
      if (!loginMethodLabel.hidden && loginMethod.value !== "password") body.append("login_method", loginMethod.value);
      if (!leavers.hidden && archiveMissing.checked) {
        body.append("archive_missing", "true");
        body.append("max_archive_percent", maxPercent.value);
      }
    } else body.append("schedule_project", project.value);
    const { ok, data } = await api("POST", "/imports", body);
    if (!ok) return tell(message, errorText(data));
    location.hash = `#/imports/${data.id}`;
  } },
  el("h2", {}, t("new_import")),
  el("div", { class: "row" }, el("label", { for: "import-kind" }, t("kind"), kind), fileField,
    el("label", { for: "import-delimiter" }, t("delimiter"), delimiter)),
  usersOptions, enrollmentOptions, el("button", { type: "submit" }, t("upload")), message);
}

// The browser's own file button and "no file chosen" speak the browser's language, not the console's:
// the input stays (focusable, labelled, clicked through its label) but shows the console's words.
function filePicker(input, id) {
  input.id = id;
  const chosen = el("span", { class: "file-chosen", id: `${id}-chosen`, "aria-hidden": "true" }, t("wj_no_file"));
  input.addEventListener("change", () => { chosen.textContent = input.files[0]?.name ?? t("wj_no_file"); });
  return el("label", { for: id }, t("file"),
    el("span", { class: "file-picker" }, input, el("span", { class: "file-button", "aria-hidden": "true" }, t("wj_choose_file")),
      chosen),
    el("span", { class: "field-error", id: `${id}-error`, role: "alert" }));
}

async function loadHistory(history, pager) {
  const query = new URLSearchParams({ limit: String(HISTORY_PAGE) });
  const cursor = historyList.cursors.at(-1);
  if (cursor) query.set("cursor", cursor);
  const { ok, data } = await api("GET", `/imports?${query}`);
  if (!ok) return history.replaceChildren(el("p", { class: "notice" }, errorText(data)));
  if (data.items.length === 0) return history.replaceChildren(el("p", { class: "muted" }, t("imp_no_imports")));
  const heads = [t("created"), t("file"), t("kind"), t("status"), t("rows"), t("imp_counts")];
  history.replaceChildren(scrollable(el("table", { id: "import-history", class: "imp-cards" }, columnHeads(heads),
    el("tbody", {}, data.items.map((job) => labelledRow({ "data-status": job.status, "data-id": job.id }, heads, [
      [{ class: "nowrap" }, el("time", { datetime: job.created_at }, formatMoment(job.created_at))],
      [{ class: "imp-filename" }, el("a", { href: `#/imports/${job.id}` }, job.filename)],
      [{}, t(`kind_${job.kind}`)],
      [{}, el("span", { class: `imp-status imp-status-${job.status}` }, t(`status_${job.status}`))],
      [{ class: "imp-number" }, job.total_rows == null ? "" : formatNumber(job.total_rows)],
      [{ class: "imp-counts-cell" }, countsSummary(job)],
    ]))))));
  pager.replaceChildren(
    el("button", { type: "button", class: "secondary", disabled: historyList.cursors.length < 2, onclick: () => {
      historyList.cursors.pop();
      loadHistory(history, pager);
    } }, t("previous")),
    el("button", { type: "button", class: "secondary", disabled: !data.next_cursor, onclick: () => {
      historyList.cursors.push(data.next_cursor);
      loadHistory(history, pager);
    } }, t("next")));
}

function countsSummary(job) {
  const phase = countsPhase(job);
  if (phase === "none") return el("span", { class: "muted" }, t("imp_not_started"));
  const shown = actionsOf(job).filter((action) => job.counts[action] > 0);
  const parts = shown.map((action) => el("span", { class: "imp-count" }, actionLabel(action), " ",
    el("strong", {}, formatNumber(job.counts[action]))));
  return el("span", { class: `imp-counts imp-${phase}` },
    phase === "planned" ? el("span", { class: "imp-phase" }, `${t("imp_planned")}:`) : null, parts);
}
