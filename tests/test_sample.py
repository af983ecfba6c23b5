"""The bundled sample (graphkit/sample/): real records, read back exactly as the fact tables in
scripts/sample/ state them, resolved to the known works, citations and authors."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from conftest import ROOT, SEED, need_corpus
from graphkit.demo import SAMPLE_DIR, sample_files
from graphkit.model import Diagnostic, Record
from graphkit.readers import read

FACTS = ROOT / "scripts" / "sample"
MANIFEST = json.loads((SAMPLE_DIR / "manifest.json").read_text(encoding="utf-8"))


def _table(name: str) -> list[dict[str, str]]:
    with open(FACTS / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


WORKS = {w["id"]: w for w in _table("works.tsv")}


def _records(name: str) -> list[Record]:
    items = list(read(SAMPLE_DIR / name))
    assert [d for d in items if isinstance(d, Diagnostic)] == []
    return [r for r in items if isinstance(r, Record)]


def test_every_file_reads_cleanly_with_the_manifest_counts():
    total = 0
    for name, info in MANIFEST["files"].items():
        records = _records(name)
        assert len(records) == info["records"], name
        assert {r.source.format for r in records} == {info["format"]}
        total += len(records)
    assert total == MANIFEST["n_records"] and total >= 200


def test_no_abstracts_in_the_sample():
    for name in MANIFEST["files"]:
        for r in _records(name):
            assert r.abstract is None, name


@pytest.mark.parametrize("name", ["sample.wos.txt", "sample.nbib"])
def test_records_carry_the_facts_of_the_tables(name):
    by_doi = {w["doi"].lower(): w for w in WORKS.values() if w["doi"]}
    by_pmid = {w["pmid"]: w for w in WORKS.values() if w["pmid"]}
    for r in _records(name):
        w = by_pmid.get(r.pmid or "") or by_doi.get((r.doi or "").lower())
        if w is None:  # pre-1990 MEDLINE records have neither a DOI nor (in WoS) a PMID: match the title
            w = next(w for w in WORKS.values() if w["title"].lower() == (r.title or "").lower().rstrip("."))
        assert r.year == int(w["year"]), r.title
        assert (r.volume or "") == w["volume"], r.title
        assert r.title.rstrip(".").lower() == w["title"].lower()
        first, _, last = w["pages"].partition("-")
        if last:
            assert (r.first_page or "") == first and (r.last_page or "") in (last, ""), r.title
        else:  # an article number: WoS AR -> article_number; PubMed PG may read as a page
            assert first in (r.article_number, r.first_page) and not r.last_page, r.title
        assert len(r.authors) == len(w["authors"].split("; ")), r.title
        assert [p.family.casefold() for p in r.authors][:1] == \
            [w["authors"].split(",")[0].casefold()] or name == "sample.nbib"  # MEDLINE drops old diacritics
        if w["doi"] and (name == "sample.wos.txt" or int(w["year"]) >= 1990):
            assert (r.doi or "").lower() == w["doi"].lower()


def test_seed_record_is_kept_as_published_but_its_abstract():
    seed = _records("seed.ris")[0]
    assert seed.title.startswith("Hepatic intra-arterial therapies in metastatic neuroendocrine tumors")
    assert seed.doi == "10.1007/s12020-018-1537-0" and len(seed.authors) == 9
    text = (SAMPLE_DIR / "seed.ris").read_text(encoding="utf-8")
    assert text.startswith("TY - JOUR TI - ") and text.count("\n") <= 1  # still one collapsed line
    if SEED.exists():  # the corpus seed, read from ../shared: the same record, field for field, but the abstract
        original = next(r for r in read(SEED) if isinstance(r, Record))
        assert original.abstract and seed.abstract is None
        for name in ("type", "title", "year", "journal", "volume", "issue", "first_page", "last_page", "doi",
                     "publisher", "keywords", "mesh"):
            assert getattr(seed, name) == getattr(original, name), name
        assert [p.raw for p in seed.authors] == [p.raw for p in original.authors]


def test_build_resolves_the_known_works_duplicates_and_citations():
    import graphkit

    kg = graphkit.build(sample_files())
    report = kg.report.data
    assert kg.counts()["Paper"] == MANIFEST["unique_works"]
    assert report["duplicates"]["records_merged"] == MANIFEST["duplicate_pairs"]
    assert report["duplicates"]["by_rule"].get("title", 0) >= MANIFEST["duplicate_pairs_without_shared_doi"]
    assert report["cites"]["resolved"] == report["cites"]["references"] == MANIFEST["citations"]
    assert kg.counts()["CITES"] == MANIFEST["citations"]
    assert report["journals"]["invalid_issns"] == []  # every ISSN in the tables passes its check digit
    papers = kg.table("AUTHORED").groupby("source").size()
    assert papers["name:barabasi|albert-laszlo"] == MANIFEST["papers_of"]["Barabasi"] == 27
    assert papers["name:newman|m-e-j"] == MANIFEST["papers_of"]["Newman"] == 27
    most = kg.table("CITES").groupby("target").size().sort_values(ascending=False)
    assert list(most.index[:2]) == ["doi:10.1126/science.286.5439.509", "doi:10.1038/30918"]
    assert list(most.iloc[:2]) == [MANIFEST["most_cited"][0][1], MANIFEST["most_cited"][1][1]]


def test_the_sample_is_what_make_sample_writes(tmp_path):
    need_corpus()
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_sample.py"), str(tmp_path)],
                         capture_output=True, text=True)  # GRAPHKIT_CORPUS passes on to the script
    assert run.returncode == 0, run.stderr
    for name in (*MANIFEST["files"], "manifest.json"):
        assert (tmp_path / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), name
