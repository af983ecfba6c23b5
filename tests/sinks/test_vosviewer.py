"""VOSviewer export: the documented JSON structure, and clusters that are the network's Louvain communities."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from conftest import load_graph
from graphkit.graph import Graph
from graphkit.model import GraphkitError
from graphkit.schema import Label, RelType
from graphkit.sinks import export
from graphkit.sinks.vosviewer import LOUVAIN_SEED, vosviewer_json




def two_teams() -> Graph:
    """Two teams of four who write together (each pair 3 papers), joined by a single paper of a1 and b1."""
    g = Graph()
    teams = {"a": [f"a{i}" for i in range(4)], "b": [f"b{i}" for i in range(4)]}
    n = 0
    for members in teams.values():
        for _ in range(3):
            n += 1
            g.add_node(Label.PAPER, f"p{n}", title=f"paper {n}", year=2010 + n)
            for pos, m in enumerate(members, start=1):
                g.add_node(Label.AUTHOR, m, name=m.upper())
                g.add_edge(RelType.AUTHORED, m, f"p{n}", position=pos)
    g.add_node(Label.PAPER, "bridge", title="bridge", year=2020)
    g.add_edge(RelType.AUTHORED, "a1", "bridge", position=1)
    g.add_edge(RelType.AUTHORED, "b1", "bridge", position=2)
    for members in teams.values():
        for i, x in enumerate(members):
            for y in members[i + 1:]:
                g.add_edge(RelType.CO_AUTHOR, x, y, papers=3, first_year=2011, last_year=2016)
    g.add_edge(RelType.CO_AUTHOR, "a1", "b1", papers=1, first_year=2020, last_year=2020)
    return g


def check_structure(doc: dict) -> None:
    """The VOSviewer JSON file type: network.items (id, label, cluster, weights), network.links
    (source_id, target_id, strength), clusters 1..1000, non-negative weights and strengths."""
    net = doc["network"]
    ids = set()
    for item in net["items"]:
        assert isinstance(item["id"], (int, str)) and item["id"] not in ids
        ids.add(item["id"])
        assert isinstance(item["label"], str) and item["label"]
        if "cluster" in item:
            assert isinstance(item["cluster"], int) and 1 <= item["cluster"] <= 1000
        assert item["weights"] and all(isinstance(v, (int, float)) and v >= 0 for v in item["weights"].values())
        for v in item.get("scores", {}).values():
            assert isinstance(v, (int, float))
    for link in net["links"]:
        assert set(link) == {"source_id", "target_id", "strength"}
        assert link["source_id"] in ids and link["target_id"] in ids and link["source_id"] != link["target_id"]
        assert link["strength"] > 0
    clusters = sorted({i["cluster"] for i in net["items"] if "cluster" in i})
    assert clusters == list(range(1, len(clusters) + 1))  # numbered from 1, no gaps
    assert [c["cluster"] for c in net["clusters"]] == clusters


def test_coauthor_map_structure_and_weights(tmp_path):
    out = tmp_path / "map.json"
    summary = export(load_graph(), "vosviewer", out, network="coauthors")
    doc = json.loads(out.read_text(encoding="utf-8"))
    check_structure(doc)
    items = {i["label"]: i for i in doc["network"]["items"]}
    assert summary["items"] == 5 and summary["links"] == 4
    kaltsas = items["Kaltsas, G."]
    assert kaltsas["weights"] == {"Links": 3, "Total link strength": 4, "Documents": 3}
    assert kaltsas["url"] == "https://orcid.org/0000-0002-1825-0097"
    assert "url" not in items["Kaltsatou, M."]  # ORCID with a wrong check digit
    assert kaltsas["scores"]["Avg. pub. year"] == pytest.approx((2018 + 2019 + 2019) / 3, abs=1e-3)
    by_id = {i["id"]: i["label"] for i in doc["network"]["items"]}
    strengths = {frozenset((by_id[l["source_id"]], by_id[l["target_id"]])): l["strength"]
                 for l in doc["network"]["links"]}
    assert strengths[frozenset(("Grozinsky-Glasberg, S.", "Kaltsas, G."))] == 2
    assert "cluster" in items["Solo, E."]  # isolated authors are their own community


def test_keyword_map_counts_cooccurrences_without_check_tags():
    doc = vosviewer_json(load_graph(), "keywords")
    check_structure(doc)
    items = {i["label"]: i for i in doc["network"]["items"]}
    assert "human" not in items  # check tag
    assert items["liver metastasis"]["weights"]["Occurrences"] == 2
    assert items["somatostatin"]["weights"]["Occurrences"] == 2
    by_id = {i["id"]: i["label"] for i in doc["network"]["items"]}
    pairs = {frozenset((by_id[l["source_id"]], by_id[l["target_id"]])): l["strength"] for l in doc["network"]["links"]}
    assert pairs == {frozenset(("liver metastasis", "neuroendocrine tumor")): 1,
                     frozenset(("neuroendocrine tumor", "somatostatin")): 1}


def test_clusters_are_louvain_communities():
    g = two_teams()
    doc = vosviewer_json(g, "coauthors")
    check_structure(doc)
    by_label = {i["label"]: i["cluster"] for i in doc["network"]["items"]}
    assert {by_label[m] for m in ("A0", "A1", "A2", "A3")} == {by_label["A0"]}
    assert {by_label[m] for m in ("B0", "B1", "B2", "B3")} == {by_label["B0"]}
    assert by_label["A0"] != by_label["B0"]
    # the same partition networkx finds on the weighted co-authorship network
    nxg = nx.Graph()
    nxg.add_weighted_edges_from((e["source"], e["target"], e["papers"]) for e in g.edges(RelType.CO_AUTHOR))
    expected = {frozenset(k.upper() for k in c)
                for c in nx.community.louvain_communities(nxg, weight="weight", seed=LOUVAIN_SEED)}
    got: dict[int, set[str]] = {}
    for label, c in by_label.items():
        got.setdefault(c, set()).add(label)
    assert {frozenset(s) for s in got.values()} == expected
    # deterministic: the same graph gives the same file
    assert vosviewer_json(two_teams(), "coauthors") == doc


def test_unknown_network_is_a_user_error(tmp_path):
    with pytest.raises(GraphkitError, match="network"):
        export(load_graph(), "vosviewer", tmp_path / "x.json", network="citations")
