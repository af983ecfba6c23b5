"""One writer at a time: the lock every command that changes an embedded store holds while it writes.

The lock is :class:`filelock.FileLock` (the maintained cross-platform library; ``flock`` on Linux and macOS)
on ``writer.lock`` in the store directory. The kernel releases an ``flock`` when its process dies, however
it dies, so a lock left by a killed writer is never a dead end: the next writer simply gets it. Beside the
lock, ``writer.json`` says who holds it (pid, command, start time, host) for the "waiting for ..." message;
a ``writer.json`` found by the next holder belongs to a writer that died, which is logged as a takeover
(its half-written generation is an orphan that the store removes).

Readers never take this lock and never write anything: they read the generation the pointer names.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from graphkit.store_dir import HOLDER_FILE, LOCK_FILE, StoreError

log = logging.getLogger(__name__)

DEFAULT_WAIT = 600.0  # seconds a second writer waits before giving up (ingests of 100k records take ~2 min)
POLL = 0.2


class StoreLockedError(StoreError):
    """Another process writes the store and did not finish within the wait."""


@dataclass(slots=True)
class Holder:
    pid: int
    command: str
    started: float
    host: str

    def describe(self) -> str:
        since = time.strftime("%H:%M:%S", time.localtime(self.started))
        where = "" if self.host == socket.gethostname() else f" on {self.host}"
        return f"`graphkit {self.command}` (pid {self.pid}{where}, since {since})"


def read_holder(store: Path) -> Holder | None:
    """Who holds (or, after a crash, last held) the writer lock of ``store``."""
    try:
        data = json.loads((Path(store) / HOLDER_FILE).read_text(encoding="utf-8"))
        return Holder(int(data["pid"]), str(data["command"]), float(data["started"]), str(data["host"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


class WriterLock:
    """``with WriterLock(store, "ingest"):`` -- hold the store's writer lock, waiting up to ``wait`` seconds.

    ``on_wait`` receives the one-line "waiting for ..." message when another writer holds the lock
    (default: a log warning). ``wait=0`` fails at once.
    """

    def __init__(self, store: Path, command: str, *, wait: float = DEFAULT_WAIT,
                 on_wait: Callable[[str], None] | None = None) -> None:
        from filelock import FileLock

        self.store = Path(store)
        self.command = command
        self.wait = max(0.0, float(wait))
        self.on_wait = on_wait or log.warning
        self._lock = FileLock(str(self.store / LOCK_FILE), thread_local=False)

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        from filelock import Timeout

        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            holder = read_holder(self.store)
            who = holder.describe() if holder else "another graphkit process"
            if self.wait <= 0:
                raise StoreLockedError(f"{self.store} is being written by {who}; try again when it "
                                       "finishes (or pass --wait SECONDS)") from None
            self.on_wait(f"waiting for {who} to finish writing {self.store} (up to {self.wait:g} s; "
                         "--wait SECONDS changes this)")
            try:
                self._lock.acquire(timeout=self.wait, poll_interval=POLL)
            except Timeout:
                raise StoreLockedError(f"{self.store} is still being written by {who} after {self.wait:g} s; "
                                       "try again later or pass a longer --wait SECONDS") from None
        stale = read_holder(self.store)
        if stale is not None:
            log.warning("taking over the store lock of %s, which stopped without finishing; its unfinished "
                        "generation is discarded", stale.describe())
        me = Holder(os.getpid(), self.command, time.time(), socket.gethostname())
        tmp = self.store / (HOLDER_FILE + ".tmp")
        tmp.write_text(json.dumps(asdict(me)), encoding="utf-8")
        tmp.replace(self.store / HOLDER_FILE)

    def release(self) -> None:
        if not self._lock.is_locked:
            return
        try:
            (self.store / HOLDER_FILE).unlink(missing_ok=True)
        finally:
            self._lock.release()

