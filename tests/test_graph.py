"""The in-memory graph: cited-only works in the side table and pair-only edges behave like dict rows."""

from __future__ import annotations

import copy
import gc
import json
import pickle

import pytest

from graphkit.graph import Graph
from graphkit.schema import NODE_PROPERTIES, Label, RelType


def _graph() -> Graph:
    g = Graph()
    g.add_node(Label.PAPER, "doi:10.1/a", title="Citing paper", year=2020)
    g.add_node(Label.PAPER, "ref:erd|1959|6|290", cited_only=True, year=1959, volume="6", first_page="290",
               first_author="ERDOS", reference="ERDOS P, 1959, PUBL MATH-DEBRECEN, V6, P290")
    g.add_node(Label.PAPER, "doi:10.1/b", title="Another paper", year=2021)
    g.add_edge(RelType.CITES, "doi:10.1/a", "ref:erd|1959|6|290")
    return g


def test_cited_only_row_has_every_property_and_comes_after_the_papers() -> None:
    g = _graph()
    row = g.node(Label.PAPER, "ref:erd|1959|6|290")
    assert isinstance(row, dict) and set(row) == set(NODE_PROPERTIES[Label.PAPER])
    assert (row["key"], row["cited_only"], row["year"], row["title"]) == ("ref:erd|1959|6|290", True, 1959, None)
    assert [r["key"] for r in g.nodes(Label.PAPER)] == ["doi:10.1/a", "doi:10.1/b", "ref:erd|1959|6|290"]
    assert len(g.nodes(Label.PAPER)) == g.count(Label.PAPER) == g.counts()["Paper"] == 3
    assert g.has_node(Label.PAPER, "ref:erd|1959|6|290") and not g.has_node(Label.AUTHOR, "ref:erd|1959|6|290")


def test_changing_a_read_row_changes_the_graph() -> None:
    g = _graph()
    for row in g.nodes(Label.PAPER):  # what a derived count does
        row["cited_by"] = 1 if row["key"].startswith("ref:") else 0
    row = g.node(Label.PAPER, "ref:erd|1959|6|290")
    row.update(title="On random graphs")
    row.setdefault("volume", "7")  # there already (None or not): unchanged, like a dict row
    del row
    gc.collect()
    again = g.node(Label.PAPER, "ref:erd|1959|6|290")
    assert (again["cited_by"], again["title"], again["volume"]) == (1, "On random graphs", "6")
    assert type(again["cited_by"]) is int and again["cited_only"] is True  # pooled per column: 1 is not True
    with pytest.raises(ValueError, match="no properties"):
        again["colour"] = "red"
    with pytest.raises(TypeError):
        del again["title"]


def test_a_live_row_sees_later_add_node() -> None:
    g = _graph()
    row = g.node(Label.PAPER, "ref:erd|1959|6|290")
    assert g.add_node(Label.PAPER, "ref:erd|1959|6|290", times_cited=4) is row
    assert row["times_cited"] == 4


def test_cited_only_rows_copy_pickle_and_serialise_as_plain_dicts() -> None:
    row = _graph().node(Label.PAPER, "ref:erd|1959|6|290")
    for other in (copy.copy(row), copy.deepcopy(row), pickle.loads(pickle.dumps(row))):
        assert type(other) is dict and other == dict(row)
    assert json.loads(json.dumps(row))["year"] == 1959


def test_cited_only_flag_on_an_existing_paper_keeps_it_a_full_row() -> None:
    g = _graph()
    g.add_node(Label.PAPER, "doi:10.1/b", cited_only=True)
    assert [r["key"] for r in g.nodes(Label.PAPER)][:2] == ["doi:10.1/a", "doi:10.1/b"]
    assert type(g.node(Label.PAPER, "doi:10.1/b")) is dict


def test_removing_a_cited_only_work_detaches_its_edges() -> None:
    g = _graph()
    g.remove_node(Label.PAPER, "ref:erd|1959|6|290")
    assert g.count(Label.PAPER) == 2 and g.count(RelType.CITES) == 0
    assert g.node(Label.PAPER, "ref:erd|1959|6|290") is None
    g.add_node(Label.PAPER, "ref:erd|1959|6|290", cited_only=True)  # back, without the old properties
    assert g.node(Label.PAPER, "ref:erd|1959|6|290")["year"] is None


def test_pair_only_edges_are_rows_when_read() -> None:
    g = _graph()
    assert g.add_edge(RelType.CITES, "doi:10.1/a", "ref:erd|1959|6|290") == {
        "source": "doi:10.1/a", "target": "ref:erd|1959|6|290"}  # the same edge again: still one
    g.add_edge(RelType.CITES, "doi:10.1/b", "doi:10.1/a")
    assert list(g.edges(RelType.CITES)) == [{"source": "doi:10.1/a", "target": "ref:erd|1959|6|290"},
                                            {"source": "doi:10.1/b", "target": "doi:10.1/a"}]
    assert len(g.edges(RelType.CITES)) == g.counts()["CITES"] == 2
    assert g.edge(RelType.CITES, "doi:10.1/b", "doi:10.1/a") == {"source": "doi:10.1/b", "target": "doi:10.1/a"}
    assert g.edge(RelType.CITES, "doi:10.1/a", "doi:10.1/b") is None
    assert [len(b) for b in g.batches(RelType.CITES, size=1)] == [1, 1]
    with pytest.raises(ValueError, match="no properties"):
        g.add_edge(RelType.CITES, "doi:10.1/a", "doi:10.1/b", weight=2)
    with pytest.raises(KeyError, match="undefined target"):
        g.add_edge(RelType.CITES, "doi:10.1/a", "doi:10.1/zzz")
    g.remove_edge(RelType.CITES, "doi:10.1/b", "doi:10.1/a")
    assert g.count(RelType.CITES) == 1


def test_networkx_view_has_cited_only_works_and_edges() -> None:
    nx = _graph().to_networkx()
    assert nx.nodes["ref:erd|1959|6|290"]["cited_only"] is True
    assert nx.has_edge("doi:10.1/a", "ref:erd|1959|6|290")


def test_pair_only_edges_group_by_source_and_detach_both_ends() -> None:
    g = _graph()
    g.add_edge(RelType.CITES, "doi:10.1/b", "doi:10.1/a")
    g.add_edge(RelType.CITES, "doi:10.1/a", "doi:10.1/b")  # a second target of the first source
    assert [(e["source"], e["target"]) for e in g.edges(RelType.CITES)] == [
        ("doi:10.1/a", "ref:erd|1959|6|290"), ("doi:10.1/a", "doi:10.1/b"), ("doi:10.1/b", "doi:10.1/a")]
    g.remove_node(Label.PAPER, "doi:10.1/a")  # source of two edges, target of one
    assert g.count(RelType.CITES) == 0 and list(g.edges(RelType.CITES)) == []
    g.add_edge(RelType.CITES, "doi:10.1/b", "ref:erd|1959|6|290")
    g.clear_edges(RelType.CITES)
    assert g.counts()["CITES"] == 0


def test_paper_in_degree_counts_papers_and_cited_only_works_as_a_count_of_edge_rows_does() -> None:
    g = Graph()
    for key in ("p1", "p2", "p3"):
        g.add_node(Label.PAPER, key, title=key)
    g.add_node(Label.PAPER, "ref:erd|1959|6|290", cited_only=True, title="On random graphs")
    g.add_node(Label.PAPER, "doi:10.1/x", cited_only=True)
    g.add_node(Label.PAPER, "doi:10.1/gone", cited_only=True)
    g.remove_node(Label.PAPER, "doi:10.1/gone")
    for source, target in (("p1", "p2"), ("p3", "p2"), ("p1", "ref:erd|1959|6|290"), ("p2", "ref:erd|1959|6|290"),
                           ("p3", "ref:erd|1959|6|290"), ("p2", "doi:10.1/x")):
        g.add_edge(RelType.CITES, source, target)
    live = g.node(Label.PAPER, "ref:erd|1959|6|290")  # a row read before the count sees it
    g.set_paper_in_degree(RelType.CITES, "cited_by")
    expected: dict[str, int] = {}
    for e in g.edges(RelType.CITES):
        expected[e["target"]] = expected.get(e["target"], 0) + 1
    got = {row["key"]: row["cited_by"] for row in g.nodes(Label.PAPER)}
    assert got == {key: expected.get(key, 0) for key in got} and got["ref:erd|1959|6|290"] == 3
    assert got["p1"] == 0 and live["cited_by"] == 3 and len(got) == 5
