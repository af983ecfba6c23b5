"""The author resolver (mode 'compatible') run in shards of name blocks, one forked process at a time, so
that its memory is bounded by a shard's, not the input's (:mod:`graphkit.resolve.author_shards` says what a
shard holds and what it counts for all).

Steps, each shard's in a process of its own that leaves its state pickled in the work folder:

1. each row's name block and shard; each shard's rows (its papers, whole) written to a file;
2. each shard adds its rows and counts its owned papers' evidence; the counts are summed by feature name
   (DuckDB, spilling);
3. each pass: each shard clusters its blocks; the clusters' keys are made unique over all blocks in block
   order (as one resolver's ``_cluster_key`` does); before the next pass, the papers of each author and the
   authors of each co-author name are counted for all.

The result is that of :func:`graphkit.engine.core.resolve_author_keys`: the same keys, decisions and
overrides (tests/engine/test_resolver_shards.py).
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from graphkit.columnar import mapped_arrow_file, write_arrow_file
from graphkit.engine.sql import fetch_arrow
from graphkit.memory import Forked, drop_mapped_pages, first_ended, release_freed, start_forked
from graphkit.resolve.author_shards import ShardResolver, row_blocks, shard_of
from graphkit.resolve.authors import (
    COMMON_GIVEN_MIN,
    COMMON_GIVEN_SHARE,
    PASSES,
    Decision,
    _distinct_pairs,
    decision,
    override_for,
    override_key,
)

log = logging.getLogger(__name__)

# inputs with more occurrences than this are resolved in shards (below it one process holds them all in
# less time: a shard adds its papers' co-authors too, ~6x the adding over all shards at 1M generated records)
SHARDED_FROM = 12_000_000
# rows a shard holds at most (its blocks' occurrences and their papers' co-authors): a shard's process
# held ~0.95 KB per row (1.17 GB at 1.25M rows, 1M generated records in 16 shards), and ``workers`` shards
# run at once
SHARD_ROWS = 1_000_000
SHARDS_ENV = "GRAPHKIT_RESOLVER_SHARDS"  # a number of shards (1: one resolver), instead of the rule above
STATE_CODEC = "zstd"  # the shards' pickled state between steps
DUCKDB_MEMORY = "1GB"  # the feature counts' sums (they spill beyond it)


def shards_for(occurrences: int) -> int:
    """Whether to resolve this many occurrences in shards: ``GRAPHKIT_RESOLVER_SHARDS`` when set (1: no
    shards), else 1 up to SHARDED_FROM occurrences and 0 (as many as SHARD_ROWS needs:
    :func:`shard_count`) from there on."""
    if value := os.environ.get(SHARDS_ENV):
        if value.strip().isdigit():
            return max(1, int(value))
        log.warning("%s=%r is not a number of shards: ignored", SHARDS_ENV, value)
    return 1 if occurrences <= SHARDED_FROM else 0


def _shard_rows(paper_of: Any, shard_row: Any, owner: Any, s: int) -> Any:
    """The rows of shard ``s``: every row of each paper one of its blocks' occurrences is on, or that it
    owns."""
    touched = owner == s
    touched[paper_of[shard_row == s]] = True
    return np.flatnonzero(touched[paper_of])


def _owners(paper_of: Any, shard_row: Any, papers: int, shards: int) -> Any:
    """Each paper's owner, the one shard that counts it: the shard of its first author with a name block
    (which holds the paper anyway), else (no author has one) the paper's number modulo ``shards``."""
    owner = np.arange(papers, dtype=np.int64) % shards
    blocked = np.flatnonzero(shard_row >= 0)
    if len(blocked):
        of = paper_of[blocked]
        first = np.concatenate(([True], of[1:] != of[:-1]))  # (rows in paper order)
        owner[of[first]] = shard_row[blocked[first]]
    return owner


def shard_count(paper_of: Any, block_of: Any, blocks: list[str], papers: int, most: int = SHARD_ROWS) -> int:
    """The fewest shards (doubling from 2, at most 1024) whose largest holds at most ``most`` rows (the
    largest of the first 8: hashed blocks make shards of nearly one size)."""
    shards = 2
    while shards < 1024:
        shard_row = _shard_of_rows(block_of, blocks, shards)
        owner = _owners(paper_of, shard_row, papers, shards)
        if max(len(_shard_rows(paper_of, shard_row, owner, s)) for s in range(min(shards, 8))) <= most:
            return shards
        shards *= 2
    return shards


def _shard_of_rows(block_of: Any, blocks: list[str], shards: int) -> Any:
    """Each row's shard (its block's; -1: no block)."""
    if not blocks:
        return np.full(len(block_of), -1, dtype=np.int64)
    of_block = np.array([shard_of(b, shards) for b in blocks], dtype=np.int64)
    return np.where(block_of >= 0, of_block[np.maximum(block_of, 0)], -1)


TAKE_SLICE = 1 << 20  # input rows a shard's rows are taken from at a time (their mapped pages let go after)


def _write_shard(folder: Path, table: pa.Table, paper_of: Any, shard_row: Any, owner: Any, s: int) -> int:
    """Shard ``s``'s rows of ``table`` (its papers, whole, with ``owned``: whether the shard counts the
    paper) to ``shard-S.arrow`` and their row numbers to ``rows-S.npy``; how many. The rows are taken a
    slice of the (mapped) input at a time and its pages let go after each: a shard's rows are spread over
    all of it (at 10M records ~4 GB, which one take would leave resident)."""
    rows = _shard_rows(paper_of, shard_row, owner, s)
    parts = []
    for lo in range(0, table.num_rows, TAKE_SLICE):
        a, b = np.searchsorted(rows, [lo, lo + TAKE_SLICE])
        if b > a:
            parts.append(table.slice(lo, TAKE_SLICE).take(pa.array(rows[a:b] - lo)))
            drop_mapped_pages()
    part = pa.concat_tables(parts) if parts else table.slice(0, 0)
    del parts
    part = part.append_column("owned", pa.array(owner[paper_of[rows]] == s))
    write_arrow_file(folder / f"shard-{s}.arrow", part)
    np.save(folder / f"rows-{s}.npy", rows.astype(np.int32 if table.num_rows < 2**31 else np.int64))
    return len(rows)


def _all_forked(fn: Any, args: list[tuple[Any, ...]], at_once: int,
                ahead: Callable[[range], None] | None = None,
                finished: Callable[[int], None] | None = None) -> list[Any]:
    """``fn(*a)`` for each of ``args``, each in a forked process, ``at_once`` at a time, the next one
    started as soon as one ends (not each group waiting for its slowest); their results, in the order of
    ``args``. ``ahead``: called with the indexes of the first ``at_once`` before they start, then, each
    time some start, with as many indexes after those made (to make their input while these run).
    ``finished``: called with how many ended, as they do."""
    out: list[Any] = [None] * len(args)
    made = min(at_once, len(args))  # (the inputs made so far: those of args[:made])
    if ahead is not None and made:
        ahead(range(0, made))
    running: dict[int, Forked[Any]] = {}
    following = 0
    try:
        while following < len(args) or running:
            started = 0
            while following < len(args) and len(running) < at_once:
                running[following] = start_forked(fn, *args[following])
                following, started = following + 1, started + 1
            if ahead is not None and started and made < len(args):  # (after the starts: no core waits)
                ahead(range(made, min(made + started, len(args))))
                made = min(made + started, len(args))
            keys = list(running)
            k = keys[first_ended([running[j] for j in keys])]
            out[k] = running.pop(k).result()
            if finished is not None:
                finished(1)
    except BaseException:
        for r in running.values():  # (the others stop with the first error)
            r.cancel()
        raise
    return out


def resolve_author_keys_sharded(table: pa.Table | Path, author_map: dict[str, str], workers: int, shards: int,
                                folder: Path, progress: Callable[[int, int], None] | None = None
                                ) -> tuple[pa.Array, list[Decision], int]:
    """:func:`graphkit.engine.core.resolve_author_keys` of ``table`` in mode 'compatible', in ``shards``
    shards (0: as many as :func:`shard_count` says), with its files in ``folder`` (which it empties of
    them). ``workers`` shards run at once. ``table`` may be the path of an Arrow file
    (:func:`~graphkit.columnar.write_arrow_file`): it is mapped, and without an author map removed once
    every shard has added its rows (at 10M records ~4 GB of disk through the passes)."""
    from graphkit.engine.core import paper_starts

    clock = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    source = table if isinstance(table, Path) else None
    if source is not None:
        table = mapped_arrow_file(source)
    assert isinstance(table, pa.Table)
    n = table.num_rows
    paper_of = np.cumsum(paper_starts(table)) - 1
    papers = int(paper_of[-1]) + 1 if n else 0
    blocks = row_blocks(table.column("family"), table.column("given"), table.column("orcid"))
    enc = blocks.dictionary_encode()
    names = enc.dictionary.to_pylist()
    block_of = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    del blocks, enc
    drop_mapped_pages()  # (the input's pages read so far: the shards' rows are taken a slice at a time)
    if not shards:
        shards = shard_count(paper_of, block_of, names, papers)
    shard_row = _shard_of_rows(block_of, names, shards)
    del block_of, names
    owner = _owners(paper_of, shard_row, papers, shards)  # each paper counted by one shard
    # shards at once: one per worker, each clustering its blocks alone
    at_once, workers = max(1, min(workers, shards)), (1 if workers > 1 and shards > 1 else workers)
    _let_go()
    try:
        # each shard's adding and its owned papers' counts; the counts summed for all
        # (a shard's rows are written just before its process adds them, and gone once it has: at 10M
        # records all shards' rows together are ~8 rows per occurrence, ~35 GB)
        given: Counter[str] = Counter()
        nblocks = total_papers = 0
        sizes = [0] * shards

        def write(batch: range) -> None:
            for s in batch:
                sizes[s] = _write_shard(folder, table, paper_of, shard_row, owner, s)

        log.info("author resolver in %d shards (%d occurrences), %d at once: %.1f s", shards, n, at_once,
                 time.perf_counter() - clock)
        # progress: a unit per shard and step (its adding, each pass)
        total, done = shards * (1 + PASSES), 0

        def finished(k: int) -> None:
            nonlocal done
            done += k
            if progress is not None:
                progress(done, total)

        finished(0)
        for owned_papers, counted, blocks_s in _all_forked(
                _shard_prepare, [(folder, s, shards, workers) for s in range(shards)], at_once, write, finished):
            total_papers += owned_papers
            given.update(counted)
            nblocks += blocks_s
        del shard_row, owner, write
        if source is not None and not author_map:
            del table
            source.unlink()
        log.info("author shards of %d-%d rows (%d in all) added: %.1f s", min(sizes), max(sizes), sum(sizes),
                 time.perf_counter() - clock)
        floor = max(COMMON_GIVEN_MIN, COMMON_GIVEN_SHARE * nblocks)
        common = {g for g, k in given.items() if k >= floor}
        _sum_counts(folder, "counts-*.parquet", folder / "df.parquet", "sum(n)")
        key_ids = np.full(n, -1, dtype=np.int64)
        decisions: list[Decision] = []
        for npass in range(PASSES):
            last = npass == PASSES - 1
            if npass:
                np.save(folder / "keys.npy", key_ids)
                np.save(folder / "key-papers.npy", _papers_per_key(paper_of, key_ids))
                _sum_counts(folder, "ambiguity-*.parquet", folder / "ambiguity.parquet", "sum(n)")
            _all_forked(_shard_pass, [(folder, s, npass, last, common, total_papers) for s in range(shards)], at_once,
                        finished=finished)
            if npass == 0:
                (folder / "df.parquet").unlink()  # (read by the first pass only)
            log.debug("author shards, pass %d clustered: the steps' process RSS %d MB", npass + 1, _rss_mb())
            key_ids, strings, decisions = _keys(folder, shards, n, last)
            log.debug("author shards, pass %d keyed: the steps' process RSS %d MB", npass + 1, _rss_mb())
            _let_go()
            log.info("author shards, pass %d: %.1f s, the steps' process RSS %d MB", npass + 1,
                     time.perf_counter() - clock, _rss_mb())
        keys = pa.DictionaryArray.from_arrays(pa.array(np.maximum(key_ids, 0), pa.int64(), mask=key_ids < 0),
                                              strings if len(strings) else pa.array([""], pa.string())
                                              ).cast(pa.string())
        overridden = 0
        if author_map:
            keys, overridden = _overridden(table, keys, {override_key(k): v for k, v in author_map.items()})
        return keys, decisions, overridden
    finally:
        for path in folder.iterdir():
            if path.name.startswith(("shard-", "rows-", "counts-", "ambiguity", "clusters-", "df.", "keys.",
                                     "key-papers.", "resolver-", "keyed")):
                path.unlink()


def _shard_prepare(folder: Path, s: int, shards: int, workers: int) -> tuple[int, Counter[str], int]:
    """In a process of its own: shard ``s`` added and prepared, its owned papers' evidence counted
    (``counts-S.parquet``), the resolver left pickled; its owned papers with authors, and its blocks'
    first given names (:meth:`ShardResolver.common_given_parts`)."""
    from graphkit.engine.core import _fed_resolver, paper_starts

    path = folder / f"shard-{s}.arrow"
    part = mapped_arrow_file(path)
    path.unlink()  # (mapped: its pages stay until the table goes)
    resolver = ShardResolver(s, shards, workers=workers)
    _fed_resolver(part, "compatible", {}, workers, resolver)
    owned = part.column("owned").to_numpy(zero_copy_only=False)[paper_starts(part)].astype(bool)
    del part
    resolver.prepare()
    names, counts, papers = resolver.owned_counts(owned)
    _write_counts(folder / f"counts-{s}.parquet", names, counts)
    counted, nblocks = resolver.common_given_parts()
    _save_state(folder / f"resolver-{s}.pickle", resolver)
    return papers, counted, nblocks


def _shard_pass(folder: Path, s: int, npass: int, last: bool, common: set[str], papers: int) -> None:
    """In a process of its own: pass ``npass`` of shard ``s``, its clusters written (``clusters-S``),
    and unless ``last`` its co-author names' ambiguity (``ambiguity-S.parquet``) and its state pickled."""
    import pickle

    path = folder / f"resolver-{s}.pickle"
    with pa.CompressedInputStream(str(path), STATE_CODEC) as f:
        resolver = ShardResolver.load(f)
    assert isinstance(resolver, ShardResolver)
    log.debug("shard %d, pass %d: loaded, RSS %d MB", s, npass + 1, _rss_mb())
    rows = np.load(folder / f"rows-{s}.npy")
    key_ids = None
    if npass == 0:
        resolver._common_given = common  # noqa: SLF001
        resolver.global_papers = papers
        ids, names = resolver.feature_table()
        counts = np.zeros(len(names) and int(ids[-1]) + 1, dtype=np.int64)
        fids, ns = _looked_up(folder / "df.parquet", ids, names)
        counts[fids] = ns
        resolver.global_df = counts
        del ids, names
    else:
        key_ids = np.load(folder / "keys.npy", mmap_mode="r")[rows]
        resolver.global_keys = np.load(folder / "key-papers.npy", mmap_mode="r")
        ids, names = resolver.feature_table("Cc")
        fids, ns = _looked_up(folder / "ambiguity.parquet", ids, names)
        resolver.global_ambiguity = dict(zip(fids.tolist(), ns.tolist()))
    log.debug("shard %d, pass %d: loaded and counted, RSS %d MB", s, npass + 1, _rss_mb())
    out = resolver.run_pass(npass, last, key_ids)
    log.debug("shard %d, pass %d: clustered, RSS %d MB", s, npass + 1, _rss_mb())
    occs, cluster = out["occs"], out["cluster"]
    local = np.frombuffer(occs, dtype=np.int64)
    nclusters = len(out["block"])
    pq.write_table(pa.table({
        "block": pa.array(out["block"], pa.string()), "orcid": pa.array(out["orcid"], pa.string()),
        "base": pa.array(out["base"], pa.string()), "shard": pa.array(np.full(nclusters, s, dtype=np.int32)),
        "seq": pa.array(np.arange(nclusters, dtype=np.int64))}), folder / f"clusters-{s}.parquet")
    np.save(folder / f"clusters-{s}-rows.npy", rows[local])
    np.save(folder / f"clusters-{s}-of.npy", np.frombuffer(cluster, dtype=np.int64))
    if last:
        with (folder / f"clusters-{s}-decisions.pickle").open("wb") as f:
            pickle.dump(out["decisions"], f, protocol=pickle.HIGHEST_PROTOCOL)
        path.unlink()
        return
    names, counts = resolver.ambiguity(occs, cluster)
    _write_counts(folder / f"ambiguity-{s}.parquet", names, counts)
    _save_state(path, resolver)


def _save_state(path: Path, resolver: ShardResolver) -> None:
    """A shard's resolver pickled to ``path``, compressed: every shard's state is on disk between the
    passes (at 1M records 32 x ~150 MB, 3.4x less with zstd, for ~0.6 s more per shard and pass)."""
    with pa.CompressedOutputStream(str(path), STATE_CODEC) as f:
        resolver.dump(f)


def _let_go() -> None:
    """Give back what Arrow's pool and the C heap hold freed (the shards fork from this process: what it
    holds, each one maps)."""
    pa.default_memory_pool().release_unused()
    release_freed()


def _rss_mb() -> int:
    import psutil

    return psutil.Process().memory_info().rss >> 20


def _connect(folder: Path | None = None) -> Any:
    """A DuckDB connection at DUCKDB_MEMORY, spilling to ``folder``/duckdb.tmp where given."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    con.execute("SET preserve_insertion_order = false")
    if folder is not None:
        con.execute(f"SET temp_directory = '{folder / 'duckdb.tmp'}'")
    return con


def _write_counts(path: Path, names: Any, counts: Any) -> None:
    """Counts by feature name (an Arrow string array, and its counts) as the Parquet file (feature, n)
    that :func:`_sum_counts` and :func:`_looked_up` read."""
    pq.write_table(pa.table({"feature": names.cast(pa.string()), "n": pa.array(counts, pa.int64())}), path)


def _sum_counts(folder: Path, pattern: str, out: Path, total: str) -> None:
    """The counts of every shard's files ``pattern`` (feature, n), summed by feature into ``out``; the
    shards' files removed once summed (at 10M records the owned papers' counts are ~4.5 MB a shard, 2.3
    GB in all, which would otherwise stay through the passes)."""
    con = _connect(folder)
    files = sorted(folder.glob(pattern))
    try:
        con.execute(f"COPY (SELECT feature, {total}::BIGINT AS n FROM read_parquet({[str(f) for f in files]!r}) "
                    f"GROUP BY feature) TO '{out}' (FORMAT parquet)")
    finally:
        con.close()
    for path in files:
        path.unlink()


def _looked_up(counts: Path, ids: Any, names: Any) -> tuple[Any, Any]:
    """The features ``names`` (an Arrow string array; ids ``ids``) found in ``counts`` (feature, n): their
    ids and counts (numpy)."""
    con = _connect()
    try:
        mine = pa.table({"fid": pa.array(ids, pa.int64()), "feature": names})
        con.register("mine", mine)
        got = fetch_arrow(con.sql(f"SELECT m.fid, c.n FROM mine m JOIN read_parquet('{counts}') c USING (feature)"))
    finally:
        con.close()
    return (got.column("fid").to_numpy().astype(np.int64, copy=False),
            got.column("n").to_numpy().astype(np.int64, copy=False))


def _papers_per_key(paper_of: Any, key_ids: Any) -> Any:
    """Key id -> how many papers have that author (distinct (paper, key) pairs)."""
    has = key_ids >= 0
    _, keys = _distinct_pairs(paper_of[has].astype(np.int64), key_ids[has])
    return np.bincount(keys, minlength=int(key_ids.max(initial=-1)) + 1)


def _keys(folder: Path, shards: int, n: int, last: bool) -> tuple[Any, pa.Array, list[Decision]]:
    """The pass's clusters of every shard keyed as one resolver keys them: blocks in order, a cluster
    with an ORCID by it, else by its fullest name form's key, ``#2``, ``#3`` ... after the first cluster
    of that key. Each row's key id (-1: none), the keys (in the last pass; else empty) and in the last
    pass the decisions. The clusters are keyed in DuckDB (sorted and numbered there, spilling): this
    process holds a key id per row and per cluster, not the clusters (at 1M records, 1.3 GB as Python
    strings)."""
    import pickle

    files = [folder / f"clusters-{s}.parquet" for s in range(shards)]
    sizes = [pq.ParquetFile(f).metadata.num_rows for f in files]
    keyed, named = folder / "keyed.parquet", folder / "keyed-names.parquet"
    con = _connect(folder)
    try:
        # (the resolver's loop tries base, base#2, base#3 ... against every key used so far; a name form's
        # key holds no '#' (squashed family, given names split at non-word characters), so the n-th
        # cluster of a base in block order gets base#n; strings compare by their bytes, as Python's
        # sorted() orders the blocks)
        con.execute(f"""COPY (
            WITH numbered AS (
                SELECT shard, seq, orcid, base,
                       row_number() OVER (PARTITION BY base ORDER BY block, shard, seq) AS nth
                FROM read_parquet({[str(f) for f in files]!r})),
            keyed AS (
                SELECT shard, seq, CASE WHEN orcid IS NOT NULL THEN 'orcid:' || orcid
                                        WHEN nth > 1 THEN base || '#' || nth::VARCHAR
                                        ELSE base END AS key
                FROM numbered)
            SELECT shard, seq, key,
                   (CASE WHEN key IS NULL THEN 0 ELSE dense_rank() OVER (ORDER BY key NULLS LAST) END) - 1
                       AS kid
            FROM keyed ORDER BY shard, seq) TO '{keyed}' (FORMAT parquet)""")
        if last:
            con.execute(f"COPY (SELECT kid, any_value(key) AS key FROM read_parquet('{keyed}') WHERE kid >= 0 "
                        f"GROUP BY kid ORDER BY kid) TO '{named}' (FORMAT parquet)")
    finally:
        con.close()
    kid_of = pq.read_table(keyed, columns=["kid"]).column("kid").to_numpy().astype(np.int64)
    keyed.unlink()
    strings = pa.array([], pa.string())
    if last:
        strings = pq.read_table(named).column("key").combine_chunks()
        named.unlink()
    key_ids = np.full(n, -1, dtype=np.int64)
    pending: list[tuple[str, int, str, int, list[int], str]] = []
    start = 0
    for s, size in enumerate(sizes):
        of_seq = kid_of[start:start + size]
        start += size
        rows = np.load(folder / f"clusters-{s}-rows.npy")
        of = np.load(folder / f"clusters-{s}-of.npy")
        key_ids[rows] = of_seq[of]
        del rows, of
        if last:
            with (folder / f"clusters-{s}-decisions.pickle").open("rb") as f:
                for k, (block, display, joined, fits, why) in enumerate(pickle.load(f)):
                    pending.append((block, k, display, int(of_seq[joined]), [int(of_seq[j]) for j in fits], why))
        for suffix in ("-rows.npy", "-of.npy", "-decisions.pickle", ".parquet"):
            (folder / f"clusters-{s}{suffix}").unlink(missing_ok=True)
    del kid_of
    decisions: list[Decision] = []
    if pending:
        pending.sort(key=lambda x: (x[0].encode("utf-8", "surrogatepass"), x[1]))
        used = sorted({k for p in pending for k in (p[3], *p[4])})
        text = dict(zip(used, strings.take(pa.array(used, pa.int64())).to_pylist()))
        decisions = [decision(display, text[joined], [text[j] for j in fits], why)
                     for _, _, display, joined, fits, why in pending]
    return key_ids, strings, decisions


def _overridden(table: pa.Table, keys: pa.Array, overrides: dict[str, str]) -> tuple[pa.Array, int]:
    """The keys with the author map applied to every row whose name as written it names (looked up once
    per name), and how many rows it set."""
    def encoded(column: Any) -> tuple[list[str | None], Any]:
        enc = column.combine_chunks().cast(pa.string()).dictionary_encode(null_encoding="encode")
        return enc.dictionary.to_pylist(), enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)

    fams, fam_of = encoded(table.column("family"))
    givs, giv_of = encoded(table.column("given"))
    distinct, at = np.unique(fam_of * len(givs) + giv_of, return_inverse=True)
    values = [override_for(overrides, fams[c // len(givs)] or "", givs[c % len(givs)]) for c in distinct.tolist()]
    over = pa.array(values, pa.string()).take(pa.array(at.reshape(-1)))
    return pc.coalesce(over, keys), int(pc.sum(pc.is_valid(over)).as_py() or 0)
