"""Incremental identity on a real Neo4j server: ingesting A then B gives the graph of A and B together,
for papers sharing only a PMID or only a title, people sharing only an ORCID, and two real corpus files;
ingesting a file again changes nothing. The embedded store rebuilds from records, so it is checked on
the same pairs as the reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphkit.build import BuildOptions, build_from_files
from graphkit.graph import Graph
from graphkit.schema import EDGE_PROPERTIES, Label, RelType
from graphkit.sinks.embedded import EmbeddedStore
from graphkit.sinks.neo4j import Neo4jStore
from conftest import CORPUS

pytestmark = pytest.mark.neo4j  # (the embedded tests here need no server but sit beside their Neo4j twins)

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "identity"
PUBMED = CORPUS / "ris" / "citesource__20221207_gambling-harms_pubmed_176.ris"
SCOPUS = CORPUS / "ris" / "citesource__20221207_gambling-harms_scopus_255.ris"

PAIRS = {
    "pmid-only": (FIX / "pmid_only.nbib", FIX / "pmid_and_doi.nbib"),
    "title-only": (FIX / "title_only.ris", FIX / "title_and_pmid.nbib"),
    "orcid-only": (FIX / "orcid_full.nbib", FIX / "orcid_initials.ris"),
}


@pytest.fixture
def store(neo4j_empty, neo4j_env):
    uri, user, password = neo4j_env
    with Neo4jStore(uri, user=user, password=password, batch_size=50) as s:
        yield s


def shape(graph: Graph) -> dict[str, set]:
    """Node keys per label, edges per type, CO_AUTHOR weights: what must not depend on ingest order."""
    out: dict[str, set] = {str(label): {r["key"] for r in graph.nodes(label)} for label in Label}
    for type in RelType:
        props = list(EDGE_PROPERTIES[type]) if type is RelType.CO_AUTHOR else []
        out[str(type)] = {(e["source"], e["target"], *(e.get(p) for p in props)) for e in graph.edges(type)}
    return out


def wipe(store: Neo4jStore) -> None:
    store.run("MATCH (n) DETACH DELETE n", write=True)


@pytest.mark.parametrize("name", sorted(PAIRS))
@pytest.mark.parametrize("order", ["ab", "ba"])
def test_a_then_b_equals_a_and_b(store, name, order) -> None:
    a, b = PAIRS[name] if order == "ab" else PAIRS[name][::-1]
    together = shape(build_from_files([a, b]).graph)
    store.ingest([a])
    summary = store.ingest([b])
    got = shape(store.read_graph())
    assert got == together, summary.get("identity")
    assert len(together["Paper"]) == (2 if name == "orcid-only" else 1)
    assert len(together["Journal"]) == (2 if name == "orcid-only" else 1)
    if name == "orcid-only":
        assert together["Author"] == {"orcid:0000-0002-1825-0097", "name:linkov|igor"}


def test_each_pair_on_the_embedded_store(tmp_path) -> None:
    for name, (a, b) in PAIRS.items():
        s = EmbeddedStore(tmp_path / name, create=True)
        s.ingest([a])
        s.ingest([b])
        assert shape(s.read_graph()) == shape(build_from_files([a, b]).graph), name
        s.close()


def test_ingesting_again_changes_nothing(store) -> None:
    a, b = PAIRS["pmid-only"]
    store.ingest([a])
    store.ingest([b])
    before = store.read_graph()
    store.ingest([a])
    after = store.read_graph()
    assert shape(after) == shape(before)
    for label in Label:  # not one property value changes (no "last file wins")
        assert {r["key"]: r for r in after.nodes(label)} == {r["key"]: r for r in before.nodes(label)}, label


def test_identity_keeps_different_people_apart(store) -> None:
    """A then B must not merge what one build keeps apart: 'Thomas, S.' with two fitting Thomases."""
    from graphkit.model import Person, Record, Source
    from graphkit.build import build_graph

    def rec(n, title, people):
        return Record(Source("x.ris", n, "ris"), title=title, year=2020, doi=f"10.1000/{n}",
                      authors=[Person(f, g) for f, g in people])

    a = [rec(1, "One", [("Thomas", "Samantha L."), ("Pitt", "Hannah")]),
         rec(2, "Two", [("Thomas", "Shane A."), ("Linkov", "Igor")])]
    b = [rec(3, "Three", [("Thomas", "S."), ("Nobody", "N.")])]
    together = shape(build_graph(a + b).graph)
    store.write_graph(build_graph(a).graph)
    store.write_graph(build_graph(b).graph)
    assert shape(store.read_graph()) == together
    assert "name:thomas|s" in together["Author"]


@pytest.mark.corpus
def test_real_corpus_pubmed_then_scopus(corpus, store) -> None:
    """Issue 18: CiteSource gambling PubMed 176 then Scopus 255 gave 506 authors, 117 journals and 431
    PUBLISHED_IN where one ingest of both gives 501, 70 and 259."""
    options = BuildOptions()
    together = build_from_files([PUBMED, SCOPUS], options).graph
    store.ingest([PUBMED], options=options)
    store.ingest([SCOPUS], options=options)
    got = store.read_graph()
    counts, want = got.counts(), together.counts()
    for item in ("Paper", "Author", "Journal", "PUBLISHED_IN", "AUTHORED", "CO_AUTHOR"):
        assert counts[item] == want[item], (item, counts[item], want[item])
    assert shape(got) == shape(together)
    # every paper points to one journal
    per_paper: dict[str, int] = {}
    for e in got.edges(RelType.PUBLISHED_IN):
        per_paper[e["source"]] = per_paper.get(e["source"], 0) + 1
    assert max(per_paper.values()) == 1
    before = {label: {r["key"]: r for r in got.nodes(label)} for label in Label}
    store.ingest([PUBMED], options=options)  # again: nothing changes
    again = store.read_graph()
    assert shape(again) == shape(got)
    changed = sum(1 for label in Label for r in again.nodes(label) if before[label].get(r["key"]) != r)
    assert changed == 0


def test_embedded_write_graph_merge_recomputes_coauthors(tmp_path) -> None:
    """Two written parts with the same pair: the store's CO_AUTHOR counts both papers (before, the
    second part overwrote the first part's pair)."""
    from graphkit.build import build_graph
    from graphkit.model import Person, Record, Source

    def part(n, year):
        return build_graph([Record(Source("w.ris", n, "ris"), title=f"Paper {n}", year=year, doi=f"10.1000/w{n}",
                                   authors=[Person("Alpha", "Ann"), Person("Beta", "Bob")])]).graph

    store = EmbeddedStore(tmp_path / "db", create=True)
    store.write_graph(part(1, 2019))
    store.write_graph(part(2, 2021))
    rows = store.run("MATCH (a:Author)-[r:CO_AUTHOR]->(b:Author) RETURN r.papers AS n, r.first_year AS f, "
                     "r.last_year AS l")
    assert rows == [{"n": 2, "f": 2019, "l": 2021}]
    store.close()
