"""Web of Science plain-text reader (.ciw / .txt / .isi "Other file format" / "Plain text" exports).

Format: a header (``FN ...``, ``VR 1.0``), then records that start at ``PT`` and end at ``ER``; the
file ends at ``EF``. A field is a two-character tag, a space and the value; continuation lines start
with three spaces. For list fields (AU, AF, CR, C1, ...) each continuation line is one more item;
for text fields (TI, AB, SO, ...) the lines are joined with a space; keyword fields (DE, ID) are
joined and split on ``;``. Tags the table below does not map are kept in ``Record.extra``.

Streaming: line by line; only the current record is held. Bad data never raises: it becomes a
Diagnostic and costs only its record. A record without ``ER`` is kept, with a warning.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from graphkit.model import Diagnostic, JournalRef, Person, Record, Source
from graphkit.readers._text import TextLines
from graphkit.readers.medline import finish_block, normalise_doi, normalise_issn, normalise_orcid, split_person

log = logging.getLogger(__name__)

FORMAT = "wos"

# -- tag tables (data) --------------------------------------------------------------------------
# Text fields: WoS tag -> Record attribute (continuation lines joined with a space).
SCALAR_TAGS: dict[str, str] = {
    "TI": "title",
    "AB": "abstract",
    "VL": "volume",
    "IS": "issue",
    "BP": "first_page",
    "EP": "last_page",
    "PU": "publisher",
    "PM": "pmid",
}
# Fields whose continuation lines are separate items (one value per line).
LIST_TAGS = frozenset({"AU", "AF", "BA", "BF", "CA", "GP", "CR", "EM"})
# Address fields: one address per line, but some exports (Zoological Record) wrap a long address;
# a line continues the previous address unless that one ended with "." or the line starts "[Names]".
ADDRESS_TAGS = frozenset({"C1", "C3", "RP"})
# Fields that are one "; "-separated list, wrapped over lines at any point.
SEMICOLON_TAGS = frozenset({"DE", "ID", "OI", "RI", "SC", "WC"})
AUTHOR_FULL_TAG = "AF"  # "Stillman, Andrew N." (preferred)
AUTHOR_SHORT_TAG = "AU"  # "Stillman, AN"
AUTHOR_KEYWORDS_TAG = "DE"
KEYWORDS_PLUS_TAG = "ID"  # Keywords Plus: also kept raw in extra["ID"] so users can tell them apart
REFERENCES_TAG = "CR"
ORCID_TAGS = ("OI", "RI")  # "Family, Given/0000-0002-...; ..." (RI mostly holds ResearcherIDs)
DOI_TAG = "DI"
YEAR_TAG = "PY"
ARTICLE_NUMBER_TAG = "AR"  # article number (e.g. P10008): Record.article_number, never a page
JOURNAL_NAME_TAG = "SO"
JOURNAL_ABBREV_TAGS = ("JI", "J9")  # ISO abbreviation preferred; J9 (29-character) also kept in extra
ISSN_TAGS = ("SN", "EI")  # print, electronic
DOC_TYPE_TAG = "DT"
PUB_TYPE_TAG = "PT"
# PT codes -> type when there is no DT.
PUB_TYPES = {"J": "Journal", "B": "Book", "S": "Book in series", "P": "Patent", "C": "Conference"}
HEADER_TAGS = frozenset({"FN", "VR"})
END_RECORD = "ER"
END_FILE = "EF"

TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])(?: (.*)|\s*)$")
EMAIL = re.compile(r"\s*\(\s*[^()\s]+@[^()\s]+\s*\)")
BRACKETED = re.compile(r"\[[^\]]*\]?")  # Zoological Record "[descriptor / descriptor / ]" groups in DE
YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")


@dataclass(slots=True)
class _Block:
    line: int
    ordinal: int
    fields: list[tuple[str, list[str], int]] = field(default_factory=list)

    def add(self, tag: str, value: str, line: int) -> None:
        self.fields.append((tag, [value] if value else [], line))

    def extend_last(self, text: str) -> None:
        self.fields[-1][1].append(text)


def read_wos(path: str | Path, *, stream=None) -> Iterator[Record | Diagnostic]:
    """Yield a Record per WoS record in ``path`` and a Diagnostic per problem; never raises for data."""
    path = str(path)
    lines = TextLines(path, FORMAT, stream)
    block: _Block | None = None
    ordinal = 0
    ended = warned_after_end = False
    last_tag: str | None = None  # for continuation lines in the header

    def diag(line: int, message: str, kind: str, record: int | None = None) -> Diagnostic:
        return Diagnostic(Source(path, line, FORMAT), "warning", message, record=record, kind=kind)

    for number, raw in lines:
        yield from lines.drain()
        text = raw.rstrip()
        if not text:
            continue
        if ended:  # after EF: only a concatenated export (FN/VR/PT) is read on
            if text.startswith(("FN ", "VR ", "PT ")):
                ended = False
            else:
                if not warned_after_end:
                    yield diag(number, "text after EF (the end-of-file marker) ignored", "after-end")
                    warned_after_end = True
                continue
        if text[:1].isspace():
            if block is not None and block.fields:
                block.extend_last(text.strip())
            elif last_tag not in HEADER_TAGS:
                yield diag(number, "continuation line outside a record skipped", "junk")
            continue
        m = TAG_LINE.match(text)
        if m is None:
            if block is not None and block.fields:
                yield diag(number, f"untagged line joined to the previous {block.fields[-1][0]} value",
                           "untagged", block.ordinal)
                block.extend_last(text.strip())
            else:
                yield diag(number, "text outside a record skipped", "junk")
            continue
        tag, value = m.group(1), (m.group(2) or "").strip()
        last_tag = tag
        if tag == END_RECORD:
            if block is None:
                yield diag(number, "ER without a record", "junk")
            else:
                yield from _finish(path, block)
                block = None
            continue
        if tag == END_FILE:
            if block is not None:
                yield diag(number, "record has no ER before EF; kept", "unterminated", block.ordinal)
                yield from _finish(path, block)
                block = None
            ended = True
            continue
        if tag in HEADER_TAGS and block is None:
            continue
        if tag == PUB_TYPE_TAG and block is not None:
            yield diag(number, "PT inside a record: the previous record has no ER; kept", "unterminated",
                       block.ordinal)
            yield from _finish(path, block)
            block = None
        if block is None:
            ordinal += 1
            block = _Block(number, ordinal)
            if tag != PUB_TYPE_TAG:
                yield diag(number, f"record starts with {tag}, not PT", "no-start", ordinal)
        block.add(tag, value, number)
    yield from lines.drain()
    if block is not None:
        yield diag(block.fields[-1][2], "file ends inside a record (no ER): the record may be truncated; kept",
                   "truncated", block.ordinal)
        yield from _finish(path, block)
    log.debug("read %d WoS record(s) from %s", ordinal, path)


def _finish(path: str, block: _Block) -> Iterator[Record | Diagnostic]:
    yield from finish_block(path, FORMAT, block.line, block.ordinal, lambda src: _to_record(block, src))


def _fold(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _author(value: str) -> Person:
    clean = EMAIL.sub("", value).strip()
    person = split_person(clean)
    person.raw = value.strip()
    return person


def _split_semicolons(parts: list[str]) -> list[str]:
    return [item.strip() for item in " ".join(parts).split(";") if item.strip()]


def _join_wrapped(parts: list[str]) -> list[str]:
    items: list[str] = []
    for part in parts:
        if items and not items[-1].endswith(".") and not part.startswith("["):
            items[-1] = f"{items[-1]} {part}"
        else:
            items.append(part)
    return items


def _attach_orcids(authors: list[Person], entries: list[str]) -> list[str]:
    """Give ORCIDs from ``Name/0000-...`` entries to matching authors; returns entries not matched."""
    unmatched = []
    full = {}
    short: dict[str, list[Person]] = {}
    for p in authors:
        full.setdefault(_fold(p.display), p)
        initial = _fold(p.given or "")[:1]
        short.setdefault(f"{_fold(p.family)}|{initial}", []).append(p)
    for entry in entries:
        name, _, ident = entry.rpartition("/")
        orcid = normalise_orcid(ident)
        if not orcid:
            continue  # a ResearcherID or an empty id: not an ORCID
        person = full.get(_fold(name))
        if person is None and "," in name:
            family, given = name.split(",", 1)
            candidates = short.get(f"{_fold(family)}|{_fold(given)[:1]}", [])
            person = candidates[0] if len(candidates) == 1 else None
        if person is None:
            unmatched.append(entry)
        elif person.orcid is None:
            person.orcid = orcid
    return unmatched


def _to_record(block: _Block, src: Source) -> tuple[Record, list[tuple[int, str, str]]]:
    rec = Record(source=src)
    problems: list[tuple[int, str, str]] = []
    values: dict[str, list[str]] = {}
    first_line: dict[str, int] = {}
    for tag, parts, line in block.fields:
        first_line.setdefault(tag, line)
        if tag in LIST_TAGS:
            values.setdefault(tag, []).extend(parts)
        elif tag in ADDRESS_TAGS:
            values.setdefault(tag, []).extend(_join_wrapped(parts))
        elif tag in SEMICOLON_TAGS:
            values.setdefault(tag, []).extend(_split_semicolons(parts))
        else:
            values.setdefault(tag, []).append(" ".join(parts))

    def first(tag: str) -> str | None:
        for v in values.get(tag, ()):
            if v:
                return v
        return None

    used: set[str] = {AUTHOR_KEYWORDS_TAG}
    for tag, attr in SCALAR_TAGS.items():
        v = first(tag)
        if v is not None:
            setattr(rec, attr, v)
            used.add(tag)
            if len([x for x in values[tag] if x]) > 1:
                used.discard(tag)  # repeated scalar tag: keep every value in extra too
    if rec.pmid is not None and not rec.pmid.isdigit():
        problems.append((first_line["PM"], f"PM is not a number: {rec.pmid[:30]!r}", "bad-value"))
        rec.pmid = None
        used.discard("PM")
    if first(ARTICLE_NUMBER_TAG):
        rec.article_number = first(ARTICLE_NUMBER_TAG)
        used.add(ARTICLE_NUMBER_TAG)

    names = values.get(AUTHOR_FULL_TAG) or values.get(AUTHOR_SHORT_TAG) or []
    rec.authors = [_author(v) for v in names if v.strip()]
    used.update((AUTHOR_FULL_TAG, AUTHOR_SHORT_TAG))
    if values.get(AUTHOR_FULL_TAG) and values.get(AUTHOR_SHORT_TAG) and \
            len(values[AUTHOR_FULL_TAG]) != len(values[AUTHOR_SHORT_TAG]):
        problems.append((first_line[AUTHOR_FULL_TAG], "AF and AU list different numbers of authors; used AF",
                         "authors"))
        used.discard(AUTHOR_SHORT_TAG)
    for tag in ORCID_TAGS:
        if values.get(tag):
            _attach_orcids(rec.authors, values[tag])

    seen: set[str] = set()
    for tag in (AUTHOR_KEYWORDS_TAG, KEYWORDS_PLUS_TAG):
        for item in values.get(tag, ()):
            kw = " ".join(BRACKETED.sub(" ", item).split())
            if kw != item:
                kw = kw.rstrip(" .")
                used.discard(AUTHOR_KEYWORDS_TAG)  # Zoological Record descriptors: keep the raw field
            if kw and kw.casefold() not in seen:
                seen.add(kw.casefold())
                rec.keywords.append(kw)
    rec.references = [r for r in values.get(REFERENCES_TAG, ()) if r]
    used.add(REFERENCES_TAG)

    if first(DOI_TAG):
        rec.doi = normalise_doi(first(DOI_TAG))
        if rec.doi:
            used.add(DOI_TAG)
        else:
            problems.append((first_line[DOI_TAG], f"DI is not a DOI: {first(DOI_TAG)[:40]!r}", "bad-value"))
    if first(YEAR_TAG):
        m = YEAR.search(first(YEAR_TAG))
        if m:
            rec.year = int(m.group(1))
            used.add(YEAR_TAG)
        else:
            problems.append((first_line[YEAR_TAG], f"PY without a year: {first(YEAR_TAG)[:20]!r}", "bad-value"))

    journal = JournalRef(name=first(JOURNAL_NAME_TAG))
    used.add(JOURNAL_NAME_TAG)
    for tag in JOURNAL_ABBREV_TAGS:
        if journal.abbreviation is None and first(tag):
            journal.abbreviation = first(tag)
            if tag != "J9":
                used.add(tag)
    for tag in ISSN_TAGS:
        for v in values.get(tag, ()):
            issn = normalise_issn(v)
            if issn and issn not in journal.issns:
                journal.issns.append(issn)
                used.add(tag)
    if journal.name or journal.abbreviation or journal.issns:
        rec.journal = journal

    pt = first(PUB_TYPE_TAG)
    rec.type_raw = first(DOC_TYPE_TAG) or (PUB_TYPES.get(pt, pt) if pt else None)
    if first(DOC_TYPE_TAG):
        used.add(DOC_TYPE_TAG)

    for tag, vals in values.items():
        if tag not in used:
            kept = [v for v in vals if v]
            if kept:
                rec.extra[tag] = kept
    return rec, problems
