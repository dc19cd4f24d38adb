"""The OpenAPI documents the services generate are valid OpenAPI 3.1 and tell what the code does."""

import pytest
from openapi_spec_validator import validate

from services.enrollments.app import create_app as create_enrollments_app
from services.importer.app import create_app as create_importer_app
from services.users.app import create_app as create_users_app
from shared.config import Settings
from shared.openapi import merge_documents

CREATE = {"users": create_users_app, "importer": create_importer_app, "enrollments": create_enrollments_app}


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    """Each service's document, read from its own /api/v1/openapi.json (no database is touched)."""
    settings = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path_factory.mktemp("openapi")),
                                  "PORTAL_SECRET_KEY": "openapi-test-secret-0123456789abcdef"})
    return {name: create(settings).test_client().get("/api/v1/openapi.json").json for name, create in CREATE.items()}


def test_every_service_document_and_the_merged_one_are_valid_openapi(documents):
    for document in documents.values():
        validate(document)
    validate(merge_documents("Portal", list(documents.values())))


def test_the_upload_is_documented_as_a_multipart_form_with_its_fields(documents):
    upload = documents["importer"]["paths"]["/api/v1/imports"]["post"]
    schema_ref = upload["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
    fields = documents["importer"]["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert {"file", "kind", "mapping", "mode", "as_student", "schedule_project", "start"} <= set(fields["properties"])
    assert set(upload["responses"]) >= {"202", "401", "403", "413", "415", "422"}


def test_lists_document_typed_paging_and_every_refusal(documents):
    users = documents["users"]["paths"]["/api/v1/users"]["get"]
    parameters = {parameter["name"]: parameter["schema"] for parameter in users["parameters"]}
    assert parameters["limit"] == {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}
    assert parameters["type"]["enum"] == ["student", "employee", "family_member"]
    assert parameters["changed_since"]["format"] == "date-time"
    assert set(users["responses"]) == {"200", "400", "401", "403"}


def test_csv_answers_are_documented_as_text_csv(documents):
    errors = documents["importer"]["paths"]["/api/v1/imports/{job_id}/errors.csv"]["get"]
    assert set(errors["responses"]["200"]["content"]) == {"text/csv"}
    placements = documents["enrollments"]["paths"]["/api/v1/schedule-projects/{project}/placements"]["get"]
    assert set(placements["responses"]["200"]["content"]) == {"application/json", "text/csv"}


def test_a_json_body_documents_the_refusals_of_a_body(documents):
    create = documents["users"]["paths"]["/api/v1/users"]["post"]
    assert set(create["responses"]) >= {"201", "400", "401", "403", "409", "413", "415", "422"}
    token = documents["users"]["paths"]["/api/v1/auth/token"]["post"]
    assert "security" not in token and "401" in token["responses"] and "403" not in token["responses"]


def test_the_login_documents_its_throttling_with_retry_after(documents):
    throttled = documents["users"]["paths"]["/api/v1/auth/token"]["post"]["responses"]["429"]
    assert "too_many_attempts" in throttled["description"]
    assert throttled["headers"]["Retry-After"]["schema"] == {"type": "integer", "minimum": 1}


def test_every_operation_has_an_id_and_every_link_names_one(documents):
    merged = merge_documents("Portal", list(documents.values()))
    operations = [operation for path in merged["paths"].values() for operation in path.values()]
    ids = [operation["operationId"] for operation in operations]
    assert len(ids) == len(set(ids))
    links = [link for operation in operations for response in operation["responses"].values()
             for link in response.get("links", {}).values()]
    assert {link["operationId"] for link in links} <= set(ids)
    created = merged["paths"]["/api/v1/users"]["post"]["responses"]["201"]["links"]["GetUser"]
    assert created == {"operationId": "users.get_user", "parameters": {"code": "$response.body#/code"}}
    errors = merged["paths"]["/api/v1/imports/{job_id}/errors.csv"]["get"]
    assert errors["security"] == [{"bearer": []}, {"signedLink": []}]


def test_answers_say_which_fields_they_always_hold(documents):
    schemas = merge_documents("Portal", list(documents.values()))["components"]["schemas"]
    assert {"code", "email", "archived", "school_functions"} <= set(schemas["User"]["required"])
    assert {"id", "status", "counts", "errors_csv_url"} <= set(schemas["ImportJob"]["required"])
    assert set(schemas["UserList"]["required"]) == {"items", "next_cursor"}


def test_a_body_schema_bounds_its_texts_and_anchors_its_patterns_at_the_very_end(documents):
    """The models anchor with Python's \\Z; the document says the same in ECMA-262, whose $ never
    matches before a final line break."""
    schemas = documents["users"]["components"]["schemas"]
    code = schemas["UserCreate"]["properties"]["code"]
    assert code["maxLength"] == 32 and code["pattern"].endswith("$") and "\\Z" not in code["pattern"]
    first_name = schemas["UserCreate"]["properties"]["first_name"]["anyOf"][0]
    assert first_name["maxLength"] == 200 and first_name["pattern"] == "^[^\\x00-\\x1f\\x7f]*$"
    assert "\\Z" not in str(documents)
    assert schemas["UserCreate"]["additionalProperties"] is False
