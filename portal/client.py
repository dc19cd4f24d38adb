"""A small HTTP client of the portal's public API, used by the CLI (and by the tests)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portal.saved_sessions import Refreshed, StoredSession


class ApiError(Exception):
    def __init__(self, status: int, body: Any):
        error = body.get("error", {}) if isinstance(body, dict) else {}
        super().__init__(f"{status} {error.get('code', '')}: {error.get('message', body)}")
        self.status, self.body = status, body
        self.code = error.get("code")


@dataclass
class PortalClient:
    base_url: str
    token: str | None = None
    timeout: float = 60.0
    refresh_token: str | None = None  # from login: a request refused for an expired token is sent again once
    stored: StoredSession | None = None  # `portal login`'s session: refreshed through its store, not refresh_token
    stored_refused: Refreshed | None = None  # why the stored session could not be refreshed
    language: str | None = None  # sent as Accept-Language: the portal's messages in the command's language

    def login(self, code: str, password: str) -> str:
        answer = self.call("POST", "/api/v1/auth/token", {"code": code, "password": password})
        self.token, self.refresh_token = answer["access_token"], answer.get("refresh_token")
        return self.token

    def refresh(self) -> bool:
        """A new access token from the refresh token (access tokens live 15 minutes); False when none."""
        if self.stored is not None:
            refreshed = self.stored.refresh(self.exchange)
            self.token = refreshed.access_token
            self.stored_refused = None if refreshed.access_token else refreshed
            return self.token is not None
        if self.refresh_token is None:
            return False
        status, answer = self.exchange(self.refresh_token)
        if status != 200:
            self.refresh_token = None
            return False
        self.token, self.refresh_token = answer["access_token"], answer.get("refresh_token")
        return True

    def exchange(self, refresh_token: str) -> tuple[int, Any]:
        """POST /api/v1/auth/refresh: (status, answer), the new pair when 200."""
        return self._send_once("POST", "/api/v1/auth/refresh", json.dumps({"refresh_token": refresh_token}).encode(),
                               {"Content-Type": "application/json"}, with_token=False)

    def log_out(self, refresh_token: str) -> None:
        """End the session of the refresh token (the portal answers 204 for one it does not know, too)."""
        self.call("POST", "/api/v1/auth/logout", {"refresh_token": refresh_token})

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """The parsed JSON answer; ApiError for any 4xx/5xx."""
        status, answer = self.request(method, path, body)
        if status >= 400:
            raise ApiError(status, answer)
        return answer

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if body is not None else {}
        return self._send(method, path, data, headers)

    def upload(self, path: str, fields: dict[str, Any], filename: str, content: bytes) -> tuple[int, Any]:
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                         f"{_form_value(value)}\r\n".encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                     "Content-Type: text/csv\r\n\r\n".encode() + content + b"\r\n")
        data = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self._send("POST", path, data, {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def download(self, path: str) -> bytes:
        try:
            return self._download(path)
        except urllib.error.HTTPError as error:
            if not (error.code == 401 and _code_of(_parse(error.read())) == "token_expired" and self.refresh()):
                raise
            return self._download(path)

    def _download(self, path: str) -> bytes:
        request = self._request("GET", path, None, {})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return response.read()

    def _send(self, method: str, path: str, data: bytes | None, headers: dict[str, str]) -> tuple[int, Any]:
        status, answer = self._send_once(method, path, data, headers)
        if status == 401 and _code_of(answer) == "token_expired" and self.refresh():
            status, answer = self._send_once(method, path, data, headers)
        return status, answer

    def _send_once(self, method: str, path: str, data: bytes | None, headers: dict[str, str],
                   with_token: bool = True) -> tuple[int, Any]:
        request = self._request(method, path, data, headers, with_token)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, _parse(response.read())
        except urllib.error.HTTPError as error:
            return error.code, _parse(error.read())

    def _request(self, method, path, data, headers, with_token: bool = True) -> urllib.request.Request:
        request = urllib.request.Request(self.base_url.rstrip("/") + path, data=data, method=method)
        for name, value in headers.items():
            request.add_header(name, value)
        if self.token and with_token:
            request.add_header("Authorization", f"Bearer {self.token}")
        if self.language:
            request.add_header("Accept-Language", self.language)
        return request


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def _code_of(answer: Any) -> str | None:
    error = answer.get("error") if isinstance(answer, dict) else None
    return error.get("code") if isinstance(error, dict) else None


def _parse(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return {"error": {"code": "not_json", "message": raw[:200].decode(errors="replace")}}
