"""The columnar core: files -> normalised Parquet tables -> SQL rules -> a ColumnarGraph + report.

``build_columnar`` gives the same graph, keys, properties and report as the old core
(:func:`graphkit.build.build_from_files`; the differential tests hold it to that) with a different
design: per-record Python runs once per record in worker processes (:mod:`graphkit.engine.ingest`),
the relational work runs in an engine (DuckDB in-process by default, Apache Spark with
``engine="spark"``) on the SQL of :mod:`graphkit.engine.rules`, and the graph stays Arrow tables.

One step is sequential by nature and runs in the driver on the few rows that need it: the paper
matcher (:class:`graphkit.resolve.papers.PaperResolver`, the old core's own code) is replayed in record
order on the records that share a DOI, PMID, title or title block with another record; every other
record is a paper of its own. Cited references belong to the citations extension
(:mod:`graphkit.citations`), which runs after the rules like every extension.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
import weakref
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil
import pyarrow as pa
import pyarrow.compute as pc

from graphkit import report as report_rules
from graphkit.build import BuildOptions, BuildResult, no_cyclic_gc
from graphkit.columnar import ColumnarGraph, arrow_schema, mapped_arrow_file, write_arrow_file, write_arrow_stream
from graphkit.derive import Parts, PartedStep, Step, WorkTable
from graphkit.derive import entries as derived_entries
from graphkit.engine import matching, rules
from graphkit.engine import sql as engine_sql
from graphkit.engine.ingest import (TaskResult, default_workers, normalise_task, plan_tasks, run_tasks,
                                    serial_order, small_input, unpack_rows)
from graphkit.engine.normalise import SCHEMAS
from graphkit.engine.sql import DuckDBEngine, Engine, EngineError, SparkEngine, owned
from graphkit.extend import Mention, ResolveContext, extensions
from graphkit.memory import (Forked, drop_mapped_pages, dropping_mapped_pages, release_freed, repeated, run_forked,
                             start_forked)
from graphkit.model import Diagnostic
from graphkit.progress import Progress, null_progress
from graphkit.resolve.authors import AuthorInfo, AuthorResolver, Decision, decisions_report, kept_apart_table
from graphkit.resolve.journals import display_name
from graphkit.resolve import papers
from graphkit.resolve.papers import Duplicate
from graphkit.resolve.text import short_hash
from graphkit.schema import EDGE_PROPERTIES, NODE_PROPERTIES, Label, RelType

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

ENGINES = ("default", "spark")
JLAB_MAX_ROUNDS = 64

# graph table -> the rule table it is selected from (columns named as the schema)
GRAPH_SOURCES: dict[Label | RelType, str] = {
    Label.PAPER: "paper", Label.AUTHOR: "author", Label.JOURNAL: "journal", Label.KEYWORD: "keyword",
    Label.MESH: "meshterm", RelType.AUTHORED: "authored", RelType.PUBLISHED_IN: "published_in",
    RelType.HAS_KEYWORD: "has_keyword", RelType.HAS_MESH: "has_mesh", RelType.CITES: "cites",
}


@dataclass(slots=True)
class EngineOptions:
    engine: str = "default"  # "default" (DuckDB in-process) or "spark"
    spark_master: str = "local[*]"
    workers: int | None = None  # reader/normaliser processes (default: one per core)
    chunk_bytes: int | None = None  # byte ranges of large files per task (default: the parallel reader's)
    workdir: str | None = None  # where the normalised tables and spill files go (default: a temp dir)
    keep_workdir: bool = False
    scratch_dir: str | None = None  # the parent of that temp dir (default: the system's; --work-dir)

    def scratch(self) -> str | None:
        """The parent directory for scratch directories (created when given), or None: the system's."""
        if self.scratch_dir:
            Path(self.scratch_dir).mkdir(parents=True, exist_ok=True)
        return self.scratch_dir


@dataclass(slots=True)
class _Clock:
    """Wall seconds per phase for the summary line; each lap also logs (debug) the driver's CPU seconds
    and resident memory, the figures of docs/scale.md's per-phase tables."""

    laps: list[tuple[str, float]] = field(default_factory=list)
    last: float = field(default_factory=time.perf_counter)
    last_cpu: float = field(default_factory=time.process_time)

    def lap(self, name: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.laps.append((name, now - self.last))
        log.debug("phase %s: wall %.1f s, driver CPU %.1f s, driver RSS %d MB", name, now - self.last,
                  cpu - self.last_cpu, psutil.Process().memory_info().rss // (1 << 20))
        self.last, self.last_cpu = now, cpu

    def __str__(self) -> str:
        return ", ".join(f"{n} {s:.2f}" for n, s in self.laps)


# graph tables of at least GRAPH_SPILL_MIN go to disk once built (ColumnarGraph.spill), when the graph's
# tables hold GRAPH_SPILL_TOTAL or more: memory mapped from then on, so a later step or sink holds only the
# columns it reads, while it reads them (at 1M records 3.2 GB; a smaller graph is not worth the writes)
GRAPH_SPILL_MIN = 16 << 20
GRAPH_SPILL_TOTAL = 1 << 30
# a table that reaches this while it is fetched goes to disk, and the graph spills from then on
GRAPH_SPILL_TABLE = 256 << 20
# the share of the engine's memory limit the derived rules run with: they run beside the fetched graph,
# and the largest of them (the co-author pairs) takes whatever the limit allows (at 1M records, a share
# of 1 put the build's peak there: 4.05 GB)
DERIVE_MEMORY_SHARE = 0.5
# ... and the share it holds while the graph's tables are taken for the extensions: at 1M records DuckDB
# sat at its whole limit (the graph's tables just built) while the first table was read out beside it,
# the run's peak (3.2 GB)
TAKE_MEMORY_SHARE = 0.5

# Graph tables kept as views over their rule table until the graph is taken: the papers' (every abstract
# in it) was copied in the engine first, then again into the graph; at 300k records the view saved
# ~2 s and ~400 MB of the driver's peak
GRAPH_VIEWS = frozenset({Label.PAPER})
# the rule tables of the graph that read the author keys (made once the resolver is through): the other
# graph tables are made, and taken for the extensions, while the resolver works
KEYED_SOURCES = frozenset({name for name, _ in rules.AUTHOR_STEPS} | {"cites"})
# the rule tables read once the graph's tables exist: the extensions' mention places (rrank, wkey,
# best, akeys), the report's rules and the authors' name variants; the engine drops the others then
LATER_TABLES = frozenset({"rrank", "wkey", "best", "akeys", "author", "variants", "owners", "journal",
                          "published_in", "jment", "keyword"})

# the report's figures of the input tables, taken before they go (_let_input_go): a row per file, and the
# MeSH headings not in the vocabulary
INPUT_FIGURES = {"files": rules.FILE_FIGURES, "mesh_unknown": rules.MESH_UNKNOWN}


# the work directory's peak over the read's tables (their size on disk), the room a build asks for once its
# input is read: at 10M PubMed XML records (tables 17.4 GB) the default author mode's build peaked at ~61 GB
# (the rule tables' database file, the resolver's input and its shards' state beside the tables), the
# `initial` mode's at 54-57 GB (docs/scale.md)
ROOM_OVER_TABLES = 3.5


def room_needed(workdir: str | Path) -> tuple[int, int]:
    """The bytes a build in ``workdir`` is likely to need there (ROOM_OVER_TABLES times its read's tables,
    ``tables/``) and the bytes free on that disk."""
    tables = sum(p.stat().st_size for p in (Path(workdir) / "tables").rglob("*") if p.is_file())
    return int(tables * ROOM_OVER_TABLES), shutil.disk_usage(workdir).free


def graph_table(item: Label | RelType) -> str:
    """The engine's name for a graph table (engines fold identifier case, so it must not clash with
    the rule tables)."""
    return f"g_{item.value}"


def open_engine(options: EngineOptions, workdir: str) -> Engine:
    if options.engine == "spark":
        return SparkEngine(options.spark_master, workdir)
    if options.engine == "default":
        return DuckDBEngine(workdir)
    raise EngineError(f"unknown engine {options.engine!r}: choose one of {', '.join(ENGINES)}")


def build_columnar(paths: Sequence[str | Path], options: BuildOptions = BuildOptions(),
                   engine: EngineOptions | None = None, *, progress: Progress = null_progress,
                   prepared: list[TaskResult] | None = None) -> BuildResult:
    """Build the graph of ``paths`` with the columnar core.

    ``prepared``: the files were normalised already (the embedded store's Parquet cache): their tables
    are in ``engine.workdir``/tables/<table>/ and these are the tasks' results; nothing is read."""
    engine_options = engine or EngineOptions()
    if prepared is not None and not engine_options.workdir:
        raise EngineError("prepared tables need the work directory that holds them")
    workdir = engine_options.workdir or tempfile.mkdtemp(prefix="graphkit-engine-", dir=engine_options.scratch())
    Path(workdir).mkdir(parents=True, exist_ok=True)
    eng = open_engine(engine_options, workdir)
    try:
        build = _Build(eng, [str(p) for p in paths], options, engine_options, workdir, progress)
        build.prepared = prepared
        build.owns_input = prepared is None and not engine_options.workdir and not engine_options.keep_workdir
        with no_cyclic_gc():  # as the old core: millions of long-lived, acyclic Python rows in the driver
            return build.run()
    finally:
        eng.close()
        if not engine_options.keep_workdir and not engine_options.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


class _Build:
    def __init__(self, eng: Engine, paths: list[str], options: BuildOptions, engine_options: EngineOptions,
                 workdir: str, progress: Progress) -> None:
        self.eng = eng
        self.paths = paths
        self.options = options
        self.engine_options = engine_options
        self.workdir = workdir
        self.progress = progress
        self.clock = _Clock()
        self._decisions: list = []  # AuthorResolver decisions, for the report
        self._overridden = 0
        self.exts = extensions()
        self.prepared: list[TaskResult] | None = None
        self._works = 0  # the works of the input (the papers but the cited-only ones)
        self.owns_input = False  # the normalised tables may go once the rules are through
        self._input_figures: dict[str, pa.Table] = {}

    def run(self) -> BuildResult:
        results = self._normalise() if self.prepared is None else self.prepared
        diagnostics = serial_order(results)
        records = sum(r.records for r in results)
        self.clock.lap("read+normalise")
        if self.eng.name != "spark":  # (Spark's tables may be on another file system)
            self._check_room()
        if records >= engine_sql.DISK_DATABASE_RECORDS:  # (the rule tables compressed in a file, not in memory)
            self.eng.use_disk()
        for name, schema in SCHEMAS.items():
            self.eng.register_parquet(name, f"{self.workdir}/tables/{name}", schema)
        duplicates = self._match_papers()
        self.clock.lap("match papers")
        self._steps(rules.WORK_STEPS)
        self._fix_keys()
        self._steps(rules.PAPER_STEPS)
        self._journals()  # before the authors: a paper's journal is evidence for its authors' identity
        self._steps(rules.JOURNAL_STEPS)
        self._journal_names()
        at = [name for name, _ in rules.AUTHOR_STEPS].index("akeys")
        self._steps(rules.AUTHOR_STEPS[:at])
        self.clock.lap("papers+journals")
        # the term rules read no author key: this process runs them while the resolver's process works
        # (its adding and its steps between the passes use one core of two); has_keyword first, as the
        # resolver's input reads it
        early = [step for step in rules.TERM_STEPS if step[0] == "has_keyword"]
        self._steps(early)
        graph = ColumnarGraph()
        before_keys = [item for item, source in GRAPH_SOURCES.items() if source not in KEYED_SOURCES]
        taken: list[Label | RelType] = []
        with self._author_keys() as beside, self.eng.one_thread() if beside else nullcontext():
            # (DuckDB on one thread: the resolver's adding, the longer, has the other core)
            self._steps([step for step in rules.TERM_STEPS if step not in early])
            self.clock.lap("terms (beside the author resolver)")
            if beside and self.exts:
                # the graph tables that read no author key are made and taken while the resolver works (its
                # adding leaves a core idle: at 1M records ~32 s). As views, streamed out with DuckDB at its
                # least: made at DuckDB's limit and taken at TAKE_MEMORY_SHARE beside the adding, at 1M
                # records, they put the build's peak here (3.4 GB against 3.0-3.3)
                self._make_graph_tables(before_keys, views=True)
                with self.eng.spilled():
                    self._take_graph(graph, before_keys, let_go=False)
                taken = before_keys
                self.clock.lap("graph tables (beside the author resolver)")
        self.clock.lap("author resolver")
        self._steps(rules.AUTHOR_STEPS[at:])
        self.clock.lap("authors")
        # CITES (in-set and cited-only works) belong to the cites extension (graphkit.citations), run
        # below like every extension: the core's own table stays empty
        self.eng.create("cites", "SELECT CAST(NULL AS STRING) AS source, CAST(NULL AS STRING) AS target WHERE 1 = 0")
        clock = time.perf_counter()
        self._make_graph_tables([item for item in GRAPH_SOURCES if item not in taken])
        self._works = self.eng.arrow("SELECT count(*) AS n FROM paper").column("n")[0].as_py()  # (no cited-only)
        self.eng.keep_only(LATER_TABLES | {graph_table(item) for item in (*Label, *RelType)}
                           | {GRAPH_SOURCES[item] for item in GRAPH_VIEWS})
        log.debug("graph tables made in the engine: %.1f s", time.perf_counter() - clock)
        self._input_figures = {name: self.eng.arrow(sql) for name, sql in INPUT_FIGURES.items()}
        if self.owns_input:
            self._let_input_go()
        report_ext: dict[str, Any] = {}
        if self.exts:
            clock = time.perf_counter()
            with self.eng.limited(TAKE_MEMORY_SHARE):
                self._take_graph(graph, [item for item in GRAPH_SOURCES if item not in taken])
            self._keep_later()  # (the views' rule tables: the graph holds its own copy now)
            log.debug("graph taken for the extensions: %.1f s", time.perf_counter() - clock)
            self._extensions(results, graph, report_ext)
            self.clock.lap("extensions")
        with self.eng.limited(DERIVE_MEMORY_SHARE):
            derived = self._derive(graph)
        self.clock.lap("derived")
        result = BuildResult(graph, records=records, diagnostics=diagnostics, duplicates=duplicates)
        result.authors = self._authors(graph)
        result.report = self._report(result, derived, results)
        result.report.update(report_ext)
        self.clock.lap("report")
        log.info("columnar core (%s): %d records -> %d papers (wall s: %s)", self.eng.name, records,
                 graph.count(Label.PAPER), self.clock)
        return result

    def _check_room(self) -> None:
        """A warning, once the input is read, when the work directory's disk looks too small for the build:
        at 10M records a full disk would stop it after hours of work."""
        try:
            needed, free = room_needed(self.workdir)
        except OSError:
            return
        if needed > free:
            log.warning("the work directory %s has %.1f GB free; a build of this input may need ~%.1f GB there "
                        "(%.1f times its normalised tables): give it a larger disk with --work-dir DIR or "
                        "GRAPHKIT_WORK_DIR", self.workdir, free / 2**30, needed / 2**30, ROOM_OVER_TABLES)

    # -- reading -------------------------------------------------------------------------------
    def _normalise(self) -> list[TaskResult]:
        workers = self.engine_options.workers or default_workers()
        small = small_input(self.paths, self.engine_options.chunk_bytes)
        if not self.engine_options.workers and small:
            workers = 1
        outdir = f"{self.workdir}/tables"
        mode = self.options.author_key
        if self.eng.name == "spark":
            tasks = plan_tasks(self.paths, self.options.format, max(workers, 2), self.engine_options.chunk_bytes)
            sc = self.eng.spark.sparkContext  # type: ignore[attr-defined]
            indexed = list(enumerate(tasks))
            got = sc.parallelize(indexed, max(1, len(indexed))).map(
                lambda it: normalise_task(it[1], it[0], mode, outdir)).collect()
            by_tid = {r.tid: r for r in got}
            return list(run_tasks_from(tasks, [by_tid[i] for i in range(len(tasks))], self.progress))
        tasks = plan_tasks(self.paths, self.options.format, workers, self.engine_options.chunk_bytes)
        # a large input is read in worker processes even with --workers 1: a process that read 1M records
        # keeps gigabytes of freed memory, and the driver lives on through the whole build
        return list(run_tasks(tasks, mode, outdir, workers, self.progress, isolate=not small))

    def _similar_titles(self, buckets: int) -> tuple[np.ndarray, np.ndarray]:
        """The pairs of similar titles in the blocks (:func:`graphkit.engine.matching.fuzzy_pairs`), bucket
        by bucket: every other bucket searched in a forked process while this one searches the next (the
        pairs' order does not matter: :func:`graphkit.engine.matching.components`)."""
        import numpy as np

        found: list[tuple[np.ndarray, np.ndarray]] = []
        running: Forked[tuple[np.ndarray, np.ndarray]] | None = None
        try:
            for bucket in range(buckets):
                table = self.eng.arrow(rules.MATCH_BLOCKS.format(buckets=buckets, bucket=bucket))
                if running is None and bucket < buckets - 1:
                    running = start_forked(matching.fuzzy_pairs_of, table)
                    continue
                found.append(matching.fuzzy_pairs_of(table))
                del table
                if running is not None:
                    found.append(running.result())
                    running = None
        except BaseException:
            if running is not None:
                running.cancel()
            raise
        return np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found])

    def _steps(self, steps: list[tuple[str, str]]) -> None:
        for name, sql in steps:
            clock = time.perf_counter()
            if name in rules.VIEWS:
                self.eng.view(name, sql)
            else:
                self.eng.create(name, sql)
            # (per rule, with -vv: at 10M the phases last minutes, and a full disk names only its rule)
            log.debug("rule %s: %.1f s", name, time.perf_counter() - clock)

    def _let_input_go(self) -> None:
        """The normalised input tables removed once the rules are through: no later step reads them (the
        report's figures of them are taken first: INPUT_FIGURES). At 10M PubMed XML records they held
        17.4 GB of the disk (13.8 GB the records with their abstracts) beside the database file and the
        graph's files. Only in a work directory this build made: the embedded store's record cache is
        a given one, and a kept one is kept whole."""
        for name in (*rules.VIEWS, *SCHEMAS):
            self.eng.drop(name)
        shutil.rmtree(Path(self.workdir) / "tables", ignore_errors=True)

    # -- papers --------------------------------------------------------------------------------
    def _match_papers(self) -> list[Duplicate]:
        """Table member (rid, root): every record's work; the duplicate pairs. The candidates are matched
        part by part (whole components of the records that share keys: graphkit.engine.matching), each
        part in a forked process (graphkit.memory.start_forked): its indexes leave with it. The next
        part is fetched while one is matched."""
        import numpy as np

        clock = time.perf_counter()
        self.eng.create("match_keys", rules.match_keys(papers.BLOCK_LIMIT))
        links = self.eng.arrow(rules.MATCH_LINKS)
        rids = owned(links.column("rid").cast(pa.int64())).to_numpy()
        groups = [links.column(g).cast(pa.int64()).fill_null(-1).to_numpy() for g in matching.KEY_GROUPS]
        del links
        fetched = time.perf_counter()
        block_rows = self.eng.arrow(rules.MATCH_BLOCK_ROWS).column("n")[0].as_py() or 0
        buckets = matching.block_buckets(block_rows, self.engine_options.workers or default_workers())
        pairs = self._similar_titles(buckets)
        log.debug("paper matcher: %d similar titles in the blocks (%d rows in %d buckets), %.1f s",
                  len(pairs[0]), block_rows, buckets, time.perf_counter() - fetched)
        label = matching.components(rids, groups, pairs)
        del groups, pairs
        # a record alone in its component meets no one: it is a work of its own, as a record that shares
        # no key (at 1M PubMed XML, 661,428 of the 662,140 candidates)
        at, label = matching.linked(label)
        n_linked = len(at)
        part = matching.parts(label, matching.MATCH_PART_ROWS)
        n_parts = int(part.max()) + 1 if len(part) else 0
        largest = int(np.bincount(label).max()) if len(label) else 0
        del label
        self.eng.register_arrow("match_part", pa.table({"rid": pa.array(rids[at], pa.int64()),
                                                        "part": pa.array(part, pa.int64())}))
        self.eng.create("match_parts", rules.MATCH_PARTS)
        self.eng.drop("match_part")
        self.eng.drop("match_keys")
        log.debug("paper matcher: %d candidate records, %d of them linked to others, in %d parts (largest "
                  "component %d) in %.1f s", len(rids), n_linked, n_parts, largest, time.perf_counter() - clock)
        found: list[matching.Matched] = []
        done = 0
        running: tuple[Forked[matching.Matched], int] | None = None  # the part being matched, its rows
        for k in range(n_parts + 1):
            cand = self.eng.arrow(rules.MATCH_PART.format(part=k)) if k < n_parts else None
            if running is not None:
                found.append(running[0].result())
                done += running[1]
                self.progress("match papers", done, n_linked)
                running = None
            if cand is not None:
                running = (start_forked(matching.match_papers, cand), cand.num_rows)
                del cand
        self.eng.drop("match_parts")
        roots = pa.concat_arrays([m.roots for m in found]) if found else pa.array([], pa.int64())
        members = pa.table({"rid": pa.concat_arrays([m.rids for m in found]) if found else pa.array([], pa.int64()),
                            "root": roots})
        self.eng.register_arrow("member", members)
        self.progress("match papers", n_linked, n_linked)
        log.debug("paper matcher: %.1f s", time.perf_counter() - clock)
        return matching.in_record_order(found)

    def _fix_keys(self) -> None:
        """Works that got the same key: all but the first (in root order) get a suffix from their sources."""
        rows = self.eng.arrow(rules.KEY_COLLISIONS).to_pylist()
        used: set[str] = set()
        fixed = []
        for row in rows:
            key = row["key0"]
            if key in used:
                key = f"{key}:{short_hash('|'.join(sorted(row['sources'])))[:8]}"
                fixed.append((row["wid"], key))
            used.add(key)
        self.eng.register_arrow("wfix", pa.table({"wid": pa.array([w for w, _ in fixed], pa.int64()),
                                                  "key": pa.array([k for _, k in fixed], pa.string())}))

    # -- authors -------------------------------------------------------------------------------
    @contextmanager
    def _author_keys(self) -> Iterator[bool]:
        """Table akeys_py (wid, pos, akey) once the block ends: in mode 'compatible', the keys
        AuthorResolver gives the kept author lists, fed in paper-key order with each paper's journal as
        evidence (as the old core does); empty in the other modes, whose keys the SQL computes. The
        resolver runs in a forked process (graphkit.memory.start_forked): its millions of small objects
        leave with it, and this process runs the block's rules meanwhile (they must not read the keys). Yields
        whether a resolver works beside the block."""
        if not (self.options.author_key == "compatible" or self.options.author_map):
            yield False
            self.eng.register_arrow("akeys_py", pa.table({"wid": pa.array([], pa.int64()),
                                                          "pos": pa.array([], pa.int64()),
                                                          "akey": pa.array([], pa.string())}))
            return
        # columns, not a dict per row: at 1M records these are 3.5M author occurrences; a paper's journal
        # and keywords ride on its first row (evidence, as the old core has them). The rows stream from the
        # engine to the resolver's input file, a batch at a time: fetched whole they were 4.6 GB at 10M
        # records, held by this process beside the block's rules.
        clock = time.perf_counter()
        workers = self.engine_options.workers or default_workers()
        # the input goes to the resolver through a file, not this process's memory: the forked resolver
        # maps it and lets it go once its occurrences are added; this process maps the rows' (wid, pos)
        # from a file of their own when the keys come back
        with tempfile.TemporaryDirectory(prefix="graphkit-resolver-", dir=self.engine_options.scratch()) as folder:
            # the keyword lists are joined to the first rows as the two go by in paper-key order, not
            # carried through the engine's sort (at 1M records the query took 6.0-7.1 s with them, 4.3-4.8 s
            # without); the lists first, to a file of their own (one query streams at a time)
            kws = Path(folder) / "keywords.arrow"
            write_arrow_stream(kws, self.eng.query_batches(
                "SELECT source, sort_array(collect_list(target)) AS kws FROM has_keyword GROUP BY source "
                "ORDER BY source"))
            write_resolver_input_stream(Path(folder), self.eng.query_batches(
                "SELECT k.key AS pkey, w.wid, w.pos, w.family, w.given, w.orcid, w.aff, "
                "CASE WHEN row_number() OVER (PARTITION BY w.wid ORDER BY w.pos) = 1 THEN j.jkey END AS jkey, "
                "row_number() OVER (PARTITION BY w.wid ORDER BY w.pos) = 1 AS first FROM wocc w "
                "JOIN wkey k ON k.wid = w.wid LEFT JOIN wjournal j ON j.wid = w.wid ORDER BY k.key, w.pos"),
                mapped_arrow_file(kws))
            kws.unlink()
            drop_mapped_pages()
            log.debug("resolver input written: %.1f s", time.perf_counter() - clock)
            # (DuckDB's tables on disk while the process forks: the resolver does not carry its buffers,
            # and what DuckDB writes next is in pages of this process alone, not copies of shared ones)
            with self.eng.spilled():
                resolving = start_forked(resolve_author_keys_to_file, Path(folder), self.options.author_key,
                                         dict(self.options.author_map), workers)
            started = time.perf_counter()
            log.debug("author resolver started: %.1f s", started - clock)
            with _progress_of(Path(folder), self.progress):
                try:
                    yield True
                except BaseException:
                    resolving.cancel()  # (the build fails with the block's error, not after the resolver's end)
                    raise
                waited = time.perf_counter()
                self._decisions, self._overridden = resolving.result()
            keys = mapped_arrow_file(Path(folder) / AUTHOR_KEYS).column("akey")  # (pages of a file, not a copy)
            rows = mapped_arrow_file(Path(folder) / RESOLVER_ROWS)
            log.debug("author resolver: %.1f s, %.1f s of it waited for", time.perf_counter() - started,
                      time.perf_counter() - waited)
        self.eng.register_arrow("akeys_py", pa.table({"wid": rows.column("wid"), "pos": rows.column("pos"),
                                                      "akey": keys}))

    # -- journals ------------------------------------------------------------------------------
    def _journals(self) -> None:
        self.eng.create("jedge", rules.JOURNAL_EDGES)
        self.eng.create("jlab", rules.JLAB_INIT)
        for _ in range(JLAB_MAX_ROUNDS):
            self.eng.create("jlab_next", rules.JLAB_STEP)
            changed = self.eng.arrow(rules.JLAB_CHANGED).column("n")[0].as_py()
            self.eng.create("jlab", "SELECT tok, lab FROM jlab_next")
            if not changed:
                return
        raise EngineError("journal components did not converge")  # pragma: no cover (diameter > 64)

    def _journal_names(self) -> None:
        """All-caps venue names (WoS) shown as resolve.journals.display_name shows them (Python, as the
        old build: one definition); the SQL ranking already prefers a mixed-case name."""
        table = self.eng.table("journal")
        names = table.column("name").to_pylist()
        shown = [display_name(n) for n in names]
        if shown != names:
            i = table.schema.get_field_index("name")
            self.eng.register_arrow("journal", table.set_column(i, table.schema.field(i), pa.array(shown, pa.string())))

    # -- extensions and derived data -----------------------------------------------------------
    def _extensions(self, results: list[TaskResult], graph: ColumnarGraph, report: dict[str, Any]) -> None:
        """Run every extension's resolve on the row API. Consumes the tasks' ``ext_rows``: each extension's
        rows live on only in its mentions, which it gets (and may drop as it goes) and which go when it
        returns, so no extension's rows stay resident beside a later one or the derived data."""
        # per extension: (record, its rows packed, whether they name an author position)
        pending: list[list[tuple[int, bytes, bool]]] = [[] for _ in self.exts]
        for r in results:
            for rid, i, packed, positions in r.ext_rows:
                pending[i].append((rid, packed, positions))
            r.ext_rows = []
        info: dict[int, tuple[Any, int]] = {}
        for r in results:  # (each record's source and authors, once: the results kept them to the end)
            info.update(r.record_info)
            r.record_info = {}
        clock = time.perf_counter()
        at, keys_of = self._mention_places(pending)
        log.debug("extension rows placed: %.1f s", time.perf_counter() - clock)
        errors = [sum(r.ext_errors[i] for r in results if r.ext_errors) for i in range(len(self.exts))]
        for i, ext in enumerate(self.exts):
            mentions = MentionRows(pending[i], at, keys_of, info)  # (unpacked as iterated)
            pending[i] = []
            ctx = ResolveContext(graph, self.options)
            clock = time.perf_counter()
            # (the pages of the graph's files it reads let go as it goes: at 10M records the citations
            # extension's joins of whole columns touched gigabytes of them)
            with dropping_mapped_pages() if self._spilling(graph) else nullcontext():
                ext.resolve(ctx, mentions)
            del mentions
            release_freed()
            log.debug("extension %s: %.1f s", ext.name, time.perf_counter() - clock)
            if errors[i]:
                ctx.report["extract_errors"] = errors[i]
            if ctx.report:
                report[ext.name] = ctx.report
        del info, at, keys_of
        clock = time.perf_counter()
        for item in (*Label, *RelType):  # push what the extensions changed back into the engine
            if graph.changed(item) or (item not in GRAPH_SOURCES and graph.count(item)):
                self.eng.register_arrow(graph_table(item), graph.arrow(item))
        graph.synced()
        log.debug("changed tables back in the engine: %.1f s", time.perf_counter() - clock)
        graph.drop_read_caches()  # the extensions' lookups (every author's row, key sets): not needed after
        release_freed()

    def _make_graph_tables(self, items: Iterable[Label | RelType], views: bool = False) -> None:
        """The engine's graph tables of ``items`` from their rule tables (GRAPH_SOURCES); ``views``: each
        one a view (to be taken at once: :meth:`_take_graph`), not only those of GRAPH_VIEWS."""
        for item in items:
            source = GRAPH_SOURCES[item]
            available = set(self.eng.arrow(f"SELECT * FROM {source} LIMIT 0").schema.names)
            if views or item in GRAPH_VIEWS:
                self.eng.view(graph_table(item), _select_graph(item, source, available))
            else:
                self.eng.create(graph_table(item), _select_graph(item, source, available))

    def _take_graph(self, graph: ColumnarGraph, items: Iterable[Label | RelType], let_go: bool = True) -> None:
        """The graph's tables of ``items`` from the engine, for the extensions' row API: each one taken
        into memory while the graph is small, and once it is large (:meth:`_spilling`), each later one
        streamed to disk as it comes. They were all taken first and spilled after: at 1M, 2.5 GB at once.
        ``let_go``: the rule tables no later step reads may go (not while author rules are still to run)."""
        for item in items:
            self._fetch_one(graph, item)
            self._spill(graph)
            if let_go and item in GRAPH_VIEWS and graph.spilled(item):
                # its rule table (the papers', every abstract) out of the database file now, before the
                # other tables come to disk beside it: at 100k records 222 MB of file beside 338 of graph
                self._keep_later()

    def _keep_later(self) -> None:
        """The engine keeps only the tables later steps read (LATER_TABLES, the graph's), and a database
        file gives the space of the others back to the disk (Engine.compact)."""
        self.eng.keep_only(LATER_TABLES | {graph_table(item) for item in (*Label, *RelType)})
        self.eng.compact()

    def _mention_places(self, pending: list[list[tuple[int, bytes, bool]]]
                        ) -> tuple[dict[int, tuple[str, int, int]], dict[str, list[str | None]]]:
        """Per record with extension rows: (paper key, rank of the record in its work, authors kept); and
        per paper key of a record whose rows name an ``author_position``: the author keys by position."""
        rids = sorted({rid for rows_of in pending for rid, _, _ in rows_of})
        at: dict[int, tuple[str, int, int]] = {}
        keys_of: dict[str, list[str | None]] = {}
        if not rids:
            return at, keys_of
        self.eng.register_arrow("ext_rids", pa.table({"rid": pa.array(rids, pa.int64())}))
        del rids
        where = self.eng.arrow(
            "SELECT e.rid, k.key, r.rnk, b.n_auth AS kept FROM ext_rids e JOIN rrank r ON r.rid = e.rid "
            "JOIN wkey k ON k.wid = r.wid JOIN best b ON b.wid = r.wid")
        at = dict(zip(where.column("rid").to_pylist(), zip(*(where.column(c).to_pylist() for c in ("key", "rnk", "kept")))))
        del where
        # only records whose rows name an author position need the author keys (columns, not a dict per row)
        by_author = sorted({rid for rows_of in pending for rid, _, positions in rows_of if positions})
        if by_author:
            self.eng.register_arrow("ext_rids", pa.table({"rid": pa.array(by_author, pa.int64())}))
            table = self.eng.arrow(
                "SELECT k.key, a.pos, a.akey FROM (SELECT DISTINCT r.wid FROM ext_rids e JOIN rrank r "
                "ON r.rid = e.rid) w JOIN akeys a ON a.wid = w.wid JOIN wkey k ON k.wid = w.wid")
            for key, pos, akey in zip(*(table.column(c).to_pylist() for c in ("key", "pos", "akey"))):
                keys = keys_of.setdefault(key, [])
                keys.extend([None] * (pos - len(keys)))
                keys[pos - 1] = akey
            del table
        self.eng.drop("ext_rids")
        return at, keys_of

    def _derive(self, graph: ColumnarGraph) -> dict[str, dict[str, Any]]:
        names = {item.value: graph_table(item) for item in (*Label, *RelType)}
        for item in (*Label, *RelType):
            if item not in GRAPH_SOURCES and item not in graph._rows and not graph.count(item):  # noqa: SLF001
                self.eng.register_arrow(graph_table(item), arrow_schema(item).empty_table())
        # the tables whose engine copy is not the graph's: replaced by an SQL entry, or never fetched (the
        # others are one Arrow table, held by both; fetching them again would copy them)
        stale = {item for item in (*Label, *RelType) if not graph.has_table(item)}
        out: dict[str, dict[str, Any]] = {}
        for entry in derived_entries():
            clock = time.perf_counter()
            if entry.sql is None:  # an extension's rule without SQL: the row API on the fetched graph
                self._fetch(graph, stale)  # what the SQL entries before it wrote, fresh
                figures = entry.compute(graph, self.options)
                for item in (*Label, *RelType):
                    if graph.changed(item):
                        self.eng.register_arrow(graph_table(item), graph.arrow(item))
                graph.synced()
                graph.drop_read_caches()
                release_freed()
            else:
                figures = None
                for target, queries in sql_steps(self.eng, entry.sql(self.options), names):
                    query = " UNION ALL ".join(queries)  # (the parts as one query, where not run one by one)
                    if target == "figures":
                        figures = self.eng.arrow(query).to_pylist()[0]
                    elif self._spilling(graph):
                        item = _item(target)
                        columns = _written_columns(entry.targets, item)
                        # (DuckDB only: Spark's batches of a sorted view need not come in its order)
                        if columns and graph.spilled(item) and isinstance(self.eng, DuckDBEngine):
                            self._derive_columns_to_disk(graph, item, columns, query)
                        elif len(queries) > 1 and isinstance(self.eng, DuckDBEngine):
                            self._derive_parts_to_disk(graph, item, queries)
                        else:
                            self._derive_to_disk(graph, item, query)
                        stale.discard(item)
                    else:
                        item = _item(target)
                        self.eng.create(graph_table(item) + "_new", query)
                        self.eng.create(graph_table(item), _select_graph(item, graph_table(item) + "_new"))
                        self.eng.drop(graph_table(item) + "_new")
                        graph.drop_table(item)  # the old version: the engine holds the new one
                        stale.add(item)
            if figures:
                out[entry.name] = figures
            log.debug("derived %s: %.1f s", entry.name, time.perf_counter() - clock)
        # each table the derived data changed streamed to disk, not all of them fetched first (at 1M the
        # papers' cited_by column and the co-author pairs: 6.2 GB at once)
        self._fetch(graph, stale)
        self._spill(graph)
        return out

    def _derive_to_disk(self, graph: ColumnarGraph, item: Label | RelType, query: str) -> None:
        """A derived entry's new version of a table, in a graph that spills: the rule runs as the engine
        streams its result to disk (views, not tables: the engine holds no copy of the table, old or new;
        at 1M the papers' table rewritten for ``cited_by`` had been two copies in DuckDB beside the mapped
        old one), and the engine scans the new file from then on."""
        name = graph_table(item)
        self.eng.view(name + "_new", query)
        self.eng.view(name + "_sel", _select_graph(item, name + "_new"))
        self._stream_to_disk(graph, item, name + "_sel")
        self.eng.drop(name + "_sel")
        self.eng.drop(name + "_new")

    def _derive_parts_to_disk(self, graph: ColumnarGraph, item: Label | RelType, queries: list[str]) -> None:
        """:meth:`_derive_to_disk` of a step in parts (derive.PartedStep): the parts run one after the
        other as their rows stream to the one file (in one query, DuckDB would run them side by side)."""
        name = graph_table(item)
        for i, query in enumerate(queries):
            self.eng.view(f"{name}_new{i}", query)
            self.eng.view(f"{name}_sel{i}", _select_graph(item, f"{name}_new{i}"))

        def parts() -> Iterator[pa.RecordBatch]:
            for i in range(len(queries)):
                yield from self.eng.batches(f"{name}_sel{i}")  # (each read to its end before the next)

        schema = self.eng.arrow(f"SELECT * FROM {name}_sel0 LIMIT 0").schema
        self._batches_to_disk(graph, item, pa.RecordBatchReader.from_batches(schema, parts()))
        for i in range(len(queries)):
            self.eng.drop(f"{name}_sel{i}")
            self.eng.drop(f"{name}_new{i}")

    def _derive_columns_to_disk(self, graph: ColumnarGraph, item: Label, columns: list[str], query: str) -> None:
        """A derived entry that writes only ``columns`` of a label's table on disk (its declared targets:
        ``Paper.cited_by``): only those columns are written, in the order of the table's file (by key),
        and the table is that file with them replaced (ColumnarGraph.set_columns_on_disk). Written whole,
        the papers' table for ``cited_by`` was a second copy of every abstract on the disk: 226 MB at 100k
        records, the work directory's peak."""
        import numpy as np

        name = graph_table(item)
        keys = graph.arrow(item).column("key")
        self.eng.register_arrow(name + "_pos", pa.table({"key": keys, "pos": pa.array(np.arange(len(keys)))}))
        del keys
        self.eng.view(name + "_new", query)
        picked = ", ".join(f"n.{c}" for c in columns)
        self.eng.view(name + "_cols", f"SELECT o.pos, {picked} FROM {name}_pos o LEFT JOIN {name}_new n "
                                      "ON n.key = o.key ORDER BY o.pos")
        batches = self.eng.batches(name + "_cols")
        graph.set_columns_on_disk(item, pa.RecordBatchReader.from_batches(
            batches.schema.remove(0), _in_order(batches, name)), self.engine_options.scratch())
        for view in ("_cols", "_new", "_pos"):
            self.eng.drop(name + view)
        self.eng.adopt(name, graph.arrow(item))
        release_freed()

    def _stream_to_disk(self, graph: ColumnarGraph, item: Label | RelType, source: str) -> None:
        """The engine's table or view ``source`` as the graph's table of ``item``, streamed to its file
        (never whole in memory); the engine scans the file as that table from then on."""
        self._batches_to_disk(graph, item, self.eng.batches(source), source)

    def _batches_to_disk(self, graph: ColumnarGraph, item: Label | RelType, batches: pa.RecordBatchReader,
                         source: str | None = None) -> None:
        """:meth:`_stream_to_disk` of a stream of batches the engine gives (from ``source``, when that is
        not the item's own table)."""
        graph.set_table_on_disk(item, batches, self.engine_options.scratch())
        self.eng.adopt(graph_table(item), graph.arrow(item), source)
        release_freed()

    def _spilling(self, graph: ColumnarGraph) -> bool:
        """Whether the graph's large tables go to disk: once the graph is large (:data:`GRAPH_SPILL_TOTAL`),
        and from then on."""
        return any(graph.spilled(item) for item in (*Label, *RelType)) or graph.frozen_bytes() >= GRAPH_SPILL_TOTAL

    def _spill(self, graph: ColumnarGraph) -> None:
        """The graph's large tables to disk (:data:`GRAPH_SPILL_MIN`, once the graph is large:
        :data:`GRAPH_SPILL_TOTAL`), the engine scanning the mapped files instead of the tables it gave
        away; the freed memory back to the system."""
        if not self._spilling(graph):
            return
        moved = [self._spill_one(graph, item) for item in (*Label, *RelType)]
        if any(moved):
            release_freed()

    def _spill_one(self, graph: ColumnarGraph, item: Label | RelType) -> bool:
        """One table to disk when it is large (:data:`GRAPH_SPILL_MIN`); the engine scans the file."""
        if not graph.spill(item, GRAPH_SPILL_MIN, self.engine_options.scratch()):
            return False
        self.eng.adopt(graph_table(item), graph.arrow(item))
        return True

    def _fetch(self, graph: ColumnarGraph, stale: set[Label | RelType]) -> None:
        """The engine's version of the ``stale`` tables into the graph (each held once: see Engine.take);
        when the graph spills, each one streamed to disk instead (:meth:`_stream_to_disk`)."""
        for item in (*Label, *RelType):
            if item in stale:
                self._fetch_one(graph, item)
        stale.clear()

    def _fetch_one(self, graph: ColumnarGraph, item: Label | RelType) -> None:
        """The engine's version of one table into the graph: streamed to disk when the graph spills, else
        read as a stream into memory (held once: the engine scans the graph's copy from then on) until it
        turns out large (:data:`GRAPH_SPILL_TABLE`, or the graph with it :data:`GRAPH_SPILL_TOTAL`), when
        what was read and the rest go to disk as they come. The first table fetched at 1M records (the
        papers', 1.5 GB) was taken whole, then spilled."""
        name = graph_table(item)
        if self._spilling(graph):
            self._stream_to_disk(graph, item, name)
            return
        budget = min(GRAPH_SPILL_TABLE, GRAPH_SPILL_TOTAL - graph.frozen_bytes())
        reader = self.eng.batches(name)
        read: deque[pa.RecordBatch] = deque()
        size = 0
        for batch in reader:
            read.append(batch)
            size += batch.nbytes
            if size >= budget:
                self._batches_to_disk(graph, item, pa.RecordBatchReader.from_batches(
                    reader.schema, _drained(read, reader)))
                return
        table = pa.Table.from_batches(read, reader.schema)
        read.clear()
        self.eng.adopt(name, table)
        graph.set_table(item, table)

    # -- report --------------------------------------------------------------------------------
    def _authors(self, graph: ColumnarGraph) -> _LazyAuthors:
        """``BuildResult.authors``, from the variants table: in memory, or in a file beside the graph's
        once the graph spills (held in the driver, it stayed there through the sink, for ``graphkit
        report --review`` only: at 500k records ~100 MB)."""
        self.eng.view("variants_out", "SELECT akey, family, given, n FROM variants")
        if not self._spilling(graph):
            return _LazyAuthors(self.eng.arrow("SELECT * FROM variants_out"))
        return _LazyAuthors.on_disk(self.eng.batches("variants_out"), self.engine_options.scratch())

    def _report(self, result: BuildResult, derived: dict[str, dict[str, Any]],
                results: list[TaskResult]) -> dict[str, Any]:
        eng = self.eng
        g = result.graph
        files: dict[str, dict[str, Any]] = {}
        totals = {"doi": 0, "year": 0, "authors": 0, "journal": 0}
        for row in self._input_figures["files"].to_pylist():
            kinds = sorted((row[f"{k}_at"], i, k) for i, k in enumerate(totals) if row[k])
            files[row["file"]] = {"format": row["fmt"], "records": row["records"],
                                  "missing": {k: row[k] for _, _, k in kinds}, "warnings": {}, "errors": {}}
            for k in totals:
                totals[k] += row[k]
        variants: list[dict[str, Any]] = []
        for row in eng.arrow(rules.AUTHOR_VARIANTS.format(limit=int(report_rules.VARIANTS_LISTED))).to_pylist():
            if not variants or variants[-1]["key"] != row["akey"]:
                variants.append({"key": row["akey"], "name": row["name"], "variants": []})
            variants[-1]["variants"].append({"family": row["family"], "given": row["given"], "count": row["n"]})
        shared = {r["nkey"]: list(r["orcids"]) for r in eng.arrow(rules.SHARED_NAMES).to_pylist()}
        no_issn = eng.arrow(rules.JOURNALS_WITHOUT_ISSN).to_pylist()
        invalid = [{"journal": r["jkey"], "value": r["v"]} for r in eng.arrow(rules.INVALID_ISSNS).to_pylist()]
        kw = eng.arrow(rules.KEYWORD_FIGURES).to_pylist()[0]
        unknown = {r["heading"]: 1 for r in self._input_figures["mesh_unknown"].to_pylist()}
        n_works = self._works
        rules_count: dict[str, int] = {}
        for d in result.duplicates:
            rules_count[d.rule] = rules_count.get(d.rule, 0) + 1
        co = derived.get("co-author", {})
        report = {
            "files": files,
            "records": result.records,
            "prisma": {"identified": result.records, "duplicates_removed": result.records - n_works,
                       "remaining": n_works},
            "duplicates": {"pairs_found": len(result.duplicates), "records_merged": result.records - n_works,
                           "by_rule": dict(sorted(rules_count.items())),
                           "pairs": [d.as_dict() for d in result.duplicates]},
            "missing": totals,
            "authors": {"count": g.count(Label.AUTHOR), "key_mode": self.options.author_key,
                        "with_variants": eng.arrow(rules.AUTHORS_WITH_VARIANTS).column("n")[0].as_py(),
                        "variants": variants, "names_shared_by_orcids": shared,
                        "possible_same_person": decisions_report(self._decisions),
                        "kept_apart": _kept_apart(g),
                        "overridden": self._overridden},
            "journals": {"count": g.count(Label.JOURNAL), "without_issn": no_issn, "invalid_issns": invalid},
            "keywords": {"count": kw["count"], "check_tags": kw["check_tags"]},
            "mesh": {"count": g.count(Label.MESH), "not_in_vocabulary": unknown},
            "coauthors": {"cap": co.get("cap", self.options.coauthor_cap),
                          "papers_over_cap": co.get("papers_over_cap", 0), "pairs": g.count(RelType.CO_AUTHOR)},
            "counts": g.counts(),
        }
        _add_diagnostics(report, self.paths, self.options.format, result.diagnostics)
        return report


@contextmanager
def _progress_of(folder: Path, progress: Progress, every: float = 0.5) -> Iterator[None]:
    """While the block runs, the resolver's progress file in ``folder`` read every ``every`` seconds by a
    thread of its own and reported as phase RESOLVER_PHASE (the resolver is another process, and this one
    runs the build's rules meanwhile); read a last time at the end."""
    seen = -1  # (none reported yet: the first report, even of 0, shows the phase and its total)

    def report() -> None:
        nonlocal seen
        got = read_progress(folder)
        if got is not None and got[0] > seen:
            progress(RESOLVER_PHASE, got[0] - max(seen, 0), got[1])
            seen = got[0]

    with repeated(report, every, "graphkit-resolver-progress"):
        yield


def _in_order(batches: pa.RecordBatchReader, name: str) -> Iterator[pa.RecordBatch]:
    """The batches without their first column, the row positions, checked to be 0, 1, 2, ...: columns
    out of their table's order would be wrong silently."""
    import numpy as np

    at = 0
    for batch in batches:
        pos = batch.column(0).to_numpy()
        if not np.array_equal(pos, np.arange(at, at + len(pos))):
            raise EngineError(f"{name}: the derived columns came out of the table's row order")
        at += len(pos)
        yield batch.drop_columns([batch.schema.names[0]])


def _written_columns(targets: Sequence[str], item: Label | RelType) -> list[str]:
    """The properties of ``item`` a derived entry declares it writes (``Paper.cited_by``: cited_by),
    when it declares no more of that table; else [] (the whole table)."""
    if not isinstance(item, Label) or item.value in targets:
        return []
    return [t.split(".", 1)[1] for t in targets if t.startswith(item.value + ".")]


def _kept_apart(graph: ColumnarGraph) -> list[dict]:
    """The report's kept-apart authors (:func:`kept_apart_table`) from five columns of the Author table."""
    return kept_apart_table(graph.arrow(Label.AUTHOR).select(["key", "name", "family", "given", "orcid"]))


def run_tasks_from(tasks, results, progress: Progress):
    """Task results computed elsewhere (Spark executors), with diagnostics shifted as run_tasks does."""
    from dataclasses import replace

    offset = 0
    for task, res in zip(tasks, results):
        if task.start == 0:
            offset = 0
        if offset:
            res.diagnostics = [replace(d, record=d.record + offset) if d.record is not None else d
                               for d in res.diagnostics]
        offset += res.ordinals
        progress("read+normalise", res.records, None)
        yield res


RESOLVER_INPUT = "occurrences.arrow"  # the file of write_resolver_input
RESOLVER_SLICE = 1 << 16  # occurrences turned into Python objects at a time while they are added
AUTHOR_KEYS = "akeys.arrow"  # the keys of resolve_author_keys_to_file
RESOLVER_ROWS = "places.arrow"  # the (wid, pos) of write_resolver_input_stream's rows
PROGRESS_FILE = "progress"  # the resolver's progress (write_progress)
RESOLVER_PHASE = "resolve authors"  # the progress phase of the author resolver
PICKLED_RESOLVER = "resolver.pickle"  # the prepared resolver, as the adding process leaves it (AuthorResolver.dump)


def write_resolver_input(folder: Path, table: pa.Table) -> None:
    """The table of :func:`resolve_author_keys` as an Arrow file in ``folder``, for
    :func:`resolve_author_keys_from` to map."""
    folder.mkdir(parents=True, exist_ok=True)
    write_arrow_file(folder / RESOLVER_INPUT, table)


def write_resolver_input_stream(folder: Path, rows: pa.RecordBatchReader, keywords: pa.Table) -> int:
    """:func:`write_resolver_input` of a stream of rows in paper-key order (pkey, wid, pos, family, given,
    orcid, aff, jkey, first: ``first`` marks each paper's first row), each first row given its paper's
    keyword list from ``keywords`` (source, kws; in source order), one batch in memory at a time. The
    rows' (wid, pos) go to RESOLVER_ROWS beside it, for the caller to map when the keys come back. The
    rows written; an EngineError if they come out of paper-key order."""
    folder.mkdir(parents=True, exist_ok=True)
    kws_type = keywords.schema.field("kws").type
    schema = pa.schema([f for f in rows.schema if f.name != "first"] + [pa.field("kws", kws_type)])
    where = pa.schema([pa.field("wid", pa.int64()), pa.field("pos", pa.int64())])
    joined = _keywords_joined(rows, keywords)
    n = 0
    with pa.OSFile(str(folder / RESOLVER_INPUT), "wb") as sink, pa.ipc.new_file(sink, schema) as writer, \
            pa.OSFile(str(folder / RESOLVER_ROWS), "wb") as sink2, pa.ipc.new_file(sink2, where) as places:
        for batch in joined:
            writer.write_batch(batch)
            places.write_batch(pa.record_batch([batch.column("wid").cast(pa.int64()),
                                                batch.column("pos").cast(pa.int64())], schema=where))
            n += batch.num_rows
    return n


def _keywords_joined(rows: Iterable[pa.RecordBatch], keywords: pa.Table) -> Iterator[pa.RecordBatch]:
    """The batches of :func:`write_resolver_input_stream` with column ``first`` replaced by ``kws``: a merge
    of the two sorted inputs, ``keywords`` walked one window at a time."""
    sources, lists = keywords.column("source"), keywords.column("kws")
    at, last = 0, None  # (the keyword rows before ``at`` are behind every row to come)
    for batch in rows:
        if not batch.num_rows:
            continue
        pkey = batch.column("pkey")
        if (last is not None and pkey[0].as_py() < last) or (
                batch.num_rows > 1 and pc.any(pc.less(pkey.slice(1), pkey.slice(0, batch.num_rows - 1))).as_py()):
            raise EngineError("the author resolver's input came out of paper-key order")
        last = pkey[-1].as_py()
        end = at  # (the keyword rows up to the batch's last paper key)
        step = max(batch.num_rows, 1024)
        while end < len(sources) and sources[min(end + step, len(sources)) - 1].as_py() <= last:
            end = min(end + step, len(sources))
        if end < len(sources):  # (the rest inside the last window, found by a compare)
            window = sources.slice(end, step)
            end += pc.sum(pc.less_equal(window, pa.scalar(last, window.type))).as_py() or 0
        window_sources, window_lists = sources.slice(at, end - at), lists.slice(at, end - at)
        first = pc.if_else(batch.column("first"), pkey, pa.scalar(None, pkey.type))
        found = pc.index_in(first, value_set=window_sources.cast(pkey.type))
        kws = window_lists.take(found)
        at = end
        names = [n for n in batch.schema.names if n != "first"]
        yield pa.record_batch([batch.column(n) for n in names] + [kws.combine_chunks()], names=names + ["kws"])


def resolve_author_keys_from(folder: Path, mode: str, author_map: dict[str, str],
                             workers: int) -> tuple[pa.Array, list[Decision], int]:
    """:func:`resolve_author_keys` of the table :func:`write_resolver_input` wrote in ``folder``: memory
    mapped, and let go slice by slice as the occurrences are added (the passes run without it). The adding
    runs in a process of its own, which leaves the prepared resolver pickled in ``folder``
    (:meth:`AuthorResolver.prepare`) and ends; this process loads it then: the objects the adding frees
    (at 1M, 1.25 GB of 1.9 GB of arenas) go with that process, this one holds the resolver in compact
    arenas that its forked block workers share, and the two are never whole side by side (a result sent
    through a pipe is, and as pickled bytes on both ends besides)."""
    from graphkit.engine.resolver_shards import resolve_author_keys_sharded, shards_for

    if mode == "compatible":
        table = mapped_arrow_file(folder / RESOLVER_INPUT)
        shards = shards_for(table.num_rows)
        del table
        if shards != 1:  # (an input too large for one process: the resolver in shards of its name blocks)
            return resolve_author_keys_sharded(folder / RESOLVER_INPUT, author_map, workers, shards,
                                               folder / "shards", partial(write_progress, folder))
    write_progress(folder, 0, 2)  # (one resolver: its adding, then its passes)
    n = run_forked(_prepared_resolver, folder, mode, author_map, workers)
    write_progress(folder, 1, 2)
    path = folder / PICKLED_RESOLVER
    with path.open("rb") as f:
        resolver = AuthorResolver.load(f)
    path.unlink()
    resolved = _resolved(resolver, n)
    write_progress(folder, 2, 2)
    return resolved


def write_progress(folder: Path, done: int, total: int) -> None:
    """The resolver's progress in ``folder`` (PROGRESS_FILE: "done total"), replaced at once, for the
    build's process to read (:func:`read_progress`) while it works beside the resolver's."""
    tmp = folder / (PROGRESS_FILE + ".tmp")
    tmp.write_text(f"{done} {total}\n")
    os.replace(tmp, folder / PROGRESS_FILE)


def read_progress(folder: Path) -> tuple[int, int] | None:
    """What :func:`write_progress` last wrote in ``folder``, or None."""
    try:
        done, total = (folder / PROGRESS_FILE).read_text().split()
        return int(done), int(total)
    except (OSError, ValueError):
        return None


def resolve_author_keys_to_file(folder: Path, mode: str, author_map: dict[str, str],
                                workers: int) -> tuple[list[Decision], int]:
    """:func:`resolve_author_keys_from`, its keys written to AUTHOR_KEYS in ``folder`` (column ``akey``)
    for the caller to map, not sent back pickled (at 10M records ~0.8 GB, held twice in the receiving
    process while it is unpickled); the decisions and the number of rows the author map set."""
    keys, decisions, overridden = resolve_author_keys_from(folder, mode, author_map, workers)
    write_arrow_file(folder / AUTHOR_KEYS, pa.table({"akey": keys}))
    return decisions, overridden


def _prepared_resolver(folder: Path, mode: str, author_map: dict[str, str], workers: int) -> int:
    """Dump the :meth:`prepared <AuthorResolver.prepare>` resolver of the input file in ``folder`` to
    PICKLED_RESOLVER there (:meth:`AuthorResolver.dump`); how many occurrences it has."""
    table = mapped_arrow_file(folder / RESOLVER_INPUT)
    n = table.num_rows
    resolver = _fed_resolver(table, mode, author_map, workers)
    del table
    resolver.prepare()
    with (folder / PICKLED_RESOLVER).open("wb") as f:
        resolver.dump(f)
    return n


def resolve_author_keys(table: pa.Table, mode: str, author_map: dict[str, str],
                        workers: int) -> tuple[pa.Array, list[Decision], int]:
    """The author key of every row of ``table`` (pkey, wid, pos, family, given, orcid, aff, jkey, kws; one
    paper's authors together, in position order; its journal key ``jkey`` and sorted keyword keys ``kws``
    on its first row), the resolver's decisions and how many keys the map set."""
    return _resolved(_fed_resolver(table, mode, author_map, workers), table.num_rows)


def _fed_resolver(table: pa.Table, mode: str, author_map: dict[str, str], workers: int,
                  resolver: AuthorResolver | None = None) -> AuthorResolver:
    """An AuthorResolver with every row of ``table`` added (see :func:`resolve_author_keys`), not resolved
    yet (or ``resolver``, new, added to). The rows become Python objects a slice of whole papers at a time (at 1M records the whole input
    as lists was ~400 MB beside the resolver at the end of the adding), and a mapped table's pages are let
    go after each slice."""
    import numpy as np

    # (row k is occurrence k: the resolver numbers occurrences in the order they are added)
    if resolver is None:
        resolver = AuthorResolver(mode, author_map, workers=workers, variants=False)  # type: ignore[arg-type]
    shared: dict[str, str] = {}  # one string object per name as written and per journal key
    firsts = np.flatnonzero(paper_starts(table))
    n = table.num_rows
    # every name at once, numbered as adding them would (AuthorResolver.register_names)
    nforms = resolver.register_names(table.column("family"), table.column("given")) if mode == "compatible" else None
    drop_mapped_pages()
    p = 0  # the slice's first paper
    while p < len(firsts):
        q = int(np.searchsorted(firsts, firsts[p] + RESOLVER_SLICE, side="left"))
        q = max(q, p + 1)  # (one paper with more authors than a slice is one slice)
        lo, hi = int(firsts[p]), (int(firsts[q]) if q < len(firsts) else n)
        _add_papers(resolver, table.slice(lo, hi - lo), firsts[p:q] - lo, shared,
                    None if nforms is None else nforms[lo:hi].tolist())
        drop_mapped_pages()  # (the slice's pages, read once)
        p = q
    return resolver


def paper_starts(table: pa.Table) -> np.ndarray:
    """Whether each row of a resolver input (one paper's authors together, column ``wid``) starts a paper."""
    import numpy as np

    wids = table.column("wid").to_numpy()
    first = np.ones(len(wids), dtype=bool)
    first[1:] = wids[1:] != wids[:-1]
    return first


def _add_papers(resolver: AuthorResolver, part: pa.Table, firsts: np.ndarray, shared: dict[str, str],
                nforms: list[int] | None = None) -> None:
    """Add the papers of ``part``, whose first rows are at ``firsts`` (``nforms``: their authors' form
    numbers, from :meth:`AuthorResolver.register_names`)."""
    families = _shared_strings(part.column("family"), shared)
    givens = _shared_strings(part.column("given"), shared)
    orcids = part.column("orcid").to_pylist()
    affs = part.column("aff").to_pylist()
    at = pa.array(firsts, pa.int64())
    venues = _shared_strings(part.column("jkey").take(at), shared)
    keywords = part.column("kws").take(at).to_pylist()
    resolver.add_papers([f or "" for f in families], givens, orcids, affs, firsts.tolist(), venues, keywords,
                        nforms)


def _resolved(resolver: AuthorResolver, n: int) -> tuple[pa.Array, list[Decision], int]:
    resolver.resolve()
    keys = resolver.keys()
    assert len(keys) == n
    return pa.array(keys, pa.string()), resolver.decisions, resolver.overridden


def _drained(read: deque[pa.RecordBatch], rest: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The batches in ``read`` (each one let go as it is handed on), then those of ``rest``."""
    while read:
        yield read.popleft()
    yield from rest


def _shared_strings(column: pa.ChunkedArray | pa.Array, shared: dict[str, str] | None = None) -> list[str | None]:
    """``column.to_pylist()`` of a string column, with one ``str`` object per distinct value (the one in
    ``shared``, where given, which keeps each new value)."""
    import numpy as np

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    encoded = column.dictionary_encode()
    distinct = encoded.dictionary.to_pylist()
    if shared is not None:
        distinct = [shared.setdefault(v, v) for v in distinct]
    values = np.array([*distinct, None], dtype=object)
    at = pc.fill_null(encoded.indices, len(values) - 1).to_numpy(zero_copy_only=False)
    return values[at].tolist()  # type: ignore[no-any-return]


class MentionRows:
    """One extension's mentions in (paper key, record rank, row) order, tied to papers and authors, unpacked
    from the records' packed rows each time they are iterated: at 1M records the concepts extension has
    4.5M rows, which as a list of Mentions (a dict and strings each) held ~2 GB at once. A record's (paper
    key, rank) is its own (the rank numbers the records of a work), so the records are sorted, not the
    rows."""

    def __init__(self, pending: list[tuple[int, bytes, bool]], at: dict[int, tuple[str, int, int]],
                 keys_of: dict[str, list[str | None]], info: dict[int, tuple[Any, int]]) -> None:
        self._records = sorted(pending, key=lambda entry: at[entry[0]][:2])
        self._at, self._keys_of, self._info = at, keys_of, info

    def __iter__(self) -> Iterator[Mention]:
        at, keys_of, info = self._at, self._keys_of, self._info
        for rid, packed, positions in self._records:
            key, rnk, kept = at[rid]
            source, n_auth = info[rid]
            keys: list[str | None] | None = None
            if positions:
                by_position = keys_of.get(key, [])
                by_position = by_position + [None] * (kept - len(by_position))
                keys = by_position if n_auth == len(by_position) else None
            for row in unpack_rows(packed):
                author = None
                pos = row.get("author_position")
                if keys is not None and isinstance(pos, int) and 1 <= pos <= len(keys):
                    author = keys[pos - 1]
                yield Mention(row, key, source, author)

    def __len__(self) -> int:
        return sum(len(unpack_rows(packed)) for _, packed, _ in self._records)


def _add_diagnostics(report: dict[str, Any], paths: list[str], fmt: str, diagnostics: list[Diagnostic]) -> None:
    """Per-file warning/error counts and files without records, as build_from_files adds them."""
    files = report["files"]
    for path in paths:
        files.setdefault(str(path), {"format": fmt, "records": 0, "missing": {}, "warnings": {}, "errors": {}})
    for d in diagnostics:
        entry = files.setdefault(d.source.file, {"format": d.source.format, "records": 0, "missing": {},
                                                 "warnings": {}, "errors": {}})
        bucket = entry["errors" if d.severity == "error" else "warnings"]
        bucket[d.kind] = bucket.get(d.kind, 0) + 1
    report["files"] = {str(p): files[str(p)] for p in paths} | files


def sql_steps(eng: Engine, steps: Sequence[Step], names: dict[str, str]) -> Iterator[tuple[str, list[str]]]:
    """A derived rule's SQL steps as ``(target, queries)`` in order, the table names filled in: one query,
    or one per part of a :class:`PartedStep` (their rows together are the target's table). Each work
    table is built when its turn comes (its step looped, or part by part: :class:`WorkTable`) and all of
    them are dropped once the caller has run the last query."""
    work: dict[str, str] = {}
    made: list[str] = []
    try:
        for step in steps:
            if isinstance(step, WorkTable):
                work[step.name] = _work_table(eng, step, {**names, **work}, made)
            elif isinstance(step, PartedStep):
                n = _parts(eng, step.parts, {**names, **work})
                yield step.target, [step.sql.format(**names, **work, part=i, parts=n) for i in range(n)]
            else:
                target, sql = step
                yield target, [sql.format(**names, **work)]
    finally:
        for table in reversed(made):
            eng.drop(table)


def _parts(eng: Engine, parts: Parts, names: dict[str, str]) -> int:
    """How many parts a step runs in (:class:`Parts`)."""
    rows = eng.arrow(f"SELECT count(*) AS n FROM {parts.sized.format(**names)}").column("n")[0].as_py()
    n = max(1, -(-rows // parts.rows))
    log.debug("in %d part(s): %s rows of %s, %s per part", n, f"{rows:,}", parts.sized.strip("{}"), f"{parts.rows:,}")
    return n


def _work_table(eng: Engine, table: WorkTable, names: dict[str, str], made: list[str]) -> str:
    """Build ``table`` in the engine (its step looped until a round adds no rows, or part by part, then
    read through one view); its name there. Every table it made is added to ``made``."""
    name = f"work_{table.name}"
    n = _parts(eng, table.parts, names) if table.parts is not None else 1
    if n > 1:
        for i in range(n):
            made.append(f"{name}_p{i}")
            eng.create(f"{name}_p{i}", table.sql.format(**names, part=i, parts=n))
        made.append(name)
        eng.view(name, " UNION ALL ".join(f"SELECT * FROM {name}_p{i}" for i in range(n)))
        return name
    made.append(name)
    eng.create(name, table.sql.format(**names, part=0, parts=1))  # (a step without parts reads neither)
    if table.step is None:
        return name
    count = "SELECT count(*) AS n FROM {}"
    rows = eng.arrow(count.format(name)).column("n")[0].as_py()
    for _ in range(table.rounds):
        eng.create(name + "_next", table.step.format(**{**names, table.name: name}))
        now = eng.arrow(count.format(name + "_next")).column("n")[0].as_py()
        eng.create(name, f"SELECT * FROM {name}_next")
        eng.drop(name + "_next")
        if now == rows:  # a round that added no rows: the closure is complete
            break
        rows = now
    return name


def _item(value: str) -> Label | RelType:
    try:
        return Label(value)
    except ValueError:
        return RelType(value)


def _select_graph(item: Label | RelType, source: str, available: set[str] | None = None) -> str:
    """The graph table of ``item`` from a rule table with the schema's column names, typed. A property
    the rule table does not have (one an extension or a derived entry fills later) starts as NULL."""
    spark_types = {"str": "STRING", "int": "BIGINT", "bool": "BOOLEAN", "list[str]": "ARRAY<STRING>"}

    def col(p: str, t: str) -> str:
        value = p if available is None or p in available else "NULL"
        return f"CAST({value} AS {spark_types[t]}) AS {p}"

    if isinstance(item, Label):
        cols = [col(p, t) for p, t in NODE_PROPERTIES[item].items() if p != "papers"]
        if "papers" in NODE_PROPERTIES[item]:
            cols.append("CAST(NULL AS BIGINT) AS papers" if source in GRAPH_SOURCES.values()
                        else "CAST(papers AS BIGINT) AS papers")
    else:
        cols = ["source", "target"] + [col(p, t) for p, t in EDGE_PROPERTIES[item].items()]
    return f"SELECT {', '.join(cols)} FROM {source}"


class _LazyAuthors(Mapping):
    """``BuildResult.authors`` (key -> AuthorInfo with its name variants), built on first use from the
    variants table (only ``graphkit report --review`` reads it)."""

    def __init__(self, table: pa.Table | None, path: str | None = None) -> None:
        self._table = table
        self._path = path  # (on_disk: the table's file)
        self._data: dict[str, AuthorInfo] | None = None

    @classmethod
    def on_disk(cls, batches: pa.RecordBatchReader, directory: str | None) -> _LazyAuthors:
        """The variants streamed to an Arrow file in a scratch directory made in ``directory`` (removed
        with the mapping), read when first used."""
        folder = tempfile.mkdtemp(prefix="graphkit-variants-", dir=directory)
        path = os.path.join(folder, "variants.arrow")
        write_arrow_stream(path, batches)
        authors = cls(None, path)
        weakref.finalize(authors, shutil.rmtree, folder, True)
        return authors

    def _load(self) -> dict[str, AuthorInfo]:
        if self._data is None:
            data: dict[str, AuthorInfo] = {}
            table = self._table if self._table is not None else mapped_arrow_file(self._path)
            for row in table.to_pylist():
                key = row["akey"]
                info = data.get(key)
                if info is None:
                    info = data[key] = AuthorInfo(key, key[6:] if key.startswith("orcid:") else None)
                info.variants[(row["family"], row["given"])] = row["n"]
            self._data = data
            self._table = None  # type: ignore[assignment]
        return self._data

    def __getitem__(self, key: str) -> AuthorInfo:
        return self._load()[key]

    def __iter__(self):
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())
