"""Measure the distributions bench/generate.py imitates, from the real corpus (../shared/corpus).

    python bench/corpus_stats.py [--corpus ../shared/corpus] [--json]
    python bench/corpus_stats.py --files bench/out/gen/export-000.ris bench/out/gen/export-000.nbib

Reads every RIS, MEDLINE and WoS file listed in counts.tsv (MEDLINE and WoS with graphkit's readers;
RIS with graphkit's reader when it is there, else with rispy) and prints: authors per paper, author
productivity (papers per author keyed by folded family name + first initial) with a Lotka exponent,
keywords and MeSH headings per paper with rank-frequency (Zipf) exponents, papers per journal,
years, pages, DOI share, title and abstract lengths. The numbers go, by hand, into the constants at
the top of bench/generate.py.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import statistics
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphkit.model import Record  # noqa: E402
from graphkit.readers import read  # noqa: E402
from graphkit.readers.medline import parse_pages  # noqa: E402


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()


def lotka_alpha(counts: list[int], xmin: int = 1) -> float:
    """Discrete power-law MLE (Clauset et al. approximation) of P(x) ~ x^-alpha for x >= xmin."""
    xs = [x for x in counts if x >= xmin]
    return 1 + len(xs) / sum(math.log(x / (xmin - 0.5)) for x in xs)


def zipf_s(freqs: list[int], top: int = 2000) -> float:
    """Least-squares slope of log(frequency) on log(rank) over the top ranks with frequency >= 2."""
    ranked = sorted((f for f in freqs if f >= 2), reverse=True)[:top]
    if len(ranked) < 3:
        return float("nan")
    xs = [math.log(r) for r in range(1, len(ranked) + 1)]
    ys = [math.log(f) for f in ranked]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return -sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def pmf(values: list[int], cap: int) -> dict[str, float]:
    c = Counter(min(v, cap) for v in values)
    n = len(values)
    return {(f"{k}+" if k == cap else str(k)): round(c[k] / n, 4) for k in sorted(c)}


def ris_records(path: Path) -> list[Record]:
    try:
        records = [r for r in read(path, "ris") if isinstance(r, Record)]
    except ImportError:
        records = []
    if records:
        return records
    import rispy  # graphkit's RIS reader is not there: measure with rispy

    from graphkit.model import JournalRef, Person, Source
    out = []
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        try:
            entries = rispy.load(fh, skip_unknown_tags=True)
        except Exception:  # noqa: BLE001
            return []
    for e in entries:
        authors = [Person(family=a.split(",")[0].strip(), given=(a.split(",", 1)[1].strip() if "," in a else None))
                   for a in (e.get("authors") or e.get("first_authors") or [])]
        year = None
        for key in ("year", "publication_year", "date"):
            v = str(e.get(key) or "")
            if v[:4].isdigit():
                year = int(v[:4])
                break
        jname = e.get("secondary_title") or e.get("journal_name") or e.get("alternate_title3")
        out.append(Record(source=Source(str(path), 0, "ris"), title=e.get("title") or e.get("primary_title"),
                          authors=authors, year=year, journal=JournalRef(name=jname) if jname else None,
                          first_page=e.get("start_page"), last_page=e.get("end_page"), doi=e.get("doi"),
                          keywords=list(e.get("keywords") or []),
                          abstract=e.get("abstract") or e.get("notes_abstract")))
    return out


def corpus_records(corpus: Path) -> list[Record]:
    with open(corpus / "counts.tsv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    records: list[Record] = []
    for row in rows:
        fmt = row["format"]
        path = corpus / row["file"]
        if fmt == "RIS":
            records += ris_records(path)
        elif "MEDLINE" in fmt or fmt.startswith("WoS"):
            records += [r for r in read(path) if isinstance(r, Record)]
    return records


def measure(records: list[Record]) -> dict:
    medline = [r for r in records if r.source.format == "medline"]

    n_auth = [len(r.authors) for r in records if r.authors]
    author_papers = Counter()
    for r in records:
        for key in {f"{fold(p.family)}|{fold(p.given or '')[:1]}" for p in r.authors}:
            author_papers[key] += 1
    kw = Counter(fold(k) for r in records for k in r.keywords)
    n_kw = [len(r.keywords) for r in records]
    mesh = Counter(m.heading for r in medline for m in r.mesh)
    n_mesh = [len(r.mesh) for r in medline]
    major = [m.major for r in medline for m in r.mesh]
    quals = [len(m.qualifiers) for r in medline for m in r.mesh]
    journals = Counter(fold(r.journal.name or r.journal.abbreviation or "")
                       for r in records if r.journal and (r.journal.name or r.journal.abbreviation))
    years = Counter(r.year for r in records if r.year)
    spans, firsts, article_numbers, with_pages = [], [], 0, 0
    for r in records:
        if not r.first_page:
            continue
        with_pages += 1
        fp, lp = str(r.first_page), str(r.last_page or "")
        if not lp and "-" in fp:
            a, b = parse_pages(fp)
            fp, lp = a or "", b or ""
        if fp.isdigit() and lp.isdigit() and int(lp) >= int(fp) and int(lp) - int(fp) < 500:
            spans.append(int(lp) - int(fp) + 1)
            firsts.append(int(fp))
        elif not lp:
            article_numbers += 1
    log_spans = [math.log(s) for s in spans]
    log_firsts = [math.log(f) for f in firsts if f > 0]
    title_words = [len(r.title.split()) for r in records if r.title]
    abstract_words = [len(r.abstract.split()) for r in records if r.abstract and len(r.abstract) > 50]
    n = len(records)
    authorships = sum(author_papers.values())
    return {
        "records": n,
        "medline_records": len(medline),
        "authors_per_paper_pmf": pmf(n_auth, 16),
        "authors_per_paper_mean": round(statistics.fmean(n_auth), 2),
        "authors_per_paper_max": max(n_auth),
        "authors_tail_alpha_x_ge_16": round(lotka_alpha(n_auth, 16), 2),
        "share_without_authors": round(1 - len(n_auth) / n, 4),
        "authorships": authorships,
        "unique_authors": len(author_papers),
        "unique_author_ratio": round(len(author_papers) / authorships, 3),
        "lotka_alpha": round(lotka_alpha(list(author_papers.values())), 2),
        "max_papers_per_author": max(author_papers.values()),
        "keywords_per_paper_pmf": pmf(n_kw, 16),
        "keyword_occurrences": sum(kw.values()),
        "unique_keywords": len(kw),
        "keyword_zipf_s": round(zipf_s(list(kw.values())), 2),
        "mesh_per_paper_pmf": pmf(n_mesh, 25),
        "mesh_zipf_s": round(zipf_s(list(mesh.values())), 2),
        "unique_mesh": len(mesh),
        "mesh_major_share": round(sum(major) / max(len(major), 1), 3),
        "mesh_qualifiers_per_heading_pmf": pmf(quals, 3),
        "top_mesh": mesh.most_common(8),
        "journals": len(journals),
        "journal_zipf_s": round(zipf_s(list(journals.values())), 2),
        "papers_per_journal_lotka_alpha": round(lotka_alpha(list(journals.values())), 2),
        "years_by_5": {f"{y - y % 5}": c for y, c in sorted(Counter(y - y % 5 for y in years.elements()).items())},
        "year_median": statistics.median(list(years.elements())),
        "share_with_pages": round(with_pages / n, 3),
        "share_article_number_pages": round(article_numbers / max(with_pages, 1), 3),
        "page_span_lognormal": [round(statistics.fmean(log_spans), 3), round(statistics.stdev(log_spans), 3)],
        "first_page_lognormal": [round(statistics.fmean(log_firsts), 3), round(statistics.stdev(log_firsts), 3)],
        "share_with_doi": round(sum(1 for r in records if r.doi) / n, 3),
        "title_words_mean_sd": [round(statistics.fmean(title_words), 1), round(statistics.stdev(title_words), 1)],
        "share_with_abstract": round(len(abstract_words) / n, 3),
        "abstract_words_mean_sd": [round(statistics.fmean(abstract_words), 1),
                                   round(statistics.stdev(abstract_words), 1)],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--files", nargs="+", type=Path,
                    help="measure these files instead (e.g. bench/generate.py output, to compare)")
    args = ap.parse_args()
    if args.files:
        records = [r for f in args.files for r in read(f) if isinstance(r, Record)]
    else:
        records = corpus_records(args.corpus)
    stats = measure(records)
    if args.json:
        print(json.dumps(stats, indent=1))
        return
    for key, value in stats.items():
        print(f"{key:36} {value}")


if __name__ == "__main__":
    main()
