"""graphkit ingest / query / cypher / search on the embedded store, through the real CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphkit.cli import main

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "queries"
A, B = str(FIX / "ingest_a.nbib"), str(FIX / "ingest_b.nbib")


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "graphkit.db")


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_ingest_prints_a_summary_and_diagnostics_on_stderr(db):
    result = run("ingest", A, B, "--db", db, "-q")
    assert result.exit_code == 0, result.output
    assert f"{A}: added (2 records)" in result.stdout
    assert "4 records in the store: 3 papers, " in result.stdout  # PMID 1002 is in both files
    assert f"graph stored in embedded store {db}" in result.stdout
    assert "2 diagnostic(s)" in result.stderr and "ingest_a.nbib:" in result.stderr
    again = run("ingest", A, "--db", db, "-q")
    assert f"{A}: unchanged" in again.stdout and "nothing changed" in again.stdout


def test_query_list_and_run_in_every_format(db):
    run("ingest", A, B, "--db", db, "-q")
    listing = run("query", "--list", "--format", "json")
    names = {q["query"] for q in json.loads(listing.stdout)}
    assert {"co-authors", "collaboration-path", "mesh-trend"} <= names
    result = run("query", "co-authors", "-p", "author=Grozinsky-Glasberg, Simona", "--db", db, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["coauthor"], r["papers"]) for r in rows] == [("Albert, Réka", 1), ("Gross, David J", 1)]
    table = run("query", "co-authors", "-p", "author=name:grozinskyglasberg|s", "--db", db)
    assert "Albert, Réka" in table.stdout and "2 row(s)" in table.stderr
    text = run("query", "prolific-authors", "-p", "limit=2", "--db", db, "--format", "csv").stdout
    got = list(csv.DictReader(io.StringIO(text)))
    assert len(got) == 2 and list(got[0]) == ["author", "key", "papers", "first_year", "last_year"]


def test_query_show_prints_the_dialect_variant():
    result = run("query", "collaboration-path", "-p", "from=a", "-p", "to=b", "--show")
    assert "SHORTEST" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["query", "nope"], "no canned query 'nope'"),
    (["query", "co-authors"], "needs -p author="),
    (["query", "co-authors", "-p", "author=x", "-p", "limit=lots"], "must be int"),
    (["cypher", "MATCH (a:Author) DETACH DELETE a"], "pass --write"),
    (["cypher", "MATCH (n:Nothing) RETURN n"], "query failed"),
    (["search", "the"], "nothing to search for"),
])
def test_user_errors_are_one_line(db, args, message):
    run("ingest", A, "--db", db, "-q")
    result = CliRunner().invoke(main, args + ["--db", db])
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1


def test_missing_store_says_how_to_make_one(tmp_path):
    result = CliRunner().invoke(main, ["search", "x", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and "graphkit ingest" in result.stderr


def test_cypher_reads_and_writes_only_with_write(db):
    run("ingest", A, "--db", db, "-q")
    result = run("cypher", "MATCH (p:Paper) WHERE p.year >= $y RETURN p.pmid AS pmid ORDER BY pmid",
                 "-p", "y=2019", "--db", db, "--format", "json")
    assert json.loads(result.stdout) == [{"pmid": "1002"}]
    result = run("cypher", "MATCH (p:Paper {pmid: '1002'}) SET p.year = 2000", "--write", "--db", db)
    assert result.exit_code == 0, result.output
    result = run("cypher", "MATCH (p:Paper {pmid: '1002'}) RETURN p.year AS y", "--db", db, "--format", "json")
    assert json.loads(result.stdout) == [{"y": 2000}]


def test_search_ranks_and_folds_diacritics(db):
    run("ingest", A, B, "--db", db, "-q")
    result = run("search", "Barabasi", "--db", db, "--format", "json")
    rows = json.loads(result.stdout)
    assert {(r["kind"], r["key"]) for r in rows} == {("paper", "pmid:1002"), ("author", "name:barabasi|albert-laszlo")}
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    only = json.loads(run("search", "neuroendocrine tum*", "--kind", "paper", "--db", db, "--format", "json").stdout)
    assert {r["key"] for r in only} == {"pmid:1001", "pmid:1003"}
    assert len(json.loads(run("search", "neuroendocrine", "--limit", "1", "--db", db, "--format", "json").stdout)) == 1
