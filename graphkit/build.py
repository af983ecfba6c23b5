"""From records to one graph: the entry point every command uses (read -> resolve -> Graph).

``build_graph`` runs the resolvers in ``graphkit.resolve`` over all records, then writes one node per
paper, author, journal, keyword and MeSH term with the stable keys documented in docs/graph.md, the
edges between them and a structured data-quality report (``BuildResult.report``, rendered by
``graphkit.report``). Same input -> same keys and the same node order, whatever the file order.
"""

from __future__ import annotations

import gc
import logging
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from graphkit import report as report_rules
from graphkit.memory import release_freed
from graphkit.derive import count_term_papers, derive_all  # noqa: F401  (count_term_papers: re-exported)
from graphkit.extend import MentionCollector, extensions
from graphkit.graph import Graph
from graphkit.model import Diagnostic, Person, Record
from graphkit.progress import Progress, null_progress
from graphkit.readers import read_files
from graphkit.resolve.authors import (AuthorInfo, AuthorKeyMode, AuthorResolver, decisions_report, given_parts,
                                      kept_apart)
from graphkit.resolve.journals import JournalInfo, JournalResolver
from graphkit.resolve.mesh import vocabulary
from graphkit.resolve.papers import Duplicate, PaperResolver, Work
from graphkit.resolve.terms import KeywordInfo, keyword_key, mesh_term, split_terms
from graphkit.resolve.text import squash
from graphkit.schema import Label, RelType

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BuildOptions:
    author_key: AuthorKeyMode = "compatible"
    coauthor_cap: int = 100  # papers with more authors get AUTHORED edges but no CO_AUTHOR pairs
    format: str = "auto"
    # reviewer overrides (--author-map): (variant "Family, Given", author key or "split") pairs, kept as
    # data so a store's manifest records them and a changed map rebuilds the store
    author_map: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:  # from JSON (a store's manifest) the pairs come back as lists
        object.__setattr__(self, "author_map", tuple(tuple(p) for p in self.author_map))


@dataclass(slots=True)
class BuildResult:
    graph: Graph
    records: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)  # JSON-ready; see graphkit.report
    duplicates: list[Duplicate] = field(default_factory=list)
    authors: dict[str, AuthorInfo] = field(default_factory=dict)  # key -> name variants merged into it
    journals: dict[str, JournalInfo] = field(default_factory=dict)


@dataclass(slots=True)
class _FileStats:
    format: str = ""
    records: int = 0
    missing: Counter = field(default_factory=Counter)
    warnings: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)


@dataclass(slots=True)
class _Plan:
    """What one work contributes, collected before the nodes exist."""

    work: Work
    author_occ: list[int]
    keywords: list[str]
    mesh: dict[str, tuple[bool, list[str]]]


def _missing(rec: Record) -> list[str]:
    out = []
    if not rec.doi:
        out.append("doi")
    if rec.year is None:
        out.append("year")
    if not rec.authors:
        out.append("authors")
    if rec.journal is None or not (rec.journal.name or rec.journal.abbreviation or rec.journal.issns):
        out.append("journal")
    return out


def _given_letters(p: Person) -> int:
    return len(squash(p.given or ""))


def _author_list(work: Work) -> tuple[list[Person], list[tuple[int, Person]]]:
    """The author list of the record with the most authors (then fullest names), plus the other
    records' names at the same position when they are the same person (same family, same initial)."""
    if len(work.records) == 1:
        return work.records[0].authors, []
    best = max(work.records, key=lambda r: (len(r.authors), sum(_given_letters(p) for p in r.authors)))
    aligned: list[tuple[int, Person]] = []
    for rec in work.records:
        if rec is best or len(rec.authors) != len(best.authors):
            continue
        for i, (a, b) in enumerate(zip(best.authors, rec.authors)):
            ga, gb = given_parts(a.given), given_parts(b.given)
            if squash(a.family or "") == squash(b.family or "") and (not ga or not gb or ga[0][0] == gb[0][0]):
                aligned.append((i, b))
    return best.authors, aligned


class _PhaseClock:
    """CPU seconds per build phase, for the log (a shared machine makes wall time misleading)."""

    def __init__(self) -> None:
        self.laps: list[tuple[str, float]] = []
        self._last = time.process_time()

    def lap(self, name: str) -> None:
        now = time.process_time()
        self.laps.append((name, now - self._last))
        self._last = now

    def __str__(self) -> str:
        return ", ".join(f"{name} {sec:.2f}" for name, sec in self.laps)


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the build allocates millions of small, long-lived
    objects (records, rows, keys) that form no reference cycles. Each collection of the oldest
    generation walks every live object, so with the collector on, the build spent about two thirds of
    its CPU time in it (13.9 s vs 4.8 s for 20k records). Memory is unaffected: reference counting
    still frees everything that is dropped."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build_graph(records: Iterable[Record], options: BuildOptions = BuildOptions(), *,
                progress: Progress = null_progress) -> BuildResult:
    """Resolve ``records`` into one Graph with a quality report."""
    with no_cyclic_gc():
        return _build_graph(records, options, progress)


def _build_graph(records: Iterable[Record], options: BuildOptions, progress: Progress) -> BuildResult:
    clock = _PhaseClock()
    resolver = PaperResolver()
    files: dict[str, _FileStats] = {}
    missing = Counter()
    count = 0
    collector = MentionCollector(extensions())
    deleted: set[str] = set()
    for rec in records:
        if rec.deleted:  # a deletion notice (PubMed update files), not a record
            if rec.pmid:
                deleted.add(rec.pmid)
            continue
        count += 1
        full = rec
        if rec.extra or rec.references:  # unmapped tags and reference lists are the extensions' (below):
            rec = replace(rec, extra={}, references=[])  # do not hold them for 100k records
        if collector.exts:  # extensions see the whole record; their rows wait for its paper key
            collector.extract(id(rec), full)
        resolver.add(rec)
        st = files.get(rec.source.file)
        if st is None:
            st = files[rec.source.file] = _FileStats(rec.source.format)
        st.records += 1
        for m in _missing(rec):
            st.missing[m] += 1
            missing[m] += 1
        progress("resolve", 1, None)

    removed = 0
    if deleted:  # deleted PMIDs leave the graph, whichever file came first
        kept = [r for r in resolver.records if r.pmid not in deleted]
        removed = len(resolver.records) - len(kept)
        resolver = PaperResolver()
        for rec in kept:
            resolver.add(rec)
        del kept
    clock.lap("read+match papers")
    works = resolver.works()
    resolver.release()
    vocab = vocabulary() if works else None
    authors = AuthorResolver(options.author_key, dict(options.author_map))
    journals = JournalResolver()
    keywords: dict[str, KeywordInfo] = {}
    plans: list[_Plan] = []
    aligned_variants: list[tuple[int, Person]] = []
    for work in works:
        people, aligned = _author_list(work)
        kw_keys: list[str] = []
        mesh: dict[str, tuple[bool, list[str]]] = {}
        for rec in work.records:
            journals.add(work.key, rec.journal, rec.publisher)
            terms = split_terms(rec, vocab)
            for kw in terms.keywords:
                key = keyword_key(kw)
                if key is None:
                    continue
                info = keywords.get(key)
                if info is None:
                    info = keywords[key] = KeywordInfo(key)
                info.surfaces[kw] = info.surfaces.get(kw, 0) + 1
                if key not in kw_keys:
                    kw_keys.append(key)
            for ref in terms.mesh:
                major, quals = mesh.get(ref.heading, (False, []))
                mesh[ref.heading] = (major or ref.major, list(dict.fromkeys(quals + list(ref.qualifiers))))
        occ = authors.add_work(people, keywords=kw_keys)  # co-authors, keywords, affiliations: evidence
        aligned_variants.extend((occ[i], p) for i, p in aligned)
        plans.append(_Plan(work, occ, kw_keys, mesh))
    clock.lap("plans (authors, journals, terms)")
    journals.resolve()
    authors.set_venues([journals.key_of(w.key) for w in works])  # a paper's journal is evidence
    authors.resolve()
    for occ_id, person in aligned_variants:
        key = authors.key_of(occ_id)
        if key:
            family = " ".join((person.family or "").split())
            variant = (family, " ".join((person.given or "").split()) or None)
            variants = authors.authors[key].variants
            variants[variant] = variants.get(variant, 0) + 1
    del aligned_variants

    n_works = len(works)
    del works  # the plans hold them; each is dropped once its paper is in the graph
    clock.lap("resolve authors+journals")
    graph = Graph()
    _add_static_nodes(graph, authors, journals, keywords)
    keyword_stats = {"count": len(keywords), "check_tags": sum(1 for k in keywords.values() if k.check_tag)}
    keywords.clear()
    total = len(plans)
    mesh_unknown: Counter = Counter()
    mesh_keys: dict[str, str] = {}
    for index in range(total):
        plan, plans[index] = plans[index], None  # free the records as we go: peak memory
        w = plan.work
        graph.add_node(Label.PAPER, w.key, doi=w.doi, pmid=w.pmid, title=w.value("title"),
                       abstract=w.value("abstract"), year=w.value("year"), volume=w.value("volume"),
                       issue=w.value("issue"), first_page=w.value("first_page"),
                       last_page=w.value("last_page"), article_number=w.value("article_number"),
                       type=w.value("type"), type_raw=w.value("type_raw"), sources=w.sources())
        jkey = journals.key_of(w.key)
        if jkey:
            graph.add_edge(RelType.PUBLISHED_IN, w.key, jkey)
        akeys: list[str] = []
        for pos, occ in enumerate(plan.author_occ, start=1):
            akey = authors.key_of(occ)
            if akey is None:
                continue
            if akey not in akeys:
                graph.add_edge(RelType.AUTHORED, akey, w.key, position=pos)
                akeys.append(akey)
        for kkey in plan.keywords:
            graph.add_edge(RelType.HAS_KEYWORD, w.key, kkey)
        for heading, (major, quals) in plan.mesh.items():
            mkey = mesh_keys.get(heading)
            if mkey is None:
                term = mesh_term(heading, vocab)
                mkey = mesh_keys[heading] = term.key
                if not graph.has_node(Label.MESH, mkey):
                    graph.add_node(Label.MESH, mkey, ui=term.ui, name=term.name,
                                   tree_numbers=list(term.tree_numbers), check_tag=term.check_tag)
                if term.ui is None:
                    mesh_unknown[heading] += 1
            have = graph.edge(RelType.HAS_MESH, w.key, mkey)  # two spellings of one descriptor
            if have is not None:
                major = major or bool(have["major"])
                quals = list(dict.fromkeys((have["qualifiers"] or []) + quals))
            graph.add_edge(RelType.HAS_MESH, w.key, mkey, major=major, qualifiers=quals)
        if collector.exts:
            by_position = [authors.key_of(occ) for occ in plan.author_occ]
            for rec in w.records:  # positions of a record whose list is the paper's (or as long) are the paper's
                keys = by_position if len(rec.authors) == len(by_position) else None
                collector.attach(id(rec), w.key, rec.source, keys)
        progress("graph", 1, total)
    clock.lap("graph nodes+edges")
    del plans
    extension_reports: dict[str, Any] = {}
    collector.resolve(graph, options, extension_reports)
    release_freed()  # what the extensions' resolve steps dropped (their tables, the waiting rows)
    clock.lap("extensions")
    derived = derive_all(graph, options)
    release_freed()
    clock.lap("derived")
    result = BuildResult(graph, records=count, duplicates=resolver.duplicates, authors=authors.authors,
                         journals=journals.journals)
    result.report = _report(result, files, missing, n_works, authors, journals, keyword_stats, mesh_unknown,
                            derived.get("co-author", {}).get("papers_over_cap", 0), options)
    result.report.update(extension_reports)
    if deleted:
        result.report["deleted"] = {"pmids": len(deleted), "records_removed": removed}
        result.report["prisma"]["deleted"] = removed  # not duplicates: taken out before matching
        result.report["prisma"]["duplicates_removed"] -= removed
        result.report["duplicates"]["records_merged"] -= removed
    clock.lap("report")
    log.info("built %d papers from %d records (CPU s: %s)", n_works, count, clock)
    return result


def _add_static_nodes(graph: Graph, authors: AuthorResolver, journals: JournalResolver,
                      keywords: dict[str, KeywordInfo]) -> None:
    for key in sorted(authors.authors):
        info = authors.authors[key]
        family, given = info.display()
        graph.add_node(Label.AUTHOR, key, name=f"{family}, {given}" if given else family, family=family,
                       given=given, orcid=info.orcid)
    for key in sorted(journals.journals):
        j = journals.journals[key]
        graph.add_node(Label.JOURNAL, key, name=j.name, abbreviation=j.abbreviation, issn=j.issn,
                       issns=sorted(j.issns) or None, publisher=j.publisher)
    for key in sorted(keywords):
        k = keywords[key]
        graph.add_node(Label.KEYWORD, key, name=k.name, check_tag=k.check_tag, variants=sorted(k.surfaces))


def _report(result: BuildResult, files: dict[str, _FileStats], missing: Counter, n_works: int,
            authors: AuthorResolver, journals: JournalResolver, keyword_stats: dict[str, int],
            mesh_unknown: Counter, over_cap: int, options: BuildOptions) -> dict[str, Any]:
    g = result.graph
    papers_of_journal: Counter = Counter(e["target"] for e in g.edges(RelType.PUBLISHED_IN))
    variants = []
    for key, info in sorted(authors.authors.items()):
        # variants that differ beyond punctuation and spacing ('D S' vs 'D.S.' is not worth a look)
        if len(info.variants) > 1 and len({(squash(f), squash(gv or "")) for f, gv in info.variants}) > 1:
            variants.append({"key": key, "name": g.node(Label.AUTHOR, key)["name"],
                             "variants": [{"family": f, "given": gv, "count": n}
                                          for (f, gv), n in sorted(info.variants.items(),
                                                                   key=lambda kv: (-kv[1], kv[0][0], kv[0][1] or ""))]})
    no_issn = [{"key": k, "name": j.name, "papers": papers_of_journal.get(k, 0)}
               for k, j in sorted(journals.journals.items()) if j.issn is None]
    invalid = sorted({(k, v) for k, j in journals.journals.items() for v in j.invalid_issns})
    rules = Counter(d.rule for d in result.duplicates)
    return {
        "files": {path: {"format": st.format, "records": st.records, "missing": dict(st.missing),
                         "warnings": dict(st.warnings), "errors": dict(st.errors)}
                  for path, st in files.items()},
        "records": result.records,
        "prisma": {"identified": result.records, "duplicates_removed": result.records - n_works,
                   "remaining": n_works},
        "duplicates": {"pairs_found": len(result.duplicates), "records_merged": result.records - n_works,
                       "by_rule": dict(sorted(rules.items())),
                       "pairs": [d.as_dict() for d in result.duplicates]},
        "missing": {name: missing.get(name, 0) for name in ("doi", "year", "authors", "journal")},
        "authors": {"count": len(authors.authors), "key_mode": options.author_key,
                    "with_variants": len(variants), "variants": variants[:report_rules.VARIANTS_LISTED],
                    "names_shared_by_orcids": authors.ambiguous_names(),
                    "possible_same_person": decisions_report(authors.decisions),
                    "kept_apart": kept_apart(g.nodes(Label.AUTHOR)), "overridden": authors.overridden},
        "journals": {"count": len(journals.journals), "without_issn": no_issn,
                     "invalid_issns": [{"journal": k, "value": v} for k, v in invalid]},
        "keywords": keyword_stats,
        "mesh": {"count": g.count(Label.MESH), "not_in_vocabulary": dict(sorted(mesh_unknown.items()))},
        "coauthors": {"cap": options.coauthor_cap, "papers_over_cap": over_cap,
                      "pairs": g.count(RelType.CO_AUTHOR)},
        "counts": g.counts(),
    }


def build_from_files(paths: Sequence[str | Path], options: BuildOptions = BuildOptions(), *,
                     progress: Progress = null_progress) -> BuildResult:
    """Read ``paths`` (format detected per file unless ``options.format``) and build one graph. Reader
    diagnostics go to ``result.diagnostics`` and into the report's per-file warning counts."""
    diagnostics: list[Diagnostic] = []

    def records() -> Iterable[Record]:
        for item in read_files(paths, options.format):
            if isinstance(item, Diagnostic):
                diagnostics.append(item)
            else:
                yield item

    result = build_graph(records(), options, progress=progress)
    result.diagnostics = diagnostics + result.diagnostics
    add_diagnostics(result.report, paths, options.format, diagnostics)
    return result


def add_diagnostics(report: dict[str, Any], paths: Sequence[str | Path], format: str,
                    diagnostics: Iterable[Diagnostic]) -> None:
    """Reader diagnostics into the report's per-file warning/error counts (files without records too);
    files in the order given, then any other file a diagnostic names. Both cores call this."""
    files = report.setdefault("files", {})
    for path in paths:
        files.setdefault(str(path), {"format": format, "records": 0, "missing": {}, "warnings": {},
                                     "errors": {}})
    for d in diagnostics:
        entry = files.setdefault(d.source.file, {"format": d.source.format, "records": 0, "missing": {},
                                                 "warnings": {}, "errors": {}})
        bucket = entry["errors" if d.severity == "error" else "warnings"]
        bucket[d.kind] = bucket.get(d.kind, 0) + 1
    report["files"] = {str(p): files[str(p)] for p in paths} | files
