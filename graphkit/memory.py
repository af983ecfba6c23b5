"""Give freed heap memory back to the system while a large build runs (glibc only; elsewhere a no-op).

Python hands blocks larger than 512 bytes (a record's packed references, list and dict tables) to the C
allocator. glibc keeps what is freed in its heap for later ``malloc`` calls, but the small objects a build
allocates afterwards (keys, rows) come from Python's own arenas, which are separate mappings: so memory
freed by one step (the waiting references, consumed by the ``cites`` resolve step) stayed resident while
the next step grew beside it. ``malloc_trim(0)`` returns the free pages of every glibc heap to the system.
The build calls it at phase boundaries (graphkit.build), the ``cites`` resolve step while it consumes
the references.

Tables on disk are memory-mapped (:func:`map_file`); the pages a scan reads of them stay resident until
the mapping goes, so :func:`release_freed` also lets them go (:func:`drop_mapped_pages`), and a long
statement over them runs inside :func:`dropping_mapped_pages`.

Where a step's objects are too many and too small for that (Python's own arenas stay fragmented by the
objects that outlive the step), :func:`run_forked` runs the step in a forked process.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import mmap
import multiprocessing
import os
import signal
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
CAN_FORK = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl without it)
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_TRIM = _malloc_trim()


def release_freed() -> bool:
    """Return the C heap's free pages to the system, and drop the pages of mapped files this process
    read (:func:`drop_mapped_pages`); True when the platform allows the first."""
    drop_mapped_pages()
    if _TRIM is None:
        return False
    _TRIM(0)
    return True


# files mapped by map_file, while something holds them (an Arrow table read from one holds its mapping)
_MAPPINGS: weakref.WeakSet[mmap.mmap] = weakref.WeakSet()
_MAPPINGS_LOCK = threading.Lock()  # (dropping_mapped_pages reads the set from a thread of its own)
_DONTNEED = getattr(mmap, "MADV_DONTNEED", None)  # (None where there is no madvise: Windows)


def map_file(path: str | os.PathLike[str]) -> mmap.mmap:
    """A file mapped read only, whose resident pages :func:`drop_mapped_pages` lets go."""
    with open(path, "rb") as f:
        mapping = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    with _MAPPINGS_LOCK:
        _MAPPINGS.add(mapping)
    return mapping


@contextmanager
def repeated(action: Callable[[], None], every: float, name: str) -> Iterator[None]:
    """``action()`` every ``every`` seconds while the block runs, in a thread of its own named ``name``,
    and once more after it."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            action()

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        action()


def dropping_mapped_pages(every: float = 0.1) -> AbstractContextManager[None]:
    """:func:`drop_mapped_pages` every ``every`` seconds while the block runs (a thread of its own): for
    one long statement that scans mapped tables (a COPY), whose pages would otherwise stay until it ends."""
    return repeated(drop_mapped_pages, every, "graphkit-drop-pages")


def drop_mapped_pages() -> None:
    """Let go of the pages of every file :func:`map_file` mapped that this process has read: a scan of a
    mapped table (DuckDB reading every column of the papers, a sink's COPY) leaves each page it touched
    resident, which counts in the process's memory until the kernel needs it back (at 1M, 1.4 GB of the
    papers' file during one derived rule). The data stays on disk and in the page cache: a later read
    maps a page in again."""
    if _DONTNEED is None:
        return
    with _MAPPINGS_LOCK:
        mappings = list(_MAPPINGS)
    for mapping in mappings:
        try:
            mapping.madvise(_DONTNEED)
        except (ValueError, OSError):  # closed meanwhile
            pass


def run_forked(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a forked process, its result pickled back through a pipe: the many small Python
    objects a step builds and frees (the author resolver's occurrences, forms and clusters) go with the
    process instead of staying in this one's fragmented arenas, which later steps would grow beside.
    The arguments are not pickled (the child shares this process's memory, copy on write); nothing the
    child changes comes back but the result. Only on Linux (macOS offers fork, but forking a process with
    threads is unsafe there): elsewhere ``fn`` runs here."""
    if not CAN_FORK:
        return fn(*args)
    return start_forked(fn, *args).result()


class Forked(Generic[T]):
    """A step started by :func:`start_forked`; :meth:`result` waits for it and returns what it returned
    (or raises what it raised). Where fork is not safe the step runs in a thread of this process."""

    def __init__(self, fn: Callable[..., T], args: tuple[Any, ...]) -> None:
        self.name = fn.__name__
        self._proc: Any = None
        self._receive: Connection | None = None
        self._outcome: tuple[bool, Any] | None = None
        if CAN_FORK:
            ctx = multiprocessing.get_context("fork")
            self._receive, send = ctx.Pipe(duplex=False)
            self._proc = ctx.Process(target=_forked, args=(send, fn, args, os.getpid()),
                                        name=f"graphkit-{fn.__name__}")
            self._proc.start()
            send.close()
        else:
            self._proc = threading.Thread(target=self._in_thread, args=(fn, args), name=f"graphkit-{fn.__name__}",
                                          daemon=True)
            self._proc.start()

    def _in_thread(self, fn: Callable[..., T], args: tuple[Any, ...]) -> None:
        try:
            self._outcome = (True, fn(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread by result()
            self._outcome = (False, exc)

    def result(self) -> T:
        if self._receive is None:  # a thread
            self._proc.join()
            outcome = self._outcome
        else:
            proc, receive = self._proc, self._receive
            try:
                try:
                    outcome = receive.recv()
                except EOFError:
                    proc.join()
                    raise RuntimeError(f"{self.name} ended in its process without a result "
                                       f"(exit code {proc.exitcode}; out of memory?)") from None
                proc.join()
            finally:
                receive.close()
                if proc.is_alive():
                    proc.terminate()
                    proc.join()
        assert outcome is not None
        ok, value = outcome
        if not ok:
            raise value
        return value

    def ready(self, timeout: float | None = None) -> bool:
        """Whether the step has ended (its result is there to take), waiting at most ``timeout`` seconds."""
        if self._receive is None:
            self._proc.join(timeout)
            return not self._proc.is_alive()
        return bool(self._receive.poll(timeout))

    def cancel(self) -> None:
        """Stop the step: its result is not wanted (the work beside it failed). A step in a thread cannot
        be stopped: it ends on its own, and its result is dropped."""
        if self._receive is None:
            return
        if self._proc.is_alive():
            self._proc.kill()
        self._proc.join()
        self._receive.close()


def first_ended(steps: Sequence[Forked[Any]]) -> int:
    """Wait until one of ``steps`` has ended; its index."""
    from multiprocessing.connection import wait

    while True:
        pipes = {id(f._receive): k for k, f in enumerate(steps) if f._receive is not None}
        if len(pipes) == len(steps):  # (processes: wait on their pipes at once)
            ended = wait([f._receive for f in steps])  # type: ignore[misc]
            return pipes[id(ended[0])]
        for k, f in enumerate(steps):
            if f.ready(0.05):
                return k


def start_forked(fn: Callable[..., T], *args: Any) -> Forked[T]:
    """Start ``fn(*args)`` in a forked process (as :func:`run_forked` runs it) and return at once: this
    process goes on with other work (on another core, without sharing the GIL) until it calls
    ``result()``. Where fork is not safe, ``fn`` runs in a thread."""
    return Forked(fn, args)


def die_with_parent(parent: int) -> None:
    """Linux: this child gets SIGKILL when the process that forked it dies (killed, out of memory), so a
    step does not go on writing into a store generation that its parent will never publish."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl
        os._exit(1)


PARENT_POLL_S = 1.0  # how often a pool worker looks whether the process that started it is still there


def exit_with_parent() -> None:
    """In a pool worker (its initializer): end the worker when the process that started it is gone. A
    build killed outright (the OOM killer picks the largest process, often the driver; SIGKILL) stops no
    pool, and its idle workers would wait for tasks forever, each holding the memory of what it read.
    (Not :func:`die_with_parent`: its signal fires when the *thread* that started the process ends, and
    a pool may start workers from its own manager thread.)"""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="graphkit-exit-with-parent", daemon=True).start()


def _forked(send: Connection, fn: Callable[..., Any], args: tuple[Any, ...], parent: int = 0) -> None:
    if parent:
        die_with_parent(parent)
    try:
        result: tuple[bool, Any] = (True, fn(*args))
    except BaseException as exc:  # noqa: BLE001 - every error goes back to the parent, which raises it
        log.debug("%s failed in its process", fn.__name__, exc_info=True)
        result = (False, exc)
    try:
        send.send(result)
    except Exception as exc:  # noqa: BLE001 - an error that does not pickle goes back as its text
        send.send((False, RuntimeError(f"{fn.__name__}: {result[1]!r} ({exc})")))
    finally:
        send.close()
