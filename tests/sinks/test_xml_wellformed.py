"""Every XML writer (GraphML, GEXF, RDF/XML) is well-formed for any string, and no export breaks on text
UTF-8 cannot encode: a property test over arbitrary text (control characters, lone surrogates, non-BMP),
each file parsed back with a real XML parser (expat, through ElementTree)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphkit.graph import Graph
from graphkit.schema import Label, RelType
from graphkit.sinks import export
from graphkit.sinks.xml_text import REPLACEMENT, xml_safe

# every category, surrogates (Cs) and controls (Cc) included: st.text() alone leaves surrogates out
ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF,
                         categories=["Cc", "Cs", "Co", "Cn", "Cf", "L", "M", "N", "P", "S", "Z"])
TEXT = st.text(ANY_CHAR, min_size=1, max_size=40)
# what XML 1.0 can carry (after line-end normalisation, which every XML parser applies)
_XML_CHAR = re.compile("[\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

XML_EXPORTS = (("graphml", {}), ("gexf", {}), ("rdf", {"rdf_format": "xml"}))
OTHER_EXPORTS = (("json", {}), ("csl-json", {}), ("vosviewer", {}), ("rdf", {"rdf_format": "turtle"}),
                 ("rdf", {"rdf_format": "nt"}), ("rdf", {"rdf_format": "jsonld"}), ("neo4j-admin", {}))


def graph_of(text: str) -> Graph:
    """A small graph with ``text`` in keys, titles, abstracts, names and list values."""
    g = Graph()
    paper = "key:" + text
    g.add_node(Label.PAPER, paper, title=text, abstract=text + " abstract", year=2001, sources=[text, "x"])
    g.add_node(Label.AUTHOR, "a:" + text, name=text, family=text, given="G")
    g.add_node(Label.AUTHOR, "b", name="Other, B.")
    g.add_node(Label.JOURNAL, "j:" + text, name=text)
    g.add_node(Label.KEYWORD, "kw:" + text, name=text, check_tag=False, papers=1)
    g.add_node(Label.MESH, "mesh:" + text, name=text, tree_numbers=[text], check_tag=False, papers=1)
    g.add_edge(RelType.AUTHORED, "a:" + text, paper, position=1)
    g.add_edge(RelType.AUTHORED, "b", paper, position=2)
    g.add_edge(RelType.CO_AUTHOR, "a:" + text, "b", papers=1)
    g.add_edge(RelType.PUBLISHED_IN, paper, "j:" + text)
    g.add_edge(RelType.HAS_KEYWORD, paper, "kw:" + text)
    g.add_edge(RelType.HAS_MESH, paper, "mesh:" + text, major=True, qualifiers=[text])
    return g


def _normalised(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
@pytest.mark.parametrize("to,options", XML_EXPORTS, ids=lambda v: v if isinstance(v, str) else "")
def test_xml_exports_are_well_formed_for_any_text(tmp_path, to, options, text) -> None:
    out = tmp_path / f"g.{to}"
    export(graph_of(text), to, out, force=True, **options)
    root = ET.parse(out).getroot()  # raises ParseError on anything not well-formed
    values = [_normalised(v) for el in root.iter() for v in [el.text or "", *el.attrib.values()]]
    # the title comes back as written, with only what XML cannot hold replaced
    expected = _normalised(xml_safe(text)).strip() if to == "rdf" else _normalised(xml_safe(text))
    assert any(v == expected or v.strip() == expected for v in values), (expected, values[:40])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
@pytest.mark.parametrize("to,options", OTHER_EXPORTS, ids=lambda v: v if isinstance(v, str) else "")
def test_every_export_survives_any_text(tmp_path, to, options, text) -> None:
    out = tmp_path / "out"
    export(graph_of(text), to, out, force=True, **options)
    files = [f for f in (out.iterdir() if out.is_dir() else [out]) if not f.name.startswith(".")]
    for f in files:
        data = f.read_bytes().decode("utf-8")  # strict: every byte written is valid UTF-8
        if f.suffix == "" and to in ("json", "csl-json", "vosviewer", "rdf") and options.get("rdf_format") in (None, "jsonld"):
            json.loads(data)


def test_xml_safe_replaces_only_what_xml_cannot_hold() -> None:
    assert xml_safe("plain text") == "plain text"
    assert xml_safe("a\tb\nc\rd") == "a\tb\nc\rd"
    assert xml_safe("x\x00y\x01z\x1f") == f"x{REPLACEMENT}y{REPLACEMENT}z{REPLACEMENT}"
    assert xml_safe("\ud800lone\udfff") == f"{REPLACEMENT}lone{REPLACEMENT}"
    assert xml_safe("\ufffe\uffff") == REPLACEMENT * 2
    assert xml_safe("Barabási \U0001f600 \x85") == "Barabási \U0001f600 \x85"  # C1 and non-BMP are legal
    assert all(_XML_CHAR.fullmatch(c) for c in xml_safe("".join(map(chr, range(0x40)))))
