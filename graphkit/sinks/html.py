"""Interactive HTML maps: one self-contained, offline page per map, made with pyvis.

pyvis assembles nodes, edges and vis-network options and renders them through a Jinja template; we give it
our own template (``graphkit/data/viz.html``) because pyvis's own loads bootstrap from a CDN even with
``cdn_resources="in_line"``. vis-network's JS and CSS are inlined from the copy bundled inside the pyvis
package, so the page makes no network request at all, and a Content-Security-Policy (scripts allowed only
by hash, ``default-src 'none'``) makes sure of it. Positions come precomputed from
:mod:`graphkit.analysis` and physics is off, so a 5,000-node map is interactive as soon as it is drawn.

Record text (titles, names, terms) is untrusted: it reaches the page only inside JSON that Jinja's
``tojson`` escapes (``<``, ``>``, ``&``, ``'`` as ``\\u003c``...), labels are drawn on the canvas, and
tooltips are DOM elements built with ``textContent``.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import math
import re
from pathlib import Path
from typing import Any

from graphkit.analysis import UNCONNECTED, Selection, select_map
from graphkit.citations.historiograph import CITED_ONLY
from graphkit.graph import Graph
from graphkit.model import GraphkitError
from graphkit.progress import Progress, null_progress
from graphkit.schema import Label

log = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "data"
TEMPLATE = "viz.html"
VIS_VERSION = "9.1.2"
CSP_PLACEHOLDER = "__GRAPHKIT_CSP__"

# Community colours (Tableau 20 order, strong tones first); communities past the palette are grey.
PALETTE = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
    "#86bcb6", "#8cd17d", "#b6992d", "#499894", "#d37295", "#fabfd2", "#a0cbe8", "#ffbe7d", "#d4a6c8",
    "#f1ce63", "#79706e",
]
OTHER_COLOR = "#bab0ac"
UNCONNECTED_COLOR = "#d0d0d0"
KIND_COLORS = {
    str(Label.PAPER): "#4e79a7", str(Label.AUTHOR): "#f28e2b", str(Label.JOURNAL): "#59a14f",
    str(Label.KEYWORD): "#b07aa1", str(Label.MESH): "#e15759",
}
KIND_NAMES = {
    str(Label.PAPER): "paper", str(Label.AUTHOR): "author", str(Label.JOURNAL): "journal",
    str(Label.KEYWORD): "keyword", str(Label.MESH): "MeSH term",
}
# paper map: the papers it cites and those citing it, told apart by colour and shape (legend swatches too)
ROLE_STYLES = {"cites": ("#17becf", "triangle"), "cited by": ("#8c564b", "square")}
ROLE_LEGEND = {"cites": "cites: in this paper's references", "cited by": "cited by: papers citing this one"}
CITED_ONLY_SHAPE = "diamond"  # citation map: works known only from reference lists
FOCUS_LABEL = "this paper"  # paper map: the canvas label of the centre (its title is in the side panel)
LABEL_MAX = 48  # longer labels (paper titles) are cut on the canvas; the tooltip has the full text
LEGEND_MAX = 12  # communities listed by name in the legend
SIZE_NOTES = {
    "authors": ["circle size: papers", "line width: shared papers"],
    "terms": ["circle size: papers", "line width: papers with both terms"],
    "nodes": ["arrow: from the citing paper to the cited one", "left: its references (oldest at the top); "
              "right: papers citing it; above: authors and journal; below: terms", "click a paper to open its DOI"],
    "works": ["x: publication year", "circle size: citations from papers of the graph",
              "arrow: cites", "click a work to open its DOI"],
    "institutions": ["circle size: papers", "line width: papers with addresses at both"],
    "countries": ["circle size: papers", "line width: papers with addresses in both"],
}
# above this many links, links are hidden while dragging/zooming to keep interaction smooth
EDGE_HIDE_THRESHOLD = 5000


def vis_options(n_edges: int) -> dict[str, Any]:
    """vis-network options for a precomputed layout: physics off, straight links, labels by zoom."""
    big = n_edges > EDGE_HIDE_THRESHOLD
    return {
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 1},
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            "scaling": {"min": 5, "max": 36, "label": {"enabled": True, "min": 12, "max": 30,
                                                       "drawThreshold": 5, "maxVisible": 30}},
            "font": {"face": "system-ui, sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"},
        },
        "edges": {
            "smooth": False,
            "color": {"color": "#8a9099", "highlight": "#333333", "hover": "#333333", "opacity": 0.45},
            "scaling": {"min": 1, "max": 7},
            "selectionWidth": 1.5,
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": big, "hideEdgesOnZoom": big,
                        "navigationButtons": False, "keyboard": False, "multiselect": False},
    }


def short_label(text: str, limit: int = LABEL_MAX) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def community_color(cid: int) -> str:
    if cid == UNCONNECTED:
        return UNCONNECTED_COLOR
    return PALETTE[cid] if 0 <= cid < len(PALETTE) else OTHER_COLOR


def _legend(sel: Selection) -> tuple[str, list[dict[str, str]]]:
    if sel.kind == "citations":  # two groups, not communities
        return "Works", [{"color": community_color(c.id), "text": f"{c.label} ({c.size:,})",
                          "shape": CITED_ONLY_SHAPE if c.id == CITED_ONLY else "dot"} for c in sel.communities]
    if sel.kind == "paper":
        items = [{"color": KIND_COLORS[str(Label.PAPER)], "text": FOCUS_LABEL, "shape": "dot"}]
        for role in ("cites", "cited by"):
            n = sum(1 for x in sel.nodes if x.role == role)
            if n:
                items.append({"color": ROLE_STYLES[role][0], "text": f"{ROLE_LEGEND[role]} ({n:,})",
                              "shape": ROLE_STYLES[role][1]})
        items += [{"color": KIND_COLORS.get(k, OTHER_COLOR), "text": KIND_NAMES.get(k, k), "shape": "dot"}
                  for k in sel.kinds if k != str(Label.PAPER)]
        if any(x.kind == str(Label.PAPER) and not x.focus and not x.role for x in sel.nodes):
            items.append({"color": KIND_COLORS[str(Label.PAPER)], "text": "paper", "shape": "dot"})
        return "Node kinds", items
    items = []
    named = [c for c in sel.communities if c.id != UNCONNECTED][:LEGEND_MAX]
    for c in named:
        others = c.size - 1
        text = c.label + (f" and {others:,} more" if others else "")
        items.append({"color": community_color(c.id), "text": text})
    rest = [c for c in sel.communities if c.id != UNCONNECTED and c not in named]
    if rest:
        n = sum(c.size for c in rest)
        colours = sorted({community_color(c.id) for c in rest})
        items.append({"color": colours[0] if len(colours) == 1 else OTHER_COLOR,
                      "text": f"{len(rest):,} smaller communities ({n:,} {sel.noun})"})
    lone = next((c for c in sel.communities if c.id == UNCONNECTED), None)
    if lone:
        items.append({"color": UNCONNECTED_COLOR, "text": f"no links ({lone.size:,} {sel.noun})"})
    return "Communities (Louvain)", items


def _panel(sel: Selection) -> dict[str, Any] | None:
    """The side panel's fixed part: the paper map's paper (full title and facts, which the canvas does not
    draw). Shown with textContent, like every other record text."""
    if sel.kind != "paper":
        return None
    centre = next((n for n in sel.nodes if n.focus), None)
    if centre is None:
        return None
    roles = {r: sum(1 for n in sel.nodes if n.role == r) for r in ROLE_STYLES}
    rows = [list(kv) for kv in centre.info if kv[0] != "kind"]
    rows += [["cites (on this map)", f"{roles['cites']:,}"], ["cited by (on this map)", f"{roles['cited by']:,}"]]
    return {"heading": "This paper", "title": centre.label, "rows": rows, "url": centre.url}


def _network(sel: Selection):
    """A pyvis Network holding the selection (rows appended directly: pyvis's add_edge checks every
    existing edge for duplicates, which is quadratic; our edges are unique already)."""
    from pyvis.edge import Edge
    from pyvis.network import Network
    from pyvis.node import Node

    net = Network(height="100%", width="100%", heading=sel.title, cdn_resources="in_line")
    for n in sel.nodes:
        color = KIND_COLORS.get(n.kind, OTHER_COLOR) if sel.kind == "paper" else community_color(n.community)
        shape = "dot"
        if n.role in ROLE_STYLES:
            color, shape = ROLE_STYLES[n.role]
        elif sel.kind == "citations" and n.community == CITED_ONLY:
            shape = CITED_ONLY_SHAPE
        # vis scales radius (and label size) linearly with value: sqrt makes the disc's area follow papers
        opts: dict[str, Any] = {"x": round(n.x, 1), "y": round(n.y, 1), "value": round(math.sqrt(n.size), 3),
                                "color": color,
                                "info": [list(kv) for kv in n.info], "kind": n.kind, "community": n.community}
        if n.url:
            opts["url"] = n.url
        if n.focus:
            opts.update(borderWidth=4, font={"size": 18})
        opts["name"] = n.label
        label = FOCUS_LABEL if sel.kind == "paper" and n.focus else short_label(n.label)
        row = Node(n.id, shape, label=label, **opts).options
        net.nodes.append(row)
        net.node_ids.append(n.id)
        net.node_map[n.id] = row
    # numeric ids: vis otherwise makes a UUID per edge; no other per-edge fields (vis copies each one)
    for i, e in enumerate(sel.edges):
        # citations (historiograph, paper map) point from the citing paper to the cited one
        directed = sel.kind == "citations" or e.kind in ("CITES", "CITED_BY")
        net.edges.append(Edge(e.source, e.target, directed, id=i, value=e.weight).options)
    net.options = vis_options(len(sel.edges))
    net.options["edges"]["arrowStrikethrough"] = False
    if sel.kind == "citations":  # year columns are close: smaller discs and labels than community maps
        net.options["nodes"]["scaling"].update(max=20, label={"enabled": True, "min": 11, "max": 18,
                                                              "drawThreshold": 5, "maxVisible": 30})
    return net


def _bounds(sel: Selection, margin: float = 60.0) -> dict[str, float]:
    """Centre and size (page pixels, with a margin for node discs and labels) of the node positions."""
    if not sel.nodes:
        return {"x": 0.0, "y": 0.0, "width": 1.0, "height": 1.0}
    xs = [n.x for n in sel.nodes]
    ys = [n.y for n in sel.nodes]
    return {"x": round((min(xs) + max(xs)) / 2, 1), "y": round((min(ys) + max(ys)) / 2, 1),
            "width": round(max(xs) - min(xs) + 2 * margin, 1), "height": round(max(ys) - min(ys) + 2 * margin, 1)}


def _csp(html: str) -> str:
    """default-src 'none'; scripts only by the hash of each inline script of this page."""
    hashes = []
    for m in re.finditer(r"<script>(.*?)</script>", html, flags=re.S):
        digest = base64.b64encode(hashlib.sha256(m.group(1).encode("utf-8")).digest()).decode("ascii")
        hashes.append(f"'sha256-{digest}'")
    return ("default-src 'none'; script-src " + " ".join(hashes) +
            "; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'")


def render_page(sel: Selection) -> str:
    """The HTML text of one map."""
    import pyvis
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader

    net = _network(sel)
    pyvis_templates = Path(pyvis.__file__).resolve().parent / "templates"
    vis_js = f"lib/vis-{VIS_VERSION}/vis-network.min.js"
    if not (pyvis_templates / vis_js).exists():
        raise GraphkitError(f"pyvis {pyvis.__version__} does not bundle vis-network {VIS_VERSION}")
    legend_title, legend = _legend(sel)
    meta = {"bounds": _bounds(sel), "title": sel.title, "summary": sel.summary(), "kind": sel.kind, "noun": sel.noun,
            "shown": len(sel.nodes), "total": sel.total, "edges": len(sel.edges),
            "legend_title": legend_title, "legend": legend, "notes": SIZE_NOTES.get(sel.noun, []),
            "focus": next((n.id for n in sel.nodes if n.focus), None), "largest_paper": sel.largest_paper,
            "panel": _panel(sel)}
    env = Environment(loader=ChoiceLoader([FileSystemLoader(str(TEMPLATE_DIR)),
                                           FileSystemLoader(str(pyvis_templates))]), autoescape=False)
    env.globals["gk"] = {"title": sel.title, "meta": meta, "vis_js": vis_js,
                         "vis_css": f"lib/vis-{VIS_VERSION}/vis-network.css",
                         "pyvis_version": pyvis.__version__, "vis_version": VIS_VERSION}
    net.templateEnv = env
    net.path = TEMPLATE
    html = net.generate_html(name="map.html")
    return html.replace(CSP_PLACEHOLDER, _csp(html), 1)


def write_selection(sel: Selection, out: str | Path) -> dict[str, Any]:
    from graphkit.atomic import write_text as atomic_write_text

    out = Path(out)
    html = render_page(sel)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out, html, force=True)  # temp file + rename: a symlink is replaced, never written through
    except OSError as exc:
        raise GraphkitError(f"cannot write {out}: {exc.strerror or exc}") from None
    return {"path": str(out), "map": sel.kind, "nodes": len(sel.nodes), "edges": len(sel.edges),
            "total": sel.total, "summary": sel.summary(), "bytes": len(html.encode("utf-8"))}


def write_map(graph: Graph, kind: str, out: str | Path, *, progress: Progress = null_progress,
              **options: Any) -> dict[str, Any]:
    """Select one map from ``graph`` (see :func:`graphkit.analysis.select_map` for the options) and write
    it as a self-contained HTML page at ``out``; returns a summary dict."""
    progress("select", 0, 1)
    sel = select_map(graph, kind, **options)
    progress("select", 1, 1)
    result = write_selection(sel, out)
    progress("write", 1, 1)
    return result
