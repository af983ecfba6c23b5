"""The structured citation's packed form (what waits in the extension rows between reading and resolve)."""

from __future__ import annotations

import json

import pytest

from graphkit.citations.extract import references_of
from graphkit.citations.model import CitedRef, pack, unpack
from graphkit.model import Record
from graphkit.readers import read
from conftest import CORPUS


def _fields(ref: CitedRef) -> list:
    return [None if v in ("", []) else v for v in ref.as_row()]


@pytest.mark.parametrize("path", ["wos/metaknowledge__savedrecs.txt", "wos/metaknowledge__ManyAuthors.isi",
                                  "scopus_csv/metaknowledge__scopus_testing.csv.scopus",
                                  "scopus_csv/bibliometrix__scopus_sample.csv", "bibtex/bibliometrix__savedrecs.bib"])
def test_every_corpus_reference_survives_pack_and_unpack(path: str) -> None:
    n = 0
    for rec in read(CORPUS / path):
        if not isinstance(rec, Record):
            continue
        refs = references_of(rec)
        if refs:
            packed = pack(refs)
            assert [_fields(r) for r in unpack(json.loads(json.dumps(packed)))] == [_fields(r) for r in refs]
            n += len(refs)
    assert n > 300


def test_separator_characters_in_a_reference_become_spaces() -> None:
    ref = CitedRef("A\x1fB\x1eC\x1dD", author="X\x1fY", year=2001, dois=["10.1/a", "10.1/b"])
    (back,) = unpack(pack([ref]))
    assert (back.raw, back.author, back.year, back.dois) == ("A B C D", "X Y", 2001, ["10.1/a", "10.1/b"])


def test_no_references_pack_to_nothing() -> None:
    assert pack([]) == "" and list(unpack("")) == []
