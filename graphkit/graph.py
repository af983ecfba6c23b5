"""The one graph model every sink reads: typed node and edge tables with stable keys.

Nodes are rows (dicts) per :class:`Label`, keyed by their ``key`` property. Edges are rows per
:class:`RelType` with ``source`` and ``target`` node keys plus the type's properties; there is at most
one edge of a type between two nodes (CO_AUTHOR is stored once per unordered pair, source < target).
Sinks stream with :meth:`Graph.batches`; :meth:`Graph.to_networkx` is for analysis and networkx writers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from graphkit.schema import EDGE_PROPERTIES, ENDPOINTS, NODE_PROPERTIES, Label, RelType


# per label/type, computed once: add_node/add_edge run millions of times for a large build
_NODE_NAMES = {label: frozenset(props) for label, props in NODE_PROPERTIES.items()}
_EDGE_NAMES = {type: frozenset(props) for type, props in EDGE_PROPERTIES.items()}
_EDGE_EMPTY = {type: dict.fromkeys(props) for type, props in EDGE_PROPERTIES.items()}


class Graph:
    def __init__(self) -> None:
        self._nodes: dict[Label, dict[str, dict[str, Any]]] = {label: {} for label in Label}
        self._edges: dict[RelType, dict[tuple[str, str], dict[str, Any]]] = {t: {} for t in RelType}

    # -- building -------------------------------------------------------------------------------
    def add_node(self, label: Label, key: str, **props: Any) -> dict[str, Any]:
        """Insert or update a node; returns its (mutable) row. Unknown properties are rejected."""
        unknown = props.keys() - _NODE_NAMES[label] if props else None
        if unknown:
            raise ValueError(f"{label} has no properties {sorted(unknown)}")
        row = self._nodes[label].get(key)
        if row is None:
            row = {name: None for name in NODE_PROPERTIES[label]}
            row["key"] = key
            self._nodes[label][key] = row
        for name, value in props.items():
            if name != "key":
                row[name] = value
        return row

    def add_edge(self, type: RelType, source: str, target: str, **props: Any) -> dict[str, Any]:
        """Insert or update an edge between two existing node keys; returns its (mutable) row."""
        unknown = props.keys() - _EDGE_NAMES[type] if props else None
        if unknown:
            raise ValueError(f"{type} has no properties {sorted(unknown)}")
        start, end = ENDPOINTS[type]
        if source not in self._nodes[start]:
            raise KeyError(f"{type} edge has undefined source {source!r}")
        if target not in self._nodes[end]:
            raise KeyError(f"{type} edge has undefined target {target!r}")
        if type is RelType.CO_AUTHOR and target < source:
            source, target = target, source
        row = self._edges[type].get((source, target))
        if row is None:
            row = {"source": source, "target": target, **_EDGE_EMPTY[type]}
            self._edges[type][(source, target)] = row
        row.update(props)
        return row

    def clear_edges(self, type: RelType) -> None:
        """Drop every edge of one type (derived relationships are recomputed whole)."""
        self._edges[type].clear()

    def remove_edge(self, type: RelType, source: str, target: str) -> None:
        """Remove one edge (nothing happens when it is not there)."""
        self._edges[type].pop((source, target), None)

    def remove_node(self, label: Label, key: str, *, detach: bool = True) -> None:
        """Drop a node and every edge touching it (``detach=False``: the caller knows it has none)."""
        self._nodes[label].pop(key, None)
        if not detach:
            return
        for type, (start, end) in ENDPOINTS.items():
            if label in (start, end):
                table = self._edges[type]
                for pair in [p for p in table if (start == label and p[0] == key) or (end == label and p[1] == key)]:
                    del table[pair]

    # -- reading --------------------------------------------------------------------------------
    def node(self, label: Label, key: str) -> dict[str, Any] | None:
        return self._nodes[label].get(key)

    def has_node(self, label: Label, key: str) -> bool:
        return key in self._nodes[label]

    def edge(self, type: RelType, source: str, target: str) -> dict[str, Any] | None:
        if type is RelType.CO_AUTHOR and target < source:
            source, target = target, source
        return self._edges[type].get((source, target))

    def nodes(self, label: Label) -> Iterable[dict[str, Any]]:
        """Node rows of one label, in insertion order (deterministic for the same input)."""
        return self._nodes[label].values()

    def edges(self, type: RelType) -> Iterable[dict[str, Any]]:
        return self._edges[type].values()

    def batches(self, label_or_type: Label | RelType, size: int = 1000) -> Iterator[list[dict[str, Any]]]:
        """Rows of one label or relationship type in lists of at most ``size``, for streaming sinks."""
        rows = self.nodes(label_or_type) if isinstance(label_or_type, Label) else self.edges(label_or_type)
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch

    def count(self, label_or_type: Label | RelType) -> int:
        if isinstance(label_or_type, Label):
            return len(self._nodes[label_or_type])
        return len(self._edges[label_or_type])

    def counts(self) -> dict[str, int]:
        """Node counts by label and edge counts by type, keyed by their names."""
        out = {str(label): len(self._nodes[label]) for label in Label}
        out.update({str(t): len(self._edges[t]) for t in RelType})
        return out

    def to_networkx(self):
        """A networkx MultiDiGraph: node id = key, attributes ``kind`` and ``label`` plus properties;
        edge attribute ``type`` plus properties."""
        import networkx as nx

        g = nx.MultiDiGraph()
        for label in Label:
            for row in self._nodes[label].values():
                g.add_node(row["key"], kind=str(label), label=display_label(label, row),
                           **{k: v for k, v in row.items() if k != "key" and v is not None})
        for type in RelType:
            for row in self._edges[type].values():
                g.add_edge(row["source"], row["target"], key=str(type), type=str(type),
                           **{k: v for k, v in row.items() if k not in ("source", "target") and v is not None})
        return g


def display_label(label: Label, row: dict[str, Any]) -> str:
    """The text a picture or Gephi shows for a node."""
    if label is Label.PAPER:
        return row.get("title") or row.get("doi") or row["key"]
    return row.get("name") or row["key"]
