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
NO_CORPUS = f"no corpus at {CORPUS} (set GRAPHKIT_CORPUS, or put it at ../shared/corpus beside the repo)"


# -- The real corpus: every test that reads it skips, with NO_CORPUS as the reason, when it is absent ------
# (a missing file is no error to graphkit.readers.read: it yields one "unreadable" diagnostic and no records,
# so a test that reads the corpus without asking first gets empty record lists, not a FileNotFoundError)

def have_corpus() -> bool:
    return CORPUS.is_dir()


def need_corpus() -> Path:
    """CORPUS, or skip the calling test (or fixture) when the corpus is absent."""
    if not have_corpus():
        # reported at the test, as a skip from a fixture is, not at this line (pytest >= 7 takes the flag)
        raise pytest.skip.Exception(NO_CORPUS, _use_item_location=True)
    return CORPUS


@pytest.fixture
def corpus() -> Path:
    """The corpus directory; the test skips when it is absent."""
    return need_corpus()


def corpus_counts() -> list[tuple[str, str, int]]:
    """(relative path, format, records) for every file in the corpus's counts.tsv; [] without a corpus."""
    table = CORPUS / "counts.tsv"
    if not table.exists():
        return []
    with open(table, newline="", encoding="utf-8") as fh:
        return [(r["file"], r["format"], int(r["records"])) for r in csv.DictReader(fh, delimiter="\t")]


def over_corpus(argnames: str | tuple[str, ...], rows: list) -> pytest.MarkDecorator:
    """``pytest.mark.parametrize`` over rows taken from the corpus (each row's first value is its id).
    Without a corpus: one parameter that skips with NO_CORPUS (pytest's own "empty parameter set" skip
    names no cause). A corpus that is present but gives no rows stops the collection: the rows' filter
    or counts.tsv is wrong, and the tests must not pass by having nothing to check."""
    names = [n.strip() for n in argnames.split(",")] if isinstance(argnames, str) else list(argnames)
    if rows:
        params = [pytest.param(*row, id=str(row[0])) if isinstance(row, tuple) else pytest.param(row, id=str(row))
                  for row in rows]
    elif not have_corpus():
        params = [pytest.param(*[None] * len(names), marks=pytest.mark.skip(reason=NO_CORPUS), id="no-corpus")]
    else:
        raise LookupError(f"the corpus at {CORPUS} gives no rows for {', '.join(names)}")
    return pytest.mark.parametrize(names, params)


def process_ended(pid: int, within: float = 5.0) -> bool:
    """Whether process ``pid`` ends within ``within`` seconds (gone, or a zombie not yet reaped; Linux's
    /proc): a forked step, block worker or read worker that must not outlive what started it."""
    import time

    deadline = time.monotonic() + within
    while True:
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":  # (after the name, which may hold spaces)
                    return True
        except (ProcessLookupError, FileNotFoundError):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def outlived_killed_parent(script: str, tmp_path: Path) -> bool:
    """Run ``script`` (``python -c``, with a file path as its argument): it starts a process that writes
    its pid to that file, then kills itself with SIGKILL, as the OOM killer would. Whether that process
    is still running 5 seconds later (then it is killed here)."""
    import subprocess
    import sys

    pid_file = tmp_path / "child.pid"
    proc = subprocess.run([sys.executable, "-c", script, str(pid_file)], timeout=60)
    assert proc.returncode == -9
    pid = int(pid_file.read_text())
    if process_ended(pid):
        return False
    os.kill(pid, 9)
    return True


def pytest_report_header(config) -> str:
    """The corpus the run reads, in the header: without it 147 fewer tests are collected and some 100 skip."""
    if have_corpus():
        return f"corpus: {CORPUS} ({len(corpus_counts())} files in counts.tsv)"
    return f"corpus: ABSENT, {NO_CORPUS}: the tests that read it skip"


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

