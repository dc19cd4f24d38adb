"""A small HTTP client of the portal's public API, used by the CLI (and by the tests)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any


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

    def login(self, code: str, password: str) -> str:
        self.token = self.call("POST", "/api/v1/auth/token", {"code": code, "password": password})["access_token"]
        return self.token

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
        request = self._request("GET", path, None, {})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return response.read()

    def _send(self, method: str, path: str, data: bytes | None, headers: dict[str, str]) -> tuple[int, Any]:
        request = self._request(method, path, data, headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, _parse(response.read())
        except urllib.error.HTTPError as error:
            return error.code, _parse(error.read())

    def _request(self, method, path, data, headers) -> urllib.request.Request:
        request = urllib.request.Request(self.base_url.rstrip("/") + path, data=data, method=method)
        for name, value in headers.items():
            request.add_header(name, value)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        return request


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def _parse(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return {"error": {"code": "not_json", "message": raw[:200].decode(errors="replace")}}
