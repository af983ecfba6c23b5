"""Cited-only works in an incremental Neo4j store: no duplicates whichever comes first.

A graph built from some files knows only its own papers. Loading it into a store that already holds
other files meets two cases the in-memory build resolves by itself:

1. **the cited work arrives after its citers**: the store holds a cited-only Paper (key ``doi:…``,
   ``ref:author|year|volume|page`` or ``title:…``) and the graph brings the full paper. A full paper
   whose key, locator (``cite_key``) or title key names a stored cited-only node takes that node
   **in place**: the node is re-keyed to the paper's key (same node id, same incoming CITES), its
   cited-only properties are cleared, and the node load writes the full paper's properties
   (``cited_only: false``). Further aliases of the same paper are merged into it (their CITES moved,
   the alias deleted). A locator alias must fit the paper's journal (as in the build).
2. **the citer arrives after the cited work**: the graph holds a cited-only row for a work the store
   holds as a full paper. A ``ref:`` key found as a stored paper's ``cite_key`` (journal fitting) is
   mapped to that paper (the row is not written, its CITES point at the paper); a ``doi:``/``title:``
   key equal to a stored full paper's key is written with :data:`CITED_ONLY_NODE_QUERY`, which never
   overwrites a full paper.

Both directions therefore end where loading all files at once ends (tests/sinks/test_neo4j_cites.py).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from graphkit.citations.extension import title_key
from graphkit.graph import Graph
from graphkit.resolve.cites import journal_compatible
from graphkit.schema import Label, RelType

log = logging.getLogger(__name__)

P, CITES = Label.PAPER.value, RelType.CITES.value

# a cited-only row never overwrites a full paper; between two descriptions of one cited-only work the
# build's rule holds: the reference with a year, then the shortest text, then the smallest text
CITED_ONLY_NODE_QUERY = (
    f"UNWIND $rows AS row MERGE (n:{P} {{key: row.key}}) WITH n, row WHERE coalesce(n.cited_only, true) "
    "AND (n.reference IS NULL OR CASE WHEN (row.props.year IS NULL) <> (n.year IS NULL) THEN n.year IS NULL "
    "WHEN size(row.props.reference) <> size(n.reference) THEN size(row.props.reference) < size(n.reference) "
    "ELSE row.props.reference < n.reference END) SET n += row.props"
)
# stored full papers known by the locator key of a cited-only row, with their journal names
BY_CITE_KEY_QUERY = (
    f"UNWIND $keys AS k MATCH (p:{P} {{cite_key: k}}) WHERE p.cited_only = false "
    f"OPTIONAL MATCH (p)-[:{RelType.PUBLISHED_IN.value}]->(j:{Label.JOURNAL.value}) "
    "RETURN k AS alias, p.key AS key, [x IN [j.name, j.abbreviation] WHERE x IS NOT NULL] AS names"
)
# stored cited-only nodes named by an alias of a graph paper
ALIASES_QUERY = (
    f"UNWIND $rows AS row MATCH (c:{P} {{key: row.alias}}) WHERE c.cited_only = true "
    "RETURN row.key AS key, row.alias AS alias, c.source_title AS source"
)
EXISTS_QUERY = f"UNWIND $keys AS k MATCH (p:{P} {{key: k}}) RETURN k AS key"
REKEY_QUERY = f"MATCH (c:{P} {{key: $alias}}) WHERE c.cited_only = true SET c.key = $key"
MERGE_ALIAS_QUERY = (
    f"MATCH (c:{P} {{key: $alias}}) WHERE c.cited_only = true MATCH (p:{P} {{key: $key}}) "
    f"OPTIONAL MATCH (x:{P})-[r:{CITES}]->(c) "
    f"FOREACH (_ IN CASE WHEN x IS NULL OR x = p THEN [] ELSE [1] END | MERGE (x)-[:{CITES}]->(p)) "
    "DELETE r WITH DISTINCT c DETACH DELETE c"
)
# a stored cited-only node that a full paper of the graph now stands for: cleared before the node load
CLEAR_UPGRADED_QUERY = f"UNWIND $keys AS k MATCH (p:{P} {{key: k}}) WHERE p.cited_only = true SET p = {{key: k}}"


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def prepare(graph: Graph, read: Callable[[str, dict[str, Any]], list[dict[str, Any]]],
            write: Callable[[str, dict[str, Any]], Any], batch_size: int) -> dict[str, str]:
    """Run the upgrades of case 1 in the store and return case 2's mapping (cited-only row key -> stored
    paper key) for the node and edge load. A no-op (returns {}) for a graph without cited-only data."""
    papers = list(graph.nodes(Label.PAPER))
    if not any(p.get("cited_only") is not None for p in papers):
        return {}
    journal_of = {e["source"]: e["target"] for e in graph.edges(RelType.PUBLISHED_IN)}

    def names(key: str) -> list[str]:
        j = graph.node(Label.JOURNAL, journal_of[key]) if key in journal_of else None
        return [n for n in ((j or {}).get("name"), (j or {}).get("abbreviation")) if n]

    # case 1: full papers taking over stored cited-only nodes
    full = [p for p in papers if p.get("cited_only") is False]
    alias_rows = []
    for p in full:
        for alias in {p.get("cite_key"), title_key(p.get("title"), p.get("year"))} - {None, p["key"]}:
            alias_rows.append({"key": p["key"], "alias": alias})
    found: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for batch in _chunks(alias_rows, batch_size):
        for r in read(ALIASES_QUERY, {"rows": batch}):
            found[r["key"]].append((r["alias"], r["source"]))
    upgraded = 0
    if found:
        keys = sorted(found)
        stored: set[str] = set()
        for batch in _chunks(keys, batch_size):
            stored.update(r["key"] for r in read(EXISTS_QUERY, {"keys": batch}))
        for key in keys:
            aliases = sorted(a for a, source in found[key]
                             if not a.startswith("ref:") or journal_compatible(source, names(key)))
            for alias in aliases:
                if key not in stored:
                    write(REKEY_QUERY, {"alias": alias, "key": key})
                    stored.add(key)
                else:
                    write(MERGE_ALIAS_QUERY, {"alias": alias, "key": key})
                upgraded += 1
    full_keys = [p["key"] for p in full]
    for batch in _chunks(full_keys, batch_size):
        write(CLEAR_UPGRADED_QUERY, {"keys": batch})
    # case 2: cited-only rows of the graph that are stored full papers (by locator)
    mapping: dict[str, str] = {}
    refs = [p["key"] for p in papers if p.get("cited_only") and p["key"].startswith("ref:")]
    for batch in _chunks(refs, batch_size):
        hits: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
        for r in read(BY_CITE_KEY_QUERY, {"keys": batch}):
            hits[r["alias"]].append((r["key"], r["names"]))
        for alias, candidates in hits.items():
            source = (graph.node(Label.PAPER, alias) or {}).get("source_title")
            fits = sorted({k for k, n in candidates if journal_compatible(source, n)})
            if len(fits) == 1:
                mapping[alias] = fits[0]
    if upgraded or mapping:
        log.info("cited-only works: %d stored node(s) upgraded to full papers, %d cited-only row(s) mapped to "
                 "stored papers", upgraded, len(mapping))
    return mapping
