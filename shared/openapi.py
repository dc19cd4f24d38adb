"""OpenAPI 3.1 documents generated from the routes themselves: what a view promises is declared
next to it with `@documented`, so the document cannot drift from the code."""

from __future__ import annotations

import re
from typing import Any, Literal

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from shared.api_types import Body, Query

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
        }
    },
}


RETRY_AFTER = {"description": "seconds until the request may be made again", "required": True,
               "schema": {"type": "integer", "minimum": 1}}

JSON = "application/json"
CSV = "text/csv"
MULTIPART = "multipart/form-data"
Schema = str | type[BaseModel]


SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    "signedLink": {"type": "apiKey", "in": "query", "name": "signature",
                   "description": "a download link's signature, with its `expires`: opens that path alone, "
                                  "for 10 minutes"},
}


def documented(summary: str, responses: dict[int, Schema], request: type[BaseModel] | None = None,
               public: bool = False, query: type[Query] | None = None, request_type: str = JSON,
               answers: tuple[str, ...] = (JSON,), links: dict[str, tuple[str, dict[str, str]]] | None = None):
    """Attach the OpenAPI facts of a view: status code → the answer's model (or a description),
    the request body's model and media type, the query's model, the media type of its successful
    answer, and `links`: name → (operation, {its path parameter: runtime expression}) where the
    successful answer (`$response.body#/code`) or this request's path (`$request.path.project`)
    gives another operation's path (named by its endpoint, such as "users.get_user"), for clients
    and for stateful testing. The refusals every view of its kind
    can give (401/403 for a token, 400/413/415/422 for a body, 400 for a query, 404 for a path) are
    added by `build_document`."""

    def decorator(view):
        view.openapi = {
            "summary": summary, "responses": responses, "request": request, "public": public,
            "query": query, "request_type": request_type, "answers": answers, "links": links or {},
        }
        return view

    return decorator


def build_document(app: Flask, title: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    models: set[type[BaseModel]] = set()
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        facts = getattr(view, "openapi", None)
        if facts is None:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, view, path, facts)
        models.update(model for model in (facts["request"], *facts["responses"].values()) if _is_model(model))
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1"},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {"Error": ERROR_SCHEMA, **component_schemas(models)},
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


def component_schemas(models) -> dict[str, Any]:
    """The JSON schemas of `models` and of the models they hold, each under its class name. A body's
    defaults are left out: for a PATCH, a field left out means "unchanged", not its default."""
    ordered = sorted(models, key=lambda model: model.__name__)
    keys: list[tuple[type[BaseModel], Literal["validation", "serialization"]]] = [
        (model, "validation" if issubclass(model, Body) else "serialization") for model in ordered]
    _, definitions = models_json_schema(keys, ref_template="#/components/schemas/{model}")
    schemas = definitions.get("$defs", {})
    for model in ordered:
        if issubclass(model, Body):
            for field in schemas[model.__name__].get("properties", {}).values():
                field.pop("default", None)
    return ecma_patterns(dict(sorted(schemas.items())))


def ecma_patterns(schema: Any) -> Any:
    """The schema with its patterns in JSON Schema's regex dialect (ECMA-262): the models anchor
    them with Python's `\\Z`, which ECMA-262 spells `$` (its `$`, unlike Python's, never matches
    before a final line break)."""
    if isinstance(schema, list):
        return [ecma_patterns(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "pattern" and isinstance(value, str):
            converted[key] = _ecma(value)
        elif key == "patternProperties" and isinstance(value, dict):
            converted[key] = {_ecma(pattern): ecma_patterns(item) for pattern, item in value.items()}
        else:
            converted[key] = ecma_patterns(value)
    return converted


def _ecma(pattern: str) -> str:
    return pattern.replace("\\Z", "$")


def _is_model(value) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def merge_documents(title: str, documents: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {"openapi": "3.1.0", "info": {"title": title, "version": "1"}, "paths": {},
              "components": {"schemas": {}, "securitySchemes": {}}}
    for document in documents:
        merged["paths"].update(document.get("paths", {}))
        for part in ("schemas", "securitySchemes"):
            merged["components"][part].update(document.get("components", {}).get(part, {}))
    merged["paths"] = dict(sorted(merged["paths"].items()))
    return merged


def _operation(rule, view, path: str, facts: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {"operationId": operation_id(rule.endpoint), "summary": facts["summary"],
                                 "tags": [resource_of(path)], "responses": {}}
    operation.update(_right_of(view))
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": _path_schema(rule, name)}
        for name in sorted(rule.arguments)
    ]
    if facts["query"] is not None:
        parameters += query_parameters(facts["query"])
    if parameters:
        operation["parameters"] = parameters
    if not facts["public"]:
        # A download also opens with its signed link (errors_csv_url): `signature` and `expires`.
        operation["security"] = [{"bearer": []}] + ([{"signedLink": []}] if getattr(view, "signed_link", False)
                                                    else [])
    if facts["request"] is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {facts["request_type"]: {"schema": _ref(facts["request"])}},
        }
    for status, what in {**_refusals(rule, facts), **facts["responses"]}.items():
        operation["responses"][str(status)] = _response(status, what, facts["answers"])
    success = min(operation["responses"])
    if facts["links"]:
        operation["responses"][success]["links"] = {
            name: {"operationId": operation_id(target), "parameters": parameters}
            for name, (target, parameters) in facts["links"].items()
        }
    operation["responses"] = dict(sorted(operation["responses"].items()))
    return operation


def operation_id(endpoint: str) -> str:
    """An operation's id, unique in the gateway's merged document: its service and view, "users.get_user"."""
    return endpoint


def query_parameters(model: type[Query]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    required = set(schema.get("required", ()))
    parameters = []
    for name, field in schema["properties"].items():
        parameter: dict[str, Any] = {"name": name, "in": "query", "schema": ecma_patterns(_query_value(field))}
        if name in required:
            parameter["required"] = True
        parameters.append(parameter)
    return parameters


def _query_value(field: dict[str, Any]) -> dict[str, Any]:
    """A query value's schema: a parameter is left out rather than null, and a title is its name."""
    field = {key: value for key, value in field.items() if key != "title"}
    choices = [choice for choice in field.pop("anyOf", ()) if choice != {"type": "null"}]
    if len(choices) == 1:
        field.update(choices[0])
    elif choices:
        field["anyOf"] = choices
    if field.get("default", "") is None:
        del field["default"]
    return field


def _path_schema(rule, name: str) -> dict[str, Any]:
    if f"<int:{name}>" in rule.rule:
        return {"type": "integer", "minimum": 0}
    return {"type": "string"}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _refusals(rule, facts: dict[str, Any]) -> dict[int, str]:
    """What any view like this one can answer besides its own outcomes."""
    refusals: dict[int, str] = {}
    if not facts["public"]:
        refusals |= {401: "missing_token, invalid_token, token_expired", 403: "insufficient_rights"}
    if rule.arguments:
        refusals[404] = "not_found (no such resource)"
    if facts["request"]:
        refusals |= {400: "malformed_json", 413: "payload_too_large", 415: "unsupported_media_type",
                     422: "validation failed (details.field names the field)"}
    if facts["query"] is not None:
        refusals[400] = "invalid_parameter, invalid_cursor" + (", malformed_json" if facts["request"] else "")
    return refusals


def _response(status: int, what: Schema, answers: tuple[str, ...]) -> dict[str, Any]:
    if status == 429:
        return {"description": str(what), "headers": {"Retry-After": RETRY_AFTER}}
    if status == 204 or not (_is_model(what) or 200 <= status < 300):
        return {"description": str(what)}
    if status >= 400:
        return {"description": str(what), "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}}}
    model = what if isinstance(what, type) else None
    description = (model.__doc__ or model.__name__).strip().splitlines()[0] if model else str(what)
    content = {media_type: {"schema": {"type": "string"}} for media_type in answers if media_type != JSON}
    if model is not None and JSON in answers:
        content[JSON] = {"schema": _ref(model)}
    return {"description": description, "content": dict(sorted(content.items()))} if content else \
        {"description": description}


def resource_of(path: str) -> str:
    """The resource an operation belongs to, its path's first part after /api/v1: the OpenAPI tag that
    groups operations on an interactive page."""
    return path.removeprefix("/api/v1/").split("/")[0]


def _right_of(view) -> dict[str, Any]:
    """The right `require_right` put on the view, for readers of the document: `x-required-right`
    (and `x-own-record-allowed` when callers may also read their own record), said in words too."""
    right = getattr(view, "required_right", None)
    if right is None:
        return {}
    own_record = getattr(view, "allows_self", None) is not None
    words = f"Needs the right `{right}`" + (", or the caller's own record" if own_record else "") + "."
    facts: dict[str, Any] = {"description": words, "x-required-right": right}
    if own_record:
        facts["x-own-record-allowed"] = True
    return facts
