"""graphkit.ids: the one place DOIs, ORCID iDs and ISSNs are normalised and checked."""

import pytest

from graphkit import ids


@pytest.mark.parametrize("text, expected", [
    ("https://doi.org/10.1000/ABC.", "10.1000/abc"),
    ("doi:10.1016/S0140-6736(20)30183-5", "10.1016/s0140-6736(20)30183-5"),
    ("(doi:10.1/x)", None),                                 # registrant code too short: not a DOI
    ("see (doi:10.1234/x.y)", "10.1234/x.y"),                # the sentence's parenthesis goes
    ("10.1002/(SICI)1097-4571(199005)41:3<1::AID>3.0.CO;2-B", "10.1002/(sici)1097-4571(199005)41:3<1::aid>3.0.co;2-b"),
    ("DOI 10.1093/brain/awp088;", "10.1093/brain/awp088"),
    ("no doi here", None),
    ("", None),
    (None, None),
])
def test_doi(text, expected):
    assert ids.doi(text) == expected


def test_find_dois_in_a_reference():
    ref = "Smith J, 2001, NATURE, V1, P2, DOI 10.1038/35065725, 10.1038/35065726."
    assert ids.find_dois(ref) == ["10.1038/35065725", "10.1038/35065726"]


@pytest.mark.parametrize("text, shape, checked", [
    ("https://orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097", "0000-0002-1825-0097"),
    ("0000000218250097", "0000-0002-1825-0097", "0000-0002-1825-0097"),
    ("0000-0002-1694-233x", "0000-0002-1694-233X", "0000-0002-1694-233X"),   # X check digit
    ("ORCID: 0000-0002-1825-0098", "0000-0002-1825-0098", None),              # wrong check digit
    ("A-1234-2010", None, None),                                              # a ResearcherID
])
def test_orcid_shape_and_check(text, shape, checked):
    assert ids.orcid_shape(text) == shape
    assert ids.orcid(text) == checked


@pytest.mark.parametrize("text, shape, valid", [
    ("0028-0836", "0028-0836", ["0028-0836"]),
    ("1476-4687 (Electronic)", "1476-4687", ["1476-4687"]),
    ("0028-0837", "0028-0837", []),                   # wrong check digit: kept by readers, not by resolvers
    ("ISSN-0036-8075", "0036-8075", ["0036-8075"]),
    ("2049-3630; 0140-6736", "2049-3630", ["2049-3630", "0140-6736"]),
    ("978-3-16-148410-0", None, []),                  # an ISBN
])
def test_issn_shape_and_valid(text, shape, valid):
    assert ids.issn_shape(text) == shape
    assert ids.valid_issns(text) == valid


def test_every_module_uses_the_one_rule():
    """No other module keeps an identifier normaliser of its own (the brief: one owner per rule)."""
    from graphkit.readers import medline
    from graphkit.resolve import authors, journals, text
    from graphkit.sinks import rdf

    assert medline.normalise_doi is ids.doi and text.normalise_doi is ids.doi and rdf.normalise_doi is ids.doi
    assert medline.normalise_orcid is ids.orcid_shape
    assert authors.normalise_orcid is ids.orcid and rdf.normalise_orcid is ids.orcid
    assert medline.normalise_issn is ids.issn_shape and rdf.normalise_issn is ids.issn_shape
    assert journals.valid_issns is ids.valid_issns
