"""Give freed heap memory back to the system while a large build runs (glibc only; elsewhere a no-op).

Python hands blocks larger than 512 bytes (a record's packed references, list and dict tables) to the C
allocator. glibc keeps what is freed in its heap for later ``malloc`` calls, but the small objects a build
allocates afterwards (keys, rows) come from Python's own arenas, which are separate mappings: so memory
freed by one step (the waiting references, consumed by the ``cites`` resolve step) stayed resident while
the next step grew beside it. ``malloc_trim(0)`` returns the free pages of every glibc heap to the system.
The build calls it at phase boundaries (graphkit.build), the ``cites`` resolve step while it consumes
the references.

Where a step's objects are too many and too small for that (Python's own arenas stay fragmented by the
objects that outlive the step), :func:`run_forked` runs the step in a forked process.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import multiprocessing
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

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
    """Return the C heap's free pages to the system; True when the platform allows it."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True


def run_forked(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a forked process, its result pickled back through a pipe: the many small Python
    objects a step builds and frees (the author resolver's occurrences, forms and clusters) go with the
    process instead of staying in this one's fragmented arenas, which later steps would grow beside.
    The arguments are not pickled (the child shares this process's memory, copy on write); nothing the
    child changes comes back but the result. Only on Linux (macOS offers fork, but forking a process with
    threads is unsafe there): elsewhere ``fn`` runs here."""
    if not CAN_FORK:
        return fn(*args)
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_forked, args=(send, fn, args), name=f"graphkit-{fn.__name__}")
    proc.start()
    send.close()
    try:
        try:
            ok, value = receive.recv()
        except EOFError:
            proc.join()
            raise RuntimeError(f"{fn.__name__} ended in its process without a result "
                               f"(exit code {proc.exitcode}; out of memory?)") from None
        proc.join()
    finally:
        receive.close()
        if proc.is_alive():
            proc.terminate()
            proc.join()
    if not ok:
        raise value
    return value


def _forked(send: Connection, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
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
