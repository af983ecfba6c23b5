"""Every map type, built from corpus files and from the seed, opened from file:// in headless Chromium:
no request but the page itself, no console error, the vis network holds exactly what analysis.py
selected, and the canvas is drawn."""

from __future__ import annotations

import functools
from collections import Counter

import pytest

from _chromium import PAINTED, browser, open_page  # noqa: F401  (browser is a fixture)
from conftest import CORPUS, SEED, need_corpus
from graphkit import analysis
from graphkit.build import build_from_files
from graphkit.schema import Label, RelType
from graphkit.sinks.html import write_selection

pytestmark = [pytest.mark.browser, pytest.mark.corpus]

# A spread of formats and sources (two reviews' exports from PubMed, Scopus and WoS overlap); the WoS
# soccer file has cited references that resolve to papers of the same file (CITES for the paper map).
SPREAD = ["nbib/pybibx__pubmed.txt", "ris/revtools__restoration_scopus.ris", "wos/revtools__restoration_WoS.ciw",
          "nbib/revtools__restoration_pubmed.nbib", "wos/bibliometrix__performance_soccer.txt"]
DATASETS = {"seed": [SEED], "corpus": [CORPUS / f for f in SPREAD]}
MAPS = ["coauthors", "topics", "ego-author", "ego-term", "paper"]


@functools.lru_cache(maxsize=None)
def _graph(dataset: str):
    need_corpus()
    paths = DATASETS[dataset]
    assert all(p.exists() for p in paths), [p for p in paths if not p.exists()]
    return build_from_files(paths).graph


def _most_connected_paper(graph) -> str:
    """The paper with a DOI that has the most citations, then the most authors and terms."""
    cites: Counter[str] = Counter()
    for e in graph.edges(RelType.CITES):
        cites[e["source"]] += 1
        cites[e["target"]] += 1
    links: Counter[str] = Counter()
    for rel in (RelType.HAS_KEYWORD, RelType.HAS_MESH):
        for e in graph.edges(rel):
            links[e["source"]] += 1
    for e in graph.edges(RelType.AUTHORED):
        links[e["target"]] += 1
    papers = [r for r in graph.nodes(Label.PAPER) if r.get("doi")]
    return max(papers, key=lambda r: (cites[r["key"]], links[r["key"]], r["key"]))["doi"]


def _selection(graph, kind: str) -> analysis.Selection:
    if kind == "ego-author":
        net = analysis.coauthor_network(graph)
        center = min(net, key=lambda v: (-net.degree(v), v))
        return analysis.select_map(graph, "ego", author=net.nodes[center]["label"])
    if kind == "ego-term":
        net = analysis.topic_network(graph, include_check_tags=True)
        center = min(net, key=lambda v: (-net.degree(v), v))
        return analysis.select_map(graph, "ego", term=center)
    if kind == "paper":
        return analysis.select_map(graph, "paper", doi=_most_connected_paper(graph))
    return analysis.select_map(graph, kind)


@pytest.mark.parametrize("dataset", list(DATASETS))
@pytest.mark.parametrize("kind", MAPS)
def test_map_loads_offline_and_holds_the_selection(browser, tmp_path, dataset, kind):
    sel = _selection(_graph(dataset), kind)
    assert sel.nodes, "the selection is empty: nothing to draw"
    out = tmp_path / f"{dataset}-{kind}.html"
    write_selection(sel, out)

    page = open_page(browser, out)
    try:
        assert page.foreign_requests() == []
        assert page.requests == [page.url]
        assert page.errors == []
        assert page.dialogs == []

        ids, n_edges, pairs = page.eval("""() => [graphkit.nodes.getIds(), graphkit.edges.length,
            graphkit.edges.get().map(e => [e.from, e.to])]""")
        assert sorted(ids) == sorted(n.id for n in sel.nodes)
        assert n_edges == len(sel.edges)
        assert sorted(map(tuple, pairs)) == sorted((e.source, e.target) for e in sel.edges)
        # vis draws from its own body: every node and edge made it past the DataSet
        drawn = page.eval("() => [Object.keys(network.body.nodes).length, network.body.edgeIndices.length]")
        assert drawn == [len(sel.nodes), len(sel.edges)]

        pixels = page.eval(PAINTED)
        assert pixels["painted"] > 200, pixels  # discs, links and labels, not a blank canvas
        assert page.eval("() => document.getElementById('gk-summary').textContent") == sel.summary()
        assert page.eval("() => document.title") == sel.title
    finally:
        page.close()


def test_budget_is_said_on_the_page(browser, tmp_path):
    graph = _graph("corpus")
    total = analysis.coauthor_network(graph).number_of_nodes()
    top = total // 3
    sel = analysis.select_map(graph, "coauthors", top=top)
    out = tmp_path / "budget.html"
    write_selection(sel, out)
    page = open_page(browser, out)
    try:
        # the budget counts authors; papers with more than 20 authors come as extra paper nodes, and
        # those of their authors with no other link on the map are counted in them, not drawn
        assert page.eval("() => graphkit.nodes.length") == top + sel.big_papers - sel.folded
        summary = page.eval("() => document.getElementById('gk-summary').textContent")
        assert summary.startswith(f"showing {top:,} of {total:,} authors")
        assert summary == sel.summary()
        assert page.errors == [] and page.foreign_requests() == []
    finally:
        page.close()
