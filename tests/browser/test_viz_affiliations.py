"""Institution and country collaboration maps, built from corpus files, opened in headless Chromium: offline,
no errors, the network holds what affiliation_maps selected (nodes sized by papers, links weighted by shared
papers), and the canvas is drawn."""

from __future__ import annotations

import functools

import pytest

from _chromium import PAINTED, browser, open_page  # noqa: F401  (browser is a fixture)
from conftest import need_corpus
from graphkit import analysis
from graphkit.build import build_from_files
from graphkit.sinks.html import write_selection

pytestmark = [pytest.mark.browser, pytest.mark.corpus]

FILES = ["nbib/pybibx__pubmed.txt", "wos/bibliometrix__performance_soccer.txt", "scopus_csv/litstudy__scopus.csv"]


@functools.lru_cache(maxsize=None)
def _graph():
    paths = [need_corpus() / f for f in FILES]
    assert all(p.exists() for p in paths), [p for p in paths if not p.exists()]
    return build_from_files(paths).graph


@pytest.mark.parametrize("kind", ["institutions", "countries"])
def test_collaboration_map_loads_offline_and_holds_the_selection(browser, tmp_path, kind):
    sel = analysis.select_map(_graph(), kind, top=300)
    assert sel.nodes and sel.edges
    out = tmp_path / f"{kind}.html"
    write_selection(sel, out)
    page = open_page(browser, out)
    try:
        assert page.foreign_requests() == [] and page.errors == [] and page.dialogs == []
        ids, pairs = page.eval("() => [graphkit.nodes.getIds(), graphkit.edges.get().map(e => [e.from, e.to])]")
        assert sorted(ids) == sorted(n.id for n in sel.nodes)
        assert sorted(map(tuple, pairs)) == sorted((e.source, e.target) for e in sel.edges)
        biggest = max(sel.nodes, key=lambda n: (n.size, n.id))
        value = page.eval("(id) => graphkit.nodes.get(id).value", biggest.id)
        assert value == pytest.approx(biggest.size ** 0.5, rel=1e-3)  # disc area follows papers
        assert page.eval(PAINTED)["painted"] > 200
        assert page.eval("() => document.title") == sel.title
    finally:
        page.close()
