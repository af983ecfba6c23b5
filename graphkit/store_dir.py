"""The embedded store's directory: who owns it, which generation is current, how a new one replaces it.

Layout (``graphkit.db/`` by default)::

    graphkit-store.json   marker: this directory belongs to graphkit (written when graphkit makes or adopts it)
    CURRENT               pointer: the name of the current generation, e.g. ``gen-000003``
    writer.lock           the writer lock, writer.json: who holds it (graphkit.store_lock)
    gen-000003/           a complete generation: graph, search index, manifest, record cache (Parquet)

**Generations.** A write never changes the current generation. It builds a complete new one beside it
(``gen-000004/``), flushes it to disk, and then switches by writing ``CURRENT.tmp`` and renaming it over
``CURRENT``: one atomic rename. A crash before the rename leaves the old generation current (the new
one is an orphan); after it, the new one. Readers open the generation ``CURRENT`` names and hold a shared
``flock`` on its directory while they use it; the next writer deletes every other generation no reader
holds. Graph, search index and manifest live in one generation directory, so they cannot disagree.

**Ownership.** graphkit makes the directory (or adopts an empty one) and writes the marker first; it
refuses a non-empty directory without the marker. It deletes only what it made: old generation
directories, and in them only file names listed in :data:`GENERATION_FILES`; anything else found there
is left, with a warning, and so is every file of the store directory that is not a generation.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from graphkit import __version__
from graphkit.faults import crash_point
from graphkit.model import GraphkitError

log = logging.getLogger(__name__)

MARKER = "graphkit-store.json"
LOCK_FILE = "writer.lock"  # the writer lock (graphkit.store_lock)
HOLDER_FILE = "writer.json"  # who holds it
POINTER = "CURRENT"
STORE_FORMAT = 2  # 1 was the flat layout (graph.lbug, manifest.json, records/ in the directory itself)
# the writer lock's files, made before the marker in a new or empty directory
LOCK_FILES = {LOCK_FILE, HOLDER_FILE, HOLDER_FILE + ".tmp", MARKER + ".tmp"}
GENERATION = re.compile(r"gen-(\d{6})")
# What a generation directory may hold, relative to it (the only names graphkit deletes there).
# A new kind of file in a generation needs its pattern here.
GENERATION_FILES = tuple(re.compile(p) for p in (
    # LadybugDB's database and the side files it makes (names from its library: WAL, shadow pages,
    # checkpoint files and locks, primary-key validation and pinned temp files of a COPY)
    r"graph\.lbug(\.wal|\.shadow|\.tmp|\.checkpoint(\.apply\.lock|\.intent\.lock)?|\.pinned\.tmp"
    r"|\.pk_validator\.[\w.-]+\.tmp|\.tmp\.[\w.-]+)?",
    r"search\.sqlite(\.tmp)?(-journal|-wal|-shm)?",   # SQLite FTS5 index (built as .tmp, renamed)
    r"manifest\.json(\.tmp)?",
    r"records/[0-9a-f]{64}\.[a-z0-9.]+",              # gzip JSON record cache of earlier stores (sha256 named)
    # record cache: each file's Parquet input tables of the columnar core (graphkit.sinks.embedded_cache)
    r"records/[0-9a-f]{64}\.\d+/(\w+/part-\d+\.parquet|ext\.parquet)(\.tmp)?",
    r"graphs/\d{4}-[0-9a-f]{12}\.[a-z0-9.]+",         # graphs merged in with write_graph
    r"copy-[\w-]+/\w+\.parquet",                      # COPY staging files of an interrupted load
))
GENERATION_DIRS = re.compile(r"records(/[0-9a-f]{64}\.\d+(/\w+)?)?|graphs|copy-[\w-]+")

State = Literal["missing", "empty", "store", "legacy", "foreign", "not-a-dir"]


class StoreError(GraphkitError):
    """The embedded store is missing, damaged, busy, not ours, or refused a statement."""


def _fsync(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    """Flush every file and directory under ``root`` (so a switch never points at unwritten data)."""
    for dirpath, _dirs, files in os.walk(root, topdown=False):
        for name in files:
            _fsync(Path(dirpath) / name)
        _fsync(Path(dirpath), directory=True)


def owned(relative: str) -> bool:
    """Whether a path inside a generation directory is one graphkit writes there."""
    return any(p.fullmatch(relative) for p in GENERATION_FILES)


@dataclass(slots=True)
class Pin:
    """A reader's hold on one generation: a shared flock on its directory until :meth:`release`."""

    path: Path
    fd: int | None

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor drops the flock
            self.fd = None


class StoreDir:
    """The directory of one embedded store."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    # -- what the directory is ----------------------------------------------------------------------
    def state(self) -> State:
        p = self.path
        if not p.exists():
            return "missing"
        if not p.is_dir():
            return "not-a-dir"
        if (p / MARKER).exists():
            self._check_marker()
            return "store"
        if is_legacy(p):
            return "legacy"
        return "foreign" if any(f.name not in LOCK_FILES for f in p.iterdir()) else "empty"

    def _check_marker(self) -> None:
        try:
            marker = json.loads((self.path / MARKER).read_text(encoding="utf-8"))
            version = int(marker["graphkit_store"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"{self.path / MARKER}: unreadable store marker ({exc})") from None
        if version > STORE_FORMAT:
            raise StoreError(f"{self.path} was made by a newer graphkit (store format {version}); "
                                "upgrade graphkit to use it")

    def refuse_foreign(self, state: State) -> None:
        if state == "not-a-dir":
            raise StoreError(f"{self.path} exists and is not a directory; give --db a new or empty directory")
        if state == "foreign":
            raise StoreError(f"{self.path} is not empty and is not a graphkit store (no {MARKER}); give --db "
                                "a new or empty directory, graphkit never writes into other folders")

    def adopt(self) -> None:
        """Make the directory ours: create it if missing, write the marker (writers only, under the lock)."""
        if (self.path / MARKER).exists():
            return
        marker = {"graphkit_store": STORE_FORMAT, "created_by": f"graphkit {__version__}",
                  "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                  "note": "a graphkit embedded store; the generation named in CURRENT is the graph"}
        tmp = self.path / (MARKER + ".tmp")
        tmp.write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
        tmp.replace(self.path / MARKER)

    # -- generations --------------------------------------------------------------------------------
    def current(self) -> str | None:
        """The current generation's name, or None before the first write finished."""
        try:
            name = (self.path / POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"{self.path / POINTER}: unreadable ({exc})") from None
        if not GENERATION.fullmatch(name):
            raise StoreError(f"{self.path / POINTER} names {name!r}, not a generation: the store was changed by hand; "
                             f"delete {self.path} and ingest the files again")
        if not (self.path / name).is_dir():
            raise StoreError(f"{self.path / POINTER} names {name}, which is missing: the store was changed by hand; "
                             f"delete {self.path} and ingest the files again")
        return name

    def generations(self) -> list[str]:
        return sorted(p.name for p in self.path.iterdir() if p.is_dir() and GENERATION.fullmatch(p.name))

    def new_generation(self) -> Path:
        """A new, empty generation directory numbered after every existing one (writers only)."""
        numbers = [int(GENERATION.fullmatch(g).group(1)) for g in self.generations()]  # type: ignore[union-attr]
        path = self.path / f"gen-{max(numbers, default=0) + 1:06d}"
        path.mkdir()
        return path

    def publish(self, generation: Path) -> None:
        """Flush ``generation`` and make it current with one atomic rename of the pointer."""
        fsync_tree(generation)
        _fsync(self.path, directory=True)
        crash_point("publish:flushed")
        tmp = self.path / (POINTER + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(generation.name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        crash_point("publish:pointer-written")
        os.replace(tmp, self.path / POINTER)
        _fsync(self.path, directory=True)
        crash_point("publish:switched")

    def collect(self) -> list[str]:
        """Delete every generation but the current one that no reader holds (writers only, under the lock);
        returns the names deleted."""
        (self.path / (POINTER + ".tmp")).unlink(missing_ok=True)
        current = self.current()
        removed = []
        for name in self.generations():
            if name != current and self._remove_generation(self.path / name):
                removed.append(name)
        return removed

    def _remove_generation(self, gen: Path) -> bool:
        import fcntl

        fd = os.open(gen, os.O_RDONLY | os.O_DIRECTORY)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                log.debug("%s is in use by a reader; the next write removes it", gen)
                return False
            foreign = []
            for dirpath, dirs, files in os.walk(gen, topdown=False):
                for name in files:
                    rel = (Path(dirpath) / name).relative_to(gen).as_posix()
                    if owned(rel):
                        (Path(dirpath) / name).unlink()
                    else:
                        foreign.append(rel)
                for name in dirs:
                    sub = Path(dirpath) / name
                    rel = sub.relative_to(gen).as_posix()
                    if GENERATION_DIRS.fullmatch(rel) and not any(sub.iterdir()):
                        sub.rmdir()
            if foreign:
                log.warning("kept %s: it holds files graphkit did not write (%s)", gen, ", ".join(sorted(foreign)[:5]))
                return False
            gen.rmdir()
            return True
        finally:
            os.close(fd)

    def pin(self) -> Pin | None:
        """The current generation, held with a shared lock until released (readers); None when the store
        holds no generation yet. Reads only: opens and locks, never writes."""
        for _ in range(20):
            name = self.current()
            if name is None:
                return None
            gen = self.path / name
            try:
                fd = os.open(gen, os.O_RDONLY | os.O_DIRECTORY)
            except FileNotFoundError:
                continue  # collected between reading the pointer and opening it: read the pointer again
            try:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_SH)
            except (ImportError, OSError):
                pass  # no flock here: readers are not protected from collection, but still never write
            try:
                same = os.fstat(fd).st_ino == os.stat(gen).st_ino
            except FileNotFoundError:
                same = False
            if same:
                return Pin(gen, fd)
            os.close(fd)
        raise StoreError(f"{self.path} kept changing while opening it; try again")


def is_legacy(path: Path) -> bool:
    """A store of graphkit before generations: manifest.json (version 1, entries) in the directory itself."""
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("version") == 1 and isinstance(manifest.get("entries"), list)


def legacy_files(path: Path, manifest: dict) -> list[Path]:
    """The files a legacy (format 1) store made: exactly these are removed once it is upgraded."""
    names = ["graph.lbug", "graph.lbug.wal", "search.sqlite", "manifest.json"]
    names += [e["cache"] for e in manifest.get("entries", []) if isinstance(e.get("cache"), str)]
    return [path / n for n in names if (path / n).is_file()]
