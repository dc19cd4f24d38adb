"""Making text safe for the CSV files the services hand out: the cells and the download's filename."""

from __future__ import annotations

import re

# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NOT_FILENAME_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def safe_cell(value: str) -> str:
    """The cell as text a spreadsheet shows instead of evaluating: a leading ' when it could be a formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def safe_filename(text: str) -> str:
    """`text` with every character but ASCII letters, digits, `-`, `_` and `.` replaced by `_`, so it
    can stand in a Content-Disposition header without quoting or encoding; never empty."""
    return _NOT_FILENAME_SAFE.sub("_", text) or "_"
