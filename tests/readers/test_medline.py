"""graphkit.readers.medline: the real corpus counts and one fixture per edge case."""

from __future__ import annotations

import pytest

from graphkit.readers import detect, read
from graphkit.readers.medline import parse_mesh, parse_pages, read_medline
from conftest import CORPUS, FIXTURES, corpus_counts, need_corpus, over_corpus, split

MEDLINE_ROWS = [(f, n) for f, fmt, n in corpus_counts() if "MEDLINE" in fmt]
FIX = FIXTURES / "medline"



@pytest.mark.corpus
@over_corpus("name, expected", MEDLINE_ROWS)
def test_corpus_counts(name: str, expected: int) -> None:
    path = CORPUS / name
    assert detect(path) == "medline"
    records, diags = split(read(path))
    assert len(records) == expected
    assert not [d for d in diags if d.severity == "error"]
    assert all(r.title for r in records)


def test_corpus_rows_exist() -> None:
    need_corpus()
    assert len(MEDLINE_ROWS) >= 6


@pytest.mark.corpus
def test_corpus_truncated_last_record_is_reported() -> None:
    """metaknowledge's test file ends in the middle of a record (its source repo's copy does too)."""
    path = need_corpus() / "nbib" / "metaknowledge__medline_test.medline"
    records, diags = split(read_medline(path))
    assert [d.kind for d in diags] == ["truncated"]
    assert diags[0].record == len(records)


def test_page_abbreviation() -> None:
    records, diags = split(read_medline(FIX / "page_abbreviation.nbib"))
    assert not diags
    pages = [(r.first_page, r.last_page) for r in records]
    assert pages == [("436", "444"), ("188", "197"), ("e1234", None), ("1", "5"), ("S12", "S19")]
    assert records[0].year == 2017
    assert records[3].extra["PG"] == ["1-5; discussion 6"]


@pytest.mark.parametrize(("text", "expected"), [
    ("436-44", ("436", "444")), ("1558-65", ("1558", "1565")), ("99-101", ("99", "101")),
    ("e123-e130", ("e123", "e130")), ("895552", ("895552", None)), ("", (None, None)),
    ("345ps14", ("345ps14", None)), ("9.11.1-9.11.14", ("9.11.1", "9.11.14")),
])
def test_parse_pages(text: str, expected: tuple) -> None:
    assert parse_pages(text) == expected


def test_continuation_lines() -> None:
    (rec,), diags = split(read_medline(FIX / "continuation_lines.nbib"))
    assert not diags
    assert rec.title == ("A title long enough that PubMed wraps it onto a second line of the record "
                         "and then onto a third.")
    assert rec.abstract == "BACKGROUND: The first line of the abstract. The second line of the abstract."
    assert rec.authors[0].affiliations == ["Department of Imaginary Studies, Nowhere University, Atlantis."]
    assert "AD" not in rec.extra  # an AD after an author is that author's
    assert rec.source.line == 1 and rec.source.format == "medline"


def test_mesh_major_and_qualifiers() -> None:
    (rec,), _ = split(read_medline(FIX / "mesh_major_qualifiers.nbib"))
    got = [(m.heading, m.major, m.qualifiers) for m in rec.mesh]
    assert got == [
        ("Humans", False, []),
        ("Decision Making", True, []),
        ("Liver Neoplasms", True, ["secondary", "therapy"]),
        ("Chemoembolization, Therapeutic", False, ["methods"]),
        ("Neuroendocrine Tumors", True, ["drug therapy", "pathology"]),
    ]


def test_parse_mesh_rejects_empty_heading() -> None:
    assert parse_mesh("*/x") is None


def test_auid_orcid_goes_to_preceding_author() -> None:
    (rec,), diags = split(read_medline(FIX / "auid_orcid.nbib"))
    assert not diags
    assert [(a.family, a.given, a.orcid) for a in rec.authors] == [
        ("Brightwater", "Odile Marie", "0000-0002-1825-0097"),
        ("Fenwick-Holt", "J", None),
        ("Ostrander", "Piet", "0000-0001-5109-370X"),
        ("Nakamura", "Yui", "0000-0002-1694-233X"),
    ]


def test_issn_linking_first_and_journal_fields() -> None:
    (rec,), diags = split(read_medline(FIX / "issn_linking.nbib"))
    assert not diags
    assert rec.journal.issns == ["0317-8471", "1234-5679"]
    assert rec.journal.name == "Fake journal of imaginary studies"
    assert rec.journal.abbreviation == "Fake J Imag Stud"
    assert (rec.volume, rec.issue, rec.year) == ("12", "3", 2019)
    assert rec.doi == "10.9999/fake.2019.123"
    assert (rec.type, rec.type_raw) == ("article-journal", "Journal Article") and rec.extra["PT"] == ["Journal Article", "Review"]
    assert rec.extra["LID"] == ["S0000-0000(19)00000-1 [pii]"]
    assert rec.pmid == "10000041"


def test_eric_records_start_at_own() -> None:
    records, diags = split(read_medline(FIX / "eric_own_start.nbib"))
    assert not diags
    assert len(records) == 2
    first = records[0]
    assert first.pmid is None and first.extra["OWN"] == ["ERIC"]
    assert [a.display for a in first.authors] == ["Larkspur, Tomasina", "Vey, Oren"]
    assert first.keywords == ["Imaginary Schools", "Reading"]
    assert first.doi == "10.9999/eric.42"
    assert first.journal.issns == ["1234-5679"]
    assert (first.first_page, first.last_page) == ("1", "9")
    assert detect(FIX / "eric_own_start.nbib") == "medline"


def test_missing_blank_line_starts_new_record_with_warning() -> None:
    records, diags = split(read_medline(FIX / "missing_blank_line.nbib"))
    assert [r.pmid for r in records] == ["10000051", "10000052", "10000053"]
    assert [(d.kind, d.source.line, d.record) for d in diags] == [("missing-separator", 5, 1)]
    assert records[1].source.line == 5


def test_truncated_record_is_kept_with_warning() -> None:
    records, diags = split(read_medline(FIX / "truncated_record.nbib"))
    assert [r.pmid for r in records] == ["10000061", "10000062"]
    assert records[1].title == "A record cut off in the middle of its title"
    assert records[1].authors[0].family == "Cutshort"
    assert [(d.kind, d.record) for d in diags] == [("truncated", 2)]
    assert str(diags[0]).startswith(f"{FIX / 'truncated_record.nbib'}:10: warning: record 2:")


def test_bad_values_become_diagnostics(tmp_path) -> None:
    path = tmp_path / "bad.nbib"
    path.write_bytes(b"junk before\nPMID- abc\nTI  - T\nAUID- ORCID: none\nDP  - someday\n"
                     b"unindented continuation\nSO  - x\n")
    records, diags = split(read_medline(path))
    assert len(records) == 1 and records[0].pmid is None
    assert {d.kind for d in diags} == {"junk", "bad-value", "untagged"}
    assert all(d.severity == "warning" for d in diags)


def test_cp1252_line_is_a_warning(tmp_path) -> None:
    path = tmp_path / "cp1252.nbib"
    path.write_bytes(b"PMID- 1\r\nTI  - Caf\xe9 society\r\nSO  - x\r\n")
    (rec,), diags = split(read_medline(path))
    assert rec.title == "Café society"
    assert [d.kind for d in diags] == ["encoding"]


def test_addresses_belong_to_the_author_before_them() -> None:
    """AD lines follow the FAU/AU they belong to; several may follow one author, and one before any
    author (no owner) stays in extra."""
    (rec,), diags = split(read_medline(FIX / "addresses_per_author.nbib"))
    assert not diags
    assert [(p.family, p.affiliations) for p in rec.authors] == [
        ("Slok", ["Department of Family Medicine, Maastricht University, Maastricht, The Netherlands."]),
        ("Kotz", ["Department of Family Medicine, Maastricht University, Maastricht, The Netherlands.",
                  "Institute of General Practice, Heinrich-Heine-University, Dusseldorf, Germany."]),
        ("Jones", None),
    ]
    assert rec.extra["AD"] == ["Editorial office, Somewhere."]
