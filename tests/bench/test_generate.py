"""bench/generate.py: what it writes is read back by graphkit with the known records, broken records and,
after resolution, the known number of unique papers."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import Counter

import pytest

from conftest import ROOT, SEED, need_corpus
from graphkit.model import Diagnostic, Record
from graphkit.readers import detect, read

sys.path.insert(0, str(ROOT))
from bench.generate import Manifest, generate  # noqa: E402


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen")
    return generate(800, out, seed=5, dup_rate=0.15, broken_rate=0.02), out


def _read(path) -> tuple[list[Record], list[Diagnostic]]:
    records, diags = [], []
    for item in read(path):
        (records if isinstance(item, Record) else diags).append(item)
    return records, diags


def test_manifest_accounts_for_every_record(generated) -> None:
    m, out = generated
    assert sum(f.records for f in m.files) == m.n_records == 800
    assert m.unique_works == m.n_records - m.duplicate_pairs
    assert 0 < m.duplicate_pairs and 0 < m.broken_records
    with open(out / "duplicates.tsv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert len(rows) == m.duplicate_pairs
    assert sum(r["shared_doi"] == "0" for r in rows) == m.duplicate_pairs_without_shared_doi
    assert Manifest.load(out / "manifest.json") == m


def test_graphkit_reads_known_records_and_broken_records(generated) -> None:
    m, _ = generated
    formats = {"ris": "ris", "medline": "medline"}
    for info in m.files:
        assert detect(info.path) == formats[info.format]
        records, diags = _read(info.path)
        assert len(records) == info.records
        assert not [d for d in diags if d.severity == "error"]
        broken = [b for b in m.broken if b.file == info.path]
        # every broken record is reported, on a line of that record (or the next record's first line) ...
        for b in broken:
            assert any(b.line <= d.source.line <= b.last_line for d in diags), b
        # ... and nothing else is: the clean records read without a warning
        stray = [d for d in diags if not any(b.line <= d.source.line <= b.last_line for b in broken)]
        assert stray == []
        kinds = Counter(d.kind for d in diags)
        assert kinds["encoding"] == sum(b.kind == "encoding" for b in broken)


def test_duplicate_pairs_point_at_the_same_work(generated) -> None:
    m, out = generated
    by_file = {info.path.rsplit("/", 1)[-1]: _read(info.path)[0] for info in m.files}
    with open(out / "duplicates.tsv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    for row in rows:
        ris = by_file[row["ris_file"]][int(row["ris_record"]) - 1]
        med = by_file[row["medline_file"]][int(row["medline_record"]) - 1]
        assert (ris.year, ris.volume, ris.first_page) == (med.year, med.volume, med.first_page)
        assert [a.family for a in ris.authors] == [a.family for a in med.authors]
        if row["shared_doi"] == "1":
            assert ris.doi == med.doi is not None


def test_unique_papers_after_duplicates_merge(generated) -> None:
    """The resolver (graphkit.resolve via build_from_files) merges every pair: DOI, PMID or title+year."""
    from graphkit.build import build_from_files
    from graphkit.schema import Label

    m, _ = generated
    result = build_from_files([info.path for info in m.files])
    papers = sum(1 for _ in result.graph.nodes(Label.PAPER))
    assert papers == m.unique_works


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path) -> None:
    a = generate(60, tmp_path / "a", seed=11)
    b = generate(60, tmp_path / "b", seed=11)
    c = generate(60, tmp_path / "c", seed=12)
    for fa, fb, fc in zip(a.paths, b.paths, c.paths):
        assert fa.read_bytes() == fb.read_bytes()
        assert fa.read_bytes() != fc.read_bytes()


def test_single_format_and_shards(tmp_path) -> None:
    m = generate(90, tmp_path, seed=1, formats=("medline",), shards=3, broken_rate=0)
    assert [f.format for f in m.files] == ["medline"] * 3
    assert m.duplicate_pairs == 0 and m.unique_works == 90 and m.broken == []
    assert sum(len(_read(p)[0]) for p in m.paths) == 90


def test_realistic_shape(generated) -> None:
    """Loose checks that the measured distributions came through (see the MEASURED block)."""
    m, _ = generated
    records = [r for p in m.paths for r in _read(p)[0]]
    authors = [len(r.authors) for r in records]
    assert 3.0 < sum(authors) / len(authors) < 5.0
    assert max(authors) >= 10  # the long tail
    medline = [r for r in records if r.source.format == "medline"]
    assert all(r.pmid for r in medline)
    assert any(m.major for r in medline for m in r.mesh)
    assert any(m.qualifiers for r in medline for m in r.mesh)
    assert any(a.orcid for r in medline for a in r.authors)
    assert any(r.last_page and len(r.last_page) > 0 for r in medline)


def test_cli_writes_manifest(tmp_path) -> None:
    out = tmp_path / "cli"
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--records", "40", "--out",
                           str(out), "--seed", "3"], capture_output=True, text=True, check=True)
    assert "40 records" in proc.stdout
    m = Manifest.load(out / "manifest.json")
    assert m.seed == 3 and sum(m.records_per_file.values()) == 40
    bad = subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--records", "5", "--out",
                          str(out), "--formats", "bibtex"], capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_generated_sample_matches_its_manifest(tmp_path) -> None:
    from bench.generate import write_sample

    need_corpus()
    m = write_sample(tmp_path, SEED)
    total = 0
    for info in m.files:
        records, diags = _read(tmp_path / info.path)
        assert len(records) == info.records and diags == []
        total += len(records)
    assert total == m.n_records
    first_line = (tmp_path / "sample.ris").read_text(encoding="utf-8").split("\n", 1)[0]
    assert first_line.startswith("TY - JOUR TI - ") and first_line.rstrip().endswith("ER -")  # still collapsed

    from graphkit.build import build_from_files
    from graphkit.schema import Label

    result = build_from_files([tmp_path / "sample.ris", tmp_path / "sample.nbib"])
    assert sum(1 for _ in result.graph.nodes(Label.PAPER)) == m.unique_works


def test_sample_flag_needs_an_output_directory() -> None:
    bad = subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--sample"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "needs --out" in bad.stderr


def test_pubmed_xml_carries_the_same_records_as_medline(tmp_path) -> None:
    """The generator's PubMed XML is the MEDLINE export in the other format: the XML reader gives the
    same records, field for field (abstracts aside: both draw them at the same rate)."""
    xml_dir, nbib_dir = tmp_path / "xml", tmp_path / "nbib"
    generate(300, xml_dir, seed=9, formats=("ris", "pubmed-xml"), broken_rate=0)
    generate(300, nbib_dir, seed=9, formats=("ris", "medline"), broken_rate=0)

    def fields(path):
        out = []
        for rec in _read(path)[0]:
            d = rec.to_dict()
            for name in ("source", "extra", "abstract"):
                d.pop(name)
            out.append(d)
        return out

    xml_records = fields(xml_dir / "export-000.xml")
    assert xml_records and xml_records == fields(nbib_dir / "export-000.nbib")
    assert not _read(xml_dir / "export-000.xml")[1]


def test_gzip_writes_the_same_records_compressed(tmp_path) -> None:
    """--gzip (the PubMed baseline's .xml.gz): each file is the plain one gzipped, byte for byte, named
    with .gz added, and graphkit reads the same records from it."""
    import gzip

    plain, packed = tmp_path / "plain", tmp_path / "packed"
    generate(200, plain, seed=4, formats=("pubmed-xml",), shards=2)
    m = generate(200, packed, seed=4, formats=("pubmed-xml",), shards=2, compress=True)
    assert sorted(p.name for p in packed.glob("export-*")) == ["export-000.xml.gz", "export-001.xml.gz"]
    assert [f.path for f in m.files] == [str(packed / "export-000.xml.gz"), str(packed / "export-001.xml.gz")]
    for name in ("export-000.xml", "export-001.xml"):
        gz = packed / f"{name}.gz"
        assert gz.read_bytes()[:2] == b"\x1f\x8b"
        assert gzip.decompress(gz.read_bytes()) == (plain / name).read_bytes()
        assert [r.to_dict() for r in _read(gz)[0]] != []
        assert ([{k: v for k, v in r.to_dict().items() if k != "source"} for r in _read(gz)[0]]
                == [{k: v for k, v in r.to_dict().items() if k != "source"} for r in _read(plain / name)[0]])


def test_references_follow_document_type_and_a_cited_work_is_written_alike(tmp_path) -> None:
    import dataclasses
    import statistics

    from bench.generate import REFS_BY_TYPE, Citations, World
    from graphkit.citations.extract import references_of

    world = World(3, 1000, (240.0, 150.0))
    cites = Citations(3, world)
    works = [world.work(i) for i in range(1, 400)]
    for pub_type, (median, _) in REFS_BY_TYPE.items():
        drawn = [cites.count(dataclasses.replace(w, pub_type=pub_type)) for w in works]
        assert 0.8 * median <= statistics.median(drawn) <= 1.25 * median, pub_type
    with_refs = generate(600, tmp_path / "r", seed=9, references=True)
    plain = generate(600, tmp_path / "p", seed=9)
    ris_r, ris_p = with_refs.paths[0].read_text(encoding="utf-8"), plain.paths[0].read_text(encoding="utf-8")
    assert [ln for ln in ris_r.splitlines() if not ln.startswith("N1  - References:")] == ris_p.splitlines()
    text_of: dict[str, set[str]] = {}
    for rec in _read(with_refs.paths[0])[0]:
        for ref in references_of(rec):
            if ref.dois:
                text_of.setdefault(ref.dois[0], set()).add(ref.raw)
    assert len(text_of) > 1000
    assert all(len(texts) == 1 for texts in text_of.values())  # one work, one citation text (year included)
