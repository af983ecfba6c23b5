"""graphkit.resolve.papers: DOI, PMID, title+year (exact and fuzzy) matching; merge, don't drop."""

from __future__ import annotations

import random

from graphkit.build import build_graph, build_from_files
from graphkit.resolve.papers import PaperResolver
from graphkit.resolve.text import normalise_doi, normalise_title
from graphkit.schema import Label
from conftest import FIXTURES
from resolve._records import rec

FIX = FIXTURES / "resolve"


def works(*records):
    r = PaperResolver()
    for x in records:
        r.add(x)
    return r, r.works()


def test_doi_normal_form_strips_prefixes_and_case() -> None:
    for raw in ("10.1007/S12020-018-1537-0", "https://doi.org/10.1007/s12020-018-1537-0",
                "http://dx.doi.org/10.1007/S12020-018-1537-0", "doi:10.1007/s12020-018-1537-0",
                "DOI 10.1007/s12020-018-1537-0."):
        assert normalise_doi(raw) == "10.1007/s12020-018-1537-0"
    assert normalise_doi("not a doi") is None


def test_doi_case_and_prefix_variants_merge_into_one_paper() -> None:
    result = build_from_files([FIX / "doi_case_prefix_variants.ris"])
    papers = list(result.graph.nodes(Label.PAPER))
    assert len(papers) == 1
    p = papers[0]
    assert p["key"] == "doi:10.1007/s12020-018-1537-0"
    assert len(p["sources"]) == 3  # merge, don't drop: every source stays
    assert p["abstract"] == "Only this record has an abstract."  # filled from the record that had it
    assert p["first_page"] == "499" and p["last_page"] == "509"
    assert result.report["prisma"] == {"identified": 3, "duplicates_removed": 2, "remaining": 1}


def test_doi_variants_on_records() -> None:
    r, ws = works(rec(doi="10.1000/ABC", title="X", year=2000),
                  rec(doi="https://doi.org/10.1000/abc", title="Something else entirely", year=2001))
    assert len(ws) == 1 and ws[0].key == "doi:10.1000/abc"
    assert [d.rule for d in r.duplicates] == ["doi"]


def test_pmid_match_without_doi() -> None:
    r, ws = works(rec(pmid="29512345", title="Liver metastases in NETs", year=2018),
                  rec(pmid="PMID: 29512345", title="Liver metastases in NETs.", year=2018, doi="10.1000/x"))
    assert len(ws) == 1
    assert ws[0].key == "doi:10.1000/x"  # the DOI wins the key once any record has one
    assert ws[0].pmid == "29512345"
    assert r.duplicates[0].rule == "pmid"


def test_different_pmids_do_not_merge_on_title() -> None:
    _, ws = works(rec(pmid="1", title="Editorial comment on the results", year=2018),
                  rec(pmid="2", title="Editorial comment on the results", year=2018))
    assert len(ws) == 2


def test_exact_title_and_year_merge() -> None:
    r, ws = works(rec(title="Trajectories of PTSD: a cohort study", year=2015, authors=[("Smith", "J")]),
                  rec(title="Trajectories of PTSD - A Cohort Study.", year=2015, authors=[("Smith", "John")]))
    assert len(ws) == 1 and r.duplicates[0].rule == "title"
    assert ws[0].key.startswith("title:") and len(ws[0].key) == len("title:") + 16


def test_same_title_other_year_stays_apart() -> None:
    _, ws = works(rec(title="Annual report of the society", year=2015, authors=[("Smith", "J")]),
                  rec(title="Annual report of the society", year=2016, authors=[("Smith", "J")]))
    assert len(ws) == 2


def test_same_title_different_first_page_stays_apart() -> None:
    _, ws = works(rec(title="Trajectories of PTSD in soldiers", year=2015, first_page="10"),
                  rec(title="Trajectories of PTSD in soldiers", year=2015, first_page="99"))
    assert len(ws) == 2


def test_fuzzy_title_match_needs_confirmation() -> None:
    a = rec(title="Black-backed three-toed woodpecker, Picoides arcticus, predation on Monochamus oregonensis",
            year=1995, authors=[("Goggans", "R")])
    typo = rec(title="Black-backed three-toed woodpecker, Pieoides arcticus, predation on Monochamus oregonensis.",
               year=1995, authors=[("Goggans", "Rita")])
    r, ws = works(a, typo)
    assert len(ws) == 1
    assert r.duplicates[0].rule == "fuzzy-title" and 0.92 <= r.duplicates[0].score < 1
    # same near-title, but nothing confirms it (other first author, no pages): kept apart
    other = rec(title="Black-backed three-toed woodpecker, Pieoides arcticus, predation on Monochamus oregonensis.",
                year=1995, authors=[("Someone", "E")])
    _, ws2 = works(a, other)
    assert len(ws2) == 2


def test_fuzzy_title_does_not_merge_different_titles() -> None:
    _, ws = works(rec(title="Effects of fire on bird communities in western forests", year=2001,
                      authors=[("Smith", "J")]),
                  rec(title="Effects of fire on beetle communities in eastern forests", year=2001,
                      authors=[("Smith", "J")]))
    assert len(ws) == 2


def test_keys_do_not_depend_on_record_order() -> None:
    records = [rec(doi="10.1000/a", title="A study", year=2000), rec(pmid="7", title="B study", year=2001),
               rec(title="C study of things", year=2002, authors=[("Lee", "K")]),
               rec(title="C study of things.", year=2002, authors=[("Lee", "Kim")], pmid="8"),
               rec(title="A study", year=2000, doi="https://doi.org/10.1000/A")]
    keys = [w.key for w in works(*records)[1]]
    for seed in range(5):
        shuffled = records[:]
        random.Random(seed).shuffle(shuffled)
        assert [w.key for w in works(*shuffled)[1]] == keys
    g1 = build_graph(records).graph
    g2 = build_graph(list(reversed(records))).graph
    assert [n["key"] for n in g1.nodes(Label.PAPER)] == [n["key"] for n in g2.nodes(Label.PAPER)]


def test_normalise_title() -> None:
    assert normalise_title("<i>Random</i>-Graphs: a Survey!") == "random graphs a survey"
    assert normalise_title("Ünïcode Títle") == "unicode title"


# -- the fuzzy blocks' filters: the same floats as SequenceMatcher's, without the object ------------

def test_char_counts_give_quick_ratios_common_characters() -> None:
    from collections import Counter

    from graphkit.resolve.papers import _ALNUM, _char_counts, _common

    rnd = random.Random(7)
    for i in range(3000):
        a = "".join(rnd.choice(_ALNUM[:rnd.randint(1, 36)]) for _ in range(rnd.randint(1, 400)))
        b = a if i % 100 == 0 else "".join(rnd.choice(_ALNUM[rnd.randint(0, 35):]) for _ in range(rnd.randint(1, 400)))
        want = sum((Counter(a) & Counter(b)).values())
        assert _common(_char_counts(a), _char_counts(b)) == want == _common(_char_counts(b), _char_counts(a))
    # characters outside a-z 0-9 are counted on demand
    assert _char_counts("cafe\u0301") is None and _char_counts("\u4e2d\u6587") is None
    assert _char_counts("Upper") is None and _char_counts("a-b") is None
    assert _char_counts("z" * 300) is not None


def test_char_counts_counted_together_equal_one_by_one() -> None:
    from graphkit.resolve.papers import _ALNUM, _char_counts, _char_counts_many

    rnd = random.Random(11)
    letters = _ALNUM * 3 + "-.\u00e9\u00df"  # mostly a-z 0-9; some titles hold another character
    flats = ["".join(rnd.choice(letters) for _ in range(rnd.randint(0, 120))) for _ in range(5000)]
    flats += ["", "z" * (1 << 15), "z" * ((1 << 15) - 1), "\u4e2d\u6587", "abc"]
    got = _char_counts_many(flats)
    assert got == [_char_counts(f) for f in flats]
    assert sum(g is None for g in got) > 100 and sum(g is not None for g in got) > 1000  # (both kinds)


def test_equal_titles_score_one_without_a_sequence_matcher() -> None:
    from difflib import SequenceMatcher

    from graphkit.resolve.papers import _FuzzyTitle, _char_counts

    flat = "graphbasedmodelsofcitationnetworks"
    test = _FuzzyTitle(flat, _char_counts(flat), 0.92)
    assert test.score("graph based models of citation networks", len(flat), _char_counts(flat)) == 1.0
    assert test._sm is None  # (most pairs in the blocks are titles written the same)
    other = "graphbasedmodelofcitationnetworks"
    want = SequenceMatcher(None, other, flat, autojunk=False).ratio()
    assert test.score(other, len(other), _char_counts(other)) == want and test._sm is not None


def test_length_window_is_real_quick_ratio() -> None:
    from graphkit.resolve.papers import _length_window

    for ratio in (0.92, 0.5, 0.99, 1.0):
        for n in range(1, 300):
            lo, hi = _length_window(n, ratio)
            for m in range(1, 4 * n):
                assert (lo <= m <= hi) == (2.0 * min(n, m) / (n + m) >= ratio), (n, m, ratio)


def test_fuzzy_title_match_outside_ascii() -> None:
    """A title with letters of another script takes the counted-on-demand path and still merges."""
    a = rec(title="Ηλεκτρονική καταγραφή δεδομένων στην πρωτοβάθμια φροντίδα υγείας στην Ελλάδα", year=2012,
            authors=[("Papadopoulos", "G")], first_page="11")
    typo = rec(title="Ηλεκτρονική καταγραφή δεδομένων στην πρωτοβάθμια φροντίδα υγείας στην Ελλάδ", year=2012,
               authors=[("Papadopoulos", "Georgios")], first_page="11")
    r, ws = works(a, typo)
    assert len(ws) == 1 and r.duplicates[0].rule == "fuzzy-title" and 0.92 <= r.duplicates[0].score < 1
    # the same near-title with another first page: kept apart
    other = rec(title="Ηλεκτρονική καταγραφή δεδομένων στην πρωτοβάθμια φροντίδα υγείας στην Ελλάδ", year=2012,
                authors=[("Papadopoulos", "G")], first_page="12")
    _, ws2 = works(a, other)
    assert len(ws2) == 2


def test_a_record_alone_holds_no_cluster_until_it_merges() -> None:
    r = PaperResolver()
    r.add(rec(doi="10.1000/a", title="First paper on graphs", year=2001))
    r.add(rec(doi="10.1000/b", title="Second paper on graphs", year=2002))
    assert r._clusters == {}  # two works, each one record: its columns, no _Cluster of four sets
    r.add(rec(doi="10.1000/A", title="Something", year=2003))  # the first again
    assert list(r._clusters) == [0] and sorted(r._clusters[0].members) == [0, 2]
    assert r._clusters[0].dois == {"10.1000/a"}
    assert len(r.works()) == 2


def test_a_lone_record_and_a_merged_work_refuse_the_same_records() -> None:
    # the compatibility checks against a record alone (its columns) and a merged work (its sets) agree:
    # a second DOI, PMID or first page keeps a record with the same title apart either way
    for extra in (dict(doi="10.1000/other"), dict(pmid="99"), dict(first_page="77")):
        alone = PaperResolver()
        alone.add(rec(doi="10.1000/x", pmid="11", first_page="5", title="A study of graph matching in libraries",
                      year=2010))
        merged = PaperResolver()
        merged.add(rec(doi="10.1000/x", pmid="11", first_page="5", title="A study of graph matching in libraries",
                       year=2010))
        merged.add(rec(doi="10.1000/x", title="Other title", year=2010))
        other = dict(title="A study of graph matching in libraries", year=2010, first_page="5")
        other.update(extra)
        for r in (alone, merged):
            r.add(rec(**other))
        assert [d.rule for d in alone.duplicates] == []
        assert [d.rule for d in merged.duplicates] == ["doi"]


def test_a_described_resolver_reports_the_same_duplicates() -> None:
    records = [rec(doi="10.1000/a", title="Graph matching at scale", year=2001),
               rec(title="Graph matching at scale", year=2001, doi="https://doi.org/10.1000/A"),
               rec(title="Graph Matching at Scale!", year=2001, authors=[("Smith", "J")], first_page="3"),
               rec(pmid="12", title="Another work entirely", year=1999),
               rec(pmid="PMID: 12", title=None, year=1999)]
    kept = PaperResolver()
    for x in records:
        kept.add(x)
    asked: list[int] = []

    def describe(i: int) -> tuple[str, str | None]:
        asked.append(i)
        return f"{records[i].source.file}:{records[i].source.line}:{records[i].source.format}", records[i].title

    described = PaperResolver(describe=describe)
    for x in records:
        described.add(x)
    assert [d.as_dict() for d in described.duplicates] == [d.as_dict() for d in kept.duplicates]
    assert len(kept.duplicates) == 3 and sorted(set(asked)) == [0, 3]  # only the records first seen
    assert described._sources == [] and described._raw_titles == []
    assert described.roots() == kept.roots() == [0, 0, 0, 3, 3]
