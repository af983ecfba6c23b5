"""The graph as linked data: Turtle, N-Triples, JSON-LD (streamed) and RDF/XML (via rdflib).

Vocabulary and IRIs follow ``ontologies/graphkit.ttl`` (FaBiO, DCTERMS, PRISM, FOAF, BIBO, SKOS, CiTO, MeSH;
graphkit terms only for what those lack). Papers are ``https://doi.org/{doi}``, authors with a valid ORCID
``https://orcid.org/{id}``, journals with an ISSN ``https://portal.issn.org/resource/ISSN/{issn}``, MeSH
headings NLM's ``http://id.nlm.nih.gov/mesh/{UI}``; everything else is minted under ``base`` from a hash of
the node's stable graph key, so IRIs are the same on every run and machine.

The writers walk the graph's node and edge tables and describe one subject at a time
(:func:`iter_subjects`); N-Triples, Turtle and JSON-LD are written as they go, so memory stays bounded by
the graph itself (plus one author list per paper), never by an in-memory rdflib graph of the export. Terms are
rendered with rdflib's ``.n3()``, so escaping is rdflib's. RDF/XML needs whole-graph grouping and goes
through ``rdflib.Graph.serialize``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TextIO, Union
from urllib.parse import quote

from rdflib import BNode, Literal, URIRef
from rdflib.plugins.serializers.nt import _quote_encode
from rdflib.term import _is_valid_uri
from rdflib.term import Node

from graphkit.doctypes import of_value
from graphkit.ids import doi as normalise_doi
from graphkit.ids import issn_shape as normalise_issn
from graphkit.ids import orcid as normalise_orcid
from graphkit.ids import orcid_check_ok as orcid_checksum_ok
from graphkit.resolve.text import short_hash
from graphkit.graph import Graph
from graphkit.model import GraphkitError
from graphkit.namespaces import (
    BIBO, CITO, COUNTRY, DC, DCTERMS, FABIO, FOAF, GK, MESH, MESHV, ORG, PREFIXES, PRISM, RDF, RDFS, SKOS, XSD,
)
from graphkit.progress import Progress, null_progress
from graphkit.schema import Label, RelType

log = logging.getLogger(__name__)


def _fast(ns):
    """A plain-attribute copy of a DefinedNamespace: the writers look terms up millions of times."""
    names = [n for n in getattr(ns, "__annotations__", {}) if not n.startswith("_")]
    names += list(getattr(ns, "_extras", []))
    return SimpleNamespace(**{n: URIRef(str(ns) + n) for n in names})


_NAMESPACES = (RDF, RDFS, XSD, DCTERMS, DC, FOAF, SKOS, FABIO, PRISM, BIBO, CITO, MESHV, GK, ORG)
RDF, RDFS, XSD, DCTERMS, DC, FOAF, SKOS, FABIO, PRISM, BIBO, CITO, MESHV, GK, ORG = _FAST = tuple(
    map(_fast, _NAMESPACES))
# The vocabulary terms as the one object each; writers cache their rendering by object identity.
_VOCAB_TERMS: list[URIRef] = [term for ns in _FAST for term in vars(ns).values()]

DEFAULT_BASE = "https://w3id.org/graphkit"

# --rdf-format name -> (file suffix, rdflib format name for parsing it back)
RDF_FORMATS: dict[str, tuple[str, str]] = {
    "turtle": (".ttl", "turtle"),
    "nt": (".nt", "nt"),
    "jsonld": (".jsonld", "json-ld"),
    "xml": (".rdf", "xml"),
}

# CSL type of the paper (graphkit.doctypes) -> the FaBiO class besides fabio:Expression.
PAPER_CLASSES: dict[str, URIRef] = {
    "article-journal": FABIO.JournalArticle, "chapter": FABIO.BookChapter, "book": FABIO.Book,
    "paper-conference": FABIO.ConferencePaper, "thesis": FABIO.Thesis, "report": FABIO.ReportDocument,
}

MESH_UI_RE = re.compile(r"^[CD]\d{6,9}$")
TREE_RE = re.compile(r"^[A-Z]\d{2}(?:\.\d{3})*$")
PMID_RE = re.compile(r"^\d+$")
# Characters kept as they are in a DOI IRI path: RFC 3987 iunreserved minus non-ASCII, sub-delims, ':' '@' '/'.
IRI_SAFE = "/:@!$&'()*+,;=-._~"


# ---------------------------------------------------------------------------------------------------------
# Identifiers
# ---------------------------------------------------------------------------------------------------------

def key_hash(key: str) -> str:
    """The stable local name of a node without a public identifier (:func:`short_hash` of its key)."""
    return short_hash(key)


def doi_iri(doi: str) -> URIRef:
    return URIRef("https://doi.org/" + quote(doi, safe=IRI_SAFE))


def _key_value(key: str, prefix: str) -> str | None:
    return key[len(prefix):] if key.startswith(prefix) else None


class Minter:
    """Mints (and remembers) the IRI of every node, from its row; one instance per export."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        base = (base or DEFAULT_BASE).strip().rstrip("/")
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", base):
            raise GraphkitError(f"--base {base!r} is not an absolute IRI (e.g. https://example.org/mygraph)")
        self.base = base
        self.keyword_scheme = URIRef(f"{base}/keywords")
        self.iris: dict[Label, dict[str, URIRef]] = {label: {} for label in Label}

    def paper(self, row: dict[str, Any]) -> URIRef:
        key = row["key"]
        doi = normalise_doi(row.get("doi")) or normalise_doi(_key_value(key, "doi:"))
        if doi:
            return doi_iri(doi)
        pmid = (row.get("pmid") or _key_value(key, "pmid:") or "").strip()
        if PMID_RE.match(pmid):
            return URIRef(f"{self.base}/paper/pmid/{pmid}")
        return URIRef(f"{self.base}/paper/{key_hash(key)}")

    def author(self, row: dict[str, Any]) -> URIRef:
        orcid = normalise_orcid(row.get("orcid")) or normalise_orcid(_key_value(row["key"], "orcid:"))
        if orcid:
            return URIRef("https://orcid.org/" + orcid)
        return URIRef(f"{self.base}/author/{key_hash(row['key'])}")

    def journal(self, row: dict[str, Any]) -> URIRef:
        issn = normalise_issn(row.get("issn")) or normalise_issn(_key_value(row["key"], "issn:"))
        if issn:
            return URIRef("https://portal.issn.org/resource/ISSN/" + issn)
        return URIRef(f"{self.base}/journal/{key_hash(row['key'])}")

    def keyword(self, row: dict[str, Any]) -> URIRef:
        return URIRef(f"{self.base}/keyword/{key_hash(row['key'])}")

    def mesh(self, row: dict[str, Any]) -> URIRef:
        ui = mesh_ui(row)
        if ui:
            return URIRef(str(MESH) + ui)
        return URIRef(f"{self.base}/mesh/{key_hash(row['key'])}")

    def institution(self, row: dict[str, Any]) -> URIRef:
        return URIRef(f"{self.base}/institution/{key_hash(row['key'])}")

    def country(self, row: dict[str, Any]) -> URIRef:
        from graphkit.resolve.countries import alpha3

        code = alpha3(str(row.get("code") or _key_value(row["key"], "country:") or ""))
        if code:
            return URIRef(str(COUNTRY) + code)
        return URIRef(f"{self.base}/country/{key_hash(row['key'])}")

    def membership(self, author: str, institution: str) -> URIRef:
        return URIRef(f"{self.base}/membership/{key_hash(author + chr(0) + institution)}")

    def coauthorship(self, a: str, b: str) -> URIRef:
        return URIRef(f"{self.base}/coauthorship/{key_hash(a + chr(0) + b)}")

    def mint(self, label: Label, row: dict[str, Any]) -> URIRef:
        iri = _MINT[label](self, row)
        if not _is_valid_uri(iri):  # writers render IRIs as <iri>: never let an invalid one through
            log.warning("%s %r: %s is not a valid IRI; using a minted one", label, row["key"], iri)
            iri = URIRef(f"{self.base}/{str(label).lower()}/{key_hash(row['key'])}")
        self.iris[label][row["key"]] = iri
        return iri

    def of(self, label: Label, key: str) -> URIRef | None:
        return self.iris[label].get(key)


_MINT = {Label.PAPER: Minter.paper, Label.AUTHOR: Minter.author, Label.JOURNAL: Minter.journal,
         Label.KEYWORD: Minter.keyword, Label.MESH: Minter.mesh, Label.INSTITUTION: Minter.institution,
         Label.COUNTRY: Minter.country}


def mesh_ui(row: dict[str, Any]) -> str | None:
    ui = (row.get("ui") or _key_value(row["key"], "mesh:") or "").strip().upper()
    return ui if MESH_UI_RE.match(ui) else None


# ---------------------------------------------------------------------------------------------------------
# Descriptions: one subject with its (predicate, object) pairs
# ---------------------------------------------------------------------------------------------------------

@dataclass(slots=True)
class Blank:
    """A blank node described inline (Turtle ``[ ... ]``, a nested JSON-LD object)."""

    pos: list[tuple[URIRef, Any]] = field(default_factory=list)


class Items(list):
    """An rdf:List of terms (Turtle ``( ... )``, JSON-LD ``@list``)."""


class Lit:
    """A literal as the writers need it: lexical text and datatype IRI (None = xsd:string).

    Cheaper than rdflib's Literal (no lexical parsing); converted to one only where an rdflib Graph is
    built (:func:`iter_triples`). Writers quote the text with rdflib's N-Triples escaping.
    """

    __slots__ = ("text", "datatype")

    def __init__(self, text: str, datatype: URIRef | None = None) -> None:
        self.text = text
        self.datatype = datatype

    @staticmethod
    def boolean(value: Any) -> "Lit":
        return Lit("true" if value else "false", XSD.boolean)

    def to_rdflib(self) -> Literal:
        return Literal(self.text, datatype=self.datatype)


Obj = Union[URIRef, Lit, Blank, Items]
Description = tuple[URIRef, list[tuple[URIRef, Obj]]]


def _str(value: Any) -> Lit | None:
    if value is None:
        return None
    text = str(value).strip()
    return Lit(text) if text else None


def _year(value: Any) -> Lit | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return Lit(f"{year:04d}", XSD.gYear) if 0 < year < 10000 else None


def _person_name(row: dict[str, Any]) -> str:
    if row.get("name"):
        return str(row["name"])
    if row.get("family"):
        return f"{row['family']}, {row['given']}" if row.get("given") else str(row["family"])
    return row["key"]


def iter_subjects(graph: Graph, base: str = DEFAULT_BASE, *, progress: Progress = null_progress,
                  minter: Minter | None = None) -> Iterator[Description]:
    """Describe the graph subject by subject: nodes (authors, journals, keywords, MeSH, papers), then edges.

    A subject may come back more than once (edges are grouped by consecutive source); that is valid RDF.
    Nodes whose IRI another node already took (e.g. two author keys with the same ORCID) are described once.
    """
    m = minter or Minter(base)
    total = sum(graph.count(label) for label in Label) + sum(graph.count(t) for t in RelType)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        progress("rdf", n, total)

    if graph.count(Label.KEYWORD):
        yield m.keyword_scheme, [(RDF.type, SKOS.ConceptScheme),
                                 (SKOS.prefLabel, Lit("graphkit keywords"))]

    seen: set[URIRef] = set()

    def fresh(label: Label, row: dict[str, Any]) -> URIRef | None:
        iri = m.mint(label, row)
        if iri in seen:
            log.warning("%s %r has the same IRI %s as another node; described once", label, row["key"], iri)
            return None
        seen.add(iri)
        return iri

    for batch in graph.batches(Label.AUTHOR):
        for row in batch:
            s = fresh(Label.AUTHOR, row)
            if s is None:
                continue
            pos: list[tuple[URIRef, Obj]] = [(RDF.type, FOAF.Person), (GK.key, Lit(row["key"])),
                                             (FOAF.name, Lit(_person_name(row)))]
            for pred, name in ((FOAF.givenName, "given"), (FOAF.familyName, "family")):
                if (lit := _str(row.get(name))) is not None:
                    pos.append((pred, lit))
            yield s, pos
        tick(len(batch))

    for batch in graph.batches(Label.JOURNAL):
        for row in batch:
            s = fresh(Label.JOURNAL, row)
            if s is None:
                continue
            pos = [(RDF.type, FABIO.Journal), (GK.key, Lit(row["key"]))]
            for pred, name in ((DCTERMS.title, "name"), (FABIO.hasShortTitle, "abbreviation"),
                               (DC.publisher, "publisher")):
                if (lit := _str(row.get(name))) is not None:
                    pos.append((pred, lit))
            if issn := normalise_issn(row.get("issn")) or normalise_issn(_key_value(row["key"], "issn:")):
                pos.append((PRISM.issn, Lit(issn)))
            yield s, pos
        tick(len(batch))

    for batch in graph.batches(Label.KEYWORD):
        for row in batch:
            s = fresh(Label.KEYWORD, row)
            if s is None:
                continue
            pos = [(RDF.type, SKOS.Concept), (GK.key, Lit(row["key"])),
                   (SKOS.prefLabel, Lit(row.get("name") or row["key"])), (SKOS.inScheme, m.keyword_scheme)]
            pos += [(SKOS.altLabel, Lit(v)) for v in row.get("variants") or () if v and v != row.get("name")]
            if row.get("check_tag") is not None:
                pos.append((GK.checkTag, Lit.boolean(row["check_tag"])))
            yield s, pos
        tick(len(batch))

    for batch in graph.batches(Label.MESH):
        for row in batch:
            s = fresh(Label.MESH, row)
            if s is None:
                continue
            ui = mesh_ui(row)
            if ui is None:
                pos = [(RDF.type, GK.MeshHeading)]
            elif ui.startswith("D"):
                pos = [(RDF.type, MESHV.Descriptor)]
                if row.get("check_tag"):
                    pos.append((RDF.type, MESHV.CheckTag))
            else:
                pos = [(RDF.type, MESHV.SupplementaryConceptRecord)]
            pos += [(GK.key, Lit(row["key"])), (RDFS.label, Lit(row.get("name") or ui or row["key"]))]
            for tn in row.get("tree_numbers") or ():
                if TREE_RE.match(tn):
                    pos.append((MESHV.treeNumber, URIRef(str(MESH) + tn)))
            if row.get("check_tag") is not None:
                pos.append((GK.checkTag, Lit.boolean(row["check_tag"])))
            yield s, pos
        tick(len(batch))

    for batch in graph.batches(Label.COUNTRY):
        for row in batch:
            s = fresh(Label.COUNTRY, row)
            if s is None:
                continue
            pos = [(RDF.type, DCTERMS.Location), (GK.key, Lit(row["key"]))]
            if (lit := _str(row.get("code"))) is not None:
                pos.append((SKOS.notation, lit))
            if (lit := _str(row.get("name"))) is not None:
                pos.append((RDFS.label, lit))
            yield s, pos
        tick(len(batch))

    for batch in graph.batches(Label.INSTITUTION):
        for row in batch:
            s = fresh(Label.INSTITUTION, row)
            if s is None:
                continue
            yield s, [(RDF.type, FOAF.Organization), (RDF.type, ORG.Organization), (GK.key, Lit(row["key"])),
                      (FOAF.name, Lit(row.get("name") or row["key"]))]
        tick(len(batch))

    # Author order per paper: the one index the writers keep (positions may come in any order).
    byline: dict[str, list[tuple[int, str]]] = {}
    for row in graph.edges(RelType.AUTHORED):
        byline.setdefault(row["target"], []).append((row.get("position") or 1 << 30, row["source"]))
    tick(graph.count(RelType.AUTHORED))

    for batch in graph.batches(Label.PAPER):
        for row in batch:
            s = fresh(Label.PAPER, row)
            if s is None:
                continue
            yield s, _describe_paper(row, byline.pop(row["key"], None), m)
        tick(len(batch))

    yield from _describe_edges(graph, m, tick)


def _describe_paper(row: dict[str, Any], authors: list[tuple[int, str]] | None, m: Minter) -> list:
    pos: list[tuple[URIRef, Obj]] = [(RDF.type, FABIO.Expression)]
    cls = PAPER_CLASSES.get(of_value(row.get("type")) or "")
    if cls is not None:
        pos.append((RDF.type, cls))
    pos.append((GK.key, Lit(row["key"])))
    if row.get("cited_only"):
        pos.append((GK.citedOnly, Lit.boolean(True)))
    for pred, name in ((DCTERMS.title, "title"), (DCTERMS.abstract, "abstract")):
        if (lit := _str(row.get(name))) is not None:
            pos.append((pred, lit))
    if (year := _year(row.get("year"))) is not None:
        pos.append((FABIO.hasPublicationYear, year))
    if doi := normalise_doi(row.get("doi")) or normalise_doi(_key_value(row["key"], "doi:")):
        pos.append((PRISM.doi, Lit(doi)))
    pmid = str(row.get("pmid") or "").strip()
    if PMID_RE.match(pmid):
        pos.append((FABIO.hasPubMedId, Lit(pmid)))
    for pred, name in ((PRISM.volume, "volume"), (PRISM.number, "issue"),
                       (PRISM.startingPage, "first_page"), (PRISM.endingPage, "last_page")):
        if (lit := _str(row.get(name))) is not None:
            pos.append((pred, lit))
    for src in row.get("sources") or ():
        pos.append((GK.source, Lit(src)))
    if authors:
        authors.sort()
        people: list[URIRef] = []
        for _, akey in authors:
            iri = m.of(Label.AUTHOR, akey)
            if iri is not None and iri not in people:
                people.append(iri)
        for iri in people:
            pos.append((DCTERMS.creator, iri))
        pos.append((BIBO.authorList, Items(people)))
        for i, iri in enumerate(people, start=1):
            pos.append((GK.authorship, Blank([(RDF.type, GK.Authorship), (GK.author, iri),
                                              (GK.authorPosition, Lit(str(i), XSD.positiveInteger))])))
    return pos


def _grouped(rows: Iterable[dict[str, Any]]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Consecutive rows with the same source, as (source, rows)."""
    current: str | None = None
    group: list[dict[str, Any]] = []
    for row in rows:
        if row["source"] != current and group:
            yield current, group  # type: ignore[misc]
            group = []
        current = row["source"]
        group.append(row)
    if group:
        yield current, group  # type: ignore[misc]


# Edge types exported as one predicate from the source's node to the target's (self-loops left out):
# (type, source label, target label, predicate, or a function of the edge row that gives it).
PLAIN_EDGES: tuple[tuple[RelType, Label, Label, URIRef | Callable[[dict[str, Any]], URIRef]], ...] = (
    (RelType.HAS_KEYWORD, Label.PAPER, Label.KEYWORD, DCTERMS.subject),
    # a keyword is the MeSH descriptor (heading) or close to it (entry term)
    (RelType.MAPS_TO, Label.KEYWORD, Label.MESH,
     lambda r: SKOS.exactMatch if r.get("via") == "heading" else SKOS.closeMatch),
    (RelType.BROADER, Label.MESH, Label.MESH, SKOS.broader),  # MeSH tree edges
    (RelType.CITES, Label.PAPER, Label.PAPER, CITO.cites),
    (RelType.HAS_AFFILIATION, Label.PAPER, Label.INSTITUTION, GK.hasAffiliation),
    (RelType.LOCATED_IN, Label.INSTITUTION, Label.COUNTRY, DCTERMS.spatial),
)


def _describe_plain(graph: Graph, m: Minter, tick, rel: RelType, source_label: Label, target_label: Label,
                    pred: URIRef | Callable[[dict[str, Any]], URIRef]) -> Iterator[Description]:
    for source, rows in _grouped(graph.edges(rel)):
        s = m.of(source_label, source)
        pos: list[tuple[URIRef, Obj]] = []
        for r in rows:
            t = m.of(target_label, r["target"])
            if t is not None and t != s:
                pos.append((pred if isinstance(pred, URIRef) else pred(r), t))
        if s is not None and pos:
            yield s, pos
        tick(len(rows))


def _describe_edges(graph: Graph, m: Minter, tick) -> Iterator[Description]:
    with_journal: set[str] = set()
    for source, rows in _grouped(graph.edges(RelType.PUBLISHED_IN)):
        s = m.of(Label.PAPER, source)
        if source in with_journal or s is None:
            tick(len(rows))
            continue
        with_journal.add(source)
        if len(rows) > 1:
            log.warning("paper %r is in %d journals; exporting the first", source, len(rows))
        if (j := m.of(Label.JOURNAL, rows[0]["target"])) is not None:
            yield s, [(DCTERMS.isPartOf, j)]
        tick(len(rows))
    del with_journal

    yield from _describe_plain(graph, m, tick, *PLAIN_EDGES[0])

    for source, rows in _grouped(graph.edges(RelType.HAS_MESH)):
        s = m.of(Label.PAPER, source)
        pos: list[tuple[URIRef, Obj]] = []
        for r in rows:
            t = m.of(Label.MESH, r["target"])
            if t is None:
                continue
            pos.append((DCTERMS.subject, t))
            if r.get("major"):
                pos.append((GK.majorSubject, t))
            if r.get("qualifiers"):
                pos.append((GK.meshAssignment, Blank(
                    [(RDF.type, GK.MeshAssignment), (GK.descriptor, t)]
                    + [(GK.qualifierName, Lit(q)) for q in r["qualifiers"] if q])))
        if s is not None and pos:
            yield s, pos
        tick(len(rows))

    for spec in PLAIN_EDGES[1:4]:  # concepts (MAPS_TO, BROADER), then CITES
        yield from _describe_plain(graph, m, tick, *spec)

    for source, rows in _grouped(graph.edges(RelType.CO_AUTHOR)):
        a = m.of(Label.AUTHOR, source)
        if a is None:
            tick(len(rows))
            continue
        others = [(r, b) for r in rows if (b := m.of(Label.AUTHOR, r["target"])) is not None and b != a]
        if others:
            yield a, [(GK.coAuthorWith, b) for _, b in others]
        for r, b in others:
            pos = [(RDF.type, GK.CoAuthorship), (GK.coAuthor, a), (GK.coAuthor, b)]
            yield m.coauthorship(r["source"], r["target"]), pos + _papers_and_years(r)
        tick(len(rows))

    yield from _describe_affiliations(graph, m, tick)


def _papers_and_years(row: dict[str, Any]) -> list[tuple[URIRef, Obj]]:
    """gk:papers, gk:firstYear, gk:lastYear of a CO_AUTHOR or AFFILIATED_WITH edge row."""
    pos: list[tuple[URIRef, Obj]] = []
    if row.get("papers"):
        pos.append((GK.papers, Lit(str(int(row["papers"])), XSD.integer)))
    for pred, name in ((GK.firstYear, "first_year"), (GK.lastYear, "last_year")):
        if (y := _year(row.get(name))) is not None:
            pos.append((pred, y))
    return pos


def _describe_affiliations(graph: Graph, m: Minter, tick) -> Iterator[Description]:
    """HAS_AFFILIATION -> gk:hasAffiliation, LOCATED_IN -> dcterms:spatial, AFFILIATED_WITH -> org:memberOf
    plus an org:Membership with the papers and years."""
    for spec in PLAIN_EDGES[4:]:
        yield from _describe_plain(graph, m, tick, *spec)
    for source, rows in _grouped(graph.edges(RelType.AFFILIATED_WITH)):
        a = m.of(Label.AUTHOR, source)
        orgs = [(r, i) for r in rows if (i := m.of(Label.INSTITUTION, r["target"])) is not None]
        if a is not None and orgs:
            yield a, [(ORG.memberOf, i) for _, i in orgs]
            for r, i in orgs:
                pos = [(RDF.type, ORG.Membership), (ORG.member, a), (ORG.organization, i)]
                yield m.membership(r["source"], r["target"]), pos + _papers_and_years(r)
        tick(len(rows))


def _flatten(s: Node, pos: list[tuple[URIRef, Obj]], bnode) -> Iterator[tuple[Node, Node, Any]]:
    """Triples of one description; objects stay URIRef / Lit; blank nodes from ``bnode()``."""
    for p, o in pos:
        if isinstance(o, Blank):
            b = bnode()
            yield s, p, b
            yield from _flatten(b, o.pos, bnode)
        elif isinstance(o, Items):
            if not o:
                yield s, p, RDF.nil
                continue
            cell = bnode()
            yield s, p, cell
            for i, item in enumerate(o):
                yield cell, RDF.first, item
                nxt = bnode() if i + 1 < len(o) else RDF.nil
                yield cell, RDF.rest, nxt
                cell = nxt
        else:
            yield s, p, o


def _bnodes():
    counter = 0

    def bnode() -> BNode:
        nonlocal counter
        counter += 1
        return BNode(f"b{counter}")

    return bnode


def iter_triples(graph: Graph, base: str = DEFAULT_BASE, *, progress: Progress = null_progress,
                 text: Callable[[str], str] | None = None) -> Iterator[tuple[Node, Node, Node]]:
    """Every triple of the export as rdflib terms, blank nodes and rdf:List cells included; ``text``
    (e.g. :func:`graphkit.sinks.xml_text.xml_safe`) is applied to every literal's text."""
    bnode = _bnodes()
    for s, pos in iter_subjects(graph, base, progress=progress):
        for triple in _flatten(s, pos, bnode):
            o = triple[2]
            if isinstance(o, Lit):
                if text is not None:
                    o = Lit(text(o.text), o.datatype)
                yield triple[0], triple[1], o.to_rdflib()
            else:
                yield triple


def to_rdflib(graph: Graph, base: str = DEFAULT_BASE, *, progress: Progress = null_progress,
              text: Callable[[str], str] | None = None):
    """The whole export as an in-memory rdflib Graph (for RDF/XML, tests and moderate sizes)."""
    import rdflib

    g = rdflib.Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    for triple in iter_triples(graph, base, progress=progress, text=text):
        g.add(triple)
    return g


# ---------------------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------------------

class _Terms:
    """Renders terms for N-Triples (``prefixed=False``) or Turtle: IRIs as rdflib's ``.n3()`` (vocabulary
    IRIs as prefixed names in Turtle, cached), literals quoted with rdflib's N-Triples escaping (valid in
    Turtle too). Instance IRIs were checked by the Minter, so ``<iri>`` is exactly their ``.n3()``."""

    def __init__(self, prefixed: bool) -> None:
        self.prefixed = prefixed
        self.vocab = tuple(ns for prefix, ns in PREFIXES.items() if prefix != "mesh")
        self.cache: dict[str, str] = {}
        self.ids: dict[int, str] = {}
        self.nm = None
        if prefixed:  # the namespace manager needs a (tiny, empty) rdflib Graph
            import rdflib
            from rdflib.namespace import NamespaceManager

            self.nm = NamespaceManager(rdflib.Graph(bind_namespaces="none"))
            for prefix, ns in PREFIXES.items():
                self.nm.bind(prefix, ns, override=True)

    def vocab_iri(self, term: URIRef) -> str:
        text = self.cache.get(str(term))
        if text is None:
            text = term.n3()
            if self.prefixed and str.startswith(term, self.vocab):
                qname = term.n3(self.nm)
                if not qname.startswith("<"):
                    text = qname
            self.cache[str(term)] = text
        return text

    def warm(self) -> None:
        """Render every vocabulary term once, keyed by identity (module-level objects that never die)."""
        for term in _VOCAB_TERMS:
            self.ids[id(term)] = self.vocab_iri(term)

    def term(self, term: Any) -> str:
        kind = type(term)
        if kind is Lit:
            text = _quote_encode(term.text)
            dt = term.datatype
            if dt is None:
                return text
            if self.prefixed and (dt is XSD.integer or dt is XSD.boolean):
                return term.text
            return f"{text}^^{self.vocab_iri(dt)}"
        text = self.ids.get(id(term))
        if text is not None:
            return text
        if kind is URIRef:
            return f"<{term}>"  # instance IRI, checked by the Minter: equals term.n3()
        return term.n3()  # blank nodes


def _write_nt(graph: Graph, fh: TextIO, base: str, progress: Progress) -> int:
    terms = _Terms(prefixed=False)
    terms.warm()
    bnode = _bnodes()
    n = 0
    lines: list[str] = []
    term = terms.term
    for s, pos in iter_subjects(graph, base, progress=progress):
        for ts, tp, to in _flatten(s, pos, bnode):
            lines.append(f"{term(ts)} {term(tp)} {term(to)} .\n")
        if len(lines) >= 8192:
            fh.writelines(lines)
            n += len(lines)
            lines.clear()
    fh.writelines(lines)
    return n + len(lines)


def _write_turtle(graph: Graph, fh: TextIO, base: str, progress: Progress) -> int:
    terms = _Terms(prefixed=True)
    terms.warm()
    for prefix, ns in PREFIXES.items():
        fh.write(f"@prefix {prefix}: <{ns}> .\n")
    fh.write("\n")
    count = 0
    render = terms.term

    def objects(o: Obj, indent: str) -> str:
        nonlocal count
        if isinstance(o, Blank):
            inner = f" ;\n{indent}    ".join(props(o.pos, indent + "    "))
            return f"[\n{indent}    {inner}\n{indent}]"
        if isinstance(o, Items):
            count += 2 * len(o)  # rdf:first + rdf:rest per cell
            return "( " + " ".join(render(t) for t in o) + " )" if o else "()"
        return render(o)

    def props(pos: list[tuple[URIRef, Obj]], indent: str) -> list[str]:
        nonlocal count
        out: list[str] = []
        last: URIRef | None = None
        for p, o in pos:
            count += 1
            if p is last:
                out[-1] += " , " + objects(o, indent)
            else:
                out.append(f"{'a' if p is RDF.type else render(p)} {objects(o, indent)}")
            last = p
        return out

    buf: list[str] = []
    for s, pos in iter_subjects(graph, base, progress=progress):
        buf.append(f"{render(s)}\n    " + " ;\n    ".join(props(pos, "    ")) + " .\n\n")
        if len(buf) >= 1024:
            fh.writelines(buf)
            buf.clear()
    fh.writelines(buf)
    return count


def jsonld_context() -> dict[str, Any]:
    """The inline JSON-LD context: the prefixes (no remote context is ever fetched)."""
    return dict(PREFIXES)


def _write_jsonld(graph: Graph, fh: TextIO, base: str, progress: Progress) -> int:
    terms = _Terms(prefixed=True)
    count = 0

    def compact(iri: URIRef) -> str:
        text = terms.vocab_iri(iri)
        return text[1:-1] if text.startswith("<") else text

    def value(o: Obj) -> Any:
        nonlocal count
        if isinstance(o, Lit):
            if o.datatype is None:
                return o.text
            if o.datatype == XSD.boolean:
                return o.text == "true"  # JSON true/false is xsd:boolean
            if o.datatype == XSD.integer:
                return int(o.text)  # a JSON integer is xsd:integer
            return {"@value": o.text, "@type": compact(o.datatype)}
        if isinstance(o, Blank):
            return node(None, o.pos)
        if isinstance(o, Items):
            count += 2 * len(o)
            return {"@list": [value(t) for t in o]}
        return {"@id": str(o)}

    def node(s: URIRef | None, pos: list[tuple[URIRef, Obj]]) -> dict[str, Any]:
        nonlocal count
        obj: dict[str, Any] = {} if s is None else {"@id": str(s)}
        for p, o in pos:
            count += 1
            if p is RDF.type:
                obj.setdefault("@type", []).append(compact(o))  # type: ignore[arg-type]
                continue
            key = compact(p)
            v = value(o)
            if key in obj:
                if not isinstance(obj[key], list):
                    obj[key] = [obj[key]]
                obj[key].append(v)
            else:
                obj[key] = v
        return obj

    fh.write('{\n  "@context": ')
    fh.write(json.dumps(jsonld_context(), indent=None))
    fh.write(',\n  "@graph": [\n')
    first = True
    for s, pos in iter_subjects(graph, base, progress=progress):
        fh.write(("    " if first else ",\n    ") + json.dumps(node(s, pos), ensure_ascii=False))
        first = False
    fh.write("\n  ]\n}\n")
    return count


def _write_xml(graph: Graph, fh: TextIO, base: str, progress: Progress) -> int:
    from graphkit.sinks.xml_text import xml_safe

    g = to_rdflib(graph, base, progress=progress, text=xml_safe)
    fh.write(g.serialize(format="xml"))
    return len(g)


_WRITERS = {"nt": _write_nt, "turtle": _write_turtle, "jsonld": _write_jsonld, "xml": _write_xml}
_ALIASES = {"ttl": "turtle", "n-triples": "nt", "ntriples": "nt", "json-ld": "jsonld", "rdfxml": "xml",
            "rdf": "xml", "rdf/xml": "xml"}


def rdf_format_name(name: str) -> str:
    fmt = _ALIASES.get(name.lower(), name.lower())
    if fmt not in _WRITERS:
        raise GraphkitError(f"unknown RDF format {name!r}; known: {', '.join(RDF_FORMATS)}")
    return fmt


def write_rdf(graph: Graph, out: Path, *, progress: Progress = null_progress, rdf_format: str = "turtle",
              base: str = DEFAULT_BASE, force: bool = False) -> dict[str, Any]:
    """Write ``graph`` as RDF at ``out`` in ``rdf_format`` (turtle, nt, jsonld, xml); IRIs under ``base``.

    Written to a temporary file and renamed (:mod:`graphkit.atomic`). Returns a summary: path, format,
    base, triples written and the node counts exported.
    """
    from graphkit.atomic import atomic_open

    fmt = rdf_format_name(rdf_format)
    Minter(base)  # validates base before the file is created
    out = Path(out)
    if out.parent and not out.parent.exists():
        raise GraphkitError(f"{out.parent}: directory does not exist")
    with atomic_open(out, force=force, newline="\n") as fh:
        triples = _WRITERS[fmt](graph, fh, base or DEFAULT_BASE, progress)
    log.info("wrote %d triples to %s", triples, out)
    return {"path": str(out), "format": fmt, "base": (base or DEFAULT_BASE).rstrip("/"), "triples": triples,
            **{str(label): graph.count(label) for label in Label}}
