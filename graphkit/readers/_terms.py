"""Mixed subject-term fields in a reader: keyword groups and MeSH headings in one field.

Scopus-derived exports pack up to four groups into one field (Emtree drug terms, Emtree medical
terms, MeSH headings), each a sorted ``"; "`` list, the groups joined by ``"; "`` or ``", "``. How
the groups and the MeSH headings in them are found is defined once, in
:func:`graphkit.resolve.terms.split_index_terms` (sorted runs, exact names from the bundled MeSH
table), and used the same way for every format; this module only adapts it for the readers.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def split_mixed_terms(value: str) -> tuple[list[str], list[str]]:
    """(keywords, MeSH headings) from a mixed keyword field; each list deduplicated, order kept."""
    from graphkit.resolve.terms import mesh_capable, split_index_terms  # loads the MeSH table on first use

    pieces = [t.strip() for t in value.split(";") if t.strip()]
    if not mesh_capable(pieces):  # no sign of MeSH indexing: plain keywords, commas kept
        return dedupe(pieces), []
    keywords, mesh = split_index_terms(pieces)
    return dedupe(keywords), dedupe([m.heading for m in mesh])


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
