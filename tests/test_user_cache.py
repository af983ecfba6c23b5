"""The per-user cache: entries round-trip, a damaged or unwritable cache never fails a run, and the MeSH
concept index built from cached folded tables equals the one folded from scratch."""

from __future__ import annotations

import json

from graphkit import user_cache
from graphkit.resolve.concepts import MeshIndex, mesh_index
from graphkit.resolve.mesh import MeshVocabulary


def test_round_trip_and_damage(tmp_path, monkeypatch):
    monkeypatch.setenv("GRAPHKIT_CACHE_DIR", str(tmp_path / "c"))
    assert user_cache.load_json("x-1") is None
    user_cache.save_json("x-1", {"a": ["b", "é"]})
    assert user_cache.load_json("x-1") == {"a": ["b", "é"]}
    assert [p.name for p in (tmp_path / "c").iterdir()] == ["x-1.json"]  # no temporary file left
    (tmp_path / "c" / "x-1.json").write_text("{not json")
    assert user_cache.load_json("x-1") is None  # computed again, no error


def test_an_unwritable_cache_is_only_skipped(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("GRAPHKIT_CACHE_DIR", str(blocker / "sub"))  # a directory under a file: cannot exist
    user_cache.save_json("x-1", [1])
    assert user_cache.load_json("x-1") is None


def test_mesh_index_from_cached_tables_equals_the_folded_one(tmp_path, monkeypatch):
    vocab = MeshVocabulary([("D1", "Alpha Widgets", "X01.001", ""), ("D2", "Beta Widgets", "X01.002", "")])
    entries = {"D1": ["Widget Thing", "Gizmo"], "D2": ["Widget Things", "Gizmo"]}
    fresh = MeshIndex(vocab, entries)
    again = MeshIndex(vocab, entries, json.loads(json.dumps(fresh.folded())))
    assert again.tables == fresh.tables and again.by_tree == fresh.by_tree
    # the bundled index: the first call folds and keeps the tables, a later process reads them
    monkeypatch.setenv("GRAPHKIT_CACHE_DIR", str(tmp_path / "c"))
    mesh_index.cache_clear()
    try:
        built = mesh_index()
        kept = list((tmp_path / "c").glob("mesh-concepts-*.json"))
        assert len(kept) == 1
        mesh_index.cache_clear()
        assert mesh_index().tables == built.tables
    finally:
        mesh_index.cache_clear()
