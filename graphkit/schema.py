"""The graph schema users query: node labels, relationship types and their typed properties.

Every sink takes labels, types and property names from here; values always travel as parameters.
"""

from __future__ import annotations

from enum import Enum


class Label(str, Enum):
    PAPER = "Paper"
    AUTHOR = "Author"
    JOURNAL = "Journal"
    KEYWORD = "Keyword"
    MESH = "MeshTerm"
    INSTITUTION = "Institution"  # graphkit.affiliations
    COUNTRY = "Country"

    def __str__(self) -> str:
        return self.value


class RelType(str, Enum):
    AUTHORED = "AUTHORED"
    PUBLISHED_IN = "PUBLISHED_IN"
    HAS_KEYWORD = "HAS_KEYWORD"
    HAS_MESH = "HAS_MESH"
    CITES = "CITES"
    CO_AUTHOR = "CO_AUTHOR"
    MAPS_TO = "MAPS_TO"  # Keyword -> MeshTerm (graphkit.resolve.concepts)
    BROADER = "BROADER"  # MeshTerm -> its parent MeshTerm in the MeSH tree
    AFFILIATED_WITH = "AFFILIATED_WITH"  # graphkit.affiliations (derived from HAS_AFFILIATION mentions)
    HAS_AFFILIATION = "HAS_AFFILIATION"
    LOCATED_IN = "LOCATED_IN"

    def __str__(self) -> str:
        return self.value


# property name -> type name ("str", "int", "bool", "list[str]"); "key" is the node's stable identity.
NODE_PROPERTIES: dict[Label, dict[str, str]] = {
    Label.PAPER: {
        "key": "str", "doi": "str", "pmid": "str", "title": "str", "abstract": "str", "year": "int",
        "volume": "str", "issue": "str", "first_page": "str", "last_page": "str", "article_number": "str",
        "type": "str", "type_raw": "str",
        "sources": "list[str]",
        # cited references (graphkit.citations, the ``cites`` extension): cited_only is true for a work
        # known only from reference lists (false for every paper read from a record); first_author,
        # source_title, reference describe it as the reference tells (first_author and source_title are
        # also set for full papers: first author's family name, journal name); cite_key is the
        # author|year|volume|page key references without a DOI use (docs/citations.md);
        # times_cited / times_cited_all from the records (WoS TC / Z9, Scopus "Cited by", ...) with
        # times_cited_source saying which database counted; cited_by (derived) = papers in the graph
        # citing it.
        "cited_only": "bool", "first_author": "str", "source_title": "str", "reference": "str",
        "cite_key": "str", "times_cited": "int", "times_cited_all": "int", "times_cited_source": "str",
        "cited_by": "int",
    },
    Label.AUTHOR: {"key": "str", "name": "str", "family": "str", "given": "str", "orcid": "str"},
    # issn: the key's ISSN; issns: every valid ISSN seen for the journal (print and electronic), so a
    # lookup or a later ingest finds it by any of them
    Label.JOURNAL: {"key": "str", "name": "str", "abbreviation": "str", "issn": "str", "issns": "list[str]",
                    "publisher": "str"},
    # papers: number of papers linked (HAS_KEYWORD / HAS_MESH), derived: set by build and by every store
    # variants: the other surface forms folded into this keyword (plural, hyphen, British spelling...)
    Label.KEYWORD: {"key": "str", "name": "str", "check_tag": "bool", "papers": "int", "variants": "list[str]"},
    # papers_below: derived, distinct papers indexed with the term or any descendant (BROADER)
    Label.MESH: {"key": "str", "ui": "str", "name": "str", "tree_numbers": "list[str]", "check_tag": "bool",
                 "papers": "int", "papers_below": "int"},
    # key: "inst:<country code or ->:<normalised organisation>"; country: ISO 3166-1 alpha-2 (or None)
    Label.INSTITUTION: {"key": "str", "name": "str", "country": "str"},
    # key: "country:<alpha-2>"; code: ISO 3166-1 alpha-2; name: the ISO short name
    Label.COUNTRY: {"key": "str", "code": "str", "name": "str"},
}

# relationship type -> (start label, end label)
ENDPOINTS: dict[RelType, tuple[Label, Label]] = {
    RelType.AUTHORED: (Label.AUTHOR, Label.PAPER),
    RelType.PUBLISHED_IN: (Label.PAPER, Label.JOURNAL),
    RelType.HAS_KEYWORD: (Label.PAPER, Label.KEYWORD),
    RelType.HAS_MESH: (Label.PAPER, Label.MESH),
    RelType.CITES: (Label.PAPER, Label.PAPER),
    RelType.CO_AUTHOR: (Label.AUTHOR, Label.AUTHOR),
    RelType.MAPS_TO: (Label.KEYWORD, Label.MESH),
    RelType.BROADER: (Label.MESH, Label.MESH),
    RelType.AFFILIATED_WITH: (Label.AUTHOR, Label.INSTITUTION),
    RelType.HAS_AFFILIATION: (Label.PAPER, Label.INSTITUTION),
    RelType.LOCATED_IN: (Label.INSTITUTION, Label.COUNTRY),
}

EDGE_PROPERTIES: dict[RelType, dict[str, str]] = {
    RelType.AUTHORED: {"position": "int"},
    RelType.PUBLISHED_IN: {},
    RelType.HAS_KEYWORD: {},
    RelType.HAS_MESH: {"major": "bool", "qualifiers": "list[str]"},
    RelType.CITES: {},
    RelType.CO_AUTHOR: {"papers": "int", "first_year": "int", "last_year": "int"},
    RelType.MAPS_TO: {"via": "str"},  # "heading" or "entry_term"
    RelType.BROADER: {},
    # derived ("affiliated-with" in graphkit.derive's registry): from HAS_AFFILIATION.authors, the distinct
    # papers on which the author gives an address at the institution, and their first and last year
    RelType.AFFILIATED_WITH: {"papers": "int", "first_year": "int", "last_year": "int"},
    # authors: keys of the paper's authors the record ties to an address at the institution (empty when
    # the format gives addresses without saying whose they are)
    RelType.HAS_AFFILIATION: {"authors": "list[str]"},
    RelType.LOCATED_IN: {},
}
