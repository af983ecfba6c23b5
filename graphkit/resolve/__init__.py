"""Entity resolution: which records are the same paper, which names the same author, and so on.

One module per entity: :mod:`papers` (DOI, PMID, title+year with fuzzy tolerance), :mod:`authors`
(ORCID, else folded family name + initial), :mod:`journals` (checked ISSN, else normalised title),
:mod:`terms` (keywords, check tags, MeSH recognition in mixed keyword fields), :mod:`mesh` (the bundled
MeSH 2024 descriptor table), :mod:`cites` (cited references to papers in the set). :mod:`text` holds
the shared normalisation. ``graphkit.build`` wires them into one Graph.
"""
