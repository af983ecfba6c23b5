"""graphkit ingest / query / cypher / search: load a store and ask it questions (embedded or Neo4j)."""

from __future__ import annotations

import csv
import json
import sys
from typing import Any

import click

from graphkit.build import BuildOptions
from graphkit.cli._common import (
    check_inputs, check_param, dumps_json, empty_reads, engine_options, parse_params, progress_bar, store_options,
    user_errors,
)
from graphkit.cli.graph import author_map as read_author_map, author_options
from graphkit.readers import MAIN_FORMATS
from graphkit.store_lock import DEFAULT_WAIT
from graphkit.stores import DEFAULT_DB, open_store

FORMATS = ("table", "json", "csv")
SHOWN_DIAGNOSTICS = 5
# summary lines: label in the store -> what the summary calls it
SUMMARY = (("Paper", "papers"), ("Author", "authors"), ("Journal", "journals"), ("Keyword", "keywords"),
           ("MeshTerm", "MeSH terms"), ("AUTHORED", "authorships"), ("CO_AUTHOR", "co-author pairs"),
           ("HAS_KEYWORD", "keyword links"), ("HAS_MESH", "MeSH links"), ("CITES", "citations"))


def wait_option(func):
    """--wait SECONDS: how long a write waits for another process writing the same embedded store."""
    return click.option("--wait", type=click.FloatRange(0), default=DEFAULT_WAIT, show_default=True,
                        metavar="SECONDS",
                        help="If another graphkit process is writing the embedded store, wait this long for it "
                             "(with a message) before giving up; 0 gives up at once.")(func)


def _waiting(message: str) -> None:
    click.echo(f"graphkit: {message}", err=True)


def _where(db: str | None, neo4j: str | None, database: str | None) -> str:
    if neo4j:
        from graphkit.sinks.neo4j import safe_uri

        return f"Neo4j {safe_uri(neo4j)}" + (f" (database {database})" if database else "")
    return f"embedded store {db or DEFAULT_DB}"


@click.command("ingest")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@store_options
@engine_options
@click.option("--format", "fmt", type=click.Choice(("auto",) + MAIN_FORMATS), default="auto", show_default=True,
              help="Input format; 'auto' detects it from each file's content.")
@click.option("--batch-size", type=click.IntRange(1), default=5000, show_default=True,
              help="Rows per Neo4j transaction (the embedded store loads by COPY and ignores it).")
@author_options
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@wait_option
@user_errors
def ingest_command(files: tuple[str, ...], db: str | None, neo4j: str | None, database: str | None, fmt: str,
                   batch_size: int, author_key: str, author_map: str | None, quiet: bool, wait: float) -> None:
    """Read FILES, resolve papers, authors, journals and terms, and load the graph into a store.

    By default the graph goes to an embedded store in ./graphkit.db (no server needed), which every
    other command reopens. Adding files later gives the same graph as ingesting everything at once;
    re-ingesting an unchanged file changes nothing. With --neo4j URI the graph is merged into a Neo4j
    server instead (credentials from NEO4J_USER / NEO4J_PASSWORD).

    A missing, unreadable, empty or unrecognised file stops the ingest before anything is stored
    (exit 2). A file from which no record could be read is not stored and is an error: exit 1, or 2
    when no file gave a record.

    One process writes an embedded store at a time: a second ingest waits (--wait) and then adds its
    files too. An interrupted ingest leaves the store as it was before.
    """
    check_inputs(files, fmt)
    options = BuildOptions(author_key=author_key, format=fmt,  # type: ignore[arg-type]
                           author_map=read_author_map(author_map))
    store = open_store(db, neo4j, database=database, create=True, batch_size=batch_size, wait=wait,
                       on_wait=_waiting)
    try:
        with progress_bar(enabled=not quiet) as progress:
            summary = store.ingest(list(files), options=options, progress=progress)
        counts = summary.get("counts") or store.counts()
    finally:
        store.close()
    for f in summary.get("files", []):
        click.echo(f"{f['path']}: {f['status']} ({f['records']} records)")
    diagnostics = summary.get("diagnostics")
    if isinstance(diagnostics, list) and diagnostics:
        click.echo(f"{len(diagnostics)} diagnostic(s) while reading; the first {min(len(diagnostics), SHOWN_DIAGNOSTICS)}:",
                   err=True)
        for d in diagnostics[:SHOWN_DIAGNOSTICS]:
            click.echo(f"  {d}", err=True)
        click.echo("  (graphkit parse FILE shows them all)", err=True)
    elif isinstance(diagnostics, int) and diagnostics:
        click.echo(f"{diagnostics} diagnostic(s) while reading (graphkit parse FILE shows them)", err=True)
    records = summary.get("records")
    parts = [f"{counts.get(label, 0)} {name}" for label, name in SUMMARY]
    click.echo(f"{records} records in the store: " + ", ".join(parts))
    if summary.get("rebuilt") is False:
        click.echo("nothing changed")
    click.echo(f"graph stored in {_where(db, neo4j, database)}")
    per_file = {str(f["path"]): f["records"] for f in summary.get("files", [])}
    if per_file and empty_reads(files, per_file):
        raise SystemExit(1)


@click.command("query")
@click.argument("name", required=False)
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A query parameter (repeatable); values are converted to the declared type.")
@click.option("--list", "list_", is_flag=True, help="List the canned queries with their parameters.")
@click.option("--show", is_flag=True, help="Print the Cypher the query runs on this store instead of running it.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@store_options
@user_errors
def query_command(name: str | None, params: tuple[str, ...], list_: bool, show: bool, fmt: str,
                  db: str | None, neo4j: str | None, database: str | None) -> None:
    """Run the canned query NAME (graphkit query --list shows them) on the store.

    Each query is a .cypher file shipped with graphkit; the same file runs on the embedded store and on
    Neo4j (an engine-specific variant is picked automatically where Cypher dialects differ). Parameters that
    name something are forgiving: an author by key, ORCID (bare or URL) or any recorded form of the
    name ("Rockloff, Matthew", "rockloff, m.", "Matthew Rockloff"); a paper by key, DOI (bare, doi: or
    URL) or PMID; a journal by key, any ISSN or name; a term by key, keyword or MeSH heading/UI, any
    case. An unknown name prints the closest candidates and exits 1; several matches are listed (exit
    1) unless one is exact, which is taken with a note on stderr.

    \b
    Example:
      graphkit query co-authors -p author="Grozinsky-Glasberg, S."
    """
    from graphkit.queries import format_value, get_query, load_queries, run_query

    if list_ or not name:
        rows = [{"query": q.name,
                 "parameters": " ".join(f"{p.name}={format_value(p.example if p.required else p.default)}"
                                        for p in q.params),
                 "description": q.description} for q in load_queries().values()]
        _emit(rows, fmt)
        if not list_:
            click.echo("give a query NAME to run one", err=True)
        return
    query = get_query(name)
    given = {}
    for pair in params:
        if "=" not in pair:
            raise click.BadParameter(f"expected key=value, got {pair!r}", param_hint="-p")
        key, value = pair.split("=", 1)
        given[key.strip()] = value
    bound = {k: check_param(k, v) for k, v in query.bind(given).items()}
    if show:
        dialect = "neo4j" if neo4j else "ladybug"
        click.echo(query.text_for(dialect))
        return
    store = open_store(db, neo4j, database=database)
    try:
        notes: list[str] = []
        rows = run_query(store, query, bound, notes=notes)
    finally:
        store.close()
    for note in notes:
        click.echo(f"note: {note}", err=True)
    _emit(rows, fmt)


@click.command("cypher")
@click.argument("statement")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter $KEY (repeatable); numbers and true/false are converted.")
@click.option("--write", is_flag=True, help="Allow statements that change the graph.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@store_options
@wait_option
@user_errors
def cypher_command(statement: str, params: tuple[str, ...], write: bool, fmt: str, db: str | None,
                   neo4j: str | None, database: str | None, wait: float) -> None:
    """Run an ad-hoc Cypher STATEMENT on the store and print the rows.

    Read-only unless --write: the embedded store refuses statements with write clauses (CREATE, MERGE,
    SET, DELETE, ...) and opens the database read-only; Neo4j runs them in a READ session and refuses,
    before sending, LOAD CSV, procedures other than full-text queries and schema listings, admin
    commands (SHOW/TERMINATE TRANSACTIONS, users, roles, databases) and USE. On the embedded store,
    changes made with --write are lost when the next `graphkit ingest` or `graphkit rebuild` rebuilds
    the graph; --wait applies to them.
    """
    store = open_store(db, neo4j, database=database, wait=wait, on_wait=_waiting)
    try:
        rows = store.run(statement, parse_params(params), write=write)
    finally:
        store.close()
    _emit(rows, fmt)


@click.command("rebuild")
@click.option("--db", default=None, metavar="PATH", type=click.Path(),
              help="Embedded store directory [default: ./graphkit.db].")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@wait_option
@user_errors
def rebuild_command(db: str | None, quiet: bool, wait: float) -> None:
    """Rebuild the embedded store's graph and search index from the records it keeps.

    Needed after upgrading graphkit when a command says the store "was built by another graphkit
    version" (reads never change a store), to upgrade a store made before store generations, and to
    drop changes made with `cypher --write`. Like ingest, it holds the store's writer lock, and an
    interrupted rebuild leaves the store as it was.
    """
    store = open_store(db, wait=wait, on_wait=_waiting)
    try:
        with progress_bar(enabled=not quiet) as progress:
            summary = store.rebuild(progress=progress)  # type: ignore[attr-defined]
    finally:
        store.close()
    counts = summary["counts"]
    click.echo(f"rebuilt {_where(db, None, None)}: " + ", ".join(f"{counts.get(label, 0)} {name}"
                                                                  for label, name in SUMMARY))


@click.command("search")
@click.argument("text")
@click.option("--limit", type=click.IntRange(1), default=10, show_default=True)
@click.option("--kind", type=click.Choice(("paper", "author", "term")), default=None,
              help="Only papers, authors, or keywords and MeSH terms [default: all].")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@store_options
@user_errors
def search_command(text: str, limit: int, kind: str | None, fmt: str, db: str | None, neo4j: str | None,
                   database: str | None) -> None:
    """Full-text search over papers (title, abstract, keywords, MeSH headings, author names, journal)
    and author and term names; best matches first.

    \b
    TEXT is words (all must match), "quoted phrases" and prefix* words, and
      author:NAME  title:WORD  journal:WORD  mesh:WORD  abstract:WORD   one field of a paper (papers only)
      a OR b                                                          either
      NOT word, -word                                                 leave out what matches
    Case, diacritics and letters like ı ø ł ß æ þ do not matter ("Akcayir" finds "Akçayır"). An ORCID,
    DOI (bare, doi: or URL), PMID or node key finds its node first, with score 1. The embedded
    store uses a SQLite FTS5 index ranked like Neo4j (BM25), Neo4j its full-text indexes.

    \b
    Examples:
      graphkit search "Barabasi scaling"
      graphkit search 'author:barabasi title:"scale free" NOT review' --kind paper
    """
    from graphkit.lookup import exact_rows

    store = open_store(db, neo4j, database=database)
    try:
        exact = exact_rows(store, text, kind)  # an ORCID, DOI, PMID or key names its node first
        rows = exact + [r for r in store.search(text, limit=limit, kind=kind)
                        if r["key"] not in {e["key"] for e in exact}][:max(0, limit - len(exact))]
    finally:
        store.close()
    for row in rows:
        row["score"] = round(row["score"], 4)
    _emit(rows, fmt)


# -- output -----------------------------------------------------------------------------------------

def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e6 else f"{value:.6g}"
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _emit(rows: list[dict[str, Any]], fmt: str) -> None:
    if fmt == "json":
        click.echo(dumps_json(rows, ensure_ascii=False, indent=1, default=str))
        return
    columns = list(rows[0]) if rows else []
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        if columns:
            writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
        return
    if not rows:
        click.echo("(no rows)", err=True)
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=False, header_style="bold")
    for c in columns:
        numeric = all(isinstance(r.get(c), (int, float)) or r.get(c) is None for r in rows)
        table.add_column(c, justify="right" if numeric else "left", overflow="fold")
    for row in rows:
        table.add_row(*(Text(_cell(row.get(c))) for c in columns))
    Console(soft_wrap=False).print(table)
    click.echo(f"{len(rows)} row(s)", err=True)


COMMANDS = [ingest_command, query_command, cypher_command, search_command, rebuild_command]
