"""Read and normalise input files into the engine's Parquet tables, in worker processes.

The files are cut into record-aligned tasks exactly as the parallel reader cuts them
(:mod:`graphkit.readers.parallel`: whole small files, byte ranges of large RIS/MEDLINE/WoS files).
Each task runs in a worker: it reads its records, turns each into table rows
(:func:`graphkit.engine.normalise.normalise_record`) and the registered extensions' rows, and writes
one Parquet file per table into the work directory, in batches, so memory stays bounded whatever the
input size. Only diagnostics and extension rows travel back to the main process, the rows of each record
and extension packed into one bytes object (:func:`pack_rows`): at 1M records they wait through the
whole build for the extensions' turn, and as dicts they took ~1.5 GB of the main process, as bytes a
tenth of that. The Spark engine runs the same task function on its executors.

Record ids (``rid``) are ``task << 32 | ordinal in task``: ordered as a serial read of the files.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from graphkit.build import no_cyclic_gc
from graphkit.engine.normalise import SCHEMAS, TableBuffer, normalise_record
from graphkit.extend import extensions
from graphkit.memory import exit_with_parent
from graphkit.model import Diagnostic, Record, Source
from graphkit.progress import Progress, null_progress
from graphkit.readers import read
from graphkit.readers.parallel import CHUNK_BYTES, ENCODING_KIND, _plan, _run, _Task

log = logging.getLogger(__name__)

BATCH_RECORDS = 20_000  # records per Parquet row group: bounds a worker's memory
RID_SHIFT = 32


@dataclass(slots=True)
class TaskResult:
    tid: int
    path: str
    start: int
    records: int
    ordinals: int
    diagnostics: list[Diagnostic]
    # rid, extension, its rows (pack_rows), whether a row names an author_position
    ext_rows: list[tuple[int, int, bytes, bool]] = field(default_factory=list)
    ext_errors: list[int] = field(default_factory=list)
    record_info: dict[int, tuple[Source, int]] = field(default_factory=dict)  # rid -> source, authors
    blocks: list[int] | None = None  # per diagnostic: the serial read block it comes out in (block readers)


def pack_rows(rows: list[dict[str, Any]]) -> bytes:
    """One record's rows of one extension as one bytes object (pickle: any value an extension puts in a
    row comes back as it was, :func:`unpack_rows`)."""
    return pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)


def unpack_rows(packed: bytes) -> list[dict[str, Any]]:
    """The rows :func:`pack_rows` packed (only ever bytes this build's own workers made)."""
    rows: list[dict[str, Any]] = pickle.loads(packed)  # noqa: S301 (our own workers' output)
    return rows


def names_position(rows: list[dict[str, Any]]) -> bool:
    """Whether a row ties itself to an author by position (``author_position``, an int)."""
    return any(isinstance(row.get("author_position"), int) for row in rows)


def ext_entry(rid: int, ext: int, rows: list[dict[str, Any]]) -> tuple[int, int, bytes, bool]:
    """An entry of :attr:`TaskResult.ext_rows`."""
    return rid, ext, pack_rows(rows), names_position(rows)


def _keep(record: Record) -> Record:
    return record


class _Writers:
    """Parquet writers per table for one task, opened on first rows (local path or pyarrow URI)."""

    def __init__(self, outdir: str, tid: int) -> None:
        self.outdir = outdir
        self.tid = tid
        self.open: dict[str, Any] = {}

    def write(self, tables) -> None:
        import pyarrow.parquet as pq

        for name, table in tables.items():
            if not table.num_rows:
                continue
            w = self.open.get(name)
            if w is None:
                target = f"{self.outdir.rstrip('/')}/{name}/part-{self.tid:06d}.parquet"
                if "://" not in target:
                    Path(target).parent.mkdir(parents=True, exist_ok=True)
                w = self.open[name] = pq.ParquetWriter(target, SCHEMAS[name])
            w.write_table(table)

    def close(self) -> None:
        for w in self.open.values():
            w.close()


def normalise_task(task: _Task, tid: int, mode: str, outdir: str) -> TaskResult:
    """In a worker: read one task, write its table rows as Parquet under ``outdir``. A whole file (a
    file that is not cut into ranges: PubMed XML, gzip, BibTeX, CSV, or any file when one worker reads)
    is normalised as its records are read, BATCH_RECORDS at a time. Its records were all read first: with
    PubMed XML files of 500,000 records each worker grew ~33 MB/s (1.78 GB after 54 s) before a row was
    written."""
    with no_cyclic_gc():  # records and rows are acyclic: reference counting frees them
        if task.end is None:
            return normalise_items(read(task.path, task.format), TaskResult(tid, task.path, task.start, 0, 0, []),
                                   mode, outdir)
        result = _run(replace(task, transform=_keep))
        out = TaskResult(tid, task.path, task.start, 0, result.ordinals, [])
        if result.blocks is not None:
            out.blocks = [b for b, item in zip(result.blocks, result.items) if isinstance(item, Diagnostic)]
        items, result.items = result.items, []
        del result
        out = normalise_items(items, out, mode, outdir)
        # the records are freed here, while the collector is still paused: with it back on and millions
        # of objects alive, the first allocation would walk them all (a full collection per task)
        del items
    return out


def normalise_items(items: Iterable[Record | Diagnostic], out: TaskResult, mode: str, outdir: str) -> TaskResult:
    """Records (and diagnostics) already read -> table rows as Parquet under ``outdir``, counted into
    ``out`` (also used by the embedded store to convert its older record cache)."""
    tid = out.tid
    exts = extensions()
    out.ext_errors = [0] * len(exts)
    buffer = TableBuffer()
    writers = _Writers(outdir, tid)
    try:
        for item in items:
            if isinstance(item, Diagnostic):
                out.diagnostics.append(item)
                continue
            rid = (tid << RID_SHIFT) | out.records
            out.records += 1
            buffer.add(normalise_record(item, rid, mode))
            for i, ext in enumerate(exts):
                if ext.extract is None:
                    continue
                try:
                    rows = list(ext.extract(item))
                except Exception:  # an extractor bug must not cost the build; it is reported
                    if not out.ext_errors[i]:
                        log.exception("extension %s failed on a record of %s", ext.name, item.source)
                    out.ext_errors[i] += 1
                    continue
                if rows:
                    out.ext_rows.append(ext_entry(rid, i, rows))
                    out.record_info[rid] = (item.source, len(item.authors))
            if len(buffer) >= BATCH_RECORDS:
                writers.write(buffer.tables())
        writers.write(buffer.tables())
    finally:
        writers.close()
    return out


def serial_order(results: list[TaskResult]) -> list[Diagnostic]:
    """Every diagnostic in the order a serial read puts them out: a read block's encoding warnings
    before its other items (graphkit.readers.parallel._Held), per file."""
    out: list[Diagnostic] = []
    keyed: list[tuple[int, int, int, Diagnostic]] = []
    path = None
    for res in results:
        if res.path != path or res.start == 0:
            out.extend(d for *_, d in sorted(keyed, key=lambda k: k[:3]))
            keyed, path = [], res.path
        blocks = res.blocks or [0] * len(res.diagnostics)
        for block, d in zip(blocks, res.diagnostics):
            keyed.append((block if res.blocks is not None else 0,
                          0 if (res.blocks is not None and d.kind == ENCODING_KIND) else 1, len(keyed), d))
    out.extend(d for *_, d in sorted(keyed, key=lambda k: k[:3]))
    return out


def small_input(paths: list[str], chunk_bytes: int | None = None) -> bool:
    """Input not worth a process pool: at most one chunk in all (a pool's start-up, each worker's imports
    and vocabulary loads cost more than reading a few MB in this process)."""
    return sum(os.path.getsize(p) if os.path.isfile(p) else 0 for p in paths) <= (chunk_bytes or CHUNK_BYTES)


def plan_tasks(paths: list[str], fmt: str, workers: int, chunk_bytes: int | None = None) -> list[_Task]:
    """Record-aligned tasks: byte ranges of large files when more than one worker runs."""
    if workers > 1:
        return _plan(paths, fmt, chunk_bytes or CHUNK_BYTES)
    return [_Task(p, fmt) for p in paths]


def run_tasks(tasks: list[_Task], mode: str, outdir: str | Sequence[str], workers: int,
              progress: Progress = null_progress, *, tids: Sequence[int] | None = None,
              isolate: bool = False) -> Iterator[TaskResult]:
    """Every task's result, in task order, diagnostics' record ordinals shifted to their file's.
    ``outdir`` may be one per task and ``tids`` the task ids (record id prefixes; default 0, 1, ...):
    the embedded store gives each held file its own tables and id range. ``isolate``: one worker
    process reads even when one is all there is, so the memory the reading leaves behind (freed Python
    objects this process would keep) goes with it."""
    results: Iterable[TaskResult]
    dirs = [outdir] * len(tasks) if isinstance(outdir, str) else list(outdir)
    ids = list(range(len(tasks))) if tids is None else list(tids)
    if (workers <= 1 or len(tasks) <= 1) and not isolate:
        results = _in_process(tasks, mode, dirs, ids)
    else:
        results = _pooled(tasks, mode, dirs, ids, max(1, min(workers, len(tasks))))
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


def _in_process(tasks: list[_Task], mode: str, dirs: list[str], ids: list[int]) -> Iterator[TaskResult]:
    """The tasks read in this process, one after the other (a function, not a generator expression kept in
    :func:`run_tasks`: compiled, that is a reference cycle per call; tests/test_compiled.py)."""
    for task, i, outdir in zip(tasks, ids, dirs):
        yield normalise_task(task, i, mode, outdir)


def _pooled(tasks: list[_Task], mode: str, dirs: list[str], ids: list[int], workers: int) -> Iterator[TaskResult]:
    _load_before_fork()
    with ProcessPoolExecutor(max_workers=workers, initializer=exit_with_parent) as pool:
        pending: deque[Future] = deque()
        for task, i, outdir in zip(tasks, ids, dirs):
            pending.append(pool.submit(normalise_task, task, i, mode, outdir))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _load_before_fork() -> None:
    """What every worker would load for itself and this process needs later too, loaded here once
    before the workers fork (they inherit it): the bundled MeSH table (~0.3 s) and pandas, which pyarrow
    imports on the first ``pa.array`` of a Python list (~0.3 s)."""
    import pyarrow as pa

    from graphkit.resolve.mesh import vocabulary

    pa.array([0])
    vocabulary()


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)
