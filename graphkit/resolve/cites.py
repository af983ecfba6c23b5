"""Cited references -> papers in the set: by DOI in the reference text, else by first author + year +
volume + first page, checked against the journal.

Understood reference styles: Web of Science CR ("Smith J, 2001, NATURE, V409, P123, DOI 10.1038/x")
and Scopus ("Smith, J., Jones, K., Title (2001) Nature, 409 (3), pp. 123-130."); any style with a DOI.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass

from graphkit.resolve.text import find_dois, squash, words

log = logging.getLogger(__name__)

_YEAR = re.compile(r"^(1[5-9]\d\d|20\d\d)$")
_WOS_VOL = re.compile(r"^V(\w+)$")
_WOS_PAGE = re.compile(r"^P+([A-Z]?\d+\w*)$", re.IGNORECASE)
_SCOPUS_YEAR = re.compile(r"\((1[5-9]\d\d|20\d\d)\)")
_SCOPUS_TAIL = re.compile(r"\((?:1[5-9]\d\d|20\d\d)\)\s*([^,]+?),\s*(\d+)(?:\s*\([^)]*\))?,\s*(?:pp?\.\s*)?([A-Za-z]?\d+)")
_STOP = frozenset({"of", "the", "and", "for", "in", "on", "a", "an", "de", "la", "und", "fur"})


@dataclass(frozen=True, slots=True)
class CitedRef:
    doi: str | None
    family: str | None
    year: int | None
    journal: str | None
    volume: str | None
    page: str | None

    @property
    def locator(self) -> tuple | None:
        if self.family and self.year and self.volume and self.page:
            return (self.family, self.year, squash(self.volume), squash(self.page))
        return None


def _family_from(author: str) -> str | None:
    author = author.strip().strip("[]")
    if not author or author.lower() == "anonymous":
        return None
    if "," in author:
        return squash(author.split(",")[0]) or None
    tokens = author.split()
    if len(tokens) > 1 and tokens[-1].replace(".", "").isupper() and len(tokens[-1].replace(".", "")) <= 3:
        tokens = tokens[:-1]
    return squash(" ".join(tokens)) or None


def parse_reference(text: str) -> CitedRef:
    """Pull DOI, first author family, year, journal, volume and first page out of one reference string."""
    dois = find_dois(text)
    doi = dois[0] if dois else None
    parts = [p.strip() for p in text.split(",")]
    # Web of Science CR: author, year, source, V.., P.., DOI ..
    if len(parts) >= 3 and _YEAR.match(parts[1]):
        volume = page = None
        for p in parts[3:]:
            if volume is None and (m := _WOS_VOL.match(p)):
                volume = m.group(1)
            elif page is None and (m := _WOS_PAGE.match(p)):
                page = m.group(1)
        return CitedRef(doi, _family_from(parts[0]), int(parts[1]), parts[2] or None, volume, page)
    # Scopus: "Family, I., ..., Title (YYYY) Journal, vol (issue), pp. first-last"
    m = _SCOPUS_TAIL.search(text)
    year_m = _SCOPUS_YEAR.search(text)
    if m and year_m:
        return CitedRef(doi, _family_from(parts[0]), int(year_m.group(1)), m.group(1).strip(), m.group(2),
                        m.group(3))
    return CitedRef(doi, None, None, None, None, None)


def _tokens(title: str) -> list[str]:
    return [t for t in words(title).split() if t not in _STOP]


def _subseq(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _abbreviates(ct: list[str], nt: list[str]) -> bool:
    """Each cited word abbreviates the next title word(s) in order, skipping title words the
    abbreviation drops: 'p natl acad sci usa' fits 'proceedings national academy sciences united states
    america' ('natl' is a letter-subsequence of 'national', 'usa' the initials of the last three)."""
    i = 0
    for c in ct:
        while i < len(nt):
            n = nt[i]
            if n[0] == c[0] and _subseq(c, n):
                i += 1
                break
            k = len(c)
            if k > 1 and "".join(w[0] for w in nt[i:i + k]) == c:
                i += k
                break
            i += 1
        else:
            return False
    return i == len(nt)  # 'NATURE' is not 'Nature Physics'


def journal_compatible(cited: str | None, names: list[str]) -> bool:
    """Does the cited source ('J AM CHEM SOC', 'Nature') fit one of a paper's journal names or
    abbreviations? Equal after normalisation, or an abbreviation of it word by word. Unknown on either
    side counts as compatible."""
    if not cited or not names:
        return True
    ct = _tokens(cited)
    if not ct:
        return True
    for name in names:
        nt = _tokens(name)
        if not nt:
            continue
        if "".join(ct) == "".join(nt) or _abbreviates(ct, nt):
            return True
    return False


class CitationIndex:
    """Papers by DOI and by (first author family, year, volume, first page) locator."""

    def __init__(self) -> None:
        self.by_doi: dict[str, str] = {}
        self.by_locator: dict[tuple, list[tuple[str, list[str]]]] = defaultdict(list)

    def add_paper(self, key: str, dois: list[str], family: str | None, year: int | None,
                  volume: str | None, page: str | None, journal_names: list[str]) -> None:
        for d in dois:
            self.by_doi.setdefault(d, key)
        fam = squash(family or "")
        if fam and year and volume and page and squash(volume) and squash(page):
            self.by_locator[(fam, year, squash(volume), squash(page))].append((key, journal_names))

    def resolve(self, ref: CitedRef) -> str | None:
        if ref.doi and ref.doi in self.by_doi:
            return self.by_doi[ref.doi]
        loc = ref.locator
        if loc is None:
            return None
        fits = [key for key, names in self.by_locator.get(loc, ()) if journal_compatible(ref.journal, names)]
        return fits[0] if len(fits) == 1 else None
