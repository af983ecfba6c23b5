"""Search: the shared query language, and ranked, diacritics-insensitive search on both stores."""

from __future__ import annotations

import pytest

from graphkit.search import DEFAULT_FIELDS, Query, SearchError, Term, fold, parse, to_fts5, to_lucene
from conftest import graph_in_store
from test_queries import small_graph


def test_fold_strips_diacritics_and_case():
    assert fold("Barabási") == "barabasi"
    assert fold("Épsilon ÇA") == "epsilon ca"


def test_parse_words_phrases_and_prefixes():
    assert parse('Barabási "deep  Learning" netw*').terms == [
        Term(("barabasi",)), Term(("deep", "learning")), Term(("netw",), prefix=True)]
    assert parse("covid-19").terms == [Term(("covid", "19"))]  # split like the tokenizers do
    assert parse('"unterminated phrase').terms == [Term(("unterminated", "phrase"))]


@pytest.mark.parametrize("text", ["", "   ", '""', "*", "-- ;"])
def test_empty_queries_are_errors(text):
    with pytest.raises(SearchError, match="nothing to search"):
        parse(text)


def test_rendering_for_each_engine():
    query = parse('a:b "x y" pre* c')  # "a:" is no field: its text is searched
    assert to_fts5(query) == '"a b" AND "x y" AND "pre"* AND "c"'
    assert to_lucene(query) == '+"a b" +"x y" +pre* +c'
    assert to_lucene(parse("what?")) == "+what"
    assert to_lucene(Query(((Term(("a+b",)),),))) == "+a\\+b"  # special characters escaped if they survive
    fielded = parse('author:barabasi title:"scale free" graphs OR networks NOT gambling')
    assert to_fts5(fielded, ("title", "abstract")) == (
        '({authors} : "barabasi" AND {title} : "scale free" AND ({title abstract} : "graphs" OR '
        '{title abstract} : "networks")) NOT {title abstract} : "gambling"')
    assert to_lucene(fielded, ("title", "abstract")) == (
        '+authors:barabasi +title:"scale free" +((title:graphs abstract:graphs) (title:networks abstract:networks)) '
        '-(title:gambling abstract:gambling)')


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def store(request, tmp_path_factory):
    with graph_in_store(request, request.param, small_graph(), tmp_path_factory, "s") as s:
        yield s


def keys(rows):
    return [r["key"] for r in rows]


def test_diacritics_insensitive_both_ways(store):
    assert keys(store.search("Barabasi")) == ["title:0000000000000007"]
    assert keys(store.search("barabási")) == ["title:0000000000000007"]
    assert keys(store.search("epsilon", kind="author")) == ["name:epsilon|e"]
    assert keys(store.search("ÉPSILON", kind="author")) == ["name:epsilon|e"]


def test_rows_have_kind_key_name_score(store):
    (row,) = store.search("epsilon", kind="author")
    assert row["kind"] == "author" and row["name"] == "Épsilon, Eva" and row["score"] > 0


def test_all_words_must_match(store):
    # 'deep' is in P3, P4, P6 titles and the keyword of P3, P4, P5, P6; 'again' only in P4
    assert keys(store.search("deep again", kind="paper")) == ["doi:10.1/p4"]


def test_phrase_needs_words_in_order(store):
    assert set(keys(store.search('"graph learning"', kind="paper"))) == {"doi:10.1/p5"}
    assert store.search('"learning graph"', kind="paper") == []


def test_prefix(store):
    found = set(keys(store.search("tumo*", kind="paper")))
    assert found == {"doi:10.1/p1", "doi:10.1/p2"}  # "tumours" in P1's title, P2's abstract
    assert store.search("tumo", kind="paper") == []


def test_terms_are_searchable_on_papers_and_as_names(store):
    # "Liver Neoplasms" is a MeSH heading of P2 and P5 (P5's title has "liver" too)
    assert set(keys(store.search('"liver neoplasms"', kind="paper"))) == {"doi:10.1/p2", "doi:10.1/p5"}
    # the paper's own headings, plus whatever broader MeSH headings the store adds from the tree
    assert {"mesh:D008113", "mesh:D009369"} <= set(keys(store.search("neoplasms", kind="term", limit=50)))
    assert all(r["name"] and "neoplasm" in r["name"].lower() for r in store.search("neoplasms", kind="term"))


def test_kind_and_limit(store):
    every = store.search("deep", limit=20)
    assert {r["kind"] for r in every} == {"paper", "term"}
    assert {r["kind"] for r in store.search("deep", kind="term")} == {"term"}
    assert len(store.search("deep", limit=2)) == 2
    scores = [r["score"] for r in store.search("deep", kind="paper")]
    assert scores == sorted(scores, reverse=True)


def test_ranking_prefers_the_denser_match(store):
    # "networks" appears in P3's title and abstract and as its keyword; in P1 and P8 only as a keyword
    assert keys(store.search("networks", kind="paper"))[0] == "doi:10.1/p3"


def test_unknown_kind_is_an_error(store):
    with pytest.raises(SearchError, match="unknown kind"):
        store.search("x", kind="journal")


# ASCII text is cut by str.translate + split (search.tokens' fast path); every piece it leaves must be
# cut exactly as the UAX #29 regex cuts the whole text
@pytest.mark.parametrize("text", [
    "Networks, small-world and scale-free.", "u.s.a. and the U.K.", "don't stop: 3.5 1,000 2;3 a;b",
    "x_y __init__ snake_case", "end. 'quoted' \"double\" (paren) [b] {c}", "a.b.c. .a. ..", "tab\tnew\nline",
    "ctrl\x00char\x01s\x7f", "\x1cfile\x1dsep\x1e\x1f", "A:B a:1 1:a 1:2 ''", "", "   ", "covid-19/sars-cov-2",
])
def test_ascii_tokens_match_the_unicode_rule(text):
    from graphkit.search import _UAX29, tokens

    assert tokens(text) == _UAX29.findall(fold(text))


def test_ascii_tokens_match_the_unicode_rule_on_random_text():
    import random

    from graphkit.search import _UAX29, tokens

    rng = random.Random(7)
    alphabet = "ab1Z_.':,;- \t\n\x00\x1c\x7f\x0b!\"#$%&()*+/<=>?@[\\]^`{|}~"
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert tokens(text) == _UAX29.findall(fold(text)), text
