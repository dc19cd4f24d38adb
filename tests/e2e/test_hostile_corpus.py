"""Every file of tests/corpus through the running system (gateway, importer worker, users worker,
PostgreSQL): the preview each one must get, end to end. `tests/unit/test_hostile_files.py` says why,
row by row; here the whole path must come to the same answer, and never hang."""

from pathlib import Path

import pytest

CORPUS = Path(__file__).parent.parent / "corpus"

# file → ("failed", the job's error code) for a refused file, else ("ready", encoding, the preview's counts).
OUTCOMES = {
    "cp1252-excel.csv": ("ready", "cp1252", {"create": 2}),
    "cp850-excel-ms-dos.csv": ("ready", "cp850", {"create": 7}),
    "cr-cr-lf.csv": ("ready", "utf-8", {"create": 2, "error": 1}),
    "excel-sep-line.csv": ("ready", "utf-8-sig", {"create": 2}),
    "header-again.csv": ("ready", "utf-8", {"create": 2, "error": 1}),
    "invisible-characters-in-codes.csv": ("ready", "utf-8", {"create": 3, "error": 2}),
    "lone-multiline-cell-with-delimiter.csv": ("ready", "utf-8", {"create": 1, "error": 1}),
    "mac-roman-excel.csv": ("ready", "mac-roman", {"create": 7}),
    "multiline-remark.csv": ("ready", "utf-8", {"create": 2}),
    "multiline-remarks-with-delimiter.csv": ("ready", "utf-8", {"create": 4}),
    "short-row.csv": ("ready", "utf-8", {"create": 2}),
    "stray-quote.csv": ("ready", "utf-8", {"create": 1, "error": 1}),
    "trailing-empty-columns.csv": ("ready", "utf-8", {"create": 2}),
    "utf16-nul-in-a-cell.csv": ("ready", "utf-16", {"create": 1, "error": 1}),
    "utf8-then-cp1252-no-bom.csv": ("failed", "undecodable_file"),
    "utf8-with-one-cp1252-byte.csv": ("failed", "undecodable_file"),
}


def test_the_table_names_every_file_of_the_corpus():
    assert sorted(OUTCOMES) == sorted(path.name for path in CORPUS.glob("*.csv"))


@pytest.mark.parametrize("name", sorted(OUTCOMES))
def test_each_hostile_file_gets_its_preview_end_to_end(system, name):
    job = system.upload((CORPUS / name).read_bytes(), filename=name, kind="users", as_student="true")
    job = system.wait_for_status(job["id"], ("ready", "failed"), timeout=60)
    if job["status"] == "failed":
        assert ("failed", job["error"]["code"]) == OUTCOMES[name]
    else:
        counts = {action: count for action, count in job["counts"].items() if count}
        assert ("ready", job["settings"]["encoding"], counts) == OUTCOMES[name]
