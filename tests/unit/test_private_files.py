"""The data dir's files are readable by the account that runs the portal only."""

import os
import stat

from shared.config import Settings
from shared.private_files import make_tree_private, read_or_create_secret, write_private_file


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_a_data_dir_an_older_version_left_open_is_made_private_without_losing_owner_bits(tmp_path):
    data_dir = tmp_path / "var"
    (data_dir / "redis").mkdir(parents=True)
    for name in ("users.sqlite3", "users.sqlite3-wal", "secret_key", "redis/appendonly.aof"):
        (data_dir / name).write_text("data")
        (data_dir / name).chmod(0o644)
    (data_dir / "run-me").write_text("#!/bin/sh\n")
    (data_dir / "run-me").chmod(0o755)
    data_dir.chmod(0o755)
    (data_dir / "redis").chmod(0o775)

    make_tree_private(data_dir)

    assert mode(data_dir) == 0o700 and mode(data_dir / "redis") == 0o700
    for name in ("users.sqlite3", "users.sqlite3-wal", "secret_key", "redis/appendonly.aof"):
        assert mode(data_dir / name) == 0o600, name
    assert mode(data_dir / "run-me") == 0o700


def test_making_a_data_dir_private_leaves_what_a_link_points_at_alone(tmp_path):
    data_dir, outside = tmp_path / "var", tmp_path / "shared.txt"
    data_dir.mkdir(mode=0o700)
    outside.write_text("not the portal's")
    outside.chmod(0o644)
    (data_dir / "link").symlink_to(outside)

    make_tree_private(data_dir)

    assert mode(outside) == 0o644


def test_a_generated_secret_is_written_for_the_owner_only_and_read_back_unchanged(tmp_path):
    path = tmp_path / "redis_password"
    first = read_or_create_secret(path, lambda: "generated-once")
    again = read_or_create_secret(path, lambda: "generated-twice")
    assert first == again == "generated-once"
    assert mode(path) == 0o600


def test_writing_a_private_file_over_a_world_readable_one_makes_it_private(tmp_path):
    path = tmp_path / "run.json"
    path.write_text("{}")
    path.chmod(0o644)
    write_private_file(path, '{"redis_url": "redis://:secret@127.0.0.1:6379/0"}')
    assert mode(path) == 0o600 and "secret" in path.read_text()


def test_the_settings_create_a_missing_data_dir_private_with_a_private_secret_key(tmp_path):
    data_dir = tmp_path / "new" / "var"
    settings = Settings.from_env({"PORTAL_DATA_DIR": str(data_dir)})
    assert mode(data_dir) == 0o700
    assert mode(data_dir / "secret_key") == 0o600
    assert (data_dir / "secret_key").read_text() == settings.secret_key
