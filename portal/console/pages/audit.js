// Logboek: the audit trail (GET /audit), newest first, filtered by user (actor) and action, page by page.
// The actions to choose from are the ones the API's own OpenAPI document lists for the filter, so a new
// kind of entry shows up here without a copy in the console to keep in step.
import { api } from "../api.js";
import { columnHeads, el, pageAt, scrollable, select } from "../dom.js";
import { errorText } from "../errors.js";
import { formatMoment, has, t } from "../i18n.js";

const PAGE_SIZES = ["10", "25", "50", "100"];
// Kept between visits, so coming back shows the same filter and page.
const trail = { actor: "", action: "", limit: "50", cursors: [null] };
let actions = null;

export async function renderAudit() {
  const show = pageAt();
  actions ??= await auditActions();
  const actor = el("input", { value: trail.actor, id: "audit-actor", autocomplete: "off", maxlength: 32 });
  const action = select([["", t("all_actions")], ...actions.map((name) => [name, actionText(name)])], trail.action,
    { id: "audit-action" });
  const limit = select(PAGE_SIZES.map((size) => [size, size]), trail.limit, { id: "audit-limit" });
  const table = el("table", { id: "audit-table" });
  const pager = el("div", { class: "row pager" });
  const filters = el("form", { class: "row", id: "audit-filters", onsubmit: (event) => {
    event.preventDefault();
    Object.assign(trail, { actor: actor.value.trim(), action: action.value, limit: limit.value, cursors: [null] });
    loadEntries(table, pager);
  } },
  el("label", { for: "audit-actor" }, t("audit_user"), actor),
  el("label", { for: "audit-action" }, t("audit_action"), action),
  el("label", { for: "audit-limit" }, t("per_page"), limit),
  el("div", { class: "button-cell" }, el("button", { type: "submit" }, t("filter"))));
  for (const choice of [action, limit]) choice.addEventListener("change", () => filters.requestSubmit());
  show(el("h1", {}, t("audit")), el("section", {}, filters, scrollable(table), pager));
  await loadEntries(table, pager);
}

async function auditActions() {
  const { ok, data } = await api("GET", "/openapi.json");
  const parameters = ok ? data.paths?.["/api/v1/audit"]?.get?.parameters ?? [] : [];
  return parameters.find((parameter) => parameter.name === "action")?.schema?.enum ?? [];
}

async function loadEntries(table, pager) {
  const cursor = trail.cursors.at(-1);
  const query = new URLSearchParams({ limit: trail.limit });
  if (trail.actor) query.set("actor", trail.actor);
  if (trail.action) query.set("action", trail.action);
  if (cursor) query.set("cursor", cursor);
  table.setAttribute("aria-busy", "true");
  const { ok, data } = await api("GET", `/audit?${query}`);
  table.removeAttribute("aria-busy");
  if (!ok) return table.replaceChildren(el("caption", { class: "notice" }, errorText(data)));
  table.replaceChildren(
    columnHeads([t("audit_at"), t("audit_user"), t("audit_action"), t("audit_target"), t("details"), t("audit_client")]),
    // Each cell names its column (data-label), which a phone shows in front of it: there an entry is a card.
    el("tbody", {}, data.items.map((entry) => el("tr", { "data-action": entry.action, "data-id": entry.id },
      el("td", { class: "nowrap", "data-label": t("audit_at") }, el("time", { datetime: entry.at }, formatMoment(entry.at))),
      el("td", { "data-label": t("audit_user") }, entry.actor ?? el("span", { class: "muted" }, t("system"))),
      el("td", { class: `audit-action audit-${entry.action.split(".")[0]}`, "data-label": t("audit_action") },
        actionText(entry.action)),
      el("td", { "data-label": t("audit_target") }, entry.target ?? ""),
      el("td", { class: "details", "data-label": t("details") }, detailsText(entry.details)),
      el("td", { "data-label": t("audit_client") }, entry.client ?? "")))));
  if (data.items.length === 0) table.append(el("caption", {}, t("no_entries")));
  pager.replaceChildren(
    el("button", { type: "button", class: "secondary", id: "audit-previous", disabled: trail.cursors.length < 2,
      onclick: () => {
        trail.cursors.pop();
        loadEntries(table, pager);
      } }, t("previous")),
    el("span", { class: "page-number", id: "audit-page" }, String(trail.cursors.length)),
    el("button", { type: "button", class: "secondary", id: "audit-next", disabled: !data.next_cursor, onclick: () => {
      trail.cursors.push(data.next_cursor);
      loadEntries(table, pager);
    } }, t("next")));
}

function actionText(action) {
  return has(`action_${action}`) ? t(`action_${action}`) : action;
}

// {"fields": ["last_name", "password"]} reads "velden: last_name, password"; counts read "create 3, error 2".
function detailsText(details) {
  return Object.entries(details ?? {}).map(([key, value]) => `${has(key) ? t(key) : key}: ${valueText(value)}`).join("; ");
}

function valueText(value) {
  if (Array.isArray(value)) return value.map(valueText).join(", ");
  if (value !== null && typeof value === "object") {
    return Object.entries(value).map(([key, item]) => `${has(key) ? t(key) : key} ${valueText(item)}`).join(", ");
  }
  return String(value);
}
