"""Parsing across cores: a process pool over files, and over byte ranges of one large RIS, MEDLINE
or Web of Science file, with output IDENTICAL to serial reading (``graphkit.readers.read_files``).

How a large file is cut: near every ``chunk_bytes`` the file is cut at a record boundary, found in
the bytes, where a reader starting fresh sees exactly what it would see mid-file:

- RIS: at the start of a ``TY  -`` line whose previous record was closed by ``ER  -``;
- MEDLINE: at the start of a ``PMID- `` line that follows a blank line;
- WoS: at the start of a ``PT`` line that follows an ``ER`` line.

Each worker runs the ordinary reader on its byte range (as a stream), shifts line numbers by the line
ends before the range (counted by the parent in one fast pass over the bytes) and sends back the
records and diagnostics; the parent puts them out in file order, shifting record ordinals by the
records before the range (a range's ordinals are its records plus its skipped-record errors).
With ``transform`` (e.g. ``record_json``) the workers also turn each record into what the consumer
wants, so the main process does not rebuild records at all. Diagnostics that only say "the input ends here" (kind ``truncated``) are
dropped from every range but a file's last: the cut is not the end of the file.

The RIS and MEDLINE readers decode in blocks (graphkit.readers._text.TextBlocks, one per ``CHUNK``
bytes read) and report a block's encoding warnings before the records they finish in it. A worker
therefore feeds its reader a stream whose reads stop at the same absolute block boundaries as a
serial read, tags every item with the block it came out in, and the parent restores the serial
order (a block's encoding warnings first, then its records).

Small inputs (not more than ``chunk_bytes`` in all) and ``workers=1`` are read serially in-process.
At most ``2 x workers`` ranges are in flight, so memory stays bounded for any input size.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from graphkit.model import Diagnostic, JournalRef, MeshRef, Person, Record, Source, UnsupportedFormatError
from graphkit.readers import detect, read, read_files, reader_for
from graphkit.readers._text import BOM, CHUNK

log = logging.getLogger(__name__)

CHUNK_BYTES = 4 << 20
LOOKBACK = 1 << 16  # bytes before a RIS cut searched for the ER that closes the previous record
WINDOW = 1 << 16  # bytes read at a time when looking for a cut
_EOL = re.compile(rb"\r\n|\r|\n")
_NL = rb"(?:\r\n|\r|\n)"
# format -> where a range may start (the match start is the cut)
CUTS: dict[str, re.Pattern[bytes]] = {
    "ris": re.compile(rb"(?<=[\r\n])TY {1,2}-(?=[ \r\n])"),
    "medline": re.compile(rb"(?<=[\r\n])PMID- "),
    "wos": re.compile(rb"(?<=[\r\n])PT (?=\S)"),
}
RIS_TY_OR_ER = re.compile(rb"(?:^|[\r\n])(TY|ER) {1,2}-", re.MULTILINE)
MEDLINE_BLANK_BEFORE = re.compile(_NL + rb"[ \t]*" + _NL + rb"$")
WOS_ER_BEFORE = re.compile(rb"(?:^|[\r\n])ER[ \t]*" + _NL + rb"(?:[ \t]*" + _NL + rb")*$")
END_OF_INPUT_KINDS = frozenset({"truncated"})
# Readers built on TextBlocks: their encoding warnings come out per read block, not per line.
BLOCK_READERS = frozenset({"ris", "medline"})
ENCODING_KIND = "encoding"


# Records travel from the workers as plain tuples: pickling dataclasses costs twice as much, and the
# parent's unpickling is the part of a parallel read that does not run in parallel.
_RECORD_FIELDS = tuple(f.name for f in fields(Record))
_PERSON_FIELDS = tuple(f.name for f in fields(Person))
_JOURNAL_FIELDS = tuple(f.name for f in fields(JournalRef))
_MESH_FIELDS = tuple(f.name for f in fields(MeshRef))


def _pack(record: Record) -> tuple:
    values = []
    for name in _RECORD_FIELDS:
        value = getattr(record, name)
        if name == "source":
            value = (value.file, value.line, value.format)
        elif name == "authors":
            value = [tuple(getattr(p, f) for f in _PERSON_FIELDS) for p in value]
        elif name == "journal" and value is not None:
            value = tuple(getattr(value, f) for f in _JOURNAL_FIELDS)
        elif name == "mesh":
            value = [tuple(getattr(m, f) for f in _MESH_FIELDS) for m in value]
        values.append(value)
    return tuple(values)


_AT = {name: i for i, name in enumerate(_RECORD_FIELDS)}


def _unpack(values: tuple) -> Record:
    """The Record of a packed tuple (positional: the fast path)."""
    v = list(values)
    v[_AT["source"]] = Source(*v[_AT["source"]])
    v[_AT["authors"]] = [Person(*p) for p in v[_AT["authors"]]]
    journal = v[_AT["journal"]]
    if journal is not None:
        v[_AT["journal"]] = JournalRef(*journal)
    v[_AT["mesh"]] = [MeshRef(*m) for m in v[_AT["mesh"]]]
    return Record(*v)


@dataclass(frozen=True, slots=True)
class _Task:
    path: str
    format: str  # "auto" when detection failed: read() reports it
    start: int = 0
    end: int | None = None  # None: the whole file through read()
    last: bool = True  # the range ends the file
    lines_before: int = 0  # line ends in the file before ``start``
    transform: Callable[[Record], Any] | None = None


@dataclass(slots=True)
class _Result:
    items: list[Any]  # diagnostics, and records packed as tuples (_pack) or transformed
    ordinals: int  # record ordinals the range used
    blocks: list[int] | None = None  # per item: the serial read block it comes out in (block readers)


def read_files_parallel(paths: Iterable[str | Path], format: str = "auto", workers: int | None = None,
                        chunk_bytes: int | None = None, transform: Callable[[Record], Any] | None = None
                        ) -> Iterator[Any]:
    """Read ``paths`` like ``read_files`` (same records and diagnostics, same order), using a process
    pool when the input is larger than ``chunk_bytes``.

    ``transform`` (a picklable, module-level function such as :func:`record_json`) is applied to each
    Record in the workers, and its result is put out instead of the Record: the main process then
    does not rebuild the Record at all (diagnostics are put out as they are)."""
    paths = [str(p) for p in paths]
    chunk_bytes = chunk_bytes or CHUNK_BYTES
    workers = workers or os.cpu_count() or 1
    total = sum(_size(p) for p in paths)
    tasks = _plan(paths, format, chunk_bytes, transform) if workers > 1 and total > chunk_bytes else []
    if len(tasks) <= 1:
        for item in read_files(paths, format):
            yield transform(item) if transform is not None and isinstance(item, Record) else item
        return
    log.debug("parallel read: %d range(s) of %d file(s) on %d worker(s)", len(tasks), len(paths), workers)
    ordinal_offset = 0
    held = _Held()
    for task, result in _in_order(tasks, workers):
        if task.start == 0:  # a file's first range (or a whole file)
            yield from held.flush()
            ordinal_offset = 0
        shifted = _shift(result, task, ordinal_offset)
        if result.blocks is None:
            yield from shifted
        else:
            for block, item in zip(result.blocks, shifted):
                yield from held.add(block, item)
        ordinal_offset += result.ordinals
    yield from held.flush()


def record_json(record: Record) -> str:
    """A record as ``graphkit parse`` writes it: one JSON object, no trailing newline."""
    return json.dumps(record.to_dict(), ensure_ascii=False)


class _Held:
    """The items of the current read block: put out as a serial read would, encoding warnings first."""

    def __init__(self) -> None:
        self.block = -1
        self.encoding: list[Diagnostic] = []
        self.other: list[Record | Diagnostic] = []

    def add(self, block: int, item: Record | Diagnostic) -> Iterator[Record | Diagnostic]:
        if block > self.block:
            yield from self.flush()
            self.block = block
        if isinstance(item, Diagnostic) and item.kind == ENCODING_KIND:
            self.encoding.append(item)
        else:
            self.other.append(item)

    def flush(self) -> Iterator[Record | Diagnostic]:
        out = self.encoding + self.other
        self.encoding, self.other, self.block = [], [], -1
        yield from out


def _in_order(tasks: list[_Task], workers: int) -> Iterator[tuple[_Task, _Result]]:
    """Run tasks on a process pool, at most 2 x workers at a time; results in task order."""
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: deque[tuple[_Task, Future]] = deque()
        for task in tasks:
            pending.append((task, pool.submit(_run, task)))
            if len(pending) >= 2 * workers:
                first, future = pending.popleft()
                yield first, future.result()
        while pending:
            first, future = pending.popleft()
            yield first, future.result()


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _plan(paths: list[str], format: str, chunk_bytes: int, transform=None) -> list[_Task]:
    tasks: list[_Task] = []
    for path in paths:
        fmt = format
        if fmt == "auto":
            try:
                fmt = detect(path)
            except (UnsupportedFormatError, OSError):
                tasks.append(_Task(path, format, transform=transform))
                continue
        size = _size(path)
        if fmt not in CUTS or size <= chunk_bytes:
            tasks.append(_Task(path, fmt, transform=transform))
            continue
        cuts = find_cuts(path, fmt, chunk_bytes)
        bounds = [0, *cuts, size]
        before = count_lines_before(path, cuts)
        for i in range(len(bounds) - 1):
            tasks.append(_Task(path, fmt, bounds[i], bounds[i + 1], last=i == len(bounds) - 2,
                               lines_before=before[i], transform=transform))
    return tasks


def count_lines_before(path: str, cuts: list[int], block: int = 16 << 20) -> list[int]:
    """Line ends (CRLF, CR, LF alike) in ``path`` before 0 and before each cut (cuts start lines)."""
    out = [0]
    total = 0
    pos = 0
    prev_cr = False
    with open(path, "rb") as fh:
        for cut in cuts:
            while pos < cut:
                data = fh.read(min(block, cut - pos))
                if not data:
                    break
                if prev_cr or b"\r" in data:
                    total += data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
                    if prev_cr and data[:1] == b"\n":
                        total -= 1  # a CRLF split between two reads
                else:  # LF only (most files): one count instead of three
                    total += data.count(b"\n")
                prev_cr = data[-1:] == b"\r"
                pos += len(data)
            out.append(total)
    return out


def find_cuts(path: str, fmt: str, chunk_bytes: int) -> list[int]:
    """Byte offsets, about ``chunk_bytes`` apart, where a range of ``path`` may start (see CUTS)."""
    pattern = CUTS[fmt]
    size = _size(path)
    cuts: list[int] = []
    with open(path, "rb") as fh:
        target = chunk_bytes
        while target < size:
            cut = _next_cut(fh, fmt, pattern, target, size)
            if cut is None:
                break
            cuts.append(cut)
            target = cut + chunk_bytes
    return cuts


def _next_cut(fh, fmt: str, pattern: re.Pattern[bytes], target: int, size: int) -> int | None:
    base = max(0, target - LOOKBACK)
    fh.seek(base)
    data = fh.read(target - base + WINDOW)
    while True:
        for m in pattern.finditer(data, target - base):
            at = m.start()
            if at == 0 and base == 0:
                continue
            if _clean_cut(fmt, data, at):
                return base + at
        if base + len(data) >= size:
            return None
        # no cut in this window: read on (keeping LOOKBACK bytes before the new search start)
        target = base + len(data) - 16
        base = max(0, target - LOOKBACK)
        fh.seek(base)
        data = fh.read(target - base + WINDOW)


def _clean_cut(fmt: str, data: bytes, at: int) -> bool:
    """Whether a fresh reader starting at ``at`` reads what the serial reader reads there."""
    before = data[:at]
    if fmt == "ris":  # the previous record must be closed by ER (else its warning would differ)
        last = None
        for m in RIS_TY_OR_ER.finditer(before):
            last = m.group(1)
        return last == b"ER"
    if fmt == "medline":
        return MEDLINE_BLANK_BEFORE.search(before[-4096:]) is not None
    if fmt == "wos":
        return WOS_ER_BEFORE.search(before[-4096:]) is not None
    return False


def _run(task: _Task) -> _Result:
    """In a worker: read one task (a whole file, or a range with its lines shifted to the file's);
    count the record ordinals a range used."""
    finish = task.transform or _pack
    if task.end is None:
        return _Result([finish(i) if isinstance(i, Record) else i for i in read(task.path, task.format)], 0)
    with open(task.path, "rb") as fh:
        fh.seek(task.start)
        data = fh.read(task.end - task.start)
        after = fh.read(WINDOW) if not task.last else b""
    items: list[Record | Diagnostic] = []
    blocks: list[int] | None = [] if task.format in BLOCK_READERS else None
    stream = _AlignedStream(data, task.start)
    # items put out after the range is read through: a serial read puts them out in the block that
    # holds the next range's first line (its line end decides the block)
    eol = _EOL.search(after)
    tail_block = _block_of(task.end + eol.end() - 1) if eol else _block_of(task.end)
    try:
        for item in reader_for(task.format)(task.path, stream=stream):
            items.append(item)
            if blocks is not None:
                blocks.append(tail_block if stream.done else _block_of(stream.last))
    except Exception as exc:  # a reader bug: same one-line report as read() gives
        log.debug("reader %s failed on %s", task.format, task.path, exc_info=True)
        items.append(Diagnostic(Source(task.path, 1, task.format), "error",
                                f"internal error in the {task.format} reader, rest of range skipped: "
                                f"{' '.join(str(exc).split()) or type(exc).__name__}", kind="internal"))
    ordinals = sum(1 for i in items if isinstance(i, Record)) + sum(
        1 for i in items if isinstance(i, Diagnostic) and i.severity == "error" and i.record is not None
        and i.kind == "bad-record")
    if blocks is not None and len(blocks) < len(items):
        blocks.extend([tail_block] * (len(items) - len(blocks)))
    if not task.last:
        keep = [not (isinstance(i, Diagnostic) and i.kind in END_OF_INPUT_KINDS) for i in items]
        items = [i for i, k in zip(items, keep) if k]
        if blocks is not None:
            blocks = [b for b, k in zip(blocks, keep) if k]
    lines = task.lines_before
    out: list[Any] = []
    for item in items:
        if lines:
            if isinstance(item, Record):
                item.source = replace(item.source, line=item.source.line + lines)
            else:
                item = replace(item, source=replace(item.source, line=item.source.line + lines))
        out.append(finish(item) if isinstance(item, Record) else item)
    return _Result(out, ordinals, blocks)


def _block_of(offset: int) -> int:
    """The serial read block (TextBlocks: 3 bytes for the BOM, then CHUNK at a time) holding ``offset``."""
    return max(0, offset - len(BOM)) // CHUNK


class _AlignedStream:
    """A range of a file as a binary stream whose reads end where a serial read of the whole file
    would end its reads, so block readers see the same blocks; remembers the last byte handed out."""

    def __init__(self, data: bytes, start: int) -> None:
        self.data = data
        self.start = start
        self.pos = 0
        self.last = start
        self.done = False

    def read(self, n: int = -1) -> bytes:
        at = self.start + self.pos
        limit = len(BOM) - at if at < len(BOM) else CHUNK - (at - len(BOM)) % CHUNK
        size = len(self.data) - self.pos if n is None or n < 0 else n
        size = min(size, limit, len(self.data) - self.pos)
        if size <= 0:
            self.done = True
            return b""
        chunk = self.data[self.pos:self.pos + size]
        self.pos += size
        self.last = self.start + self.pos - 1
        return chunk


def _shift(result: _Result, task: _Task, ordinals: int) -> Iterator[Any]:
    """Records rebuilt (or their transform as is); diagnostics' record ordinals shifted."""
    for item in result.items:
        if isinstance(item, Diagnostic):
            if ordinals and item.record is not None:
                item = replace(item, record=item.record + ordinals)
            yield item
        elif task.transform is None:
            yield _unpack(item)
        else:
            yield item
