"""The embedded full-text index's field statistics, read from FTS5's vocabulary with the rows it
tokenises otherwise taken out and counted by search.tokens: the same numbers as counting every text
with search.tokens, on texts made to differ between the two tokenisers and on the real corpus."""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from graphkit.build import BuildOptions
from graphkit.engine.core import build_columnar
from graphkit.graph import Graph
from graphkit.schema import Label
from graphkit.search import PAPER_FIELDS, STOP_WORDS, paper_documents, tokens
from graphkit.sinks.embedded_index import _name_texts, _paper_texts, as_columnar, build_index
from conftest import need_corpus
from test_search_fields import search_graph

# (title, journal, author names, keywords, MeSH names) and abstracts: each paper holds a case where
# FTS5's unicode61 words and search.tokens' words differ, or where only stop words or nothing is left
PAPERS = {
    "p1": ("Scaling in random networks", "Science", ["Barabási, Albert-László"], ["networks"], []),
    "p2": ("Dose 3.5 mg and 1,000 u.s.a. patients", "J. Clin. Oncol.", ["O'Neil, Ann"], ["u.s"], ["Neoplasms"]),
    "p3": ("The of and", "The Lancet", ["Ørnberg, Jesper"], [], []),  # stop words only: no counted document
    "p4": ("Ελληνικά και 日本語 text", "Ärztliche Praxis", ["Łukasiewicz, Jan"], ["deep learning"], []),
    "p5": ("", "Nature", ["Smith, John", "Smith, J."], ["networks", "nav1.5"], []),
    "p6": ("end. 'quoted' (paren) ..a.. a..b", "Science", [], [], []),
}
ABSTRACTS = {"p1": "Networks grow; hubs emerge.", "p2": "Don't stop: a;b 2;3 A:B 1:2 e.g. x.y",
             "p4": "Straße ß œ þ ıı", "p5": "3.5 appears here too, and 3 5 apart", "p6": "snake_case __init__ x_y"}


def _graph() -> Graph:
    return search_graph(PAPERS, ABSTRACTS)


def _counted(graph) -> tuple[dict[str, tuple[int, int]], dict[str, dict[str, int]]]:
    """The statistics by tokenising every folded text with search.tokens (the definition)."""
    graph = as_columnar(graph)
    docs_count: Counter[str] = Counter()
    token_count: Counter[str] = Counter()
    df: dict[str, Counter[str]] = defaultdict(Counter)
    texts = [(f, t) for _, _, ts in _paper_texts(graph, paper_documents(graph)) for f, t in zip(PAPER_FIELDS, ts)]
    texts += [("name", folded) for _, _, _, folded in _name_texts(graph)]
    for field, text in texts:
        words = [w for w in tokens(text) if w not in STOP_WORDS]
        if words:
            docs_count[field] += 1
            token_count[field] += len(words)
            df[field].update(set(words))
    return {f: (docs_count[f], token_count[f]) for f in docs_count}, {f: dict(c) for f, c in df.items()}


def _stored(path: Path) -> tuple[dict[str, tuple[int, int]], dict[str, dict[str, int]]]:
    con = sqlite3.connect(path)
    try:
        stats = {f: (d, t) for f, d, t in con.execute("SELECT field, docs, tokens FROM field_stats")}
        df: dict[str, dict[str, int]] = defaultdict(dict)
        for f, w, n in con.execute("SELECT field, word, docs FROM doc_freq"):
            df[f][w] = n
    finally:
        con.close()
    return stats, dict(df)


def test_statistics_equal_counting_every_text_with_tokens(tmp_path):
    graph = _graph()
    build_index(as_columnar(graph), tmp_path / "index.sqlite")
    stats, df = _stored(tmp_path / "index.sqlite")
    assert (stats, df) == _counted(graph)
    assert df["title"]["3.5"] == 1 and "3" not in df["title"]  # joined by search.tokens, two words for FTS5
    assert df["abstract"]["3"] == 1 and df["abstract"]["3.5"] == 1  # p5 holds both, "3.5" and "3 5"
    assert stats["title"][0] == 4  # p3 (stop words only) and p5 (no title) count no document


def test_statistics_equal_counting_every_text_on_the_corpus(tmp_path):
    corpus = need_corpus()
    files = sorted(p for d in ("nbib", "scopus_csv", "wos") for p in (corpus / d).iterdir() if p.is_file())
    graph = build_columnar(files, BuildOptions()).graph
    build_index(as_columnar(graph), tmp_path / "index.sqlite")
    stats, df = _stored(tmp_path / "index.sqlite")
    expected = _counted(graph)
    assert stats == expected[0]
    assert df == expected[1]
    assert sum(len(words) for words in df.values()) > 10_000


@pytest.mark.parametrize("text", ["a.b", "x 3,4 y", "ß", "plain words only", "the", "", "it's"])
def test_one_text_alone(tmp_path, text):
    g = Graph()
    g.add_node(Label.PAPER, "p", title=text or None, year=2001)
    build_index(as_columnar(g), tmp_path / "index.sqlite")
    assert _stored(tmp_path / "index.sqlite") == _counted(g)


def test_fts5_keeps_large_pages_and_a_large_term_buffer(tmp_path):
    """The index is written with 64 KB leaves and 16 MB of pending terms per segment (fewer segments to
    write and merge; both are FTS5 settings kept in the tables' config)."""
    from graphkit.sinks.embedded_index import HASH_BYTES, PAGE_BYTES

    build_index(as_columnar(_graph()), tmp_path / "index.sqlite")
    con = sqlite3.connect(tmp_path / "index.sqlite")
    try:
        for table in ("paper_fts", "name_fts"):
            config = dict(con.execute(f"SELECT k, v FROM {table}_config").fetchall())
            assert config["pgsz"] == PAGE_BYTES and config["hashsize"] == HASH_BYTES == 16 << 20
    finally:
        con.close()
