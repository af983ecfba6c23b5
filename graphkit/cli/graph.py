"""graphkit report / graphkit stats: build the graph from files and describe it."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

import click

from graphkit.cli._common import (check_inputs, empty_reads, engine_options, progress_bar, records_per_file,
                                  user_errors)
from graphkit.readers import MAIN_FORMATS
from graphkit.resolve.authors import AUTHOR_KEY_MODES


def author_options(func: Callable) -> Callable:
    """--author-key and --author-map: how names become authors (every build and every store)."""
    func = click.option("--author-map", type=click.Path(exists=True, dir_okay=False), default=None,
                        metavar="FILE",
                        help="Reviewer overrides, applied on every build: CSV rows 'variant,author' "
                             "(\"Family, Given\" -> author key, ORCID, or 'split'), or the review CSV of "
                             "`graphkit report --review` with its override column filled in.")(func)
    func = click.option("--author-key", type=click.Choice(AUTHOR_KEY_MODES), default="compatible",
                        show_default=True,
                        help="Author identity without ORCID. compatible: names join only when their given "
                             "names fit (initials join a full name when one fits, or with a shared "
                             "co-author/venue); initial: family name + first initial (merges namesakes); "
                             "full: family + all given names (splits 'Smith, J.' from 'Smith, John').")(func)
    return func


def author_map(path: str | None) -> tuple[tuple[str, str], ...]:
    """The --author-map FILE as BuildOptions.author_map (bad rows become one-line errors)."""
    from graphkit.model import GraphkitError
    from graphkit.resolve.authors import AuthorMapError, read_author_map

    if not path:
        return ()
    try:
        return read_author_map(path)
    except AuthorMapError as exc:
        raise GraphkitError(str(exc)) from None


def build_options(func: Callable) -> Callable:
    """FILES plus --format / --author-key / --author-map / --coauthor-cap: how records become the graph."""
    func = click.option("--coauthor-cap", type=click.IntRange(min=1), default=100, show_default=True,
                        help="Papers with more authors get AUTHORED edges but no CO_AUTHOR pairs.")(func)
    func = author_options(func)
    func = click.option("--format", "fmt", type=click.Choice(("auto",) + MAIN_FORMATS), default="auto",
                        show_default=True, help="Input format; 'auto' detects it from each file's content.")(func)
    return func


def build(files: tuple[str, ...], fmt: str, author_key: str, coauthor_cap: int, author_map_file: str | None = None,
          *, quiet: bool = False):
    """Build the graph of FILES with a progress bar on stderr. A missing, unreadable, empty or
    unrecognised file stops with exit 2 before anything is read; so does reading no record at all.
    Returns the BuildResult and the files that yielded no record (each reported as an error)."""
    from graphkit.build import BuildOptions
    from graphkit.engine import build_files

    check_inputs(files, fmt)
    options = BuildOptions(author_key=author_key, coauthor_cap=coauthor_cap, format=fmt,  # type: ignore[arg-type]
                           author_map=author_map(author_map_file))
    with progress_bar(not quiet) as progress:
        result = build_files(list(files), options, progress=progress)
    return result, empty_reads(files, records_per_file(result))


@click.command("report")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@build_options
@engine_options
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write the report to this file: .json for JSON, anything else for markdown "
                   "[default: markdown on stdout].")
@click.option("--review", type=click.Path(dir_okay=False), default=None,
              help="Also write a CSV with every name variant merged into each author, for checking.")
@user_errors
def report_command(files: tuple[str, ...], fmt: str, author_key: str, author_map: str | None, coauthor_cap: int,
                   out: str | None, review: str | None) -> None:
    """Build the graph of FILES and write a data-quality report.

    The report gives, per file, the records read and the reader warnings by kind; the duplicates
    found and merged (every pair, with the rule that matched: doi, pmid, title, fuzzy-title); records
    missing DOI, year, authors or journal; authors that merged several name variants; journals
    without a valid ISSN; and a PRISMA-style count (identified, duplicates removed, remaining).
    """
    from graphkit.report import to_markdown, write_author_review, write_report

    result, empty = build(files, fmt, author_key, coauthor_cap, author_map)
    if out:
        write_report(result.report, out)
        click.echo(f"report written to {out}", err=True)
    else:
        click.echo(to_markdown(result.report))
    if review:
        rows = write_author_review(result, review)
        click.echo(f"author review: {rows} name variant(s) written to {review}", err=True)
    p = result.report["prisma"]
    click.echo(f"{p['identified']} record(s), {p['duplicates_removed']} duplicate(s) removed, "
               f"{p['remaining']} paper(s)", err=True)
    if empty:
        sys.exit(1)


@click.command("stats")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@build_options
@engine_options
@click.option("--json", "as_json", is_flag=True, help="Print the counts as a JSON object.")
@user_errors
def stats_command(files: tuple[str, ...], fmt: str, author_key: str, author_map: str | None, coauthor_cap: int,
                  as_json: bool) -> None:
    """Build the graph of FILES and print its node counts by label and edge counts by type.

    Labels: Paper, Author, Journal, Keyword, MeshTerm. Types: AUTHORED, PUBLISHED_IN, HAS_KEYWORD,
    HAS_MESH, CITES, CO_AUTHOR. Nothing is stored; use 'graphkit ingest' to keep the graph.
    """
    result, empty = build(files, fmt, author_key, coauthor_cap, author_map)
    counts = result.graph.counts()
    if as_json:
        click.echo(json.dumps({"records": result.records, **counts}, indent=2))
        if empty:
            sys.exit(1)
        return
    click.echo(f"{'records':<14}{result.records:>10}")
    for name, n in counts.items():
        click.echo(f"{name:<14}{n:>10}")
    if empty:
        sys.exit(1)


COMMANDS = [report_command, stats_command]
