"""CSV files for ``neo4j-admin database import full``: the bulk path for loads of millions of records.

``write_neo4j_admin(graph, out)`` writes into the directory ``out``:

* ``nodes_<Label>.header.csv`` + ``nodes_<Label>.csv`` per label: ``key:ID(<Label>)`` (one ID space per
  label, the key also stored as the ``key`` property), typed properties (``year:long``,
  ``check_tag:boolean``, ``sources:string[]``...) and, for papers, the derived search fields the Bolt
  loader also sets (``terms``, ``authors``, ``journal``, ``mesh``: the ``paper_text`` full-text index);
* ``rels_<TYPE>.header.csv`` + ``rels_<TYPE>.csv`` per relationship type: ``:START_ID(<Label>)``,
  ``:END_ID(<Label>)``, typed properties, ``:TYPE``;
* ``import.sh`` and ``COMMAND.txt``: the exact ``neo4j-admin database import full`` command;
* ``schema.cypher``: the constraints and indexes the Bolt loader creates, to run once after the import.

Every file is written to a temporary file and renamed (:mod:`graphkit.atomic`): a symbolic link in ``out``
is never written through, and files graphkit did not write are not overwritten without ``force``; all
targets are checked before the first file is written.

Values are written the way neo4j-admin reads them: strings always quoted with ``""`` doubling (so an
empty string stays an empty string and a missing value stays missing), newlines kept inside quotes
(``--multiline-fields=true``), arrays joined by ``;`` (or another delimiter when an element contains
``;``; the command says which).

A columnar graph (:class:`graphkit.columnar.ColumnarGraph`, what the engine builds) has its data files
written by DuckDB straight from the Arrow tables (``COPY ... TO`` with the same quoting, no Python loop per
value): DuckDB writes the temporary file of :func:`graphkit.atomic.atomic_target`, renamed over the target
when complete, so the output-safety rules above hold for both writers. The derived
search fields still come from their one definition, as tables there (:func:`graphkit.search.paper_documents_table`,
:func:`graphkit.sinks.neo4j.graph_terms_table`: computed by DuckDB, no dict per paper).
"""

from __future__ import annotations

import logging
import shlex
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graphkit.graph import Graph
from graphkit.memory import dropping_mapped_pages
from graphkit.progress import Progress, null_progress
from graphkit.search import DERIVED_FIELDS, documents
from graphkit.schema import EDGE_PROPERTIES, ENDPOINTS, NODE_PROPERTIES, Label, RelType

log = logging.getLogger(__name__)

# graphkit property type -> neo4j-admin header type (Python ints arrive over Bolt as 64-bit: long)
HEADER_TYPES: dict[str, str] = {"str": "string", "int": "long", "bool": "boolean", "list[str]": "string[]"}
ARRAY_DELIMITERS = (";", "|", "\u00a6", "\u001f")
DEFAULT_DATABASE = "neo4j"
DROP_PAGES_EVERY = 0.1  # seconds between two lettings-go of the mapped pages a COPY read


def _field(value: Any, type_name: str, array_delimiter: str) -> str:
    if value is None:
        return ""
    if type_name == "bool":
        return "true" if value else "false"
    if type_name == "int":
        return str(int(value))
    if type_name == "list[str]":
        if not value:
            return ""
        value = array_delimiter.join(str(v) for v in value)
    return '"' + str(value).replace('"', '""') + '"'


def _line(fields: Iterable[str]) -> str:
    return ",".join(fields) + "\n"


def _array_delimiter(graph: Graph) -> str:
    if hasattr(graph, "arrow"):
        return _arrow_array_delimiter(graph)
    used: set[str] = set()
    for label, props in NODE_PROPERTIES.items():
        lists = [p for p, t in props.items() if t == "list[str]"]
        for row in graph.nodes(label) if lists else ():
            for p in lists:
                for v in row.get(p) or ():
                    used.update(c for c in ARRAY_DELIMITERS if c in str(v))
    for type, props in EDGE_PROPERTIES.items():
        lists = [p for p, t in props.items() if t == "list[str]"]
        for row in graph.edges(type) if lists else ():
            for p in lists:
                for v in row.get(p) or ():
                    used.update(c for c in ARRAY_DELIMITERS if c in str(v))
    for c in ARRAY_DELIMITERS:
        if c not in used:
            return c
    raise ValueError("every candidate array delimiter occurs in the data")  # pragma: no cover


def _arrow_array_delimiter(graph: Any) -> str:
    import pyarrow.compute as pc

    used: set[str] = set()
    for item, props in [*NODE_PROPERTIES.items(), *EDGE_PROPERTIES.items()]:
        lists = [p for p, t in props.items() if t == "list[str]"]
        if not lists or not graph.count(item):
            continue
        table = graph.arrow(item)
        for p in lists:
            values = pc.list_flatten(table.column(p))
            used.update(c for c in ARRAY_DELIMITERS if pc.any(pc.match_substring(values, c)).as_py())
    for c in ARRAY_DELIMITERS:
        if c not in used:
            return c
    raise ValueError("every candidate array delimiter occurs in the data")  # pragma: no cover


class _ArrowWriter:
    """Data files of a columnar graph written by DuckDB from its Arrow tables: the fields of
    :func:`_field` (strings always quoted with ``""`` doubling, missing values and empty lists unquoted
    and empty, arrays joined by the delimiter, booleans true/false)."""

    def __init__(self, graph: Any, docs: Any) -> None:
        from contextlib import ExitStack

        from graphkit.columnar import bounded_duckdb

        self.graph = graph
        self._stack = ExitStack()
        self.con = self._stack.enter_context(bounded_duckdb())  # (the COPYs spill past the limit)
        self._docs = docs  # (paper_search_table; alive while DuckDB scans it)
        self.con.register("paper_docs", docs)

    @staticmethod
    def _expr(column: str, type_name: str, delim: str) -> tuple[str, bool]:
        """(SQL expression, quoted) of one output field."""
        if type_name == "list[str]":
            d = delim.replace("'", "''")
            return (f"CASE WHEN {column} IS NULL OR len({column}) = 0 THEN NULL "
                    f"ELSE array_to_string({column}, '{d}') END", True)
        if type_name == "str":
            return f"CAST({column} AS VARCHAR)", True
        if type_name == "bool":
            return f"CASE WHEN {column} IS NULL THEN NULL WHEN {column} THEN 'true' ELSE 'false' END", False
        if type_name == "const":
            return column, False
        return f"CAST({column} AS BIGINT)", False

    def write(self, item: Label | RelType, path: Path, fields: list[tuple[str, str]], delim: str, *,
              force: bool, join: str = "") -> None:
        from graphkit.atomic import OutputError, atomic_target

        table = self.graph.arrow(item)  # (held here while DuckDB scans it, let go after: a spilled table's
        self.con.register("t", table)  # pages are in memory only while this table is written)
        exprs, quoted = [], []
        for i, (column, type_name) in enumerate(fields):
            expr, quote = self._expr(column, type_name, delim)
            exprs.append(f"{expr} AS c{i}")
            if quote:
                quoted.append(f"c{i}")
        force_quote = f", FORCE_QUOTE ({', '.join(quoted)})" if quoted else ""
        try:
            # (the pages DuckDB reads of a table on disk are let go as it goes: at 1M the papers' file
            # was held whole while its CSV was written, beside the search documents)
            with atomic_target(path, force=force) as tmp, dropping_mapped_pages(DROP_PAGES_EVERY):
                target = str(tmp).replace("'", "''")
                self.con.execute(f"COPY (SELECT {', '.join(exprs)} FROM t {join}) TO '{target}' "
                                 f"(FORMAT CSV, HEADER false, QUOTE '\"', ESCAPE '\"', NULLSTR ''{force_quote})")
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
        finally:
            self.con.unregister("t")
            del table

    def close(self) -> None:
        self._stack.close()
        self._docs = None


def paper_terms(graph: Graph) -> dict[str, str]:
    """Paper key -> its keyword and MeSH names, distinct, "; "-joined, ordered as the Bolt loader does."""
    from graphkit.sinks.neo4j import graph_terms

    return graph_terms(graph)[0]


def paper_search_table(graph: Graph) -> Any:
    """The derived search fields (terms, authors, journal, mesh) the Bolt loader sets, as one Arrow table
    (``key`` and the DERIVED_FIELDS): :func:`graphkit.search.paper_documents_table` with ``terms`` as
    Cypher computes them (:func:`graphkit.sinks.neo4j.graph_terms_table`), joined by DuckDB."""
    from graphkit.columnar import query
    from graphkit.search import paper_documents_table
    from graphkit.sinks.neo4j import graph_terms_table

    others = ", ".join(f"d.{f}" for f in DERIVED_FIELDS if f != "terms")
    return query(graph, {"d": paper_documents_table(graph, terms=False), "t": graph_terms_table(graph)},
                 f"SELECT coalesce(d.key, t.key) AS key, t.terms, {others} FROM d "
                 "FULL OUTER JOIN (SELECT key, terms FROM t WHERE terms IS NOT NULL) t ON t.key = d.key")


SCRIPT_FILES = ("import.sh", "COMMAND.txt", "schema.cypher")


def planned_files(graph: Graph) -> list[str]:
    """The names of the files :func:`write_neo4j_admin` writes for ``graph``."""
    names = [f"nodes_{label.value}{part}" for label in Label if graph.count(label)
             for part in (".header.csv", ".csv")]
    names += [f"rels_{type.value}{part}" for type in RelType if graph.count(type) for part in (".header.csv", ".csv")]
    return names + list(SCRIPT_FILES)


def write_neo4j_admin(graph: Graph, out: Path, *, progress: Progress = null_progress,
                      database: str = DEFAULT_DATABASE, force: bool = False) -> dict[str, Any]:
    """Write node/relationship CSVs, headers, ``import.sh``, ``COMMAND.txt`` and ``schema.cypher`` into
    the directory ``out``; returns {"path", "nodes", "relationships", "command", "array_delimiter",
    "files" (how many were written)}."""
    from graphkit.atomic import check_targets, ensure_directory

    out = Path(out)
    ensure_directory(out)
    check_targets([out / name for name in planned_files(graph)], force=force)
    delim = _array_delimiter(graph)
    started = time.perf_counter()
    table = paper_search_table(graph)
    log.debug("search fields of %d papers: %.1f s", len(table), time.perf_counter() - started)
    # a columnar graph: DuckDB writes, the search fields joined as a table; a row graph: lines in Python
    arrow = _ArrowWriter(graph, table) if hasattr(graph, "arrow") else None
    docs = {} if arrow is not None else documents(table)
    try:
        summary = _write(graph, out, progress, database, force, delim, docs, arrow)
    finally:
        if arrow is not None:
            arrow.close()
    log.info("neo4j-admin files in %s", out)
    return summary


def _write_lines(path: Path, force: bool, lines: Iterable[str]) -> None:
    from graphkit.atomic import atomic_open

    with atomic_open(path, force=force, newline="") as fh:
        for line in lines:
            fh.write(line)


def _node_line(row: dict[str, Any], props: list[tuple[str, str]], extra: list[tuple[str, str]],
               docs: dict[str, dict[str, str]], delim: str) -> str:
    values = [_field(row["key"], "str", delim)]
    values += [_field(row.get(p), t, delim) for p, t in props]
    if extra:
        doc = docs.get(row["key"], {})
        values += [_field(doc.get(f), "str", delim) for f, _ in extra]
    return _line(values)


def _edge_line(row: dict[str, Any], props: list[tuple[str, str]], type: RelType, delim: str) -> str:
    values = [_field(row["source"], "str", delim), _field(row["target"], "str", delim)]
    values += [_field(row.get(p), t, delim) for p, t in props]
    values.append(type.value)
    return _line(values)


def _write(graph: Any, out: Path, progress: Progress, database: str, force: bool, delim: str,
           docs: dict[str, dict[str, str]], arrow: _ArrowWriter | None) -> dict[str, Any]:
    from graphkit.atomic import write_text
    from graphkit.sinks.neo4j import schema_statements

    args: list[str] = []
    files: list[str] = []
    summary: dict[str, Any] = {"path": str(out), "nodes": {}, "relationships": {}}

    for label in Label:
        count = graph.count(label)
        summary["nodes"][label.value] = count
        if not count:
            continue
        props = [(p, t) for p, t in NODE_PROPERTIES[label].items() if p != "key"]
        extra = [(f, "str") for f in DERIVED_FIELDS] if label is Label.PAPER else []
        header = [f"key:ID({label.value})"] + [f"{p}:{HEADER_TYPES[t]}" for p, t in props + extra]
        head_name, data_name = f"nodes_{label.value}.header.csv", f"nodes_{label.value}.csv"
        write_text(out / head_name, _line(header), force=force)
        progress(f"csv:{label.value}", 0, count)
        started = time.perf_counter()
        if arrow is not None:
            fields = [("t.key", "str")] + [(f"t.{p}", t) for p, t in props] + [(f"d.{f}", t) for f, t in extra]
            arrow.write(label, out / data_name, fields, delim, force=force,
                        join="LEFT JOIN paper_docs d ON d.key = t.key" if extra else "")
        else:
            _write_lines(out / data_name, force, (_node_line(row, props, extra, docs, delim)
                                                  for row in graph.nodes(label)))
        progress(f"csv:{label.value}", count, count)
        log.debug("%s: %d rows in %.1f s", data_name, count, time.perf_counter() - started)
        args.append(f"--nodes={label.value}={head_name},{data_name}")
        files += [head_name, data_name]

    for type in RelType:
        count = graph.count(type)
        summary["relationships"][type.value] = count
        if not count:
            continue
        start, end = ENDPOINTS[type]
        props = list(EDGE_PROPERTIES[type].items())
        header = [f":START_ID({start.value})", f":END_ID({end.value})"]
        header += [f"{p}:{HEADER_TYPES[t]}" for p, t in props] + [":TYPE"]
        head_name, data_name = f"rels_{type.value}.header.csv", f"rels_{type.value}.csv"
        write_text(out / head_name, _line(header), force=force)
        progress(f"csv:{type.value}", 0, count)
        started = time.perf_counter()
        if arrow is not None:
            fields = [("t.source", "str"), ("t.target", "str")] + [(f"t.{p}", t) for p, t in props]
            arrow.write(type, out / data_name, fields + [(f"'{type.value}'", "const")], delim, force=force)
        else:
            _write_lines(out / data_name, force, (_edge_line(row, props, type, delim) for row in graph.edges(type)))
        progress(f"csv:{type.value}", count, count)
        log.debug("%s: %d rows in %.1f s", data_name, count, time.perf_counter() - started)
        args.append(f"--relationships={head_name},{data_name}")
        files += [head_name, data_name]

    shown = delim if delim.isascii() and delim.isprintable() else f"U+{ord(delim):04X}"
    options = ["--id-type=string", "--multiline-fields=true", f"--array-delimiter={shown}",
               "--skip-duplicate-nodes=false", "--bad-tolerance=0", "--overwrite-destination=false"]
    argv = ["database", "import", "full", database, *options, *args]  # --nodes/--relationships take many values
    command = "neo4j-admin " + " ".join(shlex.quote(a) for a in argv)
    script = (
        "#!/usr/bin/env bash\n"
        "# Bulk-load this directory into an empty, stopped Neo4j database (Neo4j 5.x neo4j-admin).\n"
        "# NEO4J_ADMIN overrides the tool (e.g. 'docker compose exec neo4j neo4j-admin', or\n"
        "# 'scripts/neo4j admin --home DIR' in a graphkit checkout). First argument: database name.\n"
        "set -euo pipefail\n"
        'cd "$(dirname "$0")"\n'
        f'${{NEO4J_ADMIN:-neo4j-admin}} database import full "${{1:-{database}}}" \\\n  '
        + " \\\n  ".join(shlex.quote(a) for a in argv[4:]) + "\n"
    )
    write_text(out / "import.sh", script, force=force, executable=True)
    write_text(out / "COMMAND.txt",
               "Run in this directory, with the Neo4j DBMS stopped and the target database absent\n"
               "(add --overwrite-destination=true to replace it):\n\n"
               f"{command}\n\n"
               "Then start Neo4j and create graphkit's constraints and indexes once:\n\n"
               "cypher-shell -u neo4j -f schema.cypher\n", force=force)
    write_text(out / "schema.cypher", "".join(s + ";\n" for s in schema_statements()), force=force)
    files += list(SCRIPT_FILES)
    summary.update({"command": command, "array_delimiter": delim, "files": len(files)})
    return summary
