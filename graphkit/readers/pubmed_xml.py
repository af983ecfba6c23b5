"""PubMed XML reader: the format of the PubMed baseline and daily update files and of E-utilities efetch.

``<PubmedArticleSet>`` holds ``<PubmedArticle>`` (a MEDLINE citation plus PubMed data),
``<PubmedBookArticle>`` (a book or chapter) and, in update files, ``<DeleteCitation>`` (PMIDs that
leave PubMed). Plain ``.xml`` and gzip-compressed ``.xml.gz`` (how NLM ships them) are both read.

Streaming: the file is fed to expat in 1 MiB pieces and every article element is dropped once it
became a Record, so memory stays flat on a 4 GB baseline file. Each record's ``Source.line`` is the line
of its opening tag. External entities and DTDs are never loaded (the DOCTYPE of NLM's files names a DTD
on a server: it is not fetched). Malformed XML becomes one error diagnostic with its line; the records
read before it are kept (expat cannot resume after a syntax error, so the rest of the file is reported
as skipped).

The fields the MEDLINE reader fills are filled the same way (``graphkit.readers.medline`` shares its
value parsers): DOI from ``ELocationID EIdType="doi"`` or ``ArticleIdList``, MedlinePgn expanded
(``436-44`` -> 436/444), ORCIDs from ``Identifier Source="ORCID"``, MeSH with ``MajorTopicYN`` on the
descriptor or a qualifier and the qualifiers, ISSNs (linking first, then print, electronic). What has no
Record field is kept in ``Record.extra`` under the MEDLINE tag names, so downstream code sees one
vocabulary for both: ``AD`` (affiliations, in author order), ``AD-AUTHOR`` (``"<position>|<affiliation>"``,
1-based author position, one per AffiliationInfo), ``CN`` (collective names), ``PT`` (all publication
types) and ``PT-UI`` (their UIs), ``MH-UI`` (``"<heading>|<descriptor UI>"``), ``PMC``, ``LA``, ``PL``.
References (``ReferenceList``) become ``Record.references``: the citation text, followed by
``doi:<doi>`` and ``PMID:<pmid>`` from the reference's ArticleIdList when the text lacks them.

A ``DeleteCitation`` yields one Record per PMID with ``deleted=True`` and nothing but the PMID: the
build drops every record with that PMID (see ``graphkit.build``).
"""

from __future__ import annotations

import gzip
import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from xml.parsers import expat

from graphkit.model import Diagnostic, JournalRef, MeshRef, Person, Record, Source
from graphkit.readers._clean import finish
from graphkit.readers.medline import (
    ISSN_KIND_ORDER,
    YEAR,
    normalise_doi,
    normalise_issn,
    normalise_orcid,
    order_issns,
    parse_pages,
)

log = logging.getLogger(__name__)

FORMAT = "pubmed-xml"
CHUNK = 1 << 20
ARTICLE_TAGS = frozenset({"PubmedArticle", "PubmedBookArticle"})
DELETE_TAG = "DeleteCitation"
RECORD_TAGS = ARTICLE_TAGS | {DELETE_TAG}
# ArticleId IdType -> where it goes ("doi" and "pubmed" have Record fields)
ARTICLE_ID_EXTRA = {"pmc": "PMC", "pii": "PII", "mid": "MID"}


def _open(path: str):
    with open(path, "rb") as fh:
        magic = fh.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def read_pubmed_xml(path: str | Path) -> Iterator[Record | Diagnostic]:
    """Yield a Record per article (and per deleted PMID) and a Diagnostic per problem."""
    path = str(path)
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    builder = ET.TreeBuilder()
    stack: list[ET.Element] = []
    done: list[tuple[ET.Element, int]] = []
    lines: list[int] = []
    depth_of_record: list[int] = []
    seen_root = [False]

    def start(tag: str, attrs: dict[str, str]) -> None:
        seen_root[0] = True
        el = builder.start(tag, attrs)
        stack.append(el)
        if tag in RECORD_TAGS and not depth_of_record:
            depth_of_record.append(len(stack))
            lines.append(parser.CurrentLineNumber)

    def end(tag: str) -> None:
        el = builder.end(tag)
        stack.pop()
        if depth_of_record and len(stack) + 1 == depth_of_record[0]:
            depth_of_record.clear()
            done.append((el, lines.pop()))
            if stack:  # drop the finished article from its parent: memory stays flat
                stack[-1].remove(el)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    # an entity the document declares externally is never fetched; an undefined one is an error in expat
    parser.ExternalEntityRefHandler = lambda *args: 1

    ordinal = 0
    try:
        fh = _open(path)
    except OSError as exc:
        yield Diagnostic(Source(path, 1, FORMAT), "error", f"cannot open: {exc}", kind="unreadable")
        return
    with fh:
        while True:
            try:
                chunk = fh.read(CHUNK)
            except (OSError, EOFError) as exc:  # a cut gzip stream
                yield from _emit(path, done, ordinal)
                yield Diagnostic(Source(path, parser.CurrentLineNumber, FORMAT), "error",
                                 f"file is cut or damaged, rest of file skipped: {exc}", kind="truncated")
                return
            try:
                parser.Parse(chunk, not chunk)
            except expat.ExpatError as exc:
                for item in _emit(path, done, ordinal):
                    ordinal += isinstance(item, Record)
                    yield item
                what = "file ends inside a record" if not chunk else "malformed XML"
                kind = "truncated" if not chunk else "bad-xml"
                yield Diagnostic(Source(path, exc.lineno, FORMAT), "error",
                                 f"{what} ({expat.errors.messages[exc.code]}), rest of file skipped",
                                 record=ordinal + 1 if depth_of_record else None, kind=kind)
                return
            for item in _emit(path, done, ordinal):
                ordinal += isinstance(item, Record) and not item.deleted
                yield item
            done.clear()
            if not chunk:
                break
    if not seen_root[0]:
        yield Diagnostic(Source(path, 1, FORMAT), "error", "no XML element found", kind="unreadable")
    log.debug("read %d PubMed XML record(s) from %s", ordinal, path)


def _emit(path: str, done: list[tuple[ET.Element, int]], ordinal: int) -> Iterator[Record | Diagnostic]:
    for el, line in done:
        src = Source(path, line, FORMAT)
        if el.tag == DELETE_TAG:
            for pmid in el.iter("PMID"):
                value = _text(pmid)
                if value.isdigit():
                    yield Record(source=src, pmid=value, deleted=True)
            continue
        ordinal += 1
        try:
            rec, problems = _to_record(el, src)
        except Exception as exc:  # a record we cannot map costs only itself
            log.debug("cannot map record %d of %s", ordinal, path, exc_info=True)
            yield Diagnostic(src, "error", f"record skipped: {' '.join(str(exc).split()) or type(exc).__name__}",
                             record=ordinal, kind="bad-record")
            continue
        for message, kind in problems:
            yield Diagnostic(src, "warning", message, record=ordinal, kind=kind)
        yield from finish(rec, ordinal)
        if not rec.title:
            yield Diagnostic(src, "warning", "record has no title (ArticleTitle)", record=ordinal,
                             kind="incomplete")
        yield rec
    done.clear()


def _text(el: ET.Element | None) -> str:
    """All text inside an element (inline markup such as <i> or <sup> included), spaces folded."""
    if el is None:
        return ""
    return " ".join("".join(el.itertext()).split())


def _person(author: ET.Element) -> Person | None:
    family = _text(author.find("LastName"))
    given = _text(author.find("ForeName")) or _text(author.find("Initials"))
    suffix = _text(author.find("Suffix"))
    if not family:
        return None
    if suffix:
        given = f"{given} {suffix}".strip()
    orcid = None
    for ident in author.findall("Identifier"):
        if ident.get("Source", "").upper() == "ORCID":
            orcid = normalise_orcid(_text(ident))
            if orcid:
                break
    raw = f"{family}, {given}" if given else family
    return Person(family=family, given=given or None, orcid=orcid, raw=raw)


def _to_record(el: ET.Element, src: Source) -> tuple[Record, list[tuple[str, str]]]:
    rec = Record(source=src)
    problems: list[tuple[str, str]] = []
    extra = rec.extra

    def keep(tag: str, value: str) -> None:
        if value:
            extra.setdefault(tag, []).append(value)

    book = el.tag == "PubmedBookArticle"
    citation = el.find("BookDocument" if book else "MedlineCitation")
    if citation is None:
        raise ValueError(f"<{el.tag}> without <{'BookDocument' if book else 'MedlineCitation'}>")
    pmid = _text(citation.find("PMID"))
    if pmid.isdigit():
        rec.pmid = pmid
    elif pmid:
        problems.append((f"PMID is not a number: {pmid[:30]!r}", "bad-value"))
        keep("PMID", pmid)
    article = citation if book else citation.find("Article")
    if article is None:
        raise ValueError("<MedlineCitation> without <Article>")

    rec.title = _text(article.find("ArticleTitle")) or _text(article.find("VernacularTitle")) or None
    if book:
        book_el = citation.find("Book")
        book_title = _text(book_el.find("BookTitle")) if book_el is not None else ""
        if rec.title is None:
            rec.title = book_title or None
        elif book_title:
            keep("BTI", book_title)
        if book_el is not None:
            rec.publisher = _text(book_el.find("Publisher/PublisherName")) or None
    abstract = article.find("Abstract")
    if abstract is not None:
        parts = []
        for part in abstract.findall("AbstractText"):
            text = _text(part)
            label = part.get("Label")
            if text:
                parts.append(f"{label}: {text}" if label else text)
        rec.abstract = " ".join(parts) or None

    # authors (+ affiliations by position, collective names)
    authors: list[Person] = []
    author_list = article.find("AuthorList")
    for author in author_list.findall("Author") if author_list is not None else []:
        if author.get("ValidYN", "Y") == "N":
            continue
        collective = _text(author.find("CollectiveName"))
        person = _person(author)
        if person is None:
            if collective:
                keep("CN", collective)
            else:
                problems.append(("author without a LastName skipped", "bad-value"))
            continue
        authors.append(person)
        for aff in author.findall("AffiliationInfo/Affiliation"):
            text = _text(aff)
            if text:
                keep("AD", text)
                keep("AD-AUTHOR", f"{len(authors)}|{text}")
    rec.authors = authors

    # journal, issue, date, pages
    if not book:
        journal_el = article.find("Journal")
        journal = JournalRef()
        issns: list[tuple[int, str]] = []
        if journal_el is not None:
            journal.name = _text(journal_el.find("Title")) or None
            journal.abbreviation = _text(journal_el.find("ISOAbbreviation")) or None
            for issn_el in journal_el.findall("ISSN"):
                issn = normalise_issn(_text(issn_el))
                kind = issn_el.get("IssnType", "").lower()
                if issn:
                    issns.append((ISSN_KIND_ORDER.get(kind, 3), issn))
            issue_el = journal_el.find("JournalIssue")
            if issue_el is not None:
                rec.volume = _text(issue_el.find("Volume")) or None
                rec.issue = _text(issue_el.find("Issue")) or None
                rec.year = _year(issue_el.find("PubDate"))
        info = citation.find("MedlineJournalInfo")
        if info is not None:
            linking = normalise_issn(_text(info.find("ISSNLinking")))
            if linking:
                issns.append((ISSN_KIND_ORDER["linking"], linking))
            if journal.abbreviation is None:
                journal.abbreviation = _text(info.find("MedlineTA")) or None
            keep("PL", _text(info.find("Country")))
        journal.issns = order_issns(issns)
        if journal.name or journal.abbreviation or journal.issns:
            rec.journal = journal
    if rec.year is None:
        rec.year = _year(article.find("ArticleDate")) or _year(citation.find("PubDate"))
    pagination = _text(article.find("Pagination/MedlinePgn"))
    if pagination:
        rec.first_page, rec.last_page = parse_pages(pagination)
        if ";" in pagination or "," in pagination:
            keep("PG", pagination)
    else:
        start = _text(article.find("Pagination/StartPage"))
        end = _text(article.find("Pagination/EndPage"))
        rec.first_page, rec.last_page = (start or None), (end or None)

    # identifiers: ELocationID first, then the PubMed data's ArticleIdList
    for loc in article.findall("ELocationID"):
        if loc.get("EIdType") == "doi" and rec.doi is None and loc.get("ValidYN", "Y") != "N":
            rec.doi = normalise_doi(_text(loc))
    for ident in el.findall("PubmedData/ArticleIdList/ArticleId"):
        kind, value = ident.get("IdType", ""), _text(ident)
        if kind == "doi":
            doi = normalise_doi(value)
            if doi and rec.doi is None:
                rec.doi = doi
        elif kind in ARTICLE_ID_EXTRA:
            keep(ARTICLE_ID_EXTRA[kind], value)

    # language, types, keywords, MeSH
    for lang in article.findall("Language"):
        keep("LA", _text(lang))
    types = article.findall("PublicationTypeList/PublicationType")
    if types:
        rec.type_raw = _text(types[0]) or None  # graphkit.doctypes maps it (readers._clean.finish)
        for t in types:
            keep("PT", _text(t))
            keep("PT-UI", t.get("UI", ""))
    seen_kw: set[str] = set()
    for kw in citation.findall("KeywordList/Keyword"):
        text = _text(kw)
        if text and text.casefold() not in seen_kw:
            seen_kw.add(text.casefold())
            rec.keywords.append(text)
    for heading in citation.findall("MeshHeadingList/MeshHeading"):
        descriptor = heading.find("DescriptorName")
        name = _text(descriptor)
        if not name:
            continue
        qualifiers = heading.findall("QualifierName")
        major = descriptor.get("MajorTopicYN") == "Y" or any(q.get("MajorTopicYN") == "Y" for q in qualifiers)
        rec.mesh.append(MeshRef(heading=name, major=major, qualifiers=[_text(q) for q in qualifiers if _text(q)]))
        if descriptor.get("UI"):
            keep("MH-UI", f"{name}|{descriptor.get('UI')}")

    # cited references
    for ref in el.findall("PubmedData/ReferenceList/Reference"):
        text = _text(ref.find("Citation"))
        low = text.lower()
        for ident in ref.findall("ArticleIdList/ArticleId"):
            kind, value = ident.get("IdType", ""), _text(ident)
            if kind == "doi" and value and value.lower() not in low:
                text = f"{text} doi:{value}".strip()
            elif kind == "pubmed" and value and value not in text:
                text = f"{text} PMID:{value}".strip()
        if text:
            rec.references.append(text)
    return rec, problems


def _year(date: ET.Element | None) -> int | None:
    if date is None:
        return None
    year = _text(date.find("Year"))
    if year.isdigit():
        return int(year)
    m = YEAR.search(_text(date.find("MedlineDate")))
    return int(m.group(1)) if m else None
