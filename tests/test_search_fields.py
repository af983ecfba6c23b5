"""Search over the whole paper (author names and journal with each paper), field prefixes, OR / NOT and
folding of letters NFKD does not decompose (ı ø ł đ ß æ œ þ): the same answers on both stores."""

from __future__ import annotations

import pytest

from graphkit.graph import Graph
from graphkit.schema import Label, RelType
from graphkit.search import SearchError, parse
from graphkit.sinks.embedded import EmbeddedStore
from conftest import wipe

PAPERS = {
    "p1": ("Emergence of scaling in random networks", "Science", ["Barabási, Albert-László", "Albert, Réka"],
           ["networks"], []),
    "p2": ("Harms of gambling in young adults", "Journal of Gambling Studies", ["Akçayır, Murat", "Ørnberg, Jesper"],
           ["harm"], ["Gambling"]),
    "p3": ("Harm reduction for problem drinkers", "Addiction", ["Łukasiewicz, Jan", "Đoković, Novak", "Straße, Hans"],
           [], ["Alcoholism"]),
    "p4": ("Myths of the north", "Scandinavian Studies", ["Þórsson, Œdipe", "Æbelø, Sigrid"], ["gambling"], []),
    "p5": ("Scaling laws of deep networks", "Science", ["Smith, John"], ["deep learning"], []),
}


def search_graph(papers: dict[str, tuple] = PAPERS, abstracts: dict[str, str] | None = None) -> Graph:
    """``papers``: key -> (title, journal, author names, keywords, MeSH names), with ``abstracts`` by key."""
    g = Graph()
    for key, (title, journal, authors, keywords, mesh) in papers.items():
        g.add_node(Label.PAPER, key, title=title or None, abstract=(abstracts or {}).get(key),
                   year=2000 + int(key[1]))
        g.add_node(Label.JOURNAL, "j:" + journal, name=journal)
        g.add_edge(RelType.PUBLISHED_IN, key, "j:" + journal)
        for i, name in enumerate(authors, 1):
            family, given = name.split(", ")
            g.add_node(Label.AUTHOR, "a:" + name, name=name, family=family, given=given)
            g.add_edge(RelType.AUTHORED, "a:" + name, key, position=i)
        for kw in keywords:
            g.add_node(Label.KEYWORD, "kw:" + kw, name=kw, check_tag=False)
            g.add_edge(RelType.HAS_KEYWORD, key, "kw:" + kw)
        for m in mesh:
            g.add_node(Label.MESH, "mesh:" + m, name=m, check_tag=False)
            g.add_edge(RelType.HAS_MESH, key, "mesh:" + m, major=False)
    return g


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    s = EmbeddedStore(tmp_path_factory.mktemp("sf") / "graphkit.db", create=True)
    s.write_graph(search_graph())
    yield s
    s.close()


@pytest.fixture(scope="module")
def neo4j(neo4j_env, neo4j_driver):
    from graphkit.stores import open_store

    wipe(neo4j_driver)
    s = open_store(neo4j=neo4j_env[0])
    s.write_graph(search_graph())
    yield s
    s.close()


@pytest.fixture(params=["embedded", "neo4j"])
def store(request):
    return request.getfixturevalue(request.param)


def papers(store, text):
    return sorted(r["key"] for r in store.search(text, kind="paper", limit=50))


def test_author_names_and_journal_are_searched_with_each_paper(store):
    assert papers(store, "Barabasi scaling") == ["p1"]
    assert papers(store, "science scaling") == ["p1", "p5"]
    assert papers(store, "Albert networks") == ["p1"]


@pytest.mark.parametrize("text, expected", [
    ("author:barabasi", ["p1"]),
    ("author:albert", ["p1"]),
    ("title:scaling", ["p1", "p5"]),
    ("title:albert", []),
    ('journal:"gambling studies"', ["p2"]),
    ("journal:science networks", ["p1", "p5"]),
    ("mesh:gambling", ["p2"]),          # p4 has 'gambling' only as a keyword
    ("gambling", ["p2", "p4"]),
    ("mesh:alcohol*", ["p3"]),
    ("AUTHOR:smith title:deep", ["p5"]),
])
def test_field_prefixes(store, text, expected):
    assert papers(store, text) == expected


def test_field_prefixes_find_papers_only(store):
    assert {r["kind"] for r in store.search("author:albert", limit=50)} == {"paper"}
    assert {r["kind"] for r in store.search("albert", limit=50)} == {"paper", "author"}


@pytest.mark.parametrize("text, expected", [
    ("drinkers OR myths", ["p3", "p4"]),
    ("harm* NOT gambling", ["p3"]),
    ("harm* -gambling", ["p3"]),
    ("networks NOT author:smith", ["p1"]),
    ("scaling deep OR random", ["p1", "p5"]),
    ("scaling deep OR drinkers", ["p5"]),
])
def test_or_and_not(store, text, expected):
    assert papers(store, text) == expected


def test_not_without_a_positive_term_is_refused(store):
    with pytest.raises(SearchError, match="NOT only leaves things out"):
        store.search("NOT gambling")
    with pytest.raises(SearchError, match="OR needs a term on each side"):
        store.search("gambling OR")


@pytest.mark.parametrize("query, author", [
    ("Akcayir", "Akçayır, Murat"), ("Ornberg", "Ørnberg, Jesper"), ("Lukasiewicz", "Łukasiewicz, Jan"),
    ("Dokovic", "Đoković, Novak"), ("Strasse", "Straße, Hans"), ("Thorsson", "Þórsson, Œdipe"),
    ("Oedipe", "Þórsson, Œdipe"), ("Aebelo", "Æbelø, Sigrid"), ("akçayır", "Akçayır, Murat"),
])
def test_folding_beyond_nfkd(store, query, author):
    assert [r["name"] for r in store.search(query, kind="author")] == [author]
    paper = next(k for k, v in PAPERS.items() if author in v[2])
    assert papers(store, query) == [paper]


@pytest.mark.parametrize("text", ["scaling", "networks OR gambling", "harm* NOT gambling", "science",
                                  "albert", "author:albert OR journal:addiction"])
def test_both_stores_rank_alike(embedded, neo4j, text):
    a, b = embedded.search(text, limit=20), neo4j.search(text, limit=20)
    assert [(r["kind"], r["key"]) for r in a] == [(r["kind"], r["key"]) for r in b]
    assert [round(r["score"], 3) for r in a] == [round(r["score"], 3) for r in b]


def test_parse_operators():
    q = parse("a1 b2 OR c3 NOT d4 -e5 title:f6")
    assert [[t.words[0] for t in g] for g in q.groups] == [["a1"], ["b2", "c3"], ["f6"]]
    assert [t.words[0] for t in q.excluded] == ["d4", "e5"] and q.fielded
    with pytest.raises(SearchError, match="nothing to search for"):
        parse("or not and")  # lower-case: plain (stop) words, not operators


def _documents_graph(g):
    """Papers whose search fields take every rule: byline order with a missing position, authors and
    terms with an empty name or none, two journals, names that sort by code point ('Zeta' < 'alpha' < 'Émile' < 'ß')."""
    for key in ("p1", "p2", "p3"):
        g.add_node(Label.PAPER, key, title=key)
    for key, name in (("a:x", "Xu, Li"), ("a:y", "Young, Al"), ("a:z", "Zed, Q"), ("a:e", "")):
        g.add_node(Label.AUTHOR, key, name=name)
    g.add_node(Label.AUTHOR, "a:none")  # no name
    for source, position in (("a:x", 2), ("a:y", 1), ("a:z", None), ("a:e", 3), ("a:none", 4)):
        g.add_edge(RelType.AUTHORED, source, "p1", position=position)
    g.add_node(Label.JOURNAL, "j:b", name="B")
    g.add_node(Label.JOURNAL, "j:a", name="A")
    g.add_edge(RelType.PUBLISHED_IN, "p1", "j:b")
    g.add_edge(RelType.PUBLISHED_IN, "p1", "j:a")
    for key, name in (("kw:z", "Zeta"), ("kw:a", "alpha"), ("kw:e", "Émile"), ("kw:s", "ß"), ("kw:empty", "")):
        g.add_node(Label.KEYWORD, key, name=name, check_tag=False)
    g.add_node(Label.KEYWORD, "kw:none", check_tag=False)  # no name
    for target in ("kw:z", "kw:a", "kw:e", "kw:s", "kw:empty", "kw:none"):
        g.add_edge(RelType.HAS_KEYWORD, "p1", target)
    g.add_edge(RelType.HAS_KEYWORD, "p2", "kw:empty")
    g.add_node(Label.MESH, "mesh:D1", name="alpha", check_tag=False)
    g.add_node(Label.MESH, "mesh:D2", name="Zeta", check_tag=False)
    for source, target in (("p1", "mesh:D1"), ("p1", "mesh:D2"), ("p3", "mesh:D1")):
        g.add_edge(RelType.HAS_MESH, source, target, major=False)
    return g


def test_paper_documents_on_rows_and_columns() -> None:
    """The derived search fields (computed by DuckDB over the graph's columns) follow every rule, the
    same for a row graph and a columnar one; a paper without any text has none, and ``terms=False``
    leaves the terms out."""
    from graphkit.columnar import ColumnarGraph
    from graphkit.search import paper_documents

    expected = {"p1": {"terms": "Zeta; alpha; Émile; ß", "mesh": "Zeta; alpha",
                       "authors": "Young, Al; Xu, Li; Zed, Q", "journal": "A"},
                "p3": {"terms": "alpha", "mesh": "alpha"}}
    for graph in (_documents_graph(Graph()), _documents_graph(ColumnarGraph())):
        assert paper_documents(graph) == expected
        assert paper_documents(graph, terms=False) == {k: {f: v for f, v in doc.items() if f != "terms"}
                                                       for k, doc in expected.items()}


def test_neo4j_terms_count_empty_names_and_flag_missing_ones() -> None:
    """The Neo4j ``terms`` (as Cypher computes them) keep a term whose name is empty, and a term without
    a name marks its paper unsure."""
    from graphkit.columnar import ColumnarGraph
    from graphkit.sinks.neo4j import graph_terms

    for graph in (_documents_graph(Graph()), _documents_graph(ColumnarGraph())):
        terms, unsure = graph_terms(graph)
        assert terms == {"p1": "; Zeta; alpha; Émile; ß", "p2": "", "p3": "alpha"}
        assert unsure == {"p1"}
