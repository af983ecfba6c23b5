"""The store directory: owned (marker, refuses foreign folders, deletes only its own files), generations
switched by the pointer, readers pinning a generation, legacy stores upgraded only by a writer."""

from __future__ import annotations

import gzip
import json
import shutil
from dataclasses import asdict
from pathlib import Path

import pytest

from conftest import FIXTURES
from graphkit.engine.compare import graph_differences
from graphkit.model import Diagnostic, GraphkitError
from graphkit.readers import read
from graphkit.sinks.embedded import EmbeddedStore, StoreError
from graphkit.store_dir import MARKER, POINTER, StoreDir, owned
from graphkit.stores import open_store

A, B = FIXTURES / "queries" / "ingest_a.nbib", FIXTURES / "queries" / "ingest_b.nbib"


def snapshot(path: Path) -> dict[str, tuple[int, int]]:
    return {str(f.relative_to(path)): (f.stat().st_size, f.stat().st_mtime_ns)
            for f in sorted(path.rglob("*")) if f.is_file()}


def foreign_files(root: Path) -> list[Path]:
    """The files of the issue's report: names the old store deleted though a user made them."""
    made = [root / "records" / "my-experiment.jsonl.gz", root / "graphs" / "0000-mine.jsonl.gz",
            root / "graph.lbug.bak", root / "graph.lbug-notes.txt"]
    for f in made:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("mine", encoding="utf-8")
    return made


def as_json_cache(gen: Path) -> None:
    """Turn a generation's record cache into what graphkit kept before the Parquet cache: each file's
    parsed records as gzip JSON lines, ``records/<sha256>.jsonl.gz``, named in the manifest."""
    manifest = json.loads((gen / "manifest.json").read_text())
    for entry in manifest["entries"]:
        if entry["kind"] != "file":
            continue
        shutil.rmtree(gen / entry["cache"])
        cache = f"records/{entry['sha256']}.jsonl.gz"
        with gzip.open(gen / cache, "wt", encoding="utf-8") as fh:
            for rec in read(entry["path"], entry["format"]):
                if not isinstance(rec, Diagnostic):
                    fh.write(json.dumps(asdict(rec), ensure_ascii=False) + "\n")
        for k in ("slot", "mode", "cache_id", "ext_errors"):
            entry.pop(k, None)
        entry["cache"] = cache
    (gen / "manifest.json").write_text(json.dumps(manifest, indent=1))


def test_a_new_directory_is_made_and_marked(tmp_path):
    db = tmp_path / "deep" / "s.db"
    with EmbeddedStore(db, create=True) as store:
        store.ingest([A])
        assert (db / MARKER).is_file() and (db / POINTER).read_text().strip() == store.generation
        assert json.loads((db / MARKER).read_text())["graphkit_store"] == 2


def test_an_empty_directory_is_adopted(tmp_path):
    db = tmp_path / "empty"
    db.mkdir()
    with EmbeddedStore(db, create=True) as store:
        store.ingest([A])
        assert store.counts()["Paper"] == 2


def test_a_directory_with_foreign_files_is_refused_and_nothing_is_touched(tmp_path):
    proj = tmp_path / "proj"
    made = foreign_files(proj)
    before = snapshot(proj)
    with pytest.raises(GraphkitError, match="not a graphkit store"):
        EmbeddedStore(proj, create=True).ingest([A])
    with pytest.raises(GraphkitError, match="not a graphkit store"):
        open_store(proj)  # readers too
    assert snapshot(proj) == before and all(f.exists() for f in made)
    assert sorted(p.name for p in proj.iterdir()) == ["graph.lbug-notes.txt", "graph.lbug.bak", "graphs", "records"]


def test_a_file_is_refused(tmp_path):
    f = tmp_path / "s.db"
    f.write_text("x")
    with pytest.raises(GraphkitError, match="not a directory"):
        EmbeddedStore(f, create=True)


def test_files_a_user_puts_in_a_store_survive_every_write(tmp_path):
    db = tmp_path / "s.db"
    with EmbeddedStore(db, create=True) as store:
        store.ingest([A])
        made = foreign_files(db)
        old = db / store.generation
        (old / "notes.txt").write_text("mine")  # even inside a generation
        store.ingest([B])
        store.rebuild()
        store.run("MATCH (a:Author) SET a.name = 'X'", write=True)
        assert all(f.read_text() == "mine" for f in made)
        assert (old / "notes.txt").read_text() == "mine"
        assert sorted(p.name for p in old.iterdir()) == ["notes.txt"]  # graphkit's own files went
        assert store.dir.generations() == [old.name, store.generation]


def test_each_write_is_a_new_generation_and_old_ones_go(tmp_path):
    db = tmp_path / "s.db"
    with EmbeddedStore(db, create=True) as store:
        store.ingest([A])
        first = store.generation
        parts = sorted((db / first / store.files[0]["cache"]).rglob("*.parquet"))
        inodes = [p.stat().st_ino for p in parts]
        store.ingest([B])
        assert store.generation > first and store.dir.generations() == [store.generation]
        # unchanged record caches (a folder of Parquet tables per file) are hard links into the new
        # generation, not copies
        cache = db / store.generation / store.files[0]["cache"]
        moved = sorted(cache.rglob("*.parquet"))
        assert parts and [p.relative_to(cache) for p in moved] == [p.relative_to(db / first / store.files[0]["cache"])
                                                                   for p in parts]
        assert [p.stat().st_ino for p in moved] == inodes
        assert all(p.stat().st_nlink == 1 for p in moved)  # (the old generation, its other link, is gone)


def test_a_reader_keeps_its_generation_until_it_closes(tmp_path):
    db = tmp_path / "s.db"
    with EmbeddedStore(db, create=True) as writer:
        writer.ingest([A])
        reader = EmbeddedStore(db)
        assert reader.counts()["Paper"] == 2
        pinned = reader.generation
        writer.ingest([B])  # the reader's generation is not deleted under it
        assert (db / pinned / "graph.lbug").exists()
        assert reader.counts()["Paper"] == 2 and reader.run("MATCH (p:Paper) RETURN count(p) AS n") == [{"n": 2}]
        reader.close()
        assert EmbeddedStore(db).counts()["Paper"] == 3  # a new reader sees the new generation
        writer.ingest([A])  # nothing changes, but the writer collects the released generation
        assert writer.dir.generations() == [writer.generation]


def test_an_unfinished_generation_is_an_orphan_the_next_writer_removes(tmp_path):
    db = tmp_path / "s.db"
    with EmbeddedStore(db, create=True) as store:
        store.ingest([A])
        current = store.generation
    orphan = StoreDir(db).new_generation()  # what a killed writer leaves
    (orphan / "records").mkdir()
    (orphan / "records" / ("0" * 64 + ".jsonl.gz")).write_bytes(b"half")
    (orphan / "copy-x1" ).mkdir()
    (orphan / "copy-x1" / "Paper.parquet").write_bytes(b"half")
    (orphan / "graph.lbug").write_bytes(b"half")
    before = snapshot(db)
    with EmbeddedStore(db) as reader:  # readers ignore it and leave it
        assert reader.generation == current and reader.counts()["Paper"] == 2
    assert snapshot(db) == before
    with EmbeddedStore(db) as store:
        store.ingest([A])  # even a write that changes nothing cleans up
        assert store.dir.generations() == [current]


def test_ownership_patterns():
    assert owned("graph.lbug") and owned("graph.lbug.wal") and owned("search.sqlite") and owned("manifest.json")
    # what LadybugDB leaves when a COPY or checkpoint is killed
    assert owned("graph.lbug.pk_validator.Paper.tmp") and owned("graph.lbug.checkpoint.intent.lock")
    assert owned("graph.lbug.checkpoint") and owned("graph.lbug.pinned.tmp") and owned("graph.lbug.shadow")
    assert owned("records/" + "a" * 64 + ".jsonl.gz") and owned("graphs/0003-0123456789ab.jsonl.gz")
    assert not owned("graph.lbug.bak") and not owned("graph.lbug-notes.txt")
    assert not owned("records/my-experiment.jsonl.gz") and not owned("notes.txt")
    # the Parquet record cache: a folder per file, one per input table
    assert owned("records/" + "a" * 64 + ".3/rec/part-196608.parquet") and owned("records/" + "a" * 64 + ".3/ext.parquet")
    assert not owned("records/" + "a" * 64 + ".3/notes.txt") and not owned("records/mine/rec/part-1.parquet")


def test_a_store_of_the_flat_layout_is_upgraded_by_a_writer_only(tmp_path):
    """graphkit before generations kept graph.lbug, manifest.json and records/ in the directory itself.
    Reads say how to upgrade and write nothing; `rebuild` upgrades, deleting only the files it made."""
    db = tmp_path / "old.db"
    with EmbeddedStore(tmp_path / "new.db", create=True) as store:
        store.ingest([A, B])
        counts = store.counts()
        gen = tmp_path / "new.db" / store.generation
    shutil.copytree(gen, db)  # a generation has the flat layout's files and names
    as_json_cache(db)  # and the record cache of those days
    mine = db / "graph.lbug.bak"
    mine.write_text("mine")
    before = snapshot(db)
    with pytest.raises(StoreError, match=f"graphkit rebuild --db {db}"):
        EmbeddedStore(db).counts()
    assert snapshot(db) == before
    with EmbeddedStore(db) as store:
        store.rebuild()
        assert store.counts() == counts
        assert sorted(p.name for p in db.iterdir()) == sorted(
            [MARKER, POINTER, "writer.lock", store.generation, "graph.lbug.bak"])


def test_a_store_with_the_gzip_json_record_cache_is_converted_by_a_writer(tmp_path):
    """Stores written before the Parquet cache hold parsed records as gzip JSON: reads work as before,
    `rebuild` turns the cache into Parquet tables (without the source files) and gives the same graph."""
    db = tmp_path / "s.db"
    with EmbeddedStore(db, create=True) as store:
        store.ingest([A, B])
        counts = store.counts()
        graph = store.read_graph()
        gen = db / store.generation
    as_json_cache(gen)
    with EmbeddedStore(db) as store:
        assert store.counts() == counts  # a read needs no cache
    with EmbeddedStore(db) as store:
        store.rebuild()
        assert store.counts() == counts and graph_differences(store.read_graph(), graph) == []
        files = store.files
        assert all(not e["cache"].endswith(".jsonl.gz") and e["cache_id"] for e in files)
        assert not list((db / store.generation).rglob("*.jsonl.gz"))
        assert all((db / store.generation / e["cache"] / "rec").is_dir() for e in files)
