"""Full-text search shared by both stores: one query language, two back ends.

The query language (what ``graphkit search`` takes) is deliberately small:

* ``words`` -- every word must match (AND), in any indexed field;
* ``"a quoted phrase"`` -- the words next to each other, in that order;
* ``prefix*`` -- any word starting with ``prefix``.

Matching is case- and diacritics-insensitive ("Barabasi" finds "Barabási"): queries are folded here and
both indexes fold the text they index (SQLite FTS5 ``unicode61 remove_diacritics 2``; Neo4j's
``standard-folding`` analyzer). :func:`parse` turns the text into :class:`Term` objects,
:func:`to_fts5` and :func:`to_lucene` render them for each engine.

The embedded side keeps a SQLite FTS5 index (standard library, BM25 ranking) beside the graph, rebuilt
from the :class:`~graphkit.graph.Graph` every time the store is rebuilt (:func:`build_index`) and
queried with :func:`search_index`. Result rows are ``{"kind", "key", "name", "score"}`` with ``kind`` one
of ``paper``, ``author``, ``term`` and a higher ``score`` meaning a better match.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import unicodedata
from collections import defaultdict
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

# FTS5 column weights for bm25(): a title hit counts more than an abstract hit.
PAPER_COLUMNS = ("title", "abstract", "terms")
PAPER_WEIGHTS = (1.0, 1.0, 1.0)

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
    decomposed = unicodedata.normalize("NFKD", text.casefold())
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
            ws = tuple(words(phrase))
            if ws:
                terms.append(Term(ws))
            continue
        prefix = bare.endswith("*")
        ws = words(bare)
        if not ws:
            continue
        if len(ws) == 1:
            terms.append(Term((ws[0],), prefix=prefix))
        else:  # "covid-19" -> the words as a phrase, like the tokenizers index them
            terms.append(Term(tuple(ws), prefix=prefix))
    if not terms:
        raise SearchError(f"nothing to search for in {text!r}: give words, a \"phrase\" or a prefix*")
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

_SCHEMA = """
CREATE VIRTUAL TABLE paper_fts USING fts5(key UNINDEXED, title, abstract, terms,
    tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE name_fts USING fts5(kind UNINDEXED, key UNINDEXED, name,
    tokenize = 'unicode61 remove_diacritics 2');
"""


def build_index(graph: Graph, path: Path) -> dict[str, int]:
    """Write a fresh FTS5 index of ``graph`` at ``path`` (replacing any old one); returns row counts."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    try:
        con.executescript(_SCHEMA)
        terms: dict[str, list[str]] = defaultdict(list)
        for rel, label in ((RelType.HAS_KEYWORD, Label.KEYWORD), (RelType.HAS_MESH, Label.MESH)):
            for edge in graph.edges(rel):
                node = graph.node(label, edge["target"])
                if node and node.get("name"):
                    terms[edge["source"]].append(node["name"])
        con.executemany(
            "INSERT INTO paper_fts(key, title, abstract, terms) VALUES (?, ?, ?, ?)",
            ((p["key"], p.get("title") or "", p.get("abstract") or "", " ; ".join(terms.get(p["key"], ())))
             for p in graph.nodes(Label.PAPER)))
        rows = [(kind, n["key"], n.get("name") or "") for kind in ("author", "term")
                for label in KIND_LABELS[kind] for n in graph.nodes(label)]
        con.executemany("INSERT INTO name_fts(kind, key, name) VALUES (?, ?, ?)", rows)
        con.commit()
        counts = {"papers": graph.count(Label.PAPER), "names": len(rows)}
    finally:
        con.close()
    tmp.replace(path)
    return counts


def search_index(path: Path, text: str, *, limit: int = 10, kind: str | None = None) -> list[dict[str, Any]]:
    """Ranked rows ``{"kind", "key", "name", "score"}`` from the FTS5 index at ``path`` (best first).

    Scores are ``-bm25`` (higher is better); ties are broken by key so the order is deterministic.
    """
    if kind is not None and kind not in KINDS:
        raise SearchError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if not path.exists():
        raise SearchError(f"no search index at {path}; ingest files first")
    match = to_fts5(parse(text))
    log.debug("fts5 match %r", match)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows: list[dict[str, Any]] = []
        if kind in (None, "paper"):
            weights = ", ".join(str(w) for w in PAPER_WEIGHTS)
            for key, title, score in con.execute(
                    f"SELECT key, title, -bm25(paper_fts, 0, {weights}) AS s FROM paper_fts "
                    "WHERE paper_fts MATCH ? ORDER BY s DESC, key LIMIT ?", (match, limit)):
                rows.append({"kind": "paper", "key": key, "name": title, "score": score})
        if kind in (None, "author", "term"):
            kinds = ("author", "term") if kind is None else (kind,)
            marks = ",".join("?" * len(kinds))
            for k, key, name, score in con.execute(
                    f"SELECT kind, key, name, -bm25(name_fts) AS s FROM name_fts "
                    f"WHERE name_fts MATCH ? AND kind IN ({marks}) ORDER BY s DESC, key LIMIT ?",
                    (match, *kinds, limit)):
                rows.append({"kind": k, "key": key, "name": name, "score": score})
    except sqlite3.OperationalError as exc:
        raise SearchError(f"search {text!r} failed: {exc}") from None
    finally:
        con.close()
    return merge_ranked(rows, limit)


def merge_ranked(rows: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """Best ``limit`` rows by score, ties by kind then key (the order both stores use)."""
    return sorted(rows, key=lambda r: (-r["score"], KINDS.index(r["kind"]), r["key"]))[:limit]
