"""Cited-only works across ingests, on the real Neo4j server and on the embedded store: the cited work
arriving after its citers takes over the cited-only node in place, the citers arriving after the cited
work point at it, and either order ends where loading everything at once ends."""

from __future__ import annotations

import pytest

from graphkit.build import build_from_files
from graphkit.schema import Label
from graphkit.sinks.embedded import EmbeddedStore
from graphkit.sinks.neo4j import Neo4jStore
from conftest import FIXTURES

FIX = FIXTURES / "citations"
CITERS = [FIX / "cocitation.isi"]
CITED = [FIX / "cited_work.isi", FIX / "cited_work_doi.isi"]
ERDOS_REF, WATTS = "ref:erd|1959|6|290", "doi:10.1038/30918"


@pytest.fixture
def store(neo4j_empty, neo4j_env):
    uri, user, password = neo4j_env
    s = Neo4jStore(uri, user=user, password=password, batch_size=2)
    yield s
    s.close()


def snapshot(graph) -> dict:
    papers = {p["key"]: {k: (sorted(v) if k == "sources" and v else v) for k, v in p.items()}
              for p in graph.nodes(Label.PAPER)}
    return {"papers": papers, "cites": sorted((e["source"], e["target"]) for e in graph.edges("CITES"))}


def _wipe(driver) -> None:
    with driver.session() as session:
        session.run("MATCH (n) DETACH DELETE n").consume()


def test_cited_work_after_its_citers_upgrades_the_node_in_place(store, neo4j_empty):
    store.write_graph(build_from_files(CITERS + CITED).graph)
    together = snapshot(store.read_graph())
    _wipe(neo4j_empty)

    store.write_graph(build_from_files(CITERS).graph)
    before = store.run("MATCH (p:Paper {key: $k}) RETURN elementId(p) AS id, p.cited_only AS only, "
                       "p.reference AS ref", {"k": ERDOS_REF})
    assert before[0]["only"] is True and before[0]["ref"].startswith("ERDOS P, 1959")
    store.write_graph(build_from_files(CITED).graph)
    after = store.run("MATCH (p:Paper) WHERE elementId(p) = $id RETURN p.key AS key, p.cited_only AS only, "
                      "p.title AS title, p.reference AS ref, p.cited_by AS cited_by", {"id": before[0]["id"]})
    assert after[0]["key"].startswith("title:") and after[0]["only"] is False  # the same node, now the paper
    assert after[0]["title"] == "On random graphs I" and after[0]["ref"] is None and after[0]["cited_by"] == 2
    assert store.run("MATCH (p:Paper {key: $k}) RETURN count(p) AS n", {"k": ERDOS_REF}) == [{"n": 0}]
    watts = store.run("MATCH (p:Paper {key: $k}) RETURN p.cited_only AS only, p.times_cited AS tc", {"k": WATTS})
    assert watts == [{"only": False, "tc": 40000}]
    assert snapshot(store.read_graph()) == together


def test_citers_after_the_cited_work_point_at_it(store, neo4j_empty):
    store.write_graph(build_from_files(CITERS + CITED).graph)
    together = snapshot(store.read_graph())
    _wipe(neo4j_empty)

    store.write_graph(build_from_files(CITED).graph)
    store.write_graph(build_from_files(CITERS).graph)
    assert snapshot(store.read_graph()) == together
    assert store.run("MATCH (p:Paper) WHERE p.cited_only RETURN p.key AS key ORDER BY key") == [
        {"key": "doi:10.1126/science.286.5439.509"}, {"key": "doi:10.1137/s003614450342480"}]


def test_reloading_changes_nothing(store):
    graph = build_from_files(CITERS).graph
    store.write_graph(graph)
    first = snapshot(store.read_graph())
    store.write_graph(graph)
    assert snapshot(store.read_graph()) == first == snapshot(graph)


def test_embedded_store_ingests_in_either_order(tmp_path):
    together = snapshot(build_from_files(CITERS + CITED).graph)
    for order, files in (("citers-first", [CITERS, CITED]), ("cited-first", [CITED, CITERS])):
        with EmbeddedStore(tmp_path / order, create=True) as s:
            for batch in files:
                s.ingest(batch)
            got = snapshot(s.read_graph())
        assert got["cites"] == together["cites"]
        assert got["papers"].keys() == together["papers"].keys()
        for key, row in together["papers"].items():  # sources name the file as given: compare the rest
            assert {k: v for k, v in got["papers"][key].items() if k != "sources"} == \
                   {k: v for k, v in row.items() if k != "sources"}
