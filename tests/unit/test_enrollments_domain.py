"""The enrollment rules as plain Python: prognosis, learning paths, known students, import rows."""

import pytest

from services.enrollments.domain import (
    AMBIGUOUS,
    NO_MATCH,
    Department,
    Enrollment,
    LearningPath,
    Student,
    check_student_known,
    learning_path_for,
    parse_prognosis,
)
from services.enrollments.rows import decide_enrollment_row
from shared import catalogue
from shared.errors import InvalidInput
from shared.messages import RowIn

PROJECT = "2026-2027"
H1 = Department(PROJECT, "h1", "Havo 1", 1)
V4 = Department(PROJECT, "v4", "Vwo 4", 4)
DEPARTMENTS = {"h1": H1, "v4": V4}
STUDENT = Student("123456", is_student=True, archived=False)


def path(code, years, educations=(), profiles=(), element_code=None):
    return LearningPath(code, code.upper(), element_code or f"E{code}", None, tuple(years), tuple(educations),
                        tuple(profiles))


def enrollment(education=None, profile=None, department="v4"):
    return Enrollment(PROJECT, "123456", department, profile=profile, education=education)


# prognosis

@pytest.mark.parametrize("value, expected", [
    ("75", 75.0), ("75%", 75.0), ("75,0", 75.0), (" 80 ", 80.0), (85.5, 85.5), ("85.5", 85.5),
    (0, 0.0), (100, 100.0), ("0", 0.0), ("100%", 100.0),
])
def test_a_prognosis_from_0_to_100_is_accepted_in_the_usual_spellings(value, expected):
    assert parse_prognosis(value) == expected


def test_a_comma_decimal_prognosis_is_the_same_number():
    assert parse_prognosis("75,0") == 75.0
    assert parse_prognosis("62,5%") == 62.5


@pytest.mark.parametrize("value", ["abc", "120", "-1", "1e400", "nan", "100.1", True, False, [], {}, 101, -0.5])
def test_anything_but_a_number_from_0_to_100_is_an_invalid_prognosis(value):
    with pytest.raises(InvalidInput) as refused:
        parse_prognosis(value)
    assert refused.value.code == "invalid_prognosis"
    assert refused.value.details["field"] == "prognosis"
    assert refused.value.status == 422


@pytest.mark.parametrize("value", [None, "", "   "])
def test_an_empty_prognosis_means_none(value):
    assert parse_prognosis(value) is None


# learning paths

def test_a_path_fits_when_the_departments_year_is_one_of_its_years():
    assert path("vwo", [4, 5, 6]).fits(enrollment(), V4)
    assert not path("vwo", [5, 6]).fits(enrollment(), V4)
    assert not path("vwo", [4]).fits(enrollment(department="h1"), H1)


def test_a_paths_educations_must_hold_the_enrollments_education_ignoring_case():
    vwo = path("vwo", [4], educations=["VWO", "gymnasium"])
    assert vwo.fits(enrollment(education="vwo"), V4)
    assert vwo.fits(enrollment(education="Gymnasium"), V4)
    assert not vwo.fits(enrollment(education="havo"), V4)
    assert not vwo.fits(enrollment(education=None), V4)


def test_a_paths_profiles_must_hold_the_enrollments_profile_ignoring_case():
    nt = path("nt", [4], profiles=["NT", "NG"])
    assert nt.fits(enrollment(profile="nt"), V4)
    assert nt.fits(enrollment(profile="Ng"), V4)
    assert not nt.fits(enrollment(profile="EM"), V4)
    assert not nt.fits(enrollment(profile=None), V4)


def test_an_empty_list_of_educations_or_profiles_asks_nothing():
    anything = path("any4", [4])
    assert anything.fits(enrollment(), V4)
    assert anything.fits(enrollment(education="vwo", profile="NT"), V4)


def test_the_one_fitting_path_is_the_enrollments_learning_path():
    vwo_nt = path("vwo-nt", [4], educations=["vwo"], profiles=["NT"])
    vwo_em = path("vwo-em", [4], educations=["vwo"], profiles=["EM"])
    assert learning_path_for(enrollment("vwo", "nt"), V4, [vwo_nt, vwo_em]) == (vwo_nt, None)


def test_no_fitting_path_gives_none_with_no_matching_learning_path():
    assert learning_path_for(enrollment("havo", "NT"), V4, [path("vwo", [4], educations=["vwo"])]) == (None, NO_MATCH)
    assert learning_path_for(enrollment(), V4, []) == (None, "no_matching_learning_path")


def test_two_fitting_paths_give_none_with_ambiguous_learning_path():
    paths = [path("a", [4]), path("b", [4, 5], educations=["vwo"])]
    assert learning_path_for(enrollment("vwo"), V4, paths) == (None, AMBIGUOUS)
    assert AMBIGUOUS == "ambiguous_learning_path"


# known students

def test_a_current_student_is_known():
    check_student_known("123456", STUDENT)


def test_a_code_with_no_student_is_an_unknown_student():
    with pytest.raises(InvalidInput) as refused:
        check_student_known("999", None)
    assert refused.value.code == "unknown_student"
    assert refused.value.details["field"] == "student"


@pytest.mark.parametrize("student", [
    Student("123456", is_student=False, archived=False),
    Student("123456", is_student=True, archived=True),
    Student("123456", is_student=False, archived=True),
])
def test_a_former_or_archived_student_is_not_a_student(student):
    with pytest.raises(InvalidInput) as refused:
        check_student_known("123456", student)
    assert refused.value.code == "not_a_student"
    assert refused.value.details["field"] == "student"


# import rows

def row(errors=(), **values):
    defaults = {"student": "123456", "department": "v4"}
    return RowIn(7, {**defaults, **values}, list(errors))


def decide(a_row, student=STUDENT, enrolled=False):
    return decide_enrollment_row(a_row, PROJECT, student, DEPARTMENTS, enrolled)


def dutch(decision):
    return catalogue.render(decision.messages, "nl")


def english(decision):
    return catalogue.render(decision.messages, "en")


def test_a_valid_row_creates_the_enrollment_with_its_values_trimmed():
    decision = decide(row(student=" 123456 ", prognosis="75%", profile="NT", education="vwo", main_group=" v4a "))
    assert decision.action == "create" and decision.messages == [] and decision.line == 7
    assert decision.enrollment == Enrollment(PROJECT, "123456", "v4", 75.0, "NT", "vwo", "v4a")


def test_invisible_characters_around_the_student_code_are_trimmed_and_the_importers_warnings_kept():
    a_row = RowIn(7, {"student": "\u200b123456\u2060", "department": "v4\xa0"}, [], ["The row has 2 fields."])
    decision = decide(a_row)
    assert decision.action == "create" and decision.messages == ["The row has 2 fields."]
    assert (decision.enrollment.student, decision.enrollment.department) == ("123456", "v4")


def test_empty_optional_cells_are_none():
    decision = decide(row(prognosis="", profile=" ", education="", main_group=""))
    assert decision.action == "create"
    created = decision.enrollment
    assert (created.prognosis, created.profile, created.education, created.main_group) == (None, None, None, None)


def test_a_row_for_an_unknown_student_is_an_error():
    decision = decide(row(), student=None)
    assert decision.action == "error" and decision.enrollment is None
    assert decision.reason == "unknown_student" and "123456" in english(decision)[0]
    assert "123456" in dutch(decision)[0] and "leerling" in dutch(decision)[0]


def test_a_row_for_a_former_student_is_an_error():
    decision = decide(row(), student=Student("123456", is_student=False, archived=False))
    assert decision.action == "error"
    assert decision.reason == "not_a_student" and "no longer a student" in english(decision)[0]
    archived = decide(row(), student=Student("123456", is_student=True, archived=True))
    assert archived.action == "error" and "gearchiveerd" in dutch(archived)[0] and "123456" in dutch(archived)[0]


def test_a_row_for_an_unknown_department_is_an_error():
    decision = decide(row(department="x9"))
    assert decision.action == "error" and decision.reason == "unknown_department"
    assert "afdeling" in dutch(decision)[0] and "x9" in dutch(decision)[0] and "x9" in english(decision)[0]


def test_a_row_with_an_invalid_prognosis_is_an_error():
    decision = decide(row(prognosis="abc"))
    assert decision.action == "error" and decision.reason == "invalid_prognosis"
    assert dutch(decision)[0].startswith("De prognose") and "100" in dutch(decision)[0]
    assert decide(row(prognosis="120")).action == "error"


def test_a_row_for_an_enrolled_student_is_skipped_and_says_to_delete_first():
    decision = decide(row(), enrolled=True)
    assert decision.action == "skip" and decision.enrollment is None
    assert decision.reason == "enrollment_exists" and "delete it first" in english(decision)[0]
    assert decision.params == {"student": "123456", "schedule_project": PROJECT} and "verwijder" in dutch(decision)[0]


def test_a_row_the_importer_found_wrong_is_an_error_with_its_messages():
    decision = decide(row(errors=["Student 123456 is on line 3 already."]))
    assert decision.action == "error"
    assert decision.messages == ["Student 123456 is on line 3 already."]


def test_a_note_the_importer_made_is_the_rows_reason():
    found = catalogue.note("duplicate_in_file", code="123456", first_line=3)
    decision = decide(row(errors=[found]))
    assert (decision.action, decision.reason, decision.params) == ("error", "duplicate_in_file", found["params"])
    assert dutch(decision) == ["123456 staat al op regel 3 van het bestand; deze regel wordt niet geïmporteerd."]


@pytest.mark.parametrize("student", ["", "   "])
def test_a_row_with_an_empty_student_is_an_error(student):
    decision = decide(row(student=student), student=None)
    assert decision.action == "error" and english(decision) == ["The student code is empty."]
    assert decision.reason == "missing_student" and dutch(decision) == ["Het leerlingnummer is leeg."]


def test_a_row_with_an_empty_department_is_an_error():
    decision = decide(row(department=" "))
    assert decision.action == "error" and english(decision) == ["The department is empty."]
    assert decision.reason == "missing_department"


def test_only_an_applied_create_is_marked_applied():
    assert decide(row()).to_row_out(applied=True).applied is True
    assert decide(row()).to_row_out(applied=False).applied is False
    assert decide(row(), enrolled=True).to_row_out(applied=True).applied is False
