"""Correcting what an administrator set up, on hand-written fakes: changes, deletes, and the refusals."""

import pytest

from services.enrollments import handlers
from services.enrollments.domain import Department, LearningPath, ScheduleProject, changed_fields
from shared.errors import Conflict, InvalidInput, NotFound
from shared.policy import Actor
from tests.unit.enrollments_fakes import FakeStudentDirectory, FakeUnitOfWork

PROJECT = "2026-2027"
ADMIN = Actor("beheerder", frozenset({"enrollments:write"}))
PATH = {"code": "hv1", "name": "Havo 1", "element_code": "E-1", "years_of_education": [1],
        "educations": ["havo"], "profiles": []}


@pytest.fixture
def uow():
    uow = FakeUnitOfWork()
    handlers.create_project(uow, PROJECT, "Havo/vwo", "2026-2027")
    handlers.create_department(uow, PROJECT, "h1", "Havo 1", 1)
    handlers.create_department(uow, PROJECT, "h2", "Havo 2", 2)
    return uow


@pytest.fixture
def enrollment(uow):
    directory = FakeStudentDirectory(uow)
    directory.publish("100001")
    return handlers.enroll(uow, directory, PROJECT, {"student": "100001", "department": "h1", "education": "havo"})


def actions(uow):
    return [(entry.action, entry.target, entry.details) for entry in uow.audit.entries]


# the domain's rule for what changed

def test_changed_fields_names_the_fields_that_differ_in_the_records_order():
    before = LearningPath("p", "P", "E", None, (1,), ("havo",), ())
    after = LearningPath("p", "P2", "E", "L", (1,), ("havo",), ())
    assert changed_fields(before, after) == ["name", "lwoo_element_code"]
    assert changed_fields(before, before) == []


def test_changed_fields_of_a_department_sees_a_new_year():
    assert changed_fields(Department("p", "h1", "H1", 1), Department("p", "h1", "H1", 2)) == ["year_of_education"]
    assert changed_fields(ScheduleProject("p", "P", "2026-2027"), ScheduleProject("p", "P", "2026-2027")) == []


# schedule projects

def test_a_project_changes_its_name_and_the_change_is_audited(uow):
    changed = handlers.update_project(uow, PROJECT, {"name": "  Havo/vwo bovenbouw "}, ADMIN)
    assert (changed["name"], changed["school_year"]) == ("Havo/vwo bovenbouw", "2026-2027")
    assert uow.enrollments.project(PROJECT).name == "Havo/vwo bovenbouw"
    assert actions(uow) == [("schedule_project.updated", PROJECT, {"fields": ["name"]})]


def test_a_change_that_changes_nothing_is_not_audited_nor_committed(uow):
    commits = uow.commits
    assert handlers.update_project(uow, PROJECT, {}, ADMIN)["name"] == "Havo/vwo"
    assert handlers.update_project(uow, PROJECT, {"school_year": "2026-2027"}, ADMIN)["name"] == "Havo/vwo"
    assert uow.audit.entries == [] and uow.commits == commits


def test_an_unknown_project_is_not_found_for_a_change_and_a_delete(uow):
    with pytest.raises(NotFound) as refused:
        handlers.update_project(uow, "nope", {"name": "X"}, ADMIN)
    assert refused.value.code == "schedule_project_not_found"
    with pytest.raises(NotFound):
        handlers.delete_project(uow, "nope", ADMIN)


def test_a_project_without_enrollments_is_deleted_with_its_departments(uow):
    handlers.delete_project(uow, PROJECT, ADMIN)
    assert uow.enrollments.project(PROJECT) is None and uow.enrollments.departments(PROJECT) == {}
    assert actions(uow) == [("schedule_project.deleted", PROJECT, {})]


def test_a_project_with_enrollments_is_in_use_and_stays(uow, enrollment):
    uow.audit.entries.clear()
    with pytest.raises(Conflict) as refused:
        handlers.delete_project(uow, PROJECT, ADMIN)
    assert refused.value.code == "schedule_project_in_use"
    assert uow.enrollments.project(PROJECT) is not None and set(uow.enrollments.departments(PROJECT)) == {"h1", "h2"}
    assert uow.audit.entries == []


# departments

def test_a_department_changes_its_year_and_its_enrollments_follow_when_read(uow, enrollment):
    handlers.create_learning_path(uow, PATH)
    assert handlers.list_enrollments(uow, PROJECT)[0]["learning_path"] == "hv1"
    changed = handlers.update_department(uow, PROJECT, "h1", {"year_of_education": 3}, ADMIN)
    assert changed == {"schedule_project": PROJECT, "code": "h1", "name": "Havo 1", "year_of_education": 3}
    assert handlers.list_enrollments(uow, PROJECT)[0]["learning_path"] is None
    assert actions(uow)[-1] == ("department.updated", "h1",
                                {"schedule_project": PROJECT, "fields": ["year_of_education"]})


def test_an_unknown_department_is_not_found(uow):
    with pytest.raises(NotFound) as refused:
        handlers.update_department(uow, PROJECT, "v9", {"name": "V9"}, ADMIN)
    assert refused.value.code == "department_not_found"
    with pytest.raises(NotFound) as refused:
        handlers.delete_department(uow, "nope", "h1", ADMIN)
    assert refused.value.code == "schedule_project_not_found"


def test_a_department_with_enrollments_is_in_use_and_an_empty_one_is_deleted(uow, enrollment):
    with pytest.raises(Conflict) as refused:
        handlers.delete_department(uow, PROJECT, "h1", ADMIN)
    assert refused.value.code == "department_in_use"
    handlers.delete_department(uow, PROJECT, "h2", ADMIN)
    assert set(uow.enrollments.departments(PROJECT)) == {"h1"}
    assert actions(uow)[-1] == ("department.deleted", "h2", {"schedule_project": PROJECT})


# enrollments

def test_an_enrollment_moves_to_another_department_and_empties_a_detail(uow, enrollment):
    changed = handlers.update_enrollment(uow, PROJECT, enrollment["id"],
                                         {"department": "h2", "education": None, "prognosis": "80,5%",
                                          "main_group": " 2A "}, ADMIN)
    assert (changed["department"], changed["education"], changed["prognosis"], changed["main_group"]) == (
        "h2", None, 80.5, "2A")
    assert changed["student"] == "100001" and changed["created_at"] == enrollment["created_at"]
    assert actions(uow)[-1] == ("enrollment.updated", str(enrollment["id"]), {
        "schedule_project": PROJECT, "fields": ["department", "prognosis", "education", "main_group"]})


@pytest.mark.parametrize("changes, code", [
    ({"department": "v9"}, "unknown_department"),
    ({"prognosis": 101}, "invalid_prognosis"),
    ({"prognosis": "veel"}, "invalid_prognosis"),
])
def test_an_enrollment_change_that_cannot_be_is_refused_and_nothing_changes(uow, enrollment, changes, code):
    with pytest.raises(InvalidInput) as refused:
        handlers.update_enrollment(uow, PROJECT, enrollment["id"], changes, ADMIN)
    assert refused.value.code == code
    assert handlers.list_enrollments(uow, PROJECT) == [enrollment]


@pytest.mark.parametrize("project, enrollment_id", [(PROJECT, 999), (PROJECT, 0), (PROJECT, 2**40), ("other", 1)])
def test_an_unknown_enrollment_is_not_found(uow, enrollment, project, enrollment_id):
    handlers.create_project(uow, "other", "Other", "2026-2027")
    with pytest.raises(NotFound) as refused:
        handlers.update_enrollment(uow, project, enrollment_id, {"main_group": "1A"}, ADMIN)
    assert refused.value.code == "enrollment_not_found"


# learning paths

def test_a_learning_path_is_read_changed_and_deleted(uow, enrollment):
    handlers.create_learning_path(uow, PATH)
    assert handlers.get_learning_path(uow, "hv1")["element_code"] == "E-1"
    changed = handlers.update_learning_path(uow, "hv1", {"educations": ["vwo"], "lwoo_element_code": " L-1 "}, ADMIN)
    assert (changed["educations"], changed["lwoo_element_code"]) == (["vwo"], "L-1")
    assert handlers.list_enrollments(uow, PROJECT)[0]["learning_path"] is None  # havo no longer fits
    handlers.delete_learning_path(uow, "hv1", ADMIN)
    assert handlers.list_learning_paths(uow) == []
    assert [action for action, _, _ in actions(uow)][-2:] == ["learning_path.updated", "learning_path.deleted"]
    assert actions(uow)[-2][2] == {"fields": ["lwoo_element_code", "educations"]}


def test_an_unknown_learning_path_is_not_found(uow):
    for call in (lambda: handlers.get_learning_path(uow, "nope"),
                 lambda: handlers.update_learning_path(uow, "nope", {"name": "X"}, ADMIN),
                 lambda: handlers.delete_learning_path(uow, "nope", ADMIN)):
        with pytest.raises(NotFound) as refused:
            call()
        assert refused.value.code == "learning_path_not_found"
