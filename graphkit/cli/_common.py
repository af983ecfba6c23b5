"""Shared CLI plumbing: store options, progress bars, error translation. Commands stay thin."""

from __future__ import annotations

import errno
import functools
import json
import logging
import math
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from graphkit.model import GraphkitError
from graphkit.progress import Progress

log = logging.getLogger("graphkit.cli")


def store_options(func: Callable) -> Callable:
    """--db PATH | --neo4j URI [--database NAME]: where the graph lives (embedded by default)."""
    func = click.option("--database", default=None, metavar="NAME",
                        help="Neo4j database name (default: the server's default database).")(func)
    func = click.option("--neo4j", "neo4j", default=None, metavar="URI", envvar="GRAPHKIT_NEO4J",
                        help="Use a Neo4j server (bolt:// or neo4j:// URI). Credentials come from "
                             "NEO4J_USER / NEO4J_PASSWORD.")(func)
    func = click.option("--db", default=None, metavar="PATH", type=click.Path(),
                        help="Embedded store directory [default: ./graphkit.db].")(func)
    return func


def engine_options(func: Callable) -> Callable:
    """--engine default|spark, --spark-master URL, --workers N, --work-dir DIR: which engine builds the
    graph (graphkit.engine), with how many processes, and where its scratch files go. The command runs
    inside ``use_engine`` and never sees the four options."""

    @functools.wraps(func)
    def wrapper(*args: Any, engine: str, spark_master: str, workers: int | None, work_dir: str | None,
                **kwargs: Any) -> Any:
        from graphkit.engine import EngineOptions, use_engine

        options = EngineOptions(engine=engine, spark_master=spark_master)
        if workers is not None:
            options.workers = workers
        if work_dir is not None:
            options.scratch_dir = work_dir
        with use_engine(options):
            return func(*args, **kwargs)

    wrapper = click.option("--work-dir", type=click.Path(file_okay=False), default=None, metavar="DIR",
                           envvar="GRAPHKIT_WORK_DIR",
                           help="Where the engine keeps its scratch files (normalised tables, spill "
                                "files, Spark's steps) in a directory of its own, removed afterwards "
                                "[default: the system's temp dir]. Give a disk with room (a few GB per "
                                "million records, more for PubMed XML with abstracts); with --engine "
                                "spark on a cluster, a path every executor can read and write (a "
                                "shared mount).")(wrapper)
    wrapper = click.option("--workers", type=click.IntRange(1), default=None, metavar="N",
                           envvar="GRAPHKIT_WORKERS",
                           help="Processes that read and normalise the files and resolve the authors' "
                                "name blocks [default: one per core]. Forked block workers copy most of "
                                "the resolver's memory (they run only when that much is free); --workers 1 "
                                "is slower and holds the least memory.")(wrapper)
    wrapper = click.option("--spark-master", default="local[*]", show_default=True, metavar="URL",
                           envvar="GRAPHKIT_SPARK_MASTER",
                           help="Spark master for --engine spark: local[*], spark://HOST:7077, yarn, "
                                "k8s://...")(wrapper)
    wrapper = click.option("--engine", type=click.Choice(("default", "spark")), default="default",
                           show_default=True, envvar="GRAPHKIT_ENGINE",
                           help="Build engine: 'default' resolves in-process (DuckDB, worker processes "
                                "for parsing); 'spark' runs the same rules on Apache Spark (needs pyspark "
                                "and Java 17; pip install 'graphkit[spark]').")(wrapper)
    return wrapper


def user_errors(func: Callable) -> Callable:
    """Turn library errors into one-line ClickExceptions (exit 1), never a traceback; a missing optional
    dependency becomes the one line that names the extra to install (graphkit.errors.EXTRAS)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except GraphkitError as exc:
            raise click.ClickException(" ".join(str(exc).split())) from None
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
            raise click.ClickException(
                f"no space left on the disk ({' '.join(str(exc).split())}): free some, or give the scratch "
                "files a disk with room (--work-dir, GRAPHKIT_WORK_DIR; a few GB per million records)") from None
        except ImportError as exc:
            from graphkit.errors import missing_extra

            err = missing_extra(exc)
            if err is None:
                raise
            raise click.ClickException(str(err)) from None

    return wrapper


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Progress]:
    """A rich progress display on stderr driven by the library's progress callback; one bar per phase."""
    if not enabled:
        yield lambda phase, advance, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with RichProgress(TextColumn("{task.description:<18}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=False,
                      disable=not console.is_terminal) as bar:
        tasks: dict[str, Any] = {}

        def update(phase: str, advance: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            elif total is not None:
                bar.update(tasks[phase], total=total)
            bar.advance(tasks[phase], advance)

        yield update


class InputError(click.ClickException):
    """A missing, unreadable, empty or unrecognised input file, or input that yielded nothing: exit 2."""

    exit_code = 2


def check_inputs(files: Iterable[str], fmt: str = "auto", *, detect: bool = True) -> None:
    """Refuse, before anything is read or written, an input that is missing, a directory, unreadable or
    empty, and (``detect`` with ``fmt`` auto) one whose format no reader recognises: one line, exit 2."""
    for name in files:
        path = Path(name)
        if not path.exists():
            raise InputError(f"{name}: no such file")
        if path.is_dir():
            raise InputError(f"{name}: is a directory, not a file")
        try:
            with open(path, "rb") as fh:
                head = fh.read(1 << 16)
        except OSError as exc:
            raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
        if not head.strip():
            raise InputError(f"{name}: file is empty")
        if detect and fmt == "auto":
            from graphkit.model import UnsupportedFormatError
            from graphkit.readers import detect as detect_format

            try:
                detect_format(path)
            except (UnsupportedFormatError, OSError, ValueError) as exc:
                raise InputError(" ".join(str(exc).split())) from None


def records_per_file(result: Any) -> dict[str, int]:
    """File -> records read, from a :class:`graphkit.build.BuildResult`'s report."""
    return {f: entry.get("records", 0) for f, entry in (result.report or {}).get("files", {}).items()}


def empty_reads(files: Iterable[str], per_file: dict[str, int]) -> list[str]:
    """The files that yielded no record, each reported on stderr as an error; raises exit 2 (before
    anything is written) when none of ``files`` yielded a record."""
    files = [str(f) for f in files]
    empty = [f for f in files if not per_file.get(f)]
    for f in empty:
        click.echo(f"Error: {f}: no record could be read (see 'graphkit parse {f}')", err=True)
    if empty and len(empty) == len(files):
        raise SystemExit(2)
    return empty


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def parse_params(pairs: tuple[str, ...]) -> dict[str, Any]:
    """-p key=value pairs; values that look like ints/floats/booleans become those. Integers must fit
    in 64 bits and floats must be finite (both stores reject anything else, less clearly)."""
    params: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise click.BadParameter(f"expected key=value, got {pair!r}", param_hint="-p")
        key, value = pair.split("=", 1)
        params[key.strip()] = check_param(key.strip(), coerce(value))
    return params


def check_param(name: str, value: Any) -> Any:
    """``value`` if both stores can take it as a parameter, else a one-line usage error."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        raise click.BadParameter(f"{name}={value} does not fit in a 64-bit integer "
                                 f"({INT64_MIN} .. {INT64_MAX})", param_hint="-p")
    if isinstance(value, float) and not math.isfinite(value):
        raise click.BadParameter(f"{name}: {value} is not a finite number", param_hint="-p")
    if isinstance(value, (list, tuple)):
        return [check_param(name, v) for v in value]
    return value


def coerce(value: str) -> Any:
    low = value.lower()
    if low in ("true", "false"):
        return low == "true"
    for cast in (int, float):
        try:
            return cast(value)
        except (ValueError, OverflowError):
            pass
    return value


def json_safe(value: Any) -> Any:
    """``value`` with non-finite floats (which JSON cannot hold) as null, recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def dumps_json(value: Any, **kwargs: Any) -> str:
    """Strict JSON (never ``NaN``/``Infinity``): non-finite floats become null."""
    return json.dumps(json_safe(value), allow_nan=False, **kwargs)
