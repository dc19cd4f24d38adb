// The admin console: a client of the public /api/v1 contract only (api.js), so any portal frontend
// could do the same. This module draws the header and shows the page the address (#/...) names; each
// page lives in pages/.
import { endSession, inSession, whenSessionExpires } from "./api.js";
import { t, toggleLanguage } from "./i18n.js";
import { renderEnrollments } from "./pages/enrollments.js";
import { renderJob } from "./pages/import-job.js";
import { renderImports } from "./pages/imports.js";
import { renderLogin } from "./pages/login.js";
import { renderUsers } from "./pages/users.js";

function renderHeader() {
  document.title = t("title");
  document.getElementById("nav").hidden = !inSession();
  document.getElementById("logout").hidden = !inSession();
  document.getElementById("nav-users").textContent = t("users");
  document.getElementById("nav-imports").textContent = t("imports");
  document.getElementById("nav-enrollments").textContent = t("enrollments");
  document.getElementById("logout").textContent = t("logout");
  document.getElementById("language").textContent = t("language");
}

function route() {
  renderHeader();
  const [, page, id] = location.hash.split("/");
  if (!inSession()) return renderLogin(() => go("#/users"));
  if (page === "imports" && id) return renderJob(id);
  if (page === "imports") return renderImports();
  if (page === "enrollments") return renderEnrollments();
  return renderUsers();
}

function go(hash) {
  // Setting the address it already has fires no hashchange, so that case is routed here.
  if (location.hash === hash) route();
  else location.hash = hash;
}

function logout() {
  endSession();
  go("#/login");
}

document.getElementById("language").addEventListener("click", () => {
  toggleLanguage();
  route();
});
document.getElementById("logout").addEventListener("click", logout);
whenSessionExpires(logout);
window.addEventListener("hashchange", route);
route();
