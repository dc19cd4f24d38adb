"""Reading an uploaded file into chunks of mapped rows: the importer's side of the analysis.

Streams the file (memory stays flat in file size), finds the encoding and delimiter unless given,
labels the columns, and cuts the records into chunks of CHUNK_ROWS rows. Problems the importer can
see alone are marked on the row: errors (more fields than the header, a key repeated from an
earlier line, the header again, a quoted cell that swallowed lines) and warnings (fewer fields than
the header); everything else is decided by the service that owns the data, in its dry run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from services.importer.domain import Column, ImportSettings, resolve_columns
from services.importer.kinds import IGNORE, ImportKind
from shared.csvfile import (
    MAX_COLUMNS,
    BlockSource,
    FileProblem,
    Record,
    detect_delimiter,
    detect_encoding,
    read_records,
    trim_cell,
    used_width,
)
from shared.messages import RowIn
from shared.sealing import MASK

CHUNK_ROWS = 2000
SAMPLE_COUNT = 3
SAMPLE_RECORDS = 50
SAMPLE_ROWS = 10


@dataclass
class FileLayout:
    encoding: str
    delimiter: str
    columns: list[Column]
    sample_rows: list[list[str]]  # the first records as read, every column, for a preview table
    total_rows: int = 0
    chunk_count: int = 0


class SeenKeys(Protocol):
    def earlier_lines(self, first_lines: dict[str, int]) -> dict[str, int]:
        """Remember these keys with the line of their first use; answer, for the keys that an
        earlier call named already, the line of that earlier use."""

    def sorted_keys(self) -> Iterator[str]:
        """Every key remembered, in code-point order."""


class SeenKeysInMemory:
    """Every key in a dict: memory grows with the file (workers use seen_keys.SeenKeysFile)."""

    def __init__(self):
        self.lines: dict[str, int] = {}

    def earlier_lines(self, first_lines: dict[str, int]) -> dict[str, int]:
        earlier = {key: self.lines[key] for key in first_lines if key in self.lines}
        self.lines.update({key: line for key, line in first_lines.items() if key not in earlier})
        return earlier

    def sorted_keys(self) -> Iterator[str]:
        return iter(sorted(self.lines))


def analyze(blocks: BlockSource, settings: ImportSettings, kind: ImportKind,
            store_chunk: Callable[[int, list[RowIn]], None], keys: SeenKeys | None = None) -> FileLayout:
    """Read the whole file, calling `store_chunk(chunk_no, rows)` per chunk; FileProblem if unusable.
    `keys` remembers the rows' keys to find one used on an earlier line."""
    encoding = settings.encoding or detect_encoding(blocks)
    delimiter = settings.delimiter or detect_delimiter(blocks, encoding)
    records = read_records(blocks, encoding, delimiter)
    first = next(records, None)
    if first is None:
        raise FileProblem("empty_file", "The file holds no records.")
    headers = _headers(first) if settings.has_header else [""] * len(first.fields)
    head = [] if settings.has_header else [first]
    for record in records:
        head.append(record)
        if len(head) >= SAMPLE_RECORDS:
            break
    if not head:
        raise FileProblem("no_data_rows", "The file has a header but no data rows.")
    if not settings.has_header:
        headers = [""] * max(len(record.fields) for record in head)
    columns = resolve_columns(headers, settings, kind)
    _add_samples(columns, head)
    sample_rows = [record.fields[: len(columns)] for record in head[:SAMPLE_ROWS]]
    _mask_secrets(columns, sample_rows, kind)
    layout = FileLayout(encoding, delimiter, columns, sample_rows)
    shape = _Shape(columns, kind, delimiter, settings.has_header, may_hold_nul=encoding.startswith("utf-16"))
    for chunk_no, rows in _chunks(_chain(head, records), shape, keys or SeenKeysInMemory()):
        store_chunk(chunk_no, rows)
        layout.total_rows += len(rows)
        layout.chunk_count += 1
    return layout


def _headers(first: Record) -> list[str]:
    """The header's texts; empty columns past the limit (a spreadsheet's trailing ones) dropped."""
    fields = first.fields[: used_width(first.fields)] if len(first.fields) > MAX_COLUMNS else first.fields
    return [header.strip() for header in fields]


class _Shape:
    """What a record is checked against: the header's width and texts, the mapped columns."""

    def __init__(self, columns: list[Column], kind: ImportKind, delimiter: str, has_header: bool,
                 may_hold_nul: bool = False):
        self.mapped = [(column.index, column.field) for column in columns if column.field != IGNORE]
        self.width = len(columns)
        self.delimiter = delimiter
        self.key_field = kind.key_field
        named = [column.index + 1 for column in columns if column.header or column.field != IGNORE]
        self.needed = max(named, default=0)  # a row shorter than this misses a labelled column
        key_headers = [column.header for column in columns if column.field == kind.key_field]
        self.key_header = key_headers[0].casefold() if has_header and key_headers and key_headers[0] else None
        self.headers = [column.header.casefold() for column in columns]
        # Only UTF-16 text can hold a NUL character (in other encodings a NUL byte refuses the file).
        self.may_hold_nul = may_hold_nul

    def errors_and_warnings(self, record: Record, values: dict[str, str]) -> tuple[list[str], list[str]]:
        fields = record.fields
        errors: list[str] = []
        warnings: list[str] = []
        if len(fields) > self.width and any(value.strip() for value in fields[self.width:]):
            errors.append(f"The row has {len(fields)} fields; the header has {self.width}.")
        elif len(fields) < self.needed:
            warnings.append(f"The row has {len(fields)} fields; the header has {self.needed}: "
                            "the missing cells are read as empty.")
        if self.may_hold_nul and any("\x00" in field for field in fields):
            # No service could store it (PostgreSQL refuses a NUL in a text): a damaged row, said here.
            errors.append(f"Line {record.line} holds a NUL character (a damaged file?); it is not imported.")
        if self.key_header is not None and values.get(self.key_field, "").strip().casefold() == self.key_header \
                and self._is_header(fields):
            errors.insert(0, f"Line {record.line} is the header again (files pasted one below the other?); "
                             "it is not imported.")
        return errors, warnings

    def multiline_cells_with_delimiter(self, record: Record) -> list[str]:
        """Cells over several lines that hold the delimiter: what a stray quote makes of the records
        after it, or a remark that happens to hold the delimiter."""
        if not record.spans_lines:
            return []
        return [field for field in record.fields if ("\n" in field or "\r" in field) and self.delimiter in field]

    def holds_whole_records(self, cells: list[str]) -> bool:
        """A line inside the cell has as many delimiters as a record: no remark looks like that."""
        needed = max(self.width - 1, 1)
        return any(line.count(self.delimiter) >= needed for cell in cells for line in cell.splitlines()[1:])

    def _is_header(self, fields: list[str]) -> bool:
        texts = [field.strip().casefold() for field in fields[: len(self.headers)]]
        return texts == self.headers[: len(texts)]


class _StrayQuotes:
    """Which quoted cells over several lines holding the delimiter are a stray quote's doing.

    A stray quote (`"` opening a cell by mistake) makes one record of the lines up to the next quote:
    one such record in a file. A file where remarks over several lines are normal has many, and none
    of them is a mistake. So such a record is an error when its inner lines look like whole records
    (as many delimiters as the header), or when it is the file's only one: the first is marked at
    once and its chunk held back (one chunk: memory stays flat) until a second one shows that this
    file writes such cells on purpose, when the mark comes off again.
    """

    def __init__(self, shape: _Shape):
        self.shape = shape
        self.seen = 0
        self.suspect: tuple[RowIn, str, list[str]] | None = None  # the row, its error, its warnings before

    def judge(self, record: Record, row: RowIn) -> None:
        cells = self.shape.multiline_cells_with_delimiter(record)
        if not cells:
            return
        self.seen += 1
        if self.shape.holds_whole_records(cells):
            self._mark(record, row)
        elif self.seen == 1:
            self.suspect = (row, self._mark(record, row), row.warnings)
        if self.seen == 2 and self.suspect is not None:
            suspect, error, warnings = self.suspect
            if error in suspect.errors:
                suspect.errors.remove(error)
                suspect.warnings[:] = warnings
            self.suspect = None

    def holds(self, chunk: list[RowIn]) -> bool:
        """Whether the chunk is to wait: it holds a row marked for being the only such one so far."""
        return self.suspect is not None and any(row is self.suspect[0] for row in chunk)

    @staticmethod
    def _mark(record: Record, row: RowIn) -> str:
        swallowed = (f"line {record.last_line} is" if record.last_line == record.line + 1
                     else f"lines {record.line + 1} to {record.last_line} are")
        error = (f"Lines {record.line} to {record.last_line} were read as one row: a quoted cell holds line "
                 f"breaks and the delimiter, as when a stray quote (\") opens a cell. Check the quotes on "
                 f"line {record.line}; {swallowed} not imported.")
        row.errors.append(error)
        row.warnings = []  # its field count says nothing more: the lines are what went wrong
        return error


def _chunks(records: Iterator[Record], shape: _Shape, keys: SeenKeys) -> Iterator[tuple[int, list[RowIn]]]:
    """(chunk_no, rows) for every chunk; not always in order (a chunk may be held back, see _StrayQuotes)."""
    mapped = shape.mapped
    stray_quotes = _StrayQuotes(shape)
    held: tuple[int, list[RowIn]] | None = None
    chunk: list[RowIn] = []
    chunk_no = 0
    for record in records:
        fields = record.fields
        values = {name: fields[index] if index < len(fields) else "" for index, name in mapped}
        errors, warnings = shape.errors_and_warnings(record, values)
        row = RowIn(record.line, values, errors, warnings)
        stray_quotes.judge(record, row)
        chunk.append(row)
        if held is not None and stray_quotes.suspect is None:
            yield held
            held = None
        if len(chunk) >= CHUNK_ROWS:
            _mark_repeated_keys(chunk, shape.key_field, keys)
            if stray_quotes.holds(chunk):
                held = (chunk_no, chunk)
            else:
                yield chunk_no, chunk
            chunk, chunk_no = [], chunk_no + 1
    if chunk:
        _mark_repeated_keys(chunk, shape.key_field, keys)
        yield chunk_no, chunk
    if held is not None:
        yield held


def _mark_repeated_keys(chunk: list[RowIn], key_field: str, keys: SeenKeys) -> None:
    """A key used on an earlier line (in this chunk or before) makes the later rows errors. Keys are
    trimmed as the services trim them, so a code with a zero-width space is the same code."""
    first_in_chunk: dict[str, int] = {}
    for row in chunk:
        key = trim_cell(row.values.get(key_field, ""))
        if key:
            first_in_chunk.setdefault(key, row.line)
    first_lines = {**first_in_chunk, **keys.earlier_lines(first_in_chunk)}
    for row in chunk:
        key = trim_cell(row.values.get(key_field, ""))
        if key and first_lines[key] != row.line:
            row.errors.append(f"{key} was used on line {first_lines[key]} already.")


def _add_samples(columns: list[Column], records: list[Record]) -> None:
    for column in columns:
        for record in records:
            if column.index < len(record.fields) and record.fields[column.index].strip():
                column.samples.append(record.fields[column.index].strip()[:100])
                if len(column.samples) >= SAMPLE_COUNT:
                    break


def _mask_secrets(columns: list[Column], sample_rows: list[list[str]], kind: ImportKind) -> None:
    """A column labelled as a secret (a password) shows masks, never its values."""
    for column in columns:
        if column.field in kind.secret_fields:
            column.samples = [MASK] * len(column.samples)
            for fields in sample_rows:
                if column.index < len(fields) and fields[column.index].strip():
                    fields[column.index] = MASK


def _chain(head: list[Record], rest: Iterator[Record]) -> Iterator[Record]:
    yield from head
    yield from rest
