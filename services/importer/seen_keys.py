"""The keys (codes) an analysis has seen so far, to find one used on an earlier line of the file.

In a throwaway SQLite file on the worker's local disk, for the length of one analysis: lookups
stay fast and the worker's memory stays flat, however many rows the file has.

That disk failing (full, read-only, gone) is an OSError, whichever of SQLite or the file system
notices it, so the analysis can tell the job why it failed (domain.STORAGE_FULL, STORAGE_FAILED).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

BATCH = 5000  # under SQLite's limit on parameters per statement
# SQLite's result codes for a disk it cannot use (https://sqlite.org/rescode.html), as the errno they stand for.
_DISK_ERRORS = {13: errno.ENOSPC, 10: errno.EIO, 14: errno.EIO, 8: errno.EROFS}  # FULL, IOERR, CANTOPEN, READONLY


class SeenKeysFile:
    def __init__(self, scratch_dir: Path | None = None):
        self._directory = tempfile.TemporaryDirectory(prefix="portal-import-keys-", dir=scratch_dir)
        try:
            with _disk_errors_as_os_errors():
                self._db = sqlite3.connect(os.path.join(self._directory.name, "keys.sqlite3"), isolation_level=None)
                self._db.execute("PRAGMA journal_mode=OFF")
                self._db.execute("PRAGMA synchronous=OFF")
                self._db.execute("CREATE TABLE keys (key TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID")
                self._db.execute("BEGIN")
        except BaseException:
            self._directory.cleanup()
            raise

    def earlier_lines(self, first_lines: dict[str, int]) -> dict[str, int]:
        """See analysis.SeenKeys."""
        with _disk_errors_as_os_errors():
            return self._earlier_lines(first_lines)

    def _earlier_lines(self, first_lines: dict[str, int]) -> dict[str, int]:
        # Insert all; a key stored before keeps its line, so a stored line other than this one is
        # the earlier use (lines only grow, so no key can meet its own line twice).
        self._db.executemany("INSERT OR IGNORE INTO keys VALUES (?, ?)", first_lines.items())
        keys = list(first_lines)
        earlier = {}
        for start in range(0, len(keys), BATCH):
            batch = keys[start:start + BATCH]
            stored = self._db.execute(f"SELECT key, line FROM keys WHERE key IN ({','.join('?' * len(batch))})", batch)
            earlier.update({key: line for key, line in stored if line != first_lines[key]})
        return earlier

    def sorted_keys(self) -> Iterator[str]:
        """Every key seen, in code-point order (SQLite compares text bytewise: UTF-8 sorts as code points)."""
        with _disk_errors_as_os_errors():
            for (key,) in self._db.execute("SELECT key FROM keys ORDER BY key"):
                yield key

    def close(self) -> None:
        self._db.close()
        self._directory.cleanup()

    def __enter__(self) -> SeenKeysFile:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


@contextlib.contextmanager
def _disk_errors_as_os_errors() -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as error:
        code = getattr(error, "sqlite_errorcode", None)
        if code is None or code & 0xFF not in _DISK_ERRORS:  # an extended code's low byte is its primary one
            raise
        raise OSError(_DISK_ERRORS[code & 0xFF], f"the analysis' scratch file: {error}") from error
