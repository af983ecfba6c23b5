"""Splitting mixed subject-term fields: keyword groups joined with ``", "`` whose last group is MeSH.

Scopus-derived exports sometimes pack three groups into one field: Emtree drug terms, Emtree medical
terms and MeSH headings, each group a ``"; "`` list and the groups joined by ``", "``. MeSH headings
may themselves contain ``", "`` (inverted headings such as ``Chemoembolization, Therapeutic``), so a
plain split on commas is wrong. The heuristic here uses capitalisation only: Emtree terms are written
in lower case (a few proper nouns and ``Article`` aside), MeSH headings start with a capital letter.
A later resolver checks the headings against the bundled MeSH vocabulary.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def _starts_upper(text: str) -> bool:
    return bool(text) and text[0].isupper()


def _starts_lower(text: str) -> bool:
    return bool(text) and text[0].islower()


def split_groups(value: str) -> list[list[str]]:
    """Split a ``"; "`` list whose groups are joined by ``", "`` into groups of terms.

    A ``", "`` is a group boundary when the text after it starts in lower case, or when it goes from
    a lower-case term to a capitalised one; between two capitalised parts it belongs to one inverted
    heading (``Embolization, Therapeutic``).
    """
    groups: list[list[str]] = [[]]
    for item in value.split(";"):
        item = item.strip()
        if not item:
            continue
        pieces = [p.strip() for p in item.split(", ")]
        current = pieces[0]
        for piece in pieces[1:]:
            if not piece:
                continue
            if _starts_lower(piece) or (_starts_lower(current) and _starts_upper(piece)):
                if current:
                    groups[-1].append(current)
                groups.append([])
                current = piece
            else:
                current = f"{current}, {piece}" if current else piece
        if current:
            groups[-1].append(current)
    return [g for g in groups if g]


def split_mixed_terms(value: str) -> tuple[list[str], list[str]]:
    """(keywords, mesh headings) from a mixed keyword field; each list deduplicated, order kept.

    When the field splits into two or more groups and the last group is all capitalised, that group
    is taken as MeSH headings; everything else is keywords. A field with a single group is all
    keywords (items split on ``;`` only, commas kept).
    """
    groups = split_groups(value)
    if len(groups) >= 2 and all(_starts_upper(t) for t in groups[-1]):
        keywords = [t for g in groups[:-1] for t in g]
        mesh = groups[-1]
    else:
        keywords = [t.strip() for t in value.split(";") if t.strip()]
        mesh = []
    return dedupe(keywords), dedupe(mesh)


def dedupe(items: list[str]) -> list[str]:
    """Drop repeats (case-insensitive), keeping the first spelling and the order."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        key = item.casefold()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
