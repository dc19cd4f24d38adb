"""The importer's scratch disk full during an analysis: the job fails with a reason that says so,
and the next import, once there is room again, completes."""

import time

import pytest

from tests.e2e.faults.harness import import_students
from tests.e2e.faults.infrastructure import TinyDisk
from tests.e2e.faults.invariants import Students, assert_recovered, record_failure

pytestmark = [pytest.mark.faults, pytest.mark.e2e]


def test_a_full_scratch_disk_fails_the_import_with_storage_full_and_the_next_one_completes(scenario):
    disk = TinyDisk("64k")
    students = Students(first_code=500000, count=5000)  # its file alone is ten times the disk
    system = scenario.open("importer scratch disk full", importer_scratch=disk).system
    job = import_students(system, students)
    try:
        ended = system.wait_for_status(job["id"], ("failed", "completed", "cancelled"), timeout=120)
        assert ended["status"] == "failed", (
            f"the import on a full scratch disk ended {ended['status']}: counts {ended['counts']}")
        assert ended["error"]["code"] == "storage_full", f"the import failed with {ended['error']}"
    except AssertionError as error:
        record_failure(scenario, students.count, error)
        raise
    disk.unmount()  # room again: the scratch directory is on the ordinary disk
    again = Students(first_code=510000, count=2000)
    job = import_students(system, again)
    assert_recovered(scenario, job["id"], again, healed_at=time.monotonic())
