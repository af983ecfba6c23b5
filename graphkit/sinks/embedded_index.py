"""The embedded store's full-text index written in bulk from a columnar graph's Arrow tables.

The same index as :func:`graphkit.search.build_index` (the schema, folded texts, field statistics and
document frequencies that :func:`graphkit.search.search_index` ranks with), computed from columns
instead of row dicts: the derived search fields of every paper (:func:`graphkit.search.paper_documents`,
their one definition, reads a columnar graph's key columns), every text is folded once, and the rows go
to SQLite in one transaction with journal and sync off (the file is written beside its final name and
renamed; the generation is flushed as a whole when it is published, :mod:`graphkit.store_dir`).

The field statistics are read from FTS5's own vocabulary (``fts5vocab``) instead of tokenising every
text a second time in Python: on folded ASCII text FTS5's ``unicode61`` tokens are the runs of letters
and digits, which are :func:`graphkit.search.tokens`' words unless a joiner (``. ' : , ;``) stands
right before a letter or digit ("3.5", "u.s.a", "don't"). Rows with such a text, or with any non-ASCII
text, are few: their FTS5 counts are taken out again (read from a scratch FTS5 table holding only them)
and their own counts, by :func:`graphkit.search.tokens`, put in.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path

from graphkit.columnar import ColumnarGraph, rows_to_arrow
from graphkit.graph import Graph
from graphkit.fold import fold
from graphkit.schema import Label, RelType
from graphkit.search import _SCHEMA, FTS_TOKENIZER, KIND_LABELS, PAPER_FIELDS, STOP_WORDS, paper_documents, tokens

log = logging.getLogger(__name__)

PAGE_BYTES = 64000  # FTS5 leaf pages, below SQLite's 65,536-byte pages
# FTS5 keeps new rows' terms in memory up to this many bytes before it writes them as a segment (its own
# default is 1 MB): fewer, larger segments to write and merge. At 100k papers the inserts took 3.5 s
# instead of 5.8 (8 MB: 3.6 s; 64 MB: 3.4 s), with the same rows in every table but the segments'.
HASH_BYTES = 16 << 20


def as_columnar(graph: Graph | ColumnarGraph) -> ColumnarGraph:
    """A row graph's tables as Arrow (a columnar graph as it is)."""
    if isinstance(graph, ColumnarGraph):
        return graph
    return ColumnarGraph({**{label: rows_to_arrow(label, graph.nodes(label)) for label in Label},
                          **{rel: rows_to_arrow(rel, graph.edges(rel)) for rel in RelType}})


def build_index(graph: ColumnarGraph, path: Path) -> dict[str, int]:
    """Write a fresh FTS5 index of ``graph`` at ``path`` (replacing any old one); returns row counts."""
    clock = time.perf_counter()
    docs = paper_documents(graph)
    paper_rows = [(key, title or "", *texts) for key, title, texts in _paper_texts(graph, docs)]
    name_rows = [(kind, key, name, folded) for kind, key, name, folded in _name_texts(graph)]
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    try:
        con.execute("PRAGMA page_size = 65536")  # before any table: big pages and FTS5 leaves (pgsz)
        con.execute("PRAGMA journal_mode = OFF")  # cut the insert time by ~20% and the file by ~14%
        con.execute("PRAGMA synchronous = OFF")
        con.executescript(_SCHEMA)
        for table in ("paper_fts", "name_fts"):
            con.execute(f"INSERT INTO {table}({table}, rank) VALUES ('pgsz', {PAGE_BYTES})")
            try:
                con.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', {HASH_BYTES})")
            except sqlite3.OperationalError as exc:  # pragma: no cover - an FTS5 without it keeps its 1 MB
                log.debug("FTS5 hashsize not set: %s", exc)
        columns = ", ".join(PAPER_FIELDS)
        con.executemany(f"INSERT INTO paper_fts(key, display, {columns}) "
                        f"VALUES (?, ?, {', '.join('?' * len(PAPER_FIELDS))})", paper_rows)
        con.executemany("INSERT INTO name_fts(kind, key, display, name) VALUES (?, ?, ?, ?)", name_rows)
        docs_count, token_count, df = field_statistics(con, paper_rows, name_rows)
        con.executemany("INSERT INTO field_stats VALUES (?, ?, ?)",
                        [(f, docs_count[f], token_count[f]) for f in docs_count])
        con.executemany("INSERT INTO doc_freq VALUES (?, ?, ?)",
                        [(f, w, n) for f, words in df.items() for w, n in words.items()])
        con.commit()
    finally:
        con.close()
    tmp.replace(path)
    log.debug("search index of %d papers and %d names written in %.1f s", len(paper_rows), len(name_rows),
              time.perf_counter() - clock)
    return {"papers": len(paper_rows), "names": len(name_rows)}


def _paper_texts(graph: ColumnarGraph, docs: dict[str, dict[str, str]]) -> Iterator[tuple[str, str | None, list[str]]]:
    """(key, title, the folded text of every PAPER_FIELDS field) per paper."""
    papers = graph.arrow(Label.PAPER)
    empty: dict[str, str] = {}
    for key, title, abstract in zip(*(papers.column(c).to_pylist() for c in ("key", "title", "abstract"))):
        doc = docs.get(key, empty)
        own = {"title": title, "abstract": abstract}
        yield key, title, [fold(own[f] or "") if f in own else fold(doc.get(f, "")) for f in PAPER_FIELDS]


def _name_texts(graph: ColumnarGraph) -> Iterator[tuple[str, str, str, str]]:
    """(kind, key, name, folded name) per author and term node."""
    for kind in ("author", "term"):
        for label in KIND_LABELS[kind]:
            table = graph.arrow(label)
            for key, name in zip(table.column("key").to_pylist(), table.column("name").to_pylist()):
                yield kind, key, name or "", fold(name or "")


_JOINED = re.compile(r"[.':,;][a-z0-9]")  # a joiner that may join two words (folded ASCII text)
_COUNTED = re.compile(r"(?<![a-z0-9])(?!(?:%s)(?![a-z0-9]))[a-z0-9]" % "|".join(sorted(STOP_WORDS)))
_TABLES = (("paper_fts", 2, PAPER_FIELDS), ("name_fts", 3, ("name",)))  # FTS table, first text column, fields


# _JOINED on ASCII bytes in C: joiners become 1, letters and digits 2, every other byte 0, so a joiner
# before a letter or digit is the substring b"\1\2" (half the time of the regex scan at 100k papers)
_JOINER_CLASSES = bytes(1 if chr(b) in ".':,;" else 2 if chr(b) in "abcdefghijklmnopqrstuvwxyz0123456789" else 0
                        for b in range(256))


def _plain(texts: Sequence[str]) -> bool:
    """Whether FTS5's tokens of these folded texts are :func:`~graphkit.search.tokens`' words. They are
    tested joined by a NUL (neither a joiner nor a letter or digit, so no joiner match spans two texts):
    one test per row instead of one per text."""
    joined = "\0".join(texts)
    return joined.isascii() and b"\1\2" not in joined.encode("ascii").translate(_JOINER_CLASSES)


def field_statistics(con: sqlite3.Connection, paper_rows: Sequence[Sequence[str]],
                     name_rows: Sequence[Sequence[str]]) -> tuple[Counter[str], Counter[str], dict[str, Counter[str]]]:
    """Per field: the documents with a counted word, the counted words in all, and each word's document
    frequency (stop words take a position but are not counted), as search_index ranks with them; from
    the rows just inserted into the FTS5 tables of ``con`` (see the module docstring)."""
    docs_count: Counter[str] = Counter()
    token_count: Counter[str] = Counter()
    df: dict[str, Counter[str]] = defaultdict(Counter)
    for (table, first, fields), rows in zip(_TABLES, (paper_rows, name_rows)):
        odd: list[Sequence[str]] = []  # (their documents are counted below, by tokens)
        for row in rows:
            texts = row[first:]
            if not _plain(texts):
                odd.append(texts)
                continue
            for field, text in zip(fields, texts):
                if text and _COUNTED.search(text) is not None:
                    docs_count[field] += 1
        con.execute(f"CREATE VIRTUAL TABLE temp.odd_{table} USING fts5({', '.join(fields)}, "
                    f"tokenize = '{FTS_TOKENIZER}')")
        con.executemany(f"INSERT INTO temp.odd_{table} VALUES ({', '.join('?' * len(fields))})", odd)
        for schema, source, sign in (("main", table, 1), ("temp", f"odd_{table}", -1)):
            con.execute(f"CREATE VIRTUAL TABLE temp.vocab USING fts5vocab({schema}, {source}, col)")
            for word, field, docs, count in con.execute("SELECT term, col, doc, cnt FROM temp.vocab"):
                if word not in STOP_WORDS:
                    df[field][word] += sign * docs
                    token_count[field] += sign * count
            con.execute("DROP TABLE temp.vocab")
        con.execute(f"DROP TABLE temp.odd_{table}")
        for texts in odd:
            for field, text in zip(fields, texts):
                toks = [t for t in tokens(text) if t not in STOP_WORDS]
                if toks:
                    docs_count[field] += 1
                    token_count[field] += len(toks)
                    df[field].update(set(toks))
    return +docs_count, +token_count, {field: +words for field, words in df.items() if +words}
