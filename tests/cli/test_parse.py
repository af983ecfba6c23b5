"""graphkit parse: JSON Lines on stdout, diagnostics and a summary on stderr, exit 0/1/2."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from click.testing import CliRunner

from graphkit.cli import main
from conftest import FIXTURES

RIS = FIXTURES / "ris"
DIAG = re.compile(r"^(?P<file>.+):(?P<line>\d+): (?P<sev>warning|error): .+$")


def run(*args: str):
    return CliRunner().invoke(main, ["parse", *args])


def test_json_lines_on_stdout() -> None:
    result = run(str(RIS / "crlf.ris"))
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["title"] for r in rows] == ["Line endings do not matter", "A second record"]
    first = rows[0]
    for key in ("type", "title", "authors", "year", "journal", "volume", "issue", "first_page", "last_page",
                "doi", "pmid", "publisher", "keywords", "mesh", "abstract", "references", "source", "extra"):
        assert key in first
    assert first["doi"] == "10.1000/le.2020.7"
    assert first["authors"][0] == {"family": "Okafor", "given": "Chidi", "orcid": None, "raw": "Okafor, Chidi",
                                   "affiliations": None}
    assert result.stderr.strip().splitlines()[-1] == "1 file(s), 2 record(s), 0 warning(s), 0 error(s)"


def test_warnings_on_stderr_and_strict_exit_1() -> None:
    path = str(RIS / "unterminated.ris")
    lenient = run(path)
    assert lenient.exit_code == 0
    lines = lenient.stderr.strip().splitlines()
    diags = [DIAG.match(line) for line in lines[:-1]]
    assert [(m["file"], m["line"], m["sev"]) for m in diags] == [(path, "1", "warning"), (path, "11", "warning")]
    assert lines[-1] == "1 file(s), 3 record(s), 2 warning(s), 0 error(s)"
    assert len(lenient.stdout.splitlines()) == 3
    strict = run("--strict", path)
    assert strict.exit_code == 1
    assert len(strict.stdout.splitlines()) == 3  # records still written


def test_strict_clean_file_exits_0() -> None:
    assert run("--strict", str(RIS / "bom.ris")).exit_code == 0


def test_unreadable_file_exits_2(tmp_path) -> None:
    missing = tmp_path / "missing.ris"
    result = run(str(RIS / "crlf.ris"), str(missing))
    assert result.exit_code == 2
    assert result.stdout == ""  # refused before anything is written
    assert result.stderr.strip() == f"Error: {missing}: no such file"


def test_unrecognised_content_exits_2(tmp_path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\nworld\n")
    result = run(str(junk))
    assert result.exit_code == 2
    assert "not a bibliographic format" in result.stderr


def test_usage_error_exits_2() -> None:
    assert run("--format", "nonsense", str(RIS / "crlf.ris")).exit_code == 2
    assert run().exit_code == 2


def test_forced_format() -> None:
    result = run("--format", "ris", str(RIS / "collapsed.ris"))
    assert result.exit_code == 0
    (row,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["issue"] == "4" and row["doi"] == "10.5555/abc.123"


def test_console_script_with_closed_pipe() -> None:
    """`graphkit parse big.ris | head -1`: no traceback when stdout goes away."""
    script = ("import sys; from graphkit.cli import main; sys.argv=['graphkit','parse'] + sys.argv[1:]; main()")
    proc = subprocess.Popen([sys.executable, "-c", script] + [str(RIS / "crlf.ris")] * 2000,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0
    assert b"Traceback" not in err and b"Exception ignored" not in err


def test_parse_jobs_gives_the_serial_output(tmp_path, monkeypatch):
    """--jobs N cuts large files at record boundaries; the JSON Lines and diagnostics are the serial ones."""
    import graphkit.readers.parallel as parallel
    from click.testing import CliRunner as _Runner

    from graphkit.cli import main as _main

    monkeypatch.setattr(parallel, "CHUNK_BYTES", 2048)  # force many chunks on a small file
    calls = []
    plan = parallel._plan
    monkeypatch.setattr(parallel, "_plan", lambda *a, **k: calls.append(1) or plan(*a, **k))
    big = tmp_path / "many.ris"
    big.write_text("".join(
        f"TY  - JOUR\nTI  - Title {i}\nAU  - Family{i % 7}, A.\nPY  - {2000 + i % 20}///\nKW  - k{i % 5}\nER  - \n\n"
        for i in range(300)) + "TY  - JOUR\nTI  - unterminated\n", encoding="utf-8")
    serial = _Runner().invoke(_main, ["parse", str(big)])
    par = _Runner().invoke(_main, ["parse", "--jobs", "2", str(big)])
    assert serial.exit_code == par.exit_code == 0
    assert par.output == serial.output
    assert serial.output.count("\n") > 300
    assert calls, "the parallel path was not taken"
