import pytest

from services.users.domain import (
    User,
    apply_types_and_functions,
    check_code,
    check_email,
    check_student_code,
    student_event_type,
)
from shared.errors import InvalidInput


@pytest.mark.parametrize("code", ["123456", "001234", "0"])
def test_digit_codes_are_valid_student_codes(code):
    check_student_code(code)


@pytest.mark.parametrize("code", ["12a45", "12 45", "١٢٣", "１２３", "-12", "12.5", "12345\n"])
def test_any_character_but_ascii_digits_is_refused_for_a_student(code):
    with pytest.raises(InvalidInput) as refused:
        check_student_code(code)
    assert refused.value.code == "student_code_not_numeric"
    assert refused.value.details["field"] == "code"


@pytest.mark.parametrize("code", ["", "   ", " 123", "12 3", "x" * 33, None, 123])
def test_empty_spaced_overlong_or_non_text_codes_are_invalid(code):
    with pytest.raises(InvalidInput) as refused:
        check_code(code)
    assert refused.value.code == "invalid_code"


def test_a_code_is_kept_exactly_as_written():
    assert check_code("001234") == "001234"


def test_a_bad_email_is_refused_and_an_empty_one_means_none():
    with pytest.raises(InvalidInput) as refused:
        check_email("not-an-email")
    assert refused.value.code == "invalid_email"
    assert check_email("") is None
    assert check_email("zoe@example.org") == "zoe@example.org"


def test_the_student_type_adds_and_removing_it_drops_the_function_leerling():
    user = User(code="123", is_student=True)
    apply_types_and_functions(user, None, {"leerling"})
    assert user.school_functions == {"leerling"}
    user.is_student = False
    apply_types_and_functions(user, None, {"leerling"})
    assert user.school_functions == set()


def test_an_unknown_school_function_is_refused():
    user = User(code="t1")
    with pytest.raises(InvalidInput) as refused:
        apply_types_and_functions(user, {"conciërge"}, {"leerling"})
    assert refused.value.code == "unknown_school_function"


def test_becoming_a_student_is_created_and_a_students_change_is_updated():
    employee = User(code="1", is_employee=True)
    student = User(code="1", is_student=True, school_functions={"leerling"})
    renamed = User(code="1", is_student=True, first_name="Zoë", school_functions={"leerling"})
    former = User(code="1", is_student=False)
    assert student_event_type(None, student) == "student.created"
    assert student_event_type(employee, student) == "student.created"
    assert student_event_type(student, renamed) == "student.updated"
    assert student_event_type(student, former) == "student.updated"
    assert student_event_type(student, student) is None
    assert student_event_type(None, employee) is None
