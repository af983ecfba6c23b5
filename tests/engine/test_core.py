"""Differential tests of the columnar core (graphkit.engine.core) against the old core
(graphkit.build): the same keys, nodes, edges, properties and report, on the whole corpus, on generated
data with known duplicate pairs (read in parallel byte ranges), and with an extension registered."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, corpus_counts, need_corpus, process_ended
from graphkit.build import BuildOptions, build_from_files
from graphkit.engine.compare import graph_differences, report_differences
from graphkit.engine.core import EngineOptions, build_columnar
from graphkit.extend import Extension, register, unregister
from graphkit.schema import Label, RelType

sys.path.insert(0, str(ROOT))
from bench.generate import generate  # noqa: E402


def assert_same(old, new) -> None:
    assert old.graph.counts() == new.graph.counts()
    assert graph_differences(old.graph, new.graph) == []
    assert report_differences(old.report, new.report) == []
    assert old.records == new.records
    assert [str(d) for d in old.diagnostics] == [str(d) for d in new.diagnostics]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen")
    return generate(1500, out, seed=9, dup_rate=0.15, broken_rate=0.01, shards=2), out


@pytest.mark.corpus
def test_whole_corpus_same_graph_and_report():
    corpus = need_corpus()
    files = [corpus / f for f, _, _ in corpus_counts()]
    assert files
    assert_same(build_from_files(files), build_columnar(files))


def test_generated_with_known_duplicates_in_parallel_ranges(generated):
    m, _ = generated
    paths = [info.path for info in m.files]
    old = build_from_files(paths)
    new = build_columnar(paths, engine=EngineOptions(workers=2, chunk_bytes=64 << 10))
    assert_same(old, new)
    assert new.graph.count(Label.PAPER) == m.unique_works
    assert new.report["duplicates"]["pairs_found"] == m.duplicate_pairs


def test_graph_tables_spilled_to_disk_give_the_same_graph_and_report(generated, monkeypatch, tmp_path):
    """Every graph table moved to a memory-mapped file as soon as it is built (GRAPH_SPILL_MIN 0):
    the extensions, derived data and report read them from there and give what the old core gives."""
    import graphkit.engine.core as core

    m, _ = generated
    paths = [info.path for info in m.files]
    monkeypatch.setattr(core, "GRAPH_SPILL_MIN", 0)
    monkeypatch.setattr(core, "GRAPH_SPILL_TOTAL", 0)
    new = build_columnar(paths, engine=EngineOptions(scratch_dir=str(tmp_path)))
    assert new.graph.spilled(Label.PAPER) and new.graph.spilled(RelType.CO_AUTHOR)
    assert list(tmp_path.rglob("*.arrow"))
    old = build_from_files(paths)
    assert_same(old, new)
    # the authors' name variants (report --review) wait in a file too, read on first use
    assert new.authors._table is None and list(tmp_path.rglob("variants.arrow"))  # noqa: SLF001
    assert {k: a.variants for k, a in new.authors.items()} == {k: a.variants for k, a in old.authors.items()}
    new = None
    assert not list(tmp_path.rglob("variants.arrow"))
    monkeypatch.setattr(core, "GRAPH_SPILL_TOTAL", 1 << 40)  # a graph smaller than that: kept in memory
    small = build_columnar(paths, engine=EngineOptions(scratch_dir=str(tmp_path / "small")))
    assert not any(small.graph.spilled(item) for item in (*Label, *RelType))


@pytest.mark.parametrize("spill", [True, False], ids=["graph on disk", "graph in memory"])
def test_the_co_author_rule_in_parts_gives_the_same_pairs(generated, monkeypatch, tmp_path, spill, caplog):
    """The co-author rule run in parts (derive.Parts: its input table by paper, its pairs by first
    author), a few hundred AUTHORED rows per part: the pairs, their years and counts and the papers over
    the cap are the old core's, streamed part by part to the graph's file or made in the engine."""
    import graphkit.derive as derive
    import graphkit.engine.core as core

    m, _ = generated
    paths = [info.path for info in m.files]
    monkeypatch.setattr(derive, "COAUTHOR_INPUT_ROWS", 900)
    monkeypatch.setattr(derive, "COAUTHOR_PAIR_ROWS", 300)
    counted: list[int] = []
    parts = core._parts
    monkeypatch.setattr(core, "_parts", lambda *a: counted.append(parts(*a)) or counted[-1])
    streamed: list[int] = []
    in_parts = core._Build._derive_parts_to_disk
    monkeypatch.setattr(core._Build, "_derive_parts_to_disk",
                        lambda self, g, item, queries: streamed.append(len(queries)) or in_parts(self, g, item, queries))
    monkeypatch.setattr(core, "GRAPH_SPILL_TOTAL", 0 if spill else 1 << 40)
    options = BuildOptions(coauthor_cap=4)
    with caplog.at_level("DEBUG", logger="graphkit.engine.core"):
        new = build_columnar(paths, options, engine=EngineOptions(scratch_dir=str(tmp_path)))
    old = build_from_files(paths, options)
    assert min(counted[:2]) > 2  # (the co-author rule's two steps; papers-below's parts come after)
    # the log says how many parts each step took, and each derived rule's time (a 10M run's breakdown)
    said = [r.getMessage() for r in caplog.records]
    assert any(m.startswith(f"in {counted[1]} part(s): ") and m.endswith("300 per part") for m in said)
    assert any(m.startswith("derived co-author: ") for m in said)
    assert streamed == ([counted[1]] if spill else [])
    assert new.report["coauthors"]["papers_over_cap"] > 0
    assert_same(old, new)


def test_rule_tables_in_a_database_file_give_the_same_graph_and_report(generated, monkeypatch, tmp_path):
    """From DISK_DATABASE_RECORDS records on, DuckDB's rule tables go to a database file in the work
    directory (compressed, no spill of whole tables) instead of memory, written again once the graph's
    tables are out of it; the graph and report are the old core's. Below it there is no file."""
    import graphkit.engine.sql as engine_sql

    m, _ = generated
    paths = [info.path for info in m.files]
    monkeypatch.setattr(engine_sql, "DISK_DATABASE_RECORDS", 1)
    new = build_columnar(paths, engine=EngineOptions(scratch_dir=str(tmp_path / "a"), keep_workdir=True))
    # (written again after the graph's tables were taken out of it: engine.compact)
    files = list((tmp_path / "a").rglob("engine*.duckdb"))
    assert [f.name for f in files] == ["engine-1.duckdb"] and files[0].stat().st_size > 1 << 16
    assert_same(build_from_files(paths), new)
    monkeypatch.setattr(engine_sql, "DISK_DATABASE_RECORDS", m.n_records * 2)
    build_columnar(paths, engine=EngineOptions(scratch_dir=str(tmp_path / "b"), keep_workdir=True))
    assert list((tmp_path / "b").rglob("tables")) and not list((tmp_path / "b").rglob(engine_sql.DUCKDB_DATABASE))


@pytest.mark.parametrize("free_gb", [0.0, 1000.0])
def test_a_disk_too_small_for_the_build_is_warned_once_the_input_is_read(free_gb, tmp_path, monkeypatch, caplog):
    """Once the input is read, the work directory's free disk is compared with ROOM_OVER_TABLES times the
    read's tables (a 10M build ran for hours before a full disk stopped it): a warning that names the
    directory and both sizes when the disk looks too small, none when it does not."""
    import logging
    import shutil

    from graphkit.engine import core

    real = shutil.disk_usage
    asked: list[Path] = []

    def usage(path):
        asked.append(Path(path))
        return real(path)._replace(free=int(free_gb * 2**30))

    monkeypatch.setattr(shutil, "disk_usage", usage)
    paths = sorted((FIXTURES / "ris").glob("*.ris"))[:3]
    with caplog.at_level(logging.WARNING, logger="graphkit.engine.core"):
        build_columnar(paths, engine=EngineOptions(scratch_dir=str(tmp_path)))
    warned = [r.getMessage() for r in caplog.records if "GB free" in r.getMessage()]
    assert asked and asked[0].parent == tmp_path  # (the build's work directory, under --work-dir)
    if free_gb < 1:
        assert len(warned) == 1 and str(asked[0]) in warned[0] and "--work-dir" in warned[0]
    else:
        assert warned == []


def test_room_needed_is_a_multiple_of_the_read_tables(tmp_path):
    from graphkit.engine.core import ROOM_OVER_TABLES, room_needed

    (tmp_path / "tables" / "rec").mkdir(parents=True)
    (tmp_path / "tables" / "rec" / "part-000000.parquet").write_bytes(b"x" * 1000)
    (tmp_path / "tables" / "occ").mkdir()
    (tmp_path / "tables" / "occ" / "part-000000.parquet").write_bytes(b"x" * 24)
    (tmp_path / "engine.duckdb").write_bytes(b"x" * 5000)  # (not the read's)
    needed, free = room_needed(tmp_path)
    assert needed == int(1024 * ROOM_OVER_TABLES) and free > 0


def test_the_input_tables_go_once_the_rules_are_through(generated, monkeypatch, tmp_path):
    """In a work directory the build made, the normalised input tables (the records with their abstracts)
    are removed before the graph's tables that read the author keys are taken (those that read none are
    taken while the author resolver works, before the rules are through), and the graph and report are
    still the old core's (the report's figures of the input were taken first). A work directory given or
    kept keeps them."""
    import graphkit.engine.core as core

    m, _ = generated
    paths = [info.path for info in m.files]
    seen: list[tuple[bool, bool, list[str]]] = []
    real_take = core._Build._take_graph

    def take(self, graph, items, let_go=True):
        seen.append((self.owns_input, (Path(self.workdir) / "tables" / "rec").exists(), sorted(items)))
        real_take(self, graph, items, let_go)

    before = sorted(item for item, source in core.GRAPH_SOURCES.items() if source not in core.KEYED_SOURCES)
    after = sorted(set(core.GRAPH_SOURCES) - set(before))
    assert Label.AUTHOR in after and Label.PAPER in before
    monkeypatch.setattr(core._Build, "_take_graph", take)
    assert_same(build_from_files(paths), build_columnar(paths, engine=EngineOptions(scratch_dir=str(tmp_path / "a"))))
    assert seen == [(True, True, before), (True, False, after)]
    seen.clear()
    build_columnar(paths, engine=EngineOptions(scratch_dir=str(tmp_path / "b"), keep_workdir=True))
    assert seen == [(False, True, before), (False, True, after)]
    seen.clear()
    build_columnar(paths, BuildOptions(author_key="initial"), engine=EngineOptions(workdir=str(tmp_path / "c")))
    assert seen == [(False, True, sorted(core.GRAPH_SOURCES))]  # (no resolver to work beside)


@pytest.mark.parametrize("author_key", ["compatible", "initial"])
def test_the_report_lists_the_first_authors_with_variants_and_counts_them_all(generated, monkeypatch, author_key):
    """Past VARIANTS_LISTED authors with name variants, both cores list the first ones by key and count
    them all (with_variants): the same report. (A list of every one was ~1.4 GB of a 1M build.)"""
    from graphkit import report

    m, _ = generated
    paths = [info.path for info in m.files]
    options = BuildOptions(author_key=author_key)
    full = build_from_files(paths, options).report["authors"]
    assert full["with_variants"] == len(full["variants"]) > 4
    monkeypatch.setattr(report, "VARIANTS_LISTED", 3)
    old = build_from_files(paths, options)
    assert_same(old, build_columnar(paths, options))
    authors = old.report["authors"]
    assert authors["with_variants"] == full["with_variants"]
    assert authors["variants"] == full["variants"][:3]


def test_derived_tables_stream_to_disk(generated, monkeypatch, tmp_path):
    """In a graph that spills, the tables the derived data changed (the papers' counts, co-author pairs)
    are streamed from the engine to disk in batches as their rules run: never a table in the engine
    (the papers' table was two there at 1M), never fetched whole (they were all fetched first, then
    spilled: at 1M, 6.2 GB at once); a rule that writes a few columns of a table (Paper.cited_by) writes
    only those. The graph is the old core's, its tables on disk."""
    import graphkit.engine.core as core
    from graphkit.columnar import ColumnarGraph
    from graphkit.engine.sql import DuckDBEngine

    m, _ = generated
    paths = [info.path for info in m.files]
    monkeypatch.setattr(core, "GRAPH_SPILL_MIN", 0)
    monkeypatch.setattr(core, "GRAPH_SPILL_TOTAL", 0)
    monkeypatch.setattr("graphkit.engine.sql.BATCH_ROWS", 100)  # several batches per table
    inside: list[bool] = []
    taken: list[str] = []
    streamed: list[str] = []
    real_fetch, real_take, real_stream = core._Build._fetch, DuckDBEngine.take, ColumnarGraph.set_table_on_disk

    def fetch(self, graph, stale):
        inside.append(True)
        try:
            real_fetch(self, graph, stale)
        finally:
            inside.pop()

    def take(self, name):
        if inside and inside[-1]:
            taken.append(name)
        return real_take(self, name)

    def stream(self, item, batches, directory=None):
        streamed.append(item.value)
        return real_stream(self, item, batches, directory)

    created: list[str] = []
    real_create = DuckDBEngine.create

    def create(self, name, sql):
        created.append(name)
        return real_create(self, name, sql)

    monkeypatch.setattr(core._Build, "_fetch", fetch)
    monkeypatch.setattr(DuckDBEngine, "take", take)
    monkeypatch.setattr(DuckDBEngine, "create", create)
    monkeypatch.setattr(ColumnarGraph, "set_table_on_disk", stream)
    new = build_columnar(paths, engine=EngineOptions(scratch_dir=str(tmp_path)))
    assert taken == []
    assert not [n for n in created if n.endswith("_new")]  # (the rules ran as views, streamed)
    assert {"Paper", "CO_AUTHOR"} <= set(streamed)
    assert new.graph.spilled(Label.PAPER) and new.graph.spilled(RelType.CO_AUTHOR)
    # the papers' counts written as columns of their own, beside the table's file (not the table again),
    # as the citations extension's columns (set_node_columns)
    on_disk = new.graph._tables  # noqa: SLF001
    assert sorted(name for name, _ in on_disk[Label.PAPER].columns) == [
        "cite_key", "cited_by", "cited_only", "first_author", "source_title"]
    assert "papers_below" in [name for name, _ in on_disk[Label.MESH].columns]
    assert_same(build_from_files(paths), new)


def _watch_takes_and_streams(monkeypatch) -> tuple[list[str], list]:
    """The engine tables the build takes whole, and the graph tables it streams to disk, as it goes."""
    from graphkit.columnar import ColumnarGraph
    from graphkit.engine.sql import DuckDBEngine

    taken: list[str] = []
    streamed: list[str] = []
    real_take, real_stream = DuckDBEngine.take, ColumnarGraph.set_table_on_disk

    def take(self, name):
        taken.append(name)
        return real_take(self, name)

    def stream(self, item, batches, directory=None):
        streamed.append(item)
        return real_stream(self, item, batches, directory)

    monkeypatch.setattr(DuckDBEngine, "take", take)
    monkeypatch.setattr(ColumnarGraph, "set_table_on_disk", stream)
    return taken, streamed


def test_graph_tables_stream_to_disk_once_the_graph_is_large(generated, monkeypatch, tmp_path):
    """Before the extensions run, the graph's tables come from the engine one by one: once the graph is
    large, each one is streamed to disk as it comes, never taken whole into memory (they were all taken
    first and spilled after: 2.5 GB at once at 1M). Here the graph is large from its first table, so no
    graph table is taken. The graph is the old core's."""
    import graphkit.engine.core as core

    m, _ = generated
    paths = [info.path for info in m.files]
    monkeypatch.setattr(core, "GRAPH_SPILL_MIN", 0)
    monkeypatch.setattr(core, "GRAPH_SPILL_TOTAL", 0)
    taken, streamed = _watch_takes_and_streams(monkeypatch)
    new = build_columnar(paths, engine=EngineOptions(scratch_dir=str(tmp_path)))
    assert not {core.graph_table(item) for item in core.GRAPH_SOURCES} & set(taken)
    assert set(core.GRAPH_SOURCES) <= set(streamed)
    assert_same(build_from_files(paths), new)


@pytest.mark.parametrize("table_bound", [1, 1 << 40])
def test_a_graph_table_that_turns_out_large_as_it_is_fetched_goes_to_disk(generated, monkeypatch, tmp_path,
                                                                          table_bound):
    """While the graph is small, a table is read from the engine as a stream of batches; one that reaches
    GRAPH_SPILL_TABLE on the way goes to disk with what was read of it, and the graph spills from then on
    (at 1M records the papers' table, 1.5 GB, was taken whole first and spilled after). Batches of a few
    rows, so that the switch comes mid-table: nothing read before it is lost, and a table kept in memory
    from many batches is whole too. No graph table is taken; the graph is the old core's."""
    import graphkit.engine.core as core
    import graphkit.engine.sql as sql

    m, _ = generated
    paths = [info.path for info in m.files]
    monkeypatch.setattr(core, "GRAPH_SPILL_TABLE", table_bound)
    monkeypatch.setattr(sql, "BATCH_ROWS", 7)
    taken, streamed = _watch_takes_and_streams(monkeypatch)
    new = build_columnar(paths, engine=EngineOptions(scratch_dir=str(tmp_path)))
    assert not {core.graph_table(item) for item in core.GRAPH_SOURCES} & set(taken)
    if table_bound == 1:
        assert set(core.GRAPH_SOURCES) <= set(streamed)
    else:
        assert not streamed
    assert_same(build_from_files(paths), new)


def test_full_author_keys_and_a_small_cap(generated):
    m, _ = generated
    paths = [info.path for info in m.files]
    options = BuildOptions(author_key="full", coauthor_cap=3)
    assert_same(build_from_files(paths, options), build_columnar(paths, options))


RIS = """TY  - JOUR
TI  - A first paper on graphs
AU  - Doe, Jane
AU  - Roe, Richard
PY  - 2020
DO  - 10.1000/one
ZZ  - 2|second author's tag
ER  - 

TY  - JOUR
TI  - A first paper on graphs.
AU  - Doe, J.
AU  - Roe, R.
PY  - 2020
ZZ  - 1|first author's tag
ER  - 

TY  - JOUR
TI  - A second paper on graphs
AU  - Doe, Jane
PY  - 2021
DO  - 10.1000/two
ZZ  - 1|broken
ER  - 
"""


def _extract(rec):
    for value in rec.extra.get("ZZ", []):
        pos, text = value.split("|", 1)
        if text == "broken":
            raise ValueError("an extractor bug")
        yield {"author_position": int(pos), "text": text}


def _resolve(ctx, mentions):
    ctx.report["mentions"] = [(m.paper, m.author, m.row["text"], m.source.line) for m in mentions]
    for m in mentions:
        ctx.graph.add_edge(RelType.CITES, m.paper, m.paper)


def test_extensions_run_the_same_on_both_cores(tmp_path):
    path = tmp_path / "three.ris"
    path.write_text(RIS, encoding="utf-8")
    register(Extension("probe-core", _extract, _resolve))
    try:
        old, new = build_from_files([path]), build_columnar([path])
    finally:
        unregister("probe-core")
    assert_same(old, new)
    assert len(new.report["probe-core"]["mentions"]) == 2
    assert new.report["probe-core"]["extract_errors"] == 1
    assert new.graph.edge(RelType.CITES, "doi:10.1000/one", "doi:10.1000/one") is not None


def test_duckdb_replaces_a_table_twice(tmp_path):
    """A table registered from Arrow, replaced by a rule, then replaced again (two derived entries writing
    the same table in a row): every later read sees the last one."""
    import pyarrow as pa

    from graphkit.engine.sql import DuckDBEngine

    eng = DuckDBEngine(str(tmp_path))
    try:
        eng.register_arrow("t", pa.table({"x": [1, 2]}))
        eng.create("t", "SELECT x * 10 AS x FROM t")
        eng.create("t_new", "SELECT x + 1 AS x FROM t")
        eng.create("t", "SELECT x FROM t_new")
        assert sorted(eng.table("t").column("x").to_pylist()) == [11, 21]
        eng.create("t", "SELECT x * 2 AS x FROM t")
        assert sorted(eng.arrow("SELECT x FROM t").column("x").to_pylist()) == [22, 42]
    finally:
        eng.close()


@pytest.mark.parametrize("rounds, reached", [(64, 5), (3, 4), (0, 1)])
def test_a_work_table_loops_until_a_round_adds_no_rows(tmp_path, rounds, reached):
    """A derived rule's looped work table: the chain 1 -> 2 -> ... -> 5 walked one step a round stops
    once a round adds nothing (64 allowed, five needed: four to reach 5, one to see nothing new), or
    after ``rounds``; a plain work table is built once; the rule's last query reads both, and they are
    dropped after it."""
    import pyarrow as pa

    from graphkit.derive import WorkTable
    from graphkit.engine.core import sql_steps
    from graphkit.engine.sql import DuckDBEngine

    eng = DuckDBEngine(str(tmp_path))
    try:
        eng.register_arrow("edge", pa.table({"a": [1, 2, 3, 4], "b": [2, 3, 4, 5]}))
        steps = [WorkTable("hop", "SELECT a, b FROM {edges} UNION SELECT b AS a, b FROM {edges}"),
                 WorkTable("reach", "SELECT 1 AS n", "SELECT DISTINCT h.b AS n FROM {reach} r JOIN {hop} h ON h.a = r.n "
                                   "UNION SELECT n FROM {reach}", rounds),
                 ("figures", "SELECT max(n) AS top, count(*) AS reached FROM {reach}")]
        created = []
        create = eng.create
        eng.create = lambda name, sql: (created.append(name), create(name, sql))[1]
        for target, (query,) in sql_steps(eng, steps, {"edges": "edge"}):
            assert target == "figures"
            assert eng.arrow(query).to_pylist() == [{"top": reached, "reached": reached}]
        assert created.count("work_reach_next") == min(rounds, 5) and created.count("work_hop") == 1
        assert {t for (t,) in eng.con.sql("SHOW TABLES").fetchall()} == {"edge"}
    finally:
        eng.close()


def test_duckdb_view_is_read_through_and_replaces_a_table(tmp_path):
    """Engine.view (rules.VIEWS: the wide record tables): later rules read through it, it sees the rows
    of the tables it reads, and it replaces a table or an Arrow table of its name."""
    import pyarrow as pa

    from graphkit.engine.sql import DuckDBEngine

    eng = DuckDBEngine(str(tmp_path))
    try:
        eng.register_arrow("base", pa.table({"rid": [1, 2, 3], "wide": ["a", "b", "c"]}))
        eng.create("rank", "SELECT rid, rid * 10 AS rnk FROM base")
        eng.register_arrow("v", pa.table({"x": [0]}))
        eng.view("v", "SELECT b.*, r.rnk FROM base b JOIN rank r ON r.rid = b.rid")
        eng.create("out", "SELECT wide, rnk FROM v WHERE rnk > 10")
        assert sorted(eng.table("out").to_pylist(), key=str) == [{"wide": "b", "rnk": 20}, {"wide": "c", "rnk": 30}]
        eng.view("v", "SELECT rid FROM base")  # a view replaces a view
        assert eng.arrow("SELECT count(*) AS n FROM v").column("n").to_pylist() == [3]
        eng.create("t", "SELECT 1 AS x")
        eng.view("t", "SELECT 2 AS x")  # ... and a table
        assert eng.table("t").column("x").to_pylist() == [2]
    finally:
        eng.close()


_RECORD: dict = {}  # the pid file and the real task function, for _recording_task (forked workers see it)


def _recording_task(task, tid, mode, outdir):
    import os

    with open(_RECORD["pids"], "a") as fh:
        fh.write(f"{os.getpid()}\n")
    return _RECORD["real"](task, tid, mode, outdir)


def test_one_worker_reads_a_large_input_in_a_child_process(generated, tmp_path, monkeypatch):
    """--workers 1 on an input above one chunk: the reading runs in one worker process, not the driver
    (a process that read a large input keeps the memory it freed, for the rest of the build); the graph
    is the same as read in this process."""
    import os

    import graphkit.engine.ingest as ingest

    m, _ = generated
    paths = [info.path for info in m.files]
    small = build_columnar(paths, engine=EngineOptions(workers=1, chunk_bytes=1 << 30))  # in this process
    pids = tmp_path / "pids"
    monkeypatch.setitem(_RECORD, "pids", str(pids))
    monkeypatch.setitem(_RECORD, "real", ingest.normalise_task)
    monkeypatch.setattr(ingest, "normalise_task", _recording_task)
    new = build_columnar(paths, engine=EngineOptions(workers=1, chunk_bytes=64 << 10))
    seen = {int(x) for x in pids.read_text().split()}
    assert seen and os.getpid() not in seen and len(seen) == 1
    assert new.graph.counts() == small.graph.counts()
    assert graph_differences(small.graph, new.graph) == []
    assert report_differences(small.report, new.report) == []


def test_mention_rows_in_paper_order_tied_to_authors_and_iterable_twice():
    """An extension's mentions (MentionRows): records in (paper key, record rank) order, rows in their
    record's order, an author attached by position when the record's author list is the one its paper
    keeps; unpacked afresh on every iteration (nothing held between), so an extension may look twice."""
    from graphkit.engine.core import MentionRows
    from graphkit.engine.ingest import pack_rows
    from graphkit.model import Source

    src = {rid: Source(file=f"f{rid}.ris", line=rid, format="ris") for rid in (1, 2, 3)}
    pending = [(1, pack_rows([{"x": "b1"}, {"x": "b2", "author_position": 2}]), True),
               (2, pack_rows([{"x": "a1", "author_position": 1}]), True),
               (3, pack_rows([{"x": "b0"}]), False)]
    at = {1: ("paper:b", 1, 2), 2: ("paper:a", 0, 1), 3: ("paper:b", 0, 1)}  # (key, rank, authors kept)
    keys_of = {"paper:a": ["name:lee|a"], "paper:b": ["name:kim|j", "name:park|s"]}
    info = {1: (src[1], 2), 2: (src[2], 1), 3: (src[3], 1)}  # (source, the record's own author count)
    rows = MentionRows(pending, at, keys_of, info)
    first = [(m.row["x"], m.paper, m.author, m.source.line) for m in rows]
    assert first == [("a1", "paper:a", "name:lee|a", 2), ("b0", "paper:b", None, 3),
                     ("b1", "paper:b", None, 1), ("b2", "paper:b", "name:park|s", 1)]
    again = list(rows)
    assert [(m.row["x"], m.paper, m.author) for m in again] == [x[:3] for x in first]
    assert len(rows) == 4


def test_shared_strings_are_the_column_with_one_object_per_name():
    """The resolver's input names (resolve_author_keys): the column's values and nulls in order, each
    distinct name one object (the resolver keeps every occurrence's name; 3.5M at 1M records)."""
    import pyarrow as pa

    from graphkit.engine.core import _shared_strings

    column = pa.chunked_array([["Kim", None, "Lee"], ["Kim", "", "Lee", None]])
    got = _shared_strings(column)
    assert got == column.to_pylist() == ["Kim", None, "Lee", "Kim", "", "Lee", None]
    assert got[0] is got[3] and got[2] is got[5]
    assert _shared_strings(pa.chunked_array([], pa.string())) == []


@pytest.mark.skipif(not __import__("os").path.exists("/proc/self/maps"), reason="reads Linux's /proc/self/maps")
def test_resolver_input_through_files_gives_the_same_keys_and_is_let_go(tmp_path, monkeypatch):
    """The build hands the author resolver its input as Arrow files (write_resolver_input), which the
    forked resolver maps and lets go once the occurrences are added: the same keys and decisions as the
    tables passed in memory, and no mapping of the files left while the resolver's passes run."""
    import pyarrow as pa

    from graphkit.engine.core import resolve_author_keys, resolve_author_keys_from, write_resolver_input
    from graphkit.resolve.authors import AuthorResolver

    rows = [("p1", 1, 1, "Kim", "Jin-Soo", None, "Dept of Physics, Seoul National University, Seoul"),
            ("p1", 1, 2, "Lee", "A.", "0000-0002-1825-0097", None),
            ("p2", 2, 1, "Kim", "J.", None, "Seoul National University"),
            ("p2", 2, 2, "Lee", "Anna", None, None),
            ("p3", 3, 1, "Kim", "Jin-Soo", None, "Busan University, Busan"),
            ("p3", 3, 2, "Park", "S.", None, None)]
    table = pa.table({name: [r[i] for r in rows] for i, name in
                      enumerate(("pkey", "wid", "pos", "family", "given", "orcid", "aff"))})
    table = table.append_column("jkey", pa.array(["issn:1", None, "issn:1", None, None, None], pa.string()))
    table = table.append_column("kws", pa.array([["kw:graphs"], None, ["kw:graphs"], None, ["kw:cells"], None],
                                                pa.list_(pa.string())))
    folder = tmp_path / "input"
    write_resolver_input(folder, table)
    want_keys, want_decisions, want_overridden = resolve_author_keys(table, "compatible", {}, 1)

    mapped_while_resolving = []
    resolve = AuthorResolver.resolve

    def watched(self):
        with open("/proc/self/maps") as maps:
            mapped_while_resolving.append(str(folder) in maps.read())
        resolve(self)

    monkeypatch.setattr(AuthorResolver, "resolve", watched)
    keys, decisions, overridden = resolve_author_keys_from(folder, "compatible", {}, 1)
    assert keys.to_pylist() == want_keys.to_pylist()
    assert keys.to_pylist()[1] == "orcid:0000-0002-1825-0097"
    assert (decisions, overridden) == (want_decisions, want_overridden)
    assert mapped_while_resolving == [False]
    # (the pickled resolver, loaded, is gone; the progress file says both steps are done)
    assert sorted(p.name for p in folder.iterdir()) == ["occurrences.arrow", "progress"]
    assert (folder / "progress").read_text() == "2 2\n"


@pytest.mark.parametrize("rows_at_a_time", [1, 2, 3, 1000])
def test_resolver_input_added_slice_by_slice_gives_the_keys_of_one_slice(monkeypatch, rows_at_a_time):
    """The resolver turns its input into Python objects a slice of whole papers at a time (RESOLVER_SLICE
    rows or, for a paper with more authors, that paper): the keys and decisions do not depend on the
    slice, each paper gets its own journal and keywords, and a name is one object across slices."""
    import pyarrow as pa

    from graphkit.engine import core

    rows = [("p1", 1, 1, "Kim", "Jin-Soo", "Graphs Lab, Seoul National University, Seoul"),
            ("p1", 1, 2, "Lee", "A.", None),
            ("p1", 1, 3, "Cho", "H.", None),
            ("p2", 2, 1, "Kim", "J.", "Seoul National University"),
            ("p3", 3, 1, "Kim", "J.", None),
            ("p3", 3, 2, "Lee", "Anna", None),
            ("p4", 4, 1, "Kim", "Jin-Soo", "Busan University, Busan"),
            ("p4", 4, 2, "Park", "S.", None)]
    table = pa.table({name: [r[i] for r in rows] for i, name in
                      enumerate(("pkey", "wid", "pos", "family", "given", "aff"))})
    table = table.append_column("orcid", pa.array([None] * len(rows), pa.string()))
    table = table.append_column("jkey", pa.array(["issn:1", None, None, "issn:1", "issn:2", None, None, None],
                                                 pa.string()))
    table = table.append_column("kws", pa.array([["kw:graphs"], None, None, ["kw:graphs"], ["kw:cells"], None,
                                                 ["kw:cells", "kw:graphs"], None], pa.list_(pa.string())))
    added = []
    add_papers = core.AuthorResolver.add_papers

    def watched(self, families, givens, orcids, affs, starts, venues, keywords, nforms=None):
        ends = [*starts[1:], len(families)]
        added.extend((families[i:j], venue, list(kws or ())) for i, j, venue, kws in zip(starts, ends, venues, keywords))
        assert nforms is not None and len(nforms) == len(families)  # (every name registered at once)
        return add_papers(self, families, givens, orcids, affs, starts, venues, keywords, nforms)

    monkeypatch.setattr(core.AuthorResolver, "add_papers", watched)
    want = core.resolve_author_keys(table, "compatible", {}, 1)
    want_added, added[:] = list(added), []
    monkeypatch.setattr(core, "RESOLVER_SLICE", rows_at_a_time)
    keys, decisions, overridden = core.resolve_author_keys(table, "compatible", {}, 1)
    assert (keys.to_pylist(), decisions, overridden) == (want[0].to_pylist(), want[1], want[2])
    assert added == want_added == [(["Kim", "Lee", "Cho"], "issn:1", ["kw:graphs"]), (["Kim"], "issn:1", ["kw:graphs"]),
                                   (["Kim", "Lee"], "issn:2", ["kw:cells"]),
                                   (["Kim", "Park"], None, ["kw:cells", "kw:graphs"])]
    kims = [families[0] for families, _, _ in added]
    assert all(kim is kims[0] for kim in kims)


def test_columnar_nodes_are_the_tables_rows_one_batch_at_a_time():
    """The report's kept-apart authors read the graph's Author rows (as the old core does) from an
    iterator over record batches: the same dicts in the same order as the whole table's to_pylist,
    across batch boundaries and chunks, never a dict per author for all of them at once."""
    import pyarrow as pa

    from graphkit.columnar import ColumnarGraph, arrow_schema

    schema = arrow_schema(Label.AUTHOR)
    part = pa.table({f.name: [f"k{i}" if f.name == "key" else (None if i % 3 else f"o{i}") for i in range(10_000)]
                     for f in schema}, schema=schema)
    table = pa.concat_tables([part, part.slice(0, 5)])
    graph = ColumnarGraph()
    graph.set_table(Label.AUTHOR, table)
    rows = iter(graph.nodes(Label.AUTHOR))
    first = table.to_pylist()[0]
    assert next(rows) == first
    assert [first, *rows] == table.to_pylist()


def test_the_graph_is_taken_and_derived_at_a_share_of_the_engines_limit(generated, monkeypatch, tmp_path):
    """While the graph's tables are taken for the extensions and while the derived rules run, DuckDB holds
    a share of its limit (at 1M records it sat at the whole limit beside the first table taken: the
    peak), and its own limit again after."""
    import graphkit.engine.core as core

    seen: dict[str, float] = {}

    def limit(eng) -> float:
        amount, unit = eng.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0].split()
        return float(amount) * {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}[unit]

    def watch(name, original):
        def watched(self, *args, **kwargs):
            seen[name] = max(seen.get(name, 0.0), limit(self.eng))  # (the graph is taken in two parts)
            return original(self, *args, **kwargs)
        monkeypatch.setattr(core._Build, name, watched)

    watch("_take_graph", core._Build._take_graph)
    watch("_derive", core._Build._derive)
    watch("_report", core._Build._report)
    monkeypatch.setenv("GRAPHKIT_MEMORY_LIMIT", "2GB")
    m, _ = generated
    build_columnar([info.path for info in m.files][:1], engine=EngineOptions(scratch_dir=str(tmp_path)))
    whole = seen["_report"]
    assert 1.8e9 < whole <= 2e9
    assert seen["_take_graph"] <= core.TAKE_MEMORY_SHARE * whole + (1 << 20)
    assert seen["_derive"] <= core.DERIVE_MEMORY_SHARE * whole + (1 << 20)


def _term_steps(steps) -> bool:
    return any(name == "meshterm" for name, _ in steps)


@pytest.mark.skipif(not __import__("graphkit.memory").memory.CAN_FORK, reason="fork is Linux-only here")
def test_the_term_rules_run_while_the_author_resolver_works(generated, monkeypatch, tmp_path):
    """The term rules read no author key: the driver runs them while the forked resolver adds and
    clusters (one of its two cores idle otherwise). The resolver here waits until they ran: a build
    that ran them after it would fail. The graph is the one the old core builds."""
    import time

    import graphkit.engine.core as core

    m, _ = generated
    paths = [info.path for info in m.files]
    started, terms = tmp_path / "resolver-started", tmp_path / "terms-ran"
    resolve = core.resolve_author_keys_from

    def waiting_resolver(*args):
        started.write_text("")
        for _ in range(600):
            if terms.exists():
                return resolve(*args)
            time.sleep(0.1)
        raise AssertionError("the term rules did not run while the author resolver worked")

    steps = core._Build._steps

    def watched(self, group):
        steps(self, group)
        if _term_steps(group):
            assert started.exists()  # (after the resolver started)
            terms.write_text("")

    monkeypatch.setattr(core, "resolve_author_keys_from", waiting_resolver)
    monkeypatch.setattr(core._Build, "_steps", watched)
    assert_same(build_from_files(paths), build_columnar(paths))
    assert terms.exists()


def _sleeping_resolver(pid_file, *args):
    with open(pid_file, "w") as fh:
        fh.write(str(os.getpid()))
    time.sleep(60)


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="reads Linux's /proc")
def test_a_failure_beside_the_author_resolver_stops_it(generated, monkeypatch, tmp_path):
    """A term rule that fails while the resolver works fails the build with its own error at once; the
    resolver's process is stopped, not waited for."""
    import graphkit.engine.core as core

    m, _ = generated
    pid_file = tmp_path / "resolver.pid"
    steps = core._Build._steps

    def failing(self, group):
        if _term_steps(group):
            while not pid_file.exists() or not pid_file.read_text():
                time.sleep(0.02)
            raise RuntimeError("a term rule failed")
        steps(self, group)

    monkeypatch.setattr(core, "resolve_author_keys_from", lambda folder, *args: _sleeping_resolver(pid_file))
    monkeypatch.setattr(core._Build, "_steps", failing)
    with pytest.raises(RuntimeError, match="a term rule failed"):
        build_columnar([info.path for info in m.files][:1])
    assert process_ended(int(pid_file.read_text()), within=0), "the resolver's process was left running"


def test_resolver_input_streamed_gets_each_first_row_its_keywords(tmp_path):
    """write_resolver_input_stream: the rows in paper-key order, in batches that split a paper, each
    paper's first row given its keyword list (keyword rows of papers without authors passed by), the
    (wid, pos) file beside it; rows out of paper-key order are an EngineError, not wrong evidence."""
    import pyarrow as pa

    from graphkit.engine.core import RESOLVER_INPUT, RESOLVER_ROWS, write_resolver_input_stream
    from graphkit.engine.sql import EngineError

    rows = [("a", 1, 1, True), ("a", 1, 2, False), ("b", 2, 1, True), ("b", 2, 2, False), ("b", 2, 3, False),
            ("d", 4, 1, True), ("f", 6, 1, True), ("f", 6, 2, False)]
    table = pa.table({"pkey": [r[0] for r in rows], "wid": [r[1] for r in rows],
                      "pos": pa.array([r[2] for r in rows], pa.int32()), "family": ["X"] * len(rows),
                      "first": [r[3] for r in rows]})
    keywords = pa.table({"source": ["a", "c", "d", "e", "f", "g"],
                         "kws": [["k1"], ["k9"], ["k2", "k3"], ["k8"], ["k4"], ["k7"]]})
    reader = pa.RecordBatchReader.from_batches(table.schema, iter([table.slice(0, 3).to_batches()[0],
                                                                   table.slice(3, 1).to_batches()[0],
                                                                   table.slice(4, 4).to_batches()[0]]))
    assert write_resolver_input_stream(tmp_path, reader, keywords) == len(rows)
    got = pa.ipc.open_file(str(tmp_path / RESOLVER_INPUT)).read_all()
    assert got.schema.names == ["pkey", "wid", "pos", "family", "kws"]
    assert got.column("kws").to_pylist() == [["k1"], None, None, None, None, ["k2", "k3"], ["k4"], None]
    places = pa.ipc.open_file(str(tmp_path / RESOLVER_ROWS)).read_all()
    assert places.column("wid").to_pylist() == [r[1] for r in rows]
    assert places.column("pos").to_pylist() == [r[2] for r in rows]
    assert places.schema.field("pos").type == pa.int64()

    backwards = pa.RecordBatchReader.from_batches(table.schema, iter([table.slice(2, 6).to_batches()[0],
                                                                      table.slice(0, 2).to_batches()[0]]))
    with pytest.raises(EngineError, match="paper-key order"):
        write_resolver_input_stream(tmp_path / "again", backwards, keywords)


def test_resolver_input_streamed_walks_long_keyword_tables(tmp_path):
    """The keyword table walked in windows (a batch's worth, at least 1024 rows) over thousands of papers
    without authors between those with: each first row still finds its own list."""
    import pyarrow as pa

    from graphkit.engine.core import RESOLVER_INPUT, write_resolver_input_stream

    sources = [f"p{i:05d}" for i in range(5000)]
    keywords = pa.table({"source": sources, "kws": [[f"kw{i}"] for i in range(5000)]})
    papers = ["p00007", "p01500", "p01501", "p03999", "p04999", "p05000"]
    table = pa.table({"pkey": papers, "wid": list(range(6)), "pos": [1] * 6, "first": [True] * 6})
    reader = pa.RecordBatchReader.from_batches(table.schema, iter([table.slice(0, 1).to_batches()[0],
                                                                   table.slice(1, 3).to_batches()[0],
                                                                   table.slice(4, 2).to_batches()[0]]))
    write_resolver_input_stream(tmp_path, reader, keywords)
    got = pa.ipc.open_file(str(tmp_path / RESOLVER_INPUT)).read_all()
    assert got.column("kws").to_pylist() == [["kw7"], ["kw1500"], ["kw1501"], ["kw3999"], ["kw4999"], None]


def test_resolver_progress_is_read_by_a_thread_and_reported_once_per_step(tmp_path):
    """_progress_of: the resolver's progress file (another process's) reported as phase 'resolve
    authors': its total first, then what was done since, and a last read when the block ends."""
    import time

    from graphkit.engine.core import RESOLVER_PHASE, _progress_of, write_progress

    calls = []
    with _progress_of(tmp_path, lambda *a: calls.append(a), every=0.01):
        time.sleep(0.05)  # (no file yet: nothing reported)
        assert calls == []
        write_progress(tmp_path, 0, 6)
        time.sleep(0.1)
        write_progress(tmp_path, 4, 6)
        time.sleep(0.1)
        write_progress(tmp_path, 6, 6)
    assert calls == [(RESOLVER_PHASE, 0, 6), (RESOLVER_PHASE, 4, 6), (RESOLVER_PHASE, 2, 6)]
