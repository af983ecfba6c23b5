"""Benchmark: building the graph of N generated records (default 100k) - wall time, peak RSS, and how
well duplicates are found - for graphkit's resolver and the dedup a user would otherwise write.

    python bench/build.py [--records 100000] [--seed 42] [--data bench/out/gen-100000-42]

Records come from bench/generate.py (RIS + MEDLINE exports of the same synthetic literature, with
``duplicates.tsv`` naming every record pair that is one work; generated once and reused). Every
contender runs in a fresh subprocess, so its peak RSS (``resource.getrusage(RUSAGE_SELF).ru_maxrss``,
taken right after the build, before any scoring) is its own. CPU time (user + system) is printed next
to wall time because on a shared machine wall time mostly measures the other processes:

- ``read only``: the readers, records kept in a list (what holding the input costs);
- ``graphkit``: ``build_from_files`` - read, resolve (DOI, PMID, title+year, fuzzy title), authors,
  journals, keywords, MeSH, CO_AUTHOR, the report: the whole Graph;
- ``naive dedup``: what a user would write instead - a dict keyed on the lower-cased DOI, else the
  case-folded title + year - reading the same files (no graph at all).

Duplicate scoring: *found* = pairs of duplicates.tsv whose two records ended up in one paper,
*false merges* = papers holding records of two different works. Prints one markdown table.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONTENDERS = ("read only", "graphkit", "naive dedup")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def cpu_seconds() -> float:
    """User + system CPU time of this process: less sensitive than wall time to a shared, loaded machine."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def ensure_data(n: int, seed: int, data: Path) -> dict:
    manifest = data / "manifest.json"
    if not manifest.exists():
        from bench.generate import generate

        print(f"generating {n} records into {data} ...", file=sys.stderr)
        generate(n, data, seed=seed)
    return json.loads(manifest.read_text())


def input_files(data: Path) -> list[Path]:
    return sorted(p for p in data.iterdir() if p.suffix in (".ris", ".nbib"))


def truth(data: Path) -> list[tuple[tuple[str, int], tuple[str, int]]]:
    pairs = []
    with open(data / "duplicates.tsv", encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            rf, ro, mf, mo, _ = line.rstrip("\n").split("\t")
            pairs.append(((rf, int(ro)), (mf, int(mo))))
    return pairs


def score(groups: list[list[tuple[str, int]]], pairs) -> dict:
    """groups: the (file name, ordinal) records of each paper."""
    where = {}
    for i, g in enumerate(groups):
        for r in g:
            where[r] = i
    found = sum(1 for a, b in pairs if a in where and where.get(a) == where.get(b))
    work_of = {}
    for n, (a, b) in enumerate(pairs):
        work_of[a] = work_of[b] = ("pair", n)
    false = sum(1 for g in groups if len({work_of.get(r, r) for r in g}) > 1)
    return {"found": found, "false_merges": false}


def _ordinals(paths):
    """Records with their (file name, ordinal): the generator numbers records per file from 1."""
    from graphkit.model import Record
    from graphkit.readers import read_files

    counts: dict[str, int] = {}
    for item in read_files(paths):
        if isinstance(item, Record):
            name = Path(item.source.file).name
            counts[name] = counts.get(name, 0) + 1
            yield item, (name, counts[name])


def worker(name: str, data: Path) -> dict:
    paths = input_files(data)
    t0, c0 = time.perf_counter(), cpu_seconds()
    out: dict = {"contender": name}
    if name == "read only":
        records = [r for r, _ in _ordinals(paths)]
        out.update(seconds=time.perf_counter() - t0, cpu=cpu_seconds() - c0, rss=peak_rss_mb(), papers=None,
                   records=len(records))
        return out
    if name == "graphkit":
        from graphkit.build import build_graph
        from graphkit.schema import Label

        ordinal: dict[tuple[str, int], tuple[str, int]] = {}

        def records():
            for rec, o in _ordinals(paths):
                ordinal[(Path(rec.source.file).name, rec.source.line)] = o
                yield rec

        result = build_graph(records())
        seconds, cpu, rss = time.perf_counter() - t0, cpu_seconds() - c0, peak_rss_mb()
        groups = []
        for p in result.graph.nodes(Label.PAPER):
            g = []
            for s in p["sources"]:
                file, line, _fmt = s.rsplit(":", 2)
                g.append(ordinal[(Path(file).name, int(line))])
            groups.append(g)
        out.update(seconds=seconds, cpu=cpu, rss=rss, papers=result.graph.count(Label.PAPER), records=result.records,
                   nodes=sum(result.graph.count(label) for label in Label),
                   edges=sum(v for k, v in result.graph.counts().items() if k.isupper()))
        out.update(score(groups, truth(data)))
        return out
    if name == "naive dedup":
        seen: dict[str, list[tuple[str, int]]] = {}
        n = 0
        for rec, o in _ordinals(paths):
            n += 1
            key = rec.doi.lower() if rec.doi else f"{(rec.title or '').casefold()}|{rec.year}"
            seen.setdefault(key, []).append(o)
        seconds, cpu, rss = time.perf_counter() - t0, cpu_seconds() - c0, peak_rss_mb()
        out.update(seconds=seconds, cpu=cpu, rss=rss, papers=len(seen), records=n)
        out.update(score(list(seen.values()), truth(data)))
        return out
    raise SystemExit(f"unknown contender {name!r}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--data", type=Path, default=None, help="generated data directory (reused when present)")
    ap.add_argument("--only", choices=CONTENDERS, action="append", help="run only these contenders")
    ap.add_argument("--worker", choices=CONTENDERS, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    data = args.data or ROOT / "bench" / "out" / f"gen-{args.records}-{args.seed}"
    if args.worker:
        print(json.dumps(worker(args.worker, data)))
        return
    manifest = ensure_data(args.records, args.seed, data)
    rows = []
    for name in args.only or CONTENDERS:
        proc = subprocess.run([sys.executable, __file__, "--worker", name, "--data", str(data)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            raise SystemExit(f"{name} failed")
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    pairs = manifest["duplicate_pairs"]
    print(f"\n{manifest['n_records']} records in {len(input_files(data))} files ({manifest['unique_works']} works, "
          f"{pairs} duplicate pairs, {manifest.get('duplicate_pairs_without_shared_doi', '?')} of them without a "
          f"shared DOI); seed {manifest['seed']}\n")
    print("| contender | wall time (s) | CPU time (s) | peak RSS (MB) | papers | duplicate pairs found | false merges "
          "| nodes | edges |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        found = f"{r['found']} of {pairs}" if "found" in r else "-"
        print(f"| {r['contender']} | {r['seconds']:.1f} | {r['cpu']:.1f} | {r['rss']:.0f} | {r.get('papers') or '-'} | {found} | "
              f"{r.get('false_merges', '-')} | {r.get('nodes', '-')} | {r.get('edges', '-')} |")


if __name__ == "__main__":
    main()
