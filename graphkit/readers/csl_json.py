"""CSL-JSON reader (Zotero / Better BibTeX / Mendeley / pandoc ``.json`` exports).

Accepts an array of items (pretty-printed or one item per line), a single item, or JSON Lines.
Streaming: the file is decoded in chunks and items are taken one at a time with
``json.JSONDecoder.raw_decode``, so only the current item (plus one chunk) is in memory. A broken
item becomes an error Diagnostic with its line; reading resumes at the next line that starts an
item (``{`` at an indent of at most two spaces).

Mapping: ``author`` [{family, given, non-dropping-particle} | {literal}], ``issued`` date-parts
(strings allowed, seasons 13-16/21-24 and ranges; only the year is mapped, the raw date is kept in
extra), ``container-title`` / ``container-title-short``, ``page`` with an en dash, ``DOI`` (short
DOIs like ``10/fqd6hj`` are kept, lower-cased), ``ISSN`` with several values, ``PMID``, ``keyword``,
``abstract``. HTML markup in titles (``<i>``, ``<b>``, ``<sub>``, ``<span class="nocase">``) is
stripped to text. Other keys are kept in ``Record.extra`` (non-strings as compact JSON).
"""

from __future__ import annotations

import codecs
import html
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graphkit.model import Diagnostic, JournalRef, Person, Record, Source
from graphkit.readers._clean import finish
from graphkit.readers.bibtex import parse_pages, split_keywords
from graphkit.readers.medline import normalise_doi, normalise_issn

log = logging.getLogger(__name__)

FORMAT = "csl-json"
CHUNK = 1 << 20

# -- key tables (data) -------------------------------------------------------------------------
SCALAR_KEYS: dict[str, str] = {
    "title": "title",
    "volume": "volume",
    "issue": "issue",
    "publisher": "publisher",
    "abstract": "abstract",
    "type": "type_raw",
}
MARKUP_KEYS = ("title", "abstract", "container-title")  # may hold CSL's HTML-like rich text
AUTHOR_KEY = "author"
DATE_KEYS = ("issued", "original-date", "event-date")  # the first with a year gives Record.year
JOURNAL_KEYS = ("container-title",)
ABBREV_KEYS = ("container-title-short", "journalAbbreviation")
ISSN_KEY = "ISSN"
DOI_KEY = "DOI"
PMID_KEY = "PMID"
PAGE_KEYS = ("page", "page-first")
KEYWORD_KEY = "keyword"

ITEM_RESYNC = re.compile(r"\n[ \t]{0,2}\{")
TAG = re.compile(r"</?(?:i|b|em|strong|sub|sup|sc|span|a)(?:\s[^<>]*)?/?>", re.IGNORECASE)
SHORT_DOI = re.compile(r"^(?:https?://doi\.org/)?(10/[A-Za-z0-9]+)$")
YEAR = re.compile(r"-?\d{1,4}")


def read_csl_json(path: str | Path, *, stream=None, chunk_size: int = CHUNK) -> Iterator[Record | Diagnostic]:
    """Yield a Record per CSL item in ``path`` and a Diagnostic per problem; never raises for data."""
    path = str(path)
    ordinal = 0
    for line, item, error in iter_json_items(path, stream=stream, chunk_size=chunk_size):
        src = Source(path, line, FORMAT)
        if error is not None:
            if item is None and error.startswith("!"):  # a file-level problem, not an item
                kind, _, message = error[1:].partition(":")
                yield Diagnostic(src, "warning", message, kind=kind)
                continue
            ordinal += 1
            yield Diagnostic(src, "error", f"item skipped: {error}", record=ordinal, kind="bad-record")
            continue
        ordinal += 1
        if not isinstance(item, dict):
            yield Diagnostic(src, "error", f"item skipped: a JSON {type(item).__name__}, not an object",
                             record=ordinal, kind="bad-record")
            continue
        try:
            record, problems = _to_record(item, src)
        except Exception as exc:  # an item we cannot map costs only itself
            log.debug("cannot map item %d of %s", ordinal, path, exc_info=True)
            yield Diagnostic(src, "error", f"item skipped: {' '.join(str(exc).split()) or type(exc).__name__}",
                             record=ordinal, kind="bad-record")
            continue
        for message, kind in problems:
            yield Diagnostic(src, "warning", message, record=ordinal, kind=kind)
        yield from finish(record, ordinal)
        yield record
    log.debug("read %d CSL item(s) from %s", ordinal, path)


def iter_json_items(path: str, *, stream=None, chunk_size: int = CHUNK
                    ) -> Iterator[tuple[int, Any, str | None]]:
    """Yield ``(line, item, error)`` for each element of a top-level array (or each top-level value).

    ``error`` is None for a good item; for a broken one it says why and ``item`` is None. A message
    ``!kind:text`` is about the file (invalid UTF-8, text after the array), not an item."""
    fh = open(path, "rb") if stream is None else stream
    try:
        yield from _JsonItems(fh, chunk_size).items()
    finally:
        if stream is None:
            fh.close()


class _JsonItems:
    def __init__(self, fh, chunk_size: int) -> None:
        self.fh = fh
        self.chunk_size = chunk_size
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.json = json.JSONDecoder()
        self.buf = ""
        self.pos = 0
        self.line = 1  # line number at self.pos
        self.eof = False
        self.first = True
        self.bad_encoding_line: int | None = None
        self.reported_encoding = False

    def _more(self, at_least: int = 0) -> bool:
        """Read on: at least one chunk, or ``at_least`` characters' worth (an item cut by the chunk end
        is re-decoded from its start, so the read grows with it: linear, not quadratic, for a huge item)."""
        if self.eof:
            return False
        raw = self.fh.read(max(self.chunk_size, at_least))
        if self.first:
            raw = raw[3:] if raw.startswith(codecs.BOM_UTF8) else raw
            self.first = False
        text = self.decoder.decode(raw, final=not raw)
        if "\ufffd" in text and self.bad_encoding_line is None and b"\xef\xbf\xbd" not in raw:
            self.bad_encoding_line = self.line + self.buf.count("\n", self.pos) + text.count("\n", 0, text.index("\ufffd"))
        if not raw:
            self.eof = True
        # drop what is consumed, keep the line count right
        self.buf = self.buf[self.pos:] + text
        self.pos = 0
        return bool(raw)

    def _advance(self, to: int) -> None:
        self.line += self.buf.count("\n", self.pos, to)
        self.pos = to

    def _skip(self, chars: str) -> str | None:
        """Skip ``chars``; return the next character (reading more as needed) or None at the end."""
        while True:
            n = len(self.buf)
            p = self.pos
            while p < n and self.buf[p] in chars:
                p += 1
            self._advance(p)
            if p < n:
                return self.buf[p]
            if not self._more():
                return None

    def items(self) -> Iterator[tuple[int, Any, str | None]]:
        ws = " \t\r\n"
        head = self._skip(ws)
        in_array = head == "["
        if in_array:
            self._advance(self.pos + 1)
        while True:
            c = self._skip(ws + ("," if in_array else ""))
            if c is None:
                if in_array:
                    yield self.line, None, "!truncated:file ends before the closing ]"
                break
            if in_array and c == "]":
                self._advance(self.pos + 1)
                break
            start_line = self.line
            item, error = self._decode_one()
            if self.bad_encoding_line is not None and not self.reported_encoding:
                yield self.bad_encoding_line, None, "!encoding:invalid UTF-8 bytes replaced by U+FFFD"
                self.reported_encoding = True
            yield start_line, item, error
            if error is not None and not self._resync():
                return
        if in_array and self._skip(ws) is not None:
            yield self.line, None, "!junk:text after the closing ] ignored"

    def _decode_one(self) -> tuple[Any, str | None]:
        while True:
            try:
                item, end = self.json.raw_decode(self.buf, self.pos)
            except RecursionError:  # arrays/objects nested deeper than Python's stack: this item only
                return None, f"invalid JSON at line {self.line}: nested too deeply to read"
            except json.JSONDecodeError as exc:
                # The chunk end may cut the item (mid-string, mid-escape): then read on. An
                # unterminated string in a broken file reads on to the end of the file.
                cut = exc.pos >= len(self.buf) - 8 or exc.msg.startswith("Unterminated string")
                if cut and self._more(len(self.buf) - self.pos):
                    continue
                return None, f"invalid JSON at line {self.line + self.buf.count(chr(10), self.pos, exc.pos)}: {exc.msg}"
            # a number or literal may also be cut by the chunk end: make sure something follows
            if end >= len(self.buf) and not self.eof and self._more(len(self.buf) - self.pos):
                continue
            self._advance(end)
            return item, None

    def _resync(self) -> bool:
        """After a broken item, go to the next line that starts an item; False if there is none."""
        while True:
            m = ITEM_RESYNC.search(self.buf, self.pos + 1)
            if m:
                self._advance(m.start() + 1)
                return True
            if not self._more():
                return False


# -- mapping -----------------------------------------------------------------------------------

def _to_record(item: dict[str, Any], src: Source) -> tuple[Record, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    record = Record(source=src)
    used: set[str] = set()
    for key, attr in SCALAR_KEYS.items():
        text = _text(item.get(key))
        if text:
            setattr(record, attr, strip_markup(text) if key in MARKUP_KEYS else text)
            used.add(key)
    record.authors = [p for p in (_person(a) for a in _list(item.get(AUTHOR_KEY))) if p is not None]
    used.add(AUTHOR_KEY)
    for key in DATE_KEYS:
        if key in item:
            year = date_year(item[key])
            if year is not None:
                record.year = year
                break
    if record.year is None and "issued" in item:
        problems.append((f"no year in issued {json.dumps(item['issued'], ensure_ascii=False)[:80]}", "bad-year"))
    name = strip_markup(_text(item.get(JOURNAL_KEYS[0]))) or None
    abbrev = next((t for k in ABBREV_KEYS if (t := _text(item.get(k)))), None)
    issns: list[str] = []
    for part in re.split(r"[,;\s]+", _text(item.get(ISSN_KEY))):
        issn = normalise_issn(part) if part else None
        if issn and issn not in issns:
            issns.append(issn)
    if name or abbrev or issns:
        record.journal = JournalRef(name=name, abbreviation=abbrev, issns=issns)
    used.update((*JOURNAL_KEYS, *ABBREV_KEYS, ISSN_KEY))
    doi = _text(item.get(DOI_KEY))
    if doi:
        short = SHORT_DOI.match(doi)
        record.doi = short.group(1).lower() if short else normalise_doi(doi)
        if record.doi:
            used.add(DOI_KEY)
        else:
            problems.append((f"DOI {doi!r} not recognised; kept in extra", "bad-doi"))
    pmid = _text(item.get(PMID_KEY))
    if pmid.isdigit():
        record.pmid = pmid
        used.add(PMID_KEY)
    for key in PAGE_KEYS:
        if (pages := _text(item.get(key))):
            record.first_page, record.last_page = parse_pages(pages)
            if record.first_page:
                used.add(key)
                break
    record.keywords = split_keywords(_text(item.get(KEYWORD_KEY)))
    used.add(KEYWORD_KEY)
    for key, value in item.items():
        if key in used or value in (None, "", [], {}):
            continue
        record.extra[key] = [value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)]
    return record, problems


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):  # some producers write container-title as a list
        return "; ".join(_text(v) for v in value if v is not None)
    return " ".join(str(value).split())


def _list(value: Any) -> list:
    return value if isinstance(value, list) else [value] if value else []


def _person(value: Any) -> Person | None:
    if isinstance(value, str):
        from graphkit.readers._names import split_name

        return split_name(value) if value.strip() else None
    if not isinstance(value, dict):
        return None
    family = _text(value.get("family"))
    particle = _text(value.get("non-dropping-particle"))
    if particle:
        family = f"{particle} {family}".strip()
    given = _text(value.get("given"))
    dropping = _text(value.get("dropping-particle"))
    if dropping:
        given = f"{given} {dropping}".strip()
    if not family:
        family = _text(value.get("literal")) or given
        given = "" if family == given else given
    if not family:
        return None
    return Person(family=family, given=given or None, raw=json.dumps(value, ensure_ascii=False))


def date_year(value: Any) -> int | None:
    """The year of a CSL date: date-parts (numbers or strings, ranges: the first), raw or literal."""
    if isinstance(value, dict):
        parts = value.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            first = parts[0][0]
            if isinstance(first, int) and not isinstance(first, bool):
                return first
            if isinstance(first, str) and re.fullmatch(r"\s*-?\d{1,4}\s*", first):
                return int(first)
        for key in ("raw", "literal"):
            text = value.get(key)
            if isinstance(text, str) and (m := re.search(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)", text)):
                return int(m.group(1))
        return None
    if isinstance(value, str) and (m := re.search(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)", value)):
        return int(m.group(1))
    return None


def strip_markup(text: str) -> str:
    """CSL rich text -> plain: tags like ``<i>``, ``<span class="nocase">`` removed, entities decoded."""
    if not text:
        return text
    if "<" in text:
        text = TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.split())
