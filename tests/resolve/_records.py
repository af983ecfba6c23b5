"""Record builders for the resolver tests (real Record objects, no mocks)."""

from __future__ import annotations

from graphkit.model import JournalRef, MeshRef, Person, Record, Source

_line = [0]


def rec(file: str = "t.ris", fmt: str = "ris", authors: list[tuple[str, str | None] | Person] = (),
        journal: JournalRef | None = None, mesh: list[str] = (), **fields) -> Record:
    _line[0] += 1
    people = [a if isinstance(a, Person) else Person(a[0], a[1]) for a in authors]
    return Record(Source(file, fields.pop("line", _line[0]), fmt), authors=people, journal=journal,
                  mesh=[MeshRef(m) for m in mesh], **fields)
