"""The gateway's server refuses a body too large for its route from the headers alone."""

import json
import socket
import threading

import pytest
from waitress import create_server

from portal.body_limits import limit_bodies_by_route

UPLOAD_LIMIT = 8 * 1024 * 1024


def echo_length(environ, start_response):
    body = environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(len(body)).encode()]


@pytest.fixture
def server():
    server = create_server(echo_length, host="127.0.0.1", port=0, threads=2, max_request_body_size=UPLOAD_LIMIT)
    limit_bodies_by_route(server)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield server
    server.close()


def send(server, request: bytes, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", server.effective_port), timeout=5) as connection:
        connection.sendall(request + body)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
            if b"\r\n\r\n" in answer and _complete(answer):
                break
    head, _, content = answer.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, content


def _complete(answer: bytes) -> bool:
    head, _, content = answer.partition(b"\r\n\r\n")
    length = [line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
    return bool(length) and len(content) >= int(length[0].split(b":")[1])


def post(path: str, length: int) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: portal\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\nConnection: close\r\n\r\n").encode()


def test_a_json_route_refuses_a_body_over_one_megabyte_before_it_is_sent(server):
    # Only the headers go out: the answer comes without waiting for the 5 MB.
    status, headers, content = send(server, post("/api/v1/auth/token", 5 * 1024 * 1024))
    assert status == 413 and headers["Content-Type"] == "application/json"
    assert json.loads(content)["error"]["code"] == "payload_too_large"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_one_megabyte_of_json_still_reaches_the_service(server):
    status, _, content = send(server, post("/api/v1/users", 1024 * 1024), b" " * (1024 * 1024))
    assert status == 200 and content == str(1024 * 1024).encode()


def test_the_upload_route_takes_a_file_larger_than_any_json_body(server):
    size = 3 * 1024 * 1024
    status, _, content = send(server, post("/api/v1/imports", size), b"x" * size)
    assert status == 200 and content == str(size).encode()
    status, _, _ = send(server, post("/api/v1/imports/some-job", size))
    assert status == 413


def test_a_chunked_json_body_is_refused_once_it_grows_past_one_megabyte(server):
    request = (b"POST /api/v1/users HTTP/1.1\r\nHost: portal\r\nContent-Type: application/json\r\n"
               b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    piece = b"x" * 65536
    chunks = (b"%x\r\n" % len(piece) + piece + b"\r\n") * 20 + b"0\r\n\r\n"
    status, headers, content = send(server, request, chunks)
    assert status == 413 and json.loads(content)["error"]["code"] == "payload_too_large"
