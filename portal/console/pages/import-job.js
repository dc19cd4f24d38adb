// One import: while it is ready, its settings, a label per column and the planned action per row,
// each change re-analysed by the service (PATCH); after Start its progress; at the end the summary and
// the errors.csv download. A file that cannot be imported is explained instead.
import { api } from "../api.js";
import { columnHeads, el, scrollable, select, showPage, tell } from "../dom.js";
import { signedDownloadButton } from "../downloads.js";
import { errorText } from "../errors.js";
import { has, t } from "../i18n.js";
import { ACTIONS, actionLabel, modeOptions } from "../import-vocabulary.js";

const POLL_MS = 500;
const BUSY = ["analyzing", "queued", "running"];

export async function renderJob(id) {
  const { ok, data: job } = await api("GET", `/imports/${id}`);
  if (!ok) return showPage(el("p", { class: "notice" }, errorText(job)));
  const heading = el("h1", {}, `${t("imports")}: ${job.filename}`);
  const page = [heading, el("p", { id: "job-status", "data-status": job.status }, `${t("status")}: ${t(`status_${job.status}`)}`)];
  if (job.status === "analyzing") page.push(el("section", {}, el("p", { role: "status" }, t("analyzing"))));
  else if (job.status === "failed") page.push(failureSection(job));
  else {
    if (job.status === "ready") page.push(settingsSection(job));
    page.push(countsSection(job));
    if (job.status === "queued" || job.status === "running") page.push(progressSection(job));
    if (job.status === "completed" || job.status === "cancelled") page.push(summarySection(job));
    page.push(await rowsSection(job));
  }
  showPage(...page);
  if (BUSY.includes(job.status)) follow(job, heading);
}

// Asks for the job again while the service works on it: a new status renders the page anew, else
// only the progress and the counts change. Stops once this page is gone (another page, or a newer
// rendering of this one), which `heading` leaving the document tells.
function follow(job, heading) {
  const timer = setInterval(async () => {
    const next = await api("GET", `/imports/${job.id}`);
    if (!heading.isConnected) return clearInterval(timer);
    if (!next.ok) return;
    if (next.data.status !== job.status) {
      clearInterval(timer);
      return renderJob(job.id);
    }
    showProgress(next.data);
  }, POLL_MS);
}

function failureSection(job) {
  // The console's own words for a known problem; the service's message keeps the details (a line number).
  const { code, message } = job.error;
  const explanation = has(`err_${code}`) ? `${t(`err_${code}`)} ${t("details")}: ${message}` : `${message} (${code})`;
  return el("section", {}, el("p", { class: "notice", role: "alert", id: "job-error" }, `${t("failed")}: ${explanation}`));
}

function settingsSection(job) {
  const { settings } = job;
  const problem = el("span", { role: "alert" });
  const patch = async (body) => {
    const { ok, data } = await api("PATCH", `/imports/${job.id}`, body);
    if (!ok) return tell(problem, errorText(data));
    renderJob(job.id);
  };
  const delimiter = select([["\t", t("tab")], [";", t("semicolon")], [",", t("comma")]], settings.delimiter,
    { id: "job-delimiter", onchange: (event) => patch({ delimiter: event.target.value }) });
  const encoding = select(["utf-8", "utf-8-sig", "cp1252", "utf-16"].map((name) => [name, name]), settings.encoding,
    { id: "job-encoding", onchange: (event) => patch({ encoding: event.target.value }) });
  const controls = el("div", { class: "row" },
    el("label", { for: "job-delimiter" }, `${t("delimiter")} (${t("detected")})`, delimiter),
    el("label", { for: "job-encoding" }, `${t("encoding")} (${t("detected")})`, encoding));
  if (job.kind === "users") {
    controls.append(
      el("label", { class: "inline", for: "job-as-student" }, el("input", { type: "checkbox", id: "job-as-student",
        checked: settings.as_student, onchange: (event) => patch({ as_student: event.target.checked }) }), t("as_student")),
      el("label", { for: "job-mode" }, t("mode"), select(modeOptions(), settings.mode,
        { id: "job-mode", onchange: (event) => patch({ mode: event.target.value }) })));
  } else {
    controls.append(el("p", {}, `${t("schedule_project")}: ${settings.schedule_project}`));
  }
  // The service names the fields of this kind of import; "ignore" leaves a column out.
  const choices = [...job.fields, "ignore"].map((name) => [name, t(name)]);
  const labels = job.columns.map((column) => select(choices, column.field, {
    id: `column-${column.index}`, "aria-label": `${t("column_labels")}: ${column.header || column.index + 1}`,
    onchange: () => patch({ mapping: Object.fromEntries(labels.map((choice, index) => [String(index), choice.value])) }),
  }));
  const samples = el("table", { class: "samples", id: "sample-rows" },
    el("thead", {},
      el("tr", {}, labels.map((label) => el("th", { scope: "col" }, label))),
      el("tr", {}, job.columns.map((column) => el("th", { scope: "col" }, column.header)))),
    el("tbody", {}, job.sample_rows.map((row) => el("tr", {}, job.columns.map((column) => el("td", {}, row[column.index] ?? ""))))));
  const start = el("button", { type: "button", id: "start-import", onclick: async () => {
    start.disabled = true;
    const { ok, data } = await api("POST", `/imports/${job.id}/start`);
    if (ok) return renderJob(job.id);
    start.disabled = false;
    tell(problem, errorText(data));
  } }, t("start"));
  return el("section", {}, el("h2", {}, t("column_labels")), controls, scrollable(samples),
    el("p", {}, start, problem));
}

function countsSection(job) {
  return el("section", { id: "counts" }, el("div", { class: "counts" },
    ACTIONS.map((action) => el("span", { "data-action": action }, actionLabel(action), ": ",
      el("strong", { class: `count-${action}` }, job.counts[action]))),
    el("span", {}, `${t("total")}: `, el("strong", {}, job.total_rows ?? 0))));
}

function progressSection(job) {
  const problem = el("span", { role: "alert" });
  const cancel = el("button", { type: "button", class: "secondary", onclick: async () => {
    const { ok, data } = await api("POST", `/imports/${job.id}/cancel`);
    if (!ok) return tell(problem, errorText(data));
    renderJob(job.id);
  } }, t("cancel"));
  const { processed, total } = job.progress;
  return el("section", {}, el("h2", { id: "progress-heading" }, t("progress")),
    el("progress", { id: "progress-bar", "aria-labelledby": "progress-heading", max: total, value: processed }),
    el("p", { id: "progress-text" }, `${processed} / ${total}`), cancel, problem);
}

function showProgress(job) {
  const bar = document.getElementById("progress-bar");
  if (!bar) return;  // still analysing: nothing moves until the status changes
  const { processed, total } = job.progress;
  Object.assign(bar, { max: total, value: processed });
  document.getElementById("progress-text").textContent = `${processed} / ${total}`;
  for (const action of ACTIONS) document.querySelector(`.count-${action}`).textContent = job.counts[action];
}

function summarySection(job) {
  const problems = job.counts.error + job.counts.skip;
  return el("section", { id: "summary" }, el("h2", {}, t("summary")),
    el("p", {}, ACTIONS.map((action) => `${t(action)} ${job.counts[action]}`).join(" · ")),
    problems ? signedDownloadButton(t("download_errors"), () => errorsLink(job), { id: "download-errors" }) : null);
}

async function errorsLink(job) {
  const { ok, status, data } = await api("GET", `/imports/${job.id}`);
  return ok ? { ok, status, data: data.errors_csv_url } : { ok, status, data };
}

async function rowsSection(job, onlyErrors = false) {
  const query = new URLSearchParams({ limit: "200" });
  if (onlyErrors) query.set("action", "error");
  const { ok, data } = await api("GET", `/imports/${job.id}/rows?${query}`);
  const keyField = job.kind === "users" ? "code" : "student";
  const rows = ok ? scrollable(el("table", { id: "rows-table" },
    columnHeads([t("line"), t("action"), t(keyField), t("message")]),
    el("tbody", {}, data.items.map((row) => el("tr", { "data-action": row.action },
      el("td", {}, row.line), el("td", {}, actionLabel(row.action)), el("td", {}, row.values[keyField] ?? ""),
      el("td", {}, row.messages.join(" "))))))) : el("p", { class: "notice" }, errorText(data));
  const section = el("section", { id: "rows" }, el("h2", {}, t("preview")),
    el("label", { class: "inline", for: "only-errors" }, el("input", { type: "checkbox", id: "only-errors", checked: onlyErrors,
      onchange: async (event) => section.replaceWith(await rowsSection(job, event.target.checked)) }), t("only_errors")),
    rows);
  return section;
}
