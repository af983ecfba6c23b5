"""graphkit validate: the faster path (ontology mixed once, one shape at a time in place, SHACL-SPARQL
constraints evaluated once over the graph) reports exactly what one plain pyshacl call reports."""

from __future__ import annotations

import pyshacl
from rdflib import BNode
from rdflib.namespace import RDF, SH

from graphkit.linked import load_rdf, ontology, shapes, validate
from conftest import FIXTURES


def plain_pyshacl(path):
    """The violations of one pyshacl call, as graphkit validate did it before (shape, path, message, focus)."""
    g, sg = load_rdf(path), shapes()
    conforms, results, _ = pyshacl.validate(g, shacl_graph=sg, ont_graph=ontology(), inference="none",
                                            advanced=True, allow_warnings=True, meta_shacl=False)
    nm = g.namespace_manager
    for prefix, ns in sg.namespace_manager.namespaces():
        nm.bind(prefix, ns, override=False)
    out = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        shape = results.value(r, SH.sourceShape)
        if isinstance(shape, BNode):
            shape = sg.value(None, SH.property, shape) or shape
        path = results.value(r, SH.resultPath)
        out.append((shape.n3(nm), path.n3(nm) if path is not None else "",
                    sorted(str(m) for m in results.objects(r, SH.resultMessage))[0],
                    results.value(r, SH.focusNode).n3(nm)))
    return bool(conforms), sorted(out)


def test_same_violations_as_one_pyshacl_call():
    path = FIXTURES / "rdf" / "invalid-export.ttl"
    conforms, expected = plain_pyshacl(path)
    seen: list[tuple[str, int, int | None]] = []
    report = validate(path, progress=lambda phase, n, total: seen.append((phase, n, total)))
    got = sorted((v.shape, v.path or "", v.message, v.focus) for v in report.violations)
    assert not conforms and not report.conforms
    assert got == expected
    assert any("author list" in v[2] for v in got)  # the set-wise SPARQL constraints found theirs
    shape_steps = [s for s in seen if s[0] == "validate:shapes"]
    assert len(shape_steps) == shape_steps[0][2] > 5  # one progress step per shape


def test_validate_leaves_a_given_graph_as_it_was():
    g = load_rdf(FIXTURES / "rdf" / "invalid-export.ttl")
    before = set(g)
    validate(None, data=g)
    assert set(g) == before  # the ontology was mixed in for the run only


def test_oxigraph_parse_is_the_same_graph_as_rdflibs(tmp_path):
    """load_rdf parses Turtle, N-Triples and RDF/XML with pyoxigraph: the same graph as rdflib's parsers
    (blank nodes, author lists, typed and language literals), prefixes kept for short names."""
    import rdflib
    from rdflib.compare import isomorphic

    from graphkit.sinks.rdf import write_rdf
    from conftest import load_graph

    for fmt, suffix in (("turtle", ".ttl"), ("nt", ".nt"), ("xml", ".rdf")):
        out = tmp_path / f"g{suffix}"
        write_rdf(load_graph(), out, rdf_format=fmt)
        ours = load_rdf(out)
        theirs = rdflib.Graph().parse(out, format=fmt)
        assert len(ours) == len(theirs) > 50 and isomorphic(ours, theirs), fmt
    assert dict(load_rdf(tmp_path / "g.ttl").namespace_manager.namespaces())["fabio"] == \
        rdflib.URIRef("http://purl.org/spar/fabio/")
