"""The one rule for codes: users, school functions, schedule projects, departments, learning paths.

1 to 32 ASCII letters, digits, '.', '-', '_' or '@', so that every code can be addressed in a URL
path, written into a file name or a CSV cell, and read back exactly as written. A code of dots
alone is refused: clients resolve `/users/..` to another address before it is sent.
"""

from __future__ import annotations

import re
from typing import TypeGuard

CODE = re.compile(r"[A-Za-z0-9._@-]{1,32}")
# The same rule as a JSON Schema pattern (with maxLength 32): some character that is not a dot.
CODE_PATTERN = r"^[A-Za-z0-9._@-]*[A-Za-z0-9_@-][A-Za-z0-9._@-]*\Z"
MAX_CODE_LENGTH = 32
RULE = "1 to 32 ASCII letters, digits, '.', '-', '_' or '@'"
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


def is_code(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and CODE.fullmatch(value) is not None and value.strip(".") != ""


def has_control_character(text: str) -> bool:
    """NUL, line breaks, tabs and the like: never part of a name, a code or an address."""
    return CONTROL_CHARACTER.search(text) is not None
