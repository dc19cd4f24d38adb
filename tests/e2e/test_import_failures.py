"""Exactly-once effects over an at-least-once queue, with real workers killed by SIGKILL."""

import json
import threading
from collections import Counter
from pathlib import Path

import redis

from services.importer.sweeping import SWEEP_LEASE_KEY
from shared.config import EVENT_STREAM
from tests.dutch_files import export_bytes
from tests.processes import start, wait_until


def students_with_prefix(system, prefix: str) -> int:
    return system.scalar("USERS", "SELECT count(*) FROM users WHERE code LIKE :p AND is_student", p=f"{prefix}%")


def created_events_per_code(system, prefix: str) -> Counter:
    client = redis.Redis.from_url(system.env["REDIS_URL"])
    ids_by_code: dict[str, set[str]] = {}
    for _, fields in client.xrange(EVENT_STREAM):
        event = json.loads(fields[b"event"])
        if event["type"] == "student.created" and event["data"]["code"].startswith(prefix):
            ids_by_code.setdefault(event["data"]["code"], set()).add(event["id"])
    return Counter(len(ids) for ids in ids_by_code.values())


def most_attempts(system, job_id) -> int:
    return system.scalar("IMPORTER", "SELECT max(attempts) FROM import_chunks WHERE job_id = :j", j=job_id)


def processed(system, job_id):
    return system.get(f"/api/v1/imports/{job_id}")[1]["progress"]["processed"]


def test_a_users_worker_killed_mid_import_changes_nothing_twice_and_the_job_completes(system):
    job = system.upload(export_bytes(30000, first_code=700000), kind="users", as_student=True, start=True)
    wait_until(lambda: processed(system, job["id"]) >= 2000, 120, "the first applied chunk")
    system.kill("users-worker")
    system.start("users-worker")
    done = system.wait_for_status(job["id"], ("completed",), timeout=240)
    assert done["counts"]["create"] == 30000 and sum(done["counts"].values()) == 30000
    assert students_with_prefix(system, "7") == 30000
    assert most_attempts(system, job["id"]) >= 2  # the chunks the killed worker held were sent again
    wait_until(lambda: sum(created_events_per_code(system, "7").values()) == 30000, 30, "every event")
    assert created_events_per_code(system, "7") == Counter({1: 30000})  # one event id per student


def test_an_importer_worker_killed_mid_import_leaves_a_job_that_completes_once_a_worker_is_back(system):
    job = system.upload(export_bytes(20000, first_code=600000), kind="users", as_student=True, start=True)
    wait_until(lambda: processed(system, job["id"]) >= 2000, 120, "the first applied chunk")
    system.kill("importer-worker")
    assert system.get(f"/api/v1/imports/{job['id']}")[1]["status"] == "running"
    system.start("importer-worker")
    done = system.wait_for_status(job["id"], ("completed",), timeout=240)
    assert done["counts"]["create"] == 20000
    assert students_with_prefix(system, "6") == 20000


def test_two_concurrent_imports_with_overlapping_codes_create_no_duplicate_and_report_every_row(system):
    first = export_bytes(10000, first_code=800000)
    second = export_bytes(10000, first_code=805000)
    jobs = []

    def upload(content):
        jobs.append(system.upload(content, kind="users", as_student=True, start=True))

    threads = [threading.Thread(target=upload, args=(content,)) for content in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    finished = [system.wait_for_status(job["id"], ("completed",), timeout=240) for job in jobs]
    for job in finished:
        assert sum(job["counts"].values()) == 10000
    assert sum(job["counts"]["create"] for job in finished) == 15000
    assert sum(job["counts"]["skip"] for job in finished) == 5000
    assert students_with_prefix(system, "8") == 15000
    assert created_events_per_code(system, "8") == Counter({1: 15000})


def test_a_cancelled_import_stops_sending_chunks_and_keeps_what_was_applied(system):
    job = system.upload(export_bytes(40000, first_code=900000), kind="users", as_student=True, start=True)
    wait_until(lambda: processed(system, job["id"]) >= 2000, 120, "the first applied chunk")
    assert system.post(f"/api/v1/imports/{job['id']}/cancel")[0] == 202
    cancelled = system.wait_for_status(job["id"], ("cancelled",))
    # Chunks sent before the cancel (at most a window of them) are still applied and reported.
    previous = []

    def settled():
        processed = system.get(f"/api/v1/imports/{job['id']}")[1]["progress"]["processed"]
        now = (processed, students_with_prefix(system, "9"))
        previous.append(now)
        return len(previous) > 10 and now[0] == now[1] and len(set(previous[-10:])) == 1

    wait_until(settled, 90, "in-flight chunks to report", interval=0.3)
    final = system.get(f"/api/v1/imports/{job['id']}")[1]
    assert 2000 <= final["counts"]["create"] == students_with_prefix(system, "9") < 40000
    assert cancelled["finished_at"] is not None
    assert system.post(f"/api/v1/imports/{job['id']}/start")[0] == 409


CORPUS = Path(__file__).parent.parent / "corpus"


def test_a_stray_quote_is_an_error_row_naming_the_swallowed_lines_and_a_half_utf8_file_fails(system):
    job = system.upload((CORPUS / "stray-quote.csv").read_bytes(), kind="users", as_student=True)
    ready = system.wait_for_status(job["id"], ("ready",))
    assert (ready["counts"]["create"], ready["counts"]["error"]) == (1, 1)
    rows = system.get(f"/api/v1/imports/{job['id']}/rows?action=error")[1]["items"]
    assert rows[0]["line"] == 2 and "tot en met 4 worden niet geïmporteerd" in rows[0]["messages"][0]
    mixed = system.upload((CORPUS / "utf8-with-one-cp1252-byte.csv").read_bytes(), kind="users", as_student=True)
    failed = system.wait_for_status(mixed["id"], ("failed",))
    assert failed["error"]["code"] == "undecodable_file" and "regel 4" in failed["error"]["message"]


def test_a_row_the_users_worker_raises_on_is_a_row_failed_error_and_the_other_rows_apply_once(system):
    """PORTAL_FAULT=row.raises:CODE stands for a bug one row's data triggers in the users worker."""
    poison = "400777"
    system.env["PORTAL_FAULT"] = f"row.raises:{poison}"
    system.stop("users-worker")
    system.start("users-worker")
    try:
        job = system.upload(export_bytes(4000, first_code=400000), kind="users", as_student=True, start=True)
        done = system.wait_for_status(job["id"], ("completed",), timeout=240)
    finally:
        system.env["PORTAL_FAULT"] = ""
        system.stop("users-worker")
        system.start("users-worker")
    assert (done["counts"]["create"], done["counts"]["error"]) == (3999, 1)
    [failed] = system.all_rows(job["id"], "error")
    assert failed["reason"] == "row_failed" and failed["values"]["code"] == poison
    assert students_with_prefix(system, "4") == 3999
    assert most_attempts(system, job["id"]) >= 3  # whole twice, then row by row (again after a timeout)
    wait_until(lambda: sum(created_events_per_code(system, "4").values()) == 3999, 30, "every event")
    assert created_events_per_code(system, "4") == Counter({1: 3999})


def test_with_the_sweeping_importer_worker_and_a_users_worker_killed_the_other_importer_worker_completes_the_job(
        system):
    """No single process keeps imports going: the chunks the killed users worker held are sent again
    by the sweep, which the surviving importer worker takes over (services/importer/sweeping.py)."""
    argv = system.programs()["importer-worker"]
    argv[argv.index("-n") + 1] = "importer-second@%h"
    system.processes["importer-second"] = start(argv, system.env, system.tmp_path / "importer-second.log")
    client = redis.Redis.from_url(system.env["REDIS_URL"])
    importers = ("importer-worker", "importer-second")
    try:
        wait_until(lambda: "ready." in (system.tmp_path / "importer-second.log").read_text(), 60, "a second importer")
        job = system.upload(export_bytes(20000, first_code=500000), kind="users", as_student=True, start=True)
        wait_until(lambda: processed(system, job["id"]) >= 2000, 120, "the first applied chunk")
        holder_pid = int(client.get(SWEEP_LEASE_KEY).decode().split(":")[1])
        [holder] = [name for name in importers if system.processes[name].pid == holder_pid]
        system.kill("users-worker")
        system.kill(holder)
        system.start("users-worker")
        done = system.wait_for_status(job["id"], ("completed",), timeout=240)
        assert done["counts"]["create"] == 20000
        assert students_with_prefix(system, "5") == 20000
        [survivor] = [name for name in importers if name != holder]
        assert int(client.get(SWEEP_LEASE_KEY).decode().split(":")[1]) == system.processes[survivor].pid
    finally:
        for name in importers:
            system.stop(name)
        system.processes.pop("importer-second")
        system.start("importer-worker")
