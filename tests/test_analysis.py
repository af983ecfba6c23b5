"""Map selection: networks, budget, ego, paper neighbourhood, communities and layout (no browser)."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from graphkit import analysis
from graphkit.graph import Graph
from graphkit.model import GraphkitError
from graphkit.schema import Label, RelType


def _graph() -> Graph:
    """Two groups of authors (A-D, E-G) joined by D-E, papers 2010-2020, keywords and a MeSH check tag."""
    g = Graph()
    papers = {  # key: (year, authors, keywords, mesh)
        "doi:10.1/p1": (2010, "ABC", ["graphs", "networks"], ["Humans"]),
        "doi:10.1/p2": (2012, "ABD", ["graphs"], ["Humans", "Neoplasms"]),
        "doi:10.1/p3": (2015, "AB", ["graphs", "layout"], []),
        "doi:10.1/p4": (2018, "DE", ["networks", "layout"], ["Neoplasms"]),
        "doi:10.1/p5": (2020, "EFG", ["biology"], ["Humans"]),
        "doi:10.1/p6": (2020, "EF", ["biology", "networks"], []),
        "pmid:7": (None, "H", ["solo"], []),
    }
    for a in "ABCDEFGH":
        g.add_node(Label.AUTHOR, f"name:{a.lower()}|x", name=f"Author {a}", family=f"Author {a}")
    g.add_node(Label.MESH, "mesh:D006801", name="Humans", check_tag=True)
    g.add_node(Label.MESH, "mesh:D009369", name="Neoplasms", check_tag=False)
    g.add_node(Label.JOURNAL, "issn:1234-5678", name="Journal of Graphs")
    for key, (year, authors, kws, mesh) in papers.items():
        g.add_node(Label.PAPER, key, title=f"Title {key}", year=year, doi=key[4:] if key.startswith("doi:") else None)
        g.add_edge(RelType.PUBLISHED_IN, key, "issn:1234-5678")
        for i, a in enumerate(authors, 1):
            g.add_edge(RelType.AUTHORED, f"name:{a.lower()}|x", key, position=i)
        for kw in kws:
            g.add_node(Label.KEYWORD, f"kw:{kw}", name=kw, check_tag=False)
            g.add_edge(RelType.HAS_KEYWORD, key, f"kw:{kw}")
        for m in mesh:
            ui = "mesh:D006801" if m == "Humans" else "mesh:D009369"
            g.add_edge(RelType.HAS_MESH, key, ui)
        keys = [f"name:{a.lower()}|x" for a in authors]
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                e = g.edge(RelType.CO_AUTHOR, a, b)
                g.add_edge(RelType.CO_AUTHOR, a, b, papers=(e["papers"] if e else 0) + 1)
    g.add_edge(RelType.CITES, "doi:10.1/p4", "doi:10.1/p1")
    g.add_edge(RelType.CITES, "doi:10.1/p6", "doi:10.1/p4")
    return g


def k(a: str) -> str:
    return f"name:{a.lower()}|x"


def test_coauthor_network_weights_are_shared_papers():
    g = _graph()
    net = analysis.coauthor_network(g)
    assert set(net) == {k(a) for a in "ABCDEFGH"}
    assert net[k("A")][k("B")]["weight"] == 3
    assert net[k("E")][k("F")]["weight"] == 2
    assert net[k("D")][k("E")]["weight"] == 1
    assert len(net.nodes[k("A")]["papers"]) == 3
    assert net.degree(k("H")) == 0
    assert net.number_of_edges() == g.count(RelType.CO_AUTHOR)


def test_since_recounts_papers_and_links():
    net = analysis.coauthor_network(_graph(), since=2015)
    assert k("C") not in net  # only a 2010 paper
    assert k("H") not in net  # no year: outside any window
    assert net[k("A")][k("B")]["weight"] == 1
    assert not net.has_edge(k("A"), k("D"))  # their shared paper is from 2012


def test_min_weight_drops_weak_links():
    net = analysis.coauthor_network(_graph(), min_weight=2)
    assert sorted(tuple(sorted(e)) for e in net.edges) == sorted([(k("A"), k("B")), (k("E"), k("F"))])


def test_topic_network_leaves_check_tags_out_by_default():
    g = _graph()
    net = analysis.topic_network(g)
    assert "mesh:D006801" not in net
    assert net["kw:graphs"]["kw:layout"]["weight"] == 1
    assert net["kw:graphs"]["kw:networks"]["weight"] == 1
    assert net["kw:graphs"]["mesh:D009369"]["weight"] == 1
    with_tags = analysis.topic_network(g, include_check_tags=True)
    assert with_tags["mesh:D006801"]["kw:graphs"]["weight"] == 2


def test_top_keeps_the_most_productive_and_says_so():
    g = _graph()
    sel = analysis.select_map(g, "coauthors", top=3)
    net = analysis.coauthor_network(g)
    papers = sorted((len(net.nodes[v]["papers"]) for v in net), reverse=True)
    assert sorted((len(net.nodes[n.id]["papers"]) for n in sel.nodes), reverse=True) == papers[:3]
    assert sel.total == 8 and sel.truncated
    assert sel.summary() == "showing 3 of 8 authors"
    assert analysis.select_map(g, "coauthors").summary() == f"8 authors, {net.number_of_edges()} links"


def test_ego_network_is_depth_two():
    g = _graph()
    sel = analysis.select_map(g, "ego", author="author a")
    net = analysis.coauthor_network(g)
    expected = set(nx.ego_graph(net, k("A"), radius=2))
    assert {n.id for n in sel.nodes} == expected
    assert k("E") in expected and k("F") not in expected
    assert [n.id for n in sel.nodes if n.focus] == [k("A")]


def test_ego_by_term_and_budget_keeps_the_centre():
    g = _graph()
    sel = analysis.select_map(g, "ego", term="networks", top=2)
    assert len(sel.nodes) == 2
    assert "kw:networks" in {n.id for n in sel.nodes}
    assert sel.summary().startswith("showing 2 of ")


def test_paper_map_has_authors_journal_terms_and_citations():
    g = _graph()
    sel = analysis.select_map(g, "paper", doi="https://doi.org/10.1/P4")
    ids = {n.id for n in sel.nodes}
    assert ids == {"doi:10.1/p4", k("D"), k("E"), "issn:1234-5678", "kw:networks", "kw:layout", "mesh:D009369",
                   "doi:10.1/p1", "doi:10.1/p6"}
    kinds = {e.kind for e in sel.edges}
    assert {"AUTHORED", "PUBLISHED_IN", "HAS_KEYWORD", "HAS_MESH", "CITES", "CITED_BY"} == kinds
    papers = {n.id: n.url for n in sel.nodes if n.kind == "Paper"}
    assert papers["doi:10.1/p1"] == "https://doi.org/10.1/p1"
    assert sel.kinds == sorted({"Paper", "Author", "Journal", "Keyword", "MeshTerm"})


@pytest.mark.parametrize("kwargs, message", [
    ({"kind": "ego"}, "exactly one of"),
    ({"kind": "ego", "author": "nobody at all"}, "no author matches"),
    ({"kind": "paper"}, "needs --doi"),
    ({"kind": "paper", "doi": "10.9/none"}, "no paper matches '10.9/none'"),
    ({"kind": "galaxy"}, "unknown map"),
    ({"kind": "coauthors", "since": 2030}, "nothing to draw: the graph has no authors with papers from 2030 on"),
])
def test_errors_are_user_errors(kwargs, message):
    with pytest.raises(GraphkitError, match=message):
        analysis.select_map(_graph(), **kwargs)


def test_communities_are_seeded_and_cover_every_node():
    net = analysis.coauthor_network(_graph())
    first = analysis.communities(net, seed=7)
    assert first == analysis.communities(net, seed=7)
    assert set(first) == set(net)
    assert first[k("H")] == analysis.UNCONNECTED
    assert first[k("A")] == first[k("B")] != first[k("F")] == first[k("G")]


def test_layout_is_deterministic_finite_and_spread():
    net = analysis.coauthor_network(_graph())
    comm = analysis.communities(net)
    pos = analysis.layout(net, comm, seed=3)
    assert pos == analysis.layout(net, comm, seed=3)
    assert set(pos) == set(net)
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in pos.values())
    pts = list(pos.values())
    closest = min(math.dist(p, q) for i, p in enumerate(pts) for q in pts[i + 1:])
    assert closest > 1.0  # no two nodes on top of each other


def test_large_layout_keeps_communities_apart():
    """Two dense groups linked by one edge: each group's disc must not overlap the other's."""
    g = nx.Graph()
    for grp in range(2):
        members = [f"{grp}-{i}" for i in range(60)]
        g.add_nodes_from(members, label="x", papers=[])
        g.add_edges_from((a, b) for i, a in enumerate(members) for b in members[i + 1:i + 4])
    g.add_edge("0-0", "1-0")
    comm = {v: int(v[0]) for v in g}
    pos = analysis.layout(g, comm)
    centre = {c: [sum(pos[v][i] for v in g if comm[v] == c) / 60 for i in (0, 1)] for c in (0, 1)}
    radius = {c: max(math.dist(pos[v], centre[c]) for v in g if comm[v] == c) for c in (0, 1)}
    assert math.dist(centre[0], centre[1]) >= radius[0] + radius[1] - 1e-6


def _with_consortium(g: Graph, n: int = 25) -> Graph:
    """One paper by 25 one-paper authors: the clique that used to fill the co-author map."""
    g.add_node(Label.PAPER, "doi:10.1/big", title="A consortium paper", year=2021, doi="10.1/big")
    keys = [f"name:member{i:02d}|m" for i in range(n)]
    for i, key in enumerate(keys, 1):
        g.add_node(Label.AUTHOR, key, name=f"Member {i}", family=f"Member {i}")
        g.add_edge(RelType.AUTHORED, key, "doi:10.1/big", position=i)
    g.add_edge(RelType.AUTHORED, k("A"), "doi:10.1/big", position=n + 1)
    for i, a in enumerate(keys + [k("A")]):
        for b in (keys + [k("A")])[i + 1:]:
            g.add_edge(RelType.CO_AUTHOR, a, b, papers=1)
    return g


def test_selection_ranks_authors_by_papers_not_by_links():
    g = _with_consortium(_graph())
    sel = analysis.select_map(g, "coauthors", top=3)
    authors = [n.id for n in sel.nodes if n.kind == "Author"]
    # A has 4 papers, B and E 3 each (B first: links of strength 5 against 4); the 25 members have one
    # paper and 25 links each: ranking by link count would have picked them
    assert set(authors) == {k("A"), k("B"), k("E")}


def test_a_many_author_paper_is_one_node_not_a_clique():
    g = _with_consortium(_graph())
    sel = analysis.select_map(g, "coauthors")
    papers = [n for n in sel.nodes if n.kind == "Paper"]
    assert [p.id for p in papers] == ["doi:10.1/big"]
    members = {n.id for n in sel.nodes if n.id.startswith("name:member")}
    pair_links = [e for e in sel.edges if e.kind == "CO_AUTHOR" and {e.source, e.target} & members]
    assert pair_links == []  # no clique among the 26 authors of the big paper
    # the 25 members have no other link on the map: counted in the paper's node, not drawn; A stays
    assert members == set() and sel.folded == 25
    assert [{e.source, e.target} for e in sel.edges if e.kind == "AUTHORED"] == [{"doi:10.1/big", k("A")}]
    assert papers[0].label.startswith("[26 authors] A consortium paper")
    assert dict(papers[0].info)["not drawn (no other link on the map)"].startswith("25: Member 1; Member 2; ")
    assert "1 paper with more than 20 authors drawn as one node" in sel.summary()
    assert "25 of their authors with no other link on the map are counted in the paper's node" in sel.summary()
    assert sel.summary().startswith("33 authors, 10 links")
    # fold=False draws them all, as a star around the paper
    every = analysis.select_map(g, "coauthors", fold=False)
    assert sum(1 for e in every.edges if e.kind == "AUTHORED") == 26 and every.folded == 0
    assert every.summary().startswith("33 authors")
    assert set(every.largest_paper) >= {f"name:member{i:02d}|m" for i in range(25)}


def _with_long_keyword_list(g: Graph, n: int = 15) -> Graph:
    """One paper with 15 keywords no other paper has, plus 'graphs' (shared): the ring of one keyword list."""
    g.add_node(Label.PAPER, "doi:10.1/long", title="A paper with a long keyword list", year=2019, doi="10.1/long")
    for i in range(n):
        g.add_node(Label.KEYWORD, f"kw:only{i:02d}", name=f"only {i}", check_tag=False)
        g.add_edge(RelType.HAS_KEYWORD, "doi:10.1/long", f"kw:only{i:02d}")
    g.add_edge(RelType.HAS_KEYWORD, "doi:10.1/long", "kw:graphs")
    return g


def test_a_paper_with_many_terms_of_its_own_is_one_node_not_a_ring():
    g = _with_long_keyword_list(_graph())
    sel = analysis.select_map(g, "topics")
    ids = {n.id for n in sel.nodes}
    assert not any(i.startswith("kw:only") for i in ids)  # the 15 one-paper terms are counted, not drawn
    paper = next(n for n in sel.nodes if n.kind == "Paper")
    assert paper.id == "doi:10.1/long" and paper.label.startswith("[15 terms] A paper with a long keyword list")
    assert dict(paper.info)["not drawn (in no other paper)"].startswith("15: only 0; only 1; ")
    # linked to its term that other papers carry too; terms of other papers (one paper each, few) stay
    assert [{e.source, e.target} for e in sel.edges if e.kind == "HAS_TERM"] == [{"doi:10.1/long", "kw:graphs"}]
    assert {"kw:graphs", "kw:networks", "kw:layout", "kw:biology", "kw:solo"} <= ids
    assert sel.folded == 15 and sel.big_papers == 1
    assert "1 paper with more than 12 terms found in no other paper drawn as one node" in sel.summary()
    assert sel.largest_paper == ["doi:10.1/long"]
    # fold=False (viz --all-terms) draws the ring again; a term ego map keeps its centre
    every = analysis.select_map(g, "topics", fold=False)
    assert sum(1 for n in every.nodes if n.id.startswith("kw:only")) == 15 and every.folded == 0
    assert len(every.largest_paper) == 15
    ego = analysis.select_map(g, "ego", term="kw:only03")
    assert any(n.id == "kw:only03" and n.focus for n in ego.nodes)
    assert sum(1 for n in ego.nodes if n.id.startswith("kw:only")) == 1


def test_term_ego_map_is_depth_one_by_default():
    g = _graph()
    sel = analysis.select_map(g, "ego", term="graphs")
    net = analysis.topic_network(g, include_check_tags=True)
    assert {n.id for n in sel.nodes} == set(nx.ego_graph(net, "kw:graphs", radius=1))
    assert sel.title.endswith("depth 1")
    deeper = analysis.select_map(g, "ego", term="graphs", depth=2)
    assert len(deeper.nodes) > len(sel.nodes)


def test_same_input_same_picture_whatever_the_build_order():
    """The nodes and links of a graph built in another order (as hash order can do between runs) get the
    same communities and positions."""
    g = _with_consortium(_graph())
    rebuilt = Graph()
    for label in (Label.AUTHOR, Label.PAPER, Label.JOURNAL, Label.KEYWORD, Label.MESH):
        for row in reversed(list(g.nodes(label))):
            rebuilt.add_node(label, row["key"], **{k: v for k, v in row.items() if k != "key"})
    for rel in RelType:
        for e in reversed(list(g.edges(rel))):
            rebuilt.add_edge(rel, e["source"], e["target"],
                             **{k: v for k, v in e.items() if k not in ("source", "target")})
    for kind in ("coauthors", "topics"):
        a, b = analysis.select_map(g, kind, fold=False), analysis.select_map(rebuilt, kind, fold=False)
        assert {n.id: (n.community, round(n.x, 6), round(n.y, 6)) for n in a.nodes} == \
            {n.id: (n.community, round(n.x, 6), round(n.y, 6)) for n in b.nodes}


def test_same_picture_in_another_process():
    """Python's hash seed changes between processes (and with it the order of sets, e.g. in networkx
    subgraph views): the positions of the sample's co-author map must not."""
    import subprocess
    import sys

    code = ("from graphkit import analysis, sample_files\nfrom graphkit.build import build_from_files\n"
            "s = analysis.select_map(build_from_files(sample_files()).graph, 'coauthors')\n"
            "print(sorted((n.id, round(n.x, 3), round(n.y, 3)) for n in s.nodes))")
    out = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**__import__("os").environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")]
    assert out[0] == out[1] and out[0].startswith("[(")
