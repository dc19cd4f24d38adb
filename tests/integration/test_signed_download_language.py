"""errors.csv's signed link in the reader's language: an English reader is given a link that opens
the English file; a link without `lang` (every link made before) opens the Dutch one; a `lang` the
portal does not speak is refused, never silently read as Dutch."""

from __future__ import annotations

import io
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from services.importer import handlers
from shared.catalogue import note
from shared.messages import ANALYZE_IMPORT, APPLY_USER_ROWS, Chunk, ChunkResult, RowOut
from shared.signed_links import LinkSigner
from tests.integration.conftest import MANAGER
from tests.integration.test_import_retention import SECRET, headers, importer

__all__ = ["importer"]  # the fixture, shared with the retention tests

EXPORT = b"Leerlingnummer;E-mailadres\r\n12x;a@school.nl\r\n300002;a@school.nl\r\n"


def analysed_job(service) -> str:
    """A ready job whose first row the users service refused with a note (its code is not a number)."""
    job = handlers.create_job(service.unit_of_work(), "users", "export.csv", io.BytesIO(EXPORT), {},
                              MANAGER, service.max_upload_bytes)
    while service.sender.sent:
        task, _, args = service.sender.sent.pop(0)
        if task == ANALYZE_IMPORT:
            handlers.analyze_job(service.unit_of_work(), *args, service.timing)
        elif task == APPLY_USER_ROWS:
            chunk = Chunk.from_message(args[0])
            rows = [RowOut(row.line, "error", [note("code_not_numeric", value=row.values["code"])])
                    if not row.values["code"].isdigit() else RowOut(row.line, "create") for row in chunk.rows]
            result = ChunkResult(chunk.job_id, chunk.generation, chunk.chunk_no, chunk.dry_run, rows)
            handlers.record_chunk_result(service.unit_of_work(), result, service.timing)
    return job["id"]


def error_line(client, link: str) -> str:
    response = client.get(link)
    assert response.status_code == 200, response.data
    return response.data.decode("utf-8-sig").splitlines()[1]


def test_an_english_reader_is_given_a_link_to_the_english_file(importer):
    service, client = importer
    job_id = analysed_job(service)
    english = client.get(f"/api/v1/imports/{job_id}", headers={**headers(), "Accept-Language": "en"}).json
    dutch = client.get(f"/api/v1/imports/{job_id}", headers=headers()).json
    assert parse_qs(urlsplit(english["errors_csv_url"]).query)["lang"] == ["en"]
    assert "lang" not in parse_qs(urlsplit(dutch["errors_csv_url"]).query)
    assert error_line(client, english["errors_csv_url"]).startswith("2;12x;error;\"A student's code may contain digits")
    assert error_line(client, dutch["errors_csv_url"]).startswith("2;12x;error;\"Het leerlingnummer")


def test_a_link_signed_without_lang_still_opens_and_takes_either_language(importer):
    service, client = importer
    job_id = analysed_job(service)
    old_link = LinkSigner(SECRET).sign(f"/api/v1/imports/{job_id}/errors.csv", now=time.time())
    assert "Het leerlingnummer" in error_line(client, old_link)
    assert "A student's code" in error_line(client, old_link + "&lang=en")
    assert "Het leerlingnummer" in error_line(client, old_link + "&lang=nl")


def test_a_language_the_portal_does_not_speak_is_refused(importer):
    service, client = importer
    job_id = analysed_job(service)
    link = LinkSigner(SECRET).sign(f"/api/v1/imports/{job_id}/errors.csv")
    for other in ("xx", "de", "en-GB", ""):
        response = client.get(f"{link}&lang={other}")
        assert response.status_code == 400, other
        assert response.json["error"]["code"] == "invalid_parameter"
        assert response.json["error"]["details"]["field"] == "lang"


def test_the_signer_makes_no_link_in_a_language_it_does_not_know():
    signer = LinkSigner(SECRET)
    assert "lang" not in signer.sign("/x", lang="nl")
    assert signer.sign("/x", lang="en").endswith("&lang=en")
    with pytest.raises(ValueError):
        signer.sign("/x", lang="fr")
