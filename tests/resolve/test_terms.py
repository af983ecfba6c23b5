"""graphkit.resolve.terms: keyword identity, check tags, MeSH recognised in mixed keyword fields."""

from __future__ import annotations

import pytest

from graphkit.build import build_from_files, build_graph
from graphkit.model import MeshRef, Record, Source
from graphkit.resolve.check_tags import EMTREE_CHECK_TAGS, MESH_CHECK_TAGS
from graphkit.resolve.mesh import vocabulary
from graphkit.resolve.terms import keyword_key, parse_mesh_text, split_terms
from graphkit.schema import Label, RelType
from conftest import FIXTURES, SEED
from resolve._records import rec

SEED_MESH = ["Adult", "Aged", "Chemoembolization, Therapeutic", "Embolization, Therapeutic", "Female",
             "Hepatic Artery", "Humans", "Liver Neoplasms", "Male", "Middle Aged", "Neuroendocrine Tumors",
             "Prognosis", "Retrospective Studies", "Treatment Outcome"]
SEED_CHECK = {"Adult", "Aged", "Female", "Humans", "Male", "Middle Aged"}
# the seed's Scopus index-term field, collapsed: Emtree drug terms, Emtree medical terms, MeSH
SEED_FIELD = ("doxorubicin; mitomycin; tumor marker, abdominal pain; adult; aged; Article; artificial "
              "embolization; controlled study; female; Greece; human; Israel; male; neuroendocrine tumor; "
              "priority journal; artificial embolization; middle aged; neuroendocrine tumor; treatment outcome, "
              "Adult; Aged; Chemoembolization, Therapeutic; Female; Humans; Male; Middle Aged; Treatment Outcome")


def test_keyword_identity() -> None:
    assert keyword_key("Random Graphs") == keyword_key(" random   graphs ") == keyword_key("RANDOM GRAPHS")
    assert keyword_key("ﬁbrosis") == "kw:fibrosis"  # NFKC: the fi ligature
    assert keyword_key("Straße") == keyword_key("STRASSE")  # case folding, not lower()


def test_keyword_case_fixture_one_node_most_frequent_surface() -> None:
    g = build_from_files([FIXTURES / "resolve" / "keyword_case_variants.ris"]).graph
    kws = {k["key"]: k for k in g.nodes(Label.KEYWORD)}
    assert set(kws) == {"kw:random graph", "kw:percolation"}  # folded: plural to singular
    assert kws["kw:random graph"]["name"] == "random graphs"  # 2 of 4 surface forms
    assert g.count(RelType.HAS_KEYWORD) == 4  # the third paper links once


def test_mixed_field_splits_mesh_from_emtree() -> None:
    t = split_terms(rec(keywords=[SEED_FIELD]))
    assert [m.heading for m in t.mesh] == ["Adult", "Aged", "Chemoembolization, Therapeutic", "Female", "Humans",
                                           "Male", "Middle Aged", "Treatment Outcome"]
    assert "Greece" in t.keywords and "Israel" in t.keywords  # capitalised Emtree terms stay keywords
    assert "tumor marker" in t.keywords and "abdominal pain" in t.keywords
    assert t.keywords.count("artificial embolization") == 1
    assert "treatment outcome" in t.keywords and "human" in t.keywords


def test_no_mesh_context_keeps_capitalised_keywords() -> None:
    t = split_terms(rec(keywords=["Prognosis", "Random Graphs", "Social Networks"]))
    assert t.mesh == [] and t.keywords == ["Prognosis", "Random Graphs", "Social Networks"]


def test_pubmed_style_keywords_with_markers_move() -> None:
    t = split_terms(rec(keywords=["Humans", "*Gambling/psychology", "Adolescent", "Gambling harms"]))
    assert [(m.heading, m.major, m.qualifiers) for m in t.mesh] == [
        ("Humans", False, []), ("Gambling", True, ["psychology"]), ("Adolescent", False, [])]
    assert t.keywords == ["Gambling harms"]


def test_medline_mesh_stays_and_keywords_stay() -> None:
    r = Record(Source("x.nbib", 1, "medline"), keywords=["Prognosis"],
               mesh=[MeshRef("Liver Neoplasms", True, ["therapy"]), MeshRef("Humans")])
    t = split_terms(r)
    assert [m.heading for m in t.mesh] == ["Liver Neoplasms", "Humans"] and t.keywords == ["Prognosis"]


def test_reader_guess_not_in_mesh_goes_back_to_keywords() -> None:
    t = split_terms(rec(keywords=["carbon"], mesh=["Carbon storage", "Humans"]))
    assert [m.heading for m in t.mesh] == ["Humans"] and "Carbon storage" in t.keywords


def test_parse_mesh_text() -> None:
    ref = parse_mesh_text("Liver Neoplasms/*therapy/secondary")
    assert (ref.heading, ref.major, ref.qualifiers) == ("Liver Neoplasms", True, ["therapy", "secondary"])


def test_check_tags_flagged() -> None:
    g = build_graph([rec(title="T", year=2018, doi="10.1000/t", keywords=[SEED_FIELD])]).graph
    kws = {k["name"]: k["check_tag"] for k in g.nodes(Label.KEYWORD)}
    assert kws["human"] and kws["female"] and kws["priority journal"] and kws["controlled study"]
    assert kws["Article"]
    assert not kws["neuroendocrine tumor"] and not kws["Greece"]
    mesh = {m["name"]: m["check_tag"] for m in g.nodes(Label.MESH)}
    assert mesh["Humans"] and mesh["Middle Aged"] and not mesh["Chemoembolization, Therapeutic"]
    assert {"Humans", "Male", "Female", "Aged, 80 and over", "Animals", "Mice", "Rats"} <= MESH_CHECK_TAGS
    assert all(vocabulary().exact(h) for h in MESH_CHECK_TAGS)  # every MeSH check tag is a real heading
    assert {"human", "male", "female", "article", "major clinical study"} <= EMTREE_CHECK_TAGS


@pytest.mark.corpus
def test_seed_ends_with_its_14_mesh_headings(corpus) -> None:
    result = build_from_files([SEED])
    g = result.graph
    mesh = sorted((m for m in g.nodes(Label.MESH) if m["papers"]), key=lambda m: m["name"])
    assert [m["name"] for m in mesh] == SEED_MESH  # indexed headings (ancestors and mapped ones have 0 papers)
    assert all(m["ui"] and m["key"] == f"mesh:{m['ui']}" for m in mesh)
    # MeSH 2024 gives every heading tree numbers except the sex check tags Female and Male
    assert [m["name"] for m in mesh if not m["tree_numbers"]] == ["Female", "Male"]
    by_name = {m["name"]: m for m in mesh}
    assert by_name["Liver Neoplasms"]["ui"] == "D008113"
    assert "C04.588.274.623" in by_name["Liver Neoplasms"]["tree_numbers"]
    assert {m["name"] for m in mesh if m["check_tag"]} == SEED_CHECK
    names = [k["name"] for k in g.nodes(Label.KEYWORD)]
    assert len(names) == len(set(names))  # each Emtree term once
    assert {"doxorubicin", "mitomycin", "tumor marker", "abdominal pain", "human", "Greece", "treatment outcome",
            "neuroendocrine tumor", "artificial embolization"} <= set(names)
    assert not set(names) & set(SEED_MESH)
    assert g.count(RelType.HAS_MESH) == 14


def test_two_spellings_of_one_descriptor_make_one_edge() -> None:
    r = Record(Source("x.nbib", 1, "medline"), title="T", year=2000, doi="10.1000/t",
               mesh=[MeshRef("Liver Neoplasms", False, ["therapy"]), MeshRef("Neoplasms, Liver", True, ["secondary"])])
    g = build_graph([r]).graph
    [e] = g.edges(RelType.HAS_MESH)
    assert e["target"] == "mesh:D008113" and e["major"] is True and e["qualifiers"] == ["therapy", "secondary"]


# -- issue 19: MeSH in every producer's index-keyword field, groups found the same way -----------------

def test_mesh_group_first_then_emtree_group() -> None:
    """Scopus CSV 'Index Keywords' (bibliometrix sample): the MeSH group comes first, Emtree after."""
    field = ("Africa; Bibliometrics; Biomedical Research; Humans; Journal Impact Factor; Ophthalmology; "
             "Optometry; Periodicals as Topic; Research Personnel; Africa; bibliometrics; human; journal impact "
             "factor; medical research; ophthalmology; optometry; personnel; publication")
    for fmt in ("scopus-csv", "ris", "bibtex"):
        t = split_terms(Record(Source("x", 1, fmt), keywords=[p.strip() for p in field.split(";")]))
        assert [m.heading for m in t.mesh] == ["Africa", "Bibliometrics", "Biomedical Research", "Humans",
                                               "Journal Impact Factor", "Ophthalmology", "Optometry",
                                               "Periodicals as Topic", "Research Personnel"], fmt
        assert "human" in t.keywords and "publication" in t.keywords and "Humans" not in t.keywords


def test_group_boundary_inside_a_comma_joined_piece() -> None:
    from graphkit.resolve.terms import sorted_runs, split_index_terms

    keywords, mesh = split_index_terms(["mitomycin", "tumor marker, abdominal pain", "adult"])
    assert keywords == ["mitomycin", "tumor marker", "abdominal pain", "adult"] and mesh == []
    assert sorted_runs(["b", "c", "A", "B", "a"]) == [["b", "c"], ["A", "B"], ["a"]]


def test_major_stars_never_make_a_keyword_of_their_own() -> None:
    t = split_terms(rec(keywords=["*mcda", "mcda", "*Colon Disorders", "Colon Disorders"]))
    assert t.keywords == ["mcda", "Colon Disorders"] and t.mesh == []
    assert keyword_key("*mcda") == keyword_key("mcda") == "kw:mcda"
