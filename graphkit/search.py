"""Full-text search shared by both stores: one query language, two back ends.

The query language (what ``graphkit search`` takes):

* ``words`` -- every word must match (AND), in any field of a paper (title, abstract, keywords and MeSH
  headings, author names, journal name) or in an author's or term's name;
* ``"a quoted phrase"`` -- the words next to each other, in that order;
* ``prefix*`` -- any word starting with ``prefix``;
* ``author:`` ``title:`` ``journal:`` ``mesh:`` ``abstract:`` before a word, phrase or prefix -- only that
  field of a paper (``author:barabasi title:"scale free"``); a query with a field prefix finds papers only;
* ``a OR b`` -- either (``OR`` in capitals binds tighter than the implicit AND: ``graphs deep OR neural``
  is ``graphs AND (deep OR neural)``);
* ``NOT word`` or ``-word`` -- leave out what matches (at least one term must remain to search for).

Matching is case- and diacritics-insensitive and transliterates Latin letters that have no decomposition
("Barabasi" finds "Barabási", "Ornberg" finds "Ørnberg", "Akcayir" finds "Akçayır"): queries and the
embedded index are folded by :func:`graphkit.fold.fold`; Neo4j folds what it indexes with its
``standard-folding`` analyzer (Lucene's ASCIIFoldingFilter), which agrees with it on Latin letters.
:func:`parse` turns the text into a :class:`Query`, :func:`to_fts5` and :func:`to_lucene` render it.

Papers are searched as documents of fields (:data:`PAPER_FIELDS`): their own ``title`` and ``abstract`` plus
the derived texts of :func:`paper_documents` (``terms``, ``authors``, ``journal``, ``mesh``), defined here
once and written by both stores (the embedded index below; Paper properties on Neo4j).

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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphkit.fold import fold
from graphkit.graph import Graph
from graphkit.model import GraphkitError
from graphkit.schema import Label, RelType

if TYPE_CHECKING:
    import pyarrow as pa

    from graphkit.columnar import ColumnarGraph

log = logging.getLogger(__name__)

KINDS = ("paper", "author", "term")

# kind -> labels it covers (the Neo4j side: paper_text over Paper, name_text over the others)
KIND_LABELS: dict[str, tuple[Label, ...]] = {
    "paper": (Label.PAPER,),
    "author": (Label.AUTHOR,),
    "term": (Label.KEYWORD, Label.MESH),
}

# the fields of a paper's search document; DEFAULT_FIELDS are searched by a term without a field prefix
# (``mesh`` is left out there: MeSH names are in ``terms`` already)
PAPER_FIELDS = ("title", "abstract", "terms", "authors", "journal", "mesh")
DEFAULT_FIELDS = ("title", "abstract", "terms", "authors", "journal")
DERIVED_FIELDS = ("terms", "authors", "journal", "mesh")  # computed by paper_documents
# field prefix in a query -> the paper field it searches
FIELD_PREFIXES = {"author": "authors", "authors": "authors", "title": "title", "journal": "journal",
                  "mesh": "mesh", "abstract": "abstract"}
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

_TOKEN = re.compile(r'(?P<neg>-(?=\S))?(?:(?P<field>[A-Za-z]+):(?=\S))?(?:"(?P<phrase>[^"]*)"?|(?P<bare>\S+))')
_WORD = re.compile(r"\w+", re.UNICODE)
# characters with a meaning in Lucene's classic query syntax
_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')


class SearchError(GraphkitError):
    """A search the index cannot answer (empty query, missing index)."""


@dataclass(frozen=True, slots=True)
class Term:
    """One part of a query: a word, a phrase (several words in order) or a prefix, in one paper field
    (``field``) or, when None, in every default field and in names."""

    words: tuple[str, ...]
    prefix: bool = False
    field: str | None = None

    @property
    def phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: every group must match (a group matches when any of its terms does), no
    ``excluded`` term may match."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()

    @property
    def terms(self) -> list[Term]:
        """The terms that score (every term of every group)."""
        return [t for g in self.groups for t in g]

    @property
    def fielded(self) -> bool:
        """True when a term names a paper field: such a query finds papers only."""
        return any(t.field for t in (*self.terms, *self.excluded))


def words(text: str) -> list[str]:
    """The folded words of ``text`` as both tokenizers see them (runs of letters and digits)."""
    return _WORD.findall(fold(text).replace("_", " "))


def _term(text: str, *, phrase: bool, field: str | None) -> Term | None:
    prefix = not phrase and text.endswith("*")
    ws = words(text)
    if not ws:
        return None
    if len(ws) == 1 and not phrase and not prefix and ws[0] in STOP_WORDS:
        return None
    # "covid-19" -> the words as a phrase, like the tokenizers index them
    return Term(tuple(ws), prefix=prefix, field=field)


def parse(text: str) -> Query:
    """Parse a query (see the module docstring): words, "phrases", prefix*, field:..., OR, NOT / -word."""
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = negate_next = False
    for match in _TOKEN.finditer(text):
        neg, field, phrase, bare = match.group("neg", "field", "phrase", "bare")
        if phrase is None and field is None and not neg and bare in ("OR", "NOT", "AND"):
            if bare == "OR":
                if not groups or join_next or negate_next:
                    raise SearchError(f"OR needs a term on each side in {text!r}")
                join_next = True
            elif bare == "NOT":
                if join_next:
                    raise SearchError(f"'OR NOT' is not supported in {text!r}: write the NOT term on its own")
                negate_next = True
            continue
        target = None
        if field is not None:
            target = FIELD_PREFIXES.get(field.lower())
            if target is None:  # not a field we know: the text is searched as it stands ("a:b")
                phrase_text = f"{field} {phrase}" if phrase is not None else None
                bare = f"{field}:{bare}" if bare is not None else None
                phrase = phrase_text
        term = _term(phrase if phrase is not None else bare, phrase=phrase is not None, field=target)
        negated = negate_next or bool(neg)
        negate_next = False
        if term is None:
            join_next = False
            continue
        if negated:
            if join_next:
                raise SearchError(f"'OR NOT' is not supported in {text!r}: write the NOT term on its own")
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    if join_next:
        raise SearchError(f"OR needs a term on each side in {text!r}")
    if negate_next:
        raise SearchError(f"NOT needs a term after it in {text!r}")
    if not groups:
        if excluded:
            raise SearchError(f"nothing to search for in {text!r}: NOT only leaves things out; add a word "
                              "to search for")
        raise SearchError(f"nothing to search for in {text!r}: give words (not only common ones like "
                          "'the'), a \"phrase\" or a prefix*")
    return Query(tuple(tuple(g) for g in groups), tuple(excluded))


def _fts5_term(t: Term, fields: tuple[str, ...] | None) -> str:
    text = '"' + " ".join(t.words) + '"' + ("*" if t.prefix else "")
    if fields is None:
        return text
    columns = (t.field,) if t.field else fields
    return "{" + " ".join(columns) + "} : " + text


def to_fts5(query: Query, fields: tuple[str, ...] | None = None) -> str:
    """An FTS5 MATCH expression. ``fields``: the columns a term without a field prefix searches (None: no
    column filter, for the names index). Groups are AND-ed, a group's terms OR-ed, excluded terms NOT-ed."""
    def group(g: tuple[Term, ...]) -> str:
        parts = [_fts5_term(t, fields) for t in g]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    expr = " AND ".join(group(g) for g in query.groups)
    if query.excluded:
        expr = f"({expr}) NOT " + group(query.excluded)
    return expr


def _lucene_term(t: Term, fields: tuple[str, ...] | None) -> str:
    escaped = [_LUCENE_SPECIAL.sub(r"\\\1", w) for w in t.words]
    columns: tuple[str | None, ...] = (t.field,) if t.field else (fields or (None,))

    def one(text: str) -> str:
        clauses = [f"{c}:{text}" if c else text for c in columns]
        return clauses[0] if len(clauses) == 1 else "(" + " ".join(clauses) + ")"

    if t.phrase and t.prefix:  # Lucene has no phrase-prefix in classic syntax: words, last one a prefix
        return "(" + " ".join("+" + one(w) for w in escaped[:-1] + [escaped[-1] + "*"]) + ")"
    if t.phrase:
        return one('"' + " ".join(escaped) + '"')
    return one(escaped[0] + ("*" if t.prefix else ""))


def to_lucene(query: Query, fields: tuple[str, ...] | None = None) -> str:
    """A Lucene classic-syntax query (Neo4j ``db.index.fulltext.queryNodes``): every group required
    (``+``), a group's terms optional among themselves, excluded terms prohibited (``-``). ``fields``: the
    index fields a term without a field prefix searches (None: unqualified, for the names index)."""
    parts = []
    for g in query.groups:
        alts = [_lucene_term(t, fields) for t in g]
        parts.append("+" + (alts[0] if len(alts) == 1 else "(" + " ".join(alts) + ")"))
    parts += ["-" + _lucene_term(t, fields) for t in query.excluded]
    return " ".join(parts)


def paper_documents(graph: Graph | ColumnarGraph, *, terms: bool = True) -> dict[str, dict[str, str]]:
    """Paper key -> the derived search fields that have text (:func:`paper_documents_table` as a dict of
    the fields each paper has). Both stores index these."""
    return documents(paper_documents_table(graph, terms=terms))


def documents(table: pa.Table) -> dict[str, dict[str, str]]:
    """A table of search fields (``key`` and the :data:`DERIVED_FIELDS`) as paper key -> the fields it
    has (not NULL)."""
    fields = [table.column(f).to_pylist() for f in DERIVED_FIELDS]
    return {key: {f: v for f, v in zip(DERIVED_FIELDS, values) if v is not None}
            for key, *values in zip(table.column("key").to_pylist(), *fields)}


# the derived search fields over the graph's columns (DuckDB; :func:`paper_documents_table`): names that
# are NULL or empty count as none; lists distinct and sorted by code point (DuckDB's binary collation, as
# Python's sorted), authors in byline order (position, NULL last, then author key)
_DOCUMENTS_SQL = """
WITH terms AS (
    SELECT source AS key, array_to_string(list_sort(list_distinct(list(name))), '{sep}') AS terms
    FROM (SELECT e.source, n.name FROM has_keyword e JOIN keyword n ON n.key = e.target WHERE n.name <> ''
          UNION ALL
          SELECT e.source, n.name FROM has_mesh e JOIN mesh n ON n.key = e.target WHERE n.name <> '')
    WHERE {terms}
    GROUP BY source),
mesh AS (
    SELECT e.source AS key, array_to_string(list_sort(list_distinct(list(n.name))), '{sep}') AS mesh
    FROM has_mesh e JOIN mesh n ON n.key = e.target WHERE n.name <> '' GROUP BY e.source),
authors AS (
    SELECT e.target AS key,
           string_agg(n.name, '{sep}' ORDER BY coalesce(e.position, {last}), e.source, n.name) AS authors
    FROM authored e JOIN author n ON n.key = e.source WHERE n.name <> '' GROUP BY e.target),
journal AS (
    SELECT e.source AS key, arg_min(n.name, e.target) AS journal
    FROM published_in e JOIN journal n ON n.key = e.target WHERE n.name <> '' GROUP BY e.source),
papers AS (SELECT key FROM terms UNION SELECT key FROM mesh UNION SELECT key FROM authors
           UNION SELECT key FROM journal)
SELECT p.key, terms.terms, authors.authors, journal.journal, mesh.mesh
FROM papers p LEFT JOIN terms USING (key) LEFT JOIN authors USING (key) LEFT JOIN journal USING (key)
     LEFT JOIN mesh USING (key)
"""


def paper_documents_table(graph: Graph | ColumnarGraph, *, terms: bool = True) -> pa.Table:
    """The derived search fields of every paper that has one, as an Arrow table (``key`` and the
    :data:`DERIVED_FIELDS`, NULL where a paper has no text for one): ``terms`` (keyword and MeSH names) and
    ``mesh`` (MeSH names), both distinct and sorted, ``authors`` (author names in byline order: position,
    then key) and ``journal`` (the journal's name; the first by key if a paper has more); lists joined by
    TERMS_SEPARATOR. Their one definition: DuckDB computes them from the graph's key, name and edge
    columns (:func:`graphkit.columnar.frame`: a columnar graph's own, a row graph's copied), in C and on
    every core instead of a Python set per paper. ``terms`` False: that column stays NULL (the Neo4j sinks
    set ``terms`` as Cypher computes it, :func:`graphkit.sinks.neo4j.graph_terms`)."""
    from graphkit.columnar import query

    names, edges = ("key", "name"), ("source", "target")
    tables: dict[str, tuple[Label | RelType, tuple[str, ...]]] = {
        "keyword": (Label.KEYWORD, names), "mesh": (Label.MESH, names), "author": (Label.AUTHOR, names),
        "journal": (Label.JOURNAL, names), "has_keyword": (RelType.HAS_KEYWORD, edges),
        "has_mesh": (RelType.HAS_MESH, edges), "authored": (RelType.AUTHORED, (*edges, "position")),
        "published_in": (RelType.PUBLISHED_IN, edges)}
    return query(graph, tables, _DOCUMENTS_SQL.format(sep=TERMS_SEPARATOR.replace("'", "''"), last=1 << 62,
                                                      terms="TRUE" if terms else "FALSE"))


# -- the embedded index ------------------------------------------------------------------------
#
# FTS5 finds the matching rows (every term in some field) and keeps the best by its own bm25() as
# candidates (max(200, 20 x limit)); the ranking is computed here with Lucene's
# BM25 per field (idf = ln(1 + (N - n + 0.5) / (n + 0.5)), length norms quantised like Lucene's one-byte
# norms, prefix clauses scoring a constant 1 per field), summed over fields and terms. That is what Neo4j's
# full-text index computes, so the two stores put the same results on top. Statistics (documents per
# field, total length, document frequency per word) are computed at index time and kept in the database.

FTS_TOKENIZER = "unicode61 remove_diacritics 2"  # both FTS5 tables (and embedded_index's scratch table)
_SCHEMA = f"""
CREATE VIRTUAL TABLE paper_fts USING fts5(key UNINDEXED, display UNINDEXED, {", ".join(PAPER_FIELDS)},
    tokenize = '{FTS_TOKENIZER}');
CREATE VIRTUAL TABLE name_fts USING fts5(kind UNINDEXED, key UNINDEXED, display UNINDEXED, name,
    tokenize = '{FTS_TOKENIZER}');
CREATE TABLE field_stats(field TEXT PRIMARY KEY, docs INTEGER, tokens INTEGER);
CREATE TABLE doc_freq(field TEXT, word TEXT, docs INTEGER, PRIMARY KEY(field, word)) WITHOUT ROWID;
"""
# the indexed columns hold text folded by graphkit.fold (FTS5's unicode61 alone misses ı ø ł đ ß æ œ þ);
# ``display`` keeps the title or name as written, for the result rows


# Word boundaries close to Unicode's UAX #29 (Lucene's StandardTokenizer), for lengths and frequencies:
# letters and digits run together, "." and "'" join letters or digits, ":" and "·" join letters, "," and
# ";" join digits ("u.s.a", "don't", "3.5", "1,000" are one word each).
_UAX29 = re.compile(r"[^\W_]+(?:(?:(?<=[^\W\d_])[.'\u2019:\u00b7](?=[^\W\d_])|(?<=\d)[.'\u2019,;](?=\d))[^\W_]+)*")


# ASCII text: every character that is neither a letter, a digit nor an ASCII joiner ends a word, so
# str.translate + str.split cut the text where _UAX29 would (in C, ~2.5x faster than the regex); a piece
# that still holds a joiner ("3.5", "don't", "end.") is cut by _UAX29 itself.
_ASCII_BREAKS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum() and chr(c) not in ".':,;"})


def tokens(text: str | None) -> list[str]:
    """Folded words at their positions, as Lucene's standard tokenizer splits them; stop words stay
    (they take a position) but are not counted in lengths."""
    folded = fold(text or "")
    if not folded.isascii():
        return _UAX29.findall(folded)
    out: list[str] = []
    add, more, whole = out.append, out.extend, str.isalnum
    for piece in folded.translate(_ASCII_BREAKS).split():
        if whole(piece):
            add(piece)
        else:
            more(_UAX29.findall(piece))
    return out


def _length(toks: list[str]) -> int:
    return sum(1 for t in toks if t not in STOP_WORDS)


def build_index(graph: Graph, path: Path) -> dict[str, int]:
    """Write a fresh FTS5 index of ``graph`` at ``path`` (replacing any old one); returns row counts.
    The rows are computed and written in bulk from Arrow tables (:mod:`graphkit.sinks.embedded_index`)."""
    from graphkit.sinks.embedded_index import as_columnar, build_index as write

    return write(as_columnar(graph), path)


def search_index(path: Path, text: str, *, limit: int = 10, kind: str | None = None) -> list[dict[str, Any]]:
    """Ranked rows ``{"kind", "key", "name", "score"}`` from the index at ``path`` (best first).

    Scores are Lucene-style BM25 sums (higher is better); ties are broken by kind then key.
    """
    if kind is not None and kind not in KINDS:
        raise SearchError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if not path.exists():
        raise SearchError(f"no search index at {path}; ingest files first")
    query = parse(text)
    match = to_fts5(query, DEFAULT_FIELDS)
    log.debug("fts5 match %r", match)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        scorer = _Scorer(con, query.terms)
        pool = max(CANDIDATES, limit * CANDIDATE_FACTOR)
        rows: list[dict[str, Any]] = []
        if kind in (None, "paper"):
            for key, title, *texts in con.execute(
                    f"SELECT key, display, {', '.join(PAPER_FIELDS)} FROM paper_fts WHERE paper_fts MATCH ? "
                    "ORDER BY bm25(paper_fts) LIMIT ?", (match, pool)):
                score = scorer.score(zip(PAPER_FIELDS, texts))
                rows.append({"kind": "paper", "key": key, "name": title or None, "score": score})
        if kind in (None, "author", "term") and not query.fielded:  # field prefixes name paper fields
            kinds = ("author", "term") if kind is None else (kind,)
            marks = ",".join("?" * len(kinds))
            for k, key, name, folded in con.execute(
                    f"SELECT kind, key, display, name FROM name_fts WHERE name_fts MATCH ? AND kind IN ({marks}) "
                    "ORDER BY bm25(name_fts) LIMIT ?", (to_fts5(query), *kinds, pool)):
                rows.append({"kind": k, "key": key, "name": name, "score": scorer.score([("name", folded)])})
    except sqlite3.OperationalError as exc:
        raise SearchError(f"search {text!r} failed: {exc}") from None
    finally:
        con.close()
    return merge_ranked(rows, limit)


_UNFIELDED = frozenset((*DEFAULT_FIELDS, "name"))  # the fields a term without a field prefix searches


class _Scorer:
    """Lucene BM25 over fields: sum over query terms and the fields each searches of
    idf * tf / (tf + k1 * norm) (Lucene's sum over the matching clauses of a boolean query)."""

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
                if term.field != field and (term.field is not None or field not in _UNFIELDED):
                    continue
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
