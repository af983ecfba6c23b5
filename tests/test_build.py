"""graphkit.build: records -> one graph; consortium cap, CO_AUTHOR, two producers, the whole corpus."""

from __future__ import annotations

import pytest

from graphkit.build import BuildOptions, build_from_files, build_graph
from graphkit.model import Person
from graphkit.schema import ENDPOINTS, NODE_PROPERTIES, Label, RelType
from conftest import CORPUS, FIXTURES
from resolve._records import rec

TWO_PRODUCERS = [("ris/asreview__ovid_psycinfo.ris", "ris/asreview__ovid_zotero.ris"),
                 ("ris/asreview__baseline.ris", "ris/asreview__baseline_zotero.ris")]


def test_consortium_cap_authored_but_no_coauthor_pairs() -> None:
    result = build_from_files([FIXTURES / "resolve" / "consortium_101_authors.ris"])
    g = result.graph
    big = "doi:10.1000/consortium.101"
    assert sum(1 for e in g.edges(RelType.AUTHORED) if e["target"] == big) == 101
    assert g.count(RelType.CO_AUTHOR) == 3  # only the small paper's three pairs
    assert result.report["coauthors"]["papers_over_cap"] == 1
    # raising the cap brings the pairs back
    wide = build_from_files([FIXTURES / "resolve" / "consortium_101_authors.ris"], BuildOptions(coauthor_cap=200))
    assert wide.graph.count(RelType.CO_AUTHOR) == 101 * 100 // 2
    assert wide.report["coauthors"]["papers_over_cap"] == 0


def test_coauthor_once_per_pair_with_papers_and_years() -> None:
    ab = [("Alpha", "A"), ("Beta", "B")]
    g = build_graph([rec(title="One", year=2003, doi="10.1000/1", authors=ab),
                     rec(title="Two", year=1999, doi="10.1000/2", authors=list(reversed(ab))),
                     rec(title="Three", year=2010, doi="10.1000/3", authors=ab + [("Gamma", "C")])]).graph
    e = g.edge(RelType.CO_AUTHOR, "name:beta|b", "name:alpha|a")
    assert (e["papers"], e["first_year"], e["last_year"]) == (3, 1999, 2010)
    assert e["source"] < e["target"]
    assert g.count(RelType.CO_AUTHOR) == 3


def test_authored_positions_and_duplicate_author_once() -> None:
    g = build_graph([rec(title="One", year=2003, doi="10.1000/1",
                         authors=[("Alpha", "A"), ("Beta", "B"), ("Alpha", "A.")])]).graph
    assert {e["source"]: e["position"] for e in g.edges(RelType.AUTHORED)} == {"name:alpha|a": 1, "name:beta|b": 2}


def test_every_node_has_schema_properties_and_edges_valid_endpoints() -> None:
    result = build_from_files([FIXTURES / "resolve" / "doi_case_prefix_variants.ris",
                               FIXTURES / "resolve" / "wos_cites_cr_lines.isi"])
    g = result.graph
    for label in Label:
        for row in g.nodes(label):
            assert set(row) == set(NODE_PROPERTIES[label])
    for t, (start, end) in ENDPOINTS.items():
        for e in g.edges(t):
            assert g.has_node(start, e["source"]) and g.has_node(end, e["target"])


def test_report_shape_and_missing_counts() -> None:
    result = build_graph([rec(title="A", year=2000, doi="10.1000/a", authors=[("X", "Y")]),
                          rec(title="B"), rec(title="A", year=2000, doi="10.1000/A")])
    r = result.report
    assert r["prisma"] == {"identified": 3, "duplicates_removed": 1, "remaining": 2}
    assert r["missing"] == {"doi": 1, "year": 1, "authors": 2, "journal": 3}
    assert r["duplicates"]["pairs"][0]["rule"] == "doi"
    assert r["duplicates"]["pairs"][0]["kept"].endswith(":ris")


def test_unreadable_file_is_reported_not_raised(tmp_path) -> None:
    bad = tmp_path / "empty.ris"
    bad.write_text("")
    result = build_from_files([bad, FIXTURES / "resolve" / "keyword_case_variants.ris"])
    files = result.report["files"]
    assert files[str(bad)]["records"] == 0 and files[str(bad)]["errors"] == {"unreadable": 1}
    assert files[str(FIXTURES / "resolve" / "keyword_case_variants.ris")]["records"] == 3


def test_same_keys_whatever_the_file_order() -> None:
    files = [FIXTURES / "resolve" / n for n in ("doi_case_prefix_variants.ris", "issn_check_digit.ris",
                                               "keyword_case_variants.ris", "wos_cites_cr_lines.isi")]
    a = build_from_files(files).graph
    b = build_from_files(list(reversed(files))).graph
    for label in Label:
        assert [n["key"] for n in a.nodes(label)] == [n["key"] for n in b.nodes(label)]


@pytest.mark.corpus
@pytest.mark.parametrize(("one", "other"), TWO_PRODUCERS)
def test_two_producers_merge_to_one_file_count(corpus, one, other) -> None:
    alone = build_from_files([corpus / one]).graph.count(Label.PAPER)
    other_alone = build_from_files([corpus / other]).graph.count(Label.PAPER)
    both = build_from_files([corpus / one, corpus / other])
    assert both.graph.count(Label.PAPER) == alone == other_alone
    assert both.report["duplicates"]["records_merged"] == alone
    assert all(len(p["sources"]) == 2 for p in both.graph.nodes(Label.PAPER))
    assert {s.rsplit(":", 2)[0] for p in both.graph.nodes(Label.PAPER) for s in p["sources"]} == {
        str(corpus / one), str(corpus / other)}


@pytest.mark.corpus
def test_whole_corpus_builds_into_one_graph(corpus) -> None:
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.name not in ("MANIFEST.md", "counts.tsv"))
    result = build_from_files(files)
    r = result.report
    internal = {f: v["errors"] for f, v in r["files"].items() if "internal" in v["errors"]}
    assert not internal, internal  # no reader crashed
    assert r["records"] > 10_000
    papers = sum(1 for p in result.graph.nodes(Label.PAPER) if not p["cited_only"])  # not the cited-only works
    assert r["prisma"]["remaining"] == papers
    assert r["prisma"]["identified"] - r["prisma"]["duplicates_removed"] == r["prisma"]["remaining"]
    assert r["duplicates"]["pairs_found"] > 100
    assert len(r["duplicates"]["pairs"]) == r["duplicates"]["pairs_found"]
    assert {"doi", "title"} <= set(r["duplicates"]["by_rule"])
    assert result.graph.count(RelType.CITES) > 0
    unreadable = [f for f, v in r["files"].items() if v["records"] == 0]
    assert not unreadable, unreadable


def test_build_pauses_cyclic_gc_and_restores_it() -> None:
    """The build turns the cyclic GC off while it runs (speed) and must give the caller back the
    state it had, also when reading fails half-way."""
    import gc

    seen: list[bool] = []

    def records(fail: bool):
        seen.append(gc.isenabled())
        yield rec(title="One", year=2003, doi="10.1000/1", authors=[("Alpha", "A")])
        if fail:
            raise RuntimeError("reader broke")

    assert gc.isenabled()
    build_graph(records(False))
    with pytest.raises(RuntimeError):
        build_graph(records(True))
    assert seen == [False, False]
    assert gc.isenabled()
    gc.disable()
    try:  # a caller that had it off keeps it off
        build_graph(records(False))
        assert not gc.isenabled()
    finally:
        gc.enable()
