"""The end-to-end benchmark hands out each size's figures before its processes stop, and a process
that is slow to stop (a loaded machine) is killed and named, without failing the run."""

import subprocess
import sys
import time
from contextlib import contextmanager
from types import SimpleNamespace

from benchmarks import imports

# Ignores SIGTERM, like a worker busy finishing a task; says when it does, so the test waits for that.
STUBBORN = ("import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('ready', flush=True); time.sleep(60)")


def test_a_process_that_ignores_sigterm_is_killed_after_the_patience_and_named(capsys):
    stubborn = subprocess.Popen([sys.executable, "-c", STUBBORN], stdout=subprocess.PIPE, text=True)
    polite = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    assert stubborn.stdout.readline().strip() == "ready"
    started = time.monotonic()
    imports.stop({"polite": polite, "stubborn worker": stubborn}, patience=1.0)
    assert time.monotonic() - started < 10
    assert polite.returncode == -15 and stubborn.returncode == -9
    assert "stubborn worker did not stop within 1 s: killed" in capsys.readouterr().err


def test_each_sizes_figures_are_handed_out_while_the_processes_still_run(monkeypatch, tmp_path):
    """run() yields a size's figures before the next size and before stop(): the caller prints them even
    when what follows goes wrong. Everything it would start is replaced by stand-ins."""
    events = []

    @contextmanager
    def database():
        yield "postgresql://stand-in"

    monkeypatch.setattr(imports, "fresh_postgres_database", database)
    monkeypatch.setattr(imports, "private_redis", database)
    monkeypatch.setattr(imports.subprocess, "run", lambda *args, **kwargs: None)
    monkeypatch.setattr(imports.subprocess, "Popen", lambda *args, **kwargs: object())
    monkeypatch.setattr(imports, "wait_healthy", lambda *args, **kwargs: None)
    monkeypatch.setattr(imports, "PortalClient", lambda *args, **kwargs: SimpleNamespace(login=lambda *a: None))
    monkeypatch.setattr(imports.redis.Redis, "from_url", staticmethod(lambda url: None))
    monkeypatch.setattr(imports, "write_export", lambda path, size, first: None)
    monkeypatch.setattr(imports, "_backend_watch", lambda **urls: None)
    monkeypatch.setattr(imports, "_import_once", lambda client, stream, processes, path, size, url, watch:
                        events.append(f"measured {size}") or {"rows": size})
    monkeypatch.setattr(imports, "stop", lambda processes, patience=0: events.append("stopped"))

    figures = imports.run(sizes=(10, 20), enrollments=False)
    assert next(figures) == {"rows": 10}
    assert events == ["measured 10"]
    figures.close()  # the caller gave up (a later size failed): the processes are stopped still
    assert events == ["measured 10", "stopped"]
    assert list(imports.run(sizes=(10, 20), enrollments=False)) == [{"rows": 10}, {"rows": 20}]
    assert events[2:] == ["measured 10", "measured 20", "stopped"]
