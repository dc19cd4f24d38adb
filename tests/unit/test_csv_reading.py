"""Reading uploaded CSV files: encodings, delimiters, records and line numbers, file problems,
column suggestions and mappings, chunking, and memory that stays flat in the file size."""

import codecs
import tracemalloc

import pytest

import services.importer.analysis as analysis
from services.importer.analysis import analyze
from services.importer.domain import ImportSettings, resolve_columns
from services.importer.kinds import USERS
from shared import catalogue
from shared.csvfile import FileProblem, Record, detect_delimiter, detect_encoding, read_records

BLOCK = 64 * 1024


# --- helpers ------------------------------------------------------------------------------------

def blocks_of(data: bytes, size: int = BLOCK):
    """A `blocks` callable: each call gives a fresh iterator over `data` cut into `size`-byte blocks."""
    def blocks():
        for start in range(0, len(data), size):
            yield data[start:start + size]
    return blocks


def crlf(*lines: str) -> str:
    return "".join(line + "\r\n" for line in lines)


def records_of(data: bytes, delimiter: str | None = None, size: int = BLOCK) -> list[Record]:
    blocks = blocks_of(data, size)
    encoding = detect_encoding(blocks)
    return list(read_records(blocks, encoding, delimiter or detect_delimiter(blocks, encoding)))


def run_analyze(data: bytes, settings: ImportSettings | None = None, size: int = BLOCK):
    """analyze() over `data`; returns the layout and the stored chunks."""
    chunks = []
    layout = analyze(blocks_of(data, size), settings or ImportSettings(), USERS,
                     lambda chunk_no, rows: chunks.append((chunk_no, rows)))
    return layout, chunks


def all_rows(chunks):
    return [row for _, rows in chunks for row in rows]


def problem_of(call, *args, **kwargs) -> FileProblem:
    with pytest.raises(FileProblem) as raised:
        call(*args, **kwargs)
    return raised.value


def field_of(layout, header):
    return {column.header: column.field for column in layout.columns}[header]


SEMICOLON_FILE = crlf(
    "Leerlingnummer;Roepnaam;Tussenvoegsel;Achternaam;E-mailadres",
    "202601;Zoë;van 't;Hof;zoe@example.org",
    "202602;Çelik;;Yılmaz;celik@example.org",
)


# --- encodings ----------------------------------------------------------------------------------

def test_utf8_with_a_bom_is_detected_as_utf8_sig():
    data = codecs.BOM_UTF8 + SEMICOLON_FILE.encode("utf-8")
    assert detect_encoding(blocks_of(data)) == "utf-8-sig"


def test_utf8_without_a_bom_is_detected_as_utf8():
    assert detect_encoding(blocks_of(SEMICOLON_FILE.encode("utf-8"))) == "utf-8"


def test_windows_1252_is_detected_as_cp1252():
    data = crlf("Roepnaam;Achternaam", "Zoë;Daniël").encode("cp1252")
    assert detect_encoding(blocks_of(data)) == "cp1252"


def test_a_bom_file_is_read_without_the_bom_in_the_first_header():
    data = codecs.BOM_UTF8 + SEMICOLON_FILE.encode("utf-8")
    records = records_of(data)
    assert records[0].fields[0] == "Leerlingnummer"
    assert records[1].fields[1] == "Zoë"


def test_a_cp1252_file_is_read_with_its_diacritics():
    data = crlf("Roepnaam;Achternaam", "Zoë;Daniël").encode("cp1252")
    assert records_of(data)[1].fields == ["Zoë", "Daniël"]


def test_a_utf8_character_split_over_two_blocks_is_still_utf8():
    data = ("a" * (BLOCK - 1) + "ë\r\n").encode("utf-8")  # "ë" is two bytes: one in each block
    assert len(data) > BLOCK
    assert detect_encoding(blocks_of(data)) == "utf-8"


def test_a_cp1252_byte_after_more_than_a_megabyte_of_ascii_makes_the_file_cp1252():
    line = "100001;Jan;Jansen\r\n"
    ascii_part = ("Leerlingnummer;Roepnaam;Achternaam\r\n" + line * (1_100_000 // len(line))).encode("ascii")
    assert len(ascii_part) > 1_000_000
    data = ascii_part + "200001;Zoë;Daniël\r\n".encode("cp1252")
    blocks = blocks_of(data)
    assert sum(1 for _ in blocks()) > 10  # really several blocks
    assert detect_encoding(blocks) == "cp1252"
    records = list(read_records(blocks, "cp1252", ";"))
    assert records[-1].fields == ["200001", "Zoë", "Daniël"]


def test_a_utf8_file_with_one_windows_1252_byte_is_undecodable_naming_both_lines():
    data = crlf("Leerlingnummer;Roepnaam", "1;Zoë", "2;Bram").encode() + "3;Daniël\r\n".encode("cp1252")
    problem = problem_of(run_analyze, data)
    assert problem.code == "undecodable_file"
    assert "line 4" in problem.message and "line 2" in problem.message


def test_a_windows_1252_byte_before_the_utf8_letters_is_still_undecodable():
    data = crlf("Leerlingnummer;Roepnaam", "1;Daniël").encode("cp1252") + crlf("2;Zoë").encode()
    problem = problem_of(detect_encoding, blocks_of(data, size=7))
    assert problem.code == "undecodable_file"
    assert "line 2" in problem.message and "line 3" in problem.message


def test_a_utf8_bom_file_with_a_windows_1252_byte_is_undecodable_not_read_as_windows_1252():
    data = codecs.BOM_UTF8 + crlf("Leerlingnummer;Roepnaam", "1;Jan", "2;Piet").encode() + b"3;Zo\xeb\r\n"
    problem = problem_of(run_analyze, data)
    assert problem.code == "undecodable_file"
    assert "BOM" in problem.message and "line 4" in problem.message


def test_utf16_le_with_a_bom_tab_separated_excel_unicode_text_is_read():
    text = "Leerlingnummer\tRoepnaam\tAchternaam\r\n202601\tZoë\tHof\r\n202602\tÇelik\tYılmaz\r\n"
    data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    blocks = blocks_of(data)
    assert detect_encoding(blocks) == "utf-16"
    assert detect_delimiter(blocks, "utf-16") == "\t"
    layout, chunks = run_analyze(data)
    assert (layout.encoding, layout.delimiter) == ("utf-16", "\t")
    assert [row.values for row in all_rows(chunks)] == [
        {"code": "202601", "first_name": "Zoë", "last_name": "Hof"},
        {"code": "202602", "first_name": "Çelik", "last_name": "Yılmaz"},
    ]
    assert [row.line for row in all_rows(chunks)] == [2, 3]


# --- delimiters ---------------------------------------------------------------------------------

def test_a_tab_separated_file_is_detected_as_tab():
    data = "Leerlingnummer\tRoepnaam\tAchternaam\n1\tZoë\tHof\n2\tBram\tLinden\n".encode()
    assert detect_delimiter(blocks_of(data), "utf-8") == "\t"


def test_a_semicolon_separated_file_is_detected_as_semicolon():
    assert detect_delimiter(blocks_of(SEMICOLON_FILE.encode()), "utf-8") == ";"


def test_a_comma_separated_file_is_detected_as_comma():
    data = "Student number,First name,Last name\n1,Zoë,Hof\n2,Bram,Linden\n".encode()
    assert detect_delimiter(blocks_of(data), "utf-8") == ","


def test_a_semicolon_file_whose_names_contain_commas_is_still_semicolon():
    data = crlf("Leerlingnummer;Naam;Klas", "1;Hof, Zoë van 't;h1a", "2;Yılmaz, Çelik;h1b",
                "3;Linden, Bram van der;h1a").encode()
    blocks = blocks_of(data)
    assert detect_delimiter(blocks, "utf-8") == ";"
    assert list(read_records(blocks, "utf-8", ";"))[1].fields == ["1", "Hof, Zoë van 't", "h1a"]


def test_a_comma_file_with_quoted_fields_holding_semicolons_is_still_comma():
    data = crlf("code,name,remark", '1,Zoë,"allergic; nuts"', '2,Bram,"late; bus; rain"',
                '3,Ann,"a;b"').encode()
    blocks = blocks_of(data)
    assert detect_delimiter(blocks, "utf-8") == ","
    assert list(read_records(blocks, "utf-8", ","))[2].fields == ["2", "Bram", "late; bus; rain"]


# --- records and line numbers ---------------------------------------------------------------------

def test_quoted_fields_keep_embedded_delimiters_and_line_breaks_and_later_lines_count_them():
    data = crlf(
        "Leerlingnummer;Roepnaam;Opmerking",
        '1;"Zoë; de tweede";"regel een',
        'regel twee"',
        "2;Bram;gewoon",
        '3;Ann;"a\r\nb\r\nc"',
        "4;Piet;laatste",
    ).encode()
    records = records_of(data)
    assert [record.line for record in records] == [1, 2, 4, 5, 8]
    assert records[1].fields == ["1", "Zoë; de tweede", "regel een\r\nregel twee"]
    assert records[2].fields == ["2", "Bram", "gewoon"]
    assert records[3].fields == ["3", "Ann", "a\r\nb\r\nc"]
    assert records[4].fields == ["4", "Piet", "laatste"]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 4096])
def test_records_are_the_same_whatever_the_block_size(size):
    text = crlf("Leerlingnummer\tRoepnaam\tOpmerking", '1\tZoë\t"twee\r\nregels;\t met"', "2\tÇelik\tYılmaz")
    expected = records_of(text.encode(), size=BLOCK)
    assert [record.line for record in expected] == [1, 2, 4]
    assert expected[1].fields == ["1", "Zoë", "twee\r\nregels;\t met"]
    assert records_of(text.encode(), size=size) == expected
    utf16 = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    assert records_of(utf16, size=max(size, 2)) == expected  # the first block holds the BOM


@pytest.mark.parametrize("size", [1, 2, 3, BLOCK])
def test_cr_cr_lf_line_ends_count_as_one_line_each(size):
    data = b"Leerlingnummer;Roepnaam\r\r\n1;Zo\r\r\n\r\r\n2;Bram\r\r\n"
    records = records_of(data, size=size)
    assert [(record.line, record.fields) for record in records] == [
        (1, ["Leerlingnummer", "Roepnaam"]), (2, ["1", "Zo"]), (4, ["2", "Bram"])]


def test_excels_sep_line_sets_the_delimiter_and_is_no_header_and_line_numbers_stay_right():
    data = crlf("sep=;", "Leerlingnummer;Roepnaam,Tussenvoegsel", "1;Zoë, van", "2;Bram, de").encode()
    blocks = blocks_of(data)
    assert detect_delimiter(blocks, "utf-8") == ";"
    layout, chunks = run_analyze(data)
    assert [column.header for column in layout.columns] == ["Leerlingnummer", "Roepnaam,Tussenvoegsel"]
    assert [(row.line, row.values["code"]) for row in all_rows(chunks)] == [(3, "1"), (4, "2")]


def test_a_record_knows_the_line_where_it_ends():
    data = crlf("a;b", '1;"x', 'y"', "2;z").encode()
    assert [(record.line, record.last_line) for record in records_of(data)] == [(1, 1), (2, 3), (4, 4)]


def test_crlf_line_ends_leave_no_carriage_returns_in_the_fields():
    records = records_of(SEMICOLON_FILE.encode())
    assert records[0].fields[-1] == "E-mailadres"
    assert records[2].fields == ["202602", "Çelik", "", "Yılmaz", "celik@example.org"]
    assert all("\r" not in field for record in records for field in record.fields)
    assert [record.line for record in records] == [1, 2, 3]


def test_blank_lines_in_between_and_at_the_end_are_not_records():
    data = "Leerlingnummer;Roepnaam\r\n\r\n1;Zoë\r\n   \r\n;;\r\n2;Bram\r\n\r\n\r\n\r\n".encode()
    records = records_of(data)
    assert [(record.line, record.fields[0]) for record in records] == [(1, "Leerlingnummer"), (3, "1"), (6, "2")]


def test_total_rows_counts_data_records_only():
    data = "Leerlingnummer;Roepnaam\r\n\r\n1;Zoë\r\n\r\n2;Bram\r\n3;Ann\r\n\r\n\r\n".encode()
    layout, chunks = run_analyze(data)
    assert layout.total_rows == 3
    assert [row.line for row in all_rows(chunks)] == [3, 5, 6]


# --- file problems ------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n\t \n", codecs.BOM_UTF8 + b"\r\n\r\n"],
                         ids=["empty", "whitespace", "bom-and-blank-lines"])
def test_an_empty_or_whitespace_only_file_is_an_empty_file(data):
    assert problem_of(detect_encoding, blocks_of(data)).code == "empty_file"
    assert problem_of(run_analyze, data).code == "empty_file"


def test_a_header_without_data_rows_is_no_data_rows():
    data = b"Leerlingnummer;Roepnaam;Achternaam\r\n\r\n\r\n"
    assert problem_of(run_analyze, data).code == "no_data_rows"


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
    b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml",
], ids=["png", "xlsx-zip"])
def test_an_image_or_a_workbook_is_not_text(data):
    assert problem_of(detect_encoding, blocks_of(data)).code == "not_text"
    assert problem_of(run_analyze, data).code == "not_text"


def test_nul_bytes_in_a_text_file_are_not_text():
    data = b"Leerlingnummer;Roepnaam\r\n1;Zo\x00e\r\n"
    assert problem_of(detect_encoding, blocks_of(data)).code == "not_text"
    assert problem_of(run_analyze, data).code == "not_text"


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_nul_bytes_are_not_text_even_when_the_encoding_is_given(encoding):
    data = b"Leerlingnummer;Roepnaam\r\n1;Zo\x00e\r\n"
    assert problem_of(run_analyze, data, ImportSettings(encoding=encoding)).code == "not_text"
    assert problem_of(run_analyze, data, ImportSettings(encoding=encoding, delimiter=";")).code == "not_text"


def test_bytes_neither_utf8_nor_cp1252_are_undecodable():
    data = b"Leerlingnummer;Roepnaam\r\n1;\xc3(\x81\x8d\r\n2;Bram\r\n"
    assert problem_of(detect_encoding, blocks_of(data)).code == "undecodable_file"
    assert problem_of(run_analyze, data).code == "undecodable_file"


def test_forcing_utf8_on_a_cp1252_file_is_undecodable():
    data = crlf("Leerlingnummer;Roepnaam;Achternaam", "1;Zoë;Daniël").encode("cp1252")
    problem = problem_of(run_analyze, data, ImportSettings(encoding="utf-8"))
    assert problem.code == "undecodable_file"
    # also with the delimiter given, so only the reading pass meets the bad byte
    problem = problem_of(run_analyze, data, ImportSettings(encoding="utf-8", delimiter=";"))
    assert problem.code == "undecodable_file"


def test_forcing_utf8_on_a_bom_file_does_not_put_the_bom_in_the_first_header():
    data = codecs.BOM_UTF8 + SEMICOLON_FILE.encode("utf-8")
    layout, _ = run_analyze(data, ImportSettings(encoding="utf-8", mapping={"Leerlingnummer": "code"}))
    assert layout.columns[0].header == "Leerlingnummer"
    assert layout.columns[0].field == "code"


def test_an_unbalanced_quote_is_malformed_and_names_the_line_where_it_opened():
    data = crlf("Leerlingnummer;Roepnaam", "1;Zoë", "", '2;"Bram', "3;Ann", "4;Piet").encode()
    problem = problem_of(run_analyze, data)
    assert problem.code == "malformed_csv"
    assert "line 4" in problem.message


def test_a_field_of_a_megabyte_is_malformed():
    data = ("Leerlingnummer;Roepnaam\r\n1;" + "x" * 1_000_000 + "\r\n").encode()
    problem = problem_of(run_analyze, data)
    assert problem.code == "malformed_csv"
    assert "line 2" in problem.message.lower()


def test_ten_thousand_columns_are_malformed():
    header = ";".join(f"c{index}" for index in range(10_000))
    data = (header + "\r\n" + ";".join("1" for _ in range(10_000)) + "\r\n").encode()
    problem = problem_of(run_analyze, data)
    assert problem.code == "malformed_csv"
    assert problem_of(lambda: list(read_records(blocks_of(data), "utf-8", ";"))).code == "malformed_csv"


def test_six_hundred_trailing_empty_columns_are_not_counted_against_the_limit():
    data = crlf("Leerlingnummer;Roepnaam" + ";" * 600, "1;Zoë" + ";" * 600, "2;Bram" + ";" * 600).encode()
    layout, chunks = run_analyze(data)
    assert [column.header for column in layout.columns] == ["Leerlingnummer", "Roepnaam"]
    assert [(row.values, row.errors) for row in all_rows(chunks)] == [
        ({"code": "1", "first_name": "Zoë"}, []), ({"code": "2", "first_name": "Bram"}, [])]


def test_a_semicolon_file_forced_to_comma_misses_the_required_column():
    problem = problem_of(run_analyze, SEMICOLON_FILE.encode(), ImportSettings(delimiter=","))
    assert problem.code == "missing_required_column"
    assert "code" in problem.message


# --- columns ------------------------------------------------------------------------------------

def test_of_two_columns_with_the_same_header_only_the_first_is_labelled():
    data = crlf("Leerlingnummer;Roepnaam;Leerlingnummer", "1;Zoë;9", "2;Bram;8").encode()
    layout, chunks = run_analyze(data)
    assert [column.field for column in layout.columns] == ["code", "first_name", "ignore"]
    assert [row.values["code"] for row in all_rows(chunks)] == ["1", "2"]


def test_a_repeated_header_named_in_the_mapping_labels_only_the_first_column():
    data = crlf("Nummer;Roepnaam;Nummer", "1;Zoë;9").encode()
    layout, _ = run_analyze(data, ImportSettings(mapping={"Nummer": "code"}))
    assert [column.field for column in layout.columns] == ["code", "first_name", "ignore"]


@pytest.mark.parametrize("header, field", [
    ("Leerlingnummer", "code"), ("Stamnummer", "code"), ("Roepnaam", "first_name"),
    ("Tussenvoegsel", "prefix"), ("Achternaam", "last_name"), ("E-mailadres", "email"),
    ("Afdeling", "ignore"), ("Student number", "code"), ("First name", "first_name"),
    ("Last name", "last_name"), ("Email", "email"),
])
def test_usual_dutch_and_english_headers_are_suggested(header, field):
    assert USERS.suggest(header) == field
    # as the first column of a file that also has a Stamnummer (the code when `header` is not)
    columns = resolve_columns([header, "Stamnummer"], ImportSettings(), USERS)
    assert columns[0].field == field
    assert columns[1].field == ("ignore" if field == "code" else "code")


def test_the_suggestions_label_a_typical_dutch_export():
    data = crlf("Leerlingnummer;Roepnaam;Tussenvoegsel;Achternaam;E-mailadres;Afdeling;Stamklas",
                "202601;Zoë;van 't;Hof;zoe@example.org;h1;h1a").encode("cp1252")
    layout, chunks = run_analyze(data)
    assert [column.field for column in layout.columns] == [
        "code", "first_name", "prefix", "last_name", "email", "ignore", "ignore"]
    assert all_rows(chunks)[0].values == {"code": "202601", "first_name": "Zoë", "prefix": "van 't",
                                          "last_name": "Hof", "email": "zoe@example.org"}
    assert layout.columns[0].samples == ["202601"]


def test_a_mapping_by_column_index_overrides_the_suggestions():
    data = crlf("Leerlingnummer;Id;Roepnaam", "1;A7;Zoë").encode()
    layout, chunks = run_analyze(data, ImportSettings(mapping={"0": "ignore", "1": "code"}))
    assert [column.field for column in layout.columns] == ["ignore", "code", "first_name"]
    assert all_rows(chunks)[0].values == {"code": "A7", "first_name": "Zoë"}


def test_a_mapping_by_header_text_overrides_the_suggestions():
    data = crlf("Nummer;Roepnaam;Naam", "1;Zoë;Hof").encode()
    layout, chunks = run_analyze(data, ImportSettings(mapping={"Nummer": "code", "Roepnaam": "ignore",
                                                               "Naam": "last_name"}))
    assert [column.field for column in layout.columns] == ["code", "ignore", "last_name"]
    assert all_rows(chunks)[0].values == {"code": "1", "last_name": "Hof"}


def test_a_field_given_in_the_mapping_wins_over_an_earlier_column_suggesting_it():
    data = crlf("Stamnummer;Leerlingnummer;Roepnaam", "S1;100234;Zoë").encode()
    layout, chunks = run_analyze(data, ImportSettings(mapping={"Leerlingnummer": "code"}))
    assert field_of(layout, "Leerlingnummer") == "code"
    assert field_of(layout, "Stamnummer") == "ignore"
    assert all_rows(chunks)[0].values["code"] == "100234"


def test_without_a_header_a_mapping_by_index_labels_the_columns_and_the_first_line_is_data():
    data = crlf("100234;Zoë;Hof", "100235;Bram;Linden").encode()
    layout, chunks = run_analyze(data, ImportSettings(has_header=False, mapping={"0": "code", "2": "last_name"}))
    assert [column.field for column in layout.columns] == ["code", "ignore", "last_name"]
    assert layout.total_rows == 2
    rows = all_rows(chunks)
    assert [(row.line, row.values) for row in rows] == [
        (1, {"code": "100234", "last_name": "Hof"}), (2, {"code": "100235", "last_name": "Linden"})]


def test_without_a_header_and_without_a_mapping_the_required_column_is_missing():
    data = crlf("100234;Zoë;Hof").encode()
    assert problem_of(run_analyze, data, ImportSettings(has_header=False)).code == "missing_required_column"


def test_a_stray_empty_column_is_ignored():
    data = crlf("Leerlingnummer;Roepnaam;;Achternaam;", "1;Zoë;;Hof;", "2;Bram;;Linden;").encode()
    layout, chunks = run_analyze(data)
    assert [column.field for column in layout.columns] == ["code", "first_name", "ignore", "last_name", "ignore"]
    rows = all_rows(chunks)
    assert [row.values for row in rows] == [{"code": "1", "first_name": "Zoë", "last_name": "Hof"},
                                           {"code": "2", "first_name": "Bram", "last_name": "Linden"}]
    assert all(row.errors == [] for row in rows)


# --- rows the importer marks ----------------------------------------------------------------------

def test_a_row_with_more_fields_than_the_header_gets_an_error_but_empty_extra_fields_do_not():
    data = crlf("Leerlingnummer;Roepnaam", "1;Zoë;extra", "2;Bram;;", "3;Ann;  ", "4;Piet").encode()
    _, chunks = run_analyze(data)
    rows = {row.values["code"]: row for row in all_rows(chunks)}
    assert len(rows["1"].errors) == 1
    assert rows["1"].errors[0] == catalogue.note("more_fields_than_header", fields=3, header=2)
    assert catalogue.render(rows["1"].errors, "en") == ["The row has 3 fields; the header has 2."]
    assert rows["2"].errors == []
    assert rows["3"].errors == []
    assert rows["4"].errors == []


def test_a_code_used_twice_marks_the_later_line_naming_the_earlier_line():
    data = crlf("Leerlingnummer;Roepnaam", "100234;Zoë", "100235;Bram", "", "100234;Ann").encode()
    _, chunks = run_analyze(data)
    rows = all_rows(chunks)
    assert [row.line for row in rows] == [2, 3, 5]
    assert rows[0].errors == [] and rows[1].errors == []
    assert len(rows[2].errors) == 1
    assert rows[2].errors == [catalogue.note("duplicate_in_file", code="100234", first_line=2)]
    assert catalogue.render(rows[2].errors) == ["100234 staat al op regel 2 van het bestand; deze regel wordt niet "
                                                "geïmporteerd."]


# --- chunks and memory --------------------------------------------------------------------------

def test_rows_are_cut_into_chunks_of_chunk_rows(monkeypatch):
    monkeypatch.setattr(analysis, "CHUNK_ROWS", 2000)
    data = ("Leerlingnummer;Roepnaam\r\n" + "".join(f"{100000 + i};N{i}\r\n" for i in range(4500))).encode()
    layout, chunks = run_analyze(data)
    assert [chunk_no for chunk_no, _ in chunks] == [0, 1, 2]
    assert [len(rows) for _, rows in chunks] == [2000, 2000, 500]
    assert [rows[0].line for _, rows in chunks] == [2, 2002, 4002]
    assert [rows[-1].line for _, rows in chunks] == [2001, 4001, 4501]
    assert (layout.total_rows, layout.chunk_count) == (4500, 3)


def generated_file(rows: int, size: int = BLOCK):
    """A `blocks` callable producing a users file lazily in `size`-byte blocks; nothing is kept.
    Lines are made a thousand at a time from one template, so the generator costs next to nothing."""
    template = "".join(f"1KKKK{j:03d};Zoë;Hof{j}\r\n" for j in range(1000)).encode()

    def blocks():
        pending = bytearray(b"Leerlingnummer;Roepnaam;Achternaam\r\n")
        for thousand in range(rows // 1000):  # codes 10000000, 10000001, ...: all different
            pending += template.replace(b"KKKK", b"%04d" % thousand)
            while len(pending) >= size:
                yield bytes(pending[:size])
                del pending[:size]
        if pending:
            yield bytes(pending)
    return blocks


def test_analyzing_a_large_streamed_file_keeps_memory_bounded():
    rows = 200_000
    blocks = generated_file(rows)
    counted = {"rows": 0, "chunks": 0}

    def store_chunk(chunk_no, chunk):
        counted["rows"] += len(chunk)
        counted["chunks"] += 1

    tracemalloc.start()
    try:
        layout = analyze(blocks, ImportSettings(), USERS, store_chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    file_size = sum(len(block) for block in blocks())
    assert file_size > 4 * 1024 * 1024
    assert counted == {"rows": rows, "chunks": -(-rows // analysis.CHUNK_ROWS)}
    assert layout.total_rows == rows
    assert (layout.encoding, layout.delimiter) == ("utf-8", ";")
    assert peak < 40 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
