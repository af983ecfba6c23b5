"""Concept-layer figures on the real corpus: keyword folding and keyword -> MeSH links.

    python bench/concepts.py [--corpus ../shared/corpus] [--sample 200] [--seed 7] [--out bench/out/concepts]

Prints (and writes as JSON) per reader format: keyword nodes and keyword occurrences, the share linked to
MeSH (MAPS_TO, by heading / entry term), and keyword node counts before folding (NFKC + case folding, the
old identity) and after (graphkit.resolve.concepts). Writes a random sample of merged pairs (two old
keyword identities folded into one) to ``merge-sample.tsv`` for hand checking: add a column ``ok``
(1/0) and run with ``--score FILE`` to print the precision.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphkit.build import build_graph  # noqa: E402
from graphkit.model import Record  # noqa: E402
from graphkit.readers import read_files  # noqa: E402
from graphkit.resolve.concepts import concept_text  # noqa: E402
from graphkit.resolve.mesh import vocabulary  # noqa: E402
from graphkit.resolve.terms import keyword_text, split_terms  # noqa: E402
from graphkit.schema import RelType  # noqa: E402


def corpus_files(corpus: Path) -> list[Path]:
    rows = (corpus / "counts.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [corpus / line.split("\t")[0] for line in rows if line.strip()]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "concepts")
    ap.add_argument("--score", type=Path, help="a hand-checked merge-sample.tsv with an 'ok' column")
    args = ap.parse_args(argv)
    if args.score:
        rows = list(csv.DictReader(args.score.open(encoding="utf-8"), delimiter="\t"))
        ok = sum(r["ok"].strip() == "1" for r in rows)
        print(f"merge precision: {ok}/{len(rows)} = {ok / len(rows):.1%}")
        return

    records: list[Record] = [r for r in read_files(corpus_files(args.corpus)) if isinstance(r, Record)]
    vocab = vocabulary()
    old_of_new: dict[str, Counter[str]] = defaultdict(Counter)  # new key text -> old key texts
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)  # old key text -> surface forms
    by_format: dict[str, Counter[str]] = defaultdict(Counter)  # format -> new key text occurrences
    old_by_format: dict[str, set[str]] = defaultdict(set)
    for rec in records:
        for kw in split_terms(rec, vocab).keywords:
            old, new = keyword_text(kw), concept_text(kw)
            old_of_new[new][old] += 1
            surfaces[old][kw] += 1
            by_format[rec.source.format][new] += 1
            old_by_format[rec.source.format].add(old)
    graph = build_graph(records).graph
    maps = {e["source"][3:]: e["via"] for e in graph.edges(RelType.MAPS_TO)}

    table = {}
    for fmt in sorted(by_format):
        occ = by_format[fmt]
        linked = [k for k in occ if k in maps]
        table[fmt] = {
            "keyword_nodes_before": len(old_by_format[fmt]), "keyword_nodes_after": len(occ),
            "linked_nodes": len(linked), "linked_node_share": round(len(linked) / len(occ), 4) if occ else 0,
            "occurrences": sum(occ.values()),
            "linked_occurrence_share": round(sum(occ[k] for k in linked) / sum(occ.values()), 4) if occ else 0,
            "by_heading": sum(1 for k in linked if maps[k] == "heading"),
            "by_entry_term": sum(1 for k in linked if maps[k] == "entry_term"),
        }
    total_before = len(surfaces)
    total_after = len(old_of_new)
    linked_all = [k for k in old_of_new if k in maps]
    summary = {"records": len(records), "keyword_nodes_before": total_before, "keyword_nodes_after": total_after,
               "merged_away": total_before - total_after, "linked_nodes": len(linked_all),
               "linked_node_share": round(len(linked_all) / total_after, 4) if total_after else 0,
               "by_format": table}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "figures.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    pairs = [(new, a, b) for new, olds in old_of_new.items() if len(olds) > 1
             for a, b in combinations(sorted(olds), 2)]
    rng = random.Random(args.seed)
    sample = rng.sample(pairs, min(args.sample, len(pairs)))
    with (args.out / "merge-sample.tsv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t")
        w.writerow(["folded", "form_a", "form_b", "ok"])
        for new, a, b in sorted(sample):
            w.writerow([new, surfaces[a].most_common(1)[0][0], surfaces[b].most_common(1)[0][0], ""])
    print(json.dumps(summary, indent=1))
    print(f"{len(pairs)} merged pairs; a sample of {len(sample)} in {args.out / 'merge-sample.tsv'}")


if __name__ == "__main__":
    main()
