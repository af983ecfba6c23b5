"""Affiliations: Institution and Country nodes from the addresses of every export (an Extension).

``extract(record)`` (pure, per record) yields one row per (address, author position) from what the
readers keep:

============  ==============================================================================================
format        fields
============  ==============================================================================================
wos           ``C1`` (``[Family, G.; Other, H.] Univ X, ..., Country``: the bracketed names give the authors;
              Zoological Record's ``Name; address``), ``RP`` (``Name (reprint|corresponding author), address``)
medline       ``Person.affiliations`` (the ``AD`` lines after each ``FAU``/``AU``; several per author), an
              ``AD`` before any author (record-level); one ``AD`` holding ``;``-joined addresses is split
pubmed-xml    ``AffiliationInfo/Affiliation`` of each author (several per author; kept by the reader as
              ``AD-AUTHOR`` ``"<position>|<text>"``)
ris           ``AD`` (record-level; Web of Science RIS is read as Web of Science addresses)
bibtex        ``affiliation`` (Scopus: ``;``-joined addresses; Web of Science: ``Name (Reprint Author),
              address. Name; Name, address.``, names matched to the authors), ``affiliations`` (Scopus)
scopus-csv    ``Authors with affiliations`` (``Family, I., address; ...``, one part per author, matched to the
              ``Affiliations`` column), else ``Affiliations`` (record-level)
openalex-csv  ``authorships.institutions.display_name`` + ``authorships.countries`` (``|`` per author)
ieee-csv      ``Author Affiliations`` (``;`` per author when the counts agree)
============  ==============================================================================================

A row: ``{"address": str, "field": tag, "wos": bool, "author_position": int}`` (no position when the
format does not say whose address it is), or ``{"organisation": name, "country": code, ...}`` when the
export already names them (OpenAlex).

``resolve`` turns each address into an institution key and a country (:mod:`graphkit.resolve.institutions`,
:mod:`graphkit.resolve.countries`), merges forms on clear evidence and adds ``Institution``, ``Country``,
``HAS_AFFILIATION {authors}`` (paper -> institution, with the keys of the paper's authors the record ties
to it) and ``LOCATED_IN``. ``AFFILIATED_WITH {papers, first_year, last_year}`` is derived from
``HAS_AFFILIATION.authors`` (:data:`DERIVED`, run by every store).
"""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from graphkit.derive import Derived
from graphkit.derive import register as register_derived
from graphkit.extend import Extension, Mention, ResolveContext, register
from graphkit.model import Person, Record
from graphkit.resolve.countries import ELECTRONIC, country_name, country_of
from graphkit.resolve.institutions import institution_key, merge_forms, organisation, word_forms
from graphkit.schema import Label, RelType

log = logging.getLogger(__name__)

NAME = "affiliations"
SAMPLE = 25  # unresolved addresses listed in the report
WOS_RIS_TAGS = ("WE", "C3", "UT")  # RIS tags only Web of Science writes: its AD lines are WoS addresses
THE = re.compile(r"^the\s+", re.IGNORECASE)  # "The University of X" is shown as "University of X"
EMAIL = re.compile(r"[^\s;,()]+@[^\s;,()]+")
REPRINT = re.compile(r"\s*\((?:reprint|corresponding) author\)\s*,?\s*", re.IGNORECASE)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return " ".join(re.sub(r"[^\w\s]", " ", "".join(c for c in text if not unicodedata.combining(c))
                           .casefold()).split())


class _Names:
    """Match names as addresses write them ("Villa, G.", "Villa, Gonzalo", "G. Villa") to author positions."""

    def __init__(self, authors: list[Person]) -> None:
        self.full: dict[str, int] = {}
        self.short: dict[str, list[int]] = defaultdict(list)
        for i, p in enumerate(authors, start=1):
            self.full.setdefault(_fold(p.display), i)
            if p.raw:
                self.full.setdefault(_fold(p.raw), i)
            self.short[f"{_fold(p.family)}|{_fold(p.given or '')[:1]}"].append(i)
        self.families: dict[str, list[int]] = defaultdict(list)
        for i, p in enumerate(authors, start=1):
            self.families[_fold(p.family)].append(i)

    def position(self, name: str) -> int | None:
        name = name.strip()
        if not name:
            return None
        hit = self.full.get(_fold(name))
        if hit:
            return hit
        if "," in name:
            family, given = name.split(",", 1)
            found = self.short.get(f"{_fold(family)}|{_fold(given)[:1]}", [])
        else:
            found = self.families.get(_fold(name), [])
        return found[0] if len(found) == 1 else None


def _row(address: str, field: str, *, wos: bool = False, position: int | None = None) -> dict[str, Any]:
    """One mention; an address that is only e-mail addresses is dropped later (no organisation in it)."""
    text = EMAIL.sub(" ", ELECTRONIC.sub("", html.unescape(address)))
    row: dict[str, Any] = {"address": " ".join(text.split()).rstrip(" ;"), "field": field, "wos": wos}
    if position is not None:
        row["author_position"] = position
    return row


def _split_semicolons(value: str) -> list[str]:
    """``;``-joined addresses; a part without a comma is not an address of its own (rejoined)."""
    parts: list[str] = []
    for part in value.split(";"):
        part = part.strip()
        if not part:
            continue
        if parts and "," not in part:
            parts[-1] = f"{parts[-1]}; {part}"
        else:
            parts.append(part)
    return parts


def _wos_c1(rec: Record, names: _Names) -> Iterator[dict[str, Any]]:
    for value in rec.extra.get("C1", ()):
        value = value.strip()
        if value.startswith("["):
            close = value.find("]")
            if close > 0:
                address = value[close + 1:].strip()
                positions = [names.position(n) for n in value[1:close].split(";")]
                known = [p for p in positions if p is not None]
                for p in dict.fromkeys(known):
                    yield _row(address, "C1", wos=True, position=p)
                if not known:
                    yield _row(address, "C1", wos=True)
                continue
        head, sep, rest = value.partition("; ")
        if sep and names.position(head) is not None:  # Zoological Record: "Name; address"
            yield _row(rest, "C1", wos=True, position=names.position(head))
        else:
            yield _row(value, "C1", wos=True)


def _reprint(value: str, names: _Names, field: str) -> Iterator[dict[str, Any]]:
    """``Name (reprint author), address[; Name (corresponding author), address]`` -> rows."""
    pieces = REPRINT.split(value)
    # pieces: [name, address + "; " + next name, address ...]
    name = pieces[0]
    for i in range(1, len(pieces)):
        text = pieces[i]
        nxt = None
        if i + 1 < len(pieces):
            text, _, nxt = text.rpartition(";")
        address = text.strip().rstrip(";")
        if address:
            yield _row(address, field, wos=True, position=names.position(name))
        name = (nxt or "").strip()


def _wos(rec: Record) -> Iterator[dict[str, Any]]:
    names = _Names(rec.authors)
    yield from _wos_c1(rec, names)
    for value in rec.extra.get("RP", ()):
        if REPRINT.search(value):
            yield from _reprint(value, names, "RP")
        elif value.strip():
            yield _row(value, "RP", wos=True)


def _medline(rec: Record) -> Iterator[dict[str, Any]]:
    for i, person in enumerate(rec.authors, start=1):
        for value in person.affiliations or ():
            for address in _split_semicolons(value):
                yield _row(address, "AD", position=i)
    for value in rec.extra.get("AD", ()):
        for address in _split_semicolons(value):
            yield _row(address, "AD")


def _pubmed_xml(rec: Record) -> Iterator[dict[str, Any]]:
    """PubMed XML: the reader keeps each AffiliationInfo as ``AD-AUTHOR`` ``"<position>|<affiliation>"``."""
    for value in rec.extra.get("AD-AUTHOR", ()):
        pos, sep, text = value.partition("|")
        if sep and pos.isdigit():
            for address in _split_semicolons(text):
                yield _row(address, "AffiliationInfo", position=int(pos))


def _ris(rec: Record) -> Iterator[dict[str, Any]]:
    wos = any(tag in rec.extra for tag in WOS_RIS_TAGS)
    for value in rec.extra.get("AD", ()):
        if value.startswith("{") and value.rstrip(". ").endswith("}"):
            continue  # a BibTeX "address" carried into RIS by EndNote: the publisher's address (WoS BibTeX)
        if (value.startswith("[") and "]" in value) or REPRINT.search(value):  # a WoS C1 + RP in one AD
            yield from _wos_text(value, rec, _Names(rec.authors), "AD")
            continue
        for address in ([value] if wos else _split_semicolons(value)):
            yield _row(address, "AD", wos=wos)


def _wos_text(value: str, rec: Record, names: _Names, field: str) -> Iterator[dict[str, Any]]:
    """Web of Science address lines joined into one value (WoS BibTeX ``affiliation``, EndNote/EPPI RIS
    ``AD`` holding a whole C1 + RP): ``[Names] address. Name (reprint author), address. Names, address.``"""
    for sentence in _wos_lines(value):
        if not sentence:
            continue
        if sentence.startswith("[") and "]" in sentence:
            close = sentence.index("]")
            positions = [p for p in (names.position(n) for n in sentence[1:close].split(";")) if p is not None]
            address = sentence[close + 1:].strip()
        elif REPRINT.search(sentence):
            yield from _reprint(sentence, names, field)
            continue
        else:
            positions, address = _leading_names(sentence, rec.authors)
        for p in dict.fromkeys(positions):
            yield _row(address, field, wos=True, position=p)
        if not positions and address:
            yield _row(address, field, wos=True)


def _wos_lines(value: str) -> list[str]:
    """Split joined WoS address lines at ". " before a capital or "[" (not inside a [names] bracket)."""
    out: list[str] = []
    depth, start = 0, 0
    for i, ch in enumerate(value):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(0, depth - 1)
        elif ch == "." and depth == 0 and value[i + 1:i + 2] == " " and \
                (value[i + 2:i + 3].isupper() or value[i + 2:i + 3] == "["):
            out.append(value[start:i + 1].strip())
            start = i + 2
    out.append(value[start:].strip())
    return [x for x in out if x]


def _bibtex(rec: Record) -> Iterator[dict[str, Any]]:
    wos = any(v.upper().startswith(("ISI:", "WOS:")) for v in rec.extra.get("unique-id", ()))
    if wos:
        names = _Names(rec.authors)
        for value in rec.extra.get("affiliation", ()):
            yield from _wos_text(value, rec, names, "affiliation")
        return  # WoS "affiliations" holds organisation-enhanced names without addresses (like RIS C3)
    for field in ("affiliation", "affiliations"):
        for value in rec.extra.get(field, ()):
            for address in _split_semicolons(value):
                yield _row(address, field)
        if rec.extra.get(field):
            return  # Scopus writes the same addresses in both when both are there


def _leading_names(text: str, authors: list[Person]) -> tuple[list[int], str]:
    """``Family, Given; Family, Given, address`` -> the author positions named first and the address."""
    positions: list[int] = []
    rest = text
    displays = sorted(((p.display, i) for i, p in enumerate(authors, start=1)), key=lambda t: -len(t[0]))
    while True:
        for display, i in displays:
            if rest.startswith(display) and rest[len(display):len(display) + 2] in ("; ", ", "):
                positions.append(i)
                rest = rest[len(display) + 2:]
                break
        else:
            return positions, rest


def _scopus_csv(rec: Record) -> Iterator[dict[str, Any]]:
    record_level = [a for v in rec.extra.get("Affiliations", ()) for a in _split_semicolons(v)]
    chunks = [c.strip() for v in rec.extra.get("Authors with affiliations", ()) for c in v.split("; ")]
    if chunks and len(chunks) == len(rec.authors):
        seen: set[str] = set()
        for i, chunk in enumerate(chunks, start=1):
            found = [a for a in record_level if a and a in chunk]
            # the longest first; an address inside a longer one found is the same address
            found = [a for a in sorted(found, key=len, reverse=True)]
            kept = [a for j, a in enumerate(found) if not any(a in b for b in found[:j])]
            if not kept:
                name_end = _name_end(chunk, rec.authors[i - 1])
                kept = [chunk[name_end:].strip(" ,")] if chunk[name_end:].strip(" ,") else []
            for address in kept:
                seen.add(address)
                yield _row(address, "Authors with affiliations", position=i)
        for address in record_level:
            if address not in seen:
                yield _row(address, "Affiliations")
        return
    for address in record_level:
        yield _row(address, "Affiliations")


def _name_end(chunk: str, person: Person) -> int:
    """Where the author's name ends in a Scopus ``Family, I., address`` chunk."""
    for written in (person.raw, person.display):
        if written and chunk.startswith(written):
            return len(written)
    family = person.family or ""
    if chunk.startswith(family):
        comma = chunk.find(",", len(family))  # "Family, I." : the name ends at the comma after the initials
        comma = chunk.find(",", comma + 1) if comma >= 0 else -1
        return comma if comma >= 0 else len(chunk)
    return 0


def _openalex(rec: Record) -> Iterator[dict[str, Any]]:
    insts = [v for x in rec.extra.get("authorships.institutions.display_name", ()) for v in x.split("|")]
    countries = [v for x in rec.extra.get("authorships.countries", ()) for v in x.split("|")]
    per_author = len(insts) == len(rec.authors)
    for i, name in enumerate(insts, start=1):
        if not name.strip():
            continue
        code = countries[i - 1].strip().upper() if len(countries) == len(insts) else ""
        row: dict[str, Any] = {"organisation": name.strip(), "country": code or None,
                               "field": "authorships.institutions", "wos": False}
        if per_author:
            row["author_position"] = i
        yield row


def _ieee(rec: Record) -> Iterator[dict[str, Any]]:
    parts = [p.strip() for v in rec.extra.get("Author Affiliations", ()) for p in v.split(";") if p.strip()]
    per_author = len(parts) == len(rec.authors)
    for i, address in enumerate(parts, start=1):
        yield _row(address, "Author Affiliations", position=i if per_author else None)


EXTRACTORS = {"wos": _wos, "medline": _medline, "pubmed-xml": _pubmed_xml, "ris": _ris, "bibtex": _bibtex, "scopus-csv": _scopus_csv,
              "openalex-csv": _openalex, "ieee-csv": _ieee}


def extract(rec: Record) -> list[dict[str, Any]]:
    """One row per (address, author position) of the record (see the module doc); [] when none."""
    fn = EXTRACTORS.get(rec.source.format)
    if fn is None:
        return []
    rows: list[dict[str, Any]] = []
    seen: set[tuple] = set()
    for row in fn(rec):
        ident = (row.get("address") or row.get("organisation"), row.get("author_position"))
        if ident[0] and ident not in seen:
            seen.add(ident)
            rows.append(row)
    return rows


# -- resolve ----------------------------------------------------------------------------------------

def _abbreviated_words(surface: str) -> int:
    forms = set(word_forms().values())
    return sum(1 for w in surface.casefold().split() if w in forms)


def _display(surfaces: Counter) -> str:
    """The fullest form seen: fewest Web of Science abbreviations, then the most frequent, then the longest."""
    return min(surfaces, key=lambda s: (_abbreviated_words(s), s.isupper(), -surfaces[s], -len(s), s))


def resolve(ctx: ResolveContext, mentions: Iterable[Mention]) -> None:
    graph = ctx.graph
    countries: dict[str, str | None] = {}
    orgs: dict[tuple[str, bool], str | None] = {}
    surfaces: dict[str, Counter] = defaultdict(Counter)
    wos_keys: set[str] = set()
    free_keys: set[str] = set()
    links: dict[tuple[str, str], set[str]] = {}
    files: dict[str, dict[str, Any]] = defaultdict(lambda: {"records": set(), "addresses": 0})
    unresolved: Counter = Counter()
    stats: Counter[str] = Counter()
    for m in mentions:
        row = m.row
        stat = files[m.source.file]
        stat["records"].add(m.source.line)
        if "organisation" in row:
            org, code = row["organisation"], row.get("country")
            stats["addresses"] += 1
            stats["with_country"] += bool(code)
        else:
            address = row["address"]
            stats["addresses"] += 1
            if address not in countries:
                countries[address] = country_of(address)
            code = countries[address]
            if code:
                stats["with_country"] += 1
            elif len(unresolved) < 10_000:
                unresolved[address] += 1
            wos = bool(row.get("wos"))
            if (address, wos) not in orgs:
                orgs[(address, wos)] = organisation(address, wos=wos)
            org = orgs[(address, wos)]
        stat["addresses"] += 1
        key = institution_key(org, code) if org else None
        if key is None:
            stats["without_organisation"] += 1
            continue
        surfaces[key][THE.sub("", " ".join(org.split()))] += 1
        (wos_keys if row.get("wos") else free_keys).add(key)
        authors = links.setdefault((m.paper, key), set())
        if m.author is not None:
            authors.add(m.author)
        stats["with_author"] += m.author is not None

    merged = merge_forms(surfaces, wos_keys, free_keys)
    for old, new in merged.items():
        surfaces[new].update(surfaces.pop(old))
    for key in sorted(surfaces):
        code = key.split(":", 2)[1].upper()
        code = None if code == "-" else code
        graph.add_node(Label.INSTITUTION, key, name=_display(surfaces[key]), country=code)
        if code:
            ckey = f"country:{code}"
            if not graph.has_node(Label.COUNTRY, ckey):
                graph.add_node(Label.COUNTRY, ckey, code=code, name=country_name(code))
            graph.add_edge(RelType.LOCATED_IN, key, ckey)
    for (paper, key), authors in links.items():
        key = merged.get(key, key)
        have = graph.edge(RelType.HAS_AFFILIATION, paper, key)
        joined = sorted(authors | set(have["authors"] or []) if have else authors)
        graph.add_edge(RelType.HAS_AFFILIATION, paper, key, authors=joined)

    ctx.report.update({
        "addresses": stats["addresses"],
        "with_country": stats["with_country"],
        "without_country": stats["addresses"] - stats["with_country"],
        "without_organisation": stats["without_organisation"],
        "tied_to_an_author": stats["with_author"],
        "institutions": len(surfaces),
        "merged_forms": len(merged),
        "countries": len({key.split(":", 2)[1] for key in surfaces} - {"-"}),
        "files": {f: {"records_with_affiliations": len(s["records"]), "addresses": s["addresses"]}
                  for f, s in sorted(files.items())},
        "unresolved_sample": [{"address": a, "count": n} for a, n in unresolved.most_common(SAMPLE)],
    })


def report_markdown(report: dict[str, Any]) -> list[str]:
    """The report's "Affiliations" section (markdown lines) from the build report (None section: [])."""
    a = report.get(NAME)
    if not a:
        return []
    n = a["addresses"] or 1
    out = ["## Affiliations", "",
           f"{a['addresses']} address(es) read; {a['with_country']} ({a['with_country'] / n:.1%}) with a country, "
           f"{a['without_country']} without; {a['without_organisation']} with no organisation part; "
           f"{a['tied_to_an_author']} tied to an author. {a['institutions']} institution(s) "
           f"({a['merged_forms']} abbreviated form(s) merged into a written-out one), {a['countries']} "
           "country(ies).", ""]
    files = report.get("files", {})
    rows = []
    for path, f in files.items():
        records = f.get("records", 0)
        got = a["files"].get(path, {"records_with_affiliations": 0, "addresses": 0})
        share = f"{got['records_with_affiliations'] / records:.0%}" if records else "-"
        rows.append([path, records, got["records_with_affiliations"], share, got["addresses"]])
    out += _table(["file", "records", "with affiliations", "share", "addresses"], rows)
    if a["unresolved_sample"]:
        out += ["", "Addresses left without a country (most frequent first):", ""]
        out += _table(["address", "times"], [[x["address"], x["count"]] for x in a["unresolved_sample"]])
    if a.get("extract_errors"):
        out += ["", f"{a['extract_errors']} record(s) whose addresses could not be read (see the log)."]
    return out + [""]


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    from graphkit.report import _table as table

    return table(headers, rows, 10_000)


# -- derived: AFFILIATED_WITH ----------------------------------------------------------------------

def compute_affiliated_with(graph: Any, options: Any = None) -> dict[str, Any]:
    """AFFILIATED_WITH from HAS_AFFILIATION.authors and paper years (replaces the edges already there)."""
    agg: dict[tuple[str, str], list] = {}
    for e in graph.edges(RelType.HAS_AFFILIATION):
        node = graph.node(Label.PAPER, e["source"])
        year = node.get("year") if node else None
        for author in e["authors"] or ():
            cur = agg.get((author, e["target"]))
            if cur is None:
                agg[(author, e["target"])] = [{e["source"]}, year, year]
                continue
            cur[0].add(e["source"])
            if year is not None:
                cur[1] = year if cur[1] is None else min(cur[1], year)
                cur[2] = year if cur[2] is None else max(cur[2], year)
    clear = getattr(graph, "clear_edges", None)
    if clear is not None:
        clear(RelType.AFFILIATED_WITH)
    for (author, inst), (papers, first, last) in agg.items():
        if graph.has_node(Label.AUTHOR, author):
            graph.add_edge(RelType.AFFILIATED_WITH, author, inst, papers=len(papers), first_year=first,
                           last_year=last)
    return {"edges": graph.count(RelType.AFFILIATED_WITH)} if hasattr(graph, "count") else {}


A, I, P = Label.AUTHOR.value, Label.INSTITUTION.value, Label.PAPER.value
AFFILIATED_WITH_CYPHER = (
    f"MATCH (:{A})-[r:{RelType.AFFILIATED_WITH.value}]->(:{I}) DELETE r",
    f"MATCH (p:{P})-[h:{RelType.HAS_AFFILIATION.value}]->(i:{I}) UNWIND h.authors AS ak "
    f"MATCH (a:{A} {{key: ak}}) "
    "WITH a, i, count(DISTINCT p) AS n, min(p.year) AS fy, max(p.year) AS ly "
    f"MERGE (a)-[r:{RelType.AFFILIATED_WITH.value}]->(i) SET r.papers = n, r.first_year = fy, r.last_year = ly",
)

DERIVED = register_derived(Derived("affiliated-with", (RelType.AFFILIATED_WITH.value,), compute_affiliated_with,
                                   AFFILIATED_WITH_CYPHER))
EXTENSION = register(Extension(NAME, extract, resolve,
                               "Institution and Country nodes from the address fields of every export"))
