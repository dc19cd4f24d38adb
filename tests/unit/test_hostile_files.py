"""Files nobody here wrote (spreadsheet exports, hand-edited CSV) through the analysis and the users
row decisions: each file in tests/corpus has the outcome it must have, never a silently lost or
garbled row."""

from pathlib import Path

import pytest

from services.importer.analysis import analyze
from services.importer.domain import ImportSettings
from services.importer.kinds import USERS
from services.users.rows import RowContext, decide_row
from shared import catalogue
from shared.csvfile import FileProblem
from shared.policy import Actor
from shared.rights import RIGHTS

CORPUS = Path(__file__).parent.parent / "corpus"
MANAGER = Actor("admin", frozenset(RIGHTS))


def blocks_of(data: bytes):
    return lambda: iter([data[start:start + 1000] for start in range(0, len(data), 1000)])


def imported(name: str):
    """The file's layout and each row's (line, action, code, messages), as the preview shows them (in English)."""
    chunks = []
    layout = analyze(blocks_of((CORPUS / name).read_bytes()), ImportSettings(), USERS,
                     lambda chunk_no, rows: chunks.append(rows))
    context = RowContext("import", True, {}, MANAGER)
    decisions = []
    for rows in chunks:
        for row in rows:
            decision = decide_row(row, None, context)
            code = decision.after.code if decision.after else row.values.get("code")
            decisions.append((row.line, decision.action, code, catalogue.render(decision.messages, "en")))
    return layout, decisions


def refusal(name: str) -> FileProblem:
    with pytest.raises(FileProblem) as raised:
        imported(name)
    return raised.value


def test_every_corpus_file_has_its_test():
    tested = {name for name in globals() if name.startswith("test_")}
    assert len(list(CORPUS.glob("*.csv"))) == len(tested) - 1


def test_a_stray_quote_swallowing_two_lines_is_an_error_naming_the_lines_it_swallowed():
    _, rows = imported("stray-quote.csv")
    assert [(line, action) for line, action, _, _ in rows] == [(2, "error"), (5, "create")]
    message = rows[0][3][0]
    assert "Lines 2 to 4" in message and "up to 4 are not imported" in message


def test_a_remark_over_two_lines_without_a_delimiter_is_kept():
    _, rows = imported("multiline-remark.csv")
    assert [(line, action, code) for line, action, code, _ in rows] == [(2, "create", "020001"),
                                                                        (4, "create", "020002")]


def test_a_utf8_bom_file_with_one_windows_1252_byte_is_refused_naming_the_line():
    problem = refusal("utf8-with-one-cp1252-byte.csv")
    assert problem.code == "undecodable_file" and "line 4" in problem.message


def test_utf8_letters_then_a_windows_1252_byte_without_a_bom_is_refused_naming_both_lines():
    problem = refusal("utf8-then-cp1252-no-bom.csv")
    assert problem.code == "undecodable_file" and "line 2" in problem.message and "line 3" in problem.message


def test_a_windows_1252_excel_export_keeps_its_diacritics():
    layout, rows = imported("cp1252-excel.csv")
    assert layout.encoding == "cp1252"
    assert [action for _, action, _, _ in rows] == ["create", "create"]
    assert layout.sample_rows[1][1] == "Daniël"


def test_invisible_characters_around_codes_are_trimmed_and_the_repeats_are_found():
    _, rows = imported("invisible-characters-in-codes.csv")
    assert [(line, action, code) for line, action, code, _ in rows] == [
        (2, "create", "020001"), (3, "error", "020001"), (4, "create", "020002"), (5, "create", "020003"),
        (6, "error", "020002")]
    assert "line 2" in rows[1][3][0] and "line 4" in rows[4][3][0]


def test_excels_sep_line_is_no_header_and_the_lines_keep_their_numbers():
    layout, rows = imported("excel-sep-line.csv")
    assert layout.delimiter == ";" and layout.columns[0].header == "Leerlingnummer"
    assert [(line, action) for line, action, _, _ in rows] == [(3, "create"), (4, "create")]


def test_six_hundred_trailing_empty_columns_import():
    layout, rows = imported("trailing-empty-columns.csv")
    assert len(layout.columns) == 3
    assert [(line, action) for line, action, _, _ in rows] == [(2, "create"), (3, "create")]


def test_cr_cr_lf_line_ends_keep_the_line_numbers_right():
    _, rows = imported("cr-cr-lf.csv")
    assert [(line, action) for line, action, _, _ in rows] == [(2, "create"), (3, "create"), (4, "error")]
    assert "line 3" in rows[2][3][0]


def test_a_short_row_imports_with_a_warning():
    _, rows = imported("short-row.csv")
    assert [(line, action) for line, action, _, _ in rows] == [(2, "create"), (3, "create")]
    assert rows[0][3] == [] and "2 fields; the header has 3" in rows[1][3][0]


def test_a_second_header_line_is_the_header_again_not_a_bad_email():
    _, rows = imported("header-again.csv")
    assert [(line, action) for line, action, _, _ in rows] == [(2, "create"), (3, "error"), (4, "create")]
    assert rows[1][3] == ["Line 3 is the header again (files pasted one below the other?); it is not imported."]


def test_a_mac_excel_csv_macintosh_export_is_read_as_mac_roman():
    layout, rows = imported("mac-roman-excel.csv")
    assert layout.encoding == "mac-roman" and len(rows) == 7
    assert [fields[1] for fields in layout.sample_rows[:5]] == ["Zoë", "Daniël", "Inès", "Jürgen", "Anders"]
    assert layout.sample_rows[4][3] == "Ångström" and layout.sample_rows[0][3] == "Çelik"


def test_an_excel_csv_ms_dos_export_is_read_as_cp850():
    layout, rows = imported("cp850-excel-ms-dos.csv")
    assert layout.encoding == "cp850" and [line for line, *_ in rows] == [2, 3, 4, 5, 6, 7, 8]
    assert [fields[1] for fields in layout.sample_rows[:5]] == ["Zoë", "Daniël", "Inès", "Jürgen", "Anders"]


def test_remarks_over_two_lines_holding_the_delimiter_in_a_file_full_of_them_are_kept():
    _, rows = imported("multiline-remarks-with-delimiter.csv")
    assert [(line, action, messages) for line, action, _, messages in rows] == [
        (2, "create", []), (4, "create", []), (5, "create", []), (7, "create", [])]


def test_the_only_cell_over_lines_holding_the_delimiter_is_taken_for_a_stray_quote():
    _, rows = imported("lone-multiline-cell-with-delimiter.csv")
    assert [(line, action) for line, action, _, _ in rows] == [(2, "error"), (4, "create")]
    assert "Lines 2 to 3 were read as one row" in rows[0][3][0] and "up to 3 are not imported" in rows[0][3][0]


def test_a_nul_character_in_a_utf16_cell_is_a_row_error_not_a_database_error():
    layout, rows = imported("utf16-nul-in-a-cell.csv")
    assert layout.encoding == "utf-16"
    assert [(line, action) for line, action, _, _ in rows] == [(2, "error"), (3, "create")]
    assert rows[0][3] == ["Line 2 holds a NUL character (a damaged file?); it is not imported."]
