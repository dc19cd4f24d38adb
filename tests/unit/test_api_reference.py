"""docs/api.md against the code: the operations it names, in its generated table and in its prose,
are exactly those of the merged OpenAPI document the gateway serves, and the table is current."""

import re

import pytest

from portal.api_reference import API_REFERENCE, REGENERATE, generated_part, merged_document, operation_table

TABLE_ROW = re.compile(r"^\| (GET|POST|PUT|PATCH|DELETE) \| `(/api/v1/[^`]+)` \|", re.MULTILINE)
SECTION = re.compile(r"^### (GET|POST|PUT|PATCH|DELETE) (/api/v1/\S+)$", re.MULTILINE)


@pytest.fixture(scope="module")
def document():
    return merged_document()


@pytest.fixture(scope="module")
def reference():
    return API_REFERENCE.read_text(encoding="utf-8")


def operations_in(document) -> set[str]:
    return {f"{method.upper()} {path}" for path, methods in document["paths"].items() for method in methods}


def difference(documented: set[str], served: set[str], how_to_fix: str) -> str:
    missing, stale = sorted(served - documented), sorted(documented - served)
    return (f"docs/api.md is out of step with the code.\n  missing (served, not in docs/api.md): {missing}\n"
            f"  stale (in docs/api.md, no longer served): {stale}\n  {how_to_fix}")


def test_the_document_has_the_operations_of_all_three_services(document):
    served = operations_in(document)
    assert {"POST /api/v1/auth/token", "POST /api/v1/imports", "GET /api/v1/learning-paths"} <= served


def test_the_generated_table_names_exactly_the_operations_the_gateway_documents(document, reference):
    tabled = {f"{method} {path}" for method, path in TABLE_ROW.findall(generated_part(reference))}
    assert tabled == operations_in(document), difference(
        tabled, operations_in(document), f"Regenerate the table: `.venv/bin/{REGENERATE}`.")


def test_every_operation_has_a_section_in_words_and_no_section_describes_a_gone_one(document, reference):
    described = {f"{method} {path}" for method, path in SECTION.findall(reference)}
    assert described == operations_in(document), difference(
        described, operations_in(document),
        "Write (or remove) a `### METHOD /api/v1/...` section under its resource: what it takes, "
        "answers and refuses.")


def test_the_generated_table_is_what_the_code_says_now(document, reference):
    assert generated_part(reference) == operation_table(document), (
        f"The operation table in docs/api.md is stale (a summary, right or refusal changed): "
        f"run `.venv/bin/{REGENERATE}`.")
