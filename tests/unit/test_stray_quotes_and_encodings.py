"""Two judgements the analysis makes over the whole file while streaming it: whether quoted cells over
several lines are a stray quote's doing or the file's habit, and which one-byte encoding it is in."""

import pytest

from services.importer import analysis
from services.importer.analysis import analyze
from services.importer.domain import ImportSettings, apply_options
from services.importer.kinds import USERS
from shared.csvfile import detect_encoding, normalize_encoding
from shared.errors import InvalidInput

REMARK = '"Let op; allergie\r\nvoor noten"'


def chunks_of(text: str) -> dict[int, list]:
    stored: dict[int, list] = {}
    data = text.encode()
    analyze(lambda: iter([data]), ImportSettings(), USERS, lambda chunk_no, rows: stored.__setitem__(chunk_no, rows))
    return stored


def export(remarks_on: set[int], rows: int = 9) -> str:
    lines = ["Leerlingnummer;Roepnaam;Opmerking"]
    lines += [f"{100000 + n};Zoë;{REMARK if n in remarks_on else ''}" for n in range(rows)]
    return "\r\n".join(lines) + "\r\n"


def errors(stored) -> list[int]:
    return [row.line for _, rows in sorted(stored.items()) for row in rows if row.errors]


def test_a_chunk_with_the_only_suspect_cell_waits_and_is_stored_unmarked_once_a_second_shows_up(monkeypatch):
    monkeypatch.setattr(analysis, "CHUNK_ROWS", 2)
    stored = chunks_of(export({0, 6}))
    assert sorted(stored) == [0, 1, 2, 3, 4] and errors(stored) == []
    assert [len(rows) for _, rows in sorted(stored.items())] == [2, 2, 2, 2, 1]


def test_a_lone_suspect_cell_stays_an_error_though_its_chunk_waited_to_the_end(monkeypatch):
    monkeypatch.setattr(analysis, "CHUNK_ROWS", 2)
    stored = chunks_of(export({1}))
    assert sorted(stored) == [0, 1, 2, 3, 4] and errors(stored) == [3]


def test_a_cell_swallowing_whole_records_is_an_error_even_among_remarks():
    text = export({0, 2}) + '100020;Bram;"wat\r\n100021;Ann;\r\n100022;Piet;"\r\n'
    stored = chunks_of(text)
    assert errors(stored) == [13]  # the two remarks above it (lines 2-3 and 5-6) stay as they are


NAMES = "Leerlingnummer;Roepnaam;Achternaam\r\n1;Zoë;Çelik\r\n2;Daniël;Dijk\r\n3;Inès;Ångström\r\n4;Jürgen;Müller\r\n"


@pytest.mark.parametrize(("codec", "line_end"), [("cp1252", "\r\n"), ("mac-roman", "\r"), ("cp850", "\r\n"),
                                                 ("mac-roman", "\r\n"), ("cp850", "\r")])
def test_dutch_names_tell_the_encoding_whatever_the_line_ends(codec, line_end):
    data = NAMES.replace("\r\n", line_end).encode(codec)
    assert detect_encoding(lambda: iter([data])) == codec


def test_a_cp1252_file_with_curly_apostrophes_and_a_euro_is_still_cp1252():
    data = "code;naam;opmerking\r\n1;d’Hondt;€ 5 – betaald\r\n2;’t Hart;“ok”\r\n".encode("cp1252")
    assert detect_encoding(lambda: iter([data])) == "cp1252"


@pytest.mark.parametrize(("given", "meant"), [("mac-roman", "mac-roman"), ("mac_roman", "mac-roman"),
                                              ("Macintosh", "mac-roman"), ("cp850", "cp850"), ("IBM850", "cp850"),
                                              ("windows-1252", "cp1252"), ("utf-8", "utf-8"), ("utf-16", "utf-16")])
def test_the_encoding_option_takes_the_new_names_and_the_old_ones(given, meant):
    assert normalize_encoding(given) == meant
    settings = ImportSettings()
    apply_options(settings, USERS, {"encoding": given})
    assert settings.encoding == meant


def test_an_unknown_encoding_is_refused_naming_the_choices():
    with pytest.raises(InvalidInput) as refused:
        apply_options(ImportSettings(), USERS, {"encoding": "koi8-r"})
    assert "mac-roman" in refused.value.message and "cp850" in refused.value.message
