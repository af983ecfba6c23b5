"""Scopus CSV reader, and the table-driven CSV machinery the other CSV exports (graphkit.readers.other) use.

Scopus writes two column layouts: the older one (``Authors`` as ``Smith J., Doe A.B.``, no author
ids) and the newer one (``Authors`` as ``Smith J.; Doe A.B.``, plus ``Author(s) ID`` and, since
2024, ``Author full names`` as ``Smith, John (12345)``). Columns are found by header name, so both
layouts (and column orders) read the same; unknown columns are kept in ``Record.extra`` under their
header. Scopus author ids go to ``extra["Author(s) ID"]``, one per author in author order.

Streaming: the standard ``csv`` module over a line iterator (graphkit.readers._text.TextLines:
BOM, CR/CRLF/LF, UTF-8 with a Windows-1252 fallback), so embedded newlines in quoted cells work and
each row's first line number is known. Placeholders (``NA``, ``[No abstract available]``) are empty.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from graphkit.model import Diagnostic, JournalRef, MeshRef, Person, Record, Source
from graphkit.readers._clean import finish as finish_record
from graphkit.readers._names import split_name
from graphkit.readers._text import TextLines
from graphkit.readers.medline import normalise_doi, normalise_issn

log = logging.getLogger(__name__)

FORMAT = "scopus-csv"
FIELD_SIZE_LIMIT = 2**31 - 1  # Scopus "References" cells exceed csv's 128 KiB default
PLACEHOLDERS = frozenset({"", "NA", "N/A", "[No abstract available]", "[No title available]",
                          "[No author name available]", "[No source information available]"})
YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
SCOPUS_ID = re.compile(r"\s*\((\d+)\)\s*$")  # "Smith, John (12345)"
# A reference piece that is only an author name ("Cheng M."): Scopus 2024+ separates a reference's
# authors with "; " too, so such pieces belong to the reference that follows.
MARKUP = re.compile(r"</?(?:inf|sup|sub|i|b|em|strong|span)(?:\s[^<>]*)?>", re.IGNORECASE)
BARE_AUTHOR = re.compile(r"^[^,();]+ (?:[A-Z\u00C0-\u00DE][a-z]?\.?-?){1,4}$")  # "Cheng M.", "Calin GA", "Tseng M-L"


@dataclass(frozen=True, slots=True)
class CsvLayout:
    """Which columns of a CSV export feed which Record fields (a table, not code)."""

    format: str
    scalars: dict[str, str]  # column -> Record attribute (title, volume, issue, ...)
    authors: tuple[str, str] | None = None  # (column, separator)
    year: tuple[str, ...] = ()
    journal: tuple[str, ...] = ()
    abbreviation: tuple[str, ...] = ()
    issns: tuple[tuple[str, str], ...] = ()  # (column, separator)
    doi: tuple[str, ...] = ()
    pmid: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()  # a "first-last" column, used when first_page is not a column
    keywords: tuple[tuple[str, str], ...] = ()  # (column, separator), in order
    mesh: tuple[tuple[str, str], ...] = ()
    references: tuple[str, str] | None = None
    keep_raw: tuple[str, ...] = ()  # mapped columns also kept in extra (e.g. index keywords)
    # Rows with more cells than the header: the surplus belongs after the last column whose name
    # starts with this (Scopus writes "Funding Text 2" cells under a header that lacks the column),
    # accepted when the check (column, pattern) then holds.
    surplus_after: str | None = None
    surplus_check: tuple[str, str] | None = None


SCOPUS = CsvLayout(
    format=FORMAT,
    scalars={"Title": "title", "Volume": "volume", "Issue": "issue", "Page start": "first_page",
             "Page end": "last_page", "Abstract": "abstract", "Publisher": "publisher",
             "Document Type": "type_raw"},
    authors=("Authors", ";"),  # older exports separate with ", ": see _scopus_authors
    year=("Year",),
    journal=("Source title",),
    abbreviation=("Abbreviated Source Title",),
    issns=(("ISSN", ";"),),
    doi=("DOI",),
    pmid=("PubMed ID",),
    keywords=(("Author Keywords", ";"), ("Index Keywords", ";")),
    references=("References", "; "),
    keep_raw=("Index Keywords",),
    surplus_after="Funding Text",
    surplus_check=("EID", r"^2-s2\.0-"),
)
SCOPUS_FULL_NAMES = "Author full names"
SCOPUS_AUTHOR_IDS = "Author(s) ID"
SCOPUS_ARTICLE_NUMBER = "Art. No."


def read_scopus_csv(path: str | Path, *, stream=None) -> Iterator[Record | Diagnostic]:
    """Yield a Record per data row of a Scopus CSV export and a Diagnostic per problem."""
    yield from read_csv(path, SCOPUS, stream=stream, finish=_scopus_extras)


# -- generic table-driven CSV reading -----------------------------------------------------------

RowHook = Callable[[dict[str, str], Record, list[tuple[str, str]]], None]


def read_csv(path: str | Path, layout: CsvLayout, *, stream=None, finish: RowHook | None = None,
             delimiter: str = ",") -> Iterator[Record | Diagnostic]:
    """Read a CSV export with ``layout``; ``finish(row, record, problems)`` adds format specifics.

    Never raises for bad data: a row that cannot be mapped becomes an error Diagnostic."""
    path = str(path)
    fmt = layout.format
    csv.field_size_limit(FIELD_SIZE_LIMIT)
    lines = TextLines(path, fmt, stream)
    numbered = _LineFeed(lines)
    reader = csv.reader(numbered, delimiter=delimiter)
    header: list[str] | None = None
    ordinal = 0
    start = 1
    while True:
        start = numbered.number + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # e.g. NUL byte; the reader can go on with the next line
            yield from lines.drain()
            yield Diagnostic(Source(path, start, fmt), "error", f"unreadable CSV line skipped: {exc}",
                             kind="bad-row")
            continue
        yield from lines.drain()
        if header is None:
            header = [c.strip().lstrip("\ufeff").strip() for c in cells]
            continue
        if not any(c.strip() for c in cells):
            continue
        ordinal += 1
        src = Source(path, start, fmt)
        row = _realign(header, cells, layout)
        if row is None:
            while len(cells) > len(header) and not cells[-1].strip():
                cells = cells[:-1]  # trailing empty cells (a comma at the end of the line)
            if len(cells) != len(header):
                yield Diagnostic(src, "warning", f"row has {len(cells)} cells, the header has {len(header)}; "
                                 "cells are matched by position", record=ordinal, kind="bad-row")
            row = {name: cells[i] if i < len(cells) else "" for i, name in enumerate(header)}
            for i in range(len(header), len(cells)):
                row[f"column {i + 1}"] = cells[i]
        try:
            record, problems = map_row(row, layout, src)
            if finish is not None:
                finish(row, record, problems)
        except Exception as exc:  # a row we cannot map costs only itself
            log.debug("cannot map row %d of %s", ordinal, path, exc_info=True)
            yield Diagnostic(src, "error", f"row skipped: {' '.join(str(exc).split()) or type(exc).__name__}",
                             record=ordinal, kind="bad-record")
            continue
        for message, kind in problems:
            yield Diagnostic(src, "warning", message, record=ordinal, kind=kind)
        yield from finish_record(record, ordinal)
        yield record
    yield from lines.drain()
    if header is None:
        yield Diagnostic(Source(path, 1, fmt), "warning", "no header row: the file is empty", kind="empty")
    log.debug("read %d %s row(s) from %s", ordinal, fmt, path)


def _realign(header: list[str], cells: list[str], layout: CsvLayout) -> dict[str, str] | None:
    """The row as a dict when it fits the header (or fits after the layout's known surplus fix)."""
    if len(cells) == len(header):
        return dict(zip(header, cells))
    if len(cells) < len(header) or not layout.surplus_after:
        return None
    at = [i for i, name in enumerate(header) if name.startswith(layout.surplus_after)]
    if not at:
        return None
    i, extra = at[-1] + 1, len(cells) - len(header)
    names = header[:i] + [f"{layout.surplus_after} {len(at) + k + 1}" for k in range(extra)] + header[i:]
    row = dict(zip(names, cells))
    if layout.surplus_check:
        column, pattern = layout.surplus_check
        if not re.search(pattern, row.get(column, "")):
            return None
    return row


class _LineFeed:
    """Lines for csv.reader (with "\\n" put back), counting the last line number handed out."""

    def __init__(self, lines: TextLines) -> None:
        self._it = iter(lines)
        self.number = 0

    def __iter__(self) -> _LineFeed:
        return self

    def __next__(self) -> str:
        self.number, text = next(self._it)
        return text + "\n"


def cell(row: dict[str, str], *columns: str) -> str | None:
    """The first non-placeholder value among ``columns``, stripped (None if all are empty)."""
    for column in columns:
        value = row.get(column)
        if value is not None:
            value = " ".join(value.split()) if "\n" in value else value.strip()
            if value not in PLACEHOLDERS:
                return value
    return None


def split_list(value: str | None, sep: str) -> list[str]:
    if not value:
        return []
    return [t.strip() for t in value.split(sep.strip() or sep) if t.strip() and t.strip() not in PLACEHOLDERS]


def map_row(row: dict[str, str], layout: CsvLayout, src: Source) -> tuple[Record, list[tuple[str, str]]]:
    """One CSV row -> Record by ``layout``; unmapped non-empty columns go to extra."""
    problems: list[tuple[str, str]] = []
    record = Record(source=src)
    used: set[str] = set()
    for column, attr in layout.scalars.items():
        value = cell(row, column)
        if value is not None and getattr(record, attr) is None:
            setattr(record, attr, value)
            used.add(column)
    if layout.authors:
        column, sep = layout.authors
        record.authors = [p for p in (split_name(n) for n in split_list(cell(row, column), sep)) if p.family]
        used.add(column)
    year = cell(row, *layout.year)
    if year and (m := YEAR.search(year)):
        record.year = int(m.group(1))
        used.update(layout.year)
    name, abbrev = cell(row, *layout.journal), cell(row, *layout.abbreviation)
    issns: list[str] = []
    for column, sep in layout.issns:
        for part in split_list(cell(row, column), sep):
            issn = normalise_issn(part)
            if issn and issn not in issns:
                issns.append(issn)
                used.add(column)
    if name or abbrev or issns:
        record.journal = JournalRef(name=name, abbreviation=abbrev, issns=issns)
    used.update(layout.journal + layout.abbreviation)
    doi = cell(row, *layout.doi)
    if doi:
        record.doi = normalise_doi(doi)
        if record.doi:
            used.update(layout.doi)
        else:
            problems.append((f"DOI {doi!r} not recognised; kept in extra", "bad-doi"))
    pmid = cell(row, *layout.pmid)
    if pmid and (m := re.search(r"(\d+)\s*$", pmid)):
        record.pmid = m.group(1)
        used.update(layout.pmid)
    if layout.pages and record.first_page is None and (pages := cell(row, *layout.pages)):
        first, _, last = pages.partition("-")
        record.first_page, record.last_page = first.strip() or None, last.strip() or None
        used.update(layout.pages)
    seen: set[str] = set()  # exact spelling: 'Bibliometrics' (MeSH) and 'bibliometrics' (Emtree) both stay
    for column, sep in layout.keywords:
        for term in split_list(cell(row, column), sep):
            if term not in seen:
                seen.add(term)
                record.keywords.append(term)
        used.add(column)
    for column, sep in layout.mesh:
        for term in split_list(cell(row, column), sep):
            record.mesh.append(MeshRef(heading=term.lstrip("*").strip(), major=term.startswith("*")))
        used.add(column)
    if layout.references:
        column, sep = layout.references
        record.references = merge_reference_authors(split_list(row.get(column), sep))
        used.add(column)
    used.difference_update(layout.keep_raw)
    for column, value in row.items():
        if column in used or not column:
            continue
        text = cell(row, column)
        if text is not None:
            record.extra[column] = [text]
    return record, problems


def strip_markup(text: str) -> str:
    """``YBa<inf>2</inf>Cu`` -> ``YBa2Cu``: Scopus' sub/superscript and font tags dropped, text kept."""
    return MARKUP.sub("", text) if "<" in text else text


def merge_reference_authors(pieces: list[str]) -> list[str]:
    """Join bare author pieces (``Cheng M.``) to the reference after them (Scopus 2024+ layout)."""
    out: list[str] = []
    pending: list[str] = []
    for piece in pieces:
        piece = " ".join(piece.split())
        if BARE_AUTHOR.match(piece):
            pending.append(piece)
            continue
        out.append("; ".join([*pending, piece]))
        pending = []
    if pending:
        out.append("; ".join(pending))
    return out


# -- Scopus specifics ---------------------------------------------------------------------------

def _scopus_extras(row: dict[str, str], record: Record, problems: list[tuple[str, str]]) -> None:
    if record.title:
        record.title = strip_markup(record.title)
    if record.abstract:
        record.abstract = strip_markup(record.abstract)
    record.keywords = [strip_markup(k) for k in record.keywords]
    record.authors = _scopus_authors(row, problems)
    ids = [s.strip() for s in (cell(row, SCOPUS_AUTHOR_IDS) or "").split(";") if s.strip()]
    full = [n.strip() for n in (cell(row, SCOPUS_FULL_NAMES) or "").split(";") if n.strip()]
    if not ids and full:
        ids = [m.group(1) for n in full if (m := SCOPUS_ID.search(n))]
    if ids:
        record.extra[SCOPUS_AUTHOR_IDS] = ids
        if record.authors and len(ids) != len(record.authors):
            problems.append((f"{len(ids)} author id(s) for {len(record.authors)} author(s)", "author-ids"))
    record.extra.pop(SCOPUS_FULL_NAMES, None)  # now in Person.raw
    if (number := cell(row, SCOPUS_ARTICLE_NUMBER)):
        record.article_number = number
        record.extra.pop(SCOPUS_ARTICLE_NUMBER, None)


def _scopus_authors(row: dict[str, str], problems: list[tuple[str, str]]) -> list[Person]:
    short = cell(row, "Authors")
    if short is None:
        names: list[str] = []
    elif ";" in short:
        names = [n.strip() for n in short.split(";") if n.strip()]
    else:  # older layout: "Smith J., Doe A.B." (each name is "Family Initials", no comma inside)
        names = [n.strip() for n in short.split(", ") if n.strip()]
    names = [n for n in names if n not in PLACEHOLDERS]
    full = [n.strip() for n in (cell(row, SCOPUS_FULL_NAMES) or "").split(";") if n.strip()]
    if full and (not names or len(full) == len(names)):
        people = []
        for text in full:
            person = split_name(SCOPUS_ID.sub("", text))
            person.raw = text
            people.append(person)
        return people
    if full:
        problems.append((f"{len(full)} full name(s) for {len(names)} author(s); the Authors column is used",
                         "author-names"))
    return [p for p in (split_name(n) for n in names) if p.family]

