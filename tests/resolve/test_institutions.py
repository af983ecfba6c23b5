"""The organisation part of an address, institution keys, and merges on clear evidence only."""

from __future__ import annotations

import pytest

from graphkit.resolve.institutions import institution_key, merge_forms, organisation


@pytest.mark.parametrize(("address", "wos", "org"), [
    ("Univ Seville, Escuela Super Ingn, Camino Descubrimientos S-N, Seville 41092, Spain.", True, "Univ Seville"),
    ("Lawrence Livermore Natl Lab, Ctr Appl Sci Comp, Livermore, CA 94551 USA.", True,
     "Lawrence Livermore Natl Lab"),
    ("Department of Microbial Genetics, Faculty of Biology, University of Lodz, Poland.", False,
     "University of Lodz"),
    ("a Department of Family Medicine , Maastricht University, CAPHRI School, Maastricht, The Netherlands.",
     False, "Maastricht University"),
    ("Cleveland Clinic, Taussig Cancer Institute, Cleveland, OH, USA.", False, "Cleveland Clinic"),
    ("The Institute for Bird Populations, P.O. Box 1346, Point Reyes StationCA  94956, United States", False,
     "The Institute for Bird Populations"),
    ("USDA Forest Service, Pacific Southwest Region, Vallejo, CA  94592, United States", False,
     "USDA Forest Service"),
    ("Department of Radiology, Perelman School of Medicine, University of Pennsylvania, Philadelphia, PA 19104, "
     "United States", False, "University of Pennsylvania"),
    ("Harvard Medical School, Boston, MA, USA", False, "Harvard Medical School"),
    ("Omakase Consulting S.L., Barcelona, Spain", False, "Omakase Consulting S.L"),
])
def test_organisation_part(address, wos, org):
    assert organisation(address, wos=wos) == org


@pytest.mark.parametrize("address", [
    "{SCHOOL ENVIRONMENTAL SCIENCE & MANAGEMENT, LAGUNA, 4031, PHILIPPINES}",  # a unit and a place: no org
    "THE BOULEVARD, LANGFORD LANE, KIDLINGTON, OXFORD OX5 1GB, ENGLAND",  # a street is not an institution
    "NA",
    "Department of Neurosurgery.",
])
def test_no_organisation(address):
    assert organisation(address) is None


def test_university_forms_fold_into_one_key():
    keys = {institution_key(name, "IT") for name in (
        "Università degli Studi di Milano", "Universita di Milano", "University of Milano", "Univ Milano")}
    assert keys == {"inst:it:univ milano"}
    assert institution_key("Universidad de Sevilla", "ES") == institution_key("University of Sevilla", "ES")
    assert institution_key("Karolinska Institutet", "SE") != institution_key("Karolinska Inst", "SE")


def test_wos_abbreviation_joins_the_written_out_name_in_the_same_country():
    short, full = "inst:us:univ penn", "inst:us:univ pennsylvania"
    assert merge_forms([short, full], {short}, {full}) == {short: full}
    # the same words in another country are another institution
    assert merge_forms([short, "inst:gb:univ pennsylvania"], {short}, {"inst:gb:univ pennsylvania"}) == {}


def test_no_merge_without_clear_evidence():
    a, b = "inst:au:univ melbourne", "inst:au:univ melbournevic"  # a city glued to its state (Scopus)
    assert merge_forms([a, b], {a}, {a, b}) == {}  # "univ melbourne" is also written out: a name of its own
    c1, c2, c3 = "inst:us:univ calif", "inst:us:univ california", "inst:us:univ californiana"
    assert merge_forms([c1, c2, c3], {c1}, {c2, c3}) == {}  # two candidates: none chosen
    assert merge_forms(["inst:us:univ a", "inst:us:univ abc"], {"inst:us:univ a"}, {"inst:us:univ abc"}) == {}


def test_a_name_without_country_joins_its_only_country():
    keys = ["inst:-:univ seville", "inst:es:univ seville", "inst:-:univ x", "inst:us:univ x", "inst:gb:univ x"]
    assert merge_forms(keys, set(), set(keys)) == {"inst:-:univ seville": "inst:es:univ seville"}
