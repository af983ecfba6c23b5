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

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, Union
from urllib.parse import quote

from rdflib import BNode, Literal, URIRef
from rdflib.plugins.serializers.nt import _quoteLiteral as _nt_literal
from rdflib.term import Node

from graphkit.graph import Graph
from graphkit.model import GraphkitError
from graphkit.namespaces import (
    BIBO, CITO, DC, DCTERMS, FABIO, FOAF, GK, MESH, MESHV, PREFIXES, PRISM, RDF, RDFS, SKOS, XSD,
)
from graphkit.progress import Progress, null_progress
from graphkit.schema import Label, RelType

log = logging.getLogger(__name__)

DEFAULT_BASE = "https://w3id.org/graphkit"

# --rdf-format name -> (file suffix, rdflib format name for parsing it back)
RDF_FORMATS: dict[str, tuple[str, str]] = {
    "turtle": (".ttl", "turtle"),
    "nt": (".nt", "nt"),
    "jsonld": (".jsonld", "json-ld"),
    "xml": (".rdf", "xml"),
}

# Record types (RIS TY, CSL type, MEDLINE PT, BibTeX entry type...) -> the FaBiO class besides fabio:Expression.
PAPER_CLASSES: dict[str, URIRef] = {
    "jour": FABIO.JournalArticle, "journal-article": FABIO.JournalArticle, "article-journal": FABIO.JournalArticle,
    "article": FABIO.JournalArticle, "journal article": FABIO.JournalArticle, "review": FABIO.JournalArticle,
    "ejour": FABIO.JournalArticle, "abst": FABIO.JournalArticle, "inpress": FABIO.JournalArticle,
    "chap": FABIO.BookChapter, "chapter": FABIO.BookChapter, "book-chapter": FABIO.BookChapter,
    "incollection": FABIO.BookChapter, "inbook": FABIO.BookChapter, "book chapter": FABIO.BookChapter,
    "book": FABIO.Book, "ebook": FABIO.Book, "edbook": FABIO.Book,
    "conf": FABIO.ConferencePaper, "cpaper": FABIO.ConferencePaper, "inproceedings": FABIO.ConferencePaper,
    "paper-conference": FABIO.ConferencePaper, "conference paper": FABIO.ConferencePaper,
    "proceedings-article": FABIO.ConferencePaper,
    "thes": FABIO.Thesis, "thesis": FABIO.Thesis, "phdthesis": FABIO.Thesis, "mastersthesis": FABIO.Thesis,
    "dissertation": FABIO.Thesis,
    "rprt": FABIO.ReportDocument, "report": FABIO.ReportDocument, "techreport": FABIO.ReportDocument,
}

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
DOI_PREFIX_RE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
ISSN_RE = re.compile(r"^(\d{4})-?(\d{3}[\dX])$")
ORCID_RE = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$")
MESH_UI_RE = re.compile(r"^[CD]\d{6,9}$")
TREE_RE = re.compile(r"^[A-Z]\d{2}(?:\.\d{3})*$")
PMID_RE = re.compile(r"^\d+$")
# Characters kept as they are in a DOI IRI path: RFC 3987 iunreserved minus non-ASCII, sub-delims, ':' '@' '/'.
IRI_SAFE = "/:@!$&'()*+,;=-._~"


# ---------------------------------------------------------------------------------------------------------
# Identifiers
# ---------------------------------------------------------------------------------------------------------

def key_hash(key: str) -> str:
    """16 hex digits of sha1(key): the stable local name of a node without a public identifier."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def normalise_doi(value: str | None) -> str | None:
    """The bare lower-case DOI (``10.xxxx/...``) or None when ``value`` is not one."""
    if not value:
        return None
    doi = DOI_PREFIX_RE.sub("", value.strip()).strip().lower()
    return doi if DOI_RE.match(doi) else None


def normalise_issn(value: str | None) -> str | None:
    """``NNNN-NNNX`` or None."""
    if not value:
        return None
    m = ISSN_RE.match(value.strip().upper())
    return f"{m.group(1)}-{m.group(2)}" if m else None


def orcid_checksum_ok(orcid: str) -> bool:
    """ISO 7064 MOD 11-2 check digit of a 16-character ORCID iD (hyphens ignored)."""
    digits = orcid.replace("-", "").upper()
    if len(digits) != 16 or not digits[:15].isdigit():
        return False
    total = 0
    for ch in digits[:15]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    return digits[15] == ("X" if check == 10 else str(check))


def normalise_orcid(value: str | None) -> str | None:
    """``NNNN-NNNN-NNNN-NNNX`` when ``value`` holds an ORCID iD whose check digit verifies, else None."""
    if not value:
        return None
    m = ORCID_RE.search(value.strip().upper())
    if not m:
        return None
    orcid = "-".join(m.groups())
    return orcid if orcid_checksum_ok(orcid) else None


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

    def coauthorship(self, a: str, b: str) -> URIRef:
        return URIRef(f"{self.base}/coauthorship/{key_hash(a + chr(0) + b)}")

    def mint(self, label: Label, row: dict[str, Any]) -> URIRef:
        iri = _MINT[label](self, row)
        self.iris[label][row["key"]] = iri
        return iri

    def of(self, label: Label, key: str) -> URIRef | None:
        return self.iris[label].get(key)


_MINT = {Label.PAPER: Minter.paper, Label.AUTHOR: Minter.author, Label.JOURNAL: Minter.journal,
         Label.KEYWORD: Minter.keyword, Label.MESH: Minter.mesh}


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


Obj = Union[URIRef, Literal, Blank, Items]
Description = tuple[URIRef, list[tuple[URIRef, Obj]]]


def _str(value: Any) -> Literal | None:
    if value is None:
        return None
    text = str(value).strip()
    return Literal(text) if text else None


def _year(value: Any) -> Literal | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return Literal(f"{year:04d}", datatype=XSD.gYear) if 0 < year < 10000 else None


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
                                 (SKOS.prefLabel, Literal("graphkit keywords"))]

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
            pos: list[tuple[URIRef, Obj]] = [(RDF.type, FOAF.Person), (GK.key, Literal(row["key"])),
                                             (FOAF.name, Literal(_person_name(row)))]
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
            pos = [(RDF.type, FABIO.Journal), (GK.key, Literal(row["key"]))]
            for pred, name in ((DCTERMS.title, "name"), (FABIO.hasShortTitle, "abbreviation"),
                               (DC.publisher, "publisher")):
                if (lit := _str(row.get(name))) is not None:
                    pos.append((pred, lit))
            if issn := normalise_issn(row.get("issn")) or normalise_issn(_key_value(row["key"], "issn:")):
                pos.append((PRISM.issn, Literal(issn)))
            yield s, pos
        tick(len(batch))

    for batch in graph.batches(Label.KEYWORD):
        for row in batch:
            s = fresh(Label.KEYWORD, row)
            if s is None:
                continue
            pos = [(RDF.type, SKOS.Concept), (GK.key, Literal(row["key"])),
                   (SKOS.prefLabel, Literal(row.get("name") or row["key"])), (SKOS.inScheme, m.keyword_scheme)]
            if row.get("check_tag") is not None:
                pos.append((GK.checkTag, Literal(bool(row["check_tag"]))))
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
            pos += [(GK.key, Literal(row["key"])), (RDFS.label, Literal(row.get("name") or ui or row["key"]))]
            for tn in row.get("tree_numbers") or ():
                if TREE_RE.match(tn):
                    pos.append((MESHV.treeNumber, URIRef(str(MESH) + tn)))
            if row.get("check_tag") is not None:
                pos.append((GK.checkTag, Literal(bool(row["check_tag"]))))
            yield s, pos
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
    cls = PAPER_CLASSES.get(str(row.get("type") or "").strip().lower())
    if cls is not None:
        pos.append((RDF.type, cls))
    pos.append((GK.key, Literal(row["key"])))
    for pred, name in ((DCTERMS.title, "title"), (DCTERMS.abstract, "abstract")):
        if (lit := _str(row.get(name))) is not None:
            pos.append((pred, lit))
    if (year := _year(row.get("year"))) is not None:
        pos.append((FABIO.hasPublicationYear, year))
    if doi := normalise_doi(row.get("doi")) or normalise_doi(_key_value(row["key"], "doi:")):
        pos.append((PRISM.doi, Literal(doi)))
    pmid = str(row.get("pmid") or "").strip()
    if PMID_RE.match(pmid):
        pos.append((FABIO.hasPubMedId, Literal(pmid)))
    for pred, name in ((PRISM.volume, "volume"), (PRISM.number, "issue"),
                       (PRISM.startingPage, "first_page"), (PRISM.endingPage, "last_page")):
        if (lit := _str(row.get(name))) is not None:
            pos.append((pred, lit))
    for src in row.get("sources") or ():
        pos.append((GK.source, Literal(src)))
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
                                              (GK.authorPosition, Literal(i, datatype=XSD.positiveInteger))])))
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

    for source, rows in _grouped(graph.edges(RelType.HAS_KEYWORD)):
        s = m.of(Label.PAPER, source)
        pos = [(DCTERMS.subject, k) for r in rows if (k := m.of(Label.KEYWORD, r["target"])) is not None]
        if s is not None and pos:
            yield s, pos
        tick(len(rows))

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
                    + [(GK.qualifierName, Literal(q)) for q in r["qualifiers"] if q])))
        if s is not None and pos:
            yield s, pos
        tick(len(rows))

    for source, rows in _grouped(graph.edges(RelType.CITES)):
        s = m.of(Label.PAPER, source)
        pos = [(CITO.cites, t) for r in rows if (t := m.of(Label.PAPER, r["target"])) is not None and t != s]
        if s is not None and pos:
            yield s, pos
        tick(len(rows))

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
            if r.get("papers"):
                pos.append((GK.papers, Literal(int(r["papers"]))))
            for pred, name in ((GK.firstYear, "first_year"), (GK.lastYear, "last_year")):
                if (y := _year(r.get(name))) is not None:
                    pos.append((pred, y))
            yield m.coauthorship(r["source"], r["target"]), pos
        tick(len(rows))


def iter_triples(graph: Graph, base: str = DEFAULT_BASE, *,
                 progress: Progress = null_progress) -> Iterator[tuple[Node, Node, Node]]:
    """Every triple of the export, blank nodes and rdf:List cells included (labels fresh per call)."""
    counter = 0

    def bnode() -> BNode:
        nonlocal counter
        counter += 1
        return BNode(f"b{counter}")

    def flatten(s: Node, pos: list[tuple[URIRef, Obj]]) -> Iterator[tuple[Node, Node, Node]]:
        for p, o in pos:
            if isinstance(o, Blank):
                b = bnode()
                yield s, p, b
                yield from flatten(b, o.pos)
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
                    cell = nxt  # type: ignore[assignment]
            else:
                yield s, p, o

    for s, pos in iter_subjects(graph, base, progress=progress):
        yield from flatten(s, pos)


def to_rdflib(graph: Graph, base: str = DEFAULT_BASE, *, progress: Progress = null_progress):
    """The whole export as an in-memory rdflib Graph (for RDF/XML, tests and moderate sizes)."""
    import rdflib

    g = rdflib.Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    for triple in iter_triples(graph, base, progress=progress):
        g.add(triple)
    return g


# ---------------------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------------------

class _Terms:
    """Renders terms: vocabulary IRIs as prefixed names (cached), others with rdflib's ``.n3()``."""

    def __init__(self, prefixed: bool) -> None:
        self.nm = None
        if prefixed:  # the namespace manager needs a (tiny, empty) rdflib Graph
            import rdflib
            from rdflib.namespace import NamespaceManager

            self.nm = NamespaceManager(rdflib.Graph(bind_namespaces="none"))
            for prefix, ns in PREFIXES.items():
                self.nm.bind(prefix, ns, override=True)
        self.prefixed = prefixed
        self.vocab = tuple(ns for prefix, ns in PREFIXES.items() if prefix != "mesh")
        self.cache: dict[URIRef, str] = {}

    def iri(self, term: URIRef) -> str:
        text = self.cache.get(term)
        if text is None:
            text = term.n3()
            if self.prefixed and str(term).startswith(self.vocab):
                qname = term.n3(self.nm)
                if not qname.startswith("<"):
                    text = qname
            if len(self.cache) < 10_000 and str(term).startswith(self.vocab):
                self.cache[term] = text
        return text

    def term(self, term: Node) -> str:
        if isinstance(term, URIRef):
            return self.iri(term)
        if isinstance(term, Literal):
            # Turtle: rdflib's n3 (may use long quotes); N-Triples: rdflib's one-line N-Triples quoting.
            return term.n3(self.nm) if self.prefixed else _nt_literal(term)
        return term.n3()


def _write_nt(graph: Graph, fh: TextIO, base: str, progress: Progress) -> int:
    terms = _Terms(prefixed=False)
    n = 0
    lines: list[str] = []
    for s, p, o in iter_triples(graph, base, progress=progress):
        lines.append(f"{terms.term(s)} {terms.iri(p)} {terms.term(o)} .\n")
        if len(lines) >= 4096:
            fh.writelines(lines)
            n += len(lines)
            lines.clear()
    fh.writelines(lines)
    return n + len(lines)


def _write_turtle(graph: Graph, fh: TextIO, base: str, progress: Progress) -> int:
    terms = _Terms(prefixed=True)
    for prefix, ns in PREFIXES.items():
        fh.write(f"@prefix {prefix}: <{ns}> .\n")
    fh.write("\n")
    count = 0

    def objects(o: Obj, indent: str) -> str:
        nonlocal count
        if isinstance(o, Blank):
            inner = f" ;\n{indent}    ".join(props(o.pos, indent + "    "))
            return f"[\n{indent}    {inner}\n{indent}]"
        if isinstance(o, Items):
            count += 2 * len(o)  # rdf:first + rdf:rest per cell
            return "( " + " ".join(terms.term(t) for t in o) + " )" if o else "()"
        return terms.term(o)

    def props(pos: list[tuple[URIRef, Obj]], indent: str) -> list[str]:
        nonlocal count
        out: list[str] = []
        last: URIRef | None = None
        for p, o in pos:
            count += 1
            pred = "a" if p == RDF.type else terms.iri(p)
            if p == last:
                out[-1] += " , " + objects(o, indent)
            else:
                out.append(f"{pred} {objects(o, indent)}")
            last = p
        return out

    buf: list[str] = []
    for s, pos in iter_subjects(graph, base, progress=progress):
        buf.append(f"{terms.term(s)}\n    " + " ;\n    ".join(props(pos, "    ")) + " .\n\n")
        if len(buf) >= 512:
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
        text = terms.iri(iri)
        return text[1:-1] if text.startswith("<") else text

    def value(o: Obj) -> Any:
        nonlocal count
        if isinstance(o, URIRef):
            return {"@id": str(o)}
        if isinstance(o, Blank):
            return node(None, o.pos)
        if isinstance(o, Items):
            count += 2 * len(o)
            return {"@list": [value(t) for t in o]}
        if o.datatype is None or o.datatype == XSD.string:
            return str(o) if o.language is None else {"@value": str(o), "@language": o.language}
        return {"@value": str(o), "@type": compact(o.datatype)}

    def node(s: URIRef | None, pos: list[tuple[URIRef, Obj]]) -> dict[str, Any]:
        nonlocal count
        obj: dict[str, Any] = {} if s is None else {"@id": str(s)}
        for p, o in pos:
            count += 1
            if p == RDF.type:
                obj.setdefault("@type", []).append(compact(o))  # type: ignore[arg-type]
                continue
            key = compact(p)
            v = value(o)
            if key in obj:
                if not isinstance(obj[key], list) or p == BIBO.authorList:
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
    g = to_rdflib(graph, base, progress=progress)
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
              base: str = DEFAULT_BASE) -> dict[str, Any]:
    """Write ``graph`` as RDF at ``out`` in ``rdf_format`` (turtle, nt, jsonld, xml); IRIs under ``base``.

    Returns a summary: path, format, base, triples written and the node counts exported.
    """
    fmt = rdf_format_name(rdf_format)
    Minter(base)  # validates base before the file is created
    out = Path(out)
    if out.parent and not out.parent.exists():
        raise GraphkitError(f"{out.parent}: directory does not exist")
    with open(out, "w", encoding="utf-8", newline="\n") as fh:
        triples = _WRITERS[fmt](graph, fh, base or DEFAULT_BASE, progress)
    log.info("wrote %d triples to %s", triples, out)
    return {"path": str(out), "format": fmt, "base": (base or DEFAULT_BASE).rstrip("/"), "triples": triples,
            **{str(label): graph.count(label) for label in Label}}
