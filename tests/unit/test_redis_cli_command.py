"""`portal redis-cli` hands the password to redis-cli without putting it on a command line."""

from portal.cli import redis_cli_command


def test_the_password_of_a_redis_url_goes_to_redis_cli_in_its_environment_not_its_arguments():
    argv, env = redis_cli_command("redis://:s3cr%40t@127.0.0.1:6390/2", {"PATH": "/usr/bin"})
    assert argv[1:] == ["-h", "127.0.0.1", "-p", "6390", "-n", "2"]
    assert not any("s3cr" in word for word in argv)
    assert env == {"PATH": "/usr/bin", "REDISCLI_AUTH": "s3cr@t"}


def test_a_redis_url_with_a_user_names_that_user_to_redis_cli():
    argv, env = redis_cli_command("redis://portal:secret@redis:6379/0", {})
    assert argv[-2:] == ["--user", "portal"] and env == {"REDISCLI_AUTH": "secret"}


def test_a_redis_url_without_a_password_gives_redis_cli_none():
    argv, env = redis_cli_command("redis://127.0.0.1:6379", {"PATH": "/usr/bin"})
    assert argv[1:] == ["-h", "127.0.0.1", "-p", "6379", "-n", "0"] and env == {"PATH": "/usr/bin"}
