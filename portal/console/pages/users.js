// Gebruikers: the user list with its filter, search and paging (each code opens the user's page,
// #/users/{code}), a link to Importeren for those who may import users, and the add-user form (for
// holders of users:write; others see why it is missing).
import { api } from "../api.js";
import { columnHeads, el, field, pageAt, scrollable, select, tell } from "../dom.js";
import { errorText } from "../errors.js";
import { t } from "../i18n.js";
import { can } from "../session.js";
import { missingToImport } from "./imports.js";

// Kept between visits, so coming back shows the same filter and page.
const userList = { type: "", q: "", cursors: [null] };

export async function renderUsers() {
  const show = pageAt();
  const typeSelect = select([["", t("all_users")], ["student", t("students")], ["employee", t("employees")],
    ["family_member", t("parents")]], userList.type, { id: "user-type" });
  const search = el("input", { type: "search", value: userList.q, id: "user-search" });
  const table = el("table", { id: "users-table" });
  const pager = el("div", { class: "row pager" });
  const filters = el("form", { class: "row", onsubmit: (event) => {
    event.preventDefault();
    Object.assign(userList, { type: typeSelect.value, q: search.value, cursors: [null] });
    loadUsers(table, pager);
  } }, el("label", { for: "user-type" }, t("users"), typeSelect), el("label", { for: "user-search" }, t("search"), search),
  el("div", { class: "button-cell" }, el("button", { type: "submit" }, t("search"))), importLink());
  typeSelect.addEventListener("change", () => filters.requestSubmit());
  show(el("h1", {}, t("users")), el("section", {}, filters, scrollable(table), pager), addUserSection(() => loadUsers(table, pager)));
  await loadUsers(table, pager);
}

// Many users at once come from a file: Importeren, offered beside the list only to whoever may read that
// page and import users there (as the page itself decides); others see no link rather than a closed one.
function importLink() {
  if (!can("imports:read") || missingToImport("users").length) return null;
  return el("div", { class: "button-cell list-action" },
    el("a", { href: "#/imports", id: "users-import", class: "button-link" }, t("usr_import")));
}

async function loadUsers(table, pager) {
  const cursor = userList.cursors.at(-1);
  const query = new URLSearchParams({ limit: "50" });
  if (userList.type) query.set("type", userList.type);
  if (userList.q) query.set("q", userList.q);
  if (cursor) query.set("cursor", cursor);
  const { ok, data } = await api("GET", `/users?${query}`);
  if (!ok) return table.replaceChildren(el("caption", { class: "notice" }, errorText(data)));
  const tick = (on) => (on ? el("span", { class: "tick", "aria-label": t("yes") }, "✔") : "");
  table.replaceChildren(
    columnHeads([t("code"), t("name"), t("email"), t("lln"), t("employee"), t("parent"), t("archived")]),
    el("tbody", {}, data.items.map((user) => el("tr", { "data-code": user.code },
      el("td", {}, el("a", { href: `#/users/${encodeURIComponent(user.code)}`, class: "user-link" }, user.code)),
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

function addUserSection(onAdded) {
  if (!can("users:write")) return el("section", {}, el("h2", {}, t("add_user")), el("p", { class: "reason", id: "add-user-reason" }, t("usr_no_add")));
  const inputs = {
    code: el("input", { required: true, maxlength: 32 }),
    first_name: el("input"), prefix: el("input"), last_name: el("input"),
    email: el("input", { type: "email" }),
    password: el("input", { type: "password", autocomplete: "new-password" }),
    login_method: select([["password", t("login_method_password")], ["sso", t("login_method_sso")],
      ["none", t("login_method_none")]], "password"),
    is_student: el("input", { type: "checkbox", id: "new-is_student" }),
    is_employee: el("input", { type: "checkbox", id: "new-is_employee" }),
    is_family_member: el("input", { type: "checkbox", id: "new-is_family_member" }),
  };
  const result = el("p", { role: "status", id: "add-user-result" });
  const form = el("form", { id: "add-user", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    form.querySelectorAll(".field-error").forEach((node) => { node.textContent = ""; });
    const body = { code: inputs.code.value, login_method: inputs.login_method.value, is_student: inputs.is_student.checked,
      is_employee: inputs.is_employee.checked, is_family_member: inputs.is_family_member.checked };
    for (const name of ["first_name", "prefix", "last_name", "email", "password"]) {
      if (inputs[name].value) body[name] = inputs[name].value;
    }
    const { ok, data } = await api("POST", "/users", body);
    if (ok) {
      result.className = "ok";
      result.replaceChildren(`${t("added")}: `, el("a", { href: `#/users/${encodeURIComponent(data.code)}` }, data.code),
        // The help page's next step for a new student: an enrollment in a schedule project.
        ...(data.is_student ? [" · ", el("a", { href: "#/enrollments", id: "add-user-next" }, `${t("wj_next_enrollment")} →`)] : []));
      form.reset();
      return onAdded();
    }
    // A refusal of one field (the digits-only rule for a student's code) is shown next to that field.
    const target = document.getElementById(`new-${data.error.details?.field}-error`);
    if (!target) return tell(result, errorText(data));
    tell(result, "", "");
    target.textContent = errorText(data);
  } },
  el("h2", {}, t("add_user")),
  el("div", { class: "row" },
    field(t("code"), inputs.code, "new-code"), field(t("first_name"), inputs.first_name, "new-first_name"),
    field(t("prefix"), inputs.prefix, "new-prefix"), field(t("last_name"), inputs.last_name, "new-last_name"),
    field(t("email"), inputs.email, "new-email")),
  el("div", { class: "row" },
    field(t("password"), inputs.password, "new-password"), field(t("login_method"), inputs.login_method, "new-login_method"),
    el("label", { class: "inline", for: "new-is_student" }, inputs.is_student, t("as_student")),
    el("label", { class: "inline", for: "new-is_employee" }, inputs.is_employee, t("usr_as_employee")),
    el("label", { class: "inline", for: "new-is_family_member" }, inputs.is_family_member, t("usr_as_parent"))),
  el("button", { type: "submit" }, t("add")), result);
  return el("section", {}, form);
}
