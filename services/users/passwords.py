"""Argon2id password hashing with the OWASP parameters (19 MiB, 2 iterations, parallelism 1)."""

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@functools.cache
def _unknown_user_hash() -> str:
    """Verified against when the code is unknown, so that answer takes as long as a wrong password."""
    return _hasher.hash("no user has this password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _unknown_user_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
