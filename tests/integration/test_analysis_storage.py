"""An analysis whose worker cannot use its disk ends: the job fails and says why (real SQLite and
PostgreSQL, a real tmpfs as the worker's temporary directory)."""

import errno
import io
import os
import subprocess
import tempfile

import pytest

from services.importer import handlers
from services.importer.bootstrap import build_service, migrate
from services.importer.domain import MAX_ANALYSIS_ATTEMPTS, STORAGE_FAILED, STORAGE_FULL
from services.importer.seen_keys import SeenKeysFile
from shared.config import Settings
from shared.messages import ANALYZE_IMPORT
from tests.integration.conftest import MANAGER, RecordingSender
from tests.services import fresh_postgres_database

EXPORT = b"Leerlingnummer;Roepnaam\r\n" + b"".join(b"%06d;Naam\r\n" % code for code in range(100000, 100050))


@pytest.fixture(params=["sqlite", "postgresql"])
def importer(request, tmp_path):
    def service(url):
        settings = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path), "IMPORTER_DATABASE_URL": url,
                                      "PORTAL_SECRET_KEY": "analysis-storage-secret-0123456789abcdef"})
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


@pytest.fixture
def scratch_disk(tmp_path, monkeypatch):
    """Mounts a tmpfs with the given options as the temporary directory of this process (root only:
    elsewhere its mkdir fails as such a disk would, with the same errno)."""
    mounted = []

    def mount(options: str, fallback_errno: int) -> str:
        directory = tmp_path / f"scratch-{len(mounted)}"
        directory.mkdir()
        if os.geteuid() == 0:
            subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(directory)], check=True)
            mounted.append(directory)
        else:
            def failing_mkdtemp(*args, **kwargs):
                raise OSError(fallback_errno, os.strerror(fallback_errno))

            monkeypatch.setattr(tempfile, "mkdtemp", failing_mkdtemp)
        monkeypatch.setattr(tempfile, "tempdir", str(directory))
        return str(directory)

    yield mount
    for directory in mounted:
        subprocess.run(["umount", str(directory)], check=True)


def analyse_until_it_rests(importer, job_id) -> dict:
    """Run each analysis the importer sends, as its worker would, until it sends none."""
    for _ in range(MAX_ANALYSIS_ATTEMPTS + 2):
        analyses = [args for task, _, args in importer.sender.sent if task == ANALYZE_IMPORT]
        importer.sender.sent.clear()
        if not analyses:
            break
        for args in analyses:
            handlers.analyze_job(importer.unit_of_work(), *args, importer.timing)
    return handlers.get_job(importer.unit_of_work(), job_id)


def upload(importer) -> str:
    job = handlers.create_job(importer.unit_of_work(), "users", "export.csv", io.BytesIO(EXPORT), {}, MANAGER,
                              importer.max_upload_bytes)
    return job["id"]


def test_an_analysis_on_a_full_disk_fails_the_job_with_storage_full(importer, scratch_disk):
    scratch_disk("size=64k,nr_inodes=1", errno.ENOSPC)  # not even a directory fits
    job = analyse_until_it_rests(importer, upload(importer))
    assert job["status"] == "failed"
    assert job["error"]["code"] == STORAGE_FULL
    assert "No space left on device" in job["error"]["message"]
    assert f"{MAX_ANALYSIS_ATTEMPTS} times" in job["error"]["message"]
    assert job["finished_at"] is not None


def test_an_analysis_on_a_disk_it_cannot_write_fails_the_job_with_storage_failed(importer, scratch_disk):
    scratch_disk("size=64k,ro", errno.EROFS)
    job = analyse_until_it_rests(importer, upload(importer))
    assert job["status"] == "failed"
    assert job["error"]["code"] == STORAGE_FAILED
    assert "Read-only file system" in job["error"]["message"]


def test_the_file_is_analysed_when_the_disk_has_room_again_before_its_last_try(importer, scratch_disk, monkeypatch):
    scratch_disk("size=64k,nr_inodes=1", errno.ENOSPC)
    job_id = upload(importer)
    analyses = [args for task, _, args in importer.sender.sent if task == ANALYZE_IMPORT]
    importer.sender.sent.clear()
    handlers.analyze_job(importer.unit_of_work(), *analyses[0], importer.timing)  # the first try fails
    monkeypatch.undo()  # the worker's temporary directory has room again
    job = analyse_until_it_rests(importer, job_id)
    assert (job["status"], job["error"], job["total_rows"]) == ("analyzing", None, 50)  # its preview is out


def test_sqlite_finding_its_disk_full_is_the_os_error_a_full_disk_is(scratch_disk):
    scratch_disk("size=64k", errno.ENOSPC)
    with pytest.raises(OSError) as raised, SeenKeysFile() as keys:
        for start in range(0, 400000, 2000):  # SQLite writes once its page cache (2 MB) is full
            keys.earlier_lines({f"{code:07d}": code for code in range(start, start + 2000)})
    assert raised.value.errno == errno.ENOSPC
