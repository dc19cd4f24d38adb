"""The distributed-mode deployment (Dockerfile, docker-compose.yml), checked statically.

No Docker engine is needed: the files are parsed and every module, console script, setting,
port and dependency they name is checked against the project itself.
"""

from __future__ import annotations

import importlib
import importlib.util
import ipaddress
import re
import shlex
import shutil
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SOURCE_PACKAGES = ("shared", "services", "portal")

# The settings CONTRACT.md ("Running it") says docker-compose passes; PORTAL_PORT is checked per service.
CONTRACT_SETTINGS = (
    "REDIS_URL", "USERS_DATABASE_URL", "ENROLLMENTS_DATABASE_URL", "IMPORTER_DATABASE_URL",
    "PORTAL_DATA_DIR", "PORTAL_SECRET_KEY", "PORTAL_MAX_UPLOAD_MB", "PORTAL_ADMIN_CODE",
    "PORTAL_ADMIN_PASSWORD",
)
PORTAL_SETTING = re.compile(r"^(PORTAL_\w+|\w+_DATABASE_URL|\w+_API_URL|REDIS_URL)$")
SHELL_SEPARATORS = {";", "&&", "||", "|", "&"}
SHELL_BUILTINS = {"test", "[", "true", "false", "exit", "echo", ":"}
DEPENDENCY_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
MIGRATE_SERVICE = "migrate"
APPLICATION_SERVICES = {MIGRATE_SERVICE, "users-api", "users-worker", "users-relay",
                        "importer-api", "importer-worker",
                        "enrollments-api", "enrollments-worker", "enrollments-consumer", "gateway"}
REQUIRED_REDIS_PASSWORD = "${REDIS_PASSWORD:?set REDIS_PASSWORD}"
# Policies under which Docker starts a long-running process again after it exits or crashes.
RESTARTING_POLICIES = {"always", "unless-stopped", "on-failure"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict]:
    return compose["services"]


def built_services(services) -> dict[str, dict]:
    """The services running the project's own image (the others are postgres, redis, psql)."""
    return {name: service for name, service in services.items() if "build" in service}


def application_services(services) -> dict[str, dict]:
    """Containers running the portal's code: every one of the project's image except Flower."""
    return {name: service for name, service in built_services(services).items()
            if "flower" not in words(service)}


def command_lines(service: dict) -> list[list[str]]:
    """The simple commands a service runs: its command, or each command of an `sh -c` script."""
    command = service.get("command")
    if command is None:
        return []
    argv = shlex.split(command) if isinstance(command, str) else [str(word) for word in command]
    if argv[0] in ("sh", "/bin/sh") and len(argv) >= 3 and argv[1].startswith("-") and "c" in argv[1]:
        lexer = shlex.shlex(argv[2].replace("$$", "$"), posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        lines, line = [], []
        for token in lexer:
            if token in SHELL_SEPARATORS:
                lines.append(line)
                line = []
            else:
                line.append(token)
        lines.append(line)
        argv_lines = [line[1:] if line[:1] == ["exec"] else line for line in lines if line]
        return [line for line in argv_lines if line[0] not in SHELL_BUILTINS]
    return [argv]


def words(service: dict) -> list[str]:
    return [word for line in command_lines(service) for word in line]


def option_values(line: list[str], option: str) -> list[str]:
    """Values of `--option VALUE` and `--option=VALUE` (and `-A VALUE`) in one command line."""
    values = []
    for index, word in enumerate(line):
        if word == option and index + 1 < len(line):
            values.append(line[index + 1])
        elif word.startswith(option + "="):
            values.append(word.split("=", 1)[1])
    return values


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def listening_port(service: dict) -> int | None:
    """The port a service's HTTP server listens on: `--port` in its command, else PORTAL_PORT
    for the gateway (`python -m portal.gateway`)."""
    for line in command_lines(service):
        ports = option_values(line, "--port")
        if ports:
            return int(ports[0])
        if option_values(line, "-m") == ["portal.gateway"] and environment(service).get("PORTAL_PORT"):
            return int(environment(service)["PORTAL_PORT"])
    return None


def filled_in(value: str) -> str:
    """value with each ${X:?...} / ${X:-...} replaced by a plain word, as compose fills them in
    (a `?` left in would end a URL's host part)."""
    return re.sub(r"\$\{[^}]*\}", "variable", value)


def strings(node) -> list[str]:
    """Every string in the parsed file, anchors expanded where they are used."""
    if isinstance(node, dict):
        return [text for value in node.values() for text in strings(value)]
    if isinstance(node, list):
        return [text for value in node for text in strings(value)]
    return [node] if isinstance(node, str) else []


def depends_on(service: dict) -> dict[str, str]:
    dependencies = service.get("depends_on") or {}
    if isinstance(dependencies, list):
        return {name: "service_started" for name in dependencies}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in dependencies.items()}


def source_text() -> str:
    return "\n".join(
        path.read_text() for package in SOURCE_PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
    )


def test_the_compose_file_is_valid_yaml_and_every_service_has_an_image_or_build(compose, services):
    assert isinstance(compose, dict) and isinstance(services, dict)
    expected = {"postgres", "db-init", "redis", *APPLICATION_SERVICES, "flower"}
    assert expected <= set(services), f"missing services: {sorted(expected - set(services))}"
    for name, service in services.items():
        assert isinstance(service, dict), name
        assert service.get("image") or service.get("build"), f"{name} has neither image nor build"


def test_every_python_m_module_in_a_command_can_be_found(services):
    modules = {module for service in built_services(services).values()
               for line in command_lines(service) for module in option_values(line, "-m")}
    assert {"portal.gateway", "services.users.relay", "services.enrollments.consumer"} <= modules
    for module in modules:
        assert importlib.util.find_spec(module) is not None, f"python -m {module}: no such module"


def test_every_celery_app_named_with_dash_a_can_be_found(services):
    # find_spec only: importing services.users.worker builds an app (it is a worker entry point).
    apps = {app for service in built_services(services).values()
            for line in command_lines(service) if line[0] == "celery" for app in option_values(line, "-A")}
    assert {"services.users.worker", "services.importer.worker", "services.enrollments.worker"} <= apps
    for app in apps:
        module = app.split(":")[0]
        assert importlib.util.find_spec(module) is not None, f"celery -A {app}: no such module"


def test_every_waitress_call_names_an_existing_factory(services):
    calls = {call for service in built_services(services).values()
             for line in command_lines(service) if line[0] == "waitress-serve"
             for call in option_values(line, "--call")}
    assert {"services.users.app:create_app", "services.importer.app:create_app",
            "services.enrollments.app:create_app"} <= calls
    for call in calls:
        module_name, _, attribute = call.partition(":")
        assert attribute, f"--call {call} names no factory"
        assert importlib.util.find_spec(module_name) is not None, f"--call {call}: no such module"
        factory = getattr(importlib.import_module(module_name), attribute, None)
        assert callable(factory), f"--call {call}: {attribute} is not a callable of {module_name}"


def test_every_console_script_that_starts_a_command_is_installed(services):
    venv_bin = str(Path(sys.executable).parent)
    project_scripts = PYPROJECT["project"]["scripts"]
    first_words = {line[0] for service in built_services(services).values() for line in command_lines(service)}
    assert {"portal", "celery", "waitress-serve", "python"} <= first_words
    for word in first_words:
        assert word in project_scripts or shutil.which(word, path=venv_bin), (
            f"{word} is neither a [project.scripts] entry nor installed in {venv_bin}"
        )
    assert project_scripts.get("portal") == "portal.cli:main"


def test_every_portal_subcommand_in_a_command_exists(services):
    from portal.cli import build_parser

    portal_lines = [line for service in built_services(services).values()
                    for line in command_lines(service) if line[0] == "portal"]
    assert {"migrate", "create-admin"} <= {line[1] for line in portal_lines if len(line) > 1}
    for line in portal_lines:
        try:
            args = build_parser().parse_args(line[1:])
        except SystemExit:
            pytest.fail(f"`{' '.join(line)}`: portal does not accept these arguments")
        assert hasattr(args, "action"), f"`{' '.join(line)}` names no portal command"


def test_flower_comes_with_the_ops_extra_the_image_installs(services):
    assert any("flower" in line for service in services.values() for line in command_lines(service))
    ops = PYPROJECT["project"]["optional-dependencies"]["ops"]
    assert any(re.match(r"flower\b", requirement) for requirement in ops)
    assert re.search(r"pip install (\$\{PIP_INSTALL_OPTIONS\} )?[\"']?\.\[ops\]", (ROOT / "Dockerfile").read_text())


def test_every_application_container_gets_every_setting_the_contract_names(services):
    apps = application_services(services)
    assert APPLICATION_SERVICES <= set(apps)
    for name, service in apps.items():
        missing = [setting for setting in CONTRACT_SETTINGS if setting not in environment(service)]
        assert not missing, f"{name} lacks {missing}"
        env = environment(service)
        assert env["PORTAL_SECRET_KEY"].startswith("${PORTAL_SECRET_KEY:?"), "the secret key must be required"
        assert urlsplit(filled_in(env["REDIS_URL"])).hostname in services, f"{name}: REDIS_URL is no compose service"
        for setting in ("USERS_DATABASE_URL", "ENROLLMENTS_DATABASE_URL", "IMPORTER_DATABASE_URL"):
            url = urlsplit(filled_in(env[setting]))
            assert url.scheme.startswith("postgresql"), f"{name}: {setting} is not a PostgreSQL URL"
            assert url.hostname == "postgres", f"{name}: {setting} does not point at the postgres service"


def test_the_gateway_is_told_the_port_it_publishes(services):
    gateways = [service for service in services.values()
                if any(option_values(line, "-m") == ["portal.gateway"] for line in command_lines(service))]
    assert len(gateways) == 1
    env = environment(gateways[0])
    assert env.get("PORTAL_HOST") == "0.0.0.0", "the gateway must listen beyond the container's loopback"
    published = [str(mapping).rsplit(":", 1)[-1] for mapping in gateways[0].get("ports", [])]
    assert env.get("PORTAL_PORT") in published


def test_every_setting_the_compose_file_passes_is_read_by_the_code(services):
    from portal.gateway import ROUTES

    text = source_text()
    routed = {name for _prefix, name in ROUTES}
    passed = {key for service in services.values() for key in environment(service) if PORTAL_SETTING.match(key)}
    assert {"REDIS_URL", "PORTAL_SECRET_KEY", "USERS_API_URL", "IMPORTER_API_URL", "ENROLLMENTS_API_URL"} <= passed
    for setting in passed:
        if setting.endswith("_API_URL"):
            # create_gateway reads f"{name.upper()}_API_URL" for every routed service.
            assert setting.removesuffix("_API_URL").lower() in routed, f"{setting}: no such routed service"
            assert '_API_URL"' in (ROOT / "portal" / "gateway.py").read_text()
        else:
            assert f'"{setting}"' in text or f"'{setting}'" in text, f"{setting} is read nowhere in the code"


def test_redis_appends_to_its_log_and_postgres_and_redis_keep_data_on_volumes(compose, services):
    redis_words = words(services["redis"])
    assert "--appendonly" in redis_words and redis_words[redis_words.index("--appendonly") + 1] == "yes"
    declared = set(compose.get("volumes") or {})
    for name, data_dir in (("postgres", "/var/lib/postgresql/data"), ("redis", "/data")):
        mounts = dict(str(volume).split(":")[:2][::-1] for volume in services[name].get("volumes", []))
        assert data_dir in mounts, f"{name} keeps {data_dir} on no volume"
        assert mounts[data_dir] in declared, f"{name}: volume {mounts[data_dir]} is not declared"


def test_redis_requires_a_password_from_a_required_variable_and_its_healthcheck_gives_it(services):
    redis = services["redis"]
    passwords = [value for line in command_lines(redis) for value in option_values(line, "--requirepass")]
    assert passwords == [REQUIRED_REDIS_PASSWORD], f"redis-server --requirepass {passwords}"
    assert environment(redis).get("REDISCLI_AUTH") == REQUIRED_REDIS_PASSWORD, \
        "the healthcheck's redis-cli has no password"
    test = redis["healthcheck"]["test"]
    probe = " ".join(test) if isinstance(test, list) else test
    # redis-cli exits 0 on NOAUTH too: a healthcheck that does not look for PONG passes unauthenticated.
    assert "redis-cli" in probe and "PONG" in probe, f"the healthcheck does not check the answer: {probe}"
    assert " -a " not in probe and "REDIS_PASSWORD" not in probe, "the password is on the healthcheck's command line"


def test_every_redis_url_in_the_file_carries_the_required_password(compose, services):
    urls = [text for text in strings(compose) if text.startswith("redis://")]
    assert len(urls) >= len(application_services(services)) + 1  # every application container and Flower
    for url in urls:
        assert url.startswith(f"redis://:{REQUIRED_REDIS_PASSWORD}@"), f"{url} has no password"
        assert urlsplit(filled_in(url)).hostname == "redis", f"{url} is not the redis service"


def test_flower_asks_for_a_login_from_required_variables_and_watches_the_portals_broker(services):
    [flower] = [service for service in services.values() if "flower" in words(service)]
    env = environment(flower)
    assert re.fullmatch(r"\$\{FLOWER_USER:-\w+\}:\$\{FLOWER_PASSWORD:\?[^}]+\}", env.get("FLOWER_BASIC_AUTH", "")), (
        f"Flower's login must come from FLOWER_USER and a required FLOWER_PASSWORD: {env.get('FLOWER_BASIC_AUTH')}"
    )
    assert env.get("CELERY_BROKER_URL") == environment(services["users-worker"])["REDIS_URL"]
    assert not [word for word in words(flower) if "auth" in word or "redis://" in word], (
        "a password on Flower's command line is readable by every account on the Docker host"
    )


def test_depends_on_names_only_existing_services_with_known_conditions(services):
    assert any(depends_on(service) for service in services.values())
    for name, service in services.items():
        for dependency, condition in depends_on(service).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            assert condition in DEPENDENCY_CONDITIONS, f"{name}: unknown condition {condition}"
            if condition == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} has no healthcheck to wait for"
            if condition == "service_completed_successfully":
                assert services[dependency].get("restart", "no") == "no", f"{dependency} is no one-shot"


def test_the_gateway_proxies_to_compose_services_on_the_ports_they_listen_on(services):
    upstreams = {name: value for gateway in (services["gateway"],)
                 for name, value in environment(gateway).items() if name.endswith("_API_URL")}
    from portal.gateway import ROUTES

    # A routed service without its *_API_URL would run inside the gateway container instead.
    routed = {name for _prefix, name in ROUTES}
    assert {f"{name.upper()}_API_URL" for name in routed} <= set(upstreams), "a routed service has no upstream"
    for setting, url in upstreams.items():
        parts = urlsplit(url)
        assert parts.scheme == "http" and parts.hostname in services, f"{setting}: {url} is no compose service"
        assert parts.port == listening_port(services[parts.hostname]), f"{setting}: wrong port in {url}"
        assert parts.hostname in depends_on(services["gateway"]), f"the gateway does not wait for {parts.hostname}"


def test_http_healthchecks_probe_the_port_their_service_listens_on(services):
    probed = 0
    for name, service in built_services(services).items():
        port = listening_port(service)
        if port is None:
            continue
        test = service.get("healthcheck", {}).get("test")
        assert test, f"{name} serves HTTP on {port} but has no healthcheck"
        urls = re.findall(r"https?://[^\s'\"]+", " ".join(test) if isinstance(test, list) else test)
        assert urls and all(urlsplit(url).port == port for url in urls), f"{name} probes {urls}, listens on {port}"
        assert "curl" not in str(test) and "wget" not in str(test), "the image has neither curl nor wget"
        probed += 1
    assert probed >= 5  # users-api, importer-api, enrollments-api, gateway, flower


def test_the_dockerfile_exists_and_every_built_service_uses_it(services):
    built = built_services(services)
    assert built
    for name, service in built.items():
        build = service["build"]
        context, dockerfile = (build, "Dockerfile") if isinstance(build, str) else (
            build.get("context", "."), build.get("dockerfile", "Dockerfile"))
        assert (COMPOSE_FILE.parent / context).resolve() == ROOT, f"{name} builds from {context}"
        assert (ROOT / context / dockerfile).is_file(), f"{name}: {dockerfile} does not exist"
    dockerfile = (ROOT / "Dockerfile").read_text()
    # The public base by default; a machine without a registry passes its own (deploy/local-images/).
    assert re.search(r"^ARG BASE_IMAGE=python:3\.11-slim$", dockerfile, re.MULTILINE)
    assert re.search(r"^FROM \$\{BASE_IMAGE\}$", dockerfile, re.MULTILINE)
    copied = " ".join(re.findall(r"^COPY (.+)$", dockerfile, re.MULTILINE))
    for needed in ("pyproject.toml", *SOURCE_PACKAGES):
        assert needed in copied, f"the Dockerfile does not copy {needed}"
    users = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in ("root", "0"), "the image must run as a non-root user"


def test_every_long_running_python_m_process_of_ours_is_restarted(services):
    # The relay and the consumer follow Redis streams until stopped; one that dies on a lost
    # connection must come back, or events pile up unrelayed / the student directory goes stale.
    modules = {}
    for name, service in built_services(services).items():
        for line in command_lines(service):
            for module in option_values(line, "-m"):
                if module.split(".")[0] in SOURCE_PACKAGES:
                    modules.setdefault(module, []).append(name)
    assert {"services.users.relay", "services.enrollments.consumer"} <= set(modules)
    for module, names in modules.items():
        for name in names:
            service = services[name]
            policy = str(service.get("restart", "no")).split(":")[0]
            condition = ((service.get("deploy") or {}).get("restart_policy") or {}).get("condition")
            assert policy in RESTARTING_POLICIES or condition in ("any", "on-failure"), (
                f"{name} runs `python -m {module}` with restart {service.get('restart', 'no')!r}: "
                "it is not started again when it exits"
            )


def test_the_migrate_service_migrates_every_database_and_creates_the_first_manager(services):
    migrate = services[MIGRATE_SERVICE]
    assert migrate.get("restart") == "no", "migrate is a one-shot"
    lines = [line for line in command_lines(migrate) if line[0] == "portal"]
    assert [line[1:2] for line in lines] == [["migrate"], ["create-admin"]]
    assert " && " in " ".join(str(word) for word in migrate["command"]), "create-admin must only run after migrate"
    assert depends_on(migrate).get("db-init") == "service_completed_successfully"


def test_every_application_container_waits_for_the_migrations(services):
    for name, service in application_services(services).items():
        if name == MIGRATE_SERVICE:
            continue
        waits_for = depends_on(service)
        # Directly, or through a service that does (the gateway waits for the healthy APIs).
        assert waits_for.get(MIGRATE_SERVICE) == "service_completed_successfully" or any(
            depends_on(services[dependency]).get(MIGRATE_SERVICE) == "service_completed_successfully"
            for dependency in waits_for
        ), f"{name} may start before the databases are migrated"


def test_every_queue_the_gateway_waits_for_has_a_worker_container(services):
    from portal.gateway import QUEUES

    consumed = {}
    for name, service in built_services(services).items():
        for line in command_lines(service):
            if line[0] == "celery" and "worker" in line:
                for queues in option_values(line, "-Q") + option_values(line, "--queues"):
                    for queue in queues.split(","):
                        consumed.setdefault(queue, []).append(name)
                nodes = option_values(line, "-n") + option_values(line, "--hostname")
                assert nodes, f"{name}: give the worker a node name (-n queue@%h)"
    for queue in QUEUES:
        assert queue in consumed, f"no container runs a worker on queue {queue}: the gateway never gets ready"
        workers = consumed[queue]
        assert any(worker in depends_on(services["gateway"]) for worker in workers), (
            f"the gateway does not wait for a worker of queue {queue}"
        )


def test_no_beat_runs_anywhere_since_every_importer_worker_keeps_the_sweep_going(services):
    # A beat would be one process whose death stops the sweep (services/importer/sweeping.py).
    for name, service in built_services(services).items():
        for line in command_lines(service):
            if line[0] == "celery":
                assert "beat" not in line, f"{name} runs a beat"
                assert not {"-B", "--beat"} & set(line), f"{name}: a worker with an embedded beat"


def one_shots(services) -> set[str]:
    """The services others wait for to complete (db-init, migrate); every other one runs for good."""
    return {dependency for service in services.values()
            for dependency, condition in depends_on(service).items() if condition == "service_completed_successfully"}


def healthcheck_words(service: dict) -> list[str]:
    test = (service.get("healthcheck") or {}).get("test") or []
    if isinstance(test, str):
        return shlex.split(test)
    if test[:1] == ["CMD-SHELL"]:
        return shlex.split(test[1])
    return list(test[1:]) if test[:1] == ["CMD"] else list(test)


def test_every_long_running_service_restarts_and_has_a_healthcheck(services):
    long_running = set(services) - one_shots(services)
    assert {"postgres", "redis", "gateway", "flower", *APPLICATION_SERVICES} - {MIGRATE_SERVICE} <= long_running
    for name in long_running:
        service = services[name]
        policy = str(service.get("restart", "no")).split(":")[0]
        assert policy in RESTARTING_POLICIES, f"{name} is not started again when it exits ({policy})"
        assert healthcheck_words(service), f"{name} has no healthcheck"
        healthcheck = service["healthcheck"]
        assert healthcheck.get("interval") and healthcheck.get("retries"), f"{name}: healthcheck without timing"


def worker_nodes(services) -> dict[str, tuple[str, str]]:
    """Service name: (queue, node name) of every container running a Celery worker."""
    nodes = {}
    for name, service in built_services(services).items():
        for line in command_lines(service):
            if line[0] == "celery" and "worker" in line:
                [queue] = option_values(line, "-Q")
                [node] = option_values(line, "-n")
                nodes[name] = (queue, node)
    return nodes


def test_a_worker_healthcheck_pings_its_own_worker_without_a_password_on_the_command_line(services):
    nodes = worker_nodes(services)
    assert {"users-worker", "importer-worker", "enrollments-worker"} <= set(nodes)
    for name, (queue, node) in nodes.items():
        words = healthcheck_words(services[name])
        assert words[words.index("celery") + 1:words.index("celery") + 3] == ["inspect", "ping"], words
        # The worker names itself queue@%h (the container's hostname); the ping asks that node only.
        assert node == f"{queue}@%h" and option_values(words, "-d") == [f"{queue}@$$HOSTNAME"], words
        assert 'CELERY_BROKER_URL="$$REDIS_URL"' in services[name]["healthcheck"]["test"][1]
        assert not [word for word in words if "redis://" in word or "REDIS_PASSWORD" in word]


def test_the_stream_followers_healthchecks_watch_the_consumer_group_their_code_reads_with(services):
    from services.enrollments import directory
    from services.users import audit

    groups = {"services.users.relay": audit.GROUP, "services.enrollments.consumer": directory.GROUP}
    for name, service in built_services(services).items():
        for line in command_lines(service):
            for module in option_values(line, "-m"):
                if module in groups:
                    words = healthcheck_words(service)
                    assert option_values(words, "-m") == ["shared.stream_check"], f"{name}: {words}"
                    assert words[words.index("shared.stream_check") + 1] == groups.pop(module), f"{name}: {words}"
    assert not groups, f"no container runs {sorted(groups)}"
    assert importlib.util.find_spec("shared.stream_check") is not None


def test_the_gateway_waits_for_healthy_apis_and_workers(services):
    waits_for = depends_on(services["gateway"])
    for name in ("users-api", "importer-api", "enrollments-api", *worker_nodes(services)):
        assert waits_for.get(name) == "service_healthy", f"the gateway does not wait for a healthy {name}"


def test_the_users_api_trusts_the_gateways_fixed_address_and_nothing_else_of_the_network(compose, services):
    """Failed logins are counted per client address: the users API must believe the X-Forwarded-For
    that the gateway appends, and nobody else's (another container could write any address there)."""
    from shared.client_address import parse_trusted_proxies

    [subnet] = [ipaddress.ip_network(entry["subnet"]) for entry in compose["networks"]["default"]["ipam"]["config"]]
    gateway_address = ipaddress.ip_address(services["gateway"]["networks"]["default"]["ipv4_address"])
    assert gateway_address in subnet, f"the gateway's {gateway_address} is outside the network {subnet}"
    for api in ("users-api", "importer-api", "enrollments-api"):
        trusted = parse_trusted_proxies(environment(services[api]).get("PORTAL_TRUSTED_PROXIES", ""))
        assert trusted == (ipaddress.ip_network(gateway_address),), f"{api} trusts {trusted}"


def test_every_container_rotates_its_log_and_long_running_ones_have_a_memory_limit(services):
    for name, service in services.items():
        options = service.get("logging", {}).get("options", {})
        assert service.get("logging", {}).get("driver") == "json-file" and options.get("max-size"), \
            f"{name} keeps its whole log"
        if service.get("restart") not in (None, "no"):
            assert re.fullmatch(r"\d+[mg]", str(service.get("mem_limit", ""))), f"{name} has no memory limit"
