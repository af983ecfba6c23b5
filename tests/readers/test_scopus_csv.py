"""graphkit.readers.scopus_csv: both Scopus column layouts, embedded newlines, the surplus-cell fix."""

from __future__ import annotations

import io

from graphkit.readers import detect, read
from graphkit.readers.scopus_csv import merge_reference_authors, read_scopus_csv
from conftest import FIXTURES, split

FIX = FIXTURES / "scopus_csv"



def test_old_layout_comma_separated_authors() -> None:
    path = FIX / "old_layout.csv"  # BOM, quoted cells, no Author(s) ID
    assert detect(path) == "scopus-csv"
    (rec,), diags = split(read(path))
    assert not diags
    assert [(a.family, a.given) for a in rec.authors] == [("Yagai", "T."), ("Kimura", "Y."), ("Della Corte", "V.")]
    assert rec.title == "Strain of YBa2Cu3O7 tape"  # <inf> markup dropped
    assert rec.abstract is None  # "[No abstract available]"
    assert rec.article_number == "7433444" and rec.first_page is None  # an article number is not a page
    assert "Art. No." not in rec.extra
    assert rec.journal.issns == ["1051-8223"] and rec.journal.abbreviation == "IEEE Trans Appl Supercond"
    assert rec.doi == "10.1109/tasc.2016.2541670"
    assert rec.keywords == ["SMES", "strain", "Carbon", "Energy storage"]
    assert rec.extra["Index Keywords"] == ["Carbon; Energy storage"]
    assert len(rec.references) == 2 and rec.references[1].startswith("Obradors, X., Puig, T.")
    assert rec.extra["EID"] == ["2-s2.0-84963944162"] and "Author(s) ID" not in rec.extra


def test_new_layout_full_names_ids_and_reference_authors() -> None:
    (rec,), diags = split(read_scopus_csv(FIX / "new_layout.csv"))
    assert not diags
    assert [(a.family, a.given, a.raw) for a in rec.authors] == [
        ("Owusu", "Paul", "Owusu, Paul (59504654000)"), ("Kyei", "Samuel", "Kyei, Samuel (55633715300)")]
    assert rec.extra["Author(s) ID"] == ["59504654000", "55633715300"]  # one per author, in order
    assert "Author full names" not in rec.extra
    assert (rec.year, rec.volume, rec.issue, rec.first_page, rec.last_page) == (2026, "109", "2", "307", "319")
    assert rec.pmid == "41494690" and rec.publisher == "Taylor and Francis Ltd."
    # 2024+ exports separate a reference's authors with "; " too: they stay with their reference
    assert rec.references == [
        "Flaxman S.R.; Bourne R.R.A.; Resnikoff S., Global causes of blindness, Lancet Glob Health, 5, "
        "pp. e1221-e1234, (2017)",
        "Rymer B.C., Trends in ophthalmology journals, Int J Ophthalmol, 9, pp. 1669-1675, (2016)"]


def test_embedded_newlines_keep_row_line_numbers() -> None:
    records, diags = split(read_scopus_csv(FIX / "embedded_newline.csv"))
    assert not diags
    assert [(r.title, r.source.line) for r in records] == [
        ("First title", 2), ("Second title", 5), ("Third title", 7)]
    assert records[0].extra["Correspondence Address"] == [
        "Smith, J.; Dept of X, University of Y, Z; email: j@example.org"]
    assert records[0].extra["Author(s) ID"] == ["1", "2"]
    assert [(a.family, a.given) for a in records[0].authors] == [("Smith", "J."), ("Doe", "A.B.")]


def test_surplus_funding_text_cell_realigned() -> None:
    records, diags = split(read_scopus_csv(FIX / "surplus_funding_text.csv"))
    assert not diags
    first, second = records
    assert first.extra["Funding Text 2"] == ["Second funding text."]
    assert first.references == ["Edelstein-Keshet, L., (2005) Mathematical Models in Biology, , SIAM"]
    assert first.publisher == "Nature Research" and second.publisher == "IEEE"


def test_short_row_and_bad_bytes_are_diagnostics() -> None:
    data = b"Authors,Title,Year,Source title\nRoe R.,Caf\xe9,2020\n"
    records, diags = split(read_scopus_csv("mem.csv", stream=io.BytesIO(data)))
    assert records[0].title == "Café"
    assert sorted((d.kind, d.source.line, d.record) for d in diags) == [("bad-row", 2, 1), ("encoding", 2, None)]


def test_merge_reference_authors() -> None:
    assert merge_reference_authors(["A B.", "C D.E.", "F G., Title, J, (2020)", "H I., T2, (2021)"]) == [
        "A B.; C D.E.; F G., Title, J, (2020)", "H I., T2, (2021)"]
