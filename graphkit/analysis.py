"""Which part of a graph a map shows, and where each node sits: pure networkx, no HTML.

A map is chosen by :func:`select_map`, which returns a :class:`Selection` (nodes with sizes, communities,
positions and tooltip facts; weighted edges; how many candidates there were). The maps:

- ``coauthors``: authors, sized by papers, linked by shared papers (CO_AUTHOR ``papers``); a paper with more
  than MAX_AUTHORS authors is one paper node, not a clique (its authors with no other link on the map are
  counted in it, see :func:`_with_big_papers`);
- ``topics``: keywords and MeSH terms linked by co-occurrence in papers (check tags left out by default);
- ``ego``: one author (or term) and its neighbourhood (depth 2 for an author, 1 for a term, or ``depth``);
- ``paper``: one paper with its authors, journal, terms and the papers it cites (left) or that cite it
  (right), see :func:`paper_layout`;
- ``citations``: the historiograph (papers by year, arrows by citation; graphkit.citations.historiograph).

Above the node budget (``top``) the nodes with most papers are kept (then link strength, :func:`_rank_key`).
Communities are Louvain (networkx) with a fixed seed; the layout is precomputed here (community by
community, see :func:`layout`) so the page never has to run a physics simulation.
"""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graphkit.graph import Graph, display_label
from graphkit.model import GraphkitError
from graphkit.resolve.concepts import concepts_of_papers, keywords_of_concepts
from graphkit.schema import Label, RelType

log = logging.getLogger(__name__)

MAP_KINDS = ("coauthors", "topics", "ego", "paper", "citations", "institutions", "countries")
DEFAULT_TOP = 500
SEED = 42
TOP_TERMS = 5  # terms listed in an author's tooltip
SPACING = 40.0  # layout unit: about the distance between neighbouring nodes, in page pixels
DENSE_LIMIT = 400  # communities up to this size get a full spring layout; bigger ones fewer iterations
TERM_LABELS = (Label.KEYWORD, Label.MESH)
TERM_EDGES = {Label.KEYWORD: RelType.HAS_KEYWORD, Label.MESH: RelType.HAS_MESH}
UNCONNECTED = -1  # community id of nodes without links
ASPECT = 1.6  # width : height of the community arrangement
MAX_AUTHORS = 20  # co-author maps: a paper with more authors is one paper node, not a clique of every pair
MAX_TERMS = 12  # topic maps: a paper with more terms of its own on the map is one paper node, not a ring
FOLDED_NAMES = 10  # names of folded authors (or terms) listed in a big paper's tooltip
TERM_DEPTH, AUTHOR_DEPTH = 1, 2  # default ego depth: a term's neighbours are many, an author's few


@dataclass(slots=True)
class MapNode:
    id: str
    label: str
    kind: str  # a Label value: "Author", "Paper", ...
    size: float  # what the node's area stands for (papers)
    community: int = UNCONNECTED
    x: float = 0.0
    y: float = 0.0
    info: list[tuple[str, str]] = field(default_factory=list)  # tooltip rows, shown as text
    url: str | None = None  # opened on click (papers: https://doi.org/...)
    focus: bool = False  # the centre of an ego or paper map
    role: str = ""  # paper map: "cites" (in the paper's references) or "cited by" (a paper citing it)


@dataclass(slots=True)
class MapEdge:
    source: str
    target: str
    weight: float = 1.0
    kind: str = ""


@dataclass(slots=True)
class Community:
    id: int
    size: int
    label: str  # the community's best-connected member


@dataclass(slots=True)
class Selection:
    kind: str
    title: str
    noun: str  # what the nodes are, plural: "authors", "terms", "nodes"
    nodes: list[MapNode]
    edges: list[MapEdge]
    total: int  # candidate nodes before the budget
    communities: list[Community] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # node kinds present (legend of the paper map)
    big_papers: int = 0  # papers drawn as one node: > MAX_AUTHORS authors (author maps), > MAX_TERMS own terms (topics)
    folded: int = 0  # authors (terms) counted in a big paper's node instead of drawn
    # the nodes on the map only because of one paper (their one paper), for the paper that has the most
    # of them: what a single paper takes of the canvas (graphkit.readability() in the page measures it)
    largest_paper: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """'showing 500 of 12,345 authors' or '42 authors, 97 links'."""
        shown = len(self.nodes) - self.big_papers + self.folded  # folded authors are shown in their paper's node
        text = (f"showing {shown:,} of {self.total:,} {self.noun}" if self.truncated
                else f"{shown:,} {self.noun}, {len(self.edges):,} links")
        if self.big_papers and self.noun == "terms":
            text += (f"; {self.big_papers:,} paper{'s' if self.big_papers > 1 else ''} with more than "
                     f"{MAX_TERMS} terms found in no other paper drawn as one node (those {self.folded:,} "
                     "terms are counted in it, not drawn)")
        elif self.big_papers:
            text += (f"; {self.big_papers:,} paper{'s' if self.big_papers > 1 else ''} with more than "
                     f"{MAX_AUTHORS} authors drawn as one node linking its authors")
            if self.folded:
                text += (f" ({self.folded:,} of their authors with no other link on the map are counted in "
                         "the paper's node, not drawn)")
        return text

    @property
    def truncated(self) -> bool:  # noqa: F811  (paper nodes added for big papers are not candidates)
        return self.total > len(self.nodes) - self.big_papers + self.folded


# -- the networks --------------------------------------------------------------------------------

def _paper_years(graph: Graph) -> dict[str, int | None]:
    return {row["key"]: row.get("year") for row in graph.nodes(Label.PAPER)}


def _in_window(year: int | None, since: int | None) -> bool:
    return since is None or (year is not None and year >= since)


def _authored(graph: Graph, years: dict[str, int | None], since: int | None) -> dict[str, list[str]]:
    """author key -> paper keys (in the window), in graph order."""
    papers: dict[str, list[str]] = defaultdict(list)
    for e in graph.edges(RelType.AUTHORED):
        if _in_window(years.get(e["target"]), since):
            papers[e["source"]].append(e["target"])
    return papers


def _terms_of_papers(graph: Graph, include_check_tags: bool = False) -> dict[str, list[str]]:
    """paper key -> concept keys (keywords then MeSH; a keyword mapped to a MeSH heading counts as that
    heading: one node per concept), check tags left out unless asked for."""
    return concepts_of_papers(graph, include_check_tags)


def _term_row(graph: Graph, key: str) -> tuple[Label, dict[str, Any]]:
    for label in TERM_LABELS:
        row = graph.node(label, key)
        if row is not None:
            return label, row
    raise KeyError(key)


def _years_text(years: Iterable[int | None]) -> str:
    ys = [y for y in years if y is not None]
    if not ys:
        return "unknown"
    lo, hi = min(ys), max(ys)
    return str(lo) if lo == hi else f"{lo}\u2013{hi}"


def big_papers(graph: Graph, max_authors: int | None = None) -> dict[str, list[str]]:
    """Papers with more than ``max_authors`` (default MAX_AUTHORS) authors -> their author keys (byline
    order): drawn as one paper node linking its authors instead of a clique of every pair."""
    max_authors = MAX_AUTHORS if max_authors is None else max_authors
    by_paper: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for e in graph.edges(RelType.AUTHORED):
        by_paper[e["target"]].append((e.get("position") or 0, e["source"]))
    return {p: [a for _, a in sorted(authors)] for p, authors in by_paper.items() if len(authors) > max_authors}


def coauthor_network(graph: Graph, *, since: int | None = None, min_weight: int = 1,
                     max_authors: int | None = None) -> nx.Graph:
    """Authors (with at least one paper in the window) linked by the number of papers they share.

    Node attributes: ``label``, ``kind``, ``papers`` (list of paper keys); edge attribute ``weight``.
    Pairs come from the graph's CO_AUTHOR edges (so the build's co-author cap holds); papers with more
    than ``max_authors`` authors give no pairs here (see :func:`big_papers`), and with ``since`` or such
    papers in the set the weights are recounted over the papers that count.
    """
    years = _paper_years(graph)
    papers = _authored(graph, years, since)
    big = set(big_papers(graph, max_authors))
    g = nx.Graph()
    for row in graph.nodes(Label.AUTHOR):
        mine = papers.get(row["key"])
        if mine:
            g.add_node(row["key"], label=display_label(Label.AUTHOR, row), kind=str(Label.AUTHOR), papers=mine)
    for e in graph.edges(RelType.CO_AUTHOR):
        a, b = e["source"], e["target"]
        if a not in g or b not in g:
            continue
        if since is None and not big:
            weight = e.get("papers") or 1
        else:
            weight = len(set(papers[a]).intersection(papers[b]) - big)
        if weight >= max(min_weight, 1):
            g.add_edge(a, b, weight=weight)
    return g


def topic_network(graph: Graph, *, since: int | None = None, min_weight: int = 1,
                  include_check_tags: bool = False) -> nx.Graph:
    """Keywords and MeSH terms linked by the number of papers (in the window) that carry both."""
    years = _paper_years(graph)
    by_paper = _terms_of_papers(graph, include_check_tags)
    g = nx.Graph()
    pair_counts: Counter[tuple[str, str]] = Counter()
    term_papers: dict[str, list[str]] = defaultdict(list)
    for paper, terms in by_paper.items():
        if not _in_window(years.get(paper), since):
            continue
        unique = list(dict.fromkeys(terms))
        for t in unique:
            term_papers[t].append(paper)
        for i, a in enumerate(unique):
            for b in unique[i + 1:]:
                pair_counts[(a, b) if a < b else (b, a)] += 1
    also = keywords_of_concepts(graph)
    for label in TERM_LABELS:
        for row in graph.nodes(label):
            mine = term_papers.get(row["key"])
            if mine:
                g.add_node(row["key"], label=display_label(label, row), kind=str(label), papers=mine,
                           keywords=also.get(row["key"], []))
    for (a, b), n in pair_counts.items():
        if n >= max(min_weight, 1):
            g.add_edge(a, b, weight=n)
    return g


# -- selection -----------------------------------------------------------------------------------

def _rank_key(g: nx.Graph, n: str) -> tuple[int, float, str]:
    """Most papers first, then the strongest links (sum of joint papers), then key: a researcher with 20
    papers outranks the 50 co-authors of one consortium paper, whatever their link count."""
    return (-len(g.nodes[n].get("papers", ())), -g.degree(n, weight="weight"), n)


def top_by_degree(g: nx.Graph, n: int, *, keep: Iterable[str] = ()) -> nx.Graph:
    """The subgraph of the ``n`` top nodes by papers, then link strength, then key (:func:`_rank_key`);
    ``keep`` always stays."""
    if g.number_of_nodes() <= n:
        return g
    kept = list(dict.fromkeys(k for k in keep if k in g))
    kept_set = set(kept)
    rest = sorted((v for v in g if v not in kept_set), key=lambda v: _rank_key(g, v))
    chosen = set(kept + rest[: max(n - len(kept), 0)])
    return g.subgraph([v for v in g if v in chosen]).copy()


def ego_network(g: nx.Graph, center: str, *, radius: int = 2, top: int = DEFAULT_TOP) -> nx.Graph:
    """``center`` and everything within ``radius`` links; above ``top`` the nearest, best-connected stay."""
    dist = nx.single_source_shortest_path_length(g, center, cutoff=radius)
    if len(dist) > top:
        order = sorted(dist, key=lambda v: (dist[v], *_rank_key(g, v)))
        dist = {v: dist[v] for v in order[:top]}
    sub = g.subgraph([v for v in g if v in dist]).copy()
    for v in sub:
        sub.nodes[v]["distance"] = dist[v]
    return sub


def canonical(g: nx.Graph) -> nx.Graph:
    """``g`` with its nodes and edges inserted in key order: Louvain and the spring layout depend on the
    order networkx iterates, which otherwise follows how the graph was built (hash order of sets in the
    resolution steps can change it between runs); sorted, the same input gives the same picture."""
    out = nx.Graph()
    out.add_nodes_from(sorted(g.nodes(data=True), key=lambda item: item[0]))
    out.add_edges_from(sorted(((a, b, d) if a <= b else (b, a, d) for a, b, d in g.edges(data=True)),
                              key=lambda e: (e[0], e[1])))
    return out


def communities(g: nx.Graph, *, seed: int = SEED) -> dict[str, int]:
    """node -> community id (0 = largest; ties by first member); nodes without links get UNCONNECTED."""
    linked = canonical(g.subgraph([v for v in g if g.degree(v) > 0]))
    found = nx.community.louvain_communities(linked, weight="weight", seed=seed) if linked else []
    order = {v: i for i, v in enumerate(g)}
    found = sorted(found, key=lambda c: (-len(c), min(order[v] for v in c)))
    out = {v: UNCONNECTED for v in g}
    for i, members in enumerate(found):
        for v in members:
            out[v] = i
    return out


# -- layout --------------------------------------------------------------------------------------

def _local_layout(g: nx.Graph, nodes: list[str], seed: int) -> dict[str, tuple[float, float]]:
    """Positions of one community within the unit disc (spring layout, iterations bounded by size)."""
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    sub = canonical(g.subgraph(nodes))  # a subgraph view iterates in set (hash) order: sorted instead
    iterations = 50 if len(nodes) <= DENSE_LIMIT else max(8, int(50 * (DENSE_LIMIT / len(nodes)) ** 2))
    pos = nx.spring_layout(sub, seed=seed, iterations=iterations, weight="weight", method="force")
    return _to_unit_disc(pos)


def _to_unit_disc(pos: dict[str, Any]) -> dict[str, tuple[float, float]]:
    if not pos:
        return {}
    cx = sum(float(p[0]) for p in pos.values()) / len(pos)
    cy = sum(float(p[1]) for p in pos.values()) / len(pos)
    r = max(math.hypot(float(p[0]) - cx, float(p[1]) - cy) for p in pos.values()) or 1.0
    return {v: ((float(p[0]) - cx) / r, (float(p[1]) - cy) / r) for v, p in pos.items()}


def _grid(nodes: list[str]) -> dict[str, tuple[float, float]]:
    """Nodes without links: a square grid in the unit disc."""
    side = max(1, math.ceil(math.sqrt(len(nodes))))
    step = 2.0 / (side + 1) / math.sqrt(2)
    half = (side - 1) * step / 2
    return {v: (i % side * step - half, i // side * step - half) for i, v in enumerate(nodes)}


def _pack(centres: dict[int, list[float]], radii: dict[int, float], *, rounds: int = 200) -> None:
    """Push overlapping community discs apart (in place), keeping their arrangement."""
    import numpy as np

    ids = list(centres)
    if len(ids) < 2:
        return
    pos = np.array([centres[i] for i in ids], dtype=float)
    rad = np.array([radii[i] for i in ids], dtype=float)
    need = rad[:, None] + rad[None, :]
    np.fill_diagonal(need, 0.0)
    for _ in range(rounds):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.sqrt((delta ** 2).sum(axis=2))
        np.fill_diagonal(dist, np.inf)
        overlap = need - dist
        np.fill_diagonal(overlap, 0.0)
        if overlap.max() <= 1e-6:
            break
        push = np.clip(overlap, 0.0, None) / np.maximum(dist, 1e-9) * 0.5
        np.fill_diagonal(push, 0.0)
        pos += (push[:, :, None] * delta).sum(axis=1) * 0.5
    for i, cid in enumerate(ids):
        centres[cid] = [float(pos[i, 0]), float(pos[i, 1])]


def layout(g: nx.Graph, community: dict[str, int], *, seed: int = SEED,
           spacing: float = SPACING) -> dict[str, tuple[float, float]]:
    """Positions in page pixels, deterministic for a seed.

    Each community gets a spring layout of its own (fast: communities are small) inside a disc whose
    area grows with its size; the discs are placed by a spring layout of the community graph (links
    between communities pull them together) and then pushed apart until they do not overlap. Nodes
    without links sit in a grid of their own. This is what makes 5,000 nodes take about a second
    where one spring layout of the whole graph takes most of a minute.
    """
    members: dict[int, list[str]] = defaultdict(list)
    for v in g:
        members[community.get(v, UNCONNECTED)].append(v)
    local: dict[str, tuple[float, float]] = {}
    radii: dict[int, float] = {}
    for cid, nodes in members.items():
        local.update(_grid(nodes) if cid == UNCONNECTED else _local_layout(g, nodes, seed))
        radii[cid] = spacing * (1.3 * math.sqrt(len(nodes)) + 0.5)
    between = nx.Graph()
    between.add_nodes_from(members)
    for a, b, w in g.edges(data="weight", default=1):
        ca, cb = community.get(a, UNCONNECTED), community.get(b, UNCONNECTED)
        if ca != cb:
            prev = between.get_edge_data(ca, cb, {"weight": 0})["weight"]
            between.add_edge(ca, cb, weight=prev + (w or 1))
    if len(members) == 1:
        centres = {cid: [0.0, 0.0] for cid in members}
    else:
        raw = nx.spring_layout(between, seed=seed, iterations=100, weight="weight", method="force")
        span = math.sqrt(sum(r * r for r in radii.values())) * 0.8
        # wider than high, like a screen
        centres = {cid: [float(p[0]) * span * ASPECT, float(p[1]) * span] for cid, p in raw.items()}
        _pack(centres, radii)
    return {v: (centres[c][0] + local[v][0] * radii[c], centres[c][1] + local[v][1] * radii[c])
            for c, nodes in members.items() for v in nodes}


# -- maps ----------------------------------------------------------------------------------------

def _with_big_papers(graph: Graph, sub: nx.Graph, max_authors: int | None = None, *, fold: bool = True,
                     keep: Iterable[str] = ()) -> tuple[nx.Graph, int, int]:
    """``sub`` plus one node per big paper (:func:`big_papers`) with at least two of its authors on the
    map, linked to them (kind Paper, edges AUTHORED): the paper shows who worked on it, no clique does.

    With ``fold`` (the default), an author of one such paper who has no co-author link on the map (and is
    not in ``keep``) is not drawn: the paper's node counts them (``folded``), so a consortium paper is one
    node and not a star of hundreds of authors that would take a tenth of the canvas. Returns (graph,
    paper nodes added, authors folded)."""
    every = big_papers(graph, max_authors)
    drawn = {p: [a for a in authors if a in sub] for p, authors in every.items()}
    drawn = {p: here for p, here in drawn.items() if len(here) >= 2}
    on_big: Counter[str] = Counter(a for here in drawn.values() for a in here)
    keep = set(keep)
    folded = 0
    for paper, here in drawn.items():
        lone = [a for a in here if fold and a not in keep and on_big[a] == 1 and sub.degree(a) == 0]
        row = graph.node(Label.PAPER, paper) or {"key": paper}
        label = display_label(Label.PAPER, row)
        sub.add_node(paper, label=label if len(label) <= 60 else label[:57] + "...", kind=str(Label.PAPER),
                     papers=[paper], authors=len(every[paper]), folded=[sub.nodes[a]["label"] for a in lone])
        sub.remove_nodes_from(lone)
        for a in here:
            if a in sub:
                sub.add_edge(paper, a, weight=1, kind="AUTHORED")
        folded += len(lone)
    return sub, len(drawn), folded


def _with_term_papers(graph: Graph, sub: nx.Graph, *, fold: bool = True,
                      keep: Iterable[str] = ()) -> tuple[nx.Graph, int, int]:
    """Topic maps: when more than MAX_TERMS terms on the map have the same one paper (no other paper in the
    window carries them), they are counted in one node for that paper instead of drawn. Such terms link
    only to each other and to the paper's other terms: the ring of one paper's keyword list, which says
    nothing about the literature. The paper's node links to its terms that stay on the map. ``keep`` (an
    ego map's centre) is always drawn; ``fold=False`` draws every term. Returns (graph, paper nodes
    added, terms folded)."""
    if not fold:
        return sub, 0, 0
    keep = set(keep)
    own: dict[str, list[str]] = defaultdict(list)
    for v, data in sub.nodes(data=True):
        papers = set(data.get("papers") or ())
        if len(papers) == 1 and v not in keep:
            own[next(iter(papers))].append(v)
    big = folded = 0
    for paper in sorted(own):
        terms = sorted(own[paper])
        if len(terms) <= MAX_TERMS:
            continue
        others = sorted({n for t in terms for n in sub.neighbors(t)} - set(terms))
        row = graph.node(Label.PAPER, paper) or {"key": paper}
        title = display_label(Label.PAPER, row)
        # a short reference ("Hirsch 2005") on the canvas, so one label never spans the map; title in the tooltip
        label = _short_reference(row, _first_authors(graph, {paper}).get(paper), title)
        sub.add_node(paper, label=label if len(label) <= 60 else label[:57] + "...", kind=str(Label.PAPER),
                     papers=[paper], terms=len(terms), folded=[sub.nodes[t]["label"] for t in terms], title=title)
        sub.remove_nodes_from(terms)
        for o in others:
            sub.add_edge(paper, o, weight=1, kind="HAS_TERM")
        big += 1
        folded += len(terms)
    return sub, big, folded


def select_map(graph: Graph, kind: str, *, author: str | None = None, term: str | None = None,
               doi: str | None = None, top: int = DEFAULT_TOP, min_weight: int = 1,
               since: int | None = None, include_check_tags: bool = False, seed: int = SEED,
               depth: int | None = None, fold: bool = True) -> Selection:
    """The nodes, links, communities and positions of one map (see the module docstring). ``fold=False``
    draws every shown author of a paper with more than MAX_AUTHORS authors (see :func:`_with_big_papers`)."""
    if top < 1:
        raise GraphkitError("--top must be at least 1")
    if kind == "coauthors":
        net = coauthor_network(graph, since=since, min_weight=min_weight)
        sub, big, folded = _with_big_papers(graph, top_by_degree(net, top).copy(), fold=fold)
        sel = _network_selection(graph, net, sub, "coauthors", "Co-author network", "authors", seed)
        sel.big_papers, sel.folded = big, folded
    elif kind == "topics":
        net = topic_network(graph, since=since, min_weight=min_weight, include_check_tags=include_check_tags)
        sub, big, folded = _with_term_papers(graph, top_by_degree(net, top).copy(), fold=fold)
        sel = _network_selection(graph, net, sub, "topics", "Topic map", "terms", seed)
        sel.big_papers, sel.folded = big, folded
    elif kind == "ego":
        if bool(author) == bool(term):
            raise GraphkitError("the ego map needs exactly one of --author NAME or --term TERM")
        if author:
            net = coauthor_network(graph, since=since, min_weight=min_weight)
            center = find_author(graph, net, author)
            noun = "authors"
        else:
            net = topic_network(graph, since=since, min_weight=min_weight, include_check_tags=True)
            center = find_term(graph, net, term or "")
            noun = "terms"
        radius = depth if depth is not None else (AUTHOR_DEPTH if author else TERM_DEPTH)
        if radius < 1:
            raise GraphkitError("--depth must be at least 1")
        sub = ego_network(net, center, radius=radius, top=top)
        if author:
            sub, big, folded = _with_big_papers(graph, sub, fold=fold, keep=[center])
        else:
            sub, big, folded = _with_term_papers(graph, sub, fold=fold, keep=[center])
        reach = len(nx.single_source_shortest_path_length(net, center, cutoff=radius))
        title = f"{net.nodes[center]['label']} and neighbours to depth {radius}"
        sel = _network_selection(graph, net, sub, "ego", title, noun, seed, total=reach, focus=center)
        sel.big_papers, sel.folded = big, folded
    elif kind == "paper":
        if not doi:
            raise GraphkitError("the paper map needs --doi DOI")
        sel = paper_selection(graph, doi, top=top, seed=seed)
    elif kind == "citations":
        from graphkit.citations.historiograph import historiograph_selection

        sel = historiograph_selection(graph, top=top, since=since)
    elif kind in ("institutions", "countries"):
        from graphkit.affiliation_maps import select_collaboration_map

        sel = select_collaboration_map(graph, kind, top=top, min_weight=min_weight, since=since, seed=seed)
    else:
        raise GraphkitError(f"unknown map {kind!r}; known: {', '.join(MAP_KINDS)}")
    if not sel.nodes:
        window = f" with papers from {since} on" if since is not None else ""
        raise GraphkitError(f"nothing to draw: the graph has no {sel.noun}{window}")
    log.info("%s map: %s", kind, sel.summary())
    return sel


def _network_selection(graph: Graph, net: nx.Graph, sub: nx.Graph, kind: str, title: str, noun: str,
                       seed: int, *, total: int | None = None, focus: str | None = None) -> Selection:
    sub = canonical(sub)
    comm = communities(sub, seed=seed)
    pos = layout(sub, comm, seed=seed)
    terms_by_paper = _terms_of_papers(graph) if noun == "authors" else {}
    nodes = []
    for v, data in sub.nodes(data=True):
        papers = data.get("papers", [])
        if data["kind"] == str(Label.PAPER):  # a big paper standing in for the clique of its authors
            x, y = pos[v]
            folded = data.get("folded") or []
            if "terms" in data:  # a paper standing in for the terms only it carries (topic maps)
                info = [("kind", "paper"), ("title", data.get("title") or data["label"]),
                        ("terms of its own", str(data["terms"])),
                        ("linked on this map", str(sub.degree(v)))]
                why = "not drawn (in no other paper)"
                label = f"[{data['terms']:,} terms] {data['label']}"
            else:
                info = [("kind", "paper"), ("authors", str(data.get("authors", 0))),
                        ("linked on this map", str(sub.degree(v)))]
                why = "not drawn (no other link on the map)"
                label = f"[{data.get('authors', 0):,} authors] {data['label']}"
            if folded:
                names = "; ".join(folded[:FOLDED_NAMES]) + (f" and {len(folded) - FOLDED_NAMES:,} more"
                                                            if len(folded) > FOLDED_NAMES else "")
                info.append((why, f"{len(folded):,}: {names}"))
            nodes.append(MapNode(v, label, data["kind"], 1.0, comm[v], x, y, info,
                                 url=_doi_url((graph.node(Label.PAPER, v) or {}).get("doi"))))
            continue
        info = [("papers", str(len(papers))), ("years", _years_text(graph.node(Label.PAPER, p).get("year")
                                                                      for p in papers)),
                ("co-authors" if noun == "authors" else "co-occurring terms", str(net.degree(v)))]
        if noun == "authors":
            counts = Counter(t for p in papers for t in dict.fromkeys(terms_by_paper.get(p, ())))
            top_terms = [display_label(*_term_row(graph, t)) for t, _ in counts.most_common(TOP_TERMS)]
            if top_terms:
                info.append(("top terms", "; ".join(top_terms)))
        else:
            info.insert(0, ("kind", "MeSH term" if data["kind"] == str(Label.MESH) else "keyword"))
            if data.get("keywords"):
                info.insert(1, ("also keyword", "; ".join(sorted(data["keywords"]))))
        x, y = pos[v]
        nodes.append(MapNode(v, data["label"], data["kind"], float(len(papers)), comm[v], x, y, info,
                             focus=(v == focus)))
    largest = _single_paper_nodes(sub)
    edges = [MapEdge(a, b, float(d.get("weight", 1)), d.get("kind") or ("CO_AUTHOR" if noun == "authors"
                                                                         else "CO_OCCURS"))
             for a, b, d in sub.edges(data=True)]
    return Selection(kind, title, noun, nodes, edges, net.number_of_nodes() if total is None else total,
                     _community_list(sub, comm), sorted({n.kind for n in nodes}), largest_paper=largest)


def _single_paper_nodes(sub: nx.Graph) -> list[str]:
    """The nodes that are on the map only because of one paper (it is their only paper), for the paper with
    the most of them (ties: key); a paper's own node counts for it. This is the ring a many-author or
    many-keyword paper draws: what the readability measure of the page sizes against the canvas."""
    only: dict[str, list[str]] = defaultdict(list)
    for v, data in sub.nodes(data=True):
        papers = set(data.get("papers") or ())
        if len(papers) == 1:
            only[next(iter(papers))].append(v)
    if not only:
        return []
    return only[min(only, key=lambda p: (-len(only[p]), p))]


def _community_list(g: nx.Graph, comm: dict[str, int]) -> list[Community]:
    members: dict[int, list[str]] = defaultdict(list)
    for v, c in comm.items():
        members[c].append(v)
    out = []
    for c in sorted(members, key=lambda c: (c == UNCONNECTED, c)):
        best = min(members[c], key=lambda v: _rank_key(g, v))
        out.append(Community(c, len(members[c]), g.nodes[best]["label"] if c != UNCONNECTED else "no links"))
    return out


def _find(graph: Graph, net: nx.Graph, kind: str, text: str) -> str:
    """The node ``text`` names (graphkit.lookup: any case, any recorded form, key, ORCID ...), which
    must be in ``net``."""
    from graphkit.lookup import resolve

    match = resolve(graph, kind, text)
    if match.note:
        log.warning("%s", match.note)
    if match.key not in net:
        raise GraphkitError(f"{match.label} ({match.key}) has no links in this map "
                            "(no co-authors or co-occurring terms in the window)")
    return match.key


def find_author(graph: Graph, net: nx.Graph, name: str) -> str:
    """The author key for a name in any recorded form, an ORCID or a key (graphkit.lookup)."""
    return _find(graph, net, "author", name)


def find_term(graph: Graph, net: nx.Graph, text: str) -> str:
    return _find(graph, net, "term", text)


def _doi_url(doi: str | None) -> str | None:
    return f"https://doi.org/{doi}" if doi else None


def _find_paper(graph: Graph, doi: str) -> dict[str, Any]:
    """The paper a DOI (bare, doi: or URL), PMID or key names (graphkit.lookup)."""
    from graphkit.lookup import resolve

    return graph.node(Label.PAPER, resolve(graph, "paper", doi).key)


PAPER_RING = 230.0  # paper map: radius of the first ring around the paper, in page pixels
PAPER_STEP = 34.0  # paper map: room along a ring per node


def paper_layout(center: str, sides: dict[str, list[str]]) -> dict[str, tuple[float, float]]:
    """The paper in the middle; its references on the left (oldest at the top), the papers citing it on
    the right, authors and journal above, keywords and MeSH terms below; each side a quarter circle,
    further rings when one is full (so cites and cited by stand apart at first sight)."""
    arcs = {"right": 0.0, "bottom": math.pi / 2, "left": math.pi, "top": -math.pi / 2}
    pos = {center: (0.0, 0.0)}
    for side, members in sides.items():
        mid, i, ring = arcs[side], 0, 0
        while i < len(members):
            radius = PAPER_RING + ring * 2.2 * PAPER_STEP
            fits = max(1, int(radius * math.pi / 2 * 0.8 / PAPER_STEP))
            chunk = members[i:i + fits]
            for j, v in enumerate(chunk):
                # spread over 80% of the quarter; the left side runs top to bottom (angle decreasing)
                t = j / (len(chunk) - 1) - 0.5 if len(chunk) > 1 else 0.0
                angle = mid + (-t if side == "left" else t) * math.pi / 2 * 0.8
                pos[v] = (radius * math.cos(angle) * ASPECT ** 0.5, radius * math.sin(angle))
            i += len(chunk)
            ring += 1
    return pos


def _first_authors(graph: Graph, papers: set[str]) -> dict[str, str]:
    """paper key -> the family name of its first author (byline position 1, else the first edge)."""
    best: dict[str, tuple[int, str]] = {}
    for e in graph.edges(RelType.AUTHORED):
        p = e["target"]
        if p in papers:
            position = e.get("position") or 1_000_000
            if p not in best or position < best[p][0]:
                row = graph.node(Label.AUTHOR, e["source"]) or {}
                best[p] = (position, row.get("family") or row.get("name") or e["source"])
    return {p: name for p, (_, name) in best.items()}


def _short_reference(row: dict[str, Any], first_author: str | None, title: str) -> str:
    author = row.get("first_author") or first_author
    year = row.get("year")
    if author:
        return f"{author} {year}" if year else str(author)
    return title


def paper_selection(graph: Graph, doi: str, *, top: int = DEFAULT_TOP, seed: int = SEED) -> Selection:
    """One paper and its authors, journal, keywords, MeSH terms, cited and citing papers."""
    paper = _find_paper(graph, doi)
    pkey = paper["key"]
    g = nx.Graph()

    roles: dict[str, str] = {}
    direction: dict[str, tuple[str, str]] = {}  # citation links: (citing, cited)

    def add(label: Label, row: dict[str, Any], rel: str | None) -> None:
        key = row["key"]
        if key not in g:
            g.add_node(key, label=display_label(label, row), kind=str(label), row=row)
        if rel and key != pkey:
            g.add_edge(pkey, key, kind=rel, weight=1)

    add(Label.PAPER, paper, None)
    for e in graph.edges(RelType.AUTHORED):
        if e["target"] == pkey:
            add(Label.AUTHOR, graph.node(Label.AUTHOR, e["source"]), "AUTHORED")
    for e in graph.edges(RelType.PUBLISHED_IN):
        if e["source"] == pkey:
            add(Label.JOURNAL, graph.node(Label.JOURNAL, e["target"]), "PUBLISHED_IN")
    for label in TERM_LABELS:
        for e in graph.edges(TERM_EDGES[label]):
            if e["source"] == pkey:
                add(label, graph.node(label, e["target"]), str(TERM_EDGES[label]))
    for e in graph.edges(RelType.CITES):
        if e["source"] == pkey and e["target"] != pkey:
            add(Label.PAPER, graph.node(Label.PAPER, e["target"]), "CITES")
            roles.setdefault(e["target"], "cites")
            direction.setdefault(e["target"], (pkey, e["target"]))
        elif e["target"] == pkey and e["source"] != pkey:
            add(Label.PAPER, graph.node(Label.PAPER, e["source"]), "CITED_BY")
            roles.setdefault(e["source"], "cited by")
            direction.setdefault(e["source"], (e["source"], pkey))
    total = g.number_of_nodes()
    sub = top_by_degree(g, top, keep=[pkey]) if total > top else g
    kinds = [str(label) for label in Label]
    comm = {v: kinds.index(d["kind"]) for v, d in sub.nodes(data=True)}
    sides: dict[str, list[str]] = {"top": [], "right": [], "bottom": [], "left": []}
    for v, d in sub.nodes(data=True):
        if v != pkey:
            side = {"cites": "left", "cited by": "right"}.get(roles.get(v, ""))
            sides[side or ("bottom" if d["kind"] in (str(Label.KEYWORD), str(Label.MESH)) else "top")].append(v)
    for side in ("left", "right"):  # older references first, newest citing papers last
        sides[side].sort(key=lambda v: (sub.nodes[v]["row"].get("year") or 9999, v))
    for side in ("top", "bottom"):  # authors (byline order is not kept here) and journal; terms: by kind, name
        sides[side].sort(key=lambda v: (sub.nodes[v]["kind"], str(sub.nodes[v]["label"]).lower(), v))
    pos = paper_layout(pkey, sides)
    first = _first_authors(graph, {v for v in roles if v in sub})
    nodes = []
    for v, d in sub.nodes(data=True):
        row, kind = d["row"], d["kind"]
        info: list[tuple[str, str]] = [("kind", kind)]
        url = None
        if kind == str(Label.PAPER):
            if v in roles:  # neighbours are named like a reference, "Smith 2010"; the title goes in the tooltip
                info += [("title", d["label"])] if row.get("title") else []
                d["label"] = _short_reference(row, first.get(v), d["label"])
            info += [(k, str(row[k])) for k in ("year", "doi", "pmid") if row.get(k)]
            url = _doi_url(row.get("doi"))
        elif kind == str(Label.JOURNAL):
            info += [(k, str(row[k])) for k in ("issn", "publisher") if row.get(k)]
        elif kind == str(Label.AUTHOR) and row.get("orcid"):
            info.append(("ORCID", row["orcid"]))
        role = roles.get(v, "")
        if role:
            info.insert(1, ("role", "in this paper's references" if role == "cites" else "cites this paper"))
        nodes.append(MapNode(v, d["label"], kind, 3.0 if v == pkey else 1.0, comm[v], *pos[v], info, url,
                             focus=(v == pkey), role=role))
    edges = []
    for a, b, k in sub.edges(data="kind"):
        other = b if a == pkey else a
        if k in ("CITES", "CITED_BY"):  # drawn from the citing paper to the cited one
            a, b = direction[other]
            k = "CITES" if roles[other] == "cites" else "CITED_BY"
        edges.append(MapEdge(a, b, 1.0, k))
    title = f"Paper: {display_label(Label.PAPER, paper)}"
    return Selection("paper", title, "nodes", nodes, edges, total, [], sorted({n.kind for n in nodes}))
