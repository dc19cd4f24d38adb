// Who is logged in and what they may do: the rights the users service gives for the token's user
// (GET /users/{code}/rights), so the header shows only the pages they may open and each page closes
// what they may not do. Rights change while someone is logged in (an administrator gives a school
// function a right), so they are read again: on navigation (at most every RECHECK_SECONDS), when the
// tab comes back into view, and at once after the API refused something for want of a right.
import { api, endSession, inSession, logIn, logOut, refreshSession, tokenRights, tokenUser, whenRefused } from "./api.js";

// Any one of these opens the console; each page then shows what the service lets this user see.
const ADMIN_RIGHTS = ["users:read", "imports:read", "enrollments:read", "audit:read"];
// Navigation reads the rights again when the last read is older than this.
export const RECHECK_SECONDS = 30;

let rights = [];
let readAt = 0;
let pendingRead = null;
let rightsChanged = () => {};

export function can(right) {
  return inSession() && rights.includes(right);
}

// The logged-in user's code.
export function me() {
  return inSession() ? tokenUser() : null;
}

export function heldRights() {
  return inSession() ? [...rights] : [];
}

// The rights of `wanted` that the logged-in user does not hold, in the order given.
export function lacking(wanted) {
  return wanted.filter((right) => !can(right));
}

// What to do when a read finds other rights than before (app.js draws the header and page anew).
export function whenRightsChange(callback) {
  rightsChanged = callback;
}

// The rights the user holds now and may use: the service checks the access token's rights (those at
// its issue) less any lost since, so a right given since then needs a new token first, which the
// session cookie gives. Answers { ok, rights } or { ok: false, data } (the failed answer).
function readRights() {
  pendingRead ??= (async () => {
    const { ok, data } = await api("GET", `/users/${encodeURIComponent(tokenUser())}/rights`);
    if (!ok) return { ok, data };
    if (data.rights.some((right) => !tokenRights().includes(right))) await refreshSession();
    readAt = Date.now();
    return { ok, rights: data.rights.filter((right) => tokenRights().includes(right)) };
  })().finally(() => { pendingRead = null; });
  return pendingRead;
}

// Reads the rights again, unless they were read less than RECHECK_SECONDS ago (force: read anyway).
// True when they changed. A failed read (the service away) keeps the rights the console had.
export async function recheckRights({ force = false } = {}) {
  if (!inSession() || (!force && Date.now() - readAt < RECHECK_SECONDS * 1000)) return false;
  const answer = await readRights();
  if (!answer.ok || !inSession()) return false;
  const changed = [...answer.rights].sort().join() !== [...rights].sort().join();
  rights = answer.rights;
  return changed;
}

// A refusal for want of a right: perhaps the rights changed since they were read (one was taken away,
// or the page was drawn before one was given). Read them at once; when they changed, draw anew.
whenRefused(async () => {
  if (await recheckRights({ force: true })) rightsChanged();
});
// Coming back to the tab after a while: the rights may have changed meanwhile.
document.addEventListener("visibilitychange", async () => {
  if (document.visibilityState === "visible" && await recheckRights()) rightsChanged();
});

// After a login or a refresh on page load: { ok } or { ok: false, reason } with reason "no_rights"
// or the failed answer's data.
async function admit() {
  const answer = await readRights();
  if (answer.ok && ADMIN_RIGHTS.some((right) => answer.rights.includes(right))) {
    rights = answer.rights;
    return { ok: true };
  }
  // Someone without rights leaves at once; a failed read (the service away) keeps the cookie for a reload.
  if (answer.ok) await logOut();
  else endSession();
  rights = [];
  return { ok: false, reason: answer.ok ? "no_rights" : answer.data };
}

export async function logInAs(code, password) {
  const login = await logIn(code, password);
  if (!login.ok) return { ok: false, reason: login.data };
  return admit();
}

// On page load: the session cookie, if the browser still has one, gives a new access token.
export async function resume() {
  if (!(await refreshSession())) return false;
  return (await admit()).ok;
}

export async function leave() {
  await logOut();
  rights = [];
  readAt = 0;
}

export function forget() {
  endSession();
  rights = [];
  readAt = 0;
}
