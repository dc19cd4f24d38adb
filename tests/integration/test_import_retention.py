"""A finished import's row results are deleted after PORTAL_IMPORT_RETENTION_DAYS, by the sweep and in
bounded batches; the job and its counts stay, and its rows answer 410 rows_expired (real SQLite and
PostgreSQL, the importer's HTTP API)."""

import io

import pytest
from sqlalchemy import select

from services.importer import analysis, handlers
from services.importer.app import create_app
from services.importer.bootstrap import build_service, migrate
from services.importer.handlers import Timing
from services.importer.orm import ChunkRow
from shared.auth import issue_token
from shared.config import Settings
from shared.messages import ANALYZE_IMPORT, APPLY_USER_ROWS, Chunk, ChunkResult, RowOut
from shared.rights import RIGHTS
from tests.integration.conftest import MANAGER, RecordingSender
from tests.services import fresh_postgres_database

SECRET = "import-retention-secret-0123456789abcdef"
EXPORT = b"Leerlingnummer;E-mailadres\r\n" + b"".join(
    b"%d;%s\r\n" % (code, b"geen-adres" if code == 300003 else b"a@school.nl") for code in range(300001, 300008))
KEEP = Timing(row_retention_days=30)
EXPIRE = Timing(row_retention_days=0)


@pytest.fixture(params=["sqlite", "postgresql"])
def importer(request, tmp_path, monkeypatch):
    monkeypatch.setattr(analysis, "CHUNK_ROWS", 2)  # 7 rows: 4 chunks, to see the batches

    def service(url):
        settings = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path), "IMPORTER_DATABASE_URL": url,
                                      "PORTAL_SECRET_KEY": SECRET})
        migrate(settings)
        running = build_service(settings, RecordingSender())
        return running, create_app(settings, running).test_client()

    if request.param == "sqlite":
        running, client = service(f"sqlite:///{tmp_path / 'importer.sqlite3'}")
        yield running, client
    else:
        with fresh_postgres_database() as url:
            running, client = service(url)
            yield running, client
    running.engine.dispose()


def headers() -> dict[str, str]:
    # Made when the test runs: a whole suite outlives a 15-minute token made at collection.
    return {"Authorization": f"Bearer {issue_token(SECRET, 'admin', RIGHTS)}"}


def answer_everything_sent(service) -> None:
    """The importer's and the users service's workers: each analysis run, each chunk answered (the row
    with an invalid email an error, the others created)."""
    while service.sender.sent:
        task, _, args = service.sender.sent.pop(0)
        if task == ANALYZE_IMPORT:
            handlers.analyze_job(service.unit_of_work(), *args, service.timing)
        elif task == APPLY_USER_ROWS:
            chunk = Chunk.from_message(args[0])
            rows = [RowOut(row.line, "error" if "geen" in row.values.get("email", "") else "create",
                           ["Invalid email."] if "geen" in row.values.get("email", "") else [],
                           applied=not chunk.dry_run) for row in chunk.rows]
            result = ChunkResult(chunk.job_id, chunk.generation, chunk.chunk_no, chunk.dry_run, rows)
            handlers.record_chunk_result(service.unit_of_work(), result, service.timing)


def completed_import(service) -> str:
    job = handlers.create_job(service.unit_of_work(), "users", "export.csv", io.BytesIO(EXPORT), {"start": "true"},
                              MANAGER, service.max_upload_bytes)
    answer_everything_sent(service)
    assert handlers.get_job(service.unit_of_work(), job["id"])["status"] == "completed"
    return job["id"]


def stored_rows(service, job_id) -> list:
    with service.session_factory() as session:
        return [(chunk.rows, chunk.result) for chunk in session.scalars(
            select(ChunkRow).where(ChunkRow.job_id == job_id).order_by(ChunkRow.chunk_no))]


def test_a_finished_jobs_rows_are_deleted_after_the_retention_and_it_keeps_its_counts(importer):
    service, client = importer
    job_id = completed_import(service)
    before = client.get(f"/api/v1/imports/{job_id}", headers=headers()).json
    assert before["counts"]["create"] == 6 and before["counts"]["error"] == 1 and before["rows_deleted_at"] is None

    handlers.sweep(service.unit_of_work(), KEEP)
    assert len(client.get(f"/api/v1/imports/{job_id}/rows", headers=headers()).json["items"]) == 7

    handlers.sweep(service.unit_of_work(), EXPIRE)
    after = client.get(f"/api/v1/imports/{job_id}", headers=headers()).json
    assert after["rows_deleted_at"] is not None
    assert {name: after[name] for name in ("status", "counts", "progress", "total_rows", "finished_at")} == \
        {name: before[name] for name in ("status", "counts", "progress", "total_rows", "finished_at")}
    assert stored_rows(service, job_id) == [([], [])] * 4  # the rows' values and results are gone

    for path in (f"/api/v1/imports/{job_id}/rows", f"/api/v1/imports/{job_id}/errors.csv",
                 after["errors_csv_url"]):
        response = client.get(path, headers=headers() if "signature" not in path else {})
        assert response.status_code == 410, (path, response.data)
        assert response.json["error"]["code"] == "rows_expired"
        assert response.json["error"]["details"]["rows_deleted_at"] == after["rows_deleted_at"]
    assert client.get("/api/v1/imports/not-a-job/rows", headers=headers()).status_code == 404


def test_the_sweep_deletes_rows_in_bounded_batches_a_few_jobs_at_a_time(importer, monkeypatch):
    service, client = importer
    first, second = completed_import(service), completed_import(service)
    monkeypatch.setattr(handlers, "EXPIRED_JOBS_PER_SWEEP", 1)
    monkeypatch.setattr(handlers, "EXPIRED_CHUNKS_PER_TRANSACTION", 3)  # 4 chunks: two transactions
    handlers.sweep(service.unit_of_work(), EXPIRE)
    assert client.get(f"/api/v1/imports/{first}/rows", headers=headers()).status_code == 410
    assert len(client.get(f"/api/v1/imports/{second}/rows", headers=headers()).json["items"]) == 7
    handlers.sweep(service.unit_of_work(), EXPIRE)
    assert client.get(f"/api/v1/imports/{second}/rows", headers=headers()).status_code == 410
    assert stored_rows(service, second) == [([], [])] * 4


def test_jobs_not_finished_keep_their_rows_whatever_their_age(importer):
    service, client = importer
    job = handlers.create_job(service.unit_of_work(), "users", "export.csv", io.BytesIO(EXPORT), {}, MANAGER,
                              service.max_upload_bytes)
    answer_everything_sent(service)  # previewed: ready, waiting for someone to start it
    handlers.sweep(service.unit_of_work(), EXPIRE)
    assert client.get(f"/api/v1/imports/{job['id']}", headers=headers()).json["status"] == "ready"
    assert len(client.get(f"/api/v1/imports/{job['id']}/rows", headers=headers()).json["items"]) == 7
