"""Full-text search shared by both stores: one query language, two back ends.

The query language (what ``graphkit search`` takes) is deliberately small:

* ``words`` -- every word must match (AND), in any indexed field;
* ``"a quoted phrase"`` -- the words next to each other, in that order;
* ``prefix*`` -- any word starting with ``prefix``.

Matching is case- and diacritics-insensitive ("Barabasi" finds "Barabási"): queries are folded here and
both indexes fold the text they index (SQLite FTS5 ``unicode61 remove_diacritics 2``; Neo4j's
``standard-folding`` analyzer). :func:`parse` turns the text into :class:`Term` objects,
:func:`to_fts5` and :func:`to_lucene` render them for each engine.

The embedded side keeps a SQLite FTS5 index (standard library) beside the graph, rebuilt
from the :class:`~graphkit.graph.Graph` every time the store is rebuilt (:func:`build_index`) and
queried with :func:`search_index`. Result rows are ``{"kind", "key", "name", "score"}`` with ``kind`` one
of ``paper``, ``author``, ``term`` and a higher ``score`` meaning a better match.
"""

from __future__ import annotations

import logging
import math
import re
import sqlite3
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphkit.graph import Graph
from graphkit.model import GraphkitError
from graphkit.schema import Label, RelType

log = logging.getLogger(__name__)

KINDS = ("paper", "author", "term")

# kind -> labels it covers (the Neo4j side: paper_text over Paper, name_text over the others)
KIND_LABELS: dict[str, tuple[Label, ...]] = {
    "paper": (Label.PAPER,),
    "author": (Label.AUTHOR,),
    "term": (Label.KEYWORD, Label.MESH),
}

PAPER_FIELDS = ("title", "abstract", "terms")
TERMS_SEPARATOR = "; "  # a paper's keyword and MeSH names, sorted and distinct, joined like on Neo4j

# Lucene's English stop words (EnglishAnalyzer.ENGLISH_STOP_WORDS_SET), which Neo4j's standard-folding
# analyzer drops: plain query words among them are ignored, and they do not count in field lengths.
STOP_WORDS = frozenset("a an and are as at be but by for if in into is it no not of on or such that the their "
                       "then there these they this to was will with".split())
# BM25 as Lucene 9 computes it (Neo4j's full-text ranking), so both stores rank alike.
K1, B = 1.2, 0.75
# FTS5's own bm25() picks this many candidates (at least), which are then ranked Lucene-style: scoring
# every match in Python would cost seconds for common words on 100k papers.
CANDIDATES, CANDIDATE_FACTOR = 200, 20

_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)
# characters with a meaning in Lucene's classic query syntax
_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')


class SearchError(GraphkitError):
    """A search the index cannot answer (empty query, missing index)."""


@dataclass(frozen=True, slots=True)
class Term:
    """One part of a query: a word, a phrase (several words in order) or a prefix."""

    words: tuple[str, ...]
    prefix: bool = False

    @property
    def phrase(self) -> bool:
        return len(self.words) > 1


def fold(text: str) -> str:
    """Lower-case and strip diacritics: 'Barabási' -> 'barabasi', 'Ærø' stays 'ærø'-like but lower."""
    if text.isascii():  # fast path (most titles and abstracts): NFKD changes nothing, casefold = lower
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    if decomposed.isascii():
        return decomposed
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of ``text`` as both tokenizers see them (runs of letters and digits)."""
    return _WORD.findall(fold(text).replace("_", " "))


def parse(text: str) -> list[Term]:
    """Split a query into terms: quoted phrases, ``prefix*`` words and plain words (all folded)."""
    terms: list[Term] = []
    for match in _TOKEN.finditer(text):
        phrase, bare = match.group(1), match.group(2)
        if phrase is not None:
            phrase_words = tuple(words(phrase))
            if phrase_words:
                terms.append(Term(phrase_words))
            continue
        prefix = bare.endswith("*")
        ws = words(bare)
        if not ws:
            continue
        if len(ws) == 1:
            if ws[0] in STOP_WORDS and not prefix:
                continue
            terms.append(Term((ws[0],), prefix=prefix))
        else:  # "covid-19" -> the words as a phrase, like the tokenizers index them
            terms.append(Term(tuple(ws), prefix=prefix))
    if not terms:
        raise SearchError(f"nothing to search for in {text!r}: give words (not only common ones like "
                          "'the'), a \"phrase\" or a prefix*")
    return terms


def to_fts5(terms: list[Term]) -> str:
    """An FTS5 MATCH expression: terms AND-ed, phrases quoted, prefixes with a trailing ``*``."""
    parts = []
    for t in terms:
        quoted = '"' + " ".join(t.words) + '"'
        parts.append(quoted + ("*" if t.prefix else ""))
    return " AND ".join(parts)


def to_lucene(terms: list[Term]) -> str:
    """A Lucene classic-syntax query (Neo4j ``db.index.fulltext.queryNodes``): terms AND-ed."""
    parts = []
    for t in terms:
        escaped = [_LUCENE_SPECIAL.sub(r"\\\1", w) for w in t.words]
        if t.phrase:
            if t.prefix:  # Lucene has no phrase-prefix in classic syntax: words, last one a prefix
                parts.append("(" + " AND ".join(escaped[:-1] + [escaped[-1] + "*"]) + ")")
            else:
                parts.append('"' + " ".join(escaped) + '"')
        else:
            parts.append(escaped[0] + ("*" if t.prefix else ""))
    return " AND ".join(parts)


# -- the embedded index ------------------------------------------------------------------------
#
# FTS5 finds the matching rows (every term in some field) and keeps the best by its own bm25() as
# candidates (max(200, 20 x limit)); the ranking is computed here with Lucene's
# BM25 per field (idf = ln(1 + (N - n + 0.5) / (n + 0.5)), length norms quantised like Lucene's one-byte
# norms, prefix clauses scoring a constant 1 per field), summed over fields and terms. That is what Neo4j's
# full-text index computes, so the two stores put the same results on top. Statistics (documents per
# field, total length, document frequency per word) are computed at index time and kept in the database.

_SCHEMA = """
CREATE VIRTUAL TABLE paper_fts USING fts5(key UNINDEXED, title, abstract, terms,
    tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE name_fts USING fts5(kind UNINDEXED, key UNINDEXED, name,
    tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE field_stats(field TEXT PRIMARY KEY, docs INTEGER, tokens INTEGER);
CREATE TABLE doc_freq(field TEXT, word TEXT, docs INTEGER, PRIMARY KEY(field, word)) WITHOUT ROWID;
"""


# Word boundaries close to Unicode's UAX #29 (Lucene's StandardTokenizer), for lengths and frequencies:
# letters and digits run together, "." and "'" join letters or digits, ":" and "·" join letters, "," and
# ";" join digits ("u.s.a", "don't", "3.5", "1,000" are one word each).
_UAX29 = re.compile(r"[^\W_]+(?:(?:(?<=[^\W\d_])[.'\u2019:\u00b7](?=[^\W\d_])|(?<=\d)[.'\u2019,;](?=\d))[^\W_]+)*")


def tokens(text: str | None) -> list[str]:
    """Folded words at their positions, as Lucene's standard tokenizer splits them; stop words stay
    (they take a position) but are not counted in lengths."""
    return _UAX29.findall(fold(text or ""))


def _length(toks: list[str]) -> int:
    return sum(1 for t in toks if t not in STOP_WORDS)


def paper_terms(graph: Graph) -> dict[str, str]:
    """Paper key -> its keyword and MeSH names, distinct and sorted, joined by TERMS_SEPARATOR."""
    names: dict[str, set[str]] = defaultdict(set)
    for rel, label in ((RelType.HAS_KEYWORD, Label.KEYWORD), (RelType.HAS_MESH, Label.MESH)):
        for edge in graph.edges(rel):
            node = graph.node(label, edge["target"])
            if node and node.get("name"):
                names[edge["source"]].add(node["name"])
    return {k: TERMS_SEPARATOR.join(sorted(v)) for k, v in names.items()}


def build_index(graph: Graph, path: Path) -> dict[str, int]:
    """Write a fresh FTS5 index of ``graph`` at ``path`` (replacing any old one); returns row counts."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    try:
        con.executescript(_SCHEMA)
        terms = paper_terms(graph)
        stats: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        df: dict[tuple[str, str], int] = defaultdict(int)

        def count(field: str, text: str | None) -> None:
            toks = [t for t in tokens(text) if t not in STOP_WORDS]
            if toks:
                stats[field][0] += 1
                stats[field][1] += len(toks)
                for w in set(toks):
                    df[(field, w)] += 1

        paper_rows = []
        for p in graph.nodes(Label.PAPER):
            row = (p["key"], p.get("title") or "", p.get("abstract") or "", terms.get(p["key"], ""))
            for field, text in zip(PAPER_FIELDS, row[1:]):
                count(field, text)
            paper_rows.append(row)
        con.executemany("INSERT INTO paper_fts(key, title, abstract, terms) VALUES (?, ?, ?, ?)", paper_rows)
        rows = [(kind, n["key"], n.get("name") or "") for kind in ("author", "term")
                for label in KIND_LABELS[kind] for n in graph.nodes(label)]
        for name_row in rows:
            count("name", name_row[2])
        con.executemany("INSERT INTO name_fts(kind, key, name) VALUES (?, ?, ?)", rows)
        con.executemany("INSERT INTO field_stats VALUES (?, ?, ?)", [(f, d, t) for f, (d, t) in stats.items()])
        con.executemany("INSERT INTO doc_freq VALUES (?, ?, ?)", [(f, w, n) for (f, w), n in df.items()])
        con.commit()
        counts = {"papers": len(paper_rows), "names": len(rows)}
    finally:
        con.close()
    tmp.replace(path)
    return counts


def search_index(path: Path, text: str, *, limit: int = 10, kind: str | None = None) -> list[dict[str, Any]]:
    """Ranked rows ``{"kind", "key", "name", "score"}`` from the index at ``path`` (best first).

    Scores are Lucene-style BM25 sums (higher is better); ties are broken by kind then key.
    """
    if kind is not None and kind not in KINDS:
        raise SearchError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if not path.exists():
        raise SearchError(f"no search index at {path}; ingest files first")
    terms = parse(text)
    match = to_fts5(terms)
    log.debug("fts5 match %r", match)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        scorer = _Scorer(con, terms)
        pool = max(CANDIDATES, limit * CANDIDATE_FACTOR)
        rows: list[dict[str, Any]] = []
        if kind in (None, "paper"):
            for key, title, abstract, term_text in con.execute(
                    "SELECT key, title, abstract, terms FROM paper_fts WHERE paper_fts MATCH ? "
                    "ORDER BY bm25(paper_fts) LIMIT ?", (match, pool)):
                score = scorer.score(zip(PAPER_FIELDS, (title, abstract, term_text)))
                rows.append({"kind": "paper", "key": key, "name": title or None, "score": score})
        if kind in (None, "author", "term"):
            kinds = ("author", "term") if kind is None else (kind,)
            marks = ",".join("?" * len(kinds))
            for k, key, name in con.execute(
                    f"SELECT kind, key, name FROM name_fts WHERE name_fts MATCH ? AND kind IN ({marks}) "
                    "ORDER BY bm25(name_fts) LIMIT ?", (match, *kinds, pool)):
                rows.append({"kind": k, "key": key, "name": name, "score": scorer.score([("name", name)])})
    except sqlite3.OperationalError as exc:
        raise SearchError(f"search {text!r} failed: {exc}") from None
    finally:
        con.close()
    return merge_ranked(rows, limit)


class _Scorer:
    """Lucene BM25 over fields: sum over query terms and fields of idf * tf / (tf + k1 * norm)."""

    def __init__(self, con: sqlite3.Connection, terms: list[Term]) -> None:
        self.terms = terms
        self.stats = {f: (d, t / d if d else 0.0) for f, d, t in con.execute("SELECT * FROM field_stats")}
        wanted = {w for t in terms if not t.prefix or t.phrase for w in t.words}
        self.df: dict[tuple[str, str], int] = {}
        for w in wanted:
            for field, n in con.execute("SELECT field, docs FROM doc_freq WHERE word = ?", (w,)):
                self.df[(field, w)] = n

    def idf(self, field: str, word: str) -> float:
        docs = self.stats.get(field, (0, 0.0))[0]
        n = self.df.get((field, word), 0)
        return math.log(1 + (docs - n + 0.5) / (n + 0.5))

    def score(self, fields: Iterable[tuple[str, str | None]]) -> float:
        total = 0.0
        for field, text in fields:
            toks = tokens(text)
            if not toks:
                continue
            docs, avgdl = self.stats.get(field, (0, 0.0))
            dl = _lucene_length(_length(toks))
            for term in self.terms:
                if term.prefix and not term.phrase:
                    if any(t.startswith(term.words[0]) for t in toks):
                        total += 1.0  # Lucene scores multi-term (prefix) queries as a constant
                    continue
                tf = _phrase_freq(toks, term.words)
                if tf:
                    idf = sum(self.idf(field, w) for w in term.words if w not in STOP_WORDS)
                    total += idf * tf / (tf + K1 * (1 - B + B * dl / avgdl if avgdl else 1.0))
        return total


def _phrase_freq(toks: list[str], phrase: tuple[str, ...]) -> int:
    """How often the phrase's (non-stop) words occur at their relative positions."""
    wanted = [(i, w) for i, w in enumerate(phrase) if w not in STOP_WORDS]
    if not wanted:
        return 0
    first_offset, first = wanted[0]
    count = 0
    for pos, tok in enumerate(toks):
        if tok != first:
            continue
        start = pos - first_offset
        if start >= 0 and all(start + i < len(toks) and toks[start + i] == w for i, w in wanted[1:]):
            count += 1
    return count


def _int4(i: int) -> int:
    bits = i.bit_length()
    if bits < 4:
        return i
    shift = bits - 4
    return ((i >> shift) & 0x07) | ((shift + 1) << 3)


def _from_int4(i: int) -> int:
    bits, shift = i & 0x07, (i >> 3) - 1
    return bits if shift == -1 else (bits | 0x08) << shift


_FREE = 255 - _int4(2**31 - 1)  # 24: lengths below this are stored exactly


def _lucene_length(length: int) -> int:
    """A field length as Lucene's one-byte norm remembers it (SmallFloat.intToByte4/byte4ToInt)."""
    if length < _FREE:
        return length
    return _FREE + _from_int4(_int4(length - _FREE))


def merge_ranked(rows: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """Best ``limit`` rows by score, ties by kind then key (the order both stores use)."""
    return sorted(rows, key=lambda r: (-r["score"], KINDS.index(r["kind"]), r["key"]))[:limit]
