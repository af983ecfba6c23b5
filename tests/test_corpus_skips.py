"""The tests that read the real corpus skip, naming the cause, when it is absent (tests/conftest.py's
need_corpus, the corpus fixture and over_corpus); they never fail on empty record lists."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

import conftest
from conftest import ROOT, over_corpus


def _params(mark: pytest.MarkDecorator) -> list:
    return list(mark.mark.args[1])


def test_over_corpus_without_a_corpus_is_one_skip_that_names_it(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(conftest, "CORPUS", tmp_path / "absent")
    (param,) = _params(over_corpus("name, expected", []))
    assert param.values == (None, None) and param.id == "no-corpus"
    (skip,) = param.marks
    assert skip.name == "skip" and skip.kwargs["reason"] == conftest.NO_CORPUS


def test_over_corpus_with_a_corpus_but_no_rows_stops(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(conftest, "CORPUS", tmp_path)
    with pytest.raises(LookupError, match="gives no rows for name"):
        over_corpus("name", [])


def test_over_corpus_rows_are_named_by_their_first_value() -> None:
    params = _params(over_corpus("name, expected", [("ris/a.ris", 3), ("ris/b.ris", 0)]))
    assert [(p.id, p.values) for p in params] == [("ris/a.ris", ("ris/a.ris", 3)), ("ris/b.ris", ("ris/b.ris", 0))]
    (param,) = _params(over_corpus("name", ["csl_json/x.json"]))
    assert (param.id, param.values) == ("csl_json/x.json", ("csl_json/x.json",))


def test_corpus_tests_skip_without_a_corpus(tmp_path) -> None:
    """The modules that failed in a clone without the corpus (session 4): now every corpus test skips."""
    absent = tmp_path / "absent"
    env = {**os.environ, "GRAPHKIT_CORPUS": str(absent), "PYTHONPATH": str(ROOT)}
    files = ["tests/citations/test_cites_extract.py", "tests/citations/test_cites_model.py",
             "tests/resolve/test_concepts.py", "tests/readers/test_wos.py"]
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *files],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]
    tail = run.stdout.strip().splitlines()[-1]
    assert "failed" not in tail and "error" not in tail, tail
    skipped = int(re.search(r"(\d+) skipped", tail).group(1))
    assert skipped == 6 + 5 + 1 + 3  # extract 6, the pack/unpack params 5, the seed's Emtree 1, WoS 3
    reasons = [line for line in run.stdout.splitlines() if line.startswith("SKIPPED")]
    assert reasons and all(f"no corpus at {absent}" in line for line in reasons), reasons
    assert not [line for line in reasons if "conftest.py" in line]  # each skip is reported at its test
