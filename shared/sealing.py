"""Secrets at rest and on the broker: AES-256-GCM with a key derived from PORTAL_SECRET_KEY.

An uploaded import file is stored sealed, block by block, and a password cell travels and is
stored sealed, so neither the importer's database nor the broker's messages (or its append-only
file) hold a password in plain text. Every service that has PORTAL_SECRET_KEY can open what
another sealed; a key of its own per purpose (HKDF) keeps these keys apart from the token key.
"""

from __future__ import annotations

import base64
import os
from typing import TypeGuard

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

TEXT_PREFIX = "sealed:v1:"
MASK = "********"
_NONCE_BYTES = 12


class CannotOpen(Exception):
    """Sealed with another key (PORTAL_SECRET_KEY changed) or altered."""


class Sealer:
    def __init__(self, secret_key: str, purpose: str = "portal import secrets v1"):
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(secret_key.encode())
        self._aead = AESGCM(key)

    def seal(self, data: bytes, context: bytes = b"") -> bytes:
        """`context` (e.g. a job id and block number) must be given again to open: a sealed block
        cannot be moved to another place unnoticed."""
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, data, context)

    def open(self, sealed: bytes, context: bytes = b"") -> bytes:
        try:
            return self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], context)
        except (InvalidTag, ValueError):
            raise CannotOpen("the sealed data cannot be opened with this key") from None

    def seal_text(self, text: str) -> str:
        return TEXT_PREFIX + base64.urlsafe_b64encode(self.seal(text.encode())).decode()

    def open_text(self, sealed: str) -> str:
        if not is_sealed_text(sealed):
            raise CannotOpen("not a sealed text")
        try:
            raw = base64.urlsafe_b64decode(sealed[len(TEXT_PREFIX):])
        except ValueError:
            raise CannotOpen("not a sealed text") from None
        return self.open(raw).decode()


def is_sealed_text(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value.startswith(TEXT_PREFIX)
