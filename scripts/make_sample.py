"""Write graphkit/sample/ (or the directory given as the one argument) from the fact tables in scripts/sample/.

The sample is real bibliographic data on one topic, network science and the science of science: the facts
(authors, title, journal, year, volume, issue, pages, DOI, PMID, who cites whom) are in
``scripts/sample/works.tsv``, ``journals.tsv`` and ``citations.tsv``; see NOTICE for where they come from.
This script only lays them out the way two databases export them:

- ``sample.wos.txt``: Web of Science plain text (the ``wos`` and ``both`` works), with cited references
  (CR), PubMed IDs (PM) where Web of Science has them, ASCII author keys (AU) next to full names (AF);
- ``sample.nbib``: PubMed MEDLINE (the ``medline`` and ``both`` works, i.e. every work with a PMID), newest
  PMID first, MEDLINE page abbreviations (``440-2``), initials only for authors before 2002, no DOI on
  records before 1990 (so those merge with their Web of Science copy on title and year);
- ``seed.ris``: the project's seed record (../shared/corpus/seed/, or under ``$GRAPHKIT_CORPUS`` as for the
  tests), still one collapsed line, without its abstract (the sample ships no prose);
- ``manifest.json``: the ground truth the tests check graphkit against.

No abstracts, no keywords or MeSH headings that were not checked (see NOTICE).
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "scripts" / "sample"
OUT = ROOT / "graphkit" / "sample"
CORPUS = Path(os.environ.get("GRAPHKIT_CORPUS", ROOT.parent / "shared" / "corpus"))  # as tests/conftest.py
SEED = CORPUS / "seed" / "scopus-collapsed__seed.ris"

# MeSH headings checked against the record's PubMed page (PMID -> headings, "*" = major topic)
CHECKED_MESH = {
    "18216267": ["Bibliometrics*", "Biomedical Research/instrumentation", "Biomedical Research/methods*",
                 "Biomedical Research/statistics & numerical data", "Information Theory*", "Markov Chains",
                 "Periodicals as Topic*", "Science/instrumentation", "Science/methods*",
                 "Science/statistics & numerical data"],
}


def table(name: str) -> list[dict[str, str]]:
    with open(FACTS / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def ascii_text(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def split_name(name: str) -> tuple[str, str]:
    family, _, given = name.partition(",")
    return family.strip(), given.strip()


def initials(given: str) -> str:
    """'Albert-László' -> 'AL', 'M. E. J.' -> 'MEJ', 'J.-P.' -> 'JP'."""
    parts = [p for p in given.replace("-", " ").replace(".", " ").split() if p]
    return "".join(p[0].upper() for p in parts)


def pages(value: str) -> tuple[str, str]:
    first, _, last = value.partition("-")
    return first, last


def medline_pages(value: str) -> str:
    first, last = pages(value)
    if first == last:  # a one-page paper: PubMed writes the page once
        return first
    if not last or not (first.isdigit() and last.isdigit()) or len(first) != len(last):
        return value
    i = 0
    while i < len(first) - 1 and first[i] == last[i]:
        i += 1
    return f"{first}-{last[i:]}"


def wos_record(w: dict[str, str], j: dict[str, str], cites: list[dict[str, str]], journals) -> list[str]:
    names = [split_name(a) for a in w["authors"].split("; ")]
    lines = ["PT J"]
    lines += _multi("AU", [f"{ascii_text(f)}, {initials(g)}" for f, g in names])
    lines += _multi("AF", [f"{f}, {g}" for f, g in names])
    lines.append(f"TI {w['title']}")
    lines.append(f"SO {j['name'].upper()}")
    if cites:
        lines += _multi("CR", [cited_reference(c, journals[c["journal"]]) for c in cites])
        lines.append(f"NR {len(cites)}")
    lines.append(f"PY {w['year']}")
    if w["volume"]:
        lines.append(f"VL {w['volume']}")
    if w["issue"]:
        lines.append(f"IS {w['issue']}")
    first, last = pages(w["pages"])
    if last:
        lines += [f"BP {first}", f"EP {last}"]
    elif first:  # no page range in the table: an article number (e-locator)
        lines.append(f"AR {first}")
    if w["doi"]:
        lines.append(f"DI {w['doi']}")
    if w["pmid"] and int(w["year"]) >= 1990:  # Web of Science carries PubMed IDs of recent records
        lines.append(f"PM {w['pmid']}")
    if j["issn"]:
        lines.append(f"SN {j['issn']}")
    if j["eissn"]:
        lines.append(f"EI {j['eissn']}")
    lines.append("ER")
    return lines


def _multi(tag: str, values: list[str]) -> list[str]:
    return [f"{tag} {values[0]}"] + [f"   {v}" for v in values[1:]] if values else []


def cited_reference(c: dict[str, str], j: dict[str, str]) -> str:
    family, given = split_name(c["authors"].split("; ")[0])
    parts = [f"{ascii_text(family)} {initials(given)}".strip(), c["year"], (j["medline_ta"] or j["name"]).upper()]
    if c["volume"]:
        parts.append(f"V{c['volume']}")
    first, _ = pages(c["pages"])
    if first:
        parts.append(first if first.startswith("P") else f"P{first}")  # J. Stat. Mech. P10008 stays P10008
    if c["doi"]:
        parts.append(f"DOI {c['doi']}")
    return ", ".join(parts)


def medline_record(w: dict[str, str], j: dict[str, str]) -> list[str]:
    year = int(w["year"])
    lines = [f"PMID- {w['pmid']}", "OWN - NLM", "STAT- MEDLINE"]
    if j["eissn"]:
        lines.append(f"IS  - {j['eissn']} (Electronic)")
    if j["issn"]:
        lines += [f"IS  - {j['issn']} (Print)", f"IS  - {j['issn']} (Linking)"]
    if w["volume"]:
        lines.append(f"VI  - {w['volume']}")
    if w["issue"]:
        lines.append(f"IP  - {w['issue'].replace('suppl', 'Suppl')}")
    lines.append(f"DP  - {year}")
    title = w["title"]
    lines.append(f"TI  - {title if title.endswith(('?', '.')) else title + '.'}")
    if w["pages"]:
        lines.append(f"PG  - {medline_pages(w['pages'])}")
    if w["doi"] and year >= 1990:
        lines.append(f"LID - {w['doi']} [doi]")
    for name in w["authors"].split("; "):
        family, given = split_name(name)
        if year < 2002:  # PubMed has initials only for these, and no diacritics in older records
            family = ascii_text(family)
            lines += [f"FAU - {family}, {' '.join(initials(given))}", f"AU  - {family} {initials(given)}"]
        else:
            lines += [f"FAU - {family}, {given.replace('.', '').strip()}", f"AU  - {family} {initials(given)}"]
    lines += ["LA  - eng", "PT  - Journal Article"]
    lines += [f"TA  - {j['medline_ta'] or j['name']}", f"JT  - {j['medline_jt'] or j['name']}"]
    for heading in CHECKED_MESH.get(w["pmid"], []):
        lines.append(f"MH  - {'*' + heading[:-1] if heading.endswith('*') else heading}")
    issue = f"({w['issue']})" if w["issue"] else ""
    so_pages = f":{medline_pages(w['pages'])}" if w["pages"] else ""
    doi = f" doi: {w['doi']}." if w["doi"] and year >= 1990 else ""
    lines.append(f"SO  - {j['medline_ta'] or j['name']}. {year};{w['volume']}{issue}{so_pages}.{doi}")
    return lines


def seed_without_abstract(path: Path) -> bytes:
    """The seed record's bytes with its abstract field (a placeholder tag holding the prose) cut out; every
    other byte, the collapsed line included, as in the corpus."""
    sys.path.insert(0, str(ROOT))  # run as a script from a checkout: read it with this checkout's reader
    from graphkit.model import Diagnostic
    from graphkit.readers import read

    raw = path.read_bytes()
    record = next(r for r in read(path) if not isinstance(r, Diagnostic))
    if not record.abstract:
        return raw
    field = re.compile(rb" [A-Z][A-Z0-9]{1,3} - " + re.escape(record.abstract.encode("utf-8")))
    cut, n = field.subn(b"", raw, count=1)
    if n != 1:
        raise SystemExit(f"{path}: the abstract is not one field of the record; cannot cut it out")
    return cut


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else OUT
    if not SEED.exists():  # the manifest counts seed.ris: no sample without it
        print(f"make_sample: no seed record at {SEED} (set GRAPHKIT_CORPUS to the corpus)", file=sys.stderr)
        return 1
    works = table("works.tsv")
    journals = {j["key"]: j for j in table("journals.tsv")}
    by_id = {w["id"]: w for w in works}
    cites = {r["citing"]: [by_id[c] for c in r["cited"].split()] for r in table("citations.tsv")}
    wos = sorted((w for w in works if w["in"] in ("wos", "both")), key=lambda w: (-int(w["year"]), w["title"]))
    medline = sorted((w for w in works if w["in"] in ("medline", "both")), key=lambda w: -int(w["pmid"]))
    out.mkdir(parents=True, exist_ok=True)
    lines = ["FN Clarivate Analytics Web of Science", "VR 1.0"]
    for w in wos:
        lines += wos_record(w, journals[w["journal"]], cites.get(w["id"], []), journals) + [""]
    lines.append("EF")
    (out / "sample.wos.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    blocks = ["\n".join(medline_record(w, journals[w["journal"]])) for w in medline]
    (out / "sample.nbib").write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    (out / "seed.ris").write_bytes(seed_without_abstract(SEED))
    both = [w for w in works if w["in"] == "both"]
    authors_of = lambda family: sum(1 for w in works if any(  # noqa: E731
        ascii_text(split_name(a)[0]) == family for a in w["authors"].split("; ")))
    cited_in_wos = {}
    for citing, cited in cites.items():
        if by_id[citing]["in"] in ("wos", "both"):
            for c in cited:
                cited_in_wos[c["id"]] = cited_in_wos.get(c["id"], 0) + 1
    manifest = {
        "topic": "network science and the science of science",
        "files": {"sample.wos.txt": {"format": "wos", "records": len(wos)},
                  "sample.nbib": {"format": "medline", "records": len(medline)},
                  "seed.ris": {"format": "ris", "records": 1}},
        "n_records": len(wos) + len(medline) + 1,
        "unique_works": len(works) + 1,
        "duplicate_pairs": len(both),
        "duplicate_pairs_without_shared_doi": sum(1 for w in both if int(w["year"]) < 1990),
        "papers_of": {"Barabasi": authors_of("Barabasi"), "Newman": authors_of("Newman"),
                      "Vespignani": authors_of("Vespignani"), "Fortunato": authors_of("Fortunato")},
        "citations": sum(len(v) for k, v in cites.items() if by_id[k]["in"] in ("wos", "both")),
        "most_cited": sorted(cited_in_wos.items(), key=lambda kv: -kv[1])[:3],
        "mesh_checked": sorted(CHECKED_MESH),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}: {manifest['n_records']} records, {manifest['unique_works']} works", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
