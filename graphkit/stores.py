"""Stores hold a graph and answer Cypher: the embedded default (no server) or a Neo4j server.

Both implement :class:`Store`, so ``ingest``, ``query``, ``cypher``, ``search``, ``viz`` and ``export``
work the same on either. ``open_store`` picks one from the CLI's ``--db PATH`` / ``--neo4j URI``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from graphkit.build import BuildOptions
from graphkit.graph import Graph
from graphkit.progress import Progress

DEFAULT_DB = "graphkit.db"


class Store(Protocol):
    dialect: str  # "neo4j" or "ladybug": picks per-engine query variants

    def ingest(self, paths: Sequence[str | Path], *, options: BuildOptions = BuildOptions(),
               progress: Progress | None = None) -> dict[str, Any]:
        """Read, resolve and load files; the store's graph afterwards equals building all files it holds."""

    def write_graph(self, graph: Graph, *, progress: Progress | None = None) -> dict[str, Any]:
        """Merge an already built graph into the store."""

    def run(self, cypher: str, params: dict[str, Any] | None = None, *, write: bool = False) -> list[dict[str, Any]]:
        """Run Cypher; rows as dicts. Read-only unless ``write``."""

    def search(self, text: str, *, limit: int = 10, kind: str | None = None) -> list[dict[str, Any]]:
        """Ranked full-text search; rows with at least kind, key, name/title, score."""

    def read_graph(self) -> Graph:
        """The stored graph as a Graph (for exports and pictures)."""

    def counts(self) -> dict[str, int]:
        """Node counts by label and edge counts by type (the keys of :meth:`Graph.counts`)."""

    def close(self) -> None: ...


def open_store(db: str | Path | None = None, neo4j: str | None = None, *, database: str | None = None,
               create: bool = False, batch_size: int = 5000, wait: float | None = None,
               on_wait: Callable[[str], None] | None = None) -> Store:
    """The Neo4j store when ``neo4j`` is a URI, else the embedded store at ``db`` (default graphkit.db).
    Credentials come from NEO4J_USER / NEO4J_PASSWORD, never from arguments.

    ``create`` lets a writer make a new embedded store; ``wait`` (seconds) is how long an embedded write
    waits for another writer's lock and ``on_wait`` gets the "waiting for ..." message (Neo4j serialises
    writers itself and ignores both)."""
    if neo4j:
        from graphkit.sinks.neo4j import Neo4jStore

        return Neo4jStore(neo4j, user=os.environ.get("NEO4J_USER", "neo4j"),
                          password=os.environ.get("NEO4J_PASSWORD", ""), database=database,
                          batch_size=batch_size)
    from graphkit.sinks.embedded import EmbeddedStore

    from graphkit.store_lock import DEFAULT_WAIT

    return EmbeddedStore(Path(db or DEFAULT_DB), create=create, wait=DEFAULT_WAIT if wait is None else wait,
                         on_wait=on_wait)
