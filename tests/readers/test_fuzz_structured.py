"""Fuzz: mutated BibTeX, Scopus CSV and CSL-JSON fixtures never make a reader raise; only records and
diagnostics that name a line come out."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from graphkit.model import Diagnostic, Record
from graphkit.readers.bibtex import read_bibtex
from graphkit.readers.csl_json import read_csl_json
from graphkit.readers.scopus_csv import read_scopus_csv

TOKENS = [b"{", b"}", b'"', b",", b"\n", b"\r", b"@", b"\\", b"\xff", b"\xe9", b"[", b"]", b"%", b"$", b"=",
          b";", b"--", b"<i>", b"\x00", b" and "]
READERS = {"bibtex": read_bibtex, "scopus_csv": read_scopus_csv, "csl_json": read_csl_json}
EDITS = st.lists(st.tuples(st.floats(0, 1), st.integers(0, 10**6), st.sampled_from(TOKENS), st.integers(1, 30)),
                 max_size=8)


def mutate(seed: bytes, edits) -> bytes:
    data = bytearray(seed)
    for where, pos, token, length in edits:
        pos %= len(data) + 1
        if where < 0.5:
            data[pos:pos] = token
        else:
            del data[pos:pos + length]
    return bytes(data)


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_fuzz_no_exception_escapes(fmt: str) -> None:
    seeds = [p.read_bytes() for p in sorted((FIXTURES / fmt).iterdir())]
    reader = READERS[fmt]

    @settings(max_examples=150, deadline=None)
    @given(seed=st.sampled_from(seeds), edits=EDITS)
    def check(seed: bytes, edits) -> None:
        for item in reader("fuzz", stream=io.BytesIO(mutate(seed, edits))):
            assert isinstance(item, (Record, Diagnostic)) and item.source.line >= 1

    check()
