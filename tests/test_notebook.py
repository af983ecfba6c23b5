"""examples/explore.ipynb runs headless from top to bottom (nbclient, a real IPython kernel)."""

from __future__ import annotations

import os

from conftest import ROOT

NOTEBOOK = ROOT / "examples" / "explore.ipynb"


def test_explore_notebook_runs(tmp_path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    os.environ.setdefault("MPLBACKEND", "Agg")
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1  # the co-author map, drawn inline
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "Barabási, Albert-László" in html and "Emergence of scaling in random networks" in html
    assert "Uzzi, Brian" in html  # the collaboration path, through the store
    assert (tmp_path / "explore.db").is_dir()
