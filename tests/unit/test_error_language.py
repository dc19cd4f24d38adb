"""Every error leaves a service in the reader's language: Dutch unless the request asks for English,
the service's own errors, Flask's (a 404, a 405) and an outage's alike; the code never changes."""

from flask import Flask

from shared.errors import InvalidInput, NotFound
from shared.failures import EventsNotPublished
from shared.http import register_error_handlers


def app():
    flask = Flask(__name__)
    register_error_handlers(flask)

    @flask.get("/users/<code>")
    def user(code):
        raise NotFound("user_not_found", f"No user has code {code!r}.", {"code": code})

    @flask.post("/enrollments")
    def enroll():
        raise InvalidInput("invalid_email", "'zoe@' is not a valid email address.", field="email", email="zoe@")

    @flask.get("/busy")
    def busy():
        raise EventsNotPublished("Redis is out of reach")

    return flask.test_client()


def error(response):
    return response.status_code, response.json["error"]["code"], response.json["error"]["message"]


def test_a_services_error_is_dutch_by_default_and_english_when_asked():
    client = app()
    assert error(client.get("/users/42")) == (404, "user_not_found", "Er is geen gebruiker met code 42.")
    assert error(client.get("/users/42", headers={"Accept-Language": "en-GB,en;q=0.9"})) == \
        (404, "user_not_found", "No user has code 42.")
    assert error(client.post("/enrollments")) == (422, "invalid_email", "Dit is geen geldig e-mailadres: zoe@.")


def test_flasks_own_errors_and_an_outage_are_in_the_readers_language_too():
    client = app()
    assert error(client.get("/nowhere")) == (404, "not_found", "Op dit adres is niets te vinden.")
    assert error(client.delete("/users/42", headers={"Accept-Language": "en"})) == \
        (405, "method_not_allowed", "This address does not take this kind of request.")
    status, code, message = error(client.get("/busy"))
    assert (status, code) == (503, "temporarily_unavailable") and message.startswith("Het portal kan dit verzoek")
