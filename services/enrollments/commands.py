"""The bodies the enrollments service takes, as typed request definitions (see `shared/api_types.py`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.api_types import MAX_LIST_LENGTH, Body, Code, Name, Text, text, whole_number

MAX_SCHOOL_YEAR_LENGTH = 20
# "2026-2027", as the contract and Somtoday write a school year.
SCHOOL_YEAR = r"^[0-9]{4}-[0-9]{4}\Z"
MAX_CODE_TEXT_LENGTH = 64  # element codes as Somtoday gives them: not ours to restrict further
Year = whole_number(1, 12)
# "75", "75%" or "75,0" as a school's files write it; the domain reads it (0 to 100).
PrognosisText = Annotated[str, Field(max_length=16,
                                     pattern=r"^ *(?:(?:100(?:[.,]0+)?|[0-9]{1,2}(?:[.,][0-9]+)?) *%?)? *\Z")]
Prognosis = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


class ScheduleProjectBody(Body):
    error_codes = {"code": "invalid_code"}

    code: Code
    name: Name
    school_year: Annotated[str, Field(max_length=MAX_SCHOOL_YEAR_LENGTH, pattern=SCHOOL_YEAR)]


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
    element_code: Annotated[str, Field(min_length=1, max_length=MAX_CODE_TEXT_LENGTH,
                                       pattern=r"^[^\s\x00-\x1f\x7f]+\Z")]
    lwoo_element_code: Annotated[str, text(MAX_CODE_TEXT_LENGTH)] | None = None
    years_of_education: Annotated[list[Year], Field(min_length=1, max_length=12)]
    educations: Annotated[list[Text], Field(max_length=MAX_LIST_LENGTH)] = Field(default_factory=list)
    profiles: Annotated[list[Text], Field(max_length=MAX_LIST_LENGTH)] = Field(default_factory=list)
