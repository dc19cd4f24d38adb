// Schoolfuncties (Onderwijs > Schoolfuncties > Instellingen): every school function with its rights in
// a grid (a tick changes the function at once, PATCH), renaming, and creating one. Nobody grants or
// takes a right they do not hold, and the application manager keeps every right: those boxes are
// disabled, with the reason.
import { api } from "../api.js";
import { el, field, pageAt, scrollable, tell } from "../dom.js";
import { formatNumber, t } from "../i18n.js";
import { RIGHTS, gate, refusalText, rightName, rightWords } from "../rights.js";
import { can } from "../session.js";

const MANAGER_FUNCTION = "applicatiebeheerder";

export async function renderSchoolFunctions() {
  const show = pageAt();
  const { ok, data } = await api("GET", "/school-functions?limit=1000");
  const title = el("h1", {}, t("sf_title"));
  if (!ok) return show(title, el("p", { class: "notice", role: "alert" }, refusalText(data)));
  const writable = can("school_functions:write");
  const rights = [...RIGHTS, ...data.items.flatMap((fn) => fn.rights).filter((right) => !RIGHTS.includes(right))];
  show(...[title,
    el("section", { class: "explained" }, el("p", {}, t("sf_intro")),
      el("ul", {}, el("li", { id: "sf-about-leerling" }, t("sf_builtin_student")),
        el("li", { id: "sf-about-applicatiebeheerder" }, t("sf_builtin_manager")))),
    el("section", {},
      writable ? null : el("p", { class: "reason", id: "sf-no-write" }, t("sf_no_write")),
      writable && rights.some((right) => !can(right)) ? el("p", { class: "hint", id: "sf-legend" }, t("sf_not_held_legend")) : null,
      scrollable(grid(data.items, rights, writable)),
      el("p", { class: "muted" }, `${t("sf_count")}: ${formatNumber(data.items.length)}`)),
    writable ? createSection(rights) : null].filter(Boolean));
}

function grid(functions, rights, writable) {
  return el("table", { id: "sf-grid", class: "grid" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("sf_name")),
      rights.map((right) => el("th", { scope: "col", class: "right-head", title: right }, breakable(rightName(right)))))),
    el("tbody", {}, functions.map((fn) => functionRow(fn, rights, writable))));
}

// A column head may break inside the long Dutch compounds (a soft hyphen), so the grid fits a laptop.
function breakable(text) {
  return text.replace(/^(Afdelings|School)(?=[a-z])/, "$1\u00ad");
}

// Why this box cannot be changed by this user, or null.
function boxReason(fn, right, writable) {
  if (!writable) return t("sf_no_write");
  if (fn.code === MANAGER_FUNCTION) return t("sf_manager_fixed");
  if (!can(right)) return notHeld(right);
  return null;
}

// Why a right the user does not hold cannot be given or taken here, naming it.
function notHeld(right) {
  return `${rightWords(right)}: ${t("sf_not_held")}`;
}

function functionRow(fn, rights, writable) {
  const status = el("span", { role: "status", class: "sf-status", id: `sf-status-${fn.code}` });
  const current = { name: fn.name, rights: [...fn.rights] };
  const send = async (changes, undo) => {
    tell(status, "", "");
    const { ok, data } = await api("PATCH", `/school-functions/${encodeURIComponent(fn.code)}`, changes);
    if (!ok) {
      undo();
      return tell(status, refusalText(data));
    }
    Object.assign(current, { name: data.name, rights: data.rights });
    tell(status, t("sf_saved"), "ok");
  };
  const nameInput = el("input", { value: fn.name, "aria-label": `${t("sf_name")} ${fn.code}`, maxlength: 200,
    id: `sf-name-${fn.code}` });
  if (!writable) gate(["school_functions:write"], t("sf_no_write"), nameInput);
  const rename = el("form", { class: "rename", onsubmit: (event) => {
    event.preventDefault();
    if (nameInput.value !== current.name) send({ name: nameInput.value }, () => {});
  } }, nameInput, writable ? el("button", { type: "submit", class: "secondary" }, t("sf_rename")) : null);
  return el("tr", { "data-function": fn.code },
    el("th", { scope: "row", class: "function" }, rename, el("span", { class: "muted code" }, fn.code), " ", status),
    rights.map((right) => {
      const reason = boxReason(fn, right, writable);
      const box = el("input", { type: "checkbox", checked: fn.rights.includes(right), disabled: Boolean(reason),
        title: reason ?? "", "aria-label": `${fn.code}: ${rightName(right)}`, "data-right": right,
        onchange: () => {
          const wanted = box.checked ? [...current.rights, right] : current.rights.filter((other) => other !== right);
          send({ rights: wanted }, () => { box.checked = !box.checked; });
        } });
      if (!writable) gate(["school_functions:write"], reason, box);
      else if (fn.code !== MANAGER_FUNCTION && !can(right)) gate([right], reason, box);
      // On a phone the grid is a card per function, each box with its right's name (data-label).
      return el("td", { class: "box", "data-label": rightName(right) }, box);
    }));
}

function createSection(rights) {
  const code = el("input", { required: true, maxlength: 32, autocomplete: "off" });
  const name = el("input", { required: true, maxlength: 200, autocomplete: "off" });
  const boxes = rights.map((right) => {
    const box = el("input", { type: "checkbox", value: right, id: `sf-new-${right}` });
    if (!can(right)) gate([right], notHeld(right), box);
    return el("label", { class: "inline", for: `sf-new-${right}` }, box, rightName(right));
  });
  const result = el("p", { role: "status", id: "sf-create-result" });
  const form = el("form", { id: "sf-create", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    form.querySelectorAll(".field-error").forEach((node) => { node.textContent = ""; });
    const chosen = [...form.querySelectorAll("input[type=checkbox]:checked")].map((box) => box.value);
    const { ok, data } = await api("POST", "/school-functions", { code: code.value, name: name.value, rights: chosen });
    if (ok) {
      await renderSchoolFunctions();
      return tell(document.getElementById("sf-create-result"), `${t("sf_created")}: ${data.code}`, "ok");
    }
    const target = document.getElementById(`sf-new-${data.error.details?.field}-error`);
    if (target) {
      tell(result, "", "");
      target.textContent = refusalText(data);
    } else tell(result, refusalText(data));
  } },
  el("h2", {}, t("sf_create")),
  el("div", { class: "row" }, field(t("sf_code"), code, "sf-new-code"), field(t("sf_name"), name, "sf-new-name")),
  el("fieldset", { class: "rights-choice" }, el("legend", {}, t("sf_rights")), el("div", { class: "row" }, boxes),
    el("span", { class: "field-error", id: "sf-new-rights-error", role: "alert" })),
  el("button", { type: "submit" }, t("sf_create")), result);
  return el("section", {}, form);
}
