"""The base install (``pip install graphkit``, no extra) runs the core commands: a module it imports at the
top must come from a distribution the base dependencies bring. ``graphkit.engine.core`` imported psutil,
which only the test extra named: every build of a base install stopped with ModuleNotFoundError.

The commands run in a subprocess in which every top-level module of an installed distribution outside
the base dependencies' closure (pyproject's ``dependencies`` and what they require, extras not followed)
cannot be imported, as on a machine that has only the base install.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, packages_distributions, requires

from conftest import ROOT

SAMPLE = ROOT / "graphkit" / "sample"


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def base_closure() -> set[str]:
    """The distributions the base dependencies bring, by normalised name (markers with an extra skipped)."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    todo = [_name(d) for d in deps]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            reqs = requires(name) or []
        except PackageNotFoundError:
            continue
        todo += [_name(r) for r in reqs if not re.search(r"\bextra\s*==", r)]
    return seen


def hidden_modules() -> list[str]:
    """Top-level modules of installed distributions outside the base closure (graphkit itself kept)."""
    base = base_closure() | {"graphkit"}
    hidden = set()
    for module, dists in packages_distributions().items():
        names = {d.lower().replace("_", "-") for d in dists}
        if not names & base and not module.startswith("_") and module.isidentifier():
            hidden.add(module)
    return sorted(hidden)


RUN = """
import sys
HIDDEN = set({hidden})
class Hide:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {{name!r}} (not in the base install)", name=name)
        return None
sys.meta_path.insert(0, Hide())
from graphkit.cli import main
sys.argv = ["graphkit", *{argv}]
main()
"""


def _run(argv: list[str], cwd) -> subprocess.CompletedProcess:
    code = RUN.format(hidden=json.dumps(hidden_modules()), argv=json.dumps(argv))
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # this checkout's graphkit, from any directory
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


def test_the_hidden_modules_are_the_extras():
    hidden = hidden_modules()
    for extra in ("rdflib", "pyvis", "neo4j", "pytest"):  # named by extras only
        assert extra in hidden
    for base in ("duckdb", "pyarrow", "click", "networkx", "psutil"):
        assert base not in hidden


def test_a_base_install_builds_stores_and_exports(tmp_path):
    files = [str(SAMPLE / f) for f in ("sample.nbib", "sample.wos.txt", "seed.ris")]
    stats = _run(["stats", *files, "--json"], tmp_path)
    assert stats.returncode == 0, stats.stderr[-2000:]
    assert json.loads(stats.stdout)["Paper"] > 100
    ingest = _run(["ingest", *files, "--db", str(tmp_path / "db"), "-q"], tmp_path)
    assert ingest.returncode == 0, ingest.stderr[-2000:]
    query = _run(["query", "prolific-authors", "--db", str(tmp_path / "db")], tmp_path)
    assert query.returncode == 0, query.stderr[-2000:]
    assert "Barab" in query.stdout
    admin = _run(["export", *files, "--to", "neo4j-admin", "--out", str(tmp_path / "admin")], tmp_path)
    assert admin.returncode == 0, admin.stderr[-2000:]
    assert (tmp_path / "admin" / "nodes_Paper.csv").stat().st_size > 0
