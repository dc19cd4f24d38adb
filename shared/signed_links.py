"""Download links a person can open in a browser: short-lived and signed for one path.

A browser sends no Bearer token when someone opens an address, so a download the API offers (an
import's errors.csv) also comes as a link that carries its own proof: `?expires=<unix time>&
signature=<HMAC-SHA256 of the path and the expiry>`. It opens exactly that path until it expires
and nothing else. A link may also carry `&lang=en`: the language of the file's messages is no secret,
so it is not signed, but it is checked like every other parameter (nl or en, see `LINK_LANGUAGES`);
a link without it opens in Dutch, as every link did before. The key is derived from PORTAL_SECRET_KEY
for this purpose only, so a link's signature is worth nothing as a token or a seal, and every service
holding the secret can check it.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import time
from typing import Literal, get_args
from urllib.parse import urlencode

from shared.errors import Forbidden, Unauthorized

LINK_LIFETIME_SECONDS = 600
PURPOSE = b"portal download links v1"
_EXPIRY = re.compile(r"[0-9]{1,12}")
# The languages a link may ask for (the catalogue's); the first one is the default a link need not name.
LinkLanguage = Literal["nl", "en"]
LINK_LANGUAGES: tuple[str, ...] = get_args(LinkLanguage)


class LinkSigner:
    def __init__(self, secret_key: str):
        self._key = hmac.new(secret_key.encode(), PURPOSE, hashlib.sha256).digest()

    def sign(self, path: str, now: float | None = None, lifetime: int = LINK_LIFETIME_SECONDS,
             lang: str | None = None) -> str:
        """`path` with the query that opens it until `lifetime` seconds from now; with `lang` (not the
        default language), a link whose file speaks that language."""
        expires = int(time.time() if now is None else now) + lifetime
        query = {"expires": expires, "signature": self._signature(path, expires)}
        if lang is not None and lang != LINK_LANGUAGES[0]:
            if lang not in LINK_LANGUAGES:
                raise ValueError(f"a link speaks one of {LINK_LANGUAGES}, not {lang!r}")
            query["lang"] = lang
        return f"{path}?{urlencode(query)}"

    def check(self, path: str, expires: str | None, signature: str, now: float | None = None) -> None:
        """Nothing when the link opens `path` now; else the contract's 403 (not a link this portal
        signed for this path) or 401 (it was, but it expired)."""
        if expires is None or not _EXPIRY.fullmatch(expires) or not hmac.compare_digest(
                self._signature(path, int(expires)).encode(), signature.encode()):
            raise Forbidden("invalid_signature", "This download link is not valid for this address; ask for a "
                            "new one (open the import again).")
        if int(expires) < (time.time() if now is None else now):
            raise Unauthorized("link_expired", "This download link has expired; ask for a new one "
                               "(open the import again).", {"expired_at": int(expires)})

    def _signature(self, path: str, expires: int) -> str:
        return hmac.new(self._key, f"{path}\n{expires}".encode(), hashlib.sha256).hexdigest()


@functools.lru_cache(maxsize=4)
def link_signer(secret_key: str) -> LinkSigner:
    return LinkSigner(secret_key)
