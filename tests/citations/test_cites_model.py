"""The structured citation's packed form (what waits in the extension rows between reading and resolve)."""

from __future__ import annotations

import json

import pytest

from graphkit.citations.extract import references_of
from graphkit.citations.model import CitedRef, pack, unpack
from graphkit.model import Record
from graphkit.readers import read


def _fields(ref: CitedRef) -> list:
    return [None if v in ("", []) else v for v in ref.as_row()]


@pytest.mark.parametrize("path", ["wos/metaknowledge__savedrecs.txt", "wos/metaknowledge__ManyAuthors.isi",
                                  "scopus_csv/metaknowledge__scopus_testing.csv.scopus",
                                  "scopus_csv/bibliometrix__scopus_sample.csv", "bibtex/bibliometrix__savedrecs.bib"])
def test_every_corpus_reference_survives_pack_and_unpack(corpus, path: str) -> None:
    n = 0
    for rec in read(corpus / path):
        if not isinstance(rec, Record):
            continue
        refs = references_of(rec)
        if refs:
            packed = pack(refs)
            assert [_fields(r) for r in unpack(json.loads(json.dumps(packed)))] == [_fields(r) for r in refs]
            n += len(refs)
    assert n > 300


def test_separator_characters_in_a_reference_become_spaces() -> None:
    ref = CitedRef("\x1cA\x1fB\x1eC\x1dD", author="X\x1fY", year=2001, dois=["10.1/a", "10.1/b"])
    (back,) = unpack(pack([ref]))
    assert (back.raw, back.author, back.year, back.dois) == (" A B C D", "X Y", 2001, ["10.1/a", "10.1/b"])


def test_no_references_pack_to_nothing() -> None:
    assert pack([]) == "" and list(unpack("")) == []


def test_packed_references_are_one_byte_characters_and_json_keeps_them() -> None:
    ref = CitedRef("Erdős, P., On random graphs, Publ. Math. Debrecen 6 (1959) 290", family="Erdős", year=1959,
                   source="Publ. Math. Debrecen", volume="6", page="290", style="scopus")
    packed = pack([ref, ref])
    assert max(map(ord, packed)) < 256  # Python keeps it at one byte a character
    back = list(unpack(json.loads(json.dumps(packed))))
    assert [_fields(r) for r in back] == [_fields(ref)] * 2


def test_the_uncompressed_packed_form_of_earlier_versions_is_still_read() -> None:
    old = "\x1f".join(("ERDOS P, 1959, PUBL MATH-DEBRECEN, V6, P290", "ERDOS P", "ERDOS", "1959",
                       "PUBL MATH-DEBRECEN", "6", "290", "", "10.1/a\x1d10.1/b", "", "wos"))
    back, again = unpack(old + "\x1e" + old)
    assert (back.raw, back.family, back.year, back.volume, back.page, back.dois, back.style) == (
        "ERDOS P, 1959, PUBL MATH-DEBRECEN, V6, P290", "ERDOS", 1959, "6", "290", ["10.1/a", "10.1/b"], "wos")
    assert _fields(again) == _fields(back)
