"""The citation queries on both stores, against hand-worked answers for tests/fixtures/citations/cocitation.isi.

P1 cites Erdős (E), Barabási (B), Watts (W); P2 cites E, B, P1; P3 cites W, P1, P2, Newman (N).
Co-citation: E-B twice, the other 10 pairs once. Coupling: P1-P2 share {E, B} (2/sqrt(3*3) = 0.6667),
P1-P3 share {W}, P2-P3 share {P1} (1/sqrt(3*4) = 0.2887). RPYS: 1959, 1998, 1999 and 2010 twice,
2003 and 2012 once; every 5-year median is 0.
"""

from __future__ import annotations

import pytest

from graphkit.build import build_from_files
from graphkit.queries import load_queries, run_query
from graphkit.sinks.embedded import EmbeddedStore
from conftest import FIXTURES, graph_in_store

P1, P2, P3 = "doi:10.9999/p1", "doi:10.9999/p2", "doi:10.9999/p3"
E, B, W, N = "ref:erd|1959|6|290", "doi:10.1126/science.286.5439.509", "doi:10.1038/30918", \
    "doi:10.1137/s003614450342480"


@pytest.fixture(scope="module")
def graph():
    return build_from_files([FIXTURES / "citations" / "cocitation.isi"]).graph


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def store(request, graph, tmp_path_factory):
    with graph_in_store(request, request.param, graph, tmp_path_factory, "cites") as s:
        yield s


def q(store, name, **params):
    return run_query(store, load_queries()[name], params)


def test_co_citation_counts(store):
    rows = q(store, "co-citation", min_count=1, limit=100)
    pairs = {(r["work_a"], r["work_b"]): r["co_citations"] for r in rows}
    assert len(pairs) == 11 and pairs[(B, E)] == 2 and sum(pairs.values()) == 12
    assert rows[0]["work_a"] == B and rows[0]["b_author"] == "ERDOS" and rows[0]["b_year"] == 1959
    assert [(r["work_a"], r["work_b"]) for r in q(store, "co-citation")] == [(B, E)]  # default min_count 2


def test_bibliographic_coupling(store):
    rows = q(store, "bibliographic-coupling", min_shared=1)
    assert [(r["paper_a"], r["paper_b"], r["shared"], r["refs_a"], r["refs_b"], r["strength"]) for r in rows] == [
        (P1, P2, 2, 3, 3, 0.6667), (P1, P3, 1, 3, 4, 0.2887), (P2, P3, 1, 3, 4, 0.2887)]


def test_rpys(store):
    rows = q(store, "rpys")
    assert rows[0]["year"] == 1959 and rows[-1]["year"] == 2012 and len(rows) == 54
    peaks = {r["year"]: (r["citations"], r["median_5y"], r["deviation"]) for r in rows if r["citations"]}
    assert peaks == {1959: (2, 0, 2), 1998: (2, 0, 2), 1999: (2, 0, 2), 2003: (1, 0, 1), 2010: (2, 0, 2),
                     2012: (1, 0, 1)}
    assert [r["year"] for r in q(store, "rpys", from_year=1990, to_year=2005)] == list(range(1998, 2004))


def test_rpys_median_of_a_busy_window(tmp_path):
    """Five consecutive years with 1, 3, 2, 5, 4 citations: the median of 1998's window is 3."""
    from graphkit.graph import Graph
    from graphkit.schema import Label, RelType

    g = Graph()
    g.add_node(Label.PAPER, "citing", year=2020, cited_only=False)
    for year, n in zip(range(1996, 2001), (1, 3, 2, 5, 4)):
        for i in range(n):
            g.add_node(Label.PAPER, f"c{year}-{i}", year=year, cited_only=False)
            g.add_node(Label.PAPER, f"p{year}-{i}", year=2020, cited_only=False)
            g.add_edge(RelType.CITES, f"p{year}-{i}", f"c{year}-{i}")
    with EmbeddedStore(tmp_path / "db", create=True) as s:
        s.write_graph(g)
        rows = {r["year"]: r for r in q(s, "rpys", to_year=2000)}
    assert (rows[1998]["citations"], rows[1998]["median_5y"], rows[1998]["deviation"]) == (2, 3, -1)
    assert (rows[1999]["median_5y"], rows[1999]["deviation"]) == (3, 2)  # window 3, 2, 5, 4, 0 -> 3


def test_most_cited_local_and_global(store):
    local = q(store, "most-cited")
    assert [(r["key"], r["cited_by"]) for r in local[:4]] == [(W, 2), (B, 2), (P1, 2), (E, 2)]
    assert {r["key"] for r in q(store, "most-cited", include_cited_only=False)} == {P1, P2}
    glob = q(store, "most-cited", by="global")
    assert [(r["key"], r["times_cited"], r["times_cited_source"]) for r in glob] == [
        (P1, 12, "wos"), (P2, 3, "wos"), (P3, 0, "wos")]


def test_citing_papers_and_historiograph(store):
    assert [r["key"] for r in q(store, "citing-papers", paper=E)] == [P2, P1]
    assert [r["key"] for r in q(store, "citing-papers", paper="10.1038/30918")] == [P3, P1]  # by DOI
    edges = [(r["citing"], r["cited"]) for r in q(store, "historiograph", min_cited=0)]
    assert edges == [(P2, P1), (P3, P1), (P3, P2)]
