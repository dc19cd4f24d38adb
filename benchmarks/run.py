"""`make bench`: runs every benchmark and prints its figures (ratios against a baseline measured
in the same run, so the numbers travel between machines)."""

from __future__ import annotations

from benchmarks import users_api


def main() -> None:
    print("== users API: one student per request (PostgreSQL + Redis) ==")
    for name, value in users_api.run().items():
        print(f"  {name:<26} {value:>10.1f}" if isinstance(value, float) else f"  {name:<26} {value:>10}")


if __name__ == "__main__":
    main()
