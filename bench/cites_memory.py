"""Peak memory of the build with and without cited references (issue 13's target: at most 1.5x).

    python bench/cites_memory.py --records 100000 [--seed 42] [--out bench/out/cites-memory]

Generates the same data set twice with bench/generate.py (``--references`` adds Scopus-style reference
lists to the RIS records from their own random stream, so every other byte of the records is the same),
then runs ``graphkit.build.build_from_files`` on each in its own subprocess, side by side, measured by
bench/_measure.py (peak RSS of the process tree, CPU and wall time, load). Writes a markdown table to
``OUT/cites-memory.md`` and prints it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._measure import measure  # noqa: E402
from bench.generate import generate  # noqa: E402

BUILD = ("import glob, json, sys; from graphkit.build import build_from_files; "
         "r = build_from_files(sorted(glob.glob(sys.argv[1] + '/export-*'))); "
         "c = r.report.get('cites', {}); "
         "print(json.dumps({'counts': r.graph.counts(), 'cites': {k: v for k, v in c.items() if k != 'styles'}}))")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "cites-memory")
    args = ap.parse_args(argv)
    rows = []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for refs in (False, True):
        data = args.out / f"gen-{args.records}-{'refs' if refs else 'norefs'}"
        if not (data / "manifest.json").exists():
            generate(args.records, data, seed=args.seed, references=refs)
        size = sum(p.stat().st_size for p in data.glob("export-*"))
        m = measure([sys.executable, "-c", BUILD, str(data)], env=env)
        if m.returncode != 0:
            raise SystemExit(f"build failed: {m.stderr[-2000:]}")
        info = json.loads(m.stdout.strip().splitlines()[-1])
        rows.append((refs, size, m, info))
    base = max(rows[0][2].peak_rss_mb, rows[0][2].max_proc_rss_mb)
    lines = ["| references | input MB | nodes | edges | CITES | cited-only works | wall s | CPU s | peak RSS MB | ratio | load before/after |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for refs, size, m, info in rows:
        counts = info["counts"]
        nodes = sum(v for k, v in counts.items() if k[0].isupper() and not k.isupper())
        edges = sum(v for k, v in counts.items() if k.isupper())
        peak = max(m.peak_rss_mb, m.max_proc_rss_mb)
        lines.append(f"| {'with' if refs else 'without'} | {size / 1e6:.0f} | {nodes:,} | {edges:,} | "
                     f"{counts.get('CITES', 0):,} | {info['cites'].get('cited_only_works', 0):,} | {m.wall_s:.0f} | "
                     f"{m.cpu_s:.0f} | {peak:,.0f} | {peak / base:.2f} | {m.load_before:.1f} / {m.load_after:.1f} |")
    lines.append("")
    lines.append("references: " + json.dumps(rows[1][3]["cites"]))
    text = "\n".join(lines)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "cites-memory.md").write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
