"""Readable maps in real headless Chromium: labels that would collide are hidden at the first view (and
shown again as the user zooms in), and one many-author paper does not take over the canvas."""

from __future__ import annotations

import pytest

from graphkit import analysis
from graphkit.graph import Graph
from graphkit.schema import Label, RelType
from graphkit.sinks.html import write_selection

from _chromium import browser, open_page  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser

SHOW_ALL = "() => graphkit.showAllLabels()"


def _crowded() -> Graph:
    """A productive group of 40 authors with long names who all write together (their labels pile up
    in one small community disc), plus a 60-author consortium paper."""
    g = Graph()
    core = [f"name:core{i:02d}|c" for i in range(40)]
    for i, key in enumerate(core):
        g.add_node(Label.AUTHOR, key, name=f"Longfamilyname-{i:02d}, Christopher Alexander",
                   family=f"Longfamilyname-{i:02d}")
    for p in range(30):  # each paper by 6 of the core, so the group is dense and everyone has papers
        key = f"doi:10.1/core{p}"
        g.add_node(Label.PAPER, key, title=f"Core paper {p}", year=2000 + p % 20, doi=key[4:])
        for pos, a in enumerate(core[(p * 3) % 40:(p * 3) % 40 + 6] or core[:6], 1):
            g.add_edge(RelType.AUTHORED, a, key, position=pos)
    g.add_node(Label.PAPER, "doi:10.1/consortium", title="The consortium paper", year=2021, doi="10.1/consortium")
    for i in range(60):
        key = f"name:member{i:02d}|m"
        g.add_node(Label.AUTHOR, key, name=f"Member {i}", family=f"Member {i}")
        g.add_edge(RelType.AUTHORED, key, "doi:10.1/consortium", position=i + 1)
    by_paper: dict[str, list[str]] = {}
    for e in g.edges(RelType.AUTHORED):
        by_paper.setdefault(e["target"], []).append(e["source"])
    for paper, authors in by_paper.items():
        for i, a in enumerate(authors):
            for b in authors[i + 1:]:
                old = g.edge(RelType.CO_AUTHOR, a, b)
                g.add_edge(RelType.CO_AUTHOR, a, b, papers=(old["papers"] if old else 0) + 1)
    return g


def test_colliding_labels_are_hidden_at_the_first_view(browser, tmp_path):  # noqa: F811
    sel = analysis.select_map(_crowded(), "coauthors", top=60)
    out = tmp_path / "crowded.html"
    write_selection(sel, out)
    page = open_page(browser, out)
    try:
        assert page.errors == []
        first = page.eval("() => graphkit.readability()")
        assert first["labels"] >= 5 and first["overlap_share"] <= 0.05, first
        everything = page.eval(SHOW_ALL)  # what the page drew before: every label at once
        assert everything["overlap_share"] > 0.05, everything
        page.eval("() => graphkit.declutter()")
        assert page.eval("() => graphkit.readability()")["overlap_share"] <= 0.05
        # zooming in makes room: at least as many labels, still none overlapping
        page.eval("() => { network.moveTo({scale: network.getScale() * 3}); graphkit.declutter(); }")
        zoomed = page.eval("() => graphkit.readability()")
        assert zoomed["overlap_share"] <= 0.05
    finally:
        page.close()
