"""The columnar graph: one Apache Arrow table per node label and per relationship type.

Node tables have the columns of :data:`graphkit.schema.NODE_PROPERTIES` (``key`` first); edge tables
``source``, ``target`` and the type's properties. Stable string keys are the identity outside; the
engine that made the tables used integer ids inside. :class:`ColumnarGraph` offers the same row API as
:class:`graphkit.graph.Graph` (``nodes``, ``edges``, ``batches``, ``node``, ``edge``, ``add_node``,
``add_edge``, ``counts``, ``to_networkx``), so every sink and every extension works on either, plus
:meth:`ColumnarGraph.arrow` for sinks that write straight from Arrow.

A table is *frozen* (Arrow) until something changes it through the row API; it is then *thawed* into
rows (dicts, like Graph) and frozen again by :meth:`arrow`. Reading a frozen table's row gives a copy:
change a row with ``add_node`` / ``add_edge``, not by mutating what ``node`` returned.

A frozen table can be moved to disk (:meth:`ColumnarGraph.spill`): an uncompressed Arrow file, memory
mapped each time the table is read, so the pages a reader touches are held only while it holds the
table (at 1M records the tables are 3.2 GB, half of it the papers' abstracts, which only the sinks read).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from graphkit.graph import display_label
from graphkit.memory import drop_mapped_pages, map_file
from graphkit.schema import EDGE_PROPERTIES, ENDPOINTS, NODE_PROPERTIES, Label, RelType

# the memory DuckDB may use for one :func:`query` (GRAPHKIT_QUERY_MEMORY_LIMIT overrides); beyond, it spills
QUERY_MEMORY_LIMIT = "1GB"

Item = Label | RelType

_ARROW_TYPES = {"str": pa.string(), "int": pa.int64(), "bool": pa.bool_(), "list[str]": pa.list_(pa.string())}


def arrow_schema(item: Item) -> pa.Schema:
    """The Arrow schema of a label's node table or a type's edge table."""
    if isinstance(item, Label):
        return pa.schema([(p, _ARROW_TYPES[t]) for p, t in NODE_PROPERTIES[item].items()])
    props = [(p, _ARROW_TYPES[t]) for p, t in EDGE_PROPERTIES[item].items()]
    return pa.schema([("source", pa.string()), ("target", pa.string()), *props])


def rows_to_arrow(item: Item, rows: Iterable[dict[str, Any]]) -> pa.Table:
    """Rows (dicts) as a typed Arrow table of ``item``."""
    schema = arrow_schema(item)
    rows = list(rows)
    return pa.table([pa.array([r.get(f.name) for r in rows], f.type) for f in schema], schema=schema)


def write_arrow_file(path: str | os.PathLike[str], table: pa.Table) -> int:
    """``table`` as an uncompressed Arrow IPC file, so that :func:`mapped_arrow_file` maps it instead of
    reading it into memory; the rows written."""
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return table.num_rows


def write_arrow_stream(path: str | os.PathLike[str], batches: pa.RecordBatchReader,
                       schema: pa.Schema | None = None) -> int:
    """:func:`write_arrow_file` of a stream of batches, one batch in memory at a time (each one's columns
    selected and cast to ``schema`` when given); the rows written."""
    rows = 0
    out_schema = schema if schema is not None else batches.schema
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, out_schema) as writer:
        for batch in batches:
            part = pa.Table.from_batches([batch])
            if schema is not None:
                part = part.select(schema.names).cast(schema)
            writer.write_table(part)
            rows += batch.num_rows
            drop_mapped_pages()  # what the rule behind the batches read of mapped tables (memory)
    return rows


def mapped_arrow_file(path: str | os.PathLike[str]) -> pa.Table:
    """The table of :func:`write_arrow_file`, memory mapped: its pages are read when touched, and the
    mapping goes with the last reference to the table."""
    return pa.ipc.open_file(pa.py_buffer(map_file(path))).read_all()


@dataclass(frozen=True, slots=True)
class _OnDisk:
    """A frozen table moved to an Arrow file (:meth:`ColumnarGraph.spill`); ``columns``: the files of
    columns written again since (:meth:`ColumnarGraph.set_columns_on_disk`), by column name."""

    path: str
    num_rows: int
    columns: tuple[tuple[str, str], ...] = ()

    def table(self) -> pa.Table:
        table = mapped_arrow_file(self.path)
        files: dict[str, pa.Table] = {}
        for name, path in self.columns:
            if path not in files:
                files[path] = mapped_arrow_file(path)
            at = table.schema.get_field_index(name)
            table = table.set_column(at, table.schema.field(at), files[path].column(name))
        return table


class ColumnarGraph:
    def __init__(self, tables: dict[Item, pa.Table] | None = None) -> None:
        self._tables: dict[Item, pa.Table | _OnDisk] = {}
        self._spill_dir: str | None = None  # the files of spilled tables (removed with the graph)
        self._rows: dict[Item, dict[Any, dict[str, Any]]] = {}
        self._keys: dict[Label, set[str]] = {}
        self._cache: dict[Label, dict[str, dict[str, Any]]] = {}  # read cache of frozen tables for node()
        self._updated: set[Item] = set()  # frozen tables rewritten by update_nodes since set_table / synced
        for item, table in (tables or {}).items():
            self.set_table(item, table)

    # -- tables ---------------------------------------------------------------------------------
    def set_table(self, item: Item, table: pa.Table) -> None:
        """Replace a whole table (columns in schema order, cast to the schema's types)."""
        schema = arrow_schema(item)
        self._replace(item, table.select(schema.names).cast(schema))

    def _replace(self, item: Item, table: pa.Table | _OnDisk) -> None:
        """A new whole table: the rows, updates and read caches of the old one go."""
        self._tables[item] = table
        self._rows.pop(item, None)
        self._updated.discard(item)
        if isinstance(item, Label):
            self._keys.pop(item, None)
            self._cache.pop(item, None)

    def arrow(self, item: Item) -> pa.Table:
        """The table of a label or type (frozen again if it was changed through the row API)."""
        rows = self._rows.pop(item, None)
        if rows is not None:
            self._tables[item] = rows_to_arrow(item, rows.values())
        table = self._frozen(item)
        return table if table is not None else arrow_schema(item).empty_table()

    def _frozen(self, item: Item) -> pa.Table | None:
        table = self._tables.get(item)
        return table.table() if isinstance(table, _OnDisk) else table

    def spill(self, item: Item, min_bytes: int = 0, directory: str | None = None) -> bool:
        """Move a frozen table of at least ``min_bytes`` to an Arrow file in a scratch directory (made in
        ``directory``, or the system's; removed when the graph goes): later reads map the file, so only
        what a reader touches is in memory, and only while it holds the table. True when it moved
        (False: thawed, already on disk, missing, or smaller)."""
        table = self._tables.get(item)
        if table is None or isinstance(table, _OnDisk) or item in self._rows or table.nbytes < min_bytes:
            return False
        self._tables[item] = self._on_disk(item, directory, lambda tmp: write_arrow_file(tmp, table))
        if isinstance(item, Label):
            self._cache.pop(item, None)
        return True

    def set_table_on_disk(self, item: Item, batches: pa.RecordBatchReader, directory: str | None = None) -> None:
        """:meth:`set_table` of a table that comes as a stream of batches, written to disk as it comes
        (:meth:`spill`): the whole table is never in memory."""
        self._replace(item, self._on_disk(item, directory,
                                          lambda tmp: write_arrow_stream(tmp, batches, arrow_schema(item))))

    def set_columns_on_disk(self, item: Item, batches: pa.RecordBatchReader, directory: str | None = None) -> None:
        """Some columns of a table on disk replaced by a stream of batches of them, in the table's row
        order, written to a file of their own: the other columns stay in the table's file. For a derived
        rule that writes one column of a large table (``Paper.cited_by``: the papers' table written again
        whole for it was a second copy of every abstract on the disk)."""
        current = self._tables.get(item)
        if not isinstance(current, _OnDisk):
            raise ValueError(f"{item.value}: only a table on disk gets columns on disk")
        schema = arrow_schema(item)
        names = list(batches.schema.names)
        part = pa.schema([schema.field(name) for name in names])
        written = self._on_disk(item, directory, lambda tmp: write_arrow_stream(tmp, batches, part),
                                "." + "+".join(names))
        if written.num_rows != current.num_rows:
            raise ValueError(f"{item.value}: {written.num_rows} rows of {names} for a table of {current.num_rows}")
        kept = tuple((name, path) for name, path in current.columns if name not in names)
        self._replace(item, _OnDisk(current.path, current.num_rows, kept + tuple((n, written.path) for n in names)))

    def _on_disk(self, item: Item, directory: str | None, write: Callable[[str], int], suffix: str = "") -> _OnDisk:
        """The file of a table of this graph, written by ``write`` (which returns the rows) to a temporary
        name and then put in place (a table read from now on maps the new file; an older mapping keeps
        the old one). The scratch directory is made in ``directory`` on the first call and goes with the
        graph."""
        if self._spill_dir is None:
            if directory:
                os.makedirs(directory, exist_ok=True)
            self._spill_dir = tempfile.mkdtemp(prefix="graphkit-graph-", dir=directory)
            weakref.finalize(self, shutil.rmtree, self._spill_dir, True)
        path = os.path.join(self._spill_dir, f"{'node' if isinstance(item, Label) else 'edge'}-{item.value}{suffix}.arrow")
        rows = write(path + ".tmp")
        os.replace(path + ".tmp", path)
        return _OnDisk(path, rows)

    def frozen_bytes(self) -> int:
        """The bytes of the frozen tables held in memory (not thawed ones, not spilled ones)."""
        return sum(t.nbytes for t in self._tables.values() if isinstance(t, pa.Table))

    def spilled(self, item: Item) -> bool:
        """Whether the table is on disk (:meth:`spill`)."""
        return isinstance(self._tables.get(item), _OnDisk)

    def drop_table(self, item: Item) -> None:
        """Forget a table (it is empty until set again): for a caller that holds a newer version elsewhere."""
        self._tables.pop(item, None)
        self._rows.pop(item, None)
        self._updated.discard(item)
        if isinstance(item, Label):
            self._keys.pop(item, None)
            self._cache.pop(item, None)

    def changed(self, item: Item) -> bool:
        """Whether the table was changed through the row API (thawed, or rewritten by :meth:`update_nodes`)
        since it was set or since :meth:`synced`."""
        return item in self._rows or item in self._updated

    def synced(self) -> None:
        """The caller has taken every changed table (:meth:`arrow`): :meth:`changed` starts afresh."""
        self._updated.clear()

    def drop_read_caches(self) -> None:
        """Forget what reading frozen tables built (the row index of :meth:`node`, the key sets of
        :meth:`has_node`): a Python dict per row of every table looked up, rebuilt on the next lookup."""
        self._cache.clear()
        self._keys.clear()

    def _thaw(self, item: Item) -> dict[Any, dict[str, Any]]:
        rows = self._rows.get(item)
        if rows is None:
            table = self._frozen(item)
            self._tables.pop(item, None)
            listed = table.to_pylist() if table is not None else []
            if isinstance(item, Label):
                self._cache.pop(item, None)
            if isinstance(item, Label):
                rows = {r["key"]: r for r in listed}
            else:
                rows = {(r["source"], r["target"]): r for r in listed}
            self._rows[item] = rows
        return rows

    # -- building (row API) -----------------------------------------------------------------------
    def add_node(self, label: Label, key: str, **props: Any) -> dict[str, Any]:
        unknown = props.keys() - NODE_PROPERTIES[label].keys() if props else None
        if unknown:
            raise ValueError(f"{label} has no properties {sorted(unknown)}")
        rows = self._thaw(label)
        row = rows.get(key)
        if row is None:
            row = rows[key] = {name: None for name in NODE_PROPERTIES[label]}
            row["key"] = key
            keys = self._keys.get(label)
            if keys is not None:
                keys.add(key)
        for name, value in props.items():
            if name != "key":
                row[name] = value
        return row

    def update_nodes(self, label: Label, props: dict[str, dict[str, Any]]) -> None:
        """``add_node(label, key, **p)`` for every ``key, p`` in ``props``. On a frozen table whose keys
        are unique and include every key given, the columns are rewritten in Arrow: the table is not
        thawed into a dict per row (a build's every Paper row, for four properties)."""
        if not props:
            return
        table = self._frozen(label)
        names: set[str] = set().union(*props.values())
        unknown = names - NODE_PROPERTIES[label].keys()
        if unknown:
            raise ValueError(f"{label} has no properties {sorted(unknown)}")
        names.discard("key")
        if table is not None and label not in self._rows:
            at = {k: i for i, k in enumerate(table.column("key").to_pylist())}
            if len(at) == table.num_rows and all(k in at for k in props):
                schema = arrow_schema(label)
                for name in sorted(names, key=schema.names.index):
                    values = table.column(name).to_pylist()
                    for key, p in props.items():
                        if name in p:
                            values[at[key]] = p[name]
                    i = schema.get_field_index(name)
                    table = table.set_column(i, schema.field(i), pa.array(values, schema.field(i).type))
                    del values
                self._tables[label] = table
                self._cache.pop(label, None)
                self._updated.add(label)
                return
        for key, p in props.items():
            self.add_node(label, key, **p)

    def set_node_columns(self, label: Label, values: dict[str, pa.Array]) -> None:
        """Replace whole property columns of ``label``'s table, each array holding one value per row in
        the order :meth:`arrow` gives: the table is not thawed into a dict per row."""
        unknown = values.keys() - (NODE_PROPERTIES[label].keys() - {"key"})
        if unknown:
            raise ValueError(f"{label} has no settable properties {sorted(unknown)}")
        schema = arrow_schema(label)
        current = self._tables.get(label)
        if isinstance(current, _OnDisk) and label not in self._rows and values:
            # a table on disk stays there, the new columns in a file beside it (set in memory, the
            # papers' table of a large build had been written whole again later, every abstract)
            for name, column in values.items():
                if len(column) != current.num_rows:
                    raise ValueError(f"{label}.{name}: {len(column)} values for {current.num_rows} rows")
            names = sorted(values, key=schema.names.index)
            self.set_columns_on_disk(label, pa.table(
                {name: values[name].cast(schema.field(name).type) for name in names}).to_reader())
            self._updated.add(label)
            return
        table = self.arrow(label)
        for name in sorted(values, key=schema.names.index):
            column = values[name]
            if len(column) != table.num_rows:
                raise ValueError(f"{label}.{name}: {len(column)} values for {table.num_rows} rows")
            i = schema.get_field_index(name)
            table = table.set_column(i, schema.field(i), column.cast(schema.field(i).type))
        self._tables[label] = table
        self._cache.pop(label, None)
        self._updated.add(label)

    def add_edge(self, type: RelType, source: str, target: str, **props: Any) -> dict[str, Any]:
        unknown = props.keys() - EDGE_PROPERTIES[type].keys() if props else None
        if unknown:
            raise ValueError(f"{type} has no properties {sorted(unknown)}")
        start, end = ENDPOINTS[type]
        if not self.has_node(start, source):
            raise KeyError(f"{type} edge has undefined source {source!r}")
        if not self.has_node(end, target):
            raise KeyError(f"{type} edge has undefined target {target!r}")
        if type is RelType.CO_AUTHOR and target < source:
            source, target = target, source
        rows = self._thaw(type)
        row = rows.get((source, target))
        if row is None:
            row = rows[(source, target)] = {"source": source, "target": target,
                                            **dict.fromkeys(EDGE_PROPERTIES[type])}
        row.update(props)
        return row

    def clear_edges(self, type: RelType) -> None:
        self._tables.pop(type, None)
        self._rows[type] = {}

    def remove_node(self, label: Label, key: str) -> None:
        self._thaw(label).pop(key, None)
        self._keys.pop(label, None)
        for type, (start, end) in ENDPOINTS.items():
            if label in (start, end):
                rows = self._thaw(type)
                for pair in [p for p in rows if (start == label and p[0] == key) or (end == label and p[1] == key)]:
                    del rows[pair]

    # -- reading ----------------------------------------------------------------------------------
    def _key_set(self, label: Label) -> set[str]:
        keys = self._keys.get(label)
        if keys is None:
            rows = self._rows.get(label)
            if rows is not None:
                keys = set(rows)
            else:
                table = self._frozen(label)
                keys = set(table.column("key").to_pylist()) if table is not None else set()
            self._keys[label] = keys
        return keys

    def has_node(self, label: Label, key: str) -> bool:
        rows = self._rows.get(label)
        if rows is not None:
            return key in rows
        return key in self._key_set(label)

    def node(self, label: Label, key: str) -> dict[str, Any] | None:
        rows = self._rows.get(label)
        if rows is not None:
            return rows.get(key)
        cache = self._cache.get(label)
        if cache is None:  # lookups come in bulk (sinks, reports): index the whole table once
            table = self._frozen(label)
            cache = self._cache[label] = {r["key"]: r for r in table.to_pylist()} if table is not None else {}
        row = cache.get(key)
        return dict(row) if row is not None else None

    def edge(self, type: RelType, source: str, target: str) -> dict[str, Any] | None:
        if type is RelType.CO_AUTHOR and target < source:
            source, target = target, source
        return self._thaw(type).get((source, target))

    def _iter(self, item: Item) -> Iterator[dict[str, Any]]:
        rows = self._rows.get(item)
        if rows is not None:
            yield from rows.values()
            return
        table = self._frozen(item)
        if table is None:
            return
        for batch in table.to_batches(max_chunksize=4096):
            yield from batch.to_pylist()

    def nodes(self, label: Label) -> Iterable[dict[str, Any]]:
        return self._iter(label)

    def edges(self, type: RelType) -> Iterable[dict[str, Any]]:
        return self._iter(type)

    def batches(self, label_or_type: Item, size: int = 1000) -> Iterator[list[dict[str, Any]]]:
        rows = self._rows.get(label_or_type)
        if rows is not None:
            values = list(rows.values())
            for i in range(0, len(values), size):
                yield values[i:i + size]
            return
        table = self._frozen(label_or_type)
        if table is None:
            return
        for batch in table.to_batches(max_chunksize=size):
            if batch.num_rows:
                yield batch.to_pylist()

    def has_table(self, label_or_type: Item) -> bool:
        """Whether the table was set or built here (frozen or thawed), not merely empty by default."""
        return label_or_type in self._tables or label_or_type in self._rows

    def count(self, label_or_type: Item) -> int:
        rows = self._rows.get(label_or_type)
        if rows is not None:
            return len(rows)
        table = self._tables.get(label_or_type)
        return table.num_rows if table is not None else 0

    def counts(self) -> dict[str, int]:
        out = {str(label): self.count(label) for label in Label}
        out.update({str(t): self.count(t) for t in RelType})
        return out

    def to_networkx(self):
        """A networkx MultiDiGraph, as :meth:`graphkit.graph.Graph.to_networkx` builds it."""
        import networkx as nx

        g = nx.MultiDiGraph()
        for label in Label:
            for row in self.nodes(label):
                g.add_node(row["key"], kind=str(label), label=display_label(label, row),
                           **{k: v for k, v in row.items() if k != "key" and v is not None})
        for type in RelType:
            for row in self.edges(type):
                g.add_edge(row["source"], row["target"], key=str(type), type=str(type),
                           **{k: v for k, v in row.items() if k not in ("source", "target") and v is not None})
        return g

    def to_graph(self):
        """The same graph as a row-based :class:`graphkit.graph.Graph` (rows sorted by key)."""
        from graphkit.graph import Graph

        graph = Graph()
        for label in Label:
            for row in sorted(self.nodes(label), key=lambda r: r["key"]):
                graph.add_node(label, row["key"], **{k: v for k, v in row.items() if k != "key"})
        for type in RelType:
            for row in sorted(self.edges(type), key=lambda r: (r["source"], r["target"])):
                graph.add_edge(type, row["source"], row["target"],
                               **{k: v for k, v in row.items() if k not in ("source", "target")})
        return graph


def frame(graph: Any, item: Item, *names: str) -> pa.Table:
    """The columns ``names`` of ``item`` as an Arrow table typed as :func:`arrow_schema` says: the
    columnar graph's own columns (no copy), a table built from the rows of any other graph."""
    if isinstance(graph, ColumnarGraph):
        return graph.arrow(item).select(list(names))
    schema = arrow_schema(item)
    values = list(zip(*columns(graph, item, *names))) or [() for _ in names]
    return pa.table([pa.array(list(v), schema.field(n).type) for n, v in zip(names, values)],
                    schema=pa.schema([schema.field(n) for n in names]))


def query(graph: Any, tables: dict[str, tuple[Item, tuple[str, ...]] | pa.Table], sql: str) -> pa.Table:
    """Run ``sql`` (DuckDB) over the graph's columns: ``tables`` names each table the query reads as
    (label or type, its columns), each a :func:`frame` of ``graph``, or as an Arrow table. For aggregates
    over whole tables (the search fields, the Neo4j terms) that a Python loop would do with a set or
    dict per paper."""
    from graphkit.engine.sql import fetch_arrow

    with bounded_duckdb() as con:
        for name, table in tables.items():
            con.register(name, table if isinstance(table, pa.Table) else frame(graph, table[0], *table[1]))
        return fetch_arrow(con.sql(sql))


@contextmanager
def bounded_duckdb() -> Iterator[Any]:
    """An in-memory DuckDB connection bounded like the engine: past QUERY_MEMORY_LIMIT
    (GRAPHKIT_QUERY_MEMORY_LIMIT overrides it) DuckDB spills to a scratch directory, removed after. For
    the queries over the graph's columns (:func:`query`; the neo4j-admin writer's COPYs): without a
    limit, the search fields of 1M records took 1.7 GB beside the graph."""
    import tempfile

    import duckdb

    limit = os.environ.get("GRAPHKIT_QUERY_MEMORY_LIMIT") or QUERY_MEMORY_LIMIT
    with tempfile.TemporaryDirectory(prefix="graphkit-query-") as spill:
        con = duckdb.connect(config={"preserve_insertion_order": False, "memory_limit": limit,
                                     "temp_directory": spill})
        try:
            yield con
        finally:
            con.close()


def column_table(graph: Any, item: Item, *names: str) -> pa.Table:
    """``names`` of every node or edge of ``item`` as one Arrow table: a :class:`ColumnarGraph`'s own
    columns, any other graph's rows converted (the Arrow twin of :func:`columns`, for joins of whole
    columns)."""
    if isinstance(graph, ColumnarGraph):
        return graph.arrow(item).select(list(names))
    rows = graph.nodes(item) if isinstance(item, Label) else graph.edges(item)
    return rows_to_arrow(item, rows).select(list(names))


def columns(graph: Any, item: Item, *names: str, where: tuple[str, Any] | None = None) -> Iterator[tuple[Any, ...]]:
    """The values of ``names`` for every node or edge of ``item`` (rows with ``where`` = (name, value)
    only): read column by column from a :class:`ColumnarGraph` (no dict per row: at 1M records the
    AUTHORED table has 3.5M), from the rows of any other graph. The one column-or-row reader of the
    graph for the steps that take either (the search fields, the Neo4j terms, the citations index)."""
    if isinstance(graph, ColumnarGraph):
        table = graph.arrow(item)
        if where is not None:
            import pyarrow.compute as pc

            table = table.filter(pc.equal(table.column(where[0]), where[1]))
        return zip(*(table.column(n).to_pylist() for n in names))
    rows = graph.nodes(item) if isinstance(item, Label) else graph.edges(item)
    if where is not None:
        rows = (r for r in rows if r.get(where[0]) == where[1])
    return (tuple(r.get(n) for n in names) for r in rows)
