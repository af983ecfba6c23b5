"""Text normalisation shared by the resolvers: Unicode folding, title and DOI normal forms."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from graphkit.fold import fold as fold_text

_NON_ALNUM = re.compile(r"[\W_]+")  # after fold(): keeps letters of any script
_SPACE = re.compile(r"\s+")
_DOI = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)
_DOI_PREFIXES = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|doi\s+|https?://doi\.org/)", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]{1,40}>")


@lru_cache(maxsize=1 << 15)
def fold(text: str) -> str:
    """Accents off, case folded, ASCII where possible: 'Müller-Lüdenscheidt' -> 'muller-ludenscheidt'."""
    return _fold(text)


def _fold(text: str) -> str:
    """fold() without the cache, for text that rarely repeats (titles would only churn the cache). The
    rule is :func:`graphkit.fold.fold`, shared with both search indexes (anyascii's table for Latin
    letters NFKD does not decompose: ß æ ø đ ł ı œ þ ð ...)."""
    return fold_text(text)


@lru_cache(maxsize=1 << 15)
def squash(text: str) -> str:
    """fold() with every run of non-alphanumerics removed: hyphens, spaces, apostrophes all vanish.
    Letters of non-Latin scripts are kept (as folded), so CJK names do not collapse to ''."""
    return _NON_ALNUM.sub("", fold(text))


def words(text: str) -> str:
    """fold() with punctuation turned into single spaces: 'Random-graphs: a survey' -> 'random graphs a survey'."""
    return _NON_ALNUM.sub(" ", _fold(text)).strip()


def normalise_title(title: str | None) -> str:
    """A title's comparison form: markup and punctuation gone, folded, single spaces."""
    if not title:
        return ""
    title = _TAGS.sub(" ", title)
    return words(title)


def collapse(text: str) -> str:
    """Trim and collapse whitespace."""
    return _SPACE.sub(" ", text).strip()


def normalise_doi(doi: str | None) -> str | None:
    """'https://doi.org/10.1000/ABC.' -> '10.1000/abc'; None when no DOI is in the text."""
    if not doi:
        return None
    doi = _DOI_PREFIXES.sub("", doi.strip())
    m = _DOI.search(doi)
    if not m:
        return None
    value = m.group(0).rstrip(".,;)]}>\"'")
    return value.lower()


def find_dois(text: str) -> list[str]:
    """Every DOI mentioned in free text (a cited reference, a note), normalised."""
    out = []
    for m in _DOI.finditer(text):
        d = normalise_doi(m.group(0))
        if d:
            out.append(d)
    return out


def short_hash(text: str) -> str:
    """16 hex digits of SHA-1: stable across runs and machines."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
