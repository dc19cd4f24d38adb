// The admin console: a client of the public /api/v1 contract only (api.js), so any portal frontend
// could do the same. This module draws the header and shows the page the address (#/...) names; each
// page lives in pages/. A reload keeps the session (the session cookie gives a new access token) and
// the page; a login that the session's end forced returns to the page the administrator was on.
import { inSession, whenSessionExpires } from "./api.js";
import { el } from "./dom.js";
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
import { can, forget, leave, resume } from "./session.js";

// The header's pages, in order: [page in the address, text key, the right it needs (null: any
// administrator)]. One entry a line, so that a new page is one added line.
const NAV = [
  ["users", "users", null],
  ["school-functions", "sf_title", null],
  ["imports", "imports", null],
  ["enrollments", "enrollments", null],
  ["schedule-projects", "enr_schedule_projects", null],
  ["learning-paths", "enr_learning_paths", null],
  ["audit", "audit", "audit:read"],
];

function renderHeader(page) {
  document.title = t("title");
  const nav = document.getElementById("nav");
  nav.hidden = !inSession();
  nav.replaceChildren(...NAV.filter(([, , right]) => right === null || can(right)).map(([name, key]) =>
    el("a", { href: `#/${name}`, id: `nav-${name}`, "aria-current": name === (page || "users") ? "page" : false }, t(key))));
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

function route(message) {
  const [, page, id] = location.hash.split("/");
  renderHeader(page);
  if (!inSession()) return renderLogin(afterLogin, message);
  if (page === "users" && id) return renderUser(decoded(id));
  if (page === "school-functions") return renderSchoolFunctions();
  if (page === "imports" && id) return renderJob(id);
  if (page === "imports") return renderImports();
  if (page === "enrollments") return renderEnrollments(id && decodeURIComponent(id));
  if (page === "schedule-projects") return renderScheduleProjects(id && decodeURIComponent(id));
  if (page === "learning-paths") return renderLearningPaths();
  if (page === "audit" && can("audit:read")) return renderAudit();
  return renderUsers();
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
  if (location.hash === "#/login") go("#/users");
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
setUpMenu();

async function start() {
  document.getElementById("main").setAttribute("aria-busy", "true");
  await resume();
  document.getElementById("main").removeAttribute("aria-busy");
  route();
}
start();
