"""What a read-only `graphkit cypher` refuses before sending (the Neo4j side; tested live in
tests/sinks/test_neo4j_read_only.py)."""

from __future__ import annotations

import pytest

from graphkit.cypher_guard import ReadOnlyError, check_read_only, read_only_refusal

REFUSED = [
    ("LOAD CSV FROM 'http://127.0.0.1:9/x.csv' AS row RETURN row", "LOAD CSV"),
    ("load  csv with headers from 'file:///etc/passwd' as r return r", "LOAD CSV"),
    ("SHOW TRANSACTIONS YIELD transactionId AS t TERMINATE TRANSACTIONS t", "TERMINATE"),
    ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", "TERMINATE"),
    ("SHOW TRANSACTIONS", "SHOW TRANSACTIONS"),
    ("SHOW USERS", "SHOW USERS"),
    ("SHOW CURRENT USER", "SHOW CURRENT USER"),
    ("show roles", "SHOW ROLES"),
    ("SHOW DATABASES YIELD name", "SHOW DATABASES"),
    ("SHOW SETTINGS", "SHOW SETTINGS"),
    ("EXPLAIN SHOW PRIVILEGES", "SHOW PRIVILEGES"),
    ("CALL db.clearQueryCaches()", "db.clearQueryCaches"),
    ("CALL dbms.setConfigValue('db.logs.query.enabled', 'OFF')", "dbms.setConfigValue"),
    ("CALL apoc.load.json('http://127.0.0.1:9/x')", "apoc.load.json"),
    ("CALL `db`.`clearQueryCaches`()", "quoted"),
    ("MATCH (n) CALL db.createLabel('X') RETURN n", "db.createLabel"),
    ("USE system SHOW USERS", "SHOW USERS"),
    ("use system match (n) return n", "USE"),
    ("CALL { USE system MATCH (n) RETURN n } RETURN n", "USE"),
    ("GRANT ROLE admin TO mallory", "GRANT"),
    ("REVOKE ROLE admin FROM alice", "REVOKE"),
    ("STOP DATABASE neo4j", "STOP"),
    ("CYPHER runtime=slotted START DATABASE neo4j", "START"),
    ("CREATE (n:X)", "--write"),
    ("MATCH (n) DETACH DELETE n", "--write"),
    ("MATCH (n) SET n.x = 1", "--write"),
    ("MATCH (n) FOREACH (x IN [1] | SET n.y = x)", "--write"),
]

ALLOWED = [
    "MATCH (p:Paper) RETURN count(p)",
    "CALL db.index.fulltext.queryNodes('paper_text', 'tumour') YIELD node, score RETURN node.key, score",
    "CALL db.labels() YIELD label RETURN label",
    "CALL db.labels",
    "CALL db.awaitIndexes(300)",
    "CALL db . schema . visualization()",
    "SHOW INDEXES",
    "SHOW FULLTEXT INDEXES YIELD name",
    "SHOW UNIQUE CONSTRAINTS",
    "CALL { MATCH (n) RETURN n } RETURN count(n)",
    "MATCH (p:Paper) CALL (p) { RETURN p.year AS y } RETURN y",
    # keywords inside strings, backtick names, comments, or as names and properties are not clauses
    "MATCH (n) WHERE n.title = 'LOAD CSV and CALL db.clearQueryCaches()' RETURN n.set",
    "MATCH (n) RETURN n.`SHOW USERS` // TERMINATE TRANSACTIONS",
    "MATCH (start)-->(stop) RETURN start, stop",
    "MATCH (use) RETURN use LIMIT 1",
]


@pytest.mark.parametrize("statement, why", REFUSED)
def test_refused(statement, why):
    reason = read_only_refusal(statement)
    assert reason is not None and why in reason and "\n" not in reason
    with pytest.raises(ReadOnlyError):
        check_read_only(statement)


@pytest.mark.parametrize("statement", ALLOWED)
def test_allowed(statement):
    assert read_only_refusal(statement) is None
