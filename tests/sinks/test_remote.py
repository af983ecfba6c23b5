"""Exports to a URL: written locally, uploaded through pyarrow's file systems (file:// here; s3://,
gs:// and hdfs:// go through the same code with another pyarrow file system)."""

from __future__ import annotations

import os

import pytest

from graphkit.atomic import LEDGER, OutputError
from graphkit.sinks import export
from graphkit.sinks.remote import check_url, is_url
from tests.sinks.test_neo4j_admin import hostile_graph


@pytest.mark.parametrize("out, url", [("s3://bucket/dir", True), ("hdfs://nn:8020/x", True),
                                      ("file:///tmp/x", True), ("out/dir", False), ("C:\\out", False),
                                      ("./s3://x", False)])
def test_what_counts_as_a_url(out, url):
    assert is_url(out) is url


def test_a_directory_export_uploads_the_same_files(tmp_path):
    g = hostile_graph()
    export(g, "neo4j-admin", tmp_path / "local")
    summary = export(g, "neo4j-admin", f"file://{tmp_path}/remote/adm")
    assert summary["path"] == f"file://{tmp_path}/remote/adm"
    local = sorted(p.name for p in (tmp_path / "local").iterdir() if p.name != LEDGER)
    remote = sorted(p.name for p in (tmp_path / "remote" / "adm").iterdir())
    assert remote == local and summary["files"] == len(local)
    for name in local:
        assert (tmp_path / "remote" / "adm" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    assert os.access(tmp_path / "remote" / "adm" / "import.sh", os.X_OK)  # a local target keeps the mode


def test_a_file_export_uploads_the_same_bytes_and_is_not_replaced_without_force(tmp_path):
    g = hostile_graph()
    export(g, "graphml", tmp_path / "local.graphml")
    url = f"file://{tmp_path}/up.graphml"
    export(g, "graphml", url)
    assert (tmp_path / "up.graphml").read_bytes() == (tmp_path / "local.graphml").read_bytes()
    with pytest.raises(OutputError, match="exists.*--force"):
        check_url(url)
    (tmp_path / "up.graphml").write_text("mine")
    with pytest.raises(OutputError, match="exists"):
        export(g, "graphml", url)
    assert (tmp_path / "up.graphml").read_text() == "mine"
    export(g, "graphml", url, force=True)
    assert (tmp_path / "up.graphml").read_bytes() == (tmp_path / "local.graphml").read_bytes()
    assert not [p for p in tmp_path.iterdir() if "graphkit-upload" in p.name]  # no temporary left


def test_one_existing_remote_file_stops_the_whole_upload(tmp_path):
    (tmp_path / "adm").mkdir()
    (tmp_path / "adm" / "import.sh").write_text("mine")
    with pytest.raises(OutputError, match="import.sh exists"):
        export(hostile_graph(), "neo4j-admin", f"file://{tmp_path}/adm")
    assert [p.name for p in (tmp_path / "adm").iterdir()] == ["import.sh"]


def test_a_url_pyarrow_cannot_open_is_a_clear_error(tmp_path):
    with pytest.raises(OutputError, match="cannot open nosuch://b/x"):
        export(hostile_graph(), "parquet", "nosuch://b/x")
    with pytest.raises(OutputError, match="is a directory"):
        check_url(f"file://{tmp_path}")
