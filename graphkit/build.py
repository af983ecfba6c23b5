"""From records to one graph: the entry point every command uses (read -> resolve -> Graph).

PLACEHOLDER RESOLUTION (to be replaced by graphkit.resolve): papers by DOI else title+year, authors
by family name + first initial, journals by name, keywords case-folded, MeSH by heading.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from graphkit.graph import Graph
from graphkit.model import Diagnostic, Record
from graphkit.progress import Progress, null_progress
from graphkit.readers import read_files
from graphkit.schema import Label, RelType

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BuildOptions:
    author_key: Literal["initial", "full"] = "initial"
    coauthor_cap: int = 100  # papers with more authors get AUTHORED edges but no CO_AUTHOR pairs
    format: str = "auto"


@dataclass(slots=True)
class BuildResult:
    graph: Graph
    records: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)


def build_graph(records: Iterable[Record], options: BuildOptions = BuildOptions(), *,
                progress: Progress = null_progress) -> BuildResult:
    graph = Graph()
    result = BuildResult(graph)
    for rec in records:
        result.records += 1
        _add_record(graph, rec)
        progress("build", 1, None)
    return result


def build_from_files(paths: Sequence[str | Path], options: BuildOptions = BuildOptions(), *,
                     progress: Progress = null_progress) -> BuildResult:
    diagnostics: list[Diagnostic] = []

    def records() -> Iterable[Record]:
        for item in read_files(paths, options.format):
            if isinstance(item, Diagnostic):
                diagnostics.append(item)
            else:
                yield item

    result = build_graph(records(), options, progress=progress)
    result.diagnostics = diagnostics + result.diagnostics
    return result


def _h(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _add_record(g: Graph, r: Record) -> None:
    if r.doi:
        key = "doi:" + r.doi.lower()
    elif r.pmid:
        key = "pmid:" + r.pmid
    else:
        key = "t:" + _h(f"{(r.title or '').casefold()}|{r.year}")
    src = f"{r.source.file}:{r.source.line}:{r.source.format}"
    row = g.node(Label.PAPER, key)
    sources = (row["sources"] if row else None) or []
    g.add_node(Label.PAPER, key, doi=r.doi, pmid=r.pmid, title=r.title, abstract=r.abstract, year=r.year,
               volume=r.volume, issue=r.issue, first_page=r.first_page, last_page=r.last_page, type=r.type,
               sources=sources + [src])
    akeys = []
    for i, p in enumerate(r.authors, start=1):
        akey = "a:" + p.family.casefold() + "|" + (p.given or "")[:1].casefold()
        g.add_node(Label.AUTHOR, akey, name=p.display, family=p.family, given=p.given, orcid=p.orcid)
        g.add_edge(RelType.AUTHORED, akey, key, position=i)
        akeys.append(akey)
    if r.journal and (r.journal.name or r.journal.abbreviation):
        name = r.journal.name or r.journal.abbreviation
        jkey = "j:" + name.casefold()
        g.add_node(Label.JOURNAL, jkey, name=name, abbreviation=r.journal.abbreviation,
                   issn=(r.journal.issns[0] if r.journal.issns else None), publisher=r.publisher)
        g.add_edge(RelType.PUBLISHED_IN, key, jkey)
    for kw in r.keywords:
        kkey = "k:" + kw.casefold()
        g.add_node(Label.KEYWORD, kkey, name=kw, check_tag=False)
        g.add_edge(RelType.HAS_KEYWORD, key, kkey)
    for m in r.mesh:
        mkey = "m:" + m.heading
        g.add_node(Label.MESH, mkey, name=m.heading, check_tag=False)
        g.add_edge(RelType.HAS_MESH, key, mkey, major=m.major, qualifiers=m.qualifiers)
    if len(akeys) <= 100:
        for i, a in enumerate(akeys):
            for b in akeys[i + 1:]:
                if a == b:
                    continue
                e = g.edge(RelType.CO_AUTHOR, a, b)
                n = (e["papers"] if e else 0) + 1
                years = [y for y in ((e or {}).get("first_year"), (e or {}).get("last_year"), r.year) if y]
                g.add_edge(RelType.CO_AUTHOR, a, b, papers=n, first_year=min(years) if years else None,
                           last_year=max(years) if years else None)
