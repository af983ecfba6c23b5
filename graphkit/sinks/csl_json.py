"""The merged papers as CSL-JSON (the citation format Zotero, Pandoc and citeproc read).

One item per Paper node, after duplicates were merged: id (the stable graph key), type, title, authors in
byline order, issued year, container title and abbreviation, volume, issue, page, DOI, PMID, ISSN, keywords
(one comma-separated string, as CSL wants) and abstract. Field names follow the CSL 1.0.2 JSON schema.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

from graphkit.doctypes import UNKNOWN, of_value
from graphkit.graph import Graph
from graphkit.progress import Progress, null_progress
from graphkit.schema import Label, RelType

log = logging.getLogger(__name__)

# A paper without a type is cited as a journal article (the usual case in these exports); one whose type
# nothing names as a CSL "document".
DEFAULT_TYPE = "article-journal"


def _item_type(value: object) -> str:
    text = str(value or "").strip()
    return of_value(text) or (UNKNOWN if text else DEFAULT_TYPE)


def _author(row: dict[str, Any]) -> dict[str, str]:
    if row.get("family"):
        person = {"family": str(row["family"])}
        if row.get("given"):
            person["given"] = str(row["given"])
        return person
    return {"literal": str(row.get("name") or row["key"])}


def csl_items(graph: Graph, *, progress: Progress = null_progress) -> list[dict[str, Any]]:
    """One CSL-JSON item per paper."""
    authors: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in graph.edges(RelType.AUTHORED):
        authors[row["target"]].append((row.get("position") or 1 << 30, row["source"]))
    journal: dict[str, str] = {}
    for row in graph.edges(RelType.PUBLISHED_IN):
        journal.setdefault(row["source"], row["target"])
    keywords: dict[str, list[str]] = defaultdict(list)
    for row in graph.edges(RelType.HAS_KEYWORD):
        kw = graph.node(Label.KEYWORD, row["target"])
        if kw and kw.get("name"):
            keywords[row["source"]].append(kw["name"])

    items = []
    total = graph.count(Label.PAPER)
    for row in graph.nodes(Label.PAPER):
        key = row["key"]
        item: dict[str, Any] = {"id": key,
                                "type": _item_type(row.get("type"))}
        if row.get("title"):
            item["title"] = row["title"]
        people = [graph.node(Label.AUTHOR, a) for _, a in sorted(authors.get(key, ()))]
        if people:
            item["author"] = [_author(p) for p in people if p]
        if isinstance(row.get("year"), int):
            item["issued"] = {"date-parts": [[row["year"]]]}
        j = graph.node(Label.JOURNAL, journal[key]) if key in journal else None
        if j:
            if j.get("name"):
                item["container-title"] = j["name"]
            if j.get("abbreviation"):
                item["container-title-short"] = j["abbreviation"]
            if j.get("issn"):
                item["ISSN"] = j["issn"]
            if j.get("publisher"):
                item["publisher"] = j["publisher"]
        for field, name in (("volume", "volume"), ("issue", "issue")):
            if row.get(field):
                item[name] = str(row[field])
        if row.get("first_page"):
            item["page"] = str(row["first_page"]) + (f"-{row['last_page']}" if row.get("last_page") else "")
        if row.get("doi"):
            item["DOI"] = row["doi"]
        if row.get("pmid"):
            item["PMID"] = str(row["pmid"])
        if keywords.get(key):
            item["keyword"] = ", ".join(keywords[key])
        if row.get("abstract"):
            item["abstract"] = row["abstract"]
        items.append(item)
        progress("csl-json", 1, total)
    return items


def write_csl_json(graph: Graph, out: Path, *, progress: Progress = null_progress,
                   force: bool = False) -> dict[str, Any]:
    """Write the papers of ``graph`` as a CSL-JSON array at ``out`` (temporary file + rename)."""
    from graphkit.atomic import atomic_open

    items = csl_items(graph, progress=progress)
    out = Path(out)
    with atomic_open(out, force=force) as fh:
        json.dump(items, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    return {"path": str(out), "items": len(items)}
