"""An import's failure, its rows' messages and errors.csv are stored as codes with parameters and
become text when read, in the reader's language (Dutch by default)."""

import io

import pytest

from services.importer import handlers
from services.importer.handlers import Timing
from services.importer.representation import job_in_language, row_in_language
from shared import catalogue
from shared.messages import ANALYZE_IMPORT, Chunk, ChunkResult, RowOut
from shared.policy import Actor
from shared.rights import RIGHTS
from tests.unit.importer_fakes import FakeUnitOfWork

MANAGER = Actor("admin", frozenset(RIGHTS))
TIMING = Timing(chunk_timeout_seconds=60)


@pytest.fixture
def uow():
    return FakeUnitOfWork()


def failed_job(uow, content: bytes) -> dict:
    job = handlers.create_job(uow, "users", "leerlingen.csv", io.BytesIO(content), {}, MANAGER, 10**6)
    handlers.analyze_job(uow, job["id"], 0, TIMING)
    failed = handlers.get_job(uow, job["id"])
    assert failed["status"] == "failed"
    return failed


def test_an_unclosed_quote_fails_the_job_naming_its_line_in_the_readers_language(uow):
    failed = failed_job(uow, b'Leerlingnummer;Roepnaam\r\n100001;Zo\xc3\xab\r\n100002;"Bram\r\n')
    dutch = job_in_language(dict(failed), "nl")["error"]
    english = job_in_language(dict(failed), "en")["error"]
    assert dutch == {"code": "malformed_csv", "message": "Het aanhalingsteken dat op regel 3 opent, wordt nergens "
                                                         "gesloten."}
    assert english == {"code": "malformed_csv", "message": "The quote opened on line 3 is never closed."}


@pytest.mark.parametrize(("content", "code", "dutch"), [
    (b"", "empty_file", "Het bestand is leeg: er staan geen regels in."),
    (b"Leerlingnummer;Roepnaam\r\n", "no_data_rows", "Het bestand heeft kolomkoppen maar geen regels met gegevens."),
    (b"Naam;Klas\r\nZoe;h1\r\n", "missing_required_column",
     "Geen kolom is gelabeld als code; het bestand heeft deze kolommen: Naam, Klas. Label een kolom of controleer "
     "het scheidingsteken."),
])
def test_a_file_that_cannot_be_imported_says_why_in_dutch(uow, content, code, dutch):
    assert job_in_language(failed_job(uow, content), "nl")["error"] == {"code": code, "message": dutch}


def test_an_error_stored_before_notes_keeps_its_message():
    old = {"error": {"code": "storage_lost", "message": "As it was stored."}}
    assert job_in_language(old, "nl")["error"] == {"code": "storage_lost", "message": "As it was stored."}


def previewed_job(uow) -> str:
    """A ready users import whose third row repeats the code of the first (the importer finds it) and
    whose second the service refuses with a plain text, as a worker before notes did."""
    content = "Leerlingnummer;Roepnaam\r\n100001;Zoë\r\n100002;Bram\r\n100001;Ann\r\n".encode()
    job = handlers.create_job(uow, "users", "leerlingen.csv", io.BytesIO(content), {}, MANAGER, 10**6)
    handlers.analyze_job(uow, job["id"], 0, TIMING)
    [sent] = [Chunk.from_message(args[0]) for task, _, args in uow.sent if task != ANALYZE_IMPORT]
    rows = [RowOut(sent.rows[0].line, "create"), RowOut(sent.rows[1].line, "skip", ["An old plain message."]),
            RowOut(sent.rows[2].line, "error", list(sent.rows[2].errors))]
    handlers.record_chunk_result(uow, ChunkResult(sent.job_id, sent.generation, sent.chunk_no, True, rows), TIMING)
    return job["id"]


def test_rows_carry_their_notes_and_reason_and_read_in_the_readers_language(uow):
    job_id = previewed_job(uow)
    rows, _ = handlers.list_rows(uow, job_id, "error", None, 10)
    [row] = rows
    assert (row["line"], row["reason"], row["params"]) == (4, "duplicate_in_file", {"code": "100001", "first_line": 2})
    assert row_in_language(dict(row), "nl")["messages"] == [
        "100001 staat al op regel 2 van het bestand; deze regel wordt niet geïmporteerd."]
    assert row_in_language(dict(row), "en")["messages"] == ["100001 was used on line 2 already; this row is not "
                                                            "imported."]


def test_errors_csv_is_dutch_by_default_and_english_on_request_with_the_contracts_header(uow):
    job_id = previewed_job(uow)
    dutch = "".join(handlers.errors_csv(uow, job_id)).lstrip("\ufeff").splitlines()
    english = "".join(handlers.errors_csv(uow, job_id, "en")).lstrip("\ufeff").splitlines()
    assert dutch[0] == english[0] == "line;code;action;message"
    assert dutch[1:] == ["3;100002;skip;An old plain message.",
                         '4;100001;error;"100001 staat al op regel 2 van het bestand; deze regel wordt niet '
                         'geïmporteerd."']  # quoted: the text holds the delimiter
    assert english[2] == '4;100001;error;"100001 was used on line 2 already; this row is not imported."'


def test_every_language_the_catalogue_has_renders_every_importer_note():
    notes = [catalogue.note("more_fields_than_header", fields=4, header=3),
             catalogue.note("fewer_fields_than_header", fields=2, header=3),
             catalogue.note("header_again", line=7), catalogue.note("nul_character", line=8),
             catalogue.note("lines_read_as_one", line=2, last_line=4)]
    for lang in catalogue.LANGUAGES:
        for text in catalogue.render(notes, lang):
            assert "{" not in text and "[" not in text, text
