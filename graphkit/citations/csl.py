"""CSL-JSON / Crossref ``reference`` objects (``{"key", "DOI", "author", "year", "journal-title",
"volume", "first-page", "article-title", "unstructured"}``), kept by the CSL-JSON reader in
``extra["reference"]`` as JSON text."""

from __future__ import annotations

import json
import logging
from typing import Any

from graphkit.citations.model import CitedRef, family_of
from graphkit.resolve.text import find_dois, normalise_doi

log = logging.getLogger(__name__)


def _s(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def parse_object(obj: dict[str, Any], parse_text) -> CitedRef | None:
    """One reference object; ``parse_text`` parses an ``unstructured`` string when that is all there is."""
    if not isinstance(obj, dict):
        return parse_text(obj) if isinstance(obj, str) and obj.strip() else None
    unstructured = _s(obj.get("unstructured"))
    structured = any(obj.get(k) for k in ("author", "year", "journal-title", "volume", "first-page",
                                          "article-title", "series-title", "volume-title"))
    if unstructured and not structured:
        ref = parse_text(unstructured)
        doi = normalise_doi(_s(obj.get("DOI")))
        if doi and doi not in ref.dois:
            ref.dois.insert(0, doi)
        return ref
    raw = unstructured or json.dumps(obj, ensure_ascii=False, sort_keys=True)
    ref = CitedRef(raw=raw, style="csl")
    doi = normalise_doi(_s(obj.get("DOI")))
    ref.dois = [doi] if doi else (find_dois(unstructured) if unstructured else [])
    author = obj.get("author")
    if isinstance(author, list) and author:  # CSL name objects
        first = author[0]
        ref.family = _s(first.get("family") if isinstance(first, dict) else first)
        ref.author = ref.family
    elif author:
        ref.author = _s(author)
        ref.family = family_of(ref.author)
    year = _s(obj.get("year"))
    if year and year[:4].isdigit():
        ref.year = int(year[:4])
    ref.source = _s(obj.get("journal-title") or obj.get("series-title") or obj.get("volume-title"))
    ref.volume = _s(obj.get("volume"))
    ref.page = _s(obj.get("first-page"))
    ref.title = _s(obj.get("article-title"))
    pmid = _s(obj.get("PMID") or obj.get("pmid"))
    ref.pmid = pmid if pmid and pmid.isdigit() else None
    return ref


def parse_json(text: str, parse_text) -> list[CitedRef]:
    try:
        items = json.loads(text)
    except ValueError:
        return [parse_text(text)] if text.strip() else []
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        return []
    return [r for item in items if (r := parse_object(item, parse_text)) is not None]
