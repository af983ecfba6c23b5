"""The engines that run the rules: DuckDB in-process (the default) and Apache Spark (``--engine spark``).

Both take the same Spark SQL text (:mod:`graphkit.engine.rules`); DuckDB gets it transpiled by sqlglot.
An engine holds named tables: inputs registered from Parquet directories or Arrow tables, and the
tables each rule step materialises. Results come back as Arrow tables.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from collections.abc import Collection, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from graphkit.model import GraphkitError
from graphkit.user_cache import load_json, save_json

log = logging.getLogger(__name__)


DUCKDB_MEMORY_LIMIT = "2GB"
# the engine's database file in the work directory, for inputs of DISK_DATABASE_RECORDS and more
# (DuckDBEngine.use_disk; GRAPHKIT_DISK_DATABASE_RECORDS overrides, 0: always)
DUCKDB_DATABASE = "engine.duckdb"
DISK_DATABASE_RECORDS = int(os.environ.get("GRAPHKIT_DISK_DATABASE_RECORDS") or 2_000_000)
# DuckDB's limit while a step forked from the driver runs (DuckDBEngine.spilled): its tables go to disk
SPILLED_MEMORY_LIMIT = "64MB"
# units of the memory limit as DuckDB reports it (current_setting: "1.8 GiB", "953.6 MiB", "512 bytes")
_DUCKDB_UNITS = {"bytes": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}
# rows per Arrow batch of a table streamed out of the engine (DuckDBEngine.batches)
BATCH_ROWS = 65_536


class EngineError(GraphkitError):
    """The engine is missing or a rule failed in it."""


class Engine(Protocol):
    name: str

    def register_parquet(self, name: str, directory: str, schema: pa.Schema) -> None: ...
    def register_arrow(self, name: str, table: pa.Table) -> None: ...
    def create(self, name: str, sql: str) -> None: ...
    def view(self, name: str, sql: str) -> None: ...
    def arrow(self, sql: str) -> pa.Table: ...
    def table(self, name: str) -> pa.Table: ...
    def take(self, name: str) -> pa.Table: ...
    def batches(self, name: str) -> pa.RecordBatchReader: ...
    def query_batches(self, sql: str) -> pa.RecordBatchReader: ...
    def adopt(self, name: str, table: pa.Table, source: str | None = None) -> None: ...
    def drop(self, name: str) -> None: ...
    def spilled(self) -> AbstractContextManager[None]: ...
    def limited(self, share: float) -> AbstractContextManager[None]: ...
    def one_thread(self) -> AbstractContextManager[None]: ...
    def keep_only(self, names: Collection[str]) -> None: ...
    def use_disk(self) -> None: ...
    def compact(self) -> None: ...
    def close(self) -> None: ...


# transpiled rules kept in the user's cache (graphkit.user_cache), one entry per sqlglot version: a build
# transpiles ~85 statements, 0.35-0.6 s of every run (a fifth of `graphkit stats` on a 363-record file)
TRANSPILED_ENTRY = "duckdb-sql-{version}"
TRANSPILED_MAX = 2000  # statements kept (the rules are a fixed set; a larger entry starts again)


@lru_cache(maxsize=512)
def to_duckdb(sql: str) -> str:
    """A rule in Spark SQL, as DuckDB runs it (transpiled by sqlglot, or read from the user's cache of
    what this sqlglot version made of the same text)."""
    kept = _transpiled()
    digest = hashlib.sha256(sql.encode("utf-8")).hexdigest()
    got = kept["sql"].get(digest)
    if isinstance(got, str):
        return got
    import sqlglot

    got = sqlglot.transpile(sql, read="spark", write="duckdb")[0]
    if len(kept["sql"]) >= TRANSPILED_MAX:
        kept["sql"].clear()
    kept["sql"][digest] = got
    save_json(kept["entry"], kept["sql"])
    return got


@lru_cache(maxsize=1)
def _transpiled() -> dict[str, Any]:
    """This process's copy of the cache entry: its name and ``{sha256 of the Spark SQL: DuckDB SQL}``."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        entry = TRANSPILED_ENTRY.format(version=version("sqlglot"))
    except PackageNotFoundError:  # pragma: no cover - a declared dependency
        entry = TRANSPILED_ENTRY.format(version="unknown")
    loaded = load_json(entry)
    return {"entry": entry, "sql": loaded if isinstance(loaded, dict) else {}}


def _parquet_files(directory: str) -> list[str]:
    return sorted(str(p) for p in Path(directory).glob("*.parquet")) if Path(directory).is_dir() else []


class DuckDBEngine:
    """DuckDB in this process, spilling to ``workdir`` beyond ``memory_limit``."""

    name = "default"

    def __init__(self, workdir: str, memory_limit: str | None = None, threads: int | None = None) -> None:
        try:
            import duckdb
        except ImportError as exc:  # a declared dependency; a broken install gets a clear message
            raise EngineError(f"the default engine needs duckdb ({exc}): pip install duckdb") from None
        self._workdir = workdir
        self.con = duckdb.connect(config={"temp_directory": str(Path(workdir) / "spill"),
                                          "preserve_insertion_order": False})
        # bounded memory: past the limit DuckDB spills to the work directory (the default, 2GB, keeps a
        # 1M-record build's engine well inside the 4 GB budget; GRAPHKIT_MEMORY_LIMIT overrides)
        limit = self._limit = memory_limit or os.environ.get("GRAPHKIT_MEMORY_LIMIT") or DUCKDB_MEMORY_LIMIT
        self.con.execute(f"SET memory_limit = '{limit}'")
        # DuckDB's allocator (jemalloc on Linux) keeps what a rule freed until it purges it, which without
        # its background threads it does only now and then: at 1M records 375 MB of it stayed with the
        # driver through the later steps (a derived rule, the sink's COPY) beside what they allocate
        self._set("allocator_background_threads", "true")
        # (automatic checkpoints stay on: in an in-memory database one compresses every table written
        # since the last, inside whichever statement crosses 16 MiB; without them a 300k export took
        # ~1 s less and peaked 117 MB higher, 1M 218 MB higher: docs/scale.md, session 28)
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        self._arrow: dict[str, pa.Table] = {}
        self._share = 1.0  # the share of the limit in force (limited)
        self._database: tuple[str, str] | None = None  # (file, name) of the database file in use (use_disk)
        self._compactions = 0

    def use_disk(self) -> None:
        """The tables made from now on go to a database file in the work directory (DUCKDB_DATABASE),
        not to memory. An in-memory database holds its tables uncompressed and, when memory runs short,
        writes them so to its spill files: at 10M PubMed XML records ~33 GB of them in the first work
        rules, which filled the disk. A file's tables are written compressed as they are made, and a
        block already in the file leaves memory without a write. Below DISK_DATABASE_RECORDS memory is
        faster (100k records into the store: ~12% more wall time with the file, measured)."""
        self._attach(DUCKDB_DATABASE, "disk")
        self._use(DUCKDB_DATABASE, "disk")

    def _attach(self, file: str, name: str) -> None:
        path = str(Path(self._workdir) / file).replace("'", "''")
        self._run(f"ATTACH '{path}' AS {name}", "attach the database file")

    def _use(self, file: str, name: str) -> None:
        """Tables made from now on go to the attached database ``name`` (the file ``file``)."""
        self._run(f"USE {name}", "attach the database file")
        self._database = (file, name)

    def _stored_tables(self) -> list[str]:
        """The tables DuckDB stores in the database in use (not registered Arrow tables or views)."""
        return [row[0] for row in self.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary "
            "AND database_name = current_database()").fetchall()]

    def compact(self) -> None:
        """The database file (:meth:`use_disk`) written again with only what it holds now, the old file
        removed. DuckDB reuses the blocks of a dropped table but never gives them back to the disk: at
        100k records the file stayed at 222 MB after the graph's tables were taken out of it, with 40 MB
        of tables left in it (the later steps' and the report's). Nothing happens in memory."""
        if self._database is None:
            return
        old_file, old = self._database
        self._compactions += 1
        stem, dot, suffix = DUCKDB_DATABASE.partition(".")
        file, name = f"{stem}-{self._compactions}{dot}{suffix}", f"disk{self._compactions}"
        views = [row[0] for row in self.con.execute(
            "SELECT sql FROM duckdb_views() WHERE NOT temporary AND NOT internal "
            "AND database_name = current_database()").fetchall()]
        self._attach(file, name)
        for table in self._stored_tables():
            self._run(f"CREATE TABLE {name}.{table} AS FROM {old}.{table}", f"compact the database file ({table})")
        self._use(file, name)
        self._views_again(views)
        self._run(f"DETACH {old}", "compact the database file")
        for leftover in (old_file, old_file + ".wal"):
            Path(self._workdir, leftover).unlink(missing_ok=True)

    def _views_again(self, views: list[str]) -> None:
        """The views of a database file made again in the new one, each after the views it reads."""
        import duckdb

        while views:
            failed: list[str] = []
            error = ""
            for view in views:
                try:
                    self.con.execute(view)
                except duckdb.CatalogException as exc:  # it reads a view not made again yet
                    failed.append(view)
                    error = str(exc)
            if len(failed) == len(views):
                raise self._error("compact the database file (a view)", error)
            views = failed

    def _set(self, option: str, value: str) -> None:
        """An optional DuckDB setting; a DuckDB without it goes on without."""
        import duckdb

        try:
            self.con.execute(f"SET {option} = {value}")
        except duckdb.Error as exc:  # (not in every DuckDB this package allows)
            log.debug("DuckDB setting %s not applied: %s", option, exc)

    def register_parquet(self, name: str, directory: str, schema: pa.Schema) -> None:
        files = _parquet_files(directory)
        if not files:
            self.register_arrow(name, schema.empty_table())
            return
        listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        self.con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet([{listed}])")

    def register_arrow(self, name: str, table: pa.Table) -> None:
        self.drop(name)
        self._arrow[name] = table  # keep it alive while DuckDB scans it
        self.con.register(name, table)

    def drop(self, name: str) -> None:
        """Whatever ``name`` is now (a registered Arrow table, a view or a table) goes."""
        import duckdb

        if self._arrow.pop(name, None) is not None:
            self.con.unregister(name)
        for kind in ("VIEW", "TABLE"):
            try:
                self.con.execute(f"DROP {kind} IF EXISTS {name}")
            except duckdb.CatalogException:  # it is the other kind
                pass

    def create(self, name: str, sql: str) -> None:
        query = to_duckdb(sql)
        if name in self._arrow:  # replacing a registered Arrow table by a rule over it: materialise first
            # (a table in the main schema, as below: a TEMP one would hide the table a later create makes)
            self._run(f"CREATE OR REPLACE TABLE _next AS {query}", name)
            self.drop(name)
            self._run(f"ALTER TABLE _next RENAME TO {name}", name)
            return
        self._run(f"CREATE OR REPLACE TABLE {name} AS {query}", name)

    def view(self, name: str, sql: str) -> None:
        """A rule every later query runs again instead of a stored table: for a wide table (every record
        with all its fields) that the later rules read a few columns of, a copy that would spill to
        disk at 1M records costs more than the scans (DuckDB reads only the columns a query needs)."""
        self.drop(name)
        self._run(f"CREATE VIEW {name} AS {to_duckdb(sql)}", name)

    def arrow(self, sql: str) -> pa.Table:
        relation = self._run(to_duckdb(sql), sql[:60], relation=True)
        with self._errors(sql[:60]):  # (a relation runs when it is fetched)
            return fetch_arrow(relation)

    def table(self, name: str) -> pa.Table:
        with self._errors(name):
            return fetch_arrow(self.con.sql(f"SELECT * FROM {name}"))

    def take(self, name: str) -> pa.Table:
        """The table as Arrow, which then replaces DuckDB's copy (later rules scan the Arrow table): a
        table the caller keeps (the graph's) is held in memory once, not twice."""
        table = self.table(name)
        self.register_arrow(name, table)
        return table

    def batches(self, name: str) -> pa.RecordBatchReader:
        """The table as a stream of Arrow batches, for a caller that writes it to disk as it comes (then
        :meth:`adopt`): no whole copy in memory. Read it to the end before the next query."""
        return self._stream(f"SELECT * FROM {name}", name)

    def query_batches(self, sql: str) -> pa.RecordBatchReader:
        """The rows of a query as a stream of Arrow batches (in the query's order when it has an ORDER
        BY: the tables' own order is not kept, preserve_insertion_order being off). Read it to the end
        before the next query."""
        return self._stream(to_duckdb(sql), sql[:60])

    def _stream(self, sql: str, what: str) -> pa.RecordBatchReader:
        with self._errors(what):
            relation = self.con.sql(sql)
            reader = getattr(relation, "to_arrow_reader", None) or relation.fetch_arrow_reader  # (DuckDB 2, 1.x)
            batches = reader(BATCH_ROWS)

        def guarded() -> Iterator[pa.RecordBatch]:  # the rule runs on as the batches are read
            with self._errors(what):
                try:
                    yield from batches
                except OSError as exc:  # (an error in the rule while batches stream: pyarrow's OSError)
                    raise self._error(what, str(exc)) from None

        return pa.RecordBatchReader.from_batches(batches.schema, guarded())

    def adopt(self, name: str, table: pa.Table, source: str | None = None) -> None:  # noqa: ARG002
        """A table given away by :meth:`take` (or the rows of the table or view ``source``, streamed by
        :meth:`batches`), in a new form (memory mapped from a file: ColumnarGraph.spill): later rules
        scan this one as ``name``, and the old one is let go."""
        self.register_arrow(name, table)

    @contextmanager
    def spilled(self) -> Iterator[None]:
        """While the block runs, DuckDB holds at most SPILLED_MEMORY_LIMIT: its tables go to the work
        directory and come back when a later rule reads them. For a step forked from this process (the
        author resolver), which would otherwise carry DuckDB's buffers beside its own memory while this
        process waits. Buffers DuckDB cannot let go of stay (then it keeps its limit)."""
        import duckdb

        try:
            self.con.execute(f"SET memory_limit = '{SPILLED_MEMORY_LIMIT}'")
        except duckdb.Error as exc:
            log.debug("DuckDB kept its buffers: %s", exc)
            yield
            return
        try:
            yield
        finally:
            self._restore_limit()

    @contextmanager
    def one_thread(self) -> Iterator[None]:
        """While the block runs, DuckDB works on one thread: for steps that run beside another process's
        work (the author resolver's adding, on one core) and would otherwise take its core too."""
        threads = self.con.sql("SELECT current_setting('threads')").fetchall()[0][0]
        self.con.execute("SET threads = 1")
        try:
            yield
        finally:
            self.con.execute(f"SET threads = {int(threads)}")

    @contextmanager
    def limited(self, share: float) -> Iterator[None]:
        """While the block runs, DuckDB holds at most ``share`` of its limit: for rules that run while the
        process holds much else (the derived rules beside the fetched graph), and that take whatever
        the limit allows where a smaller share only makes them spill (at 1M records the co-author rule
        held 1,985 MB at 2 GB and 1,103 MB at 1 GB)."""
        amount, _, unit = self.con.sql("SELECT current_setting('memory_limit')").fetchall()[0][0].partition(" ")
        if unit not in _DUCKDB_UNITS:  # (a DuckDB that reports its limit otherwise keeps it)
            yield
            return
        self.con.execute(f"SET memory_limit = '{int(float(amount) * _DUCKDB_UNITS[unit] * share)}B'")
        self._share = share
        try:
            yield
        finally:
            self._share = 1.0
            self._restore_limit()

    def _restore_limit(self) -> None:
        """The engine's own memory limit again, when a block ends. A block that failed while a result
        was still open (a stream of batches cut by a full disk) leaves DuckDB refusing new statements:
        the block's own error is the one to report, so this one is only logged then."""
        import duckdb

        failing = sys.exc_info()[1] is not None
        try:
            self.con.execute(f"SET memory_limit = '{self._limit}'")
        except duckdb.Error as exc:
            if not failing:
                raise
            log.debug("memory limit not restored after a failed step: %s", exc)

    def keep_only(self, names: Collection[str]) -> None:
        """Drop every table DuckDB stores but ``names`` (registered Arrow tables and views stay): the
        rule tables no later step reads give their memory back (at 1M records the ``paper`` table
        alone, with every abstract, fills most of the memory limit)."""
        for name in self._stored_tables():
            if name not in names and name not in self._arrow:
                self.con.execute(f"DROP TABLE {name}")

    def _run(self, sql: str, what: str, relation: bool = False):
        with self._errors(what):
            return self.con.sql(sql) if relation else self.con.execute(sql)

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        """DuckDB's errors as :class:`EngineError` naming the rule (a user sees a message, not a
        traceback), with the way out when DuckDB ran out of memory or of disk."""
        import duckdb

        try:
            yield
        except duckdb.Error as exc:
            raise self._error(what, str(exc)) from None

    def _error(self, what: str, message: str) -> EngineError:
        hint = ""
        if "Out of Memory Error" in message:
            share = f", {self._share:.0%} of it in this step" if self._share != 1 else ""
            hint = (f" (DuckDB's memory limit is {self._limit}{share}: raise it with GRAPHKIT_MEMORY_LIMIT, for "
                    "example GRAPHKIT_MEMORY_LIMIT=4GB)")
        elif "No space left on device" in message:  # (its spill files: at 10M PubMed XML records, ~60 GB)
            hint = (f" (the disk of the work directory {self._workdir} is full: give the scratch files a disk "
                    "with room with --work-dir or GRAPHKIT_WORK_DIR; more than 6 GB per million PubMed XML "
                    "records with abstracts)")
        return EngineError(f"rule {what.strip()!r} failed in DuckDB: {' '.join(message.split())}{hint}")

    def close(self) -> None:
        self.con.close()


def fetch_arrow(result) -> pa.Table:
    """A DuckDB relation as Arrow (DuckDB 2 names it to_arrow_table, 1.x arrow)."""
    fetch = getattr(result, "to_arrow_table", None) or result.arrow
    return fetch()


def owned(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """``column`` copied into buffers of its own. The columns of a table fetched from DuckDB share one
    release per batch, so a column kept from it keeps every other column of the table too (at 1M records
    the author resolver's input, ~450 MB, was kept to the end of the build for its two integer columns)."""
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    return pa.concat_arrays(chunks) if chunks else pa.array([], column.type)


class SparkEngine:
    """A Spark session (``master`` such as ``local[*]`` or ``spark://host:7077``); tables are temporary
    views of checkpointed DataFrames.

    Every step is written to Parquet under ``workdir`` and read back: the next step's plan starts from
    those files instead of the whole chain of views before it. Without that a plan grows with every step
    (and every round of the journal components), and Spark's analysis of the nested views, not the data,
    dominates the run (minutes for a handful of records); ``localCheckpoint`` cuts the chain too but
    its plans fail to resolve self-joins (the ``journal`` rule) in Spark 3.5. Arrow tables from the
    driver go to Spark through Parquet as well. Everything is read with its schema (no inference job).
    ``workdir`` must be a path every executor can read and write (any path on ``local[*]``; a shared
    file system or object store on a cluster).
    """

    name = "spark"

    def __init__(self, master: str = "local[*]", workdir: str = ".", app: str = "graphkit") -> None:
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:
            raise EngineError(f"--engine spark needs pyspark ({exc}): pip install 'pyspark>=3.5,<3.6'") from None
        builder = (SparkSession.builder.master(master).appName(app)
                   .config("spark.sql.shuffle.partitions", os.environ.get("GRAPHKIT_SPARK_PARTITIONS", "8"))
                   .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                   .config("spark.ui.enabled", "false")
                   .config("spark.ui.showConsoleProgress", "false")
                   .config("spark.sql.session.timeZone", "UTC"))
        memory = os.environ.get("GRAPHKIT_SPARK_DRIVER_MEMORY") or (local_driver_memory()
                                                                      if master.startswith("local") else None)
        if memory:
            builder = builder.config("spark.driver.memory", memory)
        # the graph's tables come back to the driver as Arrow by design (the author keys and the
        # extensions are computed there): at 1M records one table is over Spark's default 1 GB cap
        builder = builder.config("spark.driver.maxResultSize", os.environ.get("GRAPHKIT_SPARK_MAX_RESULT", "0"))
        if master.startswith("local"):  # the executors' Python workers run this interpreter
            builder = builder.config("spark.pyspark.python", sys.executable)
        try:
            self.spark = builder.getOrCreate()
        except Exception as exc:  # noqa: BLE001 (JVM start-up problems come as many types)
            raise EngineError(f"cannot start Spark at {master}: {' '.join(str(exc).split())[:300]}") from None
        self.spark.sparkContext.setLogLevel("ERROR")
        self.workdir = workdir
        self._frames: dict[str, Any] = {}
        # name -> the folder of Parquet files Spark wrote for it (create): read by the driver directly
        self._steps: dict[str, str] = {}
        self._serial = 0

    def register_parquet(self, name: str, directory: str, schema: pa.Schema) -> None:
        from pyspark.sql.pandas.types import from_arrow_schema

        if "://" not in directory and not _parquet_files(directory):
            self.register_arrow(name, schema.empty_table())
            return
        self._view(name, self.spark.read.schema(from_arrow_schema(schema)).parquet(directory))

    def register_arrow(self, name: str, table: pa.Table) -> None:
        import pyarrow.parquet as pq
        from pyspark.sql.pandas.types import from_arrow_schema

        self._serial += 1
        path = f"{self.workdir.rstrip('/')}/arrow/{name}-{self._serial}.parquet"
        if "://" not in path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path)
        self._view(name, self.spark.read.schema(from_arrow_schema(table.schema)).parquet(path))

    def create(self, name: str, sql: str) -> None:
        self._serial += 1
        path = f"{self.workdir.rstrip('/')}/steps/{name}-{self._serial}"
        try:
            df = self.spark.sql(sql)
            df.write.parquet(path)
        except Exception as exc:  # noqa: BLE001 (AnalysisException and friends)
            raise EngineError(f"rule {name!r} failed in Spark: {_spark_message(exc)}") from None
        self._view(name, self.spark.read.schema(df.schema).parquet(path), step=path)

    def view(self, name: str, sql: str) -> None:
        """Stored like every other step: a lazy view would bring back the long plans that
        :meth:`create` cuts."""
        self.create(name, sql)

    def _view(self, name: str, df, step: str | None = None) -> None:
        df.createOrReplaceTempView(name)
        self._frames[name] = df
        if step is not None and "://" not in step:
            self._steps[name] = step
        else:
            self._steps.pop(name, None)

    def arrow(self, sql: str) -> pa.Table:
        try:
            return _to_arrow(self.spark.sql(sql))
        except Exception as exc:  # noqa: BLE001 (Py4JJavaError, AnalysisException and friends)
            raise EngineError(f"Spark query failed: {_spark_message(exc)}") from None

    def table(self, name: str) -> pa.Table:
        """A step's rows read by the driver from the Parquet files Spark wrote for it (the same rows as a
        collect, in file order; a collect of a large table sends every task's result through the JVM's
        memory, and past its share Spark loses them: ``TaskResultLost`` for the 100k papers' table at
        the default 1 GB heap). Other tables are collected."""
        try:
            step = self._steps.get(name)
            if step is not None:
                return _read_step(step, self._frames[name].schema)
            return _to_arrow(self._frames[name])
        except Exception as exc:  # noqa: BLE001
            raise EngineError(f"collecting table {name!r} from Spark failed: {_spark_message(exc)}") from None

    def take(self, name: str) -> pa.Table:
        return self.table(name)  # the step's Parquet files stay the engine's copy (on disk)

    def batches(self, name: str) -> pa.RecordBatchReader:
        return self.table(name).to_reader()  # (collected to the driver as Arrow, as take does)

    def query_batches(self, sql: str) -> pa.RecordBatchReader:
        return self.arrow(sql).to_reader()  # (collected to the driver, in the query's order)

    def adopt(self, name: str, table: pa.Table, source: str | None = None) -> None:  # noqa: ARG002 (table)
        """The engine's copy is its Parquet files, not the table it gave away: ``name`` stays as it is,
        unless its rows came from another table or view ``source`` (a derived rule's new version of
        ``name``), whose files ``name`` means from then on. (It had stayed the old version: the next rule
        reading it undid the derived one, and MeshTerm.papers came out empty at 1M.)"""
        if source is not None and source != name:
            self._view(name, self._frames[source], self._steps.get(source))

    def spilled(self) -> AbstractContextManager[None]:
        return nullcontext()  # (the tables are Parquet files already; the executors are not forked)

    def limited(self, share: float) -> AbstractContextManager[None]:  # noqa: ARG002
        return nullcontext()  # (Spark's memory is its executors', set when the session starts)

    def one_thread(self) -> AbstractContextManager[None]:
        return nullcontext()  # (its executors' cores are set when the session starts)

    def keep_only(self, names: Collection[str]) -> None:
        pass  # (the tables are Parquet files in the work directory, not memory)

    def use_disk(self) -> None:
        pass  # (the same)

    def compact(self) -> None:
        pass  # (its steps are folders of Parquet files, not one database file)

    def drop(self, name: str) -> None:
        self._steps.pop(name, None)
        if self._frames.pop(name, None) is not None:
            self.spark.catalog.dropTempView(name)

    def close(self) -> None:
        for name in self._frames:
            self.spark.catalog.dropTempView(name)
        self._frames.clear()
        self._steps.clear()


def _spark_message(exc: BaseException) -> str:
    """The cause Spark reports (the first 'Caused by' of a Java error; the driver's result cap named),
    on one line, without the Java stack."""
    text = str(exc)
    causes = [line.strip() for line in text.splitlines() if line.strip().startswith("Caused by:")]
    line = causes[0][len("Caused by:"):].strip() if causes else " ".join(text.split())
    if "spark.driver.maxResultSize" in line:
        line += " (set GRAPHKIT_SPARK_MAX_RESULT, e.g. 8g, or 0 for no cap)"
    return line[:400]


def local_driver_memory() -> str:
    """Spark's heap in local mode, where the driver is the executor too: a quarter of the machine's
    memory, from 1 to 8 GB (Spark's own default, 1 GB, lost the tasks' results of a 100k-record build).
    ``GRAPHKIT_SPARK_DRIVER_MEMORY`` overrides it."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # (no sysconf: Spark's default)
        return "1g"
    return f"{min(8, max(1, total // 4 >> 30))}g"


def _read_step(folder: str, spark_schema) -> pa.Table:
    """The Parquet files Spark wrote in ``folder`` (its ``part-*`` files, in name order), as the schema
    a collect gives."""
    import pyarrow.parquet as pq
    from pyspark.sql.pandas.types import to_arrow_schema

    schema = to_arrow_schema(spark_schema)
    parts = sorted(p for p in Path(folder).glob("part-*") if p.name.endswith(".parquet"))
    if not parts:
        return schema.empty_table()
    return pa.concat_tables(pq.read_table(p).cast(schema) for p in parts)


def _to_arrow(df) -> pa.Table:
    """A Spark DataFrame as Arrow (Spark 3.5: the Arrow collect path; empty frames keep their schema)."""
    from pyspark.sql.pandas.types import to_arrow_schema

    schema = to_arrow_schema(df.schema)
    batches = df._collect_as_arrow()
    if not batches:
        return schema.empty_table()
    return pa.Table.from_batches(batches).cast(schema)
