"""neo4j-admin CSV export: file layout and quoting, and a real import with the Maven jars' AdminTool."""

from __future__ import annotations

import csv
import os
import shlex
import subprocess
from pathlib import Path

import pytest

from graphkit.build import build_graph
from graphkit.graph import Graph
from graphkit.schema import Label, RelType
from graphkit.sinks import export
from graphkit.sinks.neo4j import Neo4jStore
from graphkit.sinks.neo4j_admin import paper_terms, write_neo4j_admin
from conftest import ROOT
from tests.sinks.test_neo4j import FILE_A, FILE_B, HOSTILE

LIB = ROOT / ".cache" / "neo4j" / "lib"


def hostile_graph() -> Graph:
    g = build_graph(FILE_A + FILE_B).graph
    for i, text in enumerate(HOSTILE):
        g.add_node(Label.PAPER, f"title:{text}", title=text, abstract=text, year=1990 + i,
                   sources=[text.replace(";", ","), "x.ris:1:ris"])
        g.add_node(Label.KEYWORD, f"kw:{text}", name=text, check_tag=True)
        g.add_edge(RelType.HAS_KEYWORD, f"title:{text}", f"kw:{text}")
    g.add_node(Label.PAPER, "title:empty", title="", abstract=None)
    return g


def read_csv(head: Path, data: Path) -> list[dict[str, str]]:
    header = next(csv.reader(head.open(encoding="utf-8")))
    with data.open(encoding="utf-8", newline="") as fh:
        return [dict(zip(header, row)) for row in csv.reader(fh)]


def test_files_headers_and_values(tmp_path):
    g = hostile_graph()
    summary = export(g, "neo4j-admin", tmp_path / "out")
    out = tmp_path / "out"
    assert summary["nodes"] == {str(k): v for k, v in g.counts().items() if k in {str(lb) for lb in Label}}
    header = (out / "nodes_Paper.header.csv").read_text(encoding="utf-8").strip().split(",")
    assert header[0] == "key:ID(Paper)"
    assert {"year:long", "sources:string[]", "title:string", "terms:string"} <= set(header)
    assert (out / "nodes_Keyword.header.csv").read_text().strip() == (
        "key:ID(Keyword),name:string,check_tag:boolean,papers:long,variants:string[]")
    rels = (out / "rels_AUTHORED.header.csv").read_text().strip()
    assert rels == ":START_ID(Author),:END_ID(Paper),position:long,:TYPE"
    assert not (out / "nodes_MeshTerm.csv").exists() or g.count(Label.MESH)
    rows = {r["key:ID(Paper)"]: r for r in read_csv(out / "nodes_Paper.header.csv", out / "nodes_Paper.csv")}
    for text in HOSTILE:
        row = rows[f"title:{text}"]
        assert row["title:string"] == text and row["terms:string"] == text
        assert row["sources:string[]"].split(summary["array_delimiter"]) == [text.replace(";", ","), "x.ris:1:ris"]
    assert rows["doi:10.1000/test.1"]["terms:string"] == paper_terms(g)["doi:10.1000/test.1"]
    # an empty string is quoted (kept), a missing value is an empty field (absent)
    raw = (out / "nodes_Paper.csv").read_text(encoding="utf-8")
    assert '"title:empty",,,"",,' in raw  # key, doi, pmid missing, title empty, abstract missing
    command = (out / "COMMAND.txt").read_text()
    assert summary["command"] in command
    assert summary["command"].startswith("neo4j-admin database import full ")
    assert "--nodes=Paper=nodes_Paper.header.csv,nodes_Paper.csv" in summary["command"]
    assert "--relationships=rels_CO_AUTHOR.header.csv,rels_CO_AUTHOR.csv" in summary["command"]
    assert "--multiline-fields=true" in summary["command"]
    assert "CREATE FULLTEXT INDEX paper_text" in (out / "schema.cypher").read_text()
    assert os.access(out / "import.sh", os.X_OK)


def test_array_delimiter_avoids_semicolons_in_values(tmp_path):
    g = Graph()
    g.add_node(Label.PAPER, "p", sources=["a;b.ris:1:ris", "c.ris:2:ris"])
    summary = write_neo4j_admin(g, tmp_path)
    assert summary["array_delimiter"] == "|"
    assert "--array-delimiter=|" in shlex.split(summary["command"])
    rows = read_csv(tmp_path / "nodes_Paper.header.csv", tmp_path / "nodes_Paper.csv")
    assert rows[0]["sources:string[]"].split("|") == ["a;b.ris:1:ris", "c.ris:2:ris"]


# -- the real import, compared with the Bolt loader ---------------------------------------------------

def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)


@pytest.mark.neo4j
def test_admin_import_matches_bolt_loader(tmp_path, neo4j_empty, neo4j_env):
    if not (LIB / ".graphkit-version").exists():
        msg = "Neo4j jars not fetched (scripts/neo4j fetch)"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    g = hostile_graph()
    uri, user, password = neo4j_env
    with Neo4jStore(uri, user=user, password=password) as store:
        store.write_graph(g)
        bolt_counts = store.counts()
        bolt_papers = store.run("MATCH (p:Paper) RETURN p.key AS key, p.title AS title, p.abstract AS abstract, "
                                "p.year AS year, p.sources AS sources, p.terms AS terms ORDER BY key")

    out, home = tmp_path / "csv", tmp_path / "home"
    write_neo4j_admin(g, out)
    env = {**os.environ, "NEO4J_ADMIN": f"{ROOT / 'scripts' / 'neo4j'} admin --home {home}",
           "GRAPHKIT_NEO4J_HEAP": "512m"}
    done = _run(["bash", str(out / "import.sh")], env=env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "IMPORT DONE" in done.stdout + done.stderr

    started = _run([str(ROOT / "scripts" / "neo4j"), "start", "--home", str(home), "--keep-data", "--print-env"],
                   env=env)
    try:
        assert started.returncode == 0, started.stderr[-2000:]
        second = dict(line.removeprefix("export ").split("=", 1) for line in started.stdout.splitlines())
        with Neo4jStore(second["NEO4J_URI"], user="neo4j", password=second["NEO4J_PASSWORD"]) as imported:
            assert imported.counts() == bolt_counts == g.counts()
            papers = imported.run("MATCH (p:Paper) RETURN p.key AS key, p.title AS title, p.abstract AS abstract, "
                                  "p.year AS year, p.sources AS sources, p.terms AS terms ORDER BY key")
            assert papers == bolt_papers
            imported.ensure_schema()  # what schema.cypher does; then search works on the imported store
            assert [h["key"] for h in imported.search("naive", kind="paper")] == [f"title:{HOSTILE[-1]}"]
    finally:
        _run([str(ROOT / "scripts" / "neo4j"), "stop", "--home", str(home)])


def test_columnar_graph_files_equal_the_row_writers(tmp_path):
    """A columnar graph's files are written by DuckDB from Arrow: same rows, same quoting (the rows may
    come in another order)."""
    from collections import Counter

    from graphkit.columnar import ColumnarGraph, rows_to_arrow

    g = hostile_graph()
    tables = {item: rows_to_arrow(item, g.nodes(item) if isinstance(item, Label) else g.edges(item))
              for item in (*Label, *RelType)}
    rows = write_neo4j_admin(g, tmp_path / "rows")
    arrow = write_neo4j_admin(ColumnarGraph(tables), tmp_path / "arrow")
    assert rows["command"] == arrow["command"] and rows["array_delimiter"] == arrow["array_delimiter"]
    for f in sorted((tmp_path / "rows").iterdir()):
        if f.name.startswith("."):  # graphkit's own bookkeeping (times), not an import file
            continue
        x, y = f.read_text(encoding="utf-8"), (tmp_path / "arrow" / f.name).read_text(encoding="utf-8")
        if f.suffix == ".csv" and "header" not in f.name:
            assert sorted(csv.reader(x.splitlines(keepends=True))) == sorted(csv.reader(y.splitlines(keepends=True)))
            assert Counter(x) == Counter(y), f.name  # the same quotes, delimiters and newlines
        else:
            assert x == y, f.name


@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="reads Linux's /proc/self/maps")
def test_spilled_tables_are_written_the_same_and_let_go_after_each_file(tmp_path, monkeypatch):
    """A columnar graph whose tables are on disk (ColumnarGraph.spill) gives the same files, and the
    writer maps each table only while it writes its file (at 1M the tables are 3.2 GB)."""
    from graphkit.columnar import ColumnarGraph, rows_to_arrow
    from graphkit.sinks import neo4j_admin

    g = hostile_graph()
    tables = {item: rows_to_arrow(item, g.nodes(item) if isinstance(item, Label) else g.edges(item))
              for item in (*Label, *RelType)}
    spilled = ColumnarGraph(tables)
    for item in tables:
        assert spilled.spill(item, directory=str(tmp_path / "spill"))
    still_mapped = []
    write = neo4j_admin._ArrowWriter.write

    def watched(self, item, *args, **kwargs):
        write(self, item, *args, **kwargs)
        with open("/proc/self/maps") as maps:
            text = maps.read()
        still_mapped.extend(str(p) for p in (tmp_path / "spill").rglob("*.arrow") if str(p) in text)

    monkeypatch.setattr(neo4j_admin._ArrowWriter, "write", watched)
    write_neo4j_admin(spilled, tmp_path / "spilled")
    monkeypatch.undo()
    write_neo4j_admin(ColumnarGraph(tables), tmp_path / "memory")
    assert still_mapped == []
    for f in sorted((tmp_path / "memory").glob("*.csv")):
        assert f.read_bytes() == (tmp_path / "spilled" / f.name).read_bytes(), f.name


def test_paper_terms_from_rows_and_from_columns_agree():
    """A paper's terms (keyword and MeSH names, distinct, in code-point order) and the papers with a
    nameless term are the same whether the graph is rows (Graph) or columns (ColumnarGraph,
    read from its key and name columns)."""
    from graphkit.columnar import ColumnarGraph
    from graphkit.sinks.neo4j import graph_terms

    def fill(g):
        for key in ("p1", "p2", "p3"):
            g.add_node(Label.PAPER, key, title=key)
        g.add_node(Label.KEYWORD, "kw:b", name="beta")
        g.add_node(Label.KEYWORD, "kw:a", name="Alpha")
        g.add_node(Label.KEYWORD, "kw:none")  # no name
        g.add_node(Label.MESH, "mesh:D1", name="alpha")
        g.add_node(Label.MESH, "mesh:D2", name="beta")
        for source, target in (("p1", "kw:b"), ("p1", "kw:a"), ("p2", "kw:none"),
                               ("p3", "kw:a")):
            g.add_edge(RelType.HAS_KEYWORD, source, target)
        for source, target in (("p1", "mesh:D2"), ("p1", "mesh:D1"), ("p2", "mesh:D1")):
            g.add_edge(RelType.HAS_MESH, source, target)
        return g

    rows, cols = graph_terms(fill(Graph())), graph_terms(fill(ColumnarGraph()))
    assert rows == cols
    terms, unsure = cols
    assert terms == {"p1": "Alpha; alpha; beta", "p2": "alpha", "p3": "Alpha"}
    assert unsure == {"p2"}


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads Linux's /proc")
def test_a_table_on_disk_is_copied_without_holding_its_files_pages(tmp_path, monkeypatch) -> None:
    """While the COPY of a table on disk runs, the pages DuckDB read of it are let go as it goes: at 1M
    the papers' file was held whole while its CSV was written, beside the search documents."""
    import threading
    import time

    import pyarrow as pa

    from graphkit.columnar import ColumnarGraph, arrow_schema

    def rss_file() -> int:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) >> 10 for line in f if line.startswith("RssFile:"))

    from graphkit.sinks import neo4j_admin

    monkeypatch.setattr(neo4j_admin, "DROP_PAGES_EVERY", 0.01)  # (a margin against a fast disk and CPU)
    n = 4 << 20
    graph = ColumnarGraph()
    graph.set_table(RelType.AUTHORED, pa.table({
        "source": pa.array([f"doi:10.1/{i:09d}" for i in range(n)]), "target": pa.array(["a"] * n),
        "position": pa.array(range(n), pa.int64())}).cast(arrow_schema(RelType.AUTHORED)))
    assert graph.spill(RelType.AUTHORED, 0, str(tmp_path))
    before, peak, done = rss_file(), [0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_file() - before)
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        write_neo4j_admin(graph, tmp_path / "out")
    finally:
        done.set()
        sampler.join()
    assert sum(1 for _ in open(tmp_path / "out" / "rels_AUTHORED.csv")) == n
    assert peak[0] < 96  # of the ~177 MB of its file the COPY reads (held whole without the letting go)
