// One user (#/users/{code}): their details and types, login method and password, school functions,
// archiving, and their enrollments per schedule project. Every change is a PATCH of the user; a
// refusal is shown next to the form that asked for it, a refusal of one field next to that field.
import { api } from "../api.js";
import { columnHeads, el, field, pageAt, scrollable, select, tell } from "../dom.js";
import { formatNumber, t } from "../i18n.js";
import { RIGHTS, gate, needsText, refusalText, rightName } from "../rights.js";
import { can, lacking } from "../session.js";

const TYPES = [["is_student", "usr_type_student"], ["is_employee", "usr_type_employee"],
  ["is_family_member", "usr_type_family_member"]];
const STUDENT_FUNCTION = "leerling";

export async function renderUser(code) {
  const show = pageAt();
  const path = `/users/${encodeURIComponent(code)}`;
  // Someone without users:read sees only their own page, and not the list of school functions.
  const noFunctions = { ok: false, data: { items: [] } };
  const [user, functions, userRights] = await Promise.all([api("GET", path),
    can("users:read") ? api("GET", "/school-functions?limit=1000") : noFunctions, api("GET", `${path}/rights`)]);
  const back = el("p", {}, el("a", { href: "#/users" }, t("usr_back")));
  if (!user.ok) {
    return show(back, el("h1", {}, t("usr_user")), el("p", { class: "notice", role: "alert" },
      user.status === 404 ? t("usr_not_found") : refusalText(user.data)));
  }
  const page = { path, show, user: user.data, functions: functions.ok ? functions.data.items : [],
    // Password, login method, types, functions and archiving of a user who holds rights the
    // administrator does not hold are refused by the service; say so before they try.
    beyond: userRights.ok ? lacking(RIGHTS.filter((right) => userRights.data.rights.includes(right))) : [] };
  page.redraw = (changed) => {
    page.user = changed;
    drawUser(page, back);
  };
  drawUser(page, back, await enrollmentsSection(page.user));
}

function drawUser(page, back, enrollments = document.getElementById("user-enrollments")) {
  const { user } = page;
  const title = el("h1", { id: "user-title" }, `${fullName(user) || user.code} `, el("span", { class: "muted" }, `(${user.code})`),
    user.archived ? el("span", { class: "badge", id: "archived-badge" }, t("usr_archived_badge")) : null);
  // Said once at the top; the forms it closes repeat it in short.
  const noWrite = can("users:write") ? null : el("p", { class: "reason", id: "user-no-write" }, t("usr_no_write"));
  const beyond = guardedReason(page) && !noWrite ? el("p", { class: "reason", id: "user-beyond" }, guardedReason(page)) : null;
  page.show(back, title, noWrite, beyond, detailsSection(page), passwordSection(page), functionsSection(page),
    archiveSection(page), enrollments);
}

function fullName(user) {
  return [user.first_name, user.prefix, user.last_name].filter(Boolean).join(" ");
}

// A reason why the guarded parts (password, login method, types, functions, archiving) are closed, or
// null. The page says it once, at the top; the forms it closes say so in short (reasonAtForm).
function guardedReason(page) {
  if (!can("users:write")) return t("usr_no_write");
  if (page.beyond.length) return `${t("usr_higher_user")}: ${page.beyond.map(rightName).join(", ")}.`;
  return null;
}

// The rights whose lack closes the guarded parts (users:write, else those of the user beyond the
// administrator's), for gate().
function guardMissing(page) {
  return can("users:write") ? page.beyond : ["users:write"];
}

function reasonAtForm(page) {
  return guardedReason(page) && can("users:write") ? el("p", { class: "reason" }, t("usr_higher_user_short")) : null;
}

// Sends the changes, then redraws the page with the service's answer, or shows its refusal in `result`
// (a refusal of one field next to that field, when the form has a place for it).
async function patch(page, changes, result, form, success = t("usr_saved")) {
  form.querySelectorAll(".field-error").forEach((node) => { node.textContent = ""; });
  const { ok, data } = await api("PATCH", page.path, changes);
  if (!ok) {
    const target = form.querySelector(`#${CSS.escape(`usr-${data.error.details?.field}-error`)}`);
    if (target) {
      target.textContent = refusalText(data);
      return tell(result, "", "");
    }
    return tell(result, refusalText(data));
  }
  page.redraw(data);
  const shown = document.getElementById(result.id);
  if (shown) tell(shown, success, "ok");
}

function detailsSection(page) {
  const { user } = page;
  const guarded = guardedReason(page);
  const inputs = {
    first_name: el("input", { value: user.first_name ?? "", autocomplete: "off" }),
    prefix: el("input", { value: user.prefix ?? "", autocomplete: "off", class: "short" }),
    last_name: el("input", { value: user.last_name ?? "", autocomplete: "off" }),
    email: el("input", { type: "email", value: user.email ?? "", autocomplete: "off" }),
    login_method: select([["password", t("login_method_password")], ["sso", t("login_method_sso")],
      ["none", t("login_method_none")]], user.login_method, { disabled: Boolean(guarded) }),
  };
  const types = Object.fromEntries(TYPES.map(([name]) => [name,
    el("input", { type: "checkbox", id: `usr-${name}`, checked: user[name], disabled: Boolean(guarded) })]));
  const result = el("p", { role: "status", id: "user-details-result" });
  const form = el("form", { id: "user-details", novalidate: true, onsubmit: (event) => {
    event.preventDefault();
    const changes = {};
    for (const name of ["first_name", "prefix", "last_name", "email"]) {
      if (inputs[name].value !== (user[name] ?? "")) changes[name] = inputs[name].value;
    }
    if (inputs.login_method.value !== user.login_method) changes.login_method = inputs.login_method.value;
    for (const [name] of TYPES) if (types[name].checked !== user[name]) changes[name] = types[name].checked;
    if (!Object.keys(changes).length) return tell(result, t("usr_nothing_changed"), "ok");
    return patch(page, changes, result, form);
  } },
  el("h2", {}, t("usr_details")),
  el("fieldset", { disabled: !can("users:write") },
    el("div", { class: "row" },
      field(t("code"), el("input", { value: user.code, readonly: true, title: t("usr_code_fixed") }), "usr-code"),
      field(t("first_name"), inputs.first_name, "usr-first_name"), field(t("prefix"), inputs.prefix, "usr-prefix"),
      field(t("last_name"), inputs.last_name, "usr-last_name"), field(t("email"), inputs.email, "usr-email")),
    el("div", { class: "row" },
      el("div", { class: "group", role: "group", "aria-labelledby": "usr-types-label" },
        el("span", { class: "group-label", id: "usr-types-label" }, t("usr_types")),
        el("div", { class: "row" }, TYPES.map(([name, label]) => el("label", { class: "inline", for: `usr-${name}` },
          types[name], t(label)))),
        el("span", { class: "hint" }, t("usr_types_hint")),
        el("span", { class: "field-error", id: "usr-is_student-error", role: "alert" })),
      field(t("login_method"), inputs.login_method, "usr-login_method")),
    reasonAtForm(page),
    el("button", { type: "submit" }, t("usr_save"))),
  result);
  if (!can("users:write")) gate(["users:write"], t("usr_no_write"), form);
  else if (guarded) gate(page.beyond, guarded, inputs.login_method, ...Object.values(types));
  return el("section", {}, form);
}

function passwordSection(page) {
  const guarded = guardedReason(page);
  const input = el("input", { type: "password", autocomplete: "new-password", minlength: 8 });
  const result = el("p", { role: "status", id: "user-password-result" });
  const form = el("form", { id: "user-password", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    await patch(page, { password: input.value }, result, form, t("usr_password_set"));
  } },
  el("h2", {}, t("usr_password")),
  el("p", { id: "user-has-password" }, page.user.has_password ? t("usr_has_password") : t("usr_no_password"),
    page.user.login_method === "password" ? "" : ` ${t("usr_password_for_sso")}`),
  el("fieldset", { disabled: Boolean(guarded) },
    el("div", { class: "row" }, field(t("usr_new_password"), input, "usr-password"),
      el("div", { class: "button-cell" }, el("button", { type: "submit" }, t("usr_set_password"))))),
  el("p", { class: "hint" }, t("usr_password_hint")),
  reasonAtForm(page), result);
  if (guarded) gate(guardMissing(page), guarded, form);
  return el("section", {}, form);
}

function functionsSection(page) {
  const { user, functions } = page;
  const guarded = guardedReason(page);
  const rightsOf = Object.fromEntries(functions.map((fn) => [fn.code, fn.rights]));
  const nameOf = Object.fromEntries(functions.map((fn) => [fn.code, fn.name]));
  const result = el("p", { role: "status", id: "user-functions-result" });
  const form = el("form", { id: "user-functions", novalidate: true });
  const change = (next) => patch(page, { school_functions: next }, result, form);
  // Giving or taking a function needs every right it holds.
  const missingFor = (code) => lacking(rightsOf[code] ?? []);
  const list = user.school_functions.length ? el("ul", { class: "functions" }, user.school_functions.map((code) => {
    const missing = missingFor(code);
    const byType = code === STUDENT_FUNCTION && user.is_student;
    const reason = byType ? t("usr_student_function") : missing.length
      ? `${t("usr_function_needs")}: ${missing.map(rightName).join(", ")}` : null;
    const remove = el("button", { type: "button", class: "secondary", disabled: Boolean(guarded || reason),
      "aria-label": `${t("usr_remove")} ${code}`, title: byType ? reason : null,
      onclick: () => change(user.school_functions.filter((other) => other !== code)) }, t("usr_remove"));
    if (!byType) gate(missing, needsText(missing), remove);
    return el("li", { "data-function": code }, el("span", {}, nameOf[code] ?? code, " ", el("span", { class: "muted" }, `(${code})`)),
      remove, reason ? el("span", { class: "reason" }, reason) : null);
  })) : el("p", {}, t("usr_no_functions"));
  const others = functions.filter((fn) => !user.school_functions.includes(fn.code));
  const choice = el("select", { id: "usr-add-function" }, el("option", { value: "" }, t("usr_choose_function")),
    others.map((fn) => {
      const missing = missingFor(fn.code);
      return el("option", { value: fn.code, disabled: missing.length > 0 }, missing.length
        ? `${fn.name} (${t("usr_function_needs")}: ${missing.map(rightName).join(", ")})` : fn.name);
    }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (choice.value) change([...user.school_functions, choice.value]);
  });
  form.append(...[el("h2", {}, t("usr_functions")), list,
    el("fieldset", { disabled: Boolean(guarded) }, el("div", { class: "row" },
      el("label", { for: "usr-add-function" }, t("usr_add_function"), choice),
      el("div", { class: "button-cell" }, el("button", { type: "submit" }, t("add"))))),
    reasonAtForm(page),
    el("span", { class: "field-error", id: "usr-school_functions-error", role: "alert" }), result].filter(Boolean));
  if (guarded) gate(guardMissing(page), guarded, form);
  return el("section", {}, form);
}

function archiveSection(page) {
  const { user } = page;
  const guarded = guardedReason(page);
  const result = el("p", { role: "status", id: "user-archive-result" });
  const form = el("form", { id: "user-archive", onsubmit: (event) => {
    event.preventDefault();
    patch(page, { archived: !user.archived }, result, form);
  } },
  el("h2", {}, t("usr_archive_title")),
  el("p", {}, user.archived ? t("usr_is_archived") : t("usr_is_active")),
  el("button", { type: "submit", class: user.archived ? "" : "danger", disabled: Boolean(guarded) },
    user.archived ? t("usr_restore") : t("usr_archive")),
  reasonAtForm(page), result);
  if (guarded) gate(guardMissing(page), guarded, form);
  return el("section", {}, form);
}

// The user's enrollments in every schedule project (a student has at most one per project).
async function enrollmentsSection(user) {
  const section = el("section", { id: "user-enrollments" }, el("h2", {}, t("usr_enrollments")));
  if (!can("enrollments:read")) {
    section.append(el("p", { class: "reason", id: "user-enrollments-reason" }, needsText(["enrollments:read"])));
    return section;
  }
  if (!user.is_student && !/^[0-9]+$/.test(user.code)) {
    section.append(el("p", {}, t("usr_enrollments_not_student")));
    return section;
  }
  const projects = await api("GET", "/schedule-projects?limit=1000");
  if (!projects.ok) {
    section.append(el("p", { class: "notice" }, refusalText(projects.data)));
    return section;
  }
  const answers = await Promise.all(projects.data.items.map((project) =>
    api("GET", `/schedule-projects/${encodeURIComponent(project.code)}/enrollments?student=${encodeURIComponent(user.code)}`)
      .then((answer) => ({ project, answer }))));
  const rows = answers.flatMap(({ project, answer }) => (answer.ok ? answer.data.items : []).map((item) => el("tr", {},
    el("td", {}, el("a", { href: `#/schedule-projects/${encodeURIComponent(project.code)}` }, `${project.code} – ${project.name}`)),
    el("td", {}, project.school_year ?? ""), el("td", {}, item.department),
    el("td", { class: "number" }, item.prognosis == null ? "" : `${formatNumber(item.prognosis)}%`),
    el("td", {}, item.main_group ?? ""), el("td", {}, item.learning_path ?? ""))));
  const failed = answers.find(({ answer }) => !answer.ok);
  if (failed) section.append(el("p", { class: "notice" }, refusalText(failed.answer.data)));
  if (!rows.length) section.append(el("p", {}, t("usr_no_enrollments")));
  else {
    section.append(scrollable(el("table", { id: "user-enrollments-table" },
      columnHeads([t("schedule_project"), t("usr_school_year"), t("department"), t("prognosis"), t("main_group"),
        t("learning_path")]), el("tbody", {}, rows))));
  }
  return section;
}
