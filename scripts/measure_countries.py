"""Country resolution measured on every address of the corpus, plus a random sample to check by hand.

    python scripts/measure_countries.py ../shared/corpus [--sample 100 --seed 14 --out sample.tsv]

Reads every corpus file with graphkit's readers, extracts every address the affiliations extension keeps
(graphkit.affiliations.extract), and resolves its country (graphkit.resolve.countries.country_of).
Prints the share resolved overall, per format and per field, and writes a seeded random sample of
distinct addresses with the resolved code (TSV: address, code, name) for checking by hand
(docs/affiliations.md gives the result of that check).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from collections import Counter
from pathlib import Path

from graphkit.affiliations import extract
from graphkit.model import Record
from graphkit.readers import read_files
from graphkit.resolve.countries import country_name, country_of


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--sample", type=int, default=100)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--out", type=Path, default=Path("country-sample.tsv"))
    args = ap.parse_args(argv)
    paths = sorted(p for p in args.corpus.glob("*/*") if p.suffix not in (".md", ".tsv"))
    total, resolved = Counter(), Counter()
    distinct: dict[str, str | None] = {}
    for item in read_files(paths):
        if not isinstance(item, Record):
            continue
        for row in extract(item):
            if "address" not in row:
                continue
            address = row["address"]
            if address not in distinct:
                distinct[address] = country_of(address)
            code = distinct[address]
            for key in ("all", f"format {item.source.format}", f"field {item.source.format}:{row['field']}"):
                total[key] += 1
                resolved[key] += code is not None
    for key in sorted(total, key=lambda k: (k != "all", k)):
        print(f"{key:55s} {resolved[key]:6d} / {total[key]:6d}  {resolved[key] / total[key]:6.1%}")
    ok = sum(1 for c in distinct.values() if c)
    print(f"{'distinct addresses':55s} {ok:6d} / {len(distinct):6d}  {ok / len(distinct):6.1%}")
    rng = random.Random(args.seed)
    sample = rng.sample(sorted(distinct), min(args.sample, len(distinct)))
    with open(args.out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter="\t")
        w.writerow(["address", "code", "name"])
        for address in sample:
            code = distinct[address]
            w.writerow([address, code or "", country_name(code) if code else ""])
    print(f"sample of {len(sample)} distinct addresses written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
