"""Parameters and output formats of query / cypher on both stores: a huge integer or a non-finite number
is a clear error (not a traceback or a pybind11 message), and --format json is always valid JSON."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from graphkit.cli import main
from graphkit.cli._common import dumps_json
from conftest import FIXTURES

NBIB = str(FIXTURES / "queries" / "ingest_a.nbib")
HUGE = "99999999999999999999999"


@pytest.fixture(scope="module")
def embedded(tmp_path_factory) -> list[str]:
    db = tmp_path_factory.mktemp("params") / "graphkit.db"
    assert CliRunner().invoke(main, ["ingest", NBIB, "--db", str(db), "-q"]).exit_code == 0
    return ["--db", str(db)]


@pytest.fixture(scope="module")
def neo4j(neo4j_env) -> list[str]:
    uri, _, _ = neo4j_env
    r = CliRunner().invoke(main, ["ingest", NBIB, "--neo4j", uri, "-q"])
    assert r.exit_code == 0, r.output
    return ["--neo4j", uri]


@pytest.fixture(params=["embedded", "neo4j"])
def store(request) -> list[str]:
    return request.getfixturevalue(request.param)


def _clear_error(result, needle: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "pybind11" not in result.output and "TypeError" not in result.output
    assert needle in result.output


def test_huge_integer_parameter(store) -> None:
    r = CliRunner().invoke(main, ["cypher", "MATCH (p:Paper) RETURN p.title AS t LIMIT $limit",
                                  "-p", f"limit={HUGE}", *store])
    _clear_error(r, "does not fit in a 64-bit integer")
    r = CliRunner().invoke(main, ["query", "prolific-authors", "-p", f"limit={HUGE}", *store])
    _clear_error(r, "does not fit in a 64-bit integer")
    r = CliRunner().invoke(main, ["cypher", "RETURN $x AS x", "-p", "x=1e999", *store])
    _clear_error(r, "not a finite number")
    r = CliRunner().invoke(main, ["cypher", "RETURN $x AS x", "-p", f"x={2**63 - 1}", "--format", "json", *store])
    assert r.exit_code == 0 and json.loads(r.stdout) == [{"x": 2**63 - 1}]


def test_json_output_is_strict_json() -> None:
    text = dumps_json([{"a": math.inf, "b": [-math.inf, math.nan, 1.5], "c": {"d": math.nan}}])
    assert json.loads(text, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}")) == \
        [{"a": None, "b": [None, None, 1.5], "c": {"d": None}}]


def test_neo4j_infinity_comes_out_as_null(neo4j) -> None:
    r = CliRunner().invoke(main, ["cypher", "RETURN 1.0/0.0 AS x, 1.5 AS y", "--format", "json", *neo4j])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout, parse_constant=lambda c: pytest.fail(c)) == [{"x": None, "y": 1.5}]
