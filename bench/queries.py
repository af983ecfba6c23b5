"""Canned-query benchmark: p50/p95 of every canned query (and a few searches) on a generated graph,
on the embedded store (LadybugDB + SQLite FTS5) and, side by side, on Neo4j.

    python bench/queries.py [--records 111112] [--seed 7] [--runs 30] [--neo4j auto|start|none|URI] [--reuse-store]

The records come from ``bench/generate.py`` (RIS + MEDLINE exports; with its 10% duplicates 111,112
records make ~100,000 papers), read and resolved by graphkit once; the built graph is cached under
bench/out/ so later runs skip that step. Parameters are picked from the data so every query does real
work: the most prolific author (and a co-author of a co-author for the path), the most used keyword,
MeSH heading and journal, MeSH branch C04. Each query runs ``--warmup`` times untimed, then ``--runs``
times; the table shows median and 95th percentile wall time in ms, and the rows returned.

Neo4j: ``auto`` (default) uses NEO4J_URI when set (the database is emptied first!), else skips;
``start`` starts a private server with scripts/neo4j (home under bench/out/) and stops it afterwards.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from graphkit.graph import Graph  # noqa: E402
from graphkit.queries import load_queries, run_query  # noqa: E402
from graphkit.schema import Label, RelType  # noqa: E402
from graphkit.sinks.embedded import EmbeddedStore, _graph_from_json, _graph_to_json  # noqa: E402

log = logging.getLogger("bench.queries")
OUT = ROOT / "bench" / "out"
SEARCHES = ["neoplasms", '"liver neoplasms"', "tumo*", "smith"]
TARGET_MS = 20.0
TARGETED = ("co-authors", "top-keywords", "top-mesh", "mesh-trend")


def built_graph(records: int, seed: int) -> tuple[Graph, float]:
    """The graph of ``records`` generated records (cached); and the read+resolve seconds (0 if cached)."""
    cache = OUT / f"queries-{records}-{seed}.graph.jsonl.gz"
    if cache.exists():
        with gzip.open(cache, "rt", encoding="utf-8") as fh:
            return _graph_from_json(json.loads(line) for line in fh), 0.0
    from generate import generate

    from graphkit.build import build_from_files

    data = OUT / f"queries-{records}-{seed}"
    if not (data / "manifest.json").exists():
        generate(records, data, seed=seed)
    t = time.perf_counter()
    graph = build_from_files(sorted(str(p) for p in data.glob("export-*"))).graph
    seconds = time.perf_counter() - t
    tmp = cache.with_name(cache.name + ".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8") as fh:
        for obj in _graph_to_json(graph):
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
    tmp.replace(cache)
    return graph, seconds


def pick_params(graph: Graph) -> dict[str, Any]:
    papers = Counter(e["source"] for e in graph.edges(RelType.AUTHORED))
    author = min(papers, key=lambda k: (-papers[k], k))
    neighbours: dict[str, set[str]] = {}
    for e in graph.edges(RelType.CO_AUTHOR):
        neighbours.setdefault(e["source"], set()).add(e["target"])
        neighbours.setdefault(e["target"], set()).add(e["source"])
    near = neighbours.get(author, set())
    far = sorted({x for n in near for x in neighbours.get(n, ())} - near - {author})
    keyword = Counter(e["target"] for e in graph.edges(RelType.HAS_KEYWORD)).most_common(1)[0][0]
    mesh = Counter(e["target"] for e in graph.edges(RelType.HAS_MESH)
                   if not graph.node(Label.MESH, e["target"]).get("check_tag")).most_common(1)[0][0]
    journal = Counter(e["target"] for e in graph.edges(RelType.PUBLISHED_IN)).most_common(1)[0][0]
    cited = Counter(e["target"] for e in graph.edges(RelType.CITES)).most_common(1)
    paper = cited[0][0] if cited else next(iter(graph.nodes(Label.PAPER)))["key"]
    return {"author": graph.node(Label.AUTHOR, author)["name"], "from": author,
            "to": far[0] if far else sorted(near)[0], "keyword": graph.node(Label.KEYWORD, keyword)["name"],
            "heading": graph.node(Label.MESH, mesh)["name"], "branch": "C04",
            "journal": graph.node(Label.JOURNAL, journal)["name"], "paper": paper}


def timed(fn, runs: int, warmup: int) -> tuple[float, float, int]:
    for _ in range(warmup):
        fn()
    times, n = [], 0
    for _ in range(runs):
        t = time.perf_counter()
        n = len(fn())
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))], n


def bench_store(store, params: dict[str, Any], runs: int, warmup: int) -> dict[str, tuple[float, float, int]]:
    out = {}
    for name, query in load_queries().items():
        p = {k: v for k, v in params.items() if k in {x.name for x in query.params}}
        out[name] = timed(lambda: run_query(store, query, p), runs, warmup)
        log.info("%s %s: p50 %.1f ms", store.dialect, name, out[name][0])
    for text in SEARCHES:
        out[f"search {text}"] = timed(lambda: store.search(text, limit=10), runs, warmup)
    return out


def start_neo4j(home: Path) -> dict[str, str]:
    proc = subprocess.run([str(ROOT / "scripts" / "neo4j"), "start", "--home", str(home), "--print-env",
                           "--retry", "3"], capture_output=True, text=True, check=True)
    env = {}
    for line in proc.stdout.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = value.strip("'\"")
    return env


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=111_112)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--neo4j", default="auto", help="auto | start | none | bolt://URI")
    ap.add_argument("--reuse-store", action="store_true",
                    help="query the embedded store left in bench/out/ by an earlier run instead of reloading it")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    OUT.mkdir(parents=True, exist_ok=True)

    graph, resolve_s = built_graph(args.records, args.seed)
    counts = graph.counts()
    params = pick_params(graph)
    log.info("graph: %s; params: %s", counts, params)

    db = OUT / f"queries-{args.records}-{args.seed}.graphkit.db"
    load_s = {}
    if args.reuse_store and EmbeddedStore.holds_graph(db):
        store = EmbeddedStore(db)
    else:
        shutil.rmtree(db, ignore_errors=True)
        store = EmbeddedStore(db, create=True)
        t = time.perf_counter()
        store.write_graph(graph)
        load_s["embedded"] = time.perf_counter() - t
    results = {"embedded": bench_store(store, params, args.runs, args.warmup)}
    store.close()

    env, started = None, False
    if args.neo4j == "start":
        env, started = start_neo4j(OUT / "neo4j-queries"), True
    elif args.neo4j == "auto" and os.environ.get("NEO4J_URI"):
        env = {k: os.environ[k] for k in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD") if k in os.environ}
    elif args.neo4j.startswith(("bolt://", "neo4j://")):
        env = {"NEO4J_URI": args.neo4j}
    if env:
        os.environ.update(env)
        from graphkit.stores import open_store

        try:
            neo = open_store(neo4j=env["NEO4J_URI"])
            _wipe(neo)
            t = time.perf_counter()
            neo.write_graph(graph)
            load_s["neo4j"] = time.perf_counter() - t
            results["neo4j"] = bench_store(neo, params, args.runs, args.warmup)
            neo.close()
        finally:
            if started:
                subprocess.run([str(ROOT / "scripts" / "neo4j"), "stop", "--home", str(OUT / "neo4j-queries")])

    print(f"\nGraph: {counts['Paper']:,} papers, {counts['Author']:,} authors, {counts['Keyword']:,} keywords, "
          f"{counts['MeshTerm']:,} MeSH terms, {sum(counts[str(t)] for t in RelType):,} relationships "
          f"(from {args.records:,} generated records, seed {args.seed}"
          + (f"; read + resolve {resolve_s:.0f} s" if resolve_s else "") + ")")
    print("Load: " + (", ".join(f"{k} {v:.1f} s" for k, v in load_s.items()) or "reused embedded store"))
    print(f"Load average (1, 5, 15 min) after the run: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{args.runs} timed runs after {args.warmup} warm-up runs; wall time per query in ms\n")
    stores = list(results)
    header = "| query | " + " | ".join(f"{s} p50 | {s} p95" for s in stores) + " | rows |"
    print(header)
    print("|" + "---|" * (2 + 2 * len(stores)))
    for name in results["embedded"]:
        cells = []
        for s in stores:
            p50, p95, _ = results[s][name]
            cells += [f"{p50:.1f}", f"{p95:.1f}"]
        mark = " *" if name in TARGETED else ""
        print(f"| {name}{mark} | " + " | ".join(cells) + f" | {results['embedded'][name][2]} |")
    worst = max(results["embedded"][n][0] for n in TARGETED)
    print(f"\n* target p50 <= {TARGET_MS:.0f} ms on the embedded store: "
          + ("met" if worst <= TARGET_MS else "NOT met") + f" (worst {worst:.1f} ms)")


def _wipe(neo) -> None:
    with neo._driver.session(database=neo.database) as session:  # IN TRANSACTIONS needs auto-commit
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


if __name__ == "__main__":
    main()
