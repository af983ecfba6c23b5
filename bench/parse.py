#!/usr/bin/env python
"""Benchmark: graphkit's RIS reader against rispy on the RIS corpus, in one run.

For every file under CORPUS/ris plus the seed it prints the records each parser recovers (next to the
count listed in counts.tsv), then the totals and records/s of each (best of --repeat runs, the two
parsers alternating so machine load hits both alike). Times are CPU seconds of this process
(``time.process_time``): both parsers are single-threaded, and CPU time is not inflated by other
processes on a shared machine.

rispy is run the way a user would: ``rispy.load(path, encoding="utf-8", skip_unknown_tags=False)``,
retried with Windows-1252 on a UnicodeDecodeError. graphkit yields full normalised Records (authors
split, DOI cleaned, ISSNs checked ...), rispy yields dicts of raw strings.

    python bench/parse.py [--corpus ../shared/corpus] [--repeat 5] [--profile]

The reader runs compiled when ``graphkit compile`` has made copies of it (the last line says which);
``GRAPHKIT_COMPILED=0 python bench/parse.py`` runs the Python source beside them.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphkit.model import Record  # noqa: E402
from graphkit.readers.ris import read_ris  # noqa: E402


def corpus_files(corpus: Path) -> list[Path]:
    files = sorted(p for p in (corpus / "ris").iterdir() if p.is_file())
    seed = corpus / "seed" / "scopus-collapsed__seed.ris"
    if seed.exists():
        files.append(seed)
    return files


def expected_counts(corpus: Path) -> dict[str, int]:
    table = corpus / "counts.tsv"
    if not table.exists():
        return {}
    with open(table, newline="", encoding="utf-8") as fh:
        return {r["file"]: int(r["records"]) for r in csv.DictReader(fh, delimiter="\t")}


def run_graphkit(path: Path) -> int:
    n = 0
    for item in read_ris(path):
        if item.__class__ is Record:
            n += 1
    return n


def run_rispy(path: Path) -> int:
    import rispy

    for encoding in ("utf-8", "cp1252"):
        try:
            return len(rispy.load(path, encoding=encoding, skip_unknown_tags=False))
        except UnicodeDecodeError:
            continue
        except Exception:  # noqa: BLE001 - a parser crash counts as nothing recovered
            return 0
    return 0


def timed(func, files: list[Path]) -> tuple[float, list[int]]:
    """CPU seconds of this process (both parsers are single-threaded; robust on a shared machine)."""
    start = time.process_time()
    counts = [func(p) for p in files]
    return time.process_time() - start, counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path,
                        default=Path(os.environ.get("GRAPHKIT_CORPUS", ROOT.parent / "shared" / "corpus")))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="cProfile one graphkit pass and print the top")
    args = parser.parse_args()
    if not (args.corpus / "ris").is_dir():
        print(f"no RIS corpus at {args.corpus}/ris", file=sys.stderr)
        return 2
    files = corpus_files(args.corpus)
    expected = expected_counts(args.corpus)

    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.runcall(timed, run_graphkit, files)
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)
        return 0

    best = {"graphkit": float("inf"), "rispy": float("inf")}
    counts: dict[str, list[int]] = {}
    for _ in range(args.repeat):
        for name, func in (("graphkit", run_graphkit), ("rispy", run_rispy)):
            seconds, found = timed(func, files)
            best[name] = min(best[name], seconds)
            counts[name] = found

    rows = []
    for i, path in enumerate(files):
        rel = f"{path.parent.name}/{path.name}"
        rows.append((rel, expected.get(rel), counts["graphkit"][i], counts["rispy"][i]))
    width = max(len(r[0]) for r in rows)
    print(f"| {'file':<{width}} | listed | graphkit | rispy |")
    print(f"|{'-' * (width + 2)}|-------:|---------:|------:|")
    for rel, exp, g, r in rows:
        mark = "" if exp is None or g == exp else " !"
        print(f"| {rel:<{width}} | {exp if exp is not None else '?':>6} | {g:>8}{mark} | {r:>5} |")
    tot_exp = sum(r[1] or 0 for r in rows)
    tot_g = sum(r[2] for r in rows)
    tot_r = sum(r[3] for r in rows)
    print(f"| {'total':<{width}} | {tot_exp:>6} | {tot_g:>8} | {tot_r:>5} |")
    print()
    below = [r[0] for r in rows if r[2] < r[3]]
    lost = sum(max(0, r[2] - r[3]) for r in rows)
    print(f"files where graphkit recovers fewer records than rispy: {len(below)} {below if below else ''}")
    print(f"records graphkit recovers that rispy loses: {lost}")
    print(f"files where graphkit differs from counts.tsv: "
          f"{[r[0] for r in rows if r[1] is not None and r[2] != r[1]]}")
    print()
    print(f"| parser   | best of {args.repeat} (CPU s) | records | records/s |")
    print("|----------|-------------:|--------:|----------:|")
    for name, total in (("graphkit", tot_g), ("rispy", tot_r)):
        print(f"| {name:<8} | {best[name]:>12.3f} | {total:>7} | {total / best[name]:>9,.0f} |")
    speedup = (tot_g / best["graphkit"]) / (tot_r / best["rispy"])
    print(f"\ngraphkit/rispy records/s: {speedup:.2f}x  (wall-clock ratio {best['rispy'] / best['graphkit']:.2f}x)")
    print(f"graphkit's RIS reader ran {reader_mode()}")
    return 0


def reader_mode() -> str:
    """Whether the RIS reader ran compiled (``graphkit compile``) or as Python source."""
    import graphkit.readers.ris as ris

    if ris.__file__.endswith(".py"):
        return "as Python source (`graphkit compile` makes compiled copies; GRAPHKIT_COMPILED=0 turns them off)"
    return f"compiled ({ris.__file__})"


if __name__ == "__main__":
    sys.exit(main())
