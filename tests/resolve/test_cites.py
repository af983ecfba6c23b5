"""graphkit.resolve.cites: cited references to papers in the set (WoS CR lines, DOI, locator)."""

from __future__ import annotations

from graphkit.build import build_from_files
from graphkit.resolve.cites import CitationIndex, journal_compatible, parse_reference
from graphkit.schema import Label, RelType
from conftest import FIXTURES


def test_parse_wos_cr() -> None:
    ref = parse_reference("Smith J, 2001, NATURE, V409, P123, DOI 10.1038/35057062")
    assert (ref.doi, ref.family, ref.year, ref.journal, ref.volume, ref.page) == (
        "10.1038/35057062", "smith", 2001, "NATURE", "409", "123")
    ref = parse_reference("Van der Berg AB, 1999, J AM CHEM SOC, V12, PE45")
    assert (ref.family, ref.page) == ("vanderberg", "E45")


def test_parse_scopus_reference() -> None:
    ref = parse_reference("Smith, J., Jones, K., A title (2001) Nature, 409 (3), pp. 123-130.")
    assert (ref.family, ref.year, ref.journal, ref.volume, ref.page) == ("smith", 2001, "Nature", "409", "123")


def test_journal_abbreviations() -> None:
    assert journal_compatible("J AM CHEM SOC", ["Journal of the American Chemical Society"])
    assert journal_compatible("P NATL ACAD SCI USA",
                              ["Proceedings of the National Academy of Sciences of the United States of America"])
    assert not journal_compatible("NATURE", ["Nature Physics"])
    assert not journal_compatible("SCIENCE", ["Journal of the American Chemical Society"])


def test_locator_needs_a_fitting_journal() -> None:
    idx = CitationIndex()
    idx.add_paper("doi:10.1000/b", ["10.1000/b"], "Brown", 2005, "127", "77", ["Journal of the American Chemical Society"])
    assert idx.resolve(parse_reference("Brown A, 2005, J AM CHEM SOC, V127, P77")) == "doi:10.1000/b"
    assert idx.resolve(parse_reference("Brown A, 2005, SCIENCE, V127, P77")) is None
    assert idx.resolve(parse_reference("Brown A, 2005, J AM CHEM SOC, V128, P77")) is None
    assert idx.resolve(parse_reference("Whoever Z, 1990, X, V1, P1, DOI 10.1000/B")) == "doi:10.1000/b"


def test_cites_from_wos_cr_lines_fixture() -> None:
    result = build_from_files([FIXTURES / "resolve" / "wos_cites_cr_lines.isi"])
    g = result.graph
    edges = {(e["source"], e["target"]) for e in g.edges(RelType.CITES)}
    a = "doi:10.1038/35057062"
    b = next(p["key"] for p in g.nodes(Label.PAPER) if p["title"].startswith("Chemistry"))
    c = next(p["key"] for p in g.nodes(Label.PAPER) if p["title"].startswith("A paper citing"))
    assert edges == {(b, a), (c, a), (c, b)}
    assert result.report["cites"] == {"references": 5, "resolved": 3, "edges": 3}
