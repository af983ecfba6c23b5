"""A command that needs an optional dependency which is not installed says which extra in one line."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from graphkit.cli import main

RIS = str(FIXTURES / "api" / "networks.ris")


def _without(monkeypatch, module: str) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # import raises ImportError, as when not installed
    for name in [m for m in sys.modules if m.startswith(("graphkit.sinks.rdf", "graphkit.sinks.html",
                                                          "graphkit.namespaces", "graphkit.linked"))]:
        monkeypatch.delitem(sys.modules, name)


@pytest.mark.parametrize("module, extra, args", [
    ("rdflib", "rdf", ["export", RIS, "--to", "rdf", "--out", "{tmp}/g.ttl"]),
    ("pyvis", "viz", ["viz", "coauthors", RIS, "--out", "{tmp}/m.html"]),
    ("neo4j", "neo4j", ["ingest", RIS, "--neo4j", "bolt://127.0.0.1:1"]),
    ("Cython", "fast", ["compile", "-q"]),
])
def test_missing_extra_is_one_line(monkeypatch, tmp_path, module, extra, args):
    _without(monkeypatch, module)
    result = CliRunner().invoke(main, [a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1 and f"pip install 'graphkit[{extra}]'" in lines[0]
    assert "Traceback" not in result.output


def test_base_exports_work_without_rdflib(monkeypatch, tmp_path):
    _without(monkeypatch, "rdflib")
    for to in ("graphml", "json", "vosviewer", "csl-json"):
        result = CliRunner().invoke(main, ["export", RIS, "--to", to, "--out", str(tmp_path / f"g.{to}")])
        assert result.exit_code == 0, (to, result.output)
