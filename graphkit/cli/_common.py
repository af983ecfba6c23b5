"""Shared CLI plumbing: store options, progress bars, error translation. Commands stay thin."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    """--engine default|spark, --spark-master URL: which engine builds the graph (graphkit.engine). The
    command runs inside ``use_engine`` and never sees the two options."""

    @functools.wraps(func)
    def wrapper(*args: Any, engine: str, spark_master: str, **kwargs: Any) -> Any:
        from graphkit.engine import EngineOptions, use_engine

        with use_engine(EngineOptions(engine=engine, spark_master=spark_master)):
            return func(*args, **kwargs)

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


def parse_params(pairs: tuple[str, ...]) -> dict[str, Any]:
    """-p key=value pairs; values that look like ints/floats/booleans become those."""
    params: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise click.BadParameter(f"expected key=value, got {pair!r}", param_hint="-p")
        key, value = pair.split("=", 1)
        params[key.strip()] = coerce(value)
    return params


def coerce(value: str) -> Any:
    low = value.lower()
    if low in ("true", "false"):
        return low == "true"
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value
