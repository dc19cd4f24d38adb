"""The sessions `portal login` keeps: private files, replaced whole, one per portal, and refreshed
under a lock so that two commands never present the same refresh token."""

import io
import json
import os
import stat
import threading
import time

import pytest

from portal.saved_sessions import SessionStore, StoredSession, config_dir, portal_key, stored_session
from portal.session import plan_login

URL = "http://127.0.0.1:8000"


class FakePortal:
    """Rotates refresh tokens as the users service does: a spent one ends the session."""

    def __init__(self, first_token="r0", delay=0.0):
        self.live, self.spent, self.ended, self.delay = {first_token}, set(), False, delay
        self.issued = 0

    def exchange(self, refresh_token):
        time.sleep(self.delay)  # a round trip: room for a second command to read the same token
        if refresh_token in self.spent:
            self.ended = True
        if self.ended or refresh_token not in self.live:
            return 401, {"error": {"code": "refresh_token_reused", "message": "log in again"}}
        self.live.discard(refresh_token)
        self.spent.add(refresh_token)
        self.issued += 1
        new = f"r{self.issued}"
        self.live.add(new)
        return 200, {"access_token": f"a{self.issued}", "refresh_token": new}


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_the_config_dir_is_xdg_config_home_else_dot_config_in_home(tmp_path):
    assert config_dir({"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "HOME": "/nowhere"}) == tmp_path / "xdg" / "portal"
    assert config_dir({"HOME": str(tmp_path)}) == tmp_path / ".config" / "portal"


def test_the_store_is_a_private_directory_with_a_private_file_whatever_the_umask(tmp_path):
    old_umask = os.umask(0o022)
    try:
        store = SessionStore(tmp_path / "portal")
        with store.locked():
            store.put(URL, "admin", "r0")
    finally:
        os.umask(old_umask)
    assert mode(store.directory) == 0o700 and mode(store.path) == 0o600
    assert {mode(path) for path in store.directory.iterdir()} == {0o600}


def test_a_directory_left_open_by_hand_is_closed_before_anything_is_written(tmp_path):
    (tmp_path / "portal").mkdir(mode=0o755)
    (tmp_path / "portal").chmod(0o755)
    store = SessionStore(tmp_path / "portal")
    with store.locked():
        store.put(URL, "admin", "r0")
    assert mode(store.directory) == 0o700


def test_a_write_replaces_the_file_whole_and_a_failed_one_leaves_the_old_file_and_no_stray(tmp_path, monkeypatch):
    store = SessionStore(tmp_path / "portal")
    with store.locked():
        store.put(URL, "admin", "r0")
        first_inode = store.path.stat().st_ino
        store.put(URL, "admin", "r1")
    assert store.path.stat().st_ino != first_inode  # renamed into place, never rewritten in place

    def crash(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("portal.saved_sessions.os.replace", crash)
    with store.locked(), pytest.raises(OSError):
        store.put(URL, "admin", "r2")
    assert json.loads(store.path.read_text())[URL]["refresh_token"] == "r1"
    assert sorted(path.name for path in store.directory.iterdir()) == ["sessions.json", "sessions.lock"]


def test_each_portal_has_its_own_session_under_its_base_url(tmp_path):
    store = SessionStore(tmp_path)
    with store.locked():
        store.put("http://127.0.0.1:8000/", "admin", "local")
        store.put("https://portal.example.nl", "beheer", "school")
        assert store.get("HTTP://127.0.0.1:8000")["refresh_token"] == "local"
        assert store.get("https://portal.example.nl/")["code"] == "beheer"
        assert store.get("http://127.0.0.1:8001") is None
        assert store.forget("http://127.0.0.1:8000") and not store.forget("http://127.0.0.1:8000")
        assert store.get("https://portal.example.nl")["refresh_token"] == "school"
    assert set(json.loads(store.path.read_text())) == {"https://portal.example.nl"}
    assert portal_key("https://Portal.Example.nl/school/") == "https://portal.example.nl/school"


def test_a_damaged_file_counts_as_no_session_and_is_replaced_by_the_next_login(tmp_path):
    store = SessionStore(tmp_path)
    store.path.write_text("{half")
    with store.locked():
        assert store.get(URL) is None
        store.put(URL, "admin", "r0")
        assert store.get(URL)["refresh_token"] == "r0"


def test_a_refresh_stores_the_rotated_token_at_once(tmp_path):
    store, portal = SessionStore(tmp_path), FakePortal()
    with store.locked():
        store.put(URL, "admin", "r0")
    refreshed = StoredSession(store, URL).refresh(portal.exchange)
    assert refreshed.access_token == "a1"
    with store.locked():
        assert store.get(URL) == {"code": "admin", "refresh_token": "r1"}


def test_a_session_the_portal_refuses_is_forgotten_and_one_it_cannot_judge_now_is_kept(tmp_path):
    store = SessionStore(tmp_path)
    with store.locked():
        store.put(URL, "admin", "r0")
    busy = StoredSession(store, URL).refresh(lambda _token: (503, {"error": {"code": "revocation_unavailable"}}))
    assert busy.access_token is None and "503" in busy.problem and not busy.forgotten
    with store.locked():
        assert store.get(URL) is not None
    refused = StoredSession(store, URL).refresh(FakePortal(first_token="other").exchange)
    assert refused.access_token is None and "refresh_token_reused" in refused.problem and refused.forgotten
    with store.locked():
        assert store.get(URL) is None


def test_commands_refreshing_one_stored_session_at_once_never_present_a_spent_token(tmp_path):
    store, portal = SessionStore(tmp_path), FakePortal(delay=0.01)
    with store.locked():
        store.put(URL, "admin", "r0")
    results = []

    def command():
        # Each command opens the store itself, as separate processes do: flock is per open file.
        results.append(StoredSession(SessionStore(tmp_path), URL).refresh(portal.exchange))

    threads = [threading.Thread(target=command) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not portal.ended and all(result.access_token for result in results)
    with store.locked():
        assert store.get(URL)["refresh_token"] == "r12"


def test_the_lock_makes_a_second_holder_wait_for_the_first(tmp_path):
    holding, order = threading.Event(), []

    def first():
        with SessionStore(tmp_path).locked():
            holding.set()
            time.sleep(0.2)
            order.append("first done")

    thread = threading.Thread(target=first)
    thread.start()
    holding.wait()
    with SessionStore(tmp_path).locked():
        order.append("second in")
    thread.join()
    assert order == ["first done", "second in"]


def test_a_stored_session_comes_before_the_environment_password_and_needs_no_terminal(tmp_path):
    environ = {"XDG_CONFIG_HOME": str(tmp_path)}
    assert stored_session(environ, URL) is None and not (tmp_path / "portal").exists()
    store = SessionStore(config_dir(environ))
    with store.locked():
        store.put(URL, "admin", "r0")
    stored = stored_session(environ, URL)

    no_terminal = plan_login(None, None, False, environ, io.StringIO(), stored)
    assert no_terminal.stored is stored and no_terminal.credentials is None
    with_password = plan_login(None, None, False, {**environ, "PORTAL_ADMIN_PASSWORD": "pw"}, io.StringIO(), stored)
    assert with_password.stored is stored and with_password.credentials() == ("admin", "pw")
    assert plan_login("t0k3n", None, False, environ, io.StringIO(), stored).stored is None
    assert plan_login(None, None, True, environ, io.StringIO("pw\n"), stored).stored is None
