"""Which venue names are the same journal: a valid ISSN (mod-11 check digit), else the normalised title.

Every name, abbreviation and valid ISSN a record gives for its venue is linked (union-find), and so
are the venues of records merged into one paper: a JO/JF/JA pair links abbreviation and full title,
and a Zotero record with only an abbreviation joins the full title another producer gave.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from graphkit.ids import issn_check_ok, valid_issns
from graphkit.model import JournalRef
from graphkit.resolve.text import words

WORDS_TABLE = "journal_words.tsv"

log = logging.getLogger(__name__)

# Titles that are placeholders, not venues.
PLACEHOLDER_TITLES = frozenset({"", "na", "n a", "null", "none", "unknown", "article", "journal"})


def normalise_journal(title: str | None) -> str:
    """'The Journal of Clinical Psychology.' -> 'journal of clinical psychology'; '&' -> 'and'."""
    if not title:
        return ""
    return _normalise_journal(title)


@lru_cache(maxsize=1 << 15)  # a journal's title recurs in every record of the journal
def _normalise_journal(title: str) -> str:
    t = words(title.replace("&amp;", "&").replace("&", " and "))
    if t.startswith("the "):
        t = t[4:]
    return "" if t in PLACEHOLDER_TITLES else t


def all_caps(name: str) -> bool:
    """'POPULATION ECOLOGY' (has letters, none lower-case)."""
    return name.isupper()


@lru_cache(maxsize=1)
def _words() -> tuple[frozenset[str], frozenset[str]]:
    from importlib import resources

    acronyms: set[str] = set()
    particles: set[str] = set()
    with (resources.files("graphkit") / "data" / WORDS_TABLE).open("r", encoding="utf-8") as fh:
        for line in fh:
            if line.strip() and not line.startswith("#"):
                kind, word = line.rstrip("\n").split("\t")
                (acronyms if kind == "acronym" else particles).add(word)
    return frozenset(acronyms), frozenset(particles)


_ROMAN = re.compile(r"(?=[IVXLC])M*(?:C[MD]|D?C{0,3})(?:X[CL]|L?X{0,3})(?:I[XV]|V?I{0,3})\Z")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")  # letters, with an inner apostrophe (WORLD'S)


@lru_cache(maxsize=1 << 12)
def display_name(name: str | None) -> str | None:
    """An all-caps venue name in careful title case; any other name as it is.

    'POPULATION ECOLOGY' -> 'Population Ecology'; 'IEEE TRANSACTIONS ON NEURAL NETWORKS' -> 'IEEE
    Transactions on Neural Networks'; 'JOURNAL OF THE ROYAL SOCIETY INTERFACE' -> 'Journal of the Royal
    Society Interface'. Acronyms from graphkit/data/journal_words.tsv, roman numerals and words
    without a vowel (BMJ, NMR) stay in capitals; particles (of, the, and, de, für ...) are lower case
    except as the first word or after a colon or dash."""
    if not name or not all_caps(name):
        return name
    acronyms, particles = _words()
    out = []
    first = True
    pos = 0
    for m in _WORD.finditer(name):
        out.append(name[pos:m.start()])
        before = name[pos:m.start()]
        word = m.group()
        head, apostrophe, tail = word.partition("'")
        if apostrophe and len(head) == 1:  # L'INSTITUT, D'ETUDES: the elided article, then the word
            shown = (head if first else head.lower()) + "'" + tail[:1] + tail[1:].lower()
        elif len(word) == 1 or word in acronyms or _ROMAN.match(word) or not re.search(r"[AEIOUYÀ-ÖØ-Ý]", word):
            shown = word  # section letters (PHYSICAL REVIEW E), acronyms, roman numerals, BMJ, NMR
        elif word.lower() in particles and not first and not re.search(r"[:\-–—(]\s*$", before):
            shown = word.lower()
        else:
            shown = word[:1] + word[1:].lower()
        out.append(shown)
        first = False
        pos = m.end()
    out.append(name[pos:])
    return "".join(out)


@dataclass(slots=True)
class JournalInfo:
    key: str
    names: Counter = field(default_factory=Counter)
    abbreviations: Counter = field(default_factory=Counter)
    issns: Counter = field(default_factory=Counter)
    publishers: Counter = field(default_factory=Counter)
    invalid_issns: set[str] = field(default_factory=set)

    @staticmethod
    def _top(c: Counter) -> str | None:
        if not c:
            return None
        return min(c.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0]

    @property
    def name(self) -> str | None:
        """The display name: the most frequent mixed-case name any source gave (WoS writes venues in
        capitals), else the most frequent name shown by :func:`display_name`."""
        return display_name(self._chosen_name())

    def _chosen_name(self) -> str | None:
        mixed = Counter({k: v for k, v in self.names.items() if not all_caps(k)})
        return self._top(mixed) or self._top(self.names) or self._top(self.abbreviations)

    @property
    def abbreviation(self) -> str | None:
        name = self._chosen_name()  # as written (the columnar engine compares before display_name too)
        abbr = Counter({k: v for k, v in self.abbreviations.items() if k != name})
        return self._top(abbr)

    @property
    def issn(self) -> str | None:
        return self.key[5:] if self.key.startswith("issn:") else None

    @property
    def publisher(self) -> str | None:
        return self._top(self.publishers)


class JournalResolver:
    """:meth:`add` each venue mention with the id of the paper it belongs to; :meth:`resolve` once."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}
        self._mentions: list[tuple[str, JournalRef, str | None, list[str], list[str]]] = []
        self._paper_token: dict[str, str] = {}
        self.journals: dict[str, JournalInfo] = {}
        self._key_of_token: dict[str, str] = {}

    def _find(self, t: str) -> str:
        parent = self._parent
        parent.setdefault(t, t)
        root = t
        while parent[root] != root:
            root = parent[root]
        while parent[t] != root:
            parent[t], t = root, parent[t]
        return root

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self._parent[rb] = ra

    def add(self, paper: str, ref: JournalRef | None, publisher: str | None = None) -> None:
        if ref is None:
            return
        issns: list[str] = []
        raw_issns: list[str] = []
        for value in ref.issns:
            found = valid_issns(value)
            issns.extend(found)
            if not found and value and value.strip().lower() not in ("null", "none", "na"):
                raw_issns.append(value.strip())
        tokens = [f"issn:{i}" for i in issns]
        for title in (ref.name, ref.abbreviation):
            n = normalise_journal(title)
            if n:
                tokens.append(f"title:{n}")
        if not tokens:
            return
        self._find(tokens[0])  # registers the token
        for t in tokens[1:]:
            self._union(tokens[0], t)
        prev = self._paper_token.get(paper)
        if prev is None:
            self._paper_token[paper] = tokens[0]
        else:  # records merged into one paper were published in one venue
            self._union(prev, tokens[0])
        self._mentions.append((tokens[0], ref, publisher, issns, raw_issns))

    def resolve(self) -> None:
        members: dict[str, list[str]] = defaultdict(list)
        for token in list(self._parent):
            members[self._find(token)].append(token)
        for root, tokens in members.items():
            issns = sorted(t[5:] for t in tokens if t.startswith("issn:"))
            titles = sorted(t[6:] for t in tokens if t.startswith("title:"))
            key = f"issn:{issns[0]}" if issns else f"journal:{self._title_key(root, titles)}"
            self._key_of_token[root] = key
            self.journals.setdefault(key, JournalInfo(key))
        for token, ref, publisher, issns, raw_issns in self._mentions:
            info = self.journals[self._key_of_token[self._find(token)]]
            if ref.name and normalise_journal(ref.name):
                info.names[" ".join(ref.name.split())] += 1
            if ref.abbreviation and normalise_journal(ref.abbreviation):
                info.abbreviations[" ".join(ref.abbreviation.split())] += 1
            for i in issns:
                info.issns[i] += 1
            info.invalid_issns.update(raw_issns)
            if publisher:
                info.publishers[" ".join(publisher.split())] += 1
        self._mentions = []

    def _title_key(self, root: str, titles: list[str]) -> str:
        # prefer a full name over an abbreviation: the longest normalised title, then alphabetical
        return max(titles, key=lambda t: (len(t), [-ord(c) for c in t])) if titles else root

    def key_of(self, paper: str) -> str | None:
        token = self._paper_token.get(paper)
        return self._key_of_token[self._find(token)] if token else None
