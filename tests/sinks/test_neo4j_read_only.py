"""`cypher` without --write on a real Neo4j server: refusals happen before anything is sent, side effects
do not happen, and what is sent runs in a READ session where the server itself rejects writes."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading

import pytest

from conftest import ROOT
from graphkit import cypher_guard
from graphkit.cypher_guard import ReadOnlyError
from graphkit.sinks.neo4j import Neo4jError, Neo4jStore

pytestmark = pytest.mark.neo4j


@pytest.fixture
def store(neo4j_empty, neo4j_env):
    uri, user, password = neo4j_env
    s = Neo4jStore(uri, user=user, password=password)
    s.run("CREATE (:Paper {key: 'guard:1', title: 'LOAD CSV in a title'})", write=True)
    yield s
    s.run("MATCH (n:Paper {key: 'guard:1'}) DETACH DELETE n", write=True)
    s.close()


@pytest.fixture
def web():
    """A local web server counting the requests it gets (what LOAD CSV FROM 'http://...' would fetch)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            hits.append(self.path)
            body = b"a\n1\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/rows.csv", hits
    server.shutdown()


@pytest.fixture
def sent(store, monkeypatch):
    """Every session the store opens (a refused statement opens none)."""
    opened: list[bool] = []
    real = store._session

    def session(write: bool):
        opened.append(write)
        return real(write)

    monkeypatch.setattr(store, "_session", session)
    return opened


def test_load_csv_fetches_nothing_without_write(store, web, sent):
    url, hits = web
    with pytest.raises(ReadOnlyError, match="LOAD CSV"):
        store.run(f"LOAD CSV FROM '{url}' AS row RETURN row")
    assert hits == [] and sent == []
    # the same statement with --write does reach the URL: the refusal above is what stopped it
    assert store.run(f"LOAD CSV WITH HEADERS FROM '{url}' AS row RETURN row.a AS a", write=True) == [{"a": "1"}]
    assert hits == ["/rows.csv"]


def test_terminate_transactions_is_refused_and_kills_nothing(store, neo4j_driver, sent):
    with neo4j_driver.session() as other:
        tx = other.begin_transaction()  # someone's running transaction
        tx.run("MATCH (n) RETURN count(n)").consume()
        with pytest.raises(ReadOnlyError, match="TERMINATE"):
            store.run("SHOW TRANSACTIONS YIELD transactionId AS t, currentQuery AS q "
                      "WHERE q = '' TERMINATE TRANSACTIONS t")
        tx.run("CREATE (:GuardProbe)").consume()
        tx.rollback()  # still alive: it was not terminated
    assert sent == []


@pytest.mark.parametrize("statement", [
    "SHOW USERS", "SHOW DATABASES", "SHOW ROLES", "SHOW TRANSACTIONS", "SHOW SETTINGS",
    "CALL db.clearQueryCaches()", "CALL dbms.setConfigValue('db.logs.query.enabled', 'OFF')",
    "USE system SHOW USERS", "USE system MATCH (n) RETURN n", "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "GRANT ROLE admin TO mallory", "STOP DATABASE neo4j", "CREATE (:GuardProbe)",
])
def test_admin_commands_and_procedures_are_refused_before_sending(store, sent, statement):
    with pytest.raises(ReadOnlyError) as info:
        store.run(statement)
    assert "\n" not in str(info.value)
    assert sent == []


def test_reads_schema_listings_and_fulltext_queries_run(store):
    store.ensure_schema()
    assert store.run("MATCH (p:Paper {key: 'guard:1'}) RETURN p.title AS t") == [{"t": "LOAD CSV in a title"}]
    assert {"Paper"} <= {r["label"] for r in store.run("CALL db.labels() YIELD label RETURN label")}
    assert {"paper_text", "name_text"} <= {r["name"] for r in store.run("SHOW FULLTEXT INDEXES YIELD name")}
    store.run("CALL db.index.fulltext.queryNodes('paper_text', 'title') YIELD node RETURN node.key AS k")


def test_the_server_rejects_writes_in_the_read_session(store, neo4j_driver, monkeypatch):
    """Were a write to get past the refusals, the READ access-mode session still stops it."""
    monkeypatch.setattr(cypher_guard, "read_only_refusal", lambda cypher: None)  # (run imports it per call)
    with pytest.raises(Neo4jError, match="(?i)write|access"):
        store.run("CREATE (:GuardProbe)")
    with pytest.raises(Neo4jError):
        store.run("MATCH (p:Paper {key: 'guard:1'}) SET p.title = 'changed'")
    records, _, _ = neo4j_driver.execute_query("MATCH (g:GuardProbe) RETURN count(g) AS n")
    assert records[0]["n"] == 0
    assert store.run("MATCH (p:Paper {key: 'guard:1'}) RETURN p.title AS t") == [{"t": "LOAD CSV in a title"}]


def test_cli_refusal_is_one_line(store, neo4j_env):
    uri, user, password = neo4j_env
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "NEO4J_USER": user, "NEO4J_PASSWORD": password}
    result = subprocess.run([sys.executable, "-m", "graphkit", "cypher", "--neo4j", uri, "SHOW USERS"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Error: SHOW USERS is an administration command")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
