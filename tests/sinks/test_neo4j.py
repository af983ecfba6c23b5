"""The Neo4j loader against a real server (scripts/test starts one from Maven Central jars)."""

from __future__ import annotations

import importlib
import socket

import pytest

from graphkit.build import BuildOptions, build_from_files, build_graph, count_term_papers
from graphkit.citations.extension import count_cited_by
from graphkit.graph import Graph
from graphkit.model import GraphkitError, JournalRef, MeshRef, Person, Record, Source
from graphkit.readers import READERS, detect
from graphkit.schema import Label, RelType
from graphkit.sinks.neo4j import (
    FULLTEXT_INDEXES, Neo4jAuthError, Neo4jError, Neo4jStore, Neo4jUnavailableError, safe_uri,
)
from conftest import SEED

pytestmark = pytest.mark.neo4j

# small corpus files (one per reader that has landed); the seed when its reader exists
CORPUS_FILES = [
    "nbib/metaknowledge__medline_test.medline",
    "wos/metaknowledge__savedrecs.txt",
    "nbib/synthesisr__PubMed_example.txt",
]
HOSTILE = [
    'O\'Brien "quoted" title',
    "back\\slash \\n not a newline \\\\ double",
    "line one\nline two\r\nline three\ttab",
    '"}) DETACH DELETE n //',
    "'}) DETACH DELETE n //",
    "$rows ${param} `backtick` {key: 'x'}",
    "Café – naïve ünïcödé 🧪",
]


def readable(path) -> bool:
    """True when the reader for this file's format has landed."""
    try:
        module = READERS[detect(path)].split(":")[0]
        importlib.import_module(module)
    except Exception:  # noqa: BLE001 - a reader still being written (tested in tests/readers)
        return False
    return True


def corpus_paths(corpus) -> list:
    paths = [corpus / f for f in CORPUS_FILES if (corpus / f).exists()]
    if SEED.exists() and readable(SEED):
        paths.insert(0, SEED)
    paths = [p for p in paths if readable(p)]
    assert len(paths) >= 2, "no readable corpus files"
    return paths


@pytest.fixture
def store(neo4j_empty, neo4j_env):
    uri, user, password = neo4j_env
    s = Neo4jStore(uri, user=user, password=password, batch_size=200)
    yield s
    s.close()


def rec(n: int, authors: list[str], year: int | None, keywords=(), mesh=(), title=None, file="a.ris") -> Record:
    return Record(source=Source(file, n, "ris"), type="JOUR", title=title or f"Paper number {n}",
                  authors=[Person(a.split()[0], a.split()[1] if " " in a else None) for a in authors],
                  year=year, journal=JournalRef(name="Journal of Tests", issns=["1234-5678"]),
                  doi=f"10.1000/test.{n}", keywords=list(keywords),
                  mesh=[MeshRef(m, major=i == 0, qualifiers=["drug therapy"]) for i, m in enumerate(mesh)])


FILE_A = [
    rec(1, ["Smith J", "Jones K", "Brown L"], 2019, ["graphs", "neo4j"], ["Neoplasms"]),
    rec(2, ["Smith J", "Jones K"], 2020, ["graphs"]),
]
FILE_B = [
    rec(3, ["Jones K", "Smith J", "White M"], 2021, ["Neo4j"], ["Neoplasms", "Humans"], file="b.ris"),
    # paper 1 again, more keywords (both paths order by code point: U+FFFD before the emoji)
    rec(1, ["Smith J", "Jones K", "Brown L"], 2019, ["bibliometrics", "\ufffd x", "\U0001f9ea lab"], file="b.ris"),
]


def coauthors_from_authored(graph: Graph, cap: int = 100) -> dict:
    """CO_AUTHOR as documented: per unordered author pair, the distinct papers (with at most ``cap``
    authors) both wrote, and the first and last year among them."""
    by_paper: dict[str, set[str]] = {}
    for e in graph.edges(RelType.AUTHORED):
        by_paper.setdefault(e["target"], set()).add(e["source"])
    pairs: dict[tuple[str, str], list] = {}
    for paper, authors in by_paper.items():
        if len(authors) > cap:
            continue
        year = graph.node(Label.PAPER, paper)["year"]
        ordered = sorted(authors)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                pairs.setdefault((a, b), []).append(year)
    out = {}
    for (a, b), years in pairs.items():
        known = [y for y in years if y is not None]
        out[(a, b)] = {"source": a, "target": b, "papers": len(years),
                       "first_year": min(known) if known else None, "last_year": max(known) if known else None}
    return out


def comparable(graph: Graph) -> dict:
    """Everything a graph holds, with list properties that depend on load order sorted."""
    out = {}
    for label in Label:
        out[str(label)] = {r["key"]: {k: (sorted(v) if k in ("sources", "variants") and v else v)
                                      for k, v in r.items()}
                           for r in graph.nodes(label)}
    for type in RelType:
        out[str(type)] = {(r["source"], r["target"]): {k: (sorted(v) if k == "authors" and v else v)
                                                        for k, v in r.items()} for r in graph.edges(type)}
    return out


# -- loading --------------------------------------------------------------------------------------

def test_schema_is_created_with_constraints_and_folding_fulltext(store, neo4j_driver):
    store.ensure_schema()
    store.ensure_schema()  # idempotent
    constraints = {r["name"] for r in neo4j_driver.execute_query("SHOW CONSTRAINTS").records}
    assert {f"{label.value.lower()}_key" for label in Label} <= constraints
    indexes = {r["name"]: r for r in neo4j_driver.execute_query("SHOW INDEXES YIELD *").records}
    for name in ("paper_doi", "paper_year", "author_name", "meshterm_ui", *FULLTEXT_INDEXES):
        assert indexes[name]["state"] == "ONLINE", name
    assert indexes["paper_text"]["type"] == "FULLTEXT"
    assert indexes["paper_text"]["options"]["indexConfig"]["fulltext.analyzer"] == "standard-folding"
    assert set(indexes["name_text"]["labelsOrTypes"]) == {"Author", "Keyword", "MeshTerm"}


def test_corpus_files_load_with_counts_and_properties(store, corpus):
    paths = corpus_paths(corpus)
    built = build_from_files(paths)
    summary = store.write_graph(built.graph)
    assert store.counts() == built.graph.counts()
    assert summary["nodes_created"] == sum(built.graph.count(label) for label in Label)
    assert summary["nodes"]["Paper"] == {"created": built.graph.count(Label.PAPER), "matched": 0}
    paper = next(p for p in built.graph.nodes(Label.PAPER) if p["doi"] and p["year"] and p["title"])
    row = store.run("MATCH (p:Paper {key: $key}) RETURN p.doi AS doi, p.year AS year, p.title AS title, "
                    "p.sources AS sources", {"key": paper["key"]})
    assert row == [{"doi": paper["doi"], "year": paper["year"], "title": paper["title"],
                    "sources": paper["sources"]}]
    authors = store.run("MATCH (a:Author)-[r:AUTHORED]->(p:Paper {key: $key}) RETURN a.key AS a, r.position AS pos "
                        "ORDER BY pos", {"key": paper["key"]})
    expected = sorted((e["position"], e["source"]) for e in built.graph.edges(RelType.AUTHORED)
                      if e["target"] == paper["key"])
    assert [(r["pos"], r["a"]) for r in authors] == expected
    stored = comparable(store.read_graph())
    expected = comparable(built.graph)
    expected["CO_AUTHOR"] = coauthors_from_authored(built.graph)
    assert stored == expected


def test_reload_changes_no_count(store, corpus):
    built = build_from_files(corpus_paths(corpus))
    store.write_graph(built.graph)
    before = store.counts()
    again = store.write_graph(built.graph)
    assert store.counts() == before
    assert again["nodes_created"] == 0 and again["relationships_created"] == 0
    assert again["relationships"]["CO_AUTHOR"]["deleted"] == 0
    assert again["nodes_matched"] == sum(built.graph.count(label) for label in Label)


def test_ingest_reads_files_and_reports(store, corpus):
    paths = corpus_paths(corpus)[:2]
    phases = []
    summary = store.ingest(paths, options=BuildOptions(), progress=lambda phase, n, total: phases.append(phase))
    built = build_from_files(paths)
    assert summary["records"] == built.records
    assert summary["diagnostics"] == [str(d) for d in built.diagnostics]
    assert store.counts() == built.graph.counts()
    assert {"schema", "nodes:Paper", "edges:AUTHORED", "terms", "coauthors"} <= set(phases)


def test_b_after_a_equals_a_and_b_together(store, neo4j_empty):
    store.write_graph(build_graph(FILE_A + FILE_B).graph)
    together = store.read_graph()
    together_terms = store.run("MATCH (p:Paper) RETURN p.key AS key, p.terms AS terms ORDER BY key")
    neo4j_empty.execute_query("MATCH (n) DETACH DELETE n")

    store.write_graph(build_graph(FILE_A).graph)
    store.write_graph(build_graph(FILE_B).graph)
    got, want = comparable(store.read_graph()), comparable(together)
    # a stored value is kept (loading a file again changes nothing, issue 18), so the keyword's display
    # form is A's "neo4j" where one build of A and B takes the more frequent "Neo4j"; nothing else differs
    assert got["Keyword"].pop("kw:neo4j")["name"] == "neo4j"
    assert want["Keyword"].pop("kw:neo4j")["name"] == "Neo4j"
    assert got == want
    terms = store.run("MATCH (p:Paper) RETURN p.key AS key, p.terms AS terms ORDER BY key")
    assert [t["key"] for t in terms] == [t["key"] for t in together_terms]
    store.write_graph(build_graph(FILE_A).graph)  # A again: nothing changes
    assert comparable(store.read_graph())["Keyword"]["kw:neo4j"]["name"] == "neo4j"
    # the weights count distinct papers: Smith & Jones share papers 1, 2 and 3 (paper 1 is in both files)
    pair = store.run("MATCH (a:Author)-[r:CO_AUTHOR]-(b:Author) WHERE a.family = 'Smith' AND b.family = 'Jones' "
                     "RETURN r.papers AS papers, r.first_year AS first, r.last_year AS last")
    assert pair == [{"papers": 3, "first": 2019, "last": 2021}]
    terms = store.run("MATCH (p:Paper {key: 'doi:10.1000/test.1'}) RETURN p.terms AS terms, p.sources AS s")[0]
    assert terms["terms"] == "Neoplasms; bibliometrics; graphs; neo4j; \ufffd x; \U0001f9ea lab"  # A named it first
    assert sorted(terms["s"]) == ["a.ris:1:ris", "b.ris:1:ris"]


def test_corpus_file_b_after_a_equals_both(store, neo4j_empty, corpus):
    a, b = corpus_paths(corpus)[:2]
    store.write_graph(build_from_files([a, b]).graph)
    together = comparable(store.read_graph())
    neo4j_empty.execute_query("MATCH (n) DETACH DELETE n")
    store.write_graph(build_from_files([a]).graph)
    store.write_graph(build_from_files([b]).graph)
    got = comparable(store.read_graph())
    # display values are kept from the first load (see test_b_after_a_equals_a_and_b_together): compare
    # keyword names without case, everything else exactly
    for side in (got, together):
        for row in side["Keyword"].values():
            row["name"] = row["name"].casefold() if row["name"] else row["name"]
    assert got == together


def test_coauthor_cap_applies_in_the_store(store):
    many = [f"Author{i} X" for i in range(101)]
    store.write_graph(build_graph([rec(10, many, 2000), rec(11, ["Author1 X", "Author2 X"], 2001)]).graph)
    rows = store.run("MATCH ()-[r:CO_AUTHOR]->() RETURN r.papers AS papers")
    assert rows == [{"papers": 1}]  # only the two-author paper gives a pair


def test_paper_growing_over_the_cap_drops_its_pairs(store, neo4j_empty):
    small = [rec(20, ["Alpha A", "Beta B"], 2005)]
    grown = [rec(20, ["Alpha A", "Beta B"] + [f"Extra{i} X" for i in range(99)], 2005, file="b.ris")]
    store.write_graph(build_graph(small + grown).graph)
    together = comparable(store.read_graph())
    neo4j_empty.execute_query("MATCH (n) DETACH DELETE n")
    first = store.write_graph(build_graph(small).graph)
    assert first["relationships"]["CO_AUTHOR"]["created"] == 1
    second = store.write_graph(build_graph(grown).graph)
    assert second["relationships"]["CO_AUTHOR"]["deleted"] == 1
    assert comparable(store.read_graph()) == together
    assert store.counts()["CO_AUTHOR"] == 0


class Interrupt(Exception):
    pass


def test_interrupted_load_then_rerun_is_complete_without_duplicates(store, corpus):
    built = build_from_files(corpus_paths(corpus))
    store.batch_size = 50

    def hook(phase: str, number: int) -> None:
        if phase == "edges:AUTHORED" and number == 3:
            raise Interrupt(phase)

    store.after_batch = hook
    with pytest.raises(Interrupt):
        store.write_graph(built.graph)
    partial = store.counts()
    assert partial["AUTHORED"] == 150 and partial["CO_AUTHOR"] == 0
    store.after_batch = None
    store.write_graph(built.graph)
    assert store.counts() == built.graph.counts()
    for label in Label:
        dupes = store.run(f"MATCH (n:{label.value}) WITH n.key AS k, count(*) AS c WHERE c > 1 RETURN k")
        assert dupes == []
    dupes = store.run("MATCH (a)-[r]->(b) WITH a, b, type(r) AS t, count(*) AS c WHERE c > 1 RETURN t")
    assert dupes == []


def test_hostile_values_are_stored_verbatim_and_delete_nothing(store):
    g = Graph()
    g.add_node(Label.JOURNAL, "issn:0000-0000", name="Keep me")
    for i, text in enumerate(HOSTILE):
        g.add_node(Label.PAPER, f"title:{text}", title=text, abstract=text, volume=text, year=2000 + i,
                   sources=[text])
        g.add_node(Label.AUTHOR, f"name:{text}|x", name=text, family=text)
        g.add_node(Label.KEYWORD, f"kw:{text}", name=text, check_tag=False)
        g.add_edge(RelType.AUTHORED, f"name:{text}|x", f"title:{text}", position=1)
        g.add_edge(RelType.HAS_KEYWORD, f"title:{text}", f"kw:{text}")
        g.add_edge(RelType.PUBLISHED_IN, f"title:{text}", "issn:0000-0000")
    count_term_papers(g)  # derived: the store counts each term's papers whatever the graph says
    count_cited_by(g)  # and each paper's citations (cited_by, graphkit.citations)
    store.write_graph(g)
    store.write_graph(g)
    assert store.counts() == g.counts()
    for text in HOSTILE:
        rows = store.run("MATCH (p:Paper {key: $key}) RETURN p.title AS t, p.abstract AS a, p.volume AS v, "
                         "p.sources AS s", {"key": f"title:{text}"})
        assert rows == [{"t": text, "a": text, "v": text, "s": [text]}]
        assert store.run("MATCH (k:Keyword {name: $t}) RETURN k.key AS key", {"t": text}) == [{"key": f"kw:{text}"}]
    assert comparable(store.read_graph()) == comparable(g)


# -- search -----------------------------------------------------------------------------------------

@pytest.fixture
def searchable(store):
    recs = [
        rec(1, ["Barabási Albert-László", "Jones K"], 2019, ["Network science"], ["Neoplasms"],
            title="Scale-free networks in café culture"),
        rec(2, ["Smith J"], 2020, ["tumour biology"], title="Neuroendocrine tumour growth"),
        rec(3, ["Smithson P"], 2021, ["graphs"], title="Tumour graphs: a (weird) title [with] specials"),
    ]
    store.write_graph(build_graph(recs).graph)
    store.run("CALL db.awaitIndexes(60)")
    return store


def test_search_words_phrase_prefix_and_folding(searchable):
    hits = searchable.search("tumour", kind="paper")
    assert {h["key"] for h in hits} == {"doi:10.1000/test.2", "doi:10.1000/test.3"}
    assert all(set(h) >= {"kind", "key", "name", "score"} and h["kind"] == "paper" for h in hits)
    assert [h["key"] for h in searchable.search("neuroendocrine tumour", kind="paper")] == ["doi:10.1000/test.2"]
    assert [h["key"] for h in searchable.search('"tumour growth"', kind="paper")] == ["doi:10.1000/test.2"]
    assert searchable.search('"growth tumour"', kind="paper") == []
    assert [h["key"] for h in searchable.search("neuro*", kind="paper")] == ["doi:10.1000/test.2"]
    assert [h["key"] for h in searchable.search("CAFE", kind="paper")] == ["doi:10.1000/test.1"]
    assert [h["name"] for h in searchable.search("barabasi", kind="author")] == ["Barabási, Albert-László"]
    # keyword and MeSH names are searchable through the paper's terms and as terms themselves
    assert [h["key"] for h in searchable.search("neoplasms", kind="paper")] == ["doi:10.1000/test.1"]
    assert {h["name"] for h in searchable.search("neoplasms", kind="term")} == {"Neoplasms"}
    # author names are searched with each paper too: Smith's papers come back beside Smith
    assert {h["kind"] for h in searchable.search("smith*")} == {"author", "paper"}
    assert {h["kind"] for h in searchable.search("smith*", kind="author")} == {"author"}


def test_search_escapes_lucene_syntax(searchable):
    for text in ["(weird)", "title:(x", "[with]", "a AND OR NOT b", "tumour~2", "tu?our", "\\", "+-!^"]:
        try:
            searchable.search(text)
        except GraphkitError as exc:  # an empty query or a dangling OR/NOT is a user error, not a crash
            assert "nothing to search for" in str(exc) or "OR" in str(exc) or "NOT" in str(exc)
    assert [h["key"] for h in searchable.search("(weird)", kind="paper")] == ["doi:10.1000/test.3"]
    assert len(searchable.search("tumour", limit=1)) == 1


# -- errors -------------------------------------------------------------------------------------------

def test_wrong_password_is_a_one_line_error(neo4j_env):
    uri, user, _ = neo4j_env
    with pytest.raises(Neo4jAuthError) as info:
        Neo4jStore(uri, user=user, password="wrong-secret-password")
    message = str(info.value)
    assert "\n" not in message and "wrong-secret-password" not in message
    assert "NEO4J_PASSWORD" in message and safe_uri(uri) in message


def test_unreachable_server_is_a_one_line_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(Neo4jUnavailableError) as info:
        Neo4jStore(f"bolt://127.0.0.1:{port}", user="neo4j", password="pw-not-shown")
    assert "\n" not in str(info.value) and f"127.0.0.1:{port}" in str(info.value)


def test_bad_uri_and_missing_database_are_one_line_errors(neo4j_env):
    uri, user, password = neo4j_env
    with pytest.raises(Neo4jError) as info:
        Neo4jStore("http://user:pw-in-uri@127.0.0.1:1/", user=user, password=password)
    assert "pw-in-uri" not in str(info.value) and "\n" not in str(info.value) and "scheme" in str(info.value)
    with pytest.raises(Neo4jError) as info:
        Neo4jStore("bolt://user:pw-in-uri@127.0.0.1:1:2", user=user, password=password)
    assert "pw-in-uri" not in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(Neo4jError) as info:
        Neo4jStore(uri, user=user, password=password, database="nosuchdb")
    assert "nosuchdb" in str(info.value) and "\n" not in str(info.value)


def test_bad_cypher_is_a_one_line_error(store):
    with pytest.raises(Neo4jError) as info:
        store.run("MATCH (n RETURN n")
    assert "\n" not in str(info.value)
    with pytest.raises(Neo4jError):
        store.run("CREATE (:Paper {key: 'x'})")  # read-only unless write=True
    assert store.run("CREATE (p:Paper {key: 'x'}) RETURN p.key AS k", write=True) == [{"k": "x"}]


def test_safe_uri_drops_credentials():
    assert safe_uri("neo4j+s://me:secret@host.example:7687/db") == "neo4j+s://host.example:7687/db"
    assert safe_uri("bolt://127.0.0.1:7687") == "bolt://127.0.0.1:7687"


# -- the CLI: graphkit ingest --neo4j ---------------------------------------------------------------

def run_cli(args: list[str], env: dict[str, str]):
    from click.testing import CliRunner

    from graphkit.cli import main

    return CliRunner().invoke(main, args, env=env)


def test_cli_ingest_into_neo4j(neo4j_empty, neo4j_env, corpus):
    uri, user, password = neo4j_env
    path = corpus_paths(corpus)[0]
    result = run_cli(["ingest", str(path), "--neo4j", uri, "--batch-size", "100", "-q"],
                     {"NEO4J_USER": user, "NEO4J_PASSWORD": password})
    assert result.exit_code == 0, result.output
    built = build_from_files([path])
    assert f"{built.graph.count(Label.PAPER)} papers" in result.output
    assert password not in result.output


def test_cli_wrong_password_and_unreachable_are_one_line(neo4j_env, corpus, tmp_path):
    uri, user, _ = neo4j_env
    path = corpus_paths(corpus)[0]
    result = run_cli(["ingest", str(path), "--neo4j", uri, "-q"],
                     {"NEO4J_USER": user, "NEO4J_PASSWORD": "not-the-password"})
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "not-the-password" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: Neo4j at") and "NEO4J_PASSWORD" in lines[0]

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run_cli(["ingest", str(path), "--neo4j", f"bolt://127.0.0.1:{port}", "-q"],
                     {"NEO4J_USER": user, "NEO4J_PASSWORD": "pw"})
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: cannot reach Neo4j at bolt://127.0.0.1:")
