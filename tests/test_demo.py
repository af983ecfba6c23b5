"""The README's main command: the bundled sample end to end on the embedded store, with answers a reader
can check against what they know of network science."""

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
    assert counts["Paper"] == truth["unique_works"]  # duplicates across the WoS and PubMed files merged
    answers = {name: rows for name, _, rows in result.answers}
    assert list(answers) == ["prolific-authors", "co-authors", "most-cited", "collaboration-path"]
    top = answers["prolific-authors"]
    assert [r["author"] for r in top[:3]] == ["Barabási, Albert-László", "Newman, M. E. J.", "Watts, Duncan J."]
    assert [r["papers"] for r in top[:2]] == [27, 27]
    assert {r["coauthor"] for r in answers["co-authors"][:2]} == {"Albert, Réka", "Jeong, Hawoong"}
    cited = answers["most-cited"]
    assert cited[0]["title"].startswith("Emergence of scaling in random networks")
    assert cited[1]["title"].startswith("Collective dynamics of 'small-world' networks")
    assert answers["collaboration-path"][0]["hops"] == 2
    text, hits = result.search
    assert hits and "community detection" in hits[0]["name"].lower()
    assert result.skipped == {}  # the test install has every extra
    for path in result.outputs.values():
        assert path.exists() and path.stat().st_size > 0


def test_demo_command_prints_answers_and_outputs(tmp_path):
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path / "d"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "graphkit query prolific-authors" in result.output
    assert "Emergence of scaling" in result.output
    assert "graphkit search" in result.output
    assert "coauthors.html" in result.output
