"""One vocabulary of document types for every producer: the types of CSL 1.0.2.

Every reader keeps the producer's own type as ``Record.type_raw`` (RIS ``TY``, MEDLINE/PubMed
``PT``, WoS ``DT``/``PT``, Scopus "Document Type", the BibTeX entry type or its ``document_type``
field, the CSL type, IEEE's "Document Identifier" ...) and sets ``Record.type`` to
:func:`csl_type` of it. The table is data (``graphkit/data/doctypes.tsv``): per producer (the
reader's format name) and for all producers (``*``), raw value (case-insensitive) -> CSL type.

Rules: a producer's own line wins over a ``*`` line; a CSL-JSON type that is already a CSL type is
kept; a compound value (WoS ``Article; Proceedings Paper``) not listed whole is mapped by its first
listed part; a value nothing maps gives ``document`` (CSL's "anything else"), and the raw value
stays in ``type_raw``. Journal content is ``article-journal`` whatever its editorial kind (review,
letter, editorial, erratum): that kind is in ``type_raw``. docs/doctypes.md lists the mapping.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib import resources

log = logging.getLogger(__name__)

TABLE = "doctypes.tsv"

# The CSL 1.0.2 item types (https://docs.citationstyles.org/en/stable/specification.html#appendix-iii-types).
TYPES: frozenset[str] = frozenset("""
article article-journal article-magazine article-newspaper bill book broadcast chapter classic collection
dataset document entry entry-dictionary entry-encyclopedia event figure graphic hearing interview
legal_case legislation manuscript map motion_picture musical_score pamphlet paper-conference patent
performance periodical personal_communication post post-weblog regulation report review review-book
software song speech standard thesis treaty webpage
""".split())
UNKNOWN = "document"


@lru_cache(maxsize=1)
def _table() -> dict[tuple[str, str], str]:
    table: dict[tuple[str, str], str] = {}
    with (resources.files("graphkit") / "data" / TABLE).open("r", encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            producer, raw, csl = (c.strip() for c in line.rstrip("\n").split("\t"))
            if csl not in TYPES:  # a typo in the table is a bug: say where
                raise ValueError(f"{TABLE}:{number}: {csl!r} is not a CSL type")
            table[(producer, raw.casefold())] = csl
    return table


@lru_cache(maxsize=4096)
def csl_type(producer: str, raw: str | None) -> str | None:
    """The CSL type for ``raw`` as written by ``producer`` (a reader format name); None without a raw type."""
    if raw is None:
        return None
    text = " ".join(raw.split())
    if not text:
        return None
    key = text.casefold()
    if producer == "csl-json" and key in TYPES:
        return key
    table = _table()
    found = table.get((producer, key)) or table.get(("*", key))
    if found is not None:
        return found
    if ";" in key:
        for part in key.split(";"):
            part = part.strip()
            found = table.get((producer, part)) or table.get(("*", part))
            if found is not None:
                return found
    log.debug("no CSL type for %s type %r: %s", producer, raw, UNKNOWN)
    return UNKNOWN


def known(producer: str, raw: str | None) -> bool:
    """Whether the table (or CSL itself) names ``raw``: readers with a fallback type use this."""
    if not raw or not raw.strip():
        return False
    key = " ".join(raw.split()).casefold()
    table = _table()
    if producer == "csl-json" and key in TYPES:
        return True
    if (producer, key) in table or ("*", key) in table:
        return True
    return ";" in key and any((producer, p.strip()) in table or ("*", p.strip()) in table for p in key.split(";"))


# Producers tried, in order, when a value's producer is not known (a graph property, a hand-made row).
_ANY_PRODUCER = ("csl-json", "ris", "bibtex", "wos")


def of_value(value: str | None) -> str | None:
    """The CSL type of a type value whose producer is unknown (a Paper's ``type`` property, normally
    already a CSL type; a raw ``JOUR`` from an older store): CSL itself, then the shared lines, then each
    producer's own; None when nothing names it. The sinks (CSL-JSON, RDF) map types through this."""
    if not value or not value.strip():
        return None
    for producer in _ANY_PRODUCER:
        found = csl_type(producer, value)
        if found is not None and found != UNKNOWN:
            return found
    return None
