"""--to parquet: the node and edge tables, typed, for the old core's graph and the engine's."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from graphkit.atomic import OutputError
from graphkit.columnar import ColumnarGraph, arrow_schema, rows_to_arrow
from graphkit.schema import Label, RelType
from graphkit.sinks import export
from graphkit.sinks.parquet import read_parquet
from tests.sinks.test_neo4j_admin import hostile_graph


def _rows(graph, item):
    rows = graph.nodes(item) if isinstance(item, Label) else graph.edges(item)
    names = arrow_schema(item).names
    return sorted((tuple(tuple(v) if isinstance(v, list) else v for v in (r.get(n) for n in names))
                   for r in rows), key=repr)


@pytest.mark.parametrize("columnar", [False, True], ids=["dict-graph", "columnar-graph"])
def test_every_table_is_written_typed_and_reads_back(tmp_path, columnar):
    g = hostile_graph()
    if columnar:
        g = ColumnarGraph({item: rows_to_arrow(item, g.nodes(item) if isinstance(item, Label) else g.edges(item))
                           for item in [*Label, *RelType] if g.count(item)})
    summary = export(g, "parquet", tmp_path / "pq")
    items = [i for i in [*Label, *RelType] if g.count(i)]
    names = sorted(p.name for p in (tmp_path / "pq").glob("*.parquet"))
    assert names == sorted((f"nodes_{i.value}" if isinstance(i, Label) else f"rels_{i.value}") + ".parquet"
                           for i in items)
    assert summary["files"] == len(items)
    paper = pq.read_table(tmp_path / "pq" / "nodes_Paper.parquet")
    assert paper.schema == arrow_schema(Label.PAPER)
    assert pa.types.is_list(paper.schema.field("sources").type)
    assert str(paper.schema.field("year").type) == "int64"
    back = read_parquet(tmp_path / "pq")
    for item in items:
        assert _rows(back, item) == _rows(g, item), item


def test_a_file_graphkit_did_not_write_is_not_replaced(tmp_path):
    out = tmp_path / "pq"
    out.mkdir()
    (out / "nodes_Paper.parquet").write_bytes(b"mine")
    with pytest.raises(OutputError, match="nodes_Paper.parquet"):
        export(hostile_graph(), "parquet", out)
    assert (out / "nodes_Paper.parquet").read_bytes() == b"mine"
    assert not (out / "nodes_Author.parquet").exists()  # refused before the first file
    export(hostile_graph(), "parquet", out, force=True)
    assert pq.read_table(out / "nodes_Paper.parquet").num_rows == hostile_graph().count(Label.PAPER)
    export(hostile_graph(), "parquet", out)  # its own files: replaced without --force


def test_a_large_table_is_written_in_row_groups_from_its_mapped_file(tmp_path, monkeypatch):
    """A table on disk (memory mapped, as the engine's large tables are) is written in row groups of
    ROW_GROUP_ROWS, batch by batch, and reads back whole and in order."""
    from graphkit.sinks import parquet

    monkeypatch.setattr(parquet, "ROW_GROUP_ROWS", 3)
    rows = [{"source": f"a{i}", "target": f"p{i % 4}", "position": i + 1} for i in range(10)]
    g = ColumnarGraph({RelType.AUTHORED: rows_to_arrow(RelType.AUTHORED, rows)})
    assert g.spill(RelType.AUTHORED, directory=str(tmp_path / "spill")) and g.spilled(RelType.AUTHORED)
    export(g, "parquet", tmp_path / "pq")
    written = pq.ParquetFile(tmp_path / "pq" / "rels_AUTHORED.parquet")
    assert [written.metadata.row_group(i).num_rows for i in range(written.num_row_groups)] == [3, 3, 3, 1]
    assert written.read().to_pylist() == [{k: r.get(k) for k in arrow_schema(RelType.AUTHORED).names}
                                          for r in rows]
