"""graphkit validate and graphkit sparql on exports of a hand-made graph whose answers are known by hand."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, load_graph
from graphkit.cli import main
from graphkit.linked import shipped_queries
from graphkit.sinks.rdf import write_rdf

P1 = "https://doi.org/10.1007/s12020-018-1537-0"
P2 = "https://w3id.org/graphkit/paper/pmid/29000001"




@pytest.fixture(scope="module", params=["turtle", "nt"])
def export_path(request, tmp_path_factory) -> Path:
    suffix = {"turtle": ".ttl", "nt": ".nt"}[request.param]
    out = tmp_path_factory.mktemp("rdf") / f"small{suffix}"
    write_rdf(load_graph(), out, rdf_format=request.param)
    return out


def sparql_csv(path: Path, query: str, *params: str) -> list[list[str]]:
    args = ["sparql", str(path), query, "--csv"]
    for p in params:
        args += ["-p", p]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return list(csv.reader(io.StringIO(result.stdout)))


def test_coauthors(export_path):
    rows = sparql_csv(export_path, "coauthors", "author=kaltsas, g.")
    assert rows[0] == ["coauthor", "name", "papers", "first_year", "last_year"]
    assert [r[1:] for r in rows[1:]] == [["Grozinsky-Glasberg, S.", "2", "2018", "2019"],
                                        ["Alexandraki, K.", "1", "2019", "2019"],
                                        ["Kaltsatou, M.", "1", "2018", "2018"]]


def test_papers_under_mesh_descriptor(export_path):
    rows = sparql_csv(export_path, "papers-under-mesh", "descriptor=Neoplasms")
    assert rows[0] == ["paper", "title", "year", "headings"]
    assert [(r[0], r[2], r[3]) for r in rows[1:]] == [(P1, "2018", "Liver Neoplasms"),
                                                      (P2, "2019", "Neuroendocrine Tumors")]
    by_ui = sparql_csv(export_path, "papers-under-mesh", "descriptor=D008113")
    assert [r[0] for r in by_ui[1:]] == [P1]
    assert sparql_csv(export_path, "papers-under-mesh", "descriptor=Humans")[1:] == [
        [P1, "Hepatic intra-arterial therapies in metastatic neuroendocrine tumors: lessons from clinical practice",
         "2018", "Humans"]]


def test_papers_per_year_for_keyword(export_path):
    assert sparql_csv(export_path, "papers-per-year-for-keyword", "keyword=LIVER METASTASIS") == [
        ["year", "papers"], ["2018", "1"], ["2019", "1"]]
    assert sparql_csv(export_path, "papers-per-year-for-keyword", "keyword=somatostatin")[1:] == [
        ["2019", "1"], ["2020", "1"]]
    assert sparql_csv(export_path, "papers-per-year-for-keyword", "keyword=no such keyword") == [["year", "papers"]]


def test_top_keywords_leave_out_check_tags(export_path):
    rows = sparql_csv(export_path, "top-keywords")
    assert rows[1:] == [["liver metastasis", "2"], ["neuroendocrine tumor", "2"], ["somatostatin", "2"]]


def test_query_file_path_and_table_output(export_path):
    path = next(q.path for q in shipped_queries() if q.path.stem == "coauthors")
    result = CliRunner().invoke(main, ["sparql", str(export_path), str(path), "-p", "author=Solo, E."])
    assert result.exit_code == 0, result.output
    assert "coauthor" in result.stdout and "0 row(s)" in result.output


def test_every_shipped_query_has_a_header_and_runs_with_its_example(export_path):
    queries = shipped_queries()
    assert {q.path.stem for q in queries} >= {"coauthors", "papers-under-mesh", "papers-per-year-for-keyword"}
    for q in queries:
        assert q.description, q.path
        for name, (type_name, example) in q.params.items():
            assert example, (q.path, name)
        rows = sparql_csv(export_path, q.path.stem)  # parameters default to their examples
        assert len(rows) >= 2, q.path  # the examples match the fixture graph


def test_sparql_errors_are_one_line():
    runner = CliRunner()
    result = runner.invoke(main, ["sparql", str(FIXTURES / "rdf" / "invalid-export.ttl"), "no-such-query"])
    assert result.exit_code == 1 and "no such query" in result.output and "Traceback" not in result.output
    result = runner.invoke(main, ["sparql", str(FIXTURES / "rdf" / "invalid-export.ttl"), "coauthors", "-p", "x=1"])
    assert result.exit_code == 1 and "no parameter(s) x" in result.output
    result = runner.invoke(main, ["sparql", "missing.ttl", "coauthors"])
    assert result.exit_code == 2 and "no such file" in result.output
    listing = runner.invoke(main, ["sparql", "--list"])
    assert listing.exit_code == 0 and "papers-under-mesh" in listing.output


def test_validate_conforming_export(export_path):
    result = CliRunner().invoke(main, ["validate", str(export_path)])
    assert result.exit_code == 0, result.output
    assert "conforms: yes" in result.output


def test_validate_reports_violations_grouped(tmp_path):
    result = CliRunner().invoke(main, ["validate", str(FIXTURES / "rdf" / "invalid-export.ttl")])
    assert result.exit_code == 1
    assert "conforms: no" in result.output
    assert "gks:PaperShape dcterms:title: a paper has exactly one title" in result.output
    assert "e.g. <https://doi.org/10.1000/two-titles>" in result.output
    assert "gks:JournalShape prism:issn" in result.output
    assert "Traceback" not in result.output


def test_validate_bad_input_is_one_line(tmp_path):
    bad = tmp_path / "broken.ttl"
    bad.write_text("<a> <b> .", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(bad)])
    assert result.exit_code == 1 and result.output.startswith("Error: ") and "not valid turtle" in result.output
    unknown = tmp_path / "data.xyz"
    unknown.write_text("<a> <b> <c> .", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(unknown)])
    assert result.exit_code == 1 and "--format" in result.output
