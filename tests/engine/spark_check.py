"""The Spark engine (``--engine spark``, local mode) builds what the default engine builds: the same
graph, report and ``graphkit stats --json`` output. Kept small: a Spark job per rule step is slow."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from graphkit.cli import main
from graphkit.engine.compare import graph_differences, report_differences
from graphkit.engine.core import EngineOptions, build_columnar

if os.environ.get("CI") != "true":  # under CI a missing pyspark fails the tests instead
    pytest.importorskip("pyspark")

FILES = [str(FIXTURES / "resolve" / "doi_case_prefix_variants.ris"), str(FIXTURES / "resolve" / "issn_check_digit.ris")]
MASTER = "local[1]"


@pytest.fixture(scope="module", autouse=True)
def one_partition():
    mp = pytest.MonkeyPatch()
    mp.setenv("GRAPHKIT_SPARK_PARTITIONS", "1")  # tiny inputs: one shuffle partition per step
    yield
    mp.undo()


def test_spark_builds_the_same_graph_and_report():
    default = build_columnar(FILES)
    spark = build_columnar(FILES, engine=EngineOptions(engine="spark", spark_master=MASTER))
    assert graph_differences(default.graph, spark.graph) == []
    assert report_differences(default.report, spark.report) == []
    assert json.dumps(default.report) == json.dumps(spark.report)
    assert spark.report["prisma"] == {"identified": 8, "duplicates_removed": 2, "remaining": 6}


def test_stats_json_engine_spark_prints_what_the_default_prints():
    runner = CliRunner()
    default = runner.invoke(main, ["stats", *FILES, "--json"], catch_exceptions=False)
    spark = runner.invoke(main, ["stats", *FILES, "--json", "--engine", "spark", "--spark-master", MASTER],
                          catch_exceptions=False)
    assert default.exit_code == spark.exit_code == 0
    assert spark.stdout == default.stdout
    assert json.loads(spark.stdout)["Paper"] == 6
