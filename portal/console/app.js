// The admin console: a client of the public /api/v1 contract only (api.js), so any portal frontend
// could do the same. This module draws the header and shows the page the address (#/...) names; each
// page lives in pages/. A reload keeps the session (the session cookie gives a new access token) and
// the page; a login that the session's end forced returns to the page the administrator was on.
import { inSession, whenSessionExpires } from "./api.js";
import { el, pageAt } from "./dom.js";
import { setMenuOpen, setUpMenu } from "./header-menu.js";
import { t, toggleLanguage } from "./i18n.js";
import { renderAudit } from "./pages/audit.js";
import { renderEnrollments } from "./pages/enrollments.js";
import { renderJob } from "./pages/import-job.js";
import { renderImports } from "./pages/imports.js";
import { renderLearningPaths } from "./pages/learning-paths.js";
import { renderLogin } from "./pages/login.js";
import { renderScheduleProjects } from "./pages/schedule-projects.js";
import { renderSchoolFunctions } from "./pages/school-functions.js";
import { renderUser } from "./pages/user.js";
import { renderUsers } from "./pages/users.js";
import { needsText } from "./rights.js";
import { can, forget, leave, me, recheckRights, resume, whenRightsChange } from "./session.js";

// The header's pages, in order: [page in the address, text key, the right it needs to be read]. One
// entry a line, so that a new page is one added line. A page the user's rights do not let them read
// is left out of the header, and its address says which right it needs instead of a refusal.
const NAV = [
  ["users", "users", "users:read"],
  ["school-functions", "sf_title", "users:read"],
  ["imports", "imports", "imports:read"],
  ["enrollments", "enrollments", "enrollments:read"],
  ["schedule-projects", "enr_schedule_projects", "enrollments:read"],
  ["learning-paths", "enr_learning_paths", "enrollments:read"],
  ["audit", "audit", "audit:read"],
];

// The page an address without a (known) page opens: the first one the user may read.
function landing() {
  return (NAV.find(([, , right]) => can(right)) ?? NAV[0])[0];
}

function renderHeader(page) {
  document.title = t("title");
  const nav = document.getElementById("nav");
  nav.hidden = !inSession();
  nav.replaceChildren(...NAV.filter(([, , right]) => can(right)).map(([name, key]) =>
    el("a", { href: `#/${name}`, id: `nav-${name}`, "aria-current": name === page ? "page" : false }, t(key))));
  document.getElementById("logout").hidden = !inSession();
  document.getElementById("logout").textContent = t("logout");
  document.getElementById("language").textContent = t("language");
  // The phone's menu button (style.css shows it only on a narrow screen); logged out there is
  // nothing to fold away, as the language switch alone fits.
  const menuButton = document.getElementById("menu-button");
  menuButton.hidden = !inSession();
  menuButton.textContent = t("menu");
  if (!inSession()) setMenuOpen(false);
}

let routing = 0;

async function route(message) {
  const mine = ++routing;
  // Navigation reads the rights again now and then, so the page drawn follows a change of them.
  await recheckRights();
  if (mine !== routing) return;  // another address was asked for meanwhile
  const [, asked, id] = location.hash.split("/");
  const page = NAV.some(([name]) => name === asked) ? asked : landing();
  renderHeader(page);
  if (!inSession()) return renderLogin(afterLogin, message);
  const needed = NAV.find(([name]) => name === page)[2];
  // Everyone may read their own user page.
  const own = page === "users" && id && decoded(id) === me();
  if (!can(needed) && !own) return renderNoAccess(t(NAV.find(([name]) => name === page)[1]), needed);
  if (page === "users" && id) return renderUser(decoded(id));
  if (page === "school-functions") return renderSchoolFunctions();
  if (page === "imports" && id) return renderJob(id);
  if (page === "imports") return renderImports();
  if (page === "enrollments") return renderEnrollments(id && decodeURIComponent(id));
  if (page === "schedule-projects") return renderScheduleProjects(id && decodeURIComponent(id));
  if (page === "learning-paths") return renderLearningPaths();
  if (page === "audit") return renderAudit();
  return renderUsers();
}

// A page the user's rights do not let them read: which right it needs, instead of the API's refusal.
function renderNoAccess(title, right) {
  pageAt()(el("h1", {}, title), el("p", { class: "reason", id: "no-access", role: "note" },
    `${t("rt_no_access")} ${needsText([right])} ${t("imp_ask_manager")}`));
}

// A part of the address as written; one that is not valid percent-encoding is taken as it is.
function decoded(part) {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

// Back to the page in the address, unless that is the login itself (after "Uitloggen").
function afterLogin() {
  if (location.hash === "#/login") go(`#/${landing()}`);
  else route();
}

function go(hash) {
  // Setting the address it already has fires no hashchange, so that case is routed here.
  if (location.hash === hash) route();
  else location.hash = hash;
}

async function logout() {
  await leave();
  go("#/login");
}

document.getElementById("language").addEventListener("click", () => {
  toggleLanguage();
  route();
});
document.getElementById("logout").addEventListener("click", logout);
// The page stays in the address, so logging in again returns to it.
whenSessionExpires(() => {
  forget();
  route(t("session_ended"));
});
window.addEventListener("hashchange", () => {
  setMenuOpen(false);
  route();
});
// Rights read again after a refusal (or on return to the tab) that changed: the header and the page follow.
whenRightsChange(() => route());
setUpMenu();

async function start() {
  document.getElementById("main").setAttribute("aria-busy", "true");
  await resume();
  document.getElementById("main").removeAttribute("aria-busy");
  route();
}
start();
