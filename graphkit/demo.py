"""The main job on bundled sample data: ingest into the embedded store, ask it a few questions, write the
other outputs. ``graphkit demo`` prints what this returns."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphkit.build import BuildOptions, build_from_files
from graphkit.progress import Progress, null_progress

log = logging.getLogger(__name__)

SAMPLE_DIR = Path(__file__).resolve().parent / "sample"
# real records on network science and the science of science (see sample/README.md and NOTICE): a Web of
# Science export and a PubMed export that overlap, plus the project's seed record
SAMPLE_FILES = ("sample.wos.txt", "sample.nbib", "seed.ris")
SEARCH = "community detection"
# a chain of co-authorship a reader can check: Guimerà & Uzzi 2005 (Science), Uzzi & Vespignani 2018 (Science)
PATH_FROM, PATH_TO = "Guimerà, Roger", "Vespignani, Alessandro"


@dataclass(slots=True)
class DemoResult:
    store: Path
    ingest: dict[str, Any]
    answers: list[tuple[str, dict[str, Any], list[dict[str, Any]]]] = field(default_factory=list)
    search: tuple[str, list[dict[str, Any]]] = ("", [])
    outputs: dict[str, Path] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # output -> why (an extra that is not installed)


def sample_files() -> list[Path]:
    return [SAMPLE_DIR / name for name in SAMPLE_FILES]


def run_demo(out_dir: str | Path = "graphkit-demo", *, progress: Progress = null_progress) -> DemoResult:
    """Ingest the bundled sample into ``out_dir/graphkit.db``; run canned queries and a search; write a
    quality report, GraphML, RDF (Turtle), VOSviewer JSON, CSL-JSON and a co-author map into ``out_dir``.
    Outputs whose extra is not installed (RDF: graphkit[rdf], the map: graphkit[viz]) are listed in
    ``skipped`` with the install command instead."""
    from graphkit.errors import MissingExtraError, needs_extras
    from graphkit.queries import run_query
    from graphkit.report import write_report
    from graphkit.sinks import export
    from graphkit.stores import open_store

    def write_map(*args: Any, **kwargs: Any) -> Any:
        from graphkit.sinks.html import write_map as write

        return write(*args, **kwargs)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = sample_files()
    store = open_store(out / "graphkit.db", create=True)
    try:
        summary = store.ingest(files, options=BuildOptions(), progress=progress)
        result = DemoResult(store=out / "graphkit.db", ingest=summary)
        top = run_query(store, "prolific-authors", {"limit": 5})
        result.answers.append(("prolific-authors", {"limit": 5}, top))
        if top:
            first = top[0].get("author") or top[0].get("key")
            result.answers.append(("co-authors", {"author": first, "limit": 5},
                                   run_query(store, "co-authors", {"author": first, "limit": 5})))
        cited = run_query(store, "most-cited", {"limit": 5})  # the columns a terminal table has room for
        result.answers.append(("most-cited", {"limit": 5}, [{k: r[k] for k in ("title", "year", "cited_by", "times_cited")}
                                                            for r in cited]))
        path = {"from": PATH_FROM, "to": PATH_TO}
        result.answers.append(("collaboration-path", path, run_query(store, "collaboration-path", path)))
        result.search = (SEARCH, store.search(SEARCH, limit=5))
        graph = store.read_graph()
    finally:
        store.close()

    report = build_from_files(files, BuildOptions(), progress=progress).report
    result.outputs["quality report"] = write_report(report, out / "report.md")
    for name, to, filename, options in (
        ("GraphML (Gephi, Cytoscape, yEd)", "graphml", "graph.graphml", {}),
        ("RDF Turtle (Protege, GraphDB, Jena)", "rdf", "graph.ttl", {"rdf_format": "turtle"}),
        ("VOSviewer co-author map", "vosviewer", "coauthors.vosviewer.json", {"network": "coauthors"}),
        ("CSL-JSON (Zotero, Pandoc)", "csl-json", "records.csl.json", {}),
    ):
        try:
            with needs_extras():
                export(graph, to, out / filename, progress=progress, **options)
        except MissingExtraError as exc:
            result.skipped[name] = str(exc)
            continue
        result.outputs[name] = out / filename
    try:
        with needs_extras():
            write_map(graph, "coauthors", out / "coauthors.html", progress=progress)
        result.outputs["co-author map (open in a browser)"] = out / "coauthors.html"
    except MissingExtraError as exc:
        result.skipped["co-author map"] = str(exc)
    return result
