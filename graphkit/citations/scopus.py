"""Scopus free-text references (CSV ``References``, RIS ``N1 References:``, BibTeX ``references``).

Two layouts:

- classic: ``Erdős, P., Rényi, A., On random graphs I (1959) Publ. Math. Debrecen, 6, pp. 290-297``
  (authors as ``Family, I.,``, then the title, the year in parentheses, source, volume (issue), pages;
  title or authors may be missing: ``Kalé, L., (1999) J Comp Phys, 151, p. 283``);
- 2024+: ``Cheng M.; Xue Y.; Cui M., Title, with commas, Spine, 50, pp. E128-E139, (2025)`` (authors
  ``Family I.`` separated by ``;``, the year last).
"""

from __future__ import annotations

import re

from graphkit.citations.model import CitedRef, family_of
from graphkit.readers.scopus_csv import BARE_AUTHOR  # "Cheng M." / "Calin GA": one author of a 2024+ list
from graphkit.resolve.text import find_dois

_YEAR_PAREN = re.compile(r"\((1[5-9]\d\d|20\d\d)[a-z]?\)")
_YEAR_LAST = re.compile(r",?\s*\((1[5-9]\d\d|20\d\d)[a-z]?\)\s*\.?\s*$")
_CLASSIC_AUTHOR = re.compile(
    r"\s*([^,()]{1,60}?),\s*((?:[A-Z\u00C0-\u00DE][a-z\u00DF-\u00FF]{0,2}\.\s?-?\s?)+(?:\s*(?:Jr|Sr|II|III)\.?)?),\s*")
_PAGES = re.compile(r"^(?:pp?\.\s*)([A-Za-z]{0,2}\d+\w*)", re.IGNORECASE)
_ARTNO = re.compile(r"^(?:art\.?\s*no\.?|article number)\s*([\w.-]+)", re.IGNORECASE)
_VOLUME = re.compile(r"^(\d+[A-Za-z]?|[A-Z]?\d+)(?:\s*\(([^)]*)\))?\.?$")
_DATE_OR_COUNT = re.compile(r"(?:[A-Z][a-z]{2}|[A-Z][a-z]+ \d+|\d+ \w+|cited \d+ times)")  # "Feb", "Jun 2005"
_LINKS = re.compile(r"\bDOI:?\s*\S+|https?://\S+", re.IGNORECASE)
_LINKS_NEW = re.compile(r",?\s*\bDOI:?\s*\S+|,?\s*https?://\S+", re.IGNORECASE)


def looks_like_new(text: str) -> bool:
    end = text.rstrip()  # _YEAR_LAST needs ")" last but for spaces and a period: tested first, as a search
    if end.endswith("."):  # of _YEAR_LAST tries every position of the text
        end = end[:-1].rstrip()
    if not end.endswith(")"):
        return False
    return bool(_YEAR_LAST.search(text)) and not _YEAR_PAREN.search(_YEAR_LAST.sub("", text))


def parse(text: str) -> CitedRef:
    t = " ".join(text.split()).strip()
    if looks_like_new(t):
        return _parse_new(text, t)
    return _parse_classic(text, t)


def _tail(ref: CitedRef, pieces: list[str]) -> list[str]:
    """Take pages, volume and source from the end of ``pieces`` (after the year); returns the rest."""
    pieces = [p.strip().rstrip(".").strip() for p in pieces]
    pieces = [p for p in pieces if p]
    while pieces:
        p = pieces[-1]
        if ref.page is None and ((m := _PAGES.match(p)) or (m := _ARTNO.match(p))):
            ref.page = m.group(1)
            pieces.pop()
        elif ref.volume is None and (m := _VOLUME.match(p)):
            ref.volume = m.group(1)
            pieces.pop()
        elif _DATE_OR_COUNT.fullmatch(p):
            pieces.pop()
        else:
            break
    return pieces


def _parse_classic(raw: str, t: str) -> CitedRef:
    ref = CitedRef(raw=raw.strip(), style="scopus")
    ref.dois = list(dict.fromkeys(find_dois(t)))
    years = list(_YEAR_PAREN.finditer(t))
    if not years:
        m = _CLASSIC_AUTHOR.match(t)
        if m:
            ref.author = f"{m.group(1).strip()}, {m.group(2).strip()}"
            ref.family = family_of(ref.author)
        return ref
    y = years[-1] if len(years) == 1 else years[0]
    ref.year = int(y.group(1))
    head, tail = t[:y.start()], t[y.end():]
    authors, pos = [], 0
    while (m := _CLASSIC_AUTHOR.match(head, pos)) and len(m.group(1).split()) <= 4:
        authors.append(f"{m.group(1).strip()}, {m.group(2).strip()}")
        pos = m.end()
    if authors:
        ref.author = authors[0]
        ref.family = family_of(authors[0])
    title = head[pos:].strip().strip(",").strip()
    ref.title = title or None
    tail = _LINKS.sub("", tail)
    rest = _tail(ref, tail.split(","))
    if rest:
        ref.source = rest[0].strip() or None
    return ref


def _parse_new(raw: str, t: str) -> CitedRef:
    ref = CitedRef(raw=raw.strip(), style="scopus-2024")
    ref.dois = list(dict.fromkeys(find_dois(t)))
    m = _YEAR_LAST.search(t)
    assert m is not None  # looks_like_new() found it
    ref.year = int(m.group(1))
    body = t[:m.start()]
    body = _LINKS_NEW.sub("", body)
    first, _, rest = body.partition(", ")
    names = [n.strip() for n in first.split(";")]
    if names and all(BARE_AUTHOR.match(n) for n in names if n):
        ref.author = names[0]
        ref.family = family_of(names[0])
        pieces = rest.split(", ")
    else:
        pieces = body.split(", ")
    pieces = _tail(ref, pieces)
    if pieces:
        if len(pieces) >= 2:
            ref.source = pieces[-1]
            ref.title = ", ".join(pieces[:-1]) or None
        else:
            ref.title = pieces[0]
    return ref
