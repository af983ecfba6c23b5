"""Citation networks for VOSviewer (and anything else that wants weighted pairs): co-citation of cited
works, bibliographic coupling of papers, and the direct citation network of the papers of the set.

Each function returns ``(nodes, links)``: nodes ``key -> {"label", "documents", "avg_year", "url"}``
(``documents`` is the item's citation count: citations inside the graph) and links ``(a, b) -> weight``
with ``a < b``. As VOSviewer does ("maximum number of items"), only the ``MAX_ITEMS`` best-cited items
take part (ties by key), so a 100k-paper graph gives a map VOSviewer can draw.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations
from typing import Any

from graphkit.schema import Label, RelType

MAX_ITEMS = 1000
MIN_COCITED = 2  # a cited work takes part in the co-citation map when cited at least this often


def _label(row: dict[str, Any]) -> str:
    """VOSviewer's document label: 'first author (year)', else the title or reference, else the key."""
    author, year = row.get("first_author"), row.get("year")
    if author:
        return f"{author} ({year})" if year else author
    return row.get("title") or row.get("reference") or row["key"]


def _node(row: dict[str, Any], citations: int) -> dict[str, Any]:
    doi = row.get("doi")
    return {"label": _label(row), "documents": citations, "avg_year": row.get("year"),
            "url": f"https://doi.org/{doi}" if doi else None}


def _cited_by(graph: Any) -> Counter:
    return Counter(e["target"] for e in graph.edges(RelType.CITES))


def _top(keys: list[str], score: Counter, n: int = MAX_ITEMS) -> list[str]:
    return sorted(keys, key=lambda k: (-score.get(k, 0), k))[:n]


def cocitation_network(graph: Any, *, min_cited: int = MIN_COCITED, max_items: int = MAX_ITEMS):
    """Cited works (papers of the set or cited-only) linked by the number of papers citing both."""
    cited = _cited_by(graph)
    keep = set(_top([k for k, n in cited.items() if n >= min_cited], cited, max_items))
    refs: dict[str, list[str]] = defaultdict(list)
    for e in graph.edges(RelType.CITES):
        if e["target"] in keep:
            refs[e["source"]].append(e["target"])
    links: Counter = Counter()
    for targets in refs.values():
        for a, b in combinations(sorted(set(targets)), 2):
            links[(a, b)] += 1
    nodes = {k: _node(graph.node(Label.PAPER, k), cited[k]) for k in sorted(keep, key=lambda k: (-cited[k], k))}
    return nodes, {pair: float(w) for pair, w in links.items()}


def coupling_network(graph: Any, *, max_items: int = MAX_ITEMS):
    """Papers of the set linked by the number of references they share."""
    refs: dict[str, set[str]] = defaultdict(set)
    for e in graph.edges(RelType.CITES):
        refs[e["source"]].add(e["target"])
    cited = _cited_by(graph)
    keep = _top(list(refs), cited, max_items)
    keep_set = set(keep)
    citing: dict[str, list[str]] = defaultdict(list)
    for paper in keep:
        for target in refs[paper]:
            citing[target].append(paper)
    links: Counter = Counter()
    for papers in citing.values():
        for a, b in combinations(sorted(papers), 2):
            links[(a, b)] += 1
    nodes = {k: _node(graph.node(Label.PAPER, k), cited.get(k, 0)) for k in keep if k in keep_set}
    return nodes, {pair: float(w) for pair, w in links.items()}


def citation_network(graph: Any, *, max_items: int = MAX_ITEMS):
    """Papers of the set (no cited-only works) linked when one cites the other."""
    cited = _cited_by(graph)
    papers = [r["key"] for r in graph.nodes(Label.PAPER) if not r.get("cited_only")]
    keep = set(_top(papers, cited, max_items))
    links: dict[tuple[str, str], float] = {}
    for e in graph.edges(RelType.CITES):
        a, b = e["source"], e["target"]
        if a in keep and b in keep and a != b:
            links[(min(a, b), max(a, b))] = 1.0
    nodes = {k: _node(graph.node(Label.PAPER, k), cited.get(k, 0)) for k in sorted(keep, key=lambda k: (-cited.get(k, 0), k))}
    return nodes, links


NETWORKS = {"cocitation": cocitation_network, "coupling": coupling_network, "citation": citation_network}
