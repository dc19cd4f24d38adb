import time

import jwt
import pytest

from shared.auth import TOKEN_LIFETIME_SECONDS, issue_token, verify_token
from shared.errors import Unauthorized

SECRET = "s" * 48


def test_a_token_carries_the_code_and_rights():
    principal = verify_token(SECRET, issue_token(SECRET, "admin", ["users:read"]))
    assert principal.code == "admin" and principal.rights == {"users:read"}


def test_a_token_lives_at_most_an_hour():
    claims = jwt.decode(issue_token(SECRET, "a", [], lifetime=86400), SECRET, algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == TOKEN_LIFETIME_SECONDS


def test_an_expired_token_is_refused():
    now = int(time.time())
    token = jwt.encode({"iss": "portal", "sub": "a", "rights": [], "iat": now - 7200, "exp": now - 3600},
                       SECRET, algorithm="HS256")
    with pytest.raises(Unauthorized) as refused:
        verify_token(SECRET, token)
    assert refused.value.code == "token_expired"


@pytest.mark.parametrize("token", [
    issue_token("another secret of sufficient length!!", "admin", ["users:write"]),
    "not.a.token",
    jwt.encode({"iss": "portal", "sub": "a", "rights": ["users:write"], "iat": 0, "exp": 2**40}, "x" * 40,
               algorithm="HS256"),
])
def test_a_forged_or_malformed_token_is_refused(token):
    with pytest.raises(Unauthorized) as refused:
        verify_token(SECRET, token)
    assert refused.value.code == "invalid_token"


def test_an_unsigned_token_is_refused():
    token = jwt.encode({"iss": "portal", "sub": "a", "rights": [], "iat": 0, "exp": 2**40}, None, algorithm="none")
    with pytest.raises(Unauthorized):
        verify_token(SECRET, token)
