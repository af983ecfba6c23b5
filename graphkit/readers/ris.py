"""RIS reader: every producer's dialect into :class:`Record` objects, streaming, never raising for bad data.

How it works (fast path first): the file is read in blocks of whole lines (:class:`TextBlocks`: BOM,
CR/CRLF/LF, UTF-8 with a per-line Windows-1252 fallback). Records start at ``TY  -`` lines, so a block
is cut into records with one regex scan, and a record into ``(tag, value)`` pairs with one
``re.split`` on strict tag lines (two characters ``[A-Z][A-Z0-9]``, two spaces, dash). The text between
two tag lines is the value plus its continuation lines. The Python work is per tag, not per line.

Dialects handled: tag pairs (A1/AU, T1/TI, N2/AB, Y1/PY/DA, JF/T2/JO vs JA/J2/JI/J9), repeated tags,
continuation lines (for KW/UR each line is one more value), ``;`` lists in KW, empty tags, ``null``/``NA``
placeholders, text outside records (Ovid ``1.`` numbering, ``Provider:`` headers, ``Link to the Ovid``
lines), tags after ``ER`` (Ovid's ``NL``), records without ``ER`` (kept, warned), lines that look like
a tag but are prose (``REDD - Reduction ...``, single space: continuation), and collapsed records
(a whole record on one line, ``TY - JOUR TI - ... ER -``) with placeholder tags such as ``TODO`` mapped
by the shape of their value.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Generator, Iterator
from dataclasses import fields as dataclass_fields
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from graphkit.doctypes import csl_type
from graphkit.model import Diagnostic, JournalRef, MeshRef, Person, Record, Source
from graphkit.readers._clean import CONTROL, MAX_VALUE_CHARS, finish
from graphkit.readers._terms import dedupe, split_mixed_terms
from graphkit.readers._text import TextBlocks

log = logging.getLogger(__name__)

FORMAT = "ris"

# ---------------------------------------------------------------------------------------------------
# Tag tables (data). Record field -> tags in priority order: the first tag present gives the value;
# the other tags of the group are kept in ``extra`` unless they repeat the chosen value.
# Tags not consumed here (AD, AN, N1, UR, ID, DB, A2/A3 editors, WoS-only PI/PA/WE ...) go to ``extra``.
# ---------------------------------------------------------------------------------------------------
TITLE_TAGS = ("TI", "T1", "CT")
AUTHOR_TAGS = ("AU", "A1")
ABSTRACT_TAGS = ("AB", "N2")
YEAR_TAGS = ("PY", "Y1", "DA")
JOURNAL_NAME_TAGS = ("JF", "T2", "JO")
JOURNAL_ABBREVIATION_TAGS = ("JA", "J2", "J1", "JI", "J9", "JO")
VOLUME_TAGS = ("VL", "VO")
ISSUE_TAGS = ("IS", "CP")
DOI_TAGS = ("DO", "DI", "L3", "M3")  # L3 and M3 only when the value has the shape of a DOI
PMID_TAGS = ("PMID", "PM")
PUBLISHER_TAGS = ("PB", "PU")
ISSN_TAGS = ("SN",)
KEYWORD_TAGS = ("KW",)
ORCID_TAGS = ("AI",)  # Ovid: "Family, Given; ORCID: http://orcid.org/0000-...", comma-joined

# Tags whose continuation lines are further values (one keyword / URL per line), not wrapped text.
LINE_LIST_TAGS = frozenset({"KW", "UR", "L1", "L2", "L4"})
# Tags whose value is one line in every real export (names, dates, numbers, identifiers, codes): a line
# after one of them is not continuation but junk, reported and dropped. Every other tag continues
# (abstracts, titles, notes, addresses, keyword lists, and non-standard tags such as WoS FX, Ovid NL).
SINGLE_LINE_TAGS = frozenset(
    "TY AU A1 A2 A3 A4 ED PY Y1 Y2 DA VL VO IS CP SP EP DO DI PMID PM AN ID LA ET NV SE C7 ER".split())
ARTICLE_NUMBER_TAGS = ("C7",)  # Scopus/RIS "Article Number" (e.g. e0123456); not a page

# Values that mean "nothing here" (dropped from fields, counted in the debug log).
PLACEHOLDER_VALUES = frozenset({"null", "NULL", "Null", "NA", "N/A", "n/a", "[No abstract available]"})
_SKIP_VALUES = PLACEHOLDER_VALUES | {""}  # what the hot loop drops (a value longer than these is kept unhashed)
_SKIP_LONGEST = max(map(len, _SKIP_VALUES))

# Tags that stand for "some field, unknown which" (the seed's TODO): kept raw in ``extra`` and mapped by
# the value's shape (DOI pattern -> doi, short number after VL -> issue, ';' list -> keywords,
# long prose -> abstract).
PLACEHOLDER_TAGS = frozenset({"TODO", "TBD", "FIXME", "XXX"})

# Tags recognised as separators inside a collapsed (one-line) record. Only real RIS tags (and the
# placeholder tags) count there, so that prose such as "the UK - based" is not cut.
KNOWN_TAGS = (
    "TY A1 A2 A3 A4 AB AD AN AU AV BT C1 C2 C3 C4 C5 C6 C7 C8 CA CN CP CT CY DA DB DI DO DP ED EP ET "
    "ID IS J1 J2 J9 JA JF JI JO KW L1 L2 L3 L4 LA LB LK M1 M2 M3 N1 N2 NV OP PB PP PY RI RN RP SE SN "
    "SP ST T1 T2 T3 TA TI TT U1 U2 U3 U4 U5 UR VL VO Y1 Y2 ER PMID"
).split()

# Text outside records that is expected and ignored silently (anything else is reported).
KNOWN_OUTSIDE = re.compile(
    r"(?:\d+\.|(?:Provider|Database|Content|Link to the Ovid Full Text or citation):.*|https?://\S+)\Z")
# Of those, the ones dropped from the end of a record that lacks its ER (numbering, headers).
KNOWN_BETWEEN = re.compile(r"(?:\d+\.|(?:Provider|Database|Content|Link to the Ovid Full Text or citation):.*)\Z")

# Whether records of the common shape are built by the fast path of _complete_records (tests switch it
# off to check that the general path gives the very same records and diagnostics).
FAST_PATH = True

# --- precompiled patterns for the hot path ---------------------------------------------------------
# Both start with a literal "\n" so that the regex engine scans with a fast prefix search; a record's
# text always starts at its TY line, which is therefore parts[0] of the split.
_RECORD_START = re.compile(r"\nTY {1,2}-(?=[ \n])")
_FIRST_RECORD = re.compile(r"TY {1,2}-(?=[ \n])")
_TAG_SPLIT = re.compile(r"\n([A-Z][A-Z0-9]{1,3})  -(?: |(?=\n))").split
_COLLAPSED_SPLIT = re.compile(
    r"(?<!\S)(" + "|".join(sorted(set(KNOWN_TAGS) | PLACEHOLDER_TAGS, key=len, reverse=True))
    + r") {1,2}-(?=\s|$)\s?").split
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)")
_PAGE = r"(?:[A-Za-z]{0,3}\d+[A-Za-z]?|[ivxlcdm]{1,8}|[IVXLCDM]{1,8})"
_PAGES = re.compile(r"\s*(?:pp?\.?\s*)?(" + _PAGE + r")\s*(?:(?:-{1,2}|\u2013|\u2014|\u2010)\s*(" + _PAGE
                    + r"))?\s*\Z")
_PAGE_TOKEN = re.compile(_PAGE + r"\Z")
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_VALUE = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?10\.\d{4,9}/\S+\Z", re.I)
_ISSN = re.compile(r"(?<![\d-])(\d{4})-?(\d{3}[\dXx])(?![\dXx-])")
_ORCID_PAIR = re.compile(
    r"(?:ORCID:\s*https?://orcid\.org/)?([^;,]+,[^;,]+?);\s*ORCID:\s*(?:https?://orcid\.org/)?"
    r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])")
_INITIALS = re.compile(r"(?:[A-Z]\.?-?){1,4}\Z")
_SHORT_NUMBER = re.compile(r"\d{1,4}[A-Za-z]?(?:[-/]\d{1,4})?\Z")
_MESH_KEYWORD = re.compile(r"\*?([A-Z][^/*]*?)((?:/\*?[a-z][a-z ,-]*)+)\Z")


def read_ris(path: str | Path, stream: BinaryIO | None = None) -> Iterator[Record | Diagnostic]:
    """Read a RIS file: yields :class:`Record` objects and :class:`Diagnostic` warnings, never raises
    for bad data. ``stream`` (an open binary file) may be given instead of opening ``path``."""
    path = str(path)
    blocks = TextBlocks(path, FORMAT, stream)
    carry: list[str] = []  # the open record (from its TY line), in pieces: a long record is joined once
    carry_line = 1
    carry_dirty = False  # whether the carried text may hold control characters
    ordinal = 0
    for first_line, text in blocks:
        if blocks.diagnostics:
            yield from blocks.drain()
        # only the new text is scanned (linear for any record length)
        dirty = blocks.control  # records are cleaned only when their block may need it
        starts = _record_starts(text)
        if _FIRST_RECORD.match(text):
            starts.insert(0, 0)
        if carry:
            if not starts:
                carry.append(text)
                carry_dirty = carry_dirty or dirty
                continue
            head_len = sum(map(len, carry))
            buf, base = "".join(carry) + text, carry_line
            starts = [0] + [s + head_len for s in starts]
            dirty = dirty or carry_dirty
        else:
            buf, base = text, first_line
        if not starts:
            if buf.strip():
                diag = _outside(buf, path, base, ordinal)
                if diag is not None:
                    yield diag
            continue
        line = base
        if starts[0] > 0:
            head = buf[:starts[0]]
            diag = _outside(head, path, base, ordinal)
            if diag is not None:
                yield diag
            line += head.count("\n")
        if len(starts) > 1:
            ordinal, line = yield from _complete_records(buf, starts, path, line, ordinal, dirty)
        carry, carry_line, carry_dirty = [buf[starts[-1]:]], line, dirty
    if blocks.diagnostics:
        yield from blocks.drain()
    if carry:
        last = "".join(carry)
        if _FIRST_RECORD.match(last):
            yield from _parse_record(last, path, carry_line, ordinal + 1, False, carry_dirty)
        else:
            diag = _outside(last, path, carry_line, ordinal)
            if diag is not None:
                yield diag


def _record_starts(text: str) -> list[int]:
    """Offsets of the ``TY`` lines after the first character of ``text``: where _RECORD_START
    (``\nTY {1,2}-(?=[ \n])``) matches, found with ``str.find`` (a substring search, ~10x faster than
    the regex engine, which steps through the text character by character). The search is for
    ``"\nTY"``, not ``"\nTY "``: str.find skips ahead on characters the pattern lacks, and a
    pattern ending in a space (the commonest character of the text) would hardly ever skip."""
    starts = []
    find = text.find
    i = find("\nTY")
    while i >= 0:
        rest = text[i + 3:i + 7]  # " -" + one character, or "  -" + one character
        if rest[:2] == " -":
            if rest[2:3] in (" ", "\n"):
                starts.append(i + 1)
        elif rest[:3] == "  -" and rest[3:4] in (" ", "\n"):
            starts.append(i + 1)
        i = find("\nTY", i + 3)
    return starts


def _complete_records(buf: str, starts: list[int], path: str, line: int, ordinal: int,
                      dirty: bool) -> Generator[Record | Diagnostic, None, tuple[int, int]]:
    """The records between ``starts[0]`` and ``starts[-1]`` of ``buf`` (each one followed by another);
    returns the ordinal of the last record and the line number at ``starts[-1]``.

    The fast path: a record whose shape is the common one (a ``TY  -`` line, one value per tag line
    or text continued on the next lines, one empty ``ER`` last, no junk line after a single-line tag,
    no placeholder tag, no control character, no runaway value) is grouped and built right here, with
    its values stripped in one ``map`` and no per-line function call. Any other record goes through
    :func:`_parse_record` (the general path, which reports what it finds); both give the same
    records and diagnostics (tests/readers/test_ris.py compares them)."""
    control = CONTROL.search
    placeholder_tags_disjoint = PLACEHOLDER_TAGS.isdisjoint
    skip = _SKIP_VALUES
    longest_skip = _SKIP_LONGEST
    strip = str.strip
    debug = log.isEnabledFor(logging.DEBUG)
    types: dict[str, str | None] = {}  # TY -> CSL type, for this block
    pos = starts[0]
    for nxt in starts[1:]:
        text = buf[pos:nxt]
        parts = _TAG_SPLIT(text)
        t = parts[1::2]
        v = list(map(strip, parts[2::2]))
        head = parts[0]
        typ = head[6:].strip()
        lines = text.count("\n")  # on the slice: narrowed to 1 byte per character when it can be
        grouped = None
        # Every line end of the record is the one before a tag line, or inside a value: when all of
        # them but ER's trailing ones are before tags, no value spans lines (the common case).
        if (not FAST_PATH or not t or t[-1] != "ER" or v[-1] or t.count("ER") != 1 or "\n" in typ
                or (head[2:6] != "  - " and head.rstrip() != "TY  -")
                or not placeholder_tags_disjoint(t) or nxt - pos > MAX_VALUE_CHARS
                or (dirty and control(text) is not None)
                or (lines != len(t) + parts[-1].count("\n") and (grouped := _group(typ, t, v)) is None)):
            for item in _parse_record(text, path, line, ordinal + 1, True, dirty):
                if item.__class__ is Record:
                    ordinal += 1
                yield item
        else:
            ordinal += 1
            if grouped is not None:  # values that span lines
                fields, placeholders = grouped
            else:  # the hot loop: one value per tag line
                fields = {"TY": [typ]} if typ else {}
                get = fields.get
                placeholders = 0
                for tag, val in zip(t, v):
                    if len(val) > longest_skip or val not in skip:
                        lst = get(tag)
                        if lst is None:
                            fields[tag] = [val]
                        else:
                            lst.append(val)
                    elif val:
                        placeholders += 1
            if placeholders and debug:
                log.debug("%s:%d: %d placeholder value(s) dropped", path, line, placeholders)
            out: list = []
            record = _build(fields, path, line, ordinal, out)
            type_raw = record.type_raw
            if type_raw is not None:
                csl = types.get(type_raw)
                if csl is None:
                    csl = types[type_raw] = csl_type(FORMAT, type_raw)
                record.type = csl
            yield record
            if out:
                yield from out
        line += lines
        pos = nxt
    return ordinal, line


def _group(typ: str, tags: list[str], vals: list[str]) -> tuple[dict[str, list[str]], int] | None:
    """Values per tag (the TY first) from stripped values some of which span lines, as
    :func:`_parse_record` groups them, and the number of placeholder values dropped; None when a
    single-line tag has a line after it (the general path reports those lines)."""
    fields: dict[str, list[str]] = {"TY": [typ]} if typ else {}
    get = fields.get
    placeholders = 0
    for tag, val in zip(tags, vals):
        if not val:
            continue
        if "\n" in val:
            if tag in SINGLE_LINE_TAGS:
                return None
            pieces = _continued(tag, val)
            if not PLACEHOLDER_VALUES.isdisjoint(pieces):
                kept = [x for x in pieces if x not in PLACEHOLDER_VALUES]
                placeholders += len(pieces) - len(kept)
                pieces = kept
            if pieces:
                lst = get(tag)
                if lst is None:
                    fields[tag] = pieces
                else:
                    lst.extend(pieces)
        elif len(val) <= _SKIP_LONGEST and val in PLACEHOLDER_VALUES:
            placeholders += 1
        else:
            lst = get(tag)
            if lst is None:
                fields[tag] = [val]
            else:
                lst.append(val)
    return fields, placeholders


def _outside(text: str, path: str, line: int, ordinal: int) -> Diagnostic | None:
    """One warning for unexpected text outside records (known headers and numbering are silent)."""
    bad = 0
    first_bad = None
    for offset, raw in enumerate(text.split("\n")):
        s = raw.strip()
        if s and not KNOWN_OUTSIDE.match(s):
            bad += 1
            if first_bad is None:
                first_bad = (offset, s)
    if first_bad is None:
        return None
    offset, s = first_bad
    shown = s if len(s) <= 60 else s[:57] + "..."
    return Diagnostic(Source(path, line + offset, FORMAT), "warning",
                      f"{bad} line(s) of text outside any record ignored, first: {shown!r}",
                      record=ordinal or None, kind="outside-record")


def _parse_record(text: str, path: str, line: int, ordinal: int, followed: bool, dirty: bool = True) -> list:
    """Records and diagnostics from one record's text (from its TY line to the next TY or EOF).

    ``followed`` says whether another record follows (for the message on a missing ER); ``dirty``
    whether the block may hold control characters (the record is cleaned only then, or when long)."""
    clean = len(text) > MAX_VALUE_CHARS or (dirty and CONTROL.search(text) is not None)
    parts = _TAG_SPLIT(text)
    head = parts[0]
    if head[2:6] != "  - " and head.rstrip() != "TY  -":
        # a collapsed record: "TY - JOUR TI - ... ER -" on one line (possibly several records)
        return _parse_collapsed(parts, path, line, ordinal, clean)
    typ = head[6:].strip()
    fields: dict[str, list[str]] = {"TY": [typ]} if typ else {}
    out: list = []
    if "\n" in typ:
        fields["TY"] = _single_line("TY", head[6:], path, line, ordinal, out)
    terminated = False
    after: list[tuple[str, str]] | None = None
    placeholders = 0
    tags = parts[1::2]
    vals = parts[2::2]
    for k, (tag, val) in enumerate(zip(tags, vals)):
        if terminated:
            if after is None:
                after = []
            after.append((tag, val))
            continue
        if tag == "ER":
            terminated = True
            rest = val.strip()
            if rest:
                diag = _outside(rest, path, line + text.count("\n", 0, text.find(rest)), ordinal)
                if diag is not None:
                    out.append(diag)
            continue
        v = val.strip()
        if not v:
            continue
        if "\n" in v:
            if tag in SINGLE_LINE_TAGS:
                at = line + head.count("\n") + k + 1 + sum(x.count("\n") for x in vals[:k])
                values = _single_line(tag, val, path, at, ordinal, out)
            else:
                values = _continued(tag, v)
            for v in values:
                if v in PLACEHOLDER_VALUES:
                    placeholders += 1
                    continue
                lst = fields.get(tag)
                if lst is None:
                    fields[tag] = [v]
                else:
                    lst.append(v)
        elif v in PLACEHOLDER_VALUES:
            placeholders += 1
        else:
            lst = fields.get(tag)
            if lst is None:
                fields[tag] = [v]
            else:
                lst.append(v)
    if after:
        extra_record = _after_end(after, fields, text, path, line, ordinal, out)
    else:
        extra_record = None
    if placeholders:
        log.debug("%s:%d: %d placeholder value(s) dropped", path, line, placeholders)
    has_placeholder_tags = not PLACEHOLDER_TAGS.isdisjoint(fields)
    record = _build(fields, path, line, ordinal, out)
    if clean:
        out.extend(finish(record, ordinal))
    elif record.type_raw is not None:  # finish() without cleaning, inlined: the hot path
        record.type = csl_type(FORMAT, record.type_raw)
    if not terminated:
        where = "before the next TY" if followed else "at end of file"
        out.append(Diagnostic(Source(path, line, FORMAT), "warning",
                              f"record has no ER line {where}; kept", record=ordinal, kind="unterminated"))
    if has_placeholder_tags:
        pairs = [(t, " ".join(_continued(t, v.strip()))) for t, v in zip(tags, vals)]
        _map_placeholders(pairs, record)
    out.insert(0, record)
    if extra_record is not None:
        out.extend(extra_record)
    return out


def _single_line(tag: str, val: str, path: str, line: int, ordinal: int, out: list) -> list[str]:
    """The first line of a single-line tag's value; the lines after it are junk (reported, dropped).
    Ovid numbering or a Provider header after a blank line ends a record without ER: not reported."""
    lines = val.split("\n")
    first = lines[0].strip()
    dropped = []
    blank = False
    for offset, s in enumerate(lines[1:], start=1):
        s = s.strip()
        if not s:
            blank = True
            continue
        if blank and KNOWN_BETWEEN.match(s):
            continue
        dropped.append((offset, s))
    if dropped:
        offset, s = dropped[0]
        shown = s if len(s) <= 60 else s[:57] + "..."
        out.append(Diagnostic(Source(path, line + offset, FORMAT), "warning",
                              f"{len(dropped)} line(s) after {tag} dropped ({tag} does not continue on the "
                              f"next line), first: {shown!r}", record=ordinal, kind="junk-line"))
    return [first] if first else []


def _continued(tag: str, v: str) -> list[str]:
    """A value with continuation lines: one value per line for list tags, else the lines joined.
    Ovid numbering or a Provider header after a blank line is not continuation (a record without ER)."""
    kept = list(map(str.strip, v.split("\n")))
    if "" in kept:  # a blank line: what follows may be Ovid numbering or a header, not continuation
        lines, kept = kept, []
        blank = False
        for s in lines:
            if not s:
                blank = True
                continue
            if blank and KNOWN_BETWEEN.match(s):
                continue
            kept.append(s)
    if tag in LINE_LIST_TAGS:
        return kept
    return [" ".join(kept)]


def _after_end(after: list[tuple[str, str]], fields: dict[str, list[str]], text: str,
               path: str, line: int, ordinal: int, out: list) -> list | None:
    """Tags after ER and before the next TY. A lone trailer such as Ovid's ``NL`` belongs to the record
    just closed; a run holding a title or authors is a record that lost its TY line."""
    tags = {t for t, _ in after}
    if tags & {"TI", "T1", "AU", "A1"}:
        start = text.find("\n" + after[0][0] + "  -", max(0, text.find("\nER  -")))
        offset = text.count("\n", 0, start) + 1 if start >= 0 else 0
        out.append(Diagnostic(Source(path, line + offset, FORMAT), "warning",
                              "record starts without a TY line; read as a record of its own",
                              record=ordinal + 1, kind="missing-ty"))
        chunk = "TY  - \n" + "".join(f"{t}  - {v}" if v.endswith("\n") else f"{t}  - {v}\n" for t, v in after)
        return _parse_record(chunk, path, line + offset, ordinal + 1, False)
    for tag, val in after:
        first, _, rest = val.strip().partition("\n")
        first = first.strip()
        if first and first not in PLACEHOLDER_VALUES:
            fields.setdefault(tag, []).append(first)
        if rest.strip():
            diag = _outside(rest, path, line, ordinal)
            if diag is not None:
                out.append(diag)
    return None


# ---------------------------------------------------------------------------------------------------
# Collapsed records
# ---------------------------------------------------------------------------------------------------

def _parse_collapsed(parts: list[str], path: str, line: int, ordinal: int, clean: bool = True) -> list:
    """Records written on one line with `` - `` separators; a new record starts at every ``TY -`` and
    after every ``ER -``. Normal tag lines that follow the line are added to the last record."""
    pieces = _COLLAPSED_SPLIT(parts[0].strip())
    pairs = [(pieces[k], pieces[k + 1].strip()) for k in range(1, len(pieces) - 1, 2)]
    for tag, val in zip(parts[1::2], parts[2::2]):
        pairs.append((tag, " ".join(s.strip() for s in val.split("\n") if s.strip())))
    groups: list[list[tuple[str, str]]] = []
    closed = True
    for tag, val in pairs:
        if tag == "TY" or closed:
            if not groups or groups[-1]:
                groups.append([])
            closed = False
        groups[-1].append((tag, val))
        if tag == "ER":
            closed = True
    out: list = []
    for n, group in enumerate(groups):
        fields: dict[str, list[str]] = {}
        terminated = False
        for tag, val in group:
            if tag == "ER":
                terminated = True
                continue
            if not val or val in PLACEHOLDER_VALUES:
                continue
            values = [s.strip() for s in val.split("\n")] if tag in LINE_LIST_TAGS else [val]
            fields.setdefault(tag, []).extend(v for v in values if v)
        record = _build(fields, path, line, ordinal + n, out)
        _map_placeholders(group, record)
        out.extend(finish(record, ordinal + n, clean=clean))
        out.append(record)
        if not terminated:
            out.append(Diagnostic(Source(path, line, FORMAT), "warning",
                                  "collapsed record has no ER; kept", record=ordinal + n, kind="unterminated"))
    return out


def _map_placeholders(pairs: list[tuple[str, str]], record: Record) -> None:
    """Map placeholder-tag values (kept raw in ``extra``) onto fields by the shape of the value."""
    prev = None
    for tag, val in pairs:
        if tag in PLACEHOLDER_TAGS and val and val not in PLACEHOLDER_VALUES:
            if _DOI_VALUE.match(val):
                if record.doi is None:
                    record.doi = clean_doi(val)
            elif prev in VOLUME_TAGS and _SHORT_NUMBER.match(val):
                if record.issue is None:
                    record.issue = val
            elif val.count(";") >= 2 and len(val) / (val.count(";") + 1) < 80:
                keywords, mesh = split_mixed_terms(val)
                record.keywords = dedupe(record.keywords + keywords)
                known = {m.heading.casefold() for m in record.mesh}
                record.mesh.extend(MeshRef(h) for h in mesh if h.casefold() not in known)
            elif len(val) >= 200 and val.count(" ") >= 25:
                if record.abstract is None:
                    record.abstract = val
        prev = tag


# ---------------------------------------------------------------------------------------------------
# From tag values to a Record
# ---------------------------------------------------------------------------------------------------

def _take(fields: dict[str, list[str]], tags: tuple[str, ...]) -> str | None:
    """The first value of the first tag present; that tag leaves ``fields`` (its further values stay,
    for ``extra``), and the other tags of the group leave it too when they only repeat the value."""
    value = None
    for tag in tags:
        if tag in fields:  # cheaper than a get for the tags that are absent (most of them)
            if value is None:
                vals = fields.pop(tag)
                value = vals[0]
                if len(vals) > 1:
                    rest = [v for v in vals[1:] if v != value]
                    if rest:
                        fields[tag] = rest
            else:
                other = fields[tag]
                if len(other) == 1 and other[0] == value:
                    del fields[tag]
    return value


def _build(fields: dict[str, list[str]], path: str, line: int, ordinal: int, out: list) -> Record:
    """The normalised Record of one record's values per tag; what no field takes stays in ``extra``.

    Hot: the groups most records lack are first tested with one ``dict_keys.isdisjoint`` (the others
    go straight to :func:`_take`: the test costs more than it saves), fields are kept in locals and
    the Record is created once, with positional arguments."""
    get = fields.get
    pop = fields.pop
    absent = fields.keys().isdisjoint
    type_raw = title = abstract = year = journal = volume = issue = doi = None
    article_number = pmid = publisher = None
    authors: list[Person] = []
    keywords: list[str] = []
    mesh: list[MeshRef] = []

    v = pop("TY", None)
    if v:
        type_raw = v[0]
    title = _take(fields, TITLE_TAGS)
    abstract = _take(fields, ABSTRACT_TAGS)

    for tag in AUTHOR_TAGS:
        names = pop(tag, None)
        if names:
            add = authors.append
            for raw in names:
                family, comma, given = raw.partition(", ")
                if comma and given and "," not in given and given[-4:] != " and":
                    add(Person(family, given, None, raw))  # fast path: "Family, G."
                else:
                    p = parse_person(raw)
                    if p is not None:
                        add(p)
            for t in AUTHOR_TAGS:  # A1 repeating AU is dropped; a different list stays in extra
                if t != tag and get(t) == names:
                    del fields[t]
            break
    for tag in ORCID_TAGS:
        if tag in fields:
            _attach_orcids(authors, fields[tag])

    y = _take(fields, YEAR_TAGS)
    if y is not None:
        head = y[:4]
        if len(head) == 4 and head.isdigit() and "1500" <= head <= "2099":
            year = int(head)
        else:
            m = _YEAR.search(y)
            if m:
                year = int(m.group(1))
            else:
                fields.setdefault("PY", []).insert(0, y)
                out.append(Diagnostic(Source(path, line, FORMAT), "warning", f"no year in date {y!r}",
                                      record=ordinal, kind="bad-date"))

    name = _take(fields, JOURNAL_NAME_TAGS)
    abbr = _take(fields, JOURNAL_ABBREVIATION_TAGS) if not absent(JOURNAL_ABBREVIATION_TAGS) else None
    if abbr is not None and abbr == name:
        abbr = None
    issns: list[str] = []
    sn: list[str] = []
    for tag in ISSN_TAGS:
        if tag in fields:
            sn += pop(tag)
    if sn:
        kept = []
        for value in sn:
            found, leftover = issns_in(value)
            for issn in found:
                if issn not in issns:
                    issns.append(issn)
            if leftover:
                kept.append(value)  # ISBNs and odd values stay visible in extra
        if kept:
            fields[ISSN_TAGS[0]] = kept
    if name is not None or abbr is not None or issns:
        journal = JournalRef(name, abbr, issns)

    volume = _take(fields, VOLUME_TAGS)
    issue = _take(fields, ISSUE_TAGS)

    first = last = None
    sp = get("SP")
    if sp:
        s = sp[0]
        if s.isdigit():
            first = s
        else:
            a, dash, b = s.partition("-")  # "123-130": what _PAGES gives, without the regex
            if dash and a.isdecimal() and b.isdecimal():  # isdecimal: exactly the characters of \d
                first, last = a, b
            else:
                m = _PAGES.match(s)
                if m:
                    first, last = m.groups()
        if first is not None:
            if len(sp) == 1:
                del fields["SP"]
            else:
                sp.pop(0)
    if first is not None:
        ep = get("EP")
        if ep:
            e = ep[0]
            if e.isdigit() or _PAGE_TOKEN.match(e):
                if last is None:
                    last = e
                if last == e:
                    if len(ep) == 1:
                        del fields["EP"]
                    else:
                        ep.pop(0)
        if last is not None:
            if first.isdigit() and last.isdigit() and len(last) < len(first) and int(last) < int(first):
                last = first[:len(first) - len(last)] + last  # 436-44 means 436-444

    for tag in DOI_TAGS:
        vals = get(tag)
        if vals:
            for value in vals:
                m = _DOI.search(value)
                if m:
                    doi = m.group(0)
                    # nothing to trim after a letter or digit (the common case): no call
                    doi = doi.lower() if doi[-1].isalnum() else _clean_doi_match(doi)
                    if len(vals) == 1:
                        del fields[tag]
                    else:
                        rest = [x for x in vals if clean_doi_or_none(x) != doi]
                        if rest:
                            fields[tag] = rest
                        else:
                            del fields[tag]
                    if not absent(DOI_TAGS):  # the same DOI repeated in DO/L3/M3 is not kept twice
                        for other in DOI_TAGS:
                            ov = get(other)
                            if ov and all(clean_doi_or_none(x) == doi for x in ov):
                                del fields[other]
                    break
            if doi is not None:
                break

    if not absent(ARTICLE_NUMBER_TAGS):
        article_number = _take(fields, ARTICLE_NUMBER_TAGS)
    if not absent(PMID_TAGS):
        pmid = _take(fields, PMID_TAGS)
    if not absent(PUBLISHER_TAGS):
        publisher = _take(fields, PUBLISHER_TAGS)

    kw: list[str] = []
    for tag in KEYWORD_TAGS:
        if tag in fields:
            kw += pop(tag)
    if kw:
        joined = "\n".join(kw)
        if ";" not in joined and "/" not in joined:  # the common case: one clean keyword per value
            keywords = list(dict.fromkeys(kw)) if len(kw) > 1 else kw
        else:
            keywords, mesh = _keywords(kw)
    # positional: ~2x cheaper than keywords or attribute stores (the order is checked at import below)
    return Record(Source(path, line, FORMAT), None, type_raw, title, authors, year, journal, volume, issue,
                  first, last, article_number, doi, pmid, publisher, keywords, mesh, abstract, [], fields)


# The order _build passes Record's fields in; a model change that moves them fails here, at import.
_RECORD_ORDER = ("source", "type", "type_raw", "title", "authors", "year", "journal", "volume", "issue",
                 "first_page", "last_page", "article_number", "doi", "pmid", "publisher", "keywords", "mesh",
                 "abstract", "references", "extra")
if tuple(f.name for f in dataclass_fields(Record))[:len(_RECORD_ORDER)] != _RECORD_ORDER:
    raise ImportError("graphkit.readers.ris._build passes Record's fields by position: update _RECORD_ORDER "
                      "and the Record(...) call in _build to the new order of graphkit.model.Record")


def _keywords(kw: list[str]) -> tuple[list[str], list[MeshRef]]:
    """KW values split on ';'; a 'Heading/*qualifier' value (PubMed via Zotero) becomes a MeSH ref."""
    keywords: list[str] = []
    mesh: list[MeshRef] = []
    for value in kw:
        for term in value.split(";") if ";" in value else (value,):
            term = term.strip()
            if not term:
                continue
            if "/" in term:
                m = _MESH_KEYWORD.match(term)
                if m:
                    quals = [q.strip() for q in m.group(2).split("/") if q.strip()]
                    mesh.append(MeshRef(m.group(1).strip(), term.startswith("*") or any(
                        q.startswith("*") for q in quals), [q.lstrip("*") for q in quals]))
                    continue
            keywords.append(term)
    return list(dict.fromkeys(keywords)), mesh


def clean_doi(value: str) -> str:
    """Lower-case DOI without ``https://doi.org/`` or ``doi:`` prefix and trailing punctuation."""
    m = _DOI.search(value)
    return _clean_doi_match(m.group(0) if m else value.strip())


def _clean_doi_match(doi: str) -> str:
    """:func:`clean_doi` of text that is already a DOI match (the hot path: no second search)."""
    doi = doi.rstrip(".,;]}>")
    while doi.endswith(")") and doi.count(")") > doi.count("("):  # "(doi:10.1/x)" but not "...(20)30183-5)"
        doi = doi[:-1].rstrip(".,;")
    return doi.lower()


def clean_doi_or_none(value: str) -> str | None:
    m = _DOI.search(value)
    return clean_doi(m.group(0)) if m else None


@lru_cache(maxsize=8192)
def issns_in(value: str) -> tuple[tuple[str, ...], bool]:
    """ISSNs (NNNN-NNNX, check digit valid) in an SN value, and whether anything else (an ISBN, a
    backslash-separated ISBN list) is left. ``0003-0554, 0003-0554`` gives one ISSN."""
    found: list[str] = []

    def take(m: re.Match) -> str:
        issn = f"{m.group(1)}-{m.group(2).upper()}"
        if not _issn_ok(issn):
            return m.group(0)
        if issn not in found:
            found.append(issn)
        return ""

    rest = _ISSN.sub(take, value)
    return tuple(found), any(c.isdigit() for c in rest)


def _issn_ok(issn: str) -> bool:
    """ISSN check digit (mod 11)."""
    digits = issn.replace("-", "")
    total = sum(int(d) * w for d, w in zip(digits[:7], range(8, 1, -1)))
    check = (11 - total % 11) % 11
    return digits[7] == ("X" if check == 10 else str(check))


def parse_person(raw: str) -> Person | None:
    """'Family, Given' (or 'Family G.' / 'Given Family' without comma) into a :class:`Person`.

    A trailing ' and' (BibTeX-derived RIS) is dropped; 'et al.' is not a person."""
    family, comma, given = raw.partition(", ")
    if comma and "," not in given and not given.endswith(" and") and given:  # fast path: "Family, G."
        return Person(family, given, None, raw)
    name = raw.strip()
    if name.endswith(" and"):
        name = name[:-4].rstrip()
    name = name.rstrip(",;")
    if not name or name.casefold() in ("et al.", "et al", "others"):
        return None
    family, comma, given = name.partition(",")
    if comma:
        return Person(family.strip(), given.strip() or None, None, raw)
    words = name.split()
    if len(words) == 1:
        return Person(name, None, None, raw)
    if _INITIALS.match(words[-1]):  # "Nakashima S." / "Smith JA"
        return Person(" ".join(words[:-1]), words[-1], None, raw)
    return Person(words[-1], " ".join(words[:-1]), None, raw)


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace(".", " ").split())


def _attach_orcids(authors: list[Person], values: list[str]) -> None:
    """Ovid's AI tag pairs names with ORCIDs; attach an ORCID where exactly one author matches."""
    for value in values:
        for m in _ORCID_PAIR.finditer(value):
            family, _, given = m.group(1).partition(",")
            fam, giv = _fold(family), _fold(given)
            matches = [a for a in authors if _fold(a.family) == fam
                       and (not giv or not a.given or _fold(a.given)[:1] == giv[:1])]
            if len(matches) == 1 and matches[0].orcid is None:
                matches[0].orcid = m.group(2)
