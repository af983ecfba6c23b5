"""Which names are the same author.

Three modes (``BuildOptions.author_key``, CLI ``--author-key``):

- ``compatible`` (the default): name *compatibility* plus evidence, see "Decision procedure" below;
- ``initial``: ORCID, else folded family name + first initial (the classic key; merges different
  people with a common family name and initial);
- ``full``: ORCID, else folded family name + all given names ("Smith, J." and "Smith, John" apart).

Decision procedure of ``compatible`` (docs/graph.md cites the literature it follows):

1. **Parse** every occurrence: particles a producer put at the end of the given names move to the
   family name (``Berg, J. van der`` = ``van der Berg, J.``); the family name is folded (accents off,
   ``ß``→``ss``, ``ø``→``o`` ...) and squashed (hyphens, spaces, apostrophes gone); given names become
   tokens, each a full name or an initial (``H.-J.`` → ``h j``, ``JA`` → ``j a``, ``Hyun-Jin`` →
   ``hyun jin``).
2. **Block** by family name. The block key also equates German transliterations (``Müller`` =
   ``Mueller`` = ``Muller``) and drops a leading Arabic article written apart (``al-Hassan`` =
   ``Hassan``).
3. **Given names compatible** (:func:`compatibility`): ``strong`` when the first given names are the
   same full name (hyphenated, spaced and run-together spellings are one: ``Hyun-Jin`` = ``Hyun Jin`` =
   ``Hyunjin``) and no later token conflicts (``Jeffrey M.`` vs ``Jeffrey`` is fine, ``Jeffrey M.``
   vs ``Jeffrey K.`` is not); ``initials`` when one side gives only initials that fit the other
   (``S. L.`` ~ ``Samantha L.``, ``H.-J.`` ~ ``Hyun-Jin``, not ``H.-Y.``); ``weak`` for a nickname or
   short form (``Jeff`` ~ ``Jeffrey``, ``Bill`` ~ ``William``) or the same two names in swapped
   order (``Wang, Jian`` ~ ``Jian, Wang``); ``None`` for two different full given names
   (``Hyun-Jin`` vs ``Hye-Won``, ``Samantha`` vs ``Shane``), which never share an author.
4. **Cluster** within a block, in this order (occurrences in content order: name, ORCID, year, then
   a fingerprint of the paper and the occurrence's own institutions, so file order does not matter);
   a name form joins a cluster only when it is compatible with *every* form already in it (complete
   linkage, so "Jeffrey M." and "Jeffrey K." never meet through "Jeffrey"):
   a. each ORCID is a cluster; two ORCIDs never merge;
   b. strongly compatible full-name forms are one name; a name joins an ORCID cluster when strongly
      compatible with it and with no other ORCID;
   c. in a crowded block (CROWD_SPLIT full names or more) a name's occurrences are grouped by evidence
      (single linkage: transitive through the co-author graph); two or more groups of two or more
      papers are different people, a lone paper joins the group it clearly has most evidence with or
      stays apart ("kept-apart"); otherwise the name is one author;
   d. weak forms (nicknames, swapped order) join a full-name cluster only with evidence;
   e. initials-only forms, fullest first, occurrence by occurrence: with exactly one compatible
      cluster in the block, they join it; with several, the one with clearly the most evidence;
      the rest are grouped by evidence among themselves, a group joins the author it clearly has
      most evidence with or is an author of its own; leftovers no full name fits are one author per
      form (``name:<family>|<initials>``); ambiguous ones are reported.
   *Evidence* (:meth:`AuthorResolver._score`): shared features weighted by EVIDENCE_WEIGHTS x idf: a
   co-author's full name or family + initial, the institution of the author's affiliation
   (:func:`institution_key`), the journal, keywords (capped at KEYWORD_CAP together).
   *Two passes* (PASSES): steps 4a-e run over every block twice; in the second pass a co-author is
   the author the first pass made of that name (feature 'K'), not the name string: 'Kim, J.' on two
   papers is one co-author only when the first pass put both in one author, and 'Lopez, A.' written
   with initials still matches 'Lopez, Ana' when the first pass joined them. A co-author name that the
   first pass gave to several authors weighs that many times less (:func:`name_ambiguity`). Only the
   last pass's choices are reported. A block whose ORCIDs and name forms alone decided (no evidence
   weighed) keeps its first-pass clusters: only the evidence changes between passes.
5. **Key**: ``orcid:<ORCID>`` when the cluster has one, else ``name:<family>|<given tokens>`` from its
   fullest form (``name:kim|hyun-jin``, ``name:kim|h`` for an initials-only author).

An override map (``--author-map``: variant -> author key, or ``split``) is applied last.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import pickle
import queue
import re
import time
import unicodedata
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from hashlib import blake2b
from itertools import accumulate, chain
from typing import Any, BinaryIO, ClassVar, Literal, TypeVar

from graphkit.ids import orcid as normalise_orcid
from graphkit.memory import CAN_FORK
from graphkit.model import Person
from graphkit.resolve.text import fold, squash

log = logging.getLogger(__name__)

AuthorKeyMode = Literal["compatible", "initial", "full"]
AUTHOR_KEY_MODES: tuple[str, ...] = ("compatible", "initial", "full")
DEFAULT_MODE: AuthorKeyMode = "compatible"
SPLIT = "split"  # the override value that keeps a variant apart

Compat = Literal["strong", "initials", "weak"] | None

_GIVEN_PARTS = re.compile(r"[\W_]+")

# Name particles (lower case after folding) that producers sometimes leave at the end of the given
# names ("Berg, J. van der"); they belong to the family name. Data, not code.
PARTICLES = frozenset({
    "van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "do", "du", "la", "le",
    "ten", "ter", "zu", "zum", "zur", "af", "av", "bin", "ibn", "al", "el", "st", "ste", "mac", "vander",
    "vanden", "vonder", "y",
})
# Arabic article written as its own part of the family name ("al-Hassan", "El Sayed"): dropped in the
# block key, as name-matching studies of Arabic names recommend (the article is often omitted).
ARABIC_ARTICLES = ("al", "el")
# German transliterations of umlauts, equated in the block key (Müller = Mueller = Muller).
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})

# Common English nicknames and short forms (nickname -> formal names). A nickname is only ever
# *weakly* compatible: it joins the formal name with evidence (a shared co-author, the same venue).
NICKNAMES: dict[str, tuple[str, ...]] = {
    "bill": ("william",), "will": ("william",), "billy": ("william",), "liam": ("william",),
    "bob": ("robert",), "rob": ("robert",), "bobby": ("robert",), "bert": ("robert", "albert", "herbert"),
    "dick": ("richard",), "rick": ("richard",), "rich": ("richard",),
    "jim": ("james",), "jimmy": ("james",), "jamie": ("james",),
    "mike": ("michael",), "mick": ("michael",), "tom": ("thomas",), "tommy": ("thomas",),
    "dave": ("david",), "steve": ("steven", "stephen"), "chris": ("christopher", "christine", "christina"),
    "kate": ("katherine", "catherine", "kathryn"), "katie": ("katherine", "catherine"),
    "kathy": ("katherine", "kathleen", "catherine"), "liz": ("elizabeth",), "beth": ("elizabeth",),
    "betty": ("elizabeth",), "sue": ("susan", "suzanne"), "jenny": ("jennifer",), "jen": ("jennifer",),
    "peggy": ("margaret",), "maggie": ("margaret",), "meg": ("margaret",), "ted": ("edward", "theodore"),
    "ed": ("edward", "edwin", "edmund"), "eddie": ("edward",), "ned": ("edward",), "jack": ("john",),
    "johnny": ("john",), "tony": ("anthony", "antonio"), "andy": ("andrew",), "drew": ("andrew",),
    "sandy": ("alexander", "alexandra", "sandra"),
    "sam": ("samuel", "samantha"), "ben": ("benjamin",), "dan": ("daniel",), "danny": ("daniel",),
    "greg": ("gregory",), "joe": ("joseph",), "matt": ("matthew",), "nick": ("nicholas",),
    "jeff": ("jeffrey", "geoffrey"), "geoff": ("geoffrey",), "chuck": ("charles",), "charlie": ("charles",),
    "theo": ("theodore",), "nate": ("nathan", "nathaniel"), "zach": ("zachary",), "josh": ("joshua",),
    "jon": ("jonathan",), "max": ("maximilian", "maxwell"), "alex": ("alexander", "alexandra"),
    "pat": ("patrick", "patricia"), "pete": ("peter",), "phil": ("philip", "phillip"), "ron": ("ronald",),
    "tim": ("timothy",), "vic": ("victor", "victoria"), "fred": ("frederick",), "frank": ("francis",),
    "hank": ("henry",), "harry": ("henry", "harold"), "larry": ("lawrence",), "len": ("leonard",),
    "ken": ("kenneth",), "don": ("donald",), "doug": ("douglas",), "gerry": ("gerald",), "jerry": ("gerald",),
    "abby": ("abigail",), "becky": ("rebecca",), "cathy": ("catherine",),
    "debbie": ("deborah",), "jo": ("joanne", "josephine"), "mandy": ("amanda",), "nancy": ("ann", "anne"),
    "penny": ("penelope",), "trish": ("patricia",), "val": ("valerie",), "walt": ("walter",),
}


# Evidence inside a name block (docs/graph.md, "Evidence"): the features the literature uses (Torvik &
# Smalheiser 2009; Louppe et al. 2016): co-authors (a co-author's full name, and family + initial),
# affiliation (the institution part of the address), venue, keywords. A shared feature f scores
# WEIGHT[type] * idf(f), idf(f) = ln(1 + N/df) / ln(1 + N) over the N papers (1 for a feature only two
# papers share in a large set, falling towards 0 for one on every paper); keywords count together at
# most KEYWORD_CAP. Data, not code.
EVIDENCE_WEIGHTS: dict[str, float] = {"C": 1.0, "c": 0.6, "a": 1.0, "v": 0.5, "k": 0.2, "F": 0.0, "K": 1.0, "A": 1.5}
# 'A': an institution the paper names for any of its authors (MEDLINE before 2014 gives the first author's
# address only; a lab shares one): the evidence an occurrence without its own address still carries.
# Passes over all blocks (cluster-level evidence, as in Cota et al. 2010 and Torvik & Smalheiser 2009):
# from the second pass on, a co-author is the author ('K') the previous pass made of that name, not the
# name string. 2 passes; a third gains 0.1 point of B-cubed precision for 50% more CPU (docs/graph.md).
PASSES = 2
# inside the resolver a feature is an int id (AuthorResolver._fid); its kind is kept per id as the byte
# of its EVIDENCE_WEIGHTS letter (ints hash and compare cheaper than (kind, value) tuples, and a weight
# table indexed by id holds no float objects)
_KW, _KINITIAL, _KNAME, _KFIRST, _KAFF = (ord(k) for k in "kcCFa")
KEYWORD_CAP = 0.6
# negative evidence (Torvik & Smalheiser 2009 score affiliation disagreement too): two sides that both
# name their own institution and share none lose AFF_CONFLICT from their score
AFF_CONFLICT = 0.6
LINK_SCORE = 0.5  # an occurrence belongs to an evidence group (a co-author's full name, or affiliation + venue ...)
JOIN_SCORE = 0.1  # an initials-only occurrence picks one of several fitting authors with at least this score ...
JOIN_MARGIN = 1.3  # ... and at least JOIN_MARGIN times the runner-up's
_EPS = 1e-9  # float sums in another order differ in the last bits: thresholds compare with this slack
POSTING_CAP = 64  # a feature shared by more evidence groups of one block is no candidate generator
# a first given name written out with at least this share of the family names (and at least
# COMMON_GIVEN_MIN of them) is common: its occurrences are split by evidence as in a crowded block
COMMON_GIVEN_SHARE = 0.01
COMMON_GIVEN_MIN = 5
# occurrences before the blocks of a pass are clustered in forked processes (AuthorResolver(workers=...)):
# below it a fork and the pickled clusters cost more than they save
PARALLEL_MIN = 200_000
BLOCK_RESULT_POLL_S = 1.0  # how often a wait for the author-block workers looks whether one ended
# a pass's blocks in this many tasks per process: the last one to end is the wait at the end of a pass (at
# 1M, 16 a process were ~2.5 s each)
BLOCK_TASKS_PER_WORKER = 64
CROWD_SPLIT = 3  # full names in a family block before the occurrences of one name are split by evidence
# words that mark the institution part of an address ("Dept. of X, Seoul National University, Seoul")
INSTITUTION_WORDS = ("univ", "institut", "hospital", "college", "center", "centre", "school", "academy",
                     "laborator", "clinic", "foundation", "council", "agency", "ministry", "company", "inc",
                     "ltd", "gmbh", "corporation", "museum", "observatory", "polytechnic", "politecnico",
                     "universit", "hochschule", "ecole", "faculty")


# -- identifiers -------------------------------------------------------------------------------------

# normalise_orcid (graphkit.ids.orcid, imported above): the one ORCID rule


# -- name forms --------------------------------------------------------------------------------------

def given_parts(given: str | None) -> list[str]:
    """Folded given-name parts: 'Jean-Luc A.' -> ['jean', 'luc', 'a']; 'J.A.' -> ['j', 'a']."""
    if not given:
        return []
    return list(_given_parts(given))


@lru_cache(maxsize=1 << 15)
def _given_parts(given: str) -> tuple[str, ...]:
    parts = [p for p in _GIVEN_PARTS.split(fold(given)) if p]
    out: list[str] = []
    for p in parts:  # "JA" written without dots in WoS/MEDLINE style is two initials
        if len(p) <= 3 and given.replace(".", "").replace(" ", "").replace("-", "").isupper() and p.isalpha():
            out.extend(p)
        else:
            out.append(p)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class NameForm:
    """One way a name is written, normalised for comparison."""

    family: str  # folded and squashed family name, particles included ("vanderberg")
    given: tuple[str, ...]  # folded given-name tokens; a 1-letter token is an initial
    block: str = ""  # the blocking key (:func:`block_key`)
    # the hash the dataclass would compute on every call (forms are set members and dict keys in every
    # block), computed once: the same value, so sets of forms iterate in the same order
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.family, self.given, self.block)))

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[Any, tuple[str, tuple[str, ...], str]]:
        # pickled as its fields; the hash is computed again where it is loaded (a string's hash differs
        # between interpreters)
        return NameForm, (self.family, self.given, self.block)

    @property
    def full(self) -> bool:
        """True when the first given name is written out (not an initial, not missing)."""
        return bool(self.given) and len(self.given[0]) > 1

    @property
    def key(self) -> str:
        return f"name:{self.family}|{'-'.join(self.given)}"


def split_particles(family: str, given: str | None) -> tuple[str, str | None]:
    """Move name particles from the end of the given names to the family name:
    ('Berg', 'J. van der') -> ('van der Berg', 'J.'). Anything else is returned unchanged."""
    if not given:
        return family, given
    words = given.split()
    moved: list[str] = []
    while len(words) > 1 and fold(words[-1].strip(".,")) in PARTICLES and words[-1][:1].islower():
        moved.insert(0, words.pop())
    if not moved:
        return family, given
    return " ".join(moved + [family]), " ".join(words)


@lru_cache(maxsize=1 << 15)
def _form(family: str, given: str | None) -> NameForm:
    return NameForm(*_form_parts(family, given))


def _form_parts(family: str, given: str | None) -> tuple[str, tuple[str, ...], str]:
    """A :class:`NameForm`'s fields (family, given tokens, block) of a name as written."""
    family, given = split_particles(family, given)
    return squash(family), _given_parts(given) if given else (), block_key(family)


def name_form(person: Person) -> NameForm:
    return _form(person.family or "", person.given or None)


@lru_cache(maxsize=1 << 17)  # (family names: 60k at 1M generated records)
def block_key(family: str) -> str:
    """The family name as blocking key: folded and squashed, with German umlaut transliterations
    equated (ü/ue/u → u) and a leading Arabic article written apart dropped ('al-Hassan' → 'hassan')."""
    words = [w for w in re.split(r"[\s\-‐‑'’]+", family.strip()) if w]
    if len(words) > 1 and fold(words[0]) in ARABIC_ARTICLES:
        words = words[1:]
    text = " ".join(words).translate(_UMLAUTS)
    text = unicodedata.normalize("NFC", text)
    out = squash(text)
    return out.replace("ae", "a").replace("oe", "o").replace("ue", "u")


def _spell_match(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[int, int] | None:
    """Leading full tokens of a and b that concatenate to the same string: (i, j) tokens used."""
    i = j = 1
    sa, sb = a[0], b[0]
    while sa != sb:
        if len(sa) < len(sb) and sb.startswith(sa) and i < len(a) and len(a[i]) > 1:
            sa += a[i]
            i += 1
        elif len(sb) < len(sa) and sa.startswith(sb) and j < len(b) and len(b[j]) > 1:
            sb += b[j]
            j += 1
        else:
            return None
    return i, j


def _nick_partners() -> dict[str, frozenset[str]]:
    """Every name of the nickname table -> the names it is a nickname or full form of (both ways)."""
    out: dict[str, set[str]] = defaultdict(set)
    for short, fulls in NICKNAMES.items():
        for full in fulls:
            out[short].add(full)
            out[full].add(short)
    return {k: frozenset(v) for k, v in out.items()}


NICK_PARTNERS = _nick_partners()


def _nickname(a: str, b: str) -> bool:
    """A listed nickname or short form ('jeff' ~ 'jeffrey', 'bill' ~ 'william'). Only the table: a bare
    prefix rule would pair 'Min' with 'Mingying' and 'Wei' with 'Weili' (different Chinese names)."""
    return b in NICKNAMES.get(a, ()) or a in NICKNAMES.get(b, ())


def _rest_ok(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Later given-name tokens, position by position: an initial fits a name with that first letter,
    two full names must be equal; a missing middle name is no conflict."""
    for x, y in zip(a, b):
        if len(x) == 1 or len(y) == 1:
            if x[0] != y[0]:
                return False
        elif x != y:
            return False
    return True


@lru_cache(maxsize=1 << 16)
def compatibility(a: tuple[str, ...], b: tuple[str, ...]) -> Compat:
    """How two given-name token lists (of the same family name) can be one person:
    'strong' (same full first name, nothing conflicting), 'initials' (one side is initials that fit
    the other, or has no given name), 'weak' (nickname or short form), None (different people)."""
    if not a or not b:
        return "initials"
    if len(a[0]) > 1 and len(b[0]) > 1:
        m = _spell_match(a, b)
        if m is not None:
            return "strong" if _rest_ok(a[m[0]:], b[m[1]:]) else None
        if _nickname(a[0], b[0]) and _rest_ok(a[1:], b[1:]):
            return "weak"
        return None
    # at least one side starts with an initial: compare letter by letter, a full token standing for
    # its initial, and a run-together full name ('hyunjin') standing for its first letter only
    if a[0][0] != b[0][0]:
        return None
    return "initials" if _rest_ok(_initials(a)[1:], _initials(b)[1:]) else None


def _initials(tokens: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(t[0] for t in tokens)


def name_key(person: Person, mode: AuthorKeyMode = "initial") -> str | None:
    """'name:<folded family>|<first initial>' (mode 'initial') or '|<all given names>' (modes 'full'
    and 'compatible', where it is the key of an author's fullest form); None without a family name."""
    return _name_key(person.family or "", person.given, mode)


@lru_cache(maxsize=1 << 14)  # the same names recur (productive authors, and one per duplicate record)
def _name_key(family: str, given: str | None, mode: AuthorKeyMode) -> str | None:
    if mode == "compatible":
        form = _form(family, given)
        return form.key if form.family else None
    family = squash(family)
    if not family:
        return None
    if mode == "full":
        return f"name:{family}|{'-'.join(given_parts(given))}"
    return _initial_key(family, _first_initial(given))


def _first_initial(given: str | None) -> str:
    """The first letter of the folded given names ('' for none): the given half of the 'initial' key."""
    parts = given_parts(given)
    return parts[0][:1] if parts else ""


def _initial_key(family: str, initial: str) -> str:
    """The 'initial' name key of a squashed family name and a first initial (:func:`name_key`)."""
    return f"name:{family}|{initial}"


def parse_name(text: str) -> Person | None:
    """'Family, Given' or 'Given Family' (or a bare family name) as a Person; None for empty text."""
    text = " ".join(text.split())
    if not text:
        return None
    if "," in text:
        family, _, given = text.partition(",")
        return Person(family.strip(), given.strip() or None)
    words = text.split()
    if len(words) == 1:
        return Person(words[0])
    # "Smith J" / "Smith JA" (initials after the family name, MEDLINE style)
    if words[-1].replace(".", "").isupper() and len(words[-1].replace(".", "")) <= 3:
        return Person(" ".join(words[:-1]), words[-1])
    return Person(words[-1], " ".join(words[:-1]))


def family_punctuation(family: str) -> int:
    """Hyphens and apostrophes in a family name: the display prefers 'Murray-Boyle' to 'Murray Boyle'
    and "O'Brien" to 'OBrien' (issue 19)."""
    return sum(map(family.count, "-'’‐"))  # each mark counted by str.count: no loop over the characters


# -- the resolver ------------------------------------------------------------------------------------

@dataclass(slots=True)
class AuthorInfo:
    key: str
    orcid: str | None
    variants: dict[tuple[str, str | None], int] = field(default_factory=dict)  # (family, given) -> times seen

    def display(self) -> tuple[str, str | None]:
        """The fullest variant: most given-name letters, then the richest spelling (hyphens,
        apostrophes, accents: 'Murray-Boyle' over 'Murray Boyle'), then most often seen."""
        def score(item):
            (family, given), n = item
            text = family + (given or "")
            return (len(squash(given or "")), family_punctuation(family), sum(ord(c) > 127 for c in text), n,
                    len(family))
        if len(self.variants) == 1:
            return next(iter(self.variants))
        best = max(sorted(self.variants.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")), key=score)
        return best[0]


@dataclass(slots=True)
class Decision:
    """A choice the resolver made or declined, for the report and the review CSV."""

    kind: Literal["ambiguous", "kept-apart", "joined-with-evidence"]
    variant: str  # "Family, Given" as written
    key: str  # the author the occurrence ended in
    candidates: list[str]  # the author keys it could have joined
    reason: str


@dataclass(slots=True)
class _Cluster:
    forms: set[NameForm] = field(default_factory=set)
    orcid: str | None = None
    occs: list[int] = field(default_factory=list)
    # the evidence features of its occurrences; None until something asks (AuthorResolver._cluster_feats):
    # a block its names decide never weighs evidence
    feats: set[int] | None = None
    # the key of its fullest name form, when a block worker worked it out (AuthorResolver._best_key)
    best: str | None = None

    def absorb(self, other: _Cluster) -> None:
        """Take over another cluster's occurrences, name forms and evidence."""
        self.occs += other.occs
        self.forms |= other.forms
        if self.feats is not None:
            if other.feats is not None:
                self.feats |= other.feats
            else:
                self.feats = None  # (built again from the occurrences when asked)


def _institutions(affiliations: Iterable[str]) -> tuple[str, ...]:
    """The sorted institution keys of an author's affiliations on one paper (an occurrence's evidence)."""
    return tuple(sorted({k for a in affiliations if a and (k := institution_key(a))}))


def institution_key(address: str) -> str | None:
    """The institution part of an address, folded and squashed: the first comma-separated part with an
    institution word ('Dept. of X, Seoul National University, Seoul' -> 'seoulnationaluniversity'),
    else the first part."""
    parts = [p for p in (fold(x) for x in address.split(",")) if p.strip()]
    if not parts:
        return None
    for part in parts:
        if any(w in part for w in INSTITUTION_WORDS):
            return squash(part) or None
    return squash(parts[0]) or None


class AuthorResolver:
    """Collect every author occurrence with :meth:`add` (or a paper's list with :meth:`add_work`),
    then :meth:`resolve` once and read keys with :meth:`key_of`."""

    # keep every evidence feature id's (kind, value) in ``_fnames`` (tests and debugging; a large set's
    # feature names are hundreds of MB that the resolver never reads)
    keep_feature_names: ClassVar[bool] = False

    def __init__(self, mode: AuthorKeyMode = DEFAULT_MODE,
                 overrides: dict[str, str] | None = None, *, workers: int = 1, variants: bool = True) -> None:
        if mode not in AUTHOR_KEY_MODES:
            raise ValueError(f"unknown author key mode {mode!r}; use one of {', '.join(AUTHOR_KEY_MODES)}")
        self.mode = mode
        # processes that cluster the blocks of a pass (forked; only for PARALLEL_MIN occurrences or more)
        self.workers = workers
        # fill :attr:`authors` (each key's name variants); a build that counts them in SQL says False
        self.variants = variants
        self.overrides = {override_key(k): v for k, v in (overrides or {}).items()}
        # the occurrences as columns, item i of each is occurrence i: its name as written (the Person and
        # its affiliation texts are not kept), ORCID, name form (None: no family name, or not mode
        # 'compatible'), paper (index into the works, -1 without context) and co-author signature id
        # (mode 'compatible'; _form_sig). Not one object per occurrence: a forked block worker reads
        # arrays and shared objects (name forms, names) without copying a page per occurrence
        self._o_family: list[str] = []
        self._o_given: list[str | None] = []
        self._o_orcid: list[str | None] = []
        self._o_form: list[NameForm | None] = []
        # ... the form as its number in _form_list (-1: None): how a pickled resolver carries the forms
        # (__getstate__), as columns of shared strings instead of an object each
        self._o_nform = array("q")
        self._form_list: list[NameForm] = []
        self._o_work = array("q")
        self._o_sig = array("q")
        # the institution keys of the affiliations this paper gives the person, while occurrences are added;
        # from _as_features on (mode 'compatible'), their 'a' feature ids in _o_aff_ids
        self._o_affs: list[tuple[str, ...]] = []
        self._o_aff_ids = _Ragged(())
        # (co-author signature ids, venue, folded keywords, year) per paper
        # (venue and keywords: strings, and from _as_features on, their 'v' and 'k' feature ids)
        self._works: list[tuple[list[int], Any, tuple[Any, ...], int | None]] = []
        # per paper: a fingerprint of its content (mode 'compatible'; _paper_print, then its venue mixed in
        # by _as_features), the tie-break of the content order after name and year
        self._prints = array("Q")
        self._orcids_of_name: dict[str, set[str]] = defaultdict(set)
        self.authors: dict[str, AuthorInfo] = {}
        self.decisions: list[Decision] = []
        self.overridden: int = 0
        self._interned: dict[str, str] = {}
        # (family, given) as written -> its name form (its number in _form_list), while occurrences are added
        self._forms: dict[str, dict[str | None, int]] = {}  # (family -> given: no tuple kept per name)
        self._form_sigs = array("q")  # form number -> its signature id, while occurrences are added
        self._parts: dict[Any, Any] = {}  # one object per family name, block key and given-name tuple (_form_sig)
        self._kw_folded: dict[str, str] = {}  # keyword -> folded, while papers are added
        # co-author signature -> its id; an id's evidence features (_sig_feats, computed once per signature)
        self._sig_ids: dict[str, dict[tuple[str, ...], int]] = {}  # (block -> given names)
        self._sig_features: list[tuple[int, ...]] = []
        # every name was registered at once (register_names): the forms, signatures and their features
        # exist, _sig_table holds the features, and the lookups by spelling stay empty
        self._registered = False
        # from _as_features on (the passes): the works and the signatures' features as arrays, which a
        # forked block worker reads without writing to their pages (list items are objects whose
        # reference counts a read changes, so the worker would copy every page it reads)
        self._work_table = _WorkTable(())
        self._sig_table = _Ragged(())
        # ... and every paper's co-author name features in one run: row k of _work_table._sigs' values
        # (a paper's k-th signature) has its _sig_table row at _co_feats._values[_co_feats._start[k]:
        # _co_feats._start[k + 1]], the rows of one paper one after the other (_features: two slices
        # per occurrence instead of one per co-author)
        self._co_feats = _Ragged(())
        # evidence features as ints (_fid): (kind, value) -> id until the passes start (a pass's 'K' ids
        # are new: _new_fid); per id its kind's byte, and for a 'C' the id of the 'c' it starts
        # with, for a 'c' the id of the 'F' of the same value (-1: none; _score's co-author rule). Id 0 is
        # no feature: every id is true (``if venue:``)
        self._fids: dict[str, dict[str, int]] = {}  # kind -> value -> id (no tuple kept per feature)
        self._kinds = bytearray(1)
        self._pair = array("q", [-1])
        # (kind, value) per id: only with keep_feature_names (tests and debugging read features by name)
        self._fnames: list[tuple[str, str]] | None = [("", "")] if self.keep_feature_names else None
        self._keys: list[str | None] = []
        # (occurrence, clusters it could join, cluster it joined, reason) -> decisions after keying
        self._pending: list[tuple[int, list[_Cluster], _Cluster, str]] = []
        self._leftover: list[tuple[int, list[_Cluster], str]] = []  # occurrences no author took yet
        self._weights = array("d")  # evidence feature id -> weight (while resolving; 0.0: none)
        self._papers = 0  # the papers the weights count (_prepare_weights; 0: not counted yet)
        # what a later pass changed in the weights, undone before the next pass: the original weight of
        # every feature it divided, the 'K' features it added
        self._undo: tuple[dict[int, float], list[int]] = ({}, [])
        # occurrence -> features, built when first asked (one block at a time; _LazyFeatures)
        self._feats: dict[int, set[int]] = {}
        self._ckey: dict[int, tuple] = {}  # occurrence -> content key (one block at a time)
        # the last pass's author of every occurrence (later passes, until their weights are known)
        self._cokey: list[str | None] | None = None
        # ... as a co-author feature: the author's 'K' id per occurrence (0: no key)
        self._cofeat = array("q")
        self._work_occs = _WorkOccurrences(0, ())  # paper -> its occurrences (while resolving)
        # paper -> the institutions it names (any author), as 'A' features
        self._work_insts = _Ragged(())
        self._common_given: set[str] = set()  # first given names carried by many family names
        # the 'a' features of the current block (built on the first score that needs them: _block_aff_set)
        self._block_affs: frozenset[int] | None = None
        self._block_occs: Sequence[int] = []  # the current block's occurrences
        self._compat_seen: dict[tuple[tuple[str, ...], tuple[str, ...]], Compat] = {}  # one block's pairs
        # whether the current block's clusters weighed evidence (_grow, _best): a block that did not is
        # clustered by its names alone, and the next pass would give it the same clusters
        self._scored = False
        # such blocks of the last pass: their clusters as (ORCID, occurrences), reused by the next pass
        self._fixed: dict[str, list[tuple[str | None, list[int], str | None]]] = {}
        self._prepared = False  # (prepare)
        self._blocks: dict[str, array] = {}  # block key -> its occurrences, from prepare to the passes

    def __getstate__(self) -> dict[str, Any]:
        """Pickled with each occurrence's name form as a number into the forms, and the forms as three
        columns of shared strings and tuples: an object per form (1.96M at 1M generated records) had
        the pickler remember each one and the tuple of its fields (~350 MB while it wrote them)."""
        state = self.__dict__.copy()
        forms = state.pop("_form_list")
        state["_o_form"] = None
        state["_form_columns"] = ([f.family for f in forms], [f.given for f in forms], [f.block for f in forms])
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        forms = list(map(NameForm, *state.pop("_form_columns")))
        state["_form_list"] = forms
        state["_o_form"] = [forms[k] if k >= 0 else None for k in state["_o_nform"]]
        self.__dict__.update(state)

    def dump(self, file: BinaryIO) -> None:
        """Pickle to ``file`` one attribute at a time, each its own pickle: a pickler keeps everything it
        wrote until its dump ends (the bytes of every array among them), which for a whole resolver was a
        second copy of the pickle in memory (~400 MB at 1M records). Objects shared between attributes
        (a few thousand strings) come back as copies. :meth:`load` reads it."""
        state = self.__getstate__()
        pickle.dump(len(state), file, protocol=pickle.HIGHEST_PROTOCOL)
        for item in state.items():
            pickle.dump(item, file, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, file: BinaryIO) -> AuthorResolver:
        """A resolver :meth:`dump` wrote."""
        n = pickle.load(file)
        resolver = cls.__new__(cls)
        resolver.__setstate__(dict(pickle.load(file) for _ in range(n)))
        return resolver

    def add(self, person: Person, *, work: int = -1) -> int:
        """Register an occurrence; returns its id for :meth:`key_of` after :meth:`resolve`. The
        person's affiliations (as this paper gives them) are evidence."""
        fs = self._form_sig(person.family, person.given) if self.mode == "compatible" else None
        return self._add(person.family, person.given, person.orcid, person.affiliations, fs, work)

    def _add(self, family: str, given: str | None, orcid: str | None, affiliations: Iterable[str] | None,
             fs: tuple[NameForm, int, int] | None, work: int) -> int:
        orcid = normalise_orcid(orcid)
        form, sig, nform = fs if fs is not None else (None, -1, -1)
        if form is not None and not form.family:
            form, nform = None, -1
        self._note_orcid(family, given, orcid)
        affs = _institutions(affiliations) if form is not None and affiliations else ()
        self._append_occurrences([family], [given], [orcid], [form], [nform], [work], [sig], [affs])
        return len(self._o_work) - 1

    def _note_orcid(self, family: str, given: str | None, orcid: str | None) -> None:
        """Keep which ORCIDs carry a name (for :meth:`ambiguous_names`)."""
        if orcid and (nkey := _name_key(family or "", given, "initial")):
            self._orcids_of_name[nkey].add(orcid)

    def _append_occurrences(self, families: Sequence[str], givens: Sequence[str | None],
                            orcids: Sequence[str | None], forms: Sequence[NameForm | None], nforms: Sequence[int],
                            works: Sequence[int], sigs: Sequence[int], affs: Sequence[tuple[str, ...]]) -> None:
        """Occurrences as their columns (item i of each is one occurrence)."""
        self._o_family.extend(families)
        self._o_given.extend(givens)
        self._o_orcid.extend(orcids)
        self._o_form.extend(forms)
        self._o_nform.extend(nforms)
        self._o_work.extend(works)
        self._o_sig.extend(sigs)
        self._o_affs.extend(affs)

    def _display(self, i: int) -> str:
        """Occurrence i's 'Family, Given' as written (:attr:`Person.display`; only decisions and overrides ask)."""
        return Person(self._o_family[i], self._o_given[i]).display

    def add_work(self, people: list[Person], venue: str | None = None, *, keywords: Iterable[str] = (),
                 year: int | None = None) -> list[int]:
        """Register one paper's author list (co-authors, venue, keywords and each author's affiliations
        are evidence); occurrence ids."""
        return self.add_paper([p.family for p in people], [p.given for p in people], [p.orcid for p in people],
                              [p.affiliations for p in people], venue, keywords=keywords, year=year)

    def add_paper(self, families: Sequence[str], givens: Sequence[str | None], orcids: Sequence[str | None],
                  affiliations: Sequence[Iterable[str] | None], venue: str | None = None, *,
                  keywords: Iterable[str] = (), year: int | None = None) -> list[int]:
        """:meth:`add_work` for an author list given as columns (each author's family and given name as
        written, ORCID and affiliations, in byline order): no Person per author, and each name's form
        looked up once for the paper and its occurrence."""
        forms = [self._form_sig(f, g) for f, g in zip(families, givens)]
        w = self._add_context([fs[1] for fs in forms], families, givens, venue, keywords, year)
        # (in the other modes the signatures are context only: the occurrences have no form)
        own: Sequence[tuple[NameForm, int, int] | None] = forms if self.mode == "compatible" else [None] * len(forms)
        return [self._add(f, g, o, a, fs, w) for f, g, o, a, fs in zip(families, givens, orcids, affiliations, own)]

    def add_papers(self, families: Sequence[str], givens: Sequence[str | None], orcids: Sequence[str | None],
                   affiliations: Sequence[Sequence[str] | None], starts: Sequence[int],
                   venues: Sequence[str | None], keywords: Sequence[Iterable[str] | None],
                   nforms: Sequence[int] | None = None) -> None:
        """:meth:`add_paper` for a run of papers given as columns of all their authors: paper k's authors
        are rows ``starts[k]`` to ``starts[k + 1]`` (the last to the end), its venue ``venues[k]`` and its
        keywords ``keywords[k]``; family names are strings ('' for none). The same occurrences, name forms,
        signatures and feature ids in the same order as one :meth:`add_paper` per paper (each kind of
        state is appended in occurrence or paper order, which is all its ids depend on), with one lookup
        per author in a loop of its own instead of two method calls, and the occurrence columns extended
        at once. ``nforms``: the authors' form numbers, when :meth:`register_names` gave them."""
        ends = [*starts[1:], len(families)]
        if self.mode != "compatible":  # (signatures as context only; a rare mode for a large set)
            for i, j, venue, kws in zip(starts, ends, venues, keywords):
                self.add_paper(families[i:j], givens[i:j], orcids[i:j], affiliations[i:j], venue,
                               keywords=kws or ())
            return
        if nforms is None:
            # the name forms (their numbers), made in occurrence order where new
            forms_of = self._forms.get
            form_sig = self._form_sig
            nforms = []
            keep = nforms.append
            for f, g in zip(families, givens):
                by_given = forms_of(f)
                n = by_given.get(g or None) if by_given is not None else None
                keep(form_sig(f, g)[2] if n is None else n)
        else:
            nforms = list(nforms)
        sig_of = self._form_sigs
        sigs = [sig_of[n] for n in nforms]
        # the papers, in order: their contexts, and each occurrence's paper
        add_context = self._add_context
        works: list[int] = []
        for i, j, venue, kws in zip(starts, ends, venues, keywords):
            w = add_context(sigs[i:j], families[i:j], givens[i:j], venue, kws or (), None)
            works.extend([w] * (j - i))
        # the occurrences: a form without a family name is no form (its signature stays)
        form_list = self._form_list
        forms: list[NameForm | None] = [form_list[n] for n in nforms]
        for k, form in enumerate(forms):
            if not form.family:  # type: ignore[union-attr]
                forms[k], nforms[k] = None, -1
        clean = [normalise_orcid(o) if o else None for o in orcids]
        for k, orcid in enumerate(clean):
            if orcid:
                self._note_orcid(families[k], givens[k], orcid)
        affs: list[tuple[str, ...]] = [()] * len(families)
        for k, given_affs in enumerate(affiliations):
            if given_affs and forms[k] is not None:
                affs[k] = _institutions(given_affs)
        self._append_occurrences(families, givens, clean, forms, nforms, works, sigs, affs)

    def register_names(self, families: Any, givens: Any) -> Any:
        """Every author name of a whole input at once, before any paper is added (mode 'compatible'):
        ``families`` and ``givens`` are Arrow string columns, one row per occurrence in the order
        :meth:`add_papers` will add them (null: none). Makes the name forms, co-author signatures and
        their feature ids that adding the rows one by one makes, with the same numbers (each is numbered
        in order of first use), and returns each row's form number (numpy) for ``add_papers(...,
        nforms=...)``. The work per name is done once per family name and once per given name as
        written (at 1M generated records 60k and 20k, against 2M forms), and the lookups by spelling
        (a dict entry per form, signature and feature, ~1.5 GB at 1M) are not built: forms are numbered
        by their first row in numpy, signatures by their first form, features by their first signature
        in Arrow."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        if self.mode != "compatible" or self._form_list or self._registered:
            raise RuntimeError("register_names needs a new resolver in mode 'compatible'")
        self._registered = True

        def encoded(column: Any) -> tuple[list[str], Any]:
            if isinstance(column, pa.ChunkedArray):
                column = column.combine_chunks()
            column = pc.fill_null(column.cast(pa.string()), "")  # (no name and '' are one: `given or None`)
            enc = column.dictionary_encode()
            return enc.dictionary.to_pylist(), enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)

        fam_text, fam_of = encoded(families)
        giv_text, giv_of = encoded(givens)
        # forms: distinct (family, given) pairs numbered by their first row
        code = fam_of * (len(giv_text) + 1) + giv_of
        del fam_of, giv_of
        nforms, first = _first_use_numbers(code)
        pairs = code[first]
        del code, first
        form_fam = pairs // (len(giv_text) + 1)
        form_giv = pairs % (len(giv_text) + 1)
        del pairs
        # the name's parts (_form_parts): once per family and given name, unless the given names end
        # in a particle that moves to the family name (split_particles; then once per such form); the
        # forms' parts and block and given-name numbers gathered from those in numpy
        part = self._parts.setdefault
        block_id: dict[str, int] = {}  # (any numbering: the signatures are numbered by their first form)
        giv_id: dict[tuple[str, ...], int] = {}
        fam_sq, fam_block, fam_bid = [], [], []
        for f in fam_text:
            x, y = squash(f), block_key(f)
            fam_sq.append(part(x, x))
            fam_block.append(part(y, y))
            fam_bid.append(block_id.setdefault(y, len(block_id)))
        giv_tokens: list[tuple[str, ...]] = []
        giv_gid: list[int] = []
        moves = np.zeros(len(giv_text), dtype=bool)
        for k, g in enumerate(giv_text):
            if g and split_particles("x", g) != ("x", g):
                moves[k] = True  # (worked out per form below)
                t: tuple[str, ...] = ()
            else:
                t = _given_parts(g) if g else ()
            giv_tokens.append(part(t, t))
            giv_gid.append(giv_id.setdefault(t, len(giv_id)))

        def gathered(values: list[Any], at: Any) -> list[Any]:
            column = np.empty(len(values), dtype=object)
            column[:] = values
            return column[at].tolist()

        fams = gathered(fam_sq, form_fam)
        givs = gathered(giv_tokens, form_giv)
        blocks = gathered(fam_block, form_fam)
        bids = np.asarray(fam_bid, dtype=np.int64)[form_fam]
        gids = np.asarray(giv_gid, dtype=np.int64)[form_giv]
        for n in np.flatnonzero(moves[form_giv]).tolist():
            fam, giv, block = _form_parts(fam_text[form_fam[n]], giv_text[form_giv[n]])
            fams[n], givs[n], blocks[n] = part(fam, fam), part(giv, giv), part(block, block)
            bids[n] = block_id.setdefault(block, len(block_id))
            gids[n] = giv_id.setdefault(giv, len(giv_id))
        del form_fam, form_giv, fam_sq, fam_block, fam_bid, giv_tokens, giv_gid, moves
        self._form_list = self._made_forms(fams, givs, blocks)
        del fams, givs, blocks
        # signatures: distinct (block, given names) numbered by their first form
        sig_of_form, sig_first = _first_use_numbers(bids * (len(giv_id) + 1) + gids)  # (and each one's first form)
        self._form_sigs = array("q", sig_of_form.tobytes())
        del sig_of_form
        sig_block, sig_giv = bids[sig_first], gids[sig_first]
        del bids, gids, sig_first
        # each signature's features, as _sig_feats makes them (the one definition): a feature is its kind
        # and its block followed by a text of the given names only, so _sig_feats runs once per given
        # names (with a stand-in block) and the signatures' features are joined from those in Arrow;
        # a signature without a block has none
        rows = [_sig_feats(("b", g)) for g in giv_id]  # (given-name tuples in their numbering's order)
        assert all(value[:1] == "b" for row in rows for _, value in row)
        width = max(map(len, rows), default=0)
        has = np.array([bool(x) for x in block_id], dtype=bool)[sig_block]
        block = pa.array(list(block_id), pa.string()).take(pa.array(sig_block))
        at_giv = pa.array(sig_giv)
        columns, keep = [], []
        for j in range(width):  # the j-th feature of every signature that has one
            kind = pa.array([row[j][0] if j < len(row) else "" for row in rows], pa.string()).take(at_giv)
            rest = pa.array([row[j][1][1:] if j < len(row) else "" for row in rows], pa.string()).take(at_giv)
            columns.append(pc.binary_join_element_wise(kind, block, rest, ""))
            keep.append(np.array([j < len(row) for row in rows], dtype=bool)[sig_giv] & has)
        n = len(sig_block)
        # in signature order, each one's features in _sig_feats's order
        flat = (pa.concat_arrays(columns) if columns else pa.array([], pa.string())).take(
            pa.array(np.arange(width * n, dtype=np.int64).reshape(width, n).T[np.stack(keep, axis=1)]
                     if width else np.zeros(0, dtype=np.int64)))
        count = np.stack(keep, axis=1).sum(axis=1) if width else np.zeros(n, dtype=np.int64)
        del rows, columns, keep, block, at_giv
        enc = flat.dictionary_encode()
        base = len(self._kinds)
        fids = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64) + base
        feature_names = enc.dictionary.to_pylist()
        self._kinds.extend(ord(x[0]) for x in feature_names)
        pair = np.full(base + len(feature_names), -1, dtype=np.int64)
        pair[:len(self._pair)] = np.frombuffer(self._pair, dtype=np.int64)
        starts = np.concatenate(([0], np.cumsum(count)))
        three = starts[:-1][count == 3]
        pair[fids[three + 1]] = fids[three]  # C -> its c
        pair[fids[three]] = fids[three + 2]  # c -> its F
        self._pair = array("q", pair.tobytes())
        if self._fnames is not None:
            self._fnames.extend((x[0], x[1:]) for x in feature_names)
        self._sig_table = _Ragged(())
        self._sig_table._values = array("q", fids.tobytes())
        self._sig_table._start = array("q", starts.astype(np.int64).tobytes())
        return nforms

    def _made_forms(self, families: list[str], givens: list[tuple[str, ...]], blocks: list[str]) -> list[NameForm]:
        """The registered forms' objects from their parts (:meth:`register_names`)."""
        return list(map(NameForm, families, givens, blocks))

    def set_venues(self, venues: list[str | None]) -> None:
        """Set the venue of every registered paper, in registration order (a build knows a paper's
        journal key only after the journals are resolved)."""
        self._works = [(sigs, venue, kws, year) for (sigs, _, kws, year), venue in zip(self._works, venues)]

    def add_context(self, people: list[Person], venue: str | None = None, *, keywords: Iterable[str] = (),
                    year: int | None = None) -> int:
        """Register a paper's author list, venue and keywords as evidence only (no occurrences); the id
        to pass as ``work`` to :meth:`add`."""
        families = [p.family for p in people]
        givens = [p.given for p in people]
        return self._add_context([self._form_sig(f, g)[1] for f, g in zip(families, givens)], families, givens,
                                 venue, keywords, year)

    def _add_context(self, sigs: list[int], families: Sequence[str], givens: Sequence[str | None],
                     venue: str | None, keywords: Iterable[str], year: int | None) -> int:
        kws: tuple[str, ...] = ()
        if self.mode == "compatible":
            # each keyword folded once per resolver (the folding cache is smaller than a large set's keywords)
            cache = self._kw_folded
            seen: set[str] = set()
            for x in keywords:
                if x:
                    k = cache.get(x)
                    if k is None:
                        k = cache[x] = fold(x).strip()
                    if k:
                        seen.add(k)
            kws = tuple(sorted(seen))
            self._prints.append(_paper_print(families, givens, kws, year))
        self._works.append((sigs, venue, kws, year))
        return len(self._works) - 1

    def _form_sig(self, family: str | None, given: str | None) -> tuple[NameForm, int, int]:
        """The :func:`name_form` of a name as written, the id of its co-author signature and the form's
        number in :attr:`_form_list`, one shared object each per way of writing the name (a name written on many papers is kept once, not once per
        paper). The signature is a co-author as evidence: block key of the family name and given-name
        tokens (equal signatures share an id; :attr:`_sig_features` holds each one's features). Two
        occurrences share a co-author when these are in one block with compatible given names ('Linkov,
        I.' and 'Linkov, Igor'; not 'Thomas, Samantha' and 'Thomas, Shane')."""
        if self._registered:
            raise RuntimeError("names were registered at once (register_names): add papers with their form numbers")
        family, given = family or "", given or None
        by_given = self._forms.get(family)
        if by_given is None:
            by_given = self._forms[family] = {}
        n = by_given.get(given)
        if n is None:
            # its parts one object per value (a family name is on many forms: at 1M generated records
            # 1.96M forms had 60k family names, each form its own copy of them before); the parts, not
            # _form's cached NameForm: this dict is the cache here (a bounded one misses at that size)
            fam, giv, block = _form_parts(family, given)
            part = self._parts.setdefault
            fam, giv, block = part(fam, fam), part(giv, giv), part(block, block)
            form = NameForm(fam, giv, block)
            by_block = self._sig_ids.get(block)
            if by_block is None:
                by_block = self._sig_ids[block] = {}
            sid = by_block.get(giv)
            if sid is None:
                sid = by_block[giv] = len(self._sig_features)
                ids = tuple(map(self._fid, _sig_feats((block, giv))))
                if len(ids) == 3:  # ('c', initial), ('C', names), ('F', initial): the pairs _score checks
                    self._pair[ids[1]] = ids[0]
                    self._pair[ids[0]] = ids[2]
                self._sig_features.append(ids)
            n = by_given[given] = len(self._form_list)
            self._form_list.append(form)
            self._form_sigs.append(sid)
        return self._form_list[n], self._form_sigs[n], n

    def _fid(self, feature: tuple[str, str]) -> int:
        """The id of an evidence feature (kind, value): one int per feature, its kind kept in
        :attr:`_kinds`."""
        kind, value = feature
        ids = self._fids.get(kind)
        if ids is None:
            ids = self._fids[kind] = {}
        fid = ids.get(value)
        if fid is None:
            fid = ids[value] = self._new_fid(feature)
        return fid

    def _new_fid(self, feature: tuple[str, str]) -> int:
        """A new feature id (the 'K' ids of a pass are new: the last pass's keys are not kept)."""
        self._kinds.append(ord(feature[0]))
        self._pair.append(-1)
        if self._fnames is not None:
            self._fnames.append(feature)
        return len(self._kinds) - 1

    # -- resolving ---------------------------------------------------------------------------------
    def prepare(self) -> None:
        """What :meth:`resolve` does before its passes, once every occurrence is added: the lookups of the
        adding freed; in mode 'compatible' the blocks, and the evidence as feature ids (:meth:`_as_features`).
        :meth:`resolve` calls it when nobody did. A build calls it in a process of its own and takes the
        resolver back pickled (:func:`graphkit.engine.core.resolve_author_keys_from`): the objects the adding
        built and freed leave holes in that process's arenas, which would stay through the passes, and a
        forked block worker would copy each page whose holes it fills."""
        if self._prepared:
            return
        self._prepared = True
        # the name forms and co-author signatures by spelling are for add() only: freed before the passes
        self._forms = {}
        self._form_sigs = array("q")
        self._parts = {}
        self._sig_ids = {}
        self._kw_folded = {}
        if self.mode == "compatible":
            self._blocks = self._prepare_passes()

    def resolve(self) -> None:
        self.prepare()
        if self.mode == "compatible":
            keys = self._resolve_compatible()
        else:
            keys = self._resolve_simple()
        self._sig_features = []
        self._sig_table = _Ragged(())
        self._co_feats = _Ragged(())
        self._fids, self._kinds, self._pair = {}, bytearray(1), array("q", [-1])
        # (a pass gives the occurrences of one author one key object: with no override and no variants
        # there is nothing to add; the other modes' keys, made per occurrence, are interned)
        if self.mode == "compatible" and not self.overrides and not self.variants:
            self._keys = keys
        else:
            self._keys = [self._final_key(i, key) for i, key in enumerate(keys)]
        # keys are known now; the occurrences can go
        self._o_family, self._o_given, self._o_orcid, self._o_form = [], [], [], []
        self._o_nform, self._form_list = array("q"), []
        self._o_work, self._o_sig, self._o_affs, self._o_aff_ids = array("q"), array("q"), [], _Ragged(())
        self._works = []
        self._work_table = _WorkTable(())
        self._prints = array("Q")

    def _final_key(self, i: int, key: str | None) -> str | None:
        """Occurrence i's key as the map overrides it, interned, counted in its author's variants."""
        override = self._override(i) if self.overrides else None
        if override is not None:
            key = override
            self.overridden += 1
        if key is None:
            return None
        key = self._interned.setdefault(key, key)
        if self.variants:
            info = self.authors.get(key)
            if info is None:
                orcid = key[6:] if key.startswith("orcid:") else None
                info = self.authors[key] = AuthorInfo(key, orcid)
            family = " ".join((self._o_family[i] or "").split())
            given = " ".join((self._o_given[i] or "").split()) or None
            info.variants[(family, given)] = info.variants.get((family, given), 0) + 1
        return key

    def _override(self, i: int) -> str | None:
        return override_for(self.overrides, self._o_family[i], self._o_given[i])

    def _resolve_simple(self) -> list[str | None]:
        """Modes 'initial' and 'full': ORCID, else the name key; an ORCID-less name joins the one ORCID
        whose given names fit."""
        givens: dict[str, set[tuple[str, ...]]] = defaultdict(set)  # ORCID -> given names seen with it
        for orcid, given in zip(self._o_orcid, self._o_given):
            if orcid:
                givens[orcid].add(_given_parts(given) if given else ())
        out: list[str | None] = []
        for family, given, orcid in zip(self._o_family, self._o_given, self._o_orcid):
            nkey = _name_key(family or "", given, self.mode)
            if orcid is None and nkey is not None:
                owners = self._orcids_of_name.get(_name_key(family or "", given, "initial") or "")
                if owners:
                    mine = tuple(given_parts(given))
                    fits = [o for o in owners if any(_first_fits(mine, g) for g in givens[o])]
                    if len(fits) == 1:
                        orcid = fits[0]
            out.append(f"orcid:{orcid}" if orcid else nkey)
        return out

    def _prepare_passes(self) -> dict[str, array]:
        """The blocks (block key -> its occurrences), each paper's occurrences, the common first names and
        the evidence as feature ids: everything the passes read that the adding did not build."""
        # occurrence ids in arrays, not lists of int objects: reading an array writes nothing to its pages,
        # so a forked block worker shares them instead of copying them (AuthorResolver._clustered_forked)
        import numpy as np

        # (in numpy: an occurrence's form is its form number's, -1 for none; each form in use looked up
        # once; a block's occurrences in occurrence order)
        nform = np.frombuffer(self._o_nform, dtype=np.int64)
        has = nform >= 0
        used = _distinct(nform[has].copy())
        forms = [self._form_list[n] for n in used.tolist()]
        names = sorted({f.block for f in forms})
        number = {b: k for k, b in enumerate(names)}
        block_of = np.full(len(self._form_list), -1, dtype=np.int64)
        block_of[used] = np.array([number[f.block] for f in forms], dtype=np.int64)
        occs = np.flatnonzero(has)
        bid = block_of[nform[occs]]
        order = np.argsort(bid, kind="stable")
        occs, bid = occs[order], bid[order]
        firsts = np.flatnonzero(np.diff(bid)) + 1
        blocks: dict[str, array] = {}
        if len(occs):
            for part, k in zip(np.split(occs, firsts), bid[np.concatenate(([0], firsts))].tolist()):
                blocks[names[k]] = array("q", part.astype(np.int64).tobytes())
        orcids = self._o_orcid
        for i in np.flatnonzero(~has).tolist():  # no name form: an ORCID alone is a block
            if orcid := orcids[i]:
                blocks.setdefault(f"orcid:{orcid}", array("q")).append(i)
        self._work_occs = _WorkOccurrences(len(self._works), self._o_work)
        pairs = {(f.block, f.given[0]) for f in forms if f.full}
        floor = max(COMMON_GIVEN_MIN, COMMON_GIVEN_SHARE * len({b for b, _ in pairs}))
        self._common_given = {g for g, n in Counter(g for _, g in pairs).items() if n >= floor}
        del pairs  # (not kept through the passes)
        self._cokey = None
        self._as_features()
        return blocks

    def _resolve_compatible(self) -> list[str | None]:
        blocks, self._blocks = self._blocks, {}
        keys: list[str | None] = []
        for npass in range(PASSES):
            if npass:
                # cluster-level evidence: a co-author is now the author the last pass made of that name,
                # not a name string ('Kim, J.' on two papers is one person or two); each pass's authors
                # get new 'K' ids (the last pass's undone in its weights)
                self._cokey = keys  # (for the weights: _prepare_weights, then dropped)
                new = self._new_fid
                kfeat: dict[str, int] = {}
                self._cofeat = array("q", [(kfeat[k] if k in kfeat else kfeat.setdefault(k, new(("K", k))))
                                           if k else 0 for k in keys])
                del kfeat
                keys = []  # (held by _cokey until weighed)
                self._pending = []
                self._leftover = []
            keys = self._one_pass(blocks, last=npass == PASSES - 1)
        self._cokey = None
        self._cofeat = array("q")
        self._fixed = {}
        self._work_occs = _WorkOccurrences(0, ())
        self._work_insts = _Ragged(())
        self._weights = array("d")
        self._papers = 0
        self._undo = ({}, [])
        return keys

    def _as_features(self) -> None:
        """Before the passes (mode 'compatible'): each occurrence's institutions become its 'a' features,
        each paper's venue and keywords its 'v' and 'k' features, and the institutions a paper names (any
        author) its 'A' features, as ids (:meth:`_fid`). The 'a' ids are given in institution order, so
        an occurrence's ids sort as its institutions do (:meth:`_content_keys`). Only the 'K' ids of later
        passes are added after this: the other features' names are dropped."""
        A = self._o_affs
        # the venue is known now (set_venues): part of the paper's fingerprint
        self._prints = array("Q", (_with_venue(fp, venue) if venue else fp
                                   for fp, (_, venue, _, _) in zip(self._prints, self._works)))
        fid = self._fid
        aff = {a: fid(("a", a)) for a in sorted({a for affs in A for a in affs})}
        inst = {a: fid(("A", a)) for a in aff}  # the same institution named on the paper
        if aff:
            self._work_insts = _Ragged(frozenset(inst[a] for j in occs for a in A[j])
                                       if any(A[j] for j in occs) else () for occs in self._work_occs)
            self._o_aff_ids = _Ragged(tuple(aff[a] for a in affs) if affs else () for affs in A)
        else:  # no institution anywhere (no paper's author list is looked through)
            self._work_insts = _Ragged([()] * len(self._work_occs))
            self._o_aff_ids = _Ragged([()] * len(A))
        self._o_affs = []
        # each venue and keyword looked up once, in order of first use
        venues = {v: fid(("v", v)) for v in dict.fromkeys(venue for _, venue, _, _ in self._works) if v}
        words = {k: fid(("k", k)) for k in dict.fromkeys(chain.from_iterable(kws for _, _, kws, _ in self._works))}
        self._work_table = _WorkTable((sigs, venues[venue] if venue else None, tuple(map(words.__getitem__, kws)), year)
                                      for sigs, venue, kws, year in self._works)
        self._works = []
        if not self._registered:  # (register_names built the table)
            self._sig_table = _Ragged(self._sig_features)
        self._sig_features = []
        self._co_feats = _co_features(self._work_table, self._sig_table)
        self._fids = {}

    def _one_pass(self, blocks: Mapping[str, Sequence[int]], last: bool) -> list[str | None]:
        self._prepare_weights()
        self._cokey = None  # (the last pass's keys: weighed; its authors are ids in _cofeat)
        keys: list[str | None] = [None] * len(self._o_work)
        used: set[str] = set()
        key_of_cluster: dict[int, str] = {}
        for clusters in self._clustered(blocks, keep=not last):
            for cluster in clusters:
                key = key_of_cluster[id(cluster)] = self._cluster_key(cluster, used)
                for i in cluster.occs:
                    keys[i] = key
        if not last:
            return keys
        for i, fits, joined, why in self._pending:
            self.decisions.append(decision(self._display(i), key_of_cluster[id(joined)],
                                           [key_of_cluster[id(c)] for c in fits], why))
        self._pending = []
        return keys

    def _clustered(self, blocks: Mapping[str, Sequence[int]], keep: bool = False) -> Iterator[list[_Cluster]]:
        """Every block's clusters, blocks in key order, each block's clusters in an order that depends on
        their content only (not on file order); decisions go to ``_pending`` in the same order. Blocks
        are independent within a pass (the pass's weights and last keys are fixed before it starts), so
        with ``workers`` > 1 and enough occurrences, forked processes cluster them (largest first) and
        send back the clusters' occurrences: the same clusters, in the same order, as one process.

        A block clustered without weighing evidence (no :meth:`_grow`, no :meth:`_best` with a fitting
        cluster: its ORCIDs and name forms decided) gets the same clusters in every pass, since only the
        evidence changes between passes; it has no decisions either. With ``keep`` (a pass follows),
        such blocks' clusters are kept in :attr:`_fixed`, and the next pass reuses them instead of
        clustering the block again."""
        names = sorted(blocks)
        todo = [b for b in names if b not in self._fixed]
        fixed: dict[str, list[tuple[str | None, list[int], str | None]]] = {}
        if self.workers > 1 and len(self._o_work) >= PARALLEL_MIN and len(todo) > 1 and CAN_FORK \
                and _memory_for_forks(self.workers - 1):
            done = self._clustered_forked(blocks, todo)
        else:
            done = self._clustered_here(blocks, todo)
        for block in names:
            kept = self._fixed.get(block)
            if kept is not None:
                yield [_Cluster(orcid=orcid, occs=occs, best=best) for orcid, occs, best in kept]
                continue
            name, clusters, scored = next(done)
            assert name == block
            if keep and not scored:
                fixed[block] = [(c.orcid, c.occs, c.best) for c in clusters]
            yield clusters
        self._fixed = fixed if keep else {}

    def _clustered_here(self, blocks: Mapping[str, Sequence[int]], names: list[str]
                        ) -> Iterator[tuple[str, list[_Cluster], bool]]:
        """The blocks ``names`` clustered in this process, as :meth:`_clustered_forked` gives them."""
        for name in names:
            clusters = self._block_clusters(blocks[name])
            yield name, clusters, self._scored

    def _block_clusters(self, occs: Sequence[int]) -> list[_Cluster]:
        """One block's clusters, in content order (the per-block state is dropped after; :attr:`_scored`
        says whether evidence was weighed)."""
        self._scored = False
        clusters = self._cluster_block(occs)
        ckey = self._ckey.__getitem__
        clusters.sort(key=lambda c: (c.orcid or "", -len(c.occs), min(map(ckey, c.occs))))
        self._feats = {}
        self._compat_seen = {}
        self._ckey = {}
        self._block_affs, self._block_occs = None, []
        return clusters

    def _clustered_forked(self, blocks: Mapping[str, Sequence[int]], names: list[str]
                          ) -> Iterator[tuple[str, list[_Cluster], bool]]:
        """The blocks clustered by this process and ``workers - 1`` forked children, which claim tasks
        from one shared counter. This process works too instead of waiting: a child copies the pages
        of the objects it touches (reference counts are writes), so one child fewer is one copy of the
        resolver's heap fewer."""
        global _FORKED
        # tasks: the largest blocks alone, the rest in runs of similar size, largest first (the long
        # blocks start early and the small ones fill the gaps)
        total = sum(len(v) for v in blocks.values())
        size = max(1, total // (self.workers * BLOCK_TASKS_PER_WORKER))
        tasks: list[list[str]] = []
        run: list[str] = []
        n = 0
        for name in sorted(names, key=lambda b: -len(blocks[b])):
            run.append(name)
            n += len(blocks[name])
            if n >= size:
                tasks.append(run)
                run, n = [], 0
        if run:
            tasks.append(run)
        ctx = multiprocessing.get_context("fork")
        claimed = ctx.Value("q", 0)  # the next task, shared with the children (forked after this)
        # each child's tasks come back one by one as it finishes them, through a queue whose feeder thread
        # sends them (the child never waits for this process to read), and this process reads what has
        # come between its own tasks, not the child's whole share pickled at its end (with 16 tasks a
        # process, at 1M this process waited 2.5-2.9 s a pass after its share, one core idle; 0.0-0.2 s now)
        results = ctx.Queue()
        children: list[Any] = []
        before, self._pending = self._pending, []
        _FORKED = (self, blocks)
        got: dict[str, Any] = {}  # block -> its clusters (_cluster_blocks_forked)
        clock = time.perf_counter()
        try:
            for k in range(min(self.workers, len(tasks)) - 1):
                child = ctx.Process(target=_block_worker, args=(tasks, claimed, results, k, os.getpid()), daemon=True)
                child.start()
                children.append(child)
            waiting = set(range(len(children)))  # the children whose last message has not come
            while (i := _claim(claimed, len(tasks))) is not None:  # this process's share
                got.update(_cluster_blocks_forked(tasks[i]))
                _take_results(results, children, waiting, got, wait=False)
            share = time.perf_counter() - clock
            _take_results(results, children, waiting, got, wait=True)
            log.debug("author blocks: %d tasks, this process's share %.1f s, the children's last results %.1f s "
                      "after it", len(tasks), share, time.perf_counter() - clock - share)
        finally:
            _FORKED = None
            self._pending = before
            for child in children:
                if child.is_alive():
                    child.kill()
                child.join()
            results.close()
            results.cancel_join_thread()
        for name in names:
            orcids, bests, occs, starts, pending, scored = got.pop(name)
            clusters = [_Cluster(orcid=orcid, occs=occs[a:b].tolist(), best=best)
                        for orcid, best, a, b in zip(orcids, bests, starts, starts[1:])]
            del occs
            self._pending += [(i, [clusters[k] for k in fits], clusters[j], why) for i, fits, j, why in pending]
            yield name, clusters, scored

    # -- evidence ----------------------------------------------------------------------------------
    def _prepare_weights(self) -> None:
        """Document frequencies of every evidence feature over the papers, as weights for :meth:`_score`.
        All but the last pass's authors ('K') are the same in every pass: weighed once, and a later
        pass's changes (the 'K' weights, the divided co-author names) are undone before the next pass,
        instead of keeping the counts and weighing them again (one table of every feature, not two)."""
        weights = self._weights
        if len(weights) < len(self._kinds):  # a weight (0.0) per id added since: all at first, then 'K' ids
            weights.frombytes(bytes(8 * (len(self._kinds) - len(weights))))
        if not self._papers:
            df, n = self._document_frequencies()
            self._papers = max(1, n)
            self._weigh(df)
            del df
        divided, added = self._undo
        for feature, w in divided.items():
            weights[feature] = w
        for feature in added:
            weights[feature] = 0.0
        self._undo = ({}, [])
        if self._cokey is not None:
            # the last pass's authors as co-authors ('K', no other feature's kind): counted on their own
            counts = self._key_counts()
            self._weigh(counts)
            added = list(counts)
            del counts
            # a co-author name several authors carry is weaker evidence
            ambiguity = self._name_ambiguity()
            divided = {f: weights[f] for f in ambiguity}
            for f, w in divided.items():
                weights[f] = w / ambiguity[f]
            self._undo = (divided, added)

    def _key_counts(self) -> dict[int, int]:
        """How many papers have each 'K' feature (the last pass's authors as co-authors)."""
        return _papers_per_feature(self._cofeat, self._work_occs)

    def _weigh(self, counts: Mapping[int, int]) -> None:
        """The weight of each feature of ``counts`` (feature -> papers that have it): its kind's weight
        times its idf over the :attr:`_papers`, scaled to [0, 1]."""
        n = self._papers
        norm = math.log(1 + n)
        weights, kinds, log = self._weights, self._kinds, math.log
        of_kind = [0.0] * 256
        for k, x in EVIDENCE_WEIGHTS.items():
            of_kind[ord(k)] = x
        for f, c in counts.items():
            weights[f] = of_kind[kinds[f]] * log(1 + n / c) / norm

    def feature_weights(self) -> dict[tuple[str, str], float]:
        """(kind, value) -> weight of every feature that has one, while resolving (needs
        :attr:`keep_feature_names`; tests and debugging)."""
        assert self._fnames is not None, "AuthorResolver.keep_feature_names is off"
        return {self._fnames[f]: w for f, w in enumerate(self._weights) if w}

    def _name_ambiguity(self) -> dict[int, int]:
        """:func:`name_ambiguity` of the last pass, by co-author signature instead of name form: a form's
        name features are its signature's (``_sig_feats`` of its block and given names, computed once per
        signature in :attr:`_sig_features`), so the (feature, author) pairs are the same, and an int
        hashes faster than a form."""
        assert self._cokey is not None
        import numpy as np

        # (in numpy: the last pass's authors are their 'K' ids, one per key, 0 for none; an occurrence
        # has a form where its form number is set)
        sig = np.frombuffer(self._o_sig, dtype=np.int64)
        kid = np.frombuffer(self._cofeat, dtype=np.int64)
        has = (np.frombuffer(self._o_nform, dtype=np.int64) >= 0) & (kid != 0)
        sig, kid = _distinct_pairs(sig[has], kid[has])  # (signature, author)
        # each pair's name features: its signature's row of the signature table, 'C' and 'c' kept
        feats, of_pair = _gather(self._sig_table, sig)
        kid = kid[of_pair]
        kinds = np.frombuffer(self._kinds, dtype=np.uint8)[feats]
        named = (kinds == _KNAME) | (kinds == _KINITIAL)
        carried, _ = _distinct_pairs(feats[named], kid[named])  # (feature, author)
        return {f: n for f, n in _counted(carried).items() if n > 1}

    def _document_frequencies(self) -> tuple[dict[int, int], int]:
        """How many papers have each evidence feature but 'K', and how many papers count (papers without
        authors have no evidence); each occurrence's own institutions count once per occurrence. In
        numpy: distinct (paper, feature) pairs, not a set per paper."""
        import numpy as np

        # (venues, keywords and institutions are feature ids by now: _as_features)
        table = self._work_table
        works = np.flatnonzero(np.diff(np.frombuffer(table._sigs._start, dtype=np.int64)) > 0)
        sigs, owner = _gather(table._sigs, works)
        names, of_sig = _gather(self._sig_table, sigs)  # the co-authors' name features
        kws, of_kws = _gather(table._kws, works)
        venue = np.frombuffer(table._venue, dtype=np.int64)[works]
        has = venue != 0
        feats = np.concatenate([names, kws, venue[has]])
        papers = np.concatenate([owner[of_sig], of_kws, np.flatnonzero(has)])
        every = np.concatenate([_distinct_pairs(papers, feats)[1],
                                np.frombuffer(self._o_aff_ids._values, dtype=np.int64),
                                np.frombuffer(self._work_insts._values, dtype=np.int64)])
        return _counted(every), len(works)

    def _features(self, i: int) -> set[int]:
        """Occurrence i's evidence: its institutions, its paper's co-authors (signatures; from the second
        pass also the authors the last pass made of them), venue, keywords and the institutions the
        paper names. A set of feature ids nobody changes once built (:meth:`_as_features`)."""
        # (the ragged tables' rows are sliced here, not through their __getitem__: a paper of k authors
        # asks for k - 1 signature rows per occurrence, millions of calls in a large build)
        work = self._o_work[i]
        values, start = self._o_aff_ids._values, self._o_aff_ids._start
        feats: set[int] = set(values[start[i]:start[i + 1]])
        if work >= 0:
            table = self._work_table
            lo, hi = table._sigs._start[work], table._sigs._start[work + 1]
            sigs = table._sigs._values[lo:hi]
            own = self._o_sig[i]
            values, start = self._co_feats._values, self._co_feats._start
            if own in sigs:  # every co-author but the occurrence itself (one of two equal signatures stays)
                at = lo + sigs.index(own)
                feats.update(values[start[lo]:start[at]], values[start[at + 1]:start[hi]])
            else:
                feats.update(values[start[lo]:start[hi]])
            values, start = table._kws._values, table._kws._start
            values2, start2 = self._work_insts._values, self._work_insts._start
            feats.update(values[start[work]:start[work + 1]], values2[start2[work]:start2[work + 1]])
            if venue := table._venue[work]:
                feats.add(venue)
            if self._cofeat:  # later passes: co-authors also as the authors the last pass made
                # (the names stay: a paper known only as context, as Neo4j identity passes stored
                # authorships, has co-author names and no authors)
                cofeat = self._cofeat
                feats.update([f for j in self._work_occs[work] if j != i and (f := cofeat[j])])
        return feats

    def _content_keys(self, occs: Iterable[int]) -> dict[int, tuple]:
        """Each occurrence's content key (name, ORCID, year, then its paper's fingerprint and its own
        institutions): the processing order inside a block, so the result does not depend on the order
        of the input files. Only occurrences that write one name in one year reach the fingerprint.
        (A block's keys at once: the columns are looked up once, not once per occurrence.)"""
        works, forms, families, givens = self._o_work, self._o_form, self._o_family, self._o_given
        orcids, years, prints = self._o_orcid, self._work_table._year, self._prints
        affs, start = self._o_aff_ids._values, self._o_aff_ids._start
        out: dict[int, tuple] = {}
        for i in occs:
            work, form = works[i], forms[i]
            year, fp = (years[work], prints[work]) if work >= 0 else (0, 0)
            out[i] = (form.given if form else (), families[i] or "", givens[i] or "", orcids[i] or "",
                      0 if year == _NO_YEAR else year, fp, tuple(affs[start[i]:start[i + 1]]))
        return out

    def _score(self, a: frozenset[int] | set[int], b: frozenset[int] | set[int]) -> float:
        """Evidence that two occurrences (or clusters) are one person: the weights of the features they
        share, keywords counting at most KEYWORD_CAP together."""
        if len(a) > len(b):
            a, b = b, a
        base = kw = 0.0
        w, kinds, pair = self._weights, self._kinds, self._pair
        for f in a & b:  # the shared features (the intersection runs in C over the smaller set)
            kind = kinds[f]
            if kind == _KW:
                kw += w[f]
            # 'Thomas, Samantha' and 'Thomas, Shane': the same family and initial ('c'), both sides with a
            # full first name of it ('F'), no full name ('C') of that initial shared: not one co-author
            elif kind == _KINITIAL and (first := pair[f]) in a and first in b and not any(
                    pair[g] == f and g in b for g in a):
                continue
            else:
                base += w[f]
        score = base + min(kw, KEYWORD_CAP)
        # the institution conflict (_aff_conflict) only where something is shared: every decision needs a
        # positive score, so a pair that shares nothing decides the same at 0 or below (and the scan of
        # a large cluster's features is skipped)
        if score > 0 and _aff_conflict(a, b, self._block_aff_set()):
            score -= AFF_CONFLICT
        return round(score, 9)  # the same value whatever order the set iterates in

    def _block_aff_set(self) -> frozenset[int]:
        """The current block's institutions ('a' features), built when a score first needs them (a block
        its names decide never does)."""
        if self._block_affs is None:
            affs = self._o_aff_ids
            self._block_affs = frozenset(chain.from_iterable(affs[i] for i in self._block_occs))
        return self._block_affs

    def _grow(self, occs: list[int], theta: float, check_names: bool) -> list[_Cluster]:
        """Evidence groups: each occurrence (in content order) joins every group it shares evidence
        >= theta with (single linkage through shared co-authors, affiliations ...: transitive over the
        co-author graph), those groups merge; with ``check_names`` only when all name forms stay
        compatible (complete linkage on names). Features on more than POSTING_CAP groups are skipped
        as candidates (their weight is small; this keeps a block linear)."""
        self._scored = True
        comps: list[_Cluster | None] = []
        # feature -> the group that has it, or the set of groups (most features are one group's: an int
        # costs no set)
        index: dict[int, int | set[int]] = {}
        forms = self._o_form
        w, kinds = self._weights, self._kinds
        for i in occs:
            feats = self._feats[i]
            form = forms[i]
            shared = index.keys() & feats  # the features some group has (in C)
            if not shared:  # nothing shared with any group: a new group
                hits = []
            else:
                base: dict[int, float] = defaultdict(float)
                kw: dict[int, float] = defaultdict(float)
                for f in shared:  # (sums in another order differ in the last bits: _EPS)
                    ids = index[f]
                    acc = kw if kinds[f] == _KW else base
                    if ids.__class__ is int:
                        acc[ids] += w[f]  # type: ignore[index]
                        continue
                    if len(ids) > POSTING_CAP:  # type: ignore[arg-type]
                        continue
                    x = w[f]
                    for c in ids:  # type: ignore[union-attr]
                        acc[c] += x
                hits = sorted(c for c in set(base) | set(kw) if base[c] + min(kw[c], KEYWORD_CAP) >= theta - _EPS
                              and self._score(feats, self._cluster_feats(comps[c])) >= theta - _EPS)  # type: ignore[arg-type]
            if check_names and form is not None:
                hits = [c for c in hits if self._fits(form, comps[c], ("strong", "initials"))]  # type: ignore[arg-type]
            if hits:
                t = hits[0]
                target = comps[t]
                assert target is not None
                for c in hits[1:]:
                    other = comps[c]
                    assert other is not None
                    if check_names and not all(self._fits(f, target, ("strong", "initials")) for f in other.forms):
                        continue
                    for f in self._cluster_feats(other):
                        if kinds[f] != _KFIRST:
                            ids = index[f]
                            if ids.__class__ is int:  # (c's alone)
                                index[f] = t
                            else:
                                ids.discard(c)  # type: ignore[union-attr]
                                ids.add(t)  # type: ignore[union-attr]
                    target.absorb(other)
                    comps[c] = None
            else:
                t = len(comps)
                target = _Cluster(feats=set())  # (an evidence group's features are read right away)
                comps.append(target)
            self._join(target, i)
            # the index's keys are those it had when `shared` was taken (merging moves groups, not
            # features): the shared features gain group t, the others are t's alone
            for f in shared:
                ids = index[f]
                if ids.__class__ is int:
                    if ids != t:
                        index[f] = {ids, t}  # type: ignore[arg-type]
                else:
                    ids.add(t)  # type: ignore[union-attr]
            for f in feats - shared if shared else feats:
                if kinds[f] != _KFIRST:  # (no weight: a candidate it found would score nothing from it)
                    index[f] = t
        return [c for c in comps if c is not None]

    def _join(self, cluster: _Cluster, i: int, name: bool = True) -> None:
        """Add occurrence i to the cluster; with ``name`` False its name form does not become one the
        cluster's later members must fit (a nickname joined with evidence: 'Bill' must not keep 'W.' out
        of William's author)."""
        cluster.occs.append(i)
        if name and (form := self._o_form[i]) is not None:
            cluster.forms.add(form)
        if cluster.feats is not None:
            cluster.feats |= self._feats[i]

    def _cluster_feats(self, cluster: _Cluster) -> set[int]:
        """A cluster's evidence features: its occurrences' (built on the first call, then kept up to date
        by :meth:`_join`)."""
        if cluster.feats is None:
            cluster.feats = set().union(*map(self._feats.__getitem__, cluster.occs))
        return cluster.feats

    def _best(self, i: int, fits: list[_Cluster]) -> tuple[_Cluster | None, list[float]]:
        """The fitting cluster with clearly the most evidence for occurrence i (at least JOIN_SCORE and
        JOIN_MARGIN times the runner-up), else None."""
        if fits:
            self._scored = True
        feats = self._feats[i]
        # a cluster that shares no feature scores 0.0 (what _score gives it), without the scan
        scores = [0.0 if feats.isdisjoint(cf := self._cluster_feats(c)) else self._score(feats, cf) for c in fits]
        if not scores:
            return None, scores
        top = max(range(len(scores)), key=scores.__getitem__)  # the first of the highest
        best = scores[top]
        second = max((s for k, s in enumerate(scores) if k != top), default=0.0)
        if best >= JOIN_SCORE and best >= JOIN_MARGIN * second and best > second:
            return fits[top], scores
        return None, scores

    def _fits(self, form: NameForm, cluster: _Cluster, allowed: tuple[str, ...]) -> bool:
        """Compatible with every form in the cluster, each pair at a level in ``allowed``."""
        compat = self._compat
        return all(compat(form.given, f.given) in allowed for f in cluster.forms)

    def _compat(self, a: tuple[str, ...], b: tuple[str, ...]) -> Compat:
        """:func:`compatibility`, remembered for the current block (a large block compares the same pairs
        of given names many times over; a module-wide cache of bounded size thrashes across blocks)."""
        try:
            return self._compat_seen[a, b]
        except KeyError:
            out = self._compat_seen[a, b] = compatibility.__wrapped__(a, b)
            return out

    def _cluster_block(self, occs: Sequence[int]) -> list[_Cluster]:
        orcids, form_of = self._o_orcid, self._o_form
        self._compat_seen = {}
        compat = self._compat
        # each occurrence's features when first asked: a block its names decide asks for few or none
        self._feats = _LazyFeatures(self._features)
        self._block_affs, self._block_occs = None, occs
        self._ckey = self._content_keys(occs)
        occs = sorted(occs, key=self._ckey.__getitem__)
        clusters: list[_Cluster] = []
        # a. every ORCID is a cluster
        by_orcid: dict[str, _Cluster] = {}
        rest: list[int] = []
        for i in occs:
            orcid = orcids[i]
            if orcid:
                c = by_orcid.get(orcid)
                if c is None:
                    c = by_orcid[orcid] = _Cluster(orcid=orcid)
                    clusters.append(c)
                self._join(c, i)
            else:
                rest.append(i)
        orcid_clusters = list(clusters)
        # group the ORCID-less occurrences by name form, fullest and most frequent forms first
        by_form: dict[NameForm, list[int]] = defaultdict(list)
        for i in rest:
            by_form[form_of[i]].append(i)  # type: ignore[index]
        forms = sorted(by_form, key=lambda f: (-len(f.given), -sum(len(t) for t in f.given), -len(by_form[f]),
                                               f.given))
        full = [f for f in forms if f.full]
        initials = [f for f in forms if not f.full]
        # b. full-name forms: strongly compatible ones are one name (complete linkage); a name joins an
        #    ORCID cluster when exactly one is strongly compatible; the occurrences of one name are then
        #    split into evidence groups (two people of the same name)
        names: list[tuple[set[NameForm], list[int]]] = []
        # the names by first letter: 'strong' needs the same first letter (one first name spelled out, or
        # run together with the next), so a form only looks at the names of its letter, in the same order
        by_letter: dict[str, list[tuple[set[NameForm], list[int]]]] = defaultdict(list)
        by_first: dict[str, list[tuple[set[NameForm], list[int]]]] = defaultdict(list)  # founding form's first name
        weak_forms: list[NameForm] = []
        for f in full:
            group = next((g for g in by_letter[f.given[0][0]]
                          if all(compat(f.given, x.given) == "strong" for x in g[0])), None)
            if group is None:
                fits = [c for c in orcid_clusters if self._fits(f, c, ("strong",))]
                if len(fits) == 1:
                    for i in by_form[f]:
                        self._join(fits[0], i)
                    continue
                if len(fits) > 1:
                    self._per_occurrence(by_form[f], fits, clusters, "several ORCID authors fit")
                    continue
                # a name f fits all of is one whose first form f fits: 'strong' (its letter) or 'weak'
                # (a nickname of its first name)
                near = by_letter[f.given[0][0]] + [g for t in NICK_PARTNERS.get(f.given[0], ()) for g in by_first[t]]
                if any(self._fits(f, c, ("strong", "weak")) for c in orcid_clusters) or any(
                        all(compat(f.given, x.given) in ("strong", "weak") for x in g[0]) for g in near):
                    weak_forms.append(f)
                    continue
                group = (set(), [])
                names.append(group)
                by_letter[f.given[0][0]].append(group)
                by_first[f.given[0]].append(group)
            group[0].add(f)
            group[1].extend(by_form[f])
        # the more full names a family block holds, the likelier two people share one name form (Torvik
        # & Smalheiser's name-frequency prior, in its simplest form): only then are the occurrences of
        # one name split into evidence groups
        crowded = len(names) >= CROWD_SPLIT
        # ... the given-name half of that prior: a first name that many family names carry ('John',
        # 'Matthew') is shared by two people of one rare family name more often than 'Albert-Laszlo'
        for name_forms, members in names:
            common = crowded or any(f.given[0] in self._common_given for f in name_forms)
            clusters.extend(self._split(sorted(members, key=self._ckey.__getitem__), common))
        # c. weak forms (nicknames, short forms) join a compatible full-name cluster only with evidence
        for f in weak_forms:
            fits = [c for c in clusters if c.forms and self._fits(f, c, ("strong", "weak"))]
            self._per_occurrence(by_form[f], fits, clusters, "nickname or short form", need_evidence=True)
        # d. initials-only forms, fullest first, occurrence by occurrence
        # 'strong' and 'initials' need the same first letter, so one written-out form of a cluster with
        # another letter rules it out for good (forms are only ever added): a cheap test before _fits
        # (the clusters a letter leaves, in cluster order, listed once per letter: a large block has
        # thousands of clusters and hundreds of initials forms)
        letter = [next((x.given[0][0] for x in c.forms if x.given), "") for c in clusters]
        of_letter: dict[str, list[_Cluster]] = {"": clusters}
        for f in initials:
            first = f.given[0][0] if f.given else ""
            lettered = of_letter.get(first)
            if lettered is None:
                lettered = of_letter[first] = [c for c, x in zip(clusters, letter) if x == "" or x == first]
            fits = [c for c in lettered if c.forms and self._fits(f, c, ("strong", "initials"))]
            self._per_occurrence(by_form[f], fits, clusters, "initials fit several authors")
        self._place_leftovers(clusters)
        return clusters

    def _split(self, occs: list[int], crowded: bool) -> list[_Cluster]:
        """The occurrences of one full name as people. Outside a crowded block, or with at most one
        evidence group of two or more papers, everything is one author (nothing says two people);
        else every evidence group is an author and a lone occurrence joins the group it clearly has
        most evidence with (or stays alone, reported as kept apart)."""
        # (one occurrence is one group: the same cluster as below, without growing)
        comps = self._grow(occs, LINK_SCORE, check_names=False) if crowded and len(occs) > 1 else []
        big = [c for c in comps if len(c.occs) > 1]
        if len(big) <= 1 and len(comps) > 1:  # one group: evidence groups at other institutions stay apart
            people = self._apart_by_institution(comps)
            if len(people) > 1:
                for person in people[1:]:
                    for i in person.occs:
                        self._pending.append((i, [people[0]], person, "kept-apart"))
                return people
        if len(big) <= 1:
            if not comps:
                one = _Cluster()
                for i in occs:
                    self._join(one, i)
                return [one]
            one = _Cluster()
            for c in comps:
                one.absorb(c)
            return [one]
        out = list(big)
        for c in comps:
            if len(c.occs) > 1:
                continue
            target, _ = self._best(c.occs[0], big)
            if target is None:
                out.append(c)
                self._pending.append((c.occs[0], big, c, "kept-apart"))
            else:
                self._join(target, c.occs[0])
        return out

    def _apart_by_institution(self, groups: list[_Cluster]) -> list[_Cluster]:
        """Evidence groups of one name in a quiet block, as people: a group joins the first (largest)
        person whose institutions it shares or who has none on record; groups whose institutions
        conflict (both known, none shared) stay apart."""
        people: list[tuple[_Cluster, set[int]]] = []
        ckey = self._ckey.__getitem__
        # a group's institutions are its occurrences' own ('a' features: _features), read from their rows
        # instead of picked from all of the group's evidence
        affs, start = self._o_aff_ids._values, self._o_aff_ids._start
        for c in sorted(groups, key=lambda c: (-len(c.occs), min(map(ckey, c.occs)))):
            ca = set().union(*[affs[start[i]:start[i + 1]] for i in c.occs])
            target = next((p for p in people if not ca or not p[1] or ca & p[1]), None)
            if target is None:
                people.append((c, ca))
                continue
            target[0].absorb(c)
            target[1].update(ca)
        return [p for p, _ in people]

    def _per_occurrence(self, occs: list[int], fits: list[_Cluster], clusters: list[_Cluster], why: str,
                        need_evidence: bool = False) -> None:
        """Place each occurrence of one form: the single fitting cluster (unless evidence is needed),
        else the fitting cluster with clearly the most evidence, else it waits for
        :meth:`_place_leftovers`."""
        placed: list[tuple[int, _Cluster | None]] = []
        for i in occs:
            if len(fits) == 1 and not need_evidence:
                placed.append((i, fits[0]))
                continue
            target, _ = self._best(i, fits)
            placed.append((i, target))
        for i, target in placed:  # join after scoring: one occurrence's choice is no evidence for the next
            if target is None:
                self._leftover.append((i, fits, why))
            else:
                self._join(target, i, name=not need_evidence)
                if len(fits) > 1 or need_evidence:
                    self._pending.append((i, [target], target, "joined-with-evidence"))

    def _place_leftovers(self, clusters: list[_Cluster]) -> None:
        """Occurrences no author took: evidence groups among themselves (compatible names only); a group
        of two or more joins the author it clearly has most evidence with, else it is an author of its
        own. A lone occurrence then joins the group (of those) it clearly has most evidence with; lone
        occurrences of one form that no author fitted and no group fits are one author (nothing says
        they are two people); one that fitted several authors stays alone (reported)."""
        if not self._leftover:
            return
        O = self._o_form
        quiet = [(i, fits, why) for i, fits, why in self._leftover if not fits]
        if quiet:  # no author with a full name fits: one author per name form, as nothing says two people
            own_form: dict[NameForm | None, _Cluster] = {}
            # fullest forms first: 'T.' joins 'T.-L.' when that is the only form it fits
            quiet.sort(key=lambda x: (-len(f.given) if (f := O[x[0]]) else 0, self._ckey[x[0]]))
            for i, fits, why in quiet:
                form = O[i]
                target = own_form.get(form)
                if target is None and form is not None:
                    fuller = {id(c): c for f, c in own_form.items()
                              if f is not None and self._fits(form, c, ("strong", "initials"))}
                    if len(fuller) == 1:
                        target = own_form[form] = next(iter(fuller.values()))
                if target is None:
                    target = own_form[form] = _Cluster()
                    clusters.append(target)
                self._join(target, i)
                if fits:
                    self._pending.append((i, fits, target, why))
            done = {i for i, _, _ in quiet}
            self._leftover = [x for x in self._leftover if x[0] not in done]
        if not self._leftover:
            return
        why_of = {i: (fits, why) for i, fits, why in self._leftover}
        self._leftover = []
        existing = list(clusters)
        groups: list[_Cluster] = []
        loose: list[int] = []
        for comp in self._grow(sorted(why_of, key=self._ckey.__getitem__), LINK_SCORE, check_names=True):
            if len(comp.occs) == 1:
                loose.append(comp.occs[0])
                continue
            fits = [c for c in existing if all(self._fits(f, c, ("strong", "initials")) for f in comp.forms)]
            target = None
            if fits:
                scores = [self._score(self._cluster_feats(comp), self._cluster_feats(c)) for c in fits]
                order = sorted(range(len(scores)), key=lambda k: -scores[k])
                best, second = scores[order[0]], (scores[order[1]] if len(order) > 1 else 0.0)
                if best >= LINK_SCORE and best >= JOIN_MARGIN * second:
                    target = fits[order[0]]
            if target is not None:
                for i in comp.occs:
                    self._join(target, i)
                    self._pending.append((i, [target], target, "joined-with-evidence"))
                continue
            clusters.append(comp)
            groups.append(comp)
            for i in comp.occs:
                fits_i, why = why_of[i]
                if fits_i:
                    self._pending.append((i, fits_i, comp, why))
        own: dict[NameForm, _Cluster] = {}
        placed: list[tuple[int, _Cluster | None]] = []
        for i in loose:
            form = O[i]
            fits_i, _ = why_of[i]
            cands = [g for g in groups if form is not None and self._fits(form, g, ("strong", "initials"))]
            target, _ = self._best(i, cands)
            if target is None and len(cands) == 1 and not fits_i:
                target = cands[0]
            placed.append((i, target))
        for i, target in placed:
            fits_i, why = why_of[i]
            form = O[i]
            if target is None:
                if fits_i or form is None:
                    target = _Cluster()
                    clusters.append(target)
                else:
                    target = own.get(form)
                    if target is None:
                        target = own[form] = _Cluster()
                        clusters.append(target)
            self._join(target, i)
            if fits_i:
                self._pending.append((i, fits_i, target, why))

    def _cluster_key(self, cluster: _Cluster, used: set[str]) -> str:
        if cluster.orcid:
            key = f"orcid:{cluster.orcid}"
        else:
            base = cluster.best if cluster.best is not None else self._best_key(cluster)
            key = base
            n = 2
            while key in used:
                key = f"{base}#{n}"
                n += 1
        used.add(key)
        return key

    def _best_key(self, cluster: _Cluster) -> str:
        """The key of an ORCID-less cluster's fullest name form (written out first name, most letters,
        most given names, most often, then the smallest key); the same in every pass, so a block worker
        works it out beside the clusters (:func:`_cluster_blocks_forked`) and this process only makes
        the keys unique."""
        occs = cluster.occs
        one = self._o_form[occs[0]] if len(occs) == 1 else None
        if one is not None:
            return one.key
        counts: Counter[NameForm] = Counter(f for i in occs if (f := self._o_form[i]))
        # (max calls the key even for one form: most clusters have one)
        best = next(iter(counts)) if len(counts) == 1 else max(
            counts, key=lambda f: (int(f.full), sum(len(t) for t in f.given), len(f.given), counts[f],
                                   [-ord(c) for c in f.key]))
        return best.key

    def key_of(self, occurrence: int) -> str | None:
        return self._keys[occurrence]

    def keys(self) -> Sequence[str | None]:
        """Every occurrence's key (:meth:`key_of`), in the order they were added."""
        return self._keys

    def ambiguous_names(self) -> dict[str, list[str]]:
        """Name keys (family + first initial) shared by more than one ORCID (left as separate authors)."""
        return {k: sorted(v) for k, v in self._orcids_of_name.items() if len(v) > 1}


# the resolver and its blocks, for the forked processes of AuthorResolver._clustered_forked
_FORKED: tuple[AuthorResolver, Mapping[str, Sequence[int]]] | None = None


def _memory_for_forks(workers: int) -> bool:
    """A forked worker copies the pages of the objects it touches (reference counts are writes): up to
    this process's own heap each. Its own: the USS, the pages no other process shares. The resolver runs
    in a process forked from the build's driver, and its RSS counts the driver's pages too, which the
    block workers do not touch (at 1M: ~4.5 of ~9.7 GB). Fork only when the machine has that much
    memory free for every worker."""
    import psutil

    proc = psutil.Process()
    try:
        heap = proc.memory_full_info().uss
    except (psutil.Error, AttributeError, OSError):  # no USS on this platform: the RSS, an upper bound
        heap = proc.memory_info().rss
    need = workers * heap
    free = psutil.virtual_memory().available
    if free < need:
        log.info("author blocks in one process: %d MB free, %d workers could need %d MB", free >> 20, workers,
                 need >> 20)
        return False
    log.debug("author blocks in %d forked workers: %d MB free, they could need %d MB", workers, free >> 20,
              need >> 20)
    return True


def _claim(claimed: Any, n: int) -> int | None:
    """The next of ``n`` tasks from the shared counter ``claimed``; None when none is left."""
    with claimed.get_lock():
        i = claimed.value
        claimed.value = i + 1
    return i if i < n else None


def _take_results(results: Any, children: list[Any], waiting: set[int], got: dict[str, Any], wait: bool) -> None:
    """Move the children's results that have come from ``results`` into ``got``; with ``wait``, until every
    child in ``waiting`` has sent its last message. A child that failed raises here, and so does one that
    ended without its last message (killed, the OOM killer)."""
    ended: list[int] = []  # children still waited for that had ended before the last poll
    while waiting:
        try:
            k, status, payload = results.get(True, BLOCK_RESULT_POLL_S) if wait else results.get_nowait()
        except queue.Empty:
            if not wait:
                return
            if ended:  # (a child sends all it has before it ends: nothing came after it ended)
                raise RuntimeError(f"an author-block worker ended without its result (exit code "
                                   f"{children[ended[0]].exitcode})") from None
            ended = [k for k in waiting if children[k].exitcode is not None]
            continue
        ended = []
        if status == "ok":
            got.update(payload)
        elif status == "done":
            waiting.discard(k)
        else:
            raise RuntimeError(f"an author-block worker failed: {payload}")


def _block_worker(tasks: list[list[str]], claimed: Any, results: Any, k: int, parent: int) -> None:
    """A forked child (number ``k``): the tasks it claims, each one's clusters put on ``results`` as
    ``(k, "ok", clusters)`` when done, then ``(k, "done", None)`` (or ``(k, "error", traceback)``). It
    ends when the process that forked it does (a build that stops the resolver:
    graphkit.memory.Forked.cancel)."""
    import traceback

    from graphkit.memory import die_with_parent

    die_with_parent(parent)
    try:
        while (i := _claim(claimed, len(tasks))) is not None:
            results.put((k, "ok", _cluster_blocks_forked(tasks[i])))
        results.put((k, "done", None))
    except BaseException:  # noqa: BLE001 (reported to the parent, which raises it)
        results.put((k, "error", traceback.format_exc(limit=8)))
    results.close()
    results.join_thread()  # (everything sent before the process ends)


def _cluster_blocks_forked(names: list[str]) -> dict[str, tuple[list[str | None], list[str | None], array, array,
                                                                list[tuple[int, list[int], int, str]], bool]]:
    """In a forked process: cluster these blocks; each block's clusters as columns (ORCIDs, keys of the
    fullest name form, and the occurrences of every cluster one after the other in one array, with where
    each cluster starts), its decisions with the clusters as indices into those, and whether it weighed
    evidence. Arrays, not a list of int objects per cluster: the resolver's process holds every result
    of a pass until its end, beside the block workers' copied pages (at 1M, results as lists sent task by
    task raised the build's peak by ~200 MB), and an array pickles as its bytes."""
    assert _FORKED is not None
    resolver, blocks = _FORKED
    out = {}
    for name in names:
        resolver._pending = []  # noqa: SLF001
        clusters = resolver._block_clusters(blocks[name])  # noqa: SLF001
        index = {id(c): k for k, c in enumerate(clusters)}
        pending = [(i, [index[id(c)] for c in fits], index[id(joined)], why)
                   for i, fits, joined, why in resolver._pending]  # noqa: SLF001
        out[name] = ([c.orcid for c in clusters], [None if c.orcid else resolver._best_key(c) for c in clusters],  # noqa: SLF001
                     array("q", chain.from_iterable(c.occs for c in clusters)),
                     array("q", accumulate((len(c.occs) for c in clusters), initial=0)), pending,
                     resolver._scored)  # noqa: SLF001
    resolver._pending = []  # noqa: SLF001
    return out


class _Ragged:
    """Lists of ints as two arrays (every list's items one after the other, and where each list
    starts): row i is an array slice, built when asked, not a tuple of int objects kept per row."""

    __slots__ = ("_values", "_start")

    def __init__(self, rows: Iterable[Collection[int]]) -> None:
        # (loops in C: the rows chained into one array, the starts accumulated from their lengths; rows
        # given by a generator are listed first, so a caller gives the shared () for an empty row)
        listed = rows if isinstance(rows, (list, tuple)) else list(rows)
        self._values = array("q", chain.from_iterable(listed))
        self._start = array("q", accumulate(map(len, listed), initial=0))

    def __len__(self) -> int:
        return len(self._start) - 1

    def __getitem__(self, i: int) -> array:
        return self._values[self._start[i]:self._start[i + 1]]

    def __iter__(self) -> Iterator[array]:
        values, start = self._values, self._start
        return (values[start[i]:start[i + 1]] for i in range(len(start) - 1))


_NO_YEAR = -(1 << 63)


class _WorkTable:
    """The resolver's works from its passes on, as arrays: per paper its co-author signature ids, venue
    feature id (0: none), keyword feature ids and year. ``table[w]`` is ``(sigs, venue, kws, year)`` as
    the list of tuples had it (sigs and kws as arrays, None for no venue or year)."""

    __slots__ = ("_sigs", "_kws", "_venue", "_year")

    def __init__(self, works: Iterable[tuple[Sequence[int], int | None, Sequence[int], int | None]]) -> None:
        sigs: list[Sequence[int]] = []
        kws: list[Sequence[int]] = []
        self._venue, self._year = array("q"), array("q")
        for s, venue, k, year in works:
            sigs.append(s)
            kws.append(k)
            self._venue.append(venue or 0)
            self._year.append(_NO_YEAR if year is None else year)
        self._sigs, self._kws = _Ragged(sigs), _Ragged(kws)

    def __len__(self) -> int:
        return len(self._venue)

    def __getitem__(self, w: int) -> tuple[array, int | None, array, int | None]:
        return self._sigs[w], self._venue[w] or None, self._kws[w], self.year(w)

    def __iter__(self) -> Iterator[tuple[array, int | None, array, int | None]]:
        return (self[w] for w in range(len(self)))

    def year(self, w: int) -> int | None:
        year = self._year[w]
        return None if year == _NO_YEAR else year


class _WorkOccurrences(_Ragged):
    """Paper -> its occurrences, in occurrence order (a :class:`_Ragged` whose row w is paper w's
    occurrences), not a list of int objects per paper."""

    __slots__ = ()

    def __init__(self, works: int, work_of: Iterable[int]) -> None:
        import numpy as np

        of = np.frombuffer(work_of if isinstance(work_of, array) else array("q", work_of), dtype=np.int64)
        occs = np.flatnonzero(of >= 0)  # each occurrence's paper (-1: none)
        occs = occs[np.argsort(of[occs], kind="stable")]  # by paper, in occurrence order within one
        start = np.zeros(works + 1, dtype=np.int64)
        np.cumsum(np.bincount(of[occs], minlength=works), out=start[1:])
        self._values, self._start = array("q", occs.astype(np.int64).tobytes()), array("q", start.tobytes())


class _LazyFeatures(dict):  # type: ignore[type-arg]
    """Occurrence -> its evidence features, built by ``build`` on the first lookup."""

    def __init__(self, build: Callable[[int], set[int]]) -> None:
        super().__init__()
        self.build = build

    def __missing__(self, i: int) -> set[int]:
        out = self[i] = self.build(i)
        return out


def _first_use_numbers(codes: Any) -> tuple[Any, Any]:
    """Number the distinct values of ``codes`` (a numpy int array) in order of first use, as a dict
    filled item by item would: each item's number, and each number's first item."""
    import numpy as np

    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # distinct value -> its place in first-use order
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    return rank[inverse.reshape(-1)], first[order]


def _distinct(values: Any) -> Any:
    """The distinct values of an int64 numpy array, sorted (sorted in place first). Not ``np.unique``:
    its sort of a few million ints took 40x a stable sort's on the nearly sorted keys these are."""
    import numpy as np

    values.sort(kind="stable")
    if len(values) < 2:
        return values
    first = np.empty(len(values), dtype=bool)
    first[0] = True
    np.not_equal(values[1:], values[:-1], out=first[1:])
    return values[first]


def _distinct_pairs(a: Any, b: Any) -> tuple[Any, Any]:
    """The distinct (a, b) pairs of two int64 numpy arrays of ids >= 0, as two arrays sorted by a, then b
    (each pair one int64 key: the ids multiplied stay far below 2**63)."""
    span = int(b.max(initial=0)) + 1
    pairs = _distinct(a * span + b)
    return pairs // span, pairs % span


def _counted(values: Any) -> dict[int, int]:
    """Value -> how many times it is in ``values`` (an int64 numpy array of ids >= 0)."""
    import numpy as np

    counts = np.bincount(values)
    ids = np.flatnonzero(counts)
    return dict(zip(ids.tolist(), counts[ids].tolist()))


def _gather(ragged: _Ragged, rows: Any) -> tuple[Any, Any]:
    """The values of ``ragged``'s rows ``rows`` (a numpy array of row numbers), one row after the
    other, and for each value the position in ``rows`` of its row."""
    import numpy as np

    start = np.frombuffer(ragged._start, dtype=np.int64)
    lens = start[rows + 1] - start[rows]
    ends = np.cumsum(lens)
    at = np.repeat(start[rows] - (ends - lens), lens) + np.arange(int(ends[-1]) if len(ends) else 0)
    return np.frombuffer(ragged._values, dtype=np.int64)[at], np.repeat(np.arange(len(rows)), lens)


def _co_features(works: _WorkTable, sig_table: _Ragged) -> _Ragged:
    """Every paper's co-author signatures' features, in one run (AuthorResolver._co_feats): row k is the
    features of the k-th value of ``works._sigs``. Built in numpy, with no list per row."""
    import numpy as np

    sigs = np.frombuffer(works._sigs._values, dtype=np.int64)
    values, of_sig = _gather(sig_table, sigs)
    out = _Ragged(())
    out._values = array("q", values.tobytes())  # (int64 already: _gather)
    start = np.zeros(len(sigs) + 1, dtype=np.int64)
    np.cumsum(np.bincount(of_sig, minlength=len(sigs)), out=start[1:])
    out._start = array("q", start.tobytes())
    return out


def _papers_per_feature(feature_of: array, work_occs: _WorkOccurrences) -> dict[int, int]:
    """Feature id -> how many papers have it, of one feature id per occurrence (``feature_of``, 0: none),
    papers by their occurrences (``work_occs``): distinct (paper, feature) pairs counted in numpy, not a
    set per paper (3.5M occurrences at 1M records)."""
    import numpy as np

    start = np.frombuffer(work_occs._start, dtype=np.int64)
    occs = np.frombuffer(work_occs._values, dtype=np.int64)
    if not len(occs):
        return {}
    features = np.frombuffer(feature_of, dtype=np.int64)[occs]
    papers = np.repeat(np.arange(len(start) - 1, dtype=np.int64), np.diff(start))
    has = features != 0
    features, papers = features[has], papers[has]
    return _counted(_distinct_pairs(papers, features)[1])


def _paper_print(families: Sequence[str], givens: Sequence[str | None], keywords: tuple[str, ...],
                 year: int | None) -> int:
    """A paper's fingerprint for the content order (:meth:`AuthorResolver._content_keys`): a 64-bit
    BLAKE2 hash of its author names as written, in byline order, its folded keywords and its year (a
    stable hash, not ``hash()``, which changes from run to run). Only occurrences that tie on name and
    year are ordered by it."""
    text = "\x1e".join(f"{f or ''}\x1f{g or ''}" for f, g in zip(families, givens))
    text += "\x1d" + "\x1e".join(keywords) + f"\x1d{year if year is not None else ''}"
    return int.from_bytes(blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


def _with_venue(fp: int, venue: str) -> int:
    """The fingerprint :func:`_paper_print` with the paper's venue mixed in."""
    return int.from_bytes(blake2b(venue.encode("utf-8", "surrogatepass"), digest_size=8,
                                  key=fp.to_bytes(8, "little")).digest(), "little")


_F = TypeVar("_F")  # a feature: (kind, value), or its id inside the resolver


def _aff_conflict(a: set[_F] | frozenset[_F], b: set[_F] | frozenset[_F], affs: set[_F] | frozenset[_F]) -> bool:
    """Both sides name their own institutions ('a' features), and none is shared. ``affs``: every 'a'
    feature of the block both sides come from (set operations in C, not a scan of a large cluster)."""
    own = a & affs
    return bool(own) and own.isdisjoint(b) and not b.isdisjoint(affs)


def _first_fits(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """The old rule of modes 'initial'/'full' for ORCID-less names: first given names fit."""
    if not a or not b:
        return True
    x, y = a[0], b[0]
    if len(x) == 1 or len(y) == 1:
        return x[0] == y[0]
    return x == y


def _sig_feats(sig: tuple[str, tuple[str, ...]]) -> tuple[tuple[str, str], ...]:
    """A co-author as evidence features: family block + first initial ('c') and, when the first given
    name is written out, family block + the full given names run together ('C': 'Hyun-Jin' = 'Hyunjin').
    (Not cached: the resolver computes it once per signature, :meth:`AuthorResolver._form_sig`.)"""
    block, given = sig
    if not block:
        return ()
    initial = f"{block}|{given[0][0] if given else ''}"
    out = [("c", initial)]
    if given and len(given[0]) > 1:  # 'F': a full first name is known for this family + initial (no weight)
        out += [("C", f"{block}|{''.join(t for t in given if len(t) > 1)}"), ("F", initial)]
    return tuple(out)


def name_ambiguity(authored: Iterable[tuple[NameForm | None, str | None]]) -> dict[tuple[str, str], int]:
    """How many authors carry each co-author name feature ('C': family block + full given names,
    'c': family block + first initial), from (name form, author key) pairs of a resolved pass; only
    features two or more authors carry. The idf of a co-author name counts papers, so a name four
    people share ('Nguyen, Thi Quang' in four labs) scores like one person's; in a later pass its weight
    is divided by this count (a name-frequency estimate from the data, after Torvik & Smalheiser 2009)."""
    # (form, author) and then (feature, author) pairs, not a set of authors per form and per feature:
    # most forms and features have one author, and a one-element set costs four times a pair
    pairs = {(form, key) for form, key in authored if form is not None and key is not None}
    # each form's name features, computed once here
    feats: dict[NameForm, tuple[tuple[str, str], ...]] = {}
    for form, _ in pairs:
        if form not in feats:
            feats[form] = tuple(f for f in _sig_feats((form.block, form.given)) if f[0] in "Cc")
    return _carried_by_several((feats[form], key) for form, key in pairs)


def _carried_by_several(named: Iterable[tuple[tuple[_F, ...], str]]) -> dict[_F, int]:
    """From (name features, author key) pairs: how many authors carry each feature, for the features
    two or more carry (:func:`name_ambiguity`)."""
    carried: set[tuple[_F, str]] = set()
    for feats, key in named:
        carried.update((f, key) for f in feats)
    people = Counter(f for f, _ in carried)
    return {f: n for f, n in people.items() if n > 1}


def decision(display: str, key: str, candidates: Iterable[str], why: str) -> Decision:
    """The report's decision for an occurrence (written ``display``) that joined the author ``key`` of
    those it could have joined (``candidates``), for the resolver's reason ``why``."""
    kind: Literal["ambiguous", "joined-with-evidence", "kept-apart"] = (
        "joined-with-evidence" if why == "joined-with-evidence" else
        "kept-apart" if why == "kept-apart" else "ambiguous")
    reason = ("a shared co-author, affiliation, venue or keywords picked this author"
              if kind == "joined-with-evidence" else
              "the same name, but no shared co-author or affiliation with the other authors of that name"
              if kind == "kept-apart" else f"{why}; no shared co-author, affiliation or venue decides")
    return Decision(kind, display, key, sorted(candidates), reason)


def override_for(overrides: Mapping[str, str], family: str | None, given: str | None) -> str | None:
    """The key an --author-map (``overrides``: :func:`override_key` -> author key or SPLIT) gives a
    name as written, or None."""
    value = overrides.get(override_key(Person(family or "", given).display))
    if value is None:
        return None
    if value == SPLIT:
        form = _form(family or "", given or None)
        return f"{form.key}#split" if form.family else None
    return value


def override_key(variant: str) -> str:
    """How an --author-map variant is compared: 'Family, Given' folded, spaces and dots collapsed."""
    family, _, given = variant.partition(",")
    return f"{squash(family)}|{'-'.join(_given_parts(given.strip())) if given.strip() else ''}"


class AuthorMapError(ValueError):
    """A bad --author-map file (the message names file and line)."""


def read_author_map(path: str) -> tuple[tuple[str, str], ...]:
    """Read an override file: CSV rows ``variant,author`` ("Family, Given" -> author key or ``split``),
    with an optional header; or the review CSV (``graphkit report --review``) with its ``override``
    column filled in. Rows with an empty override are skipped."""
    import csv

    pairs: list[tuple[str, str]] = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise AuthorMapError(f"{path}: cannot read the author map ({exc})") from None
    if not rows:
        return ()
    header = [c.strip().lower() for c in rows[0]]
    start = 1
    if {"variant_family", "override"} <= set(header):
        fam, giv, ov = header.index("variant_family"), header.index("variant_given"), header.index("override")
        get = lambda r: (f"{r[fam]}, {r[giv]}" if r[giv].strip() else r[fam], r[ov])  # noqa: E731
    else:
        if header[:2] not in (["variant", "author"], ["variant", "author_key"]):
            start = 0
        get = lambda r: (", ".join(c.strip() for c in r[:-1]), r[-1])  # noqa: E731 (an unquoted "Family, Given")
    for number, row in enumerate(rows[start:], start=start + 1):
        if not row or not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        try:
            variant, target = (c.strip() for c in get(row))
        except IndexError:
            raise AuthorMapError(f"{path}:{number}: expected 'variant,author key or split', got {row!r}") from None
        if not target:
            continue
        if not variant:
            raise AuthorMapError(f"{path}:{number}: empty variant")
        if target != SPLIT and not target.startswith(("name:", "orcid:")):
            orcid = normalise_orcid(target)
            if orcid is None:
                raise AuthorMapError(f"{path}:{number}: {target!r} is neither an author key (name:..., "
                                     "orcid:...), an ORCID nor 'split'")
            target = f"orcid:{orcid}"
        pairs.append((variant, target))
    return tuple(pairs)


# -- report sections ---------------------------------------------------------------------------------

def kept_apart(rows: Iterable[dict]) -> list[dict]:
    """Authors that family name + first initial would have merged, kept apart (their full given
    names conflict, or they have different ORCIDs): one entry per such name key, for the report."""
    import pyarrow as pa

    rows = list(rows)
    return kept_apart_table(pa.table({name: pa.array([row.get(name) for row in rows], pa.string())
                                      for name in ("key", "name", "family", "given", "orcid")}))


def kept_apart_table(authors: Any) -> list[dict]:
    """:func:`kept_apart` of an Arrow table of authors (key, name, family, given, orcid; a columnar
    build's Author table): the name keys are worked out once per family name and once per given name
    and joined in Arrow, and only the authors of a name key that two or more share become Python
    objects (at 1M records, 1.96M authors: a loop over every author was 3.5 s of the report)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    def per_value(column: Any, rule: Callable[[str | None], str | None]) -> Any:
        values = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        if pa.types.is_dictionary(values.type):
            values = values.cast(pa.string())
        encoded = values.dictionary_encode()  # (a null's index is null: it takes the last entry, rule(None))
        made = [rule(v) for v in encoded.dictionary.to_pylist()] + [rule(None)]
        return pa.array(made, pa.string()).take(encoded.indices.fill_null(len(made) - 1))

    def prefix(family: str | None) -> str | None:  # (none without a family name)
        sq = squash(family or "")
        return _initial_key(sq, "") if sq else None

    name_keys = pc.binary_join_element_wise(per_value(authors.column("family"), prefix),
                                            per_value(authors.column("given"), _first_initial), "")
    encoded = name_keys.dictionary_encode()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    shared = np.bincount(codes[codes >= 0], minlength=len(encoded.dictionary)) >= 2
    rows = np.flatnonzero((codes >= 0) & shared[np.maximum(codes, 0)])
    groups: dict[str, list[tuple[str, str | None, str | None]]] = defaultdict(list)
    picked = authors.take(pa.array(rows, pa.int64()))
    for nkey, key, name, orcid in zip(name_keys.take(pa.array(rows, pa.int64())).to_pylist(),
                                      *(picked.column(c).to_pylist() for c in ("key", "name", "orcid"))):
        groups[nkey].append((key, name, orcid))
    out = []
    for nkey in sorted(groups):
        members = groups[nkey]
        orcids = {orcid for _, _, orcid in members if orcid}
        reason = "different ORCIDs" if len(orcids) == len(members) else (
            "different ORCIDs and given names that conflict" if len(orcids) > 1 else "given names conflict")
        out.append({"name_key": nkey, "reason": reason,
                    "authors": [{"key": k, "name": name} for k, name, _ in sorted(members)]})
    return out


def decisions_report(decisions: Iterable[Decision]) -> list[dict]:
    """The 'possible same person' rows: name variants left apart because several authors fit, and
    the ones joined on evidence (so a reviewer can confirm or override them)."""
    seen: dict[tuple[str, str, str], dict] = {}
    for d in decisions:
        k = (d.kind, d.variant, d.key)
        entry = seen.get(k)
        if entry is None:
            seen[k] = {"kind": d.kind, "variant": d.variant, "key": d.key, "candidates": list(d.candidates),
                       "reason": d.reason, "times": 1}
        else:
            entry["times"] += 1
    return sorted(seen.values(), key=lambda e: (e["kind"], e["variant"].casefold(), e["key"]))
