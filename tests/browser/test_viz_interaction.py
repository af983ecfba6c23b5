"""What a user does on the page: find a node with the search box, hover for a tooltip, click a paper to open
its DOI, read the legend."""

from __future__ import annotations

import pytest

from _chromium import browser, open_page  # noqa: F401  (browser is a fixture)
from conftest import SEED, need_corpus
from graphkit import analysis
from graphkit.build import build_from_files
from graphkit.schema import Label
from graphkit.sinks.html import _legend, write_selection

pytestmark = [pytest.mark.browser, pytest.mark.corpus]

RECORD_OPEN = "window.__opened = []; window.open = function (u) { window.__opened.push(u); return null; };"


@pytest.fixture(scope="module")
def seed_graph():
    need_corpus()
    return build_from_files([SEED]).graph


def _page(browser, tmp_path, sel, **kw):
    out = tmp_path / f"{sel.kind}.html"
    write_selection(sel, out)
    return open_page(browser, out, **kw)


def test_search_finds_selects_and_focuses(browser, tmp_path, seed_graph):
    sel = analysis.select_map(seed_graph, "topics")
    target = sel.nodes[len(sel.nodes) // 2]
    page = _page(browser, tmp_path, sel)
    try:
        part = target.label[1:-1].upper()  # part of the name, other case
        match = next(n for n in sel.nodes if part.lower() in n.label.lower())  # first containing it, page order
        page.page.fill("#gk-query", part)
        page.page.press("#gk-query", "Enter")
        page.page.wait_for_function("(id) => network.getSelectedNodes().join() === id", arg=match.id, timeout=5000)
        # the view ends centred on the node
        page.page.wait_for_function("""(id) => { const v = network.getViewPosition(), p = network.getPosition(id);
            return Math.abs(v.x - p.x) < 1 && Math.abs(v.y - p.y) < 1; }""", arg=match.id, timeout=5000)
        # exact name wins over an earlier partial match
        page.page.fill("#gk-query", target.label)
        page.page.press("#gk-query", "Enter")
        page.page.wait_for_function("(id) => network.getSelectedNodes().join() === id", arg=target.id, timeout=5000)
        page.page.fill("#gk-query", "no such term anywhere")
        page.page.press("#gk-query", "Enter")
        assert page.eval("() => document.getElementById('gk-status').textContent") == "not found"
        assert page.errors == [] and page.foreign_requests() == []
    finally:
        page.close()


def test_click_on_paper_opens_its_doi(browser, tmp_path, seed_graph):
    paper = next(iter(seed_graph.nodes(Label.PAPER)))
    sel = analysis.select_map(seed_graph, "paper", doi=paper["doi"])
    page = _page(browser, tmp_path, sel, init_script=RECORD_OPEN)
    try:
        x, y = page.node_dom_point(paper["key"])
        page.page.mouse.click(x, y)
        page.page.wait_for_function("() => window.__opened.length > 0", timeout=5000)
        assert page.eval("() => window.__opened") == [f"https://doi.org/{paper['doi']}"]
        # a click on an author opens nothing
        author = next(n for n in sel.nodes if n.kind == str(Label.AUTHOR))
        page.page.mouse.click(*page.node_dom_point(author.id))
        page.page.wait_for_timeout(300)
        assert len(page.eval("() => window.__opened")) == 1
        assert page.errors == [] and page.foreign_requests() == []
    finally:
        page.close()


def test_tooltip_shows_name_papers_years_and_terms(browser, tmp_path, seed_graph):
    sel = analysis.select_map(seed_graph, "coauthors")
    node = sel.nodes[0]
    page = _page(browser, tmp_path, sel)
    try:
        page.page.mouse.move(*page.node_dom_point(node.id))
        page.page.wait_for_function("() => !document.getElementById('gk-tooltip').hidden", timeout=5000)
        rows = page.eval("() => Array.from(document.getElementById('gk-tooltip').children).map(e => e.textContent)")
        assert rows[0] == node.label
        assert rows[1:] == [f"{k}: {v}" for k, v in node.info]
        assert {k for k, _ in node.info} >= {"papers", "years", "top terms"}
    finally:
        page.close()


@pytest.mark.parametrize("kind", ["coauthors", "paper"])
def test_legend_lists_communities_or_kinds(browser, tmp_path, seed_graph, kind):
    opts = {"doi": next(iter(seed_graph.nodes(Label.PAPER)))["doi"]} if kind == "paper" else {}
    sel = analysis.select_map(seed_graph, kind, **opts)
    title, items = _legend(sel)
    page = _page(browser, tmp_path, sel)
    try:
        shown = page.eval("""() => Array.from(document.querySelectorAll('#gk-legend .gk-row')).map(r =>
            [getComputedStyle(r.firstChild).backgroundColor, r.lastChild.textContent])""")
        assert [t for _, t in shown] == [i["text"] for i in items]
        assert len({c for c, _ in shown}) == len({i["color"] for i in items})
        assert page.eval("() => document.querySelector('#gk-legend h2').textContent") == title
        if kind == "paper":
            assert {t for _, t in shown} >= {"this paper", "author", "journal"}
    finally:
        page.close()
