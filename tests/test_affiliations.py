"""Affiliations: addresses read from every export, tied to authors where the format says, resolved to
Institution and Country nodes; AFFILIATED_WITH derived; real corpus addresses."""

from __future__ import annotations

import pytest

from conftest import CORPUS, FIXTURES, split
from graphkit.affiliations import compute_affiliated_with, extract
from graphkit.build import build_from_files
from graphkit.readers import read
from graphkit.schema import Label, RelType

FIX = FIXTURES / "affiliations"


def records(path):
    recs, _ = split(read(path))
    return recs


def rows(path, index=0):
    return [(r.get("address") or r.get("organisation"), r.get("author_position")) for r in
            extract(records(path)[index])]


# -- extraction, one fixture per format ------------------------------------------------------------

def test_wos_brackets_map_authors_to_addresses():
    assert rows(FIX / "brackets_two_institutions.ciw") == [
        ("Univ Seville, Escuela Super Ingn, Camino Descubrimientos S-N, Seville 41092, Spain.", 1),
        ("Univ Seville, Escuela Super Ingn, Camino Descubrimientos S-N, Seville 41092, Spain.", 2),
        ("Univ Penn, Wharton Sch, Philadelphia, PA 19104 USA.", 2),  # Lozano is at both
        ("Univ Penn, Wharton Sch, Philadelphia, PA 19104 USA.", 3),
    ]  # RP repeats Villa's address: one row


def test_wos_address_without_brackets_is_the_records():
    assert rows(FIX / "brackets_two_institutions.ciw", 1) == [("Univ Penn, Dept Biol, Philadelphia, PA 19104 USA.",
                                                                None)]


def test_medline_ad_belongs_to_the_author_before_it():
    got = rows(FIX / "full_names.nbib")
    assert [pos for _, pos in got] == [1, 2, 2]
    assert got[2][0] == "Department of Physics, The University of Pennsylvania, Philadelphia, Pennsylvania, " \
                        "USA."  # "Electronic address: keller@example.org." is dropped


def test_scopus_csv_authors_with_affiliations():
    assert rows(FIX / "authors_with_affiliations.csv") == [
        ("Department of Clinical Medicine, Hunan Normal University, Changsha, China", 1),
        ("Department of Clinical Medicine, Hunan Normal University, Changsha, China", 2),
        ("Graduate School of Medicine, Kyoto University, Kyoto, Japan", 2),  # two places for one author
        ("Graduate School of Medicine, Kyoto University, Kyoto, Japan", 3),
    ]


def test_wos_bibtex_affiliation_names_before_the_address():
    got = rows(FIX / "wos_affiliation.bib")
    assert ("Univ Malaga, Dept Comp Sci & Artificial Intelligence, E-29071 Malaga, Spain.", 1) in got
    assert ("Univ Malaga, Dept Comp Sci & Artificial Intelligence, E-29071 Malaga, Spain.", 3) in got
    assert ("Natl Technol Univ, Artificial Intelligence Res Grp, RA-3500 Resistencia, Argentina.", 2) in got
    assert not any(a == "Universidad de Malaga" for a, _ in got)  # WoS "Affiliations": names without address


def test_scopus_bibtex_affiliations_are_record_level():
    assert rows(FIX / "scopus_affiliation.bib") == [
        ("Department of Management, Shahrood University of Technology, Shahrood, Iran", None),
        ("Department of Mathematics, Kishore Bharati Bhagini Nivedita College, Kolkata, India", None),
    ]


def test_ris_ad_holding_wos_c1_and_rp_and_a_braced_publisher_address():
    assert rows(FIX / "wos_blob.ris") == [
        ("Tech Univ Dresden, Inst Int Forestry & Forest Prod, D-01735 Tharandt, Germany.", 1),
        ("Tech Univ Dresden, Inst Int Forestry & Forest Prod, D-01735 Tharandt, Germany.", 2),
    ]  # the reprint line repeats Auch's address; "{VAN GODEWIJCKSTRAAT 30, ...}" is the publisher's


# -- the graph ---------------------------------------------------------------------------------------

def _key(built, family: str) -> str:
    """The author key of the one author with this family name (key formats belong to graphkit.resolve.authors)."""
    (key,) = [r["key"] for r in built.graph.nodes(Label.AUTHOR) if r["family"] == family]
    return key


@pytest.fixture(scope="module")
def built():
    return build_from_files(sorted(FIX.iterdir()))


def test_author_at_two_institutions_on_one_paper(built):
    g = built.graph
    lozano = _key(built, "Lozano")
    assert g.edge(RelType.HAS_AFFILIATION, "doi:10.1000/affil.1", "inst:es:univ seville")["authors"] == [
        lozano, _key(built, "Villa")]
    assert g.edge(RelType.HAS_AFFILIATION, "doi:10.1000/affil.1", "inst:us:univ pennsylvania")["authors"] == [
        lozano, _key(built, "Ortiz")]
    assert {e["target"] for e in g.edges(RelType.AFFILIATED_WITH) if e["source"] == lozano} == {
        "inst:es:univ seville", "inst:us:univ pennsylvania"}


def test_same_institution_written_three_ways_is_one_node(built):
    """WoS "Univ Penn", MEDLINE "University of Pennsylvania" and "The University of Pennsylvania"."""
    g = built.graph
    penn = g.node(Label.INSTITUTION, "inst:us:univ pennsylvania")
    assert penn == {"key": "inst:us:univ pennsylvania", "name": "University of Pennsylvania", "country": "US"}
    assert not g.has_node(Label.INSTITUTION, "inst:us:univ penn")
    assert g.edge(RelType.LOCATED_IN, "inst:us:univ pennsylvania", "country:US") is not None
    assert g.node(Label.COUNTRY, "country:US") == {"key": "country:US", "code": "US", "name": "United States"}
    assert built.report["affiliations"]["merged_forms"] == 1


def test_affiliated_with_counts_papers_and_years_worked_by_hand(built):
    """Ortiz: Univ Penn on affil.1 (2015, C1 brackets), pmid:20000001 (2016) and pmid:20000002 (2018,
    MEDLINE AD); the bracketless C1 of affil.2 (2017) says nothing about whose address it is: not counted."""
    e = built.graph.edge(RelType.AFFILIATED_WITH, _key(built, "Ortiz"), "inst:us:univ pennsylvania")
    assert (e["papers"], e["first_year"], e["last_year"]) == (3, 2015, 2018)
    assert built.graph.edge(RelType.HAS_AFFILIATION, "doi:10.1000/affil.2", "inst:us:univ pennsylvania")[
        "authors"] == []


def test_affiliated_with_is_recomputed_not_accumulated(built):
    g = built.graph
    before = sorted((e["source"], e["target"], e["papers"]) for e in g.edges(RelType.AFFILIATED_WITH))
    compute_affiliated_with(g)
    compute_affiliated_with(g)
    assert sorted((e["source"], e["target"], e["papers"]) for e in g.edges(RelType.AFFILIATED_WITH)) == before


def test_report_section(built):
    a = built.report["affiliations"]
    assert a["addresses"] == a["with_country"] == 22 and a["without_country"] == 0
    assert a["files"][str(FIX / "brackets_two_institutions.ciw")] == {"records_with_affiliations": 2,
                                                                       "addresses": 5}
    assert a["countries"] == 9


# -- the real corpus -----------------------------------------------------------------------------------

@pytest.mark.corpus
def test_real_wos_c1_brackets(corpus):
    recs = records(corpus / "wos" / "bibliometrix__performance_soccer.txt")
    got = extract(recs[0])
    assert [(r["address"], r.get("author_position")) for r in got][:2] == [
        ("Univ Seville, Escuela Super Ingn, Camino Descubrimientos S-N, Seville 41092, Spain.", 1),
        ("Univ Seville, Escuela Super Ingn, Camino Descubrimientos S-N, Seville 41092, Spain.", 2)]


@pytest.mark.corpus
def test_real_medline_ad_per_author(corpus):
    rec = next(r for r in records(corpus / "nbib" / "metaknowledge__medline_test.medline") if r.pmid == "26788838")
    got = extract(rec)
    assert got[0]["author_position"] == 1 and "Maastricht University" in got[0]["address"]
    kotz = [r for r in got if r.get("author_position") == 3]
    assert len(kotz) == 2  # two AD lines after Kotz


@pytest.mark.corpus
def test_real_scopus_affiliations(corpus):
    rec = records(corpus / "scopus_csv" / "bibliometrix__scopus_sample.csv")[0]
    got = extract(rec)
    assert got[0]["author_position"] == 1 and "Hunan Normal University" in got[0]["address"]


@pytest.mark.corpus
def test_every_corpus_file_builds_with_affiliations_and_most_addresses_get_a_country(corpus):
    paths = sorted(p for p in corpus.glob("*/*") if p.suffix not in (".md", ".tsv"))
    a = build_from_files(paths).report["affiliations"]
    assert "extract_errors" not in a
    assert a["addresses"] > 12_000
    assert a["with_country"] / a["addresses"] > 0.95  # measured 97.2% (docs/affiliations.md)
    assert a["institutions"] > 3_000 and a["countries"] > 100


# -- canned queries, worked by hand on the fixtures, on both stores ------------------------------------

# papers with addresses in two countries: affil.1 (2015) ES+US, pmid:20000002 (2018) ES+US, affil.4 AR+ES,
# pmid:20000001 CH+US, affil.3 CN+JP, affil.5 IN+IR
COLLABORATION = [("ES", "US", 2, 2015, 2018), ("AR", "ES", 1, 2010, 2010), ("CH", "US", 1, 2016, 2016),
                 ("CN", "JP", 1, 2019, 2019), ("IN", "IR", 1, 2023, 2023)]


def _check_queries(store):
    from graphkit.queries import run_query

    got = [(r["country_a"], r["country_b"], r["papers"], r["first_year"], r["last_year"])
           for r in run_query(store, "country-collaboration")]
    assert got == COLLABORATION
    assert [(r["country_b"], r["papers"]) for r in run_query(store, "country-collaboration",
                                                              {"country": "Spain"})] == [("US", 2), ("ES", 1)]
    top = run_query(store, "top-institutions", {"limit": 2})
    assert [(r["key"], r["papers"], r["authors"]) for r in top] == [("inst:us:univ pennsylvania", 4, 3),
                                                                   ("inst:es:univ seville", 2, 2)]
    profile = run_query(store, "institution-profile", {"institution": "university of pennsylvania"})
    assert profile == [{"papers": 4, "first_year": 2015, "last_year": 2018, "countries": ["US"], "authors": 3,
                        "top_authors": ["Keller, Hans", "Lozano, Sebastian", "Ortiz, Maria"],
                        "top_partners": ["Universitat Zurich", "University of Seville"]}]
    assert [(r["institution"], r["papers"], r["first_year"], r["last_year"]) for r in
            run_query(store, "author-affiliations", {"author": "Villa, Gonzalo"})] == [
        ("University of Seville", 2, 2015, 2018)]
    us = [(r["year"], r["papers"], r["with_country"]) for r in run_query(store, "country-output", {"country": "US"})]
    assert us == [(2015, 1, 1), (2016, 1, 1), (2017, 1, 1), (2018, 1, 1)]


def test_queries_on_the_embedded_store(built, tmp_path):
    from graphkit.sinks.embedded import EmbeddedStore

    with EmbeddedStore(tmp_path / "graphkit.db", create=True) as store:
        store.write_graph(built.graph)
        _check_queries(store)


@pytest.mark.neo4j
def test_queries_on_neo4j_and_affiliated_with_derived_in_the_store(built, neo4j_env, neo4j_driver):
    from graphkit.stores import open_store
    from conftest import wipe

    wipe(neo4j_driver)
    store = open_store(neo4j=neo4j_env[0])
    try:
        summary = store.write_graph(built.graph)
        assert summary["relationships"]["AFFILIATED_WITH"]["created"] == built.graph.count(RelType.AFFILIATED_WITH)
        _check_queries(store)
        store.write_graph(built.graph)  # a second load recomputes, never adds
        assert store.counts()["AFFILIATED_WITH"] == built.graph.count(RelType.AFFILIATED_WITH)
        ortiz = store.run("MATCH (:Author {key: $a})-[r:AFFILIATED_WITH]->(:Institution "
                          "{key: 'inst:us:univ pennsylvania'}) RETURN r.papers AS n", {"a": _key(built, "Ortiz")})
        assert ortiz == [{"n": 3}]
    finally:
        store.close()


def test_report_markdown_has_the_affiliations_section(built):
    from graphkit.report import to_markdown

    text = to_markdown(built.report)
    section = text.split("## Affiliations", 1)[1].split("##", 1)[0]
    assert "22 address(es) read; 22 (100.0%) with a country" in section
    assert f"| {FIX / 'brackets_two_institutions.ciw'} | 2 | 2 | 100% | 5 |" in section


# -- RDF ----------------------------------------------------------------------------------------------

def test_rdf_export_of_affiliations_conforms_and_the_shapes_bite(built, tmp_path):
    import rdflib
    from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS

    from graphkit.linked import validate
    from graphkit.namespaces import GK, ORG
    from graphkit.sinks.rdf import write_rdf

    out = tmp_path / "affil.ttl"
    write_rdf(built.graph, out)
    assert validate(out).conforms
    g = rdflib.Graph().parse(out)
    spain = rdflib.URIRef("http://publications.europa.eu/resource/authority/country/ESP")
    assert (spain, RDF.type, DCTERMS.Location) in g and str(g.value(spain, SKOS.notation)) == "ES"
    seville = next(g.subjects(GK.key, rdflib.Literal("inst:es:univ seville")))
    assert (seville, DCTERMS.spatial, spain) in g and (seville, RDF.type, ORG.Organization) in g
    assert len(set(g.subjects(RDF.type, ORG.Membership))) == built.graph.count(RelType.AFFILIATED_WITH)
    assert len(list(g.triples((None, GK.hasAffiliation, None)))) == built.graph.count(RelType.HAS_AFFILIATION)
    g.remove((seville, FOAF.name, None))  # an institution without a name breaks the institution shape
    broken = tmp_path / "broken.ttl"
    g.serialize(broken, format="turtle")
    assert not validate(broken).conforms


def test_pubmed_xml_affiliation_info_per_author(fixtures):
    rec = records(fixtures / "pubmed_xml" / "article_full.xml")[0]
    assert [(r["address"], r["author_position"]) for r in extract(rec)] == [
        ("Department of Physics, University of Notre Dame, Notre Dame, IN 46556, USA.", 1),
        ("Department of Physics, University of Notre Dame, Notre Dame, IN 46556, USA.", 2),
        ("Second address, Somewhere, France.", 2),  # two AffiliationInfo for one author
    ]
