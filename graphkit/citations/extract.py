"""Record -> cited references and times-cited figures: the pure, per-record extractor.

Where references are, by format:

- ``Record.references`` (WoS ``CR``, WoS/Scopus BibTeX ``cited-references``/``references``, Scopus CSV
  ``References``): each string parsed by its style (:func:`parse_reference` tells them apart);
- RIS ``N1`` notes: Scopus ``References: a; b; c`` and WoS-through-EndNote ``Cited References: …``
  (glued into one line: :func:`graphkit.citations.wos.split_glued`);
- CSL-JSON ``reference`` (kept by the reader in ``extra``): :mod:`graphkit.citations.csl`.

Times cited (data, see :data:`TIMES_CITED_FIELDS`): WoS ``TC`` / ``Z9``, WoS BibTeX ``times-cited``,
Scopus CSV ``Cited by``, Scopus BibTeX ``note = {cited By 4}``, RIS notes (``Cited By: 12``,
``Times Cited in Web of Science Core Collection: 5 Total Times Cited: 7``), CSL
``is-referenced-by-count`` (Crossref).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphkit.citations import csl, scopus, vancouver, wos
from graphkit.citations.model import CitedRef, from_row, pack
from graphkit.model import Record
from graphkit.readers.scopus_csv import merge_reference_authors  # Scopus 2024+ author pieces
from graphkit.resolve.text import find_dois

# extra field -> (times-cited property, database it counts in)
TIMES_CITED_FIELDS: dict[str, tuple[str, str]] = {
    "TC": ("times_cited", "wos"),
    "Z9": ("times_cited_all", "wos"),
    "times-cited": ("times_cited", "wos"),
    "Cited by": ("times_cited", "scopus"),
    "is-referenced-by-count": ("times_cited", "crossref"),
}
# patterns in free-text notes (RIS N1/U3, BibTeX note): (regex, property, database)
TIMES_CITED_NOTES: tuple[tuple[re.Pattern, str, str], ...] = (
    (re.compile(r"Times Cited in Web of Science Core Collection:\s*(\d+)", re.I), "times_cited", "wos"),
    (re.compile(r"Total Times Cited:\s*(\d+)", re.I), "times_cited_all", "wos"),
    (re.compile(r"^ISI Document Delivery No\.:.*?\bTimes Cited:\s*(\d+)", re.I), "times_cited", "wos"),
    (re.compile(r"^Cited By(?: \(since \d{4}\))?\s*:?\s*(\d+)", re.I), "times_cited", "scopus"),
)
NOTE_FIELDS = ("N1", "U3", "note", "U1")
SCOPUS_NOTE_REFERENCES = re.compile(r"^References:\s*", re.I)
WOS_NOTE_REFERENCES = re.compile(r"Cited References:\s*", re.I)
_STRUCTURE_AFTER_WOS = re.compile(r"\s+(?:[A-Z][a-z]+, [A-Z][a-z]+ ){2,}")  # names list after the refs


_PMID = re.compile(r"\bPMID:?\s*(\d{1,9})\b")  # PubMed XML ReferenceList ids, added to the text by the reader


def parse_reference(text: str) -> CitedRef:
    """One reference string in whatever style it is written."""
    t = text.strip()
    pmid = m.group(1).lstrip("0") if "PMID" in t and (m := _PMID.search(t)) else None
    if wos.looks_like_wos(t):
        ref = wos.parse(t)
    elif (scopus.looks_like_new(t) or "(" in t) and ((ref := scopus.parse(t)).year is not None or ref.family):
        pass
    elif vancouver.looks_like_vancouver(t):
        ref = vancouver.parse(t)
    else:
        ref = CitedRef(raw=t, dois=list(dict.fromkeys(find_dois(t))))
        ref.style = "doi-only" if ref.dois else "unknown"
    ref.pmid = ref.pmid or pmid or None
    if ref.style == "unknown" and ref.pmid:
        ref.style = "doi-only"
    return ref


@lru_cache(maxsize=1 << 12)
def shared_reference(text: str) -> CitedRef:
    """parse_reference of an entry of ``Record.references``, cached: the columnar core's ref rows
    (graphkit.resolve.cites) and :func:`references_of` parse a record's references in turn. The object
    is shared: read it, never change it (:func:`references_of` hands out copies)."""
    return parse_reference(text)


def references_of(rec: Record) -> list[CitedRef]:
    out = [from_row(shared_reference(t).as_row()) for t in merge_reference_authors(rec.references) if t and t.strip()]
    for note in rec.extra.get("N1", ()):
        if SCOPUS_NOTE_REFERENCES.match(note):
            body = SCOPUS_NOTE_REFERENCES.sub("", note)
            out.extend(parse_reference(t) for t in merge_reference_authors(body.split("; ")) if t.strip())
        elif (m := WOS_NOTE_REFERENCES.search(note)):
            out.extend(wos.parse(t) for t in wos.split_glued(note[m.end():]))
    for value in rec.extra.get("reference", ()):
        out.extend(csl.parse_json(value, parse_reference))
    return out


def _int(text: str) -> int | None:
    m = re.search(r"\d+", text or "")
    return int(m.group(0)) if m else None


def times_cited_of(rec: Record) -> dict[str, Any]:
    """{"times_cited", "times_cited_all", "times_cited_source"} found in the record (may be empty)."""
    out: dict[str, Any] = {}
    for name, (prop, db) in TIMES_CITED_FIELDS.items():
        for value in rec.extra.get(name, ()):
            n = _int(value)
            if n is not None and prop not in out:
                out[prop] = n
                out.setdefault("times_cited_source", db)
    for name in NOTE_FIELDS:
        for value in rec.extra.get(name, ()):
            text = " ".join(value.split())
            if name == "note" and (m := re.match(r"^cited by:?\s*(\d+)", text, re.I)):
                out.setdefault("times_cited", int(m.group(1)))
                out.setdefault("times_cited_source", "scopus")
                continue
            for pattern, prop, db in TIMES_CITED_NOTES:
                if prop not in out and (m := pattern.search(text)):
                    out[prop] = int(m.group(1))
                    out.setdefault("times_cited_source", db)
    return out


def extract(rec: Record) -> Iterator[dict[str, Any]]:
    """The ``cites`` extension's extractor: one row with the record's parsed references (packed into one
    string, :func:`graphkit.citations.model.pack`) and one with its times-cited figures, each only when
    there is any."""
    refs = references_of(rec)
    if refs:
        yield {"kind": "refs", "refs": pack(refs)}
    tc = times_cited_of(rec)
    if tc:
        yield {"kind": "times_cited", **tc}
