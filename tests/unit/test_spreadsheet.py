"""What the CSV downloads write: formula-safe cells (OWASP) and filenames a header can carry as they are."""

import pytest

from shared.spreadsheet import safe_cell, safe_filename


@pytest.mark.parametrize("cell", ["=SUM(A1:A9)", "+31612345678", "-1", "@cmd", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_could_read_as_a_formula_is_prefixed(cell):
    assert safe_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Zoë", "", "100234", "a=b", "van 't Hof"])
def test_an_ordinary_cell_is_left_alone(cell):
    assert safe_cell(cell) == cell


@pytest.mark.parametrize("text", ["2026-2027_hv.v1", "ABCxyz0189"])
def test_letters_digits_dash_underscore_and_dot_stay_in_a_filename(text):
    assert safe_filename(text) == text


@pytest.mark.parametrize("text, expected", [
    ('2026"; filename=x.exe', "2026___filename_x.exe"),
    ("havo/vwo\\ö", "havo_vwo__"),
    ("a\r\nb", "a__b"),
    ("日本", "__"),
])
def test_every_other_character_in_a_filename_becomes_an_underscore(text, expected):
    assert safe_filename(text) == expected


def test_an_empty_filename_is_never_returned():
    assert safe_filename("") == "_"
