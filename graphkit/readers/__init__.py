"""Readers: one module per input format, each yielding :class:`Record` and :class:`Diagnostic` objects.

Readers know formats and nothing else. They never raise for bad data: a broken record becomes a
diagnostic naming file, line and record, and the other records still come out. ``detect`` picks the
reader from the file's content (the suffix is only a tie-breaker); ``read`` runs it.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from graphkit.model import Diagnostic, Record, Source, UnsupportedFormatError
from graphkit.readers._text import read_head

log = logging.getLogger(__name__)

# format name -> "module:function". The registry is data: add a format by adding a line.
READERS: dict[str, str] = {
    "ris": "graphkit.readers.ris:read_ris",
    "medline": "graphkit.readers.medline:read_medline",
    "wos": "graphkit.readers.wos:read_wos",
    "bibtex": "graphkit.readers.bibtex:read_bibtex",
    "scopus-csv": "graphkit.readers.scopus_csv:read_scopus_csv",
    "csl-json": "graphkit.readers.csl_json:read_csl_json",
    "pubmed-xml": "graphkit.readers.pubmed_xml:read_pubmed_xml",
    "lens-csv": "graphkit.readers.other:read_lens_csv",
    "openalex-csv": "graphkit.readers.other:read_openalex_csv",
    "embase-csv": "graphkit.readers.other:read_embase_csv",
    "ieee-csv": "graphkit.readers.other:read_ieee_csv",
    "springer-csv": "graphkit.readers.other:read_springer_csv",
    "proquest-text": "graphkit.readers.other:read_proquest_text",
    "endnote-tagged": "graphkit.readers.other:read_endnote_tagged",
}

# The formats a user may name with --format (the "other" ones are detected, not named).
MAIN_FORMATS = ("ris", "medline", "wos", "bibtex", "scopus-csv", "csl-json", "pubmed-xml")

# Content signatures, tried in order on the first 64 KiB (BOM stripped). First match wins.
_M = re.MULTILINE
SIGNATURES: list[tuple[str, re.Pattern[str]]] = [
    ("pubmed-xml", re.compile(r"\A\s*(<\?xml[^>]*>\s*)?(<!DOCTYPE\s+Pubmed|<Pubmed(Article|BookArticle)?Set[\s>]|<PubmedArticle[\s>])")),
    ("csl-json", re.compile(r"\A\s*[\[{]")),
    ("proquest-text", re.compile(r"^Report Information from ProQuest", _M)),
    ("endnote-tagged", re.compile(r"\A\s*%[0-9A-Z] \S", _M)),
    ("medline", re.compile(r"^(PMID|OWN |STAT)- ", _M)),
    ("wos", re.compile(r"\A\s*(FN |VR |PT [A-Z]\s*$)", _M)),
    ("ris", re.compile(r"^\s*(\d+\.\s*)?TY {1,2}- ", _M)),
    ("bibtex", re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", _M)),
]

# CSV exports: format -> header cells that must all be present (first line, quotes stripped).
CSV_HEADERS: list[tuple[str, tuple[str, ...]]] = [
    ("lens-csv", ("Lens ID",)),
    ("openalex-csv", ("id", "authorships.author.display_name")),
    ("ieee-csv", ("Document Title", "Publication Title")),
    ("springer-csv", ("Item Title", "Item DOI")),
    ("embase-csv", ("Author Names", "Emtree Medical Index Terms")),
    ("scopus-csv", ("Authors", "Title", "Source title")),
]

SUFFIXES = {
    ".ris": "ris", ".nbib": "medline", ".medline": "medline", ".ciw": "wos", ".isi": "wos",
    ".bib": "bibtex", ".json": "csl-json", ".xml": "pubmed-xml", ".gz": "pubmed-xml", ".csv": "scopus-csv", ".enl": "endnote-tagged",
}


def detect(path: str | Path) -> str:
    """Name the format of ``path`` from its content; raises UnsupportedFormatError if none fits."""
    head = read_head(path)
    if not head.strip():
        raise UnsupportedFormatError(f"{path}: file is empty")
    first = head.splitlines()[0] if head else ""
    if "," in first and not first.lstrip().startswith(("[", "{", "@", "%")):
        cells = {c.strip().strip('"').strip() for c in first.split(",")}
        for fmt, needed in CSV_HEADERS:
            if all(n in cells for n in needed):
                return fmt
    for fmt, pattern in SIGNATURES:
        if pattern.search(head):
            return fmt
    by_suffix = SUFFIXES.get(Path(path).suffix.lower())
    if by_suffix:
        return by_suffix
    raise UnsupportedFormatError(f"{path}: not a bibliographic format graphkit recognises")


def reader_for(fmt: str):
    """The reader function registered for ``fmt`` (imported on first use)."""
    try:
        target = READERS[fmt]
    except KeyError:
        raise UnsupportedFormatError(f"unknown format {fmt!r}; known: {', '.join(READERS)}") from None
    module, func = target.split(":")
    return getattr(importlib.import_module(module), func)


def read(path: str | Path, format: str = "auto") -> Iterator[Record | Diagnostic]:
    """Read one file. Yields records and diagnostics; an unreadable or unsupported file becomes one
    error diagnostic (line 1), never an exception."""
    path = str(path)
    try:
        fmt = detect(path) if format == "auto" else format
        reader = reader_for(fmt)
    except (UnsupportedFormatError, OSError) as exc:
        yield Diagnostic(Source(path, 1, format), "error", _oneline(exc), kind="unreadable")
        return
    except ImportError as exc:  # a reader's optional dependency is missing: one line, not a traceback
        yield Diagnostic(Source(path, 1, format), "error", f"cannot load the reader: {_oneline(exc)}",
                         kind="unreadable")
        return
    log.debug("reading %s as %s", path, fmt)
    try:
        yield from reader(path)
    except UnsupportedFormatError as exc:
        yield Diagnostic(Source(path, 1, fmt), "error", _oneline(exc), kind="unsupported")
    except OSError as exc:
        yield Diagnostic(Source(path, 1, fmt), "error", _oneline(exc), kind="unreadable")
    except Exception as exc:  # a reader bug must not become a user's traceback; say so and go on
        log.debug("reader %s failed on %s", fmt, path, exc_info=True)
        yield Diagnostic(Source(path, 1, fmt), "error",
                         f"internal error in the {fmt} reader, rest of file skipped: {_oneline(exc)}",
                         kind="internal")


def read_files(paths: Iterable[str | Path], format: str = "auto") -> Iterator[Record | Diagnostic]:
    """Read several files in order."""
    for path in paths:
        yield from read(path, format)


def _oneline(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
