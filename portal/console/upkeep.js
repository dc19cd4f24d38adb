// What the pages for schedule projects, departments, learning paths and enrollments share: numbers
// typed back into inputs in the console's language, the enrollments:write right, tables whose rows are
// changed in a form beneath them and deleted only after a confirmation, and refusals shown at their field.
import { api } from "./api.js";
import { el, tell } from "./dom.js";
import { errorText } from "./errors.js";
import { language, t } from "./i18n.js";
import { can } from "./session.js";

// A number as the user types it back in an input (no thousands separators): "62,5".
export function numberInput(value) {
  if (value === null || value === undefined) return "";
  return language() === "nl" ? String(value).replace(".", ",") : String(value);
}

export function mayWrite() {
  return can("enrollments:write");
}

// Shown instead of the forms and buttons when the user may look but not change.
export function readOnlyNote() {
  return mayWrite() ? null : el("p", { class: "enr-readonly", role: "note" }, t("enr_read_only"));
}

export function projectPath(project, rest = "") {
  return `/schedule-projects/${encodeURIComponent(project)}${rest}`;
}

// "a, b ,c" -> ["a", "b", "c"]
export function listOf(text) {
  return text.split(",").map((part) => part.trim()).filter(Boolean);
}

// Labelled inputs for a form: specs are [name, labelText, input, hint?]; each gets an id
// `${prefix}-${name}` and a place for a refusal of just that field.
export function formFields(prefix, specs) {
  return specs.map(([name, labelText, input, hint]) => {
    input.id = `${prefix}-${name}`;
    input.name = name;
    return el("label", { for: input.id, class: `enr-field enr-field-${name}` }, labelText, input,
      hint ? el("small", { class: "enr-hint" }, hint) : null,
      el("span", { class: "field-error", id: `${input.id}-error`, role: "alert" }));
  });
}

// Every item of a list, following next_cursor page by page (a project may have thousands of
// enrollments); answers like api(), with all items in data.items.
export async function allItems(path) {
  const items = [];
  let cursor = null;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const answer = await api("GET", `${path}${separator}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    if (!answer.ok) return answer;
    items.push(...answer.data.items);
    cursor = answer.data.next_cursor;
  } while (cursor);
  return { ok: true, status: 200, data: { items } };
}

// A refusal next to the field it is about (details.field), else in the form's message element.
export function showRefusal(form, prefix, data, message) {
  for (const old of form.querySelectorAll(".field-error")) old.textContent = "";
  const field = data.error.details?.field;
  const place = field ? form.querySelector(`#${CSS.escape(`${prefix}-${field}-error`)}`) : null;
  if (place) {
    place.textContent = errorText(data);
    tell(message, "", "");
  } else tell(message, errorText(data));
}

// Years 1-12 as checkboxes (a learning path has several); `chosen` are ticked.
export function yearBoxes(prefix, chosen = []) {
  const boxes = el("fieldset", { class: "enr-years", id: `${prefix}-years_of_education` },
    el("legend", {}, t("enr_years")),
    Array.from({ length: 12 }, (_, index) => index + 1).map((year) => el("label", { class: "inline" },
      el("input", { type: "checkbox", value: String(year), checked: chosen.includes(year), name: "year" }), String(year))),
    el("span", { class: "field-error", id: `${prefix}-years_of_education-error`, role: "alert" }));
  boxes.chosen = () => [...boxes.querySelectorAll("input:checked")].map((box) => Number(box.value));
  return boxes;
}

// A delete button that asks first: the question and "Ja, verwijderen" / "Annuleren" take its place.
// remove() answers like api(); on success `done` runs, a refusal is shown beside the question.
export function confirmedDelete(question, remove, done, attributes = {}) {
  const holder = el("span", { class: "enr-delete" });
  const problem = el("span", { role: "alert" });
  const ask = () => holder.replaceChildren(
    el("span", { class: "enr-question" }, question),
    el("button", { type: "button", class: "danger", onclick: async (event) => {
      event.target.disabled = true;
      const { ok, data } = await remove();
      if (ok) return done();
      event.target.disabled = false;
      tell(problem, errorText(data));
    } }, t("enr_confirm_yes")),
    el("button", { type: "button", class: "secondary", onclick: () => {
      tell(problem, "", "");
      holder.replaceChildren(button, problem);
    } }, t("enr_cancel")),
    problem);
  const button = el("button", { type: "button", class: "secondary", ...attributes, onclick: ask }, t("enr_delete"));
  holder.append(button, problem);
  return holder;
}

// The edit and delete buttons of a table row (none without enrollments:write); `edit` opens the row's
// form beneath it.
export function rowActions(edit, deleteButton, editAttributes = {}) {
  if (!mayWrite()) return null;
  return el("div", { class: "enr-actions" },
    el("button", { type: "button", class: "secondary", ...editAttributes, onclick: edit }, t("enr_edit")), deleteButton);
}

// Open `form` in a row of its own beneath `row` (closing any other one open in the table).
export function openBeneath(row, form, columns) {
  for (const open of row.parentElement.querySelectorAll("tr.enr-edit")) open.remove();
  // What the page said about an earlier change is no longer news.
  for (const status of document.querySelectorAll("main [role=status]")) tell(status, "", "");
  const editRow = el("tr", { class: "enr-edit" }, el("td", { colspan: String(columns) }, form));
  row.after(editRow);
  form.querySelector("input:not([disabled]), select")?.focus();
  return () => editRow.remove();
}

// The buttons at the bottom of an edit form.
export function saveCancel(close) {
  return el("div", { class: "enr-buttons" }, el("button", { type: "submit" }, t("enr_save")),
    el("button", { type: "button", class: "secondary", onclick: close }, t("enr_cancel")));
}

// On a phone each row of the table becomes a card of labelled lines (the style sheet's .enr-cards),
// so its buttons are in sight without scrolling sideways; each cell is labelled with its column's head.
export function cardsOnPhone(table) {
  table.classList.add("enr-cards");
  const heads = [...table.querySelectorAll("thead th")].map((head) => head.textContent);
  for (const row of table.querySelectorAll("tbody tr")) {
    [...row.children].forEach((cell, index) => {
      if (heads[index]) cell.dataset.label = heads[index];
      cell.replaceChildren(el("div", { class: "enr-cell" }, ...cell.childNodes));
    });
  }
  return table;
}
