"""graphkit.readers.parallel: parallel reading gives exactly the serial output (records, diagnostics,
order, line numbers, record ordinals), on the corpus and on generated multi-range files."""

from __future__ import annotations

import random

import pytest

from graphkit.readers import read_files
from graphkit.model import Record
from graphkit.readers.parallel import CUTS, count_lines_before, find_cuts, read_files_parallel, record_json
from conftest import CORPUS, FIXTURES, need_corpus

CHUNK = 2000  # bytes: small, to force many ranges per file


def _ris_record(i: int, rng: random.Random) -> bytes:
    lines = [f"TY  - JOUR", f"AU  - Family{i}, Given", f"TI  - Title number {i}",
             f"PY  - {1990 + i % 30}", "KW  - alpha; beta", f"SP  - {i}-{i + 9}"]
    if i % 7 == 0:
        lines.append("AB  - caf\xe9 au lait")  # Windows-1252 byte below
    if i % 11 != 0:
        lines.append("ER  - ")  # every 11th record lacks ER
    eol = rng.choice(["\n", "\r\n", "\r"]) if i % 5 == 0 else "\n"
    text = eol.join(lines) + eol + ("junk between records\n" if i % 13 == 0 else "") + "\n"
    return text.encode("cp1252" if i % 7 == 0 else "utf-8")


def _medline_record(i: int) -> bytes:
    title = "caf\xe9" if i % 8 == 0 else f"Title {i}"  # Windows-1252 byte in every 8th record
    lines = [f"PMID- {1000 + i}", f"TI  - {title} that continues", "      on a second line",
             f"FAU - Family{i}, Given", f"DP  - {2000 + i % 20} Jan", f"PG  - {100 + i}-{9 + i % 10}"]
    if i % 9:
        lines.append("SO  - J Things. 2001;1:1-2.")  # every 9th record lacks SO
    sep = "\n\n\n" if i % 4 == 0 else "\n\n"
    junk = "stray text between records\n\n" if i % 25 == 0 else ""
    return (junk + "\n".join(lines) + sep).encode("cp1252")


def _wos_record(i: int) -> bytes:
    lines = ["PT J", f"AU Family{i}, G", f"AF Family{i}, Given", f"TI Title {i}", "   continued",
             f"PY {2000 + i % 20}", "CR Ref A, 2001, J X, V1, P2", "   Ref B, 2002, J Y, V3, P4", "ER", ""]
    if i % 10 == 0:
        lines.insert(2, "ZZ junk tag that is kept in extra")
    if i % 12 == 0:
        lines.insert(4, "an untagged line")
    if i % 8 == 0:
        lines.insert(3, "C1 Univ Caf\xe9, Paris")
    return ("\n".join(lines) + "\n").encode("cp1252")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Three files of a few hundred records each, with the edge cases of each format."""
    rng = random.Random(7)
    base = tmp_path_factory.mktemp("parallel")
    ris = base / "many.ris"
    ris.write_bytes(b"\xef\xbb\xbfProvider: made up\n\n" + b"".join(_ris_record(i, rng) for i in range(1, 400)))
    nbib = base / "many.nbib"
    nbib.write_bytes(b"".join(_medline_record(i) for i in range(1, 300)))
    wos = base / "many.txt"
    wos.write_bytes(b"FN Clarivate Analytics Web of Science\nVR 1.0\n"
                    + b"".join(_wos_record(i) for i in range(1, 300)) + b"EF\n")
    return [ris, nbib, wos]


@pytest.mark.parametrize("index", [0, 1, 2], ids=["ris", "medline", "wos"])
def test_generated_file_many_ranges(generated, index: int) -> None:
    path = generated[index]
    fmt = ["ris", "medline", "wos"][index]
    cuts = find_cuts(str(path), fmt, CHUNK)
    assert len(cuts) > 10  # really split
    data = path.read_bytes()
    assert all(CUTS[fmt].match(data, c) for c in cuts)
    serial = list(read_files([path]))
    assert any(not hasattr(i, "title") for i in serial)  # the file has diagnostics to shift too
    assert list(read_files_parallel([path], workers=2, chunk_bytes=CHUNK)) == serial


def test_large_ris_over_several_read_blocks(tmp_path) -> None:
    """Over 1 MiB: the serial reader decodes in several blocks and reports each block's encoding
    warnings before the records it finishes; the parallel reader keeps that order."""
    rng = random.Random(11)
    path = tmp_path / "large.ris"
    path.write_bytes(b"".join(_ris_record(i, rng) + b"AB  - " + b"x" * 900 + b"\n" for i in range(1, 2600)))
    assert path.stat().st_size > 2_500_000
    serial = list(read_files([path]))
    assert list(read_files_parallel([path], workers=2, chunk_bytes=150_000)) == serial


def test_several_files_in_order(generated) -> None:
    paths = [generated[2], generated[0], generated[2], generated[1]]  # a file twice: offsets restart
    assert list(read_files_parallel(paths, workers=2, chunk_bytes=CHUNK)) == list(read_files(paths))


def test_transform_runs_in_workers_same_output(generated) -> None:
    """With transform=record_json the output is what `graphkit parse` writes, diagnostics unchanged."""
    expected = [record_json(i) if isinstance(i, Record) else i for i in read_files(generated)]
    got = list(read_files_parallel(generated, workers=2, chunk_bytes=CHUNK, transform=record_json))
    assert got == expected
    assert list(read_files_parallel(generated, workers=1, transform=record_json)) == expected


def test_count_lines_before(tmp_path) -> None:
    path = tmp_path / "eol.txt"
    path.write_bytes(b"a\r\nb\rc\nd\r\ne\n")
    assert count_lines_before(str(path), [3, 5, 7, 10]) == [0, 1, 2, 3, 4]
    assert count_lines_before(str(path), [3, 10], block=2) == [0, 1, 4]  # CRLF split between reads


def test_count_lines_before_blocks_with_and_without_cr(tmp_path) -> None:
    """Blocks without a CR are counted by their LFs alone, the others by every line end: the counts
    are those of the whole text at every cut, whatever the block size."""
    import re

    data = b"ab\ncd\nef\r\ngh\rij\nkl\r\nmn\nop\nqr\r"
    path = tmp_path / "mixed.txt"
    path.write_bytes(data)
    cuts = [c for c in range(1, len(data) + 1) if data[c - 1:c + 1] != b"\r\n"]  # (a cut starts a line)
    expected = [0] + [len(re.findall(rb"\r\n|\r|\n", data[:c])) for c in cuts]
    for block in (1, 2, 3, 4, 7, 64):
        assert count_lines_before(str(path), cuts, block=block) == expected, block


def test_small_input_is_read_serially(generated) -> None:
    # one worker or an input below chunk_bytes never starts a pool; the output is the same anyway
    assert list(read_files_parallel(generated[:1], workers=1)) == list(read_files(generated[:1]))
    assert list(read_files_parallel(generated[:1], chunk_bytes=1 << 30)) == list(read_files(generated[:1]))


def test_unreadable_file_is_one_error_in_place(generated, tmp_path) -> None:
    missing = tmp_path / "missing.ris"
    paths = [generated[0], missing, generated[1]]
    parallel = list(read_files_parallel(paths, workers=2, chunk_bytes=CHUNK))
    assert parallel == list(read_files(paths))
    assert sum(1 for i in parallel if getattr(i, "kind", None) == "unreadable") == 1


@pytest.mark.corpus
def test_corpus_parallel_equals_serial() -> None:
    """Every corpus file (all formats) in one parallel run, RIS/MEDLINE/WoS split in 64 KiB ranges."""
    need_corpus()
    paths = sorted(p for d in CORPUS.iterdir() if d.is_dir() for p in d.iterdir())
    assert len(paths) > 80
    assert list(read_files_parallel(paths, workers=2, chunk_bytes=64 << 10)) == list(read_files(paths))


def test_fixture_files_parallel_equals_serial() -> None:
    """The other readers' edge-case fixtures, concatenated per format, in tiny ranges."""
    for fmt, folder, suffix in (("ris", "ris", "*.ris"), ("medline", "medline", "*.nbib"), ("wos", "wos", "*")):
        files = sorted((FIXTURES / folder).glob(suffix))
        if not files:
            continue
        paths = [str(p) for p in files]
        assert list(read_files_parallel(paths, workers=2, chunk_bytes=200)) == list(read_files(paths)), fmt
