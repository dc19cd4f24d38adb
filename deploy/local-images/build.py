"""Builds the images docker-compose.yml needs without an image registry: a Debian base image made with
debootstrap, PostgreSQL and Redis images on it from Debian's packages, and the portal's image from
the repository's Dockerfile with the project's wheels built on this machine.

    python3 deploy/local-images/build.py        # prints the image names as JSON

Needs root (debootstrap), a running Docker engine (DOCKER_HOST) and Debian's package mirror. Every
image is named after a hash of what it is made of, so an image whose inputs did not change is reused:
the first build takes a few minutes, a later one seconds.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parents[1]
SUITE, MIRROR = "bookworm", "http://deb.debian.org/debian"
# What every image needs on top of Debian's minimal base: the project runs on Debian's Python 3.11.
BASE_PACKAGES = ("python3", "python3-venv", "ca-certificates")
WHEELHOUSE = REPOSITORY / ".wheelhouse"  # inside the build context; ignored by git
DEBIAN_PYTHON_EXTRAS = ("async-timeout>=4.0.3",)  # redis-py asks for it below Python 3.11.3
LOCAL_INSTALL = "--no-index --find-links /tmp/wheelhouse"


def build_all() -> dict[str, str]:
    base = base_image()
    return {
        "base": base,
        "postgres": image_from_folder("postgres", base),
        "redis": image_from_folder("redis", base),
        "portal": portal_image(base),
    }


def base_image() -> str:
    tag = f"portal-local/base:{_digest(SUITE, MIRROR, *BASE_PACKAGES)}"
    if _exists(tag):
        return tag
    with tempfile.TemporaryDirectory(prefix="portal-rootfs-", dir="/var/tmp") as rootfs:
        _run("debootstrap", "--variant=minbase", f"--include={','.join(BASE_PACKAGES)}", SUITE, rootfs, MIRROR,
             quiet=True)
        tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "--numeric-owner", "."], stdout=subprocess.PIPE)
        _run("docker", "import", "-c", "ENV LANG=C.UTF-8", "-", tag, stdin=tar.stdout, quiet=True)
        if tar.wait() != 0:
            raise RuntimeError("tar of the Debian root file system failed")
    return tag


def image_from_folder(name: str, base: str) -> str:
    folder = HERE / name
    tag = f"portal-local/{name}:{_digest(base, *(_file_digest(path) for path in sorted(folder.iterdir())))}"
    if not _exists(tag):
        _run("docker", "build", "--network", "host", "--build-arg", f"BASE_IMAGE={base}", "-t", tag, str(folder),
             quiet=True)
    return tag


def portal_image(base: str) -> str:
    """The repository's Dockerfile on the local base, installed from wheels built here (Docker's layer
    cache makes an unchanged tree cheap)."""
    fill_wheelhouse()
    tag = "portal-local/portal:latest"
    _run("docker", "build", "--network", "host", "--build-arg", f"BASE_IMAGE={base}",
         "--build-arg", f"PIP_INSTALL_OPTIONS={LOCAL_INSTALL}", "-t", tag, str(REPOSITORY), quiet=True)
    return tag


def fill_wheelhouse() -> None:
    """Wheels of every dependency (and of the build backend), made with this machine's package-index
    settings, for an image that cannot reach the index itself. Rebuilt when pyproject.toml changes."""
    key = _file_digest(REPOSITORY / "pyproject.toml")
    stamp = WHEELHOUSE / ".key"
    if stamp.exists() and stamp.read_text() == key:
        return
    shutil.rmtree(WHEELHOUSE, ignore_errors=True)
    pip = [sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir", str(WHEELHOUSE)]
    _run(*pip, f"{REPOSITORY}[ops]")
    # The build backend, and what Debian's Python (3.11.2) needs beyond this machine's newer one.
    _run(*pip, "setuptools>=68", "wheel", *DEBIAN_PYTHON_EXTRAS)
    for own in WHEELHOUSE.glob("student_portal-*.whl"):
        own.unlink()  # the image installs the project from its source, never from a stale wheel
    stamp.write_text(key)


def _exists(tag: str) -> bool:
    return subprocess.run(["docker", "image", "inspect", tag], capture_output=True).returncode == 0


def _run(*command: str, stdin=None, quiet: bool = False) -> None:
    result = subprocess.run(command, stdin=stdin, capture_output=quiet, text=True)
    if result.returncode != 0:
        output = (result.stdout or "")[-3000:] + (result.stderr or "")[-3000:] if quiet else ""
        raise RuntimeError(f"{' '.join(command[:4])} ... failed ({result.returncode}):\n{output}")


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


if __name__ == "__main__":
    print(json.dumps(build_all(), indent=2))
