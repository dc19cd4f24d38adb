// The admin console: a client of the public /api/v1 contract only (api.js), so any portal frontend
// could do the same. This module draws the header and shows the page the address (#/...) names; each
// page lives in pages/. A reload keeps the session (the session cookie gives a new access token) and
// the page; a login that the session's end forced returns to the page the administrator was on.
import { inSession, whenSessionExpires } from "./api.js";
import { t, toggleLanguage } from "./i18n.js";
import { renderAudit } from "./pages/audit.js";
import { renderEnrollments } from "./pages/enrollments.js";
import { renderJob } from "./pages/import-job.js";
import { renderImports } from "./pages/imports.js";
import { renderLearningPaths } from "./pages/learning-paths.js";
import { renderLogin } from "./pages/login.js";
import { renderScheduleProjects } from "./pages/schedule-projects.js";
import { renderUsers } from "./pages/users.js";
import { can, forget, leave, resume } from "./session.js";

function renderHeader() {
  document.title = t("title");
  document.getElementById("nav").hidden = !inSession();
  document.getElementById("logout").hidden = !inSession();
  document.getElementById("nav-users").textContent = t("users");
  document.getElementById("nav-imports").textContent = t("imports");
  document.getElementById("nav-enrollments").textContent = t("enrollments");
  document.getElementById("nav-schedule-projects").textContent = t("enr_schedule_projects");
  document.getElementById("nav-learning-paths").textContent = t("enr_learning_paths");
  document.getElementById("nav-audit").textContent = t("audit");
  document.getElementById("nav-audit").hidden = !can("audit:read");
  document.getElementById("logout").textContent = t("logout");
  document.getElementById("language").textContent = t("language");
}

function route(message) {
  renderHeader();
  const [, page, id] = location.hash.split("/");
  if (!inSession()) return renderLogin(afterLogin, message);
  if (page === "imports" && id) return renderJob(id);
  if (page === "imports") return renderImports();
  if (page === "enrollments") return renderEnrollments(id && decodeURIComponent(id));
  if (page === "schedule-projects") return renderScheduleProjects(id && decodeURIComponent(id));
  if (page === "learning-paths") return renderLearningPaths();
  if (page === "audit" && can("audit:read")) return renderAudit();
  return renderUsers();
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
window.addEventListener("hashchange", () => route());

async function start() {
  document.getElementById("main").setAttribute("aria-busy", "true");
  await resume();
  document.getElementById("main").removeAttribute("aria-busy");
  route();
}
start();
