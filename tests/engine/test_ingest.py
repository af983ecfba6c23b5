"""graphkit.engine.ingest: the read workers end with the process that started them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, process_ended
from graphkit.engine import ingest
from graphkit.memory import exit_with_parent
from graphkit.readers.parallel import _Task

sys.path.insert(0, str(ROOT))
from bench.generate import generate  # noqa: E402

POOL = """
import os, signal, time
from concurrent.futures import ProcessPoolExecutor
from graphkit import memory
memory.PARENT_POLL_S = 0.1
pool = ProcessPoolExecutor(max_workers=2, initializer=memory.exit_with_parent if {watch} else None)
pids = set()
while len(pids) < 2:
    pids.add(pool.submit(os.getpid).result())
    time.sleep(0.05)
print(" ".join(map(str, sorted(pids))), flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # (as the OOM killer would: no pool shutdown)
"""


def _workers_left(watch: bool, tmp_path) -> list[int]:
    out = tmp_path / f"pids-{watch}"
    with out.open("w") as fh:  # (a file, not a pipe: workers left alive would hold a pipe open)
        code = subprocess.Popen([sys.executable, "-c", POOL.format(watch=watch)], stdout=fh,
                                stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL).wait(timeout=120)
    assert code == -signal.SIGKILL
    pids = [int(x) for x in out.read_text().split()]
    assert len(pids) == 2
    deadline = time.monotonic() + (10 if watch else 2)
    return [p for p in pids if not process_ended(p, within=max(0.0, deadline - time.monotonic()))]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_read_workers_end_when_the_build_is_killed(tmp_path):
    """A build killed outright stops no pool: without the watch its idle workers stay (the control
    case, cleaned up here), with it they end within a second."""
    left = _workers_left(False, tmp_path)
    try:
        assert len(left) == 2  # (the case the watch is for)
    finally:
        for pid in left:
            os.kill(pid, signal.SIGKILL)
    assert _workers_left(True, tmp_path) == []


def test_the_read_pool_watches_its_parent(monkeypatch):
    got = {}

    class Pool:
        def __init__(self, **kwargs):
            got.update(kwargs)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(ingest, "ProcessPoolExecutor", Pool)
    assert list(ingest._pooled([], "compatible", [], [], 2)) == []
    assert got == {"max_workers": 2, "initializer": exit_with_parent}


@pytest.mark.parametrize("name", ["export-000.xml.gz", "export-000.xml"])
def test_a_file_read_whole_is_written_as_it_is_read(name, tmp_path, monkeypatch):
    """A file that is not cut into ranges (PubMed XML, plain or gzipped as the baseline ships it) is
    normalised BATCH_RECORDS at a time while it is read: its records were all read first (with files of
    500,000 records, 1.78 GB per worker after 54 s and growing). Same rows, same result as before."""
    import pyarrow.parquet as pq

    generate(40, tmp_path / "in", seed=3, formats=("pubmed-xml",), broken_rate=0, compress=name.endswith(".gz"))
    path = str(tmp_path / "in" / name)
    real_read, real_write = ingest.read, ingest._Writers.write
    read_so_far = [0]
    writes: list[int] = []

    def counted(p, fmt):
        for item in real_read(p, fmt):
            read_so_far[0] += 1
            yield item

    def write(self, tables):
        writes.append(read_so_far[0])
        real_write(self, tables)

    monkeypatch.setattr(ingest, "BATCH_RECORDS", 10)
    monkeypatch.setattr(ingest, "read", counted)
    monkeypatch.setattr(ingest._Writers, "write", write)
    res = ingest.normalise_task(_Task(path, "pubmed-xml"), 7, "compatible", str(tmp_path / "tables"))
    assert writes == [10, 20, 30, 40, 40]  # (read whole first: [40, 40, 40, 40, 40])
    assert (res.tid, res.records, res.ordinals, res.diagnostics, res.blocks) == (7, 40, 0, [], None)
    papers = pq.read_table(tmp_path / "tables" / "rec" / "part-000007.parquet")
    assert papers.num_rows == 40
    assert papers.column("rid").to_pylist() == [(7 << ingest.RID_SHIFT) | i for i in range(40)]
