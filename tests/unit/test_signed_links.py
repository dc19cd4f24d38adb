"""Signed download links: one path, until they expire, with a key of their own."""

import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

import pytest

from shared.errors import Forbidden, Unauthorized
from shared.signed_links import LinkSigner

SECRET = "unit-secret-key-for-links-0123456789"
PATH = "/api/v1/imports/1b9d/errors.csv"
NOW = 1_800_000_000


def parts(link: str) -> tuple[str, str, str]:
    split = urlsplit(link)
    query = parse_qs(split.query)
    return split.path, query["expires"][0], query["signature"][0]


def test_a_link_opens_its_path_until_it_expires_ten_minutes_later():
    path, expires, signature = parts(LinkSigner(SECRET).sign(PATH, now=NOW))
    assert path == PATH and int(expires) == NOW + 600
    LinkSigner(SECRET).check(PATH, expires, signature, now=NOW + 600)
    with pytest.raises(Unauthorized) as expired:
        LinkSigner(SECRET).check(PATH, expires, signature, now=NOW + 601)
    assert expired.value.code == "link_expired"


@pytest.mark.parametrize("path, expires_change, signature_change", [
    ("/api/v1/imports/other/errors.csv", 0, ""),
    (PATH, 60, ""),
    (PATH, 0, "0"),
], ids=["another path", "a later expiry", "a changed signature"])
def test_a_changed_link_is_refused(path, expires_change, signature_change):
    _, expires, signature = parts(LinkSigner(SECRET).sign(PATH, now=NOW))
    signature = signature[:-1] + signature_change if signature_change else signature
    with pytest.raises(Forbidden) as refused:
        LinkSigner(SECRET).check(path, str(int(expires) + expires_change), signature, now=NOW)
    assert refused.value.code == "invalid_signature"


@pytest.mark.parametrize("expires, signature", [(None, "ab"), ("soon", "ab"), ("١٢٣", "ab"), ("1" * 40, "ab"),
                                                ("1800000600", "é")])
def test_nonsense_in_the_query_is_refused_without_an_error_of_the_server(expires, signature):
    with pytest.raises(Forbidden):
        LinkSigner(SECRET).check(PATH, expires, signature, now=NOW)


def test_the_link_key_is_not_the_secret_itself_and_another_secret_signs_other_links():
    _, expires, signature = parts(LinkSigner(SECRET).sign(PATH, now=NOW))
    with_the_secret_itself = hmac.new(SECRET.encode(), f"{PATH}\n{expires}".encode(), hashlib.sha256).hexdigest()
    assert signature != with_the_secret_itself
    with pytest.raises(Forbidden):
        LinkSigner("another-secret-0123456789").check(PATH, expires, signature, now=NOW)
