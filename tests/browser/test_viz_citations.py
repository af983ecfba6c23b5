"""`graphkit viz citations` (the historiograph) in headless Chromium: offline, the selected works drawn
with arrows from citing to cited, placed left to right by year, cited-only works coloured apart."""

from __future__ import annotations

import pytest

from _chromium import PAINTED, browser, open_map  # noqa: F401  (browser is a fixture)
from conftest import FIXTURES, need_corpus
from graphkit import analysis
from graphkit.build import build_from_files
from graphkit.citations.historiograph import CITED_ONLY, SET
from graphkit.model import GraphkitError
from graphkit.sinks.html import CITED_ONLY_SHAPE, FOCUS_LABEL, ROLE_STYLES, community_color

pytestmark = [pytest.mark.browser, pytest.mark.corpus]


def test_historiograph_of_a_wos_file(browser, tmp_path):
    path = need_corpus() / "wos" / "bibliometrix__performance_soccer.txt"
    sel = analysis.select_map(build_from_files([path]).graph, "citations", top=40)
    assert len(sel.nodes) == 40 and sel.edges and sel.total > 40
    groups = {n.community for n in sel.nodes}
    assert groups == {SET, CITED_ONLY}  # the soccer papers cite classics the file does not hold
    page = open_map(browser, sel, tmp_path, "historiograph")
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


def _soccer():
    path = need_corpus() / "wos" / "bibliometrix__performance_soccer.txt"
    return build_from_files([path]).graph


def test_paper_map_tells_cites_from_cited_by(browser, tmp_path):  # noqa: F811
    """A paper of the soccer file that both cites papers of the graph and is cited by some: its references
    (left, one colour and shape) and its citing papers (right, another), arrows from citing to cited, the
    title in the side panel and not on the canvas."""
    graph = _soccer()
    cites: dict[str, set] = {}
    cited: dict[str, set] = {}
    for e in graph.edges(analysis.RelType.CITES):
        if e["source"] != e["target"]:
            cites.setdefault(e["source"], set()).add(e["target"])
            cited.setdefault(e["target"], set()).add(e["source"])
    key = max((k for k in cites if k in cited and k.startswith("doi:")),
              key=lambda k: (min(len(cites[k]), len(cited[k])), k))
    sel = analysis.select_map(graph, "paper", doi=key[4:])
    refs = {n.id for n in sel.nodes if n.role == "cites"}
    citing = {n.id for n in sel.nodes if n.role == "cited by"}
    assert refs and citing and refs <= cites[key] and citing <= cited[key]
    assert refs | citing == (cites[key] | cited[key]) - {key}
    page = open_map(browser, sel, tmp_path, "paper")
    try:
        assert page.errors == [] and page.foreign_requests() == []
        drawn = {n["id"]: n for n in page.eval("() => graphkit.nodes.get()")}
        assert {drawn[i]["color"] for i in refs} == {ROLE_STYLES["cites"][0]}
        assert {drawn[i]["shape"] for i in refs} == {ROLE_STYLES["cites"][1]}
        assert {drawn[i]["color"] for i in citing} == {ROLE_STYLES["cited by"][0]}
        assert {drawn[i]["shape"] for i in citing} == {ROLE_STYLES["cited by"][1]}
        # arrows point from the citing paper to the cited one
        arrows = {(e["from"], e["to"]): e.get("arrows") for e in page.eval("() => graphkit.edges.get()")}
        for r in refs:
            assert arrows[(key, r)] == "to"
        for c in citing:
            assert arrows[(c, key)] == "to"
        assert {a for (s, t), a in arrows.items() if s not in refs | citing and t not in refs | citing} == {None}
        # references on the left of the paper, citing papers on the right
        pos = page.eval("() => network.getPositions()")
        assert all(pos[r]["x"] < pos[key]["x"] for r in refs)
        assert all(pos[c]["x"] > pos[key]["x"] for c in citing)
        # the title is in the side panel, the canvas says "this paper"
        assert drawn[key]["label"] == FOCUS_LABEL
        title = next(n.label for n in sel.nodes if n.focus)
        assert page.eval("() => document.querySelector('#gk-focus .gk-panel-title').textContent") == title
        legend = page.eval("""() => Array.from(document.querySelectorAll('#gk-legend .gk-row')).map(r =>
            [r.firstChild.className, r.lastChild.textContent])""")
        texts = dict((t, c) for c, t in legend)
        assert f"cites: in this paper's references ({len(refs)})" in texts
        assert f"cited by: papers citing this one ({len(citing)})" in texts
        assert "gk-triangle" in texts[f"cites: in this paper's references ({len(refs)})"]
        assert "gk-square" in texts[f"cited by: papers citing this one ({len(citing)})"]
    finally:
        page.close()


def test_cited_only_works_have_their_own_shape(browser, tmp_path):  # noqa: F811
    sel = analysis.select_map(_soccer(), "citations", top=40)
    page = open_map(browser, sel, tmp_path, "historiograph")
    try:
        shapes = dict(page.eval("() => graphkit.nodes.get().map(n => [n.id, n.shape])"))
        for n in sel.nodes:
            assert shapes[n.id] == (CITED_ONLY_SHAPE if n.community == CITED_ONLY else "dot")
        legend = page.eval("() => Array.from(document.querySelectorAll('#gk-legend .gk-sw')).map(s => s.className)")
        assert legend == ["gk-sw", f"gk-sw gk-{CITED_ONLY_SHAPE}"]
    finally:
        page.close()
