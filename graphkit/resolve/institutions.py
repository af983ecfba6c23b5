"""Institutions from addresses: the organisation part of an address, its key, and the merges of forms.

An address names several units, a street, a postcode, a city and a country. The institution is the
organisation part:

- Web of Science addresses (C1, RP and their copies in WoS RIS/BibTeX) always start with it
  (``Univ Seville, Escuela Super Ingn, ..., Seville 41092, Spain``): the first part is taken;
- free-text addresses (MEDLINE, Scopus, RIS) are ranked part by part: a university outranks a college,
  hospital, institute, academy or company, which outrank a centre, laboratory or service; a part that
  starts with a sub-unit word (Department, Division, School, Faculty, Unit ...) does not count. The
  first part of the best rank wins (``Department of X, University of Y, City`` -> ``University of Y``);
  with no ranked part, the first part that is not a sub-unit, a street, a postcode or the place.

The key folds the words of ``graphkit/data/organisation_words.tsv`` into Web of Science's
abbreviations (University/Universita/Universidad/... -> ``univ``, Institute -> ``inst``, National ->
``natl``, ...), drops articles and prepositions, accents, case, punctuation and bracketed parts, and
adds the country: ``inst:es:univ seville`` for "Univ Seville, ..., Spain", "University of Seville,
Spain" and "Universidad de Seville, Spain" alike.

Merges beyond that key need clear evidence (:func:`merge_forms`): in one country, a name whose words
are each equal to or a prefix (3+ letters) of the word at the same place in exactly one other name
joins it (``univ penn`` -> ``univ pennsylvania``; ``univ calif`` -> ``univ california``); a name seen
without a country joins the one country key with the same words, when there is exactly one.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

from graphkit.resolve.countries import clean

log = logging.getLogger(__name__)

WORDS_FILE = "organisation_words.tsv"
NO_COUNTRY = "-"
# organisation markers (folded forms) -> rank; the best-ranked part of a free-text address is the institution
RANKS: dict[str, int] = {
    "univ": 3, "polytech": 3,
    "coll": 2, "hosp": 2, "clin": 2, "inst": 2, "acad": 2, "fdn": 2, "corp": 2, "inc": 2, "ltd": 2, "co": 2,
    "gmbh": 2, "minist": 2, "agcy": 2, "agency": 2, "council": 2, "museum": 2, "cnrs": 2, "inserm": 2,
    "csic": 2, "cnr": 2, "infirmary": 2, "nhs": 2, "trust": 2, "klinikum": 2, "universitaire": 2,
    "ctr": 1, "lab": 1, "serv": 1, "assoc": 1, "soc": 1, "off": 1, "bur": 1, "natl": 1, "sch": 1, "org": 1,
}
# a part starting with one of these (folded) is a unit inside an institution
SUB_UNITS = frozenset({"dept", "div", "sect", "section", "unit", "grp", "group", "program", "programme", "fac",
                       "sch", "lab", "departamento", "dipartimento", "departement", "abteilung", "servicio",
                       "service", "serv", "chair", "team", "ward", "key"})
# street words: a part with one (or with a digit) is a street or a postcode, never the organisation
STREET = re.compile(r"\b(?:st|street|rd|road|ave|avenue|blvd|boulevard|way|dr|drive|lane|ln|place|pl|square|sq|"
                    r"plaza|platz|strasse|str|straat|weg|gasse|via|viale|calle|rua|rue|avenida|postfach|"
                    r"p\.?\s?o\.?\s+box|box|bldg|building|floor|room|suite|ste)\b|\d", re.IGNORECASE)
PLACEHOLDERS = frozenset({"na", "n a", "none", "null", "unknown", "not available"})
POSTCODE_ONLY = re.compile(r"^[A-Z]{0,3}[- ]?\d[\d\w -]*$")
BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
# "a Department", "(1) Dept", "double daggerDepartment" (PubMed spells out footnote symbols)
LEADING_MARK = re.compile(r"^(?:(?:(?:double )?dagger|section sign|pilcrow|paragraph sign)\s*)+|"
                          r"^(?:\(?\d{1,2}\)|\d{1,2}\s|[a-z]\s(?=[A-Z])|[a-z]\)\s?)", re.IGNORECASE)
# words that make a part a sentence about addresses, not an organisation ("Due to the number of authors ...")
NOT_ORGANISATION = frozenset({"author", "authors", "affiliation", "affiliations", "supplementary", "supplemental",
                              "appendix", "listed", "see"})
DOTTED = re.compile(r"\b(?:\w\.){2,}")  # "U.S." -> "US"


@lru_cache(maxsize=1)
def word_forms() -> dict[str, str]:
    text = resources.files("graphkit").joinpath("data").joinpath(WORDS_FILE).read_text(encoding="utf-8")
    forms: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            word, form = line.split("\t")
        except ValueError:
            raise ValueError(f"{WORDS_FILE}:{number}: expected word<TAB>form") from None
        forms[word] = form
    return forms


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=65536)
def name_words(name: str) -> tuple[str, ...]:
    """The folded words of an organisation name (the key's words)."""
    forms = word_forms()
    text = _fold(DOTTED.sub(lambda m: m.group().replace(".", ""), BRACKETED.sub(" ", name))).replace("'s ", "s ")
    out = []
    for word in re.split(r"[^\w&]+", text):
        if not word:
            continue
        form = forms.get(word, word)
        if form != "-":
            out.append(form)
    return tuple(out)


def _rank(words: tuple[str, ...]) -> int:
    if not words or words[0] in SUB_UNITS:
        return 0
    return max((RANKS.get(w, 0) for w in words), default=0)


def split_parts(address: str) -> list[str]:
    """The comma-separated parts of a cleaned address (e-mails, leading markers and brackets gone)."""
    text = clean(address)
    text = LEADING_MARK.sub("", text.strip())
    return [p.strip(" .;") for p in text.split(",") if p.strip(" .;")]


def organisation(address: str, *, wos: bool = False) -> str | None:
    """The organisation part of ``address`` as written, or None when the address names none."""
    parts = split_parts(address)
    if not parts:
        return None
    if wos:
        return parts[0] if name_words(parts[0]) else None
    body = parts[:-1] if len(parts) > 1 else parts  # the last part is the country or the place
    best, best_rank = None, 0
    for part in body:
        r = _rank(name_words(part))
        if r > best_rank:
            best, best_rank = part, r
    if best is not None:
        return best
    while len(body) > 1 and POSTCODE_ONLY.match(body[-1]):
        body = body[:-1]
    for part in body[:max(1, len(body) - 1)]:  # not the city either
        if STREET.search(part):
            return None  # the organisation comes before the street: what follows is the place
        words = name_words(part)
        if words and words[0] not in SUB_UNITS and " ".join(words) not in PLACEHOLDERS and len("".join(words)) > 1:
            return None if NOT_ORGANISATION & set(words) else part
    return None


def institution_key(name: str, country: str | None) -> str | None:
    words = name_words(name)
    if not words:
        return None
    return f"inst:{(country or NO_COUNTRY).lower()}:{' '.join(words)}"


def _abbreviates(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    return len(short) == len(full) and short != full and all(
        a == b or (len(a) >= 3 and b.startswith(a)) for a, b in zip(short, full))


def merge_forms(keys: Iterable[str], abbreviated: set[str] | None = None,
                written_out: set[str] | None = None) -> dict[str, str]:
    """key -> the key it joins, for the keys that join another on clear evidence (see the module doc).

    ``abbreviated``: keys seen in Web of Science addresses (which abbreviate), ``written_out``: keys
    seen in free-text addresses (which write names out). When given, only a key of the first set joins
    a key of the second (``univ melbourne`` from WoS does not join ``univ melbournevic``, a city glued to
    its state in a Scopus address, unless WoS wrote it so)."""
    by_country: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for key in keys:
        _, country, text = key.split(":", 2)
        by_country[country].append(tuple(text.split(" ")))
    out: dict[str, str] = {}
    for country, names in by_country.items():
        if country == NO_COUNTRY:
            continue
        buckets: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
        for name_words_ in names:
            buckets[tuple(w[:3] for w in name_words_)].append(name_words_)
        for bucket in buckets.values():
            if len(bucket) < 2:
                continue
            for short in bucket:
                name = f"inst:{country}:{' '.join(short)}"
                if abbreviated is not None and name not in abbreviated:
                    continue
                if written_out is not None and name in written_out:
                    continue  # also seen written out: a name of its own, not an abbreviation
                fulls = [full for full in bucket if _abbreviates(short, full) and (
                    written_out is None or f"inst:{country}:{' '.join(full)}" in written_out)]
                if len(fulls) == 1:  # one candidate only
                    out[f"inst:{country}:{' '.join(short)}"] = f"inst:{country}:{' '.join(fulls[0])}"
    # a name without a country joins the one country key with the same words
    homes: dict[str, list[str]] = defaultdict(list)
    for country, names in by_country.items():
        if country != NO_COUNTRY:
            for found in names:
                key = f"inst:{country}:{' '.join(found)}"
                homes[" ".join(found)].append(out.get(key, key))
    for found in by_country.get(NO_COUNTRY, []):
        text = " ".join(found)
        targets = sorted(set(homes.get(text, [])))
        if len(targets) == 1:
            out[f"inst:{NO_COUNTRY}:{text}"] = targets[0]
    return out
