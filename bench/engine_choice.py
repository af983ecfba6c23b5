"""DuckDB or Polars for the columnar core's relational work: the heaviest rule, side by side.

    python bench/engine_choice.py [--papers 200000] [--authors-per-paper 6]

The rule: CO_AUTHOR pairs from AUTHORED edges (self-join per paper, pairs with source < target, papers
counted, first/last year), the step that made the old core's graph a third CO_AUTHOR dicts. The same
synthetic AUTHORED table (Zipf-like author productivity) goes to both engines as Arrow; each runs in
its own subprocess (peak RSS from the kernel), twice, the second run counted.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def table(papers: int, per_paper: int):
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(42)
    authors = rng.zipf(1.6, size=papers * per_paper) % (papers * 2)
    paper = np.repeat(np.arange(papers), per_paper)
    frame = pa.table({"source": pa.array([f"name:a{a}" for a in authors]),
                      "target": pa.array([f"doi:10.1/p{p}" for p in paper])})
    years = pa.table({"key": pa.array([f"doi:10.1/p{p}" for p in range(papers)]),
                      "year": pa.array(rng.integers(1990, 2025, size=papers))})
    return frame.group_by(["source", "target"]).aggregate([]), years


def run_duckdb(authored, papers) -> int:
    import duckdb

    con = duckdb.connect()
    con.register("authored", authored)
    con.register("paper", papers)
    sql = ("SELECT a.source, b.source AS target, count(*) AS papers, min(p.year) AS fy, max(p.year) AS ly "
           "FROM authored a JOIN authored b ON a.target = b.target AND a.source < b.source "
           "JOIN (SELECT target FROM authored GROUP BY target HAVING count(*) <= 100) ok ON ok.target = a.target "
           "LEFT JOIN paper p ON p.key = a.target GROUP BY a.source, b.source")
    rel = con.sql(sql)
    out = (getattr(rel, "to_arrow_table", None) or rel.arrow)()
    return out.num_rows


def run_polars(authored, papers) -> int:
    import polars as pl

    a = pl.from_arrow(authored)
    p = pl.from_arrow(papers)
    ok = a.group_by("target").len().filter(pl.col("len") <= 100).select("target")
    a = a.join(ok, on="target")
    pairs = (a.join(a, on="target", suffix="_b").filter(pl.col("source") < pl.col("source_b"))
             .join(p, left_on="target", right_on="key", how="left")
             .group_by(["source", "source_b"])
             .agg(pl.len().alias("papers"), pl.col("year").min().alias("fy"), pl.col("year").max().alias("ly")))
    return pairs.height


def child(engine: str, papers: int, per_paper: int) -> None:
    authored, years = table(papers, per_paper)
    fn = run_duckdb if engine == "duckdb" else run_polars
    fn(authored, years)  # warm-up (imports, thread pools)
    t0, c0 = time.perf_counter(), time.process_time()
    rows = fn(authored, years)
    print(json.dumps({"engine": engine, "rows": rows, "wall_s": round(time.perf_counter() - t0, 2),
                      "cpu_s": round(time.process_time() - c0, 2),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--papers", type=int, default=200_000)
    ap.add_argument("--authors-per-paper", type=int, default=6)
    ap.add_argument("--child", default=None)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.papers, args.authors_per_paper)
        return
    import os

    print(f"load {os.getloadavg()[0]:.1f}")
    for engine in ("duckdb", "polars"):
        out = subprocess.run([sys.executable, __file__, "--child", engine, "--papers", str(args.papers),
                              "--authors-per-paper", str(args.authors_per_paper)],
                             capture_output=True, text=True, check=True)
        print(out.stdout.strip())


if __name__ == "__main__":
    main()
