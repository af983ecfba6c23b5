"""Which records are the same work: DOI, then PMID, then normalised title + year with a small fuzzy
tolerance, confirmed by first page or first author.

Records are added one at a time (a union-find over record indices with dictionaries for DOI, PMID,
exact title and title blocks), so resolution is O(n) for n records: fuzzy comparison only happens
inside a block of the same year and the same title prefix or suffix, and a block holds at most
``BLOCK_LIMIT`` entries.
"""

from __future__ import annotations

import logging
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import islice, repeat
from pathlib import Path
from typing import Any

from graphkit.model import Record
from graphkit.resolve.text import normalise_doi, normalise_title, short_hash, squash

log = logging.getLogger(__name__)

FUZZY_RATIO = 0.92     # difflib ratio two normalised titles must reach to count as the same title
BLOCK_CHARS = 12       # title prefix/suffix length that defines a fuzzy block (with the year)
BLOCK_LIMIT = 64       # entries kept per block: keeps the worst case linear
SHORT_TITLE_WORDS = 4  # titles with fewer words need positive confirmation (page or first author)

_NO_YEAR = -(1 << 63)  # (PaperResolver._years: a record without a year)

_PMID = re.compile(r"\d{1,9}")

# The Paper properties filled from records, in the order they are taken.
PAPER_FIELDS = ("title", "abstract", "year", "volume", "issue", "first_page", "last_page", "article_number",
                "type", "type_raw")


@dataclass(slots=True)
class Duplicate:
    """A record merged into a paper that another record already stood for."""

    kept: str      # "file:line:format" of the record first seen for the work
    merged: str    # "file:line:format" of the duplicate
    rule: str      # "doi" | "pmid" | "title" | "fuzzy-title"
    title: str | None
    score: float = 1.0

    def as_dict(self) -> dict:
        return {"kept": self.kept, "merged": self.merged, "rule": self.rule, "title": self.title,
                "score": round(self.score, 3)}


@dataclass(slots=True)
class _Cluster:
    """What the compatibility checks need to know about a set of merged records."""

    members: list[int]
    dois: set[str] = field(default_factory=set)
    pmids: set[str] = field(default_factory=set)
    pages: set[str] = field(default_factory=set)
    families: set[str] = field(default_factory=set)

    def absorb(self, other: "_Cluster") -> None:
        self.members.extend(other.members)
        self.dois |= other.dois
        self.pmids |= other.pmids
        self.pages |= other.pages
        self.families |= other.families


def source_id(rec: Record) -> str:
    return f"{rec.source.file}:{rec.source.line}:{rec.source.format}"


def record_pmid(rec: Record) -> str | None:
    if not rec.pmid:
        return None
    m = _PMID.search(rec.pmid)
    return m.group(0).lstrip("0") or None if m else None


def _page(rec: Record) -> str | None:
    p = squash(rec.first_page or rec.article_number or "")  # WoS AR / Scopus Art. No. locate a page-less article
    return p or None


def _family(rec: Record) -> str | None:
    if not rec.authors:
        return None
    f = squash(rec.authors[0].family or "")
    return f or None


_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
# the counts of a title's characters packed in one int, 16 bits per character of _ALNUM, so that the
# characters two titles have in common (SequenceMatcher.quick_ratio's count) are a few int operations
_GUARD = sum(1 << (16 * i + 15) for i in range(len(_ALNUM)))  # the top bit of every field
_CODES = [ord(c) for c in _ALNUM]
_LINK_CHUNK = 1 << 16  # rows of fuzzy_links whose characters are counted at once (_char_counts_many)


def _char_counts(flat: str) -> int | None:
    """How often each of a-z and 0-9 occurs in a title without spaces, packed (16 bits each), when
    those are all its characters (else None: the characters are counted on demand)."""
    if not flat.isascii() or len(flat) >= 1 << 15:
        return None
    import numpy as np  # (pandas' dependency; counted in C: a fifth of the matcher's time at 1M otherwise)

    counts = np.bincount(np.frombuffer(flat.encode("ascii"), np.uint8), minlength=128)[_CODES]
    if int(counts.sum()) != len(flat):
        return None
    return int.from_bytes(counts.astype("<u2").tobytes(), "little")


def _char_counts_many(flats: list[str]) -> list[int | None]:
    """:func:`_char_counts` of each title, counted together (one bincount for them all instead of a
    NumPy call per title: ~3 s of 1M generated records' 1.05M block rows)."""
    import numpy as np

    n = len(flats)
    code_of = np.full(256, -1, np.int32)  # byte -> its field in the packed counts, -1: none
    code_of[_CODES] = np.arange(len(_ALNUM), dtype=np.int32)
    fits = [f.isascii() and len(f) < 1 << 15 for f in flats]
    data = np.frombuffer("".join(f for f, ok in zip(flats, fits) if ok).encode("ascii"), np.uint8)
    row = np.repeat(np.arange(n, dtype=np.int32), [len(f) if ok else 0 for f, ok in zip(flats, fits)])
    code = code_of[data]
    counted = code >= 0
    other = np.zeros(n, bool)
    other[row[~counted]] = True  # a character outside _ALNUM: counted on demand
    width = len(_ALNUM)
    packed = np.bincount(row[counted] * width + code[counted], minlength=n * width).astype("<u2").tobytes()
    size = 2 * width
    return [int.from_bytes(packed[i * size:(i + 1) * size], "little") if ok and not odd else None
            for i, (ok, odd) in enumerate(zip(fits, other.tolist()))]


def _common(a: int, b: int) -> int:
    """The characters two titles have in common, from their :func:`_char_counts`: the sum over the
    fields of min(a, b). A field's guard bit survives a - b when a >= b (every count is below 2^15,
    so no borrow crosses fields); the fields' sum is the whole mod 2^16 - 1 (it is below that)."""
    ge = ((((a | _GUARD) - b) & _GUARD) >> 15) * 0xFFFF  # all ones in the fields where a >= b
    return ((b & ge) | (a & ~ge)) % 0xFFFF


@lru_cache(maxsize=1024)
def _length_window(n: int, ratio: float) -> tuple[int, int]:
    """The lengths m a title of length n can match at ``ratio`` by SequenceMatcher.real_quick_ratio
    (2 * min(n, m) / (n + m), as floats): an interval around n, since the value rises to 1 at m = n and
    falls after."""
    if ratio <= 0:
        return 0, 1 << 62
    lo = n
    while lo > 0 and 2.0 * min(n, lo - 1) / (n + lo - 1) >= ratio:
        lo -= 1
    hi = n
    while 2.0 * min(n, hi + 1) / (n + hi + 1) >= ratio:
        hi += 1
    return lo, hi


class PaperResolver:
    """Feed records with :meth:`add`; :meth:`works` gives the merged works, :attr:`duplicates` the pairs.

    ``describe`` (index -> source id and title as written) lets a caller that holds those elsewhere
    (the columnar core's table) keep them out of the resolver: they are only read when a duplicate
    names the record first seen of its work."""

    def __init__(self, fuzzy_ratio: float = FUZZY_RATIO,
                 describe: Callable[[int], tuple[str, str | None]] | None = None) -> None:
        self.fuzzy_ratio = fuzzy_ratio
        self.records: list[Record] = []
        self.duplicates: list[Duplicate] = []
        self.duplicate_at = array("q")  # the index of the record each duplicate pair merged
        self._describe = describe
        self._sources: list[str] = []  # (without describe)
        self._raw_titles: list[str | None] = []  # (without describe)
        self._parent = array("q")
        # the merged works only: a record alone is its own columns below (a _Cluster of four sets for
        # each record was ~1 KB of the matcher's ~2.9 KB per record)
        self._clusters: dict[int, _Cluster] = {}
        self._doi: list[str | None] = []
        self._pmid: list[str | None] = []
        self._page: list[str | None] = []
        self._family: list[str | None] = []
        self._years = array("q")  # (_NO_YEAR: none)
        self._by_doi: dict[str, int] = {}
        self._by_pmid: dict[str, int] = {}
        # the records of an exact title (and year): one index, or a list when several share it
        self._by_title: dict[tuple[str, int | None], int | list[int]] = {}
        self._by_title_only: dict[str, int | list[int]] = {}
        # (year, side, prefix or suffix) -> (index, length of the title without spaces, _char_counts)
        self._blocks: dict[tuple, list[tuple[int, int, int | None]]] = defaultdict(list)
        self._titles: list[str] = []

    # -- union-find ---------------------------------------------------------------------------
    def _find(self, i: int) -> int:
        parent = self._parent
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def _cluster(self, i: int) -> _Cluster:
        """The merged work rooted at ``i``, made from the record's own columns while it is alone."""
        c = self._clusters.get(i)
        if c is None:
            c = self._clusters[i] = _Cluster([i])
            for value, values in ((self._doi[i], c.dois), (self._pmid[i], c.pmids), (self._page[i], c.pages),
                                  (self._family[i], c.families)):
                if value:
                    values.add(value)
        return c

    def _union(self, a: int, b: int) -> int:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return ra
        ca, cb = self._cluster(ra), self._cluster(rb)
        if len(ca.members) < len(cb.members):
            ra, rb, ca, cb = rb, ra, cb, ca
        self._parent[rb] = ra
        ca.absorb(cb)
        del self._clusters[rb]
        return ra

    def _year(self, i: int) -> int | None:
        year = self._years[i]
        return None if year == _NO_YEAR else year

    def _first(self, root: int) -> int:
        """The first record added of the work rooted at ``root``."""
        c = self._clusters.get(root)
        return root if c is None else min(c.members)

    def _description(self, i: int) -> tuple[str, str | None]:
        """Record i's source id and title as written."""
        if self._describe is not None:
            return self._describe(i)
        return self._sources[i], self._raw_titles[i]

    # -- matching -----------------------------------------------------------------------------
    def _compatible(self, root: int, doi: str | None, pmid: str | None, page: str | None,
                    family: str | None, *, need_confirmation: bool) -> bool:
        c = self._clusters.get(root)
        if c is None:  # a record alone: the same checks against its one value of each
            d, p, pg, fam = self._doi[root], self._pmid[root], self._page[root], self._family[root]
            if doi and d and doi != d:
                return False
            if pmid and p and pmid != p:
                return False
            page_ok = page == pg if page and pg else None
            family_ok = family == fam if family and fam else None
        else:
            if doi and c.dois and doi not in c.dois:
                return False
            if pmid and c.pmids and pmid not in c.pmids:
                return False
            page_ok = page in c.pages if page and c.pages else None
            family_ok = family in c.families if family and c.families else None
        if page_ok is False or (family_ok is False and not page_ok):
            return False
        if need_confirmation:
            return bool(page_ok or family_ok)
        return True

    def add(self, rec: Record) -> int:
        """Add one record; returns its index. Merges it into an existing work when one matches."""
        self.records.append(rec)
        return self.add_keys(source_id(rec), normalise_doi(rec.doi), record_pmid(rec), _page(rec), _family(rec),
                             normalise_title(rec.title), rec.year, rec.title)

    def add_keys(self, source: str, doi: str | None, pmid: str | None, page: str | None, family: str | None,
                 title: str, year: int | None, raw_title: str | None,
                 entry: tuple[bool, bool] | None = None) -> int:
        """Add one record by its normalised match keys (what :meth:`add` computes from a Record; the
        columnar core computes them in worker processes and replays only the records that share a key).

        ``entry``: whether the record is among the first ``BLOCK_LIMIT`` of its prefix block and of its
        suffix block in the whole set. The columnar core replays a set part by part
        (graphkit.engine.matching); a part's blocks must then hold the entries they hold in the whole
        set, not the first ``BLOCK_LIMIT`` of the part."""
        idx = len(self._parent)
        if self._describe is None:
            self._sources.append(source)
            self._raw_titles.append(raw_title)
        self._years.append(_NO_YEAR if year is None else year)
        self._parent.append(idx)
        self._titles.append(title)
        self._doi.append(doi or None)
        self._pmid.append(pmid or None)
        self._page.append(page or None)
        self._family.append(family or None)

        matches: list[tuple[int, str, float]] = []
        if doi and doi in self._by_doi:
            matches.append((self._by_doi[doi], "doi", 1.0))
        if pmid and pmid in self._by_pmid:
            matches.append((self._by_pmid[pmid], "pmid", 1.0))
        flat = counts = None
        if title and year is not None:  # (for the fuzzy blocks: the title without spaces, its characters)
            flat = title.replace(" ", "")
            counts = _char_counts(flat)
        if not matches and title:
            matches.extend(self._title_matches(idx, title, year, doi, pmid, page, family, flat, counts))

        seen_roots: set[int] = set()
        for other, rule, score in matches:
            root = self._find(other)
            if root in seen_roots or root == self._find(idx):
                continue
            seen_roots.add(root)
            kept_source, kept_title = self._description(self._first(root))
            self.duplicates.append(Duplicate(kept_source, source, rule, raw_title or kept_title, score))
            self.duplicate_at.append(idx)
            self._union(root, idx)

        if doi:
            self._by_doi.setdefault(doi, idx)
        if pmid:
            self._by_pmid.setdefault(pmid, idx)
        if title:
            _push(self._by_title, (title, year), idx)
            _push(self._by_title_only, title, idx)
            if flat is not None:
                kept = (idx, len(flat), counts)
                for side, block in enumerate(((year, "<", flat[:BLOCK_CHARS]), (year, ">", flat[-BLOCK_CHARS:]))):
                    entries = self._blocks[block]
                    if (len(entries) < BLOCK_LIMIT) if entry is None else entry[side]:
                        entries.append(kept)
        return idx

    def add_key_rows(self, sources: Sequence[str], dois: Sequence[str | None], pmids: Sequence[int | None],
                     pages: Sequence[str | None], families: Sequence[str | None], titles: Sequence[str | None],
                     years: Sequence[int | None], raw_titles: Sequence[str | None],
                     entries: tuple[Sequence[bool | None], Sequence[bool | None]] | None = None) -> None:
        """:meth:`add_keys` for each row of these columns (the columnar core's candidate rows, a batch at
        a time; the PubMed ids as numbers). ``entries``: per row, whether it is among the first
        ``BLOCK_LIMIT`` records of its prefix block and of its suffix block in the whole set (when these
        rows are a part of it: see :meth:`add_keys`)."""
        add = self.add_keys
        flags: Iterable[tuple[bool | None, bool | None] | None] = repeat(None) if entries is None else zip(*entries)
        for source, doi, pmid, page, family, title, year, raw_title, entry in zip(
                sources, dois, pmids, pages, families, titles, years, raw_titles, flags):
            add(source, doi, str(pmid) if pmid is not None else None, page, family, title or "", year, raw_title,
                None if entry is None else (bool(entry[0]), bool(entry[1])))

    def _title_matches(self, idx: int, title: str, year: int | None, doi: str | None, pmid: str | None,
                       page: str | None, family: str | None, flat: str | None = None, counts: int | None = None
                       ) -> list[tuple[int, str, float]]:
        short = title.count(" ") + 1 < SHORT_TITLE_WORDS
        for other in _entries(self._by_title.get((title, year))):
            if self._compatible(self._find(other), doi, pmid, page, family, need_confirmation=short):
                return [(other, "title", 1.0)]
        # a record without a year (or a candidate without one): same title, confirmed by page/author
        for other in _entries(self._by_title_only.get(title)):
            other_year = self._year(other)
            if (year is None) != (other_year is None) and self._compatible(
                    self._find(other), doi, pmid, page, family, need_confirmation=True):
                return [(other, "title", 1.0)]
        if flat is None:  # (no year: no fuzzy block)
            return []
        best: tuple[int, float] | None = None
        seen: set[int] = set()
        test = _FuzzyTitle(flat, counts, self.fuzzy_ratio)
        lo, hi = test.lo, test.hi
        for block in ((year, "<", flat[:BLOCK_CHARS]), (year, ">", flat[-BLOCK_CHARS:])):
            for other, m, other_counts in [e for e in self._blocks.get(block, ()) if lo <= e[1] <= hi]:
                if other in seen:
                    continue
                seen.add(other)
                # (the entry keeps its title's length, not a second copy of its title without spaces)
                ratio = test.score(self._titles[other], m, other_counts)
                if ratio >= self.fuzzy_ratio and (best is None or ratio > best[1]):
                    if self._compatible(self._find(other), doi, pmid, page, family, need_confirmation=True):
                        best = (other, ratio)
        return [(best[0], "fuzzy-title", best[1])] if best else []

    def release(self) -> None:
        """Drop the matching indexes (after :meth:`works`); the duplicates list stays."""
        self._by_doi.clear()
        self._by_pmid.clear()
        self._by_title.clear()
        self._by_title_only.clear()
        self._blocks.clear()
        self._clusters.clear()
        self._parent = array("q")
        self._titles.clear()
        self._sources.clear()
        self._raw_titles.clear()
        self._years = array("q")
        for column in (self._doi, self._pmid, self._page, self._family):
            column.clear()
        self.records = []

    # -- results ------------------------------------------------------------------------------
    def roots(self) -> list[int]:
        """Per added index, the index of the work (union-find root) it belongs to."""
        return [self._find(i) for i in range(len(self._parent))]

    def works(self) -> list["Work"]:
        """The merged works, sorted by key (so the graph does not depend on file order)."""
        out: list[Work] = []
        used: dict[str, int] = {}
        for root in range(len(self._parent)):
            if self._parent[root] != root:
                continue
            cluster = self._cluster(root)
            recs = [self.records[i] for i in sorted(cluster.members)]
            key = self._key(cluster)
            if key in used:  # two works kept apart (e.g. different first pages) with the same title hash
                key = f"{key}:{short_hash('|'.join(sorted(source_id(r) for r in recs)))[:8]}"
            used[key] = 1
            out.append(Work(key, rank_records(recs), sorted(cluster.dois), sorted(cluster.pmids, key=int)))
        out.sort(key=lambda w: w.key)
        return out

    def _key(self, cluster: _Cluster) -> str:
        if cluster.dois:
            return "doi:" + min(cluster.dois)
        if cluster.pmids:
            return "pmid:" + min(cluster.pmids, key=int)
        hashed = [short_hash(f"{self._titles[i]}|{self.records[i].year if self.records[i].year is not None else ''}")
                  for i in cluster.members if self._titles[i]]
        if hashed:
            return "title:" + min(hashed)
        # nothing to identify the work by: its (file name, line) keeps it apart, stable across machines
        rec = self.records[min(cluster.members)]
        return "title:" + short_hash(f"|{rec.year or ''}|{Path(rec.source.file).name}:{rec.source.line}")


@dataclass(slots=True)
class Work:
    """One paper: its key and its records, best first (the first non-empty value of a field wins)."""

    key: str
    records: list[Record]
    dois: list[str]
    pmids: list[str]

    @property
    def doi(self) -> str | None:
        return self.dois[0] if self.dois else None

    @property
    def pmid(self) -> str | None:
        return self.pmids[0] if self.pmids else None

    def value(self, name: str):
        for rec in self.records:
            v = getattr(rec, name)
            if v not in (None, "", []):
                return v
        return None

    def sources(self) -> list[str]:
        return sorted(source_id(r) for r in self.records)


class _FuzzyTitle:
    """The fuzzy title test of one new title (without spaces) against the entries of its blocks, for
    :meth:`PaperResolver._title_matches` and :func:`fuzzy_links`. real_quick_ratio (the lengths alone)
    is a window of lengths, and quick_ratio (the characters both titles have) comes from the counts kept
    with each entry: the same floats as SequenceMatcher's, without the object, for the many entries of a
    block that go no further. One SequenceMatcher per new title: its character index is built once."""

    __slots__ = ("flat", "n", "counts", "ratio", "lo", "hi", "_chars", "_sm")

    def __init__(self, flat: str, counts: int | None, ratio: float) -> None:
        self.flat, self.n, self.counts, self.ratio = flat, len(flat), counts, ratio
        self.lo, self.hi = _length_window(self.n, ratio)
        self._chars: Counter[str] | None = None
        self._sm: SequenceMatcher | None = None

    def score(self, other_title: str, m: int, other_counts: int | None) -> float:
        """SequenceMatcher's ratio of an entry's normalised title (``m`` characters without spaces,
        ``other_counts`` its :func:`_char_counts`; the entry first) and the new title, or 0.0 when the
        length window or the common characters already say it cannot reach ``ratio``."""
        if not self.lo <= m <= self.hi:
            return 0.0
        other_flat = None
        if self.counts is not None and other_counts is not None:
            common = _common(self.counts, other_counts)
        else:
            if self._chars is None:
                self._chars = Counter(self.flat)
            chars = self._chars
            other_flat = other_title.replace(" ", "")
            common = sum(min(k, chars[c]) for c, k in Counter(other_flat).items() if c in chars)
        if 2.0 * common / (self.n + m) < self.ratio:
            return 0.0
        if other_flat is None:
            other_flat = other_title.replace(" ", "")
        if other_flat == self.flat:  # SequenceMatcher's ratio of equal strings (most pairs that get here)
            return 1.0
        if self._sm is None:
            self._sm = SequenceMatcher(None, autojunk=False)
            self._sm.set_seq2(self.flat)
        self._sm.set_seq1(other_flat)
        return self._sm.ratio()


def fuzzy_links(rows: Iterable[tuple[str, int, str, bool]], fuzzy_ratio: float = FUZZY_RATIO
                ) -> tuple[array, array]:
    """The pairs of records the matcher's fuzzy title rule can join: a record and an entry of one of its
    blocks before it (``BLOCK_LIMIT`` per block) whose titles reach ``fuzzy_ratio`` by the matcher's own
    test (:class:`_FuzzyTitle`). ``rows``: (block, record id, normalised title, whether the record is one
    of the block's entries), in block then record order. Returns the two columns of record ids (record,
    entry); a pair may come twice (both blocks)."""
    left, right = array("q"), array("q")
    block: str | None = None
    entries: list[tuple[int, str, int, int | None]] = []  # (record id, title without spaces, its length, counts)
    stream = iter(rows)
    while chunk := list(islice(stream, _LINK_CHUNK)):
        flats = [row[2].replace(" ", "") for row in chunk]
        for (key, rid, _, entry), flat, counts in zip(chunk, flats, _char_counts_many(flats)):
            if key != block:
                block, entries = key, []
            if entries:
                test = _FuzzyTitle(flat, counts, fuzzy_ratio)
                lo, hi = test.lo, test.hi
                for other, other_flat, m, other_counts in entries:
                    if lo <= m <= hi and test.score(other_flat, m, other_counts) >= fuzzy_ratio:
                        left.append(rid)
                        right.append(other)
            if entry:
                entries.append((rid, flat, len(flat), counts))
    return left, right


def _push(index: dict, key: Any, idx: int) -> None:
    """Add record ``idx`` to ``index[key]``: the index alone while it is the only one (no list per key)."""
    got = index.get(key)
    if got is None:
        index[key] = idx
    elif type(got) is int:
        index[key] = [got, idx]
    else:
        got.append(idx)


def _entries(got: int | list[int] | None) -> Sequence[int]:
    """The records of an entry of :func:`_push`."""
    if got is None:
        return ()
    return (got,) if isinstance(got, int) else got


def _filled(rec: Record) -> int:
    return sum(1 for name in PAPER_FIELDS if getattr(rec, name) not in (None, ""))


def rank_records(recs: list[Record]) -> list[Record]:
    """Best record first: has a DOI, has an abstract, more fields filled, then by source (stable)."""
    if len(recs) == 1:
        return recs
    return sorted(recs, key=lambda r: (not r.doi, not r.abstract, -_filled(r), -len(r.authors), source_id(r)))
