"""Reading the CSV files schools upload: encoding, delimiter, records with their line numbers.

One reader for every import kind. It works on an iterator of byte blocks, so a file of any size is
read with bounded memory: `detect_encoding` makes one streaming pass (the first non-UTF-8 byte may
sit on the millionth line), `read_records` a second one.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

DELIMITERS = ("\t", ";", ",")
DELIMITER_WORDS = {"tab": "\t", "semicolon": ";", "comma": ",", "\\t": "\t"}
ENCODINGS = {"utf-8", "utf-8-sig", "cp1252", "utf-16", "mac-roman", "cp850"}
ENCODING_ALIASES = {"utf8": "utf-8", "windows-1252": "cp1252", "latin-1": "cp1252", "latin1": "cp1252",
                    "utf-8-bom": "utf-8-sig", "utf16": "utf-16", "iso-8859-1": "cp1252",
                    "mac_roman": "mac-roman", "macroman": "mac-roman", "macintosh": "mac-roman",
                    "x-mac-roman": "mac-roman", "ibm850": "cp850", "850": "cp850", "cp-850": "cp850"}
# The one-byte encodings spreadsheets save CSV in, most common first (the first wins a tie): Excel's
# "CSV" on Windows, "CSV (Macintosh)" and "CSV (MS-DOS)".
SINGLE_BYTE_ENCODINGS = ("cp1252", "mac-roman", "cp850")
MAX_FIELD_CHARS = 128 * 1024
MAX_COLUMNS = 500
SNIFF_CHARS = 64 * 1024
SNIFF_RECORDS = 50

csv.field_size_limit(MAX_FIELD_CHARS)

_SIGNATURES = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive or Excel workbook (save it as CSV first)",
    b"\xd0\xcf\x11\xe0": "an old Excel or Word document (save it as CSV first)",
}
# A well-formed UTF-8 sequence of two to four bytes: Windows-1252 text almost never holds one (it
# would take an accented capital followed by a symbol), so a file that does was written as UTF-8.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_ASCII_BYTES = bytes(range(128))
# A byte right after an ASCII letter: inside a word, where a name has its accented letters.
_AFTER_LETTER = re.compile(rb"(?<=[A-Za-z])[\x80-\xff]")
# Excel's first line naming the delimiter ("sep=;"): not a header, and the delimiter it names wins.
_SEP_LINE = re.compile(r"sep=(.)")
# What a cell loses at both ends: every space Python knows (NBSP among them) and the characters that
# show as nothing (zero-width space and joiners, word joiner, a BOM in the middle of a file).
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_TRIMMED = "".join(char for char in map(chr, range(0x3001)) if char.isspace()) + _INVISIBLE


class FileProblem(Exception):
    """The file itself is unusable; `code` is one of the contract's job error codes. `params` fill in
    the catalogue's text for it, the text of `key` where that says more than the code's (the line of
    an unclosed quote)."""

    def __init__(self, code: str, message: str, params: dict[str, Any] | None = None, key: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params or {}
        self.key = key

    def to_error(self) -> dict[str, Any]:
        """The job's `error` as stored: made text in the reader's language when it is read."""
        return {"code": self.code, "message": self.message, "params": self.params, "key": self.key or self.code}


@dataclass(frozen=True)
class Record:
    line: int
    fields: list[str]
    last_line: int = 0  # where the record ends: after `line` when a quoted field holds line breaks

    @property
    def spans_lines(self) -> bool:
        return self.last_line > self.line


BlockSource = Callable[[], Iterable[bytes]]


def trim_cell(value: str) -> str:
    """A cell as it is meant: without spaces or invisible characters at either end (a code copied
    from a web page or a word processor often carries a zero-width space or an NBSP)."""
    return value.strip(_TRIMMED)


def normalize_delimiter(value: str) -> str | None:
    value = DELIMITER_WORDS.get(value.lower(), value) if value else value
    return value if value in DELIMITERS else None


def normalize_encoding(value: str) -> str | None:
    value = (value or "").strip().lower()
    value = ENCODING_ALIASES.get(value, value)
    return value if value in ENCODINGS else None


def detect_encoding(blocks: BlockSource) -> str:
    """utf-16 or utf-8-sig by their BOM, else utf-8 when every byte decodes, else the one of cp1252,
    mac-roman and cp850 whose reading of the non-ASCII bytes looks most like names (see
    `_SingleByteGuess`). A file that is UTF-8 but for some bytes (a BOM, or UTF-8 letters elsewhere)
    is refused naming the line: reading it all in another encoding would garble every UTF-8 letter
    without a word."""
    iterator = iter(blocks())
    first = next(iterator, b"")
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for signature, what in _SIGNATURES.items():
        if first.startswith(signature):
            raise FileProblem("not_text", f"This is {what}, not a CSV text file.")
    scan = _Utf8Scan()
    guess = _SingleByteGuess()
    has_content = False
    for block in _chain(first, iterator):
        if b"\x00" in block:
            raise FileProblem("not_text", "The file holds NUL bytes: it is a binary file, not CSV text.")
        has_content = has_content or bool(block.strip(b" \t\r\n\xef\xbb\xbf"))
        scan.feed(block)
        if scan.bad_line:  # before it every non-ASCII byte was UTF-8 (and then the file is refused)
            guess.feed(block)
    if not has_content:
        raise FileProblem("empty_file", "The file is empty.")
    scan.end()
    bom = first.startswith(codecs.BOM_UTF8)
    if not scan.bad_line:
        return "utf-8-sig" if bom else "utf-8"
    if bom or scan.utf8_line:
        written_as = "starts with a UTF-8 BOM" if bom else f"is UTF-8 (see line {scan.utf8_line})"
        raise FileProblem("undecodable_file", f"The file {written_as}, but line {scan.bad_line} holds bytes that "
                          "are not UTF-8: part of it was saved in another encoding. Save it again as CSV UTF-8.",
                          {"line": scan.bad_line}, key="undecodable_file_mixed")
    encoding = guess.best()
    if encoding is None:
        raise FileProblem("undecodable_file", "The file is neither UTF-8, Windows-1252, Mac Roman nor MS-DOS (850) "
                          "text; save it as CSV UTF-8.")
    return encoding


class _SingleByteGuess:
    """Which one-byte encoding a file that is not UTF-8 was saved in, from its non-ASCII bytes.

    ASCII reads the same in all three; only the bytes from 0x80 differ, and where one encoding has
    a letter another often has a symbol or a box-drawing character. So each candidate's reading of
    those bytes is scored: letters that names in these schools often hold (é ë ö ü ç ...) score
    high, other letters less, symbols and box drawing count against, a byte the encoding leaves
    undefined rules it out. Inside a word (after an ASCII letter) only letters and the apostrophe
    are plausible; elsewhere quotes, dashes and the euro sign are too. Counting bytes (in C) and
    scoring the 128 possible ones once keeps this cheap. `charset-normalizer` was measured on such
    files (Dutch names in each encoding, 100,000 rows) and named cp1250, mac_iceland and cp775.
    """

    ENOUGH_IN_WORDS = 20_000  # letters in words enough to tell; the regular expression stops there

    def __init__(self):
        self.present: set[int] = set()  # every non-ASCII byte of the file: one undefined byte rules cp1252 out
        self.everywhere: Counter[int] = Counter()  # the counts, up to the block where there is enough to tell
        self.in_words: Counter[int] = Counter()
        self.line_feeds = False  # Excel's "CSV (Macintosh)" ends lines with a CR alone, "CSV (MS-DOS)" with CR LF

    def feed(self, block: bytes) -> None:
        self.line_feeds = self.line_feeds or b"\n" in block
        non_ascii = block.translate(None, _ASCII_BYTES)
        self.present.update(non_ascii)
        if self.in_words.total() < self.ENOUGH_IN_WORDS:
            self.everywhere.update(non_ascii)
            self.in_words.update(b"".join(_AFTER_LETTER.findall(block)))

    def best(self) -> str | None:
        """The most plausible encoding, None when none is plausible. On a tie the most common wins,
        and between the two Excel writes with other line ends, the one whose line ends the file has
        (Mac Roman and MS-DOS both have letters where the other has letters)."""
        order = ("cp1252", "cp850", "mac-roman") if self.line_feeds else ("cp1252", "mac-roman", "cp850")
        scores = {encoding: score for encoding in order if (score := self._score(encoding)) is not None}
        if "cp1252" in scores:
            # By far the most common, and its quotes and dashes are letters in the other two: they must
            # win clearly (a few curly quotes read as Mac Roman make letters, but not names).
            scores["cp1252"] += 2 + abs(scores["cp1252"]) // 10
        encoding = max(scores, key=scores.__getitem__)  # scores keeps the order: the first wins a tie
        return encoding if scores[encoding] >= 0 else None

    def _score(self, encoding: str) -> int | None:
        total = 0
        for byte in self.present:
            try:
                char = bytes([byte]).decode(encoding)
            except UnicodeDecodeError:
                return None
            count, inside = self.everywhere[byte], self.in_words[byte]
            total += inside * _score_in_word(char) + (count - inside) * _score_elsewhere(char)
        return total


# Letters of names in Dutch schools (Dutch, French, German, Turkish, Nordic, Spanish, Portuguese),
# the most frequent first.
_FREQUENT_LETTERS = "éëèöüäçï"
_OTHER_NAME_LETTERS = "áàâêîôûóòíìúùåøæœßñõãýÿşğıš"
_TEXT_PUNCTUATION = "‘’“”–—…€«»°·´§²³±×\xa0"
_CLOSING_PUNCTUATION = "”»…"


def _score_in_word(char: str) -> int:
    if char in _FREQUENT_LETTERS:
        return 3
    if char in _OTHER_NAME_LETTERS or char == "’":  # d’Hondt, ’t Hart
        return 2
    if char.islower():
        return 1
    if char.isalpha() or char in _CLOSING_PUNCTUATION:
        return 0  # a capital inside a word happens (ZOË) but says little; so does “a quote” closing
    return -5


def _score_elsewhere(char: str) -> int:
    return 1 if char.isalpha() or char in _TEXT_PUNCTUATION else -3


class _Utf8Scan:
    """Follows the blocks of a file as UTF-8: the line of the first byte that is not, and the line of
    a well-formed multi-byte sequence (so a file with both can be told from one in another encoding)."""

    def __init__(self):
        self.bad_line = 0
        self.utf8_line = 0
        self._lines_before = 0
        self._pending = b""  # an incomplete sequence at the end of a block, completed by the next

    def feed(self, block: bytes) -> None:
        data, self._pending = self._pending + block, b""
        if not self.bad_line:
            try:
                _, consumed = codecs.utf_8_decode(data, "strict", False)
            except UnicodeDecodeError as error:
                self.bad_line = self._line_at(data, error.start)
            else:
                self._pending = data[consumed:]
                if not self.utf8_line and (non_ascii := _NON_ASCII.search(data, 0, consumed)):
                    self.utf8_line = self._line_at(data, non_ascii.start())
        if self.bad_line and not self.utf8_line and _holds_utf8_sequence(data):
            match = _UTF8_SEQUENCE.search(data)
            self.utf8_line = self._line_at(data, match.start() if match else 0)
        self._lines_before += data.count(b"\n")  # a pending sequence holds no line break: counted once

    def end(self) -> None:
        if self._pending and not self.bad_line:
            self.bad_line = self._lines_before + 1  # the file ends inside a sequence

    def _line_at(self, data: bytes, position: int) -> int:
        return self._lines_before + data.count(b"\n", 0, position) + 1


def _holds_utf8_sequence(data: bytes) -> bool:
    """Whether some non-ASCII bytes decode as UTF-8: more non-ASCII characters come out than
    replacement characters (one per byte that does not decode). Cheaper than the regular expression
    over a whole Windows-1252 file, which is then only run to find the line."""
    text = data.decode("utf-8", "replace")
    return len(text) - len(text.encode("ascii", "ignore")) > text.count("\ufffd")


def text_stream(blocks: BlockSource, encoding: str) -> io.TextIOWrapper:
    # NUL bytes mean a binary file (also when the encoding was given, so detect_encoding did not run).
    # CR CR LF (a CRLF file saved again through a text mode that adds a CR) is one line end, not two.
    byte_text = not encoding.startswith("utf-16")
    raw = io.BufferedReader(_BlockStream(iter(blocks()), refuse_nul=byte_text, join_cr_crlf=byte_text),
                            buffer_size=256 * 1024)
    # utf-8-sig reads BOM-less UTF-8 the same and drops a BOM when utf-8 was chosen for a BOM file.
    encoding = "utf-8-sig" if encoding == "utf-8" else encoding
    return io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")


def detect_delimiter(blocks: BlockSource, encoding: str) -> str:
    """The one a first line `sep=;` names (as Excel writes it), else the candidate that splits the
    first records into the same number (> 1) of fields most consistently; tab, then semicolon, then
    comma on a tie."""
    sample = _decode_sample(blocks, encoding)
    declared = _SEP_LINE.fullmatch(sample.split("\n", 1)[0].strip(" \r"))
    if declared and normalize_delimiter(declared.group(1)):
        return declared.group(1)
    best, best_score = DELIMITERS[0], None
    for delimiter in DELIMITERS:
        counts: Counter[int] = Counter()
        try:
            reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
            for index, fields in enumerate(reader):
                if index >= SNIFF_RECORDS:
                    break
                if any(field.strip() for field in fields):
                    counts[len(fields)] += 1
        except csv.Error:
            continue
        if not counts:
            continue
        width, frequency = counts.most_common(1)[0]
        score = (width > 1, frequency / sum(counts.values()), width)
        if best_score is None or score > best_score:
            best, best_score = delimiter, score
    return best


def read_records(blocks: BlockSource, encoding: str, delimiter: str) -> Iterator[Record]:
    """Every non-blank record with the 1-based line where it starts; a problem raises FileProblem.
    Excel's `sep=` first line is no record (the lines after it keep their numbers)."""
    stream = text_stream(blocks, encoding)
    reader = csv.reader(stream, delimiter=delimiter, strict=True)
    next_line = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _csv_problem(error, next_line, reader.line_num) from None
        except UnicodeDecodeError:
            raise FileProblem(
                "undecodable_file", f"The file does not decode as {encoding} (near line {reader.line_num + 1}).",
                {"encoding": encoding, "line": reader.line_num + 1}) from None
        line, next_line = next_line, reader.line_num + 1
        if len(fields) > MAX_COLUMNS and (used := used_width(fields)) > MAX_COLUMNS:
            raise FileProblem("malformed_csv", f"Line {line} has {used} fields; at most {MAX_COLUMNS} "
                              "columns are supported. Is the delimiter right?",
                              {"line": line, "fields": used, "max": MAX_COLUMNS}, key="malformed_csv_too_many_columns")
        if line == 1 and _SEP_LINE.fullmatch(delimiter.join(fields)):
            continue
        if any(map(str.strip, fields)):  # not blank (map: no Python frame per field, on every row)
            yield Record(line, fields, next_line - 1)


def used_width(fields: list[str]) -> int:
    """The fields up to the last one that holds something: a spreadsheet may write hundreds of
    empty columns after the used ones."""
    width = len(fields)
    while width and not fields[width - 1].strip():
        width -= 1
    return width


def _csv_problem(error: csv.Error, start_line: int, line_num: int) -> FileProblem:
    text = str(error)
    if "field larger than field limit" in text:
        return FileProblem("malformed_csv", f"Line {start_line} has a field longer than {MAX_FIELD_CHARS} characters.",
                           {"line": start_line, "max": MAX_FIELD_CHARS}, key="malformed_csv_long_field")
    if "unexpected end of data" in text or "EOF" in text:
        return FileProblem("malformed_csv", f"The quote opened on line {start_line} is never closed.",
                           {"line": start_line}, key="malformed_csv_open_quote")
    return FileProblem("malformed_csv", f"Line {start_line} is not valid CSV ({text}); check the quotes near "
                       f"line {line_num}.", {"line": start_line, "near": line_num})


def _decode_sample(blocks: BlockSource, encoding: str) -> str:
    stream = text_stream(blocks, encoding)
    try:
        sample = stream.read(SNIFF_CHARS)
    except UnicodeDecodeError:
        raise FileProblem("undecodable_file", f"The file does not decode as {encoding}.",
                          {"encoding": encoding}) from None
    # Cut at the last line break so a half line cannot distort the field counts.
    cut = max(sample.rfind("\n"), sample.rfind("\r"))
    return sample[: cut + 1] if cut > 0 and len(sample) == SNIFF_CHARS else sample


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


class _BlockStream(io.RawIOBase):
    def __init__(self, blocks: Iterator[bytes], refuse_nul: bool = False, join_cr_crlf: bool = False):
        self._blocks = blocks
        self._pending: bytes | None = b""
        self._refuse_nul = refuse_nul
        self._join_cr_crlf = join_cr_crlf
        self._carried_crs = b""  # carriage returns ending a block: a CR CR LF may go on in the next one

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            self._pending = self._next_block()
            if self._pending is None:
                self._pending = b""
                return 0
            if self._refuse_nul and b"\x00" in self._pending:
                raise FileProblem("not_text", "The file holds NUL bytes: it is a binary file, not CSV text.")
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def _next_block(self) -> bytes | None:
        block = next(self._blocks, None)
        if not self._join_cr_crlf:
            return block
        if block is None:
            block, self._carried_crs = self._carried_crs or None, b""
            return block
        block = self._carried_crs + block
        kept = len(block.rstrip(b"\r"))
        block, self._carried_crs = block[:kept], block[kept:]
        return block.replace(b"\r\r\n", b"\r\n")
