"""graphkit.engine.ingest: the read workers end with the process that started them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import process_ended
from graphkit.engine import ingest
from graphkit.memory import exit_with_parent

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
