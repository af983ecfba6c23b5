"""Give freed heap memory back to the system while a large build runs (glibc only; elsewhere a no-op).

Python hands blocks larger than 512 bytes (a record's packed references, list and dict tables) to the C
allocator. glibc keeps what is freed in its heap for later ``malloc`` calls, but the small objects a build
allocates afterwards (keys, rows) come from Python's own arenas, which are separate mappings: so memory
freed by one step (the waiting references, consumed by the ``cites`` resolve step) stayed resident while
the next step grew beside it. ``malloc_trim(0)`` returns the free pages of every glibc heap to the system.
The build calls it at phase boundaries (graphkit.build), the ``cites`` resolve step while it consumes
the references.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


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
