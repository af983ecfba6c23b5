"""graphkit.resolve.authors: ORCID beats name, folded family + initial, 'full' mode, display name."""

from __future__ import annotations

from graphkit.build import BuildOptions, build_graph
from graphkit.model import Person
from graphkit.resolve.authors import AuthorResolver, name_key, normalise_orcid
from graphkit.schema import Label, RelType
from resolve._records import rec


def resolve(people, mode="initial"):
    r = AuthorResolver(mode)
    occ = [r.add(p) for p in people]
    r.resolve()
    return r, [r.key_of(o) for o in occ]


def test_orcid_check_digit_and_forms() -> None:
    assert normalise_orcid("https://orcid.org/0000-0002-1825-0097") == "0000-0002-1825-0097"
    assert normalise_orcid("0000000218250097") == "0000-0002-1825-0097"
    assert normalise_orcid("0000-0002-1694-233X") == "0000-0002-1694-233X"
    assert normalise_orcid("0000-0002-1825-0098") is None  # wrong check digit


def test_unicode_folding_accents_hyphens_case() -> None:
    assert name_key(Person("Müller-Lüdenscheidt", "Hans")) == name_key(Person("MULLER LUDENSCHEIDT", "H."))
    assert name_key(Person("Grozinsky-Glasberg", "S.")) == "name:grozinskyglasberg|s"
    assert name_key(Person("O'Brien", "Áine")) == "name:obrien|a"


def test_initials_vs_full_names() -> None:
    people = [Person("Smith", "John A."), Person("Smith", "J."), Person("Smith", "Jane")]
    _, keys = resolve(people, "initial")
    assert len(set(keys)) == 1  # family + first initial: all three are one author (a known false merge)
    _, full = resolve(people, "full")
    assert len(set(full)) == 3
    assert full[0] == "name:smith|john-a"
    assert name_key(Person("Smith", "JA"), "full") == "name:smith|j-a"  # WoS-style run-together initials


def test_orcid_beats_name() -> None:
    people = [Person("Smith", "John", orcid="0000-0002-1825-0097"), Person("Smith", "J."),
              Person("Smith", "Jane", orcid="https://orcid.org/0000-0002-1694-233X")]
    r, keys = resolve(people)
    # two ORCIDs share the name key smith|j, so the ORCID-less "Smith, J." stays a name author
    assert keys == ["orcid:0000-0002-1825-0097", "name:smith|j", "orcid:0000-0002-1694-233X"]
    assert r.ambiguous_names() == {"name:smith|j": ["0000-0002-1694-233X", "0000-0002-1825-0097"]}
    # with one ORCID for the name, the ORCID-less occurrence joins it
    _, keys = resolve(people[:2])
    assert keys == ["orcid:0000-0002-1825-0097"] * 2


def test_orcid_separates_same_name() -> None:
    _, keys = resolve([Person("Wang", "Wei", orcid="0000-0002-1825-0097"),
                       Person("Wang", "Wei", orcid="0000-0002-1694-233X")])
    assert len(set(keys)) == 2


def test_display_name_is_fullest_variant_and_review_variants() -> None:
    g = build_graph([rec(title="One", year=2000, doi="10.1000/1", authors=[("Kaltsas", "G.")]),
                     rec(title="Two", year=2001, doi="10.1000/2", authors=[("Kaltsas", "Gregory A.")]),
                     rec(title="Three", year=2002, doi="10.1000/3", authors=[("Kaltsas", "G")])])
    authors = list(g.graph.nodes(Label.AUTHOR))
    assert len(authors) == 1
    assert authors[0]["name"] == "Kaltsas, Gregory A." and authors[0]["given"] == "Gregory A."
    assert g.graph.count(RelType.AUTHORED) == 3
    assert sorted(g.authors["name:kaltsas|g"].variants.values()) == [1, 1, 1]


def test_author_key_option_reaches_the_graph() -> None:
    records = [rec(title="One", year=2000, doi="10.1000/1", authors=[("Kaltsas", "G.")]),
               rec(title="Two", year=2001, doi="10.1000/2", authors=[("Kaltsas", "Gregory")])]
    assert build_graph(records).graph.count(Label.AUTHOR) == 1
    assert build_graph(records, BuildOptions(author_key="full")).graph.count(Label.AUTHOR) == 2


def test_orcid_does_not_swallow_other_given_names() -> None:
    _, keys = resolve([Person("Liu", "Jianghong", orcid="0000-0002-1825-0097"), Person("Liu", "J."),
                       Person("Liu", "Jiajia"), Person("Liu", "Jianghong")])
    assert keys == ["orcid:0000-0002-1825-0097", "orcid:0000-0002-1825-0097", "name:liu|j",
                    "orcid:0000-0002-1825-0097"]
