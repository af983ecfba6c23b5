"""Streaming text input shared by the line-based readers (RIS, MEDLINE, WoS).

Reads bytes in chunks, never the whole file; splits on CRLF, CR or LF alike; strips a UTF-8 BOM;
decodes each line as UTF-8 and falls back to Windows-1252 for a line that is not valid UTF-8,
reporting that as a warning (never a crash).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from graphkit.model import Diagnostic, Source
from graphkit.readers._clean import raw_scan

CHUNK = 1 << 20
_EOL = re.compile(rb"\r\n|\r|\n")
BOM = b"\xef\xbb\xbf"


def decode_line(raw: bytes) -> tuple[str, bool]:
    """Decode one line: UTF-8, else Windows-1252 (undefined bytes replaced). Returns (text, fell_back)."""
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), True


def iter_raw_lines(stream: BinaryIO) -> Iterator[bytes]:
    """Yield raw lines (without line ends) from a binary stream, streaming in chunks.

    Linear in the input: each chunk is scanned once, and a line longer than a chunk is collected as
    a list of pieces and joined once (never re-copied or re-scanned per chunk)."""
    tail: list[bytes] = []  # pieces of the line not finished yet
    start = stream.read(len(BOM))
    held = b"" if start == BOM else start  # bytes to put before the next chunk
    while True:
        chunk = stream.read(CHUNK)
        eof = not chunk
        if held:
            chunk = held + chunk
        held = b""
        if not chunk:
            break
        if chunk.endswith(b"\r") and not eof:
            # the '\r' may be the first half of a '\r\n' split across chunks: hold it back
            chunk, held = chunk[:-1], b"\r"
        parts = _EOL.split(chunk)
        tail.append(parts[0])
        if len(parts) > 1:
            yield b"".join(tail)
            tail = [parts.pop()]
            yield from parts[1:]
        if eof:
            break
    if any(tail):
        yield b"".join(tail)


class _TextSource:
    """A file (or an open binary stream) read once; decode warnings collect in ``diagnostics``, which
    readers drain as they go so warnings come out next to the records they concern."""

    def __init__(self, path: str | Path, format: str, stream: BinaryIO | None = None) -> None:
        self.path = str(path)
        self.format = format
        self._stream = stream
        self.diagnostics: list[Diagnostic] = []

    def __iter__(self) -> Iterator[tuple[int, str]]:
        if self._stream is not None:
            yield from self._iter(self._stream)
        else:
            with open(self.path, "rb") as fh:
                yield from self._iter(fh)

    def _iter(self, fh: BinaryIO) -> Iterator[tuple[int, str]]:
        raise NotImplementedError

    def drain(self) -> list[Diagnostic]:
        out, self.diagnostics = self.diagnostics, []
        return out


class TextLines(_TextSource):
    """Iterate ``(line_number, text)`` over a file."""

    def _iter(self, fh: BinaryIO) -> Iterator[tuple[int, str]]:
        for number, raw in enumerate(iter_raw_lines(fh), start=1):
            text, fell_back = decode_line(raw)
            if fell_back:
                self.diagnostics.append(Diagnostic(
                    Source(self.path, number, self.format), "warning",
                    "line is not valid UTF-8; decoded as Windows-1252", kind="encoding"))
            yield number, text


GZIP_MAGIC = b"\x1f\x8b"


def read_head(path: str | Path, size: int = 65536) -> str:
    """The first bytes of a file as text (BOM stripped, lenient decoding), for format detection."""
    with open(path, "rb") as fh:
        data = fh.read(size)
    if data.startswith(GZIP_MAGIC):  # NLM ships PubMed XML as .xml.gz: detect on the content inside
        import zlib

        try:
            inner = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, size)
        except zlib.error:
            inner = b""
        if inner.lstrip().startswith(b"<"):  # only the XML reader reads gzip; other gzip stays binary
            data = inner
    if data.startswith(BOM):
        data = data[len(BOM):]
    return data.decode("utf-8", errors="replace")


class TextBlocks(_TextSource):
    """Iterate ``(first_line_number, text)`` blocks of whole lines, for readers whose hot loop works on
    many lines at once (regex split) instead of one Python iteration per line.

    Same guarantees as :class:`TextLines` (streaming in chunks, BOM stripped, CRLF/CR/LF alike,
    UTF-8 with a per-line Windows-1252 fallback reported in ``diagnostics``) but every block ends with
    a line end and all line ends are ``"\\n"``. A block decodes in one call when it is valid UTF-8.
    """

    def __init__(self, path: str | Path, format: str, stream: BinaryIO | None = None,
                 chunk_size: int = CHUNK) -> None:
        super().__init__(path, format, stream)
        self.chunk_size = chunk_size
        # whether the block yielded last may hold control characters (graphkit.readers._clean.CONTROL),
        # tested on its bytes: a reader cleans the records of such a block only
        self.control = False

    def _iter(self, fh: BinaryIO) -> Iterator[tuple[int, str]]:
        start = fh.read(len(BOM))
        pending = [] if start == BOM else [start]  # bytes after the last line end, in pieces
        number = 1
        while True:
            chunk = fh.read(self.chunk_size)
            if not chunk:
                break
            # cut after the chunk's last line end (only the new bytes are searched: linear for any line
            # length); a final '\r' may be half of a '\r\n': keep it for later
            end = len(chunk) - 1 if chunk.endswith(b"\r") else len(chunk)
            cut = max(chunk.rfind(b"\n", 0, end), chunk.rfind(b"\r", 0, end))
            if cut < 0:
                if pending and pending[-1].endswith(b"\r") and not chunk.startswith(b"\n"):
                    cut = -1  # the '\r' held back last time is a line end after all: cut there
                else:
                    pending.append(chunk)
                    continue
            pending.append(chunk[:cut + 1])
            data = b"".join(pending) if len(pending) > 1 else pending[0]
            pending = [chunk[cut + 1:]]
            text, lines = self._decode(data, number)
            yield number, text
            number += lines
        pending_bytes = b"".join(pending)
        if pending_bytes:
            text, _ = self._decode(pending_bytes, number)
            if not text.endswith("\n"):
                text += "\n"
            yield number, text

    def _decode(self, raw: bytes, number: int) -> tuple[str, int]:
        """The text of ``raw`` (line ends normalised) and its number of line ends."""
        if b"\r" in raw:  # normalise line ends on bytes: much faster than on a decoded str
            raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        self.control, lines = raw_scan(raw)  # line ends counted on the bytes: one pass for both
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            parts = _EOL.split(raw)
            decoded = []
            for offset, part in enumerate(parts):
                line, fell_back = decode_line(part)
                if fell_back:
                    self.diagnostics.append(Diagnostic(
                        Source(self.path, number + offset, self.format), "warning",
                        "line is not valid UTF-8; decoded as Windows-1252", kind="encoding"))
                decoded.append(line)
            return "\n".join(decoded), lines
        return text, lines
