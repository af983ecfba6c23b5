"""The extension point: how a feature adds labels, relationship types and the data behind them.

A feature (cited references, affiliations, concepts, ...) never edits the build engine. It

1. declares its labels, relationship types and properties in :mod:`graphkit.schema` (the one table of
   what the graph holds: every store, exporter and the ontology read it from there);
2. registers one :class:`Extension` here (add its module to :data:`EXTENSION_MODULES`; the module calls
   :func:`register` at import time):

   - ``extract(record) -> rows`` (or None: an extension that works on the graph alone extracts nothing):
     **pure**, per record, no global state. Runs wherever records are read
     (in the record loop of the old build, in worker processes of the columnar core), while the record
     still holds everything the reader kept (``record.extra`` included). Returns plain dicts of
     JSON-able scalars or lists, one per mention (a cited reference, an address, a keyword occurrence...).
     A row may name ``author_position`` (1-based index into ``record.authors``): the engine then attaches
     the resolved author key of that position to the mention.
   - ``resolve(ctx, mentions)``: runs once, after the core has put every Paper, Author, Journal, Keyword
     and MeshTerm node and their edges into ``ctx.graph``. ``mentions`` is an iterable of :class:`Mention`
     objects (it may be iterated more than once; the columnar core unpacks them as they are iterated): the
     row, the key of the Paper the record became, the author key (when ``author_position`` was given and
     the author list of the record is the one the paper keeps) and the record's source. It adds nodes and
     edges with ``ctx.graph.add_node`` / ``add_edge`` (the row API every core offers) and may write a
     JSON-ready section into ``ctx.report`` (shown by ``graphkit report`` under the extension's name);

3. declares derived properties (counts, aggregates) as :class:`graphkit.derive.Derived` entries, so that
   every store recomputes them the same way after a change.

Extensions run in registration order (the order of :data:`EXTENSION_MODULES`); one may read what an
earlier one added. Both cores call :func:`extensions` and honour the same contract, so a feature written
against it works on either, and the differential test (old core vs new) covers it.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from graphkit.model import Record, Source

log = logging.getLogger(__name__)

# Modules that register an extension when imported, in the order their extensions run. Add yours here.
EXTENSION_MODULES: tuple[str, ...] = (
    "graphkit.resolve.concepts",
    "graphkit.affiliations",
    "graphkit.citations.extension",  # cited references: CITES, cited-only works, times cited (issue 13)
)


@dataclass(slots=True)
class Mention:
    """One extracted row, tied to what the core resolved its record into."""

    row: dict[str, Any]
    paper: str  # key of the Paper node the record became
    source: Source  # where the record came from (file, line, format)
    author: str | None = None  # author key for row["author_position"], when it could be attached


class GraphRows(Protocol):
    """The row API both cores give extensions (graphkit.graph.Graph implements it)."""

    def add_node(self, label: Any, key: str, **props: Any) -> dict[str, Any]: ...
    def update_nodes(self, label: Any, props: dict[str, dict[str, Any]]) -> None: ...
    def add_edge(self, type: Any, source: str, target: str, **props: Any) -> dict[str, Any]: ...
    def node(self, label: Any, key: str) -> dict[str, Any] | None: ...
    def has_node(self, label: Any, key: str) -> bool: ...
    def edge(self, type: Any, source: str, target: str) -> dict[str, Any] | None: ...
    def nodes(self, label: Any) -> Iterable[dict[str, Any]]: ...
    def edges(self, type: Any) -> Iterable[dict[str, Any]]: ...


@dataclass(slots=True)
class ResolveContext:
    """What ``resolve`` gets besides its mentions."""

    graph: GraphRows
    options: Any  # graphkit.build.BuildOptions (typed loosely: build imports this module)
    report: dict[str, Any] = field(default_factory=dict)  # the extension's own report section


Extract = Callable[[Record], Iterable[dict[str, Any]]]
# ``mentions``: an iterable of Mention that may be iterated more than once (the old core gives a list, the
# columnar core a sequence that unpacks its rows as it is iterated: graphkit.engine.core.MentionRows)
Resolve = Callable[[ResolveContext, Iterable[Mention]], None]


@dataclass(frozen=True, slots=True)
class Extension:
    name: str  # short, unique; also the report section's name
    extract: Extract | None  # None: no rows of its own (its resolve reads the graph the core built)
    resolve: Resolve
    description: str = ""


_REGISTRY: dict[str, Extension] = {}


def register(extension: Extension) -> Extension:
    """Add an extension (called by its module at import time). Registering a name twice replaces it."""
    _REGISTRY[extension.name] = extension
    return extension


def extensions() -> list[Extension]:
    """Every registered extension, in run order (EXTENSION_MODULES order, then later registrations)."""
    for module in EXTENSION_MODULES:
        importlib.import_module(module)
    return list(_REGISTRY.values())


def unregister(name: str) -> None:
    """Remove an extension (tests use this to run the core without one)."""
    _REGISTRY.pop(name, None)


class MentionCollector:
    """Collects extension rows per record during reading and ties them to papers and authors later.

    The old core calls :meth:`extract` for every record as it is read (the record is then slimmed), and
    :meth:`attach` once the record's paper key and author keys are known; the columnar core does the
    same with record ordinals. A broken extractor costs only its own rows: the error is logged once per
    extension and counted in the extension's report as ``extract_errors``.
    """

    def __init__(self, exts: list[Extension]) -> None:
        self.exts = exts
        self._pending: dict[int, list[tuple[int, list[dict[str, Any]]]]] = {}
        self.mentions: list[list[Mention]] = [[] for _ in exts]
        self.errors: list[int] = [0 for _ in exts]

    def extract(self, token: int, rec: Record) -> None:
        got: list[tuple[int, list[dict[str, Any]]]] = []
        for i, ext in enumerate(self.exts):
            if ext.extract is None:
                continue
            try:
                rows = list(ext.extract(rec))
            except Exception:  # an extractor bug must not cost the build; it is reported
                if not self.errors[i]:
                    log.exception("extension %s failed on a record of %s", ext.name, rec.source)
                self.errors[i] += 1
                continue
            if rows:
                got.append((i, rows))
        if got:
            self._pending[token] = got

    def attach(self, token: int, paper: str, source: Source, author_keys: list[str | None] | None) -> None:
        """Tie the rows of record ``token`` to its paper; ``author_keys[i]`` is the key of the record's
        author at position i+1 (None where unknown), or None when the record's list is not the paper's."""
        got = self._pending.pop(token, None)
        if not got:
            return
        for i, rows in got:
            out = self.mentions[i]
            for row in rows:
                author = None
                pos = row.get("author_position")
                if author_keys is not None and isinstance(pos, int) and 1 <= pos <= len(author_keys):
                    author = author_keys[pos - 1]
                out.append(Mention(row, paper, source, author))

    def resolve(self, graph: GraphRows, options: Any, report: dict[str, Any]) -> None:
        for i, ext in enumerate(self.exts):
            ctx = ResolveContext(graph, options)
            ext.resolve(ctx, self.mentions[i])
            self.mentions[i] = []
            if self.errors[i]:
                ctx.report["extract_errors"] = self.errors[i]
            if ctx.report:
                report[ext.name] = ctx.report
