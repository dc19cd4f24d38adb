"""Files that only the account running the portal may read.

The data dir holds password hashes, students' personal data, the key that signs access tokens and
the embedded Redis' password; on a shared machine other accounts must not read any of it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

# Masks every group and other permission bit: new files become 0600, new directories 0700.
PRIVATE_UMASK = 0o077


def keep_new_files_private() -> None:
    """Everything this process creates from now on is its owner's alone; the children it starts
    inherit the umask, so SQLite's -wal/-shm files, Redis' append-only file and the logs are
    covered without knowing their names."""
    os.umask(PRIVATE_UMASK)


def make_private_dir(path: Path) -> None:
    # mkdir leaves an existing directory's mode alone: make_tree_private tightens that one.
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def make_tree_private(root: Path) -> None:
    """Take every group and other permission off root and everything below it, such as a data
    dir that an older version created under a looser umask.

    Owner bits stay as they are, so a PORTAL_DATA_DIR pointed at the wrong directory by mistake
    loses no executable bit. Symbolic links are skipped: they may point outside the data dir.
    """
    _remove_group_and_other_access(root)
    for directory, subdirectories, files in os.walk(root):
        for name in subdirectories + files:
            path = Path(directory) / name
            if not path.is_symlink():
                _remove_group_and_other_access(path)


def _remove_group_and_other_access(path: Path) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & PRIVATE_UMASK:
        path.chmod(mode & ~PRIVATE_UMASK)


def read_or_create_secret(path: Path, generate: Callable[[], str]) -> str:
    """The secret kept in path; the first call generates it and writes it readable by the owner only."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    secret = generate()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secret)
    return secret


def write_private_file(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    # open() keeps the mode of a file that exists already (an older version wrote it 0644).
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
