"""`graphkit viz citations` (the historiograph) in headless Chromium: offline, the selected works drawn
with arrows from citing to cited, placed left to right by year, cited-only works coloured apart."""

from __future__ import annotations

import pytest

from _chromium import PAINTED, browser, open_page  # noqa: F401  (browser is a fixture)
from conftest import CORPUS, FIXTURES
from graphkit import analysis
from graphkit.build import build_from_files
from graphkit.citations.historiograph import CITED_ONLY, SET
from graphkit.model import GraphkitError
from graphkit.sinks.html import community_color, write_selection

pytestmark = [pytest.mark.browser, pytest.mark.corpus]


def test_historiograph_of_a_wos_file(browser, tmp_path):
    path = CORPUS / "wos" / "bibliometrix__performance_soccer.txt"
    if not path.exists():
        pytest.skip("../shared/corpus is not present")
    sel = analysis.select_map(build_from_files([path]).graph, "citations", top=40)
    assert len(sel.nodes) == 40 and sel.edges and sel.total > 40
    groups = {n.community for n in sel.nodes}
    assert groups == {SET, CITED_ONLY}  # the soccer papers cite classics the file does not hold
    out = tmp_path / "historiograph.html"
    write_selection(sel, out)
    page = open_page(browser, out)
    try:
        assert page.foreign_requests() == [] and page.errors == []
        nodes = page.eval("() => graphkit.nodes.get().map(n => [n.id, n.color])")
        assert sorted(i for i, _ in nodes) == sorted(n.id for n in sel.nodes)
        colour = dict(nodes)
        for n in sel.nodes:
            assert colour[n.id] == community_color(n.community)
        edges = page.eval("() => graphkit.edges.get().map(e => [e.from, e.to, e.arrows])")
        assert sorted((a, b) for a, b, _ in edges) == sorted((e.source, e.target) for e in sel.edges)
        assert {arrows for _, _, arrows in edges} == {"to"}
        pos = page.eval("() => network.getPositions()")
        year = {n.id: dict(n.info)["year"] for n in sel.nodes if "year" in dict(n.info)}
        for a, b in ((a, b) for a in year for b in year if int(year[a]) < int(year[b])):
            assert pos[a]["x"] < pos[b]["x"]  # older to the left
        assert page.eval(PAINTED)["painted"] > 200
        legend = page.eval("() => document.body.textContent")
        assert "cited-only works" in legend and "x: publication year" in legend
    finally:
        page.close()


def test_no_citations_is_a_clear_error():
    graph = build_from_files([FIXTURES / "citations" / "cited_work.isi"]).graph
    with pytest.raises(GraphkitError, match="nothing to draw"):
        analysis.select_map(graph, "citations")
