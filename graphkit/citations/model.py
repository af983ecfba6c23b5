"""The structured citation and the keys a cited work is known by.

Keys are built from normalised parts only, so the same work cited in different files, styles and
orders gets the same key:

- ``doi:<doi>`` / ``pmid:<pmid>`` when the reference gives one (the key a paper with that DOI has);
- otherwise ``ref:<author>|<year>|<volume>|<page>`` where ``<author>`` is the first three letters of
  the folded first-author family name (WoS truncates and upper-cases names, Scopus writes particles
  and accents: ``ERDOS P`` and ``Erdős, P.`` both give ``erd``), volume and page folded
  (``V6``/``6``, ``P290``/``pp. 290-297`` give ``6`` and ``290``);
- a reference without volume or page (books, reports) adds the first 14 letters of its folded source
  without stop words (WoS cuts source titles at 20 characters): ``ref:bor|1999|||principlesopt``.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from graphkit.resolve.text import squash, words

YEAR = re.compile(r"^(1[5-9]\d\d|20\d\d)[a-z]?$")
SOURCE_KEY_CHARS = 14
AUTHOR_KEY_CHARS = 3
_STOP = frozenset({"of", "the", "and", "for", "in", "on", "a", "an", "de", "la", "und", "fur", "et", "des",
                   "du", "der", "die"})
_PAGE_PREFIX = re.compile(r"^(?:artn|art no|article number|pp?|e-?page)\.?\s*", re.IGNORECASE)
_INITIALS = re.compile(r"^(?:[A-Z\u00C0-\u00DE][a-z]?[.\-]?){1,4}$")
_PARTICLES = frozenset({"de", "van", "der", "von", "la", "le", "del", "da", "dos", "di", "du", "den", "ten",
                        "ter", "van't", "vander", "el", "al", "bin", "ibn"})


@dataclass(slots=True)
class CitedRef:
    """One cited reference as far as its text tells (any field may be None)."""

    raw: str
    author: str | None = None   # first author as written ("ERDOS P", "Erdős, P.")
    family: str | None = None   # first author's family name as written ("ERDOS", "Erdős")
    year: int | None = None
    source: str | None = None   # journal, book or proceedings title as written
    volume: str | None = None
    page: str | None = None     # first page or article number
    title: str | None = None    # Scopus and CSL references give titles, WoS never does
    dois: list[str] = field(default_factory=list)
    pmid: str | None = None
    style: str = "unknown"      # wos | scopus | scopus-2024 | csl | doi-only | unknown

    @property
    def doi(self) -> str | None:
        return self.dois[0] if self.dois else None

    def as_row(self) -> list:
        """The fields as a list (see :func:`from_row`)."""
        return [self.raw, self.author, self.family, self.year, self.source, self.volume, self.page, self.title,
                self.dois or None, self.pmid, self.style]


def from_row(row: list) -> CitedRef:
    raw, author, family, year, source, volume, page, title, dois, pmid, style = row
    return CitedRef(raw, author, family, year, source, volume, page, title, list(dois or ()), pmid, style)


# Packed form of a record's references for extension rows: one string per record (JSON-able). Every
# reference waits in it from reading to the resolve step, so it is made small: the fields joined by FIELD,
# references by REF, DOIs by DOI_SEP (None is the empty field), that text as UTF-8 compressed with zlib,
# and the bytes kept as a str of code points 0-255 after a ZLIB mark (Python keeps such a str at one byte a
# character; JSON keeps it as it is). A list of lists of fields took about 850 bytes a reference, the
# joined text about 230 (twice that when one reference of the record has a character beyond Latin-1, which
# makes Python store the whole string at two bytes a character); compressed it is 2.6 times smaller again.
# :func:`unpack` still reads the uncompressed form (extension rows cached by an earlier version).
FIELD, REF, DOI_SEP, ZLIB = "\x1f", "\x1e", "\x1d", "\x1c"
_SEPARATORS = str.maketrans({FIELD: " ", REF: " ", DOI_SEP: " ", ZLIB: " "})
_LEVEL = 1  # 2.57x smaller at 0.15 ms a record; level 6 gives 2.77x at twice the CPU


def _text(value: str | None) -> str:
    if not value:
        return ""
    # the separators are control characters: a printable text has none (and isprintable is much cheaper)
    return value if value.isprintable() else value.translate(_SEPARATORS)


def pack(refs: list[CitedRef]) -> str:
    """References -> one string (:func:`unpack` gives them back; control characters become spaces)."""
    if not refs:
        return ""
    text = REF.join(FIELD.join((_text(r.raw), _text(r.author), _text(r.family), str(r.year) if r.year else "",
                                _text(r.source), _text(r.volume), _text(r.page), _text(r.title),
                                DOI_SEP.join(_text(d) for d in r.dois), _text(r.pmid), r.style)) for r in refs)
    return ZLIB + zlib.compress(text.encode("utf-8"), _LEVEL).decode("latin-1")


def unpack(packed: str) -> Iterator[CitedRef]:
    """The references of :func:`pack`, one at a time."""
    if not packed:
        return
    if packed[0] == ZLIB:
        packed = zlib.decompress(packed[1:].encode("latin-1")).decode("utf-8")
    for item in packed.split(REF):
        raw, author, family, year, source, volume, page, title, dois, pmid, style = item.split(FIELD)
        yield CitedRef(raw, author or None, family or None, int(year) if year else None, source or None,
                       volume or None, page or None, title or None, dois.split(DOI_SEP) if dois else [],
                       pmid or None, style)


def family_of(author: str | None) -> str | None:
    """The family name inside an author string: 'Erdős, P.' / 'ERDOS P' / 'Van der Berg AB' /
    'Cheng M.' / 'CAVALLER.G' (WoS truncation) / '[Anonymous]' (None) / '*FAO' (institution)."""
    if not author:
        return None
    author = author.strip().strip("[]").lstrip("*").strip()
    if not author or author.casefold() in ("anonymous", "anon", "no author name available", "et al"):
        return None
    if "," in author:
        return author.split(",")[0].strip() or None
    tokens = author.split()
    if len(tokens) == 1 and "." in tokens[0].strip("."):  # CAVALLER.G
        return tokens[0].split(".")[0] or None
    while len(tokens) > 1 and _INITIALS.match(tokens[-1]):
        tokens.pop()
    return " ".join(tokens) or None


def author_key(family: str | None) -> str:
    if not family:
        return ""
    s = squash(family)
    return s[:AUTHOR_KEY_CHARS]


def norm_page(page: str | None) -> str:
    if not page:
        return ""
    page = _PAGE_PREFIX.sub("", page.strip())
    page = re.split(r"[\s\-\u2013\u2014]", page, maxsplit=1)[0] if page else ""
    return squash(page)


def norm_volume(volume: str | None) -> str:
    if not volume:
        return ""
    volume = re.sub(r"^(?:vol|v)\.?\s*(?=\w)", "", volume.strip(), flags=re.IGNORECASE)
    return squash(volume.split("(")[0])


def source_key(source: str | None) -> str:
    """'PUBL MATH-DEBRECEN' and 'Publ. Math. Debrecen' -> 'publmathdebrec' (stop words out, 14 chars)."""
    if not source:
        return ""
    return "".join(t for t in words(source).split() if t not in _STOP)[:SOURCE_KEY_CHARS]


def locator(ref: CitedRef) -> tuple[str, int, str, str] | None:
    """(author key, year, volume, page) when all four are known."""
    a, v, p = author_key(ref.family), norm_volume(ref.volume), norm_page(ref.page)
    if a and ref.year and v and p:
        return (a, ref.year, v, p)
    return None


def locator_key(a: str, year: int, volume: str, page: str) -> str:
    return f"ref:{a}|{year}|{volume}|{page}"


def work_key(ref: CitedRef) -> str | None:
    """The key of the cited work when it is not a paper of the set (see the module doc); None when the
    reference says too little to tell it from others (no year, or nothing but a year)."""
    if ref.dois:
        return "doi:" + ref.dois[0]
    if ref.pmid:
        return "pmid:" + ref.pmid
    if not ref.year:
        return None
    loc = locator(ref)
    if loc is not None:
        return locator_key(*loc)
    a, v, p, s = author_key(ref.family), norm_volume(ref.volume), norm_page(ref.page), source_key(ref.source)
    if sum(1 for x in (a, v, p, s) if x) < 2:
        return None
    return f"ref:{a}|{ref.year}|{v}|{p}|{s}"
