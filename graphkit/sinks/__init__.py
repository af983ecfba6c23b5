"""Sinks: where a Graph goes. They know their store or file format and nothing of input formats.

``EXPORTERS`` is the registry of file exports used by ``graphkit export --to NAME``: each entry is
"module:function", the function called as ``fn(graph, out, *, progress=..., **options)`` and returning a
dict summary (at least {"path": ..., plus counts}). An option the exporter does not take is an error that
lists the options it does take (a typo never vanishes silently). Every exporter takes ``force`` (overwrite
files graphkit did not write; see :mod:`graphkit.atomic`). ``out`` may be a URL (``s3://``, ``hdfs://``,
``file://``...): the export is written locally and uploaded (:mod:`graphkit.sinks.remote`).
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any

from graphkit.graph import Graph
from graphkit.model import GraphkitError
from graphkit.progress import Progress, null_progress

EXPORTERS: dict[str, str] = {
    "graphml": "graphkit.sinks.files:write_graphml",
    "gexf": "graphkit.sinks.files:write_gexf",
    "json": "graphkit.sinks.files:write_node_link_json",
    "neo4j-admin": "graphkit.sinks.neo4j_admin:write_neo4j_admin",
    "parquet": "graphkit.sinks.parquet:write_parquet",
    "rdf": "graphkit.sinks.rdf:write_rdf",
    "vosviewer": "graphkit.sinks.vosviewer:write_vosviewer",
    "csl-json": "graphkit.sinks.csl_json:write_csl_json",
}


def export(graph: Graph, to: str, out: str | Path, *, progress: Progress = null_progress,
           **options: Any) -> dict[str, Any]:
    """Write ``graph`` in export format ``to`` at ``out`` with the exporter's ``options`` (None values
    mean the exporter's default); an option the exporter does not take raises :class:`GraphkitError`."""
    try:
        module, func = EXPORTERS[to].split(":")
    except KeyError:
        raise GraphkitError(f"unknown export format {to!r}; known: {', '.join(EXPORTERS)}") from None
    fn = getattr(importlib.import_module(module), func)
    valid = export_options(to)
    unknown = sorted(set(options) - set(valid))
    if unknown:
        raise GraphkitError(f"export to {to} takes no option(s) {', '.join(unknown)}; "
                            f"valid: {', '.join(valid) or 'none'}")
    kwargs = {k: v for k, v in options.items() if v is not None}
    from graphkit.sinks.remote import export_to_url, is_url

    if is_url(out):
        from graphkit.engine import current_engine

        return export_to_url(fn, graph, str(out), scratch=current_engine().scratch(), progress=progress, **kwargs)
    return fn(graph, Path(out), progress=progress, **kwargs)


DIRECTORY_EXPORTS = ("neo4j-admin", "parquet")  # formats whose ``out`` is a directory


def check_export_target(to: str, out: str | Path, *, force: bool = False) -> None:
    """Refuse ``out`` before a (possibly long) build: a URL that cannot be opened or an existing remote
    file, or a local file graphkit must not overwrite (directory exports check their files when they
    know them)."""
    from graphkit.sinks.remote import check_url, is_url

    if is_url(out):
        check_url(str(out), force=force, names=[] if to in DIRECTORY_EXPORTS else None)
    elif to not in DIRECTORY_EXPORTS:
        from graphkit.atomic import check_target

        check_target(out, force=force)


def export_options(to: str) -> list[str]:
    """The keyword options the exporter of format ``to`` takes (besides ``progress``)."""
    module, func = EXPORTERS[to].split(":")
    fn = getattr(importlib.import_module(module), func)
    return [name for name, p in inspect.signature(fn).parameters.items()
            if p.kind is inspect.Parameter.KEYWORD_ONLY and name != "progress"]
