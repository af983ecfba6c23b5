"""docs/python-api.md: every ```python block runs, in order, in one session started in an empty directory.
The Neo4j block runs against the test server (its URI replaces bolt://localhost:7687)."""

from __future__ import annotations

import re

from conftest import ROOT

DOC = ROOT / "docs" / "python-api.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def test_python_api_doc_examples_run(tmp_path, monkeypatch, neo4j_empty, neo4j_env):
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 10
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__doc__"}
    for i, code in enumerate(blocks, start=1):
        code = code.replace("bolt://localhost:7687", neo4j_env[0])
        exec(compile(code, f"{DOC.name} block {i}", "exec"), namespace)  # noqa: S102 - our own doc
    assert (tmp_path / "report.md").exists() and (tmp_path / "sample.graphml").exists()
    assert namespace["counts"]["Paper"] == 160
