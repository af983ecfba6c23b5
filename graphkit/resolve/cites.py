"""Does a cited source fit a paper's journal? ('J AM CHEM SOC' vs 'Journal of the American Chemical
Society'.) Used by the ``cites`` extension (graphkit.citations) to confirm an author|year|volume|page
match; references are parsed in graphkit.citations.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from graphkit.resolve.text import squash, words

log = logging.getLogger(__name__)

_STOP = frozenset({"of", "the", "and", "for", "in", "on", "a", "an", "de", "la", "und", "fur"})


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


@dataclass(frozen=True, slots=True)
class CitedRef:
    """The fields the columnar core's in-set matcher reads (graphkit.engine.normalise): a thin view of
    :class:`graphkit.citations.model.CitedRef`, which is where references are parsed."""

    doi: str | None
    family: str | None  # squashed
    year: int | None
    journal: str | None
    volume: str | None
    page: str | None

    @property
    def locator(self) -> tuple | None:
        if self.family and self.year and self.volume and self.page:
            return (self.family, self.year, squash(self.volume), squash(self.page))
        return None


def parse_reference(text: str) -> CitedRef:
    """One reference string parsed by graphkit.citations (any style it knows), in the columnar core's view."""
    from graphkit.citations.extract import shared_reference

    r = shared_reference(text)
    return CitedRef(r.doi, squash(r.family) or None if r.family else None, r.year, r.source, r.volume, r.page)
