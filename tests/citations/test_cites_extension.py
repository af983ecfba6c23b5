"""The cites extension on fixtures with hand-worked answers: CITES to papers of the set and to cited-only
works, keys that survive name variants and file order, times cited, cited_by, the report."""

from __future__ import annotations

from graphkit.build import build_from_files
from graphkit.schema import Label, RelType
from conftest import FIXTURES

FIX = FIXTURES / "citations"
P1, P2, P3 = "doi:10.9999/p1", "doi:10.9999/p2", "doi:10.9999/p3"
ERDOS, BARABASI = "ref:erd|1959|6|290", "doi:10.1126/science.286.5439.509"
WATTS, NEWMAN = "doi:10.1038/30918", "doi:10.1137/s003614450342480"


def _cites(graph) -> set[tuple[str, str]]:
    return {(e["source"], e["target"]) for e in graph.edges(RelType.CITES)}


def test_hand_worked_citations() -> None:
    r = build_from_files([FIX / "cocitation.isi"])
    g = r.graph
    assert _cites(g) == {(P1, ERDOS), (P1, BARABASI), (P1, WATTS),
                         (P2, ERDOS), (P2, BARABASI), (P2, P1),
                         (P3, WATTS), (P3, P1), (P3, P2), (P3, NEWMAN)}
    only = {p["key"] for p in g.nodes(Label.PAPER) if p["cited_only"]}
    assert only == {ERDOS, BARABASI, WATTS, NEWMAN}
    assert all(p["cited_only"] is False for p in g.nodes(Label.PAPER) if p["key"] not in only)
    assert r.report["cites"] | {"styles": None} == {
        "references": 10, "parsed": 10, "matched_doi": 1, "matched_key": 2, "resolved": 3, "unmatched": 7,
        "cited_only_references": 7, "cited_only_references_with_doi": 3, "cited_only_works": 4, "unkeyed": 0,
        "self_citations": 0, "styles": None, "papers_with_times_cited": 3, "edges": 10}


def test_cited_only_nodes_describe_the_work_and_counts_are_derived() -> None:
    g = build_from_files([FIX / "cocitation.isi"]).graph
    erdos = g.node(Label.PAPER, ERDOS)
    assert (erdos["year"], erdos["volume"], erdos["first_page"], erdos["first_author"]) == (1959, "6", "290", "ERDOS")
    assert erdos["reference"] == "ERDOS P, 1959, PUBL MATH-DEBRECEN, V6, P290"  # the shorter of the two variants
    assert erdos["cited_by"] == 2 and g.node(Label.PAPER, P1)["cited_by"] == 2
    assert g.node(Label.PAPER, WATTS)["doi"] == "10.1038/30918"  # the DOI-less P3 reference joined it by locator
    p1 = g.node(Label.PAPER, P1)
    assert (p1["times_cited"], p1["times_cited_all"], p1["times_cited_source"]) == (12, 14, "wos")
    # the journal display name: WoS capitals title-cased (issue 19)
    assert (p1["first_author"], p1["source_title"], p1["cite_key"]) == ("Alpha", "Journal of Networks",
                                                                       "ref:alp|2010|5|10")
    assert g.node(Label.PAPER, P3)["times_cited_all"] is None


def test_a_set_without_cited_references_builds_no_reference_index(tmp_path, monkeypatch) -> None:
    """Without cited references nothing is matched: no title keys are computed, and every paper still
    gets its first author, source title and cite key."""
    import graphkit.citations.extension as extension

    titled: list[str] = []
    real = extension.title_key
    monkeypatch.setattr(extension, "title_key", lambda title, year: titled.append(title) or real(title, year))
    ris = tmp_path / "plain.ris"
    ris.write_text("TY  - JOUR\nAU  - Alpha, Ann\nTI  - A plain paper\nT2  - Journal of Networks\nPY  - 2010\n"
                   "VL  - 5\nSP  - 10\nDO  - 10.9999/plain\nER  - \n", encoding="utf-8")
    g = build_from_files([ris]).graph
    p = g.node(Label.PAPER, "doi:10.9999/plain")
    assert (p["first_author"], p["source_title"], p["cite_key"]) == ("Alpha", "Journal of Networks", "ref:alp|2010|5|10")
    assert titled == []
    build_from_files([FIX / "cocitation.isi"])  # with references: the index is built
    assert titled


def test_the_cited_work_in_the_input_is_that_paper_no_duplicate() -> None:
    r = build_from_files([FIX / "cocitation.isi", FIX / "cited_work.isi", FIX / "cited_work_doi.isi"])
    g = r.graph
    erdos = next(p for p in g.nodes(Label.PAPER) if (p["title"] or "").startswith("On random graphs"))
    assert erdos["cited_only"] is False and erdos["times_cited"] == 5000
    assert not g.has_node(Label.PAPER, ERDOS)
    assert {s for s, t in _cites(g) if t == erdos["key"]} == {P1, P2}
    watts = g.node(Label.PAPER, WATTS)
    assert watts["cited_only"] is False and watts["title"].startswith("Collective dynamics")
    assert r.report["cites"]["cited_only_works"] == 2  # Barabasi, Newman


def test_keys_do_not_depend_on_file_order() -> None:
    files = [FIX / "cocitation.isi", FIX / "scopus_refs.csv"]
    a = build_from_files(files).graph
    b = build_from_files(files[::-1]).graph
    assert _cites(a) == _cites(b)
    rows = lambda g: sorted((p["key"], p["reference"], p["cited_only"]) for p in g.nodes(Label.PAPER))  # noqa: E731
    assert rows(a) == rows(b)


def test_scopus_and_wos_references_meet_on_one_cited_work() -> None:
    g = build_from_files([FIX / "cocitation.isi", FIX / "scopus_refs.csv"]).graph
    s1 = "doi:10.9999/s1"
    assert (s1, ERDOS) in _cites(g)  # "Erdős, P., Rényi, A., On random graphs I (1959) … 6, pp. 290-297"
    assert (s1, WATTS) in _cites(g)  # Scopus gives no DOI: joined to the WoS DOI by author|year|volume|page
    assert ("doi:10.9999/s2", WATTS) in _cites(g)  # the 2024 layout, authors "Watts DJ; Strogatz SH"
    assert ("doi:10.9999/s2", s1) in _cites(g)  # a paper of the set, by title + year
    assert g.node(Label.PAPER, s1)["times_cited"] == 7
    assert g.node(Label.PAPER, s1)["times_cited_source"] == "scopus"


def test_wos_cr_fixture_keeps_its_in_set_citations() -> None:
    r = build_from_files([FIXTURES / "resolve" / "wos_cites_cr_lines.isi"])
    g = r.graph
    a = "doi:10.1038/35057062"
    b = next(p["key"] for p in g.nodes(Label.PAPER) if (p["title"] or "").startswith("Chemistry"))
    c = next(p["key"] for p in g.nodes(Label.PAPER) if (p["title"] or "").startswith("A paper citing"))
    in_set = {(s, t) for s, t in _cites(g) if not g.node(Label.PAPER, t)["cited_only"]}
    assert in_set == {(b, a), (c, a), (c, b)}
    # "Brown A, 2005, SCIENCE, V127, P77" fits Brown's locator but not the journal: a cited-only work
    assert {t for s, t in _cites(g) if g.node(Label.PAPER, t)["cited_only"]} == {"ref:bro|2005|127|77",
                                                                                   "ref:nob|1999|1|1"}
    assert (r.report["cites"]["matched_doi"], r.report["cites"]["matched_key"]) == (1, 2)


def test_a_papers_cite_key_is_the_key_a_reference_with_its_fields_gets() -> None:
    import pyarrow as pa

    from graphkit.citations.extension import paper_cite_keys
    from graphkit.citations.model import CitedRef, locator, locator_key

    def text(value):
        return None if value is None else str(value)

    cases = [("Erdős", 1959, "6", "290"), ("Erdős", 1959, "Vol. 6", "290-297"), ("van der Berg", 2001, 12, 436),
             ("Barabási", 1999, "286(5439)", "pp. 509-12"), ("Erdős", 1959, "6", "290"),  # once per value: again
             ("Erdős", 1959, "6", None), (None, 1959, "6", "290"), ("Erdős", None, "6", "290"), ("-", 1959, "6", "1"),
             ("Erdős", 0, "6", "290"), ("Erdős", 1959, "", "290"), ("", 1959, "6", "290"), ("Erdős", 1959, "6", "")]
    got = paper_cite_keys(pa.array([c[0] for c in cases], pa.string()), pa.array([c[1] for c in cases], pa.int64()),
                          pa.array([text(c[2]) for c in cases], pa.string()),
                          pa.array([text(c[3]) for c in cases], pa.string())).to_pylist()
    for (family, year, volume, page), key in zip(cases, got):
        loc = locator(CitedRef("raw", family=family, year=year, volume=text(volume), page=text(page)))
        assert key == (locator_key(*loc) if loc else None), (family, year, volume, page)
    assert got[1] == "ref:erd|1959|6|290" and got[2] == "ref:van|2001|12|436"
    assert got[9:] == [None] * 4


def test_every_paper_gets_its_first_author_source_title_and_cite_key_on_rows_and_columns() -> None:
    """The properties every paper of the set gets, worked out on whole columns: the family name of the
    author at position 1, the journal's name else its
    abbreviation, the cite key; a cited-only work keeps its own; a row graph gets the same."""
    from graphkit.citations.extension import paper_columns, set_paper_properties
    from graphkit.columnar import ColumnarGraph, rows_to_arrow
    from graphkit.graph import Graph

    g = Graph()
    g.add_node(Label.PAPER, "p1", year=2001, volume="12", first_page="436")
    g.add_node(Label.PAPER, "p2", year=2002, volume="Vol. 3", first_page="pp. 7-9")
    g.add_node(Label.PAPER, "p3", year=0, volume="1", first_page="1")  # no year: no cite key
    g.add_node(Label.PAPER, "p4", year=2004)  # no author, no journal
    g.add_node(Label.PAPER, "w1", cited_only=True, first_author="Old", source_title="Src", cite_key="ref:old|1|1|1")
    for key, family in (("a1", "van der Berg"), ("a2", "Smith"), ("a3", "-"), ("a4", "Ng")):
        g.add_node(Label.AUTHOR, key, family=family)
    g.add_node(Label.JOURNAL, "j1", name="Journal of Networks", abbreviation="J Netw")
    g.add_node(Label.JOURNAL, "j2", name="", abbreviation="Abbr Only")
    g.add_node(Label.JOURNAL, "j3")
    for author, paper, position in (("a2", "p1", 2), ("a1", "p1", 1), ("a4", "p2", 2), ("a2", "p2", 1),
                                    ("a3", "p3", 1)):
        g.add_edge(RelType.AUTHORED, author, paper, position=position)
    for paper, journal in (("p1", "j1"), ("p2", "j2"), ("p3", "j3")):
        g.add_edge(RelType.PUBLISHED_IN, paper, journal)
    expected = {"p1": (False, "van der Berg", "Journal of Networks", "ref:van|2001|12|436"),
                "p2": (False, "Smith", "Abbr Only", "ref:smi|2002|3|7"),
                "p3": (False, "-", None, None), "p4": (False, None, None, None),
                "w1": (True, "Old", "Src", "ref:old|1|1|1")}
    columnar = ColumnarGraph({**{label: rows_to_arrow(label, g.nodes(label)) for label in Label},
                              **{rel: rows_to_arrow(rel, g.edges(rel)) for rel in RelType}})
    for graph in (g, columnar):
        set_paper_properties(graph, *paper_columns(graph))
        got = {row["key"]: (row["cited_only"] or False, row["first_author"], row["source_title"], row["cite_key"])
               for row in graph.nodes(Label.PAPER)}
        assert got == expected, type(graph).__name__
