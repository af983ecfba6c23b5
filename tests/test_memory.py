"""graphkit.memory: a step run in a forked process."""

from __future__ import annotations

import os

import pytest

from conftest import outlived_killed_parent, process_ended
from graphkit.memory import release_freed, run_forked

_STATE = {"touched": False}


def _pid_and_sum(values: list[int]) -> tuple[int, int]:
    _STATE["touched"] = True  # in the child only
    return os.getpid(), sum(values)


def _fails(message: str) -> None:
    raise ValueError(message)


def _dies() -> None:
    os._exit(3)  # a process killed without a result (as the OOM killer does)


class _Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("no pickling")


def _fails_unpicklable() -> None:
    raise _Unpicklable("lost")


def test_run_forked_returns_the_result_from_another_process() -> None:
    pid, total = run_forked(_pid_and_sum, list(range(1000)))
    assert total == 499500
    assert pid != os.getpid()
    assert _STATE["touched"] is False  # what the child changes stays in the child


def test_run_forked_raises_the_childs_error() -> None:
    with pytest.raises(ValueError, match="bad row 7"):
        run_forked(_fails, "bad row 7")


def test_run_forked_reports_a_child_that_died() -> None:
    with pytest.raises(RuntimeError, match=r"_dies ended in its process without a result \(exit code 3"):
        run_forked(_dies)


def test_run_forked_error_that_does_not_pickle_comes_back_as_text() -> None:
    with pytest.raises(RuntimeError, match="lost"):
        run_forked(_fails_unpicklable)


def test_release_freed_is_safe_to_call() -> None:
    assert release_freed() in (True, False)


def test_run_forked_runs_here_where_fork_is_not_safe(monkeypatch) -> None:
    import graphkit.memory as memory

    monkeypatch.setattr(memory, "CAN_FORK", False)
    pid, total = run_forked(_pid_and_sum, [1, 2])
    assert (pid, total) == (os.getpid(), 3)
    _STATE["touched"] = False


def _slow_sum(values: list[int], seconds: float) -> tuple[int, int]:
    import time

    time.sleep(seconds)
    return os.getpid(), sum(values)


def test_start_forked_runs_beside_this_process() -> None:
    import time

    from graphkit.memory import start_forked

    started = time.perf_counter()
    step = start_forked(_slow_sum, [1, 2, 3], 0.5)
    assert time.perf_counter() - started < 0.4  # it returned before the step ended
    pid, total = step.result()
    assert total == 6 and pid != os.getpid()


def test_start_forked_raises_the_steps_error_on_result() -> None:
    from graphkit.memory import start_forked

    step = start_forked(_fails, "bad field 3")
    with pytest.raises(ValueError, match="bad field 3"):
        step.result()


def test_start_forked_uses_a_thread_where_fork_is_not_safe(monkeypatch) -> None:
    import graphkit.memory as memory

    monkeypatch.setattr(memory, "CAN_FORK", False)
    pid, total = memory.start_forked(_pid_and_sum, [4, 5]).result()
    assert (pid, total) == (os.getpid(), 9)
    _STATE["touched"] = False
    with pytest.raises(ValueError, match="in a thread"):
        memory.start_forked(_fails, "in a thread").result()


def _sleeps_with_pid(path: str) -> None:
    with open(path, "w") as fh:
        fh.write(str(os.getpid()))
    import time

    time.sleep(60)


@pytest.mark.skipif(not __import__("graphkit.memory").memory.CAN_FORK, reason="fork is Linux-only here")
def test_a_cancelled_step_ends_its_process(tmp_path) -> None:
    """A build whose work beside a step failed stops the step instead of waiting for its result."""
    import time

    from graphkit.memory import start_forked

    pid_file = tmp_path / "step.pid"
    step = start_forked(_sleeps_with_pid, str(pid_file))
    while not pid_file.exists() or not pid_file.read_text():
        time.sleep(0.02)
    pid = int(pid_file.read_text())
    assert not process_ended(pid, within=0)
    step.cancel()
    assert process_ended(pid, within=0)


def test_a_cancelled_step_in_a_thread_is_left_to_end(monkeypatch) -> None:
    import graphkit.memory as memory

    monkeypatch.setattr(memory, "CAN_FORK", False)
    step = memory.start_forked(_pid_and_sum, [1])
    step.cancel()  # (nothing to stop: the thread ends on its own)
    _STATE["touched"] = False


_ORPHAN = """
import os, signal, sys, time
from graphkit.memory import start_forked

def step(path):
    with open(path, "w") as fh:
        fh.write(str(os.getpid()))
    time.sleep(60)

start_forked(step, sys.argv[1])
while not os.path.exists(sys.argv[1]) or not open(sys.argv[1]).read():
    time.sleep(0.05)
os.kill(os.getpid(), signal.SIGKILL)  # the parent dies as a killed ingest does
"""


@pytest.mark.skipif(not __import__("graphkit.memory").memory.CAN_FORK, reason="fork is Linux-only here")
def test_a_forked_step_dies_with_its_parent(tmp_path) -> None:
    """A killed ingest leaves no step writing into the generation it never published."""
    assert not outlived_killed_parent(_ORPHAN, tmp_path), "the forked step outlived its parent"


def _rss_file_mb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("RssFile:"):
                return int(line.split()[1]) >> 10
    raise AssertionError("no RssFile")


@pytest.fixture()
def big_arrow_file(tmp_path):
    """A 128 MB table in an Arrow file, and its path (not in the page cache of this process's mappings)."""
    import pyarrow as pa

    from graphkit.columnar import write_arrow_file

    path = tmp_path / "big.arrow"
    write_arrow_file(path, pa.table({"v": pa.array(range(16 << 20), pa.int64())}))
    return path


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads Linux's /proc")
def test_the_pages_a_scan_of_a_mapped_table_read_are_let_go(big_arrow_file) -> None:
    """A table read from a file is mapped; the pages a scan touched stay in the process (its RssFile)
    until release_freed drops them; the table still reads the same after."""
    import pyarrow.compute as pc

    from graphkit.columnar import mapped_arrow_file

    table = mapped_arrow_file(big_arrow_file)
    before = _rss_file_mb()
    total = pc.sum(table.column("v")).as_py()  # touches every page
    assert _rss_file_mb() - before >= 96
    release_freed()
    assert _rss_file_mb() - before < 32
    assert pc.sum(table.column("v")).as_py() == total == (16 << 20) * ((16 << 20) - 1) // 2


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads Linux's /proc")
def test_a_table_streamed_to_disk_from_a_scan_of_a_mapped_one_does_not_hold_its_pages(big_arrow_file,
                                                                                       tmp_path) -> None:
    """A derived rule reads a mapped table whole while its result streams to disk (the papers' table
    rewritten for ``cited_by``: 1.4 GB of its file at 1M); the pages read are let go batch by batch."""
    from graphkit.columnar import mapped_arrow_file, write_arrow_stream
    from graphkit.engine.sql import DuckDBEngine

    eng = DuckDBEngine(str(tmp_path / "work"))
    eng.register_arrow("big", mapped_arrow_file(big_arrow_file))
    eng.view("doubled", "SELECT v, v * 2 AS w FROM big")
    before = _rss_file_mb()
    peak = [0]
    batches = eng.batches("doubled")

    def watched():
        for batch in batches:
            peak[0] = max(peak[0], _rss_file_mb() - before)
            yield batch

    import pyarrow as pa

    rows = write_arrow_stream(tmp_path / "out.arrow", pa.RecordBatchReader.from_batches(batches.schema, watched()))
    assert rows == 16 << 20
    assert peak[0] < 64  # of 128 MB read
    eng.close()
