"""graphkit.atomic: outputs go through a temporary file and a rename, never through a symbolic link,
and never over a file graphkit did not write unless forced."""

from __future__ import annotations

import os
import stat

import pytest
from click.testing import CliRunner

from graphkit.atomic import LEDGER, OutputError, atomic_open, atomic_target, write_text, written_by_graphkit
from graphkit.cli import main
from conftest import FIXTURES

RIS = FIXTURES / "resolve" / "keyword_case_variants.ris"


def test_rewrite_own_file_but_not_a_strangers(tmp_path) -> None:
    out = tmp_path / "x.txt"
    write_text(out, "one")
    assert written_by_graphkit(out) and (tmp_path / LEDGER).exists()
    write_text(out, "two")  # graphkit wrote it: overwriting is fine
    assert out.read_text() == "two"
    out.write_text("edited by hand")
    with pytest.raises(OutputError, match="not written by graphkit.*--force"):
        write_text(out, "three")
    assert out.read_text() == "edited by hand"
    write_text(out, "three", force=True)
    assert out.read_text() == "three"


def test_symlink_is_never_written_through(tmp_path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    link = tmp_path / "out" / "import.sh"
    link.parent.mkdir()
    link.symlink_to(outside)
    with pytest.raises(OutputError, match="symbolic link"):
        write_text(link, "#!/bin/sh\n", executable=True)
    write_text(link, "#!/bin/sh\n", executable=True, force=True)  # replaces the link itself
    assert outside.read_text() == "precious" and not outside.stat().st_mode & stat.S_IXUSR
    assert not link.is_symlink() and link.read_text() == "#!/bin/sh\n" and os.access(link, os.X_OK)


@pytest.mark.parametrize("by_name", [False, True], ids=["atomic_open", "atomic_target"])
def test_failed_write_leaves_the_old_file(tmp_path, by_name) -> None:
    out = tmp_path / "x.txt"
    write_text(out, "old")
    with pytest.raises(RuntimeError):
        if by_name:  # a writer that takes the file name (DuckDB's COPY)
            with atomic_target(out) as tmp:
                tmp.write_text("half")
                raise RuntimeError("disk full")
        with atomic_open(out) as fh:
            fh.write("half")
            raise RuntimeError("disk full")
    assert out.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([LEDGER, "x.txt"])


def test_a_writer_by_file_name_gets_the_same_rules(tmp_path) -> None:
    """atomic_target (for DuckDB's COPY, which takes a file name): the file written under the temporary
    name is published by the rename and remembered; a file graphkit did not write is refused without
    force (a failed write: test_failed_write_leaves_the_old_file)."""
    import duckdb

    out = tmp_path / "rows.csv"
    with atomic_target(out) as tmp:
        assert tmp.parent == tmp_path and tmp != out
        duckdb.connect().execute(f"COPY (SELECT 1 AS a) TO '{tmp}' (FORMAT CSV, HEADER false)")
    assert out.read_text() == "1\n" and written_by_graphkit(out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644 & ~_umask()
    out.write_text("edited by hand")
    with pytest.raises(OutputError, match="not written by graphkit"):
        with atomic_target(out):
            pass
    assert out.read_text() == "edited by hand"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_export_neo4j_admin_refuses_a_symlink_out_of_out(tmp_path) -> None:
    outside = tmp_path / "bashrc"
    outside.write_text("# mine\n")
    adm = tmp_path / "adm"
    adm.mkdir()
    (adm / "import.sh").symlink_to(outside)
    r = CliRunner().invoke(main, ["export", str(RIS), "--to", "neo4j-admin", "--out", str(adm)])
    assert r.exit_code == 1 and "symbolic link" in r.output and "Traceback" not in r.output
    assert outside.read_text() == "# mine\n" and not os.access(outside, os.X_OK)
    assert [p.name for p in adm.iterdir()] == ["import.sh"]  # refused before anything was written
    r = CliRunner().invoke(main, ["export", str(RIS), "--to", "neo4j-admin", "--out", str(adm), "--force"])
    assert r.exit_code == 0, r.output
    assert outside.read_text() == "# mine\n" and not (adm / "import.sh").is_symlink()
    r = CliRunner().invoke(main, ["export", str(RIS), "--to", "neo4j-admin", "--out", str(adm)])
    assert r.exit_code == 0, r.output  # its own files: re-export without --force


@pytest.mark.parametrize("to", ["graphml", "gexf", "json", "rdf", "vosviewer", "csl-json"])
def test_export_refuses_to_overwrite_a_file_it_did_not_write(tmp_path, to) -> None:
    out = tmp_path / "thesis.tex"
    out.write_text("three years of work")
    r = CliRunner().invoke(main, ["export", str(RIS), "--to", to, "--out", str(out)])
    assert r.exit_code == 1 and "not written by graphkit" in r.output
    assert out.read_text() == "three years of work"
    r = CliRunner().invoke(main, ["export", str(RIS), "--to", to, "--out", str(out)] + ["--force"])
    assert r.exit_code == 0 and out.read_text() != "three years of work"
    r = CliRunner().invoke(main, ["export", str(RIS), "--to", to, "--out", str(out)])
    assert r.exit_code == 0, r.output


def test_export_option_for_another_format_is_a_usage_error(tmp_path) -> None:
    r = CliRunner().invoke(main, ["export", str(RIS), "--to", "graphml", "--out", str(tmp_path / "g"),
                                  "--network", "keywords"])
    assert r.exit_code == 2 and "--network applies to --to vosviewer" in r.output
    assert not list(tmp_path.iterdir())
