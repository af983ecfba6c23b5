"""graphkit.readers.csl_json: date-parts shapes, compact lines, broken items, streaming in small chunks."""

from __future__ import annotations

import io

import pytest

from graphkit.readers import detect, read
from graphkit.readers.csl_json import date_year, read_csl_json, strip_markup
from conftest import CORPUS, FIXTURES, corpus_counts, over_corpus, split

FIX = FIXTURES / "csl_json"
CSL_FILES = [f for f, fmt, _ in corpus_counts() if fmt == "CSL-JSON"]



def test_date_parts_strings_seasons_ranges() -> None:
    path = FIX / "date_parts_string_season_range.json"
    assert detect(path) == "csl-json"
    records, diags = split(read(path))
    assert not diags
    assert [r.year for r in records] == [2004, 2017, 2014, 1999]  # "2004", season 21, range, raw
    assert [r.source.line for r in records] == [2, 18, 24, 31]
    first = records[0]
    assert [(a.family, a.given) for a in first.authors] == [
        ("Brittain", "Ian"), ("World Health Organization", None), ("van Beethoven", "Ludwig")]
    assert first.title == "Date parts written as strings"  # <i> stripped
    assert first.journal.name == "Journal of Sport & Social Issues"
    assert first.journal.abbreviation == "J. Sport Soc. Issues"
    assert first.journal.issns == ["0193-7235", "1552-7638"]
    assert (first.first_page, first.last_page) == ("429", "452")  # en dash
    assert first.doi == "10/fqd6hj"  # short DOI kept as given, lower-cased
    assert first.pmid == "12345678" and first.keywords == ["sport", "disability", "inclusion"]
    assert records[1].extra["issued"] == ['{"date-parts": [["2017", 21]]}']  # the raw date is kept
    assert records[2].title == "The physical volcanology of the 1600 eruption of Huaynaputina, southern Peru"
    assert records[2].doi == "10.1484/j.se.2.303788"


def test_compact_one_item_per_line() -> None:
    records, diags = split(read_csl_json(FIX / "compact_one_item_per_line.json"))
    assert not diags
    assert [(r.title, r.source.line, r.year) for r in records] == [
        ("First", 2, 2018), ("Second", 3, 1935), ("Third", 4, 1977)]


def test_broken_item_costs_only_itself() -> None:
    records, diags = split(read_csl_json(FIX / "broken_item.json"))
    assert [r.title for r in records] == ["Good one", "Good two", "Good three"]
    assert [(d.severity, d.source.line, d.record) for d in diags] == [("error", 3, 2), ("error", 5, 4)]


def test_json_lines() -> None:
    records, diags = split(read(FIX / "json_lines.json"))
    assert not diags and [r.source.line for r in records] == [1, 2]


@pytest.mark.parametrize("name", sorted(p.name for p in FIX.glob("*.json")))
def test_tiny_chunks_give_the_same_output(name: str) -> None:
    assert list(read_csl_json(FIX / name, chunk_size=7)) == list(read_csl_json(FIX / name))


@pytest.mark.corpus
@over_corpus("name", CSL_FILES)
def test_corpus_tiny_chunks(name: str) -> None:
    path = CORPUS / name
    assert list(read_csl_json(path, chunk_size=13)) == list(read_csl_json(path))


def test_truncated_file_and_bad_utf8() -> None:
    data = b'[\n {"id": "a", "title": "Caf\xe9"},\n {"id": "b", "title": "cut'
    records, diags = split(read_csl_json("mem.json", stream=io.BytesIO(data)))
    assert [r.title for r in records] == ["Caf\ufffd"]
    assert {d.kind for d in diags} == {"encoding", "bad-record"}
    assert all(d.source.line in (2, 3) for d in diags)


def test_helpers() -> None:
    assert date_year({"date-parts": [["-12", 13]]}) == -12
    assert date_year({"literal": "circa 1850"}) == 1850
    assert date_year({"date-parts": [[]]}) is None
    assert strip_markup('<span style="font-variant:small-caps;">DNA</span> &amp; <sub>2</sub>') == "DNA & 2"


def test_deeply_nested_item_costs_only_itself() -> None:
    records, diags = split(read_csl_json(FIX / "deeply_nested.json"))
    assert [r.title for r in records] == ["Before", "After"]
    assert [(d.severity, d.kind, d.record, d.source.line) for d in diags] == [("error", "bad-record", 2, 3)]
    assert "nested too deeply" in diags[0].message


def test_control_escapes_and_lone_surrogates_never_reach_a_value() -> None:
    records, diags = split(read_csl_json(FIX / "control_escapes.json"))
    assert records[0].title == "Nul and lone surrogate" and records[0].authors[0].family == "Doe"
    assert [(d.kind, d.record) for d in diags] == [("control-chars", 1)]
    assert "3 control character(s)" in diags[0].message
