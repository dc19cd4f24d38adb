"""Other tools `make bench` measures beside the portal, on the same file and the same PostgreSQL in
the same run: django-import-export tuned for bulk creates, and a raw executemany / COPY of the same
rows. Their dependencies are the `bench-peers` extra; the portal itself never imports them."""

from __future__ import annotations

from importlib.util import find_spec

INSTALL_HINT = "pip install -e '.[bench-peers]' (`make bench` installs it)"


def installed() -> bool:
    """Whether the `bench-peers` extra is in this environment."""
    return all(find_spec(name) is not None for name in ("django", "import_export", "tablib"))
