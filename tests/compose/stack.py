"""docker-compose.yml as the compose test runs it: the real file, with for the test only the images
built on this machine and the host's network.

Debian's docker-compose (1.29) cannot take a key away in an override file (`networks`, `ports`),
so the test writes the file it runs from the real one, changing only this: every service on the
host's network (`network_mode: host`, no `networks`, no published `ports`), every address that
named a service (`postgres:5432`, `http://users-api:8001`, ...) as 127.0.0.1 with a port of the
test's own (PostgreSQL and Redis of the machine hold 5432 and 6379), the users API trusting the
gateway's 127.0.0.1, and the local images instead of `build` and the public ones.
"""

from __future__ import annotations

import re
import secrets
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.processes import http, wait_until

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
PROJECT = "portaltest"
# Each service that listens, with the port it has in docker-compose.yml.
LISTENERS = {"postgres": 5432, "redis": 6379, "users-api": 8001, "importer-api": 8002, "enrollments-api": 8003,
             "gateway": 8000, "flower": 5555}


def free_ports(names) -> dict[str, int]:
    sockets = []
    for _ in names:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        sockets.append(listener)
    ports = {name: listener.getsockname()[1] for name, listener in zip(names, sockets, strict=True)}
    for listener in sockets:
        listener.close()
    return ports


def derived_compose(source: dict[str, Any], images: dict[str, str], ports: dict[str, int]) -> dict[str, Any]:
    addresses = {}
    for name, port in LISTENERS.items():
        addresses[f"{name}:{port}"] = f"127.0.0.1:{ports[name]}"  # another service's address
        addresses[f"127.0.0.1:{port}"] = f"127.0.0.1:{ports[name]}"  # a healthcheck's own address

    def rewritten(text: str) -> str:
        return re.sub("|".join(re.escape(address) for address in addresses), lambda found: addresses[found[0]], text)

    services = {}
    for name, definition in source["services"].items():
        service = {key: value for key, value in definition.items() if key not in ("networks", "ports", "build")}
        service["network_mode"] = "host"
        service["image"] = (images["postgres"] if name in ("postgres", "db-init")
                            else images["redis"] if name == "redis" else images["portal"])
        environment = {key: rewritten(str(value)) for key, value in (service.get("environment") or {}).items()}
        if "PORTAL_TRUSTED_PROXIES" in environment:
            environment["PORTAL_TRUSTED_PROXIES"] = "127.0.0.1"
        if "PORTAL_PORT" in environment:
            environment["PORTAL_PORT"] = str(ports[name])
        if name in ("postgres", "db-init"):
            environment["PGPORT"] = str(ports["postgres"])
        if environment.get("PGHOST") == "postgres":
            environment["PGHOST"] = "127.0.0.1"
        service["environment"] = environment
        if isinstance(service.get("command"), list):
            service["command"] = _own_port([rewritten(part) for part in service["command"]], name, ports)
        if "healthcheck" in service:
            service["healthcheck"] = dict(service["healthcheck"])
            service["healthcheck"]["test"] = [rewritten(part) for part in service["healthcheck"]["test"]]
        services[name] = service
    services["redis"]["command"] = ["redis-server", "--port", str(ports["redis"]), *services["redis"]["command"][1:]]
    services["redis"]["healthcheck"]["test"] = ["CMD-SHELL", f"redis-cli -p {ports['redis']} ping | grep -q PONG"]
    return {"services": services, "volumes": source.get("volumes", {})}


def _own_port(command: list[str], name: str, ports: dict[str, int]) -> list[str]:
    if name not in ports:
        return command
    for index, part in enumerate(command):
        if part == "--port" and index + 1 < len(command):
            command[index + 1] = str(ports[name])
        elif part.startswith("--port="):
            command[index] = f"--port={ports[name]}"
    return command


@dataclass
class Stack:
    """The running stack: its compose command and where it answers."""

    folder: Path
    environment: dict[str, str]
    ports: dict[str, int]
    secrets: dict[str, str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    @property
    def redis_url(self) -> str:
        return f"redis://:{self.secrets['REDIS_PASSWORD']}@127.0.0.1:{self.ports['redis']}/0"

    def compose(self, *arguments: str, timeout: float = 900) -> str:
        result = subprocess.run(["docker-compose", "-p", PROJECT, "-f", str(self.folder / "docker-compose.yml"),
                                 *arguments], cwd=self.folder, env=self.environment, capture_output=True,
                                text=True, timeout=timeout)
        assert result.returncode == 0, f"docker-compose {' '.join(arguments)} failed:\n{result.stderr[-4000:]}"
        return result.stdout + result.stderr

    def up(self) -> None:
        self.compose("up", "-d")
        self.wait_until_healthy()

    def wait_until_healthy(self, seconds: float = 300) -> None:
        def healthy():
            try:
                return http("GET", f"{self.url}/health", timeout=5)[0] == 200
            except ValueError:  # not the gateway's JSON yet
                return False

        try:
            wait_until(healthy, seconds, "the gateway's /health to answer 200", interval=1)
        except AssertionError as late:
            raise AssertionError(f"{late}\n{self.compose('ps')}") from None

    def container(self, service: str) -> str:
        return self.compose("ps", "-q", service).strip()

    def docker(self, *arguments: str) -> str:
        result = subprocess.run(["docker", *arguments], env=self.environment, capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 0, f"docker {' '.join(arguments)} failed: {result.stderr}"
        return result.stdout.strip()


def prepared_stack(folder: Path, environment: dict[str, str], images: dict[str, str]) -> Stack:
    """The derived compose file and its .env (fresh secrets, readable by root only) in `folder`."""
    ports = free_ports(LISTENERS)
    source = yaml.safe_load(COMPOSE_FILE.read_text())
    (folder / "docker-compose.yml").write_text(yaml.safe_dump(derived_compose(source, images, ports)))
    values = {"PORTAL_SECRET_KEY": secrets.token_urlsafe(48), "POSTGRES_PASSWORD": secrets.token_hex(24),
              "REDIS_PASSWORD": secrets.token_hex(32), "FLOWER_PASSWORD": secrets.token_hex(16)}
    env_file = folder / ".env"
    env_file.touch(mode=0o600)
    env_file.write_text("".join(f"{name}={value}\n" for name, value in values.items()))
    return Stack(folder, environment, ports, values)
