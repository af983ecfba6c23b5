"""Fuzz graphkit.readers.ris: mutated RIS bytes never make an exception escape, only Records/Diagnostics."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphkit.model import Diagnostic, Record
from graphkit.readers.ris import read_ris
from conftest import FIXTURES

SEEDS = [p.read_bytes() for p in sorted((FIXTURES / "ris").glob("*.ris"))]
TAGS = [b"TY", b"ER", b"AU", b"A1", b"TI", b"KW", b"SP", b"EP", b"PY", b"DO", b"SN", b"AI", b"TODO", b"ZZ", b"PMID"]
SEPARATORS = [b"  - ", b" - ", b"  -", b"  -  ", b"- ", b""]
NOISE = [b"\r", b"\n", b"\r\n", b"\xef\xbb\xbf", b"\xff", b"\xe9", b"\x00", b";", b", ", b"1.", b"null", b"NA",
         b"2018///", b"499-509", b"10.1000/x", b"\\", b"ORCID: http://orcid.org/", b"\t", b" - "]


@st.composite
def mutated_ris(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["flip", "truncate", "shuffle", "tag", "noise", "delete", "duplicate"]))
        if op == "flip" and data:
            i = draw(st.integers(0, len(data) - 1))
            data[i] = draw(st.integers(0, 255))
        elif op == "truncate" and data:
            data = data[: draw(st.integers(0, len(data)))]
        elif op == "shuffle":
            lines = bytes(data).split(b"\n")
            order = draw(st.permutations(range(len(lines))))
            data = bytearray(b"\n".join(lines[i] for i in order))
        elif op == "tag":
            i = draw(st.integers(0, len(data)))
            line = (draw(st.sampled_from([b"", b"\n", b"\r"])) + draw(st.sampled_from(TAGS))
                    + draw(st.sampled_from(SEPARATORS)) + draw(st.binary(max_size=20)) + b"\n")
            data[i:i] = line
        elif op == "noise":
            i = draw(st.integers(0, len(data)))
            data[i:i] = draw(st.sampled_from(NOISE))
        elif op == "delete" and data:
            i = draw(st.integers(0, len(data) - 1))
            data[i:i + draw(st.integers(1, 40))] = b""
        elif op == "duplicate" and data:
            i = draw(st.integers(0, len(data) - 1))
            data[i:i] = data[i:i + draw(st.integers(1, 200))]
    return bytes(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_ris())
def test_mutated_ris_yields_only_records_and_diagnostics(data: bytes) -> None:
    ordinals = []
    for item in read_ris("fuzz.ris", stream=io.BytesIO(data)):
        assert isinstance(item, (Record, Diagnostic))
        assert item.source.file == "fuzz.ris" and item.source.line >= 1
        if isinstance(item, Record):
            ordinals.append(item.source.line)
            assert item.doi is None or item.doi == item.doi.lower()
            assert all(isinstance(v, list) for v in item.extra.values())
            item.to_dict()
    assert ordinals == sorted(ordinals)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    for item in read_ris("fuzz.ris", stream=io.BytesIO(b"TY  - JOUR\n" + data)):
        assert isinstance(item, (Record, Diagnostic))
