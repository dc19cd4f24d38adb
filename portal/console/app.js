// The admin console: a client of the public /api/v1 contract only, so any portal frontend could do
// the same. The access token lives in this module's memory (never in localStorage): a reload means
// logging in again.
import { has, t, toggleLanguage } from "./i18n.js";

const FIELDS = {
  users: ["code", "first_name", "prefix", "last_name", "email", "password", "login_method"],
  enrollments: ["student", "department", "prognosis", "profile", "education", "main_group"],
};
const ACTIONS = ["create", "update", "unchanged", "skip", "error"];
const ICONS = { create: "✚", update: "✎", unchanged: "=", skip: "⤼", error: "✖" };
const ADMIN_RIGHTS = ["users:read", "imports:read", "enrollments:read"];
const POLL_MS = 500;

const session = { token: null, code: null, rights: [] };
let pollTimer = null;

// ---- HTTP -------------------------------------------------------------------------------------

async function api(method, path, body) {
  const headers = {};
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(`/api/v1${path}`, { method, headers, body: payload });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401 && session.token) logout();
  return { status: response.status, data };
}

async function download(path, filename) {
  const response = await fetch(`/api/v1${path}`, { headers: { Authorization: `Bearer ${session.token}` } });
  const url = URL.createObjectURL(await response.blob());
  const link = el("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// ---- DOM helpers ------------------------------------------------------------------------------

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, "");
    else if (value !== false && value != null) node.setAttribute(name, value);
  }
  for (const child of children.flat()) if (child != null) node.append(child instanceof Node ? child : String(child));
  return node;
}

function field(labelText, input, id) {
  input.id = id;
  return el("label", { for: id }, labelText, input, el("span", { class: "field-error", id: `${id}-error`, role: "alert" }));
}

function select(options, value, attributes = {}) {
  return el("select", attributes, options.map(([optionValue, text]) =>
    el("option", { value: optionValue, selected: optionValue === value }, text)));
}

function errorText(data) {
  // The contract's stable error codes get the console's own words; others the service's message.
  const code = data?.error?.code;
  if (code && has(`err_${code}`)) return t(`err_${code}`);
  return data?.error?.message ?? t("error");
}

function actionCell(action) {
  return el("span", { class: `action action-${action}` }, `${ICONS[action]} ${t(action)}`);
}

function main(...children) {
  clearInterval(pollTimer);
  const node = document.getElementById("main");
  node.replaceChildren(...children);
  return node;
}

// ---- session and routing ----------------------------------------------------------------------

function renderChrome() {
  document.title = t("title");
  document.getElementById("nav").hidden = !session.token;
  document.getElementById("logout").hidden = !session.token;
  document.getElementById("nav-users").textContent = t("users");
  document.getElementById("nav-imports").textContent = t("imports");
  document.getElementById("nav-enrollments").textContent = t("enrollments");
  document.getElementById("logout").textContent = t("logout");
  document.getElementById("language").textContent = t("language");
}

function logout() {
  Object.assign(session, { token: null, code: null, rights: [] });
  location.hash = "#/login";
  route();
}

function route() {
  renderChrome();
  const [, page, id] = location.hash.split("/");
  if (!session.token) return renderLogin();
  if (page === "imports" && id) return renderJob(id);
  if (page === "imports") return renderImports();
  if (page === "enrollments") return renderEnrollments();
  return renderUsers();
}

function renderLogin(message) {
  const code = el("input", { autocomplete: "username", required: true });
  const password = el("input", { type: "password", autocomplete: "current-password", required: true });
  const notice = el("p", { role: "alert", id: "login-message", class: message ? "notice" : "" }, message ?? "");
  const form = el("form", { onsubmit: async (event) => {
    event.preventDefault();
    const { status, data } = await api("POST", "/auth/token", { code: code.value, password: password.value });
    if (status !== 200) {
      notice.className = "notice";
      notice.textContent = t("login_failed");
      return;
    }
    session.token = data.access_token;
    session.code = code.value;
    const rights = await api("GET", `/users/${encodeURIComponent(code.value)}/rights`);
    session.rights = rights.data?.rights ?? [];
    if (!ADMIN_RIGHTS.some((right) => session.rights.includes(right))) {
      Object.assign(session, { token: null, code: null, rights: [] });
      renderChrome();
      return renderLogin(t("no_rights"));
    }
    location.hash = "#/users";
    route();
  } },
  el("h1", {}, t("login")), notice,
  field(t("code"), code, "login-code"), field(t("password"), password, "login-password"),
  el("div", {}, el("button", { type: "submit" }, t("login"))));
  main(el("section", {}, form));
  code.focus();
}

// ---- users ------------------------------------------------------------------------------------

const userList = { type: "", q: "", cursors: [null] };

async function renderUsers() {
  const typeSelect = select([["", t("all_users")], ["student", t("students")], ["employee", t("employees")],
    ["family_member", t("parents")]], userList.type, { id: "user-type" });
  const search = el("input", { type: "search", value: userList.q, id: "user-search" });
  const table = el("table", { id: "users-table" });
  const pager = el("div", { class: "row" });
  const filters = el("form", { class: "row", onsubmit: (event) => {
    event.preventDefault();
    Object.assign(userList, { type: typeSelect.value, q: search.value, cursors: [null] });
    loadUsers(table, pager);
  } }, el("label", { for: "user-type" }, t("users"), typeSelect), el("label", { for: "user-search" }, t("search"), search),
  el("div", { class: "button-cell" }, el("button", { type: "submit" }, t("search"))));
  typeSelect.addEventListener("change", () => filters.requestSubmit());
  main(el("h1", {}, t("users")), el("section", {}, filters, table, pager), renderAddUser(() => loadUsers(table, pager)));
  await loadUsers(table, pager);
}

async function loadUsers(table, pager) {
  const cursor = userList.cursors.at(-1);
  const query = new URLSearchParams({ limit: "50" });
  if (userList.type) query.set("type", userList.type);
  if (userList.q) query.set("q", userList.q);
  if (cursor) query.set("cursor", cursor);
  const { status, data } = await api("GET", `/users?${query}`);
  if (status !== 200) return table.replaceChildren(el("caption", { class: "notice" }, errorText(data)));
  const tick = (on) => (on ? el("span", { class: "tick", "aria-label": t("yes") }, "✔") : "");
  table.replaceChildren(
    el("thead", {}, el("tr", {}, [t("code"), t("name"), t("email"), t("lln"), t("employee"), t("parent"), t("archived")]
      .map((text) => el("th", { scope: "col" }, text)))),
    el("tbody", {}, data.items.map((user) => el("tr", { "data-code": user.code },
      el("td", {}, user.code),
      el("td", {}, [user.first_name, user.prefix, user.last_name].filter(Boolean).join(" ")),
      el("td", {}, user.email ?? ""),
      el("td", { class: "lln" }, tick(user.is_student)), el("td", {}, tick(user.is_employee)),
      el("td", {}, tick(user.is_family_member)), el("td", {}, tick(user.archived))))));
  pager.replaceChildren(
    el("button", { type: "button", class: "secondary", disabled: userList.cursors.length < 2, onclick: () => {
      userList.cursors.pop();
      loadUsers(table, pager);
    } }, t("previous")),
    el("button", { type: "button", class: "secondary", disabled: !data.next_cursor, onclick: () => {
      userList.cursors.push(data.next_cursor);
      loadUsers(table, pager);
    } }, t("next")));
}

function renderAddUser(onAdded) {
  const inputs = {
    code: el("input", { required: true, maxlength: 32 }),
    first_name: el("input"), prefix: el("input"), last_name: el("input"),
    email: el("input", { type: "email" }),
    password: el("input", { type: "password", autocomplete: "new-password" }),
    login_method: select([["password", t("login_method_password")], ["sso", t("login_method_sso")],
      ["none", t("login_method_none")]], "password"),
    is_student: el("input", { type: "checkbox" }),
  };
  const result = el("p", { role: "status", id: "add-user-result" });
  const form = el("form", { id: "add-user", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    form.querySelectorAll(".field-error").forEach((node) => { node.textContent = ""; });
    const body = { code: inputs.code.value, login_method: inputs.login_method.value, is_student: inputs.is_student.checked };
    for (const name of ["first_name", "prefix", "last_name", "email", "password"]) {
      if (inputs[name].value) body[name] = inputs[name].value;
    }
    const { status, data } = await api("POST", "/users", body);
    if (status === 201) {
      result.className = "ok";
      result.textContent = `${t("added")}: ${data.code}`;
      form.reset();
      return onAdded();
    }
    const target = document.getElementById(`new-${data?.error?.details?.field}-error`);
    result.className = target ? "" : "notice";
    result.textContent = target ? "" : errorText(data);
    if (target) target.textContent = errorText(data);
  } },
  el("h2", {}, t("add_user")),
  el("div", { class: "row" },
    field(t("code"), inputs.code, "new-code"), field(t("first_name"), inputs.first_name, "new-first_name"),
    field(t("prefix"), inputs.prefix, "new-prefix"), field(t("last_name"), inputs.last_name, "new-last_name"),
    field(t("email"), inputs.email, "new-email")),
  el("div", { class: "row" },
    field(t("password"), inputs.password, "new-password"), field(t("login_method"), inputs.login_method, "new-login_method"),
    el("label", { class: "inline", for: "new-is_student" }, Object.assign(inputs.is_student, { id: "new-is_student" }), t("as_student"))),
  el("button", { type: "submit" }, t("add")), result);
  return el("section", {}, form);
}

// ---- imports ----------------------------------------------------------------------------------

async function projectOptions() {
  const { data } = await api("GET", "/schedule-projects?limit=1000");
  return (data?.items ?? []).map((project) => [project.code, `${project.code} – ${project.name}`]);
}

async function renderImports() {
  const kind = select([["users", t("kind_users")], ["enrollments", t("kind_enrollments")]], "users", { id: "import-kind" });
  const file = el("input", { type: "file", accept: ".csv,.txt,text/csv,text/plain", required: true });
  const asStudent = el("input", { type: "checkbox", id: "import-as-student" });
  const mode = select([["import", t("mode_import")], ["update", t("mode_update")], ["synchronize", t("mode_synchronize")]],
    "import", { id: "import-mode" });
  const project = select(await projectOptions(), null, { id: "import-project" });
  const usersOptions = el("div", { class: "row" }, el("label", { class: "inline", for: "import-as-student" }, asStudent, t("as_student")),
    el("label", { for: "import-mode" }, t("mode"), mode));
  const enrollmentOptions = el("div", { class: "row", hidden: true }, el("label", { for: "import-project" }, t("schedule_project"), project));
  kind.addEventListener("change", () => {
    usersOptions.hidden = kind.value !== "users";
    enrollmentOptions.hidden = kind.value !== "enrollments";
  });
  const message = el("p", { role: "alert" });
  const form = el("form", { id: "new-import", onsubmit: async (event) => {
    event.preventDefault();
    const body = new FormData();
    body.append("file", file.files[0]);
    body.append("kind", kind.value);
    if (kind.value === "users") {
      body.append("as_student", asStudent.checked ? "true" : "false");
      body.append("mode", mode.value);
    } else body.append("schedule_project", project.value);
    const { status, data } = await api("POST", "/imports", body);
    if (status !== 202) {
      message.className = "notice";
      message.textContent = errorText(data);
      return;
    }
    location.hash = `#/imports/${data.id}`;
  } },
  el("h2", {}, t("new_import")),
  el("div", { class: "row" }, el("label", { for: "import-kind" }, t("kind"), kind), field(t("file"), file, "import-file")),
  usersOptions, enrollmentOptions, el("button", { type: "submit" }, t("upload")), message);

  const { data } = await api("GET", "/imports?limit=20");
  const history = el("table", { id: "import-history" },
    el("thead", {}, el("tr", {}, [t("created"), t("file"), t("kind"), t("status"), t("rows"), ...ACTIONS.map(t)]
      .map((text) => el("th", { scope: "col" }, text)))),
    el("tbody", {}, (data?.items ?? []).map((job) => el("tr", {},
      el("td", {}, new Date(job.created_at).toLocaleString()),
      el("td", {}, el("a", { href: `#/imports/${job.id}` }, job.filename)),
      el("td", {}, t(`kind_${job.kind}`)), el("td", {}, t(`status_${job.status}`)), el("td", {}, job.total_rows ?? ""),
      ACTIONS.map((action) => el("td", {}, job.counts[action]))))));
  main(el("h1", {}, t("imports")), el("section", {}, form), el("section", {}, el("h2", {}, t("history")), history));
}

async function renderJob(id) {
  const { status, data: job } = await api("GET", `/imports/${id}`);
  if (status !== 200) return main(el("p", { class: "notice" }, errorText(job)));
  const view = main(el("h1", {}, `${t("imports")}: ${job.filename}`),
    el("p", { id: "job-status", "data-status": job.status }, `${t("status")}: ${t(`status_${job.status}`)}`));
  if (job.status === "analyzing" || job.status === "queued" || job.status === "running") {
    pollTimer = setInterval(async () => {
      const next = await api("GET", `/imports/${id}`);
      if (next.status !== 200) return;
      if (next.data.status !== job.status) return renderJob(id);
      const bar = document.getElementById("progress-bar");
      if (bar) updateProgress(next.data);
    }, POLL_MS);
  }
  if (job.status === "analyzing") return view.append(el("section", {}, el("p", { role: "status" }, t("analyzing"))));
  if (job.status === "failed") {
    // The console's own words for a known problem; the service's message keeps the details (a line number).
    const known = has(`err_${job.error.code}`);
    const explanation = known ? `${t(`err_${job.error.code}`)} ${t("details")}: ${job.error.message}`
      : `${job.error.message} (${job.error.code})`;
    return view.append(el("section", {}, el("p", { class: "notice", role: "alert", id: "job-error" },
      `${t("failed")}: ${explanation}`)));
  }
  if (job.status === "ready") view.append(settingsSection(job));
  view.append(countsSection(job));
  if (job.status === "queued" || job.status === "running") view.append(progressSection(job));
  if (["completed", "cancelled"].includes(job.status)) view.append(summarySection(job));
  view.append(await rowsSection(job));
}

function settingsSection(job) {
  const { settings } = job;
  const patch = async (body) => {
    const { status, data } = await api("PATCH", `/imports/${job.id}`, body);
    if (status !== 200) return alert(errorText(data));
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
      el("label", { for: "job-mode" }, t("mode"), select([["import", t("mode_import")], ["update", t("mode_update")],
        ["synchronize", t("mode_synchronize")]], settings.mode, { id: "job-mode", onchange: (event) => patch({ mode: event.target.value }) })));
  } else {
    controls.append(el("p", {}, `${t("schedule_project")}: ${settings.schedule_project}`));
  }
  const choices = [...FIELDS[job.kind], "ignore"].map((name) => [name, t(name === "code" ? "code" : name)]);
  const labels = job.columns.map((column) => select(choices, column.field, {
    id: `column-${column.index}`, "aria-label": `${t("column_labels")}: ${column.header || column.index + 1}`,
    onchange: () => patch({ mapping: Object.fromEntries(labels.map((choice, index) => [String(index), choice.value])) }),
  }));
  const samples = el("table", { class: "samples", id: "sample-rows" },
    el("thead", {},
      el("tr", {}, job.columns.map((column, index) => el("th", { scope: "col" }, labels[index]))),
      el("tr", {}, job.columns.map((column) => el("th", { scope: "col" }, column.header)))),
    el("tbody", {}, job.sample_rows.map((row) => el("tr", {}, job.columns.map((column) => el("td", {}, row[column.index] ?? ""))))));
  const start = el("button", { type: "button", id: "start-import", onclick: async () => {
    start.disabled = true;
    const { status, data } = await api("POST", `/imports/${job.id}/start`);
    if (status !== 202) alert(errorText(data));
    renderJob(job.id);
  } }, t("start"));
  return el("section", {}, el("h2", {}, t("column_labels")), controls, el("div", { style: "overflow-x:auto" }, samples),
    el("p", {}, start));
}

function countsSection(job) {
  return el("section", { id: "counts" }, el("div", { class: "counts" },
    ACTIONS.map((action) => el("span", { "data-action": action }, actionCell(action), ": ",
      el("strong", { class: `count-${action}` }, job.counts[action]))),
    el("span", {}, `${t("total")}: `, el("strong", {}, job.total_rows ?? 0))));
}

function progressSection(job) {
  const cancel = el("button", { type: "button", class: "secondary", onclick: async () => {
    await api("POST", `/imports/${job.id}/cancel`);
    renderJob(job.id);
  } }, t("cancel"));
  const section = el("section", {}, el("h2", {}, t("progress")),
    el("div", { class: "bar", role: "progressbar", id: "progress-bar", "aria-valuemin": 0, "aria-valuemax": job.total_rows },
      el("div", {})), el("p", { id: "progress-text" }), cancel);
  setTimeout(() => updateProgress(job));
  return section;
}

function updateProgress(job) {
  const bar = document.getElementById("progress-bar");
  const { processed, total } = job.progress;
  bar.setAttribute("aria-valuenow", processed);
  bar.firstElementChild.style.width = `${total ? (100 * processed) / total : 0}%`;
  document.getElementById("progress-text").textContent = `${processed} / ${total}`;
  for (const action of ACTIONS) {
    const count = document.querySelector(`.count-${action}`);
    if (count) count.textContent = job.counts[action];
  }
}

function summarySection(job) {
  const problems = job.counts.error + job.counts.skip;
  return el("section", { id: "summary" }, el("h2", {}, t("summary")),
    el("p", {}, ACTIONS.map((action) => `${t(action)} ${job.counts[action]}`).join(" · ")),
    problems ? el("button", { type: "button", id: "download-errors",
      onclick: () => download(`/imports/${job.id}/errors.csv`, `import-${job.id}-errors.csv`) }, t("download_errors")) : null);
}

async function rowsSection(job, onlyErrors = false) {
  const query = new URLSearchParams({ limit: "200" });
  if (onlyErrors) query.set("action", "error");
  const { data } = await api("GET", `/imports/${job.id}/rows?${query}`);
  const keyField = job.kind === "users" ? "code" : "student";
  const section = el("section", { id: "rows" }, el("h2", {}, t("preview")),
    el("label", { class: "inline", for: "only-errors" }, el("input", { type: "checkbox", id: "only-errors", checked: onlyErrors,
      onchange: async (event) => section.replaceWith(await rowsSection(job, event.target.checked)) }), t("only_errors")),
    el("table", { id: "rows-table" },
      el("thead", {}, el("tr", {}, [t("line"), t("action"), t(keyField), t("message")].map((text) => el("th", { scope: "col" }, text)))),
      el("tbody", {}, (data?.items ?? []).map((row) => el("tr", { "data-action": row.action },
        el("td", {}, row.line), el("td", {}, actionCell(row.action)), el("td", {}, row.values[keyField] ?? ""),
        el("td", {}, row.messages.join(" ")))))));
  return section;
}

// ---- enrollments ------------------------------------------------------------------------------

const enrollmentView = { project: null, department: "" };

async function renderEnrollments() {
  const projects = await projectOptions();
  if (!projects.length) return main(el("h1", {}, t("enrollments")), el("p", {}, t("no_projects")));
  enrollmentView.project ??= projects[0][0];
  const projectSelect = select(projects, enrollmentView.project, { id: "enrollment-project", onchange: (event) => {
    Object.assign(enrollmentView, { project: event.target.value, department: "" });
    renderEnrollments();
  } });
  const project = enrollmentView.project;
  const departments = (await api("GET", `/schedule-projects/${encodeURIComponent(project)}/departments`)).data?.items ?? [];
  const departmentSelect = select([["", t("all_departments")], ...departments.map((item) => [item.code, item.name])],
    enrollmentView.department, { id: "enrollment-department", onchange: (event) => {
      enrollmentView.department = event.target.value;
      renderEnrollments();
    } });
  const query = new URLSearchParams({ limit: "1000" });
  if (enrollmentView.department) query.set("department", enrollmentView.department);
  const { data } = await api("GET", `/schedule-projects/${encodeURIComponent(project)}/enrollments?${query}`);
  const list = el("table", { id: "enrollments-table" },
    el("thead", {}, el("tr", {}, [t("student"), t("department"), t("prognosis"), t("profile"), t("education"),
      t("main_group"), t("learning_path"), ""].map((text) => el("th", { scope: "col" }, text)))),
    el("tbody", {}, (data?.items ?? []).map((item) => el("tr", {},
      el("td", {}, item.student), el("td", {}, item.department), el("td", {}, item.prognosis ?? ""),
      el("td", {}, item.profile ?? ""), el("td", {}, item.education ?? ""), el("td", {}, item.main_group ?? ""),
      el("td", {}, item.learning_path ?? ""),
      el("td", {}, el("button", { type: "button", class: "secondary", onclick: async () => {
        await api("DELETE", `/schedule-projects/${encodeURIComponent(project)}/enrollments/${item.id}`);
        renderEnrollments();
      } }, t("delete")))))));
  main(el("h1", {}, t("enrollments")),
    el("section", {}, el("div", { class: "row" }, el("label", { for: "enrollment-project" }, t("schedule_project"), projectSelect),
      el("label", { for: "enrollment-department" }, t("department"), departmentSelect)), list),
    renderAddEnrollment(project, departments), await renderPlacements(project));
}

function renderAddEnrollment(project, departments) {
  const inputs = { student: el("input", { required: true }),
    department: select(departments.map((item) => [item.code, item.name]), null),
    prognosis: el("input", { inputmode: "decimal" }), profile: el("input"), education: el("input"), main_group: el("input") };
  const result = el("p", { role: "alert" });
  const form = el("form", { id: "add-enrollment", onsubmit: async (event) => {
    event.preventDefault();
    const body = Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input.value || null]));
    const { status, data } = await api("POST", `/schedule-projects/${encodeURIComponent(project)}/enrollments`, body);
    if (status === 201) return renderEnrollments();
    result.className = "notice";
    result.textContent = errorText(data);
  } }, el("h2", {}, t("add_enrollment")),
  el("div", { class: "row" }, Object.entries(inputs).map(([name, input]) => field(t(name), input, `enroll-${name}`))),
  el("button", { type: "submit" }, t("add")), result);
  return el("section", {}, form);
}

async function renderPlacements(project) {
  const { data } = await api("GET", `/schedule-projects/${encodeURIComponent(project)}/placements`);
  return el("section", { id: "placements" }, el("h2", {}, t("placements")),
    el("button", { type: "button", onclick: () => download(
      `/schedule-projects/${encodeURIComponent(project)}/placements?format=csv`, `plaatsingen-${project}.csv`) },
    t("download_placements")),
    el("h2", {}, `${t("without_learning_path")} (${data?.without_learning_path?.length ?? 0})`),
    el("table", {}, el("thead", {}, el("tr", {}, [t("student"), t("department"), t("reason")].map((text) => el("th", {}, text)))),
      el("tbody", {}, (data?.without_learning_path ?? []).map((item) => el("tr", {},
        el("td", {}, item.student), el("td", {}, item.department), el("td", {}, t(item.reason)))))));
}

// ---- start ------------------------------------------------------------------------------------

document.getElementById("language").addEventListener("click", () => {
  toggleLanguage();
  route();
});
document.getElementById("logout").addEventListener("click", logout);
window.addEventListener("hashchange", route);
route();
