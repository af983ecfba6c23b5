"""graphkit parse: records as JSON Lines, for checking what the readers make of a file."""

from __future__ import annotations

import json
import os
import sys

import click

from graphkit.cli._common import check_inputs
from graphkit.model import Diagnostic
from graphkit.readers import MAIN_FORMATS, read


@click.command("parse")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(("auto",) + MAIN_FORMATS), default="auto", show_default=True,
              help="Input format; 'auto' detects it from each file's content.")
@click.option("--strict", is_flag=True, help="Exit 1 if any warning was reported.")
@click.option("--jobs", "-j", type=click.IntRange(1), default=1, show_default=True,
              help="Worker processes: large files are cut at record boundaries and parsed in parallel; "
                   "the output is identical to a serial run.")
def parse_command(files: tuple[str, ...], fmt: str, strict: bool, jobs: int) -> None:
    """Read FILES and write one JSON object per record to stdout (JSON Lines).

    Diagnostics go to stderr as 'file:line: warning|error: message', then a one-line summary.
    Exit status: 0 when records were read; 1 when a file yielded no record (while others did), or with
    --strict and any warning or error; 2 when a file is missing, unreadable, empty or in no format
    graphkit reads (checked before anything is written), or when no record at all was read.
    """
    check_inputs(files, fmt)
    try:
        records, warnings, errors, unreadable, per_file = _parse_files(files, fmt, jobs)
    except BrokenPipeError:  # `graphkit parse x.ris | head`: the reader of stdout left; not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no "Exception ignored" noise when Python flushes stdout
        sys.exit(0)
    empty = [f for f in files if not per_file.get(f)]
    for f in empty:
        click.echo(f"{f}: error: no record could be read", err=True)
    click.echo(f"{len(files)} file(s), {records} record(s), {warnings} warning(s), {errors} error(s)", err=True)
    if unreadable or not records:
        sys.exit(2)
    if empty:
        sys.exit(1)
    if strict and (warnings or errors):
        sys.exit(1)


def _items(path: str, fmt: str, jobs: int):
    if jobs > 1:
        from graphkit.readers.parallel import read_files_parallel, record_json

        return read_files_parallel([path], fmt, workers=jobs, transform=record_json)
    return read(path, fmt)


def _parse_files(files: tuple[str, ...], fmt: str, jobs: int = 1) -> tuple[int, int, int, bool, dict[str, int]]:
    records = warnings = errors = 0
    unreadable = False
    per_file: dict[str, int] = {}
    out = sys.stdout
    for path, item in ((path, item) for path in files for item in _items(path, fmt, jobs)):
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
        per_file[path] = per_file.get(path, 0) + 1
        out.write((item if isinstance(item, str) else json.dumps(item.to_dict(), ensure_ascii=False)) + "\n")
    out.flush()
    return records, warnings, errors, unreadable, per_file


COMMANDS = [parse_command]
