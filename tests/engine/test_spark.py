"""The Spark engine (``--engine spark``, local mode) builds what the default engine builds: the same
graph and report on a few real corpus files plus generated data with known duplicates and cited
references, and ``graphkit stats FILES --json --engine spark`` prints exactly what the default engine
prints.

Cost is bounded: one local[1] SparkSession for the module (the engine's ``getOrCreate`` reuses it),
settings for tiny inputs (one shuffle partition, no UI, no adaptive re-planning, no whole-stage code
generation: compiling code costs more than it saves on a few hundred rows), three Spark builds in all.
Under CI=true a missing pyspark or Java fails the module instead of skipping it.
"""

from __future__ import annotations

import json
import os
import sys

import pytest
from click.testing import CliRunner

from conftest import CORPUS, ROOT
from graphkit.cli import main
from graphkit.engine.compare import graph_differences, report_differences
from graphkit.engine.core import EngineOptions, build_columnar
from graphkit.schema import Label

sys.path.insert(0, str(ROOT))
from bench.generate import generate  # noqa: E402

if os.environ.get("CI") != "true":  # under CI a missing pyspark fails the tests instead
    pytest.importorskip("pyspark")

MASTER = "local[1]"
# small real files in five formats (each read by its own reader); absent without the corpus
CORPUS_FILES = ["wos/synthesisr__WoS_ciw_example.ciw", "ris/asreview__embase.ris", "scopus_csv/bibliometrix__scopus_sample.csv",
                "csl_json/bbt__Season_ranges_should_be_exported_as_pseudo-months_13-16_or_21-24_860.csl.json"]
SPEED = {
    "spark.sql.shuffle.partitions": "1",
    "spark.default.parallelism": "1",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.codegen.wholeStage": "false",
    "spark.driver.memory": "1g",
}


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    mp = pytest.MonkeyPatch()
    mp.setenv("GRAPHKIT_SPARK_PARTITIONS", "1")  # the engine sets the shuffle partitions from this
    builder = SparkSession.builder.master(MASTER).appName("graphkit-tests")
    for key, value in SPEED.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    yield session
    session.stop()
    mp.undo()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    m = generate(120, tmp_path_factory.mktemp("gen"), seed=5, dup_rate=0.2, broken_rate=0.02, shards=2,
                 references=True)
    real = [CORPUS / f for f in CORPUS_FILES if (CORPUS / f).exists()]
    return m, [str(p) for p in real] + [str(info.path) for info in m.files]


@pytest.fixture(scope="module")
def default(inputs):
    """What the default engine builds of the inputs (the graph kept in memory: small)."""
    return build_columnar(inputs[1])


def test_spark_builds_the_same_graph_and_report(spark, inputs, default):
    m, files = inputs
    got = build_columnar(files, engine=EngineOptions(engine="spark", spark_master=MASTER))
    assert default.graph.counts() == got.graph.counts()
    assert graph_differences(default.graph, got.graph) == []
    assert report_differences(default.report, got.report) == []
    assert json.dumps(default.report) == json.dumps(got.report)
    assert [str(d) for d in default.diagnostics] == [str(d) for d in got.diagnostics]
    assert got.report["duplicates"]["pairs_found"] >= m.duplicate_pairs  # the generated pairs among them
    assert got.graph.counts()["CITES"] > 0


def test_spark_graph_that_spills_gives_the_same_graph(spark, inputs, default, monkeypatch, tmp_path):
    """Every graph table streamed to disk as it is built (as at 1M records): a derived rule's new table
    (MeshTerm's ``papers``) is the one the later rules read (``papers_below``). On Spark the engine's
    name had stayed the old table, and the later rule wrote the MeshTerm table back without ``papers``.
    The derived rules that run in parts (derive.Parts: co-author, papers-below) run in several here."""
    import graphkit.derive as derive
    import graphkit.engine.core as core
    import graphkit.resolve.concepts as concepts

    monkeypatch.setattr(derive, "COAUTHOR_INPUT_ROWS", 200)
    monkeypatch.setattr(derive, "COAUTHOR_PAIR_ROWS", 100)
    monkeypatch.setattr(concepts, "PAPERS_BELOW_ROWS", 100)
    monkeypatch.setattr(core, "GRAPH_SPILL_MIN", 0)
    monkeypatch.setattr(core, "GRAPH_SPILL_TOTAL", 0)
    got = build_columnar(inputs[1], engine=EngineOptions(engine="spark", spark_master=MASTER,
                                                         scratch_dir=str(tmp_path)))
    assert got.graph.spilled(Label.MESH) and got.graph.spilled(Label.PAPER)
    assert graph_differences(default.graph, got.graph) == []
    assert report_differences(default.report, got.report) == []
    papers = got.graph.arrow(Label.MESH).column("papers").to_pylist()
    assert None not in papers and max(papers) > 0


def test_stats_json_engine_spark_prints_what_the_default_prints(spark, inputs):
    _, files = inputs
    runner = CliRunner()
    default = runner.invoke(main, ["stats", *files, "--json"], catch_exceptions=False)
    got = runner.invoke(main, ["stats", *files, "--json", "--engine", "spark", "--spark-master", MASTER],
                        catch_exceptions=False)
    assert default.exit_code == got.exit_code == 0
    assert got.stdout == default.stdout
    assert json.loads(got.stdout)["Paper"] > 0


def test_a_step_is_read_from_the_files_spark_wrote_not_collected(spark, tmp_path, monkeypatch):
    """A rule step's table comes back from its Parquet files (several part files here), typed as a collect
    types it: collecting the 100k papers' table through the JVM lost its tasks' results at the default
    heap (TaskResultLost). A query's result is still collected."""
    import graphkit.engine.sql as sql

    eng = sql.SparkEngine(MASTER, workdir=str(tmp_path))
    eng.create("t", "SELECT /*+ REPARTITION(3) */ id, CAST(id AS INT) AS small, "
                    "IF(id % 4 = 0, NULL, concat('p', id)) AS name, "
                    "IF(id % 5 = 0, NULL, array(concat('k', id), 'x')) AS kws, id / 2 AS half, "
                    "id % 2 = 0 AS even FROM range(0, 50)")
    expected = sql._to_arrow(eng._frames["t"]).sort_by("id")
    assert len(list((tmp_path / "steps").glob("t-*/part-*.parquet"))) > 1

    def no_collect(df):
        raise AssertionError("collected")

    monkeypatch.setattr(sql, "_to_arrow", no_collect)
    got = eng.table("t")
    assert got.schema == expected.schema
    assert got.sort_by("id").equals(expected)
    eng.create("u", "SELECT id FROM t WHERE id < 0")  # no rows: the schema, empty
    assert eng.take("u").num_rows == 0 and eng.take("u").schema.names == ["id"]
    eng.adopt("t", got, source="u")  # the name now means that step's files
    assert eng.table("t").num_rows == 0
    eng.close()


@pytest.mark.parametrize(("total_gb", "heap"), [(2, "1g"), (24, "6g"), (64, "8g")])
def test_local_spark_gets_a_quarter_of_the_memory_from_1_to_8_gb(monkeypatch, total_gb, heap):
    import graphkit.engine.sql as sql

    monkeypatch.setattr(sql.os, "sysconf", lambda name: 4096 if name == "SC_PAGE_SIZE" else total_gb << 18)
    assert sql.local_driver_memory() == heap
