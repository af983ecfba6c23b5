"""The HTML page as text: self-contained (nothing remote), record text escaped inside its JSON, a CSP that
allows only the page's own scripts; and the ``graphkit viz`` command."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from graphkit import analysis
from graphkit.build import build_from_files
from graphkit.cli import main
from graphkit.model import GraphkitError
from graphkit.sinks.html import render_page, short_label, write_map

HOSTILE = FIXTURES / "viz" / "hostile.ris"
RAW = ["<img src=x onerror=alert(1)>", "<script>window.__pwned=1</script>", "</script><!--<script>alert(3)</script>",
       "<iframe src=javascript:alert(4)>", "><svg onload=alert(2)>"]


@pytest.fixture(scope="module")
def hostile_graph():
    return build_from_files([HOSTILE]).graph


@pytest.fixture(scope="module")
def pages(hostile_graph):
    doi = next(r["doi"] for r in hostile_graph.nodes(analysis.Label.PAPER) if "<img" in r["title"])
    return {kind: render_page(analysis.select_map(hostile_graph, kind, **opts)) for kind, opts in
            {"coauthors": {}, "topics": {}, "paper": {"doi": doi}}.items()}


def _json_block(html: str, name: str):
    m = re.search(rf'<script type="application/json" id="gk-{name}">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


def test_page_loads_nothing_remote(pages):
    for html in pages.values():
        assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
        assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", html, re.I)
        assert "bootstrap" not in html.lower()
        assert "cdnjs" not in html and "jsdelivr" not in html
        assert "vis.Network" in html  # vis-network is inlined


def test_record_text_never_appears_raw(pages):
    for kind, html in pages.items():
        for raw in RAW:
            assert raw not in html, (kind, raw)
        assert "<!--" not in html
        # four JSON blocks and two scripts: nothing the records could have closed or opened
        assert html.count("</script>") == 6
        for block in re.findall(r'<script type="application/json" id="gk-[a-z]+">(.*?)</script>', html, re.S):
            assert "<" not in block and ">" not in block  # tojson escapes them as \u003c \u003e


def test_record_text_survives_the_json_exactly(pages, hostile_graph):
    sel = analysis.select_map(hostile_graph, "coauthors")
    nodes = _json_block(pages["coauthors"], "nodes")
    assert {n["id"]: n["name"] for n in nodes} == {n.id: n.label for n in sel.nodes}
    assert {n["id"]: n["label"] for n in nodes} == {n.id: short_label(n.label) for n in sel.nodes}
    meta = _json_block(pages["paper"], "meta")
    assert meta["title"] == "Paper: <img src=x onerror=alert(1)>"
    assert "<title>Paper: &lt;img src=x onerror=alert(1)&gt;</title>" in pages["paper"]


def test_csp_allows_exactly_the_page_scripts(pages):
    for html in pages.values():
        csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1)
        assert "default-src 'none'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
        scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
        hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in scripts}
        assert set(re.findall(r"'sha256-[^']+'", csp)) == hashes
        assert len(hashes) == 2


def test_physics_is_off_and_positions_are_given(pages):
    opts = _json_block(pages["coauthors"], "options")
    assert opts["physics"]["enabled"] is False
    assert opts["layout"]["improvedLayout"] is False
    assert all("x" in n and "y" in n for n in _json_block(pages["coauthors"], "nodes"))


def test_unwritable_output_is_a_user_error(hostile_graph, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(GraphkitError, match="cannot write"):
        write_map(hostile_graph, "coauthors", blocker / "map.html")


def test_short_label():
    assert short_label("a  b\nc") == "a b c"
    long = "x" * 100
    assert len(short_label(long)) == 48 and short_label(long).endswith("\u2026")


def test_cli_viz_from_files(tmp_path):
    out = tmp_path / "co.html"
    result = CliRunner().invoke(main, ["viz", "coauthors", str(HOSTILE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "4 authors" in result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    result = CliRunner().invoke(main, ["viz", "coauthors", str(HOSTILE), "--top", "2", "--out", str(out)])
    assert "showing 2 of 4 authors" in result.output


@pytest.mark.parametrize("args, message", [
    (["paper", "--doi", "10.9/nothing"], "no paper matches"),
    (["ego"], "exactly one of --author NAME or --term TERM"),
    (["ego", "--author", "zzz-nobody"], "no author matches"),
])
def test_cli_viz_errors_are_one_line(tmp_path, args, message):
    result = CliRunner().invoke(main, ["viz", args[0], str(HOSTILE), *args[1:], "--out", str(tmp_path / "m.html")])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_cli_viz_from_the_store_matches_the_files(tmp_path):
    from graphkit.stores import open_store

    db = tmp_path / "g.db"
    store = open_store(db, create=True)
    try:
        store.ingest([HOSTILE])
    finally:
        store.close()
    from_store, from_files = tmp_path / "store.html", tmp_path / "files.html"
    r1 = CliRunner().invoke(main, ["viz", "coauthors", "--db", str(db), "--out", str(from_store)])
    r2 = CliRunner().invoke(main, ["viz", "coauthors", str(HOSTILE), "--out", str(from_files)])
    assert r1.exit_code == 0 and r2.exit_code == 0, (r1.output, r2.output)
    nodes = [sorted((n["id"], n["name"]) for n in _json_block(p.read_text(encoding="utf-8"), "nodes"))
             for p in (from_store, from_files)]
    assert nodes[0] == nodes[1]


def test_cli_viz_counts_lone_consortium_authors_in_the_paper_node(tmp_path):
    """tests/fixtures/viz/consortium.ris: a 25-author paper, two of whose authors also wrote a paper
    together. By default the 23 others (no other link on the map) are counted in the paper's node;
    --all-authors draws them."""
    fixture = FIXTURES / "viz" / "consortium.ris"
    out = tmp_path / "m.html"
    result = CliRunner().invoke(main, ["viz", "coauthors", str(fixture), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "25 authors, 3 links; 1 paper with more than 20 authors" in result.output
    assert "(23 of their authors with no other link on the map are counted in the paper's node" in result.output
    assert len(_json_block(out.read_text(encoding="utf-8"), "nodes")) == 3  # two authors and the paper
    result = CliRunner().invoke(main, ["viz", "coauthors", str(fixture), "--all-authors", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "25 authors, 26 links; 1 paper with more than 20 authors" in result.output and "counted" not in result.output
    assert len(_json_block(out.read_text(encoding="utf-8"), "nodes")) == 26
