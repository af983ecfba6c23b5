"""CSV files for ``neo4j-admin database import full``: the bulk path for loads of millions of records.

``write_neo4j_admin(graph, out)`` writes into the directory ``out``:

* ``nodes_<Label>.header.csv`` + ``nodes_<Label>.csv`` per label: ``key:ID(<Label>)`` (one ID space per
  label, the key also stored as the ``key`` property), typed properties (``year:long``,
  ``check_tag:boolean``, ``sources:string[]``...) and, for papers, the ``terms`` property the Bolt loader
  also sets (for the ``paper_text`` full-text index);
* ``rels_<TYPE>.header.csv`` + ``rels_<TYPE>.csv`` per relationship type: ``:START_ID(<Label>)``,
  ``:END_ID(<Label>)``, typed properties, ``:TYPE``;
* ``import.sh`` and ``COMMAND.txt``: the exact ``neo4j-admin database import full`` command;
* ``schema.cypher``: the constraints and indexes the Bolt loader creates, to run once after the import.

Values are written the way neo4j-admin reads them: strings always quoted with ``""`` doubling (so an
empty string stays an empty string and a missing value stays missing), newlines kept inside quotes
(``--multiline-fields=true``), arrays joined by ``;`` (or another delimiter when an element contains
``;``; the command says which).
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graphkit.graph import Graph
from graphkit.progress import Progress, null_progress
from graphkit.schema import EDGE_PROPERTIES, ENDPOINTS, NODE_PROPERTIES, Label, RelType

log = logging.getLogger(__name__)

# graphkit property type -> neo4j-admin header type (Python ints arrive over Bolt as 64-bit: long)
HEADER_TYPES: dict[str, str] = {"str": "string", "int": "long", "bool": "boolean", "list[str]": "string[]"}
ARRAY_DELIMITERS = (";", "|", "\u00a6", "\u001f")
DEFAULT_DATABASE = "neo4j"


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


def paper_terms(graph: Graph) -> dict[str, str]:
    """Paper key -> its keyword and MeSH names, distinct, "; "-joined, ordered as the Bolt loader does."""
    from graphkit.sinks.neo4j import graph_terms

    return graph_terms(graph)[0]


class _ArrowWriter:
    """Data files written by DuckDB straight from a columnar graph's Arrow tables (``graph.arrow``):
    the same fields as :func:`_field` (strings always quoted with ``""`` doubling, missing values and
    empty lists unquoted and empty, arrays joined by the delimiter), without a Python loop per value."""

    def __init__(self, graph: Any) -> None:
        import duckdb

        self.graph = graph
        self.con = duckdb.connect()
        self._tables: list[Any] = []

    def register(self, name: str, table: Any) -> None:
        self._tables.append(table)
        self.con.unregister(name)
        self.con.register(name, table)

    def delimiter(self) -> str:
        used: set[str] = set()
        for item, props in [*NODE_PROPERTIES.items(), *EDGE_PROPERTIES.items()]:
            for p, t in props.items():
                if t != "list[str]" or not self.graph.count(item):
                    continue
                self.register("t", self.graph.arrow(item))
                for c in ARRAY_DELIMITERS:
                    hit = self.con.execute(f"SELECT count(*) FROM (SELECT unnest({p}) AS v FROM t) "
                                           "WHERE contains(v, ?)", [c]).fetchall()
                    if hit[0][0]:
                        used.add(c)
        for c in ARRAY_DELIMITERS:
            if c not in used:
                return c
        raise ValueError("every candidate array delimiter occurs in the data")  # pragma: no cover

    @staticmethod
    def _expr(column: str, type_name: str, delim: str) -> tuple[str, bool]:
        """(SQL expression, force quotes) for one output field."""
        if type_name == "list[str]":
            return (f"CASE WHEN {column} IS NULL OR len({column}) = 0 THEN NULL "
                    f"ELSE array_to_string({column}, '{delim}') END", True)
        if type_name == "str":
            return f"CAST({column} AS VARCHAR)", True
        if type_name == "raw":
            return column, False
        if type_name == "bool":
            return f"CASE WHEN {column} IS NULL THEN NULL WHEN {column} THEN 'true' ELSE 'false' END", False
        return f"CAST({column} AS BIGINT)", False

    def write(self, item: Label | RelType, path: Path, fields: list[tuple[str, str]], delim: str,
              extra_sql: str = "") -> None:
        self.register("t", self.graph.arrow(item))
        exprs, quoted = [], []
        for i, (column, type_name) in enumerate(fields):
            expr, force = self._expr(column, type_name, delim)
            exprs.append(f"{expr} AS c{i}")
            if force:
                quoted.append(f"c{i}")
        force = f", FORCE_QUOTE ({', '.join(quoted)})" if quoted else ""
        target = str(path).replace("'", "''")
        self.con.execute(f"COPY (SELECT {', '.join(exprs)} FROM t {extra_sql}) TO '{target}' "
                         f"(FORMAT CSV, HEADER false, QUOTE '\"', ESCAPE '\"', NULLSTR ''{force})")

    def paper_terms(self) -> None:
        """A ``paper_terms`` table: each paper's distinct keyword and MeSH names, code-point order,
        joined as graphkit.sinks.neo4j.graph_terms joins them."""
        from graphkit.sinks.neo4j import TERMS_SEPARATOR

        self.register("hk", self.graph.arrow(RelType.HAS_KEYWORD))
        self.register("hm", self.graph.arrow(RelType.HAS_MESH))
        self.register("kn", self.graph.arrow(Label.KEYWORD))
        self.register("mn", self.graph.arrow(Label.MESH))
        sep = TERMS_SEPARATOR.replace("'", "''")
        self.con.execute(
            "CREATE TABLE paper_terms AS SELECT source, string_agg(DISTINCT name, '" + sep + "' "
            "ORDER BY name COLLATE \"binary\") AS terms FROM ("
            "SELECT e.source, n.name FROM hk e JOIN kn n ON n.key = e.target WHERE n.name IS NOT NULL "
            "UNION ALL SELECT e.source, n.name FROM hm e JOIN mn n ON n.key = e.target WHERE n.name IS NOT NULL"
            ") x GROUP BY source")

    def close(self) -> None:
        self.con.close()


def write_neo4j_admin(graph: Graph, out: Path, *, progress: Progress = null_progress,
                      database: str = DEFAULT_DATABASE) -> dict[str, Any]:
    """Write node/relationship CSVs, headers, ``import.sh``, ``COMMAND.txt`` and ``schema.cypher`` into
    the directory ``out``; returns {"path", "nodes", "relationships", "command", "array_delimiter",
    "files" (how many were written)}."""
    from graphkit.sinks.neo4j import schema_statements

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    arrow = _ArrowWriter(graph) if hasattr(graph, "arrow") else None  # a columnar graph: DuckDB writes
    try:
        return _write(graph, out, progress, database, arrow)
    finally:
        if arrow is not None:
            arrow.close()


def _write(graph: Any, out: Path, progress: Progress, database: str, arrow: _ArrowWriter | None) -> dict[str, Any]:
    from graphkit.sinks.neo4j import schema_statements

    delim = arrow.delimiter() if arrow is not None else _array_delimiter(graph)
    terms: dict[str, str] = {}
    if arrow is not None:
        arrow.paper_terms()
    else:
        terms = paper_terms(graph)
    args: list[str] = []
    files: list[str] = []
    summary: dict[str, Any] = {"path": str(out), "nodes": {}, "relationships": {}}

    for label in Label:
        count = graph.count(label)
        summary["nodes"][label.value] = count
        if not count:
            continue
        props = [(p, t) for p, t in NODE_PROPERTIES[label].items() if p != "key"]
        extra = [("terms", "str")] if label is Label.PAPER else []
        header = [f"key:ID({label.value})"] + [f"{p}:{HEADER_TYPES[t]}" for p, t in props + extra]
        head_name, data_name = f"nodes_{label.value}.header.csv", f"nodes_{label.value}.csv"
        (out / head_name).write_text(_line(header), encoding="utf-8")
        progress(f"csv:{label.value}", 0, count)
        if arrow is not None:
            fields = [("t.key", "str")] + [(f"t.{p}", t) for p, t in props]
            join = ""
            if extra:
                fields.append(("pt.terms", "str"))
                join = "LEFT JOIN paper_terms pt ON pt.source = t.key"
            arrow.write(label, out / data_name, fields, delim, join)
        else:
            with open(out / data_name, "w", encoding="utf-8", newline="") as fh:
                for row in graph.nodes(label):
                    values = [_field(row["key"], "str", delim)]
                    values += [_field(row.get(p), t, delim) for p, t in props]
                    if extra:
                        values.append(_field(terms.get(row["key"]), "str", delim))
                    fh.write(_line(values))
        progress(f"csv:{label.value}", count, count)
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
        (out / head_name).write_text(_line(header), encoding="utf-8")
        progress(f"csv:{type.value}", 0, count)
        if arrow is not None:
            fields = [("t.source", "str"), ("t.target", "str")] + [(f"t.{p}", t) for p, t in props]
            fields.append((f"'{type.value}'", "raw"))
            arrow.write(type, out / data_name, fields, delim)
        else:
            with open(out / data_name, "w", encoding="utf-8", newline="") as fh:
                for row in graph.edges(type):
                    values = [_field(row["source"], "str", delim), _field(row["target"], "str", delim)]
                    values += [_field(row.get(p), t, delim) for p, t in props]
                    values.append(type.value)
                    fh.write(_line(values))
        progress(f"csv:{type.value}", count, count)
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
    (out / "import.sh").write_text(script, encoding="utf-8")
    (out / "import.sh").chmod(0o755)
    (out / "COMMAND.txt").write_text(
        "Run in this directory, with the Neo4j DBMS stopped and the target database absent\n"
        "(add --overwrite-destination=true to replace it):\n\n"
        f"{command}\n\n"
        "Then start Neo4j and create graphkit's constraints and indexes once:\n\n"
        "cypher-shell -u neo4j -f schema.cypher\n", encoding="utf-8")
    (out / "schema.cypher").write_text("".join(s + ";\n" for s in schema_statements()), encoding="utf-8")
    files += ["import.sh", "COMMAND.txt", "schema.cypher"]
    summary.update({"command": command, "array_delimiter": delim, "files": len(files)})
    log.info("neo4j-admin files in %s", out)
    return summary
