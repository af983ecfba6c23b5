"""The extension seam: extract sees whole records, mentions carry paper and author keys, resolve adds
to the graph and the report, a failing extractor costs only its own rows."""

from __future__ import annotations

import pytest

from graphkit.build import build_from_files
from graphkit.extend import Extension, register, unregister
from graphkit.schema import Label, RelType

RIS = """TY  - JOUR
TI  - A first paper on graphs
AU  - Doe, Jane
AU  - Roe, Richard
PY  - 2020
DO  - 10.1000/one
N1  - note one
ZZ  - 2|second author's tag
ER  - 

TY  - JOUR
TI  - A second paper on graphs
AU  - Doe, Jane
PY  - 2021
DO  - 10.1000/two
ZZ  - 1|broken
ER  - 
"""


@pytest.fixture
def ris(tmp_path):
    path = tmp_path / "two.ris"
    path.write_text(RIS, encoding="utf-8")
    return path


def _extract(rec):
    for value in rec.extra.get("ZZ", []):
        pos, text = value.split("|", 1)
        if text == "broken":
            raise ValueError("an extractor bug")
        yield {"author_position": int(pos), "text": text}


def _resolve(ctx, mentions):
    ctx.report["mentions"] = [(m.paper, m.author, m.row["text"], m.source.line) for m in mentions]
    for m in mentions:  # an edge between existing nodes, through the row API
        ctx.graph.add_edge(RelType.CITES, m.paper, m.paper)


@pytest.fixture
def probe():
    register(Extension("probe", _extract, _resolve))
    yield
    unregister("probe")


def test_mentions_carry_paper_and_author_keys(ris, probe):
    result = build_from_files([ris])
    section = result.report["probe"]
    roe = next(a["key"] for a in result.graph.nodes(Label.AUTHOR) if a["family"] == "Roe")
    assert section["mentions"] == [("doi:10.1000/one", roe, "second author's tag", 1)]
    assert section["extract_errors"] == 1  # the second record's extractor failure, counted, not fatal
    assert result.graph.edge(RelType.CITES, "doi:10.1000/one", "doi:10.1000/one") is not None
    assert result.graph.count(Label.PAPER) == 2  # the broken extraction cost no record


def test_without_extensions_the_report_has_no_section(ris):
    result = build_from_files([ris])
    assert "probe" not in result.report
    assert result.report["coauthors"]["pairs"] == 1  # derived by graphkit.derive
