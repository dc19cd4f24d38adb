import time

import jwt
import pytest

from shared.auth import AUDIENCE, TOKEN_LIFETIME_SECONDS, issue_token, read_token, verify_token
from shared.config import check_secret_key
from shared.errors import Unauthorized

SECRET = "s" * 48


def claims(**changes):
    now = int(time.time())
    body = {"iss": "portal", "aud": AUDIENCE, "sub": "a", "sid": "session-1", "jti": "token-1", "rights": [],
            "iat": now, "exp": now + 600}
    body.update(changes)
    return {name: value for name, value in body.items() if value is not None}


def test_a_token_carries_the_code_rights_and_session():
    token = issue_token(SECRET, "admin", ["users:read"], "session-1")
    principal = verify_token(SECRET, token)
    assert principal.code == "admin" and principal.rights == {"users:read"}
    assert read_token(SECRET, token).session_id == "session-1"


def test_a_token_lives_at_most_15_minutes_and_has_its_own_id():
    first = jwt.decode(issue_token(SECRET, "a", [], lifetime=86400), SECRET, algorithms=["HS256"], audience=AUDIENCE)
    second = jwt.decode(issue_token(SECRET, "a", []), SECRET, algorithms=["HS256"], audience=AUDIENCE)
    assert first["exp"] - first["iat"] == TOKEN_LIFETIME_SECONDS == 900
    assert first["jti"] != second["jti"] and first["sid"] and first["aud"] == AUDIENCE


def test_an_expired_token_is_refused():
    now = int(time.time())
    token = jwt.encode(claims(iat=now - 1200, exp=now - 300), SECRET, algorithm="HS256")
    with pytest.raises(Unauthorized) as refused:
        verify_token(SECRET, token)
    assert refused.value.code == "token_expired"


def test_a_well_formed_token_is_accepted():
    verify_token(SECRET, jwt.encode(claims(), SECRET, algorithm="HS256"))


# Made when the test runs, not when it is collected: a suite can run longer than a token lives.
@pytest.mark.parametrize("make_token", [
    lambda: issue_token("another secret of sufficient length!!", "admin", ["users:write"]),
    lambda: "not.a.token",
    lambda: jwt.encode(claims(iat=0, exp=2**40), "x" * 40, algorithm="HS256"),
    # signed with the key, but living ten years: refused however well it is signed
    lambda: jwt.encode(claims(exp=int(time.time()) + 10 * 365 * 86400), SECRET, algorithm="HS256"),
    lambda: jwt.encode(claims(exp=int(time.time()) + 901), SECRET, algorithm="HS256"),
    lambda: jwt.encode(claims(jti=None), SECRET, algorithm="HS256"),
    lambda: jwt.encode(claims(aud=None), SECRET, algorithm="HS256"),
    lambda: jwt.encode(claims(aud="another-api"), SECRET, algorithm="HS256"),
    lambda: jwt.encode(claims(iss="elsewhere"), SECRET, algorithm="HS256"),
    lambda: jwt.encode(claims(sid=None), SECRET, algorithm="HS256"),
    lambda: jwt.encode(claims(sid=7), SECRET, algorithm="HS256"),
    lambda: jwt.encode(claims(rights=[1]), SECRET, algorithm="HS256"),
], ids=["foreign-key", "garbage", "foreign-key-10-years", "10-years", "901-seconds", "no-jti", "no-aud",
        "other-aud", "other-iss", "no-sid", "sid-not-text", "rights-not-texts"])
def test_a_forged_malformed_or_overlong_token_is_refused(make_token):
    with pytest.raises(Unauthorized) as refused:
        verify_token(SECRET, make_token())
    assert refused.value.code == "invalid_token"


def test_an_unsigned_token_is_refused():
    token = jwt.encode(claims(), None, algorithm="none")
    with pytest.raises(Unauthorized):
        verify_token(SECRET, token)


def test_a_secret_key_shorter_than_32_bytes_is_refused_unless_generated():
    with pytest.raises(ValueError, match="32 bytes"):
        check_secret_key("short-secret")
    check_secret_key("x" * 32)
    check_secret_key("short-but-generated", generated=True)
