"""The writer lock: one writer at a time, a visible wait, a clear refusal, takeover after a killed writer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from conftest import ROOT
from graphkit.store_lock import HOLDER_FILE, StoreLockedError, WriterLock, read_holder


def test_a_second_writer_is_refused_at_once_with_wait_zero(tmp_path):
    with WriterLock(tmp_path, "ingest"):
        with pytest.raises(StoreLockedError) as info:
            WriterLock(tmp_path, "rebuild", wait=0).acquire()
    message = str(info.value)
    assert "`graphkit ingest` (pid " in message and f"{os.getpid()}" in message and "--wait" in message
    assert "\n" not in message


def test_a_second_writer_waits_with_a_message_then_writes(tmp_path):
    messages: list[str] = []
    first = WriterLock(tmp_path, "ingest")
    first.acquire()
    got = threading.Event()

    def second() -> None:
        with WriterLock(tmp_path, "cypher --write", wait=30, on_wait=messages.append):
            assert read_holder(tmp_path).command == "cypher --write"
            got.set()

    t = threading.Thread(target=second)
    t.start()
    time.sleep(0.6)
    assert not got.is_set()  # still waiting
    assert len(messages) == 1 and messages[0].startswith("waiting for `graphkit ingest`")
    first.release()
    t.join(10)
    assert got.is_set()
    assert read_holder(tmp_path) is None  # released: nobody holds it


def test_waiting_gives_up_after_the_bound(tmp_path):
    with WriterLock(tmp_path, "ingest"):
        started = time.monotonic()
        with pytest.raises(StoreLockedError, match="after 0.5 s"):
            WriterLock(tmp_path, "ingest", wait=0.5, on_wait=lambda m: None).acquire()
        assert time.monotonic() - started >= 0.5


def test_the_lock_of_a_killed_writer_is_taken_over(tmp_path, caplog):
    """A writer killed with SIGKILL while holding the lock: the kernel drops its flock, its writer.json
    stays, and the next writer takes over at once, saying so."""
    code = ("import sys, time; from pathlib import Path; from graphkit.store_lock import WriterLock; "
            "lock = WriterLock(Path(sys.argv[1]), 'ingest'); lock.acquire(); print('held', flush=True); time.sleep(60)")
    child = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.stdout.readline().strip() == "held"
    with pytest.raises(StoreLockedError):
        WriterLock(tmp_path, "ingest", wait=0).acquire()
    child.kill()
    child.wait()
    assert json.loads((tmp_path / HOLDER_FILE).read_text())["pid"] == child.pid  # left behind
    with caplog.at_level("WARNING"), WriterLock(tmp_path, "ingest", wait=0):
        assert read_holder(tmp_path).pid == os.getpid()
    assert f"pid {child.pid}" in caplog.text and "taking over" in caplog.text
