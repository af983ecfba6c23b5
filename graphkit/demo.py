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
SAMPLE_FILES = ("sample.ris", "sample.nbib")
SEARCH = "neuroendocrine tumo*"


@dataclass(slots=True)
class DemoResult:
    store: Path
    ingest: dict[str, Any]
    answers: list[tuple[str, dict[str, Any], list[dict[str, Any]]]] = field(default_factory=list)
    search: tuple[str, list[dict[str, Any]]] = ("", [])
    outputs: dict[str, Path] = field(default_factory=dict)


def sample_files() -> list[Path]:
    return [SAMPLE_DIR / name for name in SAMPLE_FILES]


def run_demo(out_dir: str | Path = "graphkit-demo", *, progress: Progress = null_progress) -> DemoResult:
    """Ingest the bundled sample into ``out_dir/graphkit.db``; run canned queries and a search; write a
    quality report, GraphML, RDF (Turtle), VOSviewer JSON and a co-author map into ``out_dir``."""
    from graphkit.queries import run_query
    from graphkit.report import write_report
    from graphkit.sinks import export
    from graphkit.sinks.html import write_map
    from graphkit.stores import open_store

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
        result.answers.append(("top-keywords", {"limit": 5}, run_query(store, "top-keywords", {"limit": 5})))
        mesh = run_query(store, "top-mesh", {"limit": 5})
        result.answers.append(("top-mesh", {"limit": 5}, mesh))
        if mesh:
            heading = mesh[0].get("heading") or mesh[0].get("key")
            result.answers.append(("mesh-trend", {"heading": heading},
                                   run_query(store, "mesh-trend", {"heading": heading})))
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
        export(graph, to, out / filename, progress=progress, **options)
        result.outputs[name] = out / filename
    write_map(graph, "coauthors", out / "coauthors.html", progress=progress)
    result.outputs["co-author map (open in a browser)"] = out / "coauthors.html"
    return result
