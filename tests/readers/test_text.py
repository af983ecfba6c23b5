"""graphkit.readers._text: linear reading of very long lines (a 150 MB field must not be quadratic).

The checks count the work done (bytes handed to the line splitter, characters scanned for record
starts, JSON decode attempts) instead of timing it, so they are exact on any machine."""

from __future__ import annotations

import functools
import io
import json

import pytest

import graphkit.readers._text as text_mod
import graphkit.readers.csl_json as csl_json
import graphkit.readers.ris as ris
from graphkit.readers._text import TextLines, iter_raw_lines
from conftest import split

SIZE = 4 << 20  # a 4 MiB line
CHUNK = 1 << 16  # read in 64 KiB chunks: 64 chunks for one line


class _Counting:
    """Wraps a compiled pattern, adding up the length of every string it is asked to scan."""

    def __init__(self, pattern) -> None:
        self.pattern = pattern
        self.scanned = 0

    def split(self, s, *a, **k):
        self.scanned += len(s)
        return self.pattern.split(s, *a, **k)

    def finditer(self, s, *a, **k):
        self.scanned += len(s)
        return self.pattern.finditer(s, *a, **k)

    def __getattr__(self, name):
        return getattr(self.pattern, name)


def test_long_line_split_once(monkeypatch: pytest.MonkeyPatch) -> None:
    counting = _Counting(text_mod._EOL)
    monkeypatch.setattr(text_mod, "_EOL", counting)
    monkeypatch.setattr(text_mod, "CHUNK", CHUNK)
    data = b"a" * SIZE + b"\r\nshort\r"
    assert list(iter_raw_lines(io.BytesIO(data))) == [b"a" * SIZE, b"short"]
    assert counting.scanned <= 2 * len(data)  # quadratic: ~32x


def test_lines_split_across_chunks_like_one_read(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"\xef\xbb\xbfone\r\ntwo\rthree\n\nfour\r\n"
    monkeypatch.setattr(text_mod, "CHUNK", 2)
    lines = [t for _, t in TextLines("mem", "ris", io.BytesIO(data))]
    assert lines == ["one", "two", "three", "", "four"]


@pytest.mark.parametrize("ty", [b"TY  -", b"TY -"])
def test_long_ris_record_scanned_once(monkeypatch: pytest.MonkeyPatch, ty: bytes) -> None:
    real_starts = ris._record_starts
    searched = []

    def record_starts(text: str) -> list[int]:
        searched.append(len(text))
        return real_starts(text)

    monkeypatch.setattr(ris, "_record_starts", record_starts)
    monkeypatch.setattr(ris, "TextBlocks", functools.partial(text_mod.TextBlocks, chunk_size=CHUNK))
    data = (ty + b" JOUR\nTI  - Long\nN1  - " + b"x\n" * (SIZE // 2) + b"ER  - \n\n" + ty
            + b" JOUR\nTI  - Next\nER  - \n")
    records, _ = split(ris.read_ris("mem.ris", stream=io.BytesIO(data)))
    assert [r.title for r in records] == ["Long", "Next"]
    assert sum(searched) <= 2 * len(data)  # quadratic: ~32x


def test_long_csl_json_item_decoded_a_few_times(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = json.JSONDecoder.raw_decode

    def counting(self, s, idx=0):
        calls.append(len(s))
        return real(self, s, idx)

    monkeypatch.setattr(json.JSONDecoder, "raw_decode", counting)
    data = json.dumps([{"type": "book", "title": "Long", "abstract": "x" * SIZE}, {"title": "Next"}]).encode()
    records, _ = split(csl_json.read_csl_json("mem.json", stream=io.BytesIO(data), chunk_size=CHUNK))
    assert [r.title for r in records] == ["Long", "Next"]
    assert len(calls) <= 12  # quadratic: one decode from the item's start per 64 KiB chunk (~64)
