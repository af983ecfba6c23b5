"""graphkit.readers.wos: the real corpus counts and one fixture per edge case."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.model import Diagnostic, Record
from graphkit.readers import detect, read
from graphkit.readers.wos import read_wos
from conftest import CORPUS, FIXTURES, corpus_counts, need_corpus, over_corpus, split

WOS_ROWS = [(f, n) for f, fmt, n in corpus_counts() if fmt.startswith("WoS")]
FIX = FIXTURES / "wos"



@pytest.mark.corpus
@over_corpus("name, expected", WOS_ROWS)
def test_corpus_counts(name: str, expected: int) -> None:
    path = CORPUS / name
    assert detect(path) == "wos"
    records, diags = split(read(path))
    assert len(records) == expected
    assert not diags  # every corpus file is well formed (ManyAuthors.isi was cut at a record boundary)
    assert all(r.title and r.authors for r in records)


def test_corpus_rows_exist() -> None:
    need_corpus()
    assert len(WOS_ROWS) >= 7


@pytest.mark.corpus
def test_corpus_orcids_and_references() -> None:
    path = need_corpus() / "wos" / "synthesisr__WoS_ciw_example.ciw"
    records, _ = split(read_wos(path))
    li = records[0].authors[0]
    assert (li.family, li.given, li.orcid) == ("Li", "Wei", "0000-0002-2133-9287")  # OI writes "LI, WEI"


def test_continuation_lines() -> None:
    (rec,), diags = split(read_wos(FIX / "continuation_lines.ciw"))
    assert not diags
    assert rec.title == "A made-up title that the export wraps over two lines"
    assert rec.abstract == "An abstract on one line and on a second line."
    assert [(a.family, a.given, a.orcid) for a in rec.authors] == [
        ("Quillfeather", "Amadeus", None),
        ("Brightwater", "Odile Marie", "0000-0002-1825-0097"),
        ("Nakamura", "Yui", "0000-0002-1694-233X"),
    ]
    assert rec.keywords == ["imaginary data", "continuation lines", "keyword wrapping",
                            "FAKE KEYWORDS PLUS", "SECOND ONE"]
    assert rec.extra["ID"] == ["FAKE KEYWORDS PLUS", "SECOND ONE"]
    assert rec.extra["C1"] == [
        "[Quillfeather, Amadeus] Nowhere Univ, Dept Imaginary Studies, Atlantis.",
        "[Brightwater, Odile Marie; Nakamura, Yui] Elsewhere Inst, Lemuria.",
    ]
    assert rec.journal.name == "FAKE JOURNAL OF IMAGINARY STUDIES"
    assert rec.journal.abbreviation == "Fake J. Imag. Stud."
    assert rec.journal.issns == ["0317-8471", "1234-5679"]
    assert rec.extra["J9"] == ["FAKE J IMAG STUD"]
    assert (rec.year, rec.volume, rec.issue, rec.first_page, rec.last_page) == (2019, "12", "3", "436", "444")
    assert (rec.doi, rec.pmid, rec.type_raw, rec.publisher) == ("10.9999/fake.2019.7", "10000071", "Article",
                                                            "FAKE PUBL CO")
    assert rec.extra["UT"] == ["WOS:000000000000001"]
    assert rec.source.line == 3


def test_cited_references_one_string_each() -> None:
    (rec,), diags = split(read_wos(FIX / "cited_references.ciw"))
    assert not diags
    assert rec.references == [
        "Larkspur T, 2001, FAKE J IMAG STUD, V3, P12",
        "Vey O., 1999, MADE UP REV, V7, P100, DOI 10.9999/mur.1999.100",
        "Pell A, 2010, FAKE J, V1, P1",
    ]
    assert (rec.type, rec.type_raw) == ("article-journal", "Journal")  # PT J, no DT


def test_missing_er_keeps_both_records() -> None:
    records, diags = split(read_wos(FIX / "missing_er.ciw"))
    assert [r.year for r in records] == [2001, 2002, 2003]
    assert [(d.kind, d.record, d.source.line) for d in diags] == [("unterminated", 1, 8),
                                                                   ("unterminated", 3, 20)]


def test_text_after_ef_is_reported() -> None:
    records, diags = split(read_wos(FIX / "ef_end.ciw"))
    assert len(records) == 1
    assert [(d.kind, d.source.line) for d in diags] == [("after-end", 11)]


def test_bom_and_email_in_author_line() -> None:
    path = FIX / "bom_email_zoorec.txt"
    assert detect(path) == "wos"
    (rec,), diags = split(read_wos(path))
    assert not diags
    first = rec.authors[0]
    assert (first.family, first.given, first.orcid) == ("Stillwell", "Aster N.", "0000-0002-1825-0097")
    assert "aster.stillwell@example.org" in first.raw
    assert rec.title == "Zoological Record style record with a BOM and an e-mail in AU"
    assert rec.keywords == ["Imaginary bird", "Made-up beetle"]
    assert rec.extra["DE"]  # the raw descriptors are kept


def test_truncated_record_is_kept_with_warning() -> None:
    records, diags = split(read_wos(FIX / "truncated_record.ciw"))
    assert [r.title for r in records] == ["Complete record", "A record cut off in the"]
    assert [(d.kind, d.record) for d in diags] == [("truncated", 2)]


def test_record_without_pt_and_junk(tmp_path) -> None:
    path = tmp_path / "odd.txt"
    path.write_text("FN Clarivate Analytics Web of Science\nVR 1.0\nsome junk\nAU Vey, O\nTI T\nPY x\nER\n"
                    "   stray continuation\nER\n", encoding="utf-8")
    records, diags = split(read_wos(path))
    assert len(records) == 1 and records[0].year is None
    assert [d.kind for d in diags] == ["junk", "no-start", "bad-value", "junk", "junk"]


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_mutated_wos_never_raises(data) -> None:
    seeds = [p.read_bytes() for p in sorted(FIX.iterdir())]
    raw = bytearray(data.draw(st.sampled_from(seeds)))
    for _ in range(data.draw(st.integers(1, 6))):
        pos = data.draw(st.integers(0, len(raw)))
        if data.draw(st.booleans()):
            raw[pos:pos] = data.draw(st.sampled_from([b"ER\n", b"EF\n", b"PT J\n", b"   ", b"\n", b"OI x/0000-",
                                                      b"AU (a@b)", b"\xff", b"\r"]))
        else:
            del raw[pos:pos + data.draw(st.integers(1, 30))]
    for item in read_wos("fuzz.ciw", stream=io.BytesIO(bytes(raw))):
        assert isinstance(item, (Record, Diagnostic))
        if isinstance(item, Diagnostic):
            assert item.severity == "warning" and item.source.line >= 1


def test_article_number_is_kept_not_read_as_a_page() -> None:
    (rec,), _ = split(read_wos(FIX / "article_number.ciw"))
    assert rec.article_number == "P10008"
    assert rec.first_page is None and "AR" not in rec.extra
    assert (rec.type, rec.type_raw) == ("article-journal", "Article")
