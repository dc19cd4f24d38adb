"""`make bench`: runs every benchmark and prints its figures (ratios against a baseline measured
in the same run, so the numbers travel between machines), then, when the `bench-peers` extra is
installed, the portal beside django-import-export and the raw floor on the same file."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from benchmarks import imports, peers, users_api

PEER_FIRST_CODE = 9_000_000  # far above the codes the imports of every size use


def show(figures: dict) -> None:
    for name, value in figures.items():
        if isinstance(value, float):
            print(f"  {name:<26} {value:>10.1f}")
        elif isinstance(value, dict):
            print(f"  {name:<26} " + ", ".join(f"{key} {item}" for key, item in value.items()))
        else:
            print(f"  {name:<26} {value:>10}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the benchmarks and print their figures.")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="import sizes in rows, comma-separated")
    parser.add_argument("--users-import-only", action="store_true",
                        help="only the users imports (no API benchmark, no enrollments import)")
    parser.add_argument("--peer-size", type=int, default=100_000,
                        help="students in the file the portal and its peers import side by side (0: no peers)")
    arguments = parser.parse_args()
    sizes = tuple(int(size) for size in arguments.sizes.split(","))
    peer_size = arguments.peer_size
    if peer_size and not peers.installed():
        print(f"(no peers: django-import-export is not installed; {peers.INSTALL_HINT})")
        peer_size = 0
    if not arguments.users_import_only:
        print("== users API: one student per request (PostgreSQL + Redis) ==")
        show(users_api.run())
    with tempfile.TemporaryDirectory(prefix="portal-bench-peers-") as scratch:
        flow_file = Path(scratch) / f"peers-{peer_size}.csv"
        if peer_size:
            imports.write_export(flow_file, peer_size, PEER_FIRST_CODE)
        portal_flow = None
        for figures in imports.run(sizes, enrollments=not arguments.users_import_only,
                                   flow_file=flow_file if peer_size else None, flow_size=peer_size):
            kind = figures.pop("kind", "users")
            if kind == "users flow":
                portal_flow = {**figures, "load": os.getloadavg()}
                print(f"== the administrator's flow on {figures['rows']} students: preview, then start "
                      "(PostgreSQL + Redis, 2 worker processes) ==")
            else:
                print(f"== {kind} import of {figures['rows']} rows, end to end "
                      "(PostgreSQL + Redis, 2 worker processes) ==")
            show(figures)
            # Out at once (also into a pipe): a later size that goes wrong must not take these with it.
            sys.stdout.flush()
        if portal_flow is not None:
            compare_with_peers(flow_file, peer_size, portal_flow)


def compare_with_peers(path: Path, size: int, portal_flow: dict) -> None:
    """The peers on the portal's own file, after the portal's processes have stopped."""
    from benchmarks.peers import django_import_export, raw_inserts, table

    print(f"== peers on the same {size} students, the same PostgreSQL, in-process ==")
    peer = django_import_export.run(path, size)
    show(peer)
    raw = raw_inserts.run(path, size)
    show(raw)
    print()
    print(table.comparison(size, portal_flow, django_import_export.name(), peer, raw))
    # The machine may be shared: a comparison is only as fair as the load both sides ran under.
    print(f"(load average 1/5/15 min: {_load(portal_flow['load'])} after the portal's flow, "
          f"{_load(os.getloadavg())} after the peers)")


def _load(averages: tuple[float, ...]) -> str:
    return " / ".join(f"{load:.1f}" for load in averages)


if __name__ == "__main__":
    main()
