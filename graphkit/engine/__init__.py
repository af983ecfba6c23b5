"""The columnar core's engines: how every command that builds a graph builds it.

``build_files(paths, options)`` is the entry point commands and stores call. It runs the columnar core
(:mod:`graphkit.engine.core`) on the engine chosen with ``--engine`` (``default``: DuckDB in this
process; ``spark``: Apache Spark at ``--spark-master``), set for the duration of a command with
:func:`use_engine`. The old core (:func:`graphkit.build.build_from_files`) stays for the differential
tests and for records that do not come from files (:func:`graphkit.build.build_graph`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from graphkit.build import BuildOptions, BuildResult
from graphkit.engine.core import ENGINES, EngineOptions, build_columnar
from graphkit.progress import Progress, null_progress

__all__ = ["ENGINES", "EngineOptions", "build_files", "current_engine", "use_engine"]

_CURRENT: ContextVar[EngineOptions] = ContextVar("graphkit_engine", default=EngineOptions())


def current_engine() -> EngineOptions:
    return _CURRENT.get()


@contextmanager
def use_engine(options: EngineOptions) -> Iterator[EngineOptions]:
    """Build with ``options`` (engine, Spark master, workers) inside the block."""
    token = _CURRENT.set(options)
    try:
        yield options
    finally:
        _CURRENT.reset(token)


def build_files(paths: Sequence[str | Path], options: BuildOptions = BuildOptions(), *,
                engine: EngineOptions | None = None, progress: Progress = null_progress) -> BuildResult:
    """Read ``paths`` and build one graph with the current (or the given) engine."""
    return build_columnar(paths, options, engine or current_engine(), progress=progress)
