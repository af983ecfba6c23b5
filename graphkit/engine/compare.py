"""Compare two built graphs and reports (the differential tests and ``bench/`` use this)."""

from __future__ import annotations

from typing import Any

from graphkit.schema import Label, RelType


def _norm(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value


def graph_rows(graph) -> dict[str, dict[Any, dict[str, Any]]]:
    """Every node by (label, key) and edge by (type, source, target), with its properties."""
    out: dict[str, dict[Any, dict[str, Any]]] = {}
    for label in Label:
        out[str(label)] = {r["key"]: {k: _norm(v) for k, v in r.items()} for r in graph.nodes(label)}
    for type in RelType:
        out[str(type)] = {(r["source"], r["target"]): {k: _norm(v) for k, v in r.items()}
                          for r in graph.edges(type)}
    return out


def graph_differences(a, b, limit: int = 10) -> list[str]:
    """Human-readable differences between two graphs (empty when equal), at most ``limit`` per table."""
    ra, rb = graph_rows(a), graph_rows(b)
    out: list[str] = []
    for name in ra:
        ta, tb = ra[name], rb.get(name, {})
        only_a = [k for k in ta if k not in tb]
        only_b = [k for k in tb if k not in ta]
        diff = [k for k in ta if k in tb and ta[k] != tb[k]]
        for k in only_a[:limit]:
            out.append(f"{name} {k!r} only in the first graph: {ta[k]}")
        for k in only_b[:limit]:
            out.append(f"{name} {k!r} only in the second graph: {tb[k]}")
        for k in diff[:limit]:
            props = {p: (ta[k].get(p), tb[k].get(p)) for p in ta[k] if ta[k].get(p) != tb[k].get(p)}
            out.append(f"{name} {k!r} differs: {props}")
    return out


def report_differences(a: dict[str, Any], b: dict[str, Any], path: str = "") -> list[str]:
    """Differences between two JSON-ready reports (dict key order ignored, list order kept)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                out.append(f"{path}/{k}: only in the {'second' if k not in a else 'first'} report")
            else:
                out.extend(report_differences(a[k], b[k], f"{path}/{k}"))
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} vs {len(b)} items"]
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out.extend(report_differences(x, y, f"{path}[{i}]"))
        return out[:20]
    return [] if _norm(a) == _norm(b) else [f"{path}: {a!r} != {b!r}"]
