"""The rights an endpoint can require; school functions are sets of these."""

RIGHTS = (
    "users:read",
    "users:write",
    "school_functions:write",
    "imports:read",
    "imports:write",
    "enrollments:read",
    "enrollments:write",
    "audit:read",
)
