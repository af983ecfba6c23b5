"""graphkit.readers.pubmed_xml: one fixture per edge case; gzip; deletions; the MEDLINE twin agrees."""

from __future__ import annotations

import gzip
import shutil

from graphkit.build import build_from_files
from graphkit.readers import detect, read
from graphkit.schema import Label
from conftest import FIXTURES, split

FIX = FIXTURES / "pubmed_xml"


def test_detected_by_content_plain_and_gzip(tmp_path) -> None:
    assert detect(FIX / "article_full.xml") == "pubmed-xml"
    gz = tmp_path / "pubmed24n0001.xml.gz"
    with open(FIX / "article_full.xml", "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert detect(gz) == "pubmed-xml"
    plain, _ = split(read(FIX / "article_full.xml"))
    packed, _ = split(read(gz))
    assert [r.to_dict() | {"source": None} for r in plain] == [r.to_dict() | {"source": None} for r in packed]


def test_every_medline_field() -> None:
    records, diags = split(read(FIX / "article_full.xml"))
    assert not diags
    first, second = records
    assert first.source.line == 4 and second.source.line == 58
    assert (first.pmid, first.doi, first.year, first.volume, first.issue) == (
        "10521349", "10.1126/science.286.5439.509", 1999, "286", "5439")
    assert (first.first_page, first.last_page) == ("509", "512")  # MedlinePgn 509-12 expanded
    assert first.journal.name == "Science (New York, N.Y.)" and first.journal.abbreviation == "Science"
    assert first.journal.issns == ["0036-8075"]  # linking and print are one ISSN here
    assert [(a.family, a.given, a.orcid) for a in first.authors] == [
        ("Barabási", "A L", "0000-0002-4028-3522"), ("Albert", "R", None)]
    assert first.extra["CN"] == ["Network Science Consortium"]  # kept, as the MEDLINE reader keeps CN
    assert first.extra["AD-AUTHOR"][1:] == [
        "2|Department of Physics, University of Notre Dame, Notre Dame, IN 46556, USA.",
        "2|Second address, Somewhere, France."]
    assert (first.type, first.type_raw) == ("article-journal", "Journal Article") and first.extra["PT-UI"] == ["D016428", "D013485"]
    assert [(m.heading, m.major, m.qualifiers) for m in first.mesh] == [
        ("Mathematics", False, []), ("Models, Biological", True, ["methods"])]  # major on the qualifier
    assert first.keywords == ["scale-free networks"]  # the same keyword twice in two cases: once
    assert first.references == ["Watts DJ, Strogatz SH. Collective dynamics of 'small-world' networks. "
                                "Nature. 1998;393:440-442. doi:10.1038/30918 PMID:9623998"]
    assert second.year == 1998  # from MedlineDate "1998 Jun-Jul"
    assert (second.first_page, second.last_page) == ("440", "442")


def test_inline_markup_is_text() -> None:
    records, _ = split(read(FIX / "update_with_delete.xml"))
    assert records[0].title == "A kept paper with italic markup and H2O."


def test_delete_citation_removes_the_paper_from_the_graph() -> None:
    records, _ = split(read(FIX / "update_with_delete.xml"))
    assert [(r.pmid, r.deleted) for r in records] == [("30000001", False), ("10521349", True),
                                                      ("99999999", True)]
    before = build_from_files([FIX / "article_full.xml"])
    assert before.graph.has_node(Label.PAPER, "doi:10.1126/science.286.5439.509")
    after = build_from_files([FIX / "article_full.xml", FIX / "update_with_delete.xml"])
    keys = {p["key"] for p in after.graph.nodes(Label.PAPER)}
    assert "doi:10.1126/science.286.5439.509" not in keys
    assert {"pmid:9623998", "pmid:30000001"} <= keys
    assert after.report["deleted"] == {"pmids": 2, "records_removed": 1}
    assert after.report["prisma"]["duplicates_removed"] == 0
    assert not any(a["family"] == "Barabási" for a in after.graph.nodes(Label.AUTHOR))


def test_malformed_xml_keeps_the_records_before_it() -> None:
    records, diags = split(read(FIX / "malformed_after_one.xml"))
    assert [r.pmid for r in records] == ["30000002"]
    assert [(d.severity, d.kind, d.source.line, d.record) for d in diags] == [("error", "bad-xml", 9, 2)]
    assert "rest of file skipped" in diags[0].message


def test_entity_expansion_is_refused_not_expanded() -> None:
    records, diags = split(read(FIX / "entity_bomb.xml"))
    assert records == [] and [d.kind for d in diags] == ["bad-xml"]


def test_cut_gzip_stream_is_reported(tmp_path) -> None:
    data = gzip.compress((FIX / "article_full.xml").read_bytes())
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    records, diags = split(read(cut))
    assert diags and diags[-1].severity == "error" and diags[-1].kind == "truncated"
    assert len(records) <= 1


def test_same_record_as_medline_merges_into_one_paper(tmp_path) -> None:
    nbib = tmp_path / "same.nbib"
    nbib.write_text("PMID- 10521349\nTI  - Emergence of scaling in random networks.\nFAU - Barabasi, A L\n"
                    "AU  - Barabasi AL\nDP  - 1999 Oct 15\nLID - 10.1126/science.286.5439.509 [doi]\n"
                    "SO  - Science. 1999;286:509-12.\n", encoding="utf-8")
    result = build_from_files([FIX / "article_full.xml", nbib])
    papers = [p for p in result.graph.nodes(Label.PAPER) if not p["cited_only"]]  # not the works it only cites
    assert len(papers) == 2  # the Barabási-Albert paper once, Watts-Strogatz once
