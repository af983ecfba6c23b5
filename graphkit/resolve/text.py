"""Text normalisation shared by the resolvers: Unicode folding, title and DOI normal forms."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from graphkit.fold import fold as fold_text
from graphkit.ids import doi as normalise_doi
from graphkit.ids import find_dois


_NON_ALNUM = re.compile(r"[\W_]+")  # after fold(): keeps letters of any script
_SPACE = re.compile(r"\s+")
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




def short_hash(text: str) -> str:
    """16 hex digits of SHA-1: stable across runs and machines. A lone surrogate (text decoded with
    ``surrogateescape``, or fuzzed) is hashed as its code point, not an error."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
