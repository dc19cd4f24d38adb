"""The comparison `make bench` prints beside django-import-export (benchmarks/peers/table.py)."""

from benchmarks import peers
from benchmarks.peers.table import comparison, seconds

PORTAL = {"preview s": 3.9, "apply s": 8.3}
PEER = {"preview s": 66.6, "apply s": 5.9}
RAW = {"executemany s": 1.5, "COPY s": 0.24}


def test_seconds_keep_two_decimals_below_one_second_and_one_above():
    assert (seconds(0.244), seconds(1.54), seconds(66.64), seconds(None)) == ("0.24 s", "1.5 s", "66.6 s", "—")


def test_the_table_puts_each_step_in_its_row_and_adds_the_flow():
    lines = comparison(100_000, PORTAL, "django-import-export 4.4.3 (tuned)", PEER, RAW).splitlines()
    assert lines[0] == ("| step | this portal | django-import-export 4.4.3 (tuned) "
                        "| raw executemany / COPY of the same rows |")
    assert lines[2] == "| preview (dry run of every row) | 3.9 s | 66.6 s | — |"
    assert lines[3] == "| apply (create every student) | 8.3 s | 5.9 s | 1.5 s / 0.24 s |"
    assert lines[4] == "| the administrator's flow, preview + apply | 12.2 s | 72.5 s | — |"


def test_the_verdict_says_whether_the_portal_applies_faster_than_the_peer():
    slower = comparison(100_000, PORTAL, "peer", PEER, RAW).splitlines()[-1]
    faster = comparison(100_000, {"preview s": 3.9, "apply s": 4.4}, "peer", PEER, RAW).splitlines()[-1]
    assert slower == "(100,000 students; the portal's apply is slower than the peer's: 1.41 × its time)"
    assert faster == "(100,000 students; the portal's apply is faster than the peer's: 0.75 × its time)"


def test_without_the_extra_the_hint_names_the_extra_and_make_bench():
    assert "'.[bench-peers]'" in peers.INSTALL_HINT and "`make bench`" in peers.INSTALL_HINT
