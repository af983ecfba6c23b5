"""Which names are the same author: ORCID when present, else folded family name + first initial
(``author_key="initial"``) or + all given names (``"full"``).

An ORCID-less name joins an ORCID author when its name key was seen with that ORCID and its given
name fits one seen with it ("Smith, J." or "Smith, John" join "Smith, John 0000-...", "Smith, Jane"
does not), and no other ORCID with that name key fits too. The display
name is the fullest variant seen. Every variant merged into an author is kept for the review CSV.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from graphkit.model import Person
from graphkit.resolve.text import fold, squash

log = logging.getLogger(__name__)

AuthorKeyMode = Literal["initial", "full"]

_ORCID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])", re.IGNORECASE)
_GIVEN_PARTS = re.compile(r"[\W_]+")


def normalise_orcid(value: str | None) -> str | None:
    """'https://orcid.org/0000-0002-1825-0097' -> '0000-0002-1825-0097'; None unless the ISO 7064
    check digit is right."""
    if not value:
        return None
    m = _ORCID.search(value)
    if not m:
        return None
    digits = "".join(m.groups()).upper()
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    if digits[-1] != expected:
        return None
    return "-".join(digits[i:i + 4] for i in range(0, 16, 4))


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
        if len(p) <= 3 and given.replace(".", "").replace(" ", "").isupper() and p.isalpha():
            out.extend(p)
        else:
            out.append(p)
    return tuple(out)


def compatible_given(a: list[str] | tuple[str, ...], b: list[str] | tuple[str, ...]) -> bool:
    """Could these given names be one person? 'J.' fits 'Jianghong'; 'Jiajia' does not."""
    if not a or not b:
        return True
    x, y = a[0], b[0]
    if len(x) == 1 or len(y) == 1:
        return x[0] == y[0]
    return x == y


def name_key(person: Person, mode: AuthorKeyMode = "initial") -> str | None:
    """'name:<folded family>|<first initial>' (or '|<all given names>' for mode 'full'); None without
    a family name."""
    return _name_key(person.family or "", person.given, mode)


@lru_cache(maxsize=1 << 14)  # the same names recur (productive authors, and one per duplicate record)
def _name_key(family: str, given: str | None, mode: AuthorKeyMode) -> str | None:
    family = squash(family)
    if not family:
        return None
    parts = given_parts(given)
    if mode == "full":
        given = "-".join(parts)
    else:
        given = parts[0][:1] if parts else ""
    return f"name:{family}|{given}"


@dataclass(slots=True)
class AuthorInfo:
    key: str
    orcid: str | None
    variants: dict[tuple[str, str | None], int] = field(default_factory=dict)  # (family, given) -> times seen

    def display(self) -> tuple[str, str | None]:
        """The fullest variant: most given-name letters, then most often seen, then most accented."""
        def score(item):
            (family, given), n = item
            return (len(squash(given or "")), n, sum(ord(c) > 127 for c in family + (given or "")),
                    len(family))
        if len(self.variants) == 1:
            return next(iter(self.variants))
        best = max(sorted(self.variants.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")), key=score)
        return best[0]


class AuthorResolver:
    """Collect every author occurrence with :meth:`add`, then :meth:`resolve` once."""

    def __init__(self, mode: AuthorKeyMode = "initial") -> None:
        self.mode = mode
        self._occurrences: list[tuple[str | None, str | None, Person]] = []  # (orcid, name key, person)
        self._orcids_of_name: dict[str, set[str]] = defaultdict(set)
        self.authors: dict[str, AuthorInfo] = {}
        self._interned: dict[str, str] = {}

    def add(self, person: Person) -> int:
        """Register an occurrence; returns its id for :meth:`key_of` after :meth:`resolve`."""
        orcid = normalise_orcid(person.orcid)
        nkey = name_key(person, self.mode)
        if nkey is not None:
            nkey = self._interned.setdefault(nkey, nkey)  # one string per author, not per occurrence
        if orcid and nkey:
            self._orcids_of_name[nkey].add(orcid)
        self._occurrences.append((orcid, nkey, person))
        return len(self._occurrences) - 1

    def resolve(self) -> None:
        self._keys: list[str | None] = []
        givens: dict[str, set[tuple[str, ...]]] = defaultdict(set)  # ORCID -> given names seen with it
        for orcid, nkey, person in self._occurrences:
            if orcid:
                givens[orcid].add(tuple(given_parts(person.given)))
        for orcid, nkey, person in self._occurrences:
            if orcid is None and nkey is not None:
                owners = self._orcids_of_name.get(nkey)
                if owners:
                    mine = given_parts(person.given)
                    fits = [o for o in owners if any(compatible_given(mine, g) for g in givens[o])]
                    if len(fits) == 1:
                        orcid = fits[0]
            key = self._interned.setdefault(f"orcid:{orcid}", f"orcid:{orcid}") if orcid else nkey
            self._keys.append(key)
            if key is None:
                continue
            info = self.authors.get(key)
            if info is None:
                info = self.authors[key] = AuthorInfo(key, orcid)
            family = " ".join((person.family or "").split())
            given = " ".join((person.given or "").split()) or None
            info.variants[(family, given)] = info.variants.get((family, given), 0) + 1
        self._occurrences = []  # keys are known now; the Person objects can go

    def key_of(self, occurrence: int) -> str | None:
        return self._keys[occurrence]

    def ambiguous_names(self) -> dict[str, list[str]]:
        """Name keys shared by more than one ORCID (left as separate authors)."""
        return {k: sorted(v) for k, v in self._orcids_of_name.items() if len(v) > 1}
