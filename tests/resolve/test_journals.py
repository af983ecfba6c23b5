"""graphkit.resolve.journals: ISSN check digit, normalised titles, JO/JF/JA pairs."""

from __future__ import annotations

from graphkit.build import build_from_files, build_graph
from graphkit.model import JournalRef
from graphkit.resolve.journals import issn_check_ok, normalise_journal, valid_issns
from graphkit.schema import Label, RelType
from conftest import FIXTURES
from resolve._records import rec


def test_issn_check_digit() -> None:
    assert issn_check_ok("00280836")          # Nature
    assert issn_check_ok("1128045X")          # X check digit
    assert not issn_check_ok("00280837")
    assert valid_issns("0028-0836 (Print), 1476-4687 (Electronic)") == ["0028-0836", "1476-4687"]
    assert valid_issns("1128045x") == ["1128-045X"]
    assert valid_issns("0028-0837") == []


def test_normalised_title() -> None:
    assert normalise_journal("The Journal of Clinical Psychology.") == "journal of clinical psychology"
    assert normalise_journal("Ecology & Evolution") == normalise_journal("Ecology and Evolution")
    assert normalise_journal("NA") == ""


def test_invalid_issn_falls_back_to_title_and_is_reported() -> None:
    g = build_graph([rec(title="A", year=2001, doi="10.1000/a",
                         journal=JournalRef("Journal of Typos", None, ["0028-0837"])),
                     rec(title="B", year=2002, doi="10.1000/b",
                         journal=JournalRef("Journal  of Typos.", None, []))])
    keys = [j["key"] for j in g.graph.nodes(Label.JOURNAL)]
    assert keys == ["journal:journal of typos"]
    assert g.report["journals"]["invalid_issns"] == [{"journal": "journal:journal of typos", "value": "0028-0837"}]
    assert [j["key"] for j in g.report["journals"]["without_issn"]] == ["journal:journal of typos"]


def test_issn_links_different_titles() -> None:
    g = build_graph([rec(title="A", year=2001, doi="10.1000/a", journal=JournalRef("Nature", None, ["0028-0836"])),
                     rec(title="B", year=2002, doi="10.1000/b", journal=JournalRef("NATURE", "Nature",
                                                                                    ["00280836"]))])
    [j] = g.graph.nodes(Label.JOURNAL)
    assert j["key"] == "issn:0028-0836" and j["issn"] == "0028-0836"


def test_fixture_abbreviation_pair_links_full_title() -> None:
    result = build_from_files([FIXTURES / "resolve" / "issn_check_digit.ris"])
    g = result.graph
    journals = {j["key"]: j for j in g.nodes(Label.JOURNAL)}
    assert "issn:0028-0836" in journals and "issn:1128-045X" in journals
    clin = journals["journal:journal of clinical psychology"]
    assert clin["name"] == "Journal of Clinical Psychology" and clin["abbreviation"] == "J Clin Psychol"
    # the record that only gave 'J Clin Psychol' is published in the same journal node
    assert g.edge(RelType.PUBLISHED_IN, "doi:10.1000/issn.4", clin["key"]) is not None
    assert "journal:j clin psychol" not in journals
    assert "journal:journal of typos" in journals  # its ISSN failed the check digit


def test_merged_paper_links_its_venue_names() -> None:
    g = build_graph([rec(title="A", year=2001, doi="10.1000/a", journal=JournalRef("Techniques in Coloproctology")),
                     rec(title="A", year=2001, doi="10.1000/a", journal=JournalRef("Tech Coloproctol")),
                     rec(title="B", year=2003, doi="10.1000/b", journal=JournalRef("Tech Coloproctol"))])
    assert g.graph.count(Label.JOURNAL) == 1


# -- issue 19: WoS all-caps venue names -----------------------------------------------------------------

def test_all_caps_name_shown_in_careful_title_case() -> None:
    from graphkit.resolve.journals import display_name

    assert display_name("POPULATION ECOLOGY") == "Population Ecology"
    assert display_name("IEEE TRANSACTIONS ON NEURAL NETWORKS") == "IEEE Transactions on Neural Networks"
    assert display_name("JOURNAL OF THE ROYAL SOCIETY INTERFACE") == "Journal of the Royal Society Interface"
    assert display_name("BMJ-BRITISH MEDICAL JOURNAL") == "BMJ-British Medical Journal"
    assert display_name("PHYSICAL REVIEW E") == "Physical Review E"
    assert display_name("ANNALES DE L'INSTITUT FOURIER") == "Annales de l'Institut Fourier"
    assert display_name("WORLD'S POULTRY SCIENCE JOURNAL") == "World's Poultry Science Journal"
    assert display_name("Journal of the ACM") == "Journal of the ACM"  # mixed case: as written


def test_mixed_case_variant_from_any_source_wins_over_capitals() -> None:
    from graphkit.model import JournalRef
    from graphkit.resolve.journals import JournalResolver

    r = JournalResolver()
    for paper in ("p1", "p2", "p3"):
        r.add(paper, JournalRef("POPULATION ECOLOGY", None, ["1438-3896"]))
    r.add("p4", JournalRef("Population Ecology", None, ["1438-3896"]))
    r.add("p5", JournalRef("ECOLOGY", None, ["0012-9658"]))
    r.resolve()
    assert r.journals["issn:1438-3896"].name == "Population Ecology"
    assert r.journals["issn:0012-9658"].name == "Ecology"
