"""The importer keeps an uploaded file sealed, and not for long (real SQLite and PostgreSQL)."""

import io

import pytest

from services.importer import handlers
from services.importer.bootstrap import build_service, migrate
from services.importer.handlers import Timing
from services.importer.orm import FileBlockRow
from shared.config import Settings
from shared.errors import NotFound
from tests.integration.conftest import MANAGER, RecordingSender
from tests.services import fresh_postgres_database

EXPORT = b"Leerlingnummer;Wachtwoord\r\n100234;geheim-wachtwoord-1\r\n"


@pytest.fixture(params=["sqlite", "postgresql"])
def importer(request, tmp_path):
    def service(url):
        settings = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path), "IMPORTER_DATABASE_URL": url,
                                      "PORTAL_SECRET_KEY": "import-files-secret-0123456789abcdef"})
        migrate(settings)
        return build_service(settings, RecordingSender())

    if request.param == "sqlite":
        running = service(f"sqlite:///{tmp_path / 'importer.sqlite3'}")
        yield running
    else:
        with fresh_postgres_database() as url:
            running = service(url)
            yield running
    running.engine.dispose()


def upload(importer) -> str:
    job = handlers.create_job(importer.unit_of_work(), "users", "export.csv", io.BytesIO(EXPORT), {}, MANAGER,
                              importer.max_upload_bytes)
    return job["id"]


def stored_bytes(importer, job_id) -> bytes:
    with importer.session_factory() as session:
        return b"".join(block.data for block in session.query(FileBlockRow).filter_by(job_id=job_id))


def test_the_stored_file_is_sealed_and_reads_back_whole(importer):
    job_id = upload(importer)
    stored = stored_bytes(importer, job_id)
    assert stored and b"geheim-wachtwoord-1" not in stored and b"Leerlingnummer" not in stored
    with importer.unit_of_work() as uow:
        assert b"".join(uow.jobs.file_blocks(job_id)) == EXPORT


def test_a_job_never_started_is_discarded_with_its_file_after_the_retention_time(importer):
    job_id = upload(importer)
    handlers.sweep(importer.unit_of_work(), Timing(retention_hours=24))
    assert handlers.get_job(importer.unit_of_work(), job_id)["status"] == "analyzing"
    handlers.sweep(importer.unit_of_work(), Timing(retention_hours=0))
    with pytest.raises(NotFound):
        handlers.get_job(importer.unit_of_work(), job_id)
    assert stored_bytes(importer, job_id) == b""
