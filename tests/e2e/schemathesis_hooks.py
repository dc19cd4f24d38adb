"""Schemathesis hooks for tests/e2e/test_schemathesis.py: the failures the contract asks for.

A failure is dropped here only when the contract (shared CONTRACT.md, README "API") says the
answer is the right one and no schema can say so. Everything else is reported."""

from __future__ import annotations

import json

import schemathesis
from schemathesis.openapi.checks import RejectedPositiveData

# 422s that name something which does not exist (or no longer is what the request needs): a
# schema describes the shape of a value, not whether the portal holds it. The contract lists them
# as the answers to those requests (enrollments: unknown_student, not_a_student,
# unknown_department; giving a user a school function that is not there).
REFERENCE_ERRORS = frozenset({"unknown_student", "not_a_student", "unknown_department", "unknown_school_function"})


@schemathesis.hook
def filter_failure(ctx, failure, case, response) -> bool:
    if not isinstance(failure, RejectedPositiveData):
        return True
    status, error = response.status_code, _error_of(response)
    return not (is_a_refused_cursor(status, error) or is_a_reference_to_nothing(status, error)
                or is_a_student_code_rule_on_an_existing_user(case, status, error)
                or is_an_option_of_another_kind(case, status, error)
                or is_archiving_without_a_synchronize_of_students(case, status, error))


def is_a_refused_cursor(status: int, error: dict) -> bool:
    """`cursor` is opaque: only a `next_cursor` the same list gave is one. The contract says any
    other value is `400 invalid_cursor` (or `400 invalid_parameter` for a control character), and a
    string that the list gave cannot be described by a schema, so a generated cursor being refused
    is no "schema-valid request rejected"."""
    return status == 400 and error.get("code") in ("invalid_cursor", "invalid_parameter") \
        and error.get("details", {}).get("field") == "cursor"


def is_a_reference_to_nothing(status: int, error: dict) -> bool:
    return status == 422 and error.get("code") in REFERENCE_ERRORS


def is_a_student_code_rule_on_an_existing_user(case, status: int, error: dict) -> bool:
    """`PATCH /users/{code}` with `is_student: true` is `422 student_code_not_numeric` when the
    code in the path has a letter: a rule joining the path and the body, which a body schema cannot
    state. (On `POST /users` both are in the body, and the schema can: that one is reported.)"""
    return status == 422 and error.get("code") == "student_code_not_numeric" \
        and case.method.upper() == "PATCH" and case.path == "/api/v1/users/{code}"


def is_an_option_of_another_kind(case, status: int, error: dict) -> bool:
    """Which fields a `mapping` may name, and whether `schedule_project` is needed, depend on the
    job's kind: on `PATCH /imports/{job_id}` the kind is the stored job's, not in the request; on the
    upload the mapping is a JSON text inside a form field, whose content a generator does not read.
    The contract answers both with `422 invalid_option` naming the field."""
    return status == 422 and error.get("code") == "invalid_option" \
        and error.get("details", {}).get("field") in ("mapping", "schedule_project") \
        and case.path in ("/api/v1/imports", "/api/v1/imports/{job_id}")


def is_archiving_without_a_synchronize_of_students(case, status: int, error: dict) -> bool:
    """`archive_missing` is taken only with mode synchronize and as_student (the contract's leavers):
    a rule joining three options, two of which a PATCH may leave at the stored job's values."""
    return status == 422 and error.get("code") == "invalid_option" \
        and error.get("details", {}).get("field") == "archive_missing" \
        and case.path in ("/api/v1/imports", "/api/v1/imports/{job_id}")


def _error_of(response) -> dict:
    try:
        error = json.loads(response.content)["error"]
    except (ValueError, KeyError, TypeError):
        return {}
    return error if isinstance(error, dict) else {}
