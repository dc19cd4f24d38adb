"""The one way a service reads a request, and the shapes of its answers: pydantic models.

Every JSON body and every query is a model (`Body`, `Query`); a model bounds every string (length,
no control characters, patterns anchored with `\\Z`, since Python's `$` also matches before a final
line break), every number (range) and every list, and refuses unknown body fields. The same models
make the OpenAPI document (`shared/openapi.py`), so what the document promises and what the code
accepts cannot drift apart. Every JSON answer has an `Answer` model, with the fields it always holds
marked required.

A failed check leaves as the contract's error: 422 with a code for a body (`unknown_field`,
`invalid_type`, or the code the field declares, such as `invalid_code`), 400 `invalid_parameter`
for a query, and always `details.field`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, TypeVar

from flask import Request
from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model
from pydantic_core import ErrorDetails

from shared.codes import CODE_PATTERN, MAX_CODE_LENGTH, RULE
from shared.errors import BadRequest, InvalidInput, shown_value

# Every printable character, line breaks, tabs and NUL excluded (PostgreSQL cannot even store NUL);
# the second also needs something besides spaces.
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]*\Z"
NOT_BLANK = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*\Z"
MAX_TEXT_LENGTH = 200
MAX_LIST_LENGTH = 100


def text(max_length: int = MAX_TEXT_LENGTH, blank: bool = True) -> Any:
    """A text of one line, at most `max_length` characters; with `blank=False`, not spaces alone."""
    return Field(max_length=max_length, pattern=NO_CONTROL_CHARACTERS if blank else NOT_BLANK)


Code = Annotated[str, Field(min_length=1, max_length=MAX_CODE_LENGTH, pattern=CODE_PATTERN, description=RULE)]
Text = Annotated[str, text()]
Name = Annotated[str, text(blank=False)]


class Body(BaseModel):
    """A JSON body: strict types (a number is not a text, 1 is not true), no unknown fields.

    `error_codes` names the contract's code for a field whose value breaks its rule (too long,
    wrong pattern, not one of the choices, missing); a value of the wrong type is `invalid_type`.
    `error_code`, when set, is the one code of every problem but an unknown field."""

    model_config = ConfigDict(extra="forbid", strict=True, regex_engine="python-re", frozen=True)
    error_codes: ClassVar[dict[str, str]] = {}
    error_code: ClassVar[str | None] = None

    def given(self) -> dict[str, Any]:
        """The fields the body gave, with their values (a PATCH changes exactly these)."""
        return {name: getattr(self, name) for name in self.model_fields_set}


def _ascii_whole_number(value: Any) -> Any:
    # int() would also read "٥", " 5" or "5_0"; a query's number is ASCII digits and nothing else.
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("must be a whole number")
    return value


class Query(BaseModel):
    """A query string: values arrive as texts and are read as the field's type; parameters the
    model does not name are ignored (a browser or proxy may add its own, such as a cache buster).
    An empty value is a value: `?type=` is no type, a 400, as the document says."""

    model_config = ConfigDict(extra="ignore", regex_engine="python-re", frozen=True)


Limit = Annotated[int, Field(ge=1, le=1000), BeforeValidator(_ascii_whole_number)]
Cursor = Annotated[str, Field(max_length=1024, pattern=NO_CONTROL_CHARACTERS,
                              description="next_cursor of the page before")]


def _integral(value: Any) -> Any:
    # JSON Schema's "integer" includes 12.0, and so does JavaScript's JSON: both are the number 12.
    return int(value) if isinstance(value, float) and value.is_integer() else value


def whole_number(minimum: int, maximum: int) -> Any:
    """A whole number from `minimum` to `maximum`; 12.0 counts as 12."""
    return Annotated[int, Field(ge=minimum, le=maximum), BeforeValidator(_integral)]


def _date_time_text(value: Any) -> Any:
    # pydantic would also read "0.5" as seconds since 1970; the document promises RFC 3339 text.
    if isinstance(value, str) and not re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ]", value):
        raise ValueError("must be a date and time such as 2026-11-30T08:00:00Z")
    return value


Moment = Annotated[AwareDatetime, BeforeValidator(_date_time_text)]


class Page(Query):
    """A list's paging: at most `limit` items after `cursor`."""

    limit: Limit = 100
    cursor: Cursor | None = None


ModelT = TypeVar("ModelT", bound=BaseModel)


def read_body(model: type[ModelT], body: dict[str, Any]) -> ModelT:
    try:
        return model.model_validate(body)
    except ValidationError as error:
        field, message, kind = _first_problem(error)
        code = _body_code(model, field, kind)
        details = problem_details(error.errors(include_url=False)[0], field)
        if kind == "missing" and code != "missing_field":
            details["given"] = False  # the model's own code (invalid_option) does not say it was missing
        raise InvalidInput(code, f"{field}: {message}.", field=field, **details) from None


def read_query(model: type[ModelT], request: Request) -> ModelT:
    try:
        return model.model_validate(dict(request.args.items()))
    except ValidationError as error:
        field, message, _ = _first_problem(error)
        raise BadRequest("invalid_parameter", f"{field}: {message}.",
                         {"field": field, **problem_details(error.errors(include_url=False)[0], field)}) from None


_DEFAULT_CODES = {
    "missing": "missing_field",
    "string_too_long": "value_too_long",
    "string_pattern_mismatch": "invalid_text",
    "too_long": "too_many_items",
}


def _body_code(model: type[BaseModel], field: str, kind: str) -> str:
    """The contract's code for a body's problem: the model's or the field's own code (a number given
    as a code is `invalid_code`, but a list that is no list is `invalid_type`), else by its kind."""
    if kind == "extra_forbidden":
        return "unknown_field"
    declared = getattr(model, "error_codes", {}).get(field) if kind not in ("list_type", "dict_type") else None
    if declared := getattr(model, "error_code", None) or declared:
        return declared
    if kind.endswith(("_type", "_parsing", "is_instance_of")):
        return "invalid_type"
    return _DEFAULT_CODES.get(kind, "invalid_value")


# What a value should have been, by pydantic's kind of problem: a code of the catalogue's `expected_*`
# texts (shared/catalogue/*/validation.json), which the error's message puts in words.
_EXPECTED = {
    "bool_parsing": "boolean", "bool_type": "boolean",
    "int_parsing": "whole_number", "int_type": "whole_number", "int_from_float": "whole_number",
    "float_parsing": "number", "float_type": "number",
    "string_type": "text", "list_type": "list", "dict_type": "object", "model_type": "object",
    "date_parsing": "date", "date_type": "date", "date_from_datetime_parsing": "date",
    "datetime_parsing": "date_time", "datetime_type": "date_time", "datetime_from_date_parsing": "date_time",
    "timezone_aware": "date_time", "json_invalid": "json", "json_type": "json",
    "string_too_short": "min_length", "string_too_long": "max_length", "too_long": "max_items",
    "greater_than_equal": "at_least", "greater_than": "more_than", "less_than_equal": "at_most",
    "less_than": "less_than",
}
# Limits pydantic names in a problem's context, as the details name them.
_LIMITS = {"ge": "minimum", "gt": "minimum", "le": "maximum", "lt": "maximum", "min_length": "min_length",
           "max_length": "max_length"}
# A value that may be a secret is never repeated in an answer.
_SECRET_FIELD = re.compile(r"password|secret|token", re.IGNORECASE)


def problem_details(problem: ErrorDetails, field: str) -> dict[str, Any]:
    """What a person needs to put a value right, for the error's details (and its message): the value
    given, the values allowed (a choice), or the kind expected with its limits; only what is known."""
    details: dict[str, Any] = {}
    value = shown_value(problem.get("input"))
    if value is not None and problem["type"] != "missing" and not _SECRET_FIELD.search(field):
        details["value"] = value
    context = problem.get("ctx") or {}
    if problem["type"] in ("literal_error", "enum") and isinstance(context.get("expected"), str):
        details["allowed"] = re.findall(r"'((?:[^'\\]|\\.)*)'", context["expected"])
    elif expected := _EXPECTED.get(problem["type"]):
        details["expected"] = expected
        details.update({_LIMITS[name]: limit for name, limit in context.items()
                        if name in _LIMITS and isinstance(limit, int | float)})
    return details


def _first_problem(error: ValidationError) -> tuple[str, str, str]:
    """The first problem's field, message and kind (pydantic's error type)."""
    problem = error.errors(include_url=False)[0]
    field = str(problem["loc"][0]) if problem["loc"] else "body"
    return field, problem["msg"][0].lower() + problem["msg"][1:], problem["type"]


class Answer(BaseModel):
    """The shape of a JSON answer, for the OpenAPI document only (answers are built as dicts, for
    speed): a field without a default is one every answer holds, null or not."""


def list_of(model: type[Answer]) -> type[Answer]:
    """Every list's answer: a page of `model` items and where the next page starts (null: none)."""
    return create_model(f"{model.__name__}List", __base__=Answer, __doc__=f"A page of {model.__name__} items",
                        items=(list[model], ...), next_cursor=(str | None, ...))  # type: ignore[valid-type]
