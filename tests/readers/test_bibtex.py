"""graphkit.readers.bibtex: one fixture per edge case, chunked streaming, and the LaTeX fast path."""

from __future__ import annotations

import io
import re

import pytest

from graphkit.readers import detect, read
from graphkit.readers.bibtex import decode_latex, parse_pages, read_bibtex
from conftest import CORPUS, FIXTURES, need_corpus, split

FIX = FIXTURES / "bibtex"



def test_latex_accents_decoded() -> None:
    (rec,), diags = split(read(FIX / "latex_accents.bib"))
    assert not diags
    assert [(a.family, a.given) for a in rec.authors] == [
        ("Dupont", "Étienne"), ("Müller", "Jörg"), ("François", "Anne-Marie")]
    assert rec.title == "Crème brûlée & the “science” of DNA caramel"
    assert rec.journal is not None and rec.journal.name == "Journal of Food & Physics"
    assert (rec.first_page, rec.last_page) == ("52", "58")  # "52--58"
    assert rec.doi == "10.1234/abc_def.2019"  # doi.org prefix and "\_" gone, lower-cased
    assert rec.keywords == ["caramel", "Maillard reaction", "sugar"]
    assert (rec.year, rec.volume, rec.issue) == (2019, "12", "3")
    assert rec.extra["url"] == ["https://example.org/~dupont/paper%201.pdf"]  # URLs are not LaTeX


def test_failed_entry_costs_only_itself() -> None:
    path = FIX / "failed_entry_among_good.bib"
    records, diags = split(read_bibtex(path))
    assert [r.title for r in records] == ["The first good entry", "The second good entry",
                                          "The third good entry"]
    assert [r.source.line for r in records] == [1, 13, 23]
    assert [(d.severity, d.source.line, d.record, d.source.file) for d in diags] == [
        ("error", 7, 2, str(path)), ("error", 19, 4, str(path))]
    assert "broken_no_comma" in diags[0].message


def test_string_macros_duplicate_keys_and_fields() -> None:
    records, diags = split(read_bibtex(FIX / "string_macros_and_duplicates.bib"))
    assert [r.title for r in records] == ["Long-term vs. short-term impact: part one",
                                          "Long-term vs. short-term impact: part two"]
    assert all(r.journal.name == "Journal of Applied Stuff" for r in records)  # @string resolved
    assert records[1].keywords == ["impact", "journals"]  # a repeated keywords field is merged
    assert records[1].extra["note"] == ["cited By 12"]
    assert [(d.kind, d.record, d.source.line) for d in diags] == [("duplicate-field", 2, 15)]


def test_scopus_affiliation_letters_and_references() -> None:
    (first, second), diags = split(read_bibtex(FIX / "scopus_affiliation_letters.bib"))
    assert not diags
    assert [(a.family, a.given) for a in first.authors] == [
        ("D'Ambrosio", "A."), ("Aria", "M."), ("Iorio", "C."), ("Siciliano", "R.")]
    assert [(a.family, a.given) for a in second.authors] == [
        ("Li", "L.Z."), ("Leydesdorff", "L."), ("Garfield", "E.")]
    assert first.keywords == ["Earth mover distance", "Regression trees", "Data handling", "Forestry"]
    assert len(first.references) == 2 and first.references[1].startswith("Billard, L.")
    assert first.journal.abbreviation == "Expert Sys Appl" and (first.type, first.type_raw) == ("article-journal", "Article")
    assert second.pmid == "12345678"


def test_wos_bibtex_references_orcids_keywords_plus() -> None:
    (rec,), diags = split(read_bibtex(FIX / "wos_cited_references.bib"))
    assert not diags
    assert rec.references == [
        "ACZEL J, 1983, J MATH PSYCHOL, V27, P93, DOI 10.1016/0022-2496(83)90028-7.",
        "[Anonymous], 2005, NEURAL NETWORKS COMP.", "Burden R.L., 2011, NUMERICAL ANAL."]
    assert [a.orcid for a in rec.authors] == ["0000-0001-7469-8112", "0000-0001-8848-3681"]
    assert rec.journal.issns == ["0096-3003", "1873-5649"]
    assert rec.keywords == ["AHP", "Neural networks", "ANALYTIC HIERARCHY PROCESS", "CONSISTENCY"]
    assert rec.extra["keywords-plus"] == ["ANALYTIC HIERARCHY PROCESS; CONSISTENCY"]


@pytest.mark.parametrize("name", sorted(p.name for p in FIX.glob("*.bib")))
def test_small_chunks_give_the_same_output(name: str) -> None:
    """Chunked parsing (one entry per chunk) keeps records, line numbers and ordinals (a broken
    entry's message may word the cause differently: the chunk ends where the next entry starts)."""
    whole, whole_diags = split(read_bibtex(FIX / name))
    chunked, chunked_diags = split(read_bibtex(FIX / name, chunk_chars=1))
    assert chunked == whole
    key = lambda d: (d.severity, d.source, d.record, d.kind)  # noqa: E731
    assert [key(d) for d in chunked_diags] == [key(d) for d in whole_diags]


def test_stream_and_windows_1252() -> None:
    data = "@article{k,\n title = {Caf\xe9 society},\n year = 1999}\n".encode("cp1252")
    records, diags = split(read_bibtex("mem.bib", stream=io.BytesIO(data)))
    assert records[0].title == "Café society"
    assert [(d.kind, d.source.line) for d in diags] == [("encoding", 2)]


def test_pages() -> None:
    assert parse_pages("52--58") == ("52", "58")
    assert parse_pages("79 – 88") == ("79", "88")
    assert parse_pages("e1234") == ("e1234", None)
    assert parse_pages("No Pagination Specified") == (None, None)


def test_detected_by_content_not_suffix(tmp_path) -> None:
    path = tmp_path / "export.txt"
    path.write_bytes((FIX / "latex_accents.bib").read_bytes())
    assert detect(path) == "bibtex"


@pytest.mark.corpus
def test_latex_fast_path_matches_pylatexenc_on_corpus() -> None:
    """Values take a table (or pylatexenc word by word) instead of pylatexenc on the whole value; the
    text must be the same. Checked on the corpus values that hold LaTeX specials (a sample of them:
    pylatexenc is slow)."""
    need_corpus()
    import bibtexparser
    from bibtexparser.middlewares import LatexDecodingMiddleware

    decoder = LatexDecodingMiddleware()._decoder
    special = re.compile(r"[\\$~{}]|--|``|''")
    values = []
    for path in sorted((CORPUS / "bibtex").iterdir()):
        library = bibtexparser.parse_string(path.read_text(encoding="utf-8-sig"))
        values += [f.value for e in library.entries for f in e.fields
                   if isinstance(f.value, str) and special.search(f.value) and len(f.value) < 2000]
    sample = values[::max(1, len(values) // 1500)]
    assert len(sample) > 1000
    for value in sample:
        full = decoder.latex_to_text(re.sub(r"(?<!\\)([&%#])", r"\\\1", value))
        assert decode_latex(value, decoder) == " ".join(full.replace("\xa0", " ").split()), value


def test_extra_closing_brace_in_title_is_diagnosed_and_recovered() -> None:
    records, diags = split(read_bibtex(FIX / "extra_closing_brace.bib"))
    first, second = records
    assert (first.title, first.year, first.doi, first.journal.name) == (
        "A Title With An Extra Brace", 2020, "10.1000/xyz", "Journal of Things")
    assert [a.family for a in first.authors] == ["Doe", "Roe"]
    assert (second.title, second.year) == ("Second", 2021)
    assert [(d.kind, d.record, d.source.line) for d in diags] == [("extra-brace", 1, 3)]
