"""The embedded LadybugDB store: rebuild-on-ingest semantics, round trips, read-only guard, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from graphkit.build import BuildOptions, build_from_files, count_term_papers
from graphkit.graph import Graph
from graphkit.schema import Label, RelType
from graphkit.sinks.embedded import EmbeddedStore, StoreError, write_clauses
from graphkit.stores import open_store

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "queries"
A, B = FIX / "ingest_a.nbib", FIX / "ingest_b.nbib"


def rows(graph: Graph) -> dict[str, list[str]]:
    """Every node and edge row, canonical and order-free, for comparing graphs."""
    out = {str(label): sorted(json.dumps(r, sort_keys=True) for r in graph.nodes(label)) for label in Label}
    out.update({str(t): sorted(json.dumps(r, sort_keys=True) for r in graph.edges(t)) for t in RelType})
    return out


@pytest.fixture
def files(tmp_path):
    """Copies of the two fixture files (so a test may change one)."""
    out = []
    for f in (A, B):
        shutil.copy(f, tmp_path / f.name)
        out.append(tmp_path / f.name)
    return out


def test_ingest_a_then_b_equals_ingesting_both_at_once(tmp_path, files):
    a, b = files
    together = EmbeddedStore(tmp_path / "ab.db", create=True)
    together.ingest([a, b])
    stepwise = EmbeddedStore(tmp_path / "a_b.db", create=True)
    first = stepwise.ingest([a])
    assert [f["status"] for f in first["files"]] == ["added"]
    second = stepwise.ingest([b])
    assert [f["status"] for f in second["files"]] == ["added"] and second["rebuilt"]
    assert rows(stepwise.read_graph()) == rows(together.read_graph())
    # and both equal the library's build of the same files
    assert rows(together.read_graph()) == rows(build_from_files([a, b]).graph)
    # the paper in both files (PMID 1002) is one node with both sources
    (paper,) = together.run("MATCH (p:Paper {pmid: '1002'}) RETURN p.sources AS s")
    assert len(paper["s"]) == 2
    assert second["records"] == 4
    together.close()
    stepwise.close()


def test_reingesting_an_unchanged_file_changes_nothing(tmp_path, files):
    a, b = files
    store = EmbeddedStore(tmp_path / "s.db", create=True)
    store.ingest([a, b])
    before = rows(store.read_graph())
    generation = store.generation
    again = store.ingest([a])
    assert [f["status"] for f in again["files"]] == ["unchanged"]
    assert again["rebuilt"] is False
    assert store.generation == generation and store.dir.generations() == [generation]
    assert rows(store.read_graph()) == before
    store.close()


def test_a_changed_file_replaces_its_old_records(tmp_path, files):
    a, b = files
    store = EmbeddedStore(tmp_path / "s.db", create=True)
    store.ingest([a, b])
    b.write_text(B.read_text(encoding="utf-8").split("\nPMID- 1003")[0] + "\n", encoding="utf-8")
    summary = store.ingest([b])
    assert [f["status"] for f in summary["files"]] == ["replaced"]
    assert store.run("MATCH (p:Paper {pmid: '1003'}) RETURN count(p) AS n") == [{"n": 0}]
    assert rows(store.read_graph()) == rows(build_from_files([a, b]).graph)
    assert len(list((store.path / store.generation / "records").iterdir())) == 2  # the old cache is gone
    assert store.dir.generations() == [store.generation]  # and so is the old generation
    store.close()


def test_store_survives_reopening_and_new_options_rebuild(tmp_path, files):
    path = tmp_path / "s.db"
    with EmbeddedStore(path, create=True) as store:
        store.ingest(files)
        first = rows(store.read_graph())
    with EmbeddedStore(path) as store:
        assert rows(store.read_graph()) == first
        summary = store.ingest(files, options=BuildOptions(author_key="full"))
        assert summary["rebuilt"]
        assert rows(store.read_graph()) == rows(build_from_files(files, BuildOptions(author_key="full")).graph)


def test_write_graph_round_trips_every_property(tmp_path):
    g = Graph()
    g.add_node(Label.PAPER, "doi:10.1/x", doi="10.1/x", title="T 'quoted' \\ ü", year=2020, sources=["f:1:ris"],
               abstract=None, type="JOUR")
    g.add_node(Label.AUTHOR, "orcid:0000-0001", name="Ö, A", family="Ö", given="A", orcid="0000-0001")
    g.add_node(Label.AUTHOR, "name:b|b", name="B, B", family="B", given="B")
    g.add_node(Label.MESH, "mesh:D1", ui="D1", name="Neoplasms", tree_numbers=["C04"], check_tag=False)
    g.add_node(Label.KEYWORD, "kw:x", name="x", check_tag=True)
    g.add_node(Label.JOURNAL, "issn:1234-5678", name="J", issn="1234-5678")
    g.add_edge(RelType.AUTHORED, "orcid:0000-0001", "doi:10.1/x", position=1)
    g.add_edge(RelType.HAS_MESH, "doi:10.1/x", "mesh:D1", major=True, qualifiers=["surgery"])
    g.add_edge(RelType.HAS_KEYWORD, "doi:10.1/x", "kw:x")
    g.add_edge(RelType.PUBLISHED_IN, "doi:10.1/x", "issn:1234-5678")
    g.add_edge(RelType.CO_AUTHOR, "orcid:0000-0001", "name:b|b", papers=2, first_year=2019, last_year=2020)
    count_term_papers(g)  # derived: the store counts each term's papers whatever the graph says
    store = EmbeddedStore(tmp_path / "s.db", create=True)
    store.write_graph(g)
    assert rows(store.read_graph()) == rows(g)
    # a second graph merges in, and survives a later ingest's rebuild
    h = Graph()
    h.add_node(Label.PAPER, "doi:10.1/y", title="Y", year=2021)
    store.write_graph(h)
    store.ingest([A])
    keys = {r["k"] for r in store.run("MATCH (p:Paper) RETURN p.key AS k")}
    assert {"doi:10.1/x", "doi:10.1/y"} <= keys and len(keys) > 2
    store.close()


def test_read_only_unless_write(tmp_path):
    store = EmbeddedStore(tmp_path / "s.db", create=True)
    store.ingest([A])
    with pytest.raises(StoreError, match="--write"):
        store.run("MATCH (a:Author) SET a.name = 'x'")
    with pytest.raises(StoreError, match="--write"):
        store.run("match (a:Author) detach delete a")
    store.run("MATCH (a:Author {key: $k}) SET a.name = 'Renamed, R'", {"k": "name:gross|david-j"}, write=True)
    assert store.run("MATCH (a:Author {name: 'Renamed, R'}) RETURN a.key AS k") == [{"k": "name:gross|david-j"}]
    assert [r["key"] for r in store.search("renamed", kind="author")] == ["name:gross|david-j"]
    store.close()


@pytest.mark.parametrize("statement, found", [
    ("MATCH (n) WHERE n.name = 'CREATE me' RETURN n.set", []),
    ("MATCH (n) RETURN n // DELETE later", []),
    ("MATCH (n) RETURN n.`merge`", []),
    ("CREATE (n:Author {key: 'x'})", ["CREATE"]),
    ("MATCH (n) SET n.x = 1 REMOVE n.y", ["REMOVE", "SET"]),
    ("COPY Paper FROM 'x.parquet'", ["COPY"]),
    ("MATCH (n) DETACH DELETE n", ["DELETE", "DETACH"]),
])
def test_write_clause_detection(statement, found):
    assert write_clauses(statement) == found


def test_errors_are_one_line_graphkit_errors(tmp_path):
    with pytest.raises(StoreError, match="graphkit ingest"):
        open_store(tmp_path / "missing.db")
    store = EmbeddedStore(tmp_path / "s.db", create=True)
    with pytest.raises(StoreError, match="graphkit ingest"):
        store.run("MATCH (n) RETURN n")
    store.ingest([A])
    with pytest.raises(StoreError, match="query failed") as info:
        store.run("MATCH (n:NoSuchLabel) RETURN n")
    assert "\n" not in str(info.value)
    with pytest.raises(StoreError, match="no such file"):
        store.ingest([tmp_path / "nope.ris"])
    store.close()


def test_damaged_manifest_is_reported(tmp_path):
    path = tmp_path / "s.db"
    with EmbeddedStore(path, create=True) as store:
        store.ingest([A])
        gen = store.path / store.generation
    (gen / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(StoreError, match="unreadable manifest"):
        EmbeddedStore(path).counts()


def test_store_from_another_schema_is_reported_by_reads_and_rebuilt_by_writes(tmp_path, files):
    """A store written under an older schema (say, before a property existed) is not touched by a read:
    the read fails with the command that fixes it, and `rebuild` (a writer) rebuilds it from its records."""
    from graphkit.sinks.embedded import MANIFEST_FILE, SCHEMA_ID

    db = tmp_path / "db"
    with EmbeddedStore(db, create=True) as store:
        store.ingest([A, B])
        counts = store.counts()
        gen = db / store.generation
    manifest = json.loads((gen / MANIFEST_FILE).read_text())
    assert manifest["schema"] == SCHEMA_ID
    manifest["schema"] = "older"
    (gen / MANIFEST_FILE).write_text(json.dumps(manifest))
    before = snapshot(db)
    with pytest.raises(StoreError, match=f"graphkit rebuild --db {db}"):
        EmbeddedStore(db).counts()
    assert snapshot(db) == before  # the read wrote nothing
    with EmbeddedStore(db) as store:
        store.rebuild()
        assert store.counts() == counts
        assert store.read_graph().count(Label.PAPER) == counts["Paper"]
        assert store.manifest["schema"] == SCHEMA_ID
        assert store.dir.generations() == [store.generation] != [gen.name]


def snapshot(path: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``path`` with its size and mtime: a read must leave this unchanged."""
    return {str(f.relative_to(path)): (f.stat().st_size, f.stat().st_mtime_ns)
            for f in sorted(path.rglob("*")) if f.is_file()}
