"""Forgiving lookups: what a user typed for an author, a paper, a journal or a term -> one node key.

One implementation for every caller (the CLI, :mod:`graphkit.queries`, the maps) and every place a
graph lives: a :class:`Catalog` reads nodes from an in-memory :class:`~graphkit.graph.Graph` or from
any store (embedded or Neo4j) through portable Cypher.

Accepted forms:

- **author**: the key (``orcid:...``, ``name:...``; an old-style key such as ``name:kim|h`` is read as
  a name), an ORCID (bare or ``https://orcid.org/...``), or a name in any case and any recorded form:
  "Rockloff, Matthew", "rockloff, matthew j.", "Rockloff, M.", "Matthew Rockloff", "Rockloff MJ".
  A name matches the authors whose family name is the same after folding and whose given names are
  compatible (:func:`graphkit.resolve.authors.compatibility`);
- **paper**: the key, a DOI (``10.x/y``, ``doi:10.x/y``, ``https://doi.org/10.x/y``), a PMID
  (``12345``, ``pmid:12345``, ``PMID: 12345``) or the exact title (any case);
- **journal**: the key, any ISSN it was seen with (print or electronic), its name or abbreviation
  (any case, punctuation and a leading "The" ignored);
- **term**: the key, a keyword in any case, a MeSH heading (any case) or descriptor UI (``D009378``).

Outcomes: one match -> its key. Several -> when one is an exact match of the text (the same name
written out, the same title) it is taken and :attr:`Match.note` says which others there were;
otherwise :class:`AmbiguousError` lists them (the CLI exits 1). None -> :class:`NotFoundError` with the
closest candidates (the CLI exits 1). Never an empty answer that looks like one.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from graphkit.graph import Graph
from graphkit.model import GraphkitError
from graphkit.resolve.authors import block_key, compatibility, given_parts, normalise_orcid, parse_name
from graphkit.resolve.journals import normalise_journal, valid_issns
from graphkit.resolve.terms import keyword_text
from graphkit.resolve.text import fold, normalise_doi, normalise_title, squash
from graphkit.schema import Label

log = logging.getLogger(__name__)

Kind = Literal["author", "paper", "journal", "term", "keyword", "mesh"]
KINDS: tuple[str, ...] = ("author", "paper", "journal", "term", "keyword", "mesh")
SHOWN = 8  # candidates named in a message
_PMID = re.compile(r"^\s*(?:pmid\s*[:=]?\s*)?(\d{1,9})\s*$", re.IGNORECASE)
_MESH_UI = re.compile(r"^\s*(?:mesh:)?([DCQ]\d{6,9})\s*$", re.IGNORECASE)

# the properties each label needs for matching (and for naming candidates)
FIELDS: dict[Label, tuple[str, ...]] = {
    Label.AUTHOR: ("key", "name", "family", "given", "orcid"),
    Label.PAPER: ("key", "doi", "pmid", "title", "year"),
    Label.JOURNAL: ("key", "name", "abbreviation", "issn", "issns"),
    Label.KEYWORD: ("key", "name"),
    Label.MESH: ("key", "name", "ui"),
}


class LookupError(GraphkitError):  # noqa: A001 (the library's own, a GraphkitError)
    """Nothing, or more than one thing, answers to what the user typed."""


class NotFoundError(LookupError):
    """No node matches; the message names the closest candidates."""


class AmbiguousError(LookupError):
    """Several nodes match and none is exact; the message lists them."""

    def __init__(self, message: str, candidates: list[Candidate]) -> None:
        super().__init__(message)
        self.candidates = candidates


@dataclass(frozen=True, slots=True)
class Candidate:
    key: str
    label: str  # what a person reads: "Kim, Hyun-Jin", a title, a journal name

    def __str__(self) -> str:
        return f"{self.label} ({self.key})" if self.label and self.label != self.key else self.key


@dataclass(frozen=True, slots=True)
class Match:
    kind: str
    key: str
    label: str
    note: str | None = None  # set when one of several matches was taken


class Catalog:
    """Nodes to look things up in: an in-memory Graph, or a store (anything with ``run(cypher, params)``).

    A store is asked for one label's nodes at most once per Catalog (exact key checks are single-row
    queries first, so the common case reads no more than one node)."""

    def __init__(self, source: Graph | Any) -> None:
        self.source = source
        self._rows: dict[Label, list[dict[str, Any]]] = {}

    def by_key(self, label: Label, key: str) -> dict[str, Any] | None:
        if isinstance(self.source, Graph):
            return self.source.node(label, key)
        rows = self.source.run(f"MATCH (n:{label.value}) WHERE n.key = $key RETURN "
                               + ", ".join(f"n.{p} AS {p}" for p in FIELDS[label]), {"key": key})
        return rows[0] if rows else None

    def rows(self, label: Label) -> list[dict[str, Any]]:
        rows = self._rows.get(label)
        if rows is None:
            if isinstance(self.source, Graph):
                rows = list(self.source.nodes(label))
            else:
                rows = self.source.run(f"MATCH (n:{label.value}) RETURN "
                                       + ", ".join(f"n.{p} AS {p}" for p in FIELDS[label]), {})
            self._rows[label] = rows
        return rows


def _catalog(source: Graph | Catalog | Any) -> Catalog:
    return source if isinstance(source, Catalog) else Catalog(source)


def resolve(source: Graph | Catalog | Any, kind: str, text: str) -> Match:
    """The node of ``kind`` (author, paper, journal, term, keyword, mesh) that ``text`` names."""
    finder = FINDERS.get(kind)
    if finder is None:
        raise LookupError(f"cannot look up a {kind!r}; kinds: {', '.join(KINDS)}")
    if not text or not str(text).strip():
        raise NotFoundError(f"empty {kind} given")
    return finder(_catalog(source), str(text).strip())


def resolve_key(source: Graph | Catalog | Any, kind: str, text: str) -> str:
    return resolve(source, kind, text).key


# -- outcome ----------------------------------------------------------------------------------------

def _decide(kind: str, text: str, exact: list[Candidate], fits: list[Candidate],
            pool: Callable[[], list[tuple[str, Candidate]]]) -> Match:
    """One exact match wins (with a note when others fit too); one fit wins; several -> ambiguous;
    none -> not found with the closest candidates from ``pool`` ((comparison text, candidate) pairs)."""
    exact = list(dict.fromkeys(exact))
    fits = list(dict.fromkeys(fits))
    if len(exact) == 1:
        others = [c for c in fits if c != exact[0]]
        note = None
        if others:
            note = (f"{kind} {text!r}: took {exact[0]}, the exact match; also fitting: "
                    + "; ".join(str(c) for c in others[:SHOWN]) + (" ..." if len(others) > SHOWN else ""))
        return Match(kind, exact[0].key, exact[0].label, note)
    chosen = exact or fits
    if len(chosen) == 1:
        return Match(kind, chosen[0].key, chosen[0].label)
    if chosen:
        listed = "; ".join(str(c) for c in chosen[:SHOWN]) + (f"; ... {len(chosen) - SHOWN} more"
                                                                if len(chosen) > SHOWN else "")
        raise AmbiguousError(f"{len(chosen)} {kind}s match {text!r}: {listed}. Give one of their keys "
                             "(or a fuller name)", chosen)
    raise NotFoundError(_not_found(kind, text, pool()))


def _not_found(kind: str, text: str, pool: list[tuple[str, Candidate]]) -> str:
    wanted = fold(text)
    by_text: dict[str, list[Candidate]] = {}
    for t, c in pool:
        by_text.setdefault(t, []).append(c)
    close = difflib.get_close_matches(wanted, list(by_text), n=5, cutoff=0.6)
    if not close:  # a word of the text inside a candidate ('rockloff' in 'rockloff, matthew')
        words = [w for w in re.split(r"\W+", wanted) if len(w) >= 3]
        close = [t for t in by_text if any(w in t for w in words)][:5]
    found = [c for t in close for c in by_text[t]][:5]
    hint = f"; closest: {'; '.join(str(c) for c in found)}" if found else ""
    return f"no {kind} matches {text!r}{hint}"


# -- authors ----------------------------------------------------------------------------------------

def _author_label(row: dict[str, Any]) -> str:
    return row.get("name") or row["key"]


def find_author(cat: Catalog, text: str) -> Match:
    row = cat.by_key(Label.AUTHOR, text)
    if row is not None:
        return Match("author", row["key"], _author_label(row))
    orcid = normalise_orcid(text) if re.search(r"\d{4}-?\d{4}-?\d{4}-?\d{3}[\dXx]", text) else None
    if orcid:
        row = cat.by_key(Label.AUTHOR, f"orcid:{orcid}")
        if row is not None:
            return Match("author", row["key"], _author_label(row))
        hits = [Candidate(r["key"], _author_label(r)) for r in cat.rows(Label.AUTHOR) if r.get("orcid") == orcid]
        return _decide("author", text, [], hits, lambda: [])
    if text.lower().startswith("name:") and "|" in text:  # an old-style or mistyped key: read as a name
        family, _, given = text[5:].partition("|")
        base = given.split("#")[0]
        given_tokens = tuple(t for t in base.split("-") if t)
        return _match_names("author", text, cat, family, given_tokens, exact_text=None)
    person = parse_name(text)
    if person is None:
        raise NotFoundError(f"empty author given")
    tokens = tuple(given_parts(person.given))
    try:
        return _match_names("author", text, cat, person.family, tokens, exact_text=text)
    except NotFoundError:
        if person.given and "," not in text:  # "Hyun-Jin Kim" / "Kim Hyun-Jin": try the other order
            swapped = parse_name(f"{text.split()[0]}, {' '.join(text.split()[1:])}")
            if swapped is not None:
                try:
                    return _match_names("author", text, cat, swapped.family, tuple(given_parts(swapped.given)),
                                        exact_text=None)
                except NotFoundError:
                    pass
        raise


def _match_names(kind: str, text: str, cat: Catalog, family: str, tokens: tuple[str, ...],
                 exact_text: str | None) -> Match:
    block = block_key(family)
    exact: list[Candidate] = []
    strong: list[Candidate] = []
    loose: list[Candidate] = []  # fits only as initials (or no given name) on one side
    vaguer: set[Candidate] = set()  # fewer given names than typed ("Kim, H" when "Kim, H.-J." is typed)
    wanted_name = squash(exact_text) if exact_text else None
    for row in cat.rows(Label.AUTHOR):
        fam = row.get("family") or ""
        if block_key(fam) != block:
            continue
        theirs = tuple(given_parts(row.get("given")))
        level = compatibility(tokens, theirs)
        if level not in ("strong", "initials"):
            continue
        c = Candidate(row["key"], _author_label(row))
        (strong if level == "strong" else loose).append(c)
        if len(theirs) < len(tokens):
            vaguer.add(c)
        if theirs == tokens or (wanted_name is not None and squash(row.get("name") or "") == wanted_name):
            exact.append(c)
    if wanted_name:  # the display name as typed, whatever the family/given split of the node says
        for row in cat.rows(Label.AUTHOR):
            if squash(row.get("name") or "") == wanted_name:
                c = Candidate(row["key"], _author_label(row))
                exact.append(c)
                if c not in strong and c not in loose:
                    strong.append(c)
    # a full given name typed: the authors with that full name answer (an initials-only author that
    # merely fits is no rival); initials typed: every author they fit is a candidate
    full_typed = bool(tokens) and len(tokens[0]) > 1
    fits = strong if (full_typed and strong) else strong + loose
    if any(c not in vaguer for c in fits):
        fits = [c for c in fits if c not in vaguer]
    exact = [c for c in exact if c in fits]
    return _decide(kind, text, exact, fits,
                   lambda: [(fold(_author_label(r)), Candidate(r["key"], _author_label(r)))
                            for r in cat.rows(Label.AUTHOR)])


# -- papers -------------------------------------------------------------------------------------------

def _paper_label(row: dict[str, Any]) -> str:
    title = row.get("title") or row["key"]
    return f"{title[:70]}{'...' if len(title) > 70 else ''}" + (f" ({row['year']})" if row.get("year") else "")


def find_paper(cat: Catalog, text: str) -> Match:
    row = cat.by_key(Label.PAPER, text)
    if row is not None:
        return Match("paper", row["key"], _paper_label(row))
    doi = normalise_doi(text)
    if doi is None and re.match(r"^\s*(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?10\.\S+/\S", text, re.IGNORECASE):
        doi = re.sub(r"^\s*(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", "", text, flags=re.IGNORECASE).lower()
    if doi:
        row = cat.by_key(Label.PAPER, f"doi:{doi}")
        if row is not None:
            return Match("paper", row["key"], _paper_label(row))
        hits = [Candidate(r["key"], _paper_label(r)) for r in cat.rows(Label.PAPER)
                if (r.get("doi") or "").lower() == doi]
        return _decide("paper", text, [], hits,
                       lambda: [((r.get("doi") or "").lower(), Candidate(r["key"], _paper_label(r)))
                                for r in cat.rows(Label.PAPER) if r.get("doi")])
    m = _PMID.match(text)
    if m:
        pmid = m.group(1).lstrip("0") or "0"
        row = cat.by_key(Label.PAPER, f"pmid:{pmid}")
        if row is not None:
            return Match("paper", row["key"], _paper_label(row))
        hits = [Candidate(r["key"], _paper_label(r)) for r in cat.rows(Label.PAPER) if r.get("pmid") == pmid]
        return _decide("paper", text, [], hits, lambda: [])
    wanted = normalise_title(text)
    hits = [Candidate(r["key"], _paper_label(r)) for r in cat.rows(Label.PAPER)
            if normalise_title(r.get("title")) == wanted]
    return _decide("paper", text, [], hits,
                   lambda: [(normalise_title(r.get("title")), Candidate(r["key"], _paper_label(r)))
                            for r in cat.rows(Label.PAPER) if r.get("title")])


# -- journals -----------------------------------------------------------------------------------------

def _journal_label(row: dict[str, Any]) -> str:
    return row.get("name") or row.get("abbreviation") or row["key"]


def find_journal(cat: Catalog, text: str) -> Match:
    row = cat.by_key(Label.JOURNAL, text)
    if row is not None:
        return Match("journal", row["key"], _journal_label(row))
    issn_like = re.fullmatch(r"\s*(?:issn:\s*)?(\d{4})-?(\d{3}[\dXx])\s*", text, re.IGNORECASE)
    issns = valid_issns(text) if issn_like else []
    if issn_like and not issns:  # a stored ISSN that fails the check digit still names its journal
        issns = [f"{issn_like.group(1)}-{issn_like.group(2).upper()}"]
    if issns:
        hits = []
        for issn in issns:
            row = cat.by_key(Label.JOURNAL, f"issn:{issn}")
            if row is not None:
                return Match("journal", row["key"], _journal_label(row))
            hits += [Candidate(r["key"], _journal_label(r)) for r in cat.rows(Label.JOURNAL)
                     if issn == r.get("issn") or issn in (r.get("issns") or ())]
        return _decide("journal", text, [], hits, lambda: [])
    wanted = normalise_journal(text)
    exact: list[Candidate] = []
    fits: list[Candidate] = []
    for r in cat.rows(Label.JOURNAL):
        names = [normalise_journal(r.get(p)) for p in ("name", "abbreviation")]
        if wanted and wanted in names:
            c = Candidate(r["key"], _journal_label(r))
            (exact if names[0] == wanted else fits).append(c)
            fits.append(c)
    return _decide("journal", text, exact, fits,
                   lambda: [(normalise_journal(_journal_label(r)), Candidate(r["key"], _journal_label(r)))
                            for r in cat.rows(Label.JOURNAL)])


# -- terms --------------------------------------------------------------------------------------------

def find_keyword(cat: Catalog, text: str) -> Match:
    return _find_term(cat, text, (Label.KEYWORD,), "keyword")


def find_mesh(cat: Catalog, text: str) -> Match:
    return _find_term(cat, text, (Label.MESH,), "MeSH term")


def find_term(cat: Catalog, text: str) -> Match:
    return _find_term(cat, text, (Label.KEYWORD, Label.MESH), "term")


def _find_term(cat: Catalog, text: str, labels: tuple[Label, ...], kind: str) -> Match:
    for label in labels:
        row = cat.by_key(label, text)
        if row is not None:
            return Match(kind, row["key"], row.get("name") or row["key"])
    exact: list[Candidate] = []
    if Label.KEYWORD in labels:
        row = cat.by_key(Label.KEYWORD, f"kw:{keyword_text(text)}")
        if row is not None:
            exact.append(Candidate(row["key"], row.get("name") or row["key"]))
    if Label.MESH in labels:
        m = _MESH_UI.match(text)
        if m:
            row = cat.by_key(Label.MESH, f"mesh:{m.group(1).upper()}")
            if row is not None:
                return Match(kind, row["key"], row.get("name") or row["key"])
        wanted = fold(text).strip()
        exact += [Candidate(r["key"], r.get("name") or r["key"]) for r in cat.rows(Label.MESH)
                  if fold(r.get("name") or "") == wanted]
    if len(exact) > 1 and Label.KEYWORD in labels and Label.MESH in labels:
        # a keyword and a MeSH heading of the same name: the heading is the controlled term
        mesh = [c for c in exact if c.key.startswith("mesh:")]
        if len(mesh) == 1:
            others = [c for c in exact if c != mesh[0]]
            return Match(kind, mesh[0].key, mesh[0].label,
                         f"{kind} {text!r}: took the MeSH heading {mesh[0]}; also: "
                         + "; ".join(str(c) for c in others))
    return _decide(kind, text, [], exact,
                   lambda: [(fold(r.get("name") or ""), Candidate(r["key"], r.get("name") or r["key"]))
                            for label in labels for r in cat.rows(label)])


FINDERS: dict[str, Callable[[Catalog, str], Match]] = {
    "author": find_author, "paper": find_paper, "journal": find_journal, "term": find_term,
    "keyword": find_keyword, "mesh": find_mesh,
}


def exact_rows(source: Graph | Catalog | Any, text: str, kind: str | None = None) -> list[dict[str, Any]]:
    """Search rows (kind, key, name, score 1.0) for a text that is an identifier: an ORCID, a DOI, a
    PMID, an ISSN or a node key. Names and words give no rows here (full-text search answers them)."""
    cat = _catalog(source)
    text = text.strip()
    tries: list[tuple[str, str]] = []  # (search kind, lookup kind)
    if re.search(r"\d{4}-?\d{4}-?\d{4}-?\d{3}[\dXx]", text) and normalise_orcid(text):
        tries.append(("author", "author"))
    elif normalise_doi(text) or _PMID.match(text):
        tries.append(("paper", "paper"))
    elif ":" in text and " " not in text:  # a key
        tries += [("author", "author"), ("paper", "paper"), ("term", "term")]
    rows = []
    for search_kind, lookup_kind in tries:
        if kind not in (None, search_kind):
            continue
        try:
            match = resolve(cat, lookup_kind, text)
        except LookupError:
            continue
        rows.append({"kind": search_kind, "key": match.key, "name": match.label, "score": 1.0})
        break
    return rows


@dataclass(slots=True)
class Resolved:
    """Parameters after lookup, with the notes to show the user."""

    params: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def resolve_params(source: Graph | Catalog | Any, params: dict[str, Any], kinds: dict[str, str]) -> Resolved:
    """Replace each parameter named in ``kinds`` (parameter -> lookup kind) by the key it names."""
    cat = _catalog(source)
    out = dict(params)
    notes: list[str] = []
    for name, kind in kinds.items():
        value = out.get(name)
        if isinstance(value, str):
            match = resolve(cat, kind, value)
            out[name] = match.key
            if match.note:
                notes.append(match.note)
    return Resolved(out, notes)
