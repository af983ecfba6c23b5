"""graphkit.sinks.files: GraphML, GEXF and node-link JSON through networkx, read back with networkx."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from graphkit.build import build_from_files
from graphkit.schema import Label, RelType
from graphkit.sinks import export
from graphkit.sinks.files import write_gexf, write_graphml, write_node_link_json
from conftest import FIXTURES, read_mixed_graph

KINDS = {str(label) for label in Label}
TYPES = {str(t) for t in RelType}


@pytest.fixture(scope="module")
def graph():
    g = build_from_files([FIXTURES / "resolve" / "wos_cites_cr_lines.isi",
                          FIXTURES / "resolve" / "doi_case_prefix_variants.ris",
                          FIXTURES / "resolve" / "keyword_case_variants.ris"]).graph
    # a MeSH term with tree numbers and an edge with qualifiers: lists in every table
    from graphkit.build import build_graph
    from resolve._records import rec

    extra = build_graph([rec(title="M", year=2001, doi="10.1000/m", keywords=["Humans", "*Liver Neoplasms/therapy"])]).graph
    for label in Label:
        for row in extra.nodes(label):
            g.add_node(label, row["key"], **{k: v for k, v in row.items() if k != "key"})
    for t in RelType:
        for e in extra.edges(t):
            g.add_edge(t, e["source"], e["target"], **{k: v for k, v in e.items() if k not in ("source", "target")})
    return g


def _check(g_nx, graph, *, scalars: bool) -> None:
    assert g_nx.number_of_nodes() == sum(graph.count(label) for label in Label)
    assert g_nx.number_of_edges() == sum(graph.count(t) for t in RelType)
    for _, data in g_nx.nodes(data=True):
        assert data["kind"] in KINDS and data["label"]
        assert None not in data.values()
        if scalars:
            assert all(isinstance(v, (str, int, float, bool)) for v in data.values())
    paper = g_nx.nodes["doi:10.1007/s12020-018-1537-0"]
    assert paper["kind"] == "Paper" and paper["title"] == paper["label"] and paper["year"] == 2018
    mesh = g_nx.nodes["mesh:D008113"]
    if scalars:
        assert mesh["tree_numbers"] == "C04.588.274.623;C06.301.623;C06.552.697"
    else:
        assert mesh["tree_numbers"] == ["C04.588.274.623", "C06.301.623", "C06.552.697"]


def test_graphml(tmp_path, graph) -> None:
    out = tmp_path / "g.graphml"
    summary = write_graphml(graph, out)
    assert summary["nodes"] > 0 and summary["path"] == str(out)
    g, undirected = read_mixed_graph(out, "graphml")
    assert undirected == {"CO_AUTHOR"}
    _check(g, graph, scalars=True)
    assert {d["type"] for *_, d in g.edges(data=True)} == {t for t in TYPES if graph.count(RelType(t))}
    has_mesh = [d for *_, d in g.edges(data=True) if d["type"] == "HAS_MESH" and d.get("qualifiers")]
    assert has_mesh[0]["qualifiers"] == "therapy" and has_mesh[0]["major"] is True


def test_gexf(tmp_path, graph) -> None:
    out = tmp_path / "g.gexf"
    write_gexf(graph, out)
    g, undirected = read_mixed_graph(out, "gexf")
    assert undirected == {"CO_AUTHOR"}
    _check(g, graph, scalars=True)
    # GEXF keeps 'type' for directed/undirected: the relationship type is the edge label and rel_type
    types = {d["rel_type"] for *_, d in g.edges(data=True)}
    assert types == {d["label"] for *_, d in g.edges(data=True)}
    assert "CITES" in types and "AUTHORED" in types


def test_node_link_json(tmp_path, graph) -> None:
    out = tmp_path / "g.json"
    write_node_link_json(graph, out)
    data = json.loads(out.read_text(encoding="utf-8"))
    g = nx.node_link_graph(data, edges="edges")
    _check(g, graph, scalars=False)
    assert all(e["type"] in TYPES for e in data["edges"])
    paper = next(n for n in data["nodes"] if n["id"] == "doi:10.1007/s12020-018-1537-0")
    assert isinstance(paper["sources"], list) and len(paper["sources"]) == 3


def test_export_registry_reaches_writers(tmp_path, graph) -> None:
    for to in ("graphml", "gexf", "json"):
        summary = export(graph, to, tmp_path / f"x.{to}")
        assert summary["format"] == to and (tmp_path / f"x.{to}").stat().st_size > 0


def test_graphml_edge_ids_are_unique_and_co_author_undirected(tmp_path, graph) -> None:
    import xml.etree.ElementTree as ET

    out = tmp_path / "g.graphml"
    write_graphml(graph, out)
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    edges = list(ET.parse(out).getroot().iter(f"{ns}edge"))
    ids = [e.get("id") for e in edges]
    assert len(ids) == len(set(ids)) == sum(graph.count(t) for t in RelType)
    undirected = [e for e in edges if e.get("directed") == "false"]
    assert len(undirected) == graph.count(RelType.CO_AUTHOR) > 0
    assert all(e.get("id").startswith("CO_AUTHOR-") for e in undirected)
    out = tmp_path / "g.gexf"
    write_gexf(graph, out)
    edges = [e for e in ET.parse(out).getroot().iter() if e.tag.endswith("}edge")]
    assert len({e.get("id") for e in edges}) == len(edges)
    assert {e.get("label") for e in edges if e.get("type") == "undirected"} == {"CO_AUTHOR"}


def test_export_rejects_unknown_options_naming_the_valid_ones(tmp_path, graph) -> None:
    from graphkit.model import GraphkitError

    with pytest.raises(GraphkitError, match=r"takes no option\(s\) rdf_fromat; valid: rdf_format, base, force"):
        export(graph, "rdf", tmp_path / "g.ttl", rdf_fromat="nt")
    with pytest.raises(GraphkitError, match="takes no option.*network; valid: force"):
        export(graph, "graphml", tmp_path / "g.graphml", network="keywords")
    assert not list(tmp_path.iterdir())
    assert export(graph, "rdf", tmp_path / "g.nt", rdf_format="nt", base=None)["format"] == "nt"
