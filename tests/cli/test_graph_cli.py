"""graphkit report / stats / export on fixture files (real CLI through click's runner)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from graphkit.cli import main
from conftest import FIXTURES, read_mixed_graph

FIX = FIXTURES / "resolve"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_stats_counts_by_label_and_type() -> None:
    r = run("stats", str(FIX / "wos_cites_cr_lines.isi"), "--json")
    assert r.exit_code == 0, r.output
    counts = json.loads(r.output)
    assert counts["records"] == 3 and counts["Paper"] == 5 and counts["CITES"] == 5  # 2 cited-only works
    r = run("stats", str(FIX / "wos_cites_cr_lines.isi"))
    assert "CITES" in r.output and "MeshTerm" in r.output


def test_report_markdown_json_and_review(tmp_path) -> None:
    files = [str(FIX / "doi_case_prefix_variants.ris"), str(FIX / "issn_check_digit.ris")]
    r = run("report", *files)
    assert r.exit_code == 0
    assert "PRISMA" in r.output and "Duplicates removed: **2**" in r.output
    assert "doi_case_prefix_variants.ris:" in r.output  # the pairs are listed
    out, review = tmp_path / "report.json", tmp_path / "authors.csv"
    r = run("report", *files, "--out", str(out), "--review", str(review))
    assert r.exit_code == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["prisma"] == {"identified": 8, "duplicates_removed": 2, "remaining": 6}
    assert len(report["duplicates"]["pairs"]) == 2
    assert [j["key"] for j in report["journals"]["without_issn"]] == [
        "journal:endocrine", "journal:journal of clinical psychology", "journal:journal of typos"]
    rows = list(csv.DictReader(review.open(encoding="utf-8")))
    assert {(r["variant_family"], r["variant_given"]) for r in rows} == {
        ("Kaltsas", "Gregory"), ("Kaltsas", "G."), ("Kaltsas", "G")}
    assert {r["author_key"] for r in rows} == {"name:kaltsas|gregory"}
    assert {r["display_name"] for r in rows} == {"Kaltsas, Gregory"}
    md = tmp_path / "report.md"
    assert run("report", *files, "--out", str(md)).exit_code == 0
    assert md.read_text(encoding="utf-8").startswith("# graphkit data-quality report")


def test_author_key_option(tmp_path) -> None:
    src = tmp_path / "two.ris"
    src.write_text("TY  - JOUR\nAU  - Kaltsas, G.\nTI  - One\nPY  - 2001\nER  - \n\n"
                   "TY  - JOUR\nAU  - Kaltsas, Gregory\nTI  - Two\nPY  - 2002\nER  - \n", encoding="utf-8")
    out = tmp_path / "r.json"
    for mode, expected in (("initial", 1), ("full", 2)):  # 'Gregory' and 'G.' kept apart in full mode
        assert run("report", str(src), "--out", str(out), "--author-key", mode).exit_code == 0
        assert json.loads(out.read_text())["authors"]["count"] == expected


def test_export_graph_files(tmp_path) -> None:
    for to in ("graphml", "gexf"):
        out = tmp_path / f"g.{to}"
        r = run("export", str(FIX / "wos_cites_cr_lines.isi"), "--to", to, "--out", str(out))
        assert r.exit_code == 0, r.output
        g, _ = read_mixed_graph(out, to)
        assert g.number_of_nodes() > 3
    out = tmp_path / "g.json"
    assert run("export", str(FIX / "wos_cites_cr_lines.isi"), "--to", "json", "--out", str(out)).exit_code == 0
    assert json.loads(out.read_text())["edges"]


def test_bad_file_is_one_line_not_a_traceback(tmp_path) -> None:
    bad = tmp_path / "nothing.txt"
    bad.write_text("this is not bibliographic\n")
    r = CliRunner().invoke(main, ["stats", str(bad)])
    assert r.exit_code == 2 and "not a bibliographic format" in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1
    r = CliRunner().invoke(main, ["export", str(FIX / "keyword_case_variants.ris"), "--to", "graphml",
                                  "--out", str(tmp_path)])
    assert r.exit_code == 1 and "is a directory" in r.output and "Traceback" not in r.output


def test_workers_option_reaches_the_engine_and_keeps_the_counts(monkeypatch) -> None:
    """--workers N becomes EngineOptions(workers=N) for the build (1: the resolver's name blocks stay in
    one process); the counts are the same as with the default."""
    from contextlib import contextmanager

    import graphkit.engine as engine

    seen = []
    real = engine.use_engine

    @contextmanager
    def spy(options):
        seen.append(options)
        with real(options):
            yield

    monkeypatch.setattr(engine, "use_engine", spy)
    path = str(FIX / "wos_cites_cr_lines.isi")
    one = run("stats", path, "--workers", "1", "--json")
    default = run("stats", path, "--json")
    assert one.exit_code == 0 and default.exit_code == 0, one.output + default.output
    assert [o.workers for o in seen] == [1, None]
    assert json.loads(one.output) == json.loads(default.output)
    bad = CliRunner().invoke(main, ["stats", path, "--workers", "0"])
    assert bad.exit_code == 2 and "--workers" in bad.output


def test_work_dir_holds_the_engines_scratch_and_is_left_empty(monkeypatch, tmp_path) -> None:
    """--work-dir DIR: the engine's work directory is made inside DIR (not in the system's temp dir)
    and removed afterwards."""
    import graphkit.engine.core as core

    seen = []
    real = core.open_engine

    def spy(options, workdir):
        seen.append(workdir)
        return real(options, workdir)

    monkeypatch.setattr(core, "open_engine", spy)
    scratch = tmp_path / "scratch"
    r = run("stats", str(FIX / "wos_cites_cr_lines.isi"), "--work-dir", str(scratch), "--json")
    assert r.exit_code == 0, r.output
    assert len(seen) == 1 and Path(seen[0]).parent == scratch
    assert scratch.is_dir() and not list(scratch.iterdir())


def test_export_parquet_and_to_a_url(tmp_path) -> None:
    import pyarrow.parquet as pq

    path = str(FIX / "wos_cites_cr_lines.isi")
    r = run("export", path, "--to", "parquet", "--out", str(tmp_path / "pq"))
    assert r.exit_code == 0, r.output
    assert pq.read_table(tmp_path / "pq" / "nodes_Paper.parquet").num_rows == 5
    assert pq.read_table(tmp_path / "pq" / "rels_CITES.parquet").column_names[:2] == ["source", "target"]
    url = f"file://{tmp_path}/up"
    r = run("export", path, "--to", "parquet", "--out", url)
    assert r.exit_code == 0 and f"wrote {url}" in r.output, r.output
    assert sorted(p.name for p in (tmp_path / "up").iterdir()) == sorted(
        p.name for p in (tmp_path / "pq").iterdir() if p.suffix == ".parquet")
    (tmp_path / "one.json").write_text("mine")
    r = CliRunner().invoke(main, ["export", path, "--to", "json", "--out", f"file://{tmp_path}/one.json"])
    assert r.exit_code == 1 and "exists" in r.output and "Traceback" not in r.output
    assert (tmp_path / "one.json").read_text() == "mine"
