"""PubMed MEDLINE / .nbib reader (also ERIC's MEDLINE-like .nbib).

Format: one field per line, ``TAG - value`` with the tag left-justified in four columns
(``PMID- ``, ``AU  - ``, ``OWN - ``); continuation lines start with six spaces and continue the
previous value (joined with one space); records are separated by blank lines and start at ``PMID-``
(ERIC files start at ``OWN - ERIC``). A second ``PMID-`` in one block starts a new record even
without the blank line. Tags the table below does not map are kept in ``Record.extra``.

Streaming: the file is read in blocks of whole lines (graphkit.readers._text.TextBlocks); only the
current block and record are held in memory. Bad data never raises: it becomes a Diagnostic and costs only its record.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

from graphkit.ids import doi as normalise_doi
from graphkit.ids import issn_shape as normalise_issn
from graphkit.ids import orcid_shape as normalise_orcid
from graphkit.model import Diagnostic, JournalRef, MeshRef, Person, Record, Source
from graphkit.readers._clean import CONTROL, MAX_VALUE_CHARS, finish
from graphkit.readers._text import TextBlocks

log = logging.getLogger(__name__)

FORMAT = "medline"

# -- tag tables (data) --------------------------------------------------------------------------
# Scalar tags: MEDLINE tag -> Record attribute. The first value wins; later ones go to extra.
SCALAR_TAGS: dict[str, str] = {
    "PMID": "pmid",
    "TI": "title",
    "AB": "abstract",
    "VI": "volume",
    "IP": "issue",
    "PB": "publisher",
}
# Fallbacks used only when the main tag is absent (book chapters have BTI/CTI, not TI).
TITLE_FALLBACK_TAGS = ("BTI", "CTI")
ABSTRACT_FALLBACK_TAGS = ("OAB",)
AUTHOR_FULL_TAG = "FAU"
AFFILIATION_TAG = "AD"  # an address of the author named just before it (several may follow one author)
AUTHOR_SHORT_TAG = "AU"
AUTHOR_ID_TAG = "AUID"  # "ORCID: 0000-0002-...", attached to the author just before it
KEYWORD_TAGS = ("OT", "KW")
MESH_TAG = "MH"
DOI_TAGS = ("LID", "AID")  # "10.1000/x [doi]"; ERIC writes a doi.org URL in AID
DATE_TAG = "DP"
PAGES_TAG = "PG"
ISSN_TAGS = ("IS", "ISSN")  # "2296-2565 (Linking)"; ERIC: "ISSN-1234-4567"
JOURNAL_NAME_TAG = "JT"
JOURNAL_ABBREV_TAG = "TA"
TYPE_TAG = "PT"
SOURCE_TAG = "SO"  # PubMed always writes it, near the end: its absence in the last record hints truncation
# Tags that open a record; the same tag seen twice in one block means a blank line is missing.
START_TAGS = ("PMID", "OWN")
_TRACKED_TAGS = frozenset((*START_TAGS, SOURCE_TAG))  # the tags a block's reading asks whether it has
MAPPED_TAGS = frozenset(
    set(SCALAR_TAGS) | set(TITLE_FALLBACK_TAGS) | set(ABSTRACT_FALLBACK_TAGS) | set(KEYWORD_TAGS)
    | set(DOI_TAGS) | set(ISSN_TAGS)
    | {AUTHOR_FULL_TAG, AUTHOR_SHORT_TAG, AUTHOR_ID_TAG, MESH_TAG, DATE_TAG, PAGES_TAG, JOURNAL_NAME_TAG,
       JOURNAL_ABBREV_TAG, TYPE_TAG})
# Order of ISSN kinds in JournalRef.issns (the linking ISSN, if given, first).
ISSN_KIND_ORDER = {"linking": 0, "print": 1, "electronic": 2, "": 3}



def order_issns(issns: list[tuple[int, str]]) -> list[str]:
    """(kind rank, ISSN) pairs -> ISSNs by :data:`ISSN_KIND_ORDER` (stable), each once; MEDLINE and
    PubMed XML share it."""
    ordered: list[str] = []
    for _, issn in sorted(issns, key=lambda t: t[0]):
        if issn not in ordered:
            ordered.append(issn)
    return ordered


YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
PAGE_RANGE = re.compile(r"^([A-Za-z]*)(\d+)([A-Za-z]*)\s*[-\u2013]\s*([A-Za-z]*)(\d+)([A-Za-z]*)$")


# -- value parsers shared with the WoS reader ----------------------------------------------------

def parse_pages(value: str | None) -> tuple[str | None, str | None]:
    """(first, last) from a MEDLINE/WoS page string.

    ``436-44`` -> (436, 444) (MEDLINE drops the leading digits the last page shares with the first);
    ``188-197``; ``e1234`` -> (e1234, None); ``S12-9`` -> (S12, S19); ``1-5; discussion 6`` -> (1, 5).
    """
    if not value:
        return None, None
    text = value.strip()
    head = re.split(r"[;,]", text, maxsplit=1)[0].strip()
    if not head:
        return None, None
    m = PAGE_RANGE.match(head)
    if m:
        p1, n1, s1, p2, n2, s2 = m.groups()
        if len(n2) < len(n1) and (not p2 or p2 == p1):
            n2 = n1[: len(n1) - len(n2)] + n2
        p2 = p2 or p1
        return f"{p1}{n1}{s1}", f"{p2}{n2}{s2}"
    if "-" in head:
        first, last = (part.strip() for part in head.split("-", 1))
        return first or None, last or None
    return head, None


def split_person(value: str, *, initials_form: bool = False) -> Person:
    """``Family, Given`` -> Person; ``Family AB`` (MEDLINE AU, no comma) -> family + initials."""
    raw = value.strip()
    if "," in raw:
        family, given = (part.strip() for part in raw.split(",", 1))
        return Person(family=family or raw, given=given or None, raw=raw)
    if initials_form:
        parts = raw.rsplit(" ", 1)
        if len(parts) == 2 and parts[1].isupper() and len(parts[1]) <= 4:
            return Person(family=parts[0], given=parts[1], raw=raw)
    return Person(family=raw, raw=raw)


def parse_mesh(value: str) -> MeshRef | None:
    """``Liver Neoplasms/*secondary/therapy`` -> heading, major (any star), qualifiers."""
    fields = _mesh_fields(value)
    return None if fields is None else MeshRef(fields[0], fields[1], list(fields[2]))


@lru_cache(maxsize=1 << 14)  # (an MH line recurs across records; a MeshRef is mutable: made anew each time)
def _mesh_fields(value: str) -> tuple[str, bool, tuple[str, ...]] | None:
    parts = [p.strip() for p in value.split("/")]
    heading = parts[0].lstrip("*").strip()
    if not heading:
        return None
    major = any(p.startswith("*") for p in parts)
    return heading, major, tuple(q.lstrip("*").strip() for q in parts[1:] if q.lstrip("*").strip())


# -- reading ---------------------------------------------------------------------------------------

# Records are separated by blank lines (or lines of blanks only).
_SEPARATOR = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")
# A tag line, with the line end before it; split() of "\n" + a text less its last line end gives
# ["\n" + the text before the first tag (less its line end) or "", tag, value (+ continuation lines,
# less the line end after them), tag, ...]. The pattern starts with a literal, which the regex engine
# looks for with a fast scan: a "^" under re.M is tried at every character (2.5x slower on MEDLINE text).
_TAG_SPLIT = re.compile(r"\n([A-Z][A-Z0-9]{1,3}) *- ?").split
# A block without a blank line that grows past this is cut before its last PMID line (memory bound).
MAX_CARRY = 4 << 20


@dataclass(slots=True)
class _Block:
    """The raw fields of one record as read: (tag, value, line) in file order."""

    line: int
    ordinal: int
    fields: list[tuple[str, str, int]] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)  # those of _TRACKED_TAGS it has (the others: no set add each)
    scrub: bool = True  # whether its text may hold control characters or an over-long value


def read_medline(path: str | Path, *, stream=None) -> Iterator[Record | Diagnostic]:
    """Yield a Record per MEDLINE record in ``path`` and a Diagnostic per problem; never raises for data.

    The hot loop works on blocks of text: records are cut at blank lines with one regex scan and a
    record into fields with one ``re.split`` on tag lines, so the Python work is per field, not per line.
    """
    path = str(path)
    blocks = TextBlocks(path, FORMAT, stream)
    state = _State(path)
    carry, carry_line = "", 1
    carry_dirty = False
    for first_line, text in blocks:
        if blocks.diagnostics:
            yield from blocks.drain()
        dirty = blocks.control  # records are scrubbed only when their text may need it (as in RIS)
        if carry:
            buf, line = carry + text, carry_line
            dirty = dirty or carry_dirty
        else:
            buf, line = text, first_line
        pos = 0
        for m in _SEPARATOR.finditer(buf):
            piece = buf[pos:m.start() + 1]
            yield from state.piece(piece, line, dirty=dirty)
            line += piece.count("\n") + m.group().count("\n") - 1
            pos = m.end()
        carry, carry_line, carry_dirty = buf[pos:], line, dirty
        if len(carry) > MAX_CARRY:
            cut = max(carry.rfind("\nPMID-"), carry.rfind("\nOWN - "))
            if cut > 0:
                piece = carry[:cut + 1]
                yield from state.piece(piece, carry_line, closed=False, dirty=dirty)
                carry, carry_line = carry[cut + 1:], carry_line + piece.count("\n")
    if blocks.diagnostics:
        yield from blocks.drain()
    if carry.strip():
        yield from state.piece(carry if carry.endswith("\n") else carry + "\n", carry_line, last=True,
                               dirty=carry_dirty)
    elif state.open is not None:
        yield from _finish(path, state.open, last=True)
    log.debug("read %d MEDLINE record(s) from %s", state.ordinal, path)


class _State:
    """Turns the text between blank lines into records; keeps the running record ordinal."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.ordinal = 0
        self.open: _Block | None = None  # a record cut by MAX_CARRY, continued by the next piece

    def piece(self, text: str, line: int, *, last: bool = False, closed: bool = True, dirty: bool = True
              ) -> Iterator[Record | Diagnostic]:
        """Records in ``text`` (no blank lines inside), which starts at ``line``; ``dirty``: whether the
        text may hold control characters (its records are scrubbed only then, or when it is long)."""
        path = self.path
        scrub = len(text) > MAX_VALUE_CHARS or (dirty and CONTROL.search(text) is not None)
        parts = _TAG_SPLIT("\n" + (text[:-1] if text[-1:] == "\n" else text))  # (a piece ends with a line end)
        head = parts[0][1:] + "\n" if parts[0] else ""  # (as written: its lines with their ends)
        block = self.open
        self.open = None
        if block is not None and scrub:
            block.scrub = True
        if head.strip():
            if block is not None and head[:1].isspace():
                tag, value, at = block.fields[-1]
                block.fields[-1] = (tag, _join(value, head, path, at, []), at)
            else:
                yield Diagnostic(Source(path, line, FORMAT), "warning", "text outside a record skipped",
                                 kind="junk")
        at = line + head.count("\n")
        problems: list[Diagnostic] = []
        for i in range(1, len(parts), 2):
            tag, raw = parts[i], parts[i + 1]  # (raw: less the line end after it)
            lines = raw.count("\n")
            if lines:
                value = _join("", raw, path, at, problems, block.ordinal if block else self.ordinal + 1)
            else:
                value = raw.strip()
            tracked = tag in _TRACKED_TAGS
            if tracked and block is not None and tag in block.tags and tag in START_TAGS:
                problems.append(Diagnostic(
                    Source(path, at, FORMAT), "warning",
                    f"{tag} inside a record: a blank line is missing, starting a new record",
                    record=block.ordinal, kind="missing-separator"))
                yield from problems
                problems = []
                yield from _finish(path, block, last=False)
                block = None
            if block is None:
                self.ordinal += 1
                block = _Block(at, self.ordinal, scrub=scrub)
            block.fields.append((tag, value, at))
            if tracked:
                block.tags.add(tag)
            at += lines + 1
        yield from problems
        if block is not None:
            if closed:
                yield from _finish(path, block, last=last)
            else:
                self.open = block


def _join(value: str, raw: str, path: str, line: int, problems: list, ordinal: int | None = None) -> str:
    """A value and its continuation lines joined with single spaces; untagged lines are reported."""
    pieces = raw.split("\n")
    out = [value] if value else []
    first = pieces[0].strip()
    if first:
        out.append(first)
    for offset, part in enumerate(pieces[1:], start=1):
        s = part.strip()
        if not s:
            continue
        if not part[:1].isspace():
            problems.append(Diagnostic(Source(path, line + offset, FORMAT), "warning",
                                       "untagged line joined to the previous value", record=ordinal,
                                       kind="untagged"))
        out.append(s)
    return " ".join(out)


def finish_block(path: str, fmt: str, line: int, ordinal: int,
                 convert: Callable[[Source], tuple[Record, list[tuple[int, str, str]]]],
                 after: Callable[[], Iterable[Diagnostic]] | None = None, *, clean: bool = True
                 ) -> Iterator[Record | Diagnostic]:
    """Turn one tagged block into its record (MEDLINE and WoS share this): the block's problems and a
    missing title as warnings, any mapping failure as one error that costs only this record. ``clean``
    False: the block's text holds no control character and no over-long value (no scrub needed)."""
    src = Source(path, line, fmt)
    try:
        record, problems = convert(src)
    except Exception as exc:  # a record we cannot map costs only itself
        log.debug("cannot map record %d of %s", ordinal, path, exc_info=True)
        yield Diagnostic(src, "error", f"record skipped: {' '.join(str(exc).split()) or type(exc).__name__}",
                         record=ordinal, kind="bad-record")
        return
    for where, message, kind in problems:
        yield Diagnostic(Source(path, where, fmt), "warning", message, record=ordinal, kind=kind)
    yield from finish(record, ordinal, clean=clean)
    if not record.title:
        yield Diagnostic(src, "warning", "record has no title (TI)", record=ordinal, kind="incomplete")
    if after is not None:
        yield from after()
    yield record


def _finish(path: str, block: _Block, *, last: bool) -> Iterator[Record | Diagnostic]:
    # (partials of module functions, not a nested function and a lambda: compiled by `graphkit compile`,
    # a generator's closures and its scope refer to each other, a cycle per record that only the cyclic
    # collector frees, and a build runs with it paused)
    yield from finish_block(path, FORMAT, block.line, block.ordinal, partial(_to_record, block),
                            partial(_truncated, path, block, last), clean=block.scrub)


def _truncated(path: str, block: _Block, last: bool) -> Iterator[Diagnostic]:
    if last and "PMID" in block.tags and SOURCE_TAG not in block.tags:
        yield Diagnostic(Source(path, block.fields[-1][2], FORMAT), "warning",
                         "last record has no SO line: the file looks truncated", record=block.ordinal,
                         kind="truncated")


def _to_record(block: _Block, src: Source) -> tuple[Record, list[tuple[int, str, str]]]:
    rec = Record(source=src)
    problems: list[tuple[int, str, str]] = []
    authors: list[Person] = []
    au_paired: list[bool] = []  # whether authors[i] has had its AU line yet
    issns: list[tuple[int, str]] = []
    types: list[str] = []
    fallbacks: dict[str, str] = {}
    seen_kw: set[str] = set()
    journal = JournalRef()

    extra = rec.extra

    def keep(tag: str, value: str) -> None:
        extra.setdefault(tag, []).append(value)

    for tag, value, line in block.fields:
        if tag == AFFILIATION_TAG and authors and value:  # AD follows the FAU/AU it belongs to
            if authors[-1].affiliations is None:
                authors[-1].affiliations = []
            authors[-1].affiliations.append(value)
            continue
        if tag not in MAPPED_TAGS:  # the common case in real files (PHST, LA, AD before any author ...): kept raw
            if tag in extra:
                extra[tag].append(value)
            else:
                extra[tag] = [value]
            continue
        attr = SCALAR_TAGS.get(tag)
        if attr is not None:
            if tag == "PMID":
                value = value.strip()
            if value and getattr(rec, attr) is None:
                setattr(rec, attr, value)
            elif value:
                keep(tag, value)
        elif tag == AUTHOR_FULL_TAG:
            if value:
                authors.append(split_person(value))
                au_paired.append(False)
        elif tag == AUTHOR_SHORT_TAG:
            if not value:
                continue
            if authors and not au_paired[-1]:
                au_paired[-1] = True
                person = authors[-1]
                if not person.given:
                    short = split_person(value, initials_form=True)
                    person.given = short.given
            else:
                authors.append(split_person(value, initials_form=True))
                au_paired.append(True)
        elif tag == AUTHOR_ID_TAG:
            orcid = normalise_orcid(value)
            if orcid and authors and authors[-1].orcid is None:
                authors[-1].orcid = orcid
            else:
                if not orcid:
                    problems.append((line, f"AUID without an ORCID kept as raw field: {value[:60]!r}",
                                     "bad-value"))
                keep(tag, value)
        elif tag in KEYWORD_TAGS:
            kw = value.strip()
            if kw and kw.casefold() not in seen_kw:
                seen_kw.add(kw.casefold())
                rec.keywords.append(kw)
        elif tag == MESH_TAG:
            mesh = parse_mesh(value)
            if mesh is not None:
                rec.mesh.append(mesh)
        elif tag in DOI_TAGS:
            doi = None
            if value.rstrip().endswith("[doi]"):
                doi = normalise_doi(value.rstrip()[:-5])
            elif "doi" in value.lower() and "[" not in value:
                doi = normalise_doi(value)
            if doi and rec.doi is None:
                rec.doi = doi
            elif not doi or doi != rec.doi:
                keep(tag, value)
        elif tag == DATE_TAG:
            m = YEAR.search(value)
            if m and rec.year is None:
                rec.year = int(m.group(1))
            else:
                if not m:
                    problems.append((line, f"DP without a year: {value[:40]!r}", "bad-value"))
                keep(tag, value)
        elif tag == PAGES_TAG:
            if rec.first_page is None and value:
                rec.first_page, rec.last_page = parse_pages(value)
                if ";" in value or "," in value:
                    keep(tag, value)
            elif value:
                keep(tag, value)
        elif tag in ISSN_TAGS:
            issn = normalise_issn(value)
            if issn:
                kind = ""
                low = value.lower()
                for name in ISSN_KIND_ORDER:
                    if name and f"({name})" in low:
                        kind = name
                issns.append((ISSN_KIND_ORDER[kind], issn))
            elif value:
                keep(tag, value)
        elif tag == JOURNAL_NAME_TAG:
            journal.name = journal.name or value or None
        elif tag == JOURNAL_ABBREV_TAG:
            journal.abbreviation = journal.abbreviation or value or None
        elif tag == TYPE_TAG:
            if value:
                types.append(value)
        elif tag in TITLE_FALLBACK_TAGS or tag in ABSTRACT_FALLBACK_TAGS:
            fallbacks.setdefault(tag, value)
            keep(tag, value)
        else:
            keep(tag, value)

    rec.authors = authors
    if types:
        rec.type_raw = types[0]
        if len(types) > 1:
            rec.extra[TYPE_TAG] = types
    if rec.title is None:
        rec.title = next((fallbacks[t] for t in TITLE_FALLBACK_TAGS if fallbacks.get(t)), None)
    if rec.abstract is None:
        rec.abstract = next((fallbacks[t] for t in ABSTRACT_FALLBACK_TAGS if fallbacks.get(t)), None)
    if rec.pmid is not None and not rec.pmid.isdigit():
        problems.append((block.line, f"PMID is not a number: {rec.pmid[:30]!r}", "bad-value"))
        rec.extra.setdefault("PMID", []).append(rec.pmid)
        rec.pmid = None
    journal.issns = order_issns(issns)
    if journal.name or journal.abbreviation or journal.issns:
        rec.journal = journal
    return rec, problems
