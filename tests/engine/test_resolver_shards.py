"""The author resolver in shards of name blocks (graphkit.engine.resolver_shards): the keys, decisions and
overrides of one resolver, on generated data with known duplicates, on the whole corpus, with an author
map, and through a build."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from conftest import ROOT, corpus_counts, need_corpus

sys.path.insert(0, str(ROOT))
from bench.generate import generate  # noqa: E402
from graphkit.build import BuildOptions  # noqa: E402
from graphkit.engine import core  # noqa: E402
from graphkit.engine import resolver_shards as shards_mod  # noqa: E402
from graphkit.engine.resolver_shards import resolve_author_keys_sharded, shards_for  # noqa: E402
from graphkit.resolve.author_shards import row_blocks, shard_of  # noqa: E402
from graphkit.resolve.authors import AuthorResolver  # noqa: E402


def resolver_input(paths, monkeypatch) -> pa.Table:
    """The table a build hands its author resolver (core.write_resolver_input_stream), for these files."""
    got = []
    write = core.write_resolver_input_stream

    def kept(folder, rows, keywords):
        n = write(folder, rows, keywords)
        got.append(pa.ipc.open_file(str(folder / core.RESOLVER_INPUT)).read_all())  # (read, not mapped)
        return n

    with monkeypatch.context() as m:
        m.setattr(core, "write_resolver_input_stream", kept)
        m.delenv(shards_mod.SHARDS_ENV, raising=False)
        core.build_columnar(paths, BuildOptions())
    assert len(got) == 1
    return got[0]


@pytest.fixture(scope="module")
def generated_input(tmp_path_factory):
    out = tmp_path_factory.mktemp("generated")
    generate(4000, out, seed=11, dup_rate=0.15)
    with pytest.MonkeyPatch.context() as m:
        return resolver_input([p for p in sorted(out.iterdir()) if p.suffix in (".ris", ".nbib")], m)


def assert_one_resolver(table: pa.Table, shards: int, folder: Path, author_map=None, workers: int = 1) -> None:
    author_map = author_map or {}
    want_keys, want_decisions, want_overridden = core.resolve_author_keys(table, "compatible", author_map, 1)
    keys, decisions, overridden = resolve_author_keys_sharded(table, author_map, workers, shards, folder)
    assert keys.to_pylist() == want_keys.to_pylist()
    assert decisions == want_decisions
    assert overridden == want_overridden
    assert not [p for p in folder.iterdir() if p.name != "duckdb.tmp"]  # (its files are gone)


@pytest.mark.parametrize("shards", [1, 2, 5])
def test_shards_give_the_keys_and_decisions_of_one_resolver(generated_input, shards, tmp_path):
    """4,000 generated records (15% duplicates; ~13k author occurrences): every occurrence's key and every
    decision the same, in the same order, in 1, 2 and 5 shards."""
    table = generated_input
    assert table.num_rows > 10_000
    want_keys, want_decisions, _ = core.resolve_author_keys(table, "compatible", {}, 1)
    assert want_decisions  # (the test has decisions to compare)
    assert len(set(want_keys.to_pylist())) < table.num_rows  # (and authors of several occurrences)
    assert_one_resolver(table, shards, tmp_path / "shards")


@pytest.mark.corpus
def test_shards_give_the_keys_of_one_resolver_on_the_whole_corpus(monkeypatch, tmp_path):
    corpus = need_corpus()
    table = resolver_input([corpus / f for f, _, _ in corpus_counts()], monkeypatch)
    assert_one_resolver(table, 4, tmp_path / "shards")


def test_shards_apply_the_author_map_as_one_resolver(generated_input, tmp_path):
    """An --author-map (a variant set to a key, a variant kept apart with 'split'): the same keys and
    the same count of overridden occurrences."""
    families = generated_input.column("family").to_pylist()
    givens = generated_input.column("given").to_pylist()
    named = [(f, g) for f, g in zip(families, givens) if f and g]
    (f1, g1), (f2, g2) = named[0], named[len(named) // 2]
    author_map = {f"{f1}, {g1}": "me:someone", f"{f2}, {g2}": "split"}
    assert_one_resolver(generated_input, 3, tmp_path / "shards", author_map)


def _table(rows):
    names = ("pkey", "wid", "pos", "family", "given", "orcid", "aff")
    table = pa.table({name: pa.array([r[i] for r in rows], pa.int64() if name in ("wid", "pos") else pa.string())
                      for i, name in enumerate(names)})
    table = table.append_column("jkey", pa.array([None] * len(rows), pa.string()))
    return table.append_column("kws", pa.array([None] * len(rows), pa.list_(pa.string())))


def test_row_blocks_are_the_resolvers_blocks():
    """Each row's block as the resolver makes it: particles moved from the given names to the family
    name ('Berg, J. van der'), German umlauts equated, no family name and an ORCID an 'orcid:' block,
    no family name and no ORCID none."""
    rows = [("p1", 1, 1, "Berg", "J. van der", None, None),
            ("p1", 1, 2, "Müller", "A.", None, None),
            ("p2", 2, 1, "Mueller", "Anna", None, None),
            ("p2", 2, 2, "", "X.", "https://orcid.org/0000-0002-1825-0097", None),
            ("p3", 3, 1, None, None, None, None),
            ("p3", 3, 2, "--", "Y.", None, None)]
    table = _table(rows)
    blocks = row_blocks(table.column("family"), table.column("given"), table.column("orcid")).to_pylist()
    assert blocks == ["vanderberg", "muller", "muller", "orcid:0000-0002-1825-0097", None, None]
    resolver = AuthorResolver("compatible", workers=1, variants=False)
    core._fed_resolver(table, "compatible", {}, 1, resolver)  # noqa: SLF001
    resolver.prepare()
    got = {i: b for b, occs in resolver._blocks.items() for i in occs}  # noqa: SLF001
    assert [got.get(i) for i in range(len(rows))] == blocks


def test_tiny_inputs_in_more_shards_than_blocks(tmp_path):
    """Shards with no blocks of their own, and a row without a name: the keys of one resolver."""
    rows = [("p1", 1, 1, "Kim", "Jin-Soo", None, "Seoul National University"),
            ("p1", 1, 2, "Lee", "A.", "0000-0002-1825-0097", None),
            ("p2", 2, 1, "Kim", "J.", None, "Seoul National University"),
            ("p2", 2, 2, None, None, None, None),
            ("p3", 3, 1, "Kim", "Jin-Soo", None, "Busan University, Busan")]
    assert_one_resolver(_table(rows), 7, tmp_path / "shards")


def test_shards_for_counts_occurrences_and_the_environment_overrides(monkeypatch):
    monkeypatch.delenv(shards_mod.SHARDS_ENV, raising=False)
    assert shards_for(1_000) == 1
    assert shards_for(shards_mod.SHARDED_FROM) == 1
    assert shards_for(shards_mod.SHARDED_FROM + 1) == 0  # (as many as shard_count says)
    monkeypatch.setenv(shards_mod.SHARDS_ENV, "3")
    assert shards_for(1_000) == 3
    assert shard_of("kim", 3) == shard_of("kim", 3) in range(3)


def test_shard_count_bounds_the_largest_shard(generated_input, tmp_path, monkeypatch):
    """Shards enough that none holds more than SHARD_ROWS rows (its blocks' occurrences and their papers'
    co-authors), and with that count (0) the keys of one resolver, two shards at a time."""
    import numpy as np
    import pyarrow.compute as pc

    table = generated_input
    wids = table.column("wid").to_numpy()
    paper_of = np.cumsum(np.concatenate(([True], wids[1:] != wids[:-1]))) - 1
    enc = row_blocks(table.column("family"), table.column("given"), table.column("orcid")).dictionary_encode()
    block_of = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    names = enc.dictionary.to_pylist()
    most = table.num_rows // 3
    shards = shards_mod.shard_count(paper_of, block_of, names, int(paper_of[-1]) + 1, most)
    assert shards > 2

    def largest(k):
        shard_row = shards_mod._shard_of_rows(block_of, names, k)  # noqa: SLF001
        owner = shards_mod._owners(paper_of, shard_row, int(paper_of[-1]) + 1, k)  # noqa: SLF001
        return max(len(shards_mod._shard_rows(paper_of, shard_row, owner, s)) for s in range(k))  # noqa: SLF001

    assert largest(shards) <= most < largest(shards // 2)
    monkeypatch.setattr(shards_mod, "SHARD_ROWS", most)
    want = core.resolve_author_keys(table, "compatible", {}, 1)
    keys, decisions, _ = resolve_author_keys_sharded(table, {}, 2, 0, tmp_path / "shards")
    assert keys.to_pylist() == want[0].to_pylist() and decisions == want[1]


def test_a_build_in_shards_prints_the_stats_of_one(tmp_path, monkeypatch):
    """``graphkit stats --json`` of a build whose resolver runs in shards (GRAPHKIT_RESOLVER_SHARDS) is
    that of one resolver."""
    from click.testing import CliRunner

    from graphkit.cli import main as cli

    out = tmp_path / "gen"
    generate(1500, out, seed=5, dup_rate=0.15)
    files = [str(p) for p in sorted(out.iterdir()) if p.suffix in (".ris", ".nbib")]
    monkeypatch.delenv(shards_mod.SHARDS_ENV, raising=False)
    want = CliRunner().invoke(cli, ["stats", *files, "--json"])
    assert want.exit_code == 0, want.output
    sharded = shards_mod.resolve_author_keys_sharded
    called = tmp_path / "called"

    def watched(*args):  # (in the resolver's forked process: it leaves a file)
        called.write_text(str(args[3]))
        return sharded(*args)

    monkeypatch.setattr(shards_mod, "resolve_author_keys_sharded", watched)
    monkeypatch.setenv(shards_mod.SHARDS_ENV, "3")
    got = CliRunner().invoke(cli, ["stats", *files, "--json"])
    assert got.exit_code == 0, got.output
    assert called.read_text() == "3"
    assert json.loads(got.output) == json.loads(want.output)


def _fails_on_one(k: int) -> int:
    if k == 1:
        raise ValueError("shard 1 failed")
    return k * 10


def test_shards_run_at_once_give_their_results_in_order_and_a_failure_stops_the_step():
    assert shards_mod._all_forked(_fails_on_one, [(0,), (2,), (3,)], 2) == [0, 20, 30]  # noqa: SLF001
    with pytest.raises(ValueError, match="shard 1 failed"):
        shards_mod._all_forked(_fails_on_one, [(0,), (1,), (2,)], 2)  # noqa: SLF001


def test_shards_taken_a_slice_of_the_input_at_a_time(generated_input, tmp_path, monkeypatch):
    """Each shard's rows taken from slices of the input (TAKE_SLICE rows, here not a multiple of a
    paper's), the next shards' files written while two run: the keys and decisions of one resolver."""
    monkeypatch.setattr(shards_mod, "TAKE_SLICE", 997)
    assert_one_resolver(generated_input, 5, tmp_path / "shards", workers=2)


def test_the_next_shards_input_is_made_while_these_run():
    made: list[list[int]] = []
    got = shards_mod._all_forked(_fails_on_one, [(0,), (2,), (3,), (4,), (5,)], 2,  # noqa: SLF001
                                 lambda batch: made.append(list(batch)))
    assert got == [0, 20, 30, 40, 50]
    assert made == [[0, 1], [2, 3], [4]]


def test_a_paper_is_owned_by_the_shard_of_its_first_author_with_a_block():
    """Papers 0-2: the first author's shard; paper 1's first author has no block (-1), so its second
    author's; paper 3 has no author with a block: its number modulo the shards."""
    import numpy as np

    paper_of = np.array([0, 0, 1, 1, 1, 2, 3, 3])
    shard_row = np.array([2, 0, -1, 1, 2, 0, -1, -1])
    assert shards_mod._owners(paper_of, shard_row, 4, 3).tolist() == [2, 1, 0, 0]  # noqa: SLF001


@pytest.mark.parametrize("with_map", [False, True])
def test_an_input_file_is_mapped_and_gone_once_added(generated_input, tmp_path, with_map):
    """Given the input as a file (as a build gives it), the keys of one resolver; the file is removed
    once every shard has added its rows, unless the author map needs it at the end."""
    from graphkit.columnar import write_arrow_file

    path = tmp_path / "occurrences.arrow"
    write_arrow_file(path, generated_input)
    family, given = generated_input.column("family")[0].as_py(), generated_input.column("given")[0].as_py()
    author_map = {f"{family}, {given}": "me:someone"} if with_map else {}
    want = core.resolve_author_keys(generated_input, "compatible", author_map, 1)
    keys, decisions, overridden = resolve_author_keys_sharded(path, author_map, 2, 3, tmp_path / "shards")
    assert keys.to_pylist() == want[0].to_pylist() and decisions == want[1] and overridden == want[2]
    assert path.exists() == with_map


def test_the_shards_counts_are_gone_once_summed(generated_input, tmp_path, monkeypatch):
    """Through the passes the folder holds the summed counts, not each shard's (at 10M records 2.3 GB of
    owned papers' counts); the first pass's document frequencies are gone before the second; the keys of
    one resolver."""
    log = tmp_path / "seen.jsonl"  # (a pass runs in a forked process: what it sees goes to a file)
    run = shards_mod._shard_pass  # noqa: SLF001

    def listed(folder, s, npass, *args):
        if s == 0:
            with log.open("a") as f:
                f.write(json.dumps([npass, sorted(p.name for p in folder.iterdir())]) + "\n")
        return run(folder, s, npass, *args)

    monkeypatch.setattr(shards_mod, "_shard_pass", listed)
    assert_one_resolver(generated_input, 3, tmp_path / "shards")
    seen = [json.loads(line) for line in log.read_text().splitlines()]
    assert [npass for npass, _ in seen] == list(range(shards_mod.PASSES))
    for npass, names in seen:
        assert not [n for n in names if n.startswith("counts-")]
        assert ("df.parquet" in names) == (npass == 0)
        assert not [n for n in names if n.startswith("ambiguity-")]
        assert ("ambiguity.parquet" in names) == (npass > 0)


def test_a_build_reports_the_resolver_shards_progress(tmp_path, monkeypatch):
    """A build with its resolver in shards reports phase 'resolve authors' up to a unit per shard and step
    (its adding, each pass), through the progress callback the CLI draws as a bar."""
    from graphkit.resolve.authors import PASSES

    generate(300, tmp_path, seed=5, dup_rate=0.1)
    paths = [p for p in sorted(tmp_path.iterdir()) if p.suffix in (".ris", ".nbib")]
    calls = []
    monkeypatch.setenv(shards_mod.SHARDS_ENV, "3")
    core.build_columnar(paths, BuildOptions(), progress=lambda *a: calls.append(a))
    mine = [c for c in calls if c[0] == core.RESOLVER_PHASE]
    assert mine  # (the first read may come after some shards: a small build is quick)
    assert sum(c[1] for c in mine) == 3 * (1 + PASSES)
    assert all(c[2] == 3 * (1 + PASSES) for c in mine)


def _meets(k: int, folder: str) -> bool:
    """Step 0 waits (10 s at most) for the file step 2 writes: it sees it only if step 2 can start while
    step 0 still runs."""
    import time
    from pathlib import Path

    sign = Path(folder) / "step-2-ran"
    if k == 2:
        sign.write_text("")
    if k != 0:
        return True
    end = time.monotonic() + 10
    while not sign.exists() and time.monotonic() < end:
        time.sleep(0.01)
    return sign.exists()


def test_the_next_shard_starts_when_one_ends_not_when_its_group_does(tmp_path):
    """Two at once: when step 1 ends, step 2 starts beside step 0, which is still running (in groups of
    two, step 2 would wait for step 0); the results come in the order of the arguments."""
    ended: list[int] = []
    got = shards_mod._all_forked(_meets, [(k, str(tmp_path)) for k in range(4)], 2,  # noqa: SLF001
                                 finished=ended.append)
    assert got == [True, True, True, True]
    assert ended == [1, 1, 1, 1]
