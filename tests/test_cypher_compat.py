"""Neo4j-habit Cypher on the embedded store: rewritten (same answers as Neo4j) or refused naming the
embedded equivalent. Each query runs on both stores holding the same files."""

from __future__ import annotations

import pytest

from graphkit.build import BuildOptions
from graphkit.cypher_compat import CypherCompatError, for_ladybug
from graphkit.stores import open_store
from conftest import FIXTURES

FILES = [str(FIXTURES / "queries" / "ingest_a.nbib"), str(FIXTURES / "queries" / "ingest_b.nbib")]

# (query, what both stores must answer the same); ORDER BY everywhere: rows compared in order
HABITS = [
    "MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n ORDER BY t",
    "MATCH (a:Author)-[r:AUTHORED]->(p:Paper) RETURN TYPE(r) AS t, count(*) AS n",
    "MATCH (p:Paper) RETURN toLower(p.title) AS lo, toUpper(p.title) AS up ORDER BY lo",
    "MATCH (p:Paper) RETURN toString(p.year) AS y ORDER BY y",
    "MATCH (p:Paper) RETURN size(p.title) AS chars, size(p.sources) AS n ORDER BY chars",
    "MATCH (a:Author) RETURN count(DISTINCT elementId(a)) = count(a) AS unique_ids, "
    "count(CASE WHEN elementId(a) STARTS WITH '' THEN 1 END) AS strings",
    "MATCH (j:Journal) RETURN labels(j) AS l, count(*) AS n",
    "RETURN toInteger('42') AS i, toFloat('1.5') AS f, toBoolean('true') AS b, split('a;b', ';') AS parts",
    "MATCH (p:Paper) RETURN p.key AS first ORDER BY first LIMIT 1",
    "MATCH (p:Paper) WHERE toLower(p.title) CONTAINS toLower('NEUROENDOCRINE') "
    "RETURN p.key AS key ORDER BY key",
    "RETURN 'type(r) and toString(x) stay text' AS s  // type(r) in a comment",
]


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("compat") / "graphkit.db", create=True)
    store.ingest(FILES, options=BuildOptions())
    yield store
    store.close()


@pytest.fixture(scope="module")
def neo4j(neo4j_env):
    from graphkit.stores import open_store as open_

    uri, _, _ = neo4j_env
    store = open_(None, uri)
    store.run("MATCH (n) DETACH DELETE n", write=True)
    store.ingest(FILES, options=BuildOptions())
    yield store
    store.close()


def _plain(rows):
    return [{k: (sorted(v) if isinstance(v, list) and k == "l" else v) for k, v in r.items()} for r in rows]


@pytest.mark.parametrize("query", HABITS)
def test_neo4j_habits_answer_the_same_on_both_stores(embedded, neo4j, query) -> None:
    want = neo4j.run(query)
    assert want, f"the query answers nothing on Neo4j: {query}"
    assert _plain(embedded.run(query)) == _plain(want)


@pytest.mark.parametrize("query, advice", [
    ("MATCH (a)-[r:AUTHORED]->(b) RETURN startNode(r).name LIMIT 1", "MATCH (a)-[r]->(b)"),
    ("CALL db.labels() YIELD label RETURN label", "show_tables()"),
    ("RETURN apoc.text.join(['a'], ',')", "APOC is a Neo4j plugin"),
    ("RETURN timestamp() AS t", "current_timestamp()"),
    # collect() on LadybugDB does not keep row order: Neo4j's "first row" idiom would answer another row
    ("MATCH (p:Paper) WITH p ORDER BY p.key LIMIT 100 RETURN head(collect(p.key)) AS first", "LIMIT 1"),
    ("MATCH (p:Paper) WITH p ORDER BY p.year DESC RETURN collect(p.key)[0] AS first", "LIMIT 1"),
])
def test_refused_with_the_embedded_equivalent(embedded, neo4j, query, advice) -> None:
    with pytest.raises(CypherCompatError, match="embedded store does not have") as err:
        embedded.run(query)
    assert advice in str(err.value)
    if "apoc" not in query:  # Neo4j runs them (the test server has no APOC)
        assert neo4j.run(query)


def test_rewrite_is_exact_and_leaves_literals_alone() -> None:
    assert for_ladybug("MATCH ()-[r]->() RETURN type(r), count(*)") == "MATCH ()-[r]->() RETURN label(r), count(*)"
    assert for_ladybug("RETURN elementId(n), toString(elementId(m))") == \
        "RETURN cast(id(n) AS STRING), to_string(cast(id(m) AS STRING))"
    assert for_ladybug("RETURN labels(n)[0]") == "RETURN [label(n)][0]"
    same = "MATCH (n:Paper) WHERE n.type = 'type(x)' AND n.`toString(` = \"split(\" RETURN n.size /* size( */"
    assert for_ladybug(same) == same
    assert for_ladybug("MATCH (n) RETURN n.type(") == "MATCH (n) RETURN n.type("  # properties are not calls


def test_first_row_idiom_refused_only_after_an_order_by() -> None:
    assert for_ladybug("MATCH (p) RETURN head(collect(p.key))") == "MATCH (p) RETURN list_extract(collect(p.key), 1)"
    same = "MATCH (p) WHERE p.title = 'ORDER BY' RETURN size(collect(p.key)) AS n ORDER BY n"
    assert for_ladybug(same) == same  # ORDER BY in a literal, and after the collect(): no pick by position
    with pytest.raises(CypherCompatError, match="LIMIT 1"):
        for_ladybug("MATCH (p) WITH p ORDER BY p.year LIMIT 9 RETURN LAST( collect(p.key) )")
