// The console's one way to call /api/v1. The access token lives only in this module's memory (never
// localStorage or a cookie), so reloading the page means logging in again.

let token = null;
let sessionExpired = () => {};

export function startSession(accessToken) {
  token = accessToken;
}

export function endSession() {
  token = null;
}

export function inSession() {
  return token !== null;
}

// What to do when the service no longer accepts the token (it expired or was revoked).
export function whenSessionExpires(callback) {
  sessionExpired = callback;
}

// Every call answers { ok, status, data }. When ok is false, data has the contract's error shape
// {"error": {"code", "message", "details"}}, also for an answer that is not the contract's (a proxy's
// error page) or no answer at all (status 0), so a caller explains every failure the same way.
export async function api(method, path, body) {
  return request(method, path, body, (response) => (response.status === 204 ? null : response.json()));
}

// A file (CSV) as a Blob in data; save it with dom.js's saveFile.
export async function download(path) {
  return request("GET", path, undefined, (response) => response.blob());
}

async function request(method, path, body, read) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`/api/v1${path}`, { method, headers, body: payload });
  } catch (problem) {
    return { ok: false, status: 0, data: errorShape("unreachable", problem.message) };
  }
  if (!response.ok) {
    // A refused login is a 401 too; only a token the service stopped accepting ends the session.
    if (response.status === 401 && token) {
      token = null;
      sessionExpired();
    }
    return { ok: false, status: response.status, data: await errorBody(response) };
  }
  return { ok: true, status: response.status, data: await read(response) };
}

async function errorBody(response) {
  const body = await response.json().catch(() => null);
  if (typeof body?.error?.code === "string") {
    return errorShape(body.error.code, body.error.message, body.error.details);
  }
  return errorShape(`http_${response.status}`, `${response.status} ${response.statusText}`.trim());
}

function errorShape(code, message, details = {}) {
  return { error: { code, message, details } };
}
