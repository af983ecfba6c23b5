"""graphkit.resolve.authors: name compatibility (the default), evidence for initials, ORCID
reconciliation, the explicit 'initial'/'full' modes, display names and overrides."""

from __future__ import annotations

import itertools
import os
from array import array

import pytest

from graphkit.build import BuildOptions, build_graph
from graphkit.model import JournalRef, Person
from graphkit.resolve.authors import (
    AuthorMapError, AuthorResolver, block_key, compatibility, given_parts, name_key, normalise_orcid, parse_name,
    read_author_map, split_particles,
)
from graphkit.schema import Label, RelType
from resolve._records import rec


def resolve(people, mode="compatible"):
    r = AuthorResolver(mode)
    occ = [r.add(p) for p in people]
    r.resolve()
    return r, [r.key_of(o) for o in occ]


def compat(a: str, b: str):
    return compatibility(tuple(given_parts(a)), tuple(given_parts(b)))


# -- the compatibility rule ------------------------------------------------------------------------

@pytest.mark.parametrize("a, b, level", [
    ("H.-J.", "Hyun-Jin", "initials"),
    ("S. L.", "Samantha L.", "initials"),
    ("J. M.", "Jeffrey M.", "initials"),
    ("HJ", "Hyun-Jin", "initials"),  # run-together initials (WoS/MEDLINE)
    ("H.", "Hyunjin", "initials"),
    ("", "Hyunjin", "initials"),  # no given name at all: fits anything, decided like initials
    ("Hyunjin", "Hyun-Jin", "strong"),  # hyphenated, spaced and run-together spellings are one name
    ("Hyun Jin", "Hyun-Jin", "strong"),
    ("Jeffrey M.", "Jeffrey", "strong"),  # a missing middle initial is no conflict
    ("Gregory A.", "Gregory Alexander", "strong"),
    ("Jeff", "Jeffrey M.", "weak"),  # short form: only with evidence
    ("Bill", "William", "weak"),  # listed nickname
    ("Hyun-Jin", "Hye-Won", None),
    ("Samantha", "Shane", None),
    ("Samantha L.", "Shane A.", None),
    ("Jian", "Jingjing", None),
    ("H.-Y.", "Hyun-Jin", None),
    ("T.L.", "Todd T.", None),  # Brown T.L. vs Brown Todd T.
    ("Jeffrey M.", "Jeffrey K.", None),
    ("Hyoun S.", "Hyungkyoo", None),
    ("Hee-Je", "H.-Y.", None),
])
def test_compatibility_levels(a, b, level) -> None:
    assert compat(a, b) == level
    assert compat(b, a) == level  # symmetric


def test_particles_move_to_the_family_name() -> None:
    assert split_particles("Berg", "J. van der") == ("van der Berg", "J.")
    assert split_particles("Beethoven", "Ludwig van") == ("van Beethoven", "Ludwig")
    assert split_particles("Gogh", "Vincent") == ("Gogh", "Vincent")
    assert split_particles("Dam", "Van") == ("Dam", "Van")  # a given name 'Van' (Vietnamese) stays
    _, keys = resolve([Person("van der Berg", "Jan"), Person("Berg", "J. van der"), Person("Van Der Berg", "J.")])
    assert len(set(keys)) == 1 and keys[0] == "name:vanderberg|jan"


def test_block_key_transliteration_and_arabic_article() -> None:
    assert block_key("Müller") == block_key("Mueller") == block_key("Muller")
    assert block_key("al-Hassan") == block_key("Al Hassan") == block_key("Hassan")
    assert block_key("Grozinsky-Glasberg") == "grozinskyglasberg"
    _, keys = resolve([Person("Müller", "Hans"), Person("Mueller", "Hans"), Person("Muller", "H.")])
    assert len(set(keys)) == 1


def test_issue_false_merges_are_kept_apart() -> None:
    """The merges family + first initial made on real exports (issue 18)."""
    people = [Person("Kim", "Hyoun S."), Person("Kim", "Hyungkyoo"), Person("Kim", "Hee-Je"),
              Person("Thomas", "Samantha L."), Person("Thomas", "Shane A."),
              Person("Wang", "Jian"), Person("Wang", "Jingjing"), Person("Brown", "T.L."), Person("Brown", "Todd T.")]
    _, keys = resolve(people)
    assert len(set(keys)) == len(people)
    _, old = resolve(people, "initial")
    assert len(set(old)) == 4  # the old default: kim|h, thomas|s, wang|j, brown|t


def test_initials_join_the_single_fitting_full_name() -> None:
    _, keys = resolve([Person("Kim", "Hyun-Jin"), Person("Kim", "H.-J."), Person("Kim", "H."), Person("Kim", "HJ")])
    assert keys == ["name:kim|hyun-jin"] * 4


def test_ambiguous_initials_stay_apart_and_are_reported() -> None:
    r, keys = resolve([Person("Thomas", "Samantha L."), Person("Thomas", "Shane A."), Person("Thomas", "S.")])
    assert keys == ["name:thomas|samantha-l", "name:thomas|shane-a", "name:thomas|s"]
    [d] = r.decisions
    assert d.kind == "ambiguous" and d.variant == "Thomas, S." and d.key == "name:thomas|s"
    assert d.candidates == ["name:thomas|samantha-l", "name:thomas|shane-a"]
    assert "several" in d.reason


def test_initials_join_with_a_shared_coauthor() -> None:
    r = AuthorResolver()
    a = r.add_work([Person("Thomas", "Samantha L."), Person("Rockloff", "Matthew")])
    b = r.add_work([Person("Thomas", "Shane A."), Person("Linkov", "Igor")])
    c = r.add_work([Person("Thomas", "S."), Person("Linkov", "I.")])
    d = r.add_work([Person("Thomas", "S. L."), Person("Nobody", "N.")])  # fits Samantha L. only
    r.resolve()
    assert r.key_of(c[0]) == r.key_of(b[0]) == "name:thomas|shane-a"
    assert r.key_of(d[0]) == r.key_of(a[0]) == "name:thomas|samantha-l"
    assert [x.kind for x in r.decisions] == ["joined-with-evidence"]


def test_initials_join_with_the_same_venue() -> None:
    r = AuthorResolver()
    a = r.add_work([Person("Thomas", "Samantha L.")], venue="0028-0836")
    b = r.add_work([Person("Thomas", "Shane A.")], venue="1234-5679")
    c = r.add_work([Person("Thomas", "S.")], venue="1234-5679")
    r.resolve()
    assert r.key_of(c[0]) == r.key_of(b[0]) != r.key_of(a[0])


def test_nickname_needs_evidence() -> None:
    """Keisler, Jeffrey M (ORCID) and Keisler, Jeff (same co-author Linkov) are one person (issue 18)."""
    r = AuthorResolver()
    a = r.add_work([Person("Keisler", "Jeffrey M", orcid="0000-0002-1825-0097"), Person("Linkov", "Igor")])
    b = r.add_work([Person("Keisler", "Jeff"), Person("Linkov", "I.")])
    c = r.add_work([Person("Keisler", "Jeff"), Person("Other", "O.")])  # no evidence: kept apart
    r.resolve()
    assert r.key_of(a[0]) == r.key_of(b[0]) == "orcid:0000-0002-1825-0097"
    assert r.key_of(c[0]) == "name:keisler|jeff"
    assert {d.kind for d in r.decisions} == {"joined-with-evidence", "ambiguous"}


def test_given_name_order_swapped_is_not_merged_without_evidence() -> None:
    _, keys = resolve([Person("Wang", "Jian"), Person("Jian", "Wang")])
    assert len(set(keys)) == 2


def test_complete_linkage_never_chains_conflicts() -> None:
    _, keys = resolve([Person("Keisler", "Jeffrey M."), Person("Keisler", "Jeffrey"), Person("Keisler", "Jeffrey K.")])
    assert keys[0] != keys[2]
    assert keys[1] in (keys[0], keys[2])


# -- ORCID -------------------------------------------------------------------------------------------

def test_orcid_check_digit_and_forms() -> None:
    assert normalise_orcid("https://orcid.org/0000-0002-1825-0097") == "0000-0002-1825-0097"
    assert normalise_orcid("0000000218250097") == "0000-0002-1825-0097"
    assert normalise_orcid("0000-0002-1694-233X") == "0000-0002-1694-233X"
    assert normalise_orcid("0000-0002-1825-0098") is None  # wrong check digit


def test_orcid_reconciliation() -> None:
    people = [Person("Smith", "John", orcid="0000-0002-1825-0097"), Person("Smith", "J."),
              Person("Smith", "Jane", orcid="https://orcid.org/0000-0002-1694-233X"), Person("Smith", "John")]
    r, keys = resolve(people)
    # "Smith, J." fits both ORCIDs: it stays apart; "Smith, John" fits one strongly: it joins
    assert keys == ["orcid:0000-0002-1825-0097", "name:smith|j", "orcid:0000-0002-1694-233X",
                    "orcid:0000-0002-1825-0097"]
    assert r.ambiguous_names() == {"name:smith|j": ["0000-0002-1694-233X", "0000-0002-1825-0097"]}
    _, keys = resolve(people[:2])
    assert keys == ["orcid:0000-0002-1825-0097"] * 2


def test_two_orcids_never_merge() -> None:
    _, keys = resolve([Person("Wang", "Wei", orcid="0000-0002-1825-0097"),
                       Person("Wang", "Wei", orcid="0000-0002-1694-233X")])
    assert len(set(keys)) == 2


def test_orcid_does_not_swallow_other_given_names() -> None:
    _, keys = resolve([Person("Liu", "Jianghong", orcid="0000-0002-1825-0097"), Person("Liu", "J."),
                       Person("Liu", "Jiajia"), Person("Liu", "Jianghong")])
    assert keys == ["orcid:0000-0002-1825-0097", "name:liu|j", "name:liu|jiajia", "orcid:0000-0002-1825-0097"]


# -- the explicit old modes ----------------------------------------------------------------------------

def test_unicode_folding_accents_hyphens_case() -> None:
    assert name_key(Person("Müller-Lüdenscheidt", "Hans")) == name_key(Person("MULLER LUDENSCHEIDT", "H."))
    assert name_key(Person("Grozinsky-Glasberg", "S.")) == "name:grozinskyglasberg|s"
    assert name_key(Person("O'Brien", "Áine")) == "name:obrien|a"


def test_initial_and_full_modes() -> None:
    people = [Person("Smith", "John A."), Person("Smith", "J."), Person("Smith", "Jane")]
    _, keys = resolve(people, "initial")
    assert len(set(keys)) == 1  # family + first initial: all three are one author (a known false merge)
    _, full = resolve(people, "full")
    assert len(set(full)) == 3
    assert full[0] == "name:smith|john-a"
    assert name_key(Person("Smith", "JA"), "full") == "name:smith|j-a"  # WoS-style run-together initials
    _, default = resolve(people)
    assert default == ["name:smith|john-a", "name:smith|j", "name:smith|jane"]


def test_author_key_option_reaches_the_graph() -> None:
    records = [rec(title="One", year=2000, doi="10.1000/1", authors=[("Kaltsas", "G.")]),
               rec(title="Two", year=2001, doi="10.1000/2", authors=[("Kaltsas", "Gregory")]),
               rec(title="Three", year=2002, doi="10.1000/3", authors=[("Kaltsas", "Georgios")])]
    assert build_graph(records, BuildOptions(author_key="initial")).graph.count(Label.AUTHOR) == 1
    assert build_graph(records, BuildOptions(author_key="full")).graph.count(Label.AUTHOR) == 3
    assert build_graph(records).graph.count(Label.AUTHOR) == 3  # G. fits two full names: kept apart


# -- display names -------------------------------------------------------------------------------------

def test_display_name_is_fullest_variant_and_review_variants() -> None:
    g = build_graph([rec(title="One", year=2000, doi="10.1000/1", authors=[("Kaltsas", "G.")]),
                     rec(title="Two", year=2001, doi="10.1000/2", authors=[("Kaltsas", "Gregory A.")]),
                     rec(title="Three", year=2002, doi="10.1000/3", authors=[("Kaltsas", "G")])])
    authors = list(g.graph.nodes(Label.AUTHOR))
    assert len(authors) == 1
    assert authors[0]["name"] == "Kaltsas, Gregory A." and authors[0]["given"] == "Gregory A."
    assert g.graph.count(RelType.AUTHORED) == 3
    assert sorted(g.authors["name:kaltsas|gregory-a"].variants.values()) == [1, 1, 1]


def test_display_name_keeps_the_hyphen() -> None:
    """Issue 19: a merged author's display name lost its hyphen ('Murray Boyle')."""
    records = [rec(title="One", year=2000, doi="10.1000/1", authors=[("Murray Boyle", "Catherine")]),
               rec(title="Two", year=2001, doi="10.1000/2", authors=[("Murray Boyle", "Catherine")]),
               rec(title="Three", year=2002, doi="10.1000/3", authors=[("Murray-Boyle", "Catherine")])]
    [author] = build_graph(records).graph.nodes(Label.AUTHOR)
    assert author["name"] == "Murray-Boyle, Catherine" and author["family"] == "Murray-Boyle"


# -- lookups and overrides ------------------------------------------------------------------------------

def test_parse_name_forms() -> None:
    assert parse_name("Rockloff, Matthew J.") == Person("Rockloff", "Matthew J.")
    assert parse_name("Matthew Rockloff") == Person("Rockloff", "Matthew")
    assert parse_name("Rockloff MJ") == Person("Rockloff", "MJ")
    assert parse_name("Rockloff") == Person("Rockloff")
    assert parse_name("  ") is None


def test_author_map_override_and_split(tmp_path) -> None:
    path = tmp_path / "map.csv"
    path.write_text("variant,author\nThomas, S.,name:thomas|shane-a\n\"Kim, H.\",split\n"
                    "Smith, J.,https://orcid.org/0000-0002-1825-0097\n", encoding="utf-8")
    pairs = read_author_map(str(path))
    assert pairs == (("Thomas, S.", "name:thomas|shane-a"), ("Kim, H.", "split"),
                     ("Smith, J.", "orcid:0000-0002-1825-0097"))
    records = [rec(title="One", year=2000, doi="10.1000/1", authors=[("Thomas", "Samantha L."), ("Kim", "Hyun-Jin")]),
               rec(title="Two", year=2001, doi="10.1000/2", authors=[("Thomas", "Shane A."), ("Kim", "H.")]),
               rec(title="Three", year=2002, doi="10.1000/3", authors=[("Thomas", "S.")])]
    plain = build_graph(records)
    assert plain.graph.count(Label.AUTHOR) == 4  # Kim, H. joins Kim, Hyun-Jin; Thomas, S. is ambiguous
    result = build_graph(records, BuildOptions(author_map=pairs))
    keys = {e["source"] for e in result.graph.edges(RelType.AUTHORED) if e["target"] == "doi:10.1000/3"}
    assert keys == {"name:thomas|shane-a"}
    assert result.graph.count(Label.AUTHOR) == 4  # Thomas, S. joined Shane; Kim, H. split off
    assert result.graph.node(Label.AUTHOR, "name:kim|h#split") is not None


def test_author_map_errors_name_the_line(tmp_path) -> None:
    path = tmp_path / "map.csv"
    path.write_text("variant,author\nThomas, S.,somebody\n", encoding="utf-8")
    with pytest.raises(AuthorMapError, match=r"map.csv:2: 'somebody' is neither"):
        read_author_map(str(path))


def test_venue_evidence_reaches_the_build() -> None:
    j1, j2 = JournalRef(name="Journal of One", issns=["0028-0836"]), JournalRef(name="Other Journal")
    records = [rec(title="One", year=2000, doi="10.1000/1", journal=j1, authors=[("Thomas", "Samantha L.")]),
               rec(title="Two", year=2001, doi="10.1000/2", journal=j2, authors=[("Thomas", "Shane A.")]),
               rec(title="Three", year=2002, doi="10.1000/3", journal=j1, authors=[("Thomas", "S.")])]
    g = build_graph(records).graph
    keys = {e["source"] for e in g.edges(RelType.AUTHORED) if e["target"] == "doi:10.1000/3"}
    assert keys == {"name:thomas|samantha-l"}


# -- evidence inside a name block ---------------------------------------------------------------------

def _crowd() -> list[list[Person]]:
    """Other Kims with full names: a crowded block, where one name form may be two people."""
    return [[Person("Kim", g), Person("Zed", "Zora")] for g in ("Hye-Won", "Min-Soo", "Ji-Hoon")]


def _add(r: AuthorResolver, papers, venue=None, keywords=()) -> list[list[int]]:
    return [r.add_work(p, venue, keywords=keywords) for p in papers]


def test_same_full_name_two_labs_are_two_people_in_a_crowded_block() -> None:
    r = AuthorResolver()
    _add(r, _crowd())
    lab_a = _add(r, [[Person("Kim", "Min-Ji"), Person("Park", "Soo-Jin")], [Person("Kim", "Min-Ji"), Person("Park", "Soo-Jin")]])
    lab_b = _add(r, [[Person("Kim", "Min-Ji"), Person("Chen", "Wei-Ling")], [Person("Kim", "Min-Ji"), Person("Chen", "Wei-Ling")]])
    r.resolve()
    a, b = {r.key_of(w[0]) for w in lab_a}, {r.key_of(w[0]) for w in lab_b}
    assert len(a) == len(b) == 1 and a != b
    assert any(d.kind == "kept-apart" for d in r.decisions) is False  # two evidence groups, no lone paper


def test_same_full_name_stays_one_author_in_a_quiet_block() -> None:
    """Barabási, Albert-László with disjoint co-author groups: a rare name is one person."""
    r = AuthorResolver()
    lab_a = _add(r, [[Person("Barabasi", "Albert-Laszlo"), Person("Albert", "Reka")]] * 2)
    lab_b = _add(r, [[Person("Barabasi", "Albert-Laszlo"), Person("Vicsek", "Tamas")]] * 2)
    r.resolve()
    assert len({r.key_of(w[0]) for w in lab_a + lab_b}) == 1


def test_co_author_evidence_is_transitive() -> None:
    """Paper 1 and 2 share Park; 2 and 3 share Choi: one person through the co-author graph, apart
    from the same name in another lab."""
    r = AuthorResolver()
    _add(r, _crowd())
    chain = _add(r, [[Person("Kim", "Min-Ji"), Person("Park", "Soo-Jin")],
                     [Person("Kim", "Min-Ji"), Person("Park", "Soo-Jin"), Person("Choi", "Yeon-Woo")],
                     [Person("Kim", "Min-Ji"), Person("Choi", "Yeon-Woo")]])
    other = _add(r, [[Person("Kim", "Min-Ji"), Person("Lopez", "Ana")]] * 2)
    r.resolve()
    keys = {r.key_of(w[0]) for w in chain}
    assert len(keys) == 1 and keys != {r.key_of(w[0]) for w in other}


def test_affiliation_picks_among_fitting_authors() -> None:
    r = AuthorResolver()
    snu = "Dept. of Physics, Seoul National University, Seoul, Korea"
    a = r.add_work([Person("Kim", "Hyun-Jin", affiliations=[snu])])
    b = r.add_work([Person("Kim", "Hye-Won", affiliations=["KAIST, Daejeon, Korea"])])
    c = r.add_work([Person("Kim", "H.", affiliations=["Seoul National University, College of Natural Sciences"])])
    r.resolve()
    assert r.key_of(c[0]) == r.key_of(a[0]) != r.key_of(b[0])


def test_keywords_are_evidence() -> None:
    """Three shared keywords pick Samantha (two would not: keywords are weak evidence, KEYWORD_CAP)."""
    r = AuthorResolver()
    a = r.add_work([Person("Thomas", "Samantha L.")], keywords=["problem gambling", "lotteries", "harm"])
    b = r.add_work([Person("Thomas", "Shane A.")], keywords=["coral reefs"])
    c = r.add_work([Person("Thomas", "S.")], keywords=["Problem Gambling", "Lotteries", "harm"])
    r.resolve()
    assert r.key_of(c[0]) == r.key_of(a[0]) != r.key_of(b[0])


def test_institution_key() -> None:
    from graphkit.resolve.authors import institution_key
    assert institution_key("Dept. of Physics, Seoul National University, Seoul, Korea") == "seoulnationaluniversity"
    assert institution_key("Seoul National University, College of Medicine") == "seoulnationaluniversity"
    assert institution_key("Karolinska Institutet, Stockholm") == "karolinskainstitutet"
    assert institution_key("Some Lab, Somewhere") == "somelab"
    assert institution_key(" , ") is None


def test_keys_do_not_depend_on_input_order() -> None:
    """The same papers in any order give the same author keys (clusters are named by content)."""
    import random
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.generate import collision_corpus

    papers = collision_corpus(600, seed=3)

    def keys(order):
        r = AuthorResolver()
        occ = {}
        for n in order:
            p = papers[n]
            people = [Person(f, g, affiliations=[a] if a else None) for (_, f, g), a in zip(p.authors, p.affiliations)]
            occ[n] = r.add_work(people, p.venue, keywords=p.keywords)
        r.resolve()
        return {(n, k): r.key_of(o) for n in order for k, o in enumerate(occ[n])}

    order = list(range(len(papers)))
    first = keys(order)
    random.Random(1).shuffle(order)
    assert keys(order) == first
    assert len(set(first.values())) > 100


def test_keys_do_not_depend_on_the_hash_seed(tmp_path) -> None:
    """Occurrences that tie on name and year are ordered by their paper's fingerprint, a stable hash:
    two runs with different ``PYTHONHASHSEED`` (string hashes, set order) give the same keys and
    decisions."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    script = (
        "import sys, hashlib\n"
        f"sys.path.insert(0, {str(root)!r})\n"
        "from bench.generate import collision_corpus\n"
        "from graphkit.model import Person\n"
        "from graphkit.resolve.authors import AuthorResolver\n"
        "r, occ = AuthorResolver(), []\n"
        "for p in collision_corpus(800, seed=11):\n"
        "    people = [Person(f, g, affiliations=[a] if a else None)\n"
        "              for (_, f, g), a in zip(p.authors, p.affiliations)]\n"
        "    occ += r.add_work(people, p.venue, keywords=p.keywords, year=p.year or None)\n"
        "r.resolve()\n"
        "keys, decisions = [r.key_of(o) for o in occ], r.decisions\n"
        "print(hashlib.sha256(repr((keys, decisions)).encode()).hexdigest(), len(set(keys)), len(decisions))\n")
    out = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=root,
                             timeout=300)
        assert run.returncode == 0, run.stderr
        out.append(run.stdout.split())
    assert out[0] == out[1]
    assert int(out[0][1]) > 100 and int(out[0][2]) > 10


def test_a_paper_as_columns_or_people_gives_the_same_keys() -> None:
    """``add_paper`` (columns: what the columnar core feeds) and ``add_context`` + ``add`` (a Person
    each) register the same occurrences: the same keys and decisions."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.generate import collision_corpus

    papers = collision_corpus(800, seed=4)

    def run(columns: bool):
        r = AuthorResolver()
        occ = []
        for p in papers:
            people = [Person(f, g, orcid=None, affiliations=[a] if a else None)
                      for (_, f, g), a in zip(p.authors, p.affiliations)]
            if columns:
                occ += r.add_paper([x.family for x in people], [x.given for x in people], [None] * len(people),
                                   [x.affiliations for x in people], p.venue, keywords=p.keywords, year=p.year or None)
            else:
                w = r.add_context(people, p.venue, keywords=p.keywords, year=p.year or None)
                occ += [r.add(x, work=w) for x in people]
        r.resolve()
        return [r.key_of(o) for o in occ], r.decisions

    columns, people = run(True), run(False)
    assert columns == people
    assert len(set(columns[0])) > 100 and len(columns[1]) > 10


def _resolve_corpus(papers, workers: int):
    """Keys and decisions of a generated corpus (bench.generate.collision_corpus), affiliations as evidence."""
    r = AuthorResolver(workers=workers)
    occ = []
    for p in papers:
        people = [Person(f, g, affiliations=[a] if a else None) for (_, f, g), a in zip(p.authors, p.affiliations)]
        occ += r.add_work(people, p.venue, keywords=p.keywords, year=p.year or None)
    r.resolve()
    return [r.key_of(o) for o in occ], r.decisions


def test_forked_block_clustering_gives_the_same_keys_and_decisions(monkeypatch) -> None:
    """With workers, the blocks of each pass are clustered in forked processes: the same keys, the
    same decisions in the same order as one process (and the forked path really ran)."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.generate import collision_corpus
    import graphkit.resolve.authors as authors

    papers = collision_corpus(1500, seed=5)

    def run(workers):
        return _resolve_corpus(papers, workers)

    one = run(1)
    forked = []
    real = authors.AuthorResolver._clustered_forked

    def spy(self, blocks, names):
        forked.append(len(names))
        return real(self, blocks, names)

    monkeypatch.setattr(authors, "PARALLEL_MIN", 0)
    monkeypatch.setattr(authors.AuthorResolver, "_clustered_forked", spy)
    two = run(2)
    # every block in the first pass; the later passes only the blocks that weighed evidence (the others
    # keep their clusters: test_later_passes_reuse_the_blocks_names_decide)
    assert len(forked) == authors.PASSES and forked[0] > 100 and 0 < forked[1] < forked[0]
    assert two[0] == one[0]
    assert two[1] == one[1] and len(one[1]) > 50


def test_later_passes_reuse_the_blocks_names_decide(monkeypatch) -> None:
    """A block whose clusters came from its ORCIDs and name forms alone (no evidence weighed) gets the
    same clusters in every pass: the second pass reuses them instead of clustering it again, and the
    keys and decisions are those of clustering every block in every pass."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.generate import collision_corpus
    import graphkit.resolve.authors as authors

    papers = collision_corpus(1500, seed=7)
    clustered: list[int] = []
    real_block = authors.AuthorResolver._block_clusters

    def counting(self, occs):
        clustered.append(2 if self._cofeat else 1)  # (a later pass: the last pass's authors as ids)
        return real_block(self, occs)

    def run():
        return _resolve_corpus(papers, 1)

    monkeypatch.setattr(authors.AuthorResolver, "_block_clusters", counting)
    reused = run()
    first, second = clustered.count(1), clustered.count(2)
    assert 0 < second < first
    clustered.clear()
    real = authors.AuthorResolver._clustered
    monkeypatch.setattr(authors.AuthorResolver, "_clustered", lambda self, blocks, keep=False: real(self, blocks))
    every = run()
    assert clustered.count(2) == clustered.count(1) == first  # without reuse: every block twice
    assert reused[0] == every[0] and len(set(every[0])) > 300
    assert reused[1] == every[1] and len(every[1]) > 50


def test_evidence_features_are_built_only_when_asked(monkeypatch) -> None:
    """An occurrence's evidence features are built when the clustering first asks for them (blocks its
    names decide ask for few): fewer are built than there are occurrences in the blocks, and the keys
    and decisions are those of building every occurrence's features up front."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.generate import collision_corpus
    import graphkit.resolve.authors as authors

    papers = collision_corpus(1500, seed=9)
    built: list[int] = []
    real_features = authors.AuthorResolver._features
    monkeypatch.setattr(authors.AuthorResolver, "_features", lambda self, i: built.append(i) or real_features(self, i))
    clustered: list[int] = []
    real_block = authors.AuthorResolver._block_clusters
    monkeypatch.setattr(authors.AuthorResolver, "_block_clusters",
                        lambda self, occs: clustered.append(len(occs)) or real_block(self, occs))
    lazy = _resolve_corpus(papers, 1)
    assert 0 < len(built) < 0.9 * sum(clustered)
    built.clear()
    clustered.clear()
    real_keys = authors.AuthorResolver._content_keys

    def every_feature_first(self, occs):  # the old way: every occurrence of the block, up front
        occs = list(occs)
        for i in occs:
            self._feats[i]  # noqa: B018 - the lookup builds them
        return real_keys(self, occs)

    monkeypatch.setattr(authors.AuthorResolver, "_content_keys", every_feature_first)
    eager = _resolve_corpus(papers, 1)
    assert len(built) == sum(clustered)
    assert lazy[0] == eager[0] and len(set(eager[0])) > 300
    assert lazy[1] == eager[1] and len(eager[1]) > 50


def _forked_resolver(monkeypatch, in_child):
    """A resolver of 400 small blocks whose forked block clustering runs ``in_child`` in the child
    for every task it claims (the parent is slowed down so that the child claims some)."""
    import os
    import time

    import graphkit.resolve.authors as authors

    parent = os.getpid()
    real = authors._cluster_blocks_forked

    def cluster(names):
        if os.getpid() != parent:
            in_child()
        else:
            time.sleep(0.02)
        return real(names)

    monkeypatch.setattr(authors, "PARALLEL_MIN", 0)
    monkeypatch.setattr(authors, "CAN_FORK", True)
    monkeypatch.setattr(authors, "_cluster_blocks_forked", cluster)
    asked: list[int] = []
    monkeypatch.setattr(authors, "_memory_for_forks", lambda n: asked.append(n) or True)
    r = AuthorResolver(workers=2)
    for n in range(400):
        r.add_work([Person(f"Family{n}", "Ann"), Person(f"Family{n}", "A.")])
    return r, asked


def test_the_resolver_process_clusters_blocks_beside_one_fewer_child(monkeypatch) -> None:
    """workers=2 forks one child (one copy of the heap fewer) and the parent clusters blocks too; the
    keys are those of one process."""
    r, asked = _forked_resolver(monkeypatch, lambda: None)
    r.resolve()
    assert asked and set(asked) == {1}
    assert r.key_of(0) == r.key_of(1) == "name:family0|ann"


def test_a_failing_or_killed_block_worker_is_an_error_in_the_resolver(monkeypatch) -> None:
    import os

    def fail():
        raise ValueError("boom in a block")

    r, _ = _forked_resolver(monkeypatch, fail)
    with pytest.raises(RuntimeError, match="(?s)author-block worker failed.*boom in a block"):
        r.resolve()
    r, _ = _forked_resolver(monkeypatch, lambda: os._exit(9))
    with pytest.raises(RuntimeError, match="without its result \\(exit code 9\\)"):
        r.resolve()


def test_block_results_are_taken_as_they_come_and_until_every_worker_is_done() -> None:
    """The resolver's process takes what its block workers have sent between its own tasks (without
    waiting: the queue may be empty), and at the end waits until each one has sent its last message."""
    import multiprocessing
    import time

    from graphkit.resolve.authors import _take_results

    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    children = [ctx.Process(target=time.sleep, args=(0,)) for _ in range(2)]
    got: dict = {}
    waiting = {0, 1}
    _take_results(results, children, waiting, got, wait=False)  # nothing sent yet: no wait
    assert got == {} and waiting == {0, 1}
    results.put((0, "ok", {"block a": "clusters a"}))
    results.put((1, "ok", {"block b": "clusters b"}))
    results.put((0, "done", None))
    deadline = time.monotonic() + 10
    while len(got) < 2 and time.monotonic() < deadline:  # (the queue's feeder thread sends them)
        _take_results(results, children, waiting, got, wait=False)
    assert got == {"block a": "clusters a", "block b": "clusters b"}
    results.put((1, "ok", {"block c": "clusters c"}))
    results.put((1, "done", None))
    _take_results(results, children, waiting, got, wait=True)
    assert waiting == set() and set(got) == {"block a", "block b", "block c"}
    results.put((0, "error", "Traceback ... boom"))
    with pytest.raises(RuntimeError, match="author-block worker failed: Traceback ... boom"):
        _take_results(results, children, {0}, got, wait=True)
    results.close()


_KILLED_RESOLVER = """
import os, signal, sys, time
import graphkit.resolve.authors as authors
from graphkit.model import Person

parent = os.getpid()
real = authors._cluster_blocks_forked

def cluster(names):
    if os.getpid() != parent:  # the block worker: says who it is, then works on (as in a long block)
        with open(sys.argv[1], "w") as fh:
            fh.write(str(os.getpid()))
        time.sleep(60)
    else:
        while not os.path.exists(sys.argv[1]) or not open(sys.argv[1]).read():
            time.sleep(0.02)
        os.kill(parent, signal.SIGKILL)  # the resolver's process dies (cancelled by its build, or killed)
    return real(names)

authors.PARALLEL_MIN = 0
authors.CAN_FORK = True
authors._cluster_blocks_forked = cluster
authors._memory_for_forks = lambda n: True
r = authors.AuthorResolver(workers=2)
for n in range(50):
    r.add_work([Person(f"Family{n}", "Ann"), Person(f"Family{n}", "A.")])
r.resolve()
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="reads Linux's /proc")
def test_a_block_worker_ends_with_the_resolvers_process(tmp_path) -> None:
    """A build that stops its resolver (graphkit.memory.Forked.cancel: the work beside it failed) or a
    resolver killed outright leaves no block worker clustering for nobody."""
    from conftest import outlived_killed_parent

    assert not outlived_killed_parent(_KILLED_RESOLVER, tmp_path), "the block worker outlived the resolver"


# -- cluster-level evidence: the second pass ----------------------------------------------------------

def _lopez_papers(r: AuthorResolver) -> tuple[list[int], list[int], list[int]]:
    """Kim Ji-Hoon works with Lopez Ana (Seoul), Kim Jae-Won with Lopez Alberto (Madrid). A third paper
    has 'Kim, J.' and 'Lopez, A.': by name both co-authors fit both Kims; only Lopez's affiliation
    says which Lopez it is, and so which Kim."""
    seoul, madrid = "Seoul National University, Seoul, Korea", "Universidad Complutense, Madrid, Spain"
    ji = [r.add_work([Person("Kim", "Ji-Hoon"), Person("Lopez", "Ana", affiliations=[seoul])]) for _ in range(2)]
    jae = [r.add_work([Person("Kim", "Jae-Won"), Person("Lopez", "Alberto", affiliations=[madrid])]) for _ in range(2)]
    third = r.add_work([Person("Kim", "J."), Person("Lopez", "A.", affiliations=[seoul])])
    return ji, jae, third


def test_second_pass_resolves_a_co_author_written_with_initials() -> None:
    r = AuthorResolver()
    ji, jae, third = _lopez_papers(r)
    r.resolve()
    assert r.key_of(third[1]) == r.key_of(ji[0][1]) == "name:lopez|ana"  # first pass: the affiliation
    assert r.key_of(third[0]) == r.key_of(ji[0][0]) == "name:kim|ji-hoon"  # second pass: Lopez is Ana
    assert r.key_of(jae[0][0]) == "name:kim|jae-won"
    assert any(d.kind == "joined-with-evidence" and d.variant == "Kim, J." for d in r.decisions)


def test_one_pass_leaves_that_initials_variant_apart(monkeypatch) -> None:
    """The old single pass, without the paper's institutions as evidence: 'Lopez, A.' is only family +
    initial, which both Kims share."""
    import graphkit.resolve.authors as authors

    monkeypatch.setattr(authors, "PASSES", 1)
    monkeypatch.setitem(authors.EVIDENCE_WEIGHTS, "A", 0.0)
    r = AuthorResolver()
    ji, jae, third = _lopez_papers(r)
    r.resolve()
    assert r.key_of(third[0]) not in (r.key_of(ji[0][0]), r.key_of(jae[0][0]))
    assert any(d.kind == "ambiguous" and d.variant == "Kim, J." for d in r.decisions)



# -- the given-name half of the name-frequency prior -------------------------------------------------

def _matthews(r: AuthorResolver) -> None:
    """'Matthew' written out with six other family names: a common first name in this collection."""
    _add(r, [[Person(f, "Matthew"), Person("Other", "Olga")] for f in ("Ames", "Bray", "Cole", "Dunn", "Eddy", "Ford")])


def test_common_first_name_in_a_quiet_block_is_split_by_evidence() -> None:
    """Two Matthew Briebrys with disjoint co-authors and institutions: a rare family name, but a first
    name many families carry, so the two evidence groups are two people (before: one author, as the
    block holds fewer than CROWD_SPLIT full names)."""
    r = AuthorResolver()
    _matthews(r)
    lab_a = _add(r, [[Person("Briebry", "Matthew D.", affiliations=["Fosste Medical Center, Oxford, UK"]),
                      Person("Zahl", "Uwe")]] * 2)
    lab_b = _add(r, [[Person("Briebry", "Matthew", affiliations=["Drymtux University, Perth, Australia"]),
                      Person("Quint", "Vera")]] * 2)
    r.resolve()
    a, b = {r.key_of(w[0]) for w in lab_a}, {r.key_of(w[0]) for w in lab_b}
    assert len(a) == len(b) == 1 and a != b


def test_rare_first_name_in_a_quiet_block_stays_one_author() -> None:
    """The same collection with 'Albert-Laszlo', which no other family carries: one person."""
    r = AuthorResolver()
    _matthews(r)
    lab_a = _add(r, [[Person("Barabasi", "Albert-Laszlo"), Person("Albert", "Reka")]] * 2)
    lab_b = _add(r, [[Person("Barabasi", "Albert-Laszlo"), Person("Vicsek", "Tamas")]] * 2)
    r.resolve()
    assert len({r.key_of(w[0]) for w in lab_a + lab_b}) == 1


def test_name_ambiguity_counts_the_authors_carrying_a_co_author_name() -> None:
    """Two authors named 'Lee, Soo-Jin' and one 'Lee, Sang-Hoon': the co-author name 'Lee, Soo-Jin' is
    carried by 2 authors and 'Lee, S.' (family + initial) by 3; a name one author carries is not listed
    (its weight stays)."""
    from graphkit.resolve.authors import NameForm, _form, name_ambiguity

    def f(given: str) -> NameForm:
        return _form("Lee", given)

    got = name_ambiguity([(f("Soo-Jin"), "name:lee|soo-jin"), (f("Soo-Jin"), "name:lee|soo-jin#2"),
                          (f("Soojin"), "name:lee|soo-jin"), (f("Sang-Hoon"), "name:lee|sang-hoon"),
                          (f("S."), "name:lee|sang-hoon"), (_form("Park", "Min"), "name:park|min"), (None, "x")])
    assert got == {("C", "lee|soojin"): 2, ("c", "lee|s"): 3}


def test_second_pass_weighs_a_shared_co_author_name_by_its_authors(monkeypatch) -> None:
    """The weights of the second pass: a co-author name that the first pass gave to two authors counts
    half (before: the paper idf alone)."""
    import graphkit.resolve.authors as authors

    seen: list[dict] = []
    original = authors.AuthorResolver._prepare_weights

    def spy(self) -> None:
        original(self)
        seen.append(self.feature_weights())

    monkeypatch.setattr(authors.AuthorResolver, "_prepare_weights", spy)
    monkeypatch.setattr(authors.AuthorResolver, "keep_feature_names", True)
    r = AuthorResolver()
    _add(r, [[Person("Lee", g)] for g in ("Ara", "Bom", "Chan")])  # a crowded Lee block
    for aff, mate in (("Seoul National University, Seoul", "Cho, Eun"), ("KAIST, Daejeon", "Yoo, Dan")):
        _add(r, [[Person("Lee", "Soo-Jin", affiliations=[aff]), parse_name(mate)]] * 2)
    r.resolve()
    assert len(seen) == authors.PASSES == 2
    feature = ("C", "lee|soojin")
    assert seen[1][feature] == pytest.approx(seen[0][feature] / 2)


def test_each_pass_weighs_from_the_same_counts(monkeypatch) -> None:
    """The weights are kept between passes and a later pass's changes undone before the next: with
    three passes, every pass has the weights computed afresh from the paper counts (the base features'
    idf, the last pass's authors as 'K', the co-author names divided by their authors), and the third
    pass's differ from the second's only by what the second pass's authors changed."""
    import math
    from collections import Counter
    from itertools import chain

    import graphkit.resolve.authors as authors
    from graphkit.resolve.authors import EVIDENCE_WEIGHTS

    def fresh(self) -> dict:
        """The weights from the paper counts, by feature name (ids inside the resolver), but the zeros."""
        name = self._fnames.__getitem__
        df, n = self._document_frequencies()
        n = max(1, n)

        def weighed(counts):
            return {name(f): EVIDENCE_WEIGHTS[name(f)[0]] * math.log(1 + n / c) / math.log(1 + n)
                    for f, c in counts.items()}

        weights = weighed(df)
        if self._cokey is not None:
            weights.update(weighed(Counter(chain.from_iterable(
                {f for j in occs if (f := self._cofeat[j])} for occs in self._work_occs))))
            for f, people in self._name_ambiguity().items():
                if name(f) in weights:
                    weights[name(f)] /= people
        return {f: w for f, w in weights.items() if w}

    seen: list[tuple[dict, dict]] = []
    original = authors.AuthorResolver._prepare_weights

    def spy(self) -> None:
        original(self)
        seen.append((self.feature_weights(), fresh(self)))

    monkeypatch.setattr(authors, "PASSES", 3)
    monkeypatch.setattr(authors.AuthorResolver, "keep_feature_names", True)
    monkeypatch.setattr(authors.AuthorResolver, "_prepare_weights", spy)
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.generate import collision_corpus

    _resolve_corpus(collision_corpus(600, seed=3), 1)
    assert len(seen) == 3
    for kept, expected in seen:
        assert kept == expected
    assert any(f[0] == "K" for f in seen[1][0]) and seen[1][0] != seen[0][0]
    assert any(seen[1][0][f] < seen[0][0][f] for f in seen[0][0] if f[0] in "Cc")  # names divided


def test_a_shared_initial_counts_only_with_its_full_name(monkeypatch) -> None:
    """A co-author's family + initial ('c') counts when the two sides share its full name ('C') too, or
    one side has no full first name for it; 'Thomas, Samantha' and 'Thomas, Shane' share neither. The
    resolver keeps features as ids and the 'C' -> 'c' -> 'F' pairs in an array: both sides of the rule."""
    import graphkit.resolve.authors as authors

    monkeypatch.setattr(authors.AuthorResolver, "keep_feature_names", True)
    scores: dict[str, float] = {}
    real = authors.AuthorResolver._prepare_weights

    def grab(self) -> None:
        real(self)
        if scores:
            return
        feats = authors._LazyFeatures(self._features)
        w = self.feature_weights()
        scores["C+c"] = round(w[("C", "thomas|samantha")] + w[("c", "thomas|s")], 9)
        scores["same"] = self._score(feats[sam[0][0]], feats[sam[1][0]])
        scores["other"] = self._score(feats[sam[0][0]], feats[shane[0]])
        scores["initial"] = self._score(feats[sam[0][0]], feats[initial[0]])
        scores["c"] = round(w[("c", "thomas|s")], 9)

    monkeypatch.setattr(authors.AuthorResolver, "_prepare_weights", grab)
    r = AuthorResolver()
    sam = [r.add_work([Person("Okonkwo", "Ji"), Person("Thomas", "Samantha")]) for _ in range(2)]
    shane = r.add_work([Person("Okonkwo", "Ji"), Person("Thomas", "Shane")])
    initial = r.add_work([Person("Okonkwo", "Ji"), Person("Thomas", "S.")])
    r.add_work([Person("Other", "Person"), Person("Someone", "Else")])  # (idf below 1 for the rest)
    r.resolve()
    assert scores["same"] == scores["C+c"] > scores["c"] > 0
    assert scores["other"] == 0.0
    assert scores["initial"] == scores["c"]


def test_institution_ids_sort_as_the_institutions(monkeypatch) -> None:
    """An occurrence's institutions are part of its content key; inside the resolver they are ids, given
    in institution order, so the ids of any two sort as their names do (whatever the input order)."""
    import graphkit.resolve.authors as authors

    monkeypatch.setattr(authors.AuthorResolver, "keep_feature_names", True)
    r = AuthorResolver()
    for aff in ("Zeta University", "Alpha University", "Mid University", "Beta Institute"):
        r.add_work([Person("Kim", "Ji", affiliations=[aff]), Person("Lee", "Bo")])
    r.resolve()
    got = [v for k, v in r._fnames if k == "a"]  # noqa: SLF001 - in id order
    assert got == sorted(got) == ["alphauniversity", "betainstitute", "miduniversity", "zetauniversity"]


def test_only_the_F_kind_weighs_nothing() -> None:
    """``_grow`` leaves 'F' features out of its candidate index: exact because 'F' is the one kind
    without weight (a candidate found through it would gain 0)."""
    from graphkit.resolve.authors import EVIDENCE_WEIGHTS

    assert {k for k, w in EVIDENCE_WEIGHTS.items() if not w} == {"F"}


# -- institutions as evidence, nicknames, quiet initials (session 5) ----------------------------------

def test_paper_institution_places_an_initials_variant_in_one_pass(monkeypatch) -> None:
    """'Kim, J.' has no address of its own, but its paper names Seoul (Lopez's address), as Kim
    Ji-Hoon's papers do: the paper's institutions ('A') are evidence without a second pass."""
    import graphkit.resolve.authors as authors

    monkeypatch.setattr(authors, "PASSES", 1)
    r = AuthorResolver()
    ji, jae, third = _lopez_papers(r)
    r.resolve()
    assert r.key_of(third[0]) == r.key_of(ji[0][0]) == "name:kim|ji-hoon"
    assert r.key_of(jae[0][0]) == "name:kim|jae-won"


def test_nickname_in_an_author_does_not_keep_initials_out() -> None:
    """'Bill' joins William with evidence (the same co-author); 'W.' then still fits William (before,
    'W.' had to fit 'Bill' too, and stayed an author of its own)."""
    r = AuthorResolver()
    william = _add(r, [[Person("Chitlo", "William"), Person("Zedar", "Anna")]] * 2)
    bill = _add(r, [[Person("Chitlo", "Bill"), Person("Zedar", "Anna")]])
    w = _add(r, [[Person("Chitlo", "W."), Person("Zedar", "Anna")]])
    r.resolve()
    assert r.key_of(bill[0][0]) == r.key_of(w[0][0]) == r.key_of(william[0][0]) == "name:chitlo|william"


def test_affiliation_conflict() -> None:
    from graphkit.resolve.authors import _aff_conflict

    seoul, madrid, venue = ("a", "seoulnationaluniversity"), ("a", "universidadcomplutense"), ("v", "j1")
    block = {seoul, madrid}  # the block's institutions
    assert _aff_conflict({seoul, venue}, {madrid}, block)
    assert not _aff_conflict({seoul, venue}, {madrid, seoul}, block)  # a second institution, shared
    assert not _aff_conflict({venue}, {madrid}, block)  # one side names no institution: no conflict
    assert not _aff_conflict({seoul}, {venue}, block)
    assert not _aff_conflict({seoul}, {seoul, venue}, block)  # the same institution


def test_one_evidence_group_keeps_a_lone_paper_at_another_institution_apart() -> None:
    """Kim Ji-Hoon: one lab at Seoul (three papers, one co-author) and a lone paper from Madrid with
    nothing in common. Before, one evidence group meant one author; now the other institution says two
    people, and the report lists it as kept apart."""
    r = AuthorResolver()
    _add(r, _crowd())
    seoul, madrid = "Seoul National University, Seoul, Korea", "Universidad Complutense, Madrid, Spain"
    lab = _add(r, [[Person("Kim", "Ji-Hoon", affiliations=[seoul]), Person("Park", "Soo-Jin")]] * 3)
    lone = _add(r, [[Person("Kim", "Ji-Hoon", affiliations=[madrid]), Person("Garcia", "Luis")]])
    r.resolve()
    assert len({r.key_of(w[0]) for w in lab}) == 1
    assert r.key_of(lone[0][0]) != r.key_of(lab[0][0])
    assert any(d.kind == "kept-apart" and d.variant == "Kim, Ji-Hoon" for d in r.decisions)


def test_lone_paper_without_an_address_still_joins_the_one_group() -> None:
    """The same without the Madrid address: nothing says two people, so one author (as before)."""
    r = AuthorResolver()
    _add(r, _crowd())
    seoul = "Seoul National University, Seoul, Korea"
    lab = _add(r, [[Person("Kim", "Ji-Hoon", affiliations=[seoul]), Person("Park", "Soo-Jin")]] * 3)
    lone = _add(r, [[Person("Kim", "Ji-Hoon"), Person("Garcia", "Luis")]])
    r.resolve()
    assert r.key_of(lone[0][0]) == r.key_of(lab[0][0])


def test_quiet_initials_join_the_one_fuller_initials_form_they_fit() -> None:
    """No full name in the block: 'T.' fits only 'T.-L.', so one author (before: one per form)."""
    r = AuthorResolver()
    tl = _add(r, [[Person("Flopry", "T.-L."), Person("Aster", "Bo")], [Person("Flopry", "T. L."), Person("Aster", "Bo")]])
    t = _add(r, [[Person("Flopry", "T."), Person("Ember", "Cy")]])
    r.resolve()
    assert r.key_of(t[0][0]) == r.key_of(tl[0][0]) == r.key_of(tl[1][0])


def test_quiet_initials_that_fit_two_fuller_forms_stay_apart() -> None:
    """'T.' fits both 'T.-L.' and 'T.-K.': it joins neither."""
    r = AuthorResolver()
    tl = _add(r, [[Person("Flopry", "T.-L."), Person("Aster", "Bo")]])
    tk = _add(r, [[Person("Flopry", "T.-K."), Person("Dunmore", "Di")]])
    t = _add(r, [[Person("Flopry", "T."), Person("Ember", "Cy")]])
    r.resolve()
    assert r.key_of(t[0][0]) not in (r.key_of(tl[0][0]), r.key_of(tk[0][0]))


def test_blocks_stay_in_one_process_without_memory_for_the_forks(monkeypatch) -> None:
    """Each forked worker may copy up to the resolver's heap: without that much free memory per worker
    the blocks are clustered in this process."""
    from types import SimpleNamespace

    import psutil

    import graphkit.resolve.authors as authors

    called = []
    monkeypatch.setattr(authors, "PARALLEL_MIN", 0)
    monkeypatch.setattr(authors.AuthorResolver, "_clustered_forked", lambda *a: called.append(1) or iter(()))
    monkeypatch.setattr(psutil, "virtual_memory", lambda: SimpleNamespace(available=1))
    r = AuthorResolver(workers=2)
    occ = [o for n in range(3) for o in r.add_work([Person("Kim", "Ji-Hoon"), Person(f"Lee{n}", "A.")])]
    r.resolve()
    assert not called
    assert r.key_of(occ[0]) == r.key_of(occ[2]) == "name:kim|ji-hoon"


def test_fork_memory_counts_the_resolvers_own_pages(monkeypatch) -> None:
    """The memory a worker may copy is the resolver process's own pages (USS), not its RSS, which
    counts the pages it shares with the build's driver: with room for two USS but not two RSS, the
    blocks are forked; with less, they are not."""
    from types import SimpleNamespace

    import psutil

    import graphkit.resolve.authors as authors

    called: list[int] = []
    monkeypatch.setattr(authors, "PARALLEL_MIN", 0)
    monkeypatch.setattr(authors, "CAN_FORK", True)
    monkeypatch.setattr(authors.AuthorResolver, "_clustered_forked", lambda self, blocks, names: called.append(1) or (
        (b, self._block_clusters(blocks[b]), self._scored) for b in names))  # (clustered here)
    monkeypatch.setattr(psutil, "Process", lambda: SimpleNamespace(
        memory_full_info=lambda: SimpleNamespace(uss=100), memory_info=lambda: SimpleNamespace(rss=1000)))
    monkeypatch.setattr(psutil, "virtual_memory", lambda: SimpleNamespace(available=250))
    assert authors._memory_for_forks(2)
    r = AuthorResolver(workers=2)
    r.add_work([Person("Kim", "Ji-Hoon"), Person("Lee", "A.")])
    r.add_work([Person("Park", "B.")])
    r.resolve()
    assert called
    monkeypatch.setattr(psutil, "virtual_memory", lambda: SimpleNamespace(available=150))
    assert not authors._memory_for_forks(2)


def test_the_resolvers_name_ambiguity_is_name_ambiguity(monkeypatch) -> None:
    """The second pass counts a co-author name's authors by signature (AuthorResolver._name_ambiguity):
    the same counts as name_ambiguity over the name forms, on a corpus where many names are shared."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.generate import collision_corpus
    import graphkit.resolve.authors as authors

    checked: list[int] = []
    real = authors.AuthorResolver._name_ambiguity

    def both(self):
        got = real(self)
        named = {self._fnames[f]: n for f, n in got.items()}  # (ids inside the resolver)
        assert named == authors.name_ambiguity(zip(self._o_form, self._cokey))
        checked.append(len(got))
        return got

    monkeypatch.setattr(authors.AuthorResolver, "_name_ambiguity", both)
    monkeypatch.setattr(authors.AuthorResolver, "keep_feature_names", True)
    r = AuthorResolver()
    for p in collision_corpus(1500, seed=11):
        r.add_work([Person(f, g) for _, f, g in p.authors], p.venue, keywords=p.keywords, year=p.year or None)
    r.resolve()
    assert len(checked) == authors.PASSES - 1 and checked[0] > 20


def test_work_occurrences_lists_each_papers_occurrences_in_order() -> None:
    """Paper -> its occurrences as two arrays: occurrences of one paper added apart from each other
    (``add`` with a context's id) are still that paper's, in occurrence order; an occurrence without a
    paper (-1) is nobody's; a paper without occurrences has an empty list."""
    from graphkit.resolve.authors import _WorkOccurrences

    of = [0, 2, 0, -1, 2, 2, 0]
    got = _WorkOccurrences(4, of)
    assert len(got) == 4
    assert [list(got[w]) for w in range(4)] == [[0, 2, 6], [], [1, 4, 5], []]
    assert [list(occs) for occs in got] == [[0, 2, 6], [], [1, 4, 5], []]
    assert list(_WorkOccurrences(0, [])) == []


def test_work_table_gives_each_paper_as_the_tuples_did() -> None:
    """The passes' works as arrays (_WorkTable): each paper's co-author signatures, venue, keywords and
    year as the list of tuples held them (no venue and no year: None; year 0 stays 0), rows of any
    length, empty ones included; the signatures' features (_Ragged) row by row."""
    from graphkit.resolve.authors import _Ragged, _WorkTable

    works = [([3, 1, 3], 7, (10, 11), 2019), ([], None, (), None), ([5], None, (12,), 0), ([2, 9], 4, (), 1987)]
    table = _WorkTable(works)
    assert len(table) == 4
    got = [(list(s), v, list(k), y) for s, v, k, y in table]
    assert got == [(list(s), v, list(k), y) for s, v, k, y in works]
    assert [table.year(w) for w in range(4)] == [2019, None, 0, 1987]
    sigs, venue, kws, year = table[0]
    assert 3 in sigs and sigs.index(3) == 0 and list(sigs[:0] + sigs[1:]) == [1, 3]
    ragged = _Ragged([(1, 2, 3), (), (4,)])
    assert len(ragged) == 3 and [list(ragged[i]) for i in range(3)] == [[1, 2, 3], [], [4]]
    assert len(_WorkTable(())) == 0 and list(_WorkTable(())) == []


def test_occurrences_are_columns_not_an_object_each() -> None:
    """The resolver keeps its occurrences as columns (names, ORCIDs, name forms, papers, signatures): the
    objects it holds grow with the papers and the distinct names, not with the occurrences (a forked
    block worker copies every page of an object it reads). Twice the papers of the same 40 names: well
    under one object more per occurrence (a paper's own few, shared by its three authors; an object per
    occurrence is at least one)."""
    import gc

    names = [(f"Family{k % 10}", f"{'ABCD'[k // 10]}.") for k in range(40)]

    def resolver(papers: int) -> tuple[AuthorResolver, int]:
        gc.collect()
        before = len(gc.get_objects())
        r = AuthorResolver()
        for w in range(papers):
            people = [Person(f, g, affiliations=[f"Dept X, University {w % 3}, Town"] if k == 0 else [])
                      for k, (f, g) in enumerate(names[w % 37:w % 37 + 3])]
            r.add_work(people, f"journal {w % 5}", keywords=[f"topic {w % 7}"], year=2000 + w % 20)
        gc.collect()  # (counted once the collector has untracked what it untracks: not when it last ran)
        return r, len(gc.get_objects()) - before

    _, n_small = resolver(400)
    large, n_large = resolver(800)
    # (0.67 with columns: each paper's signature list and entry, shared by its three authors; an object
    # per occurrence adds at least one more)
    assert (n_large - n_small) / (3 * 400) < 0.9
    large.resolve()
    assert all(large.key_of(i) for i in range(3 * 800))


@pytest.mark.parametrize("way", ["pickle", "dump"])
def test_a_prepared_resolver_pickled_resolves_as_one_resolved_in_place(way) -> None:
    """A build prepares the resolver in a process of its own and takes it back pickled
    (AuthorResolver.prepare; a build writes it with AuthorResolver.dump, one attribute at a time):
    loaded, it gives the same keys and decisions as a resolver never pickled, on a corpus of shared
    names, ORCIDs and affiliations; its name forms keep their equality and hash, and one form shared by
    several occurrences is still one object."""
    import io
    import pickle
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.generate import collision_corpus

    def fed() -> AuthorResolver:
        r = AuthorResolver()
        for k, p in enumerate(collision_corpus(800, seed=5)):
            people = [Person(f, g, orcid="0000-0002-1825-0097" if (k, f) == (3, p.authors[0][1]) else None,
                             affiliations=[f"Dept {k % 4}, University {k % 3}, Town"] if k % 2 else None)
                      for _, f, g in p.authors]
            r.add_work(people, p.venue, keywords=p.keywords, year=p.year or None)
        return r

    here = fed()
    here.resolve()
    there = fed()
    there.prepare()
    forms = [f for f in there._o_form if f is not None]
    if way == "pickle":
        loaded = pickle.loads(pickle.dumps(there))
    else:
        buffer = io.BytesIO()
        there.dump(buffer)
        buffer.seek(0)
        loaded = AuthorResolver.load(buffer)
    got = [f for f in loaded._o_form if f is not None]
    assert got == forms and [hash(f) for f in got] == [hash(f) for f in forms]
    assert len({id(f) for f in got}) == len({id(f) for f in forms}) < len(got)
    loaded.resolve()
    n = len(forms)
    assert n > 1000
    assert [loaded.key_of(i) for i in range(n)] == [here.key_of(i) for i in range(n)]
    assert loaded.decisions == here.decisions and len(here.decisions) > 0


def test_context_papers_added_apart_give_the_same_keys_as_papers_added_whole() -> None:
    """Author lists registered as context, their occurrences added later one position at a time across
    all papers (``add`` with the context's id): an occurrence's paper still names its co-authors'
    institutions and (second pass) its co-authors' authors, and the keys are those of the same lists
    added with ``add_work`` (in _lopez_papers only those decide 'Kim, J.')."""
    seoul, madrid = "Seoul National University, Seoul, Korea", "Universidad Complutense, Madrid, Spain"
    papers = [[Person("Kim", "Ji-Hoon"), Person("Lopez", "Ana", affiliations=[seoul])]] * 2 \
        + [[Person("Kim", "Jae-Won"), Person("Lopez", "Alberto", affiliations=[madrid])]] * 2 \
        + [[Person("Kim", "J."), Person("Lopez", "A.", affiliations=[seoul])]]
    whole = AuthorResolver()
    ids = [whole.add_work(p) for p in papers]
    whole.resolve()
    apart = AuthorResolver()
    works = [apart.add_context(p) for p in papers]
    occ = {(w, pos): apart.add(people[pos], work=works[w]) for pos in range(2) for w, people in enumerate(papers)}
    apart.resolve()
    assert whole.key_of(ids[-1][0]) == "name:kim|ji-hoon"
    assert [[apart.key_of(occ[w, k]) for k in range(2)] for w in range(len(papers))] == \
        [[whole.key_of(i) for i in got] for got in ids]


def _state(r: AuthorResolver) -> dict:
    """A resolver's state by value (its ragged tables as lists of rows)."""
    from graphkit.resolve.authors import _Ragged, _WorkTable

    out = {}
    for name, value in r.__getstate__().items():
        if isinstance(value, (_Ragged, _WorkTable)):
            value = [tuple(row) if not isinstance(row, tuple) else
                     tuple(tuple(x) if isinstance(x, array) else x for x in row) for row in value]
        out[name] = value
    return out


@pytest.mark.parametrize("mode", ["compatible", "initial"])
def test_papers_added_as_columns_are_papers_added_one_by_one(mode) -> None:
    """``add_papers`` (a run of papers as columns, how a build adds them) leaves the state that
    ``add_paper`` per paper leaves: the same occurrences, name forms, signatures and feature ids in the
    same order, before and after ``prepare``, and the same keys and decisions. The corpus has shared
    names, ORCIDs (one with a bad check digit), affiliations, names without a family name or given
    names, and papers without venue or keywords."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.generate import collision_corpus

    papers = []
    for k, p in enumerate(collision_corpus(600, seed=11)):
        rows = [(f, g, "https://orcid.org/0000-0002-1825-0097" if k % 7 == 0 and i == 0 else
                 ("0000-0002-1825-0098" if k % 11 == 0 else None), [a, "Dept X, Town"] if a else None)
                for i, ((_, f, g), a) in enumerate(zip(p.authors, p.affiliations))]
        if k % 13 == 0:
            rows.append(("", "Anonymous", None, None))
        if k % 17 == 0:
            rows.append(("--", None, None, ["Nowhere University"]))
        papers.append((rows, p.venue if k % 5 else None, p.keywords if k % 3 else None))

    one = AuthorResolver(mode, variants=False)
    for rows, venue, kws in papers:
        one.add_paper([f for f, *_ in rows], [g for _, g, *_ in rows], [o for *_, o, _ in rows],
                      [a for *_, a in rows], venue, keywords=kws or ())
    cols = AuthorResolver(mode, variants=False)
    for run in (papers[:250], papers[250:251], papers[251:]):
        flat = [row for rows, _, _ in run for row in rows]
        starts = list(itertools.accumulate([len(rows) for rows, _, _ in run[:-1]], initial=0))
        cols.add_papers([f for f, *_ in flat], [g for _, g, *_ in flat], [o for *_, o, _ in flat],
                        [a for *_, a in flat], starts, [v for _, v, _ in run], [k for *_, k in run])
    assert len(one._o_work) > 2000 and any(one._o_orcid) and any(one._o_affs) == (mode == "compatible")
    assert _state(cols) == _state(one)
    one.prepare()
    cols.prepare()
    assert _state(cols) == _state(one)
    one.resolve()
    cols.resolve()
    n = len(one._o_work)
    assert [cols.key_of(i) for i in range(n)] == [one.key_of(i) for i in range(n)]
    assert cols.decisions == one.decisions


def _named_papers() -> list:
    """Papers as (rows of (family, given, ORCID, affiliations), venue, keywords): shared names, names
    written several ways ('J' and 'J.', a trailing space), given names ending in particles that move to
    the family name ('J. van der'), names without a family or given name."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.generate import collision_corpus

    odd = [("Berg", "J. van der"), ("Berg", "Jan van der"), ("van der Berg", "J."), ("Berg ", "J"), ("Berg", "J."),
           ("", "X."), ("Anonymous", None), ("Anonymous", ""), ("--", "A."), ("Lee", "J.-H. de"), ("Lee", "J-H")]
    papers = []
    for k, p in enumerate(collision_corpus(500, seed=3)):
        rows = [(f, g, "0000-0002-1825-0097" if k % 9 == 0 and i == 0 else None, [a] if a else None)
                for i, ((_, f, g), a) in enumerate(zip(p.authors, p.affiliations))]
        if k % 4 == 0:
            f, g = odd[k // 4 % len(odd)]
            rows.append((f, g, None, ["Dept Y, Town"] if k % 8 == 0 else None))
        papers.append((rows, p.venue if k % 5 else None, p.keywords if k % 3 else None))
    return papers


def test_names_registered_at_once_are_names_added_one_by_one(monkeypatch) -> None:
    """``register_names`` (every name of the input at once, how a build adds them) then ``add_papers``
    with its form numbers leaves the state ``add_papers`` alone leaves: the same name forms, signatures,
    feature ids (kinds, names and the co-author name pairs) and occurrences, in the same order, before
    and after ``prepare`` (but the lookups by spelling, which it does not build), and the same keys and
    decisions."""
    import numpy as np
    import pyarrow as pa

    monkeypatch.setattr(AuthorResolver, "keep_feature_names", True)
    papers = _named_papers()
    runs = (papers[:200], papers[200:201], papers[201:])

    def columns(run):
        flat = [row for rows, _, _ in run for row in rows]
        starts = list(itertools.accumulate([len(rows) for rows, _, _ in run[:-1]], initial=0))
        return ([f for f, *_ in flat], [g for _, g, *_ in flat], [o for *_, o, _ in flat], [a for *_, a in flat],
                starts, [v for _, v, _ in run], [k for *_, k in run])

    plain = AuthorResolver(variants=False)
    for run in runs:
        plain.add_papers(*columns(run))
    named = AuthorResolver(variants=False)
    every = [row for rows, _, _ in papers for row in rows]
    nforms = named.register_names(pa.array([f for f, *_ in every], pa.string()),
                                  pa.array([g for _, g, *_ in every], pa.string()))
    assert isinstance(nforms, np.ndarray) and len(nforms) == len(every)
    at = 0
    for run in runs:
        cols = columns(run)
        named.add_papers(*cols, nforms=nforms[at:at + len(cols[0])].tolist())
        at += len(cols[0])
    moved = [f for f in plain._form_list if f.family == "vanderberg"]
    assert moved and len(plain._form_list) > 500 and any(not f.family for f in plain._form_list)
    built = ("_forms", "_parts", "_sig_ids", "_fids", "_sig_features", "_sig_table", "_registered")
    before_p, before_n = _state(plain), _state(named)
    assert {k: v for k, v in before_n.items() if k not in built} == {
        k: v for k, v in before_p.items() if k not in built}
    assert before_n["_sig_table"] == [tuple(x) for x in plain._sig_features]
    with pytest.raises(RuntimeError):
        named.add_paper(["Berg"], ["J."], [None], [None])
    plain.prepare()
    named.prepare()
    after_p, after_n = _state(plain), _state(named)
    assert after_n.pop("_registered") and not after_p.pop("_registered")
    assert after_n == after_p
    plain.resolve()
    named.resolve()
    n = len(plain._o_work)
    assert [named.key_of(i) for i in range(n)] == [plain.key_of(i) for i in range(n)]
    assert named.decisions == plain.decisions


def test_names_are_registered_only_in_a_new_compatible_resolver() -> None:
    import pyarrow as pa

    names = pa.array(["Berg"]), pa.array(["J."])
    with pytest.raises(RuntimeError):
        AuthorResolver("initial").register_names(*names)
    used = AuthorResolver()
    used.add_paper(["Berg"], ["J."], [None], [None])
    with pytest.raises(RuntimeError):
        used.register_names(*names)
    empty = AuthorResolver()
    assert len(empty.register_names(pa.array([], pa.string()), pa.array([], pa.string()))) == 0
    empty.prepare()
    empty.resolve()


def _prepared_collision_resolver(n: int = 800) -> AuthorResolver:
    """A prepared resolver (blocks and evidence as feature ids) of a generated corpus where many names
    are shared, with affiliations and keywords as evidence."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.generate import collision_corpus

    r = AuthorResolver()
    for p in collision_corpus(n, seed=5):
        people = [Person(f, g, affiliations=[a] if a else None) for (_, f, g), a in zip(p.authors, p.affiliations)]
        r.add_work(people, p.venue, keywords=p.keywords, year=p.year or None)
    r.prepare()
    return r


def test_document_frequencies_count_each_feature_once_per_paper() -> None:
    """The papers per evidence feature counted in numpy are the set-per-paper definition: a paper's
    co-author name features, keywords and venue once each, each occurrence's own institutions once per
    occurrence, the institutions a paper names once per paper; papers without authors do not count."""
    from collections import Counter

    r = _prepared_collision_resolver()
    expected: Counter[int] = Counter()
    papers = 0
    for w in range(len(r._work_table)):
        sigs, venue, kws, _ = r._work_table[w]
        if not len(sigs):
            continue
        papers += 1
        feats = set(kws).union(*(r._sig_table[s] for s in sigs))
        if venue:
            feats.add(venue)
        expected.update(feats)
    expected.update(r._o_aff_ids._values)
    for w in range(len(r._work_table)):
        expected.update(r._work_insts[w])
    got, n = r._document_frequencies()
    assert n == papers > 500
    assert got == dict(expected) and len(got) > 1000
    assert all(isinstance(k, int) and isinstance(v, int) for k, v in got.items())


def test_papers_per_feature_counts_distinct_papers() -> None:
    """One feature id per occurrence (0: none), papers by their occurrences: each feature counted once
    per paper that has it, however many of the paper's occurrences carry it."""
    from array import array

    from graphkit.resolve.authors import _papers_per_feature, _WorkOccurrences

    # papers: 0 -> occurrences 0, 1, 2; 1 -> 3, 4; 2 -> none; 3 -> 5
    work_occs = _WorkOccurrences(4, [0, 0, 0, 1, 1, 3])
    feature_of = array("q", [7, 7, 0, 7, 9, 9])
    assert _papers_per_feature(feature_of, work_occs) == {7: 2, 9: 2}
    assert _papers_per_feature(array("q"), _WorkOccurrences(0, [])) == {}


def test_gather_and_distinct_on_ragged_rows() -> None:
    import numpy as np

    from graphkit.resolve.authors import _distinct, _gather, _Ragged

    rows = _Ragged([[1, 2], [], [3], [4, 5, 6]])
    values, owner = _gather(rows, np.array([3, 1, 0, 3], dtype=np.int64))
    assert values.tolist() == [4, 5, 6, 1, 2, 4, 5, 6] and owner.tolist() == [0, 0, 0, 2, 2, 3, 3, 3]
    empty, none = _gather(rows, np.array([], dtype=np.int64))
    assert empty.tolist() == [] and none.tolist() == []
    assert _distinct(np.array([5, 1, 5, 3, 1], dtype=np.int64)).tolist() == [1, 3, 5]
    assert _distinct(np.array([], dtype=np.int64)).tolist() == []


def test_kept_apart_table_keys_names_as_name_key_does() -> None:
    """kept_apart_table works the name key out from the family and the given name apart (each once) and
    joins them in Arrow: the same groups as name_key(Person) per author, on names with particles,
    initials, accents, no given name and no family name; the same from a table in several chunks with a
    dictionary column, and from rows (kept_apart, the old core's)."""
    import pyarrow as pa

    from graphkit.resolve.authors import kept_apart, kept_apart_table

    names = [("Berg", "J. van der"), ("van der Berg", "Jan"), ("Müller", "H.-J."), ("Mueller", "Hans"),
             ("Muller", None), ("", "Anna"), (None, "Anna"), ("O'Brien", "Pat"), ("OBrien", "P."),
             ("Kim", "JA"), ("Kim", "Ji-A"), ("Kim", "j. a."), ("al-Hassan", "Omar"), ("Hassan", "O"),
             ("Alone", "Una")]
    authors = [(f"a{i:02d}", f"{f}, {g}", f, g, None if i % 3 else f"0000-000{i % 10}")
               for i, (f, g) in enumerate(names * 2)][:-1]  # ('Alone, Una' once: no group)
    groups: dict[str, list[str]] = {}
    for key, _, family, given, _ in authors:
        nkey = name_key(Person(family or "", given), "initial")
        if nkey:
            groups.setdefault(nkey, []).append(key)
    expected = {k: sorted(v) for k, v in groups.items() if len(v) > 1}
    columns = ("key", "name", "family", "given", "orcid")
    table = pa.table({c: pa.array([a[i] for a in authors], pa.string()) for i, c in enumerate(columns)})
    got = kept_apart_table(table)
    assert {x["name_key"]: [a["key"] for a in x["authors"]] for x in got} == expected and len(expected) >= 6
    assert [x["name_key"] for x in got] == sorted(expected)
    assert {x["reason"] for x in got} >= {"given names conflict", "different ORCIDs and given names that conflict"}
    chunked = pa.concat_tables([table.slice(0, 7), table.slice(7)])
    chunked = chunked.set_column(2, "family", pa.chunked_array([c.dictionary_encode()
                                                                for c in chunked.column("family").chunks]))
    assert kept_apart_table(chunked) == got
    assert kept_apart([dict(zip(columns, a)) for a in authors]) == got
    assert kept_apart_table(table.slice(0, 0)) == kept_apart([]) == []


def test_first_use_numbers_number_values_as_a_dict_filled_in_order_would() -> None:
    import numpy as np

    from graphkit.resolve.authors import _first_use_numbers

    codes = np.array([50, 30, 50, 90, 30, 10], dtype=np.int64)
    numbers, first = _first_use_numbers(codes)
    seen: dict[int, int] = {}
    assert numbers.tolist() == [seen.setdefault(c, len(seen)) for c in codes.tolist()] == [0, 1, 0, 2, 1, 3]
    assert first.tolist() == [0, 1, 3, 5]
    empty, none = _first_use_numbers(np.array([], dtype=np.int64))
    assert len(empty) == len(none) == 0
