"""Property test: mutated MEDLINE input never makes read_medline raise; problems come out as diagnostics."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphkit.model import Diagnostic, Record
from graphkit.readers.medline import read_medline
from conftest import FIXTURES

SEEDS = [p.read_bytes() for p in sorted((FIXTURES / "medline").glob("*.nbib"))]
PIECES = [b"PMID- ", b"OWN - ", b"      ", b"\n", b"\r\n", b"\r", b"MH  - */", b"PG  - 12-", b"AUID- ORCID: ",
          b"IS  - (Linking)", b"DP  - ", b"LID - [doi]", b"\xff\xfe", b"\xef\xbb\xbf", b"\x00", b"-", b"/*",
          b"FAU - ,", b"AU  - ", b"\xe9"]


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["insert", "delete", "replace", "piece", "truncate", "duplicate"]))
        pos = draw(st.integers(0, len(data)))
        if op == "insert":
            data[pos:pos] = draw(st.binary(max_size=12))
        elif op == "delete":
            del data[pos:pos + draw(st.integers(1, 40))]
        elif op == "replace" and data:
            data[min(pos, len(data) - 1)] = draw(st.integers(0, 255))
        elif op == "piece":
            data[pos:pos] = draw(st.sampled_from(PIECES))
        elif op == "truncate":
            del data[pos:]
        elif op == "duplicate":
            data[pos:pos] = data[pos:pos + draw(st.integers(1, 80))]
    return bytes(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_medline_gives_records_and_diagnostics_only(data: bytes) -> None:
    items = list(read_medline("fuzz.nbib", stream=io.BytesIO(data)))
    for item in items:
        assert isinstance(item, (Record, Diagnostic))
        if isinstance(item, Diagnostic):
            assert item.source.file == "fuzz.nbib" and item.source.line >= 1
            assert item.severity == "warning"  # nothing in a MEDLINE file is worse than a warning
        else:
            assert item.source.line >= 1
            assert item.to_dict()["source"]["format"] == "medline"


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data: bytes) -> None:
    for item in read_medline("noise.nbib", stream=io.BytesIO(data)):
        assert isinstance(item, (Record, Diagnostic))
