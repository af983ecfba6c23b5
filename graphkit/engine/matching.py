"""The paper matcher of the columnar core, part by part.

The matcher (:class:`graphkit.resolve.papers.PaperResolver`, the old core's own code) is sequential: a
record is compared, in record order, with the records before it that share its DOI, its PMID or its
normalised title, and with the entries (the first ``BLOCK_LIMIT`` records) of its two fuzzy blocks (the
year with the title's first or last 12 characters). What it decides for a record depends only on the
records it can join: those of its DOI, PMID and title, and the block entries whose titles are similar
enough (every test before the union is a pure function of the two titles but the last, which reads the
entry's work). The candidates therefore fall into **connected components** of these links, and the
matcher run on each component alone, in record order, makes the decisions it makes on all of them at
once: the same roots and the same duplicate pairs, provided a part's blocks hold the entries they hold
in the whole set (``e1``/``e2`` of ``rules.match_keys``; :meth:`PaperResolver.add_keys`).

The blocks alone would not do: at 1M generated PubMed XML records the records that share a block form
one component of 545,648 of the 662,140 candidates (blocks chain through their prefix and suffix). The
similar pairs (:func:`graphkit.resolve.papers.fuzzy_links`) are found first, block by block, streamed
from the engine in block order, ``MATCH_BLOCK_BUCKET_ROWS`` rows at a time (whole blocks); a block holds
at most ``BLOCK_LIMIT`` entries in Python.

:func:`components` finds the components with NumPy (minimum-label propagation with pointer jumping). A
record alone in its component meets no one and is a work of its own (:func:`linked` leaves it out:
at 1M PubMed XML records, 661,428 of the 662,140 candidates). :func:`parts` packs whole components into parts of about ``MATCH_PART_ROWS`` candidates, and the core
fetches and matches one part at a time in a forked process. Memory is then bounded by the part (and the
largest component), not by the candidates: at 10M PubMed XML records the matcher held 6.6M candidates at
once and its process reached 11.9 GB.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from graphkit.resolve.papers import Duplicate, PaperResolver, fuzzy_links

log = logging.getLogger(__name__)

MATCH_BATCH = 1 << 16  # candidate rows turned into Python objects at a time by match_papers
# candidates matched in one forked process at a time (whole components: a part ends with the one
# that crosses this).
# The matcher's process holds ~1.8 KB per candidate (1.77 GB at 1M PubMed XML's 662,140 in one part).
MATCH_PART_ROWS = 400_000
# block rows (rules.MATCH_BLOCKS) sorted and fetched at a time, whole blocks: ~150 bytes each with the title
MATCH_BLOCK_BUCKET_ROWS = 1_000_000
# from this many block rows on, with two or more cores, the blocks come in an even number of buckets (two
# at least): every other one is searched for similar titles in a forked process while this one searches
# the next (at 1M records, 1.05M rows and 5.5-6.0 s in this process alone)
MATCH_BLOCK_SPLIT_ROWS = 200_000
KEY_GROUPS = ("g1", "g2", "g3")  # rules.match_keys: per exact key, the smallest rid of its group


def components(rids: np.ndarray, groups: list[np.ndarray], pairs: tuple[np.ndarray, np.ndarray] | None = None
               ) -> np.ndarray:
    """The component of each candidate, as the position (in ``rids``, sorted ascending) of its component's
    first record. ``groups``: per key, the rid of the smallest record that shares the row's key value
    (-1 where the row has no such key or shares it with no one). Each row is linked to that record (a
    star per key value: the same components as linking every pair). ``pairs``: more links, two columns
    of rids."""
    n = len(rids)
    ends: list[tuple[np.ndarray, np.ndarray]] = [(rids[g >= 0], g[g >= 0]) for g in groups]
    if pairs is not None:
        ends.append((np.asarray(pairs[0], np.int64), np.asarray(pairs[1], np.int64)))
    one = np.concatenate([e[0] for e in ends]) if ends else np.zeros(0, np.int64)
    other = np.concatenate([e[1] for e in ends]) if ends else np.zeros(0, np.int64)
    a, b = np.searchsorted(rids, one), np.searchsorted(rids, other)
    if len(a) and (not n or not np.array_equal(rids[np.minimum(a, n - 1)], one)
                   or not np.array_equal(rids[np.minimum(b, n - 1)], other)):
        raise ValueError("a linked record is not among the candidates")
    label = np.arange(n, dtype=np.int64)
    rounds = 0
    while True:
        rounds += 1
        low = np.minimum(label[a], label[b])
        new = label.copy()
        np.minimum.at(new, a, low)
        np.minimum.at(new, b, low)
        while True:  # pointer jumping: every label points at a record of its component, lower or equal
            jumped = new[new]
            if np.array_equal(jumped, new):
                break
            new = jumped
        if np.array_equal(new, label):
            break
        label = new
    log.debug("paper matcher: %d candidates in %d components (%d rounds)", n,
              int(np.count_nonzero(label == np.arange(n))), rounds)
    return label


def linked(label: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows of the components of two or more (``label`` from :func:`components`), and their labels
    as positions among those rows (a component's first row is one of them)."""
    sizes = np.bincount(label, minlength=len(label))
    at = np.flatnonzero(sizes[label] > 1)
    position = np.full(len(label), -1, np.int64)
    position[at] = np.arange(len(at))
    return at, position[label[at]]


def parts(label: np.ndarray, rows: int = MATCH_PART_ROWS) -> np.ndarray:
    """The part of each candidate: whole components (``label``, from :func:`components`), packed in the
    order of their first records into parts of about ``rows`` candidates: a part ends with the component
    that crosses ``rows``, so it holds at most ``rows`` plus that component, which is never cut."""
    n = len(label)
    if n == 0:
        return np.zeros(0, np.int64)
    sizes = np.bincount(label, minlength=n)  # the size of the component that starts at each position
    starts = np.flatnonzero(sizes)
    before = np.cumsum(sizes[starts]) - sizes[starts]  # candidates in the components before each
    # a component goes to the part its first candidate's offset falls in (a part then holds `rows` plus at
    # most its last component); parts left empty by a large component are not numbered
    _, part_of_start = np.unique(before // rows, return_inverse=True)
    part_at = np.zeros(n, np.int64)
    part_at[starts] = part_of_start
    return part_at[label]


@dataclass(slots=True)
class Matched:
    """One part's result: its record ids (in order), the root record id of each, its duplicate pairs and
    the record id each pair merged (as the matcher found them: record order)."""

    rids: pa.Array
    roots: pa.Array
    duplicates: list[Duplicate]
    merged: list[int]


def match_papers(cand: pa.Table) -> Matched:
    """The root record id of every candidate row (rid, src, doi_n, pmid_i, page_sq, fam_sq, title_n,
    year, title, e1, e2; in rid order: the rows of whole components) by the paper matcher, and its
    duplicate pairs."""
    sources, titles = cand.column("src"), cand.column("title")
    # a record's source id and title as written are read back from the table when a duplicate names it,
    # not kept for every record; the rows become Python objects a batch at a time
    resolver = PaperResolver(describe=lambda i: (sources[i].as_py(), titles[i].as_py()))
    names = ("src", "doi_n", "pmid_i", "page_sq", "fam_sq", "title_n", "year", "title", "e1", "e2")
    for batch in cand.select(list(names)).to_batches(max_chunksize=MATCH_BATCH):
        columns = [c.to_pylist() for c in batch.columns]
        resolver.add_key_rows(*columns[:8], entries=(columns[8], columns[9]))
    roots = np.asarray(resolver.roots(), dtype=np.int64)
    rids = cand.column("rid").to_numpy()
    merged = rids[np.asarray(resolver.duplicate_at, dtype=np.int64)] if resolver.duplicates else rids[:0]
    return Matched(pa.array(rids, pa.int64()), pa.array(rids[roots] if len(roots) else rids[:0], pa.int64()), resolver.duplicates,
                   merged.tolist())


def block_buckets(rows: int, workers: int) -> int:
    """How many buckets the ``rows`` block rows are fetched in (``MATCH_BLOCK_BUCKET_ROWS`` at most each;
    an even number from ``MATCH_BLOCK_SPLIT_ROWS`` on, when there is a core for a second process)."""
    n = max(1, -(-rows // MATCH_BLOCK_BUCKET_ROWS))
    if workers > 1 and rows >= MATCH_BLOCK_SPLIT_ROWS:
        n += n % 2
    return n


def fuzzy_pairs_of(table: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """:func:`fuzzy_pairs` of one bucket fetched whole (for a forked process)."""
    return fuzzy_pairs(table.to_batches())


def fuzzy_pairs(batches: Iterable[pa.RecordBatch]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`graphkit.resolve.papers.fuzzy_links` of the rows of ``rules.MATCH_BLOCKS`` as they stream."""
    def rows() -> Iterator[tuple[str, int, str, bool]]:
        for batch in batches:
            yield from zip(*(c.to_pylist() for c in batch.columns))

    left, right = fuzzy_links(rows())
    return np.frombuffer(left, np.int64).copy(), np.frombuffer(right, np.int64).copy()


def in_record_order(found: list[Matched]) -> list[Duplicate]:
    """The duplicate pairs of all parts in the order one matcher over all candidates finds them: by the
    record merged (a record's own pairs in the order found)."""
    pairs = [(rid, k, i, dup) for k, m in enumerate(found) for i, (rid, dup) in enumerate(zip(m.merged, m.duplicates))]
    pairs.sort(key=lambda p: (p[0], p[1], p[2]))
    return [p[3] for p in pairs]
