"""The ``cites`` extension: cited references -> CITES edges to papers of the set or to cited-only works.

Resolution of one reference, in order (see docs/citations.md):

1. a DOI of the reference is a paper's DOI (or a PMID its PMID) -> that paper (``matched_doi``);
2. first author + year + volume + first page (:func:`graphkit.citations.model.locator`) is one paper's,
   and the cited source fits that paper's journal (:func:`graphkit.resolve.cites.journal_compatible`),
   or the reference's title + year is one paper's title + year -> that paper (``matched_key``);
3. otherwise the reference names a **cited-only work**: references are grouped into works by any
   identity they share (DOI, PMID, locator key, title + year), and the group's key is its smallest DOI
   key, else PMID key, else locator key, else the title key a paper with that title would get, else the
   author|year|source key. The work becomes a ``Paper`` with ``cited_only: true`` and the descriptive
   properties of its smallest reference text. A reference too vague for any key (no year) is counted
   as ``unkeyed`` and gets no edge.

Times cited: the largest figure among a paper's records, with the database it comes from. Self-citations
(a paper citing itself, e.g. two merged records) give no edge.
"""

from __future__ import annotations

import logging
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from graphkit.citations.extract import extract
from graphkit.columnar import ColumnarGraph, column_table, columns
from graphkit.memory import release_freed
from graphkit.citations.model import (CitedRef, author_key, locator, locator_key, norm_page, norm_volume, unpack,
                                      work_key)
from graphkit.derive import Derived, register as register_derived
from graphkit.graph import Graph
from graphkit.extend import Extension, Mention, ResolveContext, register
from graphkit.resolve.cites import journal_compatible
from graphkit.resolve.text import normalise_title, short_hash
from graphkit.schema import Label, RelType

log = logging.getLogger(__name__)

NAME = "cites"
TITLE_MIN_WORDS = 3  # shorter titles ("Introduction") do not identify a work
TRIM_EVERY = 2000  # mentions consumed between two returns of freed memory (graphkit.memory)


def _distinct_mapped(values: pa.Array | pa.ChunkedArray, fn: Callable[[str], str]) -> pa.Array:
    """``fn`` of every value of a string column, called once per distinct value; null where the value
    is null or ``fn`` gives an empty string."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], pa.string())
    encoded = pc.dictionary_encode(values)
    mapped = pa.array([fn(v) or None for v in encoded.dictionary.to_pylist()], pa.string())
    return mapped.take(encoded.indices)


def paper_cite_keys(family: pa.Array, year: pa.Array, volume: pa.Array, page: pa.Array) -> pa.Array:
    """The locator key of each paper of a set (the key a DOI-less reference to it gets): ``ref:`` + the
    first author's family name, year, volume and first page, each normalised (:func:`author_key`,
    :func:`norm_volume`, :func:`norm_page`; once per distinct value, they repeat), null when any part is
    missing or normalises to nothing (a year of 0 counts as missing)."""
    a = _distinct_mapped(family, author_key)
    v = _distinct_mapped(volume, norm_volume)
    p = _distinct_mapped(page, norm_page)
    y = pc.if_else(pc.fill_null(pc.not_equal(year, 0), False), pc.cast(year, pa.string()),
                   pa.scalar(None, pa.string()))
    return pc.binary_join_element_wise(pc.binary_join_element_wise("ref:", a, ""), y, v, p, "|")


def _last_per(table: pa.Table, column: str) -> pa.Table:
    """The last row of ``table`` for each value of ``column`` (the one a dict filled row by row keeps)."""
    if table.num_rows == 0:
        return table
    numbered = table.append_column("_row", pa.array(range(table.num_rows), pa.int64()))
    last = numbered.group_by(column, use_threads=False).aggregate([("_row", "max")]).column("_row_max")
    return table.take(pc.sort_indices(last))


def _looked_up(keys: pa.ChunkedArray | pa.Array, table: pa.Table, key: str, value: str) -> pa.Array:
    """``table[value]`` at the row whose ``key`` is each of ``keys`` (null where none is)."""
    return pc.take(table.column(value), pc.index_in(keys, value_set=table.column(key)))


def _filled(values: pa.Array) -> pa.Array:
    return pc.fill_null(pc.not_equal(values, ""), False)


def paper_columns(graph: Any, index: bool = True) -> tuple[pa.Table, pa.Array]:
    """The papers of the set as columns, one row per Paper node in table order, and which rows are the
    set's own papers (not cited-only works): key, ``journal`` (the key of the paper's PUBLISHED_IN
    journal), the properties every paper of the set gets: ``first_author`` (the family name of the
    author at position 1), ``source_title`` (its journal's name, else its abbreviation) and
    ``cite_key`` (:func:`paper_cite_keys`), and with ``index`` what the index of the set's papers reads
    (doi, pmid, year, title; only read when there are references to match: at 10M records the titles
    alone are a gigabyte). Joins of whole columns: at 1M records the same work done per paper in
    Python took ~9 s."""
    papers = column_table(graph, Label.PAPER, "key", "cited_only", "year", "volume", "first_page",
                          *(("doi", "pmid", "title") if index else ()))
    own = pc.invert(pc.fill_null(papers.column("cited_only"), False).combine_chunks())
    authored = column_table(graph, RelType.AUTHORED, "source", "target", "position")
    first = _last_per(authored.filter(pc.fill_null(pc.equal(authored.column("position"), 1), False)), "target")
    del authored
    first_author = _looked_up(_looked_up(papers.column("key"), first, "target", "source"),
                              column_table(graph, Label.AUTHOR, "key", "family"), "key", "family")
    published_in = _last_per(column_table(graph, RelType.PUBLISHED_IN, "source", "target"), "source")
    journal = _looked_up(papers.column("key"), published_in, "source", "target")
    journals = column_table(graph, Label.JOURNAL, "key", "name", "abbreviation")
    name = _looked_up(journal, journals, "key", "name")
    abbreviation = _looked_up(journal, journals, "key", "abbreviation")
    source_title = pc.if_else(_filled(name), name, pc.if_else(_filled(abbreviation), abbreviation,
                                                              pa.scalar(None, pa.string())))
    cite_key = paper_cite_keys(first_author, papers.column("year"), papers.column("volume"),
                               papers.column("first_page"))
    table = pa.table({"key": papers.column("key"), "journal": journal, "first_author": first_author,
                      "source_title": source_title, "cite_key": cite_key,
                      **({name: papers.column(name) for name in ("doi", "pmid", "year", "title")} if index else {})})
    return table, own


def set_paper_properties(graph: Any, table: pa.Table, own: pa.Array) -> None:
    """``cited_only: false``, ``first_author``, ``source_title`` and ``cite_key`` on every paper of the
    set (the rows of :func:`paper_columns` marked ``own``); cited-only works keep theirs."""
    names = ("first_author", "source_title", "cite_key")
    if isinstance(graph, ColumnarGraph):
        current = graph.arrow(Label.PAPER)
        values = {name: pc.if_else(own, table.column(name), current.column(name)) for name in names}
        values["cited_only"] = pc.if_else(own, False, current.column("cited_only"))
        graph.set_node_columns(Label.PAPER, values)
        return
    rows = table.filter(own)
    graph.update_nodes(Label.PAPER, {key: {"cited_only": False, **dict(zip(names, props))} for key, *props in zip(
        rows.column("key").to_pylist(), *(rows.column(n).to_pylist() for n in names))})


def title_key(title: str | None, year: int | None) -> str | None:
    """The ``title:`` key a paper with this title and year gets (graphkit.resolve.papers)."""
    t = normalise_title(title)
    if not t or t.count(" ") + 1 < TITLE_MIN_WORDS:
        return None
    return "title:" + short_hash(f"{t}|{year if year is not None else ''}")


class _PaperIndex:
    """The papers of the set by DOI, PMID, locator and title key."""

    def __init__(self, papers: pa.Table | None, own: pa.Array, graph: Any) -> None:
        """The index of the rows of ``papers`` (:func:`paper_columns` with ``index``) marked ``own``;
        empty without ``papers``."""
        self.by_id: dict[str, str] = {}
        self.by_locator: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
        self.by_title: dict[str, list[str]] = defaultdict(list)
        if papers is None:
            return
        names_of = {key: [n for n in (name, abbreviation) if n] for key, name, abbreviation in
                    columns(graph, Label.JOURNAL, "key", "name", "abbreviation")}
        mine = papers.filter(own)
        for key, doi, pmid, year, title, jkey, cite_key in zip(*(mine.column(n).to_pylist() for n in (
                "key", "doi", "pmid", "year", "title", "journal", "cite_key"))):
            if doi:
                self.by_id.setdefault("doi:" + doi, key)
            if key.startswith(("doi:", "pmid:")):
                self.by_id.setdefault(key, key)
            if pmid:
                self.by_id.setdefault("pmid:" + str(pmid), key)
            if cite_key:
                self.by_locator[cite_key].append((key, names_of.get(jkey, []) if jkey is not None else []))
            tkey = title_key(title, year)
            if tkey:
                self.by_title[tkey].append(key)

    def resolve(self, ref: CitedRef) -> tuple[str | None, str]:
        for d in ref.dois:
            if (k := self.by_id.get("doi:" + d)) is not None:
                return k, "doi"
        if ref.pmid and (k := self.by_id.get("pmid:" + ref.pmid)) is not None:
            return k, "doi"
        loc = locator(ref)
        if loc is not None:
            fits = [k for k, names in self.by_locator.get(locator_key(*loc), []) if journal_compatible(ref.source, names)]
            if len(fits) == 1:
                return fits[0], "key"
        tkey = title_key(ref.title, ref.year)
        if tkey:
            keys = self.by_title.get(tkey, [])
            if len(keys) == 1:
                return keys[0], "key"
        return None, ""


def _identities(ref: CitedRef) -> list[str]:
    ids = ["doi:" + d for d in ref.dois]
    if ref.pmid:
        ids.append("pmid:" + ref.pmid)
    loc = locator(ref)
    if loc is not None:
        ids.append(locator_key(*loc))
    tkey = title_key(ref.title, ref.year)
    if tkey:
        ids.append(tkey)
    if not ids:
        k = work_key(ref)
        if k:
            ids.append(k)
    return ids


_RANK = {"doi": 0, "pmid": 1, "ref": 2, "title": 3}


def _rank(key: str) -> tuple[int, int, str]:
    prefix = key.split(":", 1)[0]
    rank = _RANK.get(prefix, 4)
    if prefix == "ref" and key.count("|") > 3:  # author|year|source keys come after title keys
        rank = 4
    return (rank, 0, key)


# What describes a cited-only work: (raw, title, year, volume, page, first author, source) of one reference.
Description = tuple[str, str | None, int | None, str | None, str | None, str | None, str | None]


def _better(ref: Description, than: Description) -> bool:
    """The reference that describes a cited-only work, stable whatever the file order: one with a year,
    then the shortest text, then the smallest (graphkit.sinks.neo4j_cites keeps the same rule across loads)."""
    return (ref[2] is None, len(ref[0]), ref[0]) < (than[2] is None, len(than[0]), than[0])


class _Works:
    """Cited-only references grouped into works by any identity they share.

    A union-find over integer ids of the identity strings, parents in an array, written here rather than
    taken from networkx (``networkx.utils.UnionFind``, used before) for memory: that one keeps two dicts of
    objects per identity, and with a few million identities (a 100k-record build) they were the largest
    transient in the build. Besides the groups, it keeps one description per first identity
    (:func:`_better`), not every reference, with one string object per distinct volume, page, author and
    source (they repeat).
    """

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.names: list[str] = []
        self.parent = array("I")
        self.best: dict[int, Description] = {}
        self.pool: dict[Any, Any] = {}

    def _id(self, ident: str) -> int:
        i = self.ids.get(ident)
        if i is None:
            i = self.ids[ident] = len(self.names)
            self.names.append(ident)
            self.parent.append(i)
        return i

    def _find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]  # path halving
            i = parent[i]
        return i

    def add(self, ids: list[str], ref: CitedRef) -> int:
        """Join the identities of one reference; returns the id to look its work up by."""
        first = self._id(ids[0])
        root = self._find(first)
        for ident in ids[1:]:
            other = self._find(self._id(ident))
            if other != root:
                if other < root:
                    root, other = other, root
                self.parent[other] = root
        best = self.best.get(first)
        pool = self.pool.setdefault
        desc = (ref.raw, ref.title, ref.year and pool(ref.year, ref.year), ref.volume and pool(ref.volume, ref.volume),
                ref.page and pool(ref.page, ref.page), (first_author := ref.family or ref.author) and pool(
                    first_author, first_author), ref.source and pool(ref.source, ref.source))
        if best is None or _better(desc, best):
            self.best[first] = desc
        return first

    def keys(self) -> list[str]:
        """id -> the key of its work (smallest identity by rank: doi, pmid, locator, title, other).
        Drops the string -> id table (no more :meth:`add` after this)."""
        self.ids = {}
        chosen: dict[int, str] = {}
        for i, name in enumerate(self.names):
            root = self._find(i)
            cur = chosen.get(root)
            if cur is None or _rank(name) < _rank(cur):
                chosen[root] = name
        return [chosen[self._find(i)] for i in range(len(self.names))]


def resolve(ctx: ResolveContext, mentions: Iterable[Mention]) -> None:
    """Resolve every reference (see the module doc). Consumes a list of ``mentions``: each is dropped from
    the list once its references are resolved, so the references of a large build are freed as it goes
    (the columnar core's mentions hold nothing: they are unpacked as they are iterated)."""
    graph = ctx.graph
    refs = any(m.row.get("kind") == "refs" for m in mentions)  # a set without cited references: no index
    papers, own = paper_columns(graph, index=refs)
    set_paper_properties(graph, papers, own)
    index = _PaperIndex(papers if refs else None, own, graph)
    del papers, own
    times: dict[str, dict[str, Any]] = {}
    stats: Counter[str] = Counter()
    styles: Counter[str] = Counter()
    edges: list[tuple[str, str]] = []  # in-set citations
    citers: list[str] = []  # citing papers of cited-only references, one entry per mention
    pending_citer = array("I")  # per cited-only reference: index into citers
    pending_work = array("I")  # per cited-only reference: the id its work is looked up by (_Works)
    works = _Works()
    held = mentions if isinstance(mentions, list) else None
    for n, m in enumerate(mentions):
        if held is not None:
            held[n] = None  # consumed (see the doc)
        if n % TRIM_EVERY == TRIM_EVERY - 1:  # the consumed references' memory, back to the system
            release_freed()
        row = m.row
        if row.get("kind") == "times_cited":
            cur = times.setdefault(m.paper, {})
            for prop in ("times_cited", "times_cited_all"):
                value = row.get(prop)
                if isinstance(value, int) and (cur.get(prop) is None or value > cur[prop]):
                    cur[prop] = value
                    if prop == "times_cited":
                        cur["times_cited_source"] = row.get("times_cited_source")
            cur.setdefault("times_cited_source", row.get("times_cited_source"))
            continue
        if row.get("kind") != "refs":
            continue
        citer = -1
        for ref in unpack(row["refs"]):
            stats["references"] += 1
            styles[ref.style] += 1
            if ref.year is not None or ref.dois or ref.pmid:
                stats["parsed"] += 1
            target, how = index.resolve(ref)
            if target is not None:
                stats["matched_doi" if how == "doi" else "matched_key"] += 1
                if target == m.paper:
                    stats["self_citations"] += 1
                else:
                    edges.append((m.paper, target))
                continue
            ids = _identities(ref)
            if not ids:
                stats["unkeyed"] += 1
                continue
            stats["cited_only_references"] += 1
            stats["cited_only_by_doi"] += 1 if (ref.dois or ref.pmid) else 0
            if citer < 0:
                citer = len(citers)
                citers.append(m.paper)
            pending_citer.append(citer)
            pending_work.append(works.add(ids, ref))
    release_freed()
    for paper, figures in times.items():
        graph.add_node(Label.PAPER, paper, **figures)
    for source, target in edges:
        graph.add_edge(RelType.CITES, source, target)
    del edges
    keys = works.keys()
    described: dict[str, Description] = {}  # work key -> the reference that describes it (_better)
    for first, desc in works.best.items():
        key = keys[first]
        best = described.get(key)
        if best is None or _better(desc, best):
            described[key] = desc
    del works  # the identity table: a few million strings and entries at 100k records
    release_freed()
    in_set, n_works = 0, len(described)
    for key in sorted(described):
        raw, title, year, volume, page, first_author, cited_source = described.pop(key)
        if graph.has_node(Label.PAPER, key):  # a paper of the set has this key (e.g. a DOI another record gave)
            in_set += 1
            continue
        graph.add_node(Label.PAPER, key, cited_only=True, doi=key[4:] if key.startswith("doi:") else None,
                       pmid=key[5:] if key.startswith("pmid:") else None, title=title, year=year,
                       volume=volume, first_page=page, first_author=first_author, source_title=cited_source,
                       reference=raw)
    for citer, work in zip(pending_citer, pending_work):
        source, target = citers[citer], keys[work]
        if target != source:
            graph.add_edge(RelType.CITES, source, target)
    ctx.report.update({
        "references": stats["references"], "parsed": stats["parsed"],
        "matched_doi": stats["matched_doi"], "matched_key": stats["matched_key"],
        "resolved": stats["matched_doi"] + stats["matched_key"],  # to a paper of the set, either way
        "unmatched": stats["references"] - stats["matched_doi"] - stats["matched_key"],
        "cited_only_references": stats["cited_only_references"],
        "cited_only_references_with_doi": stats["cited_only_by_doi"],
        "cited_only_works": n_works - in_set, "unkeyed": stats["unkeyed"],
        "self_citations": stats["self_citations"], "styles": dict(sorted(styles.items())),
        "papers_with_times_cited": len(times), "edges": graph.count(RelType.CITES) if hasattr(graph, "count") else None,
    })


def count_cited_by(graph: Any, options: Any = None) -> None:
    """``cited_by`` on every Paper: the number of papers in the graph citing it."""
    if isinstance(graph, Graph):  # the in-memory graph counts without a dict of every cited work
        graph.set_paper_in_degree(RelType.CITES, "cited_by")
        return
    counts = Counter(e["target"] for e in graph.edges(RelType.CITES))
    for row in graph.nodes(Label.PAPER):
        row["cited_by"] = counts.get(row["key"], 0)


CITED_BY_CYPHER = (
    f"MATCH (p:{Label.PAPER.value}) SET p.cited_by = size([(p)<-[:{RelType.CITES.value}]-(:{Label.PAPER.value}) | 1])",
)


def cited_by_sql(options: Any) -> list[tuple[str, str]]:  # noqa: ARG001
    """The same count for the columnar core's engines (DuckDB, Spark)."""
    from graphkit.schema import NODE_PROPERTIES

    cols = ", ".join(f"n.{p}" for p in NODE_PROPERTIES[Label.PAPER] if p != "cited_by")
    return [(Label.PAPER.value,
             f"SELECT {cols}, coalesce(c.n, 0) AS cited_by FROM {{{Label.PAPER.value}}} n "
             f"LEFT JOIN (SELECT target, count(*) AS n FROM {{{RelType.CITES.value}}} GROUP BY target) c "
             "ON c.target = n.key")]

register(Extension(NAME, extract, resolve, "cited references: CITES to papers of the set and to cited-only works, "
                                            "times cited"))
register_derived(Derived("cited-by", ("Paper.cited_by",), count_cited_by, CITED_BY_CYPHER, cited_by_sql))
