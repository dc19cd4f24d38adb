"""A student's name as Dutch people write it, and the status an enrollment shows, from the directory."""

import pytest

from services.enrollments.domain import Student


@pytest.mark.parametrize(("first_name", "prefix", "last_name", "name"), [
    ("Zoë", "van 't", "Hof", "Zoë van 't Hof"),
    ("Daniël", None, "Vermeulen", "Daniël Vermeulen"),
    (" Sem ", "  ", " de  Vries", "Sem de  Vries"),
    (None, "van der", "Berg", "van der Berg"),
    ("Noor", None, None, "Noor"),
    (None, None, None, None),
    ("", " ", "", None),
])
def test_the_name_joins_first_name_prefix_and_last_name(first_name, prefix, last_name, name):
    assert Student("100001", True, False, first_name, prefix, last_name).name == name


@pytest.mark.parametrize(("is_student", "archived", "status"), [
    (True, False, "active"), (False, False, "not_a_student"), (True, True, "archived"), (False, True, "archived"),
])
def test_the_status_says_archived_before_not_a_student(is_student, archived, status):
    assert Student("100001", is_student, archived).status == status
