"""The embedded store (the default): a LadybugDB graph database in a directory, no server.

Layout of the store directory (``graphkit.db/`` by default)::

    graph.lbug          LadybugDB database (node tables per Label, rel tables per RelType)
    search.sqlite       SQLite FTS5 full-text index, rebuilt with the graph (graphkit.search)
    manifest.json       build options + the files (path, sha256, records) and graphs the store holds
    records/<sha>.jsonl.gz   parsed records of each ingested file (the rebuild cache)
    graphs/<n>.jsonl.gz      graphs merged in with write_graph

LadybugDB bulk-loads only through ``COPY`` into empty tables (its MERGE path is ~200x slower), so every
change is a rebuild: records of all held files -> :func:`graphkit.build.build_graph` -> fresh database
filled by COPY from Parquet. Adding file B to a store holding A therefore gives exactly the graph of
ingesting A and B at once; re-ingesting an unchanged file changes nothing. Changes made with
``cypher --write`` live in the database only and are lost at the next rebuild.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from graphkit import search as fts
from graphkit.build import BuildOptions, build_graph
from graphkit.cypher_compat import for_ladybug
from graphkit.graph import Graph
from graphkit.model import Diagnostic, GraphkitError, JournalRef, MeshRef, Person, Record, Source
from graphkit.progress import Progress, null_progress
from graphkit.readers import read
from graphkit.schema import EDGE_PROPERTIES, ENDPOINTS, NODE_PROPERTIES, Label, RelType

log = logging.getLogger(__name__)

MANIFEST_VERSION = 1
# Fingerprint of the typed schema: a store built under another one (an older graphkit) is rebuilt from its
# cached records when opened, instead of failing on a missing property.
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
_LITERALS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.DOTALL)


class StoreError(GraphkitError):
    """The embedded store is missing, damaged or refused a statement."""


def write_clauses(cypher: str) -> list[str]:
    """The write clauses a statement contains (outside strings, identifiers in backticks and comments)."""
    return sorted({m.group(1).upper() for m in _WRITE_RE.finditer(_LITERALS.sub(" ", cypher))})


class EmbeddedStore:
    """A graph store in a local directory, answering Cypher through LadybugDB."""

    dialect = "ladybug"

    def __init__(self, path: Path, create: bool = False) -> None:
        self.path = Path(path)
        if not (self.path / MANIFEST_FILE).exists():
            if not create:
                raise StoreError(f"no graph store at {self.path}: run `graphkit ingest FILE...` first "
                                 "(or pass --db PATH)")
            if self.path.exists() and not self.path.is_dir():
                raise StoreError(f"{self.path} exists and is not a graph store directory")
            self.path.mkdir(parents=True, exist_ok=True)
            self._save_manifest({"version": MANIFEST_VERSION, "options": None, "entries": []})
        self.manifest = self._load_manifest()
        self._db: Any = None
        self._conn: Any = None
        self._read_only = True
        if (self.path / DB_FILE).exists() and self.manifest.get("schema") != SCHEMA_ID:
            self._migrate()

    # -- Store protocol ---------------------------------------------------------------------------
    def ingest(self, paths: Sequence[str | Path], *, options: BuildOptions = BuildOptions(),
               progress: Progress | None = None) -> dict[str, Any]:
        """Add or refresh files; rebuilds the graph from every held file when anything changed."""
        progress = progress or null_progress
        entries: list[dict[str, Any]] = self.manifest["entries"]
        files: list[dict[str, Any]] = []
        diagnostics: list[Diagnostic] = []
        changed = False
        for raw in paths:
            path = Path(raw)
            if not path.is_file():
                raise StoreError(f"{raw}: no such file")
            digest = _sha256(path)
            same = next((e for e in entries if e["kind"] == "file" and e["sha256"] == digest
                         and e["format"] == options.format), None)
            if same is not None:
                files.append({"path": str(raw), "status": "unchanged", "records": same["records"],
                              "diagnostics": 0})
                continue
            records, diags = self._read(path, options.format, progress)
            if not records:  # a file that yields no record is not held (the CLI reports it as an error)
                files.append({"path": str(raw), "status": "no records", "records": 0, "diagnostics": len(diags)})
                diagnostics.extend(diags)
                continue
            cache = f"records/{digest}.jsonl.gz"
            _write_jsonl(self.path / cache, (_record_to_json(r) for r in records))
            entry = {"kind": "file", "path": str(raw), "sha256": digest, "format": options.format,
                     "records": len(records), "cache": cache}
            old = next((i for i, e in enumerate(entries) if e["kind"] == "file"
                        and Path(e["path"]).resolve() == path.resolve()), None)
            if old is None:
                entries.append(entry)
                status = "added"
            else:
                entries[old] = entry
                status = "replaced"
            files.append({"path": str(raw), "status": status, "records": len(records),
                          "diagnostics": len(diags)})
            diagnostics.extend(diags)
            changed = True
        opts = asdict(options)
        if self.manifest["options"] not in (None, opts):
            changed = True  # new resolution options: rebuild everything with them
        summary: dict[str, Any] = {"store": str(self.path), "dialect": self.dialect, "files": files,
                                   "diagnostics": diagnostics, "rebuilt": changed}
        if changed:
            self.manifest["options"] = opts
            result = self._rebuild(options, progress)
            summary["report"] = result
        summary["records"] = sum(e["records"] for e in entries if e["kind"] == "file")
        summary["counts"] = self.counts()
        self._save_manifest(self.manifest)
        self._gc_cache()
        return summary

    def write_graph(self, graph: Graph, *, progress: Progress | None = None) -> dict[str, Any]:
        """Merge ``graph`` into the store (kept as a part, so later rebuilds keep it too)."""
        progress = progress or null_progress
        n = sum(1 for e in self.manifest["entries"] if e["kind"] == "graph")
        cache = f"graphs/{n:04d}-{_graph_digest(graph)[:12]}.jsonl.gz"
        _write_jsonl(self.path / cache, _graph_to_json(graph))
        self.manifest["entries"].append({"kind": "graph", "cache": cache, "counts": graph.counts()})
        options = BuildOptions(**self.manifest["options"]) if self.manifest["options"] else BuildOptions()
        self.manifest["options"] = asdict(options)
        report = self._rebuild(options, progress, written=graph)
        self._save_manifest(self.manifest)
        return {"store": str(self.path), "counts": self.counts(), "report": report}

    def run(self, cypher: str, params: dict[str, Any] | None = None, *,
            write: bool = False) -> list[dict[str, Any]]:
        """Run one Cypher statement; rows as dicts. Refuses write clauses unless ``write``. Neo4j habits
        (``type(r)``, ``toString``, ``elementId`` ...) are rewritten or refused by :mod:`graphkit.cypher_compat`."""
        cypher = for_ladybug(cypher)
        if not write:
            found = write_clauses(cypher)
            if found:
                raise StoreError(f"the statement writes ({', '.join(found)}); pass --write to allow it")
        conn = self._connection(read_only=not write)
        try:
            result = conn.execute(cypher, dict(params or {}))
        except RuntimeError as exc:
            raise StoreError("query failed: " + " ".join(str(exc).split())) from None
        if isinstance(result, list):
            result = result[-1]
        columns = result.get_column_names()
        rows = [dict(zip(columns, (_plain(v) for v in row))) for row in result.get_all()]
        result.close()
        if write:
            self._close()
            fts.build_index(self.read_graph(), self.path / INDEX_FILE)
        return rows

    def search(self, text: str, *, limit: int = 10, kind: str | None = None) -> list[dict[str, Any]]:
        return fts.search_index(self.path / INDEX_FILE, text, limit=limit, kind=kind)

    def read_graph(self) -> Graph:
        """The stored graph, read back from the database."""
        graph = Graph()
        if not (self.path / DB_FILE).exists():
            return graph
        conn = self._connection(read_only=True)
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
            raise StoreError(f"cannot read the graph from {self.path}: {' '.join(str(exc).split())}") from None
        return graph

    def close(self) -> None:
        self._close()

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what the store holds -------------------------------------------------------------------
    @property
    def files(self) -> list[dict[str, Any]]:
        return [e for e in self.manifest["entries"] if e["kind"] == "file"]

    def counts(self) -> dict[str, int]:
        """Node counts by label and edge counts by type, from the database."""
        if not (self.path / DB_FILE).exists():
            return {str(x): 0 for x in (*Label, *RelType)}
        conn = self._connection(read_only=True)
        out = {}
        for label in Label:
            out[str(label)] = conn.execute(f"MATCH (n:{label}) RETURN count(n)").get_all()[0][0]
        for rel in RelType:
            out[str(rel)] = conn.execute(f"MATCH ()-[r:{rel}]->() RETURN count(r)").get_all()[0][0]
        return out

    # -- internals --------------------------------------------------------------------------------
    def _read(self, path: Path, fmt: str, progress: Progress) -> tuple[list[Record], list[Diagnostic]]:
        records: list[Record] = []
        diags: list[Diagnostic] = []
        for item in read(path, fmt):
            if isinstance(item, Diagnostic):
                diags.append(item)
            else:
                records.append(item)
                progress("read", 1, None)
        return records, diags

    def _records(self) -> Iterator[Record]:
        for entry in self.manifest["entries"]:
            if entry["kind"] == "file":
                for obj in _read_jsonl(self.path / entry["cache"]):
                    yield _record_from_json(obj)

    def _rebuild(self, options: BuildOptions, progress: Progress, written: Graph | None = None) -> dict[str, Any]:
        """Records of every held file -> build_graph, merged with the written graphs -> COPY + index.
        ``written`` is the graph just added as the last part (used as is when it is the only part)."""
        entries = self.manifest["entries"]
        result = build_graph(self._records(), options, progress=progress)
        graph = result.graph
        if written is not None and len(entries) == 1:
            graph = written  # a store holding one written graph: no copy needed
        else:
            for i, entry in enumerate(entries):
                if entry["kind"] == "graph":
                    part = written if written is not None and i == len(entries) - 1 else \
                        _graph_from_json(_read_jsonl(self.path / entry["cache"]))
                    merge_graph(graph, part)
        self._close()
        load_database(graph, self.path / DB_FILE, progress=progress)
        fts.build_index(graph, self.path / INDEX_FILE)
        progress("search index", 1, 1)
        self.manifest["schema"] = SCHEMA_ID
        return {"records": result.records, **(result.report or {})}

    def _migrate(self) -> None:
        """Rebuild a store made under another schema from its cached records and graphs."""
        log.warning("%s was built by another graphkit version; rebuilding it from its cached records", self.path)
        options = BuildOptions(**self.manifest["options"]) if self.manifest["options"] else BuildOptions()
        self._rebuild(options, null_progress)
        self._save_manifest(self.manifest)

    def _connection(self, *, read_only: bool):
        import ladybug

        if self._conn is not None and self._read_only and not read_only:
            self._close()  # reopen writable
        if self._conn is None:
            if not (self.path / DB_FILE).exists():
                if read_only:
                    raise StoreError(f"the store at {self.path} holds no graph yet; ingest files first")
                create_schema_database(self.path / DB_FILE)
            try:
                self._db = ladybug.Database(str(self.path / DB_FILE), read_only=read_only)
            except RuntimeError as exc:
                raise StoreError(f"cannot open {self.path / DB_FILE}: {' '.join(str(exc).split())}") from None
            self._conn = ladybug.Connection(self._db)
            self._read_only = read_only
        return self._conn

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._db.close()
        self._conn = self._db = None

    def _load_manifest(self) -> dict[str, Any]:
        try:
            manifest = json.loads((self.path / MANIFEST_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"{self.path / MANIFEST_FILE}: unreadable manifest ({exc})") from None
        if manifest.get("version") != MANIFEST_VERSION:
            raise StoreError(f"{self.path}: store version {manifest.get('version')} is not supported")
        return manifest

    def _save_manifest(self, manifest: dict[str, Any]) -> None:
        tmp = self.path / (MANIFEST_FILE + ".tmp")
        tmp.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        tmp.replace(self.path / MANIFEST_FILE)

    def _gc_cache(self) -> None:
        keep = {e["cache"] for e in self.manifest["entries"]}
        for sub in ("records", "graphs"):
            for f in (self.path / sub).glob("*.jsonl.gz") if (self.path / sub).exists() else ():
                if f"{sub}/{f.name}" not in keep:
                    f.unlink()


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


def create_schema_database(path: Path) -> None:
    """An empty database with the graphkit schema at ``path``."""
    import ladybug

    db = ladybug.Database(str(path))
    conn = ladybug.Connection(db)
    for stmt in _ddl():
        conn.execute(stmt)
    conn.close()
    db.close()


def load_database(graph: Graph, path: Path, *, progress: Progress = null_progress) -> None:
    """Write ``graph`` into a fresh LadybugDB database at ``path`` by COPY from Parquet (replacing it)."""
    import ladybug
    import pyarrow.parquet as pq

    tmp = path.with_name("new-" + path.name)
    _remove_db(tmp)
    db = ladybug.Database(str(tmp))
    conn = ladybug.Connection(db)
    try:
        for stmt in _ddl():
            conn.execute(stmt)
        with tempfile.TemporaryDirectory(prefix="copy-", dir=path.parent) as work:
            for item in (*Label, *RelType):
                n = graph.count(item)
                if not n:
                    continue
                table = _arrow_table(graph, item)
                file = Path(work) / f"{item}.parquet"
                pq.write_table(table, file)
                try:
                    conn.execute(f"COPY {item} FROM '{file.as_posix()}'")
                except RuntimeError as exc:
                    raise StoreError(f"loading {item} failed: {' '.join(str(exc).split())}") from None
                phase = f"nodes:{item}" if isinstance(item, Label) else f"edges:{item}"
                progress(phase, n, n)
    finally:
        conn.close()
        db.close()
    _remove_db(path)
    for f in tmp.parent.glob(tmp.name + "*"):
        f.replace(path.with_name(path.name + f.name[len(tmp.name):]))


def _remove_db(path: Path) -> None:
    for f in path.parent.glob(path.name + "*"):
        if f.is_dir():
            shutil.rmtree(f)
        else:
            f.unlink()


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


def _record_to_json(rec: Record) -> dict[str, Any]:
    return asdict(rec)


def _record_from_json(obj: dict[str, Any]) -> Record:
    obj = dict(obj)
    obj["source"] = Source(**obj["source"])
    obj["authors"] = [Person(**p) for p in obj.get("authors") or []]
    obj["journal"] = JournalRef(**obj["journal"]) if obj.get("journal") else None
    obj["mesh"] = [MeshRef(**m) for m in obj.get("mesh") or []]
    return Record(**obj)


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
