"""The per-record extractor: which field of which format holds references and times cited."""

from __future__ import annotations

import json

from graphkit.citations.extract import extract, parse_reference, references_of, times_cited_of
from graphkit.citations.model import unpack
from graphkit.readers.scopus_csv import merge_reference_authors
from graphkit.model import Record, Source
from graphkit.readers import read


def _records(path):
    return [r for r in read(path) if isinstance(r, Record)]


def _rec(**kw) -> Record:
    return Record(Source("x", 1, "test"), **kw)


def test_wos_file_references_and_times_cited(corpus) -> None:
    recs = _records(corpus / "wos" / "metaknowledge__savedrecs.txt")
    first = references_of(recs[0])
    assert len(first) == len(recs[0].references) == 104  # NR 104
    assert first[2].dois == ["10.1119/1.1972585"] and first[2].style == "wos"
    assert times_cited_of(recs[0]) == {"times_cited": 244, "times_cited_source": "wos", "times_cited_all": 245}


def test_scopus_csv_references_and_cited_by(corpus) -> None:
    recs = _records(corpus / "scopus_csv" / "litstudy__scopus.csv")
    refs = references_of(recs[0])
    assert refs[0].family == "Kalé" and refs[0].year == 1999 and refs[0].volume == "151"
    assert times_cited_of(recs[0]) == {"times_cited": 13169, "times_cited_source": "scopus"}


def test_scopus_2024_author_pieces_are_rejoined(corpus) -> None:
    recs = _records(corpus / "scopus_csv" / "bibliometrix__scopus_sample.csv")
    refs = [r for rec in recs for r in references_of(rec)]
    assert not any(r.raw in ("Calin GA", "Ferracin M") for r in refs)
    calin = next(r for r in refs if r.raw.startswith("Calin GA; Ferracin M"))
    assert (calin.family, calin.year, calin.volume) == ("Calin", 2005, "353")
    assert merge_reference_authors(["Calin GA", "Ferracin M", "Cimmino A, Title, J, 1, (2005)", "X, Y, (2001)"]) == [
        "Calin GA; Ferracin M; Cimmino A, Title, J, 1, (2005)", "X, Y, (2001)"]


def test_scopus_ris_note_references(corpus) -> None:
    recs = _records(corpus / "ris" / "asreview__scopus.ris")
    refs = references_of(recs[0])
    assert refs[0].family == "Agostini" and refs[0].year == 2017 and refs[0].source == "Neurogastroenterol. Motil"
    assert len(refs) > 50


def test_wos_bibtex_cited_references_and_times_cited(corpus) -> None:
    recs = _records(corpus / "bibtex" / "pybibx__wos_m.bib")
    refs = references_of(recs[0])
    assert refs[0].family == "ACZEL" and refs[0].dois == ["10.1016/0022-2496(83)90028-7"]
    assert times_cited_of(recs[0])["times_cited_source"] == "wos"


def test_scopus_bibtex_note_cited_by(corpus) -> None:
    recs = _records(corpus / "bibtex" / "pybibx__scopus_m.bib")
    assert times_cited_of(recs[0]) == {"times_cited": 52, "times_cited_source": "scopus"}


def test_ris_notes_of_wos_and_scopus() -> None:
    wos_note = _rec(extra={"N1": ["Times Cited in Web of Science Core Collection:  5 Total Times Cited:  7 "
                                  "Cited Reference Count:  30"]})
    assert times_cited_of(wos_note) == {"times_cited": 5, "times_cited_source": "wos", "times_cited_all": 7}
    scopus_note = _rec(extra={"N1": ["Cited By (since 1996):10", "Export Date: 1 May 2012"]})
    assert times_cited_of(scopus_note) == {"times_cited": 10, "times_cited_source": "scopus"}


def test_csl_json_reference_objects() -> None:
    objs = [{"key": "r1", "DOI": "10.1000/ABC", "author": "Smith", "year": "2001", "journal-title": "Nature",
             "volume": "409", "first-page": "123"},
            {"key": "r2", "unstructured": "Erdős, P., Rényi, A., On random graphs I (1959) Publ. Math. Debrecen, 6, "
                                          "pp. 290-297"}]
    refs = references_of(_rec(extra={"reference": [json.dumps(objs)]}))
    assert (refs[0].dois, refs[0].family, refs[0].year, refs[0].volume, refs[0].page) == (
        ["10.1000/abc"], "Smith", 2001, "409", "123")
    assert refs[1].family == "Erdős" and refs[1].style == "scopus"


def test_rows_are_compact_and_json_ready() -> None:
    rows = list(extract(_rec(references=["Smith J, 2001, NATURE, V409, P123"], extra={"TC": ["3"]})))
    assert rows[0]["kind"] == "refs" and isinstance(rows[0]["refs"], str)
    (ref,) = unpack(rows[0]["refs"])
    assert (ref.family, ref.year, ref.source, ref.volume, ref.page) == ("Smith", 2001, "NATURE", "409", "123")
    assert rows[1] == {"kind": "times_cited", "times_cited": 3, "times_cited_source": "wos"}
    json.dumps(rows)


def test_unparseable_reference_is_kept_raw() -> None:
    r = parse_reference("Springer-Verlag: Berlin")
    assert r.style == "unknown" and r.raw == "Springer-Verlag: Berlin" and r.year is None


def test_vancouver_citations_of_pubmed_reference_lists() -> None:
    # as graphkit.readers.pubmed_xml writes them: citation text + ids from the ArticleIdList
    r = parse_reference("Watts DJ, Strogatz SH. Collective dynamics of small-world networks. Nature. "
                        "1998;393:440-442. doi:10.1038/30918 PMID:9623998")
    assert (r.style, r.family, r.year, r.source, r.volume, r.page, r.dois, r.pmid) == (
        "vancouver", "Watts", 1998, "Nature", "393", "440", ["10.1038/30918"], "9623998")
    r = parse_reference("Barabasi AL, Albert R. Emergence of scaling in random networks. Science. "
                        "1999 Oct 15;286(5439):509-12.")
    assert (r.family, r.year, r.volume, r.page, r.title) == ("Barabasi", 1999, "286", "509",
                                                             "Emergence of scaling in random networks")
