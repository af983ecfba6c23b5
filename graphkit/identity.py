"""Incremental identity: resolve a graph against what a store already holds, with the build's own rules.

A store that merges graphs by key (Neo4j) would otherwise keep two nodes for one paper when file A
gave it a PMID key and file B a DOI key, two journals when A named it by ISSN and B by title, and two
authors when A wrote "Kim, H." and B "Kim, Hyun-Jin". :func:`reconcile` takes the new graph and a view
of the identifiers already stored (:class:`StoredIdentities`) and runs the same resolvers a single
build runs, on proxies of both sides:

1. **papers** (:class:`graphkit.resolve.papers.PaperResolver`): DOI, PMID, normalised title + year
   (with its first-page / first-author guards). A group's key is the build's key over the whole group
   (smallest DOI, else smallest PMID, else title hash), so a stored ``pmid:`` paper becomes ``doi:``
   when B brings the DOI;
2. **journals** (:class:`graphkit.resolve.journals.JournalResolver`): any shared ISSN or normalised
   title or abbreviation, and the venues of papers found to be one paper are one journal;
3. **authors** (:class:`graphkit.resolve.authors.AuthorResolver`): for every family-name block the new
   graph touches, one occurrence per stored and per new authorship (name, ORCID, the paper's
   co-authors and venue as evidence), resolved in the graph's author-key mode.

The result says which new keys become which final keys (the graph is rekeyed in place) and which
stored nodes must be renamed or merged into another (``moves``). Groups with no new member are left
alone, so an ingest never rewrites what it did not touch. What is not reproduced: an earlier merge is
never undone (an initials-only name that joined the only fitting author stays with it when a second
fitting author arrives later; one build of all files would keep it apart), and stored nodes hold one
display value per property, not every variant.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from graphkit.graph import Graph
from graphkit.model import JournalRef, Person, Record, Source
from graphkit.resolve.authors import AuthorInfo, AuthorResolver, block_key
from graphkit.resolve.journals import JournalResolver, normalise_journal
from graphkit.resolve.papers import PaperResolver
from graphkit.resolve.text import normalise_title, short_hash, squash
from graphkit.schema import ENDPOINTS, Label, RelType

log = logging.getLogger(__name__)


def title_key(title: str | None, year: int | None) -> str | None:
    """The build's title hash of a paper (``title:`` keys use it): normalised title + year."""
    t = normalise_title(title)
    return short_hash(f"{t}|{year if year is not None else ''}") if t else None


@dataclass(slots=True)
class StoredPaper:
    key: str
    doi: str | None = None
    pmid: str | None = None
    title: str | None = None
    year: int | None = None
    first_page: str | None = None
    first_family: str | None = None
    journal: dict[str, Any] | None = None  # key, name, abbreviation, issns


@dataclass(slots=True)
class StoredAuthorship:
    author: dict[str, Any]  # key, family, given, orcid
    paper: str
    coauthors: list[tuple[str, str | None]]  # (family, given) of the paper's other authors
    venue: str | None  # the paper's journal key


class StoredIdentities(Protocol):
    """What :func:`reconcile` asks a store (Neo4jStore implements it)."""

    def stored_papers(self, dois: list[str], pmids: list[str], title_keys: list[str]) -> list[StoredPaper]: ...

    def stored_journals(self) -> list[dict[str, Any]]: ...

    def stored_authorships(self, blocks: list[str]) -> list[StoredAuthorship]: ...

    def stored_author_lists(self, papers: list[str]) -> dict[str, list[tuple[str, str, str | None]]]: ...


@dataclass(slots=True)
class Reconciliation:
    renamed: dict[Label, dict[str, str]] = field(default_factory=dict)  # new graph key -> final key
    moves: dict[Label, list[tuple[str, str]]] = field(default_factory=dict)  # stored key -> final key
    displays: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # author key -> (family, given)
    # papers whose stored author list the new graph's list replaces (it has more names, or fuller ones)
    replace_authors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        out = {f"renamed:{l.value}": len(v) for l, v in self.renamed.items() if v}
        out.update({f"moved:{l.value}": len(v) for l, v in self.moves.items() if v})
        return out


def reconcile(graph: Graph, stored: StoredIdentities, author_key: str = "compatible") -> Reconciliation:
    """Resolve ``graph`` against ``stored``; rekeys ``graph`` in place and returns what to change in
    the store (see the module doc)."""
    rec = Reconciliation()
    paper_final, paper_journal = _papers(graph, stored, rec)
    _journals(graph, stored, rec, paper_final, paper_journal)
    _authors(graph, stored, rec, author_key)
    return rec


# -- papers ---------------------------------------------------------------------------------------------

def _first_authors(graph: Graph) -> dict[str, str]:
    first: dict[str, tuple[int, str]] = {}
    for e in graph.edges(RelType.AUTHORED):
        pos = e.get("position") or 10**6
        if e["target"] not in first or pos < first[e["target"]][0]:
            first[e["target"]] = (pos, e["source"])
    out = {}
    for paper, (_, author) in first.items():
        node = graph.node(Label.AUTHOR, author)
        if node and node.get("family"):
            out[paper] = node["family"]
    return out


def _proxy(tag: str, n: int, key: str, doi, pmid, title, year, first_page, family) -> Record:
    return Record(Source(tag, n, key), doi=doi, pmid=pmid, title=title, year=year, first_page=first_page,
                  authors=[Person(family)] if family else [])


def _papers(graph: Graph, stored: StoredIdentities, rec: Reconciliation):
    papers = list(graph.nodes(Label.PAPER))
    if not papers:
        return {}, {}
    dois = sorted({p["doi"].lower() for p in papers if p.get("doi")})
    pmids = sorted({p["pmid"] for p in papers if p.get("pmid")})
    tkeys = sorted({k for p in papers if (k := title_key(p.get("title"), p.get("year")))})
    found = stored.stored_papers(dois, pmids, tkeys)
    journal_of: dict[str, str] = {e["source"]: e["target"] for e in graph.edges(RelType.PUBLISHED_IN)}
    paper_journal: dict[str, list[dict[str, Any]]] = defaultdict(list)  # final paper key -> journal refs
    if not found:
        return {p["key"]: p["key"] for p in papers}, paper_journal
    firsts = _first_authors(graph)
    resolver = PaperResolver()
    for i, p in enumerate(papers):
        resolver.add(_proxy("new", i, p["key"], p.get("doi"), p.get("pmid"), p.get("title"), p.get("year"),
                            p.get("first_page"), firsts.get(p["key"])))
    for j, s in enumerate(found):
        resolver.add(_proxy("stored", j, s.key, s.doi, s.pmid, s.title, s.year, s.first_page, s.first_family))
    final: dict[str, str] = {}
    renamed: dict[str, str] = {}
    moves: list[tuple[str, str]] = []
    matched: set[str] = set()  # new papers that met a stored one
    stored_members: dict[str, list[str]] = {}  # final key -> stored keys in its group
    for work in resolver.works():
        new = [r.source.format for r in work.records if r.source.file == "new"]
        old = [r.source.format for r in work.records if r.source.file == "stored"]
        if not new:
            continue
        if not old:
            for k in new:
                final[k] = k
            continue
        fixed = set(new) & set(old)  # a key both sides hold is one paper already and stays
        if len(fixed) > 1:
            for k in new:
                final[k] = k
            continue
        target = next(iter(fixed)) if fixed else work.key
        if target.startswith("title:") and not fixed:  # a title hash's collision suffix is not kept
            target = ":".join(target.split(":")[:2])
        stored_members[target] = old
        for k in new:
            final[k] = target
            matched.add(k)
            if k != target:
                renamed[k] = target
        for k in old:
            if k != target:
                moves.append((k, target))
        for s in found:
            if s.key in old and s.journal:
                paper_journal[target].append(s.journal)
    rec.renamed[Label.PAPER] = renamed
    rec.moves[Label.PAPER] = sorted(set(moves))
    _rekey(graph, Label.PAPER, renamed)
    _author_lists(graph, stored, rec, {final[k] for k in matched}, stored_members)
    for old_key, jkey in journal_of.items():
        node = graph.node(Label.JOURNAL, jkey)
        if node is not None:
            paper_journal[final.get(old_key, old_key)].append(node)
    return final, paper_journal


def _author_lists(graph: Graph, stored: StoredIdentities, rec: Reconciliation, papers: set[str],
                  stored_members: dict[str, list[str]]) -> None:
    """One author list per paper, as one build picks it: the list with the most authors, then the
    fullest given names (a tie keeps the stored one, so loading a file again changes nothing)."""
    if not papers:
        return
    lists = stored.stored_author_lists(sorted({k for p in papers for k in stored_members.get(p, [])}))
    by_paper: dict[str, list[str]] = defaultdict(list)
    for e in graph.edges(RelType.AUTHORED):
        by_paper[e["target"]].append(e["source"])

    def score(people: list[tuple[str, str, str | None]]) -> tuple[int, int]:
        return len(people), sum(len(squash(g or "")) for _, _, g in people)

    drop: list[tuple[str, str]] = []
    for paper in sorted(papers):
        mine = [(graph.node(Label.AUTHOR, a) or {"key": a}) for a in by_paper.get(paper, [])]
        new_score = score([(r["key"], r.get("family") or "", r.get("given")) for r in mine])
        olds = [lists.get(k, []) for k in stored_members.get(paper, [])]
        old_score = max((score(x) for x in olds), default=(0, 0))
        if new_score > old_score:
            rec.replace_authors.append(paper)
        elif not any({r["key"] for r in mine} == {k for k, _, _ in x} for x in olds):
            drop += [(a, paper) for a in by_paper.get(paper, [])]  # the stored list stays the paper's
    for a, paper in drop:
        graph.remove_edge(RelType.AUTHORED, a, paper)
    left = {e["source"] for e in graph.edges(RelType.AUTHORED)}
    for a in {a for a, _ in drop} - left:
        graph.remove_node(Label.AUTHOR, a)


# -- journals -------------------------------------------------------------------------------------------

def _ref(row: dict[str, Any]) -> JournalRef:
    issns = list(row.get("issns") or []) or ([row["issn"]] if row.get("issn") else [])
    key = row.get("key") or ""
    if key.startswith("issn:") and key[5:] not in issns:
        issns.append(key[5:])
    name = row.get("name")
    if not name and key.startswith("journal:"):
        name = key[8:]
    return JournalRef(name=name, abbreviation=row.get("abbreviation"), issns=issns)


def _journals(graph: Graph, stored: StoredIdentities, rec: Reconciliation, paper_final: dict[str, str],
              paper_journal: dict[str, list[dict[str, Any]]]) -> None:
    new = list(graph.nodes(Label.JOURNAL))
    if not new:
        return
    old = stored.stored_journals()
    if not old:
        return
    resolver = JournalResolver()
    for row in new:
        resolver.add(f"new:{row['key']}", _ref(row))
    for row in old:
        resolver.add(f"stored:{row['key']}", _ref(row))
    for paper, refs in paper_journal.items():  # venues of one paper are one journal
        for row in refs:
            resolver.add(f"paper:{paper}", _ref(row))
    resolver.resolve()
    groups: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"new": [], "stored": []})
    for row in new:
        groups[resolver.key_of(f"new:{row['key']}") or row["key"]]["new"].append(row["key"])
    for row in old:
        g = resolver.key_of(f"stored:{row['key']}")
        if g in groups:
            groups[g]["stored"].append(row["key"])
    renamed: dict[str, str] = {}
    moves: list[tuple[str, str]] = []
    for group, members in groups.items():
        if not members["stored"]:
            continue
        keys = members["new"] + members["stored"]
        fixed = set(members["new"]) & set(members["stored"])
        if len(fixed) > 1:
            continue  # two journals the graph's own build kept apart
        issn_keys = sorted(k for k in keys if k.startswith("issn:"))
        if fixed:
            target = next(iter(fixed))
        elif group.startswith("issn:"):
            target = group
        elif issn_keys:
            target = issn_keys[0]
        else:  # the build's rule over the titles the keys carry: the longest, then alphabetical
            titles = [k[8:] for k in keys if k.startswith("journal:")] or [group[8:]]
            target = "journal:" + max(titles, key=lambda t: (len(t), [-ord(c) for c in t]))
        _point(members["new"], members["stored"], target, renamed, moves)
    rec.renamed[Label.JOURNAL] = renamed
    rec.moves[Label.JOURNAL] = sorted(set(moves))
    _rekey(graph, Label.JOURNAL, renamed)


# -- authors --------------------------------------------------------------------------------------------

def _authors(graph: Graph, stored: StoredIdentities, rec: Reconciliation, author_key: str) -> None:
    authors = {row["key"]: row for row in graph.nodes(Label.AUTHOR)}
    if not authors:
        return
    blocks = sorted({block_key(row.get("family") or "") for row in authors.values()} - {""})
    old = stored.stored_authorships(blocks)
    if not old:
        return
    by_paper: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for e in graph.edges(RelType.AUTHORED):
        by_paper[e["target"]].append((e.get("position") or 0, e["source"]))
    venue = {e["source"]: e["target"] for e in graph.edges(RelType.PUBLISHED_IN)}
    resolver = AuthorResolver(author_key)  # type: ignore[arg-type]
    occ_owner: list[tuple[str, str]] = []  # occurrence -> ("new"|"stored", author key)

    def person(row: dict[str, Any]) -> Person:
        return Person(row.get("family") or "", row.get("given"), orcid=row.get("orcid"))

    for paper, listed in by_paper.items():
        people = [person(authors[a]) for _, a in sorted(listed) if a in authors]
        w = resolver.add_context(people, venue.get(paper))
        for _, a in sorted(listed):
            if a in authors:
                resolver.add(person(authors[a]), work=w)
                occ_owner.append(("new", a))
    for s in old:
        people = [Person(f or "", g) for f, g in s.coauthors] + [person(s.author)]
        w = resolver.add_context(people, s.venue)
        resolver.add(person(s.author), work=w)
        occ_owner.append(("stored", s.author["key"]))
    resolver.resolve()
    votes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for i, owner in enumerate(occ_owner):
        k = resolver.key_of(i)
        if k:
            votes[owner][k] += 1
    final = {owner: c.most_common(1)[0][0] for owner, c in votes.items()}
    groups: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"new": set(), "stored": set()})
    for (side, key), f in final.items():
        groups[f][side].add(key)
    renamed: dict[str, str] = {}
    moves: list[tuple[str, str]] = []
    stored_rows = {s.author["key"]: s.author for s in old}
    for f, members in sorted(groups.items()):
        if not members["new"]:
            continue
        if not members["stored"]:
            continue  # nothing stored to meet: the new keys stand as built
        # a key the graph and the store both hold is one author already: it stays, and two such keys
        # are two authors the graph's own build kept apart (never merged here)
        fixed = members["new"] & members["stored"]
        if len(fixed) > 1:
            continue
        target = next(iter(fixed)) if fixed else f
        if target in stored_rows and target not in members["stored"]:
            target = sorted(members["stored"])[0]  # never rename onto another stored author
        _point(members["new"], members["stored"], target, renamed, moves)
        info = AuthorInfo(target, target[6:] if target.startswith("orcid:") else None)
        for k in members["new"]:  # a tie keeps the stored display (loading a file again changes nothing)
            row = authors[k]
            info.variants[(row.get("family") or "", row.get("given"))] = 1
        for k in members["stored"]:
            row = stored_rows[k]
            info.variants[(row.get("family") or "", row.get("given"))] = 2
        rec.displays[target] = info.display()
    rec.renamed[Label.AUTHOR] = renamed
    rec.moves[Label.AUTHOR] = sorted(set(moves))
    _rekey(graph, Label.AUTHOR, renamed)
    for key, (family, given) in rec.displays.items():
        node = graph.node(Label.AUTHOR, key)
        if node is not None:
            node.update(family=family, given=given, name=f"{family}, {given}" if given else family)


def _point(new: Iterable[str], stored: Iterable[str], target: str, renamed: dict[str, str],
           moves: list[tuple[str, str]]) -> None:
    """Every key of a group other than ``target``: new ones are renamed, stored ones moved."""
    renamed.update({k: target for k in new if k != target})
    moves.extend((k, target) for k in stored if k != target)


# -- rekeying a graph -----------------------------------------------------------------------------------

def _rekey(graph: Graph, label: Label, mapping: dict[str, str]) -> None:
    """Rename nodes of ``label`` (and their edges) in place; nodes meeting under one key merge (a
    property set on the first stays)."""
    if not mapping:
        return
    for old, new in mapping.items():
        row = graph.node(label, old)
        if row is None or old == new:
            continue
        props = {k: v for k, v in row.items() if k != "key"}
        target = graph.node(label, new)
        if target is None:
            graph.add_node(label, new, **props)
        else:
            for k, v in props.items():
                if target.get(k) in (None, [], "") and v not in (None, [], ""):
                    target[k] = v
                elif k == "sources" and v:
                    target[k] = sorted(set(target.get(k) or []) | set(v))
    for type, (start, end) in ENDPOINTS.items():
        if label not in (start, end):
            continue
        moved = []
        for e in list(graph.edges(type)):
            s = mapping.get(e["source"], e["source"]) if start is label else e["source"]
            t = mapping.get(e["target"], e["target"]) if end is label else e["target"]
            if (s, t) != (e["source"], e["target"]):
                moved.append((e, s, t))
        for e, s, t in moved:
            props = {k: v for k, v in e.items() if k not in ("source", "target")}
            graph.remove_edge(type, e["source"], e["target"])
            if s == t and type is not RelType.CO_AUTHOR and start is end:
                continue  # a paper citing its own duplicate
            have = graph.edge(type, s, t)
            if have is None:
                graph.add_edge(type, s, t, **props)
            elif type is RelType.AUTHORED and props.get("position") is not None:
                have["position"] = min(have.get("position") or props["position"], props["position"])
    for old, new in mapping.items():
        if old != new:
            graph.remove_node(label, old, detach=False)  # its edges were moved above
