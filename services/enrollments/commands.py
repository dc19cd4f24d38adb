"""The bodies the enrollments service takes, as typed request definitions (see `shared/api_types.py`)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from shared.api_types import MAX_LIST_LENGTH, Body, Code, Name, Text, text, whole_number
from shared.errors import InvalidInput

MAX_SCHOOL_YEAR_LENGTH = 20
# "2026-2027", as the contract and Somtoday write a school year.
SCHOOL_YEAR = r"^[0-9]{4}-[0-9]{4}\Z"
MAX_CODE_TEXT_LENGTH = 64  # element codes as Somtoday gives them: not ours to restrict further
Year = whole_number(1, 12)
# "75", "75%" or "75,0" as a school's files write it; the domain reads it (0 to 100).
PrognosisText = Annotated[str, Field(max_length=16,
                                     pattern=r"^ *(?:(?:100(?:[.,]0+)?|[0-9]{1,2}(?:[.,][0-9]+)?) *%?)? *\Z")]
Prognosis = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
SchoolYear = Annotated[str, Field(max_length=MAX_SCHOOL_YEAR_LENGTH, pattern=SCHOOL_YEAR)]
ElementCode = Annotated[str, Field(min_length=1, max_length=MAX_CODE_TEXT_LENGTH, pattern=r"^[^\s\x00-\x1f\x7f]+\Z")]
LwooElementCode = Annotated[str, text(MAX_CODE_TEXT_LENGTH)]
Years = Annotated[list[Year], Field(min_length=1, max_length=12)]
Texts = Annotated[list[Text], Field(max_length=MAX_LIST_LENGTH)]
# A PATCH field that must hold a value when given: left out it stays as it is, `null` is refused as
# a value of the wrong type (the default is not validated, so it never reaches a handler: they read
# `given()`).
KEEP: Any = Field(None, description="left out: stays as it is")


class ScheduleProjectBody(Body):
    error_codes = {"code": "invalid_code"}

    code: Code
    name: Name
    school_year: SchoolYear


class DepartmentBody(Body):
    error_codes = {"code": "invalid_code", "year_of_education": "invalid_year_of_education"}

    code: Code
    name: Name
    year_of_education: Year


class EnrollmentBody(Body):
    error_codes = {"student": "invalid_code", "department": "invalid_code", "prognosis": "invalid_prognosis"}

    student: Code
    department: Code
    prognosis: Prognosis | PrognosisText | None = None
    profile: Text | None = None
    education: Text | None = None
    main_group: Text | None = None


class LearningPathBody(Body):
    error_codes = {"code": "invalid_code", "element_code": "invalid_code",
                   "years_of_education": "invalid_year_of_education"}

    code: Code
    name: Name
    element_code: ElementCode
    lwoo_element_code: LwooElementCode | None = None
    years_of_education: Years
    educations: Texts = Field(default_factory=list)
    profiles: Texts = Field(default_factory=list)


class Patch(Body):
    """A change: the fields given change, the rest stays; an empty body changes nothing. The path
    names the record, so its code cannot change (as a user's cannot)."""

    @model_validator(mode="before")
    @classmethod
    def code_stays(cls, body: Any) -> Any:
        if isinstance(body, dict) and "code" in body:
            raise InvalidInput("code_not_changeable", "A code cannot be changed.", field="code")
        return body


class ScheduleProjectPatch(Patch):
    name: Name = KEEP
    school_year: SchoolYear = KEEP


class DepartmentPatch(Patch):
    error_codes = {"year_of_education": "invalid_year_of_education"}

    name: Name = KEEP
    year_of_education: Year = KEEP


class EnrollmentPatch(Body):
    """An enrollment's department and details; `null` empties an optional field. The student stays."""

    error_codes = {"department": "invalid_code", "prognosis": "invalid_prognosis"}

    department: Code = KEEP
    prognosis: Prognosis | PrognosisText | None = None
    profile: Text | None = None
    education: Text | None = None
    main_group: Text | None = None


class LearningPathPatch(Patch):
    error_codes = {"element_code": "invalid_code", "years_of_education": "invalid_year_of_education"}

    name: Name = KEEP
    element_code: ElementCode = KEEP
    lwoo_element_code: LwooElementCode | None = None
    years_of_education: Years = KEEP
    educations: Texts = KEEP
    profiles: Texts = KEEP
