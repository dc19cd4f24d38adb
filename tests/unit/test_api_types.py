"""Typed request definitions: what they refuse, and with which of the contract's codes."""

from typing import Annotated

import pytest

from services.enrollments.commands import EnrollmentBody, LearningPathBody
from services.users.commands import SchoolFunctionCreate, UserCreate, UserPatch
from shared.api_types import Body, Page, Text, read_body
from shared.errors import InvalidInput


def refusal(model, body) -> tuple[str, str]:
    with pytest.raises(InvalidInput) as refused:
        read_body(model, body)
    return refused.value.code, refused.value.details["field"]


@pytest.mark.parametrize("body, code, field", [
    ({"code": "h1\n"}, "invalid_code", "code"),  # Python's $ would let the line break through
    ({"code": "..", "first_name": "A"}, "invalid_code", "code"),
    ({"code": "1", "first_name": "Zoë\n"}, "invalid_text", "first_name"),
    ({"code": "1", "first_name": "x" * 201}, "value_too_long", "first_name"),
    ({"code": "1", "email": "a@b.nl\n"}, "invalid_email", "email"),
    ({"code": "1", "password": "pass\x00word"}, "invalid_password", "password"),
    ({"code": "1", "login_method": None}, "invalid_login_method", "login_method"),
    ({"code": "1", "is_student": 1}, "invalid_type", "is_student"),
    ({"code": "1", "school_functions": "leerling"}, "invalid_type", "school_functions"),
    ({"code": "1", "school_functions": ["x"] * 101}, "unknown_school_function", "school_functions"),
    ({"code": "1", "colour": "blue"}, "unknown_field", "colour"),
])
def test_a_user_body_is_refused_with_the_contracts_code(body, code, field):
    assert refusal(UserCreate, body) == (code, field)


def test_a_patch_names_the_fields_it_changes_and_never_the_code():
    assert read_body(UserPatch, {"first_name": None, "archived": True}).given() == {"first_name": None,
                                                                                   "archived": True}
    assert refusal(UserPatch, {"code": "2"}) == ("code_not_changeable", "code")


@pytest.mark.parametrize("model, body, code, field", [
    (EnrollmentBody, {"student": "1", "department": "h1", "prognosis": 1e30}, "invalid_prognosis", "prognosis"),
    (EnrollmentBody, {"student": "1", "department": "h1", "prognosis": True}, "invalid_prognosis", "prognosis"),
    (EnrollmentBody, {"student": "1", "department": "h1", "prognosis": "101%"}, "invalid_prognosis", "prognosis"),
    (LearningPathBody, {"code": "a", "name": "A", "element_code": "E", "years_of_education": [2**70]},
     "invalid_year_of_education", "years_of_education"),
    (LearningPathBody, {"code": "a", "name": " ", "element_code": "E", "years_of_education": [1]},
     "invalid_text", "name"),
    (SchoolFunctionCreate, {"code": "f", "name": "F", "rights": ["users:fly"]}, "unknown_right", "rights"),
])
def test_numbers_are_bounded_and_choices_enumerated(model, body, code, field):
    assert refusal(model, body) == (code, field)


def test_a_prognosis_is_a_number_or_the_text_a_school_file_writes():
    for prognosis in (75, 75.5, "75%", "75,0", " 100 ", "", None):
        assert read_body(EnrollmentBody, {"student": "1", "department": "h1", "prognosis": prognosis})


def test_a_field_without_a_declared_code_says_what_broke():
    class Note(Body):
        text: Annotated[str, Text]

    assert refusal(Note, {}) == ("missing_field", "text")
    assert refusal(Note, {"text": 5}) == ("invalid_type", "text")


@pytest.mark.parametrize("limit", ["٥", "5_0", " 5", "0", "1001", "-1"])
def test_a_page_limit_is_ascii_digits_from_1_to_1000(limit):
    with pytest.raises(Exception, match="limit"):
        Page.model_validate({"limit": limit})


@pytest.mark.parametrize("since", ["0.5", "1700000000", "30-11-2026", "2026-11-30T08:00:00"])
def test_a_moment_is_date_time_text_with_its_zone(since):
    from services.users.api import AuditQuery

    with pytest.raises(Exception, match="since"):
        AuditQuery.model_validate({"since": since})
    assert AuditQuery.model_validate({"since": "2026-11-30T08:00:00Z"}).since.year == 2026
