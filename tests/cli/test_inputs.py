"""Every command that reads files: a missing, empty, unreadable or unrecognised input gives one line and
exit 2 before anything is written; a file that yields no record is an error."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from graphkit.cli import main
from conftest import FIXTURES

GOOD = FIXTURES / "resolve" / "keyword_case_variants.ris"

# command -> its arguments around the input FILE ({out} is a path in a fresh directory)
COMMANDS = {
    "parse": ["parse", "{file}"],
    "ingest": ["ingest", "{file}", "--db", "{out}/store", "-q"],
    "stats": ["stats", "{file}"],
    "report": ["report", "{file}", "--out", "{out}/report.md"],
    "export": ["export", "{file}", "--to", "csl-json", "--out", "{out}/x.json"],
    "export-admin": ["export", "{file}", "--to", "neo4j-admin", "--out", "{out}/adm"],
    "viz": ["viz", "coauthors", "{file}", "--out", "{out}/map.html"],
    "validate": ["validate", "{file}", "--format", "turtle"],
    "sparql": ["sparql", "{file}", "top-keywords", "--format", "turtle"],
}
RDF_COMMANDS = {"validate", "sparql"}


def _invoke(name: str, file: str, out) -> object:
    args = [a.format(file=file, out=out) for a in COMMANDS[name]]
    return CliRunner().invoke(main, args)


def _written(out) -> list:
    """Outputs and stored data under ``out``; a store's own bookkeeping (manifest, lock) does not count."""
    return [p for p in out.rglob("*") if p.is_file() and p.name not in ("manifest.json", "writer.lock", "graphkit-store.json")
            and "graphkit-outputs" not in p.name]


def _one_line_exit_2(result, needle: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and needle in lines[0], result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_missing_file(tmp_path, name) -> None:
    out = tmp_path / "out"
    out.mkdir()
    _one_line_exit_2(_invoke(name, str(tmp_path / "nope.ris"), out), "no such file")
    assert not list(out.iterdir())


@pytest.mark.parametrize("name", COMMANDS)
def test_empty_file(tmp_path, name) -> None:
    out = tmp_path / "out"
    out.mkdir()
    empty = tmp_path / "empty.ris"
    empty.write_bytes(b"")
    _one_line_exit_2(_invoke(name, str(empty), out), "file is empty")
    blank = tmp_path / "blank.ris"
    blank.write_text("\n  \n")
    _one_line_exit_2(_invoke(name, str(blank), out), "file is empty")
    assert not list(out.iterdir())


@pytest.mark.parametrize("name", COMMANDS)
def test_directory_and_unreadable_file(tmp_path, name) -> None:
    out = tmp_path / "out"
    out.mkdir()
    _one_line_exit_2(_invoke(name, str(tmp_path), out), "is a directory")
    if os.geteuid() != 0:  # root reads anything
        locked = tmp_path / "locked.ris"
        locked.write_bytes(GOOD.read_bytes())
        locked.chmod(0)
        _one_line_exit_2(_invoke(name, str(locked), out), "cannot read")
    assert not list(out.iterdir())


@pytest.mark.parametrize("name", [n for n in COMMANDS if n not in RDF_COMMANDS])
def test_binary_and_gzip_files_are_refused(tmp_path, name) -> None:
    import gzip

    out = tmp_path / "out"
    out.mkdir()
    binary = tmp_path / "refs.bin"
    binary.write_bytes(bytes(range(256)) * 8)
    _one_line_exit_2(_invoke(name, str(binary), out), "not a bibliographic format")
    # gzip is read only as PubMed XML (.xml.gz): gzipped RIS yields no record, exit 2, nothing written
    gz = tmp_path / "refs.ris.gz"
    gz.write_bytes(gzip.compress(GOOD.read_bytes()))
    result = _invoke(name, str(gz), out)
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert "no record could be read" in result.output or "not a bibliographic format" in result.output
    assert not _written(out)


@pytest.mark.parametrize("name", ["parse", "ingest", "stats", "export"])
def test_file_yielding_no_record_is_an_error(tmp_path, name) -> None:
    """A .ris file of binary junk is taken for RIS by its suffix but yields no record."""
    out = tmp_path / "out"
    out.mkdir()
    junk = tmp_path / "junk.ris"
    junk.write_bytes(bytes(range(1, 256)) * 40)
    result = _invoke(name, str(junk), out)
    assert result.exit_code == 2 and "no record could be read" in result.output, result.output
    assert not _written(out)
    # with a good file beside it the good records count, and the junk file is still an error (exit 1)
    args = [a.format(file=str(junk), out=out) for a in COMMANDS[name]]
    args.insert(args.index(str(junk)) + 1, str(GOOD))
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and f"{junk}: " in result.output, result.output
    assert "no record could be read" in result.output
    if name == "ingest":
        r = CliRunner().invoke(main, ["query", "--list", "--db", str(out / "store")])
        assert r.exit_code == 0
        from graphkit.sinks.embedded import EmbeddedStore

        held = [f["path"] for f in EmbeddedStore(out / "store").files]
        assert held == [str(GOOD)]  # the junk file is not recorded as "added (0 records)"
