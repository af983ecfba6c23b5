"""bench/steps.py: a command run in two measured steps (the read, then the build from its tables) writes
what the command writes in one, and measures each step."""

from __future__ import annotations

import json
import subprocess
import sys

import pyarrow.parquet as pq

from conftest import ROOT

sys.path.insert(0, str(ROOT))
from bench.generate import generate  # noqa: E402


def _rows(path):
    return sorted(map(repr, pq.read_table(path).to_pylist()))


def test_two_steps_write_what_one_command_writes(tmp_path):
    gen = tmp_path / "gen"
    generate(600, gen, seed=3, dup_rate=0.1)
    files = [str(p) for p in sorted(gen.iterdir()) if p.suffix in (".ris", ".nbib")]
    state, work = tmp_path / "state", tmp_path / "work"
    command = ["export", *files, "--to", "parquet", "--out", str(tmp_path / "two"), "--work-dir", str(work)]
    for step in ("read", "build"):
        done = subprocess.run([sys.executable, str(ROOT / "bench" / "steps.py"), step, str(state), "--", *command],
                              capture_output=True, text=True, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        measured = json.loads((state / f"{step}.json").read_text())
        assert measured["returncode"] == 0 and measured["peak_pss_mb"] > 0 and measured["wall_s"] > 0
    assert not list(work.iterdir())  # (the build removed the engine's directory, as one command does)
    one = subprocess.run([sys.executable, "-m", "graphkit", "export", *files, "--to", "parquet", "--out",
                          str(tmp_path / "one")], capture_output=True, text=True, cwd=ROOT)
    assert one.returncode == 0, one.stderr
    want = sorted(p.name for p in (tmp_path / "one").glob("*.parquet"))
    assert want and sorted(p.name for p in (tmp_path / "two").glob("*.parquet")) == want
    for name in want:
        assert _rows(tmp_path / "two" / name) == _rows(tmp_path / "one" / name), name


def test_the_build_step_needs_the_read_first(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "steps.py"), "build", str(tmp_path / "state"), "--",
                           "export", "x.ris", "--to", "parquet", "--out", str(tmp_path / "o"), "--work-dir",
                           str(tmp_path / "w")], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode != 0 and "run the read step first" in done.stderr
