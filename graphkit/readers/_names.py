"""Splitting one written person name into family and given names: ``split_name(text) -> Person``.

Handles the shapes exports write:

- ``Family, Given`` (BibTeX, RIS, WoS AF, Scopus "Author full names"); a BibTeX ``Family, Jr, Given``
  keeps the suffix in ``raw`` only;
- ``Family I.J.`` / ``Family IJ`` (Scopus "Authors", MEDLINE AU): initials last, family first;
- ``Given von Family`` (BibTeX without a comma): the last word is the family name, lower-case
  particles before it (``van``, ``de``, ``von der``) belong to it;
- ``{World Health Organization}`` (BibTeX corporate author in braces): the whole text is the family.

The result always has a non-empty ``family`` for non-empty input and keeps the original text in ``raw``.
"""

from __future__ import annotations

import logging
import re

from graphkit.model import Person

log = logging.getLogger(__name__)

# "J.", "J.A.", "J.-P.", "JA", "J" (at most four capitals without dots); also "Jr."-free.
INITIALS = re.compile(r"^(?:[A-Z\u00C0-\u00DE][a-z]?\.-?)+$|^[A-Z\u00C0-\u00DE]{1,3}$")
# Particles that start a family name when written "Given von Family".
PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le",
                       "dos", "das", "do", "ter", "ten", "zu", "bin", "ibn", "al", "el", "y"})
SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def split_name(text: str) -> Person:
    """One written name -> Person(family, given, raw). Never raises; empty input gives family ''."""
    raw = " ".join((text or "").split())
    if not raw:
        return Person(family="", raw=text)
    if raw.startswith("{") and raw.endswith("}") and raw.count("{") == 1:
        return Person(family=raw[1:-1].strip(), raw=raw)
    clean = raw.replace("{", "").replace("}", "")
    if "," in clean:
        parts = [p.strip() for p in clean.split(",")]
        family = parts[0]
        rest = [p for p in parts[1:] if p]
        if len(rest) >= 2 and rest[0].lower() in SUFFIXES:  # "Family, Jr, Given"
            rest = rest[1:]
        given = ", ".join(rest) or None
        if not family:  # ", Given" - keep something as the family
            return Person(family=given or clean, raw=raw)
        return Person(family=family, given=given, raw=raw)
    words = clean.split(" ")
    if len(words) == 1:
        return Person(family=clean, raw=raw)
    if INITIALS.match(words[-1]):  # "Smith J.A." / "Smith JA": family first
        k = len(words) - 1
        while k > 1 and INITIALS.match(words[k - 1]) and "." in words[k - 1]:
            k -= 1  # "Smith J. A."
        return Person(family=" ".join(words[:k]), given=" ".join(words[k:]), raw=raw)
    end = len(words)
    if words[-1].lower() in SUFFIXES and len(words) > 2:
        end -= 1
    start = end - 1
    while start > 1 and words[start - 1].lower() in PARTICLES:
        start -= 1
    family = " ".join(words[start:end])
    given = " ".join(words[:start]) or None
    return Person(family=family, given=given, raw=raw)
