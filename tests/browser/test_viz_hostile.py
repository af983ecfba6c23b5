"""Record text is untrusted: titles, names, journals and keywords made of markup (tests/fixtures/viz/hostile.ris)
show as literal text in tooltips, labels and search, and nothing in them runs or loads."""

from __future__ import annotations

import pytest

from _chromium import browser, open_page  # noqa: F401  (browser is a fixture)
from conftest import FIXTURES
from graphkit import analysis
from graphkit.build import build_from_files
from graphkit.sinks.html import FOCUS_LABEL, short_label, write_selection

pytestmark = pytest.mark.browser

HOSTILE = FIXTURES / "viz" / "hostile.ris"
# Anything that would run sets a flag: alert/confirm/prompt are replaced before the page's own scripts.
TRAP = """
window.__pwned = 0;
window.alert = window.confirm = window.prompt = function () { window.__pwned += 1; };
window.__opened = []; window.open = function (u) { window.__opened.push(String(u)); return null; };
"""
MARKUP = "img, svg, iframe, b, object, embed, script:not([type]):not([src])"


def _maps():
    graph = build_from_files([HOSTILE]).graph
    paper = next(r for r in graph.nodes(analysis.Label.PAPER) if "<img" in (r.get("title") or ""))
    return {
        "coauthors": analysis.select_map(graph, "coauthors"),
        "topics": analysis.select_map(graph, "topics"),
        "ego": analysis.select_map(graph, "ego", author="<script>window.__pwned=1</script>"),
        "paper": analysis.select_map(graph, "paper", doi=paper["doi"]),
    }


@pytest.fixture(scope="module")
def hostile_maps():
    return _maps()


def _assert_nothing_ran(page, scripts_before: int) -> None:
    assert page.eval("() => window.__pwned") == 0
    assert page.dialogs == []
    assert page.foreign_requests() == []  # an injected <img src=x> would request file:///.../x
    assert page.errors == []
    assert page.eval(f"() => document.querySelectorAll({MARKUP!r}).length") == scripts_before


@pytest.mark.parametrize("kind", ["coauthors", "topics", "ego", "paper"])
def test_hostile_text_is_shown_as_text_and_runs_nothing(browser, tmp_path, hostile_maps, kind):
    sel = hostile_maps[kind]
    assert any("<" in n.label for n in sel.nodes), "the fixture should put markup into this map"
    out = tmp_path / f"hostile-{kind}.html"
    write_selection(sel, out)
    page = open_page(browser, out, init_script=TRAP)
    try:
        # the page's own inline scripts (vis-network and graphkit's), nothing else
        scripts = page.eval(f"() => document.querySelectorAll({MARKUP!r}).length")
        assert scripts == 2
        _assert_nothing_ran(page, scripts)
        assert page.eval("() => document.title") == sel.title
        assert page.eval("() => document.getElementById('gk-title').textContent") == sel.title

        if kind == "paper":  # the paper's title is not on the canvas but in the side panel, as text
            centre = next(n for n in sel.nodes if n.focus)
            assert "<img" in centre.label
            assert page.eval("(id) => graphkit.nodes.get(id).label", centre.id) == FOCUS_LABEL
            panel = page.eval("""() => { const p = document.getElementById('gk-focus');
                return {hidden: p.hidden, title: p.querySelector('.gk-panel-title').textContent,
                        markup: p.querySelectorAll('*:not(div):not(span):not(h2):not(a)').length}; }""")
            assert panel == {"hidden": False, "title": centre.label, "markup": 0}
        for node in sel.nodes:
            # canvas labels are the text itself (drawn with fillText, never parsed)
            if not (kind == "paper" and node.focus):
                assert page.eval("(id) => graphkit.nodes.get(id).label", node.id) == short_label(node.label)
            # hover with the real mouse: the tooltip shows the name literally
            x, y = page.node_dom_point(node.id)
            page.page.mouse.move(x, y)
            page.page.wait_for_function(
                "(name) => { const t = document.getElementById('gk-tooltip');"
                " return !t.hidden && t.firstChild && t.firstChild.textContent === name; }",
                arg=node.label, timeout=5000)
            tip = page.eval("""() => { const t = document.getElementById('gk-tooltip');
                return {text: t.textContent, markup: t.querySelectorAll('*:not(div):not(span)').length}; }""")
            assert node.label in tip["text"]
            assert tip["markup"] == 0
            # a click shows it in the side panel, literally
            page.page.mouse.click(x, y)
            shown = page.eval("""() => { const p = document.getElementById('gk-selected');
                return [p.hidden, p.querySelector('.gk-panel-title').textContent,
                        p.querySelectorAll('*:not(div):not(span):not(h2):not(a)').length]; }""")
            assert shown == [False, node.label, 0]
            # (a click on a paper opens its DOI, nothing else)
            assert all(u.startswith("https://doi.org/") for u in page.eval("() => window.__opened"))
            page.page.mouse.move(2, 790)
        _assert_nothing_ran(page, scripts)

        # the search box takes the text literally, offers it literally, and finds the node
        names = page.eval("() => Array.from(document.querySelectorAll('#gk-names option')).map(o => o.value)")
        assert sorted(names) == sorted({n.label for n in sel.nodes})
        target = next(n for n in sel.nodes if "<" in n.label)
        page.page.fill("#gk-query", target.label)
        page.page.press("#gk-query", "Enter")
        page.page.wait_for_function("(id) => network.getSelectedNodes()[0] === id", arg=target.id, timeout=5000)
        _assert_nothing_ran(page, scripts)
    finally:
        page.close()
