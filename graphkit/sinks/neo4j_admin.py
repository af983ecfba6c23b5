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
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graphkit.graph import Graph
from graphkit.progress import Progress, null_progress
from graphkit.search import DERIVED_FIELDS
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


def paper_search_fields(graph: Graph) -> dict[str, dict[str, str]]:
    """Paper key -> the derived search fields (terms, authors, journal, mesh) the Bolt loader sets."""
    from graphkit.search import paper_documents

    docs = paper_documents(graph)
    for key, terms in paper_terms(graph).items():
        docs.setdefault(key, {})["terms"] = terms
    return docs


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
    from graphkit.atomic import atomic_open, check_targets, ensure_directory, write_text
    from graphkit.sinks.neo4j import schema_statements

    out = Path(out)
    ensure_directory(out)
    check_targets([out / name for name in planned_files(graph)], force=force)
    delim = _array_delimiter(graph)
    docs = paper_search_fields(graph)
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
        with atomic_open(out / data_name, force=force, newline="") as fh:
            for row in graph.nodes(label):
                values = [_field(row["key"], "str", delim)]
                values += [_field(row.get(p), t, delim) for p, t in props]
                if extra:
                    doc = docs.get(row["key"], {})
                    values += [_field(doc.get(f), "str", delim) for f, _ in extra]
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
        write_text(out / head_name, _line(header), force=force)
        progress(f"csv:{type.value}", 0, count)
        with atomic_open(out / data_name, force=force, newline="") as fh:
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
    log.info("neo4j-admin files in %s", out)
    return summary
