"""mypy on graphkit/ with the configuration in pyproject.toml ([tool.mypy]) finds nothing."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_mypy_passes_on_graphkit():
    proc = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary", "--config-file",
                           str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_package_ships_its_type_marker():
    assert (ROOT / "graphkit" / "py.typed").exists()
    assert '"py.typed"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
