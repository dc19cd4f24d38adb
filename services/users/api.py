"""HTTP endpoints of the users service: parse, call a handler, answer."""

from __future__ import annotations

from dataclasses import asdict
from operator import itemgetter
from typing import Literal

from flask import Blueprint, Response, current_app, jsonify, request
from pydantic import Field

from services.users import handlers
from services.users.commands import (
    ChangeSchoolFunction,
    CreateUser,
    LogoutRequest,
    PutSchoolFunction,
    RefreshRequest,
    SchoolFunctionCreate,
    SchoolFunctionPatch,
    SchoolFunctionReplace,
    TokenRequest,
    UpdateUser,
    UserCreate,
    UserPatch,
)
from services.users.domain import REFRESH_IDLE_SECONDS, USER_TYPES, IssuedSession
from services.users.openapi_schemas import (
    AuditEntryList,
    Rights,
    SchoolFunction,
    SchoolFunctionList,
    Token,
    User,
    UserList,
)
from shared import audit
from shared.api_types import Code, Moment, Page, Text, read_body, read_query
from shared.auth import TOKEN_LIFETIME_SECONDS, current_actor, current_claims, issue_token, require_right
from shared.client_address import client_address
from shared.errors import Forbidden, Unauthorized
from shared.events.envelope import utc_timestamp
from shared.http import decode_cursor, is_code_cursor, json_body, page_of
from shared.openapi import documented

api = Blueprint("users", __name__, url_prefix="/api/v1")
BY_CODE = {"code": "$response.body#/code"}
USER_LINKS = {"GetUser": ("users.get_user", BY_CODE), "GetUserRights": ("users.user_rights", BY_CODE),
              "ChangeUser": ("users.update_user", BY_CODE)}


class UserListQuery(Page):
    type: Literal[USER_TYPES] | None = None  # type: ignore[valid-type]
    archived: bool | None = None
    q: Text | None = None
    changed_since: Moment | None = Field(
        None, description="only users created or changed at or after this time (ISO 8601 with zone): a "
        "subscriber's snapshot of what changed while it was not following `portal:events`")


def _uow():
    return current_app.extensions["users"].unit_of_work()


def _client_address() -> str:
    return client_address(request.environ, current_app.extensions["settings"].trusted_proxies)


REFRESH_COOKIE = "portal_refresh"
AUTH_PATH = "/api/v1/auth"
BROWSER_HEADER = ("X-Requested-With", "portal")  # a cross-site form cannot send it; a page of the portal does


@api.post("/auth/token")
@documented("Log in: a code and password for an access token (15 minutes) and a refresh token",
            {200: Token, 401: "invalid_credentials", 429: "too_many_attempts (failed logins; see Retry-After)",
             503: "login_unavailable"}, request=TokenRequest, public=True)
def create_token():
    login = read_body(TokenRequest, json_body(request))
    client = _client_address()
    with current_app.extensions["users"].throttle.attempt(login.code, client):
        issued = handlers.log_in(_uow(), login.code, login.password, client=client)
    return _session_answer(issued, login.cookie)


@api.post("/auth/refresh")
@documented("A refresh token (body or cookie) for a new access token and a new refresh token; a used one ends "
            "its session", {200: Token, 401: "invalid_refresh_token, refresh_token_reused",
                            403: "browser_header_missing"}, request=RefreshRequest, public=True)
def refresh_token():
    body = read_body(RefreshRequest, json_body(request))
    token = body.refresh_token or _cookie_refresh_token()
    if token is None:
        raise Unauthorized("missing_refresh_token", "Send the refresh token in the body or the session cookie.")
    return _session_answer(handlers.refresh_session(_uow(), token), body.cookie or body.refresh_token is None)


@api.post("/auth/logout")
@documented("End the session of a refresh token (body or cookie) or of the access token",
            {204: "session ended", 401: "missing_token, invalid_token, token_expired, token_revoked",
             403: "browser_header_missing"}, request=LogoutRequest, public=True)
def log_out():
    body = read_body(LogoutRequest, json_body(request))
    token = body.refresh_token or _cookie_refresh_token()
    if token is not None:
        handlers.log_out(_uow(), refresh_token=token)
    elif request.headers.get("Authorization"):
        handlers.log_out(_uow(), session_id=current_claims().session_id)
    else:
        raise Unauthorized("missing_token", "Send the refresh token, the session cookie or the access token.")
    response = Response(status=204)
    response.delete_cookie(REFRESH_COOKIE, path=AUTH_PATH, secure=True, httponly=True, samesite="Strict")
    return response


def _cookie_refresh_token() -> str | None:
    token = request.cookies.get(REFRESH_COOKIE)
    if token is not None and request.headers.get(BROWSER_HEADER[0]) != BROWSER_HEADER[1]:
        raise Forbidden("browser_header_missing",
                        "A refresh by cookie needs the header X-Requested-With: portal.")
    return token


def _session_answer(issued: IssuedSession, as_cookie: bool):
    access_token = issue_token(current_app.config["SECRET_KEY"], issued.code, issued.rights, issued.session_id)
    body = {"access_token": access_token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_SECONDS}
    if not as_cookie:
        return jsonify(body | {"refresh_token": issued.refresh_token})
    response = jsonify(body)
    response.set_cookie(REFRESH_COOKIE, issued.refresh_token, max_age=REFRESH_IDLE_SECONDS, path=AUTH_PATH,
                        secure=True, httponly=True, samesite="Strict")
    return response


@api.post("/users")
@require_right("users:write")
@documented("Create a user", {201: User, 409: "user_exists", 422: "validation failed"}, request=UserCreate,
            links=USER_LINKS)
def create_user():
    user = handlers.create_user(_uow(), CreateUser.from_json(json_body(request)), current_actor())
    return jsonify(user), 201


@api.get("/users")
@require_right("users:read")
@documented("List users ordered by code", {200: UserList}, query=UserListQuery)
def list_users():
    query = read_query(UserListQuery, request)
    users = handlers.list_users(
        _uow(),
        user_type=query.type,
        archived=query.archived,
        text=query.q or None,
        after_code=decode_cursor(query.cursor, is_code_cursor),
        limit=query.limit + 1,
        changed_since=query.changed_since,
    )
    return page_of(users, query.limit, cursor_of=itemgetter("code"))


@api.get("/users/<code>")
@require_right("users:read", allow_self_arg="code")
@documented("Get a user", {200: User, 404: "user_not_found"})
def get_user(code: str):
    return jsonify(handlers.get_user(_uow(), code))


@api.patch("/users/<code>")
@require_right("users:write")
@documented("Change a user's fields, types, functions or archived flag",
            {200: User, 404: "user_not_found", 409: "last_application_manager", 422: "validation failed"},
            request=UserPatch)
def update_user(code: str):
    user = handlers.update_user(_uow(), UpdateUser.from_json(code, json_body(request)), current_actor())
    return jsonify(user)


@api.get("/users/<code>/rights")
@require_right("users:read", allow_self_arg="code")
@documented("The user's effective rights", {200: Rights, 404: "user_not_found"})
def user_rights(code: str):
    return jsonify(rights=handlers.effective_rights(_uow(), code))


@api.get("/school-functions")
@require_right("users:read")
@documented("List school functions", {200: SchoolFunctionList}, query=Page)
def list_school_functions():
    page = read_query(Page, request)
    functions = handlers.list_school_functions(_uow(), decode_cursor(page.cursor, is_code_cursor), page.limit + 1)
    return page_of([_function_json(function) for function in functions], page.limit, cursor_of=itemgetter("code"))


@api.post("/school-functions")
@require_right("school_functions:write")
@documented("Create a school function",
            {201: SchoolFunction, 409: "school_function_exists", 422: "unknown_right, invalid_code, invalid_name"},
            request=SchoolFunctionCreate, links={"ReplaceSchoolFunction": ("users.replace_school_function", BY_CODE),
                   "ChangeSchoolFunction": ("users.change_school_function", BY_CODE),
                   "GetSchoolFunction": ("users.get_school_function", BY_CODE)})
def create_school_function():
    command = PutSchoolFunction.from_json(json_body(request))
    return jsonify(_function_json(handlers.create_school_function(_uow(), command, current_actor()))), 201


@api.put("/school-functions/<code>")
@require_right("school_functions:write")
@documented("Replace a school function's name and rights", {200: SchoolFunction,
            404: "school_function_not_found", 409: "builtin_function_rights_fixed",
            422: "unknown_right, invalid_name"}, request=SchoolFunctionReplace)
def replace_school_function(code: str):
    command = PutSchoolFunction.from_json(json_body(request), code=code)
    return jsonify(_function_json(handlers.replace_school_function(_uow(), command, current_actor())))


@api.get("/school-functions/<code>")
@require_right("users:read")
@documented("Get a school function", {200: SchoolFunction, 404: "school_function_not_found"})
def get_school_function(code: str):
    return jsonify(_function_json(handlers.get_school_function(_uow(), code)))


@api.patch("/school-functions/<code>")
@require_right("school_functions:write")
@documented("Change a school function's name, rights or both; what is left out stays",
            {200: SchoolFunction, 403: "insufficient_rights (details.missing)", 404: "school_function_not_found",
             409: "builtin_function_rights_fixed", 422: "unknown_right, invalid_name"},
            request=SchoolFunctionPatch)
def change_school_function(code: str):
    """The PUT's rules: only rights the caller holds, the application manager keeps every right, fewer
    rights end the sessions of the function's holders."""
    command = ChangeSchoolFunction.from_json(code, json_body(request))
    return jsonify(_function_json(handlers.change_school_function(_uow(), command, current_actor())))


class AuditQuery(Page):
    actor: Code | None = None
    target: Text | None = None
    action: Literal[audit.ACTIONS] | None = None  # type: ignore[valid-type]
    since: Moment | None = Field(None, description="only entries at or after this time (ISO 8601 with zone)")


@api.get("/audit")
@require_right("audit:read")
@documented("The audit trail, newest first: logins, changes to users and school functions, imports "
            "started, cancelled and completed, enrollments created by hand and deleted", {200: AuditEntryList},
            query=AuditQuery)
def list_audit():
    query = read_query(AuditQuery, request)
    before = decode_cursor(query.cursor, _is_audit_position)
    collector = current_app.extensions["users"].audit_collector
    if collector is not None:
        collector.catch_up()  # the other services' entries that are already on the stream
    entries = handlers.list_audit(_uow(), query.actor, query.target, query.action,
                                  None if query.since is None else utc_timestamp(query.since),
                                  None if before is None else tuple(before), query.limit + 1)
    return page_of(entries, query.limit, cursor_of=itemgetter("at", "id"))


def _is_audit_position(value) -> bool:
    return (isinstance(value, list) and len(value) == 2 and all(isinstance(part, str) for part in value)
            and len(value[0]) <= 32 and len(value[1]) <= 36)


def _function_json(function) -> dict:
    body = asdict(function)
    body["rights"] = list(function.rights)
    return body
