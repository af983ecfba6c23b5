"""The one graph model every sink reads: typed node and edge tables with stable keys.

Nodes are rows (dicts) per :class:`Label`, keyed by their ``key`` property. Edges are rows per
:class:`RelType` with ``source`` and ``target`` node keys plus the type's properties; there is at most
one edge of a type between two nodes (CO_AUTHOR is stored once per unordered pair, source < target).
Sinks stream with :meth:`Graph.batches`; :meth:`Graph.to_networkx` is for analysis and networkx writers.

Two kinds of rows are kept compactly, because a build with cited references holds millions of them
(issue 13: a record cites 30-60 works, most of them not in the set), and made into dicts only when read:

- **cited-only works** (Paper rows added with ``cited_only=True``) live in a side table of columns
  (:class:`_SideTable`, about a fifth of the memory of a dict row). Reading one gives a dict of every
  Paper property; setting an item of that dict, or ``add_node`` with its key, writes the column, so code
  that changes rows it reads works as before. They come after the other Paper rows in :meth:`nodes`;
- **edges of types without properties** (CITES, PUBLISHED_IN, HAS_KEYWORD, ...) are kept as targets by
  source (:class:`_Pairs`, about one pointer per edge); their rows (``source`` and ``target``) are made
  when read, grouped by source (sources in the order they first got an edge, then targets in order).
"""

from __future__ import annotations

import weakref
from array import array
from collections.abc import Iterable, Iterator
from typing import Any

from graphkit.schema import EDGE_PROPERTIES, ENDPOINTS, NODE_PROPERTIES, Label, RelType


# per label/type, computed once: add_node/add_edge run millions of times for a large build
_NODE_NAMES = {label: frozenset(props) for label, props in NODE_PROPERTIES.items()}
_EDGE_NAMES = {type: frozenset(props) for type, props in EDGE_PROPERTIES.items()}
_EDGE_EMPTY = {type: dict.fromkeys(props) for type, props in EDGE_PROPERTIES.items()}
_PAIRS_ONLY = frozenset(type for type, props in EDGE_PROPERTIES.items() if not props)
# side-table columns with few distinct values: one object per value, shared by the rows
_POOLED = frozenset({"year", "volume", "first_page", "source_title", "first_author", "times_cited_source",
                     "cited_only", "cited_by"})


class _SideRow(dict):
    """A cited-only work's row read from the side table: a plain dict of every property whose changes
    are written back to the table (items; ``update``; ``setdefault``). Properties are not removable."""

    __slots__ = ("_table", "_index", "__weakref__")
    _table: _SideTable
    _index: int

    def __setitem__(self, name: str, value: Any) -> None:
        self._table.set(self._index, name, value)

    def update(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        for name, value in dict(*args, **kwargs).items():
            self[name] = value

    def setdefault(self, name: str, default: Any = None) -> Any:  # every property is there already
        if name not in self:
            self[name] = default
        return self[name]

    def __ior__(self, other: Any) -> _SideRow:  # type: ignore[override,misc]
        self.update(other)
        return self

    def _fixed(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("a Paper row keeps every property; set it to None instead")

    __delitem__ = pop = popitem = clear = _fixed  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:  # pickled or copied: a plain dict (not the table behind it)
        return (dict, (dict(self),))


class _SideTable:
    """Paper rows of cited-only works as columns (lists), with a key -> position index. A column exists
    once a property has been set to something other than None; low-cardinality columns share one object
    per distinct value in that column (:data:`_POOLED`). Rows read out are :class:`_SideRow`; while one is alive, changes
    reach it too (the same object is returned again)."""

    def __init__(self, label: Label) -> None:
        self.label = label
        self.names = tuple(NODE_PROPERTIES[label])
        self.allowed = _NODE_NAMES[label]
        self.index: dict[str, int] = {}
        self.keys: list[str | None] = []
        self.cols: dict[str, list[Any]] = {}
        self.pools: dict[str, dict[Any, Any]] = {name: {} for name in _POOLED if name in self.allowed}
        self.live: weakref.WeakValueDictionary[int, _SideRow] = weakref.WeakValueDictionary()

    def __len__(self) -> int:
        return len(self.index)

    def add(self, key: str) -> int:
        i = len(self.keys)
        self.keys.append(key)
        for col in self.cols.values():
            col.append(None)
        self.index[key] = i
        return i

    def set(self, i: int, name: str, value: Any) -> None:
        if name == "key":
            if value != self.keys[i]:
                raise ValueError(f"the key of a {self.label} row cannot change")
            return
        if name not in self.allowed:
            raise ValueError(f"{self.label} has no properties {[name]}")
        col = self.cols.get(name)
        if col is None:
            if value is None:
                return
            col = self.cols[name] = [None] * len(self.keys)
        pool = self.pools.get(name)  # per column: True and 1 are equal keys
        if pool is not None and value is not None:
            value = pool.setdefault(value, value)
        col[i] = value
        if self.live:
            row = self.live.get(i)
            if row is not None:
                dict.__setitem__(row, name, value)

    def remove(self, key: str) -> None:
        i = self.index.pop(key, None)
        if i is not None:
            self.keys[i] = None
            for col in self.cols.values():
                col[i] = None
            self.live.pop(i, None)

    def row(self, i: int) -> _SideRow:
        row = self.live.get(i) if self.live else None
        if row is None:
            cols = self.cols
            row = _SideRow({name: (cols[name][i] if name in cols else None) for name in self.names})
            dict.__setitem__(row, "key", self.keys[i])
            row._table, row._index = self, i
            self.live[i] = row
        return row

    def rows(self) -> Iterator[_SideRow]:
        for i, key in enumerate(self.keys):
            if key is not None:
                yield self.row(i)


class _Pairs:
    """The edges of one type without properties: targets by source (one target as itself, more as a
    list), so an edge costs about one pointer instead of a row and a key pair."""

    __slots__ = ("by_source", "n")

    def __init__(self) -> None:
        self.by_source: dict[str, Any] = {}
        self.n = 0

    def __len__(self) -> int:
        return self.n

    def __contains__(self, pair: tuple[str, str]) -> bool:
        source, target = pair
        have = self.by_source.get(source)
        return have == target if isinstance(have, str) else have is not None and target in have

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for source, have in self.by_source.items():
            if isinstance(have, str):
                yield source, have
            else:
                for target in have:
                    yield source, target

    def add(self, source: str, target: str) -> None:
        have = self.by_source.get(source)
        if have is None:
            self.by_source[source] = target
        elif isinstance(have, str):
            if have == target:
                return
            self.by_source[source] = [have, target]
        elif target in have:
            return
        else:
            have.append(target)
        self.n += 1

    def discard(self, source: str, target: str) -> None:
        if (source, target) not in self:
            return
        have = self.by_source[source]
        if isinstance(have, str):
            del self.by_source[source]
        else:
            have.remove(target)
            if len(have) == 1:
                self.by_source[source] = have[0]
        self.n -= 1

    def clear(self) -> None:
        self.by_source.clear()
        self.n = 0

    def drop_node(self, key: str, *, as_source: bool, as_target: bool) -> None:
        if as_source and (have := self.by_source.pop(key, None)) is not None:
            self.n -= 1 if isinstance(have, str) else len(have)
        if as_target:
            for source in [s for s, have in self.by_source.items()
                           if (have == key if isinstance(have, str) else key in have)]:
                self.discard(source, key)


class _Rows:
    """A sized, re-iterable view of rows (what nodes() and edges() return)."""

    __slots__ = ("_len", "_iter")

    def __init__(self, length: Any, make: Any) -> None:
        self._len, self._iter = length, make

    def __len__(self) -> int:
        return self._len()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self._iter()


class Graph:
    def __init__(self) -> None:
        self._nodes: dict[Label, dict[str, dict[str, Any]]] = {label: {} for label in Label}
        self._edges: dict[RelType, dict[tuple[str, str], dict[str, Any]]] = {
            t: {} for t in RelType if t not in _PAIRS_ONLY}
        self._pairs: dict[RelType, _Pairs] = {t: _Pairs() for t in _PAIRS_ONLY}
        self._cited_only = _SideTable(Label.PAPER)

    # -- building -------------------------------------------------------------------------------
    def add_node(self, label: Label, key: str, **props: Any) -> dict[str, Any]:
        """Insert or update a node; returns its (mutable) row. Unknown properties are rejected."""
        unknown = props.keys() - _NODE_NAMES[label] if props else None
        if unknown:
            raise ValueError(f"{label} has no properties {sorted(unknown)}")
        row = self._nodes[label].get(key)
        if row is None and label is Label.PAPER:
            side = self._cited_only
            i = side.index.get(key)
            if i is None and props.get("cited_only") is True:
                i = side.add(key)
            if i is not None:
                for name, value in props.items():
                    side.set(i, name, value)
                return side.row(i)
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
        if source not in self._nodes[start] and not self.has_node(start, source):
            raise KeyError(f"{type} edge has undefined source {source!r}")
        if target not in self._nodes[end] and not self.has_node(end, target):
            raise KeyError(f"{type} edge has undefined target {target!r}")
        if type is RelType.CO_AUTHOR and target < source:
            source, target = target, source
        if type in _PAIRS_ONLY:
            self._pairs[type].add(source, target)
            return {"source": source, "target": target}
        row = self._edges[type].get((source, target))
        if row is None:
            row = {"source": source, "target": target, **_EDGE_EMPTY[type]}
            self._edges[type][(source, target)] = row
        row.update(props)
        return row

    def clear_edges(self, type: RelType) -> None:
        """Drop every edge of one type (derived relationships are recomputed whole)."""
        (self._pairs if type in _PAIRS_ONLY else self._edges)[type].clear()

    def remove_edge(self, type: RelType, source: str, target: str) -> None:
        """Remove one edge (nothing happens when it is not there)."""
        if type in _PAIRS_ONLY:
            self._pairs[type].discard(source, target)
        else:
            self._edges[type].pop((source, target), None)

    def remove_node(self, label: Label, key: str, *, detach: bool = True) -> None:
        """Drop a node and every edge touching it (``detach=False``: the caller knows it has none)."""
        self._nodes[label].pop(key, None)
        if label is Label.PAPER:
            self._cited_only.remove(key)
        if not detach:
            return
        for type, (start, end) in ENDPOINTS.items():
            if type in _PAIRS_ONLY:
                self._pairs[type].drop_node(key, as_source=start == label, as_target=end == label)
            elif label in (start, end):
                table = self._edges[type]
                for pair in [p for p in table if (start == label and p[0] == key) or (end == label and p[1] == key)]:
                    del table[pair]

    def update_nodes(self, label: Label, props: dict[str, dict[str, Any]]) -> None:
        """``add_node(label, key, **p)`` for every ``key, p`` in ``props`` (the row API's bulk form;
        the columnar graph rewrites whole columns instead)."""
        for key, p in props.items():
            self.add_node(label, key, **p)

    # -- reading --------------------------------------------------------------------------------
    def node(self, label: Label, key: str) -> dict[str, Any] | None:
        row = self._nodes[label].get(key)
        if row is None and label is Label.PAPER and (i := self._cited_only.index.get(key)) is not None:
            return self._cited_only.row(i)
        return row

    def has_node(self, label: Label, key: str) -> bool:
        return key in self._nodes[label] or (label is Label.PAPER and key in self._cited_only.index)

    def edge(self, type: RelType, source: str, target: str) -> dict[str, Any] | None:
        if type is RelType.CO_AUTHOR and target < source:
            source, target = target, source
        if type in _PAIRS_ONLY:
            return {"source": source, "target": target} if (source, target) in self._pairs[type] else None
        return self._edges[type].get((source, target))

    def nodes(self, label: Label) -> Iterable[dict[str, Any]]:
        """Node rows of one label, in insertion order (deterministic for the same input); Paper rows of
        cited-only works come after the others."""
        table = self._nodes[label]
        if label is not Label.PAPER:
            return table.values()
        side = self._cited_only

        def rows() -> Iterator[dict[str, Any]]:
            yield from table.values()
            yield from side.rows()

        return _Rows(lambda: len(table) + len(side), rows)

    def edges(self, type: RelType) -> Iterable[dict[str, Any]]:
        if type not in _PAIRS_ONLY:
            return self._edges[type].values()
        pairs = self._pairs[type]
        return _Rows(pairs.__len__, lambda: ({"source": s, "target": t} for s, t in pairs))

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

    def set_paper_in_degree(self, type: RelType, prop: str) -> None:
        """Paper.``prop`` = the number of ``type`` edges ending at the paper, for every Paper. Counts for
        cited-only works go into an array by side-table position (a dict by key of a million works was
        the largest transient of a build with references)."""
        side = self._cited_only
        by_position = array("I", bytes(4 * len(side.keys)))
        others: dict[str, int] = {}
        index = side.index
        if type in _PAIRS_ONLY:
            targets: Iterable[str] = (t for _, t in self._pairs[type])
        else:
            targets = (t for _, t in self._edges[type])
        for target in targets:
            i = index.get(target)
            if i is None:
                others[target] = others.get(target, 0) + 1
            else:
                by_position[i] += 1
        for key, row in self._nodes[Label.PAPER].items():
            row[prop] = others.get(key, 0)
        for i, work in enumerate(side.keys):
            if work is not None:
                side.set(i, prop, by_position[i])

    def count(self, label_or_type: Label | RelType) -> int:
        if isinstance(label_or_type, Label):
            return len(self._nodes[label_or_type]) + (len(self._cited_only) if label_or_type is Label.PAPER else 0)
        return len(self._pairs[label_or_type] if label_or_type in _PAIRS_ONLY else self._edges[label_or_type])

    def counts(self) -> dict[str, int]:
        """Node counts by label and edge counts by type, keyed by their names."""
        out = {str(label): self.count(label) for label in Label}
        out.update({str(t): self.count(t) for t in RelType})
        return out

    def to_networkx(self):
        """A networkx MultiDiGraph: node id = key, attributes ``kind`` and ``label`` plus properties;
        edge attribute ``type`` plus properties."""
        import networkx as nx

        g = nx.MultiDiGraph()
        for label in Label:
            for row in self.nodes(label):
                g.add_node(row["key"], kind=str(label), label=display_label(label, row),
                           **{k: v for k, v in row.items() if k != "key" and v is not None})
        for type in RelType:
            for row in self.edges(type):
                g.add_edge(row["source"], row["target"], key=str(type), type=str(type),
                           **{k: v for k, v in row.items() if k not in ("source", "target") and v is not None})
        return g


def display_label(label: Label, row: dict[str, Any]) -> str:
    """The text a picture or Gephi shows for a node."""
    if label is Label.PAPER:
        return row.get("title") or row.get("doi") or row["key"]
    return row.get("name") or row["key"]
