"""graphkit.readers._clean: control characters and over-long values, the same for every reader."""

from __future__ import annotations

import io

import pytest

import graphkit.readers._clean as clean
import graphkit.readers.ris as ris
from graphkit.model import Person, Record, Source
from graphkit.readers._clean import CONTROL, finish, scrub
from graphkit.readers.scopus_csv import read_scopus_csv
from conftest import split


def test_control_class_is_c0_del_c1_and_surrogates_but_not_tab_or_newline() -> None:
    bad = [chr(c) for c in range(0x20) if c not in (9, 10)] + [chr(c) for c in range(0x7F, 0xA0)] + ["\ud800", "\udfff"]
    assert all(CONTROL.fullmatch(c) for c in bad)
    assert not any(CONTROL.search(c) for c in ("\t", "\n", " ", "é", "\u2013", "\U0001F600", "\ufffd"))


def test_scrub_reaches_every_string_of_a_record() -> None:
    rec = Record(Source("x", 1, "ris"), title="a\x00b", authors=[Person("F\x01", "G\x02")],
                 keywords=["k\x03"], extra={"N1\x04": ["n\x05"]})
    found = scrub(rec)
    assert found.control == 6
    assert (rec.title, rec.authors[0].family, rec.authors[0].given, rec.keywords) == ("ab", "F", "G", ["k"])
    assert rec.extra == {"N1": ["n"]}


def test_over_long_value_is_cut_and_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clean, "MAX_VALUE_CHARS", 1000)
    header = '"Authors","Title","Year","Source title","Abstract","Document Type","Source","EID"\n'
    row = f'"Doe J.","A title","2020","A journal","{"word " * 500}","Article","Scopus","2-s2.0-1"\n'
    records, diags = split(read_scopus_csv("mem.csv", stream=io.BytesIO((header + row).encode())))
    assert len(records[0].abstract) == 1000
    cut = [d for d in diags if d.kind == "value-cut"]
    assert len(cut) == 1 and "abstract" in cut[0].message and cut[0].record == 1


def test_over_long_ris_value_is_cut_and_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clean, "MAX_VALUE_CHARS", 1000)
    monkeypatch.setattr(ris, "MAX_VALUE_CHARS", 1000)
    data = b"TY  - JOUR\nTI  - T\nAB  - " + b"word " * 500 + b"\nER  - \n"
    records, diags = split(ris.read_ris("mem.ris", stream=io.BytesIO(data)))
    assert len(records[0].abstract) == 1000 and [d.kind for d in diags] == ["value-cut"]


def test_finish_maps_the_type_unless_the_reader_did() -> None:
    rec = Record(Source("x", 1, "wos"), type_raw="Article; Proceedings Paper")
    assert finish(rec, 1) == [] and rec.type == "article-journal"
    rec = Record(Source("x", 1, "bibtex"), type="report", type_raw="COINS Technical Report")
    finish(rec, 1)
    assert rec.type == "report"


def test_raw_control_check_never_misses() -> None:
    # every byte, alone and after 0xC2, in both encodings the text readers decode: whenever the text
    # holds a control character the bytes check says so (it may say so when it does not: C2 80 in cp1252)
    from graphkit.readers._clean import CONTROL, raw_may_hold_control

    for byte in range(256):
        if byte == 0x0D:  # CR never reaches the check: line ends are normalised to LF first
            continue
        for data in (bytes([byte]) + b"x", b"\xc2" + bytes([byte]) + b"x"):
            for encoding in ("utf-8", "cp1252"):
                try:
                    text = data.decode(encoding)
                except UnicodeDecodeError:
                    continue
                if CONTROL.search(text) is not None:
                    assert raw_may_hold_control(data), (data, encoding)
    assert not raw_may_hold_control("plain text, tab\tand line\nend, é ©".encode())


def _medline(data: bytes):
    from graphkit.readers.medline import read_medline

    return split(read_medline("mem.nbib", stream=io.BytesIO(data)))


def test_medline_scrubs_only_records_whose_text_may_need_it() -> None:
    """A record with a control character (here in an abstract's continuation line) is scrubbed and
    reported; a clean record beside it is read as it is (the reader skips scrub where the bytes hold no
    control character)."""
    clean_rec = b"PMID- 1\nTI  - A clean title.\nAB  - Words and\n      more words.\nAU  - Doe J\nSO  - J. 2020.\n"
    dirty_rec = b"PMID- 2\nTI  - A \x07title.\nAB  - Words and\n      more\x01 words.\nAU  - Ro\x02e K\nSO  - J. 2021.\n"
    records, diags = _medline(clean_rec + b"\n" + dirty_rec)
    assert [r.title for r in records] == ["A clean title.", "A title."]
    assert records[1].abstract == "Words and more words." and records[1].authors[0].family == "Roe"
    control = [d for d in diags if d.kind == "control-chars"]
    assert len(control) == 1 and control[0].record == 2 and control[0].message.startswith("4 control")  # AU: raw + family
    # the same two records in either order, and each alone, give the same records
    again, _ = _medline(dirty_rec + b"\n" + clean_rec)
    assert [r.title for r in again] == ["A title.", "A clean title."]


def test_medline_record_carried_across_blocks_keeps_its_scrub(monkeypatch: pytest.MonkeyPatch) -> None:
    """A record cut by the block reader (its control character in the first block, its end in a later
    one) is still scrubbed."""
    import graphkit.readers._text as text
    import graphkit.readers.medline as medline

    monkeypatch.setattr(medline, "TextBlocks", lambda path, fmt, stream=None: text.TextBlocks(
        path, fmt, stream, chunk_size=64))
    rec = b"PMID- 3\nTI  - Ti\x03tle of a record long enough to be cut by small blocks.\nAB  - " + b"word " * 40 \
        + b"\nSO  - J. 2020.\n"
    records, diags = _medline(b"PMID- 1\nTI  - First.\nSO  - J. 2019.\n\n" + rec)
    assert records[1].title == "Title of a record long enough to be cut by small blocks."
    assert [d.record for d in diags if d.kind == "control-chars"] == [2]


def test_over_long_medline_value_is_cut_and_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    import graphkit.readers.medline as medline

    monkeypatch.setattr(clean, "MAX_VALUE_CHARS", 1000)
    monkeypatch.setattr(medline, "MAX_VALUE_CHARS", 1000)
    records, diags = _medline(b"PMID- 1\nTI  - T\nAB  - " + b"word " * 500 + b"\nSO  - J. 2020.\n")
    assert len(records[0].abstract) == 1000 and [d.kind for d in diags] == ["value-cut"]
