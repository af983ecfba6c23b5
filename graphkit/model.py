"""The record model: what a reader yields, normalised but not yet resolved into graph nodes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal


@dataclass(slots=True, unsafe_hash=True)  # hashable by value; not frozen: a frozen init costs ~5x per record
class Source:
    """Where a record (or a diagnostic) came from: file path, 1-based line, reader format."""

    file: str
    line: int
    format: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(slots=True)
class Person:
    """An author as written in the record, split into family and given names."""

    family: str
    given: str | None = None
    orcid: str | None = None
    raw: str | None = None
    # addresses the record ties to this person, as written (MEDLINE AD after FAU/AU); None when the
    # format gives none per author (record-level addresses stay in Record.extra)
    affiliations: list[str] | None = None

    @property
    def display(self) -> str:
        return f"{self.family}, {self.given}" if self.given else self.family


@dataclass(slots=True)
class JournalRef:
    """The venue as the record names it: full name, abbreviation, ISSNs (print and electronic)."""

    name: str | None = None
    abbreviation: str | None = None
    issns: list[str] = field(default_factory=list)


@dataclass(slots=True)
class MeshRef:
    """A MeSH heading attached to a record; `major` is MEDLINE's '*' marker."""

    heading: str
    major: bool = False
    qualifiers: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Record:
    """One bibliographic record, normalised by its reader.

    Field names are the JSON keys of ``graphkit parse``. Anything a reader does not map is kept in
    ``extra`` (tag or column name -> list of raw values), never dropped.
    """

    source: Source
    type: str | None = None  # one of graphkit.doctypes.TYPES (CSL types), mapped from type_raw
    type_raw: str | None = None  # the producer's own document type, as written (RIS TY, MEDLINE PT ...)
    title: str | None = None
    authors: list[Person] = field(default_factory=list)
    year: int | None = None
    journal: JournalRef | None = None
    volume: str | None = None
    issue: str | None = None
    first_page: str | None = None
    last_page: str | None = None
    article_number: str | None = None  # e-locator for page-less articles (WoS AR, Scopus Art. No.)
    doi: str | None = None
    pmid: str | None = None
    publisher: str | None = None
    keywords: list[str] = field(default_factory=list)
    mesh: list[MeshRef] = field(default_factory=list)
    abstract: str | None = None
    references: list[str] = field(default_factory=list)
    extra: dict[str, list[str]] = field(default_factory=dict)
    # a deletion notice (PubMed update files' DeleteCitation): every record with this pmid leaves the graph
    deleted: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with the documented keys (source flattened to file/line/format)."""
        d = asdict(self)
        return d


Severity = Literal["warning", "error"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Something a reader noticed: always names file and line, and the record's ordinal when known."""

    source: Source
    severity: Severity
    message: str
    record: int | None = None  # 1-based ordinal of the record in its file
    kind: str = "other"  # short machine-readable category, e.g. "unterminated", "encoding"

    def __str__(self) -> str:
        rec = f"record {self.record}: " if self.record is not None else ""
        return f"{self.source.file}:{self.source.line}: {self.severity}: {rec}{self.message}"


class GraphkitError(Exception):
    """Base for errors meant for the user (the CLI prints them as one line, never a traceback)."""


class UnsupportedFormatError(GraphkitError):
    """A file whose format was detected but that graphkit does not read."""
