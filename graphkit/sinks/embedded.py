"""The embedded store (the default): a LadybugDB graph database in a directory, no server.

The directory (``graphkit.db/`` by default) is laid out by :mod:`graphkit.store_dir`: a marker file, a
``CURRENT`` pointer and generation directories, each complete::

    gen-000003/graph.lbug              LadybugDB database (node tables per Label, rel tables per RelType)
    gen-000003/search.sqlite           SQLite FTS5 full-text index of that graph (graphkit.search)
    gen-000003/manifest.json           build options + the files (path, sha256, records) and graphs it holds
    gen-000003/records/<sha>.<slot>/   each ingested file as the columnar core's Parquet input tables
                                       (the rebuild cache: graphkit.sinks.embedded_cache)
    gen-000003/graphs/<n>.jsonl.gz     graphs merged in with write_graph

LadybugDB bulk-loads only through ``COPY`` into empty tables (its MERGE path is ~200x slower), so every
change is a rebuild: a new file is read and normalised once (worker processes, straight into its cache
folder); the cached tables of all held files -> the columnar core
(:func:`graphkit.engine.core.build_columnar`) -> a fresh database filled by ``COPY`` from the graph's
Arrow tables, and the full-text index written in bulk. Adding file B to a store holding A therefore
gives exactly the graph of ingesting A and B at once, without parsing A again; re-ingesting an unchanged
file changes nothing. Changes made with ``cypher --write`` live in the database only and are lost at the
next rebuild.

**One writer, many readers.** Every write (``ingest``, ``write_graph``, ``rebuild``, ``run(write=True)``)
holds the writer lock (:mod:`graphkit.store_lock`), builds a new generation beside the current one
(unchanged record caches are hard-linked, not copied) and switches the pointer by one atomic rename;
a crash leaves the old generation or the new one, and the next writer deletes the orphan. Reads open the
generation the pointer names, read-only, and never write anything: a store made by another graphkit
version is reported with the command that fixes it, and only a writer, under the lock, rebuilds it.
Each step of a write is a :func:`graphkit.faults.crash_point`, where ``bench/crash.py`` kills it.
"""

from __future__ import annotations

import copy
import dataclasses
import gzip
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from graphkit import search as fts
from graphkit.build import BuildOptions, BuildResult, build_graph
from graphkit.columnar import ColumnarGraph
from graphkit.cypher_compat import for_ladybug
from graphkit.derive import derive_all
from graphkit.cypher_guard import strip_literals
from graphkit.faults import crash_point
from graphkit.graph import Graph
from graphkit.memory import start_forked
from graphkit.model import Diagnostic
from graphkit.progress import Progress, null_progress
from graphkit.schema import EDGE_PROPERTIES, ENDPOINTS, NODE_PROPERTIES, Label, RelType
from graphkit.sinks import embedded_cache as cache
from graphkit.sinks.embedded_index import as_columnar, build_index as write_index
from graphkit.store_dir import Pin, StoreDir, StoreError, legacy_files
from graphkit.store_lock import DEFAULT_WAIT, WriterLock

log = logging.getLogger(__name__)

MANIFEST_VERSION = 1
# Fingerprint of the typed schema: a store built under another one (an older graphkit) must be rebuilt
# from its cached records (`graphkit rebuild`, or any ingest) before it can be read.
SCHEMA_ID = hashlib.sha1(json.dumps(
    [{str(k): v for k, v in NODE_PROPERTIES.items()}, {str(k): v for k, v in EDGE_PROPERTIES.items()}],
    sort_keys=True).encode()).hexdigest()[:12]
DB_FILE = "graph.lbug"
INDEX_FILE = "search.sqlite"
MANIFEST_FILE = "manifest.json"

# term label -> the relationship whose links its derived ``papers`` property counts
TERM_LINKS = {Label.KEYWORD: RelType.HAS_KEYWORD, Label.MESH: RelType.HAS_MESH}

# schema type name -> LadybugDB column type
LADYBUG_TYPES = {"str": "STRING", "int": "INT64", "bool": "BOOLEAN", "list[str]": "STRING[]"}

# Clauses that change data or the catalog; a read-only run refuses a statement containing one.
WRITE_CLAUSES = ("CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE", "DROP", "ALTER", "COPY", "LOAD",
                 "INSTALL", "ATTACH", "DETACH", "IMPORT", "EXPORT", "CHECKPOINT", "BEGIN", "COMMIT",
                 "ROLLBACK", "USE")
_WRITE_RE = re.compile(r"(?<![.\w$])(" + "|".join(WRITE_CLAUSES) + r")(?!\w)", re.IGNORECASE)


def write_clauses(cypher: str) -> list[str]:
    """The write clauses a statement contains (outside strings, identifiers in backticks and comments)."""
    return sorted({m.group(1).upper() for m in _WRITE_RE.finditer(strip_literals(cypher))})


def _empty_manifest() -> dict[str, Any]:
    return {"version": MANIFEST_VERSION, "options": None, "entries": []}


class _Write:
    """One write in progress: the base generation it starts from and the new one it builds."""

    def __init__(self, store: EmbeddedStore, base: Path | None, manifest: dict[str, Any], legacy: bool) -> None:
        self.store = store
        self.base = base  # the current generation (the store directory itself for a legacy store)
        self.base_manifest = manifest
        self.manifest = copy.deepcopy(manifest)  # changed freely; written into the new generation
        self.legacy = legacy
        self._gen: Path | None = None

    @property
    def gen(self) -> Path:
        """The new generation's directory (made on first use)."""
        if self._gen is None:
            self._gen = self.store.dir.new_generation()
            crash_point("generation:created")
        return self._gen

    def carry_caches(self) -> None:
        """Give the new generation every cache file its manifest names (hard links from the base)."""
        for entry in self.manifest["entries"]:
            if (self.gen / entry["cache"]).exists():
                continue
            files = cache.cache_files(self.base, entry) if self.base is not None else []
            if not files:
                raise StoreError(f"the store's cache {entry['cache']} is missing; delete {self.store.path} "
                                 "and ingest the files again")
            for rel in files:
                target = self.gen / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(self.base / rel, target)  # type: ignore[operator]
                except OSError:  # a file system without hard links
                    shutil.copy2(self.base / rel, target)  # type: ignore[operator]
        crash_point("caches:carried")

    def commit(self) -> None:
        """Write the manifest into the new generation and make it current."""
        self.manifest["schema"] = SCHEMA_ID
        _save_json(self.gen / MANIFEST_FILE, self.manifest)
        crash_point("manifest:written")
        self.store.dir.publish(self.gen)
        if self.legacy:
            self.store.dir.adopt()  # (again: the marker decides how the directory is read from now on)
            _remove_legacy(self.store.path, self.base_manifest)
        self._gen = None


class EmbeddedStore:
    """A graph store in a local directory, answering Cypher through LadybugDB.

    ``create`` allows making the store (writers); ``wait`` is how long a write waits for another writer
    (seconds) and ``on_wait`` receives the "waiting for ..." message.
    """

    dialect = "ladybug"

    def __init__(self, path: Path, create: bool = False, *, wait: float = DEFAULT_WAIT,
                 on_wait: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        self.dir = StoreDir(self.path)
        self.wait = wait
        self.on_wait = on_wait
        state = self.dir.state()
        self.dir.refuse_foreign(state)
        if state in ("missing", "empty") and not create:
            raise StoreError(f"no graph store at {self.path}: run `graphkit ingest FILE...` first "
                             "(or pass --db PATH)")
        self._pin: Pin | None = None
        self._manifest: dict[str, Any] | None = None
        self._db: Any = None
        self._conn: Any = None

    @staticmethod
    def holds_graph(path: Path) -> bool:
        """Whether ``path`` is a store with a current generation (a finished write)."""
        d = StoreDir(Path(path))
        return d.state() == "store" and d.current() is not None

    # -- Store protocol ---------------------------------------------------------------------------
    def ingest(self, paths: Sequence[str | Path], *, options: BuildOptions = BuildOptions(),
               progress: Progress | None = None) -> dict[str, Any]:
        """Add or refresh files; rebuilds the graph from every held file when anything changed."""
        progress = progress or null_progress
        for raw in paths:
            if not Path(raw).is_file():
                raise StoreError(f"{raw}: no such file")
        files: list[dict[str, Any]] = []
        diagnostics: list[Diagnostic] = []
        with self._writing("ingest") as w:
            entries: list[dict[str, Any]] = w.manifest["entries"]
            changed = w.legacy or (w.base is not None and w.manifest.get("schema") != SCHEMA_ID)
            _ensure_slots(entries)
            new: list[tuple[str, dict[str, Any], cache.Job]] = []
            for raw in paths:
                path = Path(raw)
                digest = _sha256(path)
                same = next((e for e in entries if e["kind"] == "file" and e["sha256"] == digest
                             and e["format"] == options.format), None)
                if same is None:
                    same = next((e for _, e, _ in new if e["sha256"] == digest), None)
                if same is not None:
                    files.append({"path": str(raw), "status": "unchanged", "records": same["records"],
                                  "diagnostics": 0})
                    continue
                old = next((e for e in entries if e["kind"] == "file"
                            and Path(e["path"]).resolve() == path.resolve()), None)
                slot = old["slot"] if old is not None else max([cache.next_slot(entries),
                                                                  *(e["slot"] + 1 for _, e, _ in new)])
                entry = {"kind": "file", "path": str(raw), "sha256": digest, "format": options.format,
                         "records": 0, "cache": cache.folder(digest, slot), "slot": slot}
                new.append((str(raw), entry, cache.Job(str(raw), options.format, slot, entry["cache"])))
            got = cache.normalise_files(w.gen, [job for *_, job in new], options.author_key, None,
                                        progress) if new else []
            for (raw, entry, job), res in zip(new, got):
                diagnostics.extend(res.diagnostics)
                if not res.records:  # a file that yields no record is not held (the CLI reports it as an error)
                    _remove_cache(w.gen, entry)
                    files.append({"path": raw, "status": "no records", "records": 0,
                                  "diagnostics": len(res.diagnostics)})
                    continue
                entry.update(records=res.records, mode=cache.nkey_mode(options.author_key),
                             cache_id=cache.cache_id(), ext_errors=res.ext_errors)
                old_at = next((i for i, e in enumerate(entries) if e["kind"] == "file"
                               and Path(e["path"]).resolve() == Path(raw).resolve()), None)
                if old_at is None:
                    entries.append(entry)
                    status = "added"
                else:
                    entries[old_at] = entry
                    status = "replaced"
                files.append({"path": raw, "status": status, "records": res.records,
                              "diagnostics": len(res.diagnostics)})
                changed = True
            opts = json.loads(json.dumps(asdict(options)))  # as the manifest holds it (tuples are lists)
            if w.manifest["options"] not in (None, opts):
                changed = True  # new resolution options: rebuild everything with them
            summary: dict[str, Any] = {"store": str(self.path), "dialect": self.dialect, "files": files,
                                       "diagnostics": diagnostics, "rebuilt": changed}
            if changed:
                w.manifest["options"] = opts
                w.carry_caches()
                summary["report"] = _rebuild(w.gen, w.manifest, options, progress)
                w.commit()
            summary["records"] = sum(e["records"] for e in entries if e["kind"] == "file")
            # of this write's generation (still under the lock); a store that holds nothing (every file
            # yielded no record) has no graph to count
            summary["counts"] = self.counts() if entries else {str(x): 0 for x in (*Label, *RelType)}
        return summary

    def write_graph(self, graph: Graph, *, progress: Progress | None = None) -> dict[str, Any]:
        """Merge ``graph`` into the store (kept as a part, so later rebuilds keep it too)."""
        progress = progress or null_progress
        with self._writing("write_graph") as w:
            entries = w.manifest["entries"]
            n = sum(1 for e in entries if e["kind"] == "graph")
            part = f"graphs/{n:04d}-{_graph_digest(graph)[:12]}.jsonl.gz"
            _write_jsonl(w.gen / part, _graph_to_json(graph))
            crash_point("graph-part:written")
            _ensure_slots(entries)
            entries.append({"kind": "graph", "cache": part, "counts": graph.counts(), "slot": cache.next_slot(entries)})
            options = BuildOptions(**w.manifest["options"]) if w.manifest["options"] else BuildOptions()
            w.manifest["options"] = asdict(options)
            w.carry_caches()
            report = _rebuild(w.gen, w.manifest, options, progress, written=graph)
            w.commit()
            counts = self.counts()
        return {"store": str(self.path), "counts": counts, "report": report}

    def rebuild(self, *, progress: Progress | None = None) -> dict[str, Any]:
        """Rebuild the graph and index from the cached records and graphs (after a graphkit upgrade, or to
        drop changes made with ``cypher --write``)."""
        progress = progress or null_progress
        with self._writing("rebuild") as w:
            if w.base is None:
                raise StoreError(f"the store at {self.path} holds no graph yet; ingest files first")
            options = BuildOptions(**w.manifest["options"]) if w.manifest["options"] else BuildOptions()
            w.manifest["options"] = asdict(options)
            w.manifest.pop("edited", None)
            w.carry_caches()
            report = _rebuild(w.gen, w.manifest, options, progress)
            w.commit()
            counts = self.counts()
        return {"store": str(self.path), "counts": counts, "report": report}

    def run(self, cypher: str, params: dict[str, Any] | None = None, *,
            write: bool = False) -> list[dict[str, Any]]:
        """Run one Cypher statement; rows as dicts. Refuses write clauses unless ``write``; a write runs on
        a copy of the current generation that then becomes current. Neo4j habits (``type(r)``,
        ``toString``, ``elementId`` ...) are rewritten or refused by :mod:`graphkit.cypher_compat`."""
        cypher = for_ladybug(cypher)
        if not write:
            found = write_clauses(cypher)
            if found:
                raise StoreError(f"the statement writes ({', '.join(found)}); pass --write to allow it")
            return _execute(self._connection(), cypher, params)
        with self._writing("cypher --write") as w:
            if w.base is None or w.legacy:
                raise StoreError(f"the store at {self.path} holds no graph yet; ingest files first" if w.base is None
                                 else f"{self.path} was made by an older graphkit; run `graphkit rebuild --db "
                                      f"{self.path}` first")
            if w.manifest.get("schema") != SCHEMA_ID:
                raise StoreError(_stale_message(self.path))
            w.carry_caches()
            _copy_database(w.base / DB_FILE, w.gen / DB_FILE)
            crash_point("database:copied")
            db, conn = _open(w.gen / DB_FILE, read_only=False)
            try:
                rows = _execute(conn, cypher, params)
            finally:
                conn.close()
                db.close()
            crash_point("statement:run")
            fts.build_index(_read_graph(w.gen / DB_FILE), w.gen / INDEX_FILE)
            crash_point("index:built")
            w.manifest["edited"] = True  # lost at the next rebuild (the rebuild starts from the records)
            w.commit()
        return rows

    def search(self, text: str, *, limit: int = 10, kind: str | None = None) -> list[dict[str, Any]]:
        return fts.search_index(self._generation() / INDEX_FILE, text, limit=limit, kind=kind)

    def read_graph(self) -> Graph:
        """The stored graph, read back from the database."""
        return _read_graph(self._generation() / DB_FILE, self._connection())

    def close(self) -> None:
        self._close()
        if self._pin is not None:
            self._pin.release()
        self._pin = None
        self._manifest = None

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what the store holds -------------------------------------------------------------------
    @property
    def manifest(self) -> dict[str, Any]:
        """The manifest of the generation this store object reads."""
        self._generation()
        assert self._manifest is not None
        return self._manifest

    @property
    def generation(self) -> str:
        """The name of the generation this store object reads (``gen-000003``)."""
        return self._generation().name

    @property
    def files(self) -> list[dict[str, Any]]:
        return [e for e in self.manifest["entries"] if e["kind"] == "file"]

    def counts(self) -> dict[str, int]:
        """Node counts by label and edge counts by type, from the database."""
        conn = self._connection()
        out = {}
        for label in Label:
            out[str(label)] = conn.execute(f"MATCH (n:{label}) RETURN count(n)").get_all()[0][0]
        for rel in RelType:
            out[str(rel)] = conn.execute(f"MATCH ()-[r:{rel}]->() RETURN count(r)").get_all()[0][0]
        return out

    # -- reading: the generation the pointer names, read-only ---------------------------------------
    def _generation(self) -> Path:
        """The generation this object reads, pinned on first use; errors name the fixing command."""
        if self._pin is not None:
            return self._pin.path
        state = self.dir.state()
        if state == "legacy":
            raise StoreError(f"{self.path} was made by an older graphkit; run `graphkit rebuild --db {self.path}` "
                             "to upgrade it (reads never change a store)")
        if state != "store":
            raise StoreError(f"no graph store at {self.path}: run `graphkit ingest FILE...` first (or pass --db PATH)")
        pin = self.dir.pin()
        if pin is None:
            raise StoreError(f"the store at {self.path} holds no graph yet; ingest files first (a first ingest "
                             "that is still running or was interrupted leaves none)")
        try:
            manifest = _load_manifest(pin.path)
            if manifest.get("schema") != SCHEMA_ID:
                raise StoreError(_stale_message(self.path))
        except BaseException:
            pin.release()
            raise
        self._pin, self._manifest = pin, manifest
        return pin.path

    def _connection(self):
        if self._conn is None:
            self._db, self._conn = _open(self._generation() / DB_FILE, read_only=True)
        return self._conn

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._db.close()
        self._conn = self._db = None

    # -- writing: a new generation under the writer lock ----------------------------------------------
    @contextmanager
    def _writing(self, command: str) -> Iterator[_Write]:
        """Hold the writer lock, clean orphans, and give the write its base; an unfinished generation
        (an exception before commit) is removed before the lock is released."""
        self.close()  # a write moves this object to the new generation
        state = self.dir.state()
        self.dir.refuse_foreign(state)
        self.path.mkdir(parents=True, exist_ok=True)
        with WriterLock(self.path, command, wait=self.wait, on_wait=self.on_wait):
            crash_point("lock:acquired")
            state = self.dir.state()  # again, under the lock
            self.dir.refuse_foreign(state)
            legacy = state == "legacy"
            if not legacy:
                self.dir.adopt()
                removed = self.dir.collect()
                if removed:
                    log.info("removed old or unfinished generations: %s", ", ".join(removed))
            if legacy:
                base: Path | None = self.path
                manifest = _load_manifest(self.path)
            else:
                current = self.dir.current()
                base = self.path / current if current else None
                manifest = _load_manifest(base) if base else _empty_manifest()
            w = _Write(self, base, manifest, legacy)
            try:
                yield w
            finally:
                if w._gen is not None:  # not committed: leave nothing behind
                    self.dir.collect()
            if not legacy:
                self.dir.collect()
            crash_point("write:done")


def _stale_message(path: Path) -> str:
    return (f"{path} was built by another graphkit version; run `graphkit rebuild --db {path}` to rebuild it "
            "from its cached records (reads never change a store)")


def _remove_legacy(path: Path, manifest: dict[str, Any]) -> None:
    """After upgrading a format-1 store: remove exactly the files it made (and its emptied cache folders)."""
    for f in legacy_files(path, manifest):
        f.unlink()
    for sub in ("records", "graphs"):
        d = path / sub
        if d.is_dir() and not any(d.iterdir()):
            d.rmdir()


def _load_manifest(gen: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((gen / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{gen / MANIFEST_FILE}: unreadable manifest ({exc})") from None
    if manifest.get("version") != MANIFEST_VERSION:
        raise StoreError(f"{gen}: store version {manifest.get('version')} is not supported")
    return manifest


def _save_json(path: Path, obj: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=1), encoding="utf-8")
    tmp.replace(path)


def _open(path: Path, *, read_only: bool):
    import ladybug

    try:
        db = ladybug.Database(str(path), read_only=read_only)
    except RuntimeError as exc:
        raise StoreError(f"cannot open {path}: {' '.join(str(exc).split())}") from None
    return db, ladybug.Connection(db)


def _execute(conn, cypher: str, params: dict[str, Any] | None) -> list[dict[str, Any]]:
    try:
        result = conn.execute(cypher, dict(params or {}))
    except RuntimeError as exc:
        raise StoreError("query failed: " + " ".join(str(exc).split())) from None
    if isinstance(result, list):
        result = result[-1]
    columns = result.get_column_names()
    rows = [dict(zip(columns, (_plain(v) for v in row))) for row in result.get_all()]
    result.close()
    return rows


def _read_graph(path: Path, conn=None) -> Graph:
    """The graph held by the database at ``path`` (through ``conn`` when given)."""
    own = None
    if conn is None:
        own = _open(path, read_only=True)
        conn = own[1]
    graph = Graph()
    try:
        for label in Label:
            props = list(NODE_PROPERTIES[label])
            cols = ", ".join(f"n.{p} AS {p}" for p in props)
            for row in _arrow_rows(conn.execute(f"MATCH (n:{label}) RETURN {cols}")):
                graph.add_node(label, row.pop("key"), **row)
        for rel in RelType:
            start, end = ENDPOINTS[rel]
            props = list(EDGE_PROPERTIES[rel])
            cols = "".join(f", r.{p} AS {p}" for p in props)
            query = f"MATCH (a:{start})-[r:{rel}]->(b:{end}) RETURN a.key AS source, b.key AS target{cols}"
            for row in _arrow_rows(conn.execute(query)):
                graph.add_edge(rel, row.pop("source"), row.pop("target"), **row)
    except RuntimeError as exc:
        raise StoreError(f"cannot read the graph from {path}: {' '.join(str(exc).split())}") from None
    finally:
        if own is not None:
            own[1].close()
            own[0].close()
    return graph


def _copy_database(src: Path, dst: Path) -> None:
    for f in src.parent.glob(src.name + "*"):
        if f.name in (src.name, src.name + ".wal"):
            shutil.copy2(f, dst.with_name(dst.name + f.name[len(src.name):]))


def _ensure_slots(entries: list[dict[str, Any]]) -> None:
    """Entries of stores made before the Parquet cache get their places as slots."""
    if any("slot" not in e for e in entries):
        for i, e in enumerate(entries):
            e["slot"] = i


def _remove_cache(gen: Path, entry: dict[str, Any]) -> None:
    for rel in reversed(cache.cache_files(gen, entry)):
        (gen / rel).unlink()
    root = gen / entry["cache"]
    if root.is_dir():
        for d in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
            d.rmdir()
        root.rmdir()


def _refresh_caches(gen: Path, manifest: dict[str, Any], options: BuildOptions, progress: Progress) -> None:
    """Bring every file's cache in ``gen`` to this graphkit and these options: gzip JSON records (older
    stores) converted, tables of another graphkit version normalised again from their source file,
    name keys rewritten for another author key mode."""
    entries = manifest["entries"]
    _ensure_slots(entries)
    stale: list[dict[str, Any]] = []
    for entry in entries:
        if entry["kind"] != "file":
            continue
        if cache.is_json_cache(entry):
            log.info("converting the cached records of %s to Parquet tables", entry["path"])
            cache.convert_json(gen, entry, entry["slot"], options.author_key)
        elif entry.get("cache_id") != cache.cache_id():
            stale.append(entry)
        else:
            cache.retarget(gen, entry, options.author_key)
    if not stale:
        return
    for entry in stale:
        path = Path(entry["path"])
        if not path.is_file() or _sha256(path) != entry["sha256"]:
            raise StoreError(f"the store's cache of {entry['path']} was written by another graphkit version and "
                             "the file is no longer there unchanged; ingest it again into a new store")
        _remove_cache(gen, entry)
        log.info("reading %s again: its cache was written by another graphkit version", entry["path"])
    jobs = [cache.Job(e["path"], e["format"], e["slot"], e["cache"]) for e in stale]
    for entry, res in zip(stale, cache.normalise_files(gen, jobs, options.author_key, None, progress)):
        entry.update(records=res.records, mode=cache.nkey_mode(options.author_key), cache_id=cache.cache_id(),
                     ext_errors=res.ext_errors)


def _build(gen: Path, entries: list[dict[str, Any]], options: BuildOptions, progress: Progress) -> BuildResult:
    """The graph of the held files, by the columnar core from their cached tables (nothing is parsed)."""
    from graphkit.engine import current_engine
    from graphkit.engine.core import build_columnar

    files = sorted((e for e in entries if e["kind"] == "file"), key=lambda e: e["slot"])
    if not files:
        return build_graph([], options, progress=progress)
    with tempfile.TemporaryDirectory(prefix="graphkit-store-", dir=current_engine().scratch()) as work:
        cache.stage(gen, files, Path(work))
        prepared = cache.load_results(gen, files)
        engine = dataclasses.replace(current_engine(), workdir=work, keep_workdir=False)
        return build_columnar([e["path"] for e in files], options, engine, progress=progress, prepared=prepared)


def _rebuild(gen: Path, manifest: dict[str, Any], options: BuildOptions, progress: Progress,
             written: Graph | None = None) -> dict[str, Any]:
    """Cached tables of every held file -> the columnar core, merged with the written graphs -> COPY +
    index, into the new generation ``gen``. ``written`` is the graph just added as the last part (used
    as is when it is the only part)."""
    clock, cpu = time.perf_counter(), time.process_time()
    _refresh_caches(gen, manifest, options, progress)
    entries = manifest["entries"]
    result = _build(gen, entries, options, progress)
    crash_point("graph:built")
    built, built_cpu = time.perf_counter(), time.process_time()
    graph: Graph | ColumnarGraph = result.graph
    parts = [e for e in entries if e["kind"] == "graph"]
    if written is not None and len(entries) == 1:
        graph = written  # a store holding one written graph: no copy needed
    elif parts:
        merged = graph.to_graph() if isinstance(graph, ColumnarGraph) else graph
        for i, entry in enumerate(entries):
            if entry["kind"] == "graph":
                part = written if written is not None and i == len(entries) - 1 else \
                    _graph_from_json(_read_jsonl(gen / entry["cache"]))
                merge_graph(merged, part)
        derive_all(merged, options)  # merged parts: CO_AUTHOR and counts from the merged links, once
        graph = merged
    # the full-text index is written by a forked process while LadybugDB copies the tables in: its
    # tokenising and counting is Python work that, in a thread, would share the GIL with this one's (at
    # 100k records the index takes longer than the COPY). Forked before LadybugDB starts its threads.
    # LadybugDB's COPY gets the cores the index leaves: on 2 cores, 1 thread loaded the 100k graph in
    # 9.6 CPU s instead of 11.1 (2 threads), and beside the index the step took 10.8-11.1 s, not 14.1-15.2
    indexing = start_forked(write_index, as_columnar(graph), gen / INDEX_FILE)
    try:
        load_database(graph, gen / DB_FILE, progress=progress, threads=max(1, (os.cpu_count() or 1) - 1))
        crash_point("database:loaded")
        log.debug("database loaded after %.1f s", time.perf_counter() - built)
    except BaseException:
        try:
            indexing.result()  # wait for it: nothing may go on writing into the generation
        except BaseException:  # noqa: BLE001 - the load's error is the one to report
            log.debug("search index failed beside a failed load", exc_info=True)
        raise
    indexing.result()
    crash_point("index:built")
    progress("search index", 1, 1)
    log.info("store rebuilt: graph %.1f s (this process's CPU %.1f s), database + search index %.1f s (CPU %.1f s)",
             built - clock, built_cpu - cpu, time.perf_counter() - built, time.process_time() - built_cpu)
    return {"records": result.records, **(result.report or {})}


# -- loading a database by COPY ---------------------------------------------------------------------

def _ddl() -> list[str]:
    stmts = []
    for label in Label:
        cols = ", ".join(f"{p} {LADYBUG_TYPES[t]}" for p, t in NODE_PROPERTIES[label].items())
        stmts.append(f"CREATE NODE TABLE {label}({cols}, PRIMARY KEY(key))")
    for rel in RelType:
        start, end = ENDPOINTS[rel]
        cols = "".join(f", {p} {LADYBUG_TYPES[t]}" for p, t in EDGE_PROPERTIES[rel].items())
        stmts.append(f"CREATE REL TABLE {rel}(FROM {start} TO {end}{cols})")
    return stmts


def load_database(graph: Graph | ColumnarGraph, path: Path, *, progress: Progress = null_progress,
                  threads: int = 0) -> None:
    """Write ``graph`` into a new LadybugDB database at ``path`` (which must not exist yet) by one
    ``COPY`` per table straight from its Arrow table (no staging files), on at most ``threads`` threads
    (0: LadybugDB's default, one per core)."""
    import ladybug

    if path.exists():
        raise StoreError(f"{path} exists already; a database is loaded into a new generation only")
    db = ladybug.Database(str(path), max_num_threads=threads)
    conn = ladybug.Connection(db)
    try:
        for stmt in _ddl():
            conn.execute(stmt)
        crash_point("database:created")
        for item in (*Label, *RelType):
            n = graph.count(item)
            if not n:
                continue
            table = _columnar_table(graph, item) if isinstance(graph, ColumnarGraph) else _arrow_table(graph, item)
            try:
                conn.execute(f"COPY {item} FROM $rows", {"rows": table})
            except RuntimeError as exc:
                raise StoreError(f"loading {item} failed: {' '.join(str(exc).split())}") from None
            del table
            crash_point("database:copy")
            phase = f"nodes:{item}" if isinstance(item, Label) else f"edges:{item}"
            progress(phase, n, n)
    finally:
        conn.close()
        db.close()


def _columnar_table(graph: ColumnarGraph, item: Label | RelType):
    """A columnar graph's table as LadybugDB's COPY takes it (rels: ``from``, ``to``, properties; term
    nodes: ``papers`` counted from their links, as :func:`_arrow_table` does)."""
    import pyarrow as pa

    table = graph.arrow(item)
    if isinstance(item, RelType):
        return table.rename_columns(["from", "to", *table.column_names[2:]])
    if item in TERM_LINKS:
        linked = Counter(graph.arrow(TERM_LINKS[item]).column("target").to_pylist())
        i = table.schema.get_field_index("papers")
        table = table.set_column(i, table.schema.field(i), pa.array(
            [linked.get(k, 0) for k in table.column("key").to_pylist()], pa.int64()))
    return table


def _arrow_type(name: str):
    import pyarrow as pa

    return {"str": pa.string(), "int": pa.int64(), "bool": pa.bool_(), "list[str]": pa.list_(pa.string())}[name]


def _arrow_table(graph: Graph, item: Label | RelType):
    """One node or rel table as Arrow, typed from the schema (rels: from, to, properties)."""
    import pyarrow as pa

    if isinstance(item, Label):
        props = NODE_PROPERTIES[item]
        rows = list(graph.nodes(item))
        columns = {p: [r.get(p) for r in rows] for p in props}
        if item in TERM_LINKS:  # derived, whatever the graph says: merged parts may carry stale counts
            linked = Counter(e["target"] for e in graph.edges(TERM_LINKS[item]))
            columns["papers"] = [linked.get(r["key"], 0) for r in rows]
    else:
        props = EDGE_PROPERTIES[item]
        rows = list(graph.edges(item))
        columns = {"from": [r["source"] for r in rows], "to": [r["target"] for r in rows]}
        columns.update({p: [r.get(p) for r in rows] for p in props})
        props = {"from": "str", "to": "str", **props}
    arrays = {}
    for name, values in columns.items():
        try:
            arrays[name] = pa.array([_coerce(v, props[name]) for v in values], _arrow_type(props[name]))
        except (pa.ArrowException, TypeError, ValueError) as exc:
            raise StoreError(f"{item}.{name}: values do not fit type {props[name]} ({exc})") from None
    return pa.table(arrays)


def _coerce(value: Any, type_name: str) -> Any:
    if value is None:
        return None
    if type_name == "int" and not isinstance(value, int):
        return int(value)
    if type_name == "str" and not isinstance(value, str):
        return str(value)
    if type_name == "list[str]":
        return [str(v) for v in value]
    return value


def _arrow_rows(result) -> list[dict[str, Any]]:
    rows = result.get_as_arrow().to_pylist()
    result.close()
    return rows


def _plain(value: Any) -> Any:
    """Engine values as plain Python: Ladybug's sums come back as Decimal."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# -- the rebuild cache --------------------------------------------------------------------------------

def merge_graph(into: Graph, other: Graph) -> None:
    """Add ``other``'s nodes and edges to ``into``; a property set in ``other`` wins."""
    for label in Label:
        for row in other.nodes(label):
            into.add_node(label, row["key"], **{k: v for k, v in row.items() if k != "key" and v is not None})
    for rel in RelType:
        for row in other.edges(rel):
            props = {k: v for k, v in row.items() if k not in ("source", "target") and v is not None}
            into.add_edge(rel, row["source"], row["target"], **props)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _write_jsonl(path: Path, objects: Iterable[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8") as fh:
        for obj in objects:
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
    tmp.replace(path)


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                yield json.loads(line)
    except OSError as exc:
        raise StoreError(f"the store's cache file {path} is missing or damaged ({exc}); "
                         "delete the store and ingest again") from None


def _graph_to_json(graph: Graph) -> Iterator[dict[str, Any]]:
    for label in Label:
        for row in graph.nodes(label):
            yield {"node": str(label), "row": row}
    for rel in RelType:
        for row in graph.edges(rel):
            yield {"edge": str(rel), "row": row}


def _graph_from_json(objects: Iterable[dict[str, Any]]) -> Graph:
    graph = Graph()
    for obj in objects:
        row = dict(obj["row"])
        if "node" in obj:
            graph.add_node(Label(obj["node"]), row.pop("key"), **row)
        else:
            graph.add_edge(RelType(obj["edge"]), row.pop("source"), row.pop("target"), **row)
    return graph


def _graph_digest(graph: Graph) -> str:
    h = hashlib.sha256()
    for obj in _graph_to_json(graph):
        h.update(json.dumps(obj, sort_keys=True, default=str).encode())
    return h.hexdigest()
