"""The README's main command: the bundled sample end to end on the embedded store."""

from __future__ import annotations

import json

from click.testing import CliRunner

from graphkit.cli import main
from graphkit.demo import SAMPLE_DIR, run_demo


def test_demo_ingests_sample_and_writes_outputs(tmp_path):
    truth = json.loads((SAMPLE_DIR / "manifest.json").read_text())
    result = run_demo(tmp_path / "demo")
    counts = result.ingest["counts"]
    assert result.ingest["records"] == truth["n_records"]
    assert counts["Paper"] == truth["unique_works"]  # duplicates across the RIS and MEDLINE files merged
    names = [name for name, _, _ in result.answers]
    assert names[:2] == ["prolific-authors", "co-authors"]
    assert all(rows for _, _, rows in result.answers)
    text, hits = result.search
    assert hits and "neuroendocrine" in hits[0]["name"].lower()
    for path in result.outputs.values():
        assert path.exists() and path.stat().st_size > 0


def test_demo_command_prints_answers_and_outputs(tmp_path):
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path / "d"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "graphkit query prolific-authors" in result.output
    assert "graphkit search" in result.output
    assert "coauthors.html" in result.output
