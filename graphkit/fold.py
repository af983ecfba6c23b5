"""Folding text for matching: the one rule used by name resolution and by both search indexes.

``fold("Akçayır, Ørnberg, Łukasz, Straße")`` -> ``"akcayir, ornberg, lukasz, strasse"``: case folded, accents
off, and every Latin letter that Unicode normalisation does not decompose (ı ø ł đ ß æ œ þ ð ŋ ħ ...)
transliterated with anyascii's table (a maintained Unicode-to-ASCII table; ISC licence). Letters of other
scripts keep their script (only their accents go), so Greek, Cyrillic and CJK text is not turned into a
romanisation that no one searches for -- and that is exactly what Lucene's ASCIIFoldingFilter (Neo4j's
``standard-folding`` analyzer) does, so a query folded here finds on Neo4j what it finds in the embedded index.

Each code point is folded once and remembered (a ``str.translate`` table filled on demand), so folding
costs one ``translate`` call per string after warm-up; ASCII strings only get ``casefold``.
"""

from __future__ import annotations

import unicodedata


def _fold_char(ch: str) -> str:
    if unicodedata.combining(ch):
        return ""
    if unicodedata.name(ch, "").startswith("LATIN"):
        from anyascii import anyascii

        return anyascii(ch)
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class _Table(dict):
    """code point -> folded text, computed on first use."""

    def __missing__(self, cp: int) -> str:
        folded = _fold_char(chr(cp))
        self[cp] = folded
        return folded


_TABLE = _Table()


def fold(text: str) -> str:
    """Case folded, accents removed, Latin letters transliterated to ASCII (see the module docstring)."""
    if text.isascii():
        return text.casefold()
    return text.translate(_TABLE).casefold()
