"""Collaboration between institutions and between countries: one network, drawn as an HTML map
(``graphkit viz institutions|countries``) and written for VOSviewer (``--network institutions|countries``).

Two institutions (countries) are linked by the number of papers that give addresses at both; a node's
size is its number of papers. A paper counts once per institution (country), however many of its
authors were there. The map functions live here, apart from :mod:`graphkit.analysis`, which only
dispatches to them.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from itertools import combinations
from typing import Any

import networkx as nx

from graphkit.graph import Graph
from graphkit.schema import Label, RelType

log = logging.getLogger(__name__)

LEVELS = ("institutions", "countries")
TITLES = {"institutions": "Institution collaboration", "countries": "Country collaboration"}


def _targets_by_paper(graph: Graph, level: str) -> dict[str, list[str]]:
    """paper key -> institution keys (or country keys) named in its addresses, each once, sorted."""
    country_of: dict[str, str] = {}
    if level == "countries":
        country_of = {e["source"]: e["target"] for e in graph.edges(RelType.LOCATED_IN)}
    out: dict[str, set[str]] = defaultdict(set)
    for e in graph.edges(RelType.HAS_AFFILIATION):
        target = country_of.get(e["target"]) if level == "countries" else e["target"]
        if target is not None:
            out[e["source"]].add(target)
    return {paper: sorted(targets) for paper, targets in out.items()}


def collaboration_network(graph: Graph, level: str, *, since: int | None = None,
                          min_weight: int = 1) -> nx.Graph:
    """Institutions or countries (with a paper in the window) linked by their shared papers.

    Node attributes: ``label``, ``kind`` (Institution | Country), ``papers`` (paper keys), ``country``
    (institutions: the country's name); edge attribute ``weight`` (shared papers)."""
    if level not in LEVELS:
        raise ValueError(f"unknown collaboration level {level!r}; known: {', '.join(LEVELS)}")
    label = Label.INSTITUTION if level == "institutions" else Label.COUNTRY
    years = {row["key"]: row.get("year") for row in graph.nodes(Label.PAPER)}
    papers_of: dict[str, list[str]] = defaultdict(list)
    pairs: Counter[tuple[str, str]] = Counter()
    for paper, targets in _targets_by_paper(graph, level).items():
        year = years.get(paper)
        if since is not None and (year is None or year < since):
            continue
        for t in targets:
            papers_of[t].append(paper)
        for a, b in combinations(targets, 2):
            pairs[(a, b)] += 1
    countries = {row["key"]: row.get("name") for row in graph.nodes(Label.COUNTRY)}
    located = {e["source"]: e["target"] for e in graph.edges(RelType.LOCATED_IN)}
    g = nx.Graph()
    for row in graph.nodes(label):
        mine = papers_of.get(row["key"])
        if mine:
            attrs: dict[str, Any] = {"label": row.get("name") or row["key"], "kind": str(label), "papers": mine}
            if label is Label.INSTITUTION:
                attrs["country"] = countries.get(located.get(row["key"], ""), None)
            g.add_node(row["key"], **attrs)
    for (a, b), n in pairs.items():
        if n >= max(min_weight, 1):
            g.add_edge(a, b, weight=n)
    return g


def vosviewer_network(graph: Graph, level: str) -> tuple[dict[str, dict[str, Any]], dict[tuple[str, str], float]]:
    """Nodes (label, documents, average year) and links (shared papers) in graphkit.sinks.vosviewer's shape."""
    net = collaboration_network(graph, level)
    years = {row["key"]: row.get("year") for row in graph.nodes(Label.PAPER)}
    nodes = {}
    for key, data in net.nodes(data=True):
        ys = [y for p in data["papers"] if isinstance(y := years.get(p), int)]
        nodes[key] = {"label": data["label"], "documents": len(data["papers"]),
                      "avg_year": sum(ys) / len(ys) if ys else None}
    links = {(a, b) if a < b else (b, a): float(w) for a, b, w in net.edges(data="weight", default=1)}
    return nodes, links


def select_collaboration_map(graph: Graph, level: str, *, top: int, min_weight: int = 1,
                             since: int | None = None, seed: int = 42):
    """The :class:`graphkit.analysis.Selection` of an institution or country collaboration map."""
    from graphkit.analysis import (MapEdge, MapNode, Selection, _community_list, _years_text, communities, layout,
                                   top_by_degree)

    net = collaboration_network(graph, level, since=since, min_weight=min_weight)
    sub = top_by_degree(net, top)
    comm = communities(sub, seed=seed)
    pos = layout(sub, comm, seed=seed)
    years = {row["key"]: row.get("year") for row in graph.nodes(Label.PAPER)}
    nodes = []
    for v, data in sub.nodes(data=True):
        papers = data["papers"]
        info = [("papers", str(len(papers))), ("years", _years_text(years.get(p) for p in papers)),
                ("partners", str(net.degree(v)))]
        if data.get("country"):
            info.insert(0, ("country", data["country"]))
        x, y = pos[v]
        nodes.append(MapNode(v, data["label"], data["kind"], float(len(papers)), comm[v], x, y, info))
    edges = [MapEdge(a, b, float(w), "COLLABORATES") for a, b, w in sub.edges(data="weight", default=1)]
    return Selection(level, TITLES[level], level, nodes, edges, net.number_of_nodes(), _community_list(sub, comm),
                     sorted({n.kind for n in nodes}))
