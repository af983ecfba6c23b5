"""graphkit.readers.ris: the real corpus counts, the seed, and one small fixture per edge case."""

from __future__ import annotations

import io

import pytest

from graphkit.model import Diagnostic, Record
from graphkit.readers import detect, read
from graphkit.readers._terms import split_mixed_terms
from graphkit.readers.ris import clean_doi, issns_in, parse_person, read_ris
from conftest import CORPUS, FIXTURES, SEED, corpus_counts, need_corpus, over_corpus, split

RIS_ROWS = [(f, n) for f, fmt, n in corpus_counts() if fmt == "RIS"]
FIX = FIXTURES / "ris"



def parse(name: str) -> tuple[list[Record], list[Diagnostic]]:
    return split(read_ris(FIX / name))


def parse_bytes(data: bytes) -> tuple[list[Record], list[Diagnostic]]:
    return split(read_ris("mem.ris", stream=io.BytesIO(data)))


# -- the real corpus ---------------------------------------------------------------------------------

@pytest.mark.corpus
@over_corpus("name, expected", RIS_ROWS)
def test_corpus_counts(name: str, expected: int) -> None:
    path = CORPUS / name
    assert detect(path) == "ris"
    records, diags = split(read(path))
    assert len(records) == expected
    assert not [d for d in diags if d.severity == "error"]
    for d in diags:  # every diagnostic names file and line
        assert d.source.file == str(path) and d.source.line >= 1
    assert [r.source.line for r in records] == sorted(r.source.line for r in records)


def test_corpus_rows_exist() -> None:
    need_corpus()
    assert len(RIS_ROWS) == 47  # 46 files under ris/ plus the seed


@pytest.mark.corpus
def test_corpus_files_all_listed() -> None:
    need_corpus()
    listed = {f for f, _ in RIS_ROWS}
    assert {f"ris/{p.name}" for p in (CORPUS / "ris").iterdir()} <= listed


@pytest.mark.corpus
def test_corpus_field_recall() -> None:
    """Most corpus records carry the core fields (guards against a tag-table regression)."""
    need_corpus()
    records = [r for p in sorted((CORPUS / "ris").iterdir()) for r in split(read_ris(p))[0]]
    assert len(records) == sum(n for f, n in RIS_ROWS if f.startswith("ris/"))
    assert sum(bool(r.title) for r in records) / len(records) > 0.99
    assert sum(r.year is not None for r in records) / len(records) > 0.97
    assert sum(bool(r.authors) for r in records) / len(records) > 0.9
    assert all(r.doi is None or (r.doi.startswith("10.") and r.doi == r.doi.lower()) for r in records)
    assert all(len(i) == 9 and i[4] == "-" for r in records if r.journal for i in r.journal.issns)


@pytest.mark.corpus
def test_corpus_bom_first_record_kept() -> None:
    """AGRIS starts with a BOM; its first record (lost by a naive TY check) is read."""
    path = need_corpus() / "ris" / "citesource__AGRIS.ris"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    records, _ = split(read_ris(path))
    assert records[0].source.line == 1 and records[0].title


@pytest.mark.corpus
def test_corpus_lookalike_tag_is_continuation() -> None:
    """TiAb has an abstract/keyword line 'REDD - Reduction ...': text, not a tag, not a record."""
    path = need_corpus() / "ris" / "citesource__TiAb.ris"
    records, _ = split(read_ris(path))
    assert not any("RE" in r.extra and any(v.startswith("DD - ") for v in r.extra["RE"]) for r in records)
    text = " ".join(" ".join(r.keywords) + " " + (r.abstract or "") for r in records)
    assert "REDD - Reduction of Emissions" in text


@pytest.mark.corpus
def test_corpus_ovid_orcids() -> None:
    path = need_corpus() / "ris" / "asreview__ovid_psycinfo.ris"
    records, diags = split(read_ris(path))
    first = records[0]
    assert first.authors[0].family == "Trindade"
    assert first.authors[0].orcid == "0000-0003-1208-2077"
    assert first.doi == "10.1002/cpp.2398"
    assert first.extra["NL"] == ["Clin Psychol Psychother"]  # the tag Ovid writes after ER
    assert not [d for d in diags if d.kind == "outside-record"]  # numbering and Ovid links are known


# -- the seed ----------------------------------------------------------------------------------------

MESH_14 = ["Adult", "Aged", "Chemoembolization, Therapeutic", "Embolization, Therapeutic", "Female",
           "Hepatic Artery", "Humans", "Liver Neoplasms", "Male", "Middle Aged", "Neuroendocrine Tumors",
           "Prognosis", "Retrospective Studies", "Treatment Outcome"]


@pytest.mark.corpus
def test_seed() -> None:
    need_corpus()
    records, diags = split(read_ris(SEED))
    assert len(records) == 1 and not diags
    r = records[0]
    assert r.title == ("Hepatic intra-arterial therapies in metastatic neuroendocrine tumors: "
                       "lessons from clinical practice")
    assert [a.family for a in r.authors] == ["Grozinsky-Glasberg", "Kaltsas", "Kaltsatou", "Lev-Cohain",
                                             "Klimov", "Vergadis", "Uri", "Bloom", "Gross"]
    assert (r.authors[0].family, r.authors[0].given) == ("Grozinsky-Glasberg", "S.")
    assert (r.authors[7].family, r.authors[7].given) == ("Bloom", "A.I.")
    assert r.year == 2018
    assert (r.volume, r.issue, r.first_page, r.last_page) == ("60", "3", "499", "509")
    assert r.publisher == "Humana Press Inc."
    assert r.journal is not None and r.journal.issns == []
    assert r.doi == "10.1007/s12020-018-1537-0"
    assert r.abstract.startswith("Background: Liver metastases")
    assert r.abstract.endswith("part of Springer Nature.")
    assert [m.heading for m in r.mesh] == MESH_14
    assert all(not m.major and not m.qualifiers for m in r.mesh)
    kw = r.keywords
    assert len(kw) == len({k.casefold() for k in kw})  # each once
    for term in ("doxorubicin", "mitomycin", "tumor marker", "abdominal pain", "treatment outcome",
                 "Article", "Greece", "Israel", "artificial embolization", "neuroendocrine tumor"):
        assert kw.count(term) == 1
    assert not set(kw) & set(MESH_14)
    assert len(r.extra["TODO"]) == 4  # the placeholder fields stay visible, raw


# -- fixtures: one per edge case ---------------------------------------------------------------------

@pytest.mark.parametrize("name", ["crlf.ris", "cr-only.ris", "bom.ris", "mixed-eol.ris"])
def test_line_ends_and_bom(name: str) -> None:
    records, diags = parse(name)
    assert not diags
    assert [r.title for r in records] == ["Line endings do not matter", "A second record"]
    first = records[0]
    assert [(a.family, a.given) for a in first.authors] == [("Okafor", "Chidi"), ("Lindqvist", "Åsa")]
    assert (first.volume, first.issue, first.first_page, first.last_page) == ("7", "2", "11", "19")
    assert first.doi == "10.1000/le.2020.7"
    assert first.journal.name == "Journal of Line Ends"
    assert records[0].source.line == 1
    assert records[1].source.line == (15 if name == "mixed-eol.ris" else 14)


def test_windows_1252_fallback_warns() -> None:
    records, diags = parse("windows-1252.ris")
    assert records[0].title == "Café society and the naïve reader – a study"
    assert records[0].authors[0].family == "Müller"
    assert [(d.kind, d.severity, d.source.line) for d in diags] == [("encoding", "warning", 2),
                                                                    ("encoding", "warning", 3)]


def test_collapsed_record() -> None:
    records, diags = parse("collapsed.ris")
    assert not diags
    (r,) = records
    assert r.title == "A record on one line"
    assert [(a.family, a.given) for a in r.authors] == [("Adeyemi", "T."), ("Brandt", "K.L.")]
    assert (r.volume, r.issue, r.first_page, r.last_page) == ("12", "4", "101", "110")
    assert r.doi == "10.5555/abc.123"
    assert r.keywords == ["apples", "oranges", "pears"]
    assert r.abstract.startswith("This abstract is long enough")
    assert r.journal.issns == [] and r.publisher == "Oneline Press"
    assert r.extra["TODO"][0] == "4" and len(r.extra["TODO"]) == 4


def test_collapsed_without_er_warns() -> None:
    records, diags = parse_bytes(b"TY - JOUR TI - Short AU - Li, W. PY - 1999\n")
    assert records[0].title == "Short" and records[0].year == 1999
    assert [d.kind for d in diags] == ["unterminated"]


def test_collapsed_prose_is_not_cut_at_unknown_words() -> None:
    records, _ = parse_bytes(b"TY - JOUR TI - The UK - based cohort ER -\n")
    assert records[0].title == "The UK - based cohort"


def test_unterminated_records_kept_with_warning() -> None:
    records, diags = parse("unterminated.ris")
    assert [r.title for r in records] == ["First record lacks its ER", "Second record is fine",
                                          "Last record ends the file without ER"]
    assert [(d.kind, d.record, d.source.line) for d in diags] == [("unterminated", 1, 1),
                                                                  ("unterminated", 3, 11)]
    assert all(d.source.file.endswith("unterminated.ris") for d in diags)


def test_junk_lines_outside_records() -> None:
    records, diags = parse("junk-lines.ris")
    assert [r.title for r in records] == ["Ovid numbering and headers are not records",
                                          "Second numbered record"]
    r = records[0]
    assert r.year == 2019
    assert r.extra["NL"] == ["J Head"]
    assert [(a.family, a.orcid) for a in r.authors] == [("Trindade", "0000-0003-1208-2077"),
                                                       ("Ferreira", "0000-0002-7020-9606")]
    (d,) = diags  # headers, numbering, the Ovid link line: silent; the stray sentence: reported
    assert (d.kind, d.severity, d.source.line) == ("outside-record", "warning", 24)
    assert "stray sentence" in d.message


def test_empty_tags_dropped() -> None:
    records, diags = parse("empty-tags.ris")
    (r,) = records
    assert not diags
    assert [a.family for a in r.authors] == ["Novak"]
    assert r.abstract is None and r.volume is None and r.issue is None
    assert r.extra == {}


def test_null_and_na_placeholders_dropped() -> None:
    (r,), _ = parse("placeholders.ris")
    assert r.abstract is None and r.doi is None and r.journal is None
    assert r.volume == "3" and r.extra == {}


def test_continuation_lines() -> None:
    (r,), diags = parse("continuation-lines.ris")
    assert not diags
    assert r.title == "A title that wraps onto a second line"
    assert r.abstract == ("The abstract starts here and continues on an untagged line. REDD - Reduction of "
                          "Emissions looks like a tag but is text. After a blank line it still continues.")
    assert r.keywords == ["first keyword", "second keyword", "third keyword"]
    assert r.extra["N1"] == ["Cited By :9 Export Date: 1 January 2020"]  # a value spanning blank lines
    assert "RE" not in r.extra


def test_keyword_semicolons_and_mesh_qualifiers() -> None:
    (r,), _ = parse("kw-semicolons.ris")
    assert r.keywords == ["soil", "water", "carbon", "nitrogen"]
    assert [(m.heading, m.major, m.qualifiers) for m in r.mesh] == [("Behavior, Addictive", True, ["psychology"])]


def test_dates() -> None:
    records, diags = parse("dates.ris")
    assert [r.year for r in records] == [2018, 2016, 2017, 2020]
    assert not diags


def test_unparseable_date_warns_and_keeps_value() -> None:
    (r,), diags = parse_bytes(b"TY  - JOUR\nTI  - x\nPY  - n.d.\nER  - \n")
    assert r.year is None and r.extra["PY"] == ["n.d."]
    assert [(d.kind, d.record, d.source.line) for d in diags] == [("bad-date", 1, 1)]


def test_page_forms() -> None:
    records, _ = parse("pages.ris")
    assert [(r.first_page, r.last_page) for r in records] == [
        ("499", "509"), ("37", "64"), ("52", "58"), ("e1234", "e1240"), ("436", "444"), (None, None)]
    assert records[-1].extra == {"SP": ["No"], "EP": ["Specified"]}  # not pages, but not dropped


def test_journal_names_and_issns() -> None:
    records, _ = parse("journals-issns.ris")
    a, b, c = (r.journal for r in records)
    assert (a.name, a.abbreviation, a.issns) == ("International Journal of Surgery Case Reports",
                                                 "Int. J. Surg. Case Rep.", ["0003-0554"])
    assert b.issns == [] and records[1].extra["SN"] == ["0-521-46674-1\\0-521-46128-6"]
    assert (c.name, c.abbreviation, c.issns) == ("Journal of Two ISSNs", "J Two ISSNs",
                                                 ["1573-3602", "1050-5350"])


def test_authors_forms() -> None:
    (r,), _ = parse("authors-wos.ris")
    assert [(a.family, a.given) for a in r.authors] == [
        ("Sajise", "Asa Jose U."), ("Ryan", "R. L."), ("Nakashima", "S."), ("Trindade", "Ines")]
    assert r.authors[0].raw == "Sajise, Asa Jose U. and"
    assert r.pmid == "33355555"  # the 4-letter PMID tag of APA PsycNET
    assert r.extra["A1"] == ["Sajise, Asa Jose U. and"]  # a different A1 list is kept, not merged


def test_repeated_tags_first_wins_rest_kept() -> None:
    data = (b"TY  - JOUR\nT1  - Title one\nTI  - Title two\nAB  - Abstract.\nAB  - Copyright notice.\n"
            b"JF  - Same\nJO  - Same\nDO  - https://doi.org/10.1234/X\nL3  - doi:10.1234/x\nER  - \n")
    (r,), _ = parse_bytes(data)
    assert r.title == "Title two" and r.extra["T1"] == ["Title one"]
    assert r.abstract == "Abstract." and r.extra["AB"] == ["Copyright notice."]
    assert r.journal.name == "Same" and r.journal.abbreviation is None
    assert r.doi == "10.1234/x" and "L3" not in r.extra and "JO" not in r.extra


def test_unknown_tags_kept_in_extra() -> None:
    (r,), _ = parse_bytes(b"TY  - JOUR\nTI  - t\nZZ  - one\nZZ  - two\nWE  - SSCI\nER  - \n")
    assert r.extra == {"ZZ": ["one", "two"], "WE": ["SSCI"]}


def test_record_without_ty_after_er() -> None:
    data = b"TY  - JOUR\nTI  - First\nER  - \nTI  - Lost its TY\nAU  - Ng, K.\nER  - \n"
    records, diags = parse_bytes(data)
    assert [r.title for r in records] == ["First", "Lost its TY"]
    assert [(d.kind, d.source.line) for d in diags] == [("missing-ty", 4)]


def test_text_only_file_reports_and_yields_nothing() -> None:
    records, diags = parse_bytes(b"just some text\nnot RIS at all\n")
    assert records == [] and [d.kind for d in diags] == ["outside-record"]


def test_empty_file() -> None:
    assert parse_bytes(b"") == ([], [])


def test_streams_in_blocks() -> None:
    """Records cut across block boundaries come out whole (tiny blocks)."""
    from graphkit.readers import _text

    data = (FIX / "crlf.ris").read_bytes() * 3
    whole, _ = parse_bytes(data)
    small = _text.CHUNK
    try:
        _text.CHUNK = 7
        from graphkit.readers._text import TextBlocks

        assert TextBlocks("x", "ris", io.BytesIO(data), chunk_size=7)  # constructible
        pieces, _ = split(read_ris("mem.ris", stream=io.BytesIO(data)))
    finally:
        _text.CHUNK = small
    assert [r.title for r in pieces] == [r.title for r in whole]


# -- helpers -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "family", "given"), [
    ("Bloom, A.I.", "Bloom", "A.I."),
    ("Smith, J and", "Smith", "J"),
    ("Nakashima S.", "Nakashima", "S."),
    ("Smith JA", "Smith", "JA"),
    ("Ines Trindade", "Trindade", "Ines"),
    ("Hodgins", "Hodgins", None),
])
def test_parse_person(raw: str, family: str, given: str | None) -> None:
    p = parse_person(raw)
    assert (p.family, p.given, p.raw) == (family, given, raw)


def test_parse_person_et_al() -> None:
    assert parse_person("et al.") is None


@pytest.mark.parametrize(("raw", "doi"), [
    ("https://doi.org/10.1007/S12020-018-1537-0", "10.1007/s12020-018-1537-0"),
    ("http://dx.doi.org/10.1002/cpp.2398", "10.1002/cpp.2398"),
    ("doi:10.1011/HEA0004444.", "10.1011/hea0004444"),
    ("(doi:10.1016/S0140-6736(20)30183-5)", "10.1016/s0140-6736(20)30183-5"),
    ("10.1002/(SICI)1097-4636(199603)31:3<303::AID-JBM1>3.0.CO;2-P", "10.1002/(sici)1097-4636(199603)31:3<303::aid-jbm1>3.0.co;2-p"),
])
def test_clean_doi(raw: str, doi: str) -> None:
    assert clean_doi(raw) == doi


@pytest.mark.parametrize(("value", "issns", "leftover"), [
    ("0003-0554, 0003-0554", ("0003-0554",), False),
    ("1999-7777(Electronic),0222-6666(Print)", (), True),  # check digits of these placeholders fail
    ("13541013", ("1354-1013",), False),
    ("0-521-46674-1\\0-521-46128-6", (), True),
    ("0-662-38344-3 0830-0453", ("0830-0453",), True),
    ("1050-5350 (ISSN)", ("1050-5350",), False),
])
def test_issns_in(value: str, issns: tuple, leftover: bool) -> None:
    assert issns_in(value) == (issns, leftover)


def test_split_mixed_terms_single_group_is_keywords() -> None:
    assert split_mixed_terms("Adult; Aged; Humans") == ([], ["Adult", "Aged", "Humans"])  # exact MeSH names
    assert split_mixed_terms("soil, water; air") == (["soil, water", "air"], [])  # no MeSH indexing


# -- issue 19: nothing glued, nothing malformed, nothing silent ---------------------------------------

def test_junk_line_after_single_line_tag_is_reported_and_dropped() -> None:
    records, diags = parse("junk-after-author.ris")
    assert len(records) == 2
    first = records[0]
    assert [a.family for a in first.authors] == ["Nobody", "Second"]
    assert first.authors[0].given == "N."
    assert first.abstract == "An abstract that continues on the next line."  # AB continues
    junk = [d for d in diags if d.kind == "junk-line"]
    assert len(junk) == 1 and junk[0].source.line == 4 and junk[0].record == 1
    assert "AU" in junk[0].message and "%%%% this line is not RIS" in junk[0].message
    assert str(junk[0]).startswith(str(FIX / "junk-after-author.ris") + ":4: warning:")
    for rec in records:  # nothing of the junk reached any value
        assert "%" not in repr(rec.to_dict()) and "\\x00" not in repr(rec.to_dict())


def test_control_characters_are_stripped_with_one_warning_per_record() -> None:
    records, diags = parse("control-chars.ris")
    assert len(records) == 2
    assert records[0].title == "Control char[0m in the title"
    assert records[0].abstract == "Bell and C1  and DEL here"
    ctl = [d for d in diags if d.kind == "control-chars"]
    assert len(ctl) == 1 and ctl[0].record == 1 and "5 control character(s)" in ctl[0].message


def test_collapsed_records_split_at_every_er_and_ty() -> None:
    records, diags = parse("collapsed-one-space.ris")
    assert [r.title for r in records] == ["First paper", "Second paper", "Third paper"]
    assert [[a.family for a in r.authors] for r in records] == [["Doe"], ["Roe"], ["Poe"]]
    assert [r.year for r in records] == [2020, 2021, 2022]
    assert not [d for d in diags if d.kind == "unterminated"]


def test_collapsed_records_counted_in_a_long_line() -> None:
    one = b"TY - JOUR TI - Paper AU - Doe, J. PY - 2020 ER - "
    records, _ = parse_bytes(one * 500 + b"\n")
    assert len(records) == 500


def test_article_number_is_not_a_page() -> None:
    records, _ = parse("article-number.ris")
    assert records[0].article_number == "e0123456"
    assert records[0].first_page is None and "C7" not in records[0].extra


def test_document_type_mapped_and_raw_kept() -> None:
    records, _ = parse_bytes(b"TY  - CHAP\nTI  - A chapter\nER  - \n\nTY  - SER\nTI  - A series\nER  - \n"
                             b"\nTY  - WHATEVER\nTI  - Odd\nER  - \n")
    assert [(r.type, r.type_raw) for r in records] == [
        ("chapter", "CHAP"), ("book", "SER"), ("document", "WHATEVER")]


# -- the fast path gives what the general path gives -----------------------------------------------

def _both_paths(path, data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    import graphkit.readers.ris as ris_mod

    fast = [repr(x) for x in read_ris(path, stream=io.BytesIO(data))]
    monkeypatch.setattr(ris_mod, "FAST_PATH", False)
    general = [repr(x) for x in read_ris(path, stream=io.BytesIO(data))]
    monkeypatch.setattr(ris_mod, "FAST_PATH", True)
    return fast, general


@pytest.mark.parametrize("name", sorted(p.name for p in FIX.iterdir()))
def test_fast_path_same_as_general_fixtures(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = FIX / name
    fast, general = _both_paths(path, path.read_bytes(), monkeypatch)
    assert fast == general


@pytest.mark.corpus
def test_fast_path_same_as_general_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    need_corpus()
    for name, _ in RIS_ROWS:
        path = CORPUS / name
        fast, general = _both_paths(path, path.read_bytes(), monkeypatch)
        assert fast == general, name


def test_fast_path_same_as_general_mixed_shapes(monkeypatch: pytest.MonkeyPatch) -> None:
    # one record of each shape the fast path takes or hands over, in one block
    data = (b"TY  - JOUR\nAU  - Smith, J.\nAU  - Doe, A.\nKW  - one\ntwo\nNA\nAB  - NA\nPY  - 2001\nER  - \n\n"
            b"TY  - JOUR\nTI  - long\n  title\nDO  - 10.1/x\nnot a DOI line\nER  - \n\n"
            b"TY  - JOUR\nTI  - no end\n\n"
            b"TY  - \nTODO  - 10.1000/abc\nER  - \nNL  - trailer\n"
            b"TY  - JOUR\nTI  - nul \x00 here\nER  - \n"
            b"TY  - BOOK\nTI  - last\nER  - \n")
    fast, general = _both_paths("mem.ris", data, monkeypatch)
    assert fast == general
    assert sum(x.startswith("Record(") for x in fast) == 6


def test_record_starts_same_as_the_regex() -> None:
    # str.find finds exactly where _RECORD_START matches: both TY forms, a TY at the very end, 3 spaces
    import random

    import graphkit.readers.ris as ris_mod

    pieces = ["\n", "TY", "  -", " -", " ", "x", "-", "TY  - ", "TY   -", "TY -\n", "\nTY - ", "\nTY  -"]
    rnd = random.Random(12)
    for _ in range(3000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 30)))
        assert ris_mod._record_starts(text) == [m.start() + 1 for m in ris_mod._RECORD_START.finditer(text)]
