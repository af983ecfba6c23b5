"""graphkit.lookup: every form of an author, paper, journal and term finds the same node, on an in-memory
graph, the embedded store and Neo4j; unknown and ambiguous names give a clear error (exit 1 in the CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphkit.build import build_from_files
from graphkit.cli import main
from graphkit.lookup import AmbiguousError, Catalog, NotFoundError, resolve, resolve_key
from graphkit.sinks.embedded import EmbeddedStore

PEOPLE = Path(__file__).parent / "fixtures" / "lookup" / "people.nbib"
ROCKLOFF = "orcid:0000-0002-1825-0097"

FORMS = [
    ("author", ["Rockloff, Matthew", "rockloff, matthew j.", "Rockloff, M.", "ROCKLOFF, MATTHEW J",
                "Matthew Rockloff", "Rockloff MJ", "0000-0002-1825-0097", "https://orcid.org/0000-0002-1825-0097",
                "0000000218250097", ROCKLOFF, "name:rockloff|m"], ROCKLOFF),
    ("author", ["Kim, Hyun-Jin", "kim, hyun jin", "Kim, Hyunjin", "Kim, H.-J.", "Hyun-Jin Kim", "Kim HJ"],
     "name:kim|hyun-jin"),
    ("author", ["Thomas, Shane", "thomas, s. a.", "Thomas SA"], "name:thomas|shane-a"),
    ("paper", ["10.1000/gam.1", "10.1000/GAM.1", "doi:10.1000/gam.1", "https://doi.org/10.1000/gam.1",
               "http://dx.doi.org/10.1000/GAM.1", "1001", "pmid:1001", "PMID: 1001", "doi:10.1000/gam.1",
               "gambling harm and the money people lose"], "doi:10.1000/gam.1"),
    ("paper", ["1003", "pmid:1003", "Sports betting advertising."], "pmid:1003"),
    ("journal", ["1050-5350", "1573-3602", "15733602", "journal of gambling studies", "J Gambl Stud",
                 "issn:1050-5350"], "issn:1050-5350"),
    ("keyword", ["problem gambling", "PROBLEM GAMBLING", "kw:problem gambling"], "kw:problem gambling"),
    ("mesh", ["Gambling", "gambling", "D005715", "mesh:D005715"], "mesh:D005715"),
    ("term", ["problem gambling", "Problem Gambling"], "kw:problem gambling"),
]


@pytest.fixture(scope="module")
def graph():
    return build_from_files([PEOPLE]).graph


@pytest.fixture(scope="module", params=["graph", "embedded", "neo4j"])
def source(request, graph, tmp_path_factory):
    if request.param == "graph":
        yield graph
        return
    if request.param == "embedded":
        store = EmbeddedStore(tmp_path_factory.mktemp("lookup") / "graphkit.db", create=True)
        store.ingest([PEOPLE])
    else:
        uri, _, _ = request.getfixturevalue("neo4j_env")
        driver = request.getfixturevalue("neo4j_driver")
        from graphkit.stores import open_store
        from conftest import wipe

        wipe(driver)
        store = open_store(neo4j=uri)
        store.ingest([PEOPLE])
    yield store
    store.close()


@pytest.mark.parametrize("kind, forms, key", FORMS, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(FORMS)])
def test_every_form_finds_the_same_node(source, kind, forms, key) -> None:
    cat = Catalog(source)
    for text in forms:
        got = resolve(cat, kind, text)
        if key is not None:
            assert got.key == key, text
        assert got.note is None, text


def test_terms_take_keyword_and_mesh(source) -> None:
    assert resolve_key(source, "term", "GAMBLING") == "mesh:D005715"
    # "advertising" is a keyword and (recognised in the keywords) a MeSH heading: the heading, visibly
    got = resolve(source, "term", "Advertising")
    assert got.key == "mesh:D000329" and got.note and "kw:advertising" in got.note
    assert resolve_key(source, "keyword", "ADVERTISING") == "kw:advertising"


def test_unknown_name_names_the_closest(source) -> None:
    with pytest.raises(NotFoundError, match=r"no author matches 'Rokloff, Matthew'; closest: Rockloff, Matthew J"):
        resolve(source, "author", "Rokloff, Matthew")
    with pytest.raises(NotFoundError, match=r"no paper matches '10.1000/nope'"):
        resolve(source, "paper", "10.1000/nope")
    with pytest.raises(NotFoundError, match=r"no journal matches 'Lancet'"):
        resolve(source, "journal", "Lancet")


def test_ambiguous_name_lists_every_candidate(source) -> None:
    with pytest.raises(AmbiguousError) as info:
        resolve(source, "author", "Thomas, S.")
    assert {c.key for c in info.value.candidates} == {"name:thomas|samantha-l", "name:thomas|shane-a"}
    assert "2 authors match 'Thomas, S.'" in str(info.value)
    with pytest.raises(AmbiguousError, match="3 authors match 'Kim'"):
        resolve(source, "author", "Kim")


def test_exact_match_among_several_is_taken_with_a_note(source) -> None:
    # "Kim, H" is an author of its own (initials that fit two Kims): the exact form wins, visibly
    got = resolve(source, "author", "Kim, H.")
    assert got.key == "name:kim|h"
    assert got.note and "name:kim|hyun-jin" in got.note and "name:kim|hye-won" in got.note


# -- the CLI: queries, viz, search --------------------------------------------------------------------

@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("cli") / "graphkit.db")
    assert CliRunner().invoke(main, ["ingest", str(PEOPLE), "--db", path, "-q"]).exit_code == 0
    return path


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_query_accepts_any_author_form(db) -> None:
    answers = set()
    for form in ("Rockloff, Matthew", "rockloff, m.", "https://orcid.org/0000-0002-1825-0097"):
        result = run("query", "co-authors", "-p", f"author={form}", "--db", db, "--format", "json")
        assert result.exit_code == 0, result.output
        answers.add(json.dumps(json.loads(result.stdout)))
    assert len(answers) == 1
    assert {r["key"] for r in json.loads(answers.pop())} == {"name:kim|hyun-jin", "name:kim|hye-won",
                                                              "name:thomas|samantha-l"}


def test_query_unknown_and_ambiguous_exit_1(db) -> None:
    result = run("query", "co-authors", "-p", "author=Rokloff, Matthew", "--db", db)
    assert result.exit_code == 1
    assert "no author matches 'Rokloff, Matthew'; closest: Rockloff, Matthew J" in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    result = run("query", "co-authors", "-p", "author=Thomas, S.", "--db", db)
    assert result.exit_code == 1 and "2 authors match 'Thomas, S.'" in result.output
    assert "name:thomas|samantha-l" in result.output and "name:thomas|shane-a" in result.output
    result = run("query", "citations", "-p", "paper=doi:10.9/none", "--db", db)
    assert result.exit_code == 1 and "no paper matches" in result.output


def test_query_note_when_one_of_several_is_taken(db) -> None:
    result = run("query", "co-authors", "-p", "author=Kim, H", "--db", db, "--format", "json")
    assert result.exit_code == 0, result.output
    assert "note: author 'Kim, H': took Kim, H (name:kim|h), the exact match" in result.stderr


def test_query_journal_by_either_issn(db) -> None:
    a = run("query", "journal-profile", "-p", "journal=1573-3602", "--db", db, "--format", "json")
    b = run("query", "journal-profile", "-p", "journal=Journal of Gambling Studies", "--db", db, "--format", "json")
    assert a.exit_code == 0 and a.stdout == b.stdout and json.loads(a.stdout)[0]["papers"] == 2


def test_viz_ego_by_orcid_and_unknown(db, tmp_path) -> None:
    out = tmp_path / "ego.html"
    result = run("viz", "ego", "--author", "https://orcid.org/0000-0002-1825-0097", "--db", db, "--out", str(out))
    assert result.exit_code == 0, result.output
    result = run("viz", "ego", "--author", "Nobody, N", "--db", db, "--out", str(out))
    assert result.exit_code == 1 and "no author matches 'Nobody, N'" in result.output
    result = run("viz", "paper", "--doi", "https://doi.org/10.1000/GAM.1", "--db", db, "--out", str(out))
    assert result.exit_code == 0, result.output


def test_search_finds_an_author_by_orcid_and_a_paper_by_doi(db) -> None:
    result = run("search", "https://orcid.org/0000-0002-1825-0097", "--db", db, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["key"] == ROCKLOFF
    result = run("search", "doi:10.1000/GAM.1", "--db", db, "--format", "json")
    assert json.loads(result.stdout)[0]["key"] == "doi:10.1000/gam.1"
