"""graphkit parse: records as JSON Lines, for checking what the readers make of a file."""

from __future__ import annotations

import json
import os
import sys

import click

from graphkit.model import Diagnostic
from graphkit.readers import MAIN_FORMATS, read


@click.command("parse")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(("auto",) + MAIN_FORMATS), default="auto", show_default=True,
              help="Input format; 'auto' detects it from each file's content.")
@click.option("--strict", is_flag=True, help="Exit 1 if any warning was reported.")
@click.option("--jobs", "-j", type=click.IntRange(1), default=1, show_default=True,
              help="Worker processes: large files are cut at record boundaries and parsed in parallel; "
                   "the output is identical to a serial run.")
def parse_command(files: tuple[str, ...], fmt: str, strict: bool, jobs: int) -> None:
    """Read FILES and write one JSON object per record to stdout (JSON Lines).

    Diagnostics go to stderr as 'file:line: warning|error: message', then a one-line summary.
    Exit status: 0 when records were read; 1 with --strict and any warning or error; 2 when a file
    could not be read at all.
    """
    try:
        records, warnings, errors, unreadable = _parse_files(files, fmt, jobs)
    except BrokenPipeError:  # `graphkit parse x.ris | head`: the reader of stdout left; not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no "Exception ignored" noise when Python flushes stdout
        sys.exit(0)
    click.echo(f"{len(files)} file(s), {records} record(s), {warnings} warning(s), {errors} error(s)", err=True)
    if unreadable:
        sys.exit(2)
    if strict and (warnings or errors):
        sys.exit(1)


def _items(files: tuple[str, ...], fmt: str, jobs: int):
    if jobs > 1:
        from graphkit.readers.parallel import read_files_parallel, record_json

        return read_files_parallel(files, fmt, workers=jobs, transform=record_json)
    return (item for path in files for item in read(path, fmt))


def _parse_files(files: tuple[str, ...], fmt: str, jobs: int = 1) -> tuple[int, int, int, bool]:
    records = warnings = errors = 0
    unreadable = False
    out = sys.stdout
    for item in _items(files, fmt, jobs):
        if isinstance(item, Diagnostic):
            click.echo(str(item), err=True)
            if item.severity == "error":
                errors += 1
            else:
                warnings += 1
            if item.kind in ("unreadable", "unsupported"):
                unreadable = True
            continue
        records += 1
        out.write((item if isinstance(item, str) else json.dumps(item.to_dict(), ensure_ascii=False)) + "\n")
    out.flush()
    return records, warnings, errors, unreadable


COMMANDS = [parse_command]
