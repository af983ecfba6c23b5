"""The historiograph map (Garfield's HistCite view): papers placed by publication year, arrows from citing
to cited paper, sized by their local citation score (citations from papers of the graph).

Nodes: the papers of the set with the highest local citation score (ties: older first, then key), and up
to a fifth of the budget of the most-cited **cited-only** works (cited at least twice), drawn in their own
colour so that the roots a field cites but the set does not hold stand out. Layout: x is the year (one
column per year, spaced to fit a screen, empty years squeezed); inside a column the papers stack by score,
neighbouring columns shifted by a part of a row so that their labels interleave. The selection
(:func:`select`) is separate from the placement (:func:`place`).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from graphkit.analysis import Community, MapEdge, MapNode, Selection
from graphkit.model import GraphkitError
from graphkit.schema import Label, RelType

YEAR_GAP = 160.0  # page pixels between the columns of two consecutive years, at most ...
MIN_YEAR_GAP = 40.0  # ... and at least
TARGET_WIDTH = 1000.0  # the width the columns aim at (so labels stay readable at the first view)
EMPTY_YEAR_GAP = 12.0  # extra room per year without a paper, up to MAX_EMPTY_YEARS of them
MAX_EMPTY_YEARS = 5
ROW_GAP = 66.0  # rows of a column at least this far apart; more when columns are short (up to 2x)
STAGGER = 3  # column i is shifted down by (i % STAGGER) / STAGGER of a row
CITED_ONLY_SHARE = 0.2
SET, CITED_ONLY = 0, 1  # the two node groups (coloured apart)


def _label(row: dict[str, Any]) -> str:
    author, year = row.get("first_author"), row.get("year")
    if author:
        return f"{author} {year}" if year else author
    return row.get("title") or row.get("reference") or row["key"]


def select(graph: Any, *, top: int, since: int | None = None) -> tuple[list[dict[str, Any]], list[tuple[str, str]],
                                                                         Counter, int]:
    """(rows of the chosen works, citation edges among them, local citation scores, candidates)."""
    lcs: Counter = Counter()
    for e in graph.edges(RelType.CITES):
        if e["source"] != e["target"]:
            lcs[e["target"]] += 1
    citing = {e["source"] for e in graph.edges(RelType.CITES)}
    papers, cited_only = [], []
    for row in graph.nodes(Label.PAPER):
        if since is not None and (row.get("year") is None or row["year"] < since):
            continue
        if row.get("cited_only"):
            if lcs.get(row["key"], 0) >= 2:
                cited_only.append(row)
        elif lcs.get(row["key"], 0) > 0 or row["key"] in citing:  # in the citation network of the set
            papers.append(row)
    rank = lambda r: (-lcs.get(r["key"], 0), r.get("year") or 9999, r["key"])  # noqa: E731
    n_only = min(len(cited_only), int(top * CITED_ONLY_SHARE))
    chosen = sorted(papers, key=rank)[: top - n_only] + sorted(cited_only, key=rank)[:n_only]
    keys = {r["key"] for r in chosen}
    edges = sorted({(e["source"], e["target"]) for e in graph.edges(RelType.CITES)
                    if e["source"] in keys and e["target"] in keys and e["source"] != e["target"]})
    return chosen, edges, lcs, len(papers) + len(cited_only)


def place(rows: list[dict[str, Any]], lcs: Counter) -> dict[str, tuple[float, float]]:
    """x by year (one column per year, empty years squeezed), y stacked by score inside the year, centred
    on 0. Columns are as close as ``TARGET_WIDTH`` asks (never under ``MIN_YEAR_GAP`` nor over
    ``YEAR_GAP``) so that the first view is not a thin line of unreadable labels; column i is shifted by
    (i % STAGGER) / STAGGER of a row, so a label sits between its neighbours' and not on them."""
    by_year: dict[int | None, list[dict[str, Any]]] = {}
    for r in rows:
        by_year.setdefault(r.get("year"), []).append(r)
    years = sorted(y for y in by_year if y is not None)
    skipped = sum(min(b - a - 1, MAX_EMPTY_YEARS) for a, b in zip(years, years[1:]))
    columns = len(years) + (1 if None in by_year else 0)
    gap = max(MIN_YEAR_GAP, min(YEAR_GAP, (TARGET_WIDTH - EMPTY_YEAR_GAP * skipped) / max(columns - 1, 1)))
    xs: dict[int | None, float] = {}
    x = 0.0
    for i, y in enumerate(years):
        if i:
            x += gap + EMPTY_YEAR_GAP * min(y - years[i - 1] - 1, MAX_EMPTY_YEARS)
        xs[y] = x
    xs[None] = x + gap * 2  # undated works to the right
    order = {y: i for i, y in enumerate(years + [None])}
    tallest = max(len(g) for g in by_year.values())
    row_gap = max(ROW_GAP, min(2 * ROW_GAP, TARGET_WIDTH * 0.55 / tallest))  # use the screen's height
    pos = {}
    for year, group in by_year.items():
        group.sort(key=lambda r: (-lcs.get(r["key"], 0), r["key"]))
        shift = row_gap * (order[year] % STAGGER) / STAGGER
        for i, r in enumerate(group):
            offset = (i + 1) // 2 * (1 if i % 2 else -1)  # 0, +1, -1, +2, -2 ... around the axis
            pos[r["key"]] = (xs[year], offset * row_gap + shift)
    return pos


def historiograph_selection(graph: Any, *, top: int, since: int | None = None) -> Selection:
    rows, edges, lcs, total = select(graph, top=top, since=since)
    if not rows:
        raise GraphkitError("nothing to draw: no paper of the graph cites another (the historiograph needs "
                            "cited references, e.g. WoS CR or Scopus References)")
    pos = place(rows, lcs)
    nodes = []
    for r in rows:
        group = CITED_ONLY if r.get("cited_only") else SET
        info = [("kind", "cited-only work" if group else "paper of the set"), ("local citations", str(lcs.get(r["key"], 0)))]
        info += [(k, str(r[k])) for k in ("year", "title", "reference", "source_title", "doi", "times_cited")
                 if r.get(k) not in (None, "")]
        x, y = pos[r["key"]]
        node = MapNode(r["key"], _label(r), str(Label.PAPER), float(max(1, lcs.get(r["key"], 0))), group, x, y, info)
        if r.get("doi"):
            node.url = f"https://doi.org/{r['doi']}"
        nodes.append(node)
    n_only = sum(1 for n in nodes if n.community == CITED_ONLY)
    communities = [Community(SET, len(nodes) - n_only, "papers of the set")]
    if n_only:
        communities.append(Community(CITED_ONLY, n_only, "cited-only works (known from reference lists)"))
    return Selection("citations", "Historiograph: citations between papers by year", "works", nodes,
                     [MapEdge(a, b, 1.0, "CITES") for a, b in edges], total, communities)
