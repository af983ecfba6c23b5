"""Identifiers: the one module that normalises and checks DOIs, ORCID iDs and ISSNs.

Every reader, resolver, lookup and sink imports these functions; no other module holds a DOI, ORCID or
ISSN pattern of its own. Two levels, as the data flow needs them:

* **shape** (what a reader keeps): the canonical spelling of whatever looks like the identifier
  (``doi``, ``orcid_shape``, ``issn_shape``), so a record keeps a value with a wrong check digit and the
  quality report can name it;
* **valid** (what the graph keys on): ``orcid`` and ``valid_issns`` also verify the check digit
  (ISO 7064 MOD 11-2 for ORCID, mod 11 for ISSN) and give None / nothing otherwise.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "DOI_IN_TEXT", "doi", "clean_doi_match", "find_dois",
    "orcid_shape", "orcid_check_ok", "orcid",
    "issn_shape", "issn_check_ok", "valid_issns",
]

# A DOI is "10." + a registrant code of 4-9 digits + "/" + a suffix without white space (DOI Handbook 2.2).
DOI_IN_TEXT = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|doi\s+)", re.IGNORECASE)
_ORCID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])", re.IGNORECASE)
_ISSN = re.compile(r"(?<![\dX])(\d{4})\s*-?\s*(\d{3}[\dX])(?![\dX])", re.IGNORECASE)
_ISSN_SHAPE = re.compile(r"\b(\d{4})-?(\d{3}[\dX])\b", re.IGNORECASE)


# -- DOI ----------------------------------------------------------------------------------------------

def doi(value: str | None) -> str | None:
    """'https://doi.org/10.1000/ABC.' -> '10.1000/abc'; None when no DOI is in the text."""
    if not value:
        return None
    m = DOI_IN_TEXT.search(_DOI_PREFIX.sub("", value.strip()))
    return clean_doi_match(m.group(0)) if m else None


def clean_doi_match(text: str) -> str:
    """Lower-case DOI from text that already matched :data:`DOI_IN_TEXT` (the readers' hot path).

    Trailing punctuation of the sentence around it goes; a closing parenthesis goes only when it has no
    opening one in the DOI (``(doi:10.1/x)``, but not ``10.1016/s0140-6736(20)30183-5)`` 's own)."""
    text = text.rstrip(".,;]}>\"'")
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].rstrip(".,;\"'")
    return text.lower()


def find_dois(text: str) -> list[str]:
    """Every DOI mentioned in free text (a cited reference, a note), normalised."""
    return [clean_doi_match(m.group(0)) for m in DOI_IN_TEXT.finditer(text)]


# -- ORCID --------------------------------------------------------------------------------------------

def orcid_shape(value: str | None) -> str | None:
    """The bare ``0000-0000-0000-000X`` form of an ORCID written as an id, a URL or without dashes
    (check digit not verified: see :func:`orcid`)."""
    if not value:
        return None
    m = _ORCID.search(value)
    return "-".join(m.groups()).upper() if m else None


def orcid_check_ok(value: str) -> bool:
    """ISO 7064 MOD 11-2 check digit of a 16-character ORCID iD (hyphens ignored)."""
    digits = value.replace("-", "").upper()
    if len(digits) != 16 or not digits[:15].isdigit():
        return False
    total = 0
    for ch in digits[:15]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    return digits[15] == ("X" if check == 10 else str(check))


def orcid(value: str | None) -> str | None:
    """'https://orcid.org/0000-0002-1825-0097' -> '0000-0002-1825-0097'; None unless the check digit
    is right."""
    shaped = orcid_shape(value)
    return shaped if shaped and orcid_check_ok(shaped) else None


# -- ISSN ---------------------------------------------------------------------------------------------

def issn_shape(value: str | None) -> str | None:
    """``NNNN-NNNX`` of the first ISSN-shaped value in ``value`` (check digit not verified)."""
    if not value:
        return None
    m = _ISSN_SHAPE.search(value)
    return f"{m.group(1)}-{m.group(2).upper()}" if m else None


def issn_check_ok(digits: str) -> bool:
    """ISSN check digit: weights 8..2 over the first seven digits, mod 11; 10 is written X."""
    digits = digits.replace("-", "")
    if len(digits) != 8 or not digits[:7].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:7], range(8, 1, -1)))
    check = (11 - total % 11) % 11
    return digits[7].upper() == ("X" if check == 10 else str(check))


def valid_issns(text: str | None) -> list[str]:
    """Every ISSN in ``text`` whose check digit is right, as NNNN-NNNX, in order."""
    if not text:
        return []
    return list(_valid_issns(text))


@lru_cache(maxsize=1 << 14)  # a journal's ISSNs recur in every record of the journal
def _valid_issns(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for a, b in _ISSN.findall(text):
        digits = (a + b).upper()
        if issn_check_ok(digits):
            out.append(f"{digits[:4]}-{digits[4:]}")
    return tuple(out)
