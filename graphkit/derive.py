"""Derived data: values computed from other nodes and edges, defined once for every store.

A derived property (a count, an aggregate, a relationship computed from others) is declared here as a
:class:`Derived` entry: ``compute(graph, options)`` recomputes it on an in-memory graph (the build, the
embedded store's rebuild and every exporter see the result), and ``cypher`` recomputes it in full on a
server store after a load (Neo4j), so no store keeps its own copy of the rule. Entries run in
registration order; features add theirs with :func:`register` (see :mod:`graphkit.extend`).

The core entries:

- ``co-author``: one CO_AUTHOR edge per unordered pair of authors of a paper (source < target), with
  ``papers`` (distinct shared papers), ``first_year`` and ``last_year``; papers with more than
  ``options.coauthor_cap`` authors get no pairs (counted as ``papers_over_cap``).
- ``term-papers``: ``papers`` on Keyword and MeshTerm: the number of papers linked to the term.

The Neo4j sink recomputes these two incrementally (only the pairs and terms a load touched) with the
same rule; ``cypher`` here is the full recompute a server store can always fall back on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from graphkit.schema import Label, RelType

# term label -> the relationship whose links its derived ``papers`` property counts
TERM_LINKS = {Label.KEYWORD: RelType.HAS_KEYWORD, Label.MESH: RelType.HAS_MESH}


@dataclass(frozen=True, slots=True)
class Derived:
    name: str
    targets: tuple[str, ...]  # "Label.property" or "REL_TYPE" names it writes (for docs and checks)
    compute: Callable[[Any, Any], dict[str, Any] | None]  # (graph, options) -> report figures or None
    cypher: tuple[str, ...] = ()  # full recompute on a server store; parameters: $cap (co-author cap)
    # the same rule as SQL for the columnar core's engines (DuckDB, Spark): options -> steps in order,
    # each (target, sql) or a WorkTable; target is the Label/RelType value whose table the query
    # replaces, or "figures" (one row: report figures). Tables are named "{Paper}", "{AUTHORED}", ...
    # (str.format placeholders of the values), work tables "{name}".
    sql: Callable[[Any], Sequence[Step]] | None = None


@dataclass(frozen=True, slots=True)
class Parts:
    """A step run in parts, one per ``rows`` rows of the table ``sized`` (at least one part). The step's
    SQL reads ``{part}`` and ``{parts}`` (numbers) and keeps the rows of its part by a hash, for example
    ``abs(hash(a.source) % {parts}) = {part}`` (the same in Spark SQL and DuckDB). The parts must split
    the step's groups (hash a grouping key), so that their rows together are the step's result. For a
    rule whose one query would hold more than the engine's memory share at once: at 10M records the
    co-author pairs ran DuckDB out of its 921 MB in one query, and fit in parts."""
    sized: str
    rows: int


@dataclass(frozen=True, slots=True)
class WorkTable:
    """A table the later steps of an SQL rule read as ``{name}``; it goes when the rule ends. With
    ``step``, the table built by ``sql`` is then replaced by ``step`` (which reads ``{name}`` as it
    stands) round after round, until a round leaves its row count unchanged or ``rounds`` have run: a
    loop for Spark SQL, which has no recursive query. ``step`` must only ever add rows (so an unchanged
    count is an unchanged table). One query unrolled into its rounds would hold every round's hash
    tables at once (at 1M records the MeSH closure took 1.4 GB that way; materialised round by round,
    the rule fits in 512 MB). With ``parts`` (not with ``step``), ``sql`` is built part by part
    (:class:`Parts`) and ``{name}`` reads them all."""
    name: str
    sql: str
    step: str | None = None
    rounds: int = 64
    parts: Parts | None = None


@dataclass(frozen=True, slots=True)
class PartedStep:
    """A ``(target, sql)`` step run in :class:`Parts`: the parts' rows together are the target's table."""
    target: str
    sql: str
    parts: Parts


Step = tuple[str, str] | WorkTable | PartedStep


def compute_coauthors(graph: Any, options: Any) -> dict[str, Any]:
    """CO_AUTHOR from AUTHORED edges and paper years (replaces any CO_AUTHOR edges already there)."""
    cap = getattr(options, "coauthor_cap", 100)
    by_paper: dict[str, list[str]] = {}
    for e in graph.edges(RelType.AUTHORED):
        by_paper.setdefault(e["target"], []).append(e["source"])
    clear = getattr(graph, "clear_edges", None)
    if clear is not None:
        clear(RelType.CO_AUTHOR)
    over_cap = 0
    co_author, co_edge, add_edge = RelType.CO_AUTHOR, graph.edge, graph.add_edge  # the innermost loop
    for paper, authors in by_paper.items():
        ordered = sorted(set(authors))
        if len(ordered) > cap:
            over_cap += 1
            continue
        node = graph.node(Label.PAPER, paper)
        year = node.get("year") if node else None
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                row = co_edge(co_author, a, b)
                if row is None:
                    add_edge(co_author, a, b, papers=1, first_year=year, last_year=year)
                else:
                    row["papers"] += 1
                    if year is not None:
                        row["first_year"] = year if row["first_year"] is None else min(row["first_year"], year)
                        row["last_year"] = year if row["last_year"] is None else max(row["last_year"], year)
    return {"cap": cap, "papers_over_cap": over_cap}


def count_term_papers(graph: Any, options: Any = None) -> None:
    """Set ``papers`` on every Keyword and MeshTerm: the number of papers linked to it (HAS_KEYWORD /
    HAS_MESH edges; at most one per paper and term). A denormalised count, so ranking terms by papers
    reads one property per term instead of aggregating every link (445k links on 100k papers)."""
    for label, rel in TERM_LINKS.items():
        counts = Counter(e["target"] for e in graph.edges(rel))
        for row in graph.nodes(label):
            row["papers"] = counts.get(row["key"], 0)


_COAUTHOR_CYPHER = (
    f"MATCH (:{Label.AUTHOR.value})-[r:{RelType.CO_AUTHOR.value}]->(:{Label.AUTHOR.value}) DELETE r",
    f"MATCH (p:{Label.PAPER.value})<-[:{RelType.AUTHORED.value}]-(a:{Label.AUTHOR.value}) "
    "WITH p, collect(DISTINCT a) AS authors WHERE size(authors) <= $cap "
    "UNWIND authors AS s UNWIND authors AS t WITH p, s, t WHERE s.key < t.key "
    "WITH s, t, count(DISTINCT p) AS n, min(p.year) AS fy, max(p.year) AS ly "
    f"MERGE (s)-[r:{RelType.CO_AUTHOR.value}]->(t) SET r.papers = n, r.first_year = fy, r.last_year = ly",
)

_TERM_CYPHER = tuple(
    f"MATCH (t:{label.value}) SET t.papers = size([(t)<-[:{rel.value}]-(:{Label.PAPER.value}) | 1])"
    for label, rel in TERM_LINKS.items())



# the co-author rule's parts (Parts): AUTHORED rows per part of its input table, and per part of the pairs
# (a part of the pairs joins its authors' links with every link of their papers, and groups the pairs)
COAUTHOR_INPUT_ROWS = 4_000_000
COAUTHOR_PAIR_ROWS = 1_000_000


def _coauthor_sql(options: Any) -> list[Step]:
    """The pairs of authors of each paper within the cap, counted. Two steps, each in parts: each paper's
    distinct (author, paper) links with its year and number of authors, by paper; then the pairs of the
    papers within the cap, by their first author. (Distinct pairs counted, not count(DISTINCT ...): DuckDB spills a grouping, not a distinct
    aggregate's sets; at 2M records the latter ran out of memory at 1 GB. In one query, at 10M records,
    the rule ran out of DuckDB's 921 MB share after 11.7 GB of spill; so did the links' DISTINCT alone.)"""
    cap = int(getattr(options, "coauthor_cap", 100))
    # (each paper's authors are its distinct links: an author named twice on a paper is one author)
    links = "SELECT DISTINCT source, target FROM {AUTHORED} WHERE abs(hash(target) % {parts}) = {part}"
    return [
        WorkTable("links",
                  f"SELECT d.source, d.target, p.year, c.n FROM ({links}) d "
                  f"JOIN (SELECT target, count(*) AS n FROM ({links}) x GROUP BY target) c ON c.target = d.target "
                  "LEFT JOIN (SELECT key, year FROM {Paper} WHERE abs(hash(key) % {parts}) = {part}) p "
                  "ON p.key = d.target",
                  parts=Parts("{AUTHORED}", COAUTHOR_INPUT_ROWS)),
        PartedStep(RelType.CO_AUTHOR.value,
                   "SELECT a.source, b.source AS target, count(*) AS papers, min(a.year) AS first_year, "
                   "max(a.year) AS last_year FROM {links} a JOIN {links} b ON b.target = a.target "
                   f"AND a.source < b.source WHERE a.n <= {cap} AND abs(hash(a.source) % {{parts}}) = {{part}} "
                   "GROUP BY a.source, b.source",
                   Parts("{AUTHORED}", COAUTHOR_PAIR_ROWS)),
        ("figures", f"SELECT {cap} AS cap, count(*) AS papers_over_cap FROM "
                    f"(SELECT DISTINCT target FROM {{links}} WHERE n > {cap}) x"),
    ]


def _term_sql(options: Any) -> list[tuple[str, str]]:  # noqa: ARG001
    from graphkit.schema import NODE_PROPERTIES

    out = []
    for label, rel in TERM_LINKS.items():
        cols = ", ".join(f"n.{p}" for p in NODE_PROPERTIES[label] if p != "papers")
        out.append((label.value,
                    f"SELECT {cols}, coalesce(c.n, 0) AS papers FROM {{{label.value}}} n "
                    f"LEFT JOIN (SELECT target, count(*) AS n FROM {{{rel.value}}} GROUP BY target) c "
                    "ON c.target = n.key"))
    return out


_REGISTRY: dict[str, Derived] = {}


def register(entry: Derived) -> Derived:
    """Add a derived entry (features call this at import time); a name registered twice is replaced."""
    _REGISTRY[entry.name] = entry
    return entry


def entries() -> list[Derived]:
    """Every derived entry in run order (core entries first, then the extensions')."""
    from graphkit.extend import extensions

    extensions()  # importing the extension modules registers their entries
    return list(_REGISTRY.values())


def derive_all(graph: Any, options: Any) -> dict[str, dict[str, Any]]:
    """Recompute every derived entry on ``graph``; returns report figures by entry name."""
    out: dict[str, dict[str, Any]] = {}
    for entry in entries():
        figures = entry.compute(graph, options)
        if figures:
            out[entry.name] = figures
    return out


register(Derived("co-author", (RelType.CO_AUTHOR.value,), compute_coauthors, _COAUTHOR_CYPHER, _coauthor_sql))
register(Derived("term-papers", ("Keyword.papers", "MeshTerm.papers"), count_term_papers, _TERM_CYPHER,
                 _term_sql))
