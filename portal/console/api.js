// The console's one way to call /api/v1. The access token lives only in this module's memory (never
// localStorage or a readable cookie); the refresh token lives in the session cookie the service sets
// (HttpOnly, so no script of the page can read it, scoped to /api/v1/auth). A reload therefore starts
// by asking for a new access token with that cookie.

import { language } from "./i18n.js";

// A cookie request must carry this header: a cross-site form cannot send it, a page of the portal can.
const BROWSER_HEADER = { "X-Requested-With": "portal" };
// Ask for a new access token this long before the old one expires (at most half its life).
const REFRESH_MARGIN_SECONDS = 60;

let token = null;
let refreshTimer = null;
let pendingRefresh = null;
let sessionExpired = () => {};
let refused = () => {};

export function inSession() {
  return token !== null;
}

// The user the access token was issued to (its "sub" claim). The service checks the token's
// signature; the console only reads who it is for.
export function tokenUser() {
  if (!token) return null;
  const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(payload)).sub;
}

// The rights the access token carries (its "rights" claim): those the user held when it was issued.
export function tokenRights() {
  if (!token) return [];
  const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(payload)).rights ?? [];
}

// What to do when the service refuses a request for want of a right (403 insufficient_rights):
// session.js reads the user's rights again.
export function whenRefused(callback) {
  refused = callback;
}

// What to do when the service no longer accepts the session (it ended, or could not be renewed).
export function whenSessionExpires(callback) {
  sessionExpired = callback;
}

// Log in with a code and password; the refresh token goes into the session cookie.
export async function logIn(code, password) {
  const answer = await request("POST", "/auth/token", { code, password, cookie: true }, readJson, { auth: false });
  if (answer.ok) startSession(answer.data);
  return answer;
}

// A new access token for the session cookie: on page load (true when a session was still open) and
// shortly before the token expires. One refresh at a time, since the cookie's token may be spent once.
export function refreshSession() {
  pendingRefresh ??= request("POST", "/auth/refresh", { cookie: true }, readJson, { auth: false, headers: BROWSER_HEADER })
    .then((answer) => {
      if (answer.ok) startSession(answer.data);
      else endSession();
      return answer.ok;
    })
    .finally(() => { pendingRefresh = null; });
  return pendingRefresh;
}

// End the session at the service (which also clears the cookie), then forget the token here.
export async function logOut() {
  // The access token goes along for a session whose cookie is gone; a refusal changes nothing here.
  const headers = token ? { ...BROWSER_HEADER, Authorization: `Bearer ${token}` } : BROWSER_HEADER;
  const answer = await request("POST", "/auth/logout", {}, () => null, { auth: false, headers });
  endSession();
  return answer;
}

function startSession({ access_token: accessToken, expires_in: expiresIn }) {
  token = accessToken;
  clearTimeout(refreshTimer);
  const wait = Math.max(expiresIn - REFRESH_MARGIN_SECONDS, expiresIn / 2);
  refreshTimer = setTimeout(async () => {
    if (token && !(await refreshSession())) sessionExpired();
  }, wait * 1000);
}

export function endSession() {
  token = null;
  clearTimeout(refreshTimer);
  refreshTimer = null;
}

// Every call answers { ok, status, data }. When ok is false, data has the contract's error shape
// {"error": {"code", "message", "details"}}, also for an answer that is not the contract's (a proxy's
// error page) or no answer at all (status 0), so a caller explains every failure the same way.
export async function api(method, path, body) {
  return request(method, path, body, readJson);
}

// A file (CSV) as a Blob in data; save it with dom.js's saveFile.
export async function download(path) {
  return request("GET", path, undefined, (response) => response.blob());
}

function readJson(response) {
  return response.status === 204 ? null : response.json();
}

async function request(method, path, body, read, { auth = true, headers: extra = {}, retried = false } = {}) {
  // The services answer (messages, row texts, a job's error) in the console's chosen language.
  const headers = { "Accept-Language": language(), ...extra };
  const sentToken = auth ? token : null;
  if (sentToken) headers.Authorization = `Bearer ${sentToken}`;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`/api/v1${path}`, { method, headers, body: payload, credentials: "same-origin" });
  } catch (problem) {
    return { ok: false, status: 0, data: errorShape("unreachable", problem.message) };
  }
  if (!response.ok) {
    const data = await errorBody(response);
    // A refused login or refresh is a 401 too; only a token the service stopped accepting ends the session.
    if (response.status === 401 && sentToken && token) {
      // A token that ran out (a laptop asleep, a timer held back in a background tab): renew once (unless
      // that happened while this request was under way), then retry.
      if (data.error.code === "token_expired" && !retried && (token !== sentToken || await refreshSession())) {
        return request(method, path, body, read, { auth, headers: extra, retried: true });
      }
      endSession();
      sessionExpired();
    }
    if (response.status === 403 && sentToken && data.error.code === "insufficient_rights") refused(data);
    return { ok: false, status: response.status, data };
  }
  return { ok: true, status: response.status, data: await read(response) };
}

async function errorBody(response) {
  const body = await response.json().catch(() => null);
  if (typeof body?.error?.code === "string") {
    return errorShape(body.error.code, body.error.message, body.error.details);
  }
  // A proxy's error page: its status text is in its own (English) words, so only the status is kept.
  return errorShape(`http_${response.status}`, "", { status: response.status });
}

function errorShape(code, message, details = {}) {
  return { error: { code, message, details } };
}
