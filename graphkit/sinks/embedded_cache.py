"""The embedded store's record cache: every held file as the columnar core's Parquet input tables.

Inside a generation (:mod:`graphkit.store_dir`), one folder per held file::

    records/<sha256>.<slot>/rec/part-<task>.parquet   one folder per input table of graphkit.engine.normalise
    records/<sha256>.<slot>/occ/...                    (rec, occ, kw, mesh, mq, ref), as the workers wrote them
    records/<sha256>.<slot>/ext.parquet                the registered extensions' rows of its records

A file is read and normalised once, when it is ingested (in worker processes, straight into its
folder); every later rebuild of the store (adding a file, ``graphkit rebuild``, new options) hands these
tables to the columnar core (:func:`graphkit.engine.core.build_columnar` with ``prepared``) and parses
nothing again. Unchanged folders are hard-linked from generation to generation.

Record ids are ``slot << 48 | task << 32 | ordinal``: ``slot`` is the file's place in the manifest
(files are appended, a replaced file keeps its place), so the tables of all held files together are in
the order of reading the files in ingest order, as the core requires.

What the tables depend on besides the file: the author key mode (column ``occ.nkey``; a rebuild with
another ``--author-key`` rewrites that column from the cached name pieces, :func:`retarget`) and the
normalisation code itself (:data:`CACHE_ID`: a cache from another graphkit version is rebuilt from the
source file when it is still there unchanged, else the user is told to ingest it again). Stores of an
earlier graphkit kept parsed records as gzip JSON (``records/<sha256>.jsonl.gz``); a write converts them
(:func:`convert_json`) without needing the source files.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphkit import __version__
from graphkit.faults import crash_point
from graphkit.model import Diagnostic, JournalRef, MeshRef, Person, Record, Source
from graphkit.progress import Progress
from graphkit.store_dir import StoreError

log = logging.getLogger(__name__)

SLOT_SHIFT = 16  # task ids: slot << 16 | task of the file (record ids shift them by 32 more)
MAX_TASKS = 1 << SLOT_SHIFT
MAX_SLOTS = 1 << 15  # record ids stay positive int64
EXT_FILE = "ext.parquet"


def _cache_id() -> str:
    """Fingerprint of what the cached tables depend on in the code: the table schemas, the registered
    extensions and the graphkit version."""
    from graphkit.engine.normalise import SCHEMAS
    from graphkit.extend import extensions

    parts = [__version__, {name: str(schema) for name, schema in SCHEMAS.items()}, [e.name for e in extensions()]]
    return hashlib.sha1(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:12]


def cache_id() -> str:
    global _CACHE_ID
    if _CACHE_ID is None:
        _CACHE_ID = _cache_id()
    return _CACHE_ID


_CACHE_ID: str | None = None


def nkey_mode(author_key: str) -> str:
    """The name-key mode the normaliser writes into ``occ.nkey`` for an ``--author-key`` mode."""
    return "initial" if author_key == "compatible" else author_key


def folder(digest: str, slot: int) -> str:
    return f"records/{digest}.{slot}"


def task_id(slot: int, task: int) -> int:
    if not 0 <= slot < MAX_SLOTS:
        raise StoreError(f"the store holds too many files ({slot}; at most {MAX_SLOTS})")
    if task >= MAX_TASKS:
        raise StoreError(f"a file is cut into more than {MAX_TASKS} read tasks; ingest it in parts")
    return slot << SLOT_SHIFT | task


def next_slot(entries: list[dict[str, Any]]) -> int:
    return max((e["slot"] for e in entries if "slot" in e), default=-1) + 1


def is_json_cache(entry: dict[str, Any]) -> bool:
    return entry["kind"] == "file" and str(entry.get("cache", "")).endswith(".jsonl.gz")


def cache_files(gen: Path, entry: dict[str, Any]) -> list[str]:
    """Paths (relative to the generation) of every file of one entry's cache."""
    root = gen / entry["cache"]
    if root.is_file():
        return [entry["cache"]]
    if not root.is_dir():
        return []
    return sorted(p.relative_to(gen).as_posix() for p in root.rglob("*") if p.is_file())


# -- writing the cache: files read and normalised in worker processes ------------------------------

@dataclass(slots=True)
class Job:
    path: str
    fmt: str
    slot: int
    cache: str  # folder relative to the generation


@dataclass(slots=True)
class Normalised:
    records: int
    diagnostics: list[Diagnostic]
    ext_errors: dict[str, int]


def normalise_files(gen: Path, jobs: list[Job], author_key: str, workers: int | None,
                    progress: Progress) -> list[Normalised]:
    """Read and normalise ``jobs`` (one pool for all) into their cache folders in ``gen``."""
    from graphkit.engine.ingest import default_workers, plan_tasks, run_tasks, serial_order, small_input

    small = small_input([j.path for j in jobs])
    if not workers:  # as the core decides: a pool only for input worth its start-up
        workers = 1 if small else default_workers()
    tasks, tids, dirs, owner = [], [], [], []
    for j, job in enumerate(jobs):
        planned = plan_tasks([job.path], job.fmt, workers)
        for i, task in enumerate(planned):
            tasks.append(task)
            tids.append(task_id(job.slot, i))
            dirs.append(str(gen / job.cache))
            owner.append(j)
    results: list[list] = [[] for _ in jobs]
    for j, res in zip(owner, run_tasks(tasks, nkey_mode(author_key), dirs, workers, progress, tids=tids,
                                             isolate=not small)):
        results[j].append(res)
    out = []
    for job, got in zip(jobs, results):
        write_ext(gen / job.cache, got)
        crash_point("records:written")
        out.append(Normalised(sum(r.records for r in got), serial_order(got), _ext_errors(got)))
    return out


def _ext_errors(results: list) -> dict[str, int]:
    from graphkit.extend import extensions

    names = [e.name for e in extensions()]
    return {name: sum(r.ext_errors[i] for r in results if r.ext_errors) for i, name in enumerate(names)}


def write_ext(folder_path: Path, results: list) -> None:
    """The extension rows of a file's task results as one Parquet table (rows as JSON per record and
    extension: their shape belongs to each extension)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from graphkit.engine.ingest import unpack_rows
    from graphkit.extend import extensions

    names = [e.name for e in extensions()]
    cols: dict[str, list[Any]] = {k: [] for k in ("rid", "ext", "rows", "file", "line", "format", "authors")}
    for res in results:
        for rid, i, packed, _ in res.ext_rows:
            source, n_auth = res.record_info[rid]
            rows = unpack_rows(packed)
            text = json.dumps(rows, ensure_ascii=False)
            if json.loads(text) != rows:
                raise StoreError(f"extension {names[i]} gave rows that JSON does not keep as they are "
                                 f"({source}); the store cannot cache them")
            for k, v in zip(cols, (rid, names[i], text, source.file, source.line, source.format, n_auth)):
                cols[k].append(v)
    folder_path.mkdir(parents=True, exist_ok=True)
    types = {"rid": pa.int64(), "ext": pa.string(), "rows": pa.string(), "file": pa.string(), "line": pa.int64(),
             "format": pa.string(), "authors": pa.int64()}
    table = pa.table({k: pa.array(v, types[k]) for k, v in cols.items()})
    pq.write_table(table, folder_path / EXT_FILE)


# -- reading the cache for a build --------------------------------------------------------------------

def stage(gen: Path, entries: list[dict[str, Any]], workdir: Path) -> None:
    """The engine's input folders (workdir/tables/<table>/) as symbolic links to the cached parts."""
    from graphkit.engine.normalise import SCHEMAS

    for name in SCHEMAS:
        target = workdir / "tables" / name
        target.mkdir(parents=True, exist_ok=True)
        for entry in entries:
            src = gen / entry["cache"] / name
            if not src.is_dir():
                continue
            for part in sorted(src.glob("*.parquet")):
                os.symlink(part.resolve(), target / part.name)


def load_results(gen: Path, entries: list[dict[str, Any]]) -> list:
    """Task results as the core needs them (records, extension rows) from the cached files, in slot order."""
    import pyarrow.parquet as pq

    from graphkit.engine.ingest import TaskResult, ext_entry
    from graphkit.extend import extensions

    index = {e.name: i for i, e in enumerate(extensions())}
    out = []
    for entry in sorted(entries, key=lambda e: e["slot"]):
        res = TaskResult(task_id(entry["slot"], 0), entry["path"], 0, entry["records"], entry["records"], [],
                         ext_errors=[entry.get("ext_errors", {}).get(name, 0) for name in index])
        path = gen / entry["cache"] / EXT_FILE
        try:
            table = pq.read_table(path)
        except (OSError, ValueError) as exc:
            raise StoreError(f"the store's cache file {path} is missing or damaged ({exc}); delete the store "
                             "and ingest the files again") from None
        for rid, ext, rows, file, line, fmt, n_auth in zip(*(table.column(c).to_pylist() for c in table.column_names)):
            res.ext_rows.append(ext_entry(rid, index[ext], json.loads(rows)))
            res.record_info[rid] = (Source(file, line, fmt), n_auth)
        out.append(res)
    return out


# -- keeping the cache usable ---------------------------------------------------------------------------

def retarget(gen: Path, entry: dict[str, Any], author_key: str) -> None:
    """Rewrite ``occ.nkey`` of one entry for another author key mode (the generation's own copy: the
    hard link to the older generation's file is replaced, never written through)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from graphkit.resolve.authors import name_key

    mode = nkey_mode(author_key)
    if entry.get("mode") == mode:
        return
    for part in sorted((gen / entry["cache"] / "occ").glob("*.parquet")):
        table = pq.read_table(part)
        keys = [name_key(Person(f or "", g), mode) for f, g in  # type: ignore[arg-type]
                zip(table.column("family").to_pylist(), table.column("given").to_pylist())]
        i = table.schema.get_field_index("nkey")
        table = table.set_column(i, table.schema.field(i), pa.array(keys, pa.string()))
        tmp = part.with_name(part.name + ".tmp")
        pq.write_table(table, tmp)
        part.unlink()
        tmp.rename(part)
    entry["mode"] = mode


def convert_json(gen: Path, entry: dict[str, Any], slot: int, author_key: str) -> None:
    """An entry cached as gzip JSON records (graphkit before the Parquet cache) -> the Parquet folder
    (normalised in this process); the JSON file leaves the new generation."""
    from graphkit.engine.ingest import TaskResult, normalise_items

    old = gen / entry["cache"]
    new = folder(entry["sha256"], slot)
    res = TaskResult(task_id(slot, 0), entry["path"], 0, 0, 0, [])
    normalise_items(_json_records(old), res, nkey_mode(author_key), str(gen / new))
    write_ext(gen / new, [res])
    old.unlink()
    entry.update(cache=new, slot=slot, records=res.records, mode=nkey_mode(author_key), cache_id=cache_id(),
                 ext_errors=_ext_errors([res]))
    crash_point("records:written")


def _json_records(path: Path) -> Iterator[Record]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                obj = json.loads(line)
                obj["source"] = Source(**obj["source"])
                obj["authors"] = [Person(**p) for p in obj.get("authors") or []]
                obj["journal"] = JournalRef(**obj["journal"]) if obj.get("journal") else None
                obj["mesh"] = [MeshRef(**m) for m in obj.get("mesh") or []]
                yield Record(**obj)
    except OSError as exc:
        raise StoreError(f"the store's cache file {path} is missing or damaged ({exc}); "
                         "delete the store and ingest again") from None
