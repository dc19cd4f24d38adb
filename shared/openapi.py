"""OpenAPI 3.1 documents generated from the routes themselves: what a view promises is declared
next to it with `@documented`, so the document cannot drift from the code."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

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


# Query parameters mean the same wherever they appear; a view may still give its own schema.
QUERY_SCHEMAS: dict[str, dict[str, Any]] = {
    "limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
    "cursor": {"type": "string", "description": "next_cursor of the page before"},
    "archived": {"type": "boolean"},
}
JSON = "application/json"
CSV = "text/csv"
MULTIPART = "multipart/form-data"


def documented(summary: str, responses: dict[int, str], request: str | None = None, public: bool = False,
               query: tuple[str, ...] | dict[str, dict[str, Any]] = (), request_type: str = JSON,
               answers: tuple[str, ...] = (JSON,)):
    """Attach the OpenAPI facts of a view: status code → schema name (or description), the request
    body's schema and media type, the query parameters (names, or names with their schemas) and the
    media type of its successful answer. The refusals every view of its kind can give (401/403 for a
    token, 400/413/415/422 for a body, 400 for a list's paging, 404 for a path) are added by
    `build_document`."""

    def decorator(view):
        view.openapi = {
            "summary": summary, "responses": responses, "request": request, "public": public,
            "query": query if isinstance(query, dict) else {name: {} for name in query},
            "request_type": request_type, "answers": answers,
        }
        return view

    return decorator


def build_document(app: Flask, title: str, schemas: dict[str, Any]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        facts = getattr(view, "openapi", None)
        if facts is None:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, view, path, facts, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1"},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {"Error": ERROR_SCHEMA, **schemas},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def merge_documents(title: str, documents: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {"openapi": "3.1.0", "info": {"title": title, "version": "1"}, "paths": {},
              "components": {"schemas": {}, "securitySchemes": {}}}
    for document in documents:
        merged["paths"].update(document.get("paths", {}))
        for part in ("schemas", "securitySchemes"):
            merged["components"][part].update(document.get("components", {}).get(part, {}))
    merged["paths"] = dict(sorted(merged["paths"].items()))
    return merged


def _operation(rule, view, path: str, facts: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": facts["summary"], "tags": [resource_of(path)], "responses": {}}
    operation.update(_right_of(view))
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in sorted(rule.arguments)
    ]
    parameters += [{"name": name, "in": "query", "schema": schema or QUERY_SCHEMAS.get(name, {"type": "string"})}
                   for name, schema in facts["query"].items()]
    if parameters:
        operation["parameters"] = parameters
    if not facts["public"]:
        operation["security"] = [{"bearer": []}]
    if facts["request"]:
        operation["requestBody"] = {
            "required": True,
            "content": {facts["request_type"]: {"schema": {"$ref": f"#/components/schemas/{facts['request']}"}}},
        }
    for status, what in {**_refusals(rule, facts), **facts["responses"]}.items():
        operation["responses"][str(status)] = _response(status, what, facts["answers"], schemas)
    operation["responses"] = dict(sorted(operation["responses"].items()))
    return operation


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
    if facts["query"]:
        refusals[400] = "invalid_parameter, invalid_cursor" + (", malformed_json" if facts["request"] else "")
    return refusals


def _response(status: int, what: str, answers: tuple[str, ...], schemas: dict[str, Any]) -> dict[str, Any]:
    if status == 204:
        return {"description": "No content"}
    response: dict[str, Any] = {"description": what}
    if status >= 400:
        response["content"] = {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}}
        return response
    content = {}
    for media_type in answers:
        if media_type != JSON:
            content[media_type] = {"schema": {"type": "string"}}
        elif what in schemas:
            content[JSON] = {"schema": {"$ref": f"#/components/schemas/{what}"}}
    if content:
        response["content"] = content
    return response


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
