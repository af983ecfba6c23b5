"""Author disambiguation against gold data: family + initial, full name, and the default 'compatible'.

    python bench/authors.py [--corpus ../shared/corpus] [--papers 20000] [--seed 42] [--json out.json]
    python bench/authors.py --errors [--papers 20000]   # where the default's errors come from

Two gold sets:

1. **ORCID gold** from the real corpus: every record of every corpus file whose authors carry ORCIDs
   (MEDLINE AUID, WoS OI/RI, PubMed XML Identifier, CSL/BibTeX where present). The ORCIDs are hidden
   from the resolver; the authorships that had one are scored against the ORCID clusters (the other
   authorships are context: co-authors are evidence). Records are taken once per DOI/title.
2. **Generated gold** (:func:`bench.generate.collision_corpus`, docs/generator.md): Korean, Chinese,
   Vietnamese and Western author lists at their family-name shares, initials-only and nickname
   variants, labs with a field, institution, home journals, keywords and years; the true person of
   every authorship is known, and records carry keywords and per-author affiliations as evidence.

Scores: pairwise precision/recall/F1 (over pairs of authorships put together) and B-cubed
precision/recall/F1 (per authorship, averaged), for each method side by side. Every method sees the
same occurrences with the same context (paper author lists, venue, keywords, affiliations); ``cpu_s`` is
the resolver's CPU time per method.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graphkit.model import Diagnostic, Person  # noqa: E402
from graphkit.readers import read_files  # noqa: E402
from graphkit.resolve.authors import AuthorResolver, normalise_orcid  # noqa: E402
from graphkit.resolve.journals import normalise_journal, valid_issns  # noqa: E402
from graphkit.resolve.text import normalise_doi, normalise_title  # noqa: E402

log = logging.getLogger("bench.authors")
METHODS = (("family + first initial", "initial"), ("full name", "full"), ("compatible (default)", "compatible"))


@dataclass(slots=True)
class Paper:
    venue: str | None
    people: list[Person]  # with the affiliations the record gives each author
    truth: list[str | None]  # the gold label of each authorship (None: context only)
    keywords: list[str] = field(default_factory=list)
    year: int | None = None


def scores(pred: Sequence[str], true: Sequence[str]) -> dict[str, float]:
    """Pairwise and B-cubed precision, recall and F1 of a clustering (``pred[i]``, ``true[i]``: the
    predicted and true cluster of item i)."""
    n = len(pred)
    joint = Counter(zip(pred, true))
    psize, tsize = Counter(pred), Counter(true)
    pairs = lambda c: sum(v * (v - 1) // 2 for v in c.values())  # noqa: E731
    tp, pp, tt = pairs(joint), pairs(psize), pairs(tsize)
    pw_p = tp / pp if pp else 1.0
    pw_r = tp / tt if tt else 1.0
    b3_p = sum(v * v / psize[p] for (p, _), v in joint.items()) / n if n else 1.0
    b3_r = sum(v * v / tsize[t] for (_, t), v in joint.items()) / n if n else 1.0
    f = lambda p, r: 2 * p * r / (p + r) if p + r else 0.0  # noqa: E731
    return {"pairwise_p": pw_p, "pairwise_r": pw_r, "pairwise_f1": f(pw_p, pw_r),
            "b3_p": b3_p, "b3_r": b3_r, "b3_f1": f(b3_p, b3_r), "items": n, "true_clusters": len(tsize),
            "predicted_clusters": len(psize)}


def evaluate(papers: list[Paper]) -> dict[str, dict[str, float]]:
    out = {}
    for label, mode in METHODS:
        resolver = AuthorResolver(mode)  # type: ignore[arg-type]
        scored: list[tuple[int, str]] = []
        started = time.process_time()
        for paper in papers:
            occ = resolver.add_work(paper.people, paper.venue, keywords=paper.keywords, year=paper.year)
            scored += [(o, t) for o, t in zip(occ, paper.truth) if t is not None]
        resolver.resolve()
        pred = [resolver.key_of(o) or f"none:{o}" for o, _ in scored]
        out[label] = scores(pred, [t for _, t in scored])
        out[label]["cpu_s"] = round(time.process_time() - started, 2)
    return out


def orcid_gold(corpus: Path) -> list[Paper]:
    """Corpus records with at least one ORCID, once per DOI/title; ORCIDs hidden, kept as truth."""
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix not in (".md", ".tsv")
                   and p.name not in ("MANIFEST.md", "counts.tsv"))
    papers, seen = [], set()
    for item in read_files(files, "auto"):
        if isinstance(item, Diagnostic):
            continue
        truth = [normalise_orcid(p.orcid) for p in item.authors]
        if not any(truth):
            continue
        ident = normalise_doi(item.doi) or f"{normalise_title(item.title)}|{item.year}"
        if ident in seen:
            continue
        seen.add(ident)
        venue = None
        if item.journal is not None:
            issns = [i for v in item.journal.issns for i in valid_issns(v)]
            venue = issns[0] if issns else normalise_journal(item.journal.name or item.journal.abbreviation) or None
        people = [Person(p.family, p.given, affiliations=p.affiliations) for p in item.authors]  # ORCIDs hidden
        papers.append(Paper(venue, people, truth, [k for k in item.keywords if k], item.year))
    return papers


def generated_gold(n_papers: int, seed: int) -> list[Paper]:
    from bench.generate import collision_corpus

    return [Paper(p.venue, [Person(f, g, affiliations=[a] if a else None) for (_, f, g), a in zip(p.authors, p.affiliations)],
                  [f"p{pid}" for pid, _, _ in p.authors], p.keywords, p.year or None)
            for p in collision_corpus(n_papers, seed=seed)]


def error_classes(papers: list[Paper], mode: str = "compatible") -> dict[str, dict[str, int]]:
    """Where a method's errors on the generated gold come from (docs/graph.md, "Authors"): every
    authorship outside its predicted cluster's majority person (precision loss) and every authorship
    outside its person's largest cluster (recall loss), by cause: how the record writes the name, and
    whether the people mixed share a lab (``bench.generate.TEAM_SIZE``: a lab is TEAM_SIZE consecutive
    person ids). A person's full name is the longest given name any record writes for them."""
    from bench.generate import TEAM_SIZE
    from graphkit.resolve.authors import compatibility, name_form

    resolver = AuthorResolver(mode)  # type: ignore[arg-type]
    items: list[tuple[int, str, Person]] = []
    for paper in papers:
        occ = resolver.add_work(paper.people, paper.venue, keywords=paper.keywords, year=paper.year)
        items += [(o, t, p) for o, t, p in zip(occ, paper.truth, paper.people) if t is not None]
    resolver.resolve()
    pred = [resolver.key_of(o) or f"none:{o}" for o, _, _ in items]
    written: dict[str, Counter] = {}
    for _, t, p in items:
        written.setdefault(t, Counter())[p.given or ""] += 1
    full = {t: name_form(Person("x", max(c, key=lambda g: (len(g.replace(".", "").replace(" ", "")), c[g], g)))).given
            for t, c in written.items()}

    def how(p: Person, t: str) -> str:
        form = name_form(p)
        if not form.given:
            return "no given name"
        if not form.full:
            return "initials"
        return "full name" if compatibility(form.given, full[t]) == "strong" else "nickname or other form"

    def group_of(key_of: dict[int, str]) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for i, k in key_of.items():
            out.setdefault(k, []).append(i)
        return out

    precision: Counter = Counter()
    for members in group_of(dict(enumerate(pred))).values():
        owner = Counter(items[i][1] for i in members).most_common(1)[0][0]
        for i in members:
            _, t, p = items[i]
            if t == owner:
                continue
            same = "same full name" if full[t] == full[owner] else "different full names"
            lab = "same lab" if int(t[1:]) // TEAM_SIZE == int(owner[1:]) // TEAM_SIZE else "other lab"
            precision[f"{how(p, t)} written, {same}, {lab}"] += 1
    recall: Counter = Counter()
    for t, members in group_of({i: items[i][1] for i in range(len(items))}).items():
        main = Counter(pred[i] for i in members).most_common(1)[0][0]
        for i in members:
            if pred[i] == main:
                continue
            size = sum(1 for j in members if pred[j] == pred[i])
            recall[f"{how(items[i][2], t)} written, {'a lone paper' if size == 1 else 'a group'} apart"] += 1
    return {"precision loss (authorships)": dict(precision.most_common()),
            "recall loss (authorships)": dict(recall.most_common())}


def table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    lines = ["| gold set | method | pairwise P | pairwise R | pairwise F1 | B-cubed P | B-cubed R | B-cubed F1 | authorships | true / predicted authors |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for gold, by_method in results.items():
        for method, s in by_method.items():
            lines.append(f"| {gold} | {method} | {s['pairwise_p']:.4f} | {s['pairwise_r']:.4f} | "
                         f"{s['pairwise_f1']:.4f} | {s['b3_p']:.4f} | {s['b3_r']:.4f} | {s['b3_f1']:.4f} | "
                         f"{s['items']} | {s['true_clusters']} / {s['predicted_clusters']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parent.parent.parent / "shared" / "corpus")
    ap.add_argument("--papers", type=int, default=20_000, help="generated papers")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--errors", action="store_true",
                    help="only the error classes of the default method on the generated gold")
    args = ap.parse_args(argv)
    if args.errors:
        for title, counts in error_classes(generated_gold(args.papers, args.seed)).items():
            print(f"{title}: {sum(counts.values())}")
            for cause, n in counts.items():
                print(f"  {n:6d}  {cause}")
        return
    logging.basicConfig(level=logging.WARNING)
    results = {}
    if args.corpus.exists():
        papers = orcid_gold(args.corpus)
        print(f"ORCID gold: {len(papers)} records with ORCIDs, "
              f"{sum(1 for p in papers for t in p.truth if t)} authorships with an ORCID", file=sys.stderr)
        results["ORCID (corpus)"] = evaluate(papers)
    papers = generated_gold(args.papers, args.seed)
    print(f"generated gold: {len(papers)} papers, {sum(len(p.truth) for p in papers)} authorships",
          file=sys.stderr)
    results[f"generated ({args.papers} papers, seed {args.seed})"] = evaluate(papers)
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
