"""`make bench`: runs every benchmark and prints its figures (ratios against a baseline measured
in the same run, so the numbers travel between machines)."""

from __future__ import annotations

import argparse

from benchmarks import imports, users_api


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
    arguments = parser.parse_args()
    sizes = tuple(int(size) for size in arguments.sizes.split(","))
    if not arguments.users_import_only:
        print("== users API: one student per request (PostgreSQL + Redis) ==")
        show(users_api.run())
    for figures in imports.run(sizes, enrollments=not arguments.users_import_only):
        kind = figures.pop("kind", "users")
        print(f"== {kind} import of {figures['rows']} rows, end to end (PostgreSQL + Redis, 2 worker processes) ==")
        show(figures)


if __name__ == "__main__":
    main()
