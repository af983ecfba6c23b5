"""The data-quality report of a build (markdown or JSON) and the author review CSV.

The report itself is the JSON-ready dict ``BuildResult.report`` made by ``graphkit.build``; this module
only renders and writes it.
"""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path
from typing import Any

from graphkit.model import GraphkitError

log = logging.getLogger(__name__)

MAX_ROWS = 500  # rows per list section in the markdown rendering (JSON has all, but the variants below)
# authors with name variants the report lists (the first by key; ``with_variants`` counts them all, and
# the review CSV has every author): a list of every one grows with the authors (45,534 of them, 88 MB of
# the driver at 100k records), GBs at 10M, for a report no one reads to the end
VARIANTS_LISTED = 100_000

REVIEW_COLUMNS = ("author_key", "display_name", "orcid", "variant_family", "variant_given", "times_seen",
                  "papers", "variants_in_author", "status", "reason", "override")


def _md_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _table(headers: list[str], rows: list[list[Any]], limit: int = MAX_ROWS) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for row in rows[:limit]:
        lines.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
    if len(rows) > limit:
        lines.append(f"\n... {len(rows) - limit} more (all of them are in the JSON report)")
    return lines


def to_markdown(report: dict[str, Any]) -> str:
    """The report as a markdown document."""
    r = report
    out: list[str] = ["# graphkit data-quality report", ""]
    p = r["prisma"]
    out += ["## PRISMA-style count", "",
            f"- Records identified: **{p['identified']}**",
            f"- Duplicates removed: **{p['duplicates_removed']}**",
            *([f"- Removed by PubMed deletion notices: **{p['deleted']}**"] if p.get("deleted") else []),
            f"- Records remaining (unique papers): **{p['remaining']}**", ""]
    out += ["## Files", ""]
    rows = []
    for path, f in r["files"].items():
        warn = ", ".join(f"{k} {v}" for k, v in sorted(f.get("warnings", {}).items())) or "-"
        err = ", ".join(f"{k} {v}" for k, v in sorted(f.get("errors", {}).items())) or "-"
        rows.append([path, f.get("format"), f.get("records", 0), warn, err])
    out += _table(["file", "format", "records", "warnings by kind", "errors by kind"], rows, 10_000) + [""]
    m = r["missing"]
    out += ["## Records missing a field", "",
            *(f"- {name}: {m.get(name, 0)} of {r['records']}" for name in ("doi", "year", "authors", "journal")),
            ""]
    d = r["duplicates"]
    rules = ", ".join(f"{k} {v}" for k, v in d["by_rule"].items()) or "none"
    out += ["## Duplicates", "",
            f"{d['pairs_found']} duplicate pair(s) found ({rules}); {d['records_merged']} record(s) merged "
            "into papers that other records already stood for. Every source stays on the paper "
            "(`Paper.sources`).", ""]
    out += _table(["kept (first record)", "merged", "rule", "score", "title"],
                  [[x["kept"], x["merged"], x["rule"], x["score"], x["title"]] for x in d["pairs"]]) + [""]
    a = r["authors"]
    out += ["## Authors", "",
            f"{a['count']} author(s) (key mode `{a['key_mode']}`); {a['with_variants']} merged more than "
            "one name variant. The full list is in the review CSV (`graphkit report --review FILE`).", ""]
    out += _table(["author key", "display name", "variants merged"],
                  [[v["key"], v["name"], "; ".join(f"{x['family']}, {x['given'] or ''} ({x['count']})"
                                                 for x in v["variants"])] for v in a["variants"]]) + [""]
    same = a.get("possible_same_person") or []
    if same:
        out += ["### Possible same person", "",
                "Name variants that fit more than one author (kept as their own author unless a shared "
                "co-author or venue decided; those are listed too). Confirm or override them with "
                "`--author-map FILE` (the review CSV's `override` column).", ""]
        out += _table(["variant", "now in", "could be", "times", "why"],
                      [[x["variant"], x["key"], "; ".join(x["candidates"]), x["times"], x["reason"]] for x in same]) + [""]
    apart = a.get("kept_apart") or []
    if apart:
        out += ["### Kept apart", "",
                "Authors that family name + first initial (`--author-key initial`) would have merged into one.", ""]
        out += _table(["family + initial", "authors", "why"],
                      [[x["name_key"], "; ".join(f"{m['name']} ({m['key']})" for m in x["authors"]), x["reason"]]
                       for x in apart]) + [""]
    if a.get("overridden"):
        out += [f"{a['overridden']} name occurrence(s) placed by the author map (`--author-map`).", ""]
    if a.get("names_shared_by_orcids"):
        out += ["Name keys shared by several ORCIDs (kept apart):", ""]
        out += [f"- `{k}`: {', '.join(v)}" for k, v in a["names_shared_by_orcids"].items()] + [""]
    j = r["journals"]
    out += ["## Journals", "", f"{j['count']} journal(s); {len(j['without_issn'])} without a valid ISSN "
            "(matched by normalised title only).", ""]
    out += _table(["journal key", "name", "papers"],
                  [[x["key"], x["name"], x["papers"]] for x in j["without_issn"]]) + [""]
    if j["invalid_issns"]:
        out += ["ISSN values that failed the check digit (ignored):", ""]
        out += _table(["journal", "value"], [[x["journal"], x["value"]] for x in j["invalid_issns"]]) + [""]
    c = r["coauthors"]
    out += ["## Co-authorship", "",
            f"{c['pairs']} CO_AUTHOR pair(s). {c['papers_over_cap']} paper(s) with more than {c['cap']} "
            "authors got AUTHORED edges but no CO_AUTHOR pairs.", ""]
    ci = r.get("cites") or {}
    if ci:
        out += ["## Citations", "",
                f"{ci['references']} cited reference(s) read, {ci['parsed']} parsed (a year or an identifier "
                f"found). Matched to a paper of the set: {ci['matched_doi']} by DOI/PMID, {ci['matched_key']} "
                f"by author+year+volume+page or title key; unmatched: {ci['unmatched']} "
                f"({ci['cited_only_references']} to {ci['cited_only_works']} cited-only work(s), "
                f"{ci['cited_only_references_with_doi']} of them with a DOI/PMID; {ci['unkeyed']} too vague to "
                f"key). {ci['edges']} CITES edge(s); {ci['papers_with_times_cited']} paper(s) with a "
                "times-cited figure.", ""]
    from graphkit.affiliations import report_markdown as affiliations_markdown

    out += affiliations_markdown(r)
    me = r["mesh"]
    out += ["## Keywords and MeSH", "",
            f"{r['keywords']['count']} keyword(s) ({r['keywords']['check_tags']} check tags); {me['count']} "
            f"MeSH term(s); {len(me['not_in_vocabulary'])} heading(s) not in the bundled MeSH 2024 table.", ""]
    if me["not_in_vocabulary"]:
        out += _table(["heading", "papers"], [[k, v] for k, v in me["not_in_vocabulary"].items()]) + [""]
    out += ["## Graph", ""]
    out += _table(["label / type", "count"], [[k, v] for k, v in r["counts"].items()]) + [""]
    return "\n".join(out)


def write_report(report: dict[str, Any], out: str | Path) -> Path:
    """Write the report as JSON when ``out`` ends in .json, else as markdown."""
    from graphkit.atomic import write_text

    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        # temp file + rename: a symlink at ``out`` is replaced, never written through
        if out.suffix.lower() == ".json":
            write_text(out, json.dumps(report, ensure_ascii=False, indent=2), force=True)
        else:
            write_text(out, to_markdown(report), force=True)
    except OSError as exc:
        raise GraphkitError(f"cannot write {out}: {exc}") from None
    return out


def write_author_review(result, path: str | Path) -> int:
    """A CSV with one row per name variant merged into each author (authors with one variant too), so a
    user can check the merges. ``status`` marks variants that fit several authors (``ambiguous``), that
    joined one on evidence, and authors kept apart from a namesake (``kept apart``), with the reason; a
    reviewer fills ``override`` (an author key, an ORCID or ``split``) and passes the file back with
    ``--author-map``. Returns the number of rows written."""
    from graphkit.schema import Label, RelType

    g = result.graph
    papers: dict[str, int] = {}
    for e in g.edges(RelType.AUTHORED):
        papers[e["source"]] = papers.get(e["source"], 0) + 1
    rows = 0
    path = Path(path)
    try:
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(REVIEW_COLUMNS)
            authors_report = (result.report or {}).get("authors", {})
            conflict = {m["key"]: x["reason"] for x in authors_report.get("kept_apart", []) for m in x["authors"]}
            ambiguous = {(x["key"], x["variant"]): x for x in authors_report.get("possible_same_person", [])}
            for key in sorted(result.authors):
                info = result.authors[key]
                node = g.node(Label.AUTHOR, key) or {}
                for (family, given), n in sorted(info.variants.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1] or "")):
                    variant = f"{family}, {given}" if given else family
                    status, reason = "", ""
                    decided = ambiguous.get((key, variant))
                    if decided is not None:
                        status = "ambiguous" if decided["kind"] == "ambiguous" else "joined on evidence"
                        reason = f"{decided['reason']}; candidates: {', '.join(decided['candidates'])}"
                    elif key in conflict:
                        status, reason = "kept apart", f"{conflict[key]} (same family name and first initial as another author)"
                    w.writerow([key, node.get("name"), info.orcid or "", family, given or "", n,
                                papers.get(key, 0), len(info.variants), status, reason, ""])
                    rows += 1
    except OSError as exc:
        raise GraphkitError(f"cannot write {path}: {exc}") from None
    return rows
