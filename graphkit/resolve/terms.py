"""Keywords and MeSH terms: normal forms, check tags, and MeSH headings recognised in mixed keyword
fields (Scopus/Embase RIS put author keywords, Emtree terms and MeSH headings into one KW field).

Rules, in order:

1. every keyword value is split on ';' and trimmed;
2. when the reader already found MeSH headings (MEDLINE MH, or its own split of a mixed field), the
   keywords stay keywords; only an unmistakable '*Heading' or 'Heading/qualifier' item moves;
3. otherwise the record is *MeSH-capable* when one of its keyword parts is exactly a MeSH check tag
   ('Humans', 'Male', 'Female', 'Aged', ...); in a MeSH-capable record, a part that is exactly (case-sensitively) a MeSH 2024 preferred heading
   becomes a MeSH heading; a part with ', ' inside that is not a heading is split at ', ' and the
   pieces are re-joined greedily into the longest exact headings ('treatment outcome, Adult' ->
   keyword 'treatment outcome' + MeSH 'Adult'; 'Chemoembolization, Therapeutic' stays one heading);
   '*' (major topic) and '/qualifier' suffixes as in Zotero's PubMed KW are understood;
4. when the record also carries Emtree indexing (lower-case check tags such as 'human', 'female'),
   only the trailing run of headings after the last lower-case term moves: capitalised Emtree terms
   such as 'Greece' inside the Emtree group stay keywords;
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

_STRIP = " \t\r\n.,;:\"'"


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


def split_terms(record: Record, vocab: MeshVocabulary | None = None) -> Terms:
    """The record's keywords and MeSH headings after the rules in the module docstring."""
    pieces = [p.strip() for kw in record.keywords for p in kw.split(";")]
    pieces = [p for p in pieces if p.strip(_STRIP)]
    mesh_in: list[MeshRef] = list(record.mesh)
    if vocab is None and (pieces or mesh_in):
        vocab = vocabulary()

    keywords: list[str] = []
    mesh_out: list[MeshRef] = []
    structured = bool(mesh_in) or record.source.format == "medline"
    capable = not structured and any(
        part.lstrip("*").split("/")[0].strip() in MESH_CHECK_TAGS for p in pieces for part in p.split(", "))
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
        parts: list[tuple[str, bool]] = []
        for piece in pieces:
            if _mesh_part(piece, vocab) is not None:
                parts.append((piece, True))
            elif ", " in piece:
                parts.extend(_greedy([p.strip() for p in piece.split(", ")], vocab))
            else:
                parts.append((piece, False))
        # Emtree indexing present (lower-case check tags such as 'human', 'female'): the MeSH group
        # is the trailing run of headings; capitalised Emtree terms inside the run ('Greece') stay
        emtree = any(text[:1].islower() and is_keyword_check_tag(keyword_text(text)) for text, _ in parts)
        last_lower = max((i for i, (text, _) in enumerate(parts) if text[:1].islower()), default=-1) \
            if emtree else -1
        for i, (text, is_mesh) in enumerate(parts):
            if is_mesh and i > last_lower:
                mesh_out.append(_mesh_part(text, vocab))
            elif text.strip(_STRIP):
                keywords.append(text)

    if record.source.format != "medline" and mesh_in:
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

    terms = Terms()
    seen_kw: set[str] = set()
    for kw in keywords:
        text = keyword_text(kw)
        if text and text not in seen_kw:
            seen_kw.add(text)
            terms.keywords.append(_surface(kw))
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
    terms.mesh = list(by_heading.values())
    return terms


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
    vocab = vocab or vocabulary()
    d = vocab.lookup(heading)
    if d is None:
        return MeshTermInfo(f"mesh:name:{heading}", None, heading, (), is_mesh_check_tag(heading))
    return MeshTermInfo(f"mesh:{d.ui}", d.ui, d.heading, d.tree_numbers, is_mesh_check_tag(d.heading))
