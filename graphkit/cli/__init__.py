"""The ``graphkit`` command line: a thin click layer over the library.

Each command calls one library function; library errors become one-line messages here and only here.
"""

from __future__ import annotations

import logging
import sys

import click

from graphkit import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="graphkit")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
def main(verbose: int) -> None:
    """graphkit: turn bibliographic exports into a knowledge graph of papers, authors, journals,
    keywords and MeSH terms.

    \b
    Typical session (embedded store, no server needed):
      graphkit parse refs.ris > records.jsonl     # check what the readers make of a file
      graphkit ingest refs.ris pubmed.nbib         # build ./graphkit.db
      graphkit query top-keywords                  # canned Cypher queries (graphkit query --list)
      graphkit search "neuroendocrine tumour"      # full-text search
      graphkit viz coauthors --out coauthors.html  # an interactive map

    Formats read: RIS, PubMed MEDLINE (.nbib), Web of Science plain text, BibTeX, Scopus CSV, CSL-JSON
    (detected from content).
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def _register() -> None:
    import importlib

    for name in ("demo", "parse", "graph", "export", "store", "linked", "viz", "compile"):
        try:
            module = importlib.import_module(f"graphkit.cli.{name}")
        except ModuleNotFoundError as exc:  # pragma: no cover - only while a command module is being written
            if exc.name != f"graphkit.cli.{name}":
                raise
            continue
        for command in module.COMMANDS:
            main.add_command(command)


_register()
