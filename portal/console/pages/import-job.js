// One import: while it is ready, its settings (leavers and login method included), a label per column
// and the planned action per row, each change re-analysed by the service (PATCH); after Start its
// progress; at the end the summary and the errors.csv download. A file that cannot be imported is
// explained, and when its settings were the problem, they can be changed and the file analysed again.
// Every row can be paged through, filtered by its action. A job that is not being applied can be
// discarded. Controls the user's rights do not allow are disabled with the reason.
import { api } from "../api.js";
import { columnHeads, el, pageAt, scrollable, select, tell } from "../dom.js";
import { signedDownloadButton } from "../downloads.js";
import { errorText } from "../errors.js";
import { catalogueText, formatNumber, has, t, tf } from "../i18n.js";
import {
  actionLabel, actionText, actionsOf, countsPhase, formatValue, labelledRow, leaversFields,
  loginMethodOptions, missingRightsFor, modeOptions, rightsReason,
} from "../import-vocabulary.js";
import { gate } from "../rights.js";
import { scheduleProjectOptions } from "../schedule-projects.js";
import { can } from "../session.js";
import { announceOnHistory } from "./imports.js";

const POLL_MS = 500;
const BUSY = ["analyzing", "queued", "running"];
const ROWS_PAGE = 100;
const ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "utf-16", "mac-roman", "cp850"];
const DEFAULT_MAX_ARCHIVE_PERCENT = 10;
// The failures that the job's settings (delimiter, encoding, header, mapping, schedule project) can
// cause: such a job can be given other settings and analysed again.
const SETTINGS_FAILURES = ["missing_required_column", "malformed_csv", "undecodable_file", "no_data_rows",
  "unknown_schedule_project"];

export async function renderJob(id, notice = null) {
  const show = pageAt();
  const { ok, data: job } = await api("GET", `/imports/${id}`);
  if (!ok) return show(el("p", { class: "notice" }, errorText(job)));
  const missing = missingRightsFor(job.kind);
  const heading = el("h1", { class: "imp-title" }, `${t("imports")}: ${job.filename}`);
  const page = [el("p", {}, el("a", { href: "#/imports" }, `← ${t("imp_back")}`)), heading,
    el("p", { id: "job-status", "data-status": job.status }, `${t("status")}: `,
      el("span", { class: `imp-status imp-status-${job.status}` }, t(`status_${job.status}`)))];
  if (notice) page.push(notice);
  if (missing.length) {
    page.push(el("p", { class: "imp-reason", id: "job-read-only" }, `${t("imp_read_only")} ${rightsReason(missing)}`));
  }
  if (job.status === "analyzing") page.push(el("section", {}, el("p", { role: "status" }, t("analyzing"))));
  else if (job.status === "failed") page.push(...await failureSections(job, missing));
  else {
    if (job.status === "ready") page.push(settingsSection(job, missing));
    page.push(countsSection(job));
    if (job.status === "queued" || job.status === "running") page.push(progressSection(job, missing));
    if (job.status === "completed" || job.status === "cancelled") page.push(summarySection(job));
    page.push(rowsSection(job));
  }
  // Only a job being applied stays (cancel it first); one stuck in its analysis can go too.
  if (job.status !== "queued" && job.status !== "running") page.push(discardSection(job, missing));
  show(...page);
  if (BUSY.includes(job.status)) follow(job, heading, notice);
}

// Asks for the job again while the service works on it: a new status renders the page anew, else
// only the progress and the counts change. Stops once this page is gone (another page, or a newer
// rendering of this one), which `heading` leaving the document tells.
function follow(job, heading, notice) {
  const timer = setInterval(async () => {
    const next = await api("GET", `/imports/${job.id}`);
    if (!heading.isConnected) return clearInterval(timer);
    if (!next.ok) return;
    if (next.data.status !== job.status) {
      clearInterval(timer);
      return renderJob(job.id, notice);
    }
    showProgress(next.data);
  }, POLL_MS);
}

// Disables the controls, each saying why (its title), when the user lacks a right for this import.
function allowedOnlyWith(missing, ...controls) {
  gate(missing, rightsReason(missing), ...controls);
}

async function failureSections(job, missing) {
  const failure = el("section", {}, failureNotice(job));
  const { code } = job.error;
  if (!SETTINGS_FAILURES.includes(code)) return [failure];
  // The schedule projects to choose from are for readers of enrollments only (the form keeps the job's own).
  const projects = job.kind === "enrollments" && can("enrollments:read") ? await scheduleProjectOptions() : null;
  return [failure, reanalyseSection(job, missing, projects)];
}

// Which file failed, of which kind, and why: the console's own words for a known problem, else the
// service's message (in the reader's language). The service's message (a line number) and the code,
// for whoever reports the problem, are under Details, and the code is the notice's title too.
function failureNotice(job) {
  const { code, message } = job.error;
  const kind = catalogueText(`import_failed_kind_${job.kind}`) ?? job.kind;
  const what = catalogueText("import_failed_file", { file: job.filename, kind });
  const own = has(`err_${code}`);
  const details = el("details", { class: "imp-error-details" }, el("summary", {}, t("details")),
    own && message ? el("p", {}, message) : null, el("p", {}, catalogueText("import_failed_code", { code })));
  return el("div", { class: "notice", role: "alert", id: "job-error", title: code },
    el("p", {}, `${what} ${own ? t(`err_${code}`) : message}`), details);
}

// A job that failed on its settings: a form with all of them, sent at once (PATCH), after which the
// service analyses the file again.
function reanalyseSection(job, missing, projects) {
  const { settings } = job;
  // An enrollments import names its schedule project: one that does not exist can be replaced.
  const project = projects?.ok ? select(projects.data, settings.schedule_project, { id: "reanalyse-project" }) : null;
  const problem = el("p", { role: "alert" });
  const delimiter = delimiterSelect(settings.delimiter, "reanalyse-delimiter");
  const encoding = encodingSelect(settings.encoding, "reanalyse-encoding");
  const hasHeader = el("input", { type: "checkbox", id: "reanalyse-has-header", checked: settings.has_header !== false });
  const labels = (job.columns ?? []).map((column) => columnSelect(job, column, "reanalyse-column"));
  const submit = el("button", { type: "submit", id: "reanalyse" }, t("imp_reanalyse"));
  allowedOnlyWith(missing, delimiter, encoding, hasHeader, submit, ...labels, ...(project ? [project] : []));
  const mapping = labels.length ? el("div", {}, el("p", {}, t("imp_reanalyse_mapping")),
    scrollable(el("table", { class: "samples" }, el("thead", {},
      el("tr", {}, labels.map((label) => el("th", { scope: "col" }, label))),
      el("tr", {}, job.columns.map((column) => el("th", { scope: "col" }, column.header))))))) : null;
  return el("section", { id: "reanalyse-section" }, el("h2", {}, t("imp_reanalyse_heading")),
    el("form", { id: "reanalyse-form", onsubmit: async (event) => {
      event.preventDefault();
      submit.disabled = true;
      const body = { delimiter: delimiter.value, encoding: encoding.value, has_header: hasHeader.checked };
      if (labels.length) body.mapping = mappingOf(labels);
      if (project) body.schedule_project = project.value;
      const { ok, data } = await api("PATCH", `/imports/${job.id}`, body);
      submit.disabled = false;
      if (!ok) return tell(problem, errorText(data));
      renderJob(job.id);
    } },
    el("p", {}, t("imp_reanalyse_intro")),
    el("div", { class: "row" },
      el("label", { for: "reanalyse-delimiter" }, t("delimiter"), delimiter),
      el("label", { for: "reanalyse-encoding" }, t("encoding"), encoding),
      el("label", { class: "inline", for: "reanalyse-has-header" }, hasHeader, t("imp_has_header")),
      project ? el("label", { for: "reanalyse-project" }, t("schedule_project"), project) : null),
    mapping, submit, problem));
}

function delimiterSelect(value, id, attributes = {}) {
  return select([["\t", t("tab")], [";", t("semicolon")], [",", t("comma")]], value, { id, ...attributes });
}

function encodingSelect(value, id, attributes = {}) {
  const names = ENCODINGS.includes(value) || !value ? ENCODINGS : [value, ...ENCODINGS];
  return select(names.map((name) => [name, name]), value, { id, ...attributes });
}

// The service names the fields of this kind of import; "ignore" leaves a column out.
function columnSelect(job, column, prefix, attributes = {}) {
  const choices = [...job.fields, "ignore"].map((name) => [name, t(name)]);
  return select(choices, column.field, { id: `${prefix}-${column.index}`,
    "aria-label": `${t("column_labels")}: ${column.header || column.index + 1}`, ...attributes });
}

function mappingOf(labels) {
  return Object.fromEntries(labels.map((choice, index) => [String(index), choice.value]));
}

function settingsSection(job, missing) {
  const { settings } = job;
  const problem = el("span", { role: "alert", id: "settings-problem" });
  const patch = async (body) => {
    const { ok, data } = await api("PATCH", `/imports/${job.id}`, body);
    if (!ok) return tell(problem, errorText(data));
    renderJob(job.id);
  };
  const delimiter = delimiterSelect(settings.delimiter, "job-delimiter",
    { onchange: (event) => patch({ delimiter: event.target.value }) });
  const encoding = encodingSelect(settings.encoding, "job-encoding",
    { onchange: (event) => patch({ encoding: event.target.value }) });
  const hasHeader = el("input", { type: "checkbox", id: "job-has-header", checked: settings.has_header !== false,
    onchange: (event) => patch({ has_header: event.target.checked }) });
  const controls = el("div", { class: "row" },
    el("label", { for: "job-delimiter" }, `${t("delimiter")} (${t("detected")})`, delimiter),
    el("label", { for: "job-encoding" }, `${t("encoding")} (${t("detected")})`, encoding),
    el("label", { class: "inline", for: "job-has-header" }, hasHeader, t("imp_has_header")));
  const inputs = [delimiter, encoding, hasHeader];
  let leavers = null;
  if (job.kind === "users") {
    // Leavers are archived only by a synchronize of students: leaving that turns the option off.
    const leaversGo = (asStudent, mode) => (settings.archive_missing && !(asStudent && mode === "synchronize")
      ? { archive_missing: false } : {});
    const asStudent = el("input", { type: "checkbox", id: "job-as-student", checked: settings.as_student,
      onchange: (event) => patch({ as_student: event.target.checked, ...leaversGo(event.target.checked, settings.mode) }) });
    const mode = select(modeOptions(), settings.mode, { id: "job-mode",
      onchange: (event) => patch({ mode: event.target.value, ...leaversGo(settings.as_student, event.target.value) }) });
    const loginMethod = select(loginMethodOptions(), settings.login_method ?? "password",
      { id: "job-login-method", onchange: (event) => patch({ login_method: event.target.value }) });
    // Only a job that creates users gives them a login method.
    controls.append(
      el("label", { class: "inline", for: "job-as-student" }, asStudent, t("as_student")),
      el("label", { for: "job-mode" }, t("mode"), mode),
      el("label", { for: "job-login-method", hidden: settings.mode === "update" }, t("imp_login_method"), loginMethod));
    inputs.push(asStudent, mode, loginMethod);
    if (settings.as_student && settings.mode === "synchronize") {
      const archiveMissing = el("input", { type: "checkbox", id: "job-archive-missing", checked: Boolean(settings.archive_missing),
        onchange: (event) => patch({ archive_missing: event.target.checked }) });
      const percent = percentInput(settings.max_archive_percent, "job-max-archive-percent",
        (value) => patch({ max_archive_percent: value }));
      leavers = leaversFields(archiveMissing, percent, "job");
      inputs.push(archiveMissing, percent);
    }
  } else {
    controls.append(projectLine(settings.schedule_project, "job-project"));
  }
  const labels = job.columns.map((column) => columnSelect(job, column, "column",
    { onchange: () => patch({ mapping: mappingOf(labels) }) }));
  const samples = el("table", { class: "samples", id: "sample-rows" },
    el("thead", {},
      el("tr", {}, labels.map((label) => el("th", { scope: "col" }, label))),
      el("tr", {}, job.columns.map((column) => el("th", { scope: "col" }, column.header)))),
    el("tbody", {}, (job.sample_rows ?? []).map((row) => el("tr", {}, job.columns.map((column) => el("td", {}, row[column.index] ?? ""))))));
  const threshold = el("div", { id: "threshold", hidden: true });
  const start = el("button", { type: "button", id: "start-import", onclick: async () => {
    start.disabled = true;
    tell(problem, "", "");
    const { ok, data } = await api("POST", `/imports/${job.id}/start`);
    if (ok) return renderJob(job.id);
    start.disabled = false;
    if (data.error.code === "change_threshold_exceeded") return showThresholdRefusal(threshold, job, data.error.details ?? {});
    tell(problem, errorText(data));
  } }, t("start"));
  allowedOnlyWith(missing, start, ...inputs, ...labels);
  return el("section", { id: "settings" }, el("h2", {}, t("column_labels")), controls, leavers, scrollable(samples),
    el("p", {}, start, problem), threshold);
}

function percentInput(value, id, onChosen) {
  return el("input", { type: "number", min: 0, max: 100, step: 1, id, class: "imp-percent",
    value: value ?? DEFAULT_MAX_ARCHIVE_PERCENT, onchange: (event) => {
      if (event.target.checkValidity() && event.target.value !== "") onChosen(Number(event.target.value));
    } });
}

// Start refused: more students would be archived than the threshold allows (details: count, active,
// percent, max). Says how many, and offers to raise the threshold (PATCH); then Start can be pressed anew.
function showThresholdRefusal(node, job, details) {
  const current = details.max ?? job.settings.max_archive_percent ?? DEFAULT_MAX_ARCHIVE_PERCENT;
  const needed = details.percent == null ? Math.min(100, current + 10) : Math.min(100, Math.ceil(details.percent));
  const input = el("input", { type: "number", min: 0, max: 100, step: 1, value: needed, id: "raise-threshold-percent",
    class: "imp-percent" });
  const problem = el("span", { role: "alert" });
  const raise = el("button", { type: "button", id: "raise-threshold", onclick: async () => {
    if (!input.checkValidity() || input.value === "") return tell(problem, t("imp_percent_invalid"));
    raise.disabled = true;
    const { ok, data } = await api("PATCH", `/imports/${job.id}`, { max_archive_percent: Number(input.value) });
    raise.disabled = false;
    if (!ok) return tell(problem, errorText(data));
    renderJob(job.id, el("p", { class: "ok", role: "status", id: "threshold-raised" },
      tf("imp_threshold_raised", { percent: formatNumber(Number(input.value)) })));
  } }, t("imp_raise_threshold"));
  const facts = tf("imp_threshold_facts", {
    count: formatNumber(details.count ?? job.counts.archive ?? 0),
    active: details.active == null ? "?" : formatNumber(details.active),
    percent: details.percent == null ? "?" : formatNumber(details.percent),
    max: formatNumber(current),
  });
  node.hidden = false;
  node.replaceChildren(el("div", { class: "notice", role: "alert", id: "threshold-refusal" },
    el("p", {}, t("imp_threshold_exceeded")), el("p", { id: "threshold-facts" }, facts),
    el("div", { class: "row" }, el("label", { for: "raise-threshold-percent" }, t("imp_new_threshold"), input),
      el("div", { class: "button-cell" }, raise)), problem));
  input.focus();
}

function countsSection(job) {
  const phase = countsPhase(job);
  const heading = t({ planned: "imp_counts_planned", done: "imp_counts_done", none: "imp_counts_none" }[phase]);
  return el("section", { id: "counts", "data-phase": phase }, el("h2", {}, heading),
    el("div", { class: "counts" },
      actionsOf(job).map((action) => el("span", { "data-action": action }, actionLabel(action), ": ",
        el("strong", { class: `count-${action}` }, formatNumber(job.counts[action])))),
      el("span", {}, `${t("imp_file_rows")}: `, el("strong", { class: "count-total" }, formatNumber(job.total_rows ?? 0)))));
}

function progressSection(job, missing) {
  const problem = el("span", { role: "alert" });
  const cancel = el("button", { type: "button", class: "secondary", onclick: async () => {
    const { ok, data } = await api("POST", `/imports/${job.id}/cancel`);
    if (!ok) return tell(problem, errorText(data));
    renderJob(job.id);
  } }, t("cancel"));
  allowedOnlyWith(missing, cancel);
  const { processed, total } = job.progress;
  return el("section", {}, el("h2", { id: "progress-heading" }, t("progress")),
    el("progress", { id: "progress-bar", "aria-labelledby": "progress-heading", max: total, value: processed }),
    el("p", { id: "progress-text" }, progressText(processed, total)), cancel, problem);
}

function progressText(processed, total) {
  return `${formatNumber(processed)} / ${formatNumber(total)}`;
}

function showProgress(job) {
  const bar = document.getElementById("progress-bar");
  if (!bar) return;  // still analysing: nothing moves until the status changes
  const { processed, total } = job.progress;
  Object.assign(bar, { max: total, value: processed });
  document.getElementById("progress-text").textContent = progressText(processed, total);
  for (const action of actionsOf(job)) {
    const count = document.querySelector(`.count-${action}`);
    if (count) count.textContent = formatNumber(job.counts[action]);
  }
}

function summarySection(job) {
  if (countsPhase(job) === "none") {
    return el("section", { id: "summary" }, el("h2", {}, t("summary")), el("p", {}, t("imp_cancelled_before_start")));
  }
  const problems = job.counts.error + job.counts.skip;
  return el("section", { id: "summary" }, el("h2", {}, t("summary")),
    el("p", {}, actionsOf(job).map((action) => `${actionText(action)} ${formatNumber(job.counts[action])}`).join(" · ")),
    problems ? signedDownloadButton(t("download_errors"), () => errorsLink(job), { id: "download-errors" }) : null,
    problems && job.kind === "enrollments" ? projectLine(job.settings.schedule_project, "summary-project") : null);
}

// The enrollments' schedule project, linked: a row refused for an unknown department (a typo in its
// code) is fixed on the project's page, one click away.
function projectLine(project, id) {
  return el("p", { id }, `${t("schedule_project")}: ${project} (`,
    el("a", { href: `#/schedule-projects/${encodeURIComponent(project)}` }, t("wj_project_departments")), ")");
}

// The link opens the file in the console's language: api() asks in it (Accept-Language), and the
// service gives an English reader a link with lang=en.
async function errorsLink(job) {
  const { ok, status, data } = await api("GET", `/imports/${job.id}`);
  return ok ? { ok, status, data: data.errors_csv_url } : { ok, status, data };
}

// Every row of the job, a page at a time (the service's cursor), all of them or those of one action.
// The pager shows above the rows and below them; the lower one brings the reader back to the top.
function rowsSection(job) {
  const view = { action: null, cursors: [null], first: 0, loads: 0 };
  const filters = el("div", { class: "imp-filters", role: "group", "aria-label": t("imp_filter") });
  const body = el("div", { id: "rows-body" });
  const topPager = el("div", { class: "row pager imp-pager-top" });
  const pager = el("div", { class: "row pager", id: "rows-pager" });
  const counts = job.counts ?? {};
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
  const choices = [[null, t("imp_all"), total], ...actionsOf(job).map((action) => [action, actionText(action), counts[action]])];
  const drawFilters = () => filters.replaceChildren(...choices.map(([action, text, count]) => el("button", {
    type: "button", class: "imp-filter", "data-filter": action ?? "all", "aria-pressed": String(view.action === action),
    onclick: () => {
      Object.assign(view, { action, cursors: [null], first: 0 });
      drawFilters();
      load();
    } }, action ? actionLabel(action) : text, " ", el("span", { class: "imp-filter-count" }, formatNumber(count)))));
  const turn = (forward, toTop) => {
    if (forward) view.first += ROWS_PAGE;
    else view.first = Math.max(0, view.first - ROWS_PAGE);
    load().then(() => { if (toTop) section.scrollIntoView(); });
  };
  // One page needs no buttons to turn it (nor a pager above it).
  const drawPager = (node, nextCursor, range, ids) => {
    const single = !nextCursor && view.cursors.length < 2;
    node.replaceChildren(
      el("button", { type: "button", class: "secondary", id: ids ? "rows-previous" : null, disabled: view.cursors.length < 2,
        hidden: single, onclick: () => { view.cursors.pop(); turn(false, ids); } }, t("previous")),
      el("span", { id: ids ? "rows-range" : null, class: "imp-range", role: ids ? "status" : null }, range),
      el("button", { type: "button", class: "secondary", id: ids ? "rows-next" : null, disabled: !nextCursor,
        hidden: single, onclick: () => { view.cursors.push(nextCursor); turn(true, ids); } }, t("next")));
    if (!ids) node.hidden = single;
  };
  const load = async () => {
    const mine = ++view.loads;
    const query = new URLSearchParams({ limit: String(ROWS_PAGE) });
    if (view.action) query.set("action", view.action);
    const cursor = view.cursors.at(-1);
    if (cursor) query.set("cursor", cursor);
    body.setAttribute("aria-busy", "true");
    const { ok, data } = await api("GET", `/imports/${job.id}/rows?${query}`);
    if (mine !== view.loads) return;  // another filter or page was asked for meanwhile
    body.removeAttribute("aria-busy");
    if (!ok) {
      topPager.replaceChildren();
      pager.replaceChildren();
      return body.replaceChildren(el("p", { class: "notice" }, errorText(data)));
    }
    const matching = view.action ? counts[view.action] : total;
    body.replaceChildren(data.items.length ? rowsTable(job, data.items)
      : el("p", { class: "muted", id: "rows-empty" }, t("imp_no_rows")));
    const range = data.items.length ? tf("imp_rows_range", {
      from: formatNumber(view.first + 1), to: formatNumber(view.first + data.items.length),
      total: formatNumber(Math.max(matching ?? 0, view.first + data.items.length)) }) : "";
    drawPager(topPager, data.next_cursor, range, false);
    drawPager(pager, data.next_cursor, range, true);
  };
  drawFilters();
  load();
  const heading = countsPhase(job) === "planned" ? t("preview") : t("imp_rows_result");
  const section = el("section", { id: "rows" }, el("h2", {}, heading), filters, topPager, body, pager);
  return section;
}

function rowsTable(job, rows) {
  const users = job.kind === "users";
  const keyField = users ? "code" : "student";
  // Only an update has old → new values; a job without updates needs no column for them.
  const showChanges = !users || job.counts.update > 0 || rows.some((row) => row.changes);
  const heads = [t("line"), t("action"), t(keyField), users ? t("name") : t("department"),
    ...(showChanges ? [users ? t("imp_changes") : t("imp_values")] : []), t("message")];
  return scrollable(el("table", { id: "rows-table", class: "imp-cards" }, columnHeads(heads),
    el("tbody", {}, rows.map((row) => labelledRow({ "data-action": row.action, "data-key": row.values?.[keyField] ?? "" },
      heads, [
        // A leaver is no line of the file (the service gives 0).
        [{ class: "imp-number" }, row.line || "–"],
        [{}, actionLabel(row.action)],
        [{ class: "nowrap" }, row.values?.[keyField] ?? ""],
        [{}, users ? nameOf(row.values ?? {}) : (row.values?.department ?? "")],
        ...(showChanges ? [[{ class: "imp-changes" }, users ? changesList(row.changes) : enrollmentValues(row.values ?? {})]] : []),
        [{ class: "imp-message" }, (row.messages ?? []).join(" ")],
      ])))));
}

function nameOf(values) {
  return [values.first_name, values.prefix, values.last_name].filter(Boolean).join(" ");
}

// An update's old → new value per field (`changes`); passwords come masked from the service.
function changesList(changes) {
  const entries = Object.entries(changes ?? {});
  if (!entries.length) return "";
  return el("ul", { class: "imp-change-list" }, entries.map(([name, [before, after]]) => el("li", { "data-field": name },
    el("span", { class: "imp-field" }, `${t(name)}: `),
    el("span", { class: "imp-old" }, shownValue(name, before)), " → ",
    el("span", { class: "imp-new" }, shownValue(name, after)))));
}

function shownValue(field, value) {
  if (field === "login_method" && typeof value === "string") return t(`login_method_${value}`);
  return formatValue(value);
}

// An enrollment row's other values: prognosis (in the reader's notation), education, profile, main group.
function enrollmentValues(values) {
  const parts = [];
  if (values.prognosis) parts.push(`${t("prognosis")}: ${formatValue(values.prognosis.replace(",", "."))}`);
  for (const name of ["education", "profile", "main_group"]) if (values[name]) parts.push(`${t(name)}: ${values[name]}`);
  return parts.join(" · ");
}

// Discard: for a job not being applied, after a confirmation; the history opens afterwards.
function discardSection(job, missing) {
  const problem = el("p", { role: "alert" });
  const confirmation = el("div", { class: "imp-confirm", id: "discard-confirm", role: "alertdialog",
    "aria-labelledby": "discard-question", hidden: true });
  const discard = el("button", { type: "button", class: "secondary imp-danger", id: "discard-import", onclick: () => {
    confirmation.hidden = false;
    discard.hidden = true;
    confirmation.querySelector("button").focus();
  } }, t("imp_discard"));
  allowedOnlyWith(missing, discard);
  confirmation.append(el("p", { id: "discard-question" }, t("imp_discard_confirm")),
    el("button", { type: "button", class: "imp-danger", id: "discard-yes", onclick: async () => {
      const { ok, data } = await api("DELETE", `/imports/${job.id}`);
      if (!ok) return tell(problem, errorText(data));
      announceOnHistory(tf("imp_discarded", { file: job.filename }));
      location.hash = "#/imports";
    } }, t("imp_discard_yes")), " ",
    el("button", { type: "button", class: "secondary", id: "discard-no", onclick: () => {
      confirmation.hidden = true;
      discard.hidden = false;
      discard.focus();
    } }, t("imp_discard_no")));
  return el("section", { id: "discard" }, el("h2", {}, t("imp_discard_heading")), el("p", {}, t("imp_discard_intro")),
    discard, confirmation, problem);
}
