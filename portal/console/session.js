// Who is logged in and what they may do: the rights the users service gives for the token's user
// (GET /users/{code}/rights), read once per session so the header shows only the pages they may open.
import { api, endSession, inSession, logIn, logOut, refreshSession, tokenUser } from "./api.js";

// Any one of these opens the console; each page then shows what the service lets this user see.
const ADMIN_RIGHTS = ["users:read", "imports:read", "enrollments:read", "audit:read"];

let rights = [];

export function can(right) {
  return inSession() && rights.includes(right);
}

// The logged-in user's code and effective rights (read once per session).
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

// After a login or a refresh on page load: { ok } or { ok: false, reason } with reason "no_rights"
// or the failed answer's data.
async function admit() {
  const { ok, data } = await api("GET", `/users/${encodeURIComponent(tokenUser())}/rights`);
  if (ok && ADMIN_RIGHTS.some((right) => data.rights.includes(right))) {
    rights = data.rights;
    return { ok: true };
  }
  // Someone without rights leaves at once; a failed read (the service away) keeps the cookie for a reload.
  if (ok) await logOut();
  else endSession();
  rights = [];
  return { ok: false, reason: ok ? "no_rights" : data };
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
}

export function forget() {
  endSession();
  rights = [];
}
