"""ColumnarGraph.update_nodes: the same table as add_node per key, without thawing a frozen table."""

from __future__ import annotations

import pyarrow as pa
import pytest

from graphkit.columnar import ColumnarGraph, arrow_schema, rows_to_arrow
from graphkit.schema import Label

ROWS = [{"key": "kw:a", "name": "A"}, {"key": "kw:b", "name": "B"}, {"key": "kw:c", "name": "C"}]


def _graph(rows: list[dict]) -> ColumnarGraph:
    graph = ColumnarGraph()
    graph.set_table(Label.KEYWORD, rows_to_arrow(Label.KEYWORD, rows))
    return graph


def _by_add_node(rows: list[dict], props: dict[str, dict]) -> pa.Table:
    graph = _graph(rows)
    for key, p in props.items():
        graph.add_node(Label.KEYWORD, key, **p)
    return graph.arrow(Label.KEYWORD)


@pytest.mark.parametrize("props", [
    {"kw:c": {"variants": ["c", "C"]}, "kw:a": {"variants": ["a"], "name": "a"}},  # frozen: rewritten in Arrow
    {"kw:a": {"variants": ["a"]}, "kw:new": {"name": "New"}},  # a new key: row by row, as add_node
    {},
])
def test_update_nodes_is_add_node_per_key(props: dict[str, dict]) -> None:
    graph = _graph(ROWS)
    graph.update_nodes(Label.KEYWORD, props)
    assert graph.changed(Label.KEYWORD) == bool(props)
    assert graph.arrow(Label.KEYWORD).equals(_by_add_node(ROWS, props))
    graph.synced()
    assert not graph.changed(Label.KEYWORD)


def test_update_nodes_frozen_keeps_the_table_frozen() -> None:
    graph = _graph(ROWS)
    assert graph.node(Label.KEYWORD, "kw:b") == {**dict.fromkeys(graph.arrow(Label.KEYWORD).schema.names),
                                                 "key": "kw:b", "name": "B"}
    graph.update_nodes(Label.KEYWORD, {"kw:b": {"variants": ["b"]}})
    assert Label.KEYWORD not in graph._rows  # noqa: SLF001
    assert graph.node(Label.KEYWORD, "kw:b")["variants"] == ["b"]  # the read cache was dropped


def test_update_nodes_duplicate_keys_as_add_node() -> None:
    rows = ROWS + [{"key": "kw:a", "name": "A2"}]
    graph = _graph(rows)
    graph.update_nodes(Label.KEYWORD, {"kw:a": {"variants": ["x"]}})
    assert graph.arrow(Label.KEYWORD).equals(_by_add_node(rows, {"kw:a": {"variants": ["x"]}}))


def test_update_nodes_unknown_property() -> None:
    with pytest.raises(ValueError):
        _graph(ROWS).update_nodes(Label.KEYWORD, {"kw:a": {"nope": 1}})


def test_columns_read_the_same_values_from_columns_rows_and_a_row_graph() -> None:
    """columns(): the values of a frozen table, of a thawed one and of the row graph (graphkit.graph)
    are the same, in row order, and ``where`` keeps the rows with that value (not None)."""
    from graphkit.columnar import columns
    from graphkit.graph import Graph
    from graphkit.schema import RelType

    edges = [("a:1", "p:1", 1), ("a:2", "p:1", 2), ("a:3", "p:2", None), ("a:1", "p:3", 1)]
    frozen = ColumnarGraph()
    frozen.set_table(RelType.AUTHORED, rows_to_arrow(RelType.AUTHORED, [
        {"source": s, "target": t, "position": pos} for s, t, pos in edges]))
    thawed = ColumnarGraph()
    rows = Graph()
    for g in (thawed, rows):
        for s, t, pos in edges:
            g.add_node(Label.AUTHOR, s)
            g.add_node(Label.PAPER, t)
            g.add_edge(RelType.AUTHORED, s, t, **({"position": pos} if pos is not None else {}))
    for g in (frozen, thawed, rows):
        assert sorted(columns(g, RelType.AUTHORED, "source", "target", "position")) == sorted(
            edges, key=lambda e: (e[0], e[1]))
        assert sorted(columns(g, RelType.AUTHORED, "target", "source", where=("position", 1))) == [
            ("p:1", "a:1"), ("p:3", "a:1")]
    assert list(columns(frozen, Label.PAPER, "key")) == []  # no table: no rows


def test_query_runs_under_a_memory_limit(monkeypatch) -> None:
    """:func:`graphkit.columnar.query` gives DuckDB QUERY_MEMORY_LIMIT (GRAPHKIT_QUERY_MEMORY_LIMIT
    overrides it) and a scratch directory to spill to: a million-group aggregate completes under 64MB."""
    import duckdb

    from graphkit.columnar import QUERY_MEMORY_LIMIT, query

    def shown(limit: str) -> str:  # (as DuckDB prints a limit)
        con = duckdb.connect(config={"memory_limit": limit})
        try:
            return con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        finally:
            con.close()

    assert query(None, {}, "SELECT current_setting('memory_limit') AS m").to_pylist() == \
        [{"m": shown(QUERY_MEMORY_LIMIT)}]
    assert shown(QUERY_MEMORY_LIMIT) != shown("64MB")
    monkeypatch.setenv("GRAPHKIT_QUERY_MEMORY_LIMIT", "64MB")
    keys = pa.table({"k": pa.array([f"{i:032x}" for i in range(1_000_000)])})
    got = query(None, {"t": keys}, "SELECT current_setting('memory_limit') AS m, count(*) AS n "
                                   "FROM (SELECT k, count(*) AS c FROM t GROUP BY k)")
    assert got.to_pylist() == [{"m": shown("64MB"), "n": 1_000_000}]


def _mapped(path: str) -> bool:
    with open("/proc/self/maps") as maps:
        return path in maps.read()


@pytest.mark.skipif(not __import__("os").path.exists("/proc/self/maps"), reason="reads Linux's /proc/self/maps")
def test_spilled_table_reads_the_same_mapped_only_while_held(tmp_path) -> None:
    """A spilled table is an Arrow file: every read gives the same rows as before, the file is memory
    mapped only while a reader holds the table, and it goes with the graph."""
    import gc
    import os

    graph = _graph(ROWS)
    before = graph.arrow(Label.KEYWORD)
    assert not graph.spill(Label.KEYWORD, min_bytes=1 << 30)  # below the size: stays in memory
    assert graph.frozen_bytes() == before.nbytes > 0
    assert graph.spill(Label.KEYWORD, directory=str(tmp_path))
    assert graph.frozen_bytes() == 0
    assert graph.spilled(Label.KEYWORD) and not graph.spill(Label.KEYWORD)  # (once)
    files = [str(p) for p in tmp_path.rglob("*.arrow")]
    assert len(files) == 1
    del before
    gc.collect()
    assert not _mapped(files[0])
    table = graph.arrow(Label.KEYWORD)
    assert table.equals(_graph(ROWS).arrow(Label.KEYWORD))
    assert _mapped(files[0])
    del table
    assert not _mapped(files[0])
    assert graph.count(Label.KEYWORD) == 3 and graph.has_table(Label.KEYWORD)
    assert graph.has_node(Label.KEYWORD, "kw:b") and graph.node(Label.KEYWORD, "kw:c")["name"] == "C"
    assert [r["key"] for r in graph.nodes(Label.KEYWORD)] == ["kw:a", "kw:b", "kw:c"]
    assert [len(b) for b in graph.batches(Label.KEYWORD, size=2)] == [2, 1]
    del graph
    gc.collect()
    assert not os.path.exists(files[0])


def test_columns_on_disk_replace_those_of_a_spilled_table(tmp_path) -> None:
    """set_columns_on_disk: a spilled table's columns replaced by a stream of them in its row order,
    written to a file of their own (the table's file stays as it was); the row count must match, and
    a table in memory gets none. set_node_columns on such a table does the same."""
    import os

    graph = _graph(ROWS)
    with pytest.raises(ValueError, match="only a table on disk"):
        graph.set_columns_on_disk(Label.KEYWORD, pa.table({"papers": [1, 2, 3]}).to_reader())
    assert graph.spill(Label.KEYWORD, directory=str(tmp_path))
    table_file = next(str(p) for p in tmp_path.rglob("*.arrow"))
    written = os.stat(table_file).st_mtime_ns
    graph.set_columns_on_disk(Label.KEYWORD, pa.table({"papers": [4, 5, 6], "name": ["X", "Y", "Z"]}).to_reader(),
                              str(tmp_path))
    graph.set_columns_on_disk(Label.KEYWORD, pa.table({"papers": [7, 8, 9]}).to_reader(), str(tmp_path))
    got = graph.arrow(Label.KEYWORD)
    assert got.schema == arrow_schema(Label.KEYWORD)
    assert [(r["key"], r["name"], r["papers"]) for r in got.to_pylist()] == [
        ("kw:a", "X", 7), ("kw:b", "Y", 8), ("kw:c", "Z", 9)]
    assert os.stat(table_file).st_mtime_ns == written and len(list(tmp_path.rglob("*.arrow"))) == 3
    with pytest.raises(ValueError, match="2 rows"):
        graph.set_columns_on_disk(Label.KEYWORD, pa.table({"papers": [1, 2]}).to_reader(), str(tmp_path))
    # set_node_columns on a table on disk: the same, and the table counts as changed
    graph.synced()
    graph.set_node_columns(Label.KEYWORD, {"papers": pa.array([1, 2, 3]), "check_tag": pa.array([True, False, True])})
    assert graph.spilled(Label.KEYWORD) and graph.changed(Label.KEYWORD)
    assert [(r["name"], r["papers"], r["check_tag"]) for r in graph.arrow(Label.KEYWORD).to_pylist()] == [
        ("X", 1, True), ("Y", 2, False), ("Z", 3, True)]
    with pytest.raises(ValueError, match="2 values for 3 rows"):
        graph.set_node_columns(Label.KEYWORD, {"papers": pa.array([1, 2])})


@pytest.mark.parametrize("change", ["update_nodes", "add_node"])
def test_spilled_table_changes_as_an_in_memory_one(tmp_path, change: str) -> None:
    """update_nodes and add_node on a spilled table give what they give on the table in memory; the
    changed table is in memory again (until spilled again)."""
    props = {"kw:c": {"variants": ["c"]}, "kw:a": {"name": "a"}}
    graph = _graph(ROWS)
    graph.spill(Label.KEYWORD, directory=str(tmp_path))
    if change == "update_nodes":
        graph.update_nodes(Label.KEYWORD, props)
    else:
        for key, p in props.items():
            graph.add_node(Label.KEYWORD, key, **p)
    assert not graph.spilled(Label.KEYWORD)
    assert graph.arrow(Label.KEYWORD).equals(_by_add_node(ROWS, props))
    assert graph.spill(Label.KEYWORD, directory=str(tmp_path))
    assert graph.arrow(Label.KEYWORD).equals(_by_add_node(ROWS, props))


def test_a_table_set_from_a_stream_of_batches_is_on_disk_as_set_table_gives_it(tmp_path) -> None:
    """set_table_on_disk: a table that comes as batches (an engine's stream, columns in any order and
    types to cast) is written to disk as it comes and reads as set_table of the whole table gives it;
    the graph's read caches of the old table are gone."""
    graph = _graph(ROWS)
    assert graph.node(Label.KEYWORD, "kw:a")["name"] == "A"  # (cached)
    whole = _graph(ROWS).arrow(Label.KEYWORD)
    changed = whole.set_column(whole.schema.get_field_index("name"), "name", pa.array(["X", "Y", "Z"]))
    reordered = changed.select(list(reversed(changed.schema.names)))
    graph.set_table_on_disk(Label.KEYWORD, pa.RecordBatchReader.from_batches(
        reordered.schema, reordered.to_batches(max_chunksize=2)), str(tmp_path))
    assert graph.spilled(Label.KEYWORD) and graph.count(Label.KEYWORD) == 3
    assert len(list(tmp_path.rglob("*.arrow"))) == 1
    expected = _graph(ROWS)
    expected.set_table(Label.KEYWORD, reordered)
    assert graph.arrow(Label.KEYWORD).equals(expected.arrow(Label.KEYWORD))
    assert graph.node(Label.KEYWORD, "kw:a")["name"] == "X"
