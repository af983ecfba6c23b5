"""Web of Science cited references: ``Author, year, SOURCE, Vvol, Ppage, DOI x``.

Real variants handled (all seen in the corpus): ``[Anonymous]`` and missing authors
(``1999, OPTICAL COMPONENTS G``), institutional authors (``*FAO``), bracketed names and sources with
commas inside (``[王博 Wang Bo], 2010, [信号处理, Signal Processing], V26, P486``), several DOIs in
brackets (``DOI [10.1145/x, DOI 10.1145/x]``), ``DOI DOI 10.x``, URL DOIs, article numbers
(``ARTN e0123``), roman or letter pages (``pC81``, ``PE45``), a final period (BibTeX
``cited-references``), and WoS-in-RIS notes where the references are glued into one line
(:func:`split_glued`).
"""

from __future__ import annotations

import re

from graphkit.citations.model import YEAR, CitedRef, family_of
from graphkit.resolve.text import find_dois

_DOI_TAIL = re.compile(r",\s*DOI\s+(\[[^\]]*\]?|.+)$", re.IGNORECASE)
_VOL = re.compile(r"^V\s?(\S+)$")
_PAGE = re.compile(r"^[Pp]+\s?([A-Za-z]{0,2}\d+\w*|[ivxlcdm]+)$")
_ARTN = re.compile(r"^ARTN\s+(\S+)$", re.IGNORECASE)
# "…, 2005, " with the author right before it: where a glued reference starts
_GLUED_YEAR = re.compile(r", (?:1[5-9]\d\d|20\d\d), ")
_INITIAL_TOKEN = re.compile(r"^(?:[A-Z][a-z]?\.?-?){1,3}\.?,?$")
_PARTICLES = frozenset({"de", "van", "der", "von", "la", "le", "del", "da", "dos", "di", "du", "den", "ten"})


def looks_like_wos(text: str) -> bool:
    """The second comma field is a bare year ('Smith J, 2001, …'), or the first is ('2001, SOURCE')."""
    parts = _split(text, 3)
    return (len(parts) >= 2 and bool(YEAR.match(parts[1]))) or (len(parts) >= 2 and bool(YEAR.match(parts[0])))


def _split(text: str, limit: int = 0) -> list[str]:
    """Split on commas outside square brackets."""
    if "[" not in text:  # no bracket: every comma splits (the loop below gives the same, much slower)
        return [p.strip() for p in text.split(",", limit or -1)]
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(0, depth - 1)
        elif ch == "," and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
            if limit and len(out) >= limit:
                break
    out.append(text[start:].strip())
    return out


def parse(text: str) -> CitedRef:
    t = " ".join(text.split()).rstrip(".").strip()
    ref = CitedRef(raw=text.strip(), style="wos")
    m = _DOI_TAIL.search(t)
    if m:
        ref.dois = list(dict.fromkeys(find_dois(m.group(1))))
        t = t[:m.start()]
    parts = _split(t)
    i = 0
    if parts and not YEAR.match(parts[0]):
        ref.author = parts[0].strip() or None
        ref.family = family_of(ref.author)
        i = 1
    if i < len(parts) and YEAR.match(parts[i]):
        ref.year = int(parts[i][:4])
        i += 1
    for p in parts[i:]:
        if ref.volume is None and (mv := _VOL.match(p)):
            ref.volume = mv.group(1)
        elif ref.page is None and (mp := _PAGE.match(p)):
            ref.page = mp.group(1)
        elif ref.page is None and (ma := _ARTN.match(p)):
            ref.page = ma.group(1)
        elif ref.source is None and ref.volume is None and ref.page is None and p:
            ref.source = p.strip("[]").strip() or None
    if not ref.dois:
        ref.dois = list(dict.fromkeys(find_dois(t)))[:1] if "10." in t else []
    return ref


def split_glued(text: str) -> list[str]:
    """References glued into one line (WoS RIS ``N1 … Cited References: A, 2006, X, P1 B, 2005, Y``):
    split before each author that precedes ``, YEAR, ``. The author is taken as the initials right
    before the comma plus one family token (and name particles before it); best effort."""
    starts = []
    for m in _GLUED_YEAR.finditer(text):
        head = text[:m.start()]
        tokens = head.split(" ")
        j = len(tokens) - 1
        if j >= 0 and tokens[j].endswith("[Anonymous]"):
            starts.append(len(head) - len("[Anonymous]"))
            continue
        while j > 0 and _INITIAL_TOKEN.match(tokens[j]):
            j -= 1
        while j > 0 and tokens[j - 1].lower() in _PARTICLES:
            j -= 1
        starts.append(len(" ".join(tokens[:j])) + (1 if j else 0))
    out, prev = [], 0
    for s in starts:
        if s > prev:
            piece = text[prev:s].strip()
            if piece:
                out.append(piece)
            prev = s
    tail = text[prev:].strip()
    if tail:
        out.append(tail)
    return out
