"""The graph as a VOSviewer network: co-authorship (of authors, organizations or countries), keyword
co-occurrence, or a citation network (co-citation of cited works, bibliographic coupling of papers,
direct citation; graphkit.citations.networks), in VOSviewer's JSON file type.

The file follows https://app.vosviewer.com/docs/file-types/json-file-type/: ``{"network": {"items": [...],
"links": [...], "clusters": [...]}}``; items carry id, label, cluster, weights and scores, links carry
source_id, target_id and strength. Clusters come from Louvain community detection (networkx, fixed seed, so
the same graph gives the same clusters), numbered from 1 by decreasing size; VOSviewer allows clusters 1-1000,
so items of smaller communities beyond the 1000th get no cluster. No x/y: VOSviewer lays the map out itself.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

from graphkit.graph import Graph
from graphkit.model import GraphkitError
from graphkit.progress import Progress, null_progress
from graphkit.schema import Label, RelType
from graphkit.resolve.authors import normalise_orcid  # the core one: no rdflib needed for a JSON map

log = logging.getLogger(__name__)

NETWORKS = ("coauthors", "keywords", "terms", "institutions", "countries", "cocitation", "coupling",
            "citation")
LOUVAIN_SEED = 42
MAX_CLUSTERS = 1000  # VOSviewer: "a cluster is represented by an integer between 1 and 1000"

# network -> (weight name of an item's paper count, VOSviewer terminology)
def _terms(item: str, items: str, link: str, link_strength: str) -> dict[str, str]:
    return {"item": item, "items": items, "link": link, "links": link + "s", "link_strength": link_strength,
            "total_link_strength": "total link strength"}


TERMINOLOGY: dict[str, dict[str, str]] = {
    "coauthors": _terms("author", "authors", "co-authorship link", "documents"),
    "keywords": _terms("keyword", "keywords", "co-occurrence link", "co-occurrences"),
    "terms": _terms("term", "terms", "co-occurrence link", "co-occurrences"),
    "institutions": _terms("organization", "organizations", "co-authorship link", "documents"),
    "countries": _terms("country", "countries", "co-authorship link", "documents"),
    "cocitation": _terms("cited reference", "cited references", "co-citation link", "co-citations"),
    "coupling": _terms("document", "documents", "bibliographic coupling link", "shared references"),
    "citation": _terms("document", "documents", "citation link", "citations"),
}
# the item weight that sizes the circles, per network
DOCUMENT_WEIGHT = {"coauthors": "Documents", "institutions": "Documents", "countries": "Documents",
                   "keywords": "Occurrences", "terms": "Occurrences",
                   "cocitation": "Citations", "coupling": "Citations", "citation": "Citations"}


def _paper_years(graph: Graph) -> dict[str, int]:
    return {row["key"]: row["year"] for row in graph.nodes(Label.PAPER) if isinstance(row.get("year"), int)}


def coauthor_network(graph: Graph) -> tuple[dict[str, dict[str, Any]], dict[tuple[str, str], float]]:
    """Authors (label, documents, average year) and co-authorship links weighted by common papers."""
    years = _paper_years(graph)
    docs: Counter[str] = Counter()
    year_sum: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in graph.edges(RelType.AUTHORED):
        docs[row["source"]] += 1
        if (y := years.get(row["target"])) is not None:
            acc = year_sum[row["source"]]
            acc[0] += y
            acc[1] += 1
    nodes = {}
    for row in graph.nodes(Label.AUTHOR):
        key = row["key"]
        s, n = year_sum.get(key, (0, 0))
        nodes[key] = {"label": row.get("name") or row.get("family") or key, "documents": docs.get(key, 0),
                      "avg_year": s / n if n else None, "orcid": row.get("orcid")}
    links = {}
    for row in graph.edges(RelType.CO_AUTHOR):
        if row["source"] in nodes and row["target"] in nodes and row["source"] != row["target"]:
            links[(row["source"], row["target"])] = float(row.get("papers") or 1)
    return nodes, links


def keyword_network(graph: Graph, *, include_check_tags: bool = False
                    ) -> tuple[dict[str, dict[str, Any]], dict[tuple[str, str], float]]:
    """Keywords (label, occurrences, average year) linked by the number of papers they share."""
    years = _paper_years(graph)
    keep = {row["key"]: row for row in graph.nodes(Label.KEYWORD) if include_check_tags or not row.get("check_tag")}
    per_paper: dict[str, list[str]] = defaultdict(list)
    for row in graph.edges(RelType.HAS_KEYWORD):
        if row["target"] in keep:
            per_paper[row["source"]].append(row["target"])
    occurrences: Counter[str] = Counter()
    year_sum: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    links: Counter[tuple[str, str]] = Counter()
    for paper, kws in per_paper.items():
        kws = sorted(set(kws))
        y = years.get(paper)
        for k in kws:
            occurrences[k] += 1
            if y is not None:
                year_sum[k][0] += y
                year_sum[k][1] += 1
        for a, b in combinations(kws, 2):
            links[(a, b)] += 1
    nodes = {}
    for key, row in keep.items():
        s, n = year_sum.get(key, (0, 0))
        nodes[key] = {"label": row.get("name") or key, "documents": occurrences.get(key, 0),
                      "avg_year": s / n if n else None}
    return nodes, {pair: float(n) for pair, n in links.items()}


def term_network(graph: Graph, *, include_check_tags: bool = False
                 ) -> tuple[dict[str, dict[str, Any]], dict[tuple[str, str], float]]:
    """Keywords and MeSH headings as one set of concepts (a keyword mapped to a MeSH heading counts
    once, as the heading), linked by the number of papers they share."""
    from graphkit.graph import display_label
    from graphkit.resolve.concepts import concepts_of_papers

    years = _paper_years(graph)
    occurrences: Counter[str] = Counter()
    year_sum: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    links: Counter[tuple[str, str]] = Counter()
    for paper, terms in concepts_of_papers(graph, include_check_tags).items():
        terms = sorted(terms)
        y = years.get(paper)
        for t in terms:
            occurrences[t] += 1
            if y is not None:
                year_sum[t][0] += y
                year_sum[t][1] += 1
        for a, b in combinations(terms, 2):
            links[(a, b)] += 1
    nodes = {}
    for label in (Label.KEYWORD, Label.MESH):
        for row in graph.nodes(label):
            if row["key"] in occurrences:
                s, n = year_sum.get(row["key"], (0, 0))
                nodes[row["key"]] = {"label": display_label(label, row), "documents": occurrences[row["key"]],
                                     "avg_year": s / n if n else None}
    return nodes, {pair: float(n) for pair, n in links.items()}


# network name -> the function giving its items and links
def _institutions(graph: Graph) -> tuple[dict[str, dict[str, Any]], dict[tuple[str, str], float]]:
    """VOSviewer's "co-authorship of organizations" (graphkit.affiliation_maps)."""
    from graphkit.affiliation_maps import vosviewer_network

    return vosviewer_network(graph, "institutions")


def _countries(graph: Graph) -> tuple[dict[str, dict[str, Any]], dict[tuple[str, str], float]]:
    """VOSviewer's "co-authorship of countries" (graphkit.affiliation_maps)."""
    from graphkit.affiliation_maps import vosviewer_network

    return vosviewer_network(graph, "countries")


def _citation_builder(network: str):
    def build(graph: Graph):
        from graphkit.citations.networks import NETWORKS as CITATION_NETWORKS

        return CITATION_NETWORKS[network](graph)
    return build


NETWORK_BUILDERS = {"coauthors": coauthor_network, "keywords": keyword_network, "terms": term_network,
                    "institutions": _institutions, "countries": _countries,
                    **{n: _citation_builder(n) for n in ("cocitation", "coupling", "citation")}}


def clusters(nodes: list[str], links: dict[tuple[str, str], float], seed: int = LOUVAIN_SEED) -> dict[str, int]:
    """Louvain communities (weighted by link strength) numbered 1.. by decreasing size, then first member."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_weighted_edges_from((a, b, w) for (a, b), w in links.items())
    order = {key: i for i, key in enumerate(nodes)}
    communities = nx.community.louvain_communities(g, weight="weight", seed=seed)
    communities = sorted(communities, key=lambda c: (-len(c), min(order[k] for k in c)))
    return {key: number for number, members in enumerate(communities[:MAX_CLUSTERS], start=1) for key in members}


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def vosviewer_json(graph: Graph, network: str = "coauthors", *, progress: Progress = null_progress) -> dict:
    """The VOSviewer JSON document for ``network`` (one of :data:`NETWORKS`)."""
    if network not in NETWORK_BUILDERS:
        raise GraphkitError(f"unknown VOSviewer network {network!r}; choose one of {', '.join(NETWORKS)}")
    nodes, links = NETWORK_BUILDERS[network](graph)
    progress("vosviewer", len(nodes), len(nodes))
    keys = list(nodes)
    ids = {key: i for i, key in enumerate(keys, start=1)}
    cluster_of = clusters(keys, links)
    degree: Counter[str] = Counter()
    strength: defaultdict[str, float] = defaultdict(float)  # link weights may be fractional
    for (a, b), w in links.items():
        for k in (a, b):
            degree[k] += 1
            strength[k] += w
    doc_weight = DOCUMENT_WEIGHT[network]
    items = []
    for key in keys:
        node = nodes[key]
        item: dict[str, Any] = {"id": ids[key], "label": node["label"]}
        if orcid := normalise_orcid(node.get("orcid")):
            item["url"] = f"https://orcid.org/{orcid}"
        elif node.get("url"):
            item["url"] = node["url"]
        if key in cluster_of:
            item["cluster"] = cluster_of[key]
        item["weights"] = {"Links": degree.get(key, 0), "Total link strength": _num(strength.get(key, 0)),
                           doc_weight: node["documents"]}
        if node["avg_year"] is not None:
            item["scores"] = {"Avg. pub. year": round(node["avg_year"], 4)}
        items.append(item)
    link_rows = [{"source_id": ids[a], "target_id": ids[b], "strength": _num(w)} for (a, b), w in links.items()]
    cluster_rows = []
    best: dict[int, str] = {}
    for key in keys:
        c = cluster_of.get(key)
        if c is not None and (c not in best or nodes[key]["documents"] > nodes[best[c]]["documents"]):
            best[c] = key
    for c in sorted(best):
        cluster_rows.append({"cluster": c, "label": nodes[best[c]]["label"]})
    return {"config": {"terminology": TERMINOLOGY[network]},
            "network": {"items": items, "links": link_rows, "clusters": cluster_rows}}


def write_vosviewer(graph: Graph, out: Path, *, progress: Progress = null_progress,
                    network: str = "coauthors", force: bool = False) -> dict[str, Any]:
    """Write a VOSviewer JSON map of the co-authorship (``coauthors``), keyword (``keywords``), term
    (``terms``), organization (``institutions``) or country (``countries``) network (temporary file +
    rename, :mod:`graphkit.atomic`)."""
    from graphkit.atomic import atomic_open

    doc = vosviewer_json(graph, network, progress=progress)
    out = Path(out)
    with atomic_open(out, force=force) as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    net = doc["network"]
    return {"path": str(out), "network": network, "items": len(net["items"]), "links": len(net["links"]),
            "clusters": len(net["clusters"])}
