"""Citation networks as VOSviewer maps (hand-worked on cocitation.isi, see test_citation_queries), and
GraphML keeping the cited-only works and their properties."""

from __future__ import annotations

import networkx as nx

from graphkit.build import build_from_files
from graphkit.citations.networks import citation_network, cocitation_network, coupling_network
from graphkit.sinks import export
from graphkit.sinks.vosviewer import vosviewer_json
from conftest import FIXTURES

P1, P2, P3 = "doi:10.9999/p1", "doi:10.9999/p2", "doi:10.9999/p3"
E, B, W = "ref:erd|1959|6|290", "doi:10.1126/science.286.5439.509", "doi:10.1038/30918"


def _graph():
    return build_from_files([FIXTURES / "citations" / "cocitation.isi"]).graph


def test_cocitation_network_keeps_works_cited_twice():
    nodes, links = cocitation_network(_graph())
    assert set(nodes) == {E, B, W, P1}  # cited at least twice; Newman and P2 once
    assert links == {(B, E): 2.0, (P1, E): 1.0, (B, P1): 1.0, (W, P1): 1.0, (W, B): 1.0, (W, E): 1.0}
    assert nodes[E]["label"] == "ERDOS (1959)" and nodes[E]["documents"] == 2
    assert nodes[W]["url"] == "https://doi.org/10.1038/30918"


def test_coupling_and_citation_networks():
    nodes, links = coupling_network(_graph())
    assert set(nodes) == {P1, P2, P3} and links == {(P1, P2): 2.0, (P1, P3): 1.0, (P2, P3): 1.0}
    nodes, links = citation_network(_graph())
    assert set(nodes) == {P1, P2, P3} and links == {(P1, P2): 1.0, (P1, P3): 1.0, (P2, P3): 1.0}


def test_vosviewer_documents_for_each_citation_network(tmp_path):
    g = _graph()
    for network, weight in (("cocitation", "Citations"), ("coupling", "Citations"), ("citation", "Citations")):
        doc = vosviewer_json(g, network)
        items = doc["network"]["items"]
        assert items and all(weight in i["weights"] for i in items)
        assert doc["config"]["terminology"]["link"].endswith("link")
        summary = export(g, "vosviewer", tmp_path / f"{network}.json", network=network)
        assert summary["network"] == network and summary["items"] == len(items)
    strengths = {(i["label"]): i["weights"]["Total link strength"] for i in vosviewer_json(g, "cocitation")["network"]["items"]}
    assert strengths["ERDOS (1959)"] == 4  # B 2 + W 1 + P1 1


def test_graphml_keeps_cited_only_works(tmp_path):
    out = tmp_path / "g.graphml"
    export(_graph(), "graphml", out)
    g = nx.read_graphml(out)
    assert g.nodes[E]["cited_only"] is True and g.nodes[E]["reference"].startswith("ERDOS P, 1959")
    assert g.nodes[P1]["cited_only"] is False and g.nodes[P1]["times_cited"] == 12
    cites = [(a, b) for a, b, d in g.edges(data=True) if d["type"] == "CITES"]
    assert len(cites) == 10 and (P2, E) in cites
