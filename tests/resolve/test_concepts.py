"""graphkit.resolve.concepts: keyword folding, keyword -> MeSH links and the MeSH hierarchy, worked by hand
from the bundled MeSH 2024 table."""

from __future__ import annotations

import pytest

from graphkit.build import build_from_files
from graphkit.resolve.concepts import concept_text
from graphkit.schema import Label, RelType
from conftest import FIXTURES, SEED

FIX = FIXTURES / "concepts" / "keywords_and_mesh.nbib"


@pytest.mark.parametrize(("a", "b"), [
    ("random graphs", "Random graph"),          # plural of the head noun
    ("small-world", "small world"),             # hyphen / space
    ("Tumours", "tumors"),                      # British / American and plural
    ("paediatric surgery", "Pediatric Surgery"),
    ("analyses", "analysis"),                   # a plural noun, not the British verb
    ("children", "child"),
])
def test_folds_together(a: str, b: str) -> None:
    assert concept_text(a) == concept_text(b)


@pytest.mark.parametrize(("a", "b"), [
    ("AIDS", "aids"),            # capitals: an acronym is not a plural
    ("data", "datum"),           # two noun lemmas: left alone
    ("economics", "economic"),
    ("COVID-19", "COVID-18"),
    ("gas", "ga"),
])
def test_kept_apart(a: str, b: str) -> None:
    assert concept_text(a) != concept_text(b)


def test_noun_lemmas_read_from_the_tables_equal_lemminflects_own_function() -> None:
    """_noun_lemmas reads lemminflect's tables directly (its getAllLemmas deep-copies them per call): the
    same answer for every word the tables and the overrides hold, its plural-looking neighbour, and words
    they lack or write in capitals."""
    from lemminflect import getAllLemmas

    from graphkit.resolve.concepts import _lemma_tables, _noun_lemmas

    lemmas, overrides = _lemma_tables()
    words = sorted(set(lemmas) | set(overrides))
    assert len(words) > 50_000 and overrides
    for word in [*words, *(w + "s" for w in words[::7]), "Cells", "ÉTUDES", "xqzvs", "straße", "1990s"]:
        assert _noun_lemmas(word) == getAllLemmas(word, upos="NOUN").get("NOUN"), word


@pytest.fixture(scope="module")
def built():
    return build_from_files([FIX])


@pytest.fixture(scope="module")
def built_columnar():
    from graphkit.engine.core import build_columnar

    return build_columnar([str(FIX)])


@pytest.mark.parametrize("core", ["built", "built_columnar"])
def test_keyword_variants_fold_to_one_node(core, request) -> None:
    # the variants are the core's keyword rule (KeywordInfo in the old core, TERM_STEPS in the columnar
    # one), not rows the concepts extension extracts per record and collects again
    kws = {k["key"]: k for k in request.getfixturevalue(core).graph.nodes(Label.KEYWORD)}
    assert set(kws) == {"kw:butyl alcohol", "kw:doxorubicin", "kw:random graph", "kw:small world network",
                        "kw:tumor"}
    assert kws["kw:random graph"]["papers"] == 2
    assert kws["kw:random graph"]["variants"] == ["Random graph", "random graphs"]  # every form, sorted
    assert kws["kw:tumor"]["variants"] == ["Tumours", "tumors"]
    assert kws["kw:doxorubicin"]["variants"] == ["Doxorubicin"]  # one form


@pytest.fixture(scope="module")
def built_in_batches():
    """The columnar core with the concepts extension reading two keywords at a time (KEYWORD_BATCH)."""
    import graphkit.resolve.concepts as concepts
    from graphkit.engine.core import build_columnar

    kept = concepts.KEYWORD_BATCH
    concepts.KEYWORD_BATCH = 2
    try:
        return build_columnar([str(FIX)])
    finally:
        concepts.KEYWORD_BATCH = kept


@pytest.mark.parametrize("core", ["built", "built_in_batches"])
def test_maps_to_heading_entry_term_and_none(core, request) -> None:
    built = request.getfixturevalue(core)
    links = {(e["source"], e["target"]): e["via"] for e in built.graph.edges(RelType.MAPS_TO)}
    assert links == {
        ("kw:doxorubicin", "mesh:D004317"): "heading",      # Doxorubicin
        ("kw:tumor", "mesh:D009369"): "entry_term",         # Neoplasms, entry term "Tumor"
        # "butyl-alcohol" folds to "butyl alcohol": an entry term of D020001 (1-Butanol) as it is, and of
        # D000440 (Butanols) only folded ("Butyl Alcohols"): the exact one wins
        ("kw:butyl alcohol", "mesh:D020001"): "entry_term",
    }  # "random graph": no MeSH
    report = built.report["concepts"]
    assert report["ambiguous"] == 0
    assert report["linked_by"] == {"heading": 1, "entry_term": 2}
    # the mapped descriptor is a MeshTerm node even though no paper is indexed with it
    assert built.graph.node(Label.MESH, "mesh:D004317")["papers"] == 0


def test_an_entry_term_of_two_descriptors_is_ambiguous() -> None:
    """The bundled table has no such term once exact matches come first, so a two-descriptor table."""
    from graphkit.resolve.concepts import MeshIndex
    from graphkit.resolve.mesh import MeshVocabulary

    vocab = MeshVocabulary([("D1", "Alpha Widgets", "X01.001", ""), ("D2", "Beta Widgets", "X01.002", "")])
    index = MeshIndex(vocab, {"D1": ["Widget Thing", "Gizmo"], "D2": ["Widget Things", "Gizmo"]})
    assert index.match("gizmo") == (None, None, True)  # one text, two descriptors: not linked
    assert index.match("widget thing") == ("D1", "entry_term", False)  # exact before folded
    assert index.match("alpha widget") == ("D1", "heading", False)  # folded heading


def test_hierarchy_edges_for_a_real_tree_path(built) -> None:
    # Neuroendocrine Tumors C04.557.465.625.650 and C04.557.580.625.650 -> Neuroectodermal Tumors
    # (C04.557.465.625 and C04.557.580.625) -> Neoplasms, Germ Cell and Embryonal (C04.557.465) and
    # Neoplasms, Nerve Tissue (C04.557.580) -> Neoplasms by Histologic Type (C04.557) -> Neoplasms (C04)
    broader = {(e["source"], e["target"]) for e in built.graph.edges(RelType.BROADER)}
    path = {("mesh:D018358", "mesh:D017599"), ("mesh:D017599", "mesh:D009373"), ("mesh:D017599", "mesh:D009380"),
            ("mesh:D009373", "mesh:D009370"), ("mesh:D009380", "mesh:D009370"), ("mesh:D009370", "mesh:D009369")}
    assert path <= broader
    assert not any(s == "mesh:D009369" for s, _ in broader)  # C04 is a root
    mesh = {m["key"]: m for m in built.graph.nodes(Label.MESH)}
    assert (mesh["mesh:D018358"]["papers"], mesh["mesh:D018358"]["papers_below"]) == (1, 1)
    assert (mesh["mesh:D009370"]["papers"], mesh["mesh:D009370"]["papers_below"]) == (0, 1)
    assert (mesh["mesh:D009369"]["papers"], mesh["mesh:D009369"]["papers_below"]) == (1, 2)


def test_seed_emtree_terms_linked_where_mesh_has_them(corpus) -> None:
    g = build_from_files([SEED]).graph
    linked = {e["source"]: e["target"] for e in g.edges(RelType.MAPS_TO)}
    assert linked["kw:doxorubicin"] == "mesh:D004317"
    assert linked["kw:neuroendocrine tumor"] == "mesh:D018358"
    assert linked["kw:mitomycin"] == "mesh:D016685"  # the exact heading before the folded "Mitomycins"
    assert linked["kw:greece"] == "mesh:D006115"
    assert "kw:liver metastasis" not in linked  # Emtree term with no MeSH heading or entry term


def test_rdf_as_skos_conforms_to_the_shapes(built) -> None:
    import pyshacl
    import rdflib

    from graphkit.sinks.rdf import to_rdflib

    rdf = to_rdflib(built.graph)
    skos = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
    mesh = rdflib.Namespace("http://id.nlm.nih.gov/mesh/")
    matches = {(p, o) for _, p, o in rdf.triples((None, None, None)) if p in (skos.exactMatch, skos.closeMatch)}
    assert matches == {(skos.exactMatch, mesh.D004317), (skos.closeMatch, mesh.D009369),
                       (skos.closeMatch, mesh.D020001)}
    assert (mesh.D018358, skos.broader, mesh.D017599) in rdf
    assert len(set(rdf.triples((None, skos.broader, None)))) == built.report["concepts"]["broader_edges"]
    assert any(o == rdflib.Literal("random graphs") for o in rdf.objects(None, skos.altLabel))
    assert not any(o == rdflib.Literal("Random graph") for o in rdf.objects(None, skos.altLabel))  # the prefLabel
    shapes = rdflib.Graph().parse(FIXTURES.parent.parent / "ontologies" / "graphkit-shapes.ttl")
    conforms, _, text = pyshacl.validate(rdf, shacl_graph=shapes)
    assert conforms, text


def test_term_network_counts_a_keyword_and_its_mesh_concept_once(built) -> None:
    from graphkit.sinks.vosviewer import vosviewer_json

    items = {i["label"]: i for i in vosviewer_json(built.graph, "terms")["network"]["items"]}
    # Tumours (keyword on papers 1 and 3) maps to Neoplasms (MeSH on paper 2): one item, 3 papers
    assert items["Neoplasms"]["weights"]["Occurrences"] == 3
    assert "Tumours" not in items and "Doxorubicin" in items  # Doxorubicin -> its heading, same name
    assert sum(1 for label in items if label.casefold() == "doxorubicin") == 1


def test_topic_map_draws_one_node_per_concept(built) -> None:
    from graphkit.analysis import topic_network

    net = topic_network(built.graph)
    labels = sorted(d["label"] for _, d in net.nodes(data=True))
    assert labels == ["1-Butanol", "Doxorubicin", "Neoplasms", "Neuroendocrine Tumors", "Random graph",
                      "Small world network"]
    neoplasms = net.nodes["mesh:D009369"]
    assert neoplasms["keywords"] == ["Tumours"] and len(neoplasms["papers"]) == 3


def test_mesh_depth_covers_the_bundled_hierarchy() -> None:
    """The columnar core's ``papers_below`` follows at most MESH_DEPTH BROADER steps: no descriptor of the
    bundled table is further than that from any of its ancestors (by the shortest path, which is what a
    walk that keeps every ancestor it reaches needs)."""
    from graphkit.resolve.concepts import MESH_DEPTH, mesh_index

    index = mesh_index()
    parents = {ui: index.parents(ui) for ui in index.vocab.by_ui}
    deepest = 0
    for ui in parents:
        seen, frontier, steps = {ui}, [ui], 0
        while frontier:
            up = [p for x in frontier for p in parents[x] if p not in seen]
            frontier = list(dict.fromkeys(up))
            seen.update(frontier)
            steps += 1 if frontier else 0
        deepest = max(deepest, steps)
    assert 0 < deepest <= MESH_DEPTH


@pytest.mark.parametrize("rows", [None, 2], ids=["one part", "in parts"])
def test_papers_below_in_sql_equals_the_row_rule(tmp_path, monkeypatch, rows) -> None:
    """The SQL the columnar core's engines run gives every MeshTerm the count the row rule gives: a chain
    deeper than the bundled table's, two paths to one ancestor, a paper indexed with a term and its
    ancestor, a term no paper reaches, a cycle; the same with the pairs counted in parts of two HAS_MESH
    rows (PAPERS_BELOW_ROWS), where a paper's terms share one ancestor across parts of no other paper."""
    import graphkit.resolve.concepts as concepts
    from graphkit.columnar import ColumnarGraph
    from graphkit.engine.core import graph_table, sql_steps
    from graphkit.engine.sql import DuckDBEngine
    from graphkit.resolve.concepts import MESH_DEPTH, _papers_below_sql, count_papers_below

    g = ColumnarGraph()
    chain = [f"mesh:C{i}" for i in range(MESH_DEPTH - 2)]
    for key in [*chain, "mesh:A", "mesh:B", "mesh:TOP", "mesh:LONE", "mesh:X", "mesh:Y"]:
        g.add_node(Label.MESH, key, ui=key[5:], name=key[5:], papers=0)
    for child, parent in [*zip(chain, chain[1:]), ("mesh:A", "mesh:TOP"), ("mesh:B", "mesh:TOP"),
                          (chain[0], "mesh:A"), (chain[0], "mesh:B"), ("mesh:X", "mesh:Y"), ("mesh:Y", "mesh:X")]:
        g.add_edge(RelType.BROADER, child, parent)
    for paper in ("p1", "p2", "p3", "p4", "p5"):
        g.add_node(Label.PAPER, paper)
    for paper, term in [("p1", chain[0]), ("p2", "mesh:A"), ("p2", "mesh:TOP"), ("p3", "mesh:B"), ("p4", "mesh:X"),
                        ("p5", chain[-1])]:
        g.add_edge(RelType.HAS_MESH, paper, term, major=False)
    if rows:
        monkeypatch.setattr(concepts, "PAPERS_BELOW_ROWS", rows)
    eng = DuckDBEngine(str(tmp_path))
    created: list[str] = []
    create = eng.create
    eng.create = lambda name, sql: (created.append(name), create(name, sql))[1]
    try:
        for item in (Label.MESH, RelType.BROADER, RelType.HAS_MESH):
            eng.register_arrow(graph_table(item), g.arrow(item))
        names = {item.value: graph_table(item) for item in (*Label, *RelType)}
        for target, (query,) in sql_steps(eng, _papers_below_sql(), names):
            assert target == Label.MESH.value
            by_sql = {r["key"]: r["papers_below"] for r in eng.arrow(query).to_pylist()}
        assert not [t for t in eng.con.sql("SHOW TABLES").fetchall() if t[0].startswith("work_")]  # dropped
        assert len([t for t in created if t.startswith("work_below_p")]) == (3 if rows else 0)
    finally:
        eng.close()
    count_papers_below(g)
    by_rows = {r["key"]: r["papers_below"] for r in g.nodes(Label.MESH)}
    assert by_sql == by_rows
    assert (by_rows[chain[-1]], by_rows["mesh:TOP"], by_rows["mesh:LONE"], by_rows["mesh:Y"]) == (2, 3, 0, 1)


def test_the_concepts_extension_extracts_no_rows() -> None:
    from graphkit.extend import extensions

    (concepts,) = [ext for ext in extensions() if ext.name == "concepts"]
    assert concepts.extract is None  # MAPS_TO and BROADER come from the graph's Keyword and MeshTerm nodes
