"""Keywords and MeSH terms: normal forms, check tags, and MeSH headings recognised in mixed keyword
fields (Scopus/Embase RIS put author keywords, Emtree terms and MeSH headings into one KW field).

Rules, in order:

1. every keyword value is split on ';' and trimmed;
2. when the reader already found MeSH headings (MEDLINE MH, or its own split of a mixed field), the
   keywords stay keywords; only an unmistakable '*Heading' or 'Heading/qualifier' item moves;
3. otherwise the record is *MeSH-capable* when one of its keyword parts is exactly a MeSH check tag
   ('Humans', 'Male', 'Female', 'Aged', ...); in a MeSH-capable record the keywords are an index-term
   field and :func:`split_index_terms` finds the groups (sorted runs, whatever their order: Scopus CSV
   writes MeSH first, Scopus RIS last) and the exact MeSH heading names in them, the same for every
   producer; '*' (major topic) and '/qualifier' suffixes as in Zotero's PubMed KW are understood;
4. a keyword never keeps a leading or trailing '*' (APA/MeSH major-topic star): '*mcda' is 'mcda';
5. headings a reader guessed from a mixed field (anything but MEDLINE's MH) that the bundled MeSH
   table does not know go back to the keywords;
6. everything else stays a keyword: Emtree's lower-case terms ('human', 'female') never match a
   MeSH heading, because the match is case-sensitive.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from graphkit.model import MeshRef, Record
from graphkit.resolve.concepts import concept_text
from graphkit.resolve.check_tags import MESH_CHECK_TAGS, is_keyword_check_tag, is_mesh_check_tag
from graphkit.resolve.mesh import MeshVocabulary, vocabulary

log = logging.getLogger(__name__)

_STRIP = " \t\r\n.,;:\"'*"  # '*' too: MeSH-style major stars never make a keyword of their own


@lru_cache(maxsize=1 << 14)  # the frequent keywords recur across records (and each is looked up twice)
def keyword_text(keyword: str) -> str:
    """A keyword's identity: NFKC, case-folded, trimmed, inner whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", keyword).casefold().split()).strip(_STRIP)


def keyword_key(keyword: str) -> str | None:
    """The key of a keyword's node: ``kw:`` + its folded concept text (graphkit.resolve.concepts)."""
    text = concept_text(keyword)
    return f"kw:{text}" if text else None


@lru_cache(maxsize=1 << 14)
def _surface(keyword: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", keyword).split()).strip(_STRIP)


def parse_mesh_text(text: str) -> MeshRef:
    """'*Liver Neoplasms/therapy' or 'Liver Neoplasms/*therapy' -> MeshRef(major=True, qualifiers)."""
    parts = [p.strip() for p in text.split("/")]
    heading = parts[0]
    major = heading.startswith("*") or any(q.startswith("*") for q in parts[1:])
    return MeshRef(heading.lstrip("*").strip(), major, [q.lstrip("*").strip() for q in parts[1:] if q.strip("* ")])


@dataclass(slots=True)
class Terms:
    keywords: list[str] = field(default_factory=list)  # surface forms, one per keyword key
    mesh: list[MeshRef] = field(default_factory=list)  # one per heading


def _is_heading(text: str, vocab: MeshVocabulary) -> bool:
    return vocab.exact(text) is not None


def _mesh_part(text: str, vocab: MeshVocabulary) -> MeshRef | None:
    """The part as a MeSH heading when it is one (with optional '*' and '/qualifier' decoration)."""
    if _is_heading(text, vocab):
        return MeshRef(text)
    if "*" in text or "/" in text:
        ref = parse_mesh_text(text)
        if ref.heading and _is_heading(ref.heading, vocab):
            return ref
    return None


def _greedy(parts: list[str], vocab: MeshVocabulary) -> list[tuple[str, bool]]:
    """Re-join ', '-split parts into the longest exact MeSH headings; (text, is_mesh) pairs."""
    out: list[tuple[str, bool]] = []
    i, n = 0, len(parts)
    while i < n:
        for j in range(n, i, -1):
            cand = ", ".join(parts[i:j])
            if _mesh_part(cand, vocab) is not None:
                out.append((cand, True))
                i = j
                break
        else:
            out.append((parts[i], False))
            i += 1
    return out


def mesh_capable(pieces: list[str]) -> bool:
    """Whether a keyword list shows MeSH indexing: one of its parts is exactly a MeSH check tag."""
    return any(part.lstrip("*").split("/")[0].strip() in MESH_CHECK_TAGS for p in pieces for part in p.split(", "))


def _order(text: str) -> str:
    return text.lstrip("*").casefold()


def sorted_runs(terms: list[str]) -> list[list[str]]:
    """The terms cut into maximal runs in alphabetical order (case-insensitive): the groups of an
    index-term field. Scopus, Embase and their RIS/BibTeX/CSV exports write each group (Emtree drug
    terms, Emtree medical terms, MeSH) sorted and the groups one after the other, in whatever order."""
    runs: list[list[str]] = []
    for term in terms:
        if runs and _order(term) >= _order(runs[-1][-1]):
            runs[-1].append(term)
        else:
            runs.append([term])
    return runs


def split_index_terms(pieces: list[str], vocab: MeshVocabulary | None = None) -> tuple[list[str], list[MeshRef]]:
    """(keywords, MeSH refs) from the terms of an index-keyword field, the same for every producer.

    1. a piece with ', ' that is not itself a heading is split there and re-joined greedily into the
       longest exact headings ('treatment outcome, Adult' -> 'treatment outcome' + 'Adult';
       'Chemoembolization, Therapeutic' stays one heading);
    2. the terms are cut into groups by :func:`sorted_runs`;
    3. in a group where at least half of the terms are exact MeSH heading names (bundled MeSH table,
       case-sensitive), those terms are MeSH; anything else stays a keyword (capitalised Emtree terms
       such as 'Greece' inside a lower-case Emtree group stay keywords, and Emtree's lower-case
       terms never match a heading exactly);
    4. a term with MEDLINE's decorations ('*Heading', 'Heading/qualifier') that names a heading is
       MeSH wherever it stands.
    """
    vocab = vocab or vocabulary()
    parts: list[str] = []
    for piece in pieces:
        if ", " in piece and _mesh_part(piece, vocab) is None:
            parts.extend(text for text, _ in _greedy([p.strip() for p in piece.split(", ")], vocab))
        elif piece.strip(_STRIP):
            parts.append(piece)
    keywords: list[str] = []
    mesh: list[MeshRef] = []
    for run in sorted_runs(parts):
        refs = [_mesh_part(text, vocab) for text in run]
        mesh_group = 2 * sum(ref is not None for ref in refs) >= len(run)
        for text, ref in zip(run, refs):
            if ref is not None and (mesh_group or "*" in text or "/" in text):
                mesh.append(ref)
            elif text.strip(_STRIP):
                keywords.append(text)
    return keywords, mesh


_MeshTuple = tuple[str, bool, tuple[str, ...]]  # a MeshRef's fields, hashable


def split_terms(record: Record, vocab: MeshVocabulary | None = None) -> Terms:
    """The record's keywords and MeSH headings after the rules in the module docstring."""
    keywords, mesh = _split_terms(record.source.format, tuple(record.keywords),
                                  tuple((m.heading, m.major, tuple(m.qualifiers)) for m in record.mesh), vocab)
    return Terms(list(keywords), [MeshRef(heading, major, list(qualifiers)) for heading, major, qualifiers in mesh])


@lru_cache(maxsize=256)  # a record is split twice in a row: for the core's rows, then by the concepts extension
def _split_terms(fmt: str, record_keywords: tuple[str, ...], record_mesh: tuple[_MeshTuple, ...],
                 vocab: MeshVocabulary | None) -> tuple[tuple[str, ...], tuple[_MeshTuple, ...]]:
    pieces = [p.strip() for kw in record_keywords for p in kw.split(";")]
    pieces = [p for p in pieces if p.strip(_STRIP)]
    mesh_in: list[MeshRef] = [MeshRef(heading, major, list(qualifiers)) for heading, major, qualifiers in record_mesh]
    if vocab is None and (pieces or mesh_in):
        vocab = vocabulary()

    keywords: list[str] = []
    mesh_out: list[MeshRef] = []
    structured = bool(mesh_in) or fmt == "medline"
    capable = not structured and mesh_capable(pieces)
    if not capable:
        # MeSH already in its own field (or no sign of MeSH indexing): only an unmistakable
        # '*Heading' or 'Heading/qualifier' item moves
        for piece in pieces:
            ref = _mesh_part(piece, vocab) if ("*" in piece or "/" in piece) else None
            if ref is not None:
                mesh_out.append(ref)
            else:
                keywords.append(piece)
    else:
        more_keywords, more_mesh = split_index_terms(pieces, vocab)
        keywords.extend(more_keywords)
        mesh_out.extend(more_mesh)

    if fmt != "medline" and mesh_in:
        # headings a reader guessed from a mixed field (not MEDLINE's own MH): keep the ones MeSH knows
        kept = []
        for ref in mesh_in:
            heading = parse_mesh_text(ref.heading).heading if ("/" in ref.heading or "*" in ref.heading) \
                else ref.heading
            if vocab.lookup(heading) is not None:
                kept.append(ref)
            else:
                keywords.append(ref.heading)
        mesh_in = kept

    surfaces: list[str] = []
    seen_kw: set[str] = set()
    for kw in keywords:
        text = keyword_text(kw)
        if text and text not in seen_kw:
            seen_kw.add(text)
            surfaces.append(_surface(kw))
    by_heading: dict[str, MeshRef] = {}
    for ref in mesh_in + mesh_out:
        if "/" in ref.heading or ref.heading.startswith("*"):
            parsed = parse_mesh_text(ref.heading)
            ref = MeshRef(parsed.heading, ref.major or parsed.major, list(ref.qualifiers) + parsed.qualifiers)
        heading = " ".join(ref.heading.split())
        if not heading:
            continue
        have = by_heading.get(heading)
        if have is None:
            by_heading[heading] = MeshRef(heading, ref.major, list(dict.fromkeys(ref.qualifiers)))
        else:
            have.major = have.major or ref.major
            have.qualifiers = list(dict.fromkeys(have.qualifiers + list(ref.qualifiers)))
    return tuple(surfaces), tuple((m.heading, m.major, tuple(m.qualifiers)) for m in by_heading.values())


@dataclass(slots=True)
class KeywordInfo:
    key: str
    surfaces: dict[str, int] = field(default_factory=dict)  # surface form -> times seen

    @property
    def name(self) -> str:
        """The most frequent surface form (ties: the first in code-point order, so capitals win)."""
        if len(self.surfaces) == 1:
            return next(iter(self.surfaces))
        return min(self.surfaces.items(), key=lambda kv: (-kv[1], kv[0]))[0]

    @property
    def check_tag(self) -> bool:
        return is_keyword_check_tag(self.key[3:])


@dataclass(frozen=True, slots=True)
class MeshTermInfo:
    key: str
    ui: str | None
    name: str
    tree_numbers: tuple[str, ...]
    check_tag: bool


def mesh_term(heading: str, vocab: MeshVocabulary | None = None) -> MeshTermInfo:
    """The MeshTerm for a heading: 'mesh:<UI>' with tree numbers when the bundled vocabulary knows it
    (exact heading, else case-insensitive, else an entry term), else 'mesh:name:<heading>'."""
    return _mesh_term(heading, vocab or vocabulary())


@lru_cache(maxsize=1 << 14)  # headings recur across records; the info is immutable
def _mesh_term(heading: str, vocab: MeshVocabulary) -> MeshTermInfo:
    d = vocab.lookup(heading)
    if d is None:
        return MeshTermInfo(f"mesh:name:{heading}", None, heading, (), is_mesh_check_tag(heading))
    return MeshTermInfo(f"mesh:{d.ui}", d.ui, d.heading, d.tree_numbers, is_mesh_check_tag(d.heading))
