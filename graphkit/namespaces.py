"""The vocabularies the RDF export speaks, as rdflib namespaces.

Reused vocabularies (FaBiO, PRISM, BIBO, CiTO, MeSH) are declared as ``DefinedNamespace`` classes with only
the terms graphkit writes, so a typo fails at import instead of minting a wrong IRI. DCTERMS, FOAF, SKOS,
RDF, RDFS, OWL, XSD come from rdflib. ``GK`` holds the few graphkit terms the others lack; every one of them
is declared (with label and comment) in ``ontologies/graphkit.ttl``.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DC, DCTERMS, FOAF, ORG, OWL, RDF, RDFS, SH, SKOS, XSD, DefinedNamespace
from rdflib.term import URIRef

__all__ = ["BIBO", "CITO", "COUNTRY", "DC", "DCTERMS", "FABIO", "FOAF", "GK", "MESH", "MESHV", "ORG", "OWL",
           "PRISM", "RDF", "RDFS", "SH", "SKOS", "XSD", "PREFIXES", "GK_IRI", "ONTOLOGY_IRI"]


class FABIO(DefinedNamespace):
    """FRBR-aligned Bibliographic Ontology (SPAR), as used by OpenCitations."""

    _NS = Namespace("http://purl.org/spar/fabio/")
    _fail = True
    Expression: URIRef
    JournalArticle: URIRef
    Journal: URIRef
    Book: URIRef
    BookChapter: URIRef
    ConferencePaper: URIRef
    Thesis: URIRef
    ReportDocument: URIRef
    hasPublicationYear: URIRef
    hasPubMedId: URIRef
    hasShortTitle: URIRef


class PRISM(DefinedNamespace):
    """PRISM basic 2.0 (the version FaBiO and OpenCitations use)."""

    _NS = Namespace("http://prismstandard.org/namespaces/basic/2.0/")
    _fail = True
    doi: URIRef
    volume: URIRef
    number: URIRef
    startingPage: URIRef
    endingPage: URIRef
    issn: URIRef


class BIBO(DefinedNamespace):
    """The Bibliographic Ontology: only ``authorList`` (an ordered rdf:List of the authors)."""

    _NS = Namespace("http://purl.org/ontology/bibo/")
    _fail = True
    authorList: URIRef


class CITO(DefinedNamespace):
    """Citation Typing Ontology (SPAR)."""

    _NS = Namespace("http://purl.org/spar/cito/")
    _fail = True
    cites: URIRef


class MESHV(DefinedNamespace):
    """NLM's MeSH RDF vocabulary (https://id.nlm.nih.gov/mesh/)."""

    _NS = Namespace("http://id.nlm.nih.gov/mesh/vocab#")
    _fail = True
    Descriptor: URIRef
    CheckTag: URIRef
    SupplementaryConceptRecord: URIRef
    TreeNumber: URIRef
    treeNumber: URIRef


# MeSH resources themselves (descriptors, tree numbers): http:// as NLM publishes them.
MESH = Namespace("http://id.nlm.nih.gov/mesh/")
# Countries: the EU Publications Office "Countries and territories" authority table (used by DCAT-AP),
# one IRI per ISO 3166-1 alpha-3 code: http://publications.europa.eu/resource/authority/country/ESP
COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")

GK_IRI = "https://w3id.org/graphkit/ontology#"
ONTOLOGY_IRI = "https://w3id.org/graphkit/ontology"


class GK(DefinedNamespace):
    """graphkit terms: only what the reused vocabularies lack."""

    _NS = Namespace(GK_IRI)
    _fail = True
    # co-authorship
    coAuthorWith: URIRef
    CoAuthorship: URIRef
    coAuthor: URIRef
    papers: URIRef
    firstYear: URIRef
    lastYear: URIRef
    # author position (qualified authorship)
    Authorship: URIRef
    authorship: URIRef
    author: URIRef
    authorPosition: URIRef
    # MeSH assignment details
    majorSubject: URIRef
    MeshHeading: URIRef
    MeshAssignment: URIRef
    meshAssignment: URIRef
    descriptor: URIRef
    qualifierName: URIRef
    # affiliations (graphkit.affiliations)
    hasAffiliation: URIRef
    # a work known only from reference lists (graphkit.citations): it may have no title
    citedOnly: URIRef
    # identity and provenance
    checkTag: URIRef
    key: URIRef
    source: URIRef


# prefix -> namespace for Turtle / JSON-LD output (order = order written).
PREFIXES: dict[str, str] = {
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "owl": str(OWL),
    "fabio": str(FABIO._NS),
    "dcterms": str(DCTERMS),
    "dc": str(DC),
    "prism": str(PRISM._NS),
    "foaf": str(FOAF),
    "org": str(ORG),
    "bibo": str(BIBO._NS),
    "skos": str(SKOS),
    "cito": str(CITO._NS),
    "meshv": str(MESHV._NS),
    "mesh": str(MESH),
    "country": str(COUNTRY),
    "gk": GK_IRI,
}
