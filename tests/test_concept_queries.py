"""The concept queries (concept-papers, concept-tree, keyword-to-mesh) on both stores, on a graph built
from tests/fixtures/concepts/keywords_and_mesh.nbib; expected rows worked by hand from the MeSH table:
paper 1 is indexed with Neuroendocrine Tumors (C04.557.465.625.650) and tagged Tumours (-> Neoplasms,
entry term) and Doxorubicin; paper 2 with Neoplasms (C04); paper 3 only tagged tumors (-> Neoplasms)."""

from __future__ import annotations

import pytest

from graphkit.build import build_from_files
from graphkit.queries import run_query
from conftest import FIXTURES, graph_in_store, wipe

P1, P2, P3 = "pmid:90000001", "pmid:90000002", "pmid:90000003"


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def store(request, tmp_path_factory):
    graph = build_from_files([FIXTURES / "concepts" / "keywords_and_mesh.nbib"]).graph
    with graph_in_store(request, request.param, graph, tmp_path_factory, "concepts") as s:
        yield s


def test_concept_papers_through_descendants_and_mapped_keywords(store):
    rows = run_query(store, "concept-papers", {"concept": "neoplasms"})
    assert [(r["key"], r["indexed"], r["by_keyword"]) for r in rows] == [
        (P3, False, True), (P2, True, False), (P1, True, True)]
    # a narrower concept: only the paper indexed with it (no keyword maps to it)
    rows = run_query(store, "concept-papers", {"concept": "D018358"})
    assert [r["key"] for r in rows] == [P1]


def test_concept_tree_depths_and_counts(store):
    rows = run_query(store, "concept-tree", {"concept": "Neoplasms"})
    assert [(r["heading"], r["depth"], r["papers"], r["papers_below"]) for r in rows] == [
        ("Neoplasms", 0, 1, 2),
        ("Neoplasms by Histologic Type", 1, 0, 1),
        ("Neoplasms, Germ Cell and Embryonal", 2, 0, 1),
        ("Neoplasms, Nerve Tissue", 2, 0, 1),
        ("Neuroectodermal Tumors", 3, 0, 1),
        ("Neuroendocrine Tumors", 4, 1, 1),
    ]


def test_keyword_to_mesh(store):
    rows = run_query(store, "keyword-to-mesh", {"mapped_only": True})
    assert [(r["keyword"], r["ui"], r["via"]) for r in rows] == [
        ("Tumours", "D009369", "entry_term"), ("Doxorubicin", "D004317", "heading"),
        ("butyl-alcohol", "D020001", "entry_term")]
    everything = run_query(store, "keyword-to-mesh", {})
    assert len(everything) == 5 and {r["keyword"] for r in everything if r["ui"] is None} == {
        "Random graph", "Small world network"}


@pytest.mark.neo4j
def test_papers_below_is_recomputed_after_an_incremental_load(tmp_path, neo4j_env, neo4j_driver):
    """Ingest the deep paper, then the root paper: Neoplasms counts both (derived over the stored graph)."""
    from graphkit.stores import open_store

    text = (FIXTURES / "concepts" / "keywords_and_mesh.nbib").read_text(encoding="utf-8")
    first, second, _ = text.split("\n\n")
    (tmp_path / "a.nbib").write_text(first + "\n", encoding="utf-8")
    (tmp_path / "b.nbib").write_text(second + "\n", encoding="utf-8")
    wipe(neo4j_driver)
    with open_store(neo4j=neo4j_env[0]) as store:
        store.ingest([tmp_path / "a.nbib"])
        store.ingest([tmp_path / "b.nbib"])
        rows = store.run("MATCH (m:MeshTerm) WHERE m.ui IN ['D009369', 'D009370'] "
                         "RETURN m.ui AS ui, m.papers AS papers, m.papers_below AS below ORDER BY ui")
    assert rows == [{"ui": "D009369", "papers": 1, "below": 2}, {"ui": "D009370", "papers": 0, "below": 1}]
