"""RDF export: IRIs, the four formats, round trips, the shipped ontology and SHACL shapes, corpus exports."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from conftest import CORPUS, FIXTURES, SEED, load_graph, need_corpus
from graphkit.graph import Graph
from graphkit.linked import ONTOLOGY_PATH, SHAPES_PATH, load_rdf, validate
from graphkit.namespaces import BIBO, DCTERMS, FABIO, FOAF, GK, MESHV, PRISM, SKOS
from graphkit.schema import Label, RelType
from graphkit.sinks import export
from graphkit.sinks.rdf import (
    RDF_FORMATS, Minter, iter_triples, normalise_doi, normalise_orcid, orcid_checksum_ok, to_rdflib, write_rdf,
)

SMALL = FIXTURES / "rdf" / "small-graph.json"
P1 = "doi:10.1007/s12020-018-1537-0"
FORMATS = list(RDF_FORMATS)




def parse(path: Path, fmt: str) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(path, format=RDF_FORMATS[fmt][1])
    return g


def rdf_counts(g: rdflib.Graph) -> dict[str, int]:
    mesh = set(g.subjects(RDF.type, MESHV.Descriptor)) | set(g.subjects(RDF.type, MESHV.SupplementaryConceptRecord))
    mesh |= set(g.subjects(RDF.type, GK.MeshHeading))
    return {"Paper": len(set(g.subjects(RDF.type, FABIO.Expression))),
            "Author": len(set(g.subjects(RDF.type, FOAF.Person))),
            "Journal": len(set(g.subjects(RDF.type, FABIO.Journal))),
            "Keyword": len(set(g.subjects(RDF.type, SKOS.Concept))),
            "MeshTerm": len(mesh),
            "Institution": len(set(g.subjects(RDF.type, FOAF.Organization))),
            "Country": len(set(g.subjects(RDF.type, DCTERMS.Location)))}


def graph_counts(g: Graph) -> dict[str, int]:
    return {str(label): g.count(label) for label in Label}


def author_list(g: rdflib.Graph, paper: URIRef) -> list[str]:
    """Family names along the paper's bibo:authorList."""
    head = g.value(paper, BIBO.authorList)
    return [str(g.value(person, FOAF.familyName)) for person in rdflib.collection.Collection(g, head)]


# -- identifiers ------------------------------------------------------------------------------------------

def test_orcid_check_digit():
    assert orcid_checksum_ok("0000-0002-1825-0097")  # ORCID's documented example
    assert orcid_checksum_ok("0000-0001-5109-3700")
    assert orcid_checksum_ok("0000-0002-1694-233X")
    assert not orcid_checksum_ok("0000-0002-1825-0098")
    assert normalise_orcid("https://orcid.org/0000-0002-1694-233x") == "0000-0002-1694-233X"
    assert normalise_orcid("0000000218250097") == "0000-0002-1825-0097"
    assert normalise_orcid("0000-0002-1825-0098") is None


def test_doi_normalisation():
    assert normalise_doi("https://doi.org/10.1007/S12020-018-1537-0") == "10.1007/s12020-018-1537-0"
    assert normalise_doi("doi: 10.1000/ABC") == "10.1000/abc"
    assert normalise_doi("not a doi") is None


def test_iris():
    m = Minter("https://example.org/g/")
    assert m.paper({"key": P1, "doi": "10.1007/S12020-018-1537-0"}) == URIRef("https://doi.org/10.1007/s12020-018-1537-0")
    weird = m.paper({"key": "doi:x", "doi": "10.1002/(SICI)1097-0258(19980815/30)17:15/16<1661::AID-SIM968>3.0.CO;2-2"})
    assert str(weird) == "https://doi.org/10.1002/(sici)1097-0258(19980815/30)17:15/16%3C1661::aid-sim968%3E3.0.co;2-2"
    assert m.paper({"key": "pmid:123", "pmid": "123"}) == URIRef("https://example.org/g/paper/pmid/123")
    assert re.fullmatch(r"https://example\.org/g/paper/[0-9a-f]{16}", m.paper({"key": "title:abc"}))
    assert m.author({"key": "orcid:0000-0002-1825-0097"}) == URIRef("https://orcid.org/0000-0002-1825-0097")
    # a wrong check digit is not an ORCID: the author gets a minted IRI
    assert m.author({"key": "name:x|y", "orcid": "0000-0002-1825-0098"}).startswith("https://example.org/g/author/")
    assert m.journal({"key": "issn:1355-008x"}) == URIRef("https://portal.issn.org/resource/ISSN/1355-008X")
    assert m.journal({"key": "journal:endocrine"}).startswith("https://example.org/g/journal/")
    assert m.mesh({"key": "mesh:D008113", "ui": "D008113"}) == URIRef("http://id.nlm.nih.gov/mesh/D008113")
    assert m.mesh({"key": "mesh:name:Foo"}).startswith("https://example.org/g/mesh/")
    assert m.keyword({"key": "kw:a"}) == Minter("https://example.org/g").keyword({"key": "kw:a"})


def test_bad_base_is_a_user_error(tmp_path):
    from graphkit.model import GraphkitError

    with pytest.raises(GraphkitError, match="base"):
        write_rdf(load_graph(), tmp_path / "x.ttl", base="not an iri")


# -- formats and round trips ------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_counts_and_author_order(tmp_path, fmt):
    g = load_graph()
    out = tmp_path / f"small{RDF_FORMATS[fmt][0]}"
    summary = export(g, "rdf", out, rdf_format=fmt, base="https://example.org/g")
    back = parse(out, fmt)
    assert summary["triples"] == len(back)
    assert rdf_counts(back) == graph_counts(g)
    p1 = URIRef("https://doi.org/10.1007/s12020-018-1537-0")
    assert author_list(back, p1) == ["Grozinsky-Glasberg", "Kaltsas", "Kaltsatou"]
    positions = {int(back.value(a, GK.authorPosition)): str(back.value(back.value(a, GK.author), FOAF.familyName))
                 for a in back.objects(p1, GK.authorship)}
    assert positions == {1: "Grozinsky-Glasberg", 2: "Kaltsas", 3: "Kaltsatou"}
    assert back.value(p1, PRISM.doi) == Literal("10.1007/s12020-018-1537-0")
    assert str(back.value(p1, FABIO.hasPublicationYear)) == "2018"
    abstract = str(back.value(p1, DCTERMS.abstract))
    assert '"NETs"' in abstract and "\n" in abstract and "\\ backslash ©" in abstract


def test_all_formats_write_the_same_graph(tmp_path):
    g = load_graph()
    reference = to_rdflib(g, "https://example.org/g")
    assert len(reference) == sum(1 for _ in iter_triples(g, "https://example.org/g"))
    for fmt in FORMATS:
        out = tmp_path / f"small{RDF_FORMATS[fmt][0]}"
        write_rdf(g, out, rdf_format=fmt, base="https://example.org/g")
        assert isomorphic(parse(out, fmt), reference), fmt


def test_jsonld_has_inline_context_and_author_list(tmp_path):
    out = tmp_path / "small.jsonld"
    write_rdf(load_graph(), out, rdf_format="jsonld")
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(doc["@context"], dict)  # inline, nothing to fetch
    assert doc["@context"]["fabio"] == "http://purl.org/spar/fabio/"
    p1 = next(n for n in doc["@graph"] if n.get("@id") == "https://doi.org/10.1007/s12020-018-1537-0"
              and "bibo:authorList" in n)
    ids = [a["@id"] for a in p1["bibo:authorList"]["@list"]]
    assert len(ids) == 3 and ids[1] == "https://orcid.org/0000-0002-1825-0097"


def test_ntriples_are_one_triple_per_line(tmp_path):
    out = tmp_path / "small.nt"
    summary = write_rdf(load_graph(), out, rdf_format="nt")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == summary["triples"]
    assert all(line.endswith(" .") for line in lines)


def synthetic_graph(n_papers: int) -> Graph:
    g = Graph()
    for i in range(n_papers):
        p = f"doi:10.1000/p{i}"
        g.add_node(Label.PAPER, p, doi=f"10.1000/p{i}", title=f"Paper {i}", year=2000 + i % 20)
        for j in range(3):
            a = f"name:author{(i + j) % (n_papers // 2 + 1)}|a"
            g.add_node(Label.AUTHOR, a, name=f"Author{(i + j) % (n_papers // 2 + 1)}, A.")
            g.add_edge(RelType.AUTHORED, a, p, position=j + 1)
    return g


def test_ntriples_stream_without_an_rdflib_graph(tmp_path, monkeypatch):
    """N-Triples are written while the graph is walked (the file grows before the walk ends) and no
    triple is ever added to an rdflib Graph."""
    def refuse(*args, **kwargs):
        raise AssertionError("the N-Triples writer must not build an rdflib Graph")

    monkeypatch.setattr(rdflib.Graph, "add", refuse)
    monkeypatch.setattr(rdflib.Graph, "addN", refuse)
    g = synthetic_graph(3000)
    out = tmp_path / "big.nt"
    sizes: list[int] = []
    done = 0
    total_units = sum(g.count(x) for x in Label) + sum(g.count(t) for t in RelType)

    def progress(phase, advance, total):
        nonlocal done
        done += advance
        assert total == total_units
        # the export grows in a temporary file beside ``out`` and is renamed when complete
        sizes.append(sum(f.stat().st_size for f in tmp_path.glob(".big.nt.*.tmp")) if done < total_units else -1)

    summary = write_rdf(g, out, rdf_format="nt", progress=progress)
    assert done == total_units
    assert any(size > 0 for size in sizes[:-1])  # triples on disk before the last batch was walked
    assert summary["triples"] == len(out.read_text(encoding="utf-8").splitlines())


def test_mesh_and_keywords(tmp_path):
    out = tmp_path / "small.ttl"
    write_rdf(load_graph(), out)
    g = parse(out, "turtle")
    liver = URIRef("http://id.nlm.nih.gov/mesh/D008113")
    humans = URIRef("http://id.nlm.nih.gov/mesh/D006801")
    assert (liver, RDF.type, MESHV.Descriptor) in g
    assert (humans, RDF.type, MESHV.CheckTag) in g
    assert URIRef("http://id.nlm.nih.gov/mesh/C04.588.274.623") in set(g.objects(liver, MESHV.treeNumber))
    p1 = URIRef("https://doi.org/10.1007/s12020-018-1537-0")
    assert (p1, GK.majorSubject, liver) in g and (p1, DCTERMS.subject, liver) in g
    assert (p1, GK.majorSubject, humans) not in g
    assignment = next(g.objects(p1, GK.meshAssignment))
    assert {str(q) for q in g.objects(assignment, GK.qualifierName)} == {"therapy", "secondary"}
    human_kw = next(g.subjects(SKOS.prefLabel, Literal("human")))
    assert g.value(human_kw, GK.checkTag).toPython() is True


# -- ontology and shapes ----------------------------------------------------------------------------------

def test_ontology_and_shapes_parse_and_declare_every_gk_term():
    onto = load_rdf(ONTOLOGY_PATH)
    shapes = load_rdf(SHAPES_PATH)
    assert len(shapes) > 50
    from rdflib.namespace import OWL, RDFS

    assert (URIRef("https://w3id.org/graphkit/ontology"), RDF.type, OWL.Ontology) in onto
    gk_terms = [getattr(GK, name) for name in GK.__annotations__]
    for term in gk_terms:
        assert onto.value(term, RDFS.label) is not None, term
        assert onto.value(term, RDFS.comment) is not None, term
        assert onto.value(term, RDF.type) in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty), term


def test_package_ships_ontology_files():
    import graphkit

    root = Path(graphkit.__file__).parent
    assert (root / "ontologies" / "graphkit.ttl").is_file()
    assert (root / "ontologies" / "graphkit-shapes.ttl").is_file()
    assert sorted(p.stem for p in (root / "queries" / "sparql").glob("*.rq"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_small_export_conforms(tmp_path, fmt):
    out = tmp_path / f"small{RDF_FORMATS[fmt][0]}"
    write_rdf(load_graph(), out, rdf_format=fmt)
    report = validate(out)
    assert report.conforms, report.groups()


def test_shapes_catch_each_broken_rule():
    report = validate(FIXTURES / "rdf" / "invalid-export.ttl")
    assert not report.conforms
    messages = {m for _, _, m, _, _ in report.groups()}
    for expected in ("exactly one title", "DOI", "creators are foaf:Person", "not a dcterms:creator",
                     "ISSN is NNNN-NNNX", "MeSH descriptor IRI", "MeSH subject"):
        assert any(expected in m for m in messages), (expected, messages)


# -- the real corpus ---------------------------------------------------------------------------------------

# One or two files per input format, chosen for variety (MeSH with '*' markers, ORCIDs, two ISSNs, Scopus
# and WoS quirks); files whose reader is not in the tree yet are left out.
SPREAD = (
    "ris/citesource__20221207_gambling-harms_pubmed_176.ris",
    "ris/synthesisr__scopus.ris",
    "ris/asreview__ovid_psycinfo.ris",
    "nbib/revtools__restoration_pubmed.nbib",
    "wos/metaknowledge__savedrecs.txt",
    "bibtex/bibliometrix__scopus.bib",
    "scopus_csv/litstudy__scopus.csv",
    "csl_json/bbt__Deterministic_ordering_for_CSL_1178_1400.csl.json",
)


def _readable(path: Path) -> bool:
    from graphkit.readers import READERS, detect

    try:
        fmt = detect(path)
        importlib.import_module(READERS[fmt].split(":")[0])
    except Exception:  # noqa: BLE001 - a reader not written yet
        return False
    return True


def corpus_spread() -> list[Path]:
    return [CORPUS / rel for rel in SPREAD if (CORPUS / rel).exists()]


@pytest.fixture(scope="module")
def corpus_graph():
    need_corpus()
    if not _readable(SEED):
        pytest.skip("the RIS reader is not in this tree yet")
    from graphkit.build import build_from_files

    files = [SEED] + [p for p in corpus_spread() if _readable(p)]
    assert len(files) >= 3, files
    return build_from_files(files).graph, files


@pytest.mark.corpus
@pytest.mark.parametrize("fmt", FORMATS)
def test_corpus_export_round_trip(tmp_path, corpus_graph, fmt):
    g, _ = corpus_graph
    out = tmp_path / f"corpus{RDF_FORMATS[fmt][0]}"
    summary = write_rdf(g, out, rdf_format=fmt)
    back = parse(out, fmt)
    assert summary["triples"] == len(back)
    assert rdf_counts(back) == graph_counts(g)
    # the seed paper's authors come back in their byline order
    seed = next(r for r in g.nodes(Label.PAPER) if any("scopus-collapsed__seed" in s for s in r["sources"] or ()))
    iri = Minter().paper(seed)
    expected = seed_byline()
    got = author_list(back, iri)
    assert [name.casefold() for name in got] == [name.casefold() for name in expected]


def seed_byline() -> list[str]:
    """Family names of the seed's AU fields, read straight from the file (one collapsed line)."""
    text = SEED.read_text(encoding="utf-8-sig")
    return [m.group(1).strip() for m in re.finditer(r"\bAU  ?- ([^,]+),", text)]


@pytest.mark.corpus
def test_corpus_export_conforms_to_shapes(tmp_path, corpus_graph):
    g, files = corpus_graph
    out = tmp_path / "corpus.nt"
    write_rdf(g, out, rdf_format="nt")
    report = validate(out)
    assert report.conforms, (files, report.groups()[:10])
    assert report.triples > 1000
