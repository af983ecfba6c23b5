"""BibTeX / BibLaTeX reader (Scopus, Web of Science, Mendeley, JabRef, Zotero, Google Scholar, hand-kept).

Parsing is bibtexparser v2's: its splitter finds the blocks and reports broken ones with their start
line; its middlewares remove the enclosing braces/quotes, separate co-authors on ``and`` (braces
respected) and decode LaTeX (``{\\'E}tienne`` -> Étienne, ``{\\&}`` -> &, ``52--58`` -> 52–58).
The LaTeX decoder (pylatexenc) is slow, so values without any LaTeX in them take a fast path that
gives the same text (a test checks this on the corpus).

Streaming: bibtexparser parses a string, so the file is read line by line and handed over in chunks
of whole entries (cut before a line that starts an entry, ``@type{``), never the whole file; line
numbers are shifted back to the file's. ``@string`` macros carry over from chunk to chunk.

Never raises for bad data: an entry bibtexparser cannot split becomes an error Diagnostic naming
its line and ordinal, and the following entries still come out. Duplicate citation keys are kept as
separate records (exports reuse keys like ``Garfield1998`` for different papers). Fields the table
below does not map are kept in ``Record.extra`` under their lower-case name.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from graphkit import doctypes
from graphkit.model import Diagnostic, JournalRef, Person, Record, Source
from graphkit.readers._clean import finish
from graphkit.readers._names import split_name
from graphkit.readers._text import TextLines
from graphkit.readers.medline import normalise_doi, normalise_issn, normalise_orcid

log = logging.getLogger(__name__)
# bibtexparser's splitter logs every broken block as a warning (with a 0-based line); we report them
# as Diagnostics instead, so its warnings are not shown twice.
logging.getLogger("bibtexparser.splitter").setLevel(logging.ERROR)

FORMAT = "bibtex"

# -- field tables (data) -----------------------------------------------------------------------
SCALAR_FIELDS: dict[str, str] = {
    "title": "title",
    "volume": "volume",
    "number": "issue",
    "issue": "issue",  # Mendeley
    "publisher": "publisher",
    "abstract": "abstract",
}
TYPE_FIELDS = ("document_type", "type")  # Scopus "Article", WoS "Article"; else the entry type
JOURNAL_FIELDS = ("journal", "journaltitle", "booktitle")  # first present is the venue name
ABBREV_FIELDS = ("abbrev_source_title", "journal-iso", "shortjournal", "journalabbreviation")
ISSN_FIELDS = ("issn", "eissn")
DOI_FIELDS = ("doi",)
PMID_FIELDS = ("pmid", "pubmed_id")
YEAR_FIELDS = ("year", "date")
PAGES_FIELD = "pages"
ARTICLE_NUMBER_FIELDS = ("art_number", "article-number", "eid")  # Record.article_number, never a page
# Keyword fields in the order their terms go into Record.keywords. Scopus: author_keywords = author
# keywords, keywords = index keywords; WoS: keywords = author keywords, keywords-plus = Keywords Plus.
KEYWORD_FIELDS = ("author_keywords", "keywords", "keywords-plus")
KEEP_RAW_KEYWORD_FIELDS = ("keywords-plus",)  # also kept in extra so users can tell them apart
# Cited references: field -> how the items are separated.
REFERENCE_FIELDS: dict[str, str] = {"cited-references": "\n", "references": "; "}
ORCID_FIELD = "orcid-numbers"  # WoS: "Family, Given/0000-0000-0000-0000" per line or "; "
NAME_FIELDS = ("author", "editor", "translator")
AUTHOR_FIELD = "author"
LINE_LIST_FIELDS = ("cited-references", "orcid-numbers")  # split on line ends before decoding
# Fields whose value is not LaTeX text: only braces and escapes like "\\_" are removed.
VERBATIM_FIELDS = frozenset({"url", "doi", "file", "eprint", "adsurl", "biburl", "pdf", "link"})
NON_RECORD_TYPES = frozenset({"string", "preamble", "comment"})

CHUNK_CHARS = 1 << 20  # about this much text goes to bibtexparser at once

ENTRY_START = re.compile(r"^\s*@\s*([A-Za-z_][\w-]*)\s*[{(]")
NEEDS_LATEX = re.compile(r"[\\$]")  # macros and math need pylatexenc; the rest is a table
# LaTeX's text ligatures and the tie, as pylatexenc decodes them (longest first).
LIGATURES: tuple[tuple[str, str], ...] = (
    ("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d"), ("!`", "\u00a1"),
    ("?`", "\u00bf"), ("~", " "),
)
BARE_MACRO = re.compile(r"\\(?:[a-zA-Z]+|[^a-zA-Z\s])$")  # "\\c" or "\\'" waiting for its argument
VERBATIM_ESCAPE = re.compile(r"\\([_&%#$~])")
UNESCAPED_SPECIAL = re.compile(r"(?<!\\)([&%#])")  # plain text in many exports; LaTeX would eat them
YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
DASHES = re.compile(r"\s*(?:-+|\u2013|\u2014|\u2012|\u2010)\s*")
PAGE_TOKEN = re.compile(r"^[A-Za-z]*\d+[A-Za-z0-9.]*$|^[ivxlcdm]+$", re.IGNORECASE)
# Scopus glues affiliation letters to initials: "D'Ambrosio, A.a , Aria, M.a" / "Li, L.Z.a  b".
AFFILIATION_LETTERS = re.compile(r"(?<=\.)(?:\s*[a-z](?![\w.]))+\s*(?=,|$)")
INITIALS_PART = re.compile(r"^(?:[A-Z\u00C0-\u00DE][a-z]?\.?[\s-]*)+$")
ORCID_PAIR = re.compile(r"([^/;\n]+?)\s*/\s*(\d{4}-\d{4}-\d{4}-\d{3}[\dXx])")


def _decoding_middleware():
    """bibtexparser's LatexDecodingMiddleware with a fast path and list values (built on first use)."""
    from bibtexparser.middlewares import LatexDecodingMiddleware

    class FastLatexDecoding(LatexDecodingMiddleware):
        def _transform_python_value_string(self, python_string: str) -> tuple[str, str]:
            return decode_latex(python_string, self._decoder), ""

        def transform_entry(self, entry, library):
            for fld in entry.fields:
                decoder = None if fld.key.lower() in VERBATIM_FIELDS else self._decoder
                if isinstance(fld.value, str):
                    fld.value = decode_latex(fld.value, decoder)
                elif isinstance(fld.value, list):
                    fld.value = [decode_latex(v, decoder) for v in fld.value]
            return entry

    return FastLatexDecoding()


def decode_latex(value: str, decoder=None) -> str:
    """LaTeX -> plain text, one line: bare ``&``/``%``/``#`` kept, braces dropped, spaces squeezed.

    Only the words that hold a macro or math go through ``decoder`` (pylatexenc, slow); the rest
    take a table. Without a decoder (URLs, DOIs) only braces and backslash escapes are removed."""
    if decoder is None:
        return " ".join(VERBATIM_ESCAPE.sub(r"\1", value).replace("{", "").replace("}", "").split())
    if not NEEDS_LATEX.search(value):
        return _plain(value)
    out = []
    for word in _latex_words(value):
        if NEEDS_LATEX.search(word):
            try:
                word = decoder.latex_to_text(UNESCAPED_SPECIAL.sub(r"\\\1", word))
            except Exception:  # noqa: BLE001 - pylatexenc on odd input; keep the text as written
                log.debug("LaTeX decoding failed for %r", word[:80], exc_info=True)
                word = word.replace("{", "").replace("}", "")
            out.append(word)
        else:
            out.append(_plain(word))
    return " ".join(" ".join(out).replace("\xa0", " ").split())


def _plain(text: str) -> str:
    text = text.replace("{", "").replace("}", "")
    for latex, char in LIGATURES:
        if latex in text:
            text = text.replace(latex, char)
    return " ".join(text.replace("\xa0", " ").split())


def _latex_words(value: str) -> Iterator[str]:
    """Split at spaces outside braces and math; a bare accent macro (``\\c c``) stays with its word."""
    current = ""
    depth = dollars = 0
    for word in value.split():
        current = f"{current} {word}" if current else word
        depth += word.count("{") - word.count("\\{") - word.count("}") + word.count("\\}")
        dollars += word.count("$") - word.count("\\$")
        if depth <= 0 and dollars % 2 == 0 and not BARE_MACRO.search(word):
            yield current
            current = ""
            depth = dollars = 0
    if current:
        yield current


class _Middlewares:
    """The bibtexparser middlewares applied to each entry, in order (built once per file)."""

    def __init__(self) -> None:
        from bibtexparser.middlewares import RemoveEnclosingMiddleware, SeparateCoAuthors

        self.remove_enclosing = RemoveEnclosingMiddleware()
        self.separate = SeparateCoAuthors(name_fields=NAME_FIELDS)
        self.decode = _decoding_middleware()


# -- reading -----------------------------------------------------------------------------------

def read_bibtex(path: str | Path, *, stream=None, chunk_chars: int = CHUNK_CHARS
                ) -> Iterator[Record | Diagnostic]:
    """Yield a Record per BibTeX entry in ``path`` and a Diagnostic per problem; never raises for data."""
    path = str(path)
    lines = TextLines(path, FORMAT, stream)
    parser = _ChunkParser(path)
    buf: list[str] = []
    start = 1
    size = 0
    for number, text in lines:
        yield from lines.drain()
        if size >= chunk_chars and ENTRY_START.match(text):
            yield from parser.parse("\n".join(buf), start)
            buf, size = [], 0
        if not buf:
            start = number
        buf.append(text)
        size += len(text) + 1
    yield from lines.drain()
    if buf:
        yield from parser.parse("\n".join(buf), start)
    log.debug("read %d BibTeX entries from %s", parser.ordinal, path)


class _ChunkParser:
    """Parses chunks of whole entries; keeps the entry ordinal and @string macros across chunks."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.ordinal = 0
        self.strings: dict[str, str] = {}
        self.mw = _Middlewares()

    def parse(self, text: str, first_line: int) -> Iterator[Record | Diagnostic]:
        import bibtexparser
        from bibtexparser.model import (DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry,
                                        ParsingFailedBlock, String)

        library = bibtexparser.parse_string(text, parse_stack=[])
        blocks = library.blocks
        skip = -1
        for i, block in enumerate(blocks):
            if i == skip:
                continue
            line = first_line + (block.start_line or 0)
            if isinstance(block, String):
                self._add_string(block, library)
            elif isinstance(block, Entry):
                self.ordinal += 1
                after = blocks[i + 1] if i + 1 < len(blocks) else None
                repaired = _rejoin_cut_entry(block, after)
                if repaired is not None:  # an extra '}' closed the entry early: the rest were its fields
                    skip = i + 1
                    brace = line + (block.raw or "").count("\n")
                    yield from self._entry(repaired, library, line, [(
                        brace, "extra '}' ends the entry early; the fields after it were read as part of "
                        "the entry (check the braces of the field on this line)", "extra-brace")])
                    continue
                yield from self._entry(block, library, line, [])
            elif isinstance(block, DuplicateFieldKeyBlock) and isinstance(block.ignore_error_block, Entry):
                self.ordinal += 1
                keys = ", ".join(sorted(block.duplicate_keys))
                yield from self._entry(block.ignore_error_block, library, line, [
                    (line, f"field(s) {keys} given more than once: keyword lists are merged, otherwise "
                           "the first value is used and the others are kept in extra", "duplicate-field")])
            elif isinstance(block, DuplicateBlockKeyBlock) and isinstance(block.ignore_error_block, Entry):
                self.ordinal += 1  # a reused citation key: still a separate record
                yield from self._entry(block.ignore_error_block, library, line, [])
            elif isinstance(block, ParsingFailedBlock):
                yield from self._failed(block, line)

    def _add_string(self, block, library) -> None:
        try:
            self.mw.remove_enclosing.transform_block(block, library)
            self.strings[block.key.lower()] = block.value
        except Exception:  # noqa: BLE001 - a macro we cannot read is simply not resolved
            log.debug("cannot read @string %r", getattr(block, "key", None), exc_info=True)

    def _failed(self, block, line: int) -> Iterator[Diagnostic]:
        m = ENTRY_START.match(block.raw or "")
        kind = m.group(1).lower() if m else ""
        error = block.error
        reason = getattr(error, "abort_reason", None) or " ".join(str(error).split()) or type(error).__name__
        if kind in NON_RECORD_TYPES or not m:
            yield Diagnostic(Source(self.path, line, FORMAT), "warning",
                             f"@{kind or '?'} block skipped: {reason}", kind="bad-block")
            return
        self.ordinal += 1
        key = _entry_key(block.raw or "")
        yield Diagnostic(Source(self.path, line, FORMAT), "error",
                         f"entry {'@' + kind + '{' + key if key else '@' + kind} skipped: {reason}",
                         record=self.ordinal, kind="bad-record")

    def _entry(self, entry, library, line: int, problems: list[tuple[int, str, str]]
               ) -> Iterator[Record | Diagnostic]:
        src = Source(self.path, line, FORMAT)
        try:
            self._resolve_strings(entry)
            self.mw.remove_enclosing.transform_block(entry, library)
            for fld in entry.fields:
                fld.key = fld.key.strip().lower()  # "Author" (WoS, JabRef) is "author"
                if fld.key in LINE_LIST_FIELDS and isinstance(fld.value, str):
                    fld.value = [v for v in fld.value.split("\n") if v.strip()]
            self.mw.separate.transform_block(entry, library)
            self.mw.decode.transform_block(entry, library)
            record, more = _to_record(entry, src)
        except Exception as exc:  # a record we cannot map costs only itself
            log.debug("cannot map entry %d of %s", self.ordinal, self.path, exc_info=True)
            yield Diagnostic(src, "error", f"entry skipped: {' '.join(str(exc).split()) or type(exc).__name__}",
                             record=self.ordinal, kind="bad-record")
            return
        for pline, message, kind in problems + more:
            yield Diagnostic(Source(self.path, pline, FORMAT), "warning", message, record=self.ordinal, kind=kind)
        yield from finish(record, self.ordinal)
        yield record

    def _resolve_strings(self, entry) -> None:
        if not self.strings:
            return
        for fld in entry.fields:
            value = fld.value
            if isinstance(value, str) and value and value[0] not in '{"':
                resolved = self.strings.get(value.strip().lower())
                if resolved is not None:
                    fld.value = "{" + resolved + "}"


FIELD_AFTER_CUT = re.compile(r"\A\s*,?\s*[A-Za-z][\w-]*\s*=")


def _rejoin_cut_entry(entry, after):
    """The entry re-read with the text after it, when that text is the entry's own remaining fields
    (``title = {{Title}}},`` closes the entry one brace early and leaves ``, year = ...}`` outside any
    entry); None when it is not that case or the re-read does not give exactly one entry."""
    import bibtexparser
    from bibtexparser.model import Entry, ImplicitComment

    if not isinstance(after, ImplicitComment) or not entry.raw or not entry.raw.rstrip().endswith("}"):
        return None
    rest = after.raw or ""
    if not FIELD_AFTER_CUT.match(rest):
        return None
    raw = entry.raw.rstrip()
    joined = raw[:-1] + rest  # the extra brace goes; the closing one of the text after it ends the entry
    blocks = bibtexparser.parse_string(joined, parse_stack=[]).blocks
    entries = [b for b in blocks if isinstance(b, Entry)]
    if len(entries) != 1 or len(blocks) != 1:
        return None
    return entries[0]


def _entry_key(raw: str) -> str:
    m = re.match(r"^\s*@\s*[\w-]+\s*[{(]\s*([^,\s{}()]*)", raw)
    return m.group(1) if m else ""


# -- mapping -----------------------------------------------------------------------------------

def _to_record(entry, src: Source) -> tuple[Record, list[tuple[int, str, str]]]:
    problems: list[tuple[int, str, str]] = []
    fields: dict[str, list] = {}
    for fld in entry.fields:
        fields.setdefault(fld.key.strip().lower(), []).append(fld.value)
    record = Record(source=src)
    used: set[str] = set()  # fields whose first value was mapped (later values go to extra)

    def first(names: tuple[str, ...] | str, mark: bool = True) -> str | None:
        for name in (names,) if isinstance(names, str) else names:
            for value in fields.get(name, []):
                text = _text(value)
                if text:
                    if mark:
                        used.add(name)
                    return text
        return None

    for name, attr in SCALAR_FIELDS.items():
        if getattr(record, attr) is None:
            setattr(record, attr, first(name))
    # document_type (Scopus) / type (WoS) name the document; for other entries "type" is a report's
    # subtype ("COINS Technical Report"): then the entry type (@techreport) gives the CSL type
    record.type_raw = first(TYPE_FIELDS) or entry.entry_type.lower()
    if not doctypes.known(FORMAT, record.type_raw):
        record.type = doctypes.csl_type(FORMAT, entry.entry_type.lower())
    year_text = first(YEAR_FIELDS, mark=False)
    if year_text and (m := YEAR.search(year_text)):
        record.year = int(m.group(1))
        first(YEAR_FIELDS)
    elif year_text:
        problems.append((src.line, f"no year in {year_text!r}; kept in extra", "bad-year"))

    record.authors = _authors(fields.get(AUTHOR_FIELD, []))
    _attach_orcids(record.authors, fields.get(ORCID_FIELD, []))

    name = first(JOURNAL_FIELDS)
    abbrev = first(ABBREV_FIELDS)
    issns: list[str] = []
    for fname in ISSN_FIELDS:
        for value in fields.get(fname, []):
            for part in re.split(r"[,;\s]+", _text(value)):
                issn = normalise_issn(part) if part else None
                if issn and issn not in issns:
                    issns.append(issn)
                    used.add(fname)
    if name or abbrev or issns:
        record.journal = JournalRef(name=name, abbreviation=abbrev, issns=issns)

    doi_text = first(DOI_FIELDS, mark=False)
    if doi_text:
        record.doi = normalise_doi(doi_text)
        if record.doi:
            first(DOI_FIELDS)
        else:
            problems.append((src.line, f"DOI {doi_text!r} not recognised; kept in extra", "bad-doi"))
    pmid = first(PMID_FIELDS, mark=False)
    if pmid and pmid.isdigit():
        record.pmid = first(PMID_FIELDS)

    pages = first(PAGES_FIELD, mark=False)
    if pages:
        record.first_page, record.last_page = parse_pages(pages)
        if record.first_page:
            first(PAGES_FIELD)
    record.article_number = first(ARTICLE_NUMBER_FIELDS)

    seen: set[str] = set()  # exact spelling: a MeSH 'Humans' beside an Emtree 'humans' both stay
    for fname in KEYWORD_FIELDS:
        for value in fields.get(fname, []):
            for term in split_keywords(_text(value)):
                if term not in seen:
                    seen.add(term)
                    record.keywords.append(term)

    for fname, sep in REFERENCE_FIELDS.items():
        for value in fields.get(fname, []):
            items = value if isinstance(value, list) else _text(value).split(sep)
            record.references.extend(r for item in items if (r := _text(item).strip().rstrip(";").strip()))

    extra: dict[str, list[str]] = {"entry_type": [entry.entry_type.lower()]}
    if entry.key:
        extra["citation_key"] = [entry.key]
    consumed = {AUTHOR_FIELD, *REFERENCE_FIELDS, *(k for k in KEYWORD_FIELDS if k not in KEEP_RAW_KEYWORD_FIELDS)}
    for key, values in fields.items():
        if key in consumed:
            continue
        texts = [t for v in values if (t := _text(v))]
        if key in used:
            texts = texts[1:]
        if texts:
            extra.setdefault(key, []).extend(texts)
    record.extra = extra
    return record, problems


def _text(value) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value).strip()


def split_keywords(text: str) -> list[str]:
    """``a; b; c`` or ``a, b, c`` (when there is no ``;``) -> terms."""
    if not text:
        return []
    sep = ";" if ";" in text else ","
    return [t.strip() for t in text.split(sep) if t.strip()]


def parse_pages(value: str) -> tuple[str | None, str | None]:
    """``52--58`` / ``52–58`` / ``79 – 88`` / ``pp. 9-17`` / ``e1234`` -> (first, last); else (None, None)."""
    text = re.sub(r"^(?:pp?\.?\s*)", "", value.strip(), flags=re.IGNORECASE)
    parts = [p for p in DASHES.split(text) if p]
    if len(parts) == 1 and PAGE_TOKEN.match(parts[0]):
        return parts[0], None
    if len(parts) == 2 and all(PAGE_TOKEN.match(p) for p in parts):
        return parts[0], parts[1]
    return None, None


def _authors(values: list) -> list[Person]:
    names: list[str] = []
    for value in values:
        names.extend(value if isinstance(value, list) else [value])
    people: list[Person] = []
    for name in names:
        for single in _expand(str(name)):
            person = split_name(single)
            if person.family:
                people.append(person)
    return people


def _expand(name: str) -> list[str]:
    """One ``and``-separated name -> names, undoing Scopus' comma lists and affiliation letters."""
    text = AFFILIATION_LETTERS.sub("", name).strip().rstrip(",").strip()
    parts = [p.strip() for p in text.split(",")]
    if len(parts) > 2 and len(parts) % 2 == 0 and all(INITIALS_PART.match(p) for p in parts[1::2]):
        return [f"{parts[i]}, {parts[i + 1]}" for i in range(0, len(parts), 2)]
    if len(parts) >= 2 and all(re.match(r"^[A-Z]\.\s*\S", p) and " " in p for p in parts):
        return parts  # "M. Halle, J. Bresnan": given-first names listed with commas
    return [text] if text else []


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()


def _attach_orcids(people: list[Person], values: list) -> None:
    if not values or not people:
        return
    for value in values:
        for line in (value if isinstance(value, list) else [value]):
            for who, orcid_text in ORCID_PAIR.findall(str(line)):
                orcid = normalise_orcid(orcid_text)
                target = split_name(who.strip().lstrip(";").strip())
                family = _fold(target.family)
                matches = [p for p in people if _fold(p.family) == family]
                if not matches:  # WoS BibTeX: author "Antonio Gomez-Ruiz, Jose", ORCID "Gomez-Ruiz, Jose Antonio"
                    matches = [p for p in people if _fold(p.family).endswith(" " + family)]
                if len(matches) > 1 and target.given:
                    matches = [p for p in matches if p.given and _fold(p.given)[:1] == _fold(target.given)[:1]]
                if len(matches) == 1 and matches[0].orcid is None:
                    matches[0].orcid = orcid
