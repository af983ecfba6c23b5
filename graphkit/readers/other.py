"""Readers for the less common exports: Lens.org, OpenAlex, Embase, IEEE Xplore and SpringerLink CSV,
ProQuest's plain-text report, and EndNote/Refer %-tagged text.

They are cheap to read, so graphkit reads them instead of refusing them: the CSVs with the
table-driven reader of graphkit.readers.scopus_csv (one CsvLayout per producer, below), the two
text formats with small line readers. Everything unmapped is kept in ``Record.extra``. What these
formats cannot say is reported, not guessed: SpringerLink concatenates author names without any
separator, so its authors are kept raw in extra with a warning.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

from graphkit.model import Diagnostic, JournalRef, Record, Source, UnsupportedFormatError
from graphkit.readers._clean import finish
from graphkit.readers._names import split_name
from graphkit.readers._text import TextLines
from graphkit.readers.bibtex import parse_pages, split_keywords
from graphkit.readers.medline import normalise_doi, normalise_issn, normalise_orcid
from graphkit.readers.scopus_csv import CsvLayout, cell, read_csv

log = logging.getLogger(__name__)

YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")

# -- CSV layouts (data) ------------------------------------------------------------------------
LENS = CsvLayout(
    format="lens-csv",
    scalars={"Title": "title", "Volume": "volume", "Issue Number": "issue", "Start Page": "first_page",
             "End Page": "last_page", "Abstract": "abstract", "Publisher": "publisher",
             "Publication Type": "type_raw"},
    authors=("Author/s", ";"),
    year=("Publication Year", "Date Published"),
    journal=("Source Title",),
    issns=(("ISSNs", ";"),),
    doi=("DOI",),
    pmid=("PMID",),
    keywords=(("Keywords", ";"),),
    mesh=(("MeSH Terms", ";"),),
)
OPENALEX = CsvLayout(
    format="openalex-csv",
    scalars={"display_name": "title", "title": "title", "biblio.volume": "volume", "biblio.issue": "issue",
             "biblio.first_page": "first_page", "biblio.last_page": "last_page", "abstract": "abstract",
             "type": "type_raw", "primary_location.source.host_organization_name": "publisher"},
    authors=("authorships.author.display_name", "|"),
    year=("publication_year", "publication_date"),
    journal=("primary_location.source.display_name",),
    issns=(("primary_location.source.issn_l", "|"), ("primary_location.source.issn", "|")),
    doi=("doi",),
    pmid=("ids.pmid",),
    keywords=(("keywords.display_name", "|"), ("concepts.display_name", "|")),
    mesh=(("mesh.descriptor_name", "|"),),
)
OPENALEX_ORCIDS = "authorships.author.orcid"
IEEE = CsvLayout(
    format="ieee-csv",
    scalars={"Document Title": "title", "Volume": "volume", "Issue": "issue", "Start Page": "first_page",
             "End Page": "last_page", "Abstract": "abstract", "Publisher": "publisher",
             "Document Identifier": "type_raw"},
    authors=("Authors", ";"),
    year=("Publication Year",),
    journal=("Publication Title",),
    issns=(("ISSN", ";"),),
    doi=("DOI",),
    pmid=("PubMed ID",),
    keywords=(("Author Keywords", ";"), ("IEEE Terms", ";")),
    mesh=(("Mesh_Terms", ";"),),
)
SPRINGER = CsvLayout(
    format="springer-csv",
    scalars={"Item Title": "title", "Journal Volume": "volume", "Journal Issue": "issue",
             "Content Type": "type_raw"},
    year=("Publication Year",),
    journal=("Publication Title",),
    doi=("Item DOI",),
)
SPRINGER_AUTHORS = "Authors"
EMBASE = CsvLayout(
    format="embase-csv",
    scalars={"Title": "title", "Abstract": "abstract"},
    authors=("Author Names", ", "),
    doi=("DOI",),
    pmid=("Medline PMID",),
    keywords=(("Author Keywords", ", "),),
)
# Embase "Source": "Endoscopic Ultrasound (2014) 3:3 (152-160). Date of Publication: 2014"
EMBASE_SOURCE = re.compile(
    r"^(?P<journal>.+?)\s*\((?P<year>\d{4})\)\s*(?P<volume>[^:\s(]+)?(?::(?P<issue>[^\s(]+))?"
    r"\s*(?:\((?P<pages>[^)]*)\))?")
EMBASE_TERMS = ("Emtree Drug Index Terms (Major Focus)", "Emtree Medical Index Terms (Major Focus)",
                "Emtree Drug Index Terms", "Emtree Medical Index Terms")
EMBASE_DOI = re.compile(r"doi[:=]\s*(10\.\d{3,9}/[^&\s]+)", re.IGNORECASE)


def read_lens_csv(path: str | Path, *, stream=None) -> Iterator[Record | Diagnostic]:
    """Lens.org scholarly works CSV. ``References`` are Lens IDs, kept in extra."""
    yield from read_csv(path, LENS, stream=stream)


def read_openalex_csv(path: str | Path, *, stream=None) -> Iterator[Record | Diagnostic]:
    """OpenAlex works CSV: ``|``-separated multi-value cells; ORCIDs lined up with the authors."""
    def finish(row, record, problems):
        orcids = (row.get(OPENALEX_ORCIDS) or "").split("|")
        if len(orcids) == len(record.authors):
            for person, orcid in zip(record.authors, orcids):
                person.orcid = normalise_orcid(orcid) if orcid.strip() else None
    yield from read_csv(path, OPENALEX, stream=stream, finish=finish)


def read_ieee_csv(path: str | Path, *, stream=None) -> Iterator[Record | Diagnostic]:
    """IEEE Xplore CSV export."""
    yield from read_csv(path, IEEE, stream=stream)


def read_springer_csv(path: str | Path, *, stream=None) -> Iterator[Record | Diagnostic]:
    """SpringerLink search-results CSV. Author names are concatenated without a separator
    (``Loris BelcastroRiccardo Cantini``), so they cannot be split reliably: a single name is read,
    several are kept raw in ``extra["Authors"]`` with a warning."""
    def finish(row, record, problems):
        raw = cell(row, SPRINGER_AUTHORS)
        if raw and not re.search(r"[a-z\u00DF-\u00FF][A-Z\u00C0-\u00DE]", raw):
            record.authors = [split_name(raw)]
            record.extra.pop(SPRINGER_AUTHORS, None)
        elif raw:
            problems.append(("SpringerLink CSV writes author names without a separator; authors kept "
                             "unsplit in extra['Authors']", "authors-unsplit"))
    yield from read_csv(path, SPRINGER, stream=stream, finish=finish)


def read_embase_csv(path: str | Path, *, stream=None) -> Iterator[Record | Diagnostic]:
    """Embase CSV: the ``Source`` cell holds journal, year, volume:issue and pages; Emtree terms are
    keywords (``term (subheading, subheading)`` kept whole)."""
    def finish(row, record, problems):
        source = cell(row, "Source")
        m = EMBASE_SOURCE.match(source or "")
        if m:
            record.journal = JournalRef(name=m.group("journal").strip())
            record.year = int(m.group("year"))
            record.volume = m.group("volume")
            record.issue = m.group("issue")
            if m.group("pages"):
                record.first_page, record.last_page = parse_pages(m.group("pages"))
        elif source and (y := YEAR.search(source)):
            record.year = int(y.group(1))
        issn = cell(row, "ISSN")
        if issn and (n := normalise_issn(issn)):
            record.journal = record.journal or JournalRef()
            record.journal.issns.append(n)
        if record.doi is None and (link := EMBASE_DOI.search(unquote(row.get("Open URL Link", "")))):
            record.doi = normalise_doi(link.group(1))
        seen = {k.casefold() for k in record.keywords}
        for column in EMBASE_TERMS:
            for term in split_outside_parens(cell(row, column) or ""):
                if term.casefold() not in seen:
                    seen.add(term.casefold())
                    record.keywords.append(term)
    yield from read_csv(path, EMBASE, stream=stream, finish=finish)


def split_outside_parens(text: str, sep: str = ",") -> list[str]:
    """``a, b (c, d), e`` -> ``[a, b (c, d), e]``."""
    out, depth, current = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if ch == sep and depth == 0:
            out.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    out.append("".join(current).strip())
    return [t for t in out if t]


# -- ProQuest plain-text report -----------------------------------------------------------------
PROQUEST = "proquest-text"
PROQUEST_RULE = re.compile(r"^_{20,}\s*$")
PROQUEST_DOC = re.compile(r"^Document \d+ of \d+\s*$")
PROQUEST_FIELD = re.compile(r"^([A-Z][A-Za-z/ ()-]{1,40}):\s?(.*)$")
# ProQuest field -> Record attribute (scalars); the other known fields are lists or extra.
PROQUEST_SCALARS = {"Title": "title", "Abstract": "abstract", "Volume": "volume", "Issue": "issue",
                    "Publisher": "publisher", "Document type": "type_raw", "Publication title": "journal"}
PROQUEST_AUTHORS = "Author"
PROQUEST_YEAR = ("Publication year", "Degree date", "Publication date")
PROQUEST_KEYWORDS = (("Identifier / keyword", ","), ("Subject", ";"))
PROQUEST_ISSN = "ISSN"
PROQUEST_DOI = "DOI"
PROQUEST_PAGES = ("Pages", "First page")
# Field names ProQuest writes; any other "Word: text" line continues the previous value (abstracts
# often have "Results: ..." paragraphs).
PROQUEST_FIELDS = frozenset({
    "Abstract", "Accession number", "Advisor", "Author", "Classification", "Committee member", "Copyright",
    "Country of publication", "Database", "Degree", "Degree date", "Department", "Dissertation/thesis number",
    "DOI", "Document type", "Document URL", "First page", "Identifier / keyword", "ISBN", "ISSN", "Issue",
    "Language", "Last updated", "Links", "Number of pages", "Pages", "Place of publication",
    "ProQuest document ID", "Publication date", "Publication subject", "Publication title",
    "Publication year", "Publisher", "School code", "Source", "Source type", "Subject", "Title",
    "University location", "University/institution", "Volume", "Company / organization", "Location",
    "Section", "Source attribution", "Supplemental data", "Subject heading", "Keywords", "Editor",
})
PROQUEST_URL = "URL"


def read_proquest_text(path: str | Path, *, stream=None) -> Iterator[Record | Diagnostic]:
    """ProQuest "Report Information from ProQuest" text: documents between rules of underscores,
    each ``Document N of M``, the title, then ``Field: value`` lines (a line without a known field
    continues the previous value). The table of contents and bibliography blocks are skipped."""
    path = str(path)
    lines = TextLines(path, PROQUEST, stream)
    block: list[tuple[int, str]] = []
    ordinal = 0
    for number, text in lines:
        yield from lines.drain()
        if PROQUEST_RULE.match(text):
            if block:
                ordinal, items = _proquest_block(path, block, ordinal)
                yield from items
            block = []
        else:
            block.append((number, text))
    yield from lines.drain()
    if block:
        ordinal, items = _proquest_block(path, block, ordinal)
        yield from items


def _proquest_block(path: str, block: list[tuple[int, str]], ordinal: int
                    ) -> tuple[int, list[Record | Diagnostic]]:
    content = [(n, t.strip()) for n, t in block if t.strip()]
    if not content or not PROQUEST_DOC.match(content[0][1]):
        return ordinal, []  # header, table of contents, bibliography, footer
    ordinal += 1
    src = Source(path, content[0][0], PROQUEST)
    fields: list[tuple[str, str]] = []
    heading = content[1][1] if len(content) > 1 else None
    for _, text in content[1:]:
        m = PROQUEST_FIELD.match(text)
        if m and m.group(1) in PROQUEST_FIELDS:
            fields.append((m.group(1), m.group(2).strip()))
        elif text.startswith(("http://", "https://")) and (not fields or fields[-1][0] != "Links"):
            fields.append((PROQUEST_URL, text))  # the document's own link, on a line of its own
        elif fields:
            key, value = fields[-1]
            fields[-1] = (key, f"{value}\n{text}")
    try:
        record = _proquest_record(src, fields, heading)
    except Exception as exc:  # a document we cannot map costs only itself
        log.debug("cannot map ProQuest document %d of %s", ordinal, path, exc_info=True)
        return ordinal, [Diagnostic(src, "error", f"document skipped: {exc}", record=ordinal, kind="bad-record")]
    out: list[Record | Diagnostic] = list(finish(record, ordinal))
    if not record.title:
        out.append(Diagnostic(src, "warning", "document has no title", record=ordinal, kind="incomplete"))
    out.append(record)
    return ordinal, out


def _proquest_record(src: Source, fields: list[tuple[str, str]], heading: str | None) -> Record:
    record = Record(source=src)
    values: dict[str, list[str]] = {}
    for key, value in fields:
        values.setdefault(key, []).append(value)

    def first(*keys: str) -> str | None:
        for key in keys:
            for value in values.get(key, []):
                if value.strip():
                    return " ".join(value.split())
        return None

    used: set[str] = set()
    journal = None
    for key, attr in PROQUEST_SCALARS.items():
        if (value := first(key)) is not None:
            used.add(key)
            if attr == "journal":
                journal = value
            else:
                setattr(record, attr, value)
    record.title = record.title or heading
    record.authors = [split_name(a) for a in values.get(PROQUEST_AUTHORS, []) if a.strip()]
    used.add(PROQUEST_AUTHORS)
    if (year := first(*PROQUEST_YEAR)) and (m := YEAR.search(year)):
        record.year = int(m.group(1))
    issns = [n for v in values.get(PROQUEST_ISSN, []) if (n := normalise_issn(v))]
    if journal or issns:
        record.journal = JournalRef(name=journal, issns=issns)
        used.add(PROQUEST_ISSN)
    record.doi = normalise_doi(first(PROQUEST_DOI))
    if record.doi:
        used.add(PROQUEST_DOI)
    if (pages := first(*PROQUEST_PAGES)):
        record.first_page, record.last_page = parse_pages(pages)
    seen: set[str] = set()
    for key, sep in PROQUEST_KEYWORDS:
        for value in values.get(key, []):
            for term in value.split(sep):
                term = term.strip()
                if term and term.casefold() not in seen:
                    seen.add(term.casefold())
                    record.keywords.append(term)
    for key, vals in values.items():
        if key not in used:
            record.extra[key] = [" ".join(v.split()) for v in vals if v.strip()]
    return record


# -- EndNote / Refer %-tagged --------------------------------------------------------------------
ENDNOTE = "endnote-tagged"
ENDNOTE_LINE = re.compile(r"^%([0-9A-Z@!#$&()*+^<>=~\[\]|?])\s?(.*)$")
ENDNOTE_SCALARS = {"T": "title", "V": "volume", "N": "issue", "I": "publisher", "X": "abstract",
                   "0": "type_raw"}
ENDNOTE_AUTHORS = "A"
ENDNOTE_JOURNAL = ("J", "B")  # journal; B is the secondary title (journal name in many exports)
ENDNOTE_YEAR = ("D", "8")
ENDNOTE_PAGES = "P"
ENDNOTE_DOI = ("R",)
ENDNOTE_ISSN = "@"
ENDNOTE_KEYWORDS = "K"
ENDNOTE_URL = "U"


def read_endnote_tagged(path: str | Path, *, stream=None) -> Iterator[Record | Diagnostic]:
    """EndNote/Refer tagged text (``%T title``, ``%A author``...): records separated by blank lines;
    a line without a tag continues the previous field."""
    path = str(path)
    if stream is None:
        with open(path, "rb") as fh:
            head = fh.read(4096)
        if b"\x00" in head:  # EndNote's own .enl library is a binary database, not %-tagged text
            raise UnsupportedFormatError("detected a binary EndNote library (.enl): graphkit does not read it; "
                                         "export as RIS instead")
    lines = TextLines(path, ENDNOTE, stream)
    fields: list[tuple[str, str, int]] = []
    ordinal = 0
    in_junk = False
    for number, text in lines:
        yield from lines.drain()
        if not text.strip():
            if fields:
                ordinal += 1
                yield from _endnote_record(path, fields, ordinal)
                fields = []
            continue
        m = ENDNOTE_LINE.match(text)
        if m:
            fields.append((m.group(1), m.group(2).strip(), number))
            in_junk = False
        elif fields:
            tag, value, line = fields[-1]
            fields[-1] = (tag, f"{value}\n{text.strip()}", line)
        elif not in_junk:  # one warning per run of untagged lines
            in_junk = True
            yield Diagnostic(Source(path, number, ENDNOTE), "warning", "untagged text outside a record skipped",
                             kind="junk")
    yield from lines.drain()
    if fields:
        ordinal += 1
        yield from _endnote_record(path, fields, ordinal)


def _endnote_record(path: str, fields: list[tuple[str, str, int]], ordinal: int
                    ) -> Iterator[Record | Diagnostic]:
    src = Source(path, fields[0][2], ENDNOTE)
    record = Record(source=src)
    values: dict[str, list[str]] = {}
    for tag, value, _ in fields:
        values.setdefault(tag, []).append(value)

    def first(*tags: str) -> str | None:
        for tag in tags:
            for value in values.get(tag, []):
                if value.strip():
                    return " ".join(value.split())
        return None

    used: set[str] = set()
    for tag, attr in ENDNOTE_SCALARS.items():
        if (value := first(tag)) is not None:
            setattr(record, attr, value)
            used.add(tag)
    record.authors = [split_name(a) for a in values.get(ENDNOTE_AUTHORS, []) if a.strip()]
    used.add(ENDNOTE_AUTHORS)
    if (year := first(*ENDNOTE_YEAR)) and (m := YEAR.search(year)):
        record.year = int(m.group(1))
        used.add(next(t for t in ENDNOTE_YEAR if values.get(t)))
    journal = first(*ENDNOTE_JOURNAL)
    issns = [n for v in values.get(ENDNOTE_ISSN, []) if (n := normalise_issn(v))]
    if journal or issns:
        record.journal = JournalRef(name=journal, issns=issns)
        used.update(ENDNOTE_JOURNAL[:1] if values.get(ENDNOTE_JOURNAL[0]) else ENDNOTE_JOURNAL)
    record.doi = normalise_doi(first(*ENDNOTE_DOI))
    if record.doi:
        used.update(ENDNOTE_DOI)
    if (pages := first(ENDNOTE_PAGES)):
        record.first_page, record.last_page = parse_pages(pages)
        used.add(ENDNOTE_PAGES)
    for value in values.get(ENDNOTE_KEYWORDS, []):
        record.keywords.extend(t for part in value.split("\n") for t in split_keywords(part))
    used.add(ENDNOTE_KEYWORDS)
    for tag, vals in values.items():
        if tag not in used:
            record.extra[f"%{tag}"] = [" ".join(v.split()) for v in vals if v.strip()]
    if not record.title:
        yield Diagnostic(src, "warning", "record has no title (%T)", record=ordinal, kind="incomplete")
    yield from finish(record, ordinal)
    yield record
