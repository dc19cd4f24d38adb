"""errors.csv as a link a person can open: signed for one job's file, short-lived, no token needed;
every other request still needs the token."""

from __future__ import annotations

import io
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from shared.signed_links import LinkSigner
from tests.integration.conftest import ADMIN_PASSWORD, SERVICES_SECRET, token_for

PASSWORD = "download-password-1"


@pytest.fixture(scope="module")
def importer(service_apps):
    return service_apps["importer"].test_client()


@pytest.fixture(scope="module")
def bearer(service_apps):
    """Authorization headers: the application manager's, one reading imports only, and one that may
    import users without reading imports."""
    users = service_apps["users"].test_client()
    admin = {"Authorization": f"Bearer {token_for(users, 'admin', ADMIN_PASSWORD)}"}
    headers = {"admin": admin}
    for right, rights in {"imports:read": ["imports:read"], "imports:write": ["imports:write", "users:write"]}.items():
        function = "only-" + right.replace(":", "-")
        assert users.post("/api/v1/school-functions", headers=admin,
                          json={"code": function, "name": function, "rights": rights}).status_code == 201
        assert users.post("/api/v1/users", headers=admin, json={
            "code": function, "password": PASSWORD, "is_employee": True, "school_functions": [function],
        }).status_code == 201
        headers[right] = {"Authorization": f"Bearer {token_for(users, function, PASSWORD)}"}
    return headers


def upload(importer, headers) -> dict:
    response = importer.post("/api/v1/imports", headers=headers, content_type="multipart/form-data", data={
        "kind": "users", "file": (io.BytesIO(b"Leerlingnummer;Roepnaam\r\n12x;Zoe\r\n"), "leerlingen.csv")})
    assert response.status_code == 202, response.json
    return response.json


def with_query(path: str, link: str) -> str:
    """`path` with the expires and signature of another link."""
    return f"{path}?{urlsplit(link).query}"


def refusal(response) -> tuple[int, str]:
    return response.status_code, response.json["error"]["code"]


def test_the_jobs_errors_csv_url_opens_its_file_without_a_token(importer, bearer):
    job = upload(importer, bearer["admin"])
    link = job["errors_csv_url"]
    assert urlsplit(link).path == f"/api/v1/imports/{job['id']}/errors.csv"
    expires = int(parse_qs(urlsplit(link).query)["expires"][0])
    assert 0 < expires - time.time() <= 600

    response = importer.get(link)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.decode("utf-8-sig").splitlines()[0] == "line;code;action;message"


def test_every_answer_with_the_job_carries_a_fresh_link(importer, bearer):
    job = upload(importer, bearer["admin"])
    answered = importer.get(f"/api/v1/imports/{job['id']}", headers=bearer["admin"]).json
    listed = importer.get("/api/v1/imports", headers=bearer["admin"]).json["items"]
    assert importer.get(answered["errors_csv_url"]).status_code == 200
    assert all(importer.get(item["errors_csv_url"]).status_code == 200 for item in listed)


def test_an_expired_link_is_401_and_a_tampered_one_403_in_the_contracts_shape(importer, bearer):
    job = upload(importer, bearer["admin"])
    path = f"/api/v1/imports/{job['id']}/errors.csv"
    expired = LinkSigner(SERVICES_SECRET).sign(path, now=time.time() - 3600)
    assert refusal(importer.get(expired)) == (401, "link_expired")

    query = parse_qs(urlsplit(job["errors_csv_url"]).query)
    signature, expires = query["signature"][0], int(query["expires"][0])
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    for tampered in (f"{path}?expires={expires}&signature={flipped}",
                     f"{path}?expires={expires + 3600}&signature={signature}",  # a longer life
                     f"{path}?signature={signature}",
                     f"{path}?expires=1e9&signature={signature}",
                     LinkSigner("another-secret-that-signs-nothing-here-0123").sign(path)):
        response = importer.get(tampered)
        assert refusal(response) == (403, "invalid_signature"), tampered
        assert set(response.json["error"]) == {"code", "message", "details"}


def test_one_jobs_link_does_not_open_another_jobs_file_or_any_other_route(importer, bearer):
    first, second = upload(importer, bearer["admin"]), upload(importer, bearer["admin"])
    stolen = with_query(f"/api/v1/imports/{second['id']}/errors.csv", first["errors_csv_url"])
    assert refusal(importer.get(stolen)) == (403, "invalid_signature")
    for other_route in (f"/api/v1/imports/{first['id']}", f"/api/v1/imports/{first['id']}/rows"):
        assert refusal(importer.get(with_query(other_route, first["errors_csv_url"]))) == (401, "missing_token")


def test_without_a_signature_errors_csv_still_wants_a_token_with_imports_read(importer, bearer):
    job = upload(importer, bearer["admin"])
    path = f"/api/v1/imports/{job['id']}/errors.csv"
    assert refusal(importer.get(path)) == (401, "missing_token")
    assert refusal(importer.get(path, headers=bearer["imports:write"])) == (403, "insufficient_rights")
    assert importer.get(path, headers=bearer["imports:read"]).status_code == 200


def test_the_link_is_given_only_to_a_caller_who_may_read_the_file(importer, bearer):
    written = upload(importer, bearer["imports:write"])
    assert written["errors_csv_url"] is None
    read = importer.get(f"/api/v1/imports/{written['id']}", headers=bearer["imports:read"]).json
    assert importer.get(read["errors_csv_url"]).status_code == 200
