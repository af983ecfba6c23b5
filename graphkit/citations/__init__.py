"""Cited references: parsed per style, resolved to papers in the set or to cited-only works.

- :mod:`.model`: :class:`CitedRef`, the structured citation every parser returns, and its keys;
- :mod:`.wos`: Web of Science ``CR`` lines (also WoS BibTeX ``cited-references`` and WoS RIS notes);
- :mod:`.scopus`: Scopus free-text references (CSV ``References``, RIS ``N1 References:``, BibTeX
  ``references``), both the classic ``Title (2001) Source, 12 (3), pp. 1-9`` layout and the 2024+
  ``Authors., Title, Source, 12, pp. 1-9, (2001)`` one;
- :mod:`.csl`: CSL-JSON ``reference`` objects (Crossref style);
- :mod:`.extract`: the pure per-record extractor (which field of which format holds references, times
  cited figures);
- :mod:`.extension`: the resolve step, registered as the ``cites`` extension, and the derived
  ``cited_by`` count.
"""
