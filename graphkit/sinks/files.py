"""Graph file exports through networkx's writers: GraphML, GEXF (Gephi) and node-link JSON.

Every node carries ``kind`` (Paper|Author|Journal|Keyword|MeshTerm), ``label`` (the display text Gephi
shows) and its properties; every edge carries ``type`` (AUTHORED|PUBLISHED_IN|...) and its properties.
None values are dropped. GraphML and GEXF take scalar attributes only, so lists (Paper.sources,
MeshTerm.tree_numbers, HAS_MESH.qualifiers) become ';'-joined strings there; JSON keeps them as lists.

Edge ids are unique (``AUTHORED-1``, ``AUTHORED-2``, ...). CO_AUTHOR is a symmetric relation written once
per pair; both XML formats say so on the edge (GraphML ``directed="false"``, GEXF ``type="undirected"``),
the other relationships are directed. yEd, Gephi, Cytoscape and igraph read such mixed graphs; networkx's
GraphML and GEXF readers refuse them, so read the node-link JSON (``--to json``) into networkx instead.

GEXF reserves the edge attribute ``type`` for directed/undirected, so in GEXF the relationship type is
the edge ``label`` (and the attribute ``rel_type``).

Strings go through :func:`graphkit.sinks.xml_text.xml_safe` in both XML formats (characters XML 1.0 cannot
hold become U+FFFD), and every file is written to a temporary file and renamed (:mod:`graphkit.atomic`).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from graphkit.atomic import atomic_open
from graphkit.graph import Graph, display_label
from graphkit.progress import Progress, null_progress
from graphkit.schema import Label, RelType
from graphkit.sinks.xml_text import xml_safe, xml_value

log = logging.getLogger(__name__)

LIST_SEPARATOR = ";"


UNDIRECTED = frozenset({RelType.CO_AUTHOR})  # symmetric relations, stored once per pair


def _scalar(value: Any) -> Any:
    if isinstance(value, (list, tuple, set)):
        return xml_safe(LIST_SEPARATOR.join(str(v) for v in value))
    return xml_value(value)


def _plain(value: Any) -> Any:
    return value


def to_networkx(graph: Graph, *, scalars: bool, gexf: bool = False, progress: Progress = null_progress):
    """A networkx MultiDiGraph of ``graph`` shaped for one writer (see the module docstring).

    With ``scalars`` (the XML writers) lists are joined and every string, node keys included, is made
    XML-safe. Edge keys are unique: ``<TYPE>-<n>``.
    """
    import networkx as nx

    g = nx.MultiDiGraph()
    total = sum(graph.count(label) for label in Label) + sum(graph.count(t) for t in RelType)
    conv = _scalar if scalars else _plain
    node_id = xml_safe if scalars else _plain
    for label in Label:
        for row in graph.nodes(label):
            attrs = {k: conv(v) for k, v in row.items() if k != "key" and v is not None and v != []}
            g.add_node(node_id(row["key"]), kind=str(label), label=conv(display_label(label, row)), **attrs)
        progress("export:nodes", graph.count(label), total)
    for rel in RelType:
        for n, row in enumerate(graph.edges(rel), 1):
            attrs = {k: conv(v) for k, v in row.items()
                     if k not in ("source", "target") and v is not None and v != []}
            if gexf:
                attrs.update(label=str(rel), rel_type=str(rel), id=f"{rel}-{n}")
                if rel in UNDIRECTED:
                    attrs["type"] = "undirected"
            else:
                attrs["type"] = str(rel)
            g.add_edge(node_id(row["source"]), node_id(row["target"]), key=f"{rel}-{n}", **attrs)
        progress("export:edges", graph.count(rel), total)
    return g


def _summary(graph: Graph, out: Path, fmt: str) -> dict[str, Any]:
    nodes = sum(graph.count(label) for label in Label)
    edges = sum(graph.count(t) for t in RelType)
    return {"path": str(out), "format": fmt, "nodes": nodes, "edges": edges}


def _graphml_writer(**kwargs: Any):
    """networkx's GraphML writer, with CO_AUTHOR edges marked ``directed="false"``."""
    from networkx.readwrite.graphml import GraphMLWriter

    class Writer(GraphMLWriter):
        def add_edges(self, G, graph_element):  # noqa: N803 - networkx's signature
            default = G.graph.get("edge_default", {})
            undirected = {str(rel) for rel in UNDIRECTED}
            for u, v, key, data in G.edges(data=True, keys=True):
                attrs = {"source": str(u), "target": str(v), "id": str(key)}
                if data.get("type") in undirected:
                    attrs["directed"] = "false"
                edge_element = self.myElement("edge", **attrs)
                self.add_attributes("edge", edge_element, data, default)
                graph_element.append(edge_element)

    return Writer(**kwargs)


def write_graphml(graph: Graph, out: Path, *, progress: Progress = null_progress,
                  force: bool = False) -> dict[str, Any]:
    """GraphML (yEd, Cytoscape, Gephi, igraph)."""
    g = to_networkx(graph, scalars=True, progress=progress)
    writer = _graphml_writer(encoding="utf-8", prettyprint=False)
    writer.add_graph_element(g)
    with atomic_open(out, "wb", force=force) as fh:
        writer.dump(fh)
    return _summary(graph, Path(out), "graphml")


def write_gexf(graph: Graph, out: Path, *, progress: Progress = null_progress,
               force: bool = False) -> dict[str, Any]:
    """GEXF 1.2 (Gephi): node label = display text; edge label = relationship type."""
    import networkx as nx

    g = to_networkx(graph, scalars=True, gexf=True, progress=progress)
    with atomic_open(out, "wb", force=force) as fh:
        nx.write_gexf(g, fh, encoding="utf-8", prettyprint=False)
    return _summary(graph, Path(out), "gexf")


def write_node_link_json(graph: Graph, out: Path, *, progress: Progress = null_progress,
                         force: bool = False) -> dict[str, Any]:
    """networkx node-link JSON ({"nodes": [...], "edges": [...]}); lists stay lists."""
    import networkx as nx

    g = to_networkx(graph, scalars=False, progress=progress)
    data = nx.node_link_data(g, edges="edges")
    with atomic_open(out, force=force) as fh:
        json.dump(data, fh, ensure_ascii=False)
    return _summary(graph, Path(out), "json")
