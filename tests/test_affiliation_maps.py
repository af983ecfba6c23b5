"""Institution and country collaboration networks (maps and VOSviewer), worked by hand on the fixtures."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES
from graphkit.affiliation_maps import collaboration_network, vosviewer_network
from graphkit.analysis import select_map
from graphkit.build import build_from_files
from graphkit.sinks.vosviewer import write_vosviewer


@pytest.fixture(scope="module")
def graph():
    return build_from_files(sorted((FIXTURES / "affiliations").iterdir())).graph


def test_country_network_worked_by_hand(graph):
    net = collaboration_network(graph, "countries")
    # ES: affil.1, affil.4, pmid:20000002; US: affil.1, affil.2, pmid:20000001, pmid:20000002
    assert len(net.nodes["country:ES"]["papers"]) == 3 and len(net.nodes["country:US"]["papers"]) == 4
    assert net.edges["country:ES", "country:US"]["weight"] == 2
    assert sorted(tuple(sorted((a[8:], b[8:]))) for a, b in net.edges) == [
        ("AR", "ES"), ("CH", "US"), ("CN", "JP"), ("ES", "US"), ("IN", "IR")]
    since = collaboration_network(graph, "countries", since=2016)
    assert since.edges["country:ES", "country:US"]["weight"] == 1  # only pmid:20000002 (2018)
    assert not collaboration_network(graph, "countries", min_weight=2).has_edge("country:CN", "country:JP")


def test_institution_network_worked_by_hand(graph):
    net = collaboration_network(graph, "institutions")
    penn, seville = "inst:us:univ pennsylvania", "inst:es:univ seville"
    assert net.edges[penn, seville]["weight"] == 2
    assert net.nodes[penn]["country"] == "United States" and len(net.nodes[penn]["papers"]) == 4


def test_vosviewer_countries(graph, tmp_path):
    out = tmp_path / "countries.json"
    summary = write_vosviewer(graph, out, network="countries")
    doc = json.loads(out.read_text(encoding="utf-8"))
    items = {i["label"]: i for i in doc["network"]["items"]}
    assert summary["items"] == 9 and summary["links"] == 5
    assert items["United States"]["weights"] == {"Links": 2, "Total link strength": 3, "Documents": 4}
    assert doc["config"]["terminology"]["items"] == "countries"
    nodes, links = vosviewer_network(graph, "institutions")
    assert links[("inst:es:univ seville", "inst:us:univ pennsylvania")] == 2.0


def test_map_selection(graph):
    sel = select_map(graph, "countries")
    assert sel.noun == "countries" and len(sel.nodes) == 9 and len(sel.edges) == 5
    us = next(n for n in sel.nodes if n.id == "country:US")
    assert us.size == 4 and ("partners", "2") in us.info
    inst = select_map(graph, "institutions", top=3)
    assert len(inst.nodes) == 3 and inst.total == 10
