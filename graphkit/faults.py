"""Crash points: named steps of a store write where a test can kill the process, to prove crash consistency.

A writer calls :func:`crash_point` after every step that leaves something on disk. Normally that is one
environment lookup. Two variables drive it (``bench/crash.py`` and ``tests/sinks/test_crash.py`` set them
for a child process):

* ``GRAPHKIT_CRASH_TRACE=FILE`` appends every point reached (``name#N``, N counting repeats of a name), so a
  harness learns the points of a clean run;
* ``GRAPHKIT_CRASH_AT=name#N`` (or just ``name`` for its first time) kills the process with SIGKILL there,
  like ``kill -9`` or a power cut of the process: no ``finally``, no ``atexit``, no flushing.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

CRASH_AT = "GRAPHKIT_CRASH_AT"
CRASH_TRACE = "GRAPHKIT_CRASH_TRACE"

_seen: Counter[str] = Counter()


def crash_point(name: str) -> None:
    """Mark a step; die here (SIGKILL) when the environment asks for it."""
    at = os.environ.get(CRASH_AT)
    trace = os.environ.get(CRASH_TRACE)
    if not at and not trace:
        return
    _seen[name] += 1
    label = f"{name}#{_seen[name]}"
    if trace:
        with open(trace, "a", encoding="utf-8") as fh:
            fh.write(label + "\n")
    if at and (at == label or (at == name and _seen[name] == 1)):
        os.kill(os.getpid(), signal.SIGKILL)
