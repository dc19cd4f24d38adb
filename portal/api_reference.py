"""The generated part of docs/api.md: a table of every operation, written from the merged OpenAPI
document that the gateway serves, so the reference cannot miss an endpoint or keep a stale one.

    python -m portal.api_reference            # rewrite the table in docs/api.md
    python -m portal.api_reference --check    # exit 1 when the table is not what the code says

The document is built from the three services' routes in this process; no database, broker or
running portal is needed (nothing connects before a request).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portal.gateway import Gateway, call_backend, create_gateway
from shared.config import Settings

API_REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "api.md"
REGENERATE = "python -m portal.api_reference"
BEGIN = f"<!-- BEGIN GENERATED OPERATIONS: `{REGENERATE}` rewrites this part; edit around it -->"
END = "<!-- END GENERATED OPERATIONS -->"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
# Every operation that needs a right answers 401 for a missing, invalid or expired token; the table
# leaves that out to stay readable (a public operation's own 401 stays).
TOKEN_REFUSAL = "401"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    right: str | None
    own_record_allowed: bool
    success: str
    refusals: str


def documentation_gateway(data_dir: Path) -> Gateway:
    """The gateway over the three services in this process, on settings that never connect: in-memory
    SQLite engines (created, not opened), no broker, a throwaway secret."""
    settings = Settings.from_env({
        "PORTAL_DATA_DIR": str(data_dir),
        "PORTAL_SECRET_KEY": "documentation-only-never-signs-anything",
        "USERS_DATABASE_URL": "sqlite://",
        "IMPORTER_DATABASE_URL": "sqlite://",
        "ENROLLMENTS_DATABASE_URL": "sqlite://",
    })
    return create_gateway(settings, environ={})


def merged_document() -> dict[str, Any]:
    """`GET /api/v1/openapi.json` as the gateway answers it."""
    with tempfile.TemporaryDirectory() as data_dir:
        status, document = call_backend(documentation_gateway(Path(data_dir)), "/api/v1/openapi.json")
    if status != 200:
        raise RuntimeError(f"the gateway answered {status} for its OpenAPI document: {document}")
    return document


def operations(document: dict[str, Any]) -> list[Operation]:
    found = []
    for path, methods in document["paths"].items():
        for method in HTTP_METHODS:
            if method in methods:
                found.append(_operation(method.upper(), path, methods[method]))
    return found


def operation_table(document: dict[str, Any]) -> str:
    lines = [
        "| method | path | what it does | right | success | refusals |",
        "|---|---|---|---|---|---|",
    ]
    for operation in operations(document):
        right = f"`{operation.right}`" if operation.right else "none"
        if operation.own_record_allowed:
            right += " or own record"
        lines.append(f"| {operation.method} | `{operation.path}` | {_cell(operation.summary)} | {right} | "
                     f"{_cell(operation.success)} | {_cell(operation.refusals)} |")
    return "\n".join(lines)


def with_table(text: str, table: str) -> str:
    """`text` with the part between the markers replaced by `table`."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"docs/api.md lacks the markers of its generated part:\n{BEGIN}\n{END}")
    return text[:start + len(BEGIN)] + "\n\n" + table + "\n\n" + text[end:]


def generated_part(text: str) -> str:
    start, end = text.find(BEGIN), text.find(END)
    return text[start + len(BEGIN):end].strip() if 0 <= start < end else ""


def _operation(method: str, path: str, facts: dict[str, Any]) -> Operation:
    responses = facts.get("responses", {})
    successes = [status for status in responses if status < "400"]
    needs_token = "security" in facts
    refusals = [status for status in responses if status >= "400" and not (needs_token and status == TOKEN_REFUSAL)]
    return Operation(
        method=method, path=path, summary=facts.get("summary", ""), right=facts.get("x-required-right"),
        own_record_allowed=bool(facts.get("x-own-record-allowed")),
        success=", ".join(_status(status, responses[status]) for status in sorted(successes)),
        refusals=", ".join(_status(status, responses[status]) for status in sorted(refusals)),
    )


def _status(status: str, response: dict[str, Any]) -> str:
    description = response.get("description", "")
    return status if description in ("", "No content") else f"{status} {description}"


def _cell(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("|", "\\|")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=REGENERATE, description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 when docs/api.md is stale")
    parser.add_argument("--file", type=Path, default=API_REFERENCE, help="the reference to write (docs/api.md)")
    args = parser.parse_args(argv)
    text = args.file.read_text(encoding="utf-8")
    updated = with_table(text, operation_table(merged_document()))
    if args.check:
        if updated != text:
            print(f"{args.file} is stale: run `{REGENERATE}`", file=sys.stderr)
            return 1
        return 0
    if updated != text:
        args.file.write_text(updated, encoding="utf-8")
        print(f"{args.file}: operation table rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
