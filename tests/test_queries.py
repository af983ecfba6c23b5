"""Canned queries: the header loader, variant picking, and each query's meaning on a hand-built graph.

The graph is tests/fixtures/queries/small_graph.json; every expected answer below was worked out by
hand from it (see the comments). The same tests run on the embedded store and, when a Neo4j server is
available (scripts/test starts one), on Neo4j.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphkit.graph import Graph
from graphkit.queries import (QUERY_DIR, QueryError, get_query, load_queries, parse_query_file, run_query,
                              split_steps)
from graphkit.extend import ResolveContext
from graphkit.resolve.concepts import resolve_concepts
from graphkit.schema import Label, RelType
from conftest import graph_in_store

SMALL_GRAPH = Path(__file__).parent / "fixtures" / "queries" / "small_graph.json"
REQUIRED = {"co-authors", "collaboration-path", "prolific-authors", "author-profile", "top-keywords",
            "top-mesh", "keyword-cooccurrence", "mesh-trend", "mesh-branch", "emerging-terms",
            "journal-profile", "most-cited", "citations", "author-topics"}

A, B, C, D, E, F = ("name:alpha|a", "name:beta|b", "name:gamma|c", "name:delta|d", "name:epsilon|e",
                    "orcid:0000-0002-1825-0097")


def small_graph(path: Path = SMALL_GRAPH) -> Graph:
    """The fixture graph; CO_AUTHOR edges derived from AUTHORED (papers, first and last year)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    g = Graph()
    for label, rows in data["nodes"].items():
        for row in rows:
            row = dict(row)
            g.add_node(Label(label), row.pop("key"), **row)
    for rel, rows in data["edges"].items():
        for source, target, props in rows:
            g.add_edge(RelType(rel), source, target, **props)
    by_paper: dict[str, list[str]] = {}
    for e in g.edges(RelType.AUTHORED):
        by_paper.setdefault(e["target"], []).append(e["source"])
    for paper, authors in by_paper.items():
        year = g.node(Label.PAPER, paper)["year"]
        for i, a in enumerate(authors):
            for b in authors[i + 1:]:
                old = g.edge(RelType.CO_AUTHOR, a, b) or {}
                years = [y for y in (old.get("first_year"), old.get("last_year"), year) if y is not None]
                g.add_edge(RelType.CO_AUTHOR, a, b, papers=(old.get("papers") or 0) + 1,
                           first_year=min(years, default=None), last_year=max(years, default=None))
    resolve_concepts(ResolveContext(g, None), [])  # MAPS_TO and the MeSH hierarchy, as a build adds them
    return g


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def store(request, tmp_path_factory):
    with graph_in_store(request, request.param, small_graph(), tmp_path_factory, "q") as s:
        yield s


def q(store, name, **params):
    return run_query(store, name, params)


# -- the loader ------------------------------------------------------------------------------------

def test_every_required_query_is_shipped_with_a_complete_header():
    queries = load_queries()
    assert REQUIRED <= set(queries)
    for query in queries.values():
        assert query.description and query.cypher
        for p in query.params:
            assert p.example is not None or p.default is not None, (query.name, p.name)


def test_collaboration_path_has_a_ladybug_variant_picked_by_dialect():
    query = get_query("collaboration-path")
    assert "SHORTEST" in query.text_for("ladybug")
    assert "allShortestPaths" in query.text_for("neo4j")
    assert get_query("co-authors").text_for("ladybug") == get_query("co-authors").text_for("neo4j")


def test_header_parsing_types_defaults_and_binding(tmp_path):
    f = tmp_path / "x.cypher"
    f.write_text('// name: x\n// description: d\n// param: who (string) example: "A, B" -- help text\n'
                 "// param: n (int) default: 3\n// param: flag (bool) default: false\n"
                 "// unordered: l\nMATCH (n) RETURN n\n", encoding="utf-8")
    query = parse_query_file(f)
    assert [(p.name, p.type, p.example, p.default, p.required) for p in query.params] == [
        ("who", "string", "A, B", None, True), ("n", "int", None, 3, False), ("flag", "bool", None, False, False)]
    assert query.params[0].help == "help text"
    assert query.unordered == ("l",)
    assert query.cypher == "MATCH (n) RETURN n"
    assert query.bind({"who": "x", "n": "7", "flag": "true"}) == {"who": "x", "n": 7, "flag": True}
    assert query.bind({"who": "x"}) == {"who": "x", "n": 3, "flag": False}
    with pytest.raises(QueryError, match="needs -p who"):
        query.bind({})
    with pytest.raises(QueryError, match="no parameter"):
        query.bind({"who": "x", "bogus": 1})
    with pytest.raises(QueryError, match="must be int"):
        query.bind({"who": "x", "n": "many"})


def test_unknown_query_names_the_known_ones():
    with pytest.raises(QueryError, match="co-authors"):
        get_query("no-such-query")


def test_variant_without_main_file_is_an_error(tmp_path):
    (tmp_path / "lonely.ladybug.cypher").write_text("// name: lonely\n// description: d\nRETURN 1\n")
    with pytest.raises(QueryError, match="unknown query"):
        load_queries(tmp_path)


def test_split_steps_on_lines_ending_in_a_semicolon():
    assert split_steps("MATCH (n)\nRETURN 1 AS a;\nRETURN $a ;\n\nRETURN 2\n") == [
        "MATCH (n)\nRETURN 1 AS a", "RETURN $a", "RETURN 2"]
    assert split_steps("RETURN ';' AS x") == ["RETURN ';' AS x"]


def test_steps_pass_their_last_row_on_as_parameters(store, tmp_path):
    f = tmp_path / "steps.cypher"
    f.write_text("// name: steps\n// description: d\n"
                 "MATCH (p:Paper) WHERE p.year IS NOT NULL RETURN p.key AS k, p.year AS y ORDER BY k;\n"
                 "MATCH (p:Paper) WHERE p.key >= $k AND p.year = $y RETURN p.key AS key, $y AS year\n",
                 encoding="utf-8")
    last = store.run("MATCH (p:Paper) WHERE p.year IS NOT NULL RETURN p.key AS k, p.year AS y "
                     "ORDER BY k DESC LIMIT 1")[0]
    assert run_query(store, parse_query_file(f)) == [{"key": last["k"], "year": last["y"]}]
    f.write_text("// name: steps\n// description: d\n"
                 "MATCH (p:Paper {key: 'no such paper'}) RETURN p.key AS k;\nRETURN 1 AS one\n", encoding="utf-8")
    assert run_query(store, parse_query_file(f)) == []


def test_shipped_queries_are_the_package_data():
    assert (QUERY_DIR / "co-authors.cypher").is_file()


# -- meaning, worked out by hand from small_graph.json ---------------------------------------------

def test_co_authors_counts_shared_papers_and_years_and_excludes_the_author(store):
    # Ann wrote P1 (2018) and P2 (2019) with Bob, P2 also with Cy; P5 alone.
    rows = q(store, "co-authors", author="Alpha, Ann")
    assert [(r["key"], r["papers"], r["first_year"], r["last_year"]) for r in rows] == [
        (B, 2, 2018, 2019), (C, 1, 2019, 2019)]
    # by key, any case, initials or an old-style key the same (graphkit.lookup resolves them to the key)
    assert q(store, "co-authors", author=A) == rows
    assert q(store, "co-authors", author="alpha, ann") == rows
    assert q(store, "co-authors", author="Alpha, A.") == rows
    assert q(store, "co-authors", author="Alpha, Ann", limit=1)[0]["key"] == B


def test_collaboration_path_lists_all_shortest_chains_in_order(store):
    # Ann-Bob (P1) and Ann-Cy (P2); Bob-Di (P8) and Cy-Di (P3): two chains of 2 hops to Di.
    rows = q(store, "collaboration-path", **{"from": "Alpha, Ann", "to": "Delta, Di"})
    assert [(r["path"], r["hops"]) for r in rows] == [
        ("Alpha, Ann > Beta, Bob > Delta, Di", 2), ("Alpha, Ann > Gamma, Cy > Delta, Di", 2)]
    assert rows[0]["keys"] == f"{A} > {B} > {D}"
    # Eva is reached through Di only (P4): 3 hops, two ways
    rows = q(store, "collaboration-path", **{"from": A, "to": E})
    assert {r["hops"] for r in rows} == {3} and len(rows) == 2
    # Fay never wrote with anyone
    assert q(store, "collaboration-path", **{"from": "Alpha, Ann", "to": "Zeta, Fay"}) == []


def test_prolific_authors_rank_by_papers_then_name(store):
    rows = q(store, "prolific-authors")
    assert [(r["author"], r["papers"]) for r in rows] == [
        ("Alpha, Ann", 3), ("Beta, Bob", 3), ("Delta, Di", 3), ("Gamma, Cy", 2), ("Zeta, Fay", 2),
        ("Épsilon, Eva", 1)]
    fay = rows[4]
    assert (fay["first_year"], fay["last_year"]) == (2021, 2021)  # P7 has no year
    assert len(q(store, "prolific-authors", limit=2)) == 2


def test_author_profile(store):
    (row,) = q(store, "author-profile", author="Alpha, Ann")
    assert (row["papers"], row["first_year"], row["last_year"], row["coauthors"]) == (3, 2018, 2021, 2)
    assert row["journals"] == ["Journal One", "Journal Two"]
    # terms of P1, P2, P5: graphs 3, Liver Neoplasms 2, then Neoplasms, deep learning, networks 1 each
    assert row["top_terms"] == sorted(["graphs", "Liver Neoplasms", "Neoplasms", "deep learning", "networks"])
    (row,) = q(store, "author-profile", author="Alpha, Ann", top=3)
    assert row["top_terms"] == ["Liver Neoplasms", "Neoplasms", "graphs"]
    (row,) = q(store, "author-profile", author="Alpha, Ann", top=3, include_check_tags=True)
    # human (check tag) on P1, P2, P5 ties graphs at 3; Humans (P1, P2) beats Liver Neoplasms by name
    assert row["top_terms"] == ["Humans", "graphs", "human"]


def test_author_topics(store):
    rows = q(store, "author-topics", author=A)
    assert [(r["term"], r["papers"]) for r in rows] == [
        ("graphs", 3), ("Liver Neoplasms", 2), ("Neoplasms", 1), ("deep learning", 1), ("networks", 1)]
    rows = q(store, "author-topics", author=A, include_check_tags=True)
    assert ("human", 3) in [(r["term"], r["papers"]) for r in rows]


def test_top_keywords_leave_out_check_tags_unless_asked(store):
    rows = q(store, "top-keywords")
    assert [(r["keyword"], r["papers"]) for r in rows] == [("deep learning", 4), ("graphs", 3), ("networks", 3)]
    rows = q(store, "top-keywords", include_check_tags=True)
    assert (rows[0]["keyword"], rows[0]["papers"]) == ("human", 5)


def test_top_mesh(store):
    rows = q(store, "top-mesh")
    assert [(r["heading"], r["papers"], r["major"]) for r in rows] == [
        ("Liver Neoplasms", 2, 1), ("Fake Sibling", 1, 0), ("Neoplasms", 1, 1)]
    assert [r["heading"] for r in q(store, "top-mesh", include_check_tags=True)][0] == "Humans"


def test_keyword_cooccurrence(store):
    # graphs is on P1 (networks, human), P2 (human), P5 (deep learning, human)
    rows = q(store, "keyword-cooccurrence", keyword="Graphs")
    assert [(r["keyword"], r["papers"]) for r in rows] == [("deep learning", 1), ("networks", 1)]
    rows = q(store, "keyword-cooccurrence", keyword="kw:graphs", include_check_tags=True)
    assert [(r["keyword"], r["papers"]) for r in rows][0] == ("human", 3)


def test_mesh_trend_gives_share_of_each_year(store):
    # Liver Neoplasms: P2 (2019, alone that year), P5 (2021, with P4 and P6)
    rows = q(store, "mesh-trend", heading="Liver Neoplasms")
    assert [(r["year"], r["papers"], r["all_papers"]) for r in rows] == [(2019, 1, 1), (2021, 1, 3)]
    assert rows[1]["share"] == pytest.approx(1 / 3)
    assert q(store, "mesh-trend", heading="D008113") == rows


def test_mesh_branch_includes_descendants_but_not_lookalike_prefixes(store):
    rows = q(store, "mesh-branch", branch="C04")
    assert [(r["key"], r["year"]) for r in rows] == [("doi:10.1/p5", 2021), ("doi:10.1/p2", 2019),
                                                      ("doi:10.1/p1", 2018)]
    assert rows[1]["headings"] == ["Liver Neoplasms"]
    # C041.1 is not under C04; Liver Neoplasms is also under C06
    assert [r["key"] for r in q(store, "mesh-branch", branch="C06")] == ["doi:10.1/p5", "doi:10.1/p2"]


def test_emerging_terms_rank_by_rise_in_share(store):
    # latest year 2021, window 1 year: recent P4, P5, P6 (3 papers), before P1, P2, P3, P8 (4)
    rows = q(store, "emerging-terms", years=1, min_papers=1)
    got = [(r["term"], r["recent"], r["before"]) for r in rows]
    assert got == [("deep learning", 3, 1), ("Liver Neoplasms", 1, 1), ("graphs", 1, 2)]
    assert [r["rise"] for r in rows] == pytest.approx([3 / 3 - 1 / 4, 1 / 3 - 1 / 4, 1 / 3 - 2 / 4])
    assert [r["term"] for r in q(store, "emerging-terms", years=1, min_papers=2)] == ["deep learning"]


def test_journal_profile(store):
    (row,) = q(store, "journal-profile", journal="Journal One")
    assert (row["papers"], row["first_year"], row["last_year"], row["authors"]) == (2, 2018, 2019, 3)
    assert row["top_terms"] == sorted(["graphs", "Liver Neoplasms", "Neoplasms", "networks"])
    (row,) = q(store, "journal-profile", journal="1234-5678")  # by ISSN
    assert (row["papers"], row["authors"]) == (3, 4)


def test_most_cited_and_citations(store):
    rows = q(store, "most-cited")
    assert [(r["key"], r["cited_by"]) for r in rows] == [("doi:10.1/p1", 4), ("doi:10.1/p2", 2)]
    rows = q(store, "citations", paper="10.1/P2")  # DOI, any case
    assert [(r["direction"], r["key"]) for r in rows] == [("both", "doi:10.1/p1"), ("cited-by", "doi:10.1/p5")]
    assert q(store, "citations", paper="22222") == rows  # PMID
