"""The crash harness, small: kill -9 an incremental ingest at every crash point and at random times, then
reopen (old or new digest, nothing written by the read) and rerun; two writers and readers at once."""

from __future__ import annotations

import shutil
import sys

import pytest

from conftest import FIXTURES, ROOT

sys.path.insert(0, str(ROOT))
from bench.crash import EMPTY, concurrency_round, crash_trials, digest, expected_states  # noqa: E402
from bench.generate import generate  # noqa: E402

A, B = FIXTURES / "queries" / "ingest_a.nbib", FIXTURES / "queries" / "ingest_b.nbib"


def test_kill_at_every_crash_point_and_at_random_times(tmp_path):
    a, b = shutil.copy(A, tmp_path / "a.nbib"), shutil.copy(B, tmp_path / "b.nbib")
    # every step once (a step repeated in a loop, like one COPY per table, at its first time)
    report = crash_trials(a, b, tmp_path, names=["incremental"], random_trials=1,
                          only=lambda p: p.endswith("#1"), fork=True, log=lambda *_: None)
    points = [p for p in report.points["incremental"] if p.endswith("#1")]
    # every step of a write is a crash point: lock, generation, records, build, each COPY, index, manifest,
    # flush, pointer, switch, cleanup
    for step in ("lock:acquired#1", "records:written#1", "database:copy#1", "index:built#1",
                 "manifest:written#1", "publish:pointer-written#1", "publish:switched#1", "write:done#1"):
        assert step in points
    killed = [o for o in report.outcomes if o.kind == "point"]
    assert len(killed) == len(points) and all(o.killed for o in killed)
    assert report.corrupt == [], report.corrupt
    states = {o.at: o.state for o in killed}
    assert states["publish:pointer-written#1"] == "before" and states["publish:switched#1"] == "after"


def test_a_killed_first_ingest_leaves_no_graph_and_a_rerun_completes(tmp_path):
    a, b = shutil.copy(A, tmp_path / "a.nbib"), shutil.copy(B, tmp_path / "b.nbib")
    some = {"generation:created#1", "database:copy#1", "publish:pointer-written#1", "publish:switched#1"}
    report = crash_trials(a, b, tmp_path, names=["first-ingest"], only=some.__contains__, fork=True,
                          log=lambda *_: None)
    assert report.corrupt == [], report.corrupt
    assert [o.state for o in report.outcomes] == ["before", "before", "before", "after"]


def test_two_writers_and_readers_in_a_loop(tmp_path):
    data = tmp_path / "data"
    generate(300, data, seed=3, dup_rate=0.1, broken_rate=0.0)
    a, b = sorted(data.glob("*.ris"))[0], sorted(data.glob("*.nbib"))[0]
    expected, counts = expected_states(a, b, tmp_path)
    r = concurrency_round(a, b, tmp_path / "race.db", expected=expected, valid_counts=counts)
    assert r.writers_ok and r.complete, r  # both files end up in the store: no lost update
    assert r.reads >= 1 and r.reads_bad == [], r.reads_bad  # reads never failed nor saw a broken store


@pytest.mark.parametrize("missing", ["nothing", "store"])
def test_digest_of_no_graph(tmp_path, missing):
    db = tmp_path / "s.db"
    if missing == "store":
        db.mkdir()
    assert digest(db) == EMPTY
