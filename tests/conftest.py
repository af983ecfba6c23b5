"""Shared fixtures: where the real corpus is, small fixture files, the Neo4j server from the environment."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = Path(os.environ.get("GRAPHKIT_CORPUS", ROOT.parent / "shared" / "corpus"))
SEED = CORPUS / "seed" / "scopus-collapsed__seed.ris"


def corpus_counts() -> list[tuple[str, str, int]]:
    """(relative path, format, records) for every file in the corpus's counts.tsv; [] without a corpus."""
    table = CORPUS / "counts.tsv"
    if not table.exists():
        return []
    with open(table, newline="", encoding="utf-8") as fh:
        return [(r["file"], r["format"], int(r["records"])) for r in csv.DictReader(fh, delimiter="\t")]


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.exists():
        pytest.skip("../shared/corpus is not present")
    return CORPUS


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


# -- Neo4j: a real server, started by scripts/test when NEO4J_URI is unset ----------------------------

def neo4j_settings() -> tuple[str, str, str] | None:
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        return None
    return uri, os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", "")


@pytest.fixture(scope="session")
def neo4j_env() -> tuple[str, str, str]:
    """(uri, user, password) of the test server. Under CI=true a missing server fails, never skips."""
    settings = neo4j_settings()
    if settings is None:
        msg = "NEO4J_URI is not set: run the tests with scripts/test, which starts Neo4j"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return settings


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_env):
    from neo4j import GraphDatabase

    uri, user, password = neo4j_env
    driver = GraphDatabase.driver(uri, auth=(user, password))
    try:
        driver.verify_connectivity()
    except Exception as exc:  # noqa: BLE001
        driver.close()
        pytest.fail(f"Neo4j at {uri} is not reachable: {exc}")
    yield driver
    driver.close()


@pytest.fixture
def neo4j_empty(neo4j_driver):
    """The driver, on a database emptied of nodes (constraints and indexes are kept)."""
    with neo4j_driver.session() as session:  # CALL ... IN TRANSACTIONS needs an auto-commit transaction
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    return neo4j_driver


# -- Headless Chromium: one session fixture for every browser test ------------------------------------
# (defined once here; a session fixture imported into several modules would start Playwright twice)
import sys as _sys  # noqa: E402

_sys.path.insert(0, str(Path(__file__).resolve().parent / "browser"))
from _chromium import browser  # noqa: E402,F401


# -- Hand-made graphs stored as JSON fixtures ---------------------------------------------------------

SMALL_GRAPH = FIXTURES / "rdf" / "small-graph.json"


def load_graph(path: Path = SMALL_GRAPH):
    """A Graph from a fixture file of {"nodes": [{label, key, ...}], "edges": [{type, source, target, ...}]}."""
    import json

    from graphkit.graph import Graph
    from graphkit.schema import Label, RelType

    data = json.loads(path.read_text(encoding="utf-8"))
    g = Graph()
    for node in data["nodes"]:
        node = dict(node)
        g.add_node(Label(node.pop("label")), node.pop("key"), **node)
    for edge in data["edges"]:
        edge = dict(edge)
        g.add_edge(RelType(edge.pop("type")), edge.pop("source"), edge.pop("target"), **edge)
    return g


def split(items):
    """A reader's output as (records, diagnostics)."""
    from graphkit.model import Record

    records, diags = [], []
    for item in items:
        (records if isinstance(item, Record) else diags).append(item)
    return records, diags


def read_mixed_graph(path: Path, fmt: str):
    """A GraphML or GEXF export read with networkx, whose readers refuse mixed graphs: the XML is parsed
    (a real XML parser), the undirected marks are checked and taken off, then networkx reads the rest.
    Returns (networkx graph, the relationship types marked undirected)."""
    import xml.etree.ElementTree as ET

    import networkx as nx

    tree = ET.parse(path)
    undirected: set[str] = set()
    for el in tree.iter():
        if not el.tag.endswith("}edge"):
            continue
        if fmt == "graphml" and el.get("directed") == "false":
            undirected.add(el.get("id").rsplit("-", 1)[0])
            del el.attrib["directed"]
        elif fmt == "gexf" and el.get("type") == "undirected":
            undirected.add(el.get("label"))
            del el.attrib["type"]
    text = ET.tostring(tree.getroot(), encoding="unicode")
    if fmt == "graphml":
        return nx.parse_graphml(text), undirected
    import io

    return nx.read_gexf(io.BytesIO(text.encode("utf-8"))), undirected


# -- One graph in each store: the module fixtures of the query, search and concept tests --------------

def wipe(driver) -> None:
    """Empty the test database (CALL ... IN TRANSACTIONS needs an auto-commit transaction)."""
    with driver.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


@contextmanager
def graph_in_store(request, kind: str, graph, tmp_path_factory, name: str = "store") -> Iterator:
    """``graph`` written to a new embedded store (``kind`` "embedded") or to the emptied Neo4j test
    server ("neo4j"); the store is closed afterwards."""
    from graphkit.stores import open_store

    if kind == "embedded":
        from graphkit.sinks.embedded import EmbeddedStore

        store = EmbeddedStore(tmp_path_factory.mktemp(name) / "graphkit.db", create=True)
    else:
        uri, _, _ = request.getfixturevalue("neo4j_env")
        wipe(request.getfixturevalue("neo4j_driver"))
        store = open_store(neo4j=uri)
    try:
        store.write_graph(graph)
        yield store
    finally:
        store.close()

