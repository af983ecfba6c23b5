"""Graph file exports through networkx's writers: GraphML, GEXF (Gephi) and node-link JSON.

Every node carries ``kind`` (Paper|Author|Journal|Keyword|MeshTerm), ``label`` (the display text Gephi
shows) and its properties; every edge carries ``type`` (AUTHORED|PUBLISHED_IN|...) and its properties.
None values are dropped. GraphML and GEXF take scalar attributes only, so lists (Paper.sources,
MeshTerm.tree_numbers, HAS_MESH.qualifiers) become ';'-joined strings there; JSON keeps them as lists.

GEXF reserves the edge attribute ``type`` for directed/undirected, so in GEXF the relationship type is
the edge ``label`` (and the attribute ``rel_type``). All edges are directed there (CO_AUTHOR once per pair,
from the smaller key), as networkx's GEXF reader refuses mixed graphs.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from graphkit.graph import Graph, display_label
from graphkit.model import GraphkitError
from graphkit.progress import Progress, null_progress
from graphkit.schema import Label, RelType

log = logging.getLogger(__name__)

LIST_SEPARATOR = ";"


def _scalar(value: Any) -> Any:
    if isinstance(value, (list, tuple, set)):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return value


def to_networkx(graph: Graph, *, scalars: bool, gexf: bool = False, progress: Progress = null_progress):
    """A networkx MultiDiGraph of ``graph`` shaped for one writer (see the module docstring)."""
    import networkx as nx

    g = nx.MultiDiGraph()
    total = sum(graph.count(label) for label in Label) + sum(graph.count(t) for t in RelType)
    conv = _scalar if scalars else (lambda v: v)
    for label in Label:
        for row in graph.nodes(label):
            attrs = {k: conv(v) for k, v in row.items() if k != "key" and v is not None and v != []}
            g.add_node(row["key"], kind=str(label), label=display_label(label, row), **attrs)
        progress("export:nodes", graph.count(label), total)
    for rel in RelType:
        for row in graph.edges(rel):
            attrs = {k: conv(v) for k, v in row.items()
                     if k not in ("source", "target") and v is not None and v != []}
            if gexf:
                attrs.update(label=str(rel), rel_type=str(rel))
            else:
                attrs["type"] = str(rel)
            g.add_edge(row["source"], row["target"], key=str(rel), **attrs)
        progress("export:edges", graph.count(rel), total)
    return g


def _summary(graph: Graph, out: Path, fmt: str) -> dict[str, Any]:
    nodes = sum(graph.count(label) for label in Label)
    edges = sum(graph.count(t) for t in RelType)
    return {"path": str(out), "format": fmt, "nodes": nodes, "edges": edges}


def _prepare(out: Path) -> Path:
    out = Path(out)
    if out.is_dir():
        raise GraphkitError(f"{out} is a directory; give a file name for the export")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GraphkitError(f"cannot create {out.parent}: {exc}") from None
    return out


def write_graphml(graph: Graph, out: Path, *, progress: Progress = null_progress) -> dict[str, Any]:
    """GraphML (yEd, Cytoscape, Gephi, igraph, networkx)."""
    import networkx as nx

    out = _prepare(out)
    g = to_networkx(graph, scalars=True, progress=progress)
    try:
        nx.write_graphml(g, out, encoding="utf-8", prettyprint=False)
    except OSError as exc:
        raise GraphkitError(f"cannot write {out}: {exc}") from None
    return _summary(graph, out, "graphml")


def write_gexf(graph: Graph, out: Path, *, progress: Progress = null_progress) -> dict[str, Any]:
    """GEXF 1.2 (Gephi): node label = display text; edge label = relationship type."""
    import networkx as nx

    out = _prepare(out)
    g = to_networkx(graph, scalars=True, gexf=True, progress=progress)
    try:
        nx.write_gexf(g, out, encoding="utf-8", prettyprint=False)
    except OSError as exc:
        raise GraphkitError(f"cannot write {out}: {exc}") from None
    return _summary(graph, out, "gexf")


def write_node_link_json(graph: Graph, out: Path, *, progress: Progress = null_progress) -> dict[str, Any]:
    """networkx node-link JSON ({"nodes": [...], "edges": [...]}); lists stay lists."""
    import networkx as nx

    out = _prepare(out)
    g = to_networkx(graph, scalars=False, progress=progress)
    data = nx.node_link_data(g, edges="edges")
    try:
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
    except OSError as exc:
        raise GraphkitError(f"cannot write {out}: {exc}") from None
    return _summary(graph, out, "json")
