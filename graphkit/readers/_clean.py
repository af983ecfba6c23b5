"""What no value may hold, for every reader: control characters and more than ``MAX_VALUE_CHARS``.

Control characters (C0 except tab and line feed, DEL, C1, lone surrogates) come from binary junk in
a file, from ``\\u0000``-style escapes in JSON, or from a Windows-1252 fallback; they make XML
outputs malformed and confuse every consumer. They are removed from every string of a record, and
the record gets one warning saying how many were removed. A value longer than ``MAX_VALUE_CHARS``
(a runaway field: a missing closing quote, a 150 MB cell) is cut to that length, with one warning
per record naming the fields cut.

Readers call :func:`finish` on each record they build, which also maps the document type (the RIS
reader cleans only when its block of text holds such characters or its record is that long: the
common case costs one regex scan per block).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from graphkit.doctypes import csl_type
from graphkit.model import Diagnostic, Record, Source

log = logging.getLogger(__name__)

# C0 minus TAB (09) and LF (0A), DEL, C1, and any surrogate (a paired one cannot occur in a str
# decoded from UTF-8 or JSON: json gives lone surrogates only for unpaired \\ud800 escapes).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# The same test on the raw bytes a text is decoded from (UTF-8, or Windows-1252 per line), for readers
# that see the bytes: one ``bytes.translate`` pass, ~8x cheaper than CONTROL.search over the decoded
# text (a regex character class is tested character by character). Conservative: ``\xc2`` followed
# by 0x80-0x9f is a C1 control in UTF-8 (and two printable characters in Windows-1252); surrogates
# never come out of either decoder. Line ends must be normalised to LF first (CR is a C0 character).
_NOT_C0_DEL_OR_LF = bytes(b for b in range(256) if not (b <= 0x1F and b != 0x09 or b == 0x7F))
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")


def raw_scan(data: bytes) -> tuple[bool, int]:
    """:func:`raw_may_hold_control` of ``data`` and its number of line feeds, in one pass: the
    translate keeps the control characters and the line feeds, and counting these in what it keeps
    is cheap (a reader then need not count the line ends of the decoded text again)."""
    kept = data.translate(None, _NOT_C0_DEL_OR_LF)
    lines = kept.count(b"\n")
    return len(kept) > lines or (b"\xc2" in data and _C1_UTF8.search(data) is not None), lines


def raw_may_hold_control(data: bytes) -> bool:
    """Whether ``data`` may decode to text that :data:`CONTROL` matches (never False when it does)."""
    return raw_scan(data)[0]


# The most characters one value may hold (a whole Scopus reference list is ~0.2 M).
MAX_VALUE_CHARS = 1 << 20


@dataclass(slots=True)
class Scrubbed:
    """What :func:`scrub` removed from one record."""

    control: int = 0  # control characters removed
    cut: list[str] | None = None  # names of the fields cut to MAX_VALUE_CHARS

    def __bool__(self) -> bool:
        return bool(self.control or self.cut)


def clean_text(text: str, found: Scrubbed, name: str) -> str:
    """``text`` without control characters and cut to MAX_VALUE_CHARS; counts go to ``found``."""
    if CONTROL.search(text) is not None:
        text, n = CONTROL.subn("", text)
        found.control += n
    if len(text) > MAX_VALUE_CHARS:
        text = text[:MAX_VALUE_CHARS]
        if found.cut is None:
            found.cut = []
        if name not in found.cut:
            found.cut.append(name)
    return text


def _clean_list(values: list, found: Scrubbed, name: str) -> None:
    for i, v in enumerate(values):
        if isinstance(v, str):
            values[i] = clean_text(v, found, name)


def scrub(record: Record) -> Scrubbed:
    """Remove control characters from every string of ``record`` and cut over-long values, in place."""
    found = Scrubbed()
    for name in ("type", "type_raw", "title", "volume", "issue", "first_page", "last_page", "article_number",
                 "doi", "pmid", "publisher", "abstract"):
        value = getattr(record, name)
        if value is not None:
            setattr(record, name, clean_text(value, found, name))
    for person in record.authors:
        for attr in ("family", "given", "orcid", "raw"):
            value = getattr(person, attr)
            if value is not None:
                setattr(person, attr, clean_text(value, found, "authors"))
    if record.journal is not None:
        j = record.journal
        if j.name is not None:
            j.name = clean_text(j.name, found, "journal")
        if j.abbreviation is not None:
            j.abbreviation = clean_text(j.abbreviation, found, "journal")
        _clean_list(j.issns, found, "journal")
    for ref in record.mesh:
        ref.heading = clean_text(ref.heading, found, "mesh")
        _clean_list(ref.qualifiers, found, "mesh")
    _clean_list(record.keywords, found, "keywords")
    _clean_list(record.references, found, "references")
    for key in list(record.extra):
        values = record.extra[key]
        _clean_list(values, found, key)
        clean_key = clean_text(key, found, "extra")
        if clean_key != key:
            record.extra.setdefault(clean_key, []).extend(record.extra.pop(key))
    # fields other modules add to Record later (affiliations on Person ...) are cleaned by their readers
    return found


def diagnostics(found: Scrubbed, src: Source, ordinal: int | None) -> list[Diagnostic]:
    """The warnings for what :func:`scrub` removed from one record (none when nothing was removed)."""
    out = []
    if found.control:
        out.append(Diagnostic(src, "warning", f"{found.control} control character(s) removed",
                              record=ordinal, kind="control-chars"))
    if found.cut:
        out.append(Diagnostic(src, "warning",
                              f"value(s) longer than {MAX_VALUE_CHARS:,} characters cut: {', '.join(found.cut)}",
                              record=ordinal, kind="value-cut"))
    return out


def finish(record: Record, ordinal: int | None, *, clean: bool = True) -> list[Diagnostic]:
    """What every reader does last to each record: the CSL ``type`` from ``type_raw`` (unless the
    reader set it) and, with ``clean``, :func:`scrub`; returns the warnings for the record."""
    if record.type is None and record.type_raw is not None:
        record.type = csl_type(record.source.format, record.type_raw)
    if not clean:
        return []
    found = scrub(record)
    return diagnostics(found, record.source, ordinal) if found else []
