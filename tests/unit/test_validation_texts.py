"""The generic validation texts say what was wrong where the error knows it: the value given, the
values allowed or the kind of value expected, in Dutch and in English; without those, they read as
before. An import option not given at all is said to be missing. A value that may be a secret is
never repeated."""

from typing import Annotated, Literal

import pytest
from flask import Flask, request
from pydantic import Field

from services.importer.commands import ImportUpload
from services.importer.domain import ImportSettings, apply_options, settle_for_kind
from services.importer.kinds import KINDS
from shared import catalogue
from shared.api_types import Body, read_body
from shared.errors import InvalidInput
from shared.http import message_in, register_error_handlers


class Paint(Body):
    colour: Literal["red", "green"] = "red"
    coats: Annotated[int, Field(ge=1, le=5)] = 1
    password: Annotated[str, Field(min_length=8)] = "long-enough"


def app():
    flask = Flask(__name__)
    register_error_handlers(flask)

    @flask.post("/paint")
    def paint():
        read_body(Paint, request.get_json())
        return "", 204

    return flask.test_client()


def refusal(body, language="nl"):
    response = app().post("/paint", json=body, headers={"Accept-Language": language})
    assert response.status_code == 422
    return response.json["error"]


def test_a_choice_not_offered_names_the_value_and_the_choices():
    error = refusal({"colour": "purple"})
    assert error["message"] == "Het veld colour heeft geen geldige waarde: „purple”; mogelijk: red, green."
    assert error["details"] == {"field": "colour", "value": "purple", "allowed": ["red", "green"]}
    assert refusal({"colour": "purple"}, "en")["message"] == \
        "The field colour has no valid value: “purple”; allowed: red, green."


def test_a_number_out_of_range_names_the_value_and_the_limit():
    error = refusal({"coats": 9})
    assert error["message"] == "Het veld coats heeft geen geldige waarde: „9”; verwacht: een getal van ten hoogste 5."
    assert error["details"] == {"field": "coats", "value": 9, "expected": "at_most", "maximum": 5}
    assert refusal({"coats": 0}, "en")["message"] == \
        "The field coats has no valid value: “0”; expected: a number of at least 1."


def test_a_value_of_the_wrong_kind_says_what_kind_was_expected():
    assert refusal({"coats": "two"}, "en")["message"] == \
        "The field coats has the wrong kind of value: “two”; expected: a whole number."


def test_a_password_is_never_repeated():
    error = refusal({"password": "short"})
    assert "short" not in error["message"] and "value" not in error["details"]
    assert error["message"] == "Het veld password heeft geen geldige waarde; verwacht: ten minste 8 tekens."


def refused_option(options) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        apply_options(ImportSettings(), KINDS["users"], options)
    return refused.value


@pytest.mark.parametrize(("options", "dutch", "english"), [
    ({"mode": "sync"}, "De importoptie mode heeft geen geldige waarde: „sync”; mogelijk: import, "
     "update, synchronize.", "The import option mode has no valid value: “sync”; allowed: import, "
     "update, synchronize."),
    ({"max_archive_percent": "200"}, "De importoptie max_archive_percent heeft geen geldige waarde: "
     "„200”; verwacht: een geheel getal van 0 tot en met 100.", "The import option max_archive_percent has no "
     "valid value: “200”; expected: a whole number from 0 to 100."),
    ({"login_method": "ldap"}, "De importoptie login_method heeft geen geldige waarde: „ldap”; "
     "mogelijk: password, sso, none.", "The import option login_method has no valid value: “ldap”; "
     "allowed: password, sso, none."),
    ({"delimiter": "|"}, "De importoptie delimiter heeft geen geldige waarde: „|”; mogelijk: tab, "
     "semicolon, comma.", "The import option delimiter has no valid value: “|”; allowed: tab, "
     "semicolon, comma."),
    ({"as_student": "ja"}, "De importoptie as_student heeft geen geldige waarde: „ja”; mogelijk: "
     "true, false.", "The import option as_student has no valid value: “ja”; allowed: true, false."),
])
def test_an_import_option_refused_says_what_was_given_and_what_it_takes(options, dutch, english):
    error = refused_option(options)
    assert error.details["value"] == next(iter(options.values()))
    assert message_in(error, "nl") == dutch
    assert message_in(error, "en") == english


def test_the_texts_read_as_before_when_only_the_field_is_known():
    assert catalogue.text("invalid_option", "nl", {"field": "mode"}) == \
        "De importoptie mode heeft geen geldige waarde."
    assert catalogue.text("invalid_value", "en", {"field": "colour"}) == "The field colour has no valid value."


def test_an_upload_without_its_kind_says_the_option_is_missing():
    with pytest.raises(InvalidInput) as refused:
        read_body(ImportUpload, {"file": b"Leerlingnummer\r\n430001\r\n"})
    error = refused.value
    assert (error.code, error.details) == ("invalid_option", {"field": "kind", "given": False})
    assert message_in(error, "nl") == "De importoptie kind ontbreekt."
    assert message_in(error, "en") == "The import option kind is missing."


def test_an_enrollments_import_without_its_schedule_project_says_the_option_is_missing():
    with pytest.raises(InvalidInput) as refused:
        settle_for_kind(ImportSettings(), KINDS["enrollments"])
    assert message_in(refused.value, "nl") == "De importoptie schedule_project ontbreekt."
    assert message_in(refused.value, "en") == "The import option schedule_project is missing."


def test_a_long_value_is_cut_short():
    error = refused_option({"mode": "x" * 500})
    assert len(error.details["value"]) == 60 and error.details["value"].endswith("…")
