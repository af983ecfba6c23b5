"""graphkit.engine.sql: what the Spark engine tells the user when Spark fails."""

from __future__ import annotations

import pytest


def test_a_spark_error_is_one_line_with_its_cause_and_the_remedy_for_the_result_cap() -> None:
    """A Java error from Spark reaches the user as its cause on one line (no Java stack); the driver's
    result cap names the variable that lifts it. (No Spark needed: the message is built from the text.)"""
    from graphkit.engine.sql import _spark_message

    java = ("An error occurred while calling o1072.getResult.\n"
            ": org.apache.spark.SparkException: Exception thrown in awaitResult: \n"
            "\tat org.apache.spark.util.SparkThreadUtils$.awaitResult(SparkThreadUtils.scala:56)\n"
            "Caused by: org.apache.spark.SparkException: Job aborted due to stage failure: Total size of "
            "serialized results of 6 tasks (1121.2 MiB) is bigger than spark.driver.maxResultSize (1024.0 MiB)\n"
            "\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(DAGScheduler.scala:2898)\n")
    msg = _spark_message(RuntimeError(java))
    assert msg.startswith("org.apache.spark.SparkException: Job aborted") and "\n" not in msg
    assert "GRAPHKIT_SPARK_MAX_RESULT" in msg and " at org." not in msg
    assert _spark_message(ValueError("plain\n  message")) == "plain message"


def test_keep_only_drops_the_other_stored_tables_and_their_memory(tmp_path) -> None:
    """Once the graph's tables exist the engine keeps only the tables later steps read: the others go
    with their memory; registered Arrow tables and views stay, and the kept tables still read whole."""
    import pyarrow as pa

    from graphkit.engine.sql import DuckDBEngine

    eng = DuckDBEngine(str(tmp_path), memory_limit="1GB")

    def held() -> int:
        return eng.con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchall()[0][0]

    eng.create("big", "SELECT id, md5(CAST(id AS STRING)) || md5(CAST(id + 1 AS STRING)) AS s "
                      "FROM range(1000000) AS r(id)")
    eng.create("small", "SELECT id FROM range(10) AS r(id)")
    eng.register_arrow("arrow", pa.table({"id": [1, 2]}))
    eng.view("v", "SELECT id FROM arrow")
    before = held()
    eng.keep_only({"small"})
    assert held() < before - (32 << 20)
    stored = {r[0] for r in eng.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert stored == {"small"}
    assert eng.arrow("SELECT (SELECT count(*) FROM small) AS a, (SELECT sum(id) FROM v) AS b").to_pylist() == \
        [{"a": 10, "b": 3}]
    eng.close()


def test_compact_writes_the_database_file_again_with_what_it_holds(tmp_path) -> None:
    """compact: a new database file with the tables and views the engine holds now (a registered Arrow
    table stays registered), the old file gone, the blocks of a dropped table not carried over; later
    tables go to the new file. Without a database file it does nothing."""
    import pyarrow as pa

    from graphkit.engine import sql

    eng = sql.DuckDBEngine(str(tmp_path))
    eng.compact()
    assert list(tmp_path.glob("*.duckdb")) == []
    eng.use_disk()
    eng.create("big", "SELECT id, md5(CAST(id AS STRING)) || md5(CAST(id + 1 AS STRING)) AS s "
                      "FROM range(1000000) AS r(id)")
    eng.create("small", "SELECT id FROM range(10) AS r(id)")
    eng.view("w", "SELECT id FROM small")
    eng.view("v", "SELECT sum(id) AS total FROM w")
    eng.view("w", "SELECT id FROM small")  # (made again: after the view that reads it)
    eng.register_arrow("arrow", pa.table({"id": [1, 2]}))
    eng.drop("big")
    before = (tmp_path / sql.DUCKDB_DATABASE).stat().st_size
    assert before > 16 << 20
    eng.compact()
    files = sorted(p.name for p in tmp_path.glob("*.duckdb"))
    assert files == ["engine-1.duckdb"]
    assert (tmp_path / files[0]).stat().st_size < before // 8
    assert eng.arrow("SELECT (SELECT total FROM v) AS a, (SELECT sum(id) FROM arrow) AS b").to_pylist() == \
        [{"a": 45, "b": 3}]
    eng.create("later", "SELECT 1 AS one")
    stored = {tuple(r) for r in eng.con.execute("SELECT database_name, table_name FROM duckdb_tables()").fetchall()}
    assert stored == {("disk1", "small"), ("disk1", "later")}
    eng.compact()
    assert sorted(p.name for p in tmp_path.glob("*.duckdb")) == ["engine-2.duckdb"]
    assert eng.arrow("SELECT (SELECT total FROM v) AS a, (SELECT one FROM later) AS b").to_pylist() == \
        [{"a": 45, "b": 1}]
    eng.close()


@pytest.mark.parametrize("on_disk", [True, False], ids=["database-file", "in-memory"])
def test_spilled_puts_duckdbs_tables_on_disk_and_restores_its_limit(tmp_path, on_disk) -> None:
    """While a forked step runs (the author resolver), DuckDB's tables go to the work directory and
    its memory comes down; after, the limit is the engine's again and the tables read back whole. In
    the database file (use_disk: large inputs) a table is on disk, compressed, once made: nothing to
    spill; in an in-memory database it is written to the spill files."""
    from graphkit.engine import sql

    eng = sql.DuckDBEngine(str(tmp_path), memory_limit="1GB")
    database = tmp_path / sql.DUCKDB_DATABASE
    if on_disk:
        eng.use_disk()

    def memory() -> tuple[int, int]:
        return eng.con.execute("SELECT sum(memory_usage_bytes), sum(temporary_storage_bytes) "
                               "FROM duckdb_memory()").fetchall()[0]

    eng.create("t", "SELECT id, md5(CAST(id AS STRING)) || md5(CAST(id + 1 AS STRING)) AS s "
                    "FROM range(2000000) AS r(id)")
    held, spilled = memory()
    assert spilled == 0
    if on_disk:
        in_file = database.stat().st_size
        assert in_file > 32 << 20  # (2M rows of 64 characters: ~136 MB as they are, ~66 MB compressed)
    else:
        assert held > 128 << 20 and not database.exists()
    with eng.spilled():
        held_inside, spilled_inside = memory()
        assert held_inside <= 64 << 20
        if on_disk:
            assert spilled_inside == 0 and database.stat().st_size == in_file
        else:
            assert held_inside < held and spilled_inside > 20 << 20
    assert eng.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] in ("1GB", "953.6 MiB")
    table = eng.arrow("SELECT count(*) AS n, count(DISTINCT s) AS d FROM t")
    assert table.to_pylist() == [{"n": 2000000, "d": 2000000}]
    eng.close()


def test_limited_holds_duckdb_to_a_share_of_its_limit_while_the_block_runs(tmp_path) -> None:
    """The derived rules' limit: half of the engine's while the block runs (to DuckDB's rounding of
    the limit it reports), the engine's own again after, also when the block fails."""
    import pytest

    from graphkit.engine.sql import DuckDBEngine

    eng = DuckDBEngine(str(tmp_path), memory_limit="2GB")

    def limit() -> float:
        amount, unit = eng.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0].split()
        return float(amount) * {"MiB": 1 << 20, "GiB": 1 << 30}[unit]

    before = limit()
    with eng.limited(0.5):
        assert 0.46 * 2e9 < limit() < 0.5 * 2e9
    assert limit() == before
    with pytest.raises(RuntimeError), eng.limited(0.25):
        assert limit() < 0.25 * 2e9
        raise RuntimeError
    assert limit() == before
    eng.close()


FAILS_LATE = ("SELECT CASE WHEN id > 150000 THEN CAST(error('row ' || CAST(id AS STRING)) AS BIGINT) "
              "ELSE id END AS v FROM range(300000) AS r(id)")  # fails only past the first batches


def test_a_rule_that_fails_as_its_result_is_read_is_an_engine_error_naming_it(tmp_path) -> None:
    """A relation runs when it is fetched, and a streamed one as its batches are read: DuckDB's error
    there reaches the user as an EngineError naming the rule (the CLI prints it), never a traceback."""
    import pytest

    from graphkit.engine.sql import DuckDBEngine, EngineError

    eng = DuckDBEngine(str(tmp_path))
    with pytest.raises(EngineError, match=r"rule .SELECT CASE WHEN id > 150000.*failed in DuckDB: .*row 150001"):
        eng.arrow(FAILS_LATE)
    eng.view("late", FAILS_LATE)
    with pytest.raises(EngineError, match=r"rule 'late' failed in DuckDB: .*row 150001"):
        eng.table("late")
    batches = eng.batches("late")
    with pytest.raises(EngineError, match=r"rule 'late' failed in DuckDB: .*row 150001"):
        for _ in batches:
            pass
    eng.close()


def test_out_of_memory_names_the_limit_and_the_variable_that_raises_it(tmp_path) -> None:
    """A rule DuckDB cannot run within its memory limit (a list aggregate does not spill) says which limit
    it hit and how to raise it, whether it is fetched whole or streamed."""
    import pytest

    from graphkit.engine.sql import DuckDBEngine, EngineError

    eng = DuckDBEngine(str(tmp_path), memory_limit="16MB")
    lists = ("SELECT k, collect_list(s) AS l FROM (SELECT id % 3 AS k, md5(CAST(id AS STRING)) AS s "
             "FROM range(2000000) AS r(id)) t GROUP BY k")
    with pytest.raises(EngineError, match=r"Out of Memory.*memory limit is 16MB: raise it with GRAPHKIT_MEMORY_LIMIT"):
        eng.arrow(lists)
    eng.view("lists", lists)
    with pytest.raises(EngineError, match=r"rule 'lists' .*Out of Memory.*GRAPHKIT_MEMORY_LIMIT"):
        for _ in eng.batches("lists"):
            pass
    with pytest.raises(EngineError, match=r"memory limit is 16MB, 50% of it in this step: raise it"), eng.limited(0.5):
        eng.arrow(lists)
    with pytest.raises(EngineError, match=r"memory limit is 16MB: raise it"):  # (the whole limit again after)
        eng.arrow(lists)
    eng.close()


def test_a_full_disk_names_the_work_directory_and_how_to_move_it(tmp_path) -> None:
    """DuckDB's spill filling the disk (10M PubMed XML records filled ~60 GB in the 'paper' rule) is
    reported with the work directory and the option that moves it; other IO errors get no such hint."""
    from graphkit.engine.sql import DuckDBEngine

    eng = DuckDBEngine(str(tmp_path), memory_limit="1GB")
    full = ('IO Error: Could not write file "/tmp/x/spill/duckdb_temp_5365_0_storage_DEFAULT-4.tmp": '
            "No space left on device")
    message = str(eng._error("paper", full))
    assert message.startswith("rule 'paper' failed in DuckDB: IO Error: Could not write file")
    assert f"the disk of the work directory {tmp_path} is full" in message
    assert "--work-dir or GRAPHKIT_WORK_DIR" in message
    other = str(eng._error("paper", 'IO Error: Cannot open file "x": Permission denied'))
    assert "work directory" not in other and "GRAPHKIT_MEMORY_LIMIT" not in other
    eng.close()


def test_owned_copies_a_column_out_of_the_table_duckdb_made(tmp_path) -> None:
    # a column of a fetched table shares its batch's release with the other columns: kept as is, it keeps
    # them all; owned() gives the same values in buffers of its own
    import pyarrow as pa

    from graphkit.engine.sql import DuckDBEngine, owned

    eng = DuckDBEngine(str(tmp_path))
    try:
        table = eng.arrow("SELECT range AS wid, CASE WHEN range % 3 = 0 THEN NULL ELSE repeat('x', 50) END AS name "
                          "FROM range(5000)")
        for name in ("wid", "name"):
            column = table.column(name)
            got = owned(column)
            assert isinstance(got, pa.Array) and got.equals(column.combine_chunks())
            theirs = {b.address for chunk in table.column(name).chunks for b in chunk.buffers() if b is not None}
            assert not theirs & {b.address for b in got.buffers() if b is not None}
        assert owned(pa.chunked_array([], pa.int64())).equals(pa.array([], pa.int64()))
        assert owned(pa.array([1, None])).to_pylist() == [1, None]
    finally:
        eng.close()


def test_transpiled_rules_are_kept_per_sqlglot_version_and_damage_is_transpiled_again(tmp_path, monkeypatch) -> None:
    """A rule transpiled once is read from the user's cache by a later process (sqlglot is not asked
    again); an entry that is not a string is transpiled again; a full entry starts again."""
    import json

    import sqlglot

    from graphkit.engine import sql

    monkeypatch.setenv("GRAPHKIT_CACHE_DIR", str(tmp_path / "c"))
    rule = "SELECT collect_list(x) AS xs FROM t"

    def fresh() -> None:  # what a new process sees
        sql.to_duckdb.cache_clear()
        sql._transpiled.cache_clear()

    try:
        fresh()
        first = sql.to_duckdb(rule)
        assert first == sqlglot.transpile(rule, read="spark", write="duckdb")[0] and "ARRAY_AGG" in first
        (entry,) = (tmp_path / "c").glob("duckdb-sql-*.json")
        assert entry.name == f"duckdb-sql-{sqlglot.__version__}.json"
        fresh()
        calls = []
        real = sqlglot.transpile
        monkeypatch.setattr(sqlglot, "transpile", lambda *a, **k: calls.append(a) or real(*a, **k))
        assert sql.to_duckdb(rule) == first and calls == []
        entry.write_text(json.dumps({k: 1 for k in json.loads(entry.read_text())}))  # damaged values
        fresh()
        assert sql.to_duckdb(rule) == first and len(calls) == 1
        monkeypatch.setattr(sql, "TRANSPILED_MAX", 1)
        fresh()
        assert sql.to_duckdb("SELECT 1 AS one") == "SELECT 1 AS one"
        assert len(json.loads(entry.read_text())) == 1  # full: started again with the new statement
    finally:
        fresh()


def test_a_step_that_fails_with_a_result_open_reports_its_own_error(tmp_path) -> None:
    """A block under ``limited`` or ``spilled`` that fails while a result is still open (a stream of
    batches cut short, as a full disk cuts it) raises its own error, not DuckDB's refusal to restore
    the memory limit; a block that ends well restores the limit."""
    import pytest

    from graphkit.engine.sql import DuckDBEngine

    eng = DuckDBEngine(str(tmp_path), memory_limit="1GB")
    eng.create("t", "SELECT id FROM range(200000) AS r(id)")

    def limit() -> str:
        return eng.con.sql("SELECT current_setting('memory_limit')").fetchall()[0][0]

    before = limit()
    for block in (lambda: eng.limited(0.5), eng.spilled):
        with pytest.raises(OSError, match="No space left"):
            with block():
                reader = eng.batches("t")
                next(iter(reader))  # a result left open
                raise OSError(28, "No space left on device")
        for _ in reader:  # (read to its end: the connection takes statements again)
            pass
        with block():
            pass
        assert limit() == before


def test_a_full_disk_is_one_line_naming_the_way_out() -> None:
    import click
    import pytest

    from graphkit.cli._common import user_errors

    @user_errors
    def full() -> None:
        raise OSError(28, "No space left on device")

    @user_errors
    def other() -> None:
        raise OSError(13, "Permission denied")

    with pytest.raises(click.ClickException, match="no space left on the disk .*--work-dir"):
        full()
    with pytest.raises(PermissionError):
        other()
