"""Per-record normalisation for the columnar core: one Record -> rows of the engine's input tables.

Everything that needs Python (Unicode folding, name keys, ISSN check digits, MeSH lookup, keyword
rules, reference parsing, extension extractors) happens here, once per record, in worker processes;
the relational work (matching keys shared between records, author identities, journal components,
counts, pairs) is done by the engine on the tables these rows make (:mod:`graphkit.engine.rules`).
Each function reuses the resolver functions the old core calls, so both cores share one definition
of every per-record rule.

Tables (one Arrow schema each, :data:`SCHEMAS`); ``rid`` orders records as a serial read does:

- ``rec``: one row per record: source, match keys, ranking keys, the Paper fields, journal mention;
- ``occ``: one row per author occurrence (position, ORCID, name key, the name pieces the rules use);
- ``kw``: keywords after the keyword/MeSH split; ``mesh``/``mq``: MeSH headings and their qualifiers;
- ``ref``: cited references, parsed.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from typing import Any

import pyarrow as pa

from graphkit.model import Record
from graphkit.resolve.authors import family_punctuation, given_parts, name_key, normalise_orcid
from graphkit.resolve.check_tags import is_keyword_check_tag
from graphkit.resolve.cites import parse_reference
from graphkit.resolve.journals import normalise_journal, valid_issns
from graphkit.resolve.mesh import vocabulary
from graphkit.resolve.papers import BLOCK_CHARS, PAPER_FIELDS, record_pmid, source_id
from graphkit.resolve.terms import keyword_key, mesh_term, split_terms
from graphkit.resolve.text import normalise_doi, normalise_title, short_hash, squash

log = logging.getLogger(__name__)

_S, _I, _B, _L = pa.string(), pa.int64(), pa.bool_(), pa.list_(pa.string())

SCHEMAS: dict[str, pa.Schema] = {
    "rec": pa.schema([
        ("rid", _I), ("file", _S), ("fmt", _S), ("src", _S), ("doi_n", _S), ("pmid_i", _I), ("page_sq", _S),
        ("fam_sq", _S), ("title_n", _S), ("year", _I), ("blk1", _S), ("blk2", _S), ("title_hash", _S),
        ("fallback_hash", _S), ("r_nodoi", _B), ("r_noabs", _B), ("r_filled", _I), ("n_auth", _I),
        ("given_letters", _I), ("title", _S), ("abstract", _S), ("volume", _S), ("issue", _S),
        ("first_page", _S), ("last_page", _S), ("type", _S), ("article_number", _S), ("type_raw", _S),
        ("vol_sq", _S),
        ("miss_doi", _B), ("miss_year", _B), ("miss_authors", _B), ("miss_journal", _B),
        ("j_tok0", _S), ("j_tokens", _L), ("j_name", _S), ("j_abbr", _S), ("j_issns", _L), ("j_invalid", _L),
        ("pub", _S)]),
    "occ": pa.schema([
        ("rid", _I), ("pos", _I), ("orcid", _S), ("nkey", _S), ("family", _S), ("given", _S), ("g1", _S),
        ("ginit", _S), ("fam_sq", _S), ("gsq", _S), ("gsq_len", _I), ("nonascii", _I), ("punct", _I), ("aff", _L)]),
    "kw": pa.schema([("rid", _I), ("kpos", _I), ("text", _S), ("surface", _S), ("check_tag", _B)]),
    "mesh": pa.schema([
        ("rid", _I), ("mpos", _I), ("heading", _S), ("major", _B), ("mkey", _S), ("ui", _S), ("name", _S),
        ("trees", _L), ("check_tag", _B)]),
    "mq": pa.schema([("rid", _I), ("mpos", _I), ("qpos", _I), ("mkey", _S), ("qual", _S)]),
    "ref": pa.schema([
        ("rid", _I), ("rpos", _I), ("doi", _S), ("fam", _S), ("year", _I), ("journal", _S), ("vol_sq", _S),
        ("page_sq", _S)]),
}
TABLES = tuple(SCHEMAS)
_paper_fields = attrgetter(*PAPER_FIELDS)


def _blank(value: Any) -> Any:
    return None if value in ("", []) else value


def _non_ascii(text: str) -> int:
    """Characters past U+007F (an ASCII name, the common case, is answered without a Python loop)."""
    return 0 if text.isascii() else sum(ord(c) > 127 for c in text)


def _collapse(text: str | None) -> str:
    return " ".join((text or "").split())


@lru_cache(maxsize=1 << 10)
def _file_name(path: str) -> str:
    return Path(path).name  # every record of a file asks


def _filled(rec: Record) -> int:
    """How many of the Paper fields are given (neither None nor '')."""
    values = _paper_fields(rec)
    return len(values) - values.count(None) - values.count("")


def normalise_record(rec: Record, rid: int, mode: str) -> dict[str, list[tuple]]:
    """The rows one record contributes to each table (``mode``: the author key mode)."""
    doi_n = normalise_doi(rec.doi)
    pmid = record_pmid(rec)
    title_n = normalise_title(rec.title)
    year = rec.year
    flat = title_n.replace(" ", "")
    blk1 = blk2 = None
    if title_n and year is not None:
        blk1, blk2 = f"{year}<{flat[:BLOCK_CHARS]}", f"{year}>{flat[-BLOCK_CHARS:]}"
    page_sq = squash(rec.first_page or rec.article_number or "") or None  # as resolve.papers._page
    authors = rec.authors
    fam_sq = (squash(authors[0].family or "") or None) if authors else None
    title_hash = short_hash(f"{title_n}|{year if year is not None else ''}") if title_n else None
    fallback = short_hash(f"|{year or ''}|{_file_name(rec.source.file)}:{rec.source.line}")
    filled = _filled(rec)
    journal = rec.journal
    missing_journal = journal is None or not (journal.name or journal.abbreviation or journal.issns)
    # the venue mention: the tokens JournalResolver.add links (valid ISSNs, normalised titles)
    tok0 = name_c = abbr_c = None
    tokens: list[str] = []
    issns: list[str] = []
    invalid: list[str] = []
    if journal is not None:
        for value in journal.issns:
            found = valid_issns(value)
            issns.extend(found)
            if not found and value and value.strip().lower() not in ("null", "none", "na"):
                invalid.append(value.strip())
        tokens = [f"issn:{i}" for i in issns]
        for title in (journal.name, journal.abbreviation):
            n = normalise_journal(title)
            if n:
                tokens.append(f"title:{n}")
        if tokens:
            tok0 = tokens[0]
            if journal.name and normalise_journal(journal.name):
                name_c = _collapse(journal.name)
            if journal.abbreviation and normalise_journal(journal.abbreviation):
                abbr_c = _collapse(journal.abbreviation)
    pub = _collapse(rec.publisher) if rec.publisher and tok0 is not None else None
    given_letters = 0
    occ = []
    for pos, p in enumerate(authors, start=1):
        family = _collapse(p.family)
        given = _collapse(p.given) or None
        parts = given_parts(p.given)
        gsq = squash(p.given or "")
        given_letters += len(gsq)
        occ.append((rid, pos, normalise_orcid(p.orcid), name_key(p, "initial" if mode == "compatible" else mode),
                    family, given,
                    parts[0] if parts else "", parts[0][0] if parts else "", squash(p.family or ""), gsq,
                    len(gsq), _non_ascii(family + (given or "")), family_punctuation(family),
                    list(p.affiliations) if p.affiliations else None))
    rec_row = (
        rid, rec.source.file, rec.source.format, source_id(rec), doi_n, int(pmid) if pmid else None, page_sq,
        fam_sq, title_n or None, year, blk1, blk2, title_hash, fallback, not rec.doi, not rec.abstract, filled,
        len(authors), given_letters, _blank(rec.title), _blank(rec.abstract), _blank(rec.volume),
        _blank(rec.issue), _blank(rec.first_page), _blank(rec.last_page), _blank(rec.type),
        _blank(rec.article_number), _blank(rec.type_raw),
        squash(rec.volume) if rec.volume else None,
        not rec.doi, year is None, not authors, missing_journal,
        tok0, tokens if tok0 else None, name_c, abbr_c, issns if tok0 else None, invalid if tok0 else None, pub)
    vocab = vocabulary()
    terms = split_terms(rec, vocab)
    kw = []
    for kpos, surface in enumerate(terms.keywords):
        text = keyword_key(surface)[3:]  # the folded concept text (graphkit.resolve.concepts)
        kw.append((rid, kpos, text, surface, is_keyword_check_tag(text)))
    mesh, mq = [], []
    for mpos, ref in enumerate(terms.mesh):
        info = mesh_term(ref.heading, vocab)
        mesh.append((rid, mpos, ref.heading, bool(ref.major), info.key, info.ui, info.name, list(info.tree_numbers),
                     info.check_tag))
        for qpos, q in enumerate(dict.fromkeys(ref.qualifiers)):
            mq.append((rid, mpos, qpos, info.key, q))
    refs = []
    for rpos, text in enumerate(rec.references):
        c = parse_reference(text)
        loc = c.locator
        refs.append((rid, rpos, c.doi, loc[0] if loc else None, loc[1] if loc else None, c.journal,
                     loc[2] if loc else None, loc[3] if loc else None))
    return {"rec": [rec_row], "occ": occ, "kw": kw, "mesh": mesh, "mq": mq, "ref": refs}


class TableBuffer:
    """Rows per table, turned into Arrow record batches column by column."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple]] = {name: [] for name in TABLES}

    def add(self, rows: dict[str, list[tuple]]) -> None:
        for name, got in rows.items():
            if got:
                self.rows[name].extend(got)

    def __len__(self) -> int:
        return len(self.rows["rec"])

    def tables(self) -> dict[str, pa.Table]:
        out = {}
        for name, schema in SCHEMAS.items():
            rows = self.rows[name]
            columns = list(zip(*rows)) if rows else [[] for _ in schema]
            out[name] = pa.table([pa.array(col, type=f.type) for col, f in zip(columns, schema)], schema=schema)
        self.rows = {name: [] for name in TABLES}
        return out
