"""JSON schemas of the users service's bodies, for its OpenAPI document."""

from services.users.domain import LOGIN_METHODS, TYPE_FIELDS

_TEXT = {"type": ["string", "null"]}
_TYPES = {name: {"type": "boolean"} for name in TYPE_FIELDS}
_LOGIN = {"type": "string", "enum": list(LOGIN_METHODS)}

SCHEMAS = {
    "TokenRequest": {
        "type": "object", "required": ["code", "password"],
        "properties": {"code": {"type": "string"}, "password": {"type": "string"}},
    },
    "Token": {
        "type": "object",
        "properties": {"access_token": {"type": "string"}, "token_type": {"const": "Bearer"},
                       "expires_in": {"type": "integer"}},
    },
    "User": {
        "type": "object",
        "properties": {
            "code": {"type": "string"}, "first_name": _TEXT, "prefix": _TEXT, "last_name": _TEXT,
            "email": _TEXT, **_TYPES, "school_functions": {"type": "array", "items": {"type": "string"}},
            "login_method": _LOGIN, "has_password": {"type": "boolean"}, "archived": {"type": "boolean"},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "UserCreate": {
        "type": "object", "required": ["code"], "additionalProperties": False,
        "properties": {
            "code": {"type": "string", "maxLength": 32}, "first_name": _TEXT, "prefix": _TEXT,
            "last_name": _TEXT, "email": _TEXT, "password": _TEXT, "login_method": _LOGIN, **_TYPES,
            "school_functions": {"type": "array", "items": {"type": "string"}},
        },
    },
    "UserPatch": {
        "type": "object", "additionalProperties": False,
        "properties": {
            "first_name": _TEXT, "prefix": _TEXT, "last_name": _TEXT, "email": _TEXT, "password": _TEXT,
            "login_method": _LOGIN, **_TYPES, "archived": {"type": "boolean"},
            "school_functions": {"type": "array", "items": {"type": "string"}},
        },
    },
    "UserList": {
        "type": "object",
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/User"}},
                       "next_cursor": {"type": ["string", "null"]}},
    },
    "Rights": {"type": "object", "properties": {"rights": {"type": "array", "items": {"type": "string"}}}},
    "SchoolFunction": {
        "type": "object", "required": ["code", "name", "rights"],
        "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                       "rights": {"type": "array", "items": {"type": "string"}}},
    },
    "SchoolFunctionList": {
        "type": "object",
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/SchoolFunction"}},
                       "next_cursor": {"type": ["string", "null"]}},
    },
}
