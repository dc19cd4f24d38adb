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


def documented(summary: str, responses: dict[int, str], request: str | None = None, public: bool = False,
               query: tuple[str, ...] = ()):
    """Attach the OpenAPI facts of a view: status code → schema name (or description)."""

    def decorator(view):
        view.openapi = {
            "summary": summary, "responses": responses, "request": request, "public": public,
            "query": query,
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
        for name in rule.arguments
    ]
    parameters += [{"name": name, "in": "query", "schema": {"type": "string"}} for name in facts["query"]]
    if parameters:
        operation["parameters"] = parameters
    if not facts["public"]:
        operation["security"] = [{"bearer": []}]
        facts = {**facts, "responses": {401: "missing_token, invalid_token, token_expired",
                                        403: "insufficient_rights", **facts["responses"]}}
    if facts["request"]:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{facts['request']}"}}},
        }
    for status, what in facts["responses"].items():
        if status == 204:
            operation["responses"]["204"] = {"description": "No content"}
            continue
        schema_name = what if what in schemas else ("Error" if status >= 400 else None)
        response: dict[str, Any] = {"description": what}
        if schema_name:
            response["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}
        operation["responses"][str(status)] = response
    return operation


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
