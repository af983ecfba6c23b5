"""The Python API (graphkit/api.py): every entry point on the fixtures in tests/fixtures/api, on both stores."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

import graphkit
from graphkit.api import GraphStore
from conftest import FIXTURES, read_mixed_graph

API = FIXTURES / "api"
RIS, NBIB, BROKEN = API / "networks.ris", API / "networks.nbib", API / "broken.ris"
BOTH = [RIS, NBIB]


# -- the flat public surface -------------------------------------------------------------------------

def test_public_names_are_exported_and_documented():
    assert set(graphkit.__all__) >= {"build", "open", "read", "records_dataframe", "queries", "KnowledgeGraph",
                                     "GraphStore", "Report", "GraphkitError", "MissingExtraError"}
    for name in graphkit.__all__:
        obj = getattr(graphkit, name)
        if callable(obj) and name != "__version__":
            assert obj.__doc__, f"graphkit.{name} has no docstring"


def test_every_error_is_a_graphkit_error():
    for name in graphkit.__all__:
        obj = getattr(graphkit, name)
        if isinstance(obj, type) and name.endswith("Error"):
            assert issubclass(obj, graphkit.GraphkitError), name


def test_importing_graphkit_does_not_import_pandas_or_optional_packages():
    import subprocess

    code = ("import sys, graphkit; bad = [m for m in ('pandas', 'neo4j', 'rdflib', 'pyvis', 'pyshacl') "
            "if m in sys.modules]; print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert out.stdout.strip() == ""


# -- read / records_dataframe -----------------------------------------------------------------------

def test_read_returns_records_with_diagnostics():
    records = graphkit.read(BOTH)
    assert len(records) == 7 and records.diagnostics == []
    assert isinstance(records[0], graphkit.Record)
    assert records[0].doi == "10.1038/30918"
    assert [r.pmid for r in records if r.pmid] == ["10521342", "11149952", "12060727"]


def test_read_accepts_one_path_and_keeps_going_past_a_broken_record():
    records = graphkit.read(str(BROKEN))
    assert len(records) == 2
    assert [d.kind for d in records.diagnostics] == ["unterminated"]
    assert records.diagnostics[0].record == 2 and records.diagnostics[0].source.line == 7


def test_read_strict_raises_on_an_unreadable_file(tmp_path):
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\nnot a bibliography\n")
    assert graphkit.read(junk).diagnostics[0].severity == "error"
    with pytest.raises(graphkit.ReadError, match="junk.txt"):
        graphkit.read(junk, strict=True)


def test_read_a_missing_file_is_a_read_error(tmp_path):
    with pytest.raises(graphkit.ReadError, match="no such file"):
        graphkit.read(tmp_path / "nope.ris")


def test_records_dataframe_from_paths_and_from_records():
    df = graphkit.records_dataframe(BOTH)
    assert list(df.columns) == list(graphkit.api.RECORD_COLUMNS)
    assert len(df) == 7
    assert df["year"].dtype == "Int64" and df["year"].min() == 1998
    girvan = df[df["pmid"] == "12060727"].iloc[0]
    assert girvan["authors"] == ["Girvan, M", "Newman, M E J"]
    assert girvan["mesh"] == ["Cooperative Behavior*", "Humans", "Models, Theoretical"]
    assert girvan["first_page"] == "7821" and girvan["last_page"] == "7826"  # PG 7821-6 expanded
    same = graphkit.records_dataframe(graphkit.read(RIS))
    assert same["title"].tolist() == df[df["format"] == "ris"]["title"].tolist()


def test_records_dataframe_of_no_records_has_the_columns():
    df = graphkit.records_dataframe([])
    assert df.empty and list(df.columns) == list(graphkit.api.RECORD_COLUMNS)


# -- queries() ---------------------------------------------------------------------------------------

def test_queries_lists_every_canned_query_with_parameters():
    from graphkit.queries import load_queries

    df = graphkit.queries()
    assert sorted(df.index) == sorted(load_queries())
    params = df.loc["co-authors", "parameters"]
    assert any(p.startswith("author (string, required") for p in params)
    assert any(p.startswith("limit (int, default") for p in params)


# -- build / KnowledgeGraph -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def kg() -> graphkit.KnowledgeGraph:
    return graphkit.build(BOTH)


def test_build_counts(kg):
    c = kg.counts()
    assert (c["Paper"], c["Author"], c["Journal"], c["CO_AUTHOR"], c["AUTHORED"]) == (5, 7, 3, 5, 10)
    assert kg.records == 7 and kg.diagnostics == []
    assert "5 papers" in repr(kg) and "<table>" in kg._repr_html_()


def test_build_from_records_equals_build_from_files(kg):
    again = graphkit.build(graphkit.read(BOTH))
    assert again.counts() == kg.counts()
    assert again.table("Paper").equals(kg.table("Paper"))


def test_build_options_reach_the_graph():
    capped = graphkit.build(BOTH, coauthor_cap=2)  # the 3-author paper gets no pairs
    assert capped.counts()["CO_AUTHOR"] == 3
    assert capped.report.data["coauthors"]["papers_over_cap"] == 1
    full = graphkit.build(BOTH, author_key="full")
    assert full.report.data["authors"]["key_mode"] == "full"
    with pytest.raises(graphkit.GraphkitError, match="author_key"):
        graphkit.build(BOTH, author_key="everything")  # type: ignore[arg-type]
    with pytest.raises(graphkit.GraphkitError, match="coauthor_cap"):
        graphkit.build(BOTH, coauthor_cap=0)


def test_build_with_an_explicit_format():
    assert graphkit.build(RIS, format="ris").counts()["Paper"] == 4


def test_table_of_nodes_and_edges(kg):
    authors = kg.table("Author")
    assert list(authors.columns) == ["key", "name", "family", "given", "orcid"]
    assert "Barabási, Albert-László" in authors["name"].tolist()
    papers = kg.table("paper")  # case does not matter
    assert sorted(papers["year"].tolist()) == [1998, 1999, 2000, 2001, 2002]
    co = kg.table(graphkit.api.RelType.CO_AUTHOR)
    assert list(co.columns) == ["source", "target", "papers", "first_year", "last_year"]
    pair = co[(co["source"] == "name:albert|reka") & (co["target"] == "name:barabasi|albert-laszlo")].iloc[0]
    assert (pair["papers"], pair["first_year"], pair["last_year"]) == (2, 1999, 2000)
    with pytest.raises(graphkit.GraphkitError, match="no label or relationship type 'Book'"):
        kg.table("Book")


def test_to_networkx_is_the_whole_graph(kg):
    g = kg.to_networkx()
    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_nodes() == sum(kg.counts()[label] for label in ("Paper", "Author", "Journal", "Keyword",
                                                                      "MeshTerm"))
    assert g.nodes["name:newman|m-e-j"]["kind"] == "Author"


def test_coauthor_network_weights_and_years(kg):
    g = kg.coauthor_network()
    assert isinstance(g, nx.Graph) and not g.is_directed()
    assert g.number_of_nodes() == 7 and g.number_of_edges() == 5
    edge = g.edges["name:albert|reka", "name:barabasi|albert-laszlo"]
    assert (edge["weight"], edge["first_year"], edge["last_year"]) == (2, 1999, 2000)
    assert g.nodes["name:newman|m-e-j"]["label"] == "Newman, M E J"
    assert len(g.nodes["name:newman|m-e-j"]["papers"]) == 2
    assert kg.coauthor_network(min_weight=2).number_of_edges() == 1
    assert set(kg.coauthor_network(since=2001).nodes) == {"name:newman|m-e-j", "name:girvan|m"}


def test_keyword_network(kg):
    g = kg.keyword_network()
    assert g.edges["kw:network model", "mesh:D003299"]["weight"] == 2  # Cooperative Behavior on 2 papers
    assert "mesh:D006801" not in g  # Humans, a check tag, left out by default
    assert "mesh:D006801" in kg.keyword_network(check_tags=True)


def test_report_object(kg, tmp_path):
    r = kg.report
    assert (r.records, r.duplicates_removed, r.papers) == (7, 2, 5)
    assert r.missing["doi"] == 0
    dups = r.duplicates()
    assert list(dups.columns) == ["kept", "merged", "rule", "score", "title"] and set(dups["rule"]) == {"doi"}
    assert "PRISMA" in r.to_markdown() and r._repr_markdown_() == r.to_markdown()
    assert json.loads(r.write(tmp_path / "r.json").read_text())["records"] == 7
    variants = r.author_variants()
    assert "name:barabasi|albert-laszlo" in set(variants["key"])  # "Barabási, Albert-László" and "Barabasi, A L"


def test_export_graphml_and_json(kg, tmp_path):
    summary = kg.export("graphml", tmp_path / "g.graphml")
    g, undirected = read_mixed_graph(Path(summary["path"]), "graphml")  # CO_AUTHOR: directed="false"
    assert g.number_of_nodes() == kg.to_networkx().number_of_nodes()
    kg.export("json", tmp_path / "g.json")
    assert json.loads((tmp_path / "g.json").read_text())["nodes"]
    with pytest.raises(graphkit.GraphkitError, match="unknown export format"):
        kg.export("pdf", tmp_path / "g.pdf")


def test_a_missing_extra_is_named(monkeypatch, kg, tmp_path):
    monkeypatch.setitem(sys.modules, "rdflib", None)  # as if graphkit[rdf] were not installed
    for name in [m for m in sys.modules if m.startswith("graphkit.sinks.rdf") or m == "graphkit.namespaces"]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.raises(graphkit.MissingExtraError, match=r"pip install 'graphkit\[rdf\]'"):
        kg.export("rdf", tmp_path / "g.ttl")


# -- open: both stores -------------------------------------------------------------------------------

@pytest.fixture(params=["embedded", "neo4j"])
def store(request, tmp_path) -> GraphStore:
    if request.param == "embedded":
        target = str(tmp_path / "api.db")
    else:
        request.getfixturevalue("neo4j_empty")
        target = request.getfixturevalue("neo4j_env")[0]
    with graphkit.open(target) as s:
        yield s


@pytest.fixture
def loaded(store) -> GraphStore:
    store.ingest(BOTH)
    return store


def test_open_picks_the_store(store):
    assert store.dialect in ("ladybug", "neo4j")
    assert ("://" in store.target) == (store.dialect == "neo4j")
    assert "dialect=" in repr(store)


def test_ingest_and_counts_equal_the_in_memory_build(loaded, kg):
    assert loaded.counts() == kg.counts()


def test_ingest_in_two_steps_equals_one(store, kg):
    store.ingest(RIS)
    summary = store.ingest(NBIB)
    assert summary["records"] == 7 if store.dialect == "ladybug" else summary["records"] == 3
    assert store.counts() == kg.counts()


def test_query_returns_a_dataframe(loaded):
    df = loaded.query("prolific-authors", limit=3)
    assert isinstance(df, pd.DataFrame) and len(df) == 3
    co = loaded.query("co-authors", author="Barabási, Albert-László")
    assert set(co.columns) >= {"papers"}
    assert co.iloc[0]["papers"] == 2 and len(co) == 2  # Albert twice, then Jeong
    with pytest.raises(graphkit.QueryError, match="needs -p author"):
        loaded.query("co-authors")
    with pytest.raises(graphkit.QueryError, match="no canned query"):
        loaded.query("nonsense")


def test_cypher_with_parameters(loaded):
    df = loaded.cypher("MATCH (p:Paper) WHERE p.year >= $y RETURN p.title AS title ORDER BY p.year", y=2001)
    assert df["title"].str.lower().str.rstrip(".").tolist() == [
        "the structure of scientific collaboration networks", "community structure in social and biological networks"]
    empty = loaded.cypher("MATCH (p:Paper) WHERE p.year > 3000 RETURN p.title AS title")
    assert empty.empty


def test_cypher_refuses_writes_unless_asked(loaded):
    with pytest.raises(graphkit.GraphkitError):
        loaded.cypher("CREATE (:Paper {key: 'x'})")
    assert loaded.counts()["Paper"] == 5


def test_search(loaded):
    df = loaded.search("small world", kind="paper")
    assert list(df.columns) == ["kind", "key", "name", "score"]
    assert "small-world" in df.iloc[0]["name"]
    authors = loaded.search("barabasi", kind="author", limit=5)
    assert authors.iloc[0]["key"] == "name:barabasi|albert-laszlo"
    assert graphkit.open  # keep the name in use for linters
    nothing = loaded.search("zzzzqqq")
    assert nothing.empty and list(nothing.columns) == ["kind", "key", "name", "score"]


def test_store_to_networkx_and_knowledge_graph(loaded, kg):
    g = loaded.to_networkx()
    assert g.number_of_edges() == kg.to_networkx().number_of_edges()
    back = loaded.knowledge_graph()
    assert back.counts() == kg.counts()
    assert back.coauthor_network().edges["name:albert|reka", "name:barabasi|albert-laszlo"]["weight"] == 2
    assert back.report.records == 0  # no build report for a graph read back


def test_write_a_built_graph(store, kg):
    store.write(kg)
    assert store.counts() == kg.counts()


def test_open_without_create_needs_an_existing_store(tmp_path):
    with pytest.raises(graphkit.StoreError, match="no graph store"):
        graphkit.open(tmp_path / "none.db", create=False)


def test_open_a_bad_neo4j_uri_is_one_error():
    with pytest.raises(graphkit.Neo4jError):
        graphkit.open("bolt://127.0.0.1:1")  # nothing listens on port 1


def test_base_install_exports_do_not_need_rdflib(monkeypatch, kg, tmp_path):
    """GraphML, JSON, VOSviewer and CSL-JSON are core: they work without graphkit[rdf]."""
    monkeypatch.setitem(sys.modules, "rdflib", None)
    for name in [m for m in sys.modules if m.startswith(("graphkit.sinks.", "graphkit.namespaces"))]:
        monkeypatch.delitem(sys.modules, name)
    for to, name in (("graphml", "g.graphml"), ("json", "g.json"), ("vosviewer", "v.json"),
                     ("csl-json", "c.json")):
        kg.export(to, tmp_path / name)
        assert (tmp_path / name).stat().st_size > 0, to
