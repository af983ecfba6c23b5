"""The graph's node and edge tables as Parquet: the columnar core's own tables, for DuckDB, Polars,
pandas, Spark or any Arrow reader.

``write_parquet(graph, out)`` writes into the directory ``out`` one file per label and relationship type
that has rows, named as the neo4j-admin files are:

* ``nodes_<Label>.parquet``: ``key`` (the node's stable string key) and the label's properties of
  :mod:`graphkit.schema` (``list[str]`` properties are Arrow lists of strings);
* ``rels_<TYPE>.parquet``: ``source`` and ``target`` (the endpoints' keys; the endpoint labels are
  ``schema.ENDPOINTS``) and the type's properties.

The columns and their types are :func:`graphkit.columnar.arrow_schema`, for every graph (the engine's
columnar graph or the old core's dict graph). Each file is written to a temporary file and renamed into
place under the rules of :mod:`graphkit.atomic`; ``read_parquet`` reads such a directory back as a
:class:`graphkit.columnar.ColumnarGraph`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from graphkit.memory import drop_mapped_pages
from graphkit.progress import Progress, null_progress
from graphkit.schema import Label, RelType

log = logging.getLogger(__name__)

Item = Label | RelType
# rows per row group (and per batch written): a row group is buffered whole until it is written
ROW_GROUP_ROWS = 65_536


def file_name(item: Item) -> str:
    return f"nodes_{item.value}.parquet" if isinstance(item, Label) else f"rels_{item.value}.parquet"


def _table(graph: Any, item: Item) -> Any:
    from graphkit.columnar import arrow_schema, rows_to_arrow

    schema = arrow_schema(item)
    if hasattr(graph, "arrow"):
        return graph.arrow(item).select(schema.names).cast(schema)
    rows = graph.nodes(item) if isinstance(item, Label) else graph.edges(item)
    return rows_to_arrow(item, rows)


def write_parquet(graph: Any, out: Path, *, progress: Progress = null_progress,
                  force: bool = False) -> dict[str, Any]:
    """Write the node and edge tables of ``graph`` as Parquet files into the directory ``out``; returns
    {"path", "nodes", "relationships" (rows per label/type), "files" (how many were written)}."""
    import pyarrow.parquet as pq

    from graphkit.atomic import OutputError, atomic_open, check_targets, ensure_directory

    out = Path(out)
    ensure_directory(out)
    items = [item for item in [*Label, *RelType] if graph.count(item)]
    check_targets([out / file_name(item) for item in items], force=force)
    summary: dict[str, Any] = {"path": str(out), "nodes": {}, "relationships": {}}
    for item in items:
        table = _table(graph, item)
        progress("parquet", items.index(item), len(items))
        try:
            with atomic_open(out / file_name(item), "wb", force=force) as fh, \
                    pq.ParquetWriter(fh, table.schema, compression="zstd") as writer:
                # row groups of ROW_GROUP_ROWS, and the pages of a mapped table let go after each: one
                # write_table of the papers (a row group of up to 1Mi rows, buffered whole, beside every
                # page of the mapped table it read) was the peak of a 1M build, 3,964 MB over the tree
                for batch in table.to_batches(max_chunksize=ROW_GROUP_ROWS):
                    writer.write_batch(batch, row_group_size=ROW_GROUP_ROWS)
                    drop_mapped_pages()
        except OSError as exc:
            raise OutputError(f"cannot write {out / file_name(item)}: {exc.strerror or exc}") from None
        summary["nodes" if isinstance(item, Label) else "relationships"][item.value] = table.num_rows
    progress("parquet", len(items), len(items))
    summary["files"] = len(items)
    log.info("Parquet tables in %s", out)
    return summary


def read_parquet(directory: str | Path) -> Any:
    """The graph of a directory written by :func:`write_parquet` (a missing file is an empty table)."""
    import pyarrow.parquet as pq

    from graphkit.columnar import ColumnarGraph, arrow_schema

    directory = Path(directory)
    tables = {}
    for item in [*Label, *RelType]:
        path = directory / file_name(item)
        if path.is_file():
            tables[item] = pq.read_table(path).cast(arrow_schema(item))
    return ColumnarGraph(tables)
