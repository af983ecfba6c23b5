"""The country of an address: ISO 3166-1 alpha-2 from the end of the address as exports write it.

Country names and codes come from pycountry (the ISO 3166 tables as Debian's iso-codes packages keep
them: names, official names, common names, and the US and Canadian subdivisions), not from a hand list;
``graphkit/data/country_aliases.tsv`` adds what real exports write that ISO does not (Web of Science's
``Peoples R China``, ``England``/``Scotland``/``Wales``, ``USA``, ``U Arab Emirates``, old Canadian
province codes ...).

Rules, in order, on the comma-separated parts of an address read from the end (the last part first,
then the one before it when the last is only a postcode or a street):

1. the part, or its last one to four words, is a country name or alias (``Seville 41092 Spain``,
   ``NC 27710 USA``, ``The Netherlands``);
2. it is a US state or Canadian province code followed by a postcode (``MA 02115``, ``ON N6G 4X8``),
   or a US state or Canadian province code or name alone (``Cleveland, OH``, ``Toronto, Ontario``):
   US or CA.

Nothing else is guessed (a city alone, an institution's name): such addresses stay without a country
and the report counts them.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

log = logging.getLogger(__name__)

ALIASES_FILE = "country_aliases.tsv"
MAX_WORDS = 4  # a country name has at most this many words after normalisation (longer: official names)
US_ZIP = re.compile(r"^(?P<region>[A-Z]{2})\s*(?P<zip>\d{5}(?:-\d{4})?)(?:\s+(?P<rest>.*))?$")
CA_POSTCODE = re.compile(r"^(?P<region>[A-Z]{2,3})\s+[A-Z]\d[A-Z]\s?\d[A-Z]\d(?:\s+(?P<rest>.*))?$")
EMAIL = re.compile(r"\S+@\S+")
# "(P.S.G., M.J.S.)", "(MMG, MW)": the initials of the authors at an address, after it (JAMA, AHA journals)
INITIALS = re.compile(r"\s*\((?:\s*(?:[A-Z]\.?-?){1,5}\s*[,;]?)+\)\s*\.?\s*$")
TRAILING_WORDS = re.compile(r"[\s.;,]+(?:and|email|e-mail)[\s.]*$", re.IGNORECASE)  # "..., CA 95832; and."
EMPTY_BRACKETS = re.compile(r"\(\s*[;,.]*\s*\)")  # "Dayton, OH 45435 ( ; )."
# a part before "Peoples R China" that is one of China's special administrative regions (ISO codes of their own)
SPECIAL_REGIONS = {"hong kong": "HK", "macau": "MO", "macao": "MO"}
ELECTRONIC = re.compile(r"\b(?:electronic address|e-?mail|email)\s*:.*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Tables:
    countries: dict[str, str]  # normalised name -> alpha-2
    regions: dict[str, str]  # normalised region code or name -> alpha-2 (US, CA)
    names: dict[str, str]  # alpha-2 -> ISO short name
    alpha3: dict[str, str]  # alpha-2 -> alpha-3


def norm(text: str) -> str:
    """Accents folded, case folded, dots, brackets and repeated spaces gone: the lookup form."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[.\u2019`]", lambda m: "'" if m.group() != "." else " ", text)
    return " ".join(text.replace("-", " ").split())


@lru_cache(maxsize=1)
def tables() -> Tables:
    import pycountry  # the ISO 3166 tables; imported on the first address

    countries: dict[str, str] = {}
    names: dict[str, str] = {}
    alpha3: dict[str, str] = {}
    for c in pycountry.countries:
        names[c.alpha_2] = getattr(c, "common_name", None) or c.name
        alpha3[c.alpha_2] = c.alpha_3
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                countries.setdefault(norm(value), c.alpha_2)
                if "," in value:  # "Korea, Republic of" -> also "Republic of Korea"
                    head, _, tail = value.partition(",")
                    countries.setdefault(norm(f"{tail} {head}"), c.alpha_2)
    regions: dict[str, str] = {}
    for code in ("US", "CA"):
        for sub in pycountry.subdivisions.get(country_code=code):
            regions.setdefault(norm(sub.code.split("-", 1)[1]), code)
            regions.setdefault(norm(sub.name), code)
    for sub in pycountry.subdivisions.get(country_code="AU"):  # only names of two words or more: "New South
        if " " in sub.name:  # Wales" is not Wales; "Victoria" alone is also a city elsewhere
            regions.setdefault(norm(sub.name), "AU")
    text = resources.files("graphkit").joinpath("data").joinpath(ALIASES_FILE).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            alias, code, kind = line.split("\t")
        except ValueError:
            raise ValueError(f"{ALIASES_FILE}:{number}: expected text<TAB>code<TAB>kind") from None
        (regions if kind == "region" else countries)[norm(alias)] = code
    return Tables(countries, regions, names, alpha3)


def country_name(code: str) -> str:
    """The short name of an alpha-2 code (pycountry's common name where it has one)."""
    return tables().names.get(code, code)


def alpha3(code: str) -> str | None:
    """The ISO 3166-1 alpha-3 code of an alpha-2 code (None for a code ISO does not have)."""
    return tables().alpha3.get(code.upper())


def clean(address: str) -> str:
    """An address without e-mail addresses and trailing punctuation."""
    text = ELECTRONIC.sub("", address.replace("{", "").replace("}", "").replace("\\&", "&"))
    text = TRAILING_WORDS.sub("", EMPTY_BRACKETS.sub("", EMAIL.sub("", text)))
    text = INITIALS.sub("", text.strip().rstrip(".;, "))
    return text.strip().rstrip(".;, ").strip()


def _from_part(part: str, t: Tables) -> str | None:
    part = part.strip("() ")  # "18071 Granada, (Spain)"
    words = norm(part).split()
    if not words:
        return None
    bare = list(words)
    while bare and any(ch.isdigit() for ch in bare[-1]):
        bare.pop()  # "Canada V6T 1Z1", "People's Republic of China 230026": the postcode after the country
    for candidate in (words, bare) if bare != words else (words,):
        for n in range(min(MAX_WORDS, len(candidate)), 0, -1):
            phrase = " ".join(candidate[-n:])
            code = t.countries.get(phrase)
            if code:
                if code == "GE" and n < len(candidate):  # "University of Georgia", "Athens Georgia": the state
                    return "US"
                return code
            # a state or province name: "New Mexico" before "Mexico", "New South Wales" before "Wales",
            # "Flagstaff Arizona"; one word only when it is a name, not a code ("OH" is read further down)
            if phrase in t.regions and (n > 1 or len(phrase) >= 5):
                return t.regions[phrase]
    raw = part.strip()
    for pattern in (US_ZIP, CA_POSTCODE):
        m = pattern.match(raw)
        if m and t.regions.get(norm(m.group("region"))) and not m.group("rest"):
            return t.regions[norm(m.group("region"))]
    whole = " ".join(words)
    if (raw.isupper() and len(raw) <= 3) or len(whole) > 3:  # "OH", "PQ", "Ontario"; not "in", "la"
        return t.regions.get(whole)
    return None


def country_of(address: str) -> str | None:
    """ISO 3166-1 alpha-2 code of the country an address ends with, or None when it names none."""
    t = tables()
    parts = [p.strip() for p in clean(address).split(",") if p.strip()]
    for i in range(len(parts) - 1, max(len(parts) - 3, -1), -1):
        part = parts[i]
        code = _from_part(part, t)
        if code:
            if code == "CN" and i > 0:  # WoS: "Kowloon, Hong Kong, Peoples R China"
                return SPECIAL_REGIONS.get(norm(parts[i - 1]), code)
            return code
        if any(c.isalpha() for c in part) and not re.fullmatch(r"[A-Z]{1,3}[- ]?\d[\w -]*|\d[\w -]*", part):
            break  # a word part that is no country: the address names none (do not read a city as one)
    return None
