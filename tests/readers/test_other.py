"""graphkit.readers.other: Embase/Springer CSV, EndNote tagged and ProQuest text fixtures; every
"other" corpus file is read (none refused)."""

from __future__ import annotations

from graphkit.model import Diagnostic
from graphkit.readers import detect, read
from graphkit.readers.other import split_outside_parens
from conftest import FIXTURES, split

FIX = FIXTURES / "other"



def test_embase_source_cell_and_emtree_terms() -> None:
    path = FIX / "embase_source_cell.csv"
    assert detect(path) == "embase-csv"
    (rec,), diags = split(read(path))
    assert not diags
    assert rec.journal.name == "Endoscopic Ultrasound" and rec.journal.issns == ["2226-7190"]
    assert (rec.year, rec.volume, rec.issue, rec.first_page, rec.last_page) == (2014, "3", "3", "152", "160")
    assert rec.doi == "10.4103/2303-9027.138783"  # from the percent-encoded OpenURL link
    assert [(a.family, a.given) for a in rec.authors] == [("Liu", "R."), ("Adler", "D.G.")]
    assert rec.keywords == ["endoscopic ultrasonography", "duplication cyst (diagnosis, surgery)", "article", "human"]


def test_springer_concatenated_authors_kept_raw_with_warning() -> None:
    path = FIX / "springer_concatenated_authors.csv"
    assert detect(path) == "springer-csv"
    (multi, single), diags = split(read(path))
    assert multi.authors == [] and multi.extra["Authors"] == ["Araz R. AlievNigar T. Ismayilova"]
    assert [(d.kind, d.source.line, d.record) for d in diags] == [("authors-unsplit", 2, 1)]
    assert [(a.family, a.given) for a in single.authors] == [("Belcastro", "Loris")]
    assert (single.volume, single.issue, single.doi, single.year) == ("7", "2", "10.1007/s1-2", 2021)


def test_endnote_tagged() -> None:
    path = FIX / "endnote_tagged.enl"
    assert detect(path) == "endnote-tagged"
    (first, second), diags = split(read(path))
    assert not diags
    assert first.title == "How Trust Leads to Commitment on Microsourcing Platforms"  # continuation line
    assert [(a.family, a.given) for a in first.authors] == [("Guo", "Wenbo"), ("Straub", "Detmar W.")]
    assert (first.year, first.volume, first.issue, first.first_page, first.last_page) == (2021, "45", "3", "1309", "1348")
    assert first.doi == "10.25300/misq/2021/15196" and first.keywords == ["trust", "microsourcing"]
    assert first.journal.name == "Management Information Systems Quarterly"
    assert first.extra["%U"] == ["https://aisel.aisnet.org/misq/vol45/iss3/13"]
    assert (second.source.line, second.first_page, second.last_page) == (18, "i", "ii")


def test_proquest_report() -> None:
    path = FIX / "proquest_report.txt"
    assert detect(path) == "proquest-text"
    (rec,), diags = split(read(path))
    assert not diags
    assert rec.source.line == 13 and rec.title == "Entrenchment and the paradox"
    assert [(a.family, a.given) for a in rec.authors] == [("Dorst", "Chris")]
    assert rec.abstract == "First paragraph. Results: a second paragraph that looks like a field."
    assert rec.year == 2014 and rec.keywords == ["Entrenchment", "Goodman"]
    assert rec.extra["URL"] == ["http://search.proquest.com/docview/1548716365"]
    assert rec.extra["ProQuest document ID"] == ["1548716365"]


def test_unrecognised_file_is_one_clear_error(tmp_path) -> None:
    path = tmp_path / "notes.dat"
    path.write_text("just some words\nnothing bibliographic\n")
    (diag,) = list(read(path))
    assert isinstance(diag, Diagnostic) and diag.severity == "error" and diag.kind == "unreadable"
    assert "not a bibliographic format" in diag.message


def test_binary_endnote_library_refused_in_one_line(tmp_path) -> None:
    path = tmp_path / "library.enl"
    path.write_bytes(b"RSC\x00\x01\x02" + bytes(range(256)) * 20)
    (diag,) = list(read(path))
    assert isinstance(diag, Diagnostic) and diag.severity == "error" and diag.kind == "unsupported"
    assert diag.message == ("detected a binary EndNote library (.enl): graphkit does not read it; "
                            "export as RIS instead")


def test_split_outside_parens() -> None:
    assert split_outside_parens("a, b (c, d), e") == ["a", "b (c, d)", "e"]
